package main

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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// SweepOptions are the inputs of `scalesim sweep`.
type SweepOptions struct {
	IO       *IOStreams
	Scenario string // file path or built-in name; "" = the default
	scenarioFlags
	outputFlags
	Seeds    int
	Parallel int    // worker goroutines; 0 = GOMAXPROCS
	Shard    string // "", "i/n" or "auto/n"
	analysisFlags

	// Getenv reads the environment (for --shard auto/n); nil = os.Getenv.
	Getenv func(string) string
	// afterRun, when set, is called in the worker after run r's record is
	// written; an error stops the sweep like a failed run (tests use it
	// to count runs and to interrupt a sweep).
	afterRun func(r int) error
}

// analysisFlags say which grid point is best (sweep and merge).
type analysisFlags struct {
	Objective  string
	Require    []string
	Confidence float64
}

func addAnalysisFlags(cmd *cobra.Command, f *analysisFlags) {
	cmd.Flags().StringVar(&f.Objective, "objective", "cost", "the figure the best point minimizes: FIGURE, min:FIGURE or max:FIGURE (cost, p99, slo_attainment, errors, ...)")
	cmd.Flags().StringArrayVar(&f.Require, "require", nil, "a requirement `FIGURE>=NUMBER` (or >, <=, <; repeatable) the best point meets at its confidence interval's unfavourable end, e.g. 'slo_attainment>=0.999' or 'p99<=0.25'")
	cmd.Flags().Float64Var(&f.Confidence, "confidence", 0.95, "confidence level of the intervals")
}

// parse turns the flags into an analysis.
func (f *analysisFlags) parse() (reports.SweepAnalysis, error) {
	a := reports.SweepAnalysis{Confidence: f.Confidence}
	var err error
	if a.Objective, a.Maximize, err = reports.ParseObjective(f.Objective); err != nil {
		return a, usageErr(fmt.Errorf("--objective: %w", err))
	}
	for _, s := range f.Require {
		r, err := reports.ParseRequirement(s)
		if err != nil {
			return a, usageErr(fmt.Errorf("--require: %w", err))
		}
		a.Require = append(a.Require, r)
	}
	if !(a.Confidence > 0 && a.Confidence < 1) {
		return a, usageErr(fmt.Errorf("--confidence %v: must be between 0 and 1, e.g. 0.95", a.Confidence))
	}
	return a, nil
}

func newCmdSweep(io *IOStreams, runF func(*SweepOptions) error) *cobra.Command {
	opts := &SweepOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "sweep [SCENARIO]",
		Short: "Run a grid of overrides times seeds, with confidence intervals",
		Long: `Run a scenario over a grid of settings, each with several seeds, and
summarize every grid point with means and confidence intervals.

Each --set PATH=V1,V2,... is one dimension of the grid; the grid is the
product of the lists. Values are separated by commas outside quotes and
brackets, and each is YAML as for 'scalesim run --set': [a, b] and
{cpu: 50ms, wait: 5ms} are single values, and a string with a comma is
quoted: 'description="a, b"'. A --set with one value is a fixed override.

Run k (0 to --seeds-1) of every grid point uses seed --seed+k (by default the
scenario's seed + k): the same traffic at every point, so differences between
points are not noise between seeds. Run r of the sweep is replicate r % seeds
of grid point r / seeds (points in row-major order, the last --set varying
fastest); it is exactly 'scalesim run SCENARIO --set ... --seed S'.

Runs go to --parallel worker goroutines, each run single-threaded; results do
not depend on the parallelism. Each run's summary is written to
DIR/runs/ID.json as soon as it finishes, so an interrupted sweep resumes
where it stopped when the same command is run again. DIR/sweep.json
identifies the sweep; a folder holding another sweep is refused.

At the end DIR gets runs.csv (one row per run), points.csv (per grid point:
mean and confidence interval of cost, latency, SLO attainment, errors, ...),
best.json (the grid point --objective and --require choose) and plots.

--shard i/n runs only the runs r with r % n == i (i is 0-based); --shard
auto/n takes i from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm job array). A shard writes
its run records only; 'scalesim merge' then writes what one process would.

Exit codes: 0 success, 1 a run failed or the sweep was interrupted, 2 bad
usage, an invalid scenario or grid value, or a folder holding another sweep.`,
		Example: `  scalesim sweep minimal --set services.web.autoscaler.target_utilization=50,60,70,80 --seeds 10
  scalesim sweep my.yaml --set services.web.replicas.min=1,2,4 --set services.web.autoscaler.target_utilization=60,70 \
      --seeds 20 --require 'slo_attainment>=0.999' -o out/capacity
  scalesim sweep my.yaml --set ... --seeds 20 --shard auto/8 -o /results/capacity   # one of 8 shards
  scalesim merge /results/capacity`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Scenario = args[0]
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(opts)
			}
			return sweepRun(opts)
		},
	}
	addScenarioFlags(cmd, &opts.scenarioFlags)
	cmd.Flags().Lookup("set").Usage = "a grid dimension `path=v1,v2,...` (repeatable: the grid is the product), e.g. services.web.autoscaler.target_utilization=50,60,70"
	cmd.Flags().Lookup("seed").Usage = "the first seed: run k of every grid point uses seed+k (default the scenario's seed)"
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().Lookup("out").Usage = "sweep folder (default ./out/<scenario-name>-sweep)"
	cmd.Flags().Lookup("no-plots").Usage = "write no plots"
	cmd.Flags().IntVar(&opts.Seeds, "seeds", 5, "runs per grid point, with seeds seed, seed+1, ...")
	cmd.Flags().IntVarP(&opts.Parallel, "parallel", "p", 0, "runs at once (default: the CPUs available to the process)")
	cmd.Flags().StringVar(&opts.Shard, "shard", "", "run only shard `i/n` of the runs (run r belongs to shard r % n, i from 0), or auto/n")
	addAnalysisFlags(cmd, &opts.analysisFlags)
	return cmd
}

// sweepGOGC is the collector's GOGC during a sweep's runs, unless GOGC is
// set in the environment.
const sweepGOGC = 200

// sweepPlan is a checked sweep, ready to run.
type sweepPlan struct {
	src      scenarios.Source
	manifest *sweepManifest
	analysis reports.SweepAnalysis
	sets     [][]string // the --set overrides of each grid point
	shard    shardSpec
	parallel int
	out      string
}

// plan checks every flag, parses the scenario at every grid point and
// builds it, so that a bad value fails before any run; it writes nothing.
func (opts *SweepOptions) plan() (*sweepPlan, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Seeds < 1 {
		return nil, usageErr(fmt.Errorf("--seeds %d: at least 1", opts.Seeds))
	}
	if opts.Parallel < 0 {
		return nil, usageErr(fmt.Errorf("--parallel %d: at least 1 (or 0 for the CPUs available)", opts.Parallel))
	}
	p := &sweepPlan{parallel: opts.Parallel}
	if p.parallel == 0 {
		// GOMAXPROCS rather than NumCPU: it honours a container's CPU
		// limit (Go 1.25+), NumCPU counts the whole node's.
		p.parallel = runtime.GOMAXPROCS(0)
	}
	var err error
	if p.analysis, err = opts.analysisFlags.parse(); err != nil {
		return nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if p.shard, err = parseShard(opts.Shard, getenv); err != nil {
		return nil, usageErr(err)
	}
	grid := reports.SweepGrid{Seeds: opts.Seeds}
	runs := opts.Seeds
	for _, s := range opts.Sets {
		param, err := parseSetList(s)
		if err != nil {
			return nil, usageErr(err)
		}
		for _, q := range grid.Params {
			if q.Path == param.Path {
				return nil, usageErr(fmt.Errorf("--set %s is given twice; list every value in one --set %s=v1,v2,...", param.Path, param.Path))
			}
		}
		if runs > maxSweepRuns/len(param.Values) {
			return nil, usageErr(fmt.Errorf("the grid has more than %d runs", maxSweepRuns))
		}
		runs *= len(param.Values)
		grid.Params = append(grid.Params, param)
	}
	if p.src, err = scenarios.Resolve(opts.Scenario); err != nil {
		return nil, usageErr(err)
	}

	// Every grid point must parse and build; the first gives the base seed
	// (no --set may change it) and the services.
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
			return nil, usageErr(fmt.Errorf("grid point %d (%s): %w", pt, grid.Describe(pt), err))
		}
		if pt == 0 {
			name = sc.Name
			grid.BaseSeed = sc.Seed
			if opts.SeedSet {
				grid.BaseSeed = opts.Seed
			}
			for _, svc := range sc.Services {
				slo := sc.SLOFor(svc.Name)
				services[svc.Name] = slo != nil && slo.Latency > 0
			}
		}
		p.sets = append(p.sets, sets)
	}
	if grid.BaseSeed > ^uint64(0)-uint64(opts.Seeds-1) {
		return nil, usageErr(fmt.Errorf("--seed %d: seed+%d overflows", grid.BaseSeed, opts.Seeds-1))
	}
	if err := p.analysis.Check(services); err != nil {
		return nil, usageErr(err)
	}
	p.manifest = &sweepManifest{Format: sweepFormat, Scenario: p.src.Name, Name: name, SHA256: scenarioHash(p.src.Data),
		SweepGrid: grid, NumPoints: grid.Points(), NumRuns: grid.Runs()}
	p.manifest.setAnalysis(p.analysis)
	p.out = opts.Out
	if p.out == "" {
		p.out = filepath.Join("out", name+"-sweep")
	}
	return p, nil
}

func sweepRun(opts *SweepOptions) error {
	p, err := opts.plan()
	if err != nil {
		return err
	}
	if err := p.prepareDir(); err != nil {
		return err
	}
	m := p.manifest
	done, err := scanRecords(p.out, m.NumRuns)
	if err != nil {
		return err
	}
	var todo []int
	owned := 0
	for r := range m.NumRuns {
		if !p.shard.owns(r) {
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

	// A sweep is a batch job whose runs keep little live memory (tens of
	// MB): a collector that runs half as often buys about a tenth of the
	// wall time when every CPU runs a simulation and none is left idle
	// for the collector. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(sweepGOGC))
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	var bar *sweepProgress
	if opts.IO.ErrTTY && !opts.Quiet && len(todo) > 0 {
		bar = newSweepProgress(opts.IO.ErrOut, len(todo))
	}
	start := time.Now()
	ran, err := p.execute(ctx, todo, bar, opts.afterRun)
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	if ran < len(todo) {
		if err := cancelled(ctx); err != nil {
			return fmt.Errorf("%w after %d of %d runs; the finished runs are kept: run the same command again to resume", err, ran, len(todo))
		}
		return fmt.Errorf("interrupted after %d of %d runs; the finished runs are kept: run the same command again to resume", ran, len(todo))
	}

	if p.shard.count > 0 {
		if !opts.Quiet {
			fmt.Fprintf(opts.IO.Out, "%s (%s) of sweep %s: ran %d of its %d runs in %s (%d were already done); %d runs in the sweep\n",
				p.shard, shardSource(p.shard), m.Name, ran, owned, elapsed.Round(time.Millisecond), owned-len(todo), m.NumRuns)
			fmt.Fprintf(opts.IO.Out, "when every shard is done: scalesim merge %s\n", p.out)
		}
		return nil
	}
	res, err := finishSweep(p.out, m, p.analysis, opts.outputFlags)
	if err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "sweep %s: %d grid points x %d seeds = %d runs; ran %d in %s (%d were already done)\n\n",
			m.Name, m.NumPoints, m.Seeds, m.NumRuns, ran, elapsed.Round(time.Millisecond), m.NumRuns-len(todo))
		if err := res.WriteSweepTable(opts.IO.Out); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", p.out)
	}
	if err := res.RequireErr(); err != nil {
		return sloErr(fmt.Errorf("%w (see %s)", err, filepath.Join(p.out, reports.SweepPointsFile)))
	}
	return nil
}

func shardSource(s shardSpec) string {
	if s.from == "" {
		return "from --shard"
	}
	return "from " + s.from
}

// prepareDir makes the sweep folder, or checks that an existing one holds
// this sweep, and writes sweep.json (with this invocation's analysis).
func (p *sweepPlan) prepareDir() error {
	old, ok, err := readManifest(p.out)
	if err != nil {
		return usageErr(fmt.Errorf("%s: %w", p.out, err))
	}
	if ok {
		if err := sameSweep(p.manifest, old); err != nil {
			return usageErr(fmt.Errorf("%s holds a different sweep (this one has %v); use another --out, or remove the folder to start over", p.out, err))
		}
	} else if !emptyish(p.out) {
		return usageErr(fmt.Errorf("%s exists and is not a sweep folder (it has no %s); use another --out", p.out, sweepManifestFile))
	}
	if err := os.MkdirAll(p.out, 0o755); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if err := writeManifest(p.out, p.manifest); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(p.out, sweepRunsDir), 0o755); err != nil {
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
		if !strings.HasPrefix(e.Name(), ".") && e.Name() != sweepRunsDir {
			return false
		}
	}
	return true
}

// execute runs todo on p.parallel workers and returns how many finished.
// It stops handing out runs at the first error or when ctx is cancelled,
// and waits for the runs under way.
func (p *sweepPlan) execute(ctx context.Context, todo []int, bar *sweepProgress, afterRun func(int) error) (int, error) {
	type result struct {
		run int
		err error
	}
	jobs := make(chan int)
	results := make(chan result)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range min(p.parallel, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				select {
				case <-quit:
					continue // a run failed: start no more
				case <-ctx.Done():
					continue
				default:
				}
				err := p.runOne(r)
				if err == nil && afterRun != nil {
					err = afterRun(r)
				}
				results <- result{r, err}
			}
		}()
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
	for res := range results {
		if res.err != nil {
			if len(errs) == 0 {
				close(quit)
			}
			errs = append(errs, fmt.Errorf("run %d: %w", res.run, res.err))
			continue
		}
		ran++
		if bar != nil {
			bar.update(ran)
		}
	}
	if bar != nil {
		bar.finish()
	}
	return ran, errors.Join(errs...)
}

// runOne runs run r and writes its record.
func (p *sweepPlan) runOne(r int) error {
	pt, _, seed := p.manifest.Run(r)
	sets := append(append([]string(nil), p.sets[pt]...), "seed="+strconv.FormatUint(seed, 10))
	sc, err := p.src.Parse(sets)
	if err != nil {
		return usageErr(err)
	}
	sim := &simulation{sc: sc, summaryOnly: true}
	sum, err := sim.run()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := reports.WriteSummary(&b, sum); err != nil {
		return err
	}
	path := filepath.Join(p.out, sweepRunsDir, recordName(r, p.manifest.NumRuns))
	if err := reports.WriteFileAtomically(path, b.Bytes()); err != nil {
		return fmt.Errorf("writing the run's record: %w", err)
	}
	return nil
}

// finishSweep reads every run record of the sweep in dir and writes
// runs.csv, points.csv, best.json and (unless out.NoPlots) the plots.
func finishSweep(dir string, m *sweepManifest, a reports.SweepAnalysis, out outputFlags) (*reports.SweepResult, error) {
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
	// An objective or requirement naming a figure the sweep lacks is bad
	// usage (merge checks it only here, with the runs' services).
	services := map[string]bool{}
	for name, s := range sums[0].Services {
		services[name] = s.SLO != nil
	}
	if err := a.Check(services); err != nil {
		return nil, usageErr(err)
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
	if !out.NoPlots {
		if _, err := reports.WriteSweepPlots(dir, out.Format, res); err != nil {
			return nil, fmt.Errorf("plots: %w", err)
		}
	}
	return res, nil
}

// sweepProgress draws "sweep [#####.....] 12/40 runs  3s  ETA 7s" on a
// terminal. It reads the wall clock, which only decorates.
type sweepProgress struct {
	w     io.Writer
	total int
	start time.Time
}

func newSweepProgress(w io.Writer, total int) *sweepProgress {
	p := &sweepProgress{w: w, total: total, start: time.Now()}
	p.update(0)
	return p
}

func (p *sweepProgress) update(done int) {
	const width = 30
	fill := done * width / p.total
	elapsed := time.Since(p.start)
	eta := "ETA -"
	if done > 0 {
		left := time.Duration(float64(elapsed) / float64(done) * float64(p.total-done))
		eta = "ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\rsweep [%s%s] %d/%d runs  %s  %s ", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
		done, p.total, elapsed.Round(time.Second), eta)
}

func (p *sweepProgress) finish() { fmt.Fprintln(p.w) }
