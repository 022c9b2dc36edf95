package reports

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestQuantileAmong(t *testing.T) {
	var h Histogram
	for _, v := range []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0} {
		h.Add(v)
	}
	inf := math.Inf(1)
	for _, tc := range []struct {
		q     float64
		total uint64
		want  float64 // 0: Quantile(q); else the exact value, or inf
	}{
		{0.5, 10, 0}, {0.99, 5, 0}, // total <= count: the histogram's own
		{0.5, 20, h.Quantile(1)}, // rank 10 of 20: the largest recorded
		{0.51, 20, inf},          // rank 11 of 20: among the others
		{0.9, 11, h.Quantile(1)}, // rank 10 of 11
		{0.95, 11, inf},          // rank 11 of 11
		{1, 11, inf}, {0, 11, 0.1},
	} {
		want := tc.want
		if want == 0 {
			want = h.Quantile(tc.q)
		}
		if got := h.QuantileAmong(tc.q, tc.total); got != want {
			t.Errorf("QuantileAmong(%v, %d) = %v, want %v", tc.q, tc.total, got, want)
		}
	}
	var empty Histogram
	if got := empty.QuantileAmong(0.5, 0); got != 0 {
		t.Errorf("empty, nothing arrived: %v, want 0", got)
	}
	if got := empty.QuantileAmong(0.01, 3); !Beyond(got) {
		t.Errorf("nothing completed of 3: %v, want +Inf", got)
	}
}

// A non-zero share never reads 0%.
func TestShare(t *testing.T) {
	for f, want := range map[float64]string{0: "0%", 1: "100%", 0.125: "12.5%", 0.0025: "0.25%",
		12.0 / 359891: "0.0033%", 0.00099: "0.099%", 0.9996: "99.96%", 1e-7: "0.000010%", 0.013: "1.3%"} {
		if got := share(f); got != want {
			t.Errorf("share(%v) = %q, want %q", f, got, want)
		}
	}
}

// summary.json holds a percentile beyond every latency as null, and reads
// it back as +Inf; the sweep's run records rely on it.
func TestSummaryBeyondRoundTrip(t *testing.T) {
	s := Summary{Scenario: "x", Services: map[string]ServiceSummary{"web": {
		LatencyS:          Latency{Mean: 0.1, P50: 0.05, P90: 0.2, P95: math.Inf(1), P99: math.Inf(1), P999: math.Inf(1), Max: 4.9, NotCompleted: 0.3},
		LatencyCompletedS: Latency{Mean: 0.1, P50: 0.04, P90: 0.1, P95: 0.3, P99: 1, P999: 3, Max: 4.9},
	}}, Warnings: []Warning{}}
	var b bytes.Buffer
	if err := WriteSummary(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"p95": null`, `"p99": null`, `"p999": null`, `"not_completed": 0.3`,
		`"latency_completed_s": {`, `"warnings": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary.json lacks %s:\n%s", want, b.String())
		}
	}
	if strings.Count(b.String(), "not_completed") != 1 {
		t.Errorf("not_completed is in latency_completed_s:\n%s", b.String())
	}
	back, err := ReadSummary(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Services["web"].LatencyS; got != s.Services["web"].LatencyS {
		t.Errorf("read back %+v, want %+v", got, s.Services["web"].LatencyS)
	}
}

func TestRunWarnings(t *testing.T) {
	codes := func(r Requests) string {
		var c []string
		for _, w := range runWarnings("web", &ServiceSummary{Requests: r}) {
			if w.Service != "web" || w.Message == "" {
				t.Errorf("warning %+v", w)
			}
			c = append(c, w.Code)
		}
		return strings.Join(c, ",")
	}
	for _, tc := range []struct {
		r    Requests
		want string
	}{
		{Requests{}, ""},
		{Requests{Arrived: 1000, Completed: 990, Failed: 5, InFlightAtEnd: 5}, ""}, // 0.5% each: fine
		{Requests{Arrived: 1000, Completed: 980, TimedOut: 9, InFlightAtEnd: 11}, WarnBacklogAtEnd},
		{Requests{Arrived: 1000, Completed: 980, Rejected: 11, InFlightAtEnd: 9}, WarnErrors},
		// minimal at 1000 req/s: 11356 of 3.6M served, no error.
		{Requests{Arrived: 3599087, Completed: 11356, InFlightAtEnd: 3587731}, WarnBacklogAtEnd},
		{Requests{Arrived: 100, Completed: 50, TimedOut: 25, InFlightAtEnd: 25}, WarnBacklogAtEnd + "," + WarnErrors},
	} {
		if got := codes(tc.r); got != tc.want {
			t.Errorf("%+v: warnings %q, want %q", tc.r, got, tc.want)
		}
	}
}

// The summary carries the scenario's warnings first, then the run's; the
// table stays free of them and WriteWarnings prints one line each.
func TestSummaryWarnings(t *testing.T) {
	static := Warning{Code: WarnOverload, Service: "web", Message: "too much"}
	c, err := New(Config{Scenario: "w", Duration: 10e9, Services: []ServiceConfig{{Name: "web", Policy: "cpu"}},
		Warnings: []Warning{static}}, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c.RequestArrived(0, 0)
	}
	s := c.Summary(0, 0)
	if len(s.Warnings) != 2 || s.Warnings[0] != static || s.Warnings[1].Code != WarnBacklogAtEnd {
		t.Fatalf("warnings %+v", s.Warnings)
	}
	var out bytes.Buffer
	if err := WriteWarnings(&out, s); err != nil {
		t.Fatal(err)
	}
	if want := "warning: web: too much\nwarning: web: 10 of 10 requests (100%) are still in flight"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("WriteWarnings:\n%s\nwant it to begin %q", out.String(), want)
	}
	out.Reset()
	WriteTable(&out, s)
	if strings.Contains(out.String(), "warning") {
		t.Errorf("table holds the warnings:\n%s", out.String())
	}
	for _, want := range []string{"IN FLIGHT", "10 (100%)", "∞"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestComparisonWarnings(t *testing.T) {
	common := Warning{Code: WarnOverload, Service: "web", Message: "too much"}
	a, b := compareRunFixture("a", 1, ""), compareRunFixture("b", 1, "")
	a.Summary.Warnings = []Warning{common}
	b.Summary.Warnings = []Warning{common, {Code: WarnErrors, Service: "web", Message: "errors"}}
	var out bytes.Buffer
	if err := WriteComparisonWarnings(&out, &Comparison{Runs: []ComparedRun{a, b}}); err != nil {
		t.Fatal(err)
	}
	if want := "warning: web: too much\nb: warning: web: errors\n"; out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// A sweep whose --require no point meets says so (the command exits 3);
// one without --require says it picked on cost alone.
func TestSweepMetAndCostAlone(t *testing.T) {
	res := testSweep(t, "slo_attainment>=0.9999")
	if res.Met || res.Best >= 0 || res.RequireErr() == nil ||
		res.RequireErr().Error() != "no grid point meets slo_attainment>=0.9999" {
		t.Errorf("met %v, best %d, err %v", res.Met, res.Best, res.RequireErr())
	}
	if res := testSweep(t, "slo_attainment>=0.99"); !res.Met || res.RequireErr() != nil {
		t.Errorf("met %v, err %v", res.Met, res.RequireErr())
	}
	res = testSweep(t)
	if !res.Met || res.RequireErr() != nil || res.Best != 0 {
		t.Fatalf("met %v, err %v, best %d", res.Met, res.RequireErr(), res.Best)
	}
	var b strings.Builder
	if err := res.WriteSweepTable(&b); err != nil {
		t.Fatal(err)
	}
	want := "no --require was given, so it was picked on cost_usd alone: its SLO attainment is 91.0%, the SLO met in 0% of the seeds; 0.30% of its requests were errors"
	if !strings.Contains(b.String(), want) {
		t.Errorf("sweep table:\n%s\nlacks %q", b.String(), want)
	}
}

// A p99 beyond every latency in a run is inf in runs.csv and ∞ in the table.
func TestSweepBeyond(t *testing.T) {
	g := SweepGrid{Seeds: 2, BaseSeed: 1}
	sums := []Summary{sweepSummary(1, 1, 0.9, math.Inf(1), 200), sweepSummary(2, 1, 0.9, 0.2, 0)}
	res, err := AnalyzeSweep(g, sums, SweepAnalysis{Objective: "cost_usd", Confidence: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.WriteRunsCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ",inf,") {
		t.Errorf("runs.csv has no inf:\n%s", b.String())
	}
	var tb strings.Builder
	res.WriteSweepTable(&tb)
	if !strings.Contains(tb.String(), "∞") {
		t.Errorf("sweep table has no ∞:\n%s", tb.String())
	}
}
