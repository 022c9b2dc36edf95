package runner

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scalesim/scalesim/reports"
)

// MergeOptions say how Merge merges sweep folders.
type MergeOptions struct {
	// Analysis, when set, chooses the best point; nil = what the folders'
	// sweep.json say (they must agree).
	Analysis *reports.SweepAnalysis
	// Out is the merged folder; "" = the one input folder.
	Out string
	// Format is the plot format; "" writes no plots.
	Format string
	// Plotter draws the plots; a Format needs one.
	Plotter Plotter
}

// MergeResult is what Merge returns.
type MergeResult struct {
	Name                string // the scenario's name
	Points, Seeds, Runs int
	Folders             int // the folders merged
	Out                 string
	Result              *reports.SweepResult
}

// Merge merges the folders of a sweep's shards into exactly what the sweep
// run in one process writes, byte for byte: it checks the folders hold one
// sweep and every run exactly once (plan), checks the analysis against the
// runs and the output folder (verify), then copies the records and writes
// the analysis files (write). Missing runs are a runtime error; anything
// else wrong with the folders is an *InputError; a --require that no point
// meets is a *RequirementError, returned with the merged result.
func Merge(ctx context.Context, dirs []string, opts MergeOptions) (*MergeResult, error) {
	plot, err := plotsFor(opts.Format, opts.Plotter)
	if err != nil {
		return nil, err
	}
	mp, err := planMerge(dirs)
	if err != nil {
		return nil, err
	}
	if err := mp.verify(opts); err != nil {
		return nil, err
	}
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	res, err := mp.write(plot)
	if err != nil {
		return nil, err
	}
	m := mp.manifest
	return &MergeResult{Name: m.Name, Points: m.NumPoints, Seeds: m.Seeds, Runs: m.NumRuns, Folders: len(dirs), Out: mp.out, Result: res},
		requirementErr(res, mp.out)
}

// mergePlan is a merge whose inputs are checked.
type mergePlan struct {
	dirs     []string
	mans     []*sweepManifest // one per folder
	manifest *sweepManifest   // the first folder's
	inputs   map[string]string
	where    map[int][]string // run -> the records found for it
	analysis reports.SweepAnalysis
	out      string
}

// absPath is path made absolute, to compare folders.
func absPath(d string) string {
	a, err := filepath.Abs(d)
	if err != nil {
		return filepath.Clean(d)
	}
	return a
}

// planMerge reads every folder's sweep.json and finds every run.
func planMerge(dirs []string) (*mergePlan, error) {
	if len(dirs) == 0 {
		return nil, inputErr(fmt.Errorf("no folder to merge"))
	}
	mp := &mergePlan{dirs: dirs, inputs: map[string]string{}}
	for _, d := range dirs {
		if err := mp.addManifest(d); err != nil {
			return nil, err
		}
	}
	mp.manifest = mp.mans[0]
	if err := mp.findRuns(); err != nil {
		return nil, err
	}
	return mp, nil
}

// addManifest reads folder d's sweep.json: it must hold the same sweep as
// the first folder.
func (mp *mergePlan) addManifest(d string) error {
	if prev, dup := mp.inputs[absPath(d)]; dup {
		return inputErr(fmt.Errorf("%s is given twice (also as %s)", d, prev))
	}
	mp.inputs[absPath(d)] = d
	m, ok, err := readManifest(d)
	if err != nil {
		return inputErr(err)
	}
	if !ok {
		return inputErr(fmt.Errorf("%s is not a sweep folder: it has no %s", d, SweepManifestFile))
	}
	if len(mp.mans) > 0 {
		if err := sameSweep(m, mp.mans[0]); err != nil {
			return inputErr(fmt.Errorf("%s and %s hold different sweeps: %s has %v", mp.dirs[0], d, d, err))
		}
	}
	mp.mans = append(mp.mans, m)
	return nil
}

// findRuns finds every run's record: exactly one each.
func (mp *mergePlan) findRuns() error {
	m := mp.manifest
	mp.where = map[int][]string{}
	for _, d := range mp.dirs {
		found, err := scanRecords(d, m.NumRuns)
		if err != nil {
			return err
		}
		for r, path := range found {
			mp.where[r] = append(mp.where[r], path)
		}
	}
	var missing, dups []int
	for r := range m.NumRuns {
		switch len(mp.where[r]) {
		case 0:
			missing = append(missing, r)
		case 1:
		default:
			dups = append(dups, r)
		}
	}
	if len(dups) > 0 {
		return inputErr(mp.duplicates(dups))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d of %d runs are missing (has every shard finished? rerun the shards that failed; a shard redoes only its missing runs): %s",
			len(missing), m.NumRuns, describeRuns(m, missing))
	}
	return nil
}

// duplicates describes the runs found in more than one folder.
func (mp *mergePlan) duplicates(dups []int) error {
	var parts []string
	for _, r := range dups[:min(len(dups), 10)] {
		slices.Sort(mp.where[r])
		parts = append(parts, fmt.Sprintf("run %d in %s", r, strings.Join(mp.where[r], " and ")))
	}
	if len(dups) > 10 {
		parts = append(parts, fmt.Sprintf("and %d more", len(dups)-10))
	}
	return fmt.Errorf("%d runs are in more than one folder (were two shards given the same index?): %s", len(dups), strings.Join(parts, "; "))
}

// verify settles the analysis and checks it against the runs' services,
// and checks the output folder, before anything is written.
func (mp *mergePlan) verify(opts MergeOptions) error {
	if err := mp.settleAnalysis(opts.Analysis); err != nil {
		return err
	}
	// Every source record is read and checked (scenario, seed of its run,
	// services, conservation) before anything is written, so a damaged
	// one is named where it is and the output is not half written.
	var first reports.Summary
	for r := range mp.manifest.NumRuns {
		s, err := readRecord(mp.where[r][0], mp.manifest, r)
		if err != nil {
			return inputErr(err)
		}
		if r == 0 {
			first = s
		} else if !slices.Equal(slices.Sorted(maps.Keys(s.Services)), slices.Sorted(maps.Keys(first.Services))) {
			return inputErr(fmt.Errorf("%s: its services differ from those of %s; the folders hold different sweeps", mp.where[r][0], mp.where[0][0]))
		}
	}
	if err := mp.analysis.Check(recordServices(first)); err != nil {
		return inputErr(err)
	}
	return mp.checkOut(opts.Out)
}

// settleAnalysis takes the given analysis, or the one every folder was
// given.
func (mp *mergePlan) settleAnalysis(given *reports.SweepAnalysis) error {
	if given != nil {
		mp.analysis = *given
		return nil
	}
	m := mp.manifest
	for i, o := range mp.mans[1:] {
		if o.Objective != m.Objective || !slices.Equal(o.Require, m.Require) || o.Confidence != m.Confidence {
			return inputErr(fmt.Errorf("%s and %s were given different --objective, --require or --confidence; give them to merge", mp.dirs[0], mp.dirs[i+1]))
		}
	}
	a, err := m.analysis()
	if err != nil {
		return inputErr(fmt.Errorf("%s: %w", filepath.Join(mp.dirs[0], SweepManifestFile), err))
	}
	mp.analysis = a
	return nil
}

// checkOut settles the output folder: an input, or a folder that is
// missing, empty, or holds the same sweep.
func (mp *mergePlan) checkOut(out string) error {
	if out == "" {
		if len(mp.dirs) > 1 {
			return inputErr(fmt.Errorf("merging %d folders: give the output folder with -o", len(mp.dirs)))
		}
		out = mp.dirs[0]
	}
	mp.out = out
	if _, isInput := mp.inputs[absPath(out)]; isInput {
		return nil
	}
	old, ok, err := readManifest(out)
	if err != nil {
		return inputErr(fmt.Errorf("%s: %w", out, err))
	}
	if ok {
		if err := sameSweep(mp.manifest, old); err != nil {
			return inputErr(fmt.Errorf("%s holds a different sweep (%v); use another -o", out, err))
		}
	} else if !emptyish(out) {
		return inputErr(fmt.Errorf("%s exists and is not a sweep folder; use another -o", out))
	}
	return nil
}

// write writes the merged sweep.json, copies the records the output
// folder lacks, and writes the analysis files.
func (mp *mergePlan) write(plot plotting) (*reports.SweepResult, error) {
	m := mp.manifest
	if err := os.MkdirAll(filepath.Join(mp.out, SweepRunsDir), 0o755); err != nil {
		return nil, err
	}
	merged := *m
	merged.setAnalysis(mp.analysis)
	if err := writeManifest(mp.out, &merged); err != nil {
		return nil, err
	}
	for r := range m.NumRuns {
		src := mp.where[r][0]
		dst := filepath.Join(mp.out, SweepRunsDir, RecordName(r, m.NumRuns))
		if absPath(src) == absPath(dst) {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		if err := reports.WriteFileAtomically(dst, b); err != nil {
			return nil, fmt.Errorf("copying %s: %w", src, err)
		}
	}
	return finishSweep(mp.out, &merged, mp.analysis, plot)
}
