package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// RunOptions say how Run runs a scenario and what it writes.
type RunOptions struct {
	// Out is the results folder; "" = out/<scenario-name>. It is replaced
	// only when it is scalesim's own results folder or empty.
	Out string
	// Format is the plot format, reports.PNG or reports.SVG; "" writes no
	// plots and no report.html.
	Format string
	// Plotter draws the plots and report.html; a Format needs one (see
	// Plotter).
	Plotter Plotter
	// Progress, when set, is told the fraction of simulated time done
	// (0..1) as the run goes.
	Progress func(done float64)
	// Notes, when set, is told what a user should know that is not an
	// error (a stale temporary folder removed).
	Notes func(note string)
	// FailOnSLO makes a missed SLO an *SLOError; the results are written
	// all the same.
	FailOnSLO bool
	// Budget bounds the run's events and memory (see Budget); the zero
	// value bounds nothing.
	Budget Budget
}

// RunResult is what Run returns.
type RunResult struct {
	Summary reports.Summary
	Out     string // the results folder written
}

// Run runs one scenario and writes its results folder through reports:
// summary.json, timeseries.csv, decisions.jsonl, events.jsonl, and with a
// Format the plots and report.html. The folder is filled in a temporary
// folder beside Out and renamed into place, so it is never half written;
// when ctx is cancelled the run stops, the temporary folder is removed and
// the cancellation's cause is returned.
func Run(ctx context.Context, sc *scenarios.Scenario, opts RunOptions) (*RunResult, error) {
	plot, err := plotsFor(opts.Format, opts.Plotter)
	if err != nil {
		return nil, err
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join("out", sc.Name)
	}
	var sum reports.Summary
	err = writeFolder(out, opts.Notes, func(dir string) error {
		var err error
		s := &simulation{sc: sc, dir: dir, plot: plot, progress: opts.Progress, limits: limits{ctx: ctx, budget: opts.Budget}}
		sum, err = s.run()
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &RunResult{Summary: sum, Out: out}
	if missed := SLOMissed(sum); opts.FailOnSLO && len(missed) > 0 {
		return res, &SLOError{Services: missed, Summary: filepath.Join(out, reports.SummaryFile)}
	}
	return res, nil
}

// writeFolder is writeAtomically with its notes told to notes.
func writeFolder(out string, notes func(string), fill func(dir string) error) error {
	ns, err := writeAtomically(out, fill)
	if notes != nil {
		for _, n := range ns {
			notes(n)
		}
	}
	return err
}

// simulation is one run of one scenario into one results folder.
type simulation struct {
	sc       *scenarios.Scenario
	dir      string   // where the files go (a temporary folder)
	plot     plotting // the zero value: no plots and no report.html
	progress func(float64)
	// summaryOnly computes the summary and writes nothing: no results
	// files, no summary.json, no plots; dir is unused (a sweep's runs).
	summaryOnly bool
	limits      limits
}

// run builds the world, runs it with the collector streaming the results
// files into s.dir, then writes summary.json, the plots and report.html.
func (s *simulation) run() (reports.Summary, error) {
	cfg, err := scenarios.Build(s.sc)
	if err != nil {
		return reports.Summary{}, inputErr(err)
	}
	if err := s.limits.budget.fits(s.sc); err != nil {
		return reports.Summary{}, err
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
	w, err := cluster.New(cfg, newObserver(coll))
	if err != nil {
		coll.Close()
		return reports.Summary{}, err
	}
	s.limits.name = s.sc.Name
	start := time.Now()
	if err := w.RunChecked(s.progress, s.limits.checker()); err != nil {
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
	return sum, s.write(sum)
}

// write writes summary.json and, with a format, the plots and report.html.
func (s *simulation) write(sum reports.Summary) error {
	if err := reports.WriteSummaryFile(filepath.Join(s.dir, reports.SummaryFile), sum); err != nil {
		return err
	}
	if s.plot.format == "" {
		return nil
	}
	return s.plot.p.RunPlots(s.dir, s.plot.format, reports.HTMLOptions{Description: s.sc.Description, Plot: plotOptions(s.sc)})
}

// reportsConfig is what the collector needs to know of the scenario.
func reportsConfig(sc *scenarios.Scenario) reports.Config {
	rc := reports.Config{Scenario: sc.Name, Seed: sc.Seed, Duration: sc.Duration, Warmup: sc.Warmup, SampleInterval: sc.SampleInterval}
	for _, svc := range sc.Services {
		sv := reports.ServiceConfig{Name: svc.Name, Policy: svc.Autoscaler.Policy, PricePerHour: svc.Instance.PricePerHour, NodeCost: len(sc.Nodes) > 0}
		if tr := sc.TrafficFor(svc.Name); tr != nil && tr.Kind == scenarios.KindQueue {
			sv.Queue = true
		}
		sv.Ingress = svc.Ingress != nil
		if slo := sc.SLOFor(svc.Name); slo != nil && slo.Latency > 0 {
			sv.SLO = &reports.SLO{Latency: slo.Latency, Percentile: slo.Percentile, Availability: slo.Availability}
		}
		rc.Services = append(rc.Services, sv)
	}
	for _, w := range scenarios.Warnings(sc) {
		rc.Warnings = append(rc.Warnings, reports.Warning{Code: w.Code, Service: w.Service, Message: w.Message})
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

// SLOMissed names the services whose SLO was missed, sorted.
func SLOMissed(sum reports.Summary) []string {
	var names []string
	for name, s := range sum.Services {
		if s.SLO != nil && !s.SLO.Met {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
