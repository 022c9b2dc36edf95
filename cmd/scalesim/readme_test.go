package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wallClock masks the one figure of the table header that is not
// reproducible.
var wallClock = regexp.MustCompile(`[0-9.]+s wall`)

// The summary tables the README shows are what the commands print today:
// every figure a newcomer reads there is regenerated with the model, never
// left stale. The README's tables are the expected output; the wall time
// in their header is not compared.
func TestREADMETablesAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default scenario, a simulated day")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, scenario := range []string{"default", "minimal"} {
		header := scenario + "  seed "
		start := strings.Index(string(readme), "\n"+header)
		if start < 0 {
			t.Fatalf("README.md shows no table for %s", scenario)
		}
		block, _, _ := strings.Cut(string(readme[start+1:]), "```")
		code, stdout, stderr := scalesim(t, "run", scenario, "--no-plots", "-o", filepath.Join(t.TempDir(), scenario))
		if code != 0 {
			t.Fatalf("run %s: exit %d: %s", scenario, code, stderr)
		}
		got, _, _ := strings.Cut(stdout, "\nresults: ")
		want := strings.TrimRight(block, "\n")
		if wallClock.ReplaceAllString(strings.TrimRight(got, "\n"), "Xs wall") != wallClock.ReplaceAllString(want, "Xs wall") {
			t.Errorf("README.md's table for %s is stale; it prints now:\n%s\nthe README shows:\n%s", scenario, got, want)
		}
	}
}

// The README's comparison of every policy on aws-step is what compare
// prints today (regenerate it with the command the README shows).
func TestREADMECompareIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs aws-step under twelve policies")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "\naws-step  seed ")
	if start < 0 {
		t.Fatal("README.md shows no comparison on aws-step")
	}
	block, _, _ := strings.Cut(string(readme[start+1:]), "```")
	args := []string{"compare", "aws-step"}
	for _, p := range []string{"static", "cpu", "memory", "hpa", filepath.Join("..", "..", "docs", "examples", "keda-rps.yaml"), "requests-in-flight", "latency", "cloud", "kpa", "target-tracking", "step-scaling", "predictive"} {
		args = append(args, "--policy", p)
	}
	args = append(args, "--no-plots", "-o", filepath.Join(t.TempDir(), "cmp"))
	code, stdout, stderr := scalesim(t, args...)
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	got, _, _ := strings.Cut(stdout, "\nresults: ")
	if strings.TrimRight(got, "\n") != strings.TrimRight(block, "\n") {
		t.Errorf("README.md's comparison on aws-step is stale; compare prints now:\n%s\nthe README shows:\n%s", got, block)
	}
}
