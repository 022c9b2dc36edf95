package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports/plots"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// MergeOptions are the inputs of `scalesim merge`.
type MergeOptions struct {
	IO   *IOStreams
	Dirs []string
	outputFlags
	analysisFlags
	// AnalysisSet says whether --objective, --require or --confidence was
	// given; otherwise the shards' sweep.json say.
	AnalysisSet bool
}

func newCmdMerge(io *IOStreams, runF func(*MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Merge the folders of sweep shards into the sweep's results",
		Long: `Merge the folders written by 'scalesim sweep --shard' into exactly what the
sweep run in one process writes: runs.csv, points.csv, best.json and the
plots, byte for byte.

Give the one folder all the shards wrote into (a shared volume), or each
shard's folder and -o for the result. Every folder must hold the same sweep
(sweep.json: the same scenario, grid, seeds and base seed). The run records
of other folders are copied into the output folder, so that it is a complete
sweep folder (a later 'scalesim sweep' with the same arguments finds every
run done).

The best point follows --objective and --require when given, otherwise what
the shards were given (they must agree).

Exit codes: 0 success; 1 runs are missing (a shard failed or has not
finished: the message names the runs; rerun that shard) or a file cannot be
read or written; 2 bad usage, a folder that is not a sweep, folders of
different sweeps, or a run present in two folders (two shards given the
same index).`,
		Example: `  scalesim merge /results/capacity
  scalesim merge shard-0 shard-1 shard-2 shard-3 -o capacity
  scalesim merge /results/capacity --require 'p99<=0.25' --require 'slo>=99.9%'`,
		Args: argsRange(1, anyNumber),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			for _, f := range []string{"objective", "require", "confidence"} {
				opts.AnalysisSet = opts.AnalysisSet || cmd.Flags().Changed(f)
			}
			if runF != nil {
				return runF(opts)
			}
			return mergeRun(opts)
		},
	}
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().Lookup("out").Usage = "the merged sweep folder (default: DIR when there is one)"
	cmd.Flags().Lookup("no-plots").Usage = "write no plots"
	addAnalysisFlags(cmd, &opts.analysisFlags)
	return cmd
}

func mergeRun(opts *MergeOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	mo := runner.MergeOptions{Out: opts.Out, Format: opts.format(), Plotter: plots.Writer{}}
	if opts.AnalysisSet {
		a, err := opts.analysisFlags.parse()
		if err != nil {
			return err
		}
		mo.Analysis = &a
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	res, err := runner.Merge(ctx, opts.Dirs, mo)
	if res == nil || opts.Quiet {
		return err // an unmet --require still prints the table
	}
	fmt.Fprintf(opts.IO.Out, "merged %d folders: sweep %s, %d grid points x %d seeds = %d runs\n\n",
		res.Folders, res.Name, res.Points, res.Seeds, res.Runs)
	if err := res.Result.WriteSweepTable(opts.IO.Out); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", res.Out)
	return err
}
