package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
)

// The compare tests run testdata/compare.yaml: web (autoscaled, an SLO of
// p95 <= 500 ms) steps from 4 to 12 req/s at 3 min; db has no autoscaler.
// Under cpu (target 50%) web scales too late and misses its SLO; static
// keeps one instance and misses it badly; latency (its target, 400 ms, is
// given in the file's autoscaler block beside the cpu parameters) and
// testdata/compare/aggressive.yaml (cpu at 30%, no scale-down window) meet
// it, latency at the lower cost, so the verdict goes to latency. (web's
// instances are limited to their 500m request: without the limit a lone
// instance would burst onto its idle node and every policy would meet it.)
var comparePolicies = []string{"--policy", "cpu", "--policy", "latency", "--policy", "static", "--policy", "testdata/compare/aggressive.yaml"}

// readComparison reads a comparison folder's comparison.json.
func readComparison(t *testing.T, out string) reports.ComparisonJSON {
	t.Helper()
	var j reports.ComparisonJSON
	b, err := os.ReadFile(filepath.Join(out, reports.ComparisonJSONFile))
	if err == nil {
		err = json.Unmarshal(b, &j)
	}
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// arrivedColumn is the arrived column of one service's rows of a
// timeseries.csv.
func arrivedColumn(t *testing.T, path, service string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := reports.ReadTimeseries(f)
	if err != nil {
		t.Fatal(err)
	}
	var col []string
	for _, r := range rows {
		if r.Service == service {
			col = append(col, fmt.Sprintf("%gs:%d", r.TimeS, r.Arrived))
		}
	}
	return col
}

func TestCompare(t *testing.T) {
	if testing.Short() {
		// Four 10-minute runs with every plot: a minute under the race
		// detector. TestComparePlotsInParallel is its -race -short stand-in.
		t.Skip("runs four policies with plots; TestComparePlotsInParallel covers the parallel plotting")
	}
	out := filepath.Join(t.TempDir(), "cmp")
	code, stdout, stderr := scalesim(t, append([]string{"compare", "testdata/compare.yaml", "-o", out}, comparePolicies...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if withoutWarnings(stderr) != "" {
		t.Errorf("stderr not empty without a terminal: %q", stderr)
	}
	matchGolden(t, "compare.stdout", []byte(stableStdout(stdout, out)))
	csvData, err := os.ReadFile(filepath.Join(out, reports.ComparisonCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	matchGolden(t, "compare.csv", csvData)

	// Common random numbers: every policy saw the same arrivals, in total
	// and interval by interval, for every service.
	labels := []string{"cpu", "latency", "static", "aggressive"}
	j := readComparison(t, out)
	for _, svc := range []string{"web", "db"} {
		want := j.Policies[0].Services[svc].Arrived
		wantCol := arrivedColumn(t, filepath.Join(out, "cpu", reports.TimeseriesFile), svc)
		if want == 0 || len(wantCol) != 20 {
			t.Fatalf("%s: arrived %d, %d intervals", svc, want, len(wantCol))
		}
		for i, p := range j.Policies {
			if p.Label != labels[i] {
				t.Fatalf("policy %d is %q, want %q", i, p.Label, labels[i])
			}
			if got := p.Services[svc].Arrived; got != want {
				t.Errorf("%s under %s: arrived %d, under cpu %d", svc, p.Label, got, want)
			}
			if col := arrivedColumn(t, filepath.Join(out, p.Folder, reports.TimeseriesFile), svc); !slices.Equal(col, wantCol) {
				t.Errorf("%s under %s: arrivals per interval differ from cpu's:\n%v\n%v", svc, p.Label, col, wantCol)
			}
		}
	}
	// Only web's autoscaler varies; the file's parameters apply to NAME.
	if !slices.Equal(j.ComparedServices, []string{"web"}) {
		t.Errorf("compared services %v, want [web]", j.ComparedServices)
	}
	for i, want := range []string{"cpu", "latency", "static", "cpu"} {
		p := j.Policies[i]
		if p.Services["web"].Policy != want || p.Services["db"].Policy != "static" {
			t.Errorf("%s: web ran %s, db %s; want %s and static", p.Label, p.Services["web"].Policy, p.Services["db"].Policy, want)
		}
	}
	if j.Policies[3].Source != "testdata/compare/aggressive.yaml" {
		t.Errorf("the file's source is %q", j.Policies[3].Source)
	}
	if j.CheapestMeetingSLO == nil || *j.CheapestMeetingSLO != "latency" || j.Cheapest != "static" {
		t.Errorf("verdict: cheapest %q, meeting the SLO %v; want static and latency", j.Cheapest, j.CheapestMeetingSLO)
	}
	if !strings.Contains(stdout, "the cheapest policy that meets the SLO is latency") {
		t.Errorf("stdout does not name the cheapest policy meeting the SLO:\n%s", stdout)
	}

	// Each policy's folder is a full results folder.
	for _, l := range labels {
		for _, f := range []string{"summary.json", "timeseries.csv", "decisions.jsonl", "events.jsonl", "report.html", "load-web.png", "dashboard-db.png"} {
			if _, err := os.Stat(filepath.Join(out, l, f)); err != nil {
				t.Errorf("%s lacks %s", l, f)
			}
		}
	}
	// The comparison's own report.html: the verdict and every policy.
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append([]string{"the cheapest policy that meets the SLO is latency", "scalesim comparison"}, labels...) {
		if !strings.Contains(string(page), s) {
			t.Errorf("the comparison's report.html lacks %q", s)
		}
	}
	// The overlay plots decode as images of a sensible size; db has no SLO,
	// so no cost-slo plot.
	for _, name := range []string{"replicas-web.png", "p99-web.png", "cost-slo-web.png", "replicas-db.png", "p99-db.png"} {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, format, err := image.DecodeConfig(f)
		f.Close()
		if err != nil || format != "png" || cfg.Width < 800 || cfg.Height < 450 || cfg.Width > 2000 || cfg.Height > 1200 {
			t.Errorf("%s: %v, %s %dx%d; want a PNG about 864x480", name, err, format, cfg.Width, cfg.Height)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "cost-slo-db.png")); err == nil {
		t.Error("cost-slo-db.png written for a service without an SLO")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".scalesim-tmp-*")); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// compare draws each run's plots and report in that run's goroutine, one
// run per CPU at once, so gonum/plot's shared state (fonts, caches) is used
// from several goroutines: this is where CI's race detector (-race -short)
// watches it. The two runs here are the same run (static, once by name and
// once from a file), drawn at the same time: their plots must be
// byte-identical.
func TestComparePlotsInParallel(t *testing.T) {
	dir := t.TempDir()
	again := filepath.Join(dir, "again.yaml")
	if err := os.WriteFile(again, []byte("autoscaler: {policy: static}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cmp")
	if code, _, stderr := scalesim(t, "compare", "minimal", "--set", "duration=10m", "--policy", "static", "--policy", again, "-q", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	names, err := filepath.Glob(filepath.Join(out, "static", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 5 {
		t.Fatalf("%d plots in the static run, want at least 5 (it draws 7)", len(names))
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	sameFiles(t, filepath.Join(out, "static"), filepath.Join(out, "again"), names)
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("GOMAXPROCS is 1: the two runs were drawn one after the other")
	}
}

// The results do not depend on the order the runs finish in, nor on the
// order the policies are given (but for the order of the rows).
func TestCompareIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	rows := func(out string, args ...string) map[string]string {
		t.Helper()
		args = append([]string{"compare", "testdata/compare.yaml", "--no-plots", "-q", "-o", filepath.Join(dir, out)}, args...)
		if code, _, stderr := scalesim(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		f, err := os.Open(filepath.Join(dir, out, reports.ComparisonCSVFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range recs[1:] {
			m[r[0]+"/"+r[2]] = strings.Join(r, ",")
		}
		return m
	}
	a := rows("a", comparePolicies...)
	prev := runtime.GOMAXPROCS(1)
	b := rows("b", "--policy", "testdata/compare/aggressive.yaml", "--policy", "static", "--policy", "latency", "--policy", "cpu")
	runtime.GOMAXPROCS(prev)
	if len(a) != 8 {
		t.Fatalf("%d rows, want 8", len(a))
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("row %s differs:\n%s\n%s", k, v, b[k])
		}
	}
}

// --service picks the services the policies apply to; the others keep
// their own autoscaler in every run.
func TestCompareService(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	code, _, stderr := scalesim(t, "compare", "testdata/compare.yaml", "--no-plots", "-q", "-o", out,
		"--service", "db", "--policy", "cpu", "--policy", "static")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	j := readComparison(t, out)
	if !slices.Equal(j.ComparedServices, []string{"db"}) {
		t.Errorf("compared %v, want [db]", j.ComparedServices)
	}
	for _, p := range j.Policies {
		if p.Services["db"].Policy != p.Label || p.Services["web"].Policy != "cpu" {
			t.Errorf("%s: db ran %s, web %s", p.Label, p.Services["db"].Policy, p.Services["web"].Policy)
		}
	}
}

// Bad usage and bad policies: exit code 2, a message that says what is
// wrong and what is allowed, and nothing written.
func TestCompareUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cpuFile := write("cpu.yaml", "autoscaler: {policy: cpu, target_utilization: 40}\n")
	badKey := write("bad-key.yaml", "autoscaler: {policy: cpu}\nreplicas: {max: 3}\n")
	badValue := write("bad-value.yaml", "autoscaler:\n  policy: cpu\n  target_utilization: lots\n")
	notMapping := write("list.yaml", "- autoscaler\n")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no policy", []string{"testdata/compare.yaml"}, []string{"no --policy given", "static, cpu, memory, hpa, keda, requests-in-flight, latency, cloud"}},
		{"unknown name", []string{"testdata/compare.yaml", "--policy", "cpu", "--policy", "magic"},
			[]string{`--policy "magic": not a policy (allowed: static, cpu, memory, hpa, keda, requests-in-flight, latency, cloud, kpa, target-tracking, step-scaling, predictive)`}},
		{"duplicate name", []string{"testdata/compare.yaml", "--policy", "cpu", "--policy", "cpu"}, []string{`same label "cpu"`}},
		{"file and name alike", []string{"testdata/compare.yaml", "--policy", "cpu", "--policy", cpuFile}, []string{`same label "cpu"`}},
		{"missing file", []string{"testdata/compare.yaml", "--policy", "cpu", "--policy", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml", "no such file"}},
		{"file with another key", []string{"testdata/compare.yaml", "--policy", badKey}, []string{"bad-key.yaml:2:1: unknown key \"replicas\"", "autoscaler:"}},
		{"file not a mapping", []string{"testdata/compare.yaml", "--policy", notMapping}, []string{"list.yaml", "one block, 'autoscaler:'"}},
		// A problem in the file is located in it.
		{"bad value in file", []string{"testdata/compare.yaml", "--policy", badValue}, []string{"bad-value.yaml:3:3: autoscaler.target_utilization:"}},
		// The latency policy needs a target: minimal has none and no SLO.
		{"name invalid here", []string{"minimal", "--policy", "cpu", "--policy", "latency"}, []string{"--policy latency: services.web.autoscaler.target: the latency policy needs a target"}},
		{"unknown service", []string{"testdata/compare.yaml", "--policy", "cpu", "--service", "api"}, []string{`--service "api"`, "web, db"}},
		{"bad scenario", []string{"no-such-scenario", "--policy", "cpu"}, []string{"no-such-scenario"}},
		{"bad format", []string{"testdata/compare.yaml", "--policy", "cpu", "--format", "gif"}, []string{"--format"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out")
			code, stdout, stderr := scalesim(t, append(append([]string{"compare"}, tc.args...), "-o", out)...)
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
			if _, err := os.Stat(out); err == nil {
				t.Error("a results folder was written")
			}
		})
	}
}

// On a terminal the runs going at once share one progress bar, which ends
// once at 100%; with -q, or off a terminal, nothing is drawn.
func TestCompareProgressBar(t *testing.T) {
	run := func(tty bool, args ...string) string {
		var out, errOut bytes.Buffer
		args = append([]string{"compare", "testdata/compare.yaml", "--no-plots", "-o", filepath.Join(t.TempDir(), "c"),
			"--policy", "cpu", "--policy", "static", "--policy", "latency"}, args...)
		if code := Main(args, &IOStreams{Out: &out, ErrOut: &errOut, ErrTTY: tty}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return withoutWarnings(errOut.String())
	}
	got := run(true)
	if !strings.HasPrefix(got, "\rcompare x3 [") || strings.Count(got, "100%") != 1 || strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
		t.Errorf("terminal: want one bar ending at 100%%, got %q", got)
	}
	if got := run(true, "-q"); got != "" {
		t.Errorf("terminal with -q: stderr %q, want nothing", got)
	}
	if got := run(false); got != "" {
		t.Errorf("not a terminal: stderr %q, want nothing", got)
	}
}

// keda has no default trigger (a ScaledObject's triggers are required,
// and KEDA's scalers have no default threshold): compare --policy keda on
// a scenario without triggers is one line saying what to add, a request
// trigger first, exit 2, nothing written.
func TestCompareKEDAWithoutTriggers(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := scalesim(t, "compare", "aws-step", "--policy", "cpu", "--policy", "keda", "-o", out)
	if code != 2 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	for _, w := range []string{"--policy keda: services.web.autoscaler.triggers: give at least one trigger",
		"{type: prometheus, metric: requests_per_second, threshold: 40}"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a results folder was written")
	}
}
