package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// Bad usage is one line on stderr and exit 2, with what a valid value is.
func TestUsageMessages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rn"}, `scalesim: unknown command "rn"; did you mean "run"? (see 'scalesim --help')`},
		{[]string{"xyzzy"}, `scalesim: unknown command "xyzzy" (see 'scalesim --help')`},
		{[]string{"scenarios", "lst"}, `scalesim: unknown command "lst" for "scalesim scenarios"; did you mean "list"? (see 'scalesim scenarios --help')`},
		{[]string{"run", "a", "b"}, "scalesim: run takes at most 1 argument(s), got 2 (a b) (see 'scalesim run --help')"},
		{[]string{"scenarios", "list", "extra"}, "scalesim: scenarios list takes no argument, got 1 (extra)"},
		{[]string{"validate"}, "scalesim: validate takes at least 1 argument(s), got none (see 'scalesim validate --help')"},
		{[]string{"merge"}, "scalesim: merge takes at least 1 argument(s), got none (see 'scalesim merge --help')"},
		{[]string{"version", "x"}, "scalesim: version takes no argument, got 1 (x)"},
		{[]string{"run", "--no-such-flag"}, "scalesim: unknown flag: --no-such-flag (see 'scalesim run --help')"},
		{[]string{"run", "--seed", "-1"}, "scalesim: --seed -1: the seed is a whole number from 0 to 18446744073709551615 (see 'scalesim run --help')"},
		{[]string{"run", "--seed", "18446744073709551616"}, "--seed 18446744073709551616: the seed is a whole number from 0 to 18446744073709551615"},
		{[]string{"compare", "--seed", "x"}, "--seed x: the seed is a whole number"},
		{[]string{"sweep", "--seed", "1.5"}, "--seed 1.5: the seed is a whole number"},
		{[]string{"sweep", "--seeds", "x"}, "--seeds x: the runs per grid point are a whole number, at least 1"},
		{[]string{"sweep", "--parallel", "-p"}, "--parallel -p: the runs at once are a whole number"},
		{[]string{"sweep", "-p", "1.5"}, "--parallel 1.5: the runs at once are a whole number"},
		{[]string{"sweep", "--confidence", "high"}, "--confidence high: the confidence level is a number between 0 and 1"},
		{[]string{"merge", "--confidence", "x"}, "--confidence x: the confidence level"},
		{[]string{"run", "--quiet=maybe"}, "--quiet maybe: want true or false"},
	} {
		code, stdout, stderr := scalesim(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, stderr, tc.want)
		}
		if strings.Contains(stderr, "strconv") {
			t.Errorf("%v: strconv's text leaks: %q", tc.args, stderr)
		}
	}
	if code, stdout, _ := scalesim(t); code != 0 || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("no command: exit %d, want 0 and the help", code)
	}
}

// scenarios show without a name lists them; with an unknown one it exits
// 2 naming them.
func TestScenariosShowNames(t *testing.T) {
	code, stdout, stderr := scalesim(t, "scenarios", "show")
	if code != 0 || !strings.Contains(stdout, "minimal") || !strings.Contains(stdout, "flash-crowd") || stderr != "" {
		t.Errorf("show: exit %d, stdout %q, stderr %q; want 0 and the names", code, stdout, stderr)
	}
	code, stdout, stderr = scalesim(t, "scenarios", "show", "NOSUCH")
	if code != exitUsage || !strings.Contains(stderr, "minimal") || !strings.Contains(stderr, "flash-crowd") || stdout != "" {
		t.Errorf("show NOSUCH: exit %d, stderr %q; want 2 and the names", code, stderr)
	}
}

// -q --explain prints the explanation (asked for), but no table.
func TestQuietExplain(t *testing.T) {
	code, stdout, stderr := scalesim(t, "run", "testdata/tiny.yaml", "--no-plots", "-q", "--explain", "-o", filepath.Join(t.TempDir(), "r"))
	if code != 0 || !strings.Contains(stdout, "decisions that changed or held the count") || strings.Contains(stdout, "SERVICE") || strings.Contains(stdout, "results:") || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want the decisions only", code, stdout, stderr)
	}
}

// A panic in a command is one line and exit 1, never a stack dump.
func TestPanicIsAnInternalError(t *testing.T) {
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := newCmdRoot(io)
	root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
		panic("boom\nsecond line")
	}})
	code := execute(root, []string{"boom"}, io)
	const want = "scalesim: internal error: boom second line (please report it with the command line and scenario)\n"
	if code != exitRuntime || errOut.String() != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut.String(), want)
	}
}

// A panic in a sweep's worker goroutine comes back as an error: one
// line, exit 1.
func TestPanicInASweepWorker(t *testing.T) {
	err := sweepWithHook(t, func(r int) error { panic("worker") }, withArgs(tinySweep[1:], "-o", filepath.Join(t.TempDir(), "s"))...)
	var pe *runner.PanicError
	if !errors.As(err, &pe) || pe.Value != "worker" {
		t.Fatalf("sweep returned %v, want a *runner.PanicError", err)
	}
	var w bytes.Buffer
	if code := exitCode(err, &w); code != exitRuntime || strings.Count(w.String(), "\n") != 1 || !strings.Contains(w.String(), "internal error: worker") {
		t.Errorf("exit %d, %q", code, w.String())
	}
}

// compare --policy cloud reads the block's own cpu_threshold (70), not
// the cloud default of 50.
func TestCompareCloudUsesTheBlocksThresholds(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte(`name: c
duration: 2m
services:
  web:
    replicas: {initial: 2, min: 1, max: 10}
    demand: {cpu: 50ms}
    autoscaler: {policy: hpa, cpu_threshold: 70, memory_threshold: 90}
traffic:
  web: {rate: 50}
`), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, stderr := scalesim(t, "compare", file, "--policy", "cloud", "--policy", "hpa", "--no-plots", "-q", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data := string(read(t, filepath.Join(out, "cloud", "decisions.jsonl")))
	if !strings.Contains(data, `{"name":"cpu_target_utilization_pct","value":70}`) ||
		!strings.Contains(data, `{"name":"memory_target_utilization_pct","value":90}`) || strings.Contains(data, `cpu_target_utilization_pct","value":50`) {
		t.Errorf("cloud did not run at the block's thresholds (cpu 70, memory 90):\n%.600s", data)
	}
}

// SIGINT and SIGTERM stop a sweep: exit 130 / 143, the finished runs
// kept, and the same command resumes and finishes it.
func TestSignalStopsASweep(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(signalName(tc.sig), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "s")
			// Many short runs on one worker: the signal comes long before
			// the last.
			args := []string{"sweep", "minimal", "--set", "duration=1m", "--seeds", "400", "--parallel", "1", "--no-plots", "-q", "-o", out}
			cmd := process(nil, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if code := signalWhen(t, cmd, func() bool { return countRecords(t, out) > 0 }, tc.sig); code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			if s := stderr.String(); !strings.Contains(s, "interrupted by "+signalName(tc.sig)) || !strings.Contains(s, "run the same command again to resume") {
				t.Errorf("stderr %q", s)
			}
			kept := countRecords(t, out)
			if kept == 0 || kept >= 400 {
				t.Fatalf("%d run records kept", kept)
			}
			if _, err := os.Stat(filepath.Join(out, reports.SweepRunsFile)); err == nil {
				t.Errorf("an interrupted sweep wrote %s", reports.SweepRunsFile)
			}
			if testing.Short() {
				return // the resume is ~400 more runs (a minute under -race); TestSweepResume checks resuming
			}
			// Resumable: the same command finishes only what is left.
			var ran int
			if err := sweepWithHook(t, func(int) error { ran++; return nil }, args[1:]...); err != nil {
				t.Fatal(err)
			}
			if ran != 400-kept {
				t.Errorf("the resumed sweep ran %d runs, want %d", ran, 400-kept)
			}
		})
	}
}

// A signal stops a sweep's runs under way too: a sweep of runs far longer
// than the test exits 130 soon after, with no record of the runs stopped.
func TestSignalStopsASweepsLongRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s")
	cmd := process(nil, "sweep", "minimal", "--set", "duration=10000h", "--seeds", "2", "--max-events", "0", "--no-plots", "-q", "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	manifest := func() bool {
		_, err := os.Stat(filepath.Join(out, runner.SweepManifestFile))
		return err == nil
	}
	if code := signalWhen(t, cmd, manifest, syscall.SIGINT); code != 130 {
		t.Errorf("exit %d, want 130; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted by SIGINT after 0 of 2 runs") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q", stderr.String())
	}
	if n := countRecords(t, out); n != 0 {
		t.Errorf("%d records of runs stopped part-way", n)
	}
}
