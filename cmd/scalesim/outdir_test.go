package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalesim/scalesim/scenarios/runner"
)

// tempsLeft lists the temporary folders left in dir.
func tempsLeft(t *testing.T, dir string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, runner.TempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

// A folder or file that scalesim did not write is never replaced: every
// command that writes a results folder exits 2, says why, and leaves it
// and its surroundings exactly as they were.
func TestResultsFolderNotOursIsRefused(t *testing.T) {
	for _, command := range [][]string{
		{"run", "testdata/tiny.yaml", "--no-plots"},
		{"compare", "testdata/tiny.yaml", "--policy", "cpu", "--policy", "static", "--no-plots"},
	} {
		t.Run(command[0], func(t *testing.T) {
			tmp := t.TempDir()
			mine := filepath.Join(tmp, "mine")
			os.Mkdir(mine, 0o755)
			os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("keep\n"), 0o644)
			afile := filepath.Join(tmp, "afile")
			os.WriteFile(afile, []byte("keep too\n"), 0o644)
			link := filepath.Join(tmp, "link")
			os.Symlink(mine, link)

			for _, out := range []string{mine, afile, link} {
				code, _, stderr := scalesim(t, append(command, "-o", out)...)
				if code != 2 {
					t.Errorf("-o %s: exit %d, want 2 (stderr %q)", filepath.Base(out), code, stderr)
				}
				if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, out) {
					t.Errorf("-o %s: want one line naming the folder, got %q", filepath.Base(out), stderr)
				}
			}
			if b, err := os.ReadFile(filepath.Join(mine, "notes.txt")); err != nil || string(b) != "keep\n" {
				t.Errorf("mine/notes.txt = %q, %v; want it untouched", b, err)
			}
			if entries, _ := os.ReadDir(mine); len(entries) != 1 {
				t.Errorf("mine holds %d entries, want only notes.txt", len(entries))
			}
			if b, err := os.ReadFile(afile); err != nil || string(b) != "keep too\n" {
				t.Errorf("afile = %q, %v; want it untouched", b, err)
			}
			if dst, err := os.Readlink(link); err != nil || dst != mine {
				t.Errorf("link -> %q, %v; want it untouched", dst, err)
			}
			if left := tempsLeft(t, tmp); len(left) > 0 {
				t.Errorf("temporary folders left: %v", left)
			}
		})
	}
}

// scalesim's own results folder, and an empty folder, are replaced.
func TestResultsFolderOursIsReplaced(t *testing.T) {
	tmp := t.TempDir()
	empty := filepath.Join(tmp, "empty")
	os.Mkdir(empty, 0o755)
	for _, out := range []string{filepath.Join(tmp, "new"), empty} {
		for range 2 { // the second run replaces the first one's folder
			if code, _, stderr := scalesim(t, "run", "testdata/tiny.yaml", "--no-plots", "-q", "-o", out); code != 0 {
				t.Fatalf("-o %s: exit %d: %s", out, code, stderr)
			}
		}
		if _, err := os.Stat(filepath.Join(out, runner.ResultsMark)); err != nil {
			t.Errorf("%s carries no %s: %v", out, runner.ResultsMark, err)
		}
	}
	// A compare folder, and each run in it, is marked too.
	cmp := filepath.Join(tmp, "cmp")
	for range 2 {
		if code, _, stderr := scalesim(t, "compare", "testdata/tiny.yaml", "--policy", "cpu", "--policy", "static", "--no-plots", "-q", "-o", cmp); code != 0 {
			t.Fatalf("compare: exit %d: %s", code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(cmp, runner.ResultsMark)); err != nil {
		t.Errorf("compare folder carries no %s", runner.ResultsMark)
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot start a process:", err)
	}
	return cmd.ProcessState.Pid()
}

// A temporary folder left by a killed run is removed (and said on
// stderr); one whose writer still runs, or that is not scalesim's, is
// kept.
func TestStaleTemporaryFoldersAreRemoved(t *testing.T) {
	tmp := t.TempDir()
	mk := func(name, mark string) string {
		dir := filepath.Join(tmp, name)
		os.Mkdir(dir, 0o755)
		if mark != "" {
			os.WriteFile(filepath.Join(dir, runner.ResultsMark), []byte(mark), 0o644)
		}
		return dir
	}
	stale := mk(runner.TempPrefix+"stale", "scalesim results\npid "+strconv.Itoa(deadPID(t))+"\n")
	live := mk(runner.TempPrefix+"live", "scalesim results\npid "+strconv.Itoa(os.Getppid())+"\n")
	foreign := mk(runner.TempPrefix+"foreign", "")

	code, _, stderr := scalesim(t, "run", "testdata/tiny.yaml", "--no-plots", "-q", "-o", filepath.Join(tmp, "res"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary folder kept: %v", err)
	}
	if !strings.Contains(stderr, "removed "+stale) {
		t.Errorf("stderr does not name the removed folder: %q", stderr)
	}
	for _, dir := range []string{live, foreign} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(dir), err)
		}
	}
}

// SIGINT and SIGTERM stop run and compare part-way: the temporary folder
// is removed, the previous results stay, and the exit code is 130 / 143.
func TestSignalRemovesTheTemporaryFolder(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		args []string
	}{
		{syscall.SIGINT, 130, []string{"run", "minimal"}},
		{syscall.SIGTERM, 143, []string{"run", "minimal"}},
		{syscall.SIGTERM, 143, []string{"compare", "minimal", "--policy", "cpu", "--policy", "static"}},
	} {
		t.Run(tc.args[0]+"-"+signalName(tc.sig), func(t *testing.T) {
			tmp := t.TempDir()
			out := filepath.Join(tmp, "res")
			// A run far longer than the test: it is interrupted, never finished.
			args := append(tc.args, "--set", "duration=10000h", "--max-events", "0", "--no-plots", "-o", out)
			cmd := process(nil, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if code := signalWhen(t, cmd, func() bool { return len(tempsLeft(t, tmp)) > 0 }, tc.sig); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if left := tempsLeft(t, tmp); len(left) > 0 {
				t.Errorf("temporary folders left: %v", left)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an interrupted run wrote %s", out)
			}
		})
	}
}

// signalWhen waits (without a deadline of its own: go test's -timeout is
// the bound) until ready reports true, sends sig to the started cmd, and
// returns its exit code; it fails the test if cmd ends before it is ready.
func signalWhen(t *testing.T, cmd *exec.Cmd, ready func() bool, sig os.Signal) int {
	t.Helper()
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	for !ready() {
		select {
		case err := <-ended:
			t.Fatalf("%s ended (%v) before it was interrupted", strings.Join(cmd.Args, " "), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := <-ended; !errors.As(err, &ee) {
		return -1
	}
	return ee.ExitCode()
}
