package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// warningLine is one line of warnings on stderr: "warning: ..." or, in a
// comparison, "LABEL: warning: ...".
var warningLine = regexp.MustCompile(`(?m)^(\S+: )?warning: .*\n`)

// withoutWarnings is stderr without its warning lines.
func withoutWarnings(stderr string) string { return warningLine.ReplaceAllString(stderr, "") }

// minimal at 1000 req/s cannot be served by 10 replicas: run says so on
// stderr and in summary.json, and the table shows the backlog.
func TestRunWarnsOfOverload(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	code, stdout, stderr := scalesim(t, "run", "minimal", "--set", "traffic.web.rate=1000", "--set", "duration=2m",
		"--no-plots", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: web: the offered load peaks at 1000 req/s") ||
		!strings.Contains(stderr, "are still in flight at the end") || withoutWarnings(stderr) != "" {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "IN FLIGHT") || strings.Contains(stdout, "warning") {
		t.Errorf("stdout:\n%s", stdout)
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Warnings []struct{ Code, Service, Message string }
		Services map[string]struct {
			LatencyS map[string]*float64 `json:"latency_s"`
		}
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 2 || s.Warnings[0].Code != "overload" || s.Warnings[1].Code != "backlog-at-end" {
		t.Errorf("summary.json warnings %+v", s.Warnings)
	}
	if p99 := s.Services["web"].LatencyS["p99"]; p99 != nil {
		t.Errorf("p99 %v with most requests in flight, want null", *p99)
	}
}

// A sweep whose --require no grid point meets exits 3, as run
// --fail-on-slo does.
func TestSweepRequireUnmetExits3(t *testing.T) {
	code, _, errOut := runMain(t, withArgs(tinySweep, "--require", "slo_attainment>=1.5", "-o", filepath.Join(t.TempDir(), "s"))...)
	if code != exitSLO || !strings.Contains(errOut, "no grid point meets slo_attainment>=0.001 and slo_attainment>=1.5") {
		t.Errorf("exit %d, %s", code, errOut)
	}
}

// A parameter of another policy is a warning with its file position: on
// stderr from validate and run, and in summary.json.
func TestIgnoredParameterWarning(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.yaml")
	os.WriteFile(file, []byte(`name: w
duration: 2m
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu, target_utilization: 70, rounds: 5}
traffic:
  web: {rate: 10}
`), 0o644)
	want := file + ":6:55: services.web.autoscaler.rounds: only the requests-in-flight policy reads this"
	if code, _, stderr := scalesim(t, "validate", file); code != 0 || !strings.Contains(stderr, "warning: "+want) {
		t.Errorf("validate: exit %d, stderr %q; want exit 0 and the warning", code, stderr)
	}
	out := filepath.Join(dir, "res")
	if code, _, stderr := scalesim(t, "run", file, "--no-plots", "-o", out); code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("run: exit %d, stderr %q; want exit 0 and the warning", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if !strings.Contains(string(b), `"code": "ignored-parameter"`) {
		t.Errorf("summary.json has no ignored-parameter warning:\n%s", b)
	}
}
