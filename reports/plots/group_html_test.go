package plots

import (
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
)

// stuckRun adds to c a third setting, "stuck", whose time series are the
// first run's (so its lines coincide with it) but whose requests never
// completed: attainment 0, every percentile beyond every latency.
func stuckRun(t *testing.T, dir string, c *reports.Comparison) {
	t.Helper()
	sub := filepath.Join(dir, "stuck")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := syntheticRun.write(t, sub)
	web := sum.Services["web"]
	web.Requests.Completed, web.Requests.Rejected = 0, web.Requests.Arrived
	web.SLO.Attainment, web.SLO.Met = 0, false
	sum.Services["web"] = web
	c.Runs = append(c.Runs, reports.ComparedRun{Label: "stuck", Source: "stuck.yaml", Folder: "stuck", Summary: sum})
}

// TestWriteComparisonHTML: the comparison's report.html from hand-built
// runs: self-contained with no script, the verdict as Comparison.Verdict
// words it, web (the compared service) before api, every setting's
// attainment in percent, the one that never completed shown by its 0%
// in the table and in the overlays' legends, the overlays inline, and a
// link to each run's report.
func TestWriteComparisonHTML(t *testing.T) {
	dir := t.TempDir()
	c := comparisonFolder(t, dir)
	stuckRun(t, dir, c)
	opts := reports.ComparisonPlotOptions{Warmup: syntheticPlotOptions.Warmup, Objectives: map[string]float64{"web": 0.99}}
	if err := WriteComparisonHTML(dir, c, opts); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	checkBalanced(t, page)
	for _, bad := range []string{"<script", "<link", "<img", "src=", "url(", `href="http`} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	for _, s := range []string{
		"<h1>flash-crowd <small>scalesim comparison</small>", "3 settings",
		`<p class="verdict bad">` + c.Verdict().String() + "</p>",
		"<thead><tr><th></th><th>cpu</th><th>latency</th><th>stuck</th></tr></thead>",
		// 98.12% (the synthetic summary), 1 point more, nothing.
		`<td class="label">attainment</td><td class="bad">` + reports.FormatPercent(0.9812) + `</td><td class="bad">` +
			reports.FormatPercent(0.9912) + `</td><td class="bad">` + reports.FormatPercent(0) + `</td>`,
		// 12,621 of 987,654 requests; all of them.
		`<td class="label">error rate</td><td class="bad">` + reports.FormatShare(12621.0/987654) + `</td><td class="bad">` +
			reports.FormatShare(12621.0/987654) + `</td><td class="bad">100%</td>`,
		`<figure class="plot" data-kind="replicas"><svg role="img" aria-label="web: replicas per policy"`,
		`data-kind="p99"`, `data-kind="cost-slo"`, "stuck (SLO " + reports.FormatPercent(0) + ")", "cpu (SLO " + reports.FormatPercent(0.9812) + ")",
		`<a href="cpu/report.html">cpu (cpu)</a>`, `<a href="stuck/report.html">stuck (stuck.yaml)</a>`,
		`<h2>All services</h2>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	if w, a := strings.Index(page, `<section id="table-1">`+"\n<h2>web"), strings.Index(page, "<h2>api"); w < 0 || a < w {
		t.Errorf("web's table is not first (web at %d, api at %d)", w, a)
	}
}

// TestOverlappingPoliciesVisible: "stuck" replays cpu's time series, so
// their replicas lines coincide exactly. Each policy's line is narrower
// than the one before and differently dashed, so in the PNG both the first
// policy's blue and the third's green show along the shared line.
func TestOverlappingPoliciesVisible(t *testing.T) {
	if testing.Short() {
		t.Skip("draws PNGs or runs a browser: slow under -race; run without -short")
	}
	for i := range 4 {
		a, b := policyStyle(i), policyStyle(i+1)
		if !(b.Width < a.Width) || slices.Equal(a.Dashes, b.Dashes) {
			t.Errorf("policy %d and %d: widths %v, %v; dashes %v, %v", i, i+1, a.Width, b.Width, a.Dashes, b.Dashes)
		}
	}
	dir := t.TempDir()
	c := comparisonFolder(t, dir)
	stuckRun(t, dir, c)
	if _, err := WriteComparisonPlots(dir, reports.PNG, c, reports.ComparisonPlotOptions{}); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, filepath.Join(dir, "replicas-web.png"))
	// The lower panel: the replicas.
	low := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(0, img.Bounds().Dy()/2, img.Bounds().Dx()*3/4, img.Bounds().Dy()))
	blue, green := countNear(low, colBlue, 30), countNear(low, colGreen, 30)
	// With one width and solid lines the last drawn (green) would cover
	// the blue entirely.
	if blue < 800 || green < 300 {
		t.Errorf("along the shared line: %d blue pixels (cpu), %d green (stuck); want both visible", blue, green)
	}
}

// TestWriteSweepHTML: the sweep's report.html from the hand-built sweep of
// three points: every point a row by its param value, with its intervals,
// Pareto and requirement columns, the chosen one (min=3) marked; the
// verdict; the Pareto chart labelled by param values; the figures against
// the param.
func TestWriteSweepHTML(t *testing.T) {
	dir := t.TempDir()
	res := testSweep(t, "slo>=0.99")
	if err := WriteSweepHTML(dir, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	checkBalanced(t, page)
	if strings.Contains(page, "<script") || strings.Contains(page, "src=") {
		t.Errorf("report.html is not self-contained")
	}
	for _, s := range []string{
		"3 grid points", "3 seeds each", "95% confidence intervals",
		"<th>point</th><th>min</th><th>cost (95% CI)</th><th>p99 (95% CI)</th><th>SLO attainment (95% CI)</th>",
		`<tr class="chosen"><td class="label">2</td><td>3</td>`, `<td class="good">chosen</td>`,
		`<p class="verdict good">best (smallest mean cost_usd with slo_attainment&gt;=0.99`,
		`data-kind="sweep-pareto"`, ">min=1<", ">min=2<", ">chosen: min=3<",
		`aria-label="SLO attainment (%) by min"`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	if n := strings.Count(page, "<tr><td class=\"label\">"); n != 2 {
		t.Errorf("%d plain point rows, want 2 (and the chosen one)", n)
	}
}

// TestGroupReportsInBrowser renders the comparison's and the sweep's
// report.html in headless Chromium: below the verdict and the tables, the
// inline plots show their lines (the first policy's blue; the sweep's
// grid points in blue and its Pareto front in red).
func TestGroupReportsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("draws PNGs or runs a browser: slow under -race; run without -short")
	}
	dir := t.TempDir()
	c := comparisonFolder(t, dir)
	if err := WriteComparisonHTML(dir, c, reports.ComparisonPlotOptions{}); err != nil {
		t.Fatal(err)
	}
	img := screenshot(t, filepath.Join(dir, reports.ReportFile), 1280, 3600, "")
	if n := countNear(img, colBlue, 24); n < 1500 {
		t.Errorf("the comparison's page shows %d pixels of the first policy's blue, want many", n)
	}
	if n := countNear(img, colOrange, 24); n < 500 {
		t.Errorf("the comparison's page shows %d pixels of the second policy's orange, want many", n)
	}
	sdir := t.TempDir()
	if err := WriteSweepHTML(sdir, testSweep(t, "slo>=0.99")); err != nil {
		t.Fatal(err)
	}
	img = screenshot(t, filepath.Join(sdir, reports.ReportFile), 1280, 2400, "")
	if n := countNear(img, colRed, 24); n < 200 {
		t.Errorf("the sweep's page shows %d pixels of the Pareto front's red", n)
	}
	if n := countNear(img, colBlue, 24); n < 200 {
		t.Errorf("the sweep's page shows %d pixels of the grid points' blue", n)
	}
}
