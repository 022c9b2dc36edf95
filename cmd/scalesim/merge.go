package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
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
		Args: func(cmd *cobra.Command, args []string) error {
			return usageErr(cobra.MinimumNArgs(1)(cmd, args))
		},
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
	abs := func(d string) string {
		a, err := filepath.Abs(d)
		if err != nil {
			return filepath.Clean(d)
		}
		return a
	}
	var mans []*sweepManifest
	seen := map[string]string{}
	for _, d := range opts.Dirs {
		if prev, dup := seen[abs(d)]; dup {
			return usageErr(fmt.Errorf("%s is given twice (also as %s)", d, prev))
		}
		seen[abs(d)] = d
		m, ok, err := readManifest(d)
		if err != nil {
			return usageErr(err)
		}
		if !ok {
			return usageErr(fmt.Errorf("%s is not a sweep folder: it has no %s", d, sweepManifestFile))
		}
		if len(mans) > 0 {
			if err := sameSweep(m, mans[0]); err != nil {
				return usageErr(fmt.Errorf("%s and %s hold different sweeps: %s has %v", opts.Dirs[0], d, d, err))
			}
		}
		mans = append(mans, m)
	}
	m := mans[0]

	// The analysis: the flags, or what every shard was given.
	var a reports.SweepAnalysis
	var err error
	if opts.AnalysisSet {
		if a, err = opts.analysisFlags.parse(); err != nil {
			return err
		}
	} else {
		for i, o := range mans[1:] {
			if o.Objective != m.Objective || !slices.Equal(o.Require, m.Require) || o.Confidence != m.Confidence {
				return usageErr(fmt.Errorf("%s and %s were given different --objective, --require or --confidence; give them to merge", opts.Dirs[0], opts.Dirs[i+1]))
			}
		}
		if a, err = m.analysis(); err != nil {
			return usageErr(fmt.Errorf("%s: %w", filepath.Join(opts.Dirs[0], sweepManifestFile), err))
		}
	}

	// Every run exactly once.
	where := map[int][]string{}
	for _, d := range opts.Dirs {
		found, err := scanRecords(d, m.NumRuns)
		if err != nil {
			return err
		}
		for r, path := range found {
			where[r] = append(where[r], path)
		}
	}
	var missing, dups []int
	for r := range m.NumRuns {
		switch len(where[r]) {
		case 0:
			missing = append(missing, r)
		case 1:
		default:
			dups = append(dups, r)
		}
	}
	if len(dups) > 0 {
		var parts []string
		for _, r := range dups[:min(len(dups), 10)] {
			slices.Sort(where[r])
			parts = append(parts, fmt.Sprintf("run %d in %s", r, strings.Join(where[r], " and ")))
		}
		if len(dups) > 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(dups)-10))
		}
		return usageErr(fmt.Errorf("%d runs are in more than one folder (were two shards given the same index?): %s", len(dups), strings.Join(parts, "; ")))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d of %d runs are missing (has every shard finished? rerun the shards that failed; a shard redoes only its missing runs): %s",
			len(missing), m.NumRuns, describeRuns(m, missing))
	}

	// Check the analysis against the runs' services before writing.
	first, err := readRecord(where[0][0], m, 0)
	if err != nil {
		return err
	}
	services := map[string]bool{}
	for name, s := range first.Services {
		services[name] = s.SLO != nil
	}
	if err := a.Check(services); err != nil {
		return usageErr(err)
	}

	out := opts.Out
	if out == "" {
		if len(opts.Dirs) > 1 {
			return usageErr(fmt.Errorf("merging %d folders: give the output folder with -o", len(opts.Dirs)))
		}
		out = opts.Dirs[0]
	}
	if _, isInput := seen[abs(out)]; !isInput {
		old, ok, err := readManifest(out)
		if err != nil {
			return usageErr(fmt.Errorf("%s: %w", out, err))
		}
		if ok {
			if err := sameSweep(m, old); err != nil {
				return usageErr(fmt.Errorf("%s holds a different sweep (%v); use another -o", out, err))
			}
		} else if !emptyish(out) {
			return usageErr(fmt.Errorf("%s exists and is not a sweep folder; use another -o", out))
		}
	}
	if err := os.MkdirAll(filepath.Join(out, sweepRunsDir), 0o755); err != nil {
		return err
	}
	merged := *m
	merged.setAnalysis(a)
	if err := writeManifest(out, &merged); err != nil {
		return err
	}
	for r := range m.NumRuns {
		src := where[r][0]
		dst := filepath.Join(out, sweepRunsDir, recordName(r, m.NumRuns))
		if abs(src) == abs(dst) {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := reports.WriteFileAtomically(dst, b); err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
	}
	res, err := finishSweep(out, &merged, a, opts.outputFlags)
	if err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "merged %d folders: sweep %s, %d grid points x %d seeds = %d runs\n\n",
			len(opts.Dirs), m.Name, m.NumPoints, m.Seeds, m.NumRuns)
		if err := res.WriteSweepTable(opts.IO.Out); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", out)
	}
	return nil
}
