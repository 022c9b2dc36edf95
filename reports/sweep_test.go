package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func within(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestMeanCI checks the Student-t interval against values worked out by
// hand: mean, s with n-1, se = s/√n and the t quantile for n-1 degrees of
// freedom from a table (t(0.975, 4) = 2.776445, t(0.975, 1) = 12.706205,
// t(0.995, 4) = 4.604095).
func TestMeanCI(t *testing.T) {
	for _, tc := range []struct {
		xs             []float64
		conf           float64
		mean, half     float64
		noInterval     bool
		noMeanEitherIf bool
	}{
		// mean 3, s² = (4+1+0+1+4)/4 = 2.5, se = √(2.5/5) = 0.707107.
		{xs: []float64{1, 2, 3, 4, 5}, conf: 0.95, mean: 3, half: 2.776445 * 0.70710678},
		{xs: []float64{1, 2, 3, 4, 5}, conf: 0.99, mean: 3, half: 4.604095 * 0.70710678},
		// mean 11, s = √2, se = 1.
		{xs: []float64{10, 12}, conf: 0.95, mean: 11, half: 12.706205},
		// No spread: the interval is the mean.
		{xs: []float64{7, 7, 7}, conf: 0.95, mean: 7, half: 0},
		{xs: []float64{4}, conf: 0.95, mean: 4, noInterval: true},
	} {
		mean, lo, hi := MeanCI(tc.xs, tc.conf)
		if !within(mean, tc.mean, 1e-12) {
			t.Errorf("MeanCI(%v, %v) mean = %v, want %v", tc.xs, tc.conf, mean, tc.mean)
		}
		if tc.noInterval {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Errorf("MeanCI(%v) = [%v, %v], want no interval", tc.xs, lo, hi)
			}
			continue
		}
		if !within(lo, tc.mean-tc.half, 1e-5) || !within(hi, tc.mean+tc.half, 1e-5) {
			t.Errorf("MeanCI(%v, %v) = [%v, %v], want %v ± %v", tc.xs, tc.conf, lo, hi, tc.mean, tc.half)
		}
	}
	if m, lo, hi := MeanCI(nil, 0.95); !math.IsNaN(m) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("MeanCI(nil) = %v [%v, %v], want NaN", m, lo, hi)
	}
}

func TestSweepGrid(t *testing.T) {
	g := SweepGrid{Params: []SweepParam{{Path: "a", Values: []string{"1", "2"}}, {Path: "f", Values: []string{"x"}},
		{Path: "b", Values: []string{"p", "q", "r"}}}, Seeds: 2, BaseSeed: 10}
	if g.Points() != 6 || g.Runs() != 12 {
		t.Fatalf("Points, Runs = %d, %d; want 6, 12", g.Points(), g.Runs())
	}
	// Row-major: the last param varies fastest.
	want := [][]string{{"1", "x", "p"}, {"1", "x", "q"}, {"1", "x", "r"}, {"2", "x", "p"}, {"2", "x", "q"}, {"2", "x", "r"}}
	for p, w := range want {
		if v := g.Values(p); !slices.Equal(v, w) {
			t.Errorf("Values(%d) = %v, want %v", p, v, w)
		}
	}
	if p, k, seed := g.Run(7); p != 3 || k != 1 || seed != 11 {
		t.Errorf("Run(7) = %d, %d, %d; want point 3, replicate 1, seed 11", p, k, seed)
	}
	if v := g.Varied(); !slices.Equal(v, []int{0, 2}) {
		t.Errorf("Varied = %v, want [0 2]", v)
	}
	if d := g.Describe(4); d != "a=2 f=x b=q" {
		t.Errorf("Describe(4) = %q", d)
	}
}

func TestParseRequirement(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{in: "slo_attainment>=0.999", want: "slo_attainment>=0.999"},
		{in: " slo >= 99.9% ", want: "slo_attainment>=0.999"},
		{in: "p99<0.25", want: "latency_p99_s<0.25"},
		{in: "web.p95<=1e-1", want: "web.latency_p95_s<=0.1"},
		{in: "errors<=0", want: "errors<=0"},
		{in: "cost", err: true},
		{in: "slo=>0.9", err: true},
		{in: "slo>=x", err: true},
		{in: "slo>=NaN", err: true},
		{in: "slo==1", err: true},
	} {
		r, err := ParseRequirement(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseRequirement(%q) = %v, want an error", tc.in, r)
			}
			continue
		}
		if err != nil || r.String() != tc.want {
			t.Errorf("ParseRequirement(%q) = %v, %v; want %s", tc.in, r, err, tc.want)
		}
	}
	for in, want := range map[string]string{"cost": "cost_usd", "min:p99": "latency_p99_s", "max:slo": "slo_attainment"} {
		f, max, err := ParseObjective(in)
		if err != nil || f != want || max != strings.HasPrefix(in, "max:") {
			t.Errorf("ParseObjective(%q) = %q, %v, %v", in, f, max, err)
		}
	}
}

// sweepSummary is a one-service summary with the figures the tests vary.
func sweepSummary(seed uint64, usd, attainment, p99 float64, rejected uint64) Summary {
	return Summary{Scenario: "t", Seed: seed, Events: 100, Services: map[string]ServiceSummary{
		"web": {
			Requests: Requests{Arrived: 1000, Completed: 1000 - rejected, Rejected: rejected},
			LatencyS: Latency{P50: p99 / 4, P95: p99 / 2, P99: p99},
			Replicas: Replicas{Mean: usd * 10},
			Cost:     Cost{USD: usd, InstanceHours: usd * 100},
			SLO:      &SLOResult{Met: attainment >= 0.99, Attainment: attainment, Percentile: 99, LatencyTargetS: 0.5},
		},
	}}
}

// A grid of three points: cheap but unreliable, middle, expensive and
// reliable; the middle one meets slo_attainment>=0.99 only on its mean, the
// expensive one at the lower end of its interval too.
func testSweep(t *testing.T, require ...string) *SweepResult {
	t.Helper()
	g := SweepGrid{Params: []SweepParam{{Path: "min", Values: []string{"1", "2", "3"}}}, Seeds: 3, BaseSeed: 1}
	data := [][3][2]float64{ // [point][seed] = {usd, attainment}
		{{1, 0.90}, {1.1, 0.92}, {0.9, 0.91}},
		{{2, 0.999}, {2.1, 0.98}, {1.9, 0.995}},
		{{3, 0.999}, {3, 0.998}, {3, 0.9995}},
	}
	var sums []Summary
	for p := range 3 {
		for k := range 3 {
			sums = append(sums, sweepSummary(uint64(1+k), data[p][k][0], data[p][k][1], 0.1*float64(p+1), uint64(3-p)))
		}
	}
	a := SweepAnalysis{Objective: "cost_usd", Confidence: 0.95}
	for _, s := range require {
		r, err := ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		a.Require = append(a.Require, r)
	}
	res, err := AnalyzeSweep(g, sums, a)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAnalyzeSweep(t *testing.T) {
	res := testSweep(t, "slo_attainment>=0.99")
	if res.Best != 2 {
		t.Errorf("best = %d, want 2 (point 1 meets the requirement on its mean only)", res.Best)
	}
	if m := res.Points[1].Stats["slo_attainment"].Mean; !(m >= 0.99) {
		t.Fatalf("point 1's mean attainment %v: the test wants it above 0.99", m)
	}
	for i, want := range []bool{false, false, true} {
		if res.Points[i].Meets != want {
			t.Errorf("point %d meets = %v, want %v", i, res.Points[i].Meets, want)
		}
	}
	// Each point buys attainment with cost: all on the front.
	for i := range res.Points {
		if !res.Points[i].Pareto {
			t.Errorf("point %d not on the Pareto front", i)
		}
	}
	st := res.Points[0].Stats["cost_usd"]
	mean, lo, hi := MeanCI([]float64{1, 1.1, 0.9}, 0.95)
	if st.Mean != mean || st.Lo != lo || st.Hi != hi || st.N != 3 {
		t.Errorf("point 0 cost = %+v, want MeanCI's %v [%v, %v]", st, mean, lo, hi)
	}
	if f := res.Points[1].Stats[SloMetFraction].Mean; !within(f, 2.0/3, 1e-12) {
		t.Errorf("point 1 slo_met_fraction = %v, want 2/3", f)
	}

	// No requirement: the cheapest point.
	if res := testSweep(t); res.Best != 0 {
		t.Errorf("best without requirements = %d, want 0", res.Best)
	}
	// An upper-bound requirement is checked at the upper end.
	// (point 0's cost: mean 1, s = 0.1, upper end 1 + 4.303 x 0.1/√3 = 1.248)
	if res := testSweep(t, "cost<=1.3"); res.Best != 0 || !res.Points[0].Meets {
		t.Errorf("cost<=1.3: best %d, want 0", res.Best)
	}
	if res := testSweep(t, "cost<=1.2"); res.Best != -1 {
		t.Errorf("cost<=1.2: best %d, want none (the upper end of point 0's interval is above)", res.Best)
	}
}

func TestSweepFiles(t *testing.T) {
	res := testSweep(t, "slo>=0.99")
	var runs, points, best bytes.Buffer
	if err := res.WriteRunsCSV(&runs); err != nil {
		t.Fatal(err)
	}
	if err := res.WritePointsCSV(&points); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteBestJSON(&best); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(runs.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("runs.csv has %d lines, want a header and 9 runs:\n%s", len(lines), runs.String())
	}
	wantHead := "run,point,replicate,seed,min,cost_usd,instance_hours,replicas_mean,latency_p50_s,latency_p95_s,latency_p99_s,slo_attainment,slo_met,arrived,completed,rejected,failed,timed_out,errors,error_rate,events"
	if lines[0] != wantHead {
		t.Errorf("runs.csv header\n got %s\nwant %s", lines[0], wantHead)
	}
	if want := "4,1,1,2,2,2.1,210,21,0.05,0.1,0.2,0.98,false,1000,998,2,0,0,2,0.002,100"; lines[5] != want {
		t.Errorf("runs.csv run 4\n got %s\nwant %s", lines[5], want)
	}
	plines := strings.Split(strings.TrimSpace(points.String()), "\n")
	if len(plines) != 4 || !strings.HasPrefix(plines[0], "point,min,runs,cost_usd_mean,cost_usd_ci_low,cost_usd_ci_high,") ||
		!strings.HasSuffix(plines[0], ",slo_met_fraction,pareto,meets,best") {
		t.Errorf("points.csv:\n%s", points.String())
	}
	if !strings.HasPrefix(plines[3], "2,3,3,3,3,3,") || !strings.HasSuffix(plines[3], ",true,true,true") {
		t.Errorf("points.csv point 2: %s", plines[3])
	}
	var b struct {
		Require []string
		Best    struct {
			Point   int
			Figures map[string]struct{ Mean float64 }
		}
	}
	if err := json.Unmarshal(best.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if b.Best.Point != 2 || b.Best.Figures["cost_usd"].Mean != 3 || !slices.Equal(b.Require, []string{"slo_attainment>=0.99"}) {
		t.Errorf("best.json: %s", best.String())
	}
	if !strings.Contains(best.String(), `"slo_attainment>=0.99"`) {
		t.Errorf("best.json escapes the requirement: %s", best.String())
	}
}
