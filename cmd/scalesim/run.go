package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/reports/plots"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// RunOptions are the inputs of `scalesim run`.
type RunOptions struct {
	IO       *IOStreams
	Scenario string // file path or built-in name; "" = the default
	scenarioFlags
	budgetFlags
	outputFlags
	FailOnSLO bool
	// Explain is "" (no timeline), explainMatters (--explain: the
	// decisions that changed or held the count) or explainAll
	// (--explain=all: every line of decisions.jsonl).
	Explain string
}

// The values of --explain.
const (
	explainMatters = "changes"
	explainAll     = "all"
)

func newCmdRun(io *IOStreams, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run one scenario and write its results folder",
		Long: `Run one scenario: a YAML file, or the name of a built-in scenario
('scalesim scenarios list'); without one, the built-in default.

The results folder (default ./out/<scenario-name>) gets summary.json,
timeseries.csv, decisions.jsonl, events.jsonl, plots and report.html. It is
written to a temporary folder and renamed into place, so it is never half
written.

Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid scenario,
3 --fail-on-slo was given and an SLO was missed, 130 and 143 interrupted by
SIGINT and SIGTERM (the previous results kept).`,
		Example: `  scalesim run
  scalesim run flash-crowd --seed 7
  scalesim run my.yaml --set services.web.autoscaler.target_utilization=60 -o out/60`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Scenario = args[0]
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	addScenarioFlags(cmd, &opts.scenarioFlags)
	addBudgetFlags(cmd, &opts.budgetFlags)
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().BoolVar(&opts.FailOnSLO, "fail-on-slo", false, "exit with code 3 when a service misses its SLO")
	cmd.Flags().StringVar(&opts.Explain, "explain", "", "print the autoscaler's decisions that changed or held the count, in words; --explain=all prints every one (with -q: only them, no table)")
	cmd.Flags().Lookup("explain").NoOptDefVal = explainMatters
	return cmd
}

func runRun(opts *RunOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if e := opts.Explain; e != "" && e != explainMatters && e != explainAll {
		return usageErr(fmt.Errorf("--explain=%s: allowed are --explain (the decisions that changed or held the count) and --explain=all", e))
	}
	sc, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	ro := runner.RunOptions{Out: opts.Out, Format: opts.format(), Plotter: plots.Writer{}, FailOnSLO: opts.FailOnSLO, Notes: notes(opts.IO)}
	var berr error
	if ro.Budget, berr = opts.budget(); berr != nil {
		return berr
	}
	if opts.progress(opts.IO) {
		ro.Progress = newProgressBar(opts.IO.ErrOut, sc.Name, sc.Duration).update
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	res, err := runner.Run(ctx, sc, ro)
	if res == nil {
		return err // an SLO missed still prints the table
	}
	if opts.Quiet {
		// --explain is output asked for: -q keeps it, without the table.
		if opts.Explain != "" {
			if err := printExplanation(opts, res); err != nil {
				return err
			}
		}
		return err
	}
	reports.WriteWarnings(opts.IO.ErrOut, res.Summary)
	if err := printRun(opts, res); err != nil {
		return err
	}
	return err
}

// printExplanation prints the autoscaler's decisions in words.
func printExplanation(opts *RunOptions, res *runner.RunResult) error {
	lines, err := runner.Explain(res.Out, opts.Explain == explainAll)
	if err != nil {
		return err
	}
	for _, line := range lines {
		fmt.Fprintln(opts.IO.Out, line)
	}
	return nil
}

// printRun prints the summary table, the decisions with --explain, and
// the folder.
func printRun(opts *RunOptions, res *runner.RunResult) error {
	if err := reports.WriteTable(opts.IO.Out, res.Summary); err != nil {
		return err
	}
	if opts.Explain != "" {
		if err := printExplanation(opts, res); err != nil {
			return err
		}
	}
	fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", res.Out)
	return nil
}
