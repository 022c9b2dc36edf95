package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// -update rewrites the golden files in testdata/golden. It is defined here
// unless another test file of the package defined it first (package-level
// variables are initialized before init functions run).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/golden")
	}
}

// matchGolden compares got with testdata/golden/name, or with -update
// rewrites the file. Read a rewritten file before committing it: it is
// what the test will hold the program to.
func matchGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/scalesim -run %s -update creates it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./cmd/scalesim -run %s -update rewrites it; check the diff first):\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}

// stableStdout replaces what differs between identical runs in a command's
// stdout: the wall time, and the results folder (a temporary one).
func stableStdout(stdout, out string) string {
	stdout = regexp.MustCompile(`[0-9.]+s wall`).ReplaceAllString(stdout, "X.XXs wall")
	return strings.ReplaceAll(stdout, out, "OUT")
}

// `run --explain` prints the summary table, then one line per decision in
// decisions.jsonl: the clock, the service, the policy, the policy's own
// explanation, and [before -> after] when the count changed. The golden
// file is the whole stdout, so it also holds the run's table.
//
// testdata/explain.yaml steps the load from 8 to 24 req/s at 2 min and
// back at 6 min under the cpu policy (target 60%, 60 s scale-down window),
// so the timeline shows the HPA's rules at work: metrics missing at first,
// the tolerance band, unready pods counted at 0% reversing a scale-up,
// the stabilization window holding scale-downs back, and the scale-ups and
// downs themselves.
func TestRunExplainGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr := scalesim(t, "run", "testdata/explain.yaml", "--explain=all", "--no-plots", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	matchGolden(t, "explain.stdout", []byte(stableStdout(stdout, out)))

	// One line per decision record, in its order, with its change.
	f, err := os.Open(filepath.Join(out, reports.DecisionsFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := reports.ReadDecisions(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, timeline, ok := strings.Cut(stdout, "\ndecisions (all):\n")
	if !ok {
		t.Fatalf("no decisions section:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(strings.Split(timeline, "\n\nresults:")[0]), "\n")
	if len(recs) < 10 || len(lines) != len(recs) {
		t.Fatalf("%d timeline lines for %d decisions", len(lines), len(recs))
	}
	ups, downs := 0, 0
	line := regexp.MustCompile(`^\d\d:\d\d:\d\d web cpu: .+$`)
	for i, d := range recs {
		l := strings.TrimSpace(lines[i])
		if !line.MatchString(l) || !strings.HasPrefix(l, runner.Clock(d.TimeS)) || !strings.Contains(l, d.Explanation) {
			t.Errorf("line %d %q does not render %+v", i, l, d)
		}
		if d.After > d.Before {
			ups++
		} else if d.After < d.Before {
			downs++
		}
		if changed := strings.HasSuffix(l, "]"); changed != (d.After != d.Before) {
			t.Errorf("line %d %q: change marker wrong for %d -> %d", i, l, d.Before, d.After)
		}
	}
	if ups == 0 || downs == 0 {
		t.Errorf("the scenario should scale both ways; %d up, %d down", ups, downs)
	}

	// Without --explain there is no timeline.
	_, stdout, _ = scalesim(t, "run", "testdata/explain.yaml", "--no-plots", "-o", out)
	if strings.Contains(stdout, "decisions") {
		t.Errorf("run without --explain prints the decisions:\n%s", stdout)
	}
}

// `run --explain` (no value) prints the decisions that matter: every change
// of the count on a line of its own, and each run of decisions held back by
// the same limit at the same count as one line that says how many times it
// held. Checked against decisions.jsonl read here, by the rule of
// reports.DecisionRecord.Matters, not against a copy of the output.
func TestRunExplainMatters(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr := scalesim(t, "run", "testdata/explain.yaml", "--explain", "--no-plots", "-q", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(filepath.Join(out, reports.DecisionsFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := reports.ReadDecisions(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(stdout, ":\n")
	if !ok || !strings.Contains(head, "decisions that changed or held the count") {
		t.Fatalf("no heading:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	changes, held, mattering := 0, 0, 0
	for _, d := range recs {
		switch {
		case d.After != d.Before:
			changes++
			mattering++
		case d.HeldBy() != nil:
			held++
			mattering++
		}
	}
	if changes == 0 || held == 0 || mattering == len(recs) {
		t.Fatalf("the scenario should change, hold and do neither: %d changes, %d held of %d", changes, held, len(recs))
	}
	if want := fmt.Sprintf("(%d of %d;", mattering, len(recs)); !strings.Contains(head, want) {
		t.Errorf("heading %q lacks %q", head, want)
	}
	// Each change is a line of its own, in order, with its [before -> after].
	var changeLines []string
	counted := 0
	times := regexp.MustCompile(`held by [a-z-]+ (\d+) times, until`)
	for _, l := range lines {
		if strings.HasSuffix(l, "]") {
			changeLines = append(changeLines, l)
			counted++
		} else if m := times.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			counted += n
		} else {
			counted++
		}
	}
	if len(changeLines) != changes {
		t.Errorf("%d change lines for %d changes:\n%s", len(changeLines), changes, body)
	}
	if counted != mattering {
		t.Errorf("the lines stand for %d decisions, want the %d that matter:\n%s", counted, mattering, body)
	}
	if len(lines) >= mattering {
		t.Errorf("%d lines for %d decisions: the held runs are not grouped", len(lines), mattering)
	}
	for _, l := range lines {
		if strings.Contains(l, "within tolerance") && !strings.HasSuffix(l, "]") && !times.MatchString(l) {
			t.Errorf("a tolerance dead band is not a hold: %q", l)
		}
	}

	code, _, stderr = scalesim(t, "run", "testdata/explain.yaml", "--explain=some", "--no-plots", "-o", out)
	if code != exitUsage || !strings.Contains(stderr, "--explain=some") {
		t.Errorf("--explain=some: exit %d, %q; want 2 and the value", code, stderr)
	}
}
