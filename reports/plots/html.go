package plots

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalesim/scalesim/reports"
)

// htmlPlotScale is the size of report.html's plots relative to the plot
// files: two of them side by side on a laptop screen are then drawn at about
// their natural size, with readable text.
const htmlPlotScale = 0.75

// WriteHTML reads the results folder dir (summary.json, timeseries.csv,
// and when present events.jsonl and decisions.jsonl) and writes
// dir/report.html: one self-contained page, with no network access and one
// inline script (the timeline's filters), holding the scenario's name and
// description, the warnings, the summary table (a column per service),
// each service's plots as inline SVG (the four of PlotKinds but the
// dashboard, which would repeat them), the faults, and the decisions
// timeline (reports.Timeline).
func WriteHTML(dir string, opts reports.HTMLOptions) error {
	res, err := readResults(dir)
	if err != nil {
		return err
	}
	page, err := buildPage(res, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("reports: %s: %w", reports.ReportFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, reports.ReportFile), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// The page's model.
type (
	htmlPage struct {
		Scenario, Description string
		Facts                 []string // "seed 1", "2h simulated", ...
		Services              []string // the summary table's columns
		Rows                  []htmlRow
		Sections              []htmlSection
		Faults                []htmlFault
		Nodes                 *htmlNodes // nil without node pools
		Decisions             []htmlDecision
		// DecisionEntries is how many timeline entries there are (more
		// than Decisions when capped); DecisionsTotal how many decisions
		// decisions.jsonl holds, DecisionsMattering how many of them
		// changed or held the count.
		DecisionEntries, DecisionsTotal, DecisionsMattering int
		// DecisionServices and DecisionReasons are the filters' choices.
		DecisionServices, DecisionReasons []string
		Warnings                          []string
	}
	htmlRow struct {
		Group string // a group heading row when set
		Label string
		Cells []htmlCell
	}
	htmlCell struct {
		Text  string
		Class string
	}
	htmlSection struct {
		ID, Name, Policy string
		Plots            []htmlPlot
		// Wide are the full-width plots under them: the instances'
		// heatmaps.
		Wide []htmlPlot
	}
	htmlNodes struct {
		Plot      htmlPlot
		Placement []htmlPlacement
	}
	// htmlPlacement is a node and the instances that were on it.
	htmlPlacement struct {
		Node, Pool, Zone, Capacity string
		Instances                  string
	}
	htmlPlot struct {
		Kind, Title string
		SVG         template.HTML
	}
	htmlFault struct {
		Start, End, Service, Label string
	}
	htmlDecision struct {
		Time, Until, Service, Policy string
		Before, After, Count         int
		Change, Reason, Detail       string
	}
)

func buildPage(res *results, opts reports.HTMLOptions) (*htmlPage, error) {
	s := res.summary
	page := &htmlPage{
		Scenario:    s.Scenario,
		Description: strings.TrimSpace(opts.Description),
		Services:    res.names,
	}
	if page.Scenario == "" {
		page.Scenario = "scenario"
	}
	page.Facts = append(page.Facts, humanDuration(s.DurationS)+" simulated")
	if w := opts.Plot.Warmup; w > 0 {
		page.Facts = append(page.Facts, "warmup "+humanDuration(w.Seconds()))
	}
	page.Facts = append(page.Facts, "seed "+strconv.FormatUint(s.Seed, 10),
		thousands(float64(s.Events))+" events", fmt.Sprintf("%.2f s wall time", s.WallS))
	page.Rows = summaryRows(res)
	for _, w := range s.Warnings {
		page.Warnings = append(page.Warnings, strings.TrimPrefix(w.String(), "warning: "))
	}

	for i, name := range res.names {
		sec := htmlSection{ID: fmt.Sprintf("service-%d", i+1), Name: name, Policy: s.Services[name].Policy}
		for _, f := range res.figures(name, opts.Plot) {
			b, err := f.render(reports.SVG, htmlPlotScale)
			if err != nil {
				return nil, fmt.Errorf("reports: %s plot of %s: %w", f.kind, name, err)
			}
			sec.Plots = append(sec.Plots, htmlPlot{Kind: f.kind, Title: f.title, SVG: inlineSVG(b, f.title)})
		}
		if f := res.instancesFigure(res.svcPlot(name, opts.Plot)); f != nil {
			b, err := f.render(reports.SVG, htmlPlotScale)
			if err != nil {
				return nil, fmt.Errorf("reports: %s plot of %s: %w", f.kind, name, err)
			}
			sec.Wide = append(sec.Wide, htmlPlot{Kind: f.kind, Title: f.title, SVG: inlineSVG(b, f.title)})
		}
		page.Sections = append(page.Sections, sec)
	}
	if f := res.nodesFigure(); f != nil {
		b, err := f.render(reports.SVG, htmlPlotScale)
		if err != nil {
			return nil, fmt.Errorf("reports: %s plot: %w", f.kind, err)
		}
		page.Nodes = &htmlNodes{Plot: htmlPlot{Kind: f.kind, Title: f.title, SVG: inlineSVG(b, f.title)},
			Placement: placement(res.instances)}
	}

	for _, f := range res.faults {
		hf := htmlFault{Start: clock(f.StartS), End: clock(f.EndS), Service: f.Service, Label: f.Label}
		switch {
		case f.Ongoing():
			hf.End = "until the end"
		case f.EndS == f.StartS:
			hf.End = "instant"
		}
		if hf.Service == "" {
			hf.Service = "all"
		}
		page.Faults = append(page.Faults, hf)
	}

	page.addTimeline(res.timeline, opts.MaxDecisions)
	return page, nil
}

// placement lists each node with the instances that were on it, in the
// order they appeared.
func placement(rec *reports.InstancesRecord) []htmlPlacement {
	on := map[string][]string{}
	for _, r := range rec.Instances {
		if r.Node != "" {
			on[r.Node] = append(on[r.Node], r.Name)
		}
	}
	var out []htmlPlacement
	for _, n := range rec.Nodes {
		p := htmlPlacement{Node: n.Name, Pool: n.Pool, Zone: n.Zone,
			Capacity:  strconv.FormatFloat(n.CPUCores, 'g', -1, 64) + " CPU, " + bytesText(n.MemoryBytes),
			Instances: strings.Join(on[n.Name], ", ")}
		if p.Instances == "" {
			p.Instances = "–"
		}
		out = append(out, p)
	}
	return out
}

// bytesText formats a memory size in binary units: 512 MiB, 8 GiB.
func bytesText(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'g', 4, 64) + " " + units[i]
}

// addTimeline fills the decisions timeline: the first limit entries of
// tl (reports.DefaultMaxDecisions when limit <= 0), and the filters'
// choices.
func (page *htmlPage) addTimeline(tl *reports.Timeline, limit int) {
	if tl == nil {
		return
	}
	if limit <= 0 {
		limit = reports.DefaultMaxDecisions
	}
	page.DecisionEntries, page.DecisionsTotal, page.DecisionsMattering = len(tl.Entries), tl.Total, tl.Mattering
	services, reasons := map[string]bool{}, map[string]bool{}
	for i := range tl.Entries {
		e := &tl.Entries[i]
		d := &e.First
		services[d.Service], reasons[e.Reason()] = true, true
		if i >= limit {
			continue
		}
		hd := htmlDecision{Time: clock(d.TimeS), Service: d.Service, Policy: d.Policy, Before: d.Before, After: d.After,
			Count: e.Count, Reason: e.Reason(), Detail: d.Explanation, Change: e.Change()}
		if hd.Detail == "" {
			hd.Detail = d.Reason
		}
		if e.Count > 1 {
			hd.Until = clock(e.Last.TimeS)
		}
		page.Decisions = append(page.Decisions, hd)
	}
	page.DecisionServices = slices.Sorted(maps.Keys(services))
	page.DecisionReasons = slices.Sorted(maps.Keys(reasons))
}

// inlineSVG makes gonum's SVG document an element to inline in HTML: the
// XML prolog goes, and the root gets role="img" and the title as its
// aria-label.
func inlineSVG(b []byte, title string) template.HTML {
	s := string(b)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = `<svg role="img" aria-label="` + html.EscapeString(title) + `"` + strings.TrimPrefix(s, "<svg")
	return template.HTML(s) // gonum escapes every text it writes (html.EscapeString)
}

// summaryRows is the summary table, one column per service.
func summaryRows(res *results) []htmlRow {
	var rows []htmlRow
	group := func(name string) { rows = append(rows, htmlRow{Group: name}) }
	row := func(label string, cell func(reports.ServiceSummary) htmlCell) {
		r := htmlRow{Label: label}
		for _, name := range res.names {
			v, ok := res.summary.Services[name]
			c := htmlCell{Text: "–"}
			if ok {
				c = cell(v)
			}
			r.Cells = append(r.Cells, c)
		}
		rows = append(rows, r)
	}
	text := func(f func(reports.ServiceSummary) string) func(reports.ServiceSummary) htmlCell {
		return func(v reports.ServiceSummary) htmlCell { return htmlCell{Text: f(v)} }
	}
	count := func(f func(reports.Requests) uint64) func(reports.ServiceSummary) htmlCell {
		return text(func(v reports.ServiceSummary) string { return thousands(float64(f(v.Requests))) })
	}
	lat := func(f func(reports.Latency) float64) func(reports.ServiceSummary) htmlCell {
		return text(func(v reports.ServiceSummary) string { return reports.FormatSeconds(f(v.LatencyCompletedS)) })
	}
	ranked := func(f func(reports.Latency) float64) func(reports.ServiceSummary) htmlCell {
		return func(v reports.ServiceSummary) htmlCell {
			x := f(v.LatencyS)
			c := htmlCell{Text: reports.FormatPercentile(x, v.LatencyS.Max)}
			if reports.Beyond(x) {
				c.Class = "bad"
			}
			return c
		}
	}

	row("policy", text(func(v reports.ServiceSummary) string { return v.Policy }))
	group("Requests")
	row("arrived", count(func(r reports.Requests) uint64 { return r.Arrived }))
	row("completed", count(func(r reports.Requests) uint64 { return r.Completed }))
	row("rejected", count(func(r reports.Requests) uint64 { return r.Rejected }))
	row("failed", count(func(r reports.Requests) uint64 { return r.Failed }))
	row("timed out", count(func(r reports.Requests) uint64 { return r.TimedOut }))
	row("in flight at end", count(func(r reports.Requests) uint64 { return r.InFlightAtEnd }))
	row("error rate", func(v reports.ServiceSummary) htmlCell {
		r := v.Requests
		if r.Arrived == 0 {
			return htmlCell{Text: "–"}
		}
		return badShare(float64(r.Errors()) / float64(r.Arrived))
	})
	group("Latency of every request (those that did not complete rank slowest)")
	row("not completed", func(v reports.ServiceSummary) htmlCell { return badShare(v.LatencyS.NotCompleted) })
	row("p50", ranked(func(l reports.Latency) float64 { return l.P50 }))
	row("p90", ranked(func(l reports.Latency) float64 { return l.P90 }))
	row("p95", ranked(func(l reports.Latency) float64 { return l.P95 }))
	row("p99", ranked(func(l reports.Latency) float64 { return l.P99 }))
	row("p99.9", ranked(func(l reports.Latency) float64 { return l.P999 }))
	group("Latency of completed requests")
	row("mean", lat(func(l reports.Latency) float64 { return l.Mean }))
	row("p50", lat(func(l reports.Latency) float64 { return l.P50 }))
	row("p90", lat(func(l reports.Latency) float64 { return l.P90 }))
	row("p95", lat(func(l reports.Latency) float64 { return l.P95 }))
	row("p99", lat(func(l reports.Latency) float64 { return l.P99 }))
	row("p99.9", lat(func(l reports.Latency) float64 { return l.P999 }))
	row("max", lat(func(l reports.Latency) float64 { return l.Max }))
	row("queue wait, mean", text(func(v reports.ServiceSummary) string { return reports.FormatSeconds(v.QueueWaitS.Mean) }))
	group("Capacity")
	row("replicas min / mean / max", text(func(v reports.ServiceSummary) string {
		return fmt.Sprintf("%d / %.2f / %d", v.Replicas.Min, v.Replicas.Mean, v.Replicas.Max)
	}))
	row("scaling actions up / down", text(func(v reports.ServiceSummary) string {
		return fmt.Sprintf("%d / %d", v.ScalingActions.Up, v.ScalingActions.Down)
	}))
	row("CPU utilization, mean", text(func(v reports.ServiceSummary) string {
		return strconv.FormatFloat(100*v.CPUUtilizationMean, 'f', 1, 64) + "%"
	}))
	row("instance-hours", text(func(v reports.ServiceSummary) string {
		return strconv.FormatFloat(v.Cost.InstanceHours, 'f', 2, 64)
	}))
	row("cost", text(func(v reports.ServiceSummary) string { return "$" + strconv.FormatFloat(v.Cost.USD, 'f', 2, 64) }))
	group("SLO")
	row("objective", text(func(v reports.ServiceSummary) string {
		if v.SLO == nil {
			return "none"
		}
		return "p" + strconv.FormatFloat(v.SLO.Percentile, 'f', -1, 64) + " ≤ " + shortSeconds(v.SLO.LatencyTargetS)
	}))
	row("attainment", text(func(v reports.ServiceSummary) string {
		if v.SLO == nil {
			return "–"
		}
		return reports.FormatPercent(v.SLO.Attainment)
	}))
	row("met", func(v reports.ServiceSummary) htmlCell {
		switch {
		case v.SLO == nil:
			return htmlCell{Text: "–"}
		case v.SLO.Met:
			return htmlCell{Text: "met", Class: "good"}
		default:
			return htmlCell{Text: "missed", Class: "bad"}
		}
	})
	return rows
}

// thousands formats a whole number with thin separators: 1,234,567.
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// clock formats seconds since the start as h:mm:ss, with decimals when
// the time is not a whole second: 0:12:15, 1:00:00.5.
func clock(s float64) string {
	if !finite(s) {
		return "–"
	}
	whole := math.Floor(s)
	t := int64(whole)
	out := fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	if frac := s - whole; frac > 0 {
		f := strconv.FormatFloat(frac, 'f', 3, 64) // "0.500"
		out += strings.TrimRight(f[1:], "0")
	}
	return out
}

// humanDuration formats seconds as a Go duration without zero units:
// 2h, 1h30m, 45s, 1.5s.
func humanDuration(s float64) string {
	d := time.Duration(math.Round(s * 1e9)).String()
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return d
}

//go:embed report.html.tmpl group.html.tmpl style.html.tmpl
var templateFS embed.FS

// The pages: report.html of a run, and of a comparison or a sweep
// (group.html.tmpl); both share style.html.tmpl.
var (
	templateFuncs  = template.FuncMap{"inc": func(n int) int { return n + 1 }}
	reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(templateFuncs).
			ParseFS(templateFS, "report.html.tmpl", "style.html.tmpl"))
	groupTemplate = template.Must(template.New("group.html.tmpl").Funcs(templateFuncs).
			ParseFS(templateFS, "group.html.tmpl", "style.html.tmpl"))
)

// badShare is a share of requests, marked bad when it is not zero.
func badShare(x float64) htmlCell {
	c := htmlCell{Text: reports.FormatShare(x)}
	if x > 0 {
		c.Class = "bad"
	}
	return c
}
