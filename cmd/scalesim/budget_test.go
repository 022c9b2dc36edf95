package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run over its budget is exit 1 with one line saying what to raise, and
// writes nothing; a budget that is not a number is bad usage.
func TestBudgetFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	for _, args := range [][]string{
		{"run", "minimal", "--max-events", "1e5"},
		// A day at 1000 rps into at most 10 instances: tens of millions of
		// requests queued, refused before it starts.
		{"run", "minimal", "--set", "traffic.web.rate=1000", "--set", "duration=24h"},
		{"compare", "minimal", "--policy", "cpu", "--policy", "static", "--max-memory", "1Mi"},
		{"sweep", "minimal", "--set", "traffic.web.rate=10,20", "--max-events", "1000"},
	} {
		code, _, stderr := scalesim(t, append(args, "-o", out, "--no-plots")...)
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "raise --max-") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line naming the flag to raise", args, code, stderr)
		}
		if args[0] != "sweep" {
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%v: wrote %s", args, out)
			}
		}
	}
	for _, bad := range [][]string{{"--max-events", "-1"}, {"--max-events", "lots"}, {"--max-memory", "4Gb"}} {
		if code, _, stderr := scalesim(t, append([]string{"run", "minimal", "-o", out}, bad...)...); code != 2 || !strings.Contains(stderr, bad[0]) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming the flag", bad, code, stderr)
		}
	}
}
