package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
)

// RunOptions are the inputs of `scalesim run`.
type RunOptions struct {
	IO       *IOStreams
	Scenario string // file path or built-in name; "" = the default
	scenarioFlags
	outputFlags
	FailOnSLO bool
	Explain   bool
}

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
3 --fail-on-slo was given and an SLO was missed.`,
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
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().BoolVar(&opts.FailOnSLO, "fail-on-slo", false, "exit with code 3 when a service misses its SLO")
	cmd.Flags().BoolVar(&opts.Explain, "explain", false, "print the autoscaler's decisions in words")
	return cmd
}

func addScenarioFlags(cmd *cobra.Command, f *scenarioFlags) {
	cmd.Flags().Uint64Var(&f.Seed, "seed", 0, "root random seed (overrides the file's)")
	cmd.Flags().StringArrayVar(&f.Sets, "set", nil, "override a scenario field, `path=value` (repeatable), e.g. services.web.replicas.max=20")
}

func addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "results folder (default ./out/<scenario-name>)")
	cmd.Flags().StringVar(&o.Format, "format", reports.PNG, "plot format: png or svg")
	cmd.Flags().BoolVar(&o.NoPlots, "no-plots", false, "write no plots and no report.html")
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print nothing but errors")
}

func runRun(opts *RunOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	sc, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	out := opts.outDir(sc)
	sim := &simulation{sc: sc, format: opts.Format}
	if opts.NoPlots {
		sim.format = ""
	}
	if opts.IO.ErrTTY && !opts.Quiet {
		sim.progress = opts.IO.ErrOut
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	sim.ctx = ctx
	var sum reports.Summary
	var explanation []string
	notes, err := writeAtomically(out, func(dir string) error {
		sim.dir = dir
		var err error
		if sum, err = sim.run(); err != nil {
			return err
		}
		if opts.Explain {
			explanation, err = explain(dir)
		}
		return err
	})
	printNotes(opts.IO, notes)
	if err != nil {
		return err
	}
	if !opts.Quiet {
		reports.WriteWarnings(opts.IO.ErrOut, sum)
		if err := reports.WriteTable(opts.IO.Out, sum); err != nil {
			return err
		}
		for _, line := range explanation {
			fmt.Fprintln(opts.IO.Out, line)
		}
		fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", out)
	}
	if missed := sloMissed(sum); opts.FailOnSLO && len(missed) > 0 {
		return sloErr(fmt.Errorf("SLO missed by %s (see %s)", strings.Join(missed, ", "), filepath.Join(out, reports.SummaryFile)))
	}
	return nil
}

// explain renders decisions.jsonl as the decision timeline in words.
func explain(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, reports.DecisionsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := reports.ReadDecisions(f)
	if err != nil {
		return nil, err
	}
	lines := []string{"", "decisions:"}
	if len(recs) == 0 {
		lines = append(lines, "  (none: no evaluation changed or held back the replica count)")
	}
	for _, d := range recs {
		text := d.Explanation
		if text == "" {
			text = d.Reason
		}
		change := ""
		if d.After != d.Before {
			change = fmt.Sprintf(" [%d -> %d]", d.Before, d.After)
		}
		lines = append(lines, fmt.Sprintf("  %s %s %s: %s%s", clock(d.TimeS), d.Service, d.Policy, text, change))
	}
	return lines, nil
}

// clock formats seconds since the start as hh:mm:ss.
func clock(s float64) string {
	t := int64(s)
	return fmt.Sprintf("%02d:%02d:%02d", t/3600, t/60%60, t%60)
}
