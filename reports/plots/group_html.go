package plots

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/reports"
)

// report.html of a comparison folder and of a sweep folder: one
// self-contained page (no script, nothing fetched) with the verdict, the
// side-by-side table and the plots inline.

type (
	groupPage struct {
		Kind, Title  string
		Facts        []string
		Verdict      []string
		VerdictClass string // "good" when a setting meets the objective, "bad" when none does
		Notes        []string
		Tables       []groupTable
		Sections     []htmlSection
		Links        []groupLink
	}
	groupTable struct {
		ID, Title, Note string
		Head            []string
		Rows            []groupRow
	}
	groupRow struct {
		Group string // a heading row when set
		Class string
		Cells []htmlCell // the first is the row's label
	}
	groupLink struct{ Href, Text string }
)

func writeGroupPage(dir string, page *groupPage) error {
	var buf bytes.Buffer
	if err := groupTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("reports: %s: %w", reports.ReportFile, err)
	}
	if err := reports.WriteFileAtomically(filepath.Join(dir, reports.ReportFile), buf.Bytes()); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

func inline(f *figure) (htmlPlot, error) {
	b, err := f.render(reports.SVG, htmlPlotScale)
	if err != nil {
		return htmlPlot{}, fmt.Errorf("reports: %s plot: %w", f.title, err)
	}
	return htmlPlot{Kind: f.kind, Title: f.title, SVG: inlineSVG(b, f.title)}, nil
}

// WriteComparisonHTML writes dir/report.html for comparison c: the
// verdict, a table per service with a column per setting (requests, error
// rate, latency, SLO attainment in %, cost, replicas, scaling actions), the
// totals with more than one service, the overlay plots of each service
// (every setting in its own colour and dash, so that identical ones stay
// visible; each legend entry with the setting's SLO attainment, so that
// one whose requests never completed is still told apart), and a link to
// each run's own report.html.
func WriteComparisonHTML(dir string, c *reports.Comparison, opts reports.ComparisonPlotOptions) error {
	if len(c.Runs) == 0 {
		return nil
	}
	runs, err := readComparisonRuns(dir, c)
	if err != nil {
		return err
	}
	page := &groupPage{Kind: "comparison", Title: c.Scenario,
		Facts: []string{humanDuration(c.DurationS) + " simulated", "seed " + strconv.FormatUint(c.Seed, 10),
			strconv.Itoa(len(c.Runs)) + " settings"}}
	if page.Title == "" {
		page.Title = "comparison"
	}
	v := c.Verdict()
	page.Verdict = []string{v.String()}
	switch {
	case v.CheapestMeetingSLO != "":
		page.VerdictClass = "good"
	case v.HasSLO:
		page.VerdictClass = "bad"
	}
	if differ := c.ArrivalsDiffer(); len(differ) > 0 {
		page.Notes = append(page.Notes, "Arrivals differ between the settings for "+strings.Join(differ, ", ")+
			" (retries or closed-loop clients make them depend on the policy).")
	} else {
		page.Notes = append(page.Notes, "Every setting ran on identical arrivals.")
	}
	head := []string{""}
	for _, r := range c.Runs {
		head = append(head, r.Label)
	}
	names := compareOrder(c, runs[0].names)
	for si, name := range names {
		page.Tables = append(page.Tables, compareTable(c, name, si, head))
	}
	if len(names) > 1 {
		t := groupTable{ID: "totals", Title: "All services", Head: head}
		costs, slos := groupRow{Cells: []htmlCell{{Text: "total cost"}}}, groupRow{Cells: []htmlCell{{Text: "every SLO"}}}
		for i := range c.Runs {
			usd, _ := c.Runs[i].Cost()
			costs.Cells = append(costs.Cells, htmlCell{Text: "$" + strconv.FormatFloat(usd, 'f', 2, 64)})
			met, has := c.Runs[i].SLOMet()
			switch {
			case !has:
				slos.Cells = append(slos.Cells, htmlCell{Text: "–"})
			case met:
				slos.Cells = append(slos.Cells, htmlCell{Text: "met", Class: "good"})
			default:
				slos.Cells = append(slos.Cells, htmlCell{Text: "missed", Class: "bad"})
			}
		}
		t.Rows = []groupRow{costs, slos}
		page.Tables = append(page.Tables, t)
	}
	for si, name := range names {
		sp := comparisonAxis(runs[0], name, opts.Warmup)
		sec := htmlSection{ID: fmt.Sprintf("service-%d", si+1), Name: name}
		figs := []*figure{sp.replicasOverlay(c, runs), sp.p99Overlay(c, runs)}
		if s, ok := runs[0].summary.Services[name]; ok && s.SLO != nil {
			figs = append(figs, costSLOFigure(name, c, opts.Objectives[name]))
		}
		for _, f := range figs {
			p, err := inline(f)
			if err != nil {
				return err
			}
			sec.Plots = append(sec.Plots, p)
		}
		page.Sections = append(page.Sections, sec)
	}
	for _, r := range c.Runs {
		page.Links = append(page.Links, groupLink{Href: path.Join(filepath.ToSlash(r.Folder), reports.ReportFile), Text: r.Label + " (" + r.Source + ")"})
	}
	return writeGroupPage(dir, page)
}

// compareOrder is the compared services first, then the others, each in
// name order.
func compareOrder(c *reports.Comparison, names []string) []string {
	out := slices.Clone(c.Compared)
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// compareTable is service name's figures, a column per setting.
func compareTable(c *reports.Comparison, name string, si int, head []string) groupTable {
	t := groupTable{ID: fmt.Sprintf("table-%d", si+1), Title: name, Note: "requests that arrived after the warmup", Head: head}
	row := func(label string, cell func(reports.ServiceSummary) htmlCell) {
		r := groupRow{Cells: []htmlCell{{Text: label}}}
		for i := range c.Runs {
			v, ok := c.Runs[i].Summary.Services[name]
			if !ok {
				r.Cells = append(r.Cells, htmlCell{Text: "–"})
				continue
			}
			r.Cells = append(r.Cells, cell(v))
		}
		t.Rows = append(t.Rows, r)
	}
	group := func(g string) { t.Rows = append(t.Rows, groupRow{Group: g}) }
	text := func(f func(reports.ServiceSummary) string) func(reports.ServiceSummary) htmlCell {
		return func(v reports.ServiceSummary) htmlCell { return htmlCell{Text: f(v)} }
	}
	ranked := func(f func(reports.Latency) float64) func(reports.ServiceSummary) htmlCell {
		return func(v reports.ServiceSummary) htmlCell {
			x := f(v.LatencyS)
			cell := htmlCell{Text: reports.FormatPercentile(x, v.LatencyS.Max)}
			if reports.Beyond(x) {
				cell.Class = "bad"
			}
			return cell
		}
	}
	row("policy", text(func(v reports.ServiceSummary) string { return v.Policy }))
	group("SLO")
	row("attainment", func(v reports.ServiceSummary) htmlCell {
		if v.SLO == nil {
			return htmlCell{Text: "–"}
		}
		cell := htmlCell{Text: reports.FormatPercent(v.SLO.Attainment), Class: "bad"}
		if v.SLO.Met {
			cell.Class = "good"
		}
		return cell
	})
	row("objective", text(func(v reports.ServiceSummary) string {
		if v.SLO == nil {
			return "none"
		}
		return "p" + strconv.FormatFloat(v.SLO.Percentile, 'f', -1, 64) + " ≤ " + shortSeconds(v.SLO.LatencyTargetS)
	}))
	group("Requests")
	row("arrived", text(func(v reports.ServiceSummary) string { return thousands(float64(v.Requests.Arrived)) }))
	row("completed", text(func(v reports.ServiceSummary) string { return thousands(float64(v.Requests.Completed)) }))
	row("error rate", func(v reports.ServiceSummary) htmlCell {
		if v.Requests.Arrived == 0 {
			return htmlCell{Text: "–"}
		}
		return badShare(float64(v.Requests.Errors()) / float64(v.Requests.Arrived))
	})
	row("rejected / failed / timed out", text(func(v reports.ServiceSummary) string {
		r := v.Requests
		return thousands(float64(r.Rejected)) + " / " + thousands(float64(r.Failed)) + " / " + thousands(float64(r.TimedOut))
	}))
	group("Latency (those that did not complete rank slowest)")
	row("p50", ranked(func(l reports.Latency) float64 { return l.P50 }))
	row("p95", ranked(func(l reports.Latency) float64 { return l.P95 }))
	row("p99", ranked(func(l reports.Latency) float64 { return l.P99 }))
	group("Capacity")
	row("cost", text(func(v reports.ServiceSummary) string { return "$" + strconv.FormatFloat(v.Cost.USD, 'f', 2, 64) }))
	row("instance-hours", text(func(v reports.ServiceSummary) string { return strconv.FormatFloat(v.Cost.InstanceHours, 'f', 2, 64) }))
	row("replicas mean / max", text(func(v reports.ServiceSummary) string {
		return fmt.Sprintf("%.2f / %d", v.Replicas.Mean, v.Replicas.Max)
	}))
	row("scaling actions up / down", text(func(v reports.ServiceSummary) string {
		return fmt.Sprintf("%d / %d", v.ScalingActions.Up, v.ScalingActions.Down)
	}))
	row("CPU utilization, mean", text(func(v reports.ServiceSummary) string {
		return strconv.FormatFloat(100*v.CPUUtilizationMean, 'f', 1, 64) + "%"
	}))
	return t
}

// readComparisonRuns reads every run's folder.
func readComparisonRuns(dir string, c *reports.Comparison) ([]*results, error) {
	runs := make([]*results, len(c.Runs))
	for i, r := range c.Runs {
		res, err := readResults(filepath.Join(dir, r.Folder))
		if err != nil {
			return nil, fmt.Errorf("reports: policy %s: %w", r.Label, err)
		}
		runs[i] = res
	}
	return runs, nil
}

// WriteSweepHTML writes dir/report.html for sweep res: the verdict (the
// chosen point and why), a table of every grid point by its param values
// with the mean and confidence interval of its cost, p99, SLO attainment
// (%) and error rate (%), whether it is on the Pareto front and meets the
// requirements, the chosen row marked; the Pareto chart with every point
// labelled by its param values; and every figure against every varied
// param.
func WriteSweepHTML(dir string, res *reports.SweepResult) error {
	page := &groupPage{Kind: "sweep", Title: "sweep",
		Facts: []string{strconv.Itoa(len(res.Points)) + " grid points", strconv.Itoa(res.Grid.Seeds) + " seeds each",
			reports.FormatConfidence(res.Analysis.Confidence) + " confidence intervals"}}
	var table bytes.Buffer
	if err := res.WriteSweepTable(&table); err != nil {
		return err
	}
	if _, verdict, ok := strings.Cut(table.String(), "\n\n"); ok {
		for _, line := range strings.Split(strings.TrimSpace(verdict), "\n") {
			page.Verdict = append(page.Verdict, line)
		}
	}
	page.VerdictClass = "good"
	if res.Best < 0 {
		page.VerdictClass = "bad"
	}
	ci := " (" + reports.FormatConfidence(res.Analysis.Confidence) + " CI)"
	head := []string{"point"}
	for _, i := range res.Grid.Varied() {
		head = append(head, res.Grid.Params[i].Path)
	}
	head = append(head, "cost"+ci, "p99"+ci)
	if res.HasSLO() {
		head = append(head, "SLO attainment"+ci)
	}
	head = append(head, "error rate"+ci, "Pareto", "meets", "")
	interval := func(st reports.SweepStat, f func(float64) string) string {
		s := f(st.Mean)
		if finite(st.Lo) {
			s += " [" + f(st.Lo) + ", " + f(st.Hi) + "]"
		}
		return s
	}
	money := func(v float64) string { return "$" + strconv.FormatFloat(v, 'f', 2, 64) }
	t := groupTable{ID: "points", Title: "Grid points", Note: "mean over the seeds, with the confidence interval", Head: head}
	for i := range res.Points {
		pt := &res.Points[i]
		r := groupRow{Cells: []htmlCell{{Text: strconv.Itoa(pt.Index)}}}
		for _, v := range res.Grid.Varied() {
			r.Cells = append(r.Cells, htmlCell{Text: pt.Values[v]})
		}
		r.Cells = append(r.Cells, htmlCell{Text: interval(pt.Stats["cost_usd"], money)},
			htmlCell{Text: interval(pt.Stats["latency_p99_s"], func(v float64) string { return reports.FormatPercentile(v, 0) })})
		if res.HasSLO() {
			r.Cells = append(r.Cells, htmlCell{Text: interval(pt.Stats["slo_attainment"], reports.FormatPercent)})
		}
		er := htmlCell{Text: interval(pt.Stats["error_rate"], reports.FormatShare)}
		if pt.Stats["error_rate"].Mean > 0 {
			er.Class = "bad"
		}
		r.Cells = append(r.Cells, er, yesNo(pt.Pareto), yesNo(pt.Meets))
		if pt.Index == res.Best {
			r.Class = "chosen"
			r.Cells = append(r.Cells, htmlCell{Text: "chosen", Class: "good"})
		} else {
			r.Cells = append(r.Cells, htmlCell{})
		}
		t.Rows = append(t.Rows, r)
	}
	page.Tables = append(page.Tables, t)
	sec := htmlSection{ID: "sweep-plots", Name: "sweep"}
	if res.HasSLO() {
		f, err := paretoFigure(res)
		if err != nil {
			return err
		}
		p, err := inline(f)
		if err != nil {
			return err
		}
		p.Kind = reports.SweepParetoPlot
		sec.Plots = append(sec.Plots, p)
	}
	for _, f := range res.PlottedFigures() {
		for _, pi := range res.Grid.Varied() {
			fig, err := figureVsParam(res, f, pi)
			if err != nil {
				return err
			}
			p, err := inline(fig)
			if err != nil {
				return err
			}
			sec.Plots = append(sec.Plots, p)
		}
	}
	if len(sec.Plots) > 0 {
		page.Sections = append(page.Sections, sec)
	}
	return writeGroupPage(dir, page)
}

func yesNo(b bool) htmlCell {
	if b {
		return htmlCell{Text: "yes"}
	}
	return htmlCell{Text: "no"}
}
