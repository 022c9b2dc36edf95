package plots

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
)

// run is a one-service ComparedRun: web costing usd, with an SLO met or
// missed (slo "met", "missed") or none (slo "").
func compareRunFixture(label string, usd float64, slo string) reports.ComparedRun {
	s := reports.ServiceSummary{Policy: label, Requests: reports.Requests{Arrived: 1000, Completed: 990, Rejected: 10},
		Cost: reports.Cost{USD: usd, InstanceHours: usd * 10}}
	if slo != "" {
		s.SLO = &reports.SLOResult{Met: slo == "met", LatencyTargetS: 0.5, Percentile: 99, Objective: 0.99, Attainment: 0.995}
		if slo == "missed" {
			s.SLO.Attainment = 0.95
		}
	}
	return reports.ComparedRun{Label: label, Source: label, Folder: label,
		Summary: reports.Summary{Scenario: "s", Seed: 1, DurationS: 600, Services: map[string]reports.ServiceSummary{"web": s}}}
}

// comparisonFolder writes two synthetic runs, the second with one more
// replica and a slower p99, costlier and closer to its SLO, and returns
// their Comparison.
func comparisonFolder(t *testing.T, dir string) *reports.Comparison {
	t.Helper()
	c := &reports.Comparison{Scenario: "flash-crowd", Seed: 42, DurationS: syntheticRun.durationS, Compared: []string{"web"}}
	for i, label := range []string{"cpu", "latency"} {
		sub := filepath.Join(dir, label)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		sum := syntheticRun.write(t, sub)
		if i > 0 {
			f, err := os.Open(filepath.Join(sub, reports.TimeseriesFile))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := reports.ReadTimeseries(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			ts := []byte(reports.TimeseriesHeader + "\n")
			for _, r := range rows {
				r.ReplicasAlive += 1
				r.LatencyP99S *= 1.6
				ts = reports.AppendTimeseriesRow(ts, &r)
			}
			writeTestFile(t, sub, reports.TimeseriesFile, ts)
		}
		web := sum.Services["web"]
		web.Cost.USD += float64(i)
		web.SLO.Attainment += 0.01 * float64(i)
		sum.Services["web"] = web
		c.Runs = append(c.Runs, reports.ComparedRun{Label: label, Source: label, Folder: label, Summary: sum})
	}
	return c
}

func TestWriteComparisonPlots(t *testing.T) {
	dir := t.TempDir()
	c := comparisonFolder(t, dir)
	opts := reports.ComparisonPlotOptions{Warmup: syntheticPlotOptions.Warmup, Objectives: map[string]float64{"web": 0.99}}
	files, err := WriteComparisonPlots(dir, reports.PNG, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	// api has no SLO: no cost-slo plot.
	want := []string{"replicas-api.png", "p99-api.png", "replicas-web.png", "p99-web.png", "cost-slo-web.png"}
	if !slices.Equal(files, want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for _, name := range files {
		cfg := pngConfig(t, filepath.Join(dir, name))
		if cfg.Width < 800 || cfg.Height < 450 || cfg.Width > 2000 || cfg.Height > 1200 {
			t.Errorf("%s is %dx%d, want about 864x480", name, cfg.Width, cfg.Height)
		}
	}
	// One line per policy in its colour.
	img := decodePNG(t, filepath.Join(dir, "p99-web.png"))
	for i, col := range []int{0, 1} {
		if n := countNear(img, policyColors[col].(color.NRGBA), 40); n < 200 {
			t.Errorf("p99-web.png: %d pixels of policy %d's colour, want many", n, i)
		}
	}

	files, err = WriteComparisonPlots(dir, reports.SVG, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if w, h := checkSVG(t, name, b); w < 600 || h < 350 {
			t.Errorf("%s is %gx%g pt, want at least 600x350", name, w, h)
		}
	}
	for name, texts := range map[string][]string{
		"replicas-web.svg": {"web — replicas per policy", "arrival rate", "replicas (alive)", "cpu", "latency", "zone-outage a", "warmup"},
		"p99-web.svg":      {"web — p99 latency per policy", "SLO: p99 ≤ 250 ms", "cpu", "latency"},
		"cost-slo-web.svg": {"web — cost against SLO attainment", "cost of web (USD)", "SLO attainment (%)", "objective 99%", "cpu", "latency", "meets the SLO", "misses it"},
	} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		for _, text := range texts {
			if !strings.Contains(string(b), text) {
				t.Errorf("%s lacks %q", name, text)
			}
		}
	}

	if _, err := WriteComparisonPlots(dir, "gif", c, opts); err == nil {
		t.Error("format gif: no error")
	}
	c.Runs[1].Folder = "missing"
	if _, err := WriteComparisonPlots(dir, reports.PNG, c, opts); err == nil || !strings.Contains(err.Error(), "policy latency") {
		t.Errorf("a missing run folder: %v, want an error naming the policy", err)
	}
}

// Two points at one place share a label; a single run and runs that cost
// nothing still draw.
func TestCostSLOEdgeCases(t *testing.T) {
	for _, runs := range [][]reports.ComparedRun{
		{compareRunFixture("a", 1, "met"), compareRunFixture("b", 1, "met")},
		{compareRunFixture("a", 0, "missed")},
		{compareRunFixture("a", 0, "met"), compareRunFixture("b", 0.001, "missed")},
	} {
		c := &reports.Comparison{Runs: runs}
		b, err := costSLOFigure("web", c, 0.999).render(reports.SVG, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 2 && runs[0].Summary.Services["web"].Cost == runs[1].Summary.Services["web"].Cost &&
			!strings.Contains(string(b), "a, b") {
			t.Errorf("coincident points do not share a label")
		}
	}
}
