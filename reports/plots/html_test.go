package plots

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/reports"
)

var screenshotFlag = flag.String("screenshot", "", "copy the browser test's screenshot of report.html to this file")

const testDescription = "A flash crowd hits web at 40 min.\nThen zone a goes down for 6 minutes. <script>alert(1)</script>"

func writeSyntheticReport(t *testing.T) (dir, page string) {
	t.Helper()
	dir = t.TempDir()
	syntheticRun.write(t, dir)
	if err := WriteHTML(dir, reports.HTMLOptions{Description: testDescription, Plot: syntheticPlotOptions}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(b)
}

var svgRE = regexp.MustCompile(`(?s)<figure class="plot" data-kind="([a-z]+)"><svg role="img" aria-label="([^"]*)".*?</svg>`)

func TestWriteHTML(t *testing.T) {
	_, page := writeSyntheticReport(t)
	checkBalanced(t, page)

	// Self-contained: nothing to fetch, nothing to run.
	// One inline script (the timeline's filters), nothing that loads.
	if n := strings.Count(page, "<script"); n != 1 || !strings.Contains(page, "<script>\n(function () {") {
		t.Errorf("report.html has %d scripts, want the one inline filter script", n)
	}
	for _, bad := range []string{"<script src", "fetch(", "XMLHttpRequest", "<link", "<img", "<iframe", "src=", "url(", "@import", `href="http`, "<alert"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}

	// Every plot, inline, parsing as SVG, in service then PlotKinds order.
	var got []string
	for _, m := range svgRE.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1]+": "+m[2])
		svg := m[0][strings.Index(m[0], "<svg"):]
		if w, h := checkSVG(t, m[2], []byte(svg)); w < 450 || h < 250 {
			t.Errorf("%s: %gx%g pt", m[2], w, h)
		}
	}
	want := []string{
		"load: api: load and capacity", "latency: api: latency percentiles", "cpu: api: CPU utilization",
		"errors: api: rejected, failed and timed-out requests", "memory: api: memory (working set, requests, limits)",
		"load: web: load and capacity", "latency: web: latency percentiles", "cpu: web: CPU utilization",
		"errors: web: rejected, failed and timed-out requests", "memory: web: memory (working set, requests, limits)",
		"throttling: web: CPU throttling",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plots:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, s := range []string{
		// Name, description (escaped), facts.
		"<h1>flash-crowd", "A flash crowd hits web at 40 min.\nThen zone a goes down",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "2h simulated", "warmup 5m", "seed 42", "1,234,567 events",
		// The summary table.
		"<th>api</th><th>web</th>", "987,654", "975,000", "12,000", "321", "1.3%", "37.5ms", "183.4ms", "1.20s",
		// latency_s: p99 beyond every latency, 1.3% not completed.
		`<td class="bad">&gt; 1.20s</td>`, "37.9ms", `<td class="label">not completed</td><td>0%</td><td class="bad">1.3%</td>`,
		// Warnings, escaped.
		`<section id="warnings"`, "<li>web: 12621 of 987654 requests (1.3%) did not complete &lt;b&gt;</li>",
		"0 / 5.37 / 12", "17 / 13", "64.2%", "10.74", "$3.87", "$1.44", "p99 ≤ 250 ms", "98.1%",
		`<td class="bad">missed</td>`,
		// The per-instance heatmap in web's section, the nodes and the
		// placement.
		`<figure class="plot wide" data-kind="instances"><svg role="img" aria-label="web: instances (in flight, CPU, state)"`,
		`<section id="nodes">`, `<figure class="plot wide" data-kind="nodes">`,
		`<tr><td>node-0</td><td>general</td><td>a</td><td>4 CPU, 16 GiB</td><td class="text">web-0, web-2, web-4</td></tr>`,
		// Faults.
		"instance-crash web x1", "<td>1:00:00</td><td>1:06:00</td><td>all</td>", "until the end",
		// Decisions that matter, escaped: every change, each held run as
		// one row with its span and count, filterable by service and reason.
		`<tr data-service="web" data-reason="scale-up"><td>0:00:15</td><td></td><td>web</td><td>cpu</td><td class="change up">3 → 4</td><td>scale-up</td>`,
		`<tr data-service="web" data-reason="stabilization"><td>0:00:30</td><td>0:01:15</td><td>web</td><td>cpu</td><td class="change held">4 → 4</td><td>stabilization ×4</td>`,
		`<td class="change down">4 → 3</td>`, "decision 0: utilization 92% vs target 70% -&gt; ceil(4 x 1.31) = 6 &lt;tag&gt;",
		"decision 610:", "decision 611:", `<tr data-service="api" data-reason="max">`, "api decision 600",
		"317 of the 633 decisions", `<select id="filter-service"><option value="">all</option><option>api</option><option>web</option></select>`,
		`<option>max</option><option>scale-down</option><option>scale-up</option><option>stabilization</option>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	// Inside a held run, a dead band, a quiet decision: not rows.
	for _, s := range []string{"decision 612:", "decision 615:", "decision 617:", "api decision 50<", "Showing the first"} {
		if strings.Contains(page, s) {
			t.Errorf("report.html has %q", s)
		}
	}
	if n := strings.Count(page, "<tr data-service="); n != 62+62+7 {
		t.Errorf("%d timeline rows, want 62 changes, 62 held runs and 7 api holds", n)
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	dir, first := writeSyntheticReport(t)
	if err := WriteHTML(dir, reports.HTMLOptions{Description: testDescription, Plot: syntheticPlotOptions}); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if first != string(second) {
		t.Errorf("report.html differs between two identical calls")
	}
}

// TestWriteHTMLMinimal: without events.jsonl and decisions.jsonl, and with
// a cap, the report still comes out whole.
func TestWriteHTMLMinimal(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	if err := WriteHTML(dir, reports.HTMLOptions{MaxDecisions: 3}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	checkBalanced(t, page)
	if !strings.Contains(page, "Showing the first 3 of 131 rows") || !strings.Contains(page, "decision 1:") || strings.Contains(page, "decision 10:") ||
		strings.Contains(page, `class="description"`) {
		t.Errorf("cap or description wrong")
	}

	for _, f := range []string{reports.EventsFile, reports.DecisionsFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteHTML(dir, reports.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(filepath.Join(dir, reports.ReportFile)); err != nil {
		t.Fatal(err)
	}
	page = string(b)
	checkBalanced(t, page)
	if !strings.Contains(page, "No decisions were recorded.") || strings.Contains(page, `id="faults"`) ||
		len(svgRE.FindAllString(page, -1)) != 11 {
		t.Errorf("report without events and decisions is wrong")
	}
	if err := WriteHTML(t.TempDir(), reports.HTMLOptions{}); err == nil {
		t.Errorf("an empty folder gives no error")
	}
}

// screenshot renders page in headless Chromium at width x height and
// returns the image (copied to keep when keep is not empty); it skips the
// test without chromium unless SCALESIM_REQUIRE_BROWSER is set.
func screenshot(t *testing.T, page string, width, height int, keep string) image.Image {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		msg := "chromium is not on PATH; install the Debian packages chromium and fonts-liberation to run this test"
		if os.Getenv("SCALESIM_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " (SCALESIM_REQUIRE_BROWSER is set: CI must not skip it)")
		}
		t.Skip(msg)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	// No time limit of our own (a loaded machine may take minutes): go
	// test's -timeout is the bound, and chromium is killed shortly before
	// it so that it never outlives the test binary.
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-10*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--screenshot="+shot,
		fmt.Sprintf("--window-size=%d,%d", width, height), (&url.URL{Scheme: "file", Path: page}).String())
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrWaitDelay) {
		// Chromium exited with success; a helper process of its held the
		// output open for WaitDelay longer, which is no failure of ours.
		err = nil
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	img := decodePNG(t, shot)
	if keep != "" {
		b, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(keep, b, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Fatalf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	return img
}

// TestReportInBrowser renders report.html in headless Chromium and checks
// that the screenshot shows the plots: the fault shading and the plot
// lines' colours cover many pixels below the summary table.
func TestReportInBrowser(t *testing.T) {
	dir, _ := writeSyntheticReport(t)
	const width, height = 1280, 2400
	img := screenshot(t, filepath.Join(dir, reports.ReportFile), width, height, *screenshotFlag)
	// Below the header and summary table: the first service's plots.
	plots := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(0, 1000, width, height))
	colours := map[color.RGBA]bool{}
	nonWhite := 0
	b := plots.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(plots.At(x, y)).(color.RGBA)
			colours[c] = true
			if c.R < 240 || c.G < 240 || c.B < 240 {
				nonWhite++
			}
		}
	}
	if len(colours) < 200 || nonWhite < 20000 {
		t.Errorf("the plots region looks blank: %d colours, %d non-white pixels", len(colours), nonWhite)
	}
	// Without the plots (the SVG elements removed) the same region has
	// about 20 pixels of the shade, none of blue or green and 200 of red
	// (text); with them, about 40000, 2300, 1200 and 1700.
	for _, c := range []struct {
		name     string
		colour   color.NRGBA
		tol, min int
	}{
		{"fault shading", blend(colFaultFill), 6, 5000},
		{"blue lines", colBlue, 24, 500},
		{"green ready line", colGreen, 24, 500},
		{"red p99 line", colRed, 24, 800},
	} {
		if n := countNear(plots, c.colour, c.tol); n < c.min {
			t.Errorf("the screenshot shows %d pixels of the %s, want at least %d", n, c.name, c.min)
		}
	}
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "input": true, "link": true,
	"wbr": true, "col": true, "area": true, "base": true, "source": true}

var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>`)

// checkBalanced checks that the page's elements nest: every start tag has
// its end tag, in order (void elements and self-closing SVG elements
// aside). html/template keeps the text escaped, so a tag is a tag.
func checkBalanced(t *testing.T, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Errorf("no doctype")
	}
	var stack []string
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		end, name, self := m[1] == "/", strings.ToLower(m[2]), m[3] == "/"
		switch {
		case self || (!end && voidElements[name]):
		case !end:
			stack = append(stack, name)
		case len(stack) == 0 || stack[len(stack)-1] != name:
			t.Fatalf("</%s> does not close the open elements %v", name, stack[max(0, len(stack)-5):])
		default:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements %v", stack)
	}
}

// TestDecisionMarks: the replicas panel's markers and held shading from a
// hand-built timeline (15 s evaluations, seconds axis): an up marker at the
// new count, a held run from its first decision to one interval after its
// last, a down marker; another service's decisions are not drawn.
func TestDecisionMarks(t *testing.T) {
	var tl reports.Timeline
	stab := []reports.Limit{{Name: "stabilization", From: 3, To: 4}}
	for _, d := range []reports.DecisionRecord{
		{TimeS: 15, Service: "web", Before: 2, After: 4},
		{TimeS: 30, Service: "web", Before: 4, After: 4, Limits: stab},
		{TimeS: 45, Service: "web", Before: 4, After: 4, Limits: stab},
		{TimeS: 60, Service: "web", Before: 4, After: 3},
		{TimeS: 60, Service: "api", Before: 1, After: 2},
	} {
		tl.Add(&d)
	}
	sp := &svcPlot{name: "web", ta: newTimeAxis(120)}
	up, down, held := sp.decisionMarks(&tl)
	if sp.ta.unit != 1 {
		t.Fatalf("unit %v", sp.ta.unit)
	}
	if !slices.Equal(up.xs, []float64{15}) || !slices.Equal(up.ys, []float64{4}) {
		t.Errorf("up markers %v %v, want (15, 4)", up.xs, up.ys)
	}
	if !slices.Equal(down.xs, []float64{60}) || !slices.Equal(down.ys, []float64{3}) || !down.down {
		t.Errorf("down markers %v %v, want (60, 3) pointing down", down.xs, down.ys)
	}
	if len(held) != 1 || held[0].x0 != 30 || held[0].x1 != 60 {
		t.Errorf("held spans %+v, want one over [30, 60]", held)
	}
}

// TestLoadPanelWhy: the synthetic run's load plot names the markers, the
// held shading, and no pending line (it had none); with pending and
// unschedulable replicas in the time series, their lines appear.
func TestLoadPanelWhy(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	res, err := readResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	svg := func(name string) string {
		b, err := res.figures(name, syntheticPlotOptions)[0].render(reports.SVG, 1)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	has := func(page string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(page, ">"+w+"<") {
				t.Errorf("the load plot lacks %q", w)
			}
		}
	}
	hasNot := func(page string, want ...string) {
		t.Helper()
		for _, w := range want {
			if strings.Contains(page, ">"+w+"<") {
				t.Errorf("the load plot has %q", w)
			}
		}
	}
	web := svg("web")
	has(web, "held by a limit", "scale up", "scale down", "desired", "ready", "errors") // web has errors
	hasNot(svg("api"), "errors")
	hasNot(web, "pending", "unschedulable")
	api := svg("api") // held at its max: shaded, no markers
	has(api, "held by a limit")
	hasNot(api, "scale up", "scale down", "pending")
	rows := res.rows["api"]
	rows[10].ReplicasPending, rows[11].ReplicasUnschedulable = 2, 1
	has(svg("api"), "pending", "unschedulable")
}

// TestInstanceHeatmap: the synthetic run's web-2 holds ten times the
// requests of the others and runs at 150% of its request: it is the
// hottest row, marked, and in instances-web.png its two rows (in flight,
// CPU) are the scale's darkest colour while the others' are pale. The
// instances are grouped by node; web-4's pending start shows in the state
// panel's legend. The nodes figure has a row per node.
func TestInstanceHeatmap(t *testing.T) {
	if testing.Short() {
		t.Skip("draws PNGs or runs a browser: slow under -race; run without -short")
	}
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	res, err := readResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	inflight, cpu, total := instanceRows(res.instances, "web")
	var labels []string
	for _, r := range inflight {
		labels = append(labels, r.label)
	}
	want := []string{"web-0 @ node-0", "web-2 @ node-0 (hottest)", "web-4 @ node-0", "web-1 @ node-1", "web-3 @ node-1"}
	if total != 5 || !slices.Equal(labels, want) {
		t.Errorf("rows %q (of %d), want %q", labels, total, want)
	}
	if h := hottest(cpu); h != 1 {
		t.Errorf("the hottest CPU row is %d, want 1 (web-2)", h)
	}
	if got := heatColour(30, 30); got != heatScale[len(heatScale)-1] {
		t.Errorf("the top of the scale is %v", got)
	}
	if rows, _, _ := instanceRows(res.instances, "api"); rows != nil {
		t.Errorf("api has rows %v", rows)
	}

	if _, err := WritePlots(dir, reports.PNG, syntheticPlotOptions); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, filepath.Join(dir, "instances-web.png"))
	dark := heatScale[len(heatScale)-1]
	nDark := countNear(img, dark, 6)
	nPale := countNear(img, heatColour(3, 30), 6)  // the others' in flight, of 30
	nCPU := countNear(img, heatColour(40, 150), 6) // the others' CPU, of 150%
	// One row of a panel is about 1100 x 12 px: web-2's two rows dark,
	// the four others' rows of each panel their own shade.
	row := nDark / 2
	if row < 8000 || nPale < 3*row || nCPU < 3*row {
		t.Errorf("instances-web.png: %d dark pixels, %d and %d of the others' shades; want 2, 4 and 4 rows' worth", nDark, nPale, nCPU)
	}
	b, err := res.nodesFigure().render(reports.SVG, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{">node-0 (a)<", ">node-1 (a)<", "CPU used (% of the node)"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("nodes.svg lacks %q", s)
		}
	}
}

// TestResourcePanels: from the synthetic run's hand-built rows, web's
// memory panel has the requests, the limits and the OOM kills and restarts
// at 45 min; api's (working set only) has neither; api has no throttling
// panel (no CFS periods), web's shows the share throttled. Errors are a
// rate: web's outage rejects the whole arrival rate, so during it the
// error rate equals the arrival rate.
func TestResourcePanels(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	res, err := readResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	render := func(f *figure) string {
		b, err := f.render(reports.SVG, 1)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	kinds := func(figs []*figure) (out []string) {
		for _, f := range figs {
			out = append(out, f.kind)
		}
		return out
	}
	web, api := res.figures("web", syntheticPlotOptions), res.figures("api", syntheticPlotOptions)
	if got := kinds(web); !slices.Equal(got, []string{"load", "latency", "cpu", "errors", "memory", "throttling"}) {
		t.Errorf("web's figures %v", got)
	}
	if got := kinds(api); !slices.Equal(got, []string{"load", "latency", "cpu", "errors", "memory"}) {
		t.Errorf("api's figures %v", got)
	}
	mem := render(web[4])
	for _, s := range []string{">working set<", ">requests<", ">limits<", ">OOM kill<", ">restart<", "memory (GiB, all instances)"} {
		if !strings.Contains(mem, s) {
			t.Errorf("web's memory panel lacks %q", s)
		}
	}
	apiMem := render(api[4])
	for _, s := range []string{">limits<", ">OOM kill<", ">restart<"} {
		if strings.Contains(apiMem, s) {
			t.Errorf("api's memory panel has %q", s)
		}
	}
	if th := render(web[5]); !strings.Contains(th, ">periods throttled (% of periods)<") {
		t.Errorf("web's throttling panel lacks its line")
	}
	if !strings.Contains(render(web[3]), "errors (req/s)") {
		t.Errorf("the errors panel is not in req/s")
	}
	sp := res.svcPlot("web", syntheticPlotOptions)
	rate := sp.errorRate()
	checked := 0
	for i, r := range sp.rows {
		if m := r.TimeS / 60; m > 61 && m < 65 {
			checked++
			if math.Abs(rate[i]-r.ArrivalRPS) > 0.051 { // rejected = round(rate x 10 s)
				t.Errorf("at %v s: error rate %v, arrival rate %v", r.TimeS, rate[i], r.ArrivalRPS)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no outage rows")
	}
}

// TestTimelineFilterInBrowser runs the timeline's script in headless
// Chromium: opened at #service=web&reason=stabilization, the synthetic
// report shows only web's 62 held runs of its 131 rows, the others hidden.
func TestTimelineFilterInBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SCALESIM_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not on PATH (SCALESIM_REQUIRE_BROWSER is set)")
		}
		t.Skip("chromium is not on PATH")
	}
	dir, _ := writeSyntheticReport(t)
	u := url.URL{Scheme: "file", Path: filepath.Join(dir, reports.ReportFile), Fragment: "service=web&reason=stabilization"}
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-10*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", u.String())
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	rows := regexp.MustCompile(`<tr data-service="([a-z]+)" data-reason="([a-z-]+)"( hidden="")?>`).FindAllStringSubmatch(dom, -1)
	shown := 0
	for _, r := range rows {
		want := r[1] == "web" && r[2] == "stabilization"
		if got := r[3] == ""; got != want {
			t.Errorf("row %s/%s: shown %v, want %v", r[1], r[2], got, want)
		}
		if r[3] == "" {
			shown++
		}
	}
	if len(rows) != 131 || shown != 62 || !strings.Contains(dom, ">62 of 131 rows shown<") {
		t.Errorf("%d rows, %d shown; want 131 and 62 (and the count saying so)", len(rows), shown)
	}
}

// TestInstanceRowsCapped: of 60 instances, the heatmap keeps the 48 with
// the most requests in flight (web-12 ... web-59 hold 12 ... 59), still in
// the order they appeared, the busiest marked.
func TestInstanceRowsCapped(t *testing.T) {
	rec := &reports.InstancesRecord{Columns: 2, ColumnS: 1}
	for i := range 60 {
		v := reports.JSONFloat(i)
		rec.Instances = append(rec.Instances, reports.InstanceRow{Service: "web", Name: fmt.Sprintf("web-%d", i),
			InFlight: []reports.JSONFloat{v, v}, CPUUtilization: []reports.JSONFloat{0, 0}, State: []string{"ready", "ready"}})
	}
	rows, _, total := instanceRows(rec, "web")
	if total != 60 || len(rows) != maxHeatRows || rows[0].label != "web-12" || rows[47].label != "web-59 (hottest)" {
		t.Errorf("%d of %d rows, first %q, last %q", len(rows), total, rows[0].label, rows[len(rows)-1].label)
	}
}
