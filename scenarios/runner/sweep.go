package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// SweepOptions describe a sweep: a grid of overrides times seeds.
type SweepOptions struct {
	// Sets are the grid's dimensions, each "path=v1,v2,..." (see
	// parseSetList); the grid is their product.
	Sets []string
	// Seeds is the number of runs per grid point (at least 1).
	Seeds int
	// Seed, when SeedSet, is the first seed; otherwise the scenario's.
	Seed    uint64
	SeedSet bool
	// Parallel is the number of runs at once; 0 = GOMAXPROCS.
	Parallel int
	// Shard is "", "i/n" or "auto/n" (the index from the environment).
	Shard string
	// Getenv reads the environment for Shard auto/n; nil = os.Getenv.
	Getenv func(string) string
	// Analysis chooses the best point.
	Analysis reports.SweepAnalysis
	// Out is the sweep folder; "" = out/<scenario-name>-sweep.
	Out string
	// Format is the plot format; "" writes no plots.
	Format string
	// Plotter draws the plots; a Format needs one.
	Plotter Plotter
	// Progress, when set, is told the runs done of those to do.
	Progress func(done, total int)
	// AfterRun, when set, is called in the worker after run r's record is
	// written; an error stops the sweep like a failed run.
	AfterRun func(r int) error
	// Budget bounds each run as in RunOptions (the memory bound is the
	// process's, shared by the parallel runs).
	Budget Budget
}

// SweepPlan is a checked sweep, ready to run: every grid point parsed and
// built, nothing written.
type SweepPlan struct {
	src      scenarios.Source
	manifest *sweepManifest
	opts     SweepOptions
	plot     plotting
	sets     [][]string // the --set overrides of each grid point
	Shard    Shard
	Parallel int
	Out      string
}

// SweepResult is what Sweep returns.
type SweepResult struct {
	Name                    string // the scenario's name
	Points, Seeds, Runs     int    // the whole sweep's
	Owned, AlreadyDone, Ran int    // this shard's runs, those found done, those run now
	Elapsed                 time.Duration
	Shard                   Shard
	Out                     string
	Result                  *reports.SweepResult // nil for a shard
}

// sweepGOGC is the collector's GOGC during a sweep's runs, unless GOGC is
// set in the environment.
const sweepGOGC = 200

// Sweep plans the sweep and runs it: every run's summary is written to
// Out/runs/ID.json as soon as it finishes, so a sweep interrupted (ctx
// cancelled) resumes where it stopped; then, unless it is a shard, it
// writes runs.csv, points.csv, best.json and the plots. Results do not
// depend on Parallel.
func Sweep(ctx context.Context, src scenarios.Source, opts SweepOptions) (*SweepResult, error) {
	p, err := PlanSweep(src, opts)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx)
}

// PlanSweep checks every option, parses the scenario at every grid point
// and builds it, so that a bad value fails before any run; it writes
// nothing.
func PlanSweep(src scenarios.Source, opts SweepOptions) (*SweepPlan, error) {
	plot, err := plotsFor(opts.Format, opts.Plotter)
	if err != nil {
		return nil, err
	}
	if opts.Seeds < 1 {
		return nil, inputErr(fmt.Errorf("--seeds %d: at least 1", opts.Seeds))
	}
	if opts.Parallel < 0 {
		return nil, inputErr(fmt.Errorf("--parallel %d: at least 1 (or 0 for the CPUs available)", opts.Parallel))
	}
	p := &SweepPlan{src: src, opts: opts, plot: plot, Parallel: opts.Parallel}
	if p.Parallel == 0 {
		// GOMAXPROCS rather than NumCPU: it honours a container's CPU
		// limit (Go 1.25+), NumCPU counts the whole node's.
		p.Parallel = runtime.GOMAXPROCS(0)
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if p.Shard, err = parseShard(opts.Shard, getenv); err != nil {
		return nil, inputErr(err)
	}
	grid, err := parseGrid(opts.Sets, opts.Seeds)
	if err != nil {
		return nil, inputErr(err)
	}
	name, services, err := p.checkPoints(&grid)
	if err != nil {
		return nil, err
	}
	if grid.BaseSeed > ^uint64(0)-uint64(opts.Seeds-1) {
		return nil, inputErr(fmt.Errorf("--seed %d: seed+%d overflows", grid.BaseSeed, opts.Seeds-1))
	}
	if err := opts.Analysis.Check(services); err != nil {
		return nil, inputErr(err)
	}
	p.manifest = &sweepManifest{Format: sweepFormat, Scenario: src.Name, Name: name, SHA256: scenarioHash(src.Data),
		SweepGrid: grid, NumPoints: grid.Points(), NumRuns: grid.Runs()}
	p.manifest.setAnalysis(opts.Analysis)
	p.Out = opts.Out
	if p.Out == "" {
		p.Out = filepath.Join("out", name+"-sweep")
	}
	return p, nil
}

// parseGrid parses the grid's dimensions.
func parseGrid(sets []string, seeds int) (reports.SweepGrid, error) {
	grid := reports.SweepGrid{Seeds: seeds}
	runs := seeds
	for _, s := range sets {
		param, err := parseSetList(s)
		if err != nil {
			return grid, err
		}
		for _, q := range grid.Params {
			if q.Path == param.Path {
				return grid, fmt.Errorf("--set %s is given twice; list every value in one --set %s=v1,v2,...", param.Path, param.Path)
			}
		}
		if runs > maxSweepRuns/len(param.Values) {
			return grid, fmt.Errorf("the grid has more than %d runs", maxSweepRuns)
		}
		runs *= len(param.Values)
		grid.Params = append(grid.Params, param)
	}
	return grid, nil
}

// checkPoints parses and builds every grid point, keeping their
// overrides; the first gives the base seed (no --set may change it), the
// scenario's name and the services (true: with a latency SLO).
func (p *SweepPlan) checkPoints(grid *reports.SweepGrid) (string, map[string]bool, error) {
	services := map[string]bool{}
	var name string
	for pt := range grid.Points() {
		vals := grid.Values(pt)
		sets := make([]string, len(vals))
		for i, v := range vals {
			sets[i] = grid.Params[i].Path + "=" + v
		}
		sc, err := p.src.Parse(sets)
		if err == nil {
			_, err = scenarios.Build(sc)
		}
		if err != nil {
			return "", nil, inputErr(fmt.Errorf("grid point %d (%s): %w", pt, grid.Describe(pt), err))
		}
		if err := p.opts.Budget.fits(sc); err != nil {
			return "", nil, fmt.Errorf("grid point %d (%s): %w", pt, grid.Describe(pt), err)
		}
		if pt == 0 {
			name = sc.Name
			grid.BaseSeed = sc.Seed
			if p.opts.SeedSet {
				grid.BaseSeed = p.opts.Seed
			}
			for _, svc := range sc.Services {
				slo := sc.SLOFor(svc.Name)
				services[svc.Name] = slo != nil && slo.Latency > 0
			}
		}
		p.sets = append(p.sets, sets)
	}
	return name, services, nil
}

// Run runs the plan: the runs of its shard not already done, then (for
// the whole sweep) the analysis files.
func (p *SweepPlan) Run(ctx context.Context) (*SweepResult, error) {
	if err := p.prepareDir(); err != nil {
		return nil, err
	}
	m := p.manifest
	todo, owned, err := p.todo()
	if err != nil {
		return nil, err
	}
	// A sweep is a batch job whose runs keep little live memory (tens of
	// MB): a collector that runs half as often buys about a tenth of the
	// wall time when every CPU runs a simulation and none is left idle
	// for the collector. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(sweepGOGC))
	}
	start := time.Now()
	ran, err := p.execute(ctx, todo)
	res := &SweepResult{Name: m.Name, Points: m.NumPoints, Seeds: m.Seeds, Runs: m.NumRuns, Owned: owned,
		AlreadyDone: owned - len(todo), Ran: ran, Elapsed: time.Since(start), Shard: p.Shard, Out: p.Out}
	if err != nil {
		return nil, err
	}
	if ran < len(todo) {
		if err := cancelled(ctx); err != nil {
			return nil, fmt.Errorf("%w after %d of %d runs; the finished runs are kept: run the same command again to resume", err, ran, len(todo))
		}
		return nil, fmt.Errorf("interrupted after %d of %d runs; the finished runs are kept: run the same command again to resume", ran, len(todo))
	}
	if p.Shard.Count > 0 {
		return res, nil
	}
	if res.Result, err = finishSweep(p.Out, m, p.opts.Analysis, p.plot); err != nil {
		return nil, err
	}
	return res, requirementErr(res.Result, p.Out)
}

// requirementErr is a *RequirementError when no point of a finished sweep
// meets its requirements.
func requirementErr(r *reports.SweepResult, out string) error {
	if err := r.RequireErr(); err != nil {
		return &RequirementError{Err: err, Points: filepath.Join(out, reports.SweepPointsFile)}
	}
	return nil
}

// todo lists the runs of the shard that have no readable record yet, and
// counts the shard's runs.
func (p *SweepPlan) todo() (todo []int, owned int, err error) {
	m := p.manifest
	done, err := scanRecords(p.Out, m.NumRuns)
	if err != nil {
		return nil, 0, err
	}
	for r := range m.NumRuns {
		if !p.Shard.owns(r) {
			continue
		}
		owned++
		if path, ok := done[r]; ok {
			if _, err := readRecord(path, m, r); err == nil {
				continue
			}
			// An unreadable record (a disk problem) is run again.
		}
		todo = append(todo, r)
	}
	return todo, owned, nil
}

// prepareDir makes the sweep folder, or checks that an existing one holds
// this sweep, and writes sweep.json (with this invocation's analysis).
func (p *SweepPlan) prepareDir() error {
	// The folder is listed before the manifest is read: a shard starting
	// at the same moment may rename its sweep.json in between, and then
	// the manifest read after is there to compare.
	empty := emptyish(p.Out)
	old, ok, err := readManifest(p.Out)
	if err != nil {
		return inputErr(fmt.Errorf("%s: %w", p.Out, err))
	}
	if ok {
		if err := sameSweep(p.manifest, old); err != nil {
			return inputErr(fmt.Errorf("%s holds a different sweep (this one has %v); use another --out, or remove the folder to start over", p.Out, err))
		}
	} else if !empty {
		return inputErr(fmt.Errorf("%s exists and is not a sweep folder (it has no %s); use another --out", p.Out, SweepManifestFile))
	}
	if err := os.MkdirAll(p.Out, 0o755); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if err := writeManifest(p.Out, p.manifest); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(p.Out, SweepRunsDir), 0o755); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	return nil
}

// emptyish reports whether dir is missing, empty, or holds only what
// another shard starting at the same moment in the same folder may have
// made: dot files (a sweep.json being written) and the runs folder.
func emptyish(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Name() != SweepRunsDir {
			return false
		}
	}
	return true
}

// execute runs todo on p.Parallel workers and returns how many finished.
// It stops handing out runs at the first error or when ctx is cancelled,
// and waits for the runs under way; a cancelled ctx also stops those, and
// a run stopped so is not counted, as a failure or as finished.
func (p *SweepPlan) execute(ctx context.Context, todo []int) (int, error) {
	type result struct {
		run int
		err error
	}
	jobs := make(chan int)
	results := make(chan result)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range min(p.Parallel, max(len(todo), 1)) {
		wg.Go(func() {
			for r := range jobs {
				select {
				case <-quit:
					continue // a run failed: start no more
				case <-ctx.Done():
					continue
				default:
				}
				err := protect(func() error {
					err := p.runOne(ctx, r)
					if err == nil && p.opts.AfterRun != nil {
						err = p.opts.AfterRun(r)
					}
					return err
				})
				if err != nil && cancelled(ctx) != nil && errors.Is(err, cancelled(ctx)) {
					continue // stopped part-way by ctx: no record, run again on resume
				}
				results <- result{r, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, r := range todo {
			select {
			case jobs <- r:
			case <-quit:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	ran := 0
	var errs []error
	if p.opts.Progress != nil && len(todo) > 0 {
		p.opts.Progress(0, len(todo))
	}
	for res := range results {
		if res.err != nil {
			if len(errs) == 0 {
				close(quit)
			}
			errs = append(errs, &runError{run: res.run, err: res.err})
			continue
		}
		ran++
		if p.opts.Progress != nil {
			p.opts.Progress(ran, len(todo))
		}
	}
	return ran, firstError(errs)
}

// firstError is the failure of the lowest-numbered run, with a count of
// the others: one line, whatever the order the parallel runs failed in.
func firstError(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortFunc(errs, func(a, b error) int { return runOf(a) - runOf(b) })
	if len(errs) == 1 {
		return errs[0]
	}
	return fmt.Errorf("%w (and %d more runs failed)", errs[0], len(errs)-1)
}

// runError is a run's failure, with the run's number.
type runError struct {
	run int
	err error
}

func (e *runError) Error() string { return fmt.Sprintf("run %d: %v", e.run, e.err) }
func (e *runError) Unwrap() error { return e.err }

func runOf(err error) int {
	var re *runError
	if errors.As(err, &re) {
		return re.run
	}
	return -1
}

// runOne runs run r and writes its record; ctx cancelled stops the run
// part-way, and no record is written.
func (p *SweepPlan) runOne(ctx context.Context, r int) error {
	pt, _, seed := p.manifest.Run(r)
	sets := append(append([]string(nil), p.sets[pt]...), "seed="+strconv.FormatUint(seed, 10))
	sc, err := p.src.Parse(sets)
	if err != nil {
		return inputErr(err)
	}
	sim := &simulation{sc: sc, summaryOnly: true, limits: limits{ctx: ctx, budget: p.opts.Budget}}
	sum, err := sim.run()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := reports.WriteSummary(&b, sum); err != nil {
		return err
	}
	path := filepath.Join(p.Out, SweepRunsDir, RecordName(r, p.manifest.NumRuns))
	if err := reports.WriteFileAtomically(path, b.Bytes()); err != nil {
		return fmt.Errorf("writing the run's record: %w", err)
	}
	return nil
}

// finishSweep reads every run record of the sweep in dir and writes
// runs.csv, points.csv, best.json and (with a format) the plots.
func finishSweep(dir string, m *sweepManifest, a reports.SweepAnalysis, plot plotting) (*reports.SweepResult, error) {
	sums, err := readAllRecords(dir, m)
	if err != nil {
		return nil, err
	}
	// An objective or requirement naming a figure the sweep lacks is bad
	// input (merge checks it only here, with the runs' services).
	if err := a.Check(recordServices(sums[0])); err != nil {
		return nil, inputErr(err)
	}
	res, err := reports.AnalyzeSweep(m.SweepGrid, sums, a)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{reports.SweepRunsFile, res.WriteRunsCSV},
		{reports.SweepPointsFile, res.WritePointsCSV},
		{reports.SweepBestFile, res.WriteBestJSON},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return nil, err
		}
		if err := reports.WriteFileAtomically(filepath.Join(dir, f.name), b.Bytes()); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if plot.format != "" {
		if err := plot.p.SweepPlots(dir, plot.format, res); err != nil {
			return nil, fmt.Errorf("plots: %w", err)
		}
	}
	if err := bestManifests(dir, m, res.Best); err != nil {
		return nil, fmt.Errorf("best/manifests: %w", err)
	}
	return res, nil
}

// bestManifests writes the best point's manifests into dir/best/manifests
// (a file to apply; the manifests do not depend on the seed), from the
// sweep's scenario when it is at hand unchanged (merge may run where it
// is not); a resumed sweep's earlier answer is removed first.
func bestManifests(dir string, m *sweepManifest, best int) error {
	if err := os.RemoveAll(filepath.Join(dir, "best")); err != nil {
		return err
	}
	if best < 0 {
		return nil
	}
	src, err := scenarios.Resolve(strings.TrimPrefix(m.Scenario, "builtin:"))
	if err != nil || scenarioHash(src.Data) != m.SHA256 {
		return nil
	}
	vals := m.SweepGrid.Values(best)
	sets := make([]string, len(vals))
	for i, v := range vals {
		sets[i] = m.SweepGrid.Params[i].Path + "=" + v
	}
	sc, err := src.Parse(sets)
	if err != nil {
		return inputErr(err)
	}
	return writeBestManifests(dir, sc)
}

// readAllRecords reads every run record of the sweep in dir, in run order.
func readAllRecords(dir string, m *sweepManifest) ([]reports.Summary, error) {
	found, err := scanRecords(dir, m.NumRuns)
	if err != nil {
		return nil, err
	}
	var missing []int
	for r := range m.NumRuns {
		if _, ok := found[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: %d of %d runs missing: %s", dir, len(missing), m.NumRuns, describeRuns(m, missing))
	}
	sums := make([]reports.Summary, m.NumRuns)
	for r := range m.NumRuns {
		if sums[r], err = readRecord(found[r], m, r); err != nil {
			return nil, err
		}
	}
	return sums, nil
}

// recordServices are a run's services, true for those with an SLO.
func recordServices(s reports.Summary) map[string]bool {
	services := map[string]bool{}
	for name, svc := range s.Services {
		services[name] = svc.SLO != nil
	}
	return services
}
