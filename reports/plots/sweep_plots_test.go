package plots

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
)

func sweepSummary(seed uint64, usd, attainment, p99 float64, rejected uint64) reports.Summary {
	return reports.Summary{Scenario: "t", Seed: seed, Events: 100, Services: map[string]reports.ServiceSummary{
		"web": {
			Requests: reports.Requests{Arrived: 1000, Completed: 1000 - rejected, Rejected: rejected},
			LatencyS: reports.Latency{P50: p99 / 4, P95: p99 / 2, P99: p99},
			Replicas: reports.Replicas{Mean: usd * 10},
			Cost:     reports.Cost{USD: usd, InstanceHours: usd * 100},
			SLO:      &reports.SLOResult{Met: attainment >= 0.99, Attainment: attainment, Percentile: 99, LatencyTargetS: 0.5},
		},
	}}
}

// A grid of three points: cheap but unreliable, middle, expensive and
// reliable; the middle one meets slo_attainment>=0.99 only on its mean, the
// expensive one at the lower end of its interval too.
func testSweep(t *testing.T, require ...string) *reports.SweepResult {
	t.Helper()
	g := reports.SweepGrid{Params: []reports.SweepParam{{Path: "min", Values: []string{"1", "2", "3"}}}, Seeds: 3, BaseSeed: 1}
	data := [][3][2]float64{ // [point][seed] = {usd, attainment}
		{{1, 0.90}, {1.1, 0.92}, {0.9, 0.91}},
		{{2, 0.999}, {2.1, 0.98}, {1.9, 0.995}},
		{{3, 0.999}, {3, 0.998}, {3, 0.9995}},
	}
	var sums []reports.Summary
	for p := range 3 {
		for k := range 3 {
			sums = append(sums, sweepSummary(uint64(1+k), data[p][k][0], data[p][k][1], 0.1*float64(p+1), uint64(3-p)))
		}
	}
	a := reports.SweepAnalysis{Objective: "cost_usd", Confidence: 0.95}
	for _, s := range require {
		r, err := reports.ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		a.Require = append(a.Require, r)
	}
	res, err := reports.AnalyzeSweep(g, sums, a)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWriteSweepPlots(t *testing.T) {
	dir := t.TempDir()
	res := testSweep(t, "slo>=0.99")
	files, err := WriteSweepPlots(dir, reports.SVG, res)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sweep-cost_usd-vs-min.svg", "sweep-instance_hours-vs-min.svg", "sweep-replicas_mean-vs-min.svg",
		"sweep-latency_p50_s-vs-min.svg", "sweep-latency_p95_s-vs-min.svg", "sweep-latency_p99_s-vs-min.svg",
		"sweep-slo_attainment-vs-min.svg", "sweep-errors-vs-min.svg", "sweep-error_rate-vs-min.svg", "sweep-pareto.svg"}
	if !slices.Equal(files, want) {
		t.Errorf("plots %v\nwant %v", files, want)
	}
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}

	// Two varied params, categorical and duration values, one seed (no
	// intervals).
	g := reports.SweepGrid{Params: []reports.SweepParam{{Path: "lb", Values: []string{"round-robin", "least-requests"}},
		{Path: "window", Values: []string{"30s", "5m"}}}, Seeds: 1, BaseSeed: 1}
	var sums []reports.Summary
	for p := range 4 {
		sums = append(sums, sweepSummary(1, float64(p+1), 0.99, 0.2, 0))
	}
	res2, err := reports.AnalyzeSweep(g, sums, reports.SweepAnalysis{Objective: "cost_usd", Confidence: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	files, err = WriteSweepPlots(dir, reports.SVG, res2)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*9+1 {
		t.Errorf("%d plots, want 19: %v", len(files), files)
	}
}

// TestParetoLabels: every point of the Pareto chart is labelled with its
// param values (not p0-p2), the chosen point is named the same way, and
// attainment is in percent: the points sit at 91%, 99.13% and 99.9% on
// the y axis, whose label says so.
func TestParetoLabels(t *testing.T) {
	res := testSweep(t, "slo>=0.99")
	fig, err := paretoFigure(res)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fig.render(reports.SVG, 1)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	for _, s := range []string{">min=1<", ">min=2<", ">min=3<", ">chosen: min=3<", ">SLO attainment (%)<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("the Pareto chart lacks %q", s)
		}
	}
	if strings.Contains(svg, ">p0<") || strings.Contains(svg, ">best (p") {
		t.Errorf("the Pareto chart still names points by index")
	}
	if lo, hi := fig.panels[0].p.Y.Min, fig.panels[0].p.Y.Max; !(lo < 91 && lo > 80 && hi > 99.9 && hi <= 101) {
		t.Errorf("y axis [%v, %v], want about [90, 100] (percent)", lo, hi)
	}
	if got := pointLabel(res, &res.Points[1]); got != "min=2" {
		t.Errorf("pointLabel = %q", got)
	}
}
