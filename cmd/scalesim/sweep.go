package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/reports/plots"
	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// SweepOptions are the inputs of `scalesim sweep`.
type SweepOptions struct {
	IO       *IOStreams
	Scenario string // file path or built-in name; "" = the default
	scenarioFlags
	budgetFlags
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

// sweepHelp is the command's long help.
var sweepHelp = `Run a scenario over a grid of settings, each with several seeds, and
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

Exit codes: 0 success, 1 a run failed, 2 bad usage, an invalid scenario or
grid value, or a folder holding another sweep, 3 --require was given and no
point meets it, 130 and 143 interrupted by SIGINT and SIGTERM (resumable).`

func newCmdSweep(io *IOStreams, runF func(*SweepOptions) error) *cobra.Command {
	opts := &SweepOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "sweep [SCENARIO]",
		Short: "Run a grid of overrides times seeds, with confidence intervals",
		Long:  sweepHelp,
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
	addBudgetFlags(cmd, &opts.budgetFlags)
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

// plan maps the flags to the runner's sweep plan: every option checked,
// every grid point parsed and built, nothing written.
// progress, when set, is told the runs done.
func (opts *SweepOptions) plan(progress func(done, total int)) (*runner.SweepPlan, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	a, err := opts.analysisFlags.parse()
	if err != nil {
		return nil, err
	}
	src, err := scenarios.Resolve(opts.Scenario)
	if err != nil {
		return nil, usageErr(err)
	}
	so := runner.SweepOptions{Sets: opts.Sets, Seeds: opts.Seeds, Seed: opts.Seed, SeedSet: opts.SeedSet,
		Parallel: opts.Parallel, Shard: opts.Shard, Getenv: opts.Getenv, Analysis: a, Out: opts.Out,
		Format: opts.format(), Plotter: plots.Writer{}, AfterRun: opts.afterRun, Progress: progress}
	var berr error
	if so.Budget, berr = opts.budget(); berr != nil {
		return nil, berr
	}
	return runner.PlanSweep(src, so)
}

func sweepRun(opts *SweepOptions) error {
	var bar *sweepProgress
	var progress func(done, total int)
	if opts.progress(opts.IO) {
		progress = func(done, total int) {
			if bar == nil {
				bar = newSweepProgress(opts.IO.ErrOut, total) // draws 0 of total
				return
			}
			bar.update(done)
		}
	}
	p, err := opts.plan(progress)
	if err != nil {
		return err
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	res, err := p.Run(ctx)
	if bar != nil {
		bar.finish()
	}
	if res == nil || opts.Quiet {
		return err // an unmet --require still prints the table
	}
	if perr := printSweep(opts.IO.Out, res); perr != nil {
		return perr
	}
	return err
}

// printSweep says what a sweep or a shard did, and the sweep's table.
func printSweep(w io.Writer, res *runner.SweepResult) error {
	if res.Shard.Count > 0 {
		fmt.Fprintf(w, "%s (%s) of sweep %s: ran %d of its %d runs in %s (%d were already done); %d runs in the sweep\n",
			res.Shard, shardSource(res.Shard), res.Name, res.Ran, res.Owned, res.Elapsed.Round(time.Millisecond), res.AlreadyDone, res.Runs)
		fmt.Fprintf(w, "when every shard is done: scalesim merge %s\n", res.Out)
		return nil
	}
	fmt.Fprintf(w, "sweep %s: %d grid points x %d seeds = %d runs; ran %d in %s (%d were already done)\n\n",
		res.Name, res.Points, res.Seeds, res.Runs, res.Ran, res.Elapsed.Round(time.Millisecond), res.AlreadyDone)
	if err := res.Result.WriteSweepTable(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nresults: %s\n", res.Out)
	return nil
}

func shardSource(s runner.Shard) string {
	if s.From == "" {
		return "from --shard"
	}
	return "from " + s.From
}
