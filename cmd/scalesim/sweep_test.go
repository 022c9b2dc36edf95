package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// tinySweep is a sweep of 2 grid points x 3 seeds of two simulated
// minutes, a few milliseconds a run.
var tinySweep = []string{"sweep", "minimal", "--set", "duration=2m",
	"--set", "services.web.autoscaler.target_utilization=50,70", "--set", "slo.web.latency=1s",
	"--seeds", "3", "--require", "slo_attainment>=0.001", "--no-plots", "-q"}

func withArgs(base []string, extra ...string) []string {
	return append(append([]string(nil), base...), extra...)
}

// runMain runs the command line in-process and returns the exit code,
// stdout and stderr.
func runMain(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func mustMain(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runMain(t, args...)
	if code != 0 {
		t.Fatalf("scalesim %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// sweepWithHook runs `scalesim sweep args...` in-process with afterRun
// set.
func sweepWithHook(t *testing.T, afterRun func(int) error, args ...string) error {
	t.Helper()
	io := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	cmd := newCmdSweep(io, func(o *SweepOptions) error {
		o.afterRun = afterRun
		return sweepRun(o)
	})
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// sweepFiles are the files whose bytes must not depend on how the sweep
// was run.
var sweepFiles = []string{reports.SweepRunsFile, reports.SweepPointsFile, reports.SweepBestFile, runner.SweepManifestFile}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameFiles fails unless dirs a and b hold byte-identical files (every
// top-level file when names is nil).
func sameFiles(t *testing.T, a, b string, names []string) {
	t.Helper()
	if names == nil {
		entries, err := os.ReadDir(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				names = append(names, e.Name())
			}
		}
		entriesB, _ := os.ReadDir(b)
		if len(entriesB) != len(entries) {
			t.Errorf("%s has %d entries, %s %d", a, len(entries), b, len(entriesB))
		}
	}
	for _, n := range names {
		if x, y := read(t, filepath.Join(a, n)), read(t, filepath.Join(b, n)); !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s:\n%s\n---\n%s", n, a, b, x, y)
		}
	}
}

func countRecords(t *testing.T, dir string) int {
	t.Helper()
	found, err := scanRecords(dir, 1<<20)
	if err != nil {
		entries, _ := os.ReadDir(filepath.Join(dir, runner.SweepRunsDir))
		return len(entries)
	}
	return len(found)
}

func TestSweepOutputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	mustMain(t, withArgs(tinySweep, "-o", dir)...)
	runs := strings.Split(strings.TrimSpace(string(read(t, filepath.Join(dir, reports.SweepRunsFile)))), "\n")
	if len(runs) != 7 || !strings.HasPrefix(runs[0], "run,point,replicate,seed,duration,services.web.autoscaler.target_utilization,slo.web.latency,cost_usd,") {
		t.Fatalf("runs.csv:\n%s", strings.Join(runs, "\n"))
	}
	// Common random numbers: replicate k has seed 1+k at every point.
	for i, want := range []string{"0,0,0,1,2m,50,1s,", "1,0,1,2,2m,50,1s,", "2,0,2,3,2m,50,1s,", "3,1,0,1,2m,70,1s,", "5,1,2,3,2m,70,1s,"} {
		if r := runs[[]int{1, 2, 3, 4, 6}[i]]; !strings.HasPrefix(r, want) {
			t.Errorf("runs.csv row %q, want it to start %q", r, want)
		}
	}
	points := strings.Split(strings.TrimSpace(string(read(t, filepath.Join(dir, reports.SweepPointsFile)))), "\n")
	if len(points) != 3 || !strings.HasSuffix(points[0], ",pareto,meets,best") {
		t.Errorf("points.csv:\n%s", strings.Join(points, "\n"))
	}
	if n := countRecords(t, dir); n != 6 {
		t.Errorf("%d run records, want 6", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep-pareto.png")); err == nil {
		t.Errorf("--no-plots wrote plots")
	}
}

// TestSweepReport: with plots, the sweep folder has its report.html, with
// each grid point named by its value, the chosen one marked, and the
// Pareto chart labelled the same way.
func TestSweepReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	args := slices.DeleteFunc(withArgs(tinySweep, "-o", dir, "--format", "svg"), func(a string) bool { return a == "--no-plots" })
	mustMain(t, args...)
	page := string(read(t, filepath.Join(dir, "report.html")))
	for _, s := range []string{"scalesim sweep", "<td>50</td>", "<td>70</td>", `<tr class="chosen">`,
		">target_utilization=50<", ">target_utilization=70<", `data-kind="sweep-pareto"`} {
		if !strings.Contains(page, s) {
			t.Errorf("the sweep's report.html lacks %q", s)
		}
	}
}

// TestSweepMatchesRun: run r of a sweep is `scalesim run` of its grid
// point with its seed.
func TestSweepMatchesRun(t *testing.T) {
	tmp := t.TempDir()
	mustMain(t, withArgs(tinySweep, "-o", filepath.Join(tmp, "s"))...)
	// Run 5: point 1 (target 70), replicate 2, seed 3.
	mustMain(t, "run", "minimal", "--set", "duration=2m", "--set", "services.web.autoscaler.target_utilization=70",
		"--set", "slo.web.latency=1s", "--seed", "3", "--no-plots", "-q", "-o", filepath.Join(tmp, "r"))
	load := func(path string) reports.Summary {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s, err := reports.ReadSummary(f)
		if err != nil {
			t.Fatal(err)
		}
		s.WallS = 0
		return s
	}
	a := load(filepath.Join(tmp, "s", runner.SweepRunsDir, runner.RecordName(5, 6)))
	b := load(filepath.Join(tmp, "r", reports.SummaryFile))
	var x, y bytes.Buffer
	reports.WriteSummary(&x, a)
	reports.WriteSummary(&y, b)
	if x.String() != y.String() {
		t.Errorf("sweep run 5:\n%s\nscalesim run:\n%s", x.String(), y.String())
	}
}

func TestSweepParallelIdentical(t *testing.T) {
	tmp := t.TempDir()
	for _, p := range []string{"1", "2"} {
		mustMain(t, withArgs(tinySweep, "--parallel", p, "-o", filepath.Join(tmp, "p"+p))...)
	}
	sameFiles(t, filepath.Join(tmp, "p1"), filepath.Join(tmp, "p2"), sweepFiles)
}

// TestSweepResume: a sweep stopped after some runs keeps them, and the
// same command finishes the others only; a deleted run record is the only
// run redone.
func TestSweepResume(t *testing.T) {
	tmp := t.TempDir()
	full, dir := filepath.Join(tmp, "full"), filepath.Join(tmp, "resumed")
	mustMain(t, withArgs(tinySweep, "-o", full)...)

	stop := errors.New("interrupted by the test")
	var ran atomic.Int32
	err := sweepWithHook(t, func(int) error {
		if ran.Add(1) == 4 {
			return stop
		}
		return nil
	}, withArgs(tinySweep[1:], "--parallel", "1", "-o", dir)...)
	if !errors.Is(err, stop) {
		t.Fatalf("interrupted sweep returned %v", err)
	}
	// The run handed out while the 4th finished may have run too.
	kept, err := scanRecords(dir, 6)
	if err != nil || len(kept) < 4 || len(kept) > 5 {
		t.Fatalf("%d run records after 4 runs (%v)", len(kept), err)
	}
	var want []int
	for r := range 6 {
		if _, ok := kept[r]; !ok {
			want = append(want, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, reports.SweepRunsFile)); err == nil {
		t.Errorf("an unfinished sweep wrote runs.csv")
	}

	var redone []int
	var mu sync.Mutex
	count := func(r int) error {
		mu.Lock()
		defer mu.Unlock()
		redone = append(redone, r)
		return nil
	}
	if err := sweepWithHook(t, count, withArgs(tinySweep[1:], "--parallel", "2", "-o", dir)...); err != nil {
		t.Fatal(err)
	}
	slices.Sort(redone)
	if !slices.Equal(redone, want) {
		t.Errorf("the resumed sweep ran %v, want %v", redone, want)
	}
	sameFiles(t, full, dir, sweepFiles)

	redone = nil
	if err := os.Remove(filepath.Join(dir, runner.SweepRunsDir, runner.RecordName(2, 6))); err != nil {
		t.Fatal(err)
	}
	if err := sweepWithHook(t, count, withArgs(tinySweep[1:], "-o", dir)...); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(redone, []int{2}) {
		t.Errorf("after deleting run 2's record the sweep ran %v, want [2]", redone)
	}
	sameFiles(t, full, dir, sweepFiles)

	redone = nil
	if err := sweepWithHook(t, count, withArgs(tinySweep[1:], "-o", dir)...); err != nil || len(redone) != 0 {
		t.Errorf("a finished sweep again: ran %v, %v", redone, err)
	}
}

func TestSweepRefusesAnotherSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	mustMain(t, withArgs(tinySweep, "-o", dir)...)
	for _, extra := range [][]string{{"--seeds", "4"}, {"--seed", "9"}, {"--set", "services.web.replicas.max=5"}} {
		code, _, errOut := runMain(t, withArgs(tinySweep, append(extra, "-o", dir)...)...)
		if code != exitUsage || !strings.Contains(errOut, "holds a different sweep") {
			t.Errorf("%v into a folder of another sweep: exit %d, %s", extra, code, errOut)
		}
	}
	// The analysis may change: the same runs, another best point.
	mustMain(t, withArgs(tinySweep, "--require", "cost<=1000", "-o", dir)...)

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if code, _, errOut := runMain(t, withArgs(tinySweep, "-o", other)...); code != exitUsage || !strings.Contains(errOut, "not a sweep folder") {
		t.Errorf("into a non-empty folder: exit %d, %s", code, errOut)
	}
}

func TestSweepUsageErrors(t *testing.T) {
	base := []string{"sweep", "minimal", "--set", "duration=2m", "--seeds", "2", "--no-plots", "-q", "-o", filepath.Join(t.TempDir(), "s")}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--seeds", "0"}, "--seeds 0"},
		{[]string{"--set", "seed=1,2"}, "--seed"},
		{[]string{"--set", "services.web.autoscaler.target_utilization=50,x"}, "grid point 1"},
		{[]string{"--set", "duration=1m,2m"}, "given twice"},
		{[]string{"--set", "services.web.replicas.max=5,5"}, `value "5" is given twice`},
		{[]string{"--set", "traffic.web.rate=[1,2"}, "unclosed"},
		{[]string{"--require", "slo_attainment>=0.99"}, "no SLO"},
		{[]string{"--require", "cost=1"}, "FIGURE OP NUMBER"},
		{[]string{"--objective", "latency"}, `no figure "latency"`},
		{[]string{"--shard", "3/3"}, "0-based"},
		{[]string{"--shard", "1"}, "i/n"},
		{[]string{"--confidence", "95"}, "between 0 and 1"},
		{[]string{"--format", "jpg"}, "--format"},
	} {
		code, _, errOut := runMain(t, withArgs(base, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestSweepProgress(t *testing.T) {
	var out, errOut bytes.Buffer
	args := withArgs(tinySweep[:len(tinySweep)-1], "-o", filepath.Join(t.TempDir(), "s")) // without -q
	if code := Main(args, &IOStreams{Out: &out, ErrOut: &errOut, ErrTTY: true}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if s := errOut.String(); !strings.Contains(s, "6/6 runs") || !strings.Contains(s, "ETA") {
		t.Errorf("progress on a terminal: %q", s)
	}
	if !strings.Contains(out.String(), "best (smallest mean cost_usd with slo_attainment>=0.001") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	errOut.Reset()
	args = withArgs(tinySweep[:len(tinySweep)-1], "-o", filepath.Join(t.TempDir(), "s"))
	if code := Main(args, &IOStreams{Out: &out, ErrOut: &errOut}); code != 0 || errOut.Len() != 0 {
		t.Errorf("not a terminal: exit %d, stderr %q", code, errOut.String())
	}
}

// TestSweepHelperProcess is not a test: the shard tests run the command
// line in a separate process through it (the test binary run with
// -test.run=TestSweepHelperProcess and SCALESIM_SWEEP_HELPER=1).
func TestSweepHelperProcess(t *testing.T) {
	if os.Getenv("SCALESIM_SWEEP_HELPER") != "1" {
		t.Skip("helper process for the shard tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Main(args, &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}

// process returns the command line args run in a separate process.
func process(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestSweepHelperProcess$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), "SCALESIM_SWEEP_HELPER=1"), env...)
	return cmd
}

// TestShardsMerge: shards run as separate processes, merged, write the
// same bytes as the sweep run in one process, whether every shard has its
// own folder or all share one (run concurrently, as on a shared volume).
func TestShardsMerge(t *testing.T) {
	tmp := t.TempDir()
	args := withArgs(tinySweep, "--set", "services.web.replicas.max=3,6", "--format", "svg")
	args = slices.DeleteFunc(args, func(a string) bool { return a == "--no-plots" }) // plots too
	single := filepath.Join(tmp, "single")
	mustMain(t, withArgs(args, "-o", single)...)

	const n = 3
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	outs := make([][]byte, 2*n)
	for i := range n {
		// Own folders: --shard i/n; JOB_COMPLETION_INDEX for the last.
		shard, env := fmt.Sprintf("%d/%d", i, n), []string(nil)
		if i == n-1 {
			shard, env = fmt.Sprintf("auto/%d", n), []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)}
		}
		own := process(env, withArgs(args, "--shard", shard, "-o", filepath.Join(tmp, fmt.Sprintf("shard-%d", i)))...)
		// One shared folder, via SLURM_ARRAY_TASK_ID of an array 1-3.
		shared := process([]string{fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", i+1), "SLURM_ARRAY_TASK_MIN=1"},
			withArgs(args, "--shard", fmt.Sprintf("auto/%d", n), "-o", filepath.Join(tmp, "shared"))...)
		for j, c := range []*exec.Cmd{own, shared} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[2*i+j], errs[2*i+j] = c.CombinedOutput()
			}()
		}
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard process %d: %v\n%s", i, err, outs[i])
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "shared", reports.SweepRunsFile)); err == nil {
		t.Errorf("a shard wrote runs.csv")
	}
	sum := 0
	for i := range n {
		sum += countRecords(t, filepath.Join(tmp, fmt.Sprintf("shard-%d", i)))
	}
	if sum != 12 {
		t.Errorf("the shards wrote %d records, want 12", sum)
	}

	merged := filepath.Join(tmp, "merged")
	if out, err := process(nil, "merge", filepath.Join(tmp, "shard-0"), filepath.Join(tmp, "shard-1"), filepath.Join(tmp, "shard-2"),
		"-o", merged, "--format", "svg", "-q").CombinedOutput(); err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	sameFiles(t, single, merged, nil)
	mustMain(t, "merge", filepath.Join(tmp, "shared"), "--format", "svg", "-q")
	sameFiles(t, single, filepath.Join(tmp, "shared"), nil)
	if n := countRecords(t, merged); n != 12 {
		t.Errorf("the merged folder has %d records, want 12", n)
	}
}

func TestMergeErrors(t *testing.T) {
	tmp := t.TempDir()
	dir := func(name string) string { return filepath.Join(tmp, name) }
	for i := range 2 {
		mustMain(t, withArgs(tinySweep, "--shard", fmt.Sprintf("%d/2", i), "-o", dir(fmt.Sprint("s", i)))...)
	}
	mustMain(t, withArgs(tinySweep, "--shard", "1/2", "-o", dir("again1"))...)
	mustMain(t, withArgs(tinySweep, "--seeds", "2", "--shard", "1/2", "-o", dir("other"))...)

	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{dir("s0")}, exitRuntime, []string{"3 of 6 runs are missing", "run 1 (point 0: duration=2m services.web.autoscaler.target_utilization=50 slo.web.latency=1s, replicate 1, seed 2)", "run 5"}},
		{[]string{dir("s0"), dir("s1"), dir("again1"), "-o", dir("m")}, exitUsage, []string{"3 runs are in more than one folder", "run 1 in " + filepath.Join(dir("again1"), "runs", "000001.json") + " and " + filepath.Join(dir("s1"), "runs", "000001.json")}},
		{[]string{dir("s0"), dir("other"), "-o", dir("m")}, exitUsage, []string{"hold different sweeps", "--seeds 2, not 3"}},
		{[]string{dir("s0"), dir("s1")}, exitUsage, []string{"give the output folder with -o"}},
		{[]string{dir("s0"), dir("s0")}, exitUsage, []string{"given twice"}},
		{[]string{tmp}, exitUsage, []string{"not a sweep folder"}},
		{[]string{dir("s0"), dir("s1"), "-o", dir("m"), "--require", "latency<1"}, exitUsage, []string{`no figure "latency"`}},
	} {
		code, _, errOut := runMain(t, append([]string{"merge", "-q", "--no-plots"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("merge %v: exit %d, want %d: %s", tc.args, code, tc.code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("merge %v: %q lacks %q", tc.args, errOut, w)
			}
		}
	}
	mustMain(t, "merge", "-q", "--no-plots", dir("s0"), dir("s1"), "-o", dir("m"))
	full := dir("full")
	mustMain(t, withArgs(tinySweep, "-o", full)...)
	sameFiles(t, full, dir("m"), sweepFiles)
}

// scanRecords lists the run records in dir/runs (run index to path); a
// name that is not a run of a sweep of runs runs is an error.
func scanRecords(dir string, runs int) (map[int]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, runner.SweepRunsDir))
	if err != nil {
		return nil, err
	}
	found := map[int]string{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		r, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".json"))
		if err != nil || r >= runs || e.Name() != runner.RecordName(r, runs) {
			return nil, fmt.Errorf("%s: not a run of a sweep of %d runs", e.Name(), runs)
		}
		found[r] = filepath.Join(dir, runner.SweepRunsDir, e.Name())
	}
	return found, nil
}

// merge checks every record where it is before writing anything: a record
// whose counts do not add up, or that holds another run's seed, is named
// at its source (not at a copy), exit 2, and the output folder is not made.
func TestMergeChecksEveryRecord(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"conservation", `"completed": `, `"completed": 1`, "the record is damaged"},
		{"seed", `"seed": `, `"seed": 9`, "but run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			var dirs []string
			for i := range 2 {
				d := filepath.Join(tmp, fmt.Sprint("s", i))
				mustMain(t, withArgs(tinySweep, "--shard", fmt.Sprintf("%d/2", i), "-o", d)...)
				dirs = append(dirs, d)
			}
			recs, _ := filepath.Glob(filepath.Join(dirs[1], "runs", "*.json"))
			if len(recs) == 0 {
				t.Fatal("shard 1 wrote no records")
			}
			b, _ := os.ReadFile(recs[0])
			os.WriteFile(recs[0], []byte(strings.Replace(string(b), tc.old, tc.new, 1)), 0o644)
			out := filepath.Join(tmp, "merged")
			code, _, stderr := runMain(t, "merge", dirs[0], dirs[1], "-o", out, "-q")
			if code != 2 || !strings.Contains(stderr, recs[0]) || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 naming %s", code, stderr, recs[0])
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed merge made %s", out)
			}
		})
	}
}
