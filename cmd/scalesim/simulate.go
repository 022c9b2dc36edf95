package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// scenarioFlags are the flags every command that reads a scenario takes.
type scenarioFlags struct {
	Seed    uint64
	SeedSet bool
	Sets    []string
}

// load resolves and parses a scenario argument with the overrides; --seed
// is one more override, so it is validated like the rest. Errors are bad
// input (exit 2).
func (f *scenarioFlags) load(arg string) (*scenarios.Scenario, error) {
	sets := f.Sets
	if f.SeedSet {
		sets = append(append([]string(nil), sets...), "seed="+strconv.FormatUint(f.Seed, 10))
	}
	sc, err := scenarios.Open(arg, sets)
	if err != nil {
		return nil, usageErr(err)
	}
	return sc, nil
}

// outputFlags say what a run writes.
type outputFlags struct {
	Out     string
	Format  string
	NoPlots bool
	Quiet   bool
}

func (o *outputFlags) check() error {
	if o.Format != reports.PNG && o.Format != reports.SVG {
		return usageErr(fmt.Errorf("--format %q: allowed are png and svg", o.Format))
	}
	return nil
}

// outDir is --out, or ./out/<scenario-name>.
func (o *outputFlags) outDir(sc *scenarios.Scenario) string {
	if o.Out != "" {
		return o.Out
	}
	return filepath.Join("out", sc.Name)
}

// simulation is one run of one scenario into one results folder.
type simulation struct {
	sc       *scenarios.Scenario
	dir      string // where the files go (a temporary folder)
	format   string // plot format; "" = no plots and no report.html
	progress io.Writer
	// onProgress, when progress is nil, is told the fraction done (0..1)
	// as the run goes (compare draws one bar for several runs).
	onProgress func(float64)
	// summaryOnly computes the summary and writes nothing: no results
	// files, no summary.json, no plots; dir is unused (a sweep's runs).
	summaryOnly bool
	// ctx, when not nil, stops the run when it is cancelled (SIGINT,
	// SIGTERM); the run then returns the cancellation's cause.
	ctx context.Context
}

// run builds the world, runs it with the collector streaming the results
// files into s.dir, then writes summary.json, the plots and report.html.
func (s *simulation) run() (reports.Summary, error) {
	cfg, err := scenarios.Build(s.sc)
	if err != nil {
		return reports.Summary{}, usageErr(err)
	}
	var coll *reports.Collector
	if s.summaryOnly {
		coll, err = reports.New(reportsConfig(s.sc), reports.Outputs{})
	} else {
		coll, err = reports.Create(s.dir, reportsConfig(s.sc))
	}
	if err != nil {
		return reports.Summary{}, err
	}
	w, err := cluster.New(cfg, coll)
	if err != nil {
		coll.Close()
		return reports.Summary{}, err
	}
	progress := s.onProgress
	if s.progress != nil {
		progress = newProgressBar(s.progress, s.sc.Name, s.sc.Duration).update
	}
	var check func(uint64) error
	if s.ctx != nil {
		check = func(uint64) error { return cancelled(s.ctx) }
	}
	start := time.Now()
	if err := w.RunChecked(progress, check); err != nil {
		coll.Close()
		return reports.Summary{}, err
	}
	wall := time.Since(start)
	if err := coll.Close(); err != nil {
		return reports.Summary{}, fmt.Errorf("writing results: %w", err)
	}
	if err := coll.Check(); err != nil {
		return reports.Summary{}, fmt.Errorf("internal accounting error (please report it with the scenario and seed): %w", err)
	}
	sum := coll.Summary(w.Engine().Fired(), wall)
	if s.summaryOnly {
		return sum, nil
	}
	if err := reports.WriteSummaryFile(filepath.Join(s.dir, reports.SummaryFile), sum); err != nil {
		return reports.Summary{}, err
	}
	if s.format != "" {
		opts := plotOptions(s.sc)
		if _, err := reports.WritePlots(s.dir, s.format, opts); err != nil {
			return reports.Summary{}, fmt.Errorf("plots: %w", err)
		}
		if err := reports.WriteHTML(s.dir, reports.HTMLOptions{Description: s.sc.Description, Plot: opts}); err != nil {
			return reports.Summary{}, fmt.Errorf("report.html: %w", err)
		}
	}
	return sum, nil
}

// reportsConfig is what the collector needs to know of the scenario.
func reportsConfig(sc *scenarios.Scenario) reports.Config {
	rc := reports.Config{Scenario: sc.Name, Seed: sc.Seed, Duration: sc.Duration, Warmup: sc.Warmup}
	for _, svc := range sc.Services {
		sv := reports.ServiceConfig{Name: svc.Name, Policy: svc.Autoscaler.Policy, PricePerHour: svc.Instance.PricePerHour, NodeCost: len(sc.Nodes) > 0}
		if slo := sc.SLOFor(svc.Name); slo != nil && slo.Latency > 0 {
			sv.SLO = &reports.SLO{Latency: slo.Latency, Percentile: slo.Percentile, Availability: slo.Availability}
		}
		rc.Services = append(rc.Services, sv)
	}
	return rc
}

// plotOptions draws each service's CPU target: the cpu metric's target of
// an HPA-like policy.
func plotOptions(sc *scenarios.Scenario) reports.PlotOptions {
	opts := reports.PlotOptions{Warmup: sc.Warmup, Services: map[string]reports.ServicePlotOptions{}}
	for _, svc := range sc.Services {
		var o reports.ServicePlotOptions
		for _, m := range svc.Autoscaler.ScalesOn() {
			if m.Resource == "cpu" {
				o.TargetUtilization = m.TargetUtilization / 100
			}
		}
		opts.Services[svc.Name] = o
	}
	return opts
}

// sloMissed names the services whose SLO was missed.
func sloMissed(sum reports.Summary) []string {
	var names []string
	for name, s := range sum.Services {
		if s.SLO != nil && !s.SLO.Met {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
