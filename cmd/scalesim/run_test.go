package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scalesim runs the command line in-process and returns its exit code,
// stdout and stderr.
func scalesim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestRunWritesTheResultsFolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	code, stdout, stderr := scalesim(t, "run", "testdata/tiny.yaml", "-o", out, "--format", "svg")
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	for _, f := range []string{"summary.json", "timeseries.csv", "decisions.jsonl", "events.jsonl", "report.html",
		"load-web.svg", "latency-web.svg", "cpu-web.svg", "errors-web.svg", "dashboard-web.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("results folder lacks %s", f)
		}
	}
	if !strings.Contains(stdout, "web") || !strings.Contains(stdout, "results: "+out) {
		t.Errorf("stdout lacks the summary table or the folder:\n%s", stdout)
	}
	if withoutWarnings(stderr) != "" {
		t.Errorf("stderr not empty without a terminal: %q", stderr)
	}
	// No temporary folder is left behind.
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".scalesim-tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}

	var sum struct {
		Services map[string]struct {
			Requests map[string]int64 `json:"requests"`
		} `json:"services"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	r := sum.Services["web"].Requests
	if r["arrived"] == 0 || r["arrived"] != r["completed"]+r["rejected"]+r["failed"]+r["timed_out"]+r["in_flight_at_end"] {
		t.Errorf("conservation broken in summary.json: %v", r)
	}
}

// Same scenario, same seed: byte-identical files, but for wall_s.
func TestRunIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	files := func(out string) map[string]string {
		m := map[string]string{}
		for _, f := range []string{"summary.json", "timeseries.csv", "decisions.jsonl", "events.jsonl"} {
			b, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			m[f] = regexp.MustCompile(`"wall_s": [0-9.e+-]+`).ReplaceAllString(string(b), `"wall_s": X`)
		}
		return m
	}
	for _, o := range []string{"a", "b"} {
		if code, _, stderr := scalesim(t, "run", "testdata/tiny.yaml", "-o", filepath.Join(dir, o), "--no-plots", "-q"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	a, b := files(filepath.Join(dir, "a")), files(filepath.Join(dir, "b"))
	for f := range a {
		if a[f] != b[f] {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	// Another seed changes the run.
	scalesim(t, "run", "testdata/tiny.yaml", "-o", filepath.Join(dir, "c"), "--no-plots", "-q", "--seed", "4")
	if c := files(filepath.Join(dir, "c")); c["timeseries.csv"] == a["timeseries.csv"] {
		t.Error("--seed 4 gave the same time series as seed 3")
	}
}

// Switching the policy leaves every arrival where it was: the per-interval
// arrival counts of the time series are identical under static and cpu.
func TestPolicyDoesNotShiftArrivals(t *testing.T) {
	dir := t.TempDir()
	arrivals := func(policy string) string {
		out := filepath.Join(dir, policy)
		if code, _, stderr := scalesim(t, "run", "testdata/tiny.yaml", "-o", out, "--no-plots", "-q", "--set", "services.web.autoscaler.policy="+policy); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data, _ := os.ReadFile(filepath.Join(out, "timeseries.csv"))
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		col := -1
		for k, h := range strings.Split(lines[0], ",") {
			if h == "arrived" {
				col = k
			}
		}
		if col < 0 {
			t.Fatal("timeseries.csv has no arrived column")
		}
		var b strings.Builder
		for _, l := range lines[1:] {
			b.WriteString(strings.Split(l, ",")[col] + " ")
		}
		return b.String()
	}
	if s, c := arrivals("static"), arrivals("cpu"); s != c {
		t.Errorf("arrivals per interval differ:\nstatic %s\ncpu    %s", s, c)
	}
}

func TestFailOnSLOExitsThree(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	// A 1 ms latency target cannot be met with 40 ms of CPU per request.
	code, _, stderr := scalesim(t, "run", "testdata/tiny.yaml", "-o", out, "--no-plots", "-q", "--fail-on-slo", "--set", "slo.web.latency=1ms")
	if code != 3 || !strings.Contains(stderr, "SLO missed by web") {
		t.Errorf("exit %d, stderr %q; want 3 naming web", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Error("a missed SLO still writes the results")
	}
	// A step to 15 req/s stays within the 25 req/s the two initial
	// instances serve (2 x 0.5 core / 40 ms): each is then about an
	// M/M/1-PS queue with mean response 1/(12.5-7.5) s = 0.2 s, whose p99
	// (about ln(100) x 0.2 = 0.92 s) meets the 1 s SLO.
	code, _, stderr = scalesim(t, "run", "testdata/tiny.yaml", "-o", out, "--no-plots", "-q", "--fail-on-slo", "--set", "traffic.web.pattern.1.rps=5")
	if code != 0 {
		t.Errorf("SLO met: exit %d, want 0 (%s)", code, stderr)
	}
}

// Bad input: exit code 2, one line per problem naming the file, line and
// field, and no results folder.
func TestBadScenarios(t *testing.T) {
	const good = `name: bad
duration: 10m
services:
  web:
    replicas: {initial: 2, min: 1, max: 4}
    demand: {cpu: 20ms}
    autoscaler: {policy: cpu, target_utilization: 70}
traffic:
  web: {rate: 10}
`
	cases := []struct {
		name, old, new string
		want           []string // substrings of stderr
	}{
		{"unknown key", "    demand:", "    demnd: {cpu: 1ms}\n    demand:", []string{"bad.yaml:6:", "services.web.demnd"}},
		{"min > max", "{initial: 2, min: 1, max: 4}", "{initial: 2, min: 5, max: 4}", []string{"bad.yaml:5:", "services.web.replicas"}},
		{"negative rate", "{rate: 10}", "{rate: -3}", []string{"bad.yaml:9:", "traffic.web.rate"}},
		{"bad duration", "duration: 10m", "duration: 10 minutes", []string{"bad.yaml:2:", "duration"}},
		{"unknown service", "  web: {rate: 10}", "  api: {rate: 10}", []string{"bad.yaml:9:", "traffic.api"}},
		{"unknown policy", "policy: cpu", "policy: magic", []string{"bad.yaml:7:", "services.web.autoscaler.policy"}},
		{"bad quantity", "    demand:", "    instance: {cpu_request: 2 cores}\n    demand:", []string{"bad.yaml:6:", "services.web.instance.cpu_request"}},
		{"broken yaml", "services:", "services: [", []string{"bad.yaml:"}},
		{"rollout of an unknown service", "  web: {rate: 10}", "  web: {rate: 10}\nfaults:\n  - {at: 1m, type: rollout, service: api}", []string{"bad.yaml:11:38: faults.0.service: unknown service \"api\""}},
		{"rollout that cannot proceed", "  web: {rate: 10}", "  web: {rate: 10}\nfaults:\n  - {at: 1m, type: rollout, service: web, max_surge: 0, max_unavailable: 0%}", []string{"bad.yaml:11:", "faults.0.max_unavailable: max_surge and max_unavailable are both 0"}},
		{"grace period out of range", "services:", "control_plane: {node_monitor_grace_period: 48h}\nservices:", []string{"bad.yaml:3:", "control_plane.node_monitor_grace_period: 48h0m0s is out of range"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "bad.yaml")
			src := strings.Replace(good, tc.old, tc.new, 1)
			if src == good {
				t.Fatalf("case did not change the scenario")
			}
			os.WriteFile(file, []byte(src), 0o644)
			out := filepath.Join(dir, "out")
			code, stdout, stderr := scalesim(t, "run", file, "-o", out)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("something was written beside the scenario: %v", entries)
			}
			// validate says the same, with the same exit code.
			if code, _, _ := scalesim(t, "validate", file); code != 2 {
				t.Errorf("validate: exit %d, want 2", code)
			}
		})
	}
	// The good one is good.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(good), 0o644)
	if code, stdout, stderr := scalesim(t, "validate", filepath.Join(dir, "bad.yaml")); code != 0 || !strings.Contains(stdout, "ok") {
		t.Errorf("validate of a good file: exit %d, %s %s", code, stdout, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--no-such-flag"},
		{"run", "a", "b"},
		{"run", "no-such-scenario"},
		{"run", "minimal", "--format", "gif"},
		{"run", "minimal", "--set", "nonsense"},
		{"scenarios", "show", "nope"},
		{"validate"},
	} {
		if code, _, stderr := scalesim(t, args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

func TestScenariosListAndShow(t *testing.T) {
	code, out, _ := scalesim(t, "scenarios", "list")
	if code != 0 || !strings.Contains(out, "default") || !strings.Contains(out, "minimal") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	code, out, _ = scalesim(t, "scenarios", "show", "minimal")
	if code != 0 || !strings.Contains(out, "name: minimal") {
		t.Errorf("show minimal: exit %d\n%s", code, out)
	}
	if code, out, _ := scalesim(t, "version"); code != 0 || !strings.HasPrefix(out, "scalesim ") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

func TestProgressBarOnlyOnATerminal(t *testing.T) {
	run := func(tty bool, args ...string) string {
		var out, errOut bytes.Buffer
		args = append([]string{"run", "testdata/tiny.yaml", "--no-plots", "-o", filepath.Join(t.TempDir(), "r")}, args...)
		if code := Main(args, &IOStreams{Out: &out, ErrOut: &errOut, ErrTTY: tty}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return withoutWarnings(errOut.String())
	}
	if got := run(true); !strings.Contains(got, "100%") || !strings.Contains(got, "\r") {
		t.Errorf("terminal: no progress bar drawn: %q", got)
	}
	if got := run(true, "-q"); got != "" {
		t.Errorf("terminal with -q: stderr %q, want nothing", got)
	}
	if got := run(false); got != "" {
		t.Errorf("not a terminal: stderr %q, want nothing", got)
	}
}
