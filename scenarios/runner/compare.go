package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// CompareOptions say how Compare runs and what it writes.
type CompareOptions struct {
	// Sets are --set overrides ("path=value", e.g. "seed=7") applied to
	// the scenario of every variant, before the variant's own.
	Sets []string
	// Services are the services the variants apply to; none = every
	// service with an autoscaler (a policy other than static), or every
	// service when none has one.
	Services []string
	// Out is the comparison folder; "" = out/<scenario-name>-compare.
	Out string
	// Format is the plot format; "" writes no plots and no report.html.
	Format string
	// Plotter draws the plots and report.html; a Format needs one.
	Plotter Plotter
	// Progress, when set, is told run i's fraction done (0..1); runs go in
	// parallel, so calls come from several goroutines at once.
	Progress func(run int, done float64)
	// Notes is as in RunOptions.
	Notes func(note string)
	// Budget bounds each run as in RunOptions; the runs go in parallel, so
	// the memory bound is the process's, shared by them.
	Budget Budget
}

// CompareResult is what Compare returns.
type CompareResult struct {
	Comparison *reports.Comparison
	Out        string
}

// Compare runs the scenario once per variant on identical traffic (the
// same seed; arrivals and demands come from per-service random streams no
// policy touches), each into Out/<label> as Run writes it, and writes
// comparison.csv, comparison.json and the overlay plots. Every variant is
// checked before anything runs: a problem is an *InputError, wrapping a
// *VariantError when it comes from a variant.
func Compare(ctx context.Context, src scenarios.Source, variants []Variant, opts CompareOptions) (*CompareResult, error) {
	plot, err := plotsFor(opts.Format, opts.Plotter)
	if err != nil {
		return nil, err
	}
	if len(variants) == 0 {
		return nil, inputErr(errors.New("no variant to compare"))
	}
	base, err := src.Parse(opts.Sets)
	if err != nil {
		return nil, inputErr(err)
	}
	services, err := comparedServices(base, opts.Services)
	if err != nil {
		return nil, inputErr(err)
	}
	if err := checkLabels(base, variants); err != nil {
		return nil, err
	}
	scs := make([]*scenarios.Scenario, len(variants))
	for i, v := range variants {
		if scs[i], err = variantScenario(src, opts.Sets, v, services); err != nil {
			return nil, inputErr(&VariantError{Index: i, Label: v.Label, Err: err})
		}
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join("out", base.Name+"-compare")
	}
	cmp := &reports.Comparison{Scenario: base.Name, Seed: base.Seed, DurationS: base.Duration.Seconds(), Compared: services}
	err = writeFolder(out, opts.Notes, func(dir string) error {
		sums, err := runAll(ctx, dir, variants, scs, opts, plot)
		if err != nil {
			return err
		}
		for i, v := range variants {
			cmp.Runs = append(cmp.Runs, reports.ComparedRun{Label: v.Label, Source: v.Source, Folder: v.Label, Summary: sums[i]})
		}
		if err := writeComparison(dir, base, cmp, plot); err != nil {
			return err
		}
		// The answer as a file to apply: the manifests of the cheapest
		// policy that meets the SLO.
		if best := cmp.Verdict().CheapestMeetingSLO; best != "" {
			for i, v := range variants {
				if v.Label == best {
					return writeBestManifests(dir, scs[i])
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CompareResult{Comparison: cmp, Out: out}, nil
}

// checkLabels checks that every variant is one, and that the labels
// differ and can name a folder of the comparison.
func checkLabels(base *scenarios.Scenario, variants []Variant) error {
	var all []string
	for _, svc := range base.Services {
		all = append(all, svc.Name)
	}
	reserved := compareFiles(all)
	byLabel := map[string]int{}
	for i, v := range variants {
		fail := func(format string, args ...any) error {
			return inputErr(&VariantError{Index: i, Label: v.Label, Err: fmt.Errorf(format, args...)})
		}
		if v.Policy == "" && v.Autoscaler == nil {
			return fail("neither a policy nor an autoscaler block")
		}
		if j, dup := byLabel[v.Label]; dup {
			return fail("has the same label %q as %s; each policy needs its own (rename a file)", v.Label, variants[j].Source)
		}
		if v.Label == "" || strings.HasPrefix(v.Label, ".") || strings.ContainsAny(v.Label, `/\`) || slices.Contains(reserved, v.Label) {
			return fail("%q cannot name a results folder here (rename the file)", v.Label)
		}
		byLabel[v.Label] = i
	}
	return nil
}

// variantScenario parses the scenario with the sets and v's overrides, and
// builds it, so that every problem shows before anything runs.
func variantScenario(src scenarios.Source, sets []string, v Variant, services []string) (*scenarios.Scenario, error) {
	sc, err := src.ParseWith(sets, v.overrides(services))
	if err == nil {
		_, err = scenarios.Build(sc)
	}
	return sc, err
}

// comparedServices are the services the policies apply to: those named,
// or every autoscaled one, or every one when none is autoscaled.
func comparedServices(sc *scenarios.Scenario, named []string) ([]string, error) {
	var all, scaled []string
	for _, svc := range sc.Services {
		all = append(all, svc.Name)
		if svc.Autoscaler.Policy != scenarios.PolicyStatic {
			scaled = append(scaled, svc.Name)
		}
	}
	if len(named) > 0 {
		var out []string
		for _, n := range named {
			if !slices.Contains(all, n) {
				return nil, fmt.Errorf("--service %q: scenario %s has no such service (it has %s)", n, sc.Name, strings.Join(all, ", "))
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	if len(scaled) == 0 {
		scaled = all
	}
	slices.Sort(scaled)
	return scaled, nil
}

// compareFiles are the names a comparison folder holds beside the runs'
// folders, which a label must not take.
func compareFiles(services []string) []string {
	names := []string{reports.ComparisonCSVFile, reports.ComparisonJSONFile}
	for _, svc := range services {
		for _, kind := range []string{reports.PlotCompareReplicas, reports.PlotCompareP99, reports.PlotCostSLO} {
			for _, format := range []string{reports.PNG, reports.SVG} {
				names = append(names, reports.PlotFileName(kind, svc, format))
			}
		}
	}
	return names
}

// writeComparison writes comparison.csv, comparison.json and, with a
// format, the overlay plots into dir.
func writeComparison(dir string, base *scenarios.Scenario, cmp *reports.Comparison, plot plotting) error {
	if err := writeFile(filepath.Join(dir, reports.ComparisonCSVFile), func(b *bytes.Buffer) error {
		return reports.WriteComparisonCSV(b, cmp)
	}); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, reports.ComparisonJSONFile), func(b *bytes.Buffer) error {
		return reports.WriteComparisonJSON(b, cmp)
	}); err != nil {
		return err
	}
	if plot.format == "" {
		return nil
	}
	popts := reports.ComparisonPlotOptions{Warmup: base.Warmup, Objectives: map[string]float64{}}
	for _, slo := range base.SLOs {
		if slo.Availability > 0 {
			popts.Objectives[slo.Service] = slo.Availability
		} else {
			popts.Objectives[slo.Service] = slo.Percentile / 100
		}
	}
	if err := plot.p.ComparisonPlots(dir, plot.format, cmp, popts); err != nil {
		return fmt.Errorf("comparison plots: %w", err)
	}
	return nil
}

// runAll runs each scenario into dir/<label>, in parallel up to one run
// per CPU (each run is single-threaded), and returns the summaries in the
// order of the variants. The first failure in that order is returned.
func runAll(ctx context.Context, dir string, variants []Variant, scs []*scenarios.Scenario, opts CompareOptions, plot plotting) ([]reports.Summary, error) {
	sums := make([]reports.Summary, len(scs))
	errs := make([]error, len(scs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(scs)) {
		wg.Go(func() {
			for i := range next {
				s := &simulation{sc: scs[i], dir: filepath.Join(dir, variants[i].Label), plot: plot, limits: limits{ctx: ctx, budget: opts.Budget}}
				if opts.Progress != nil {
					s.progress = func(f float64) { opts.Progress(i, f) }
				}
				errs[i] = protect(func() (err error) {
					sums[i], err = s.run()
					return err
				})
			}
		})
	}
	for i := range scs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", variants[i].Label, err)
		}
	}
	return sums, nil
}

// writeFile writes what fill puts in a buffer to path.
func writeFile(path string, fill func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
