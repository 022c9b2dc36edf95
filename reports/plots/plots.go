package plots

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg
)

// WritePlots reads the results folder dir (summary.json, timeseries.csv
// and, when present, events.jsonl) and writes into it, for every service
// in name order, the plots of PlotKinds as PNG or SVG (format PNG or SVG).
// It returns the names of the files written, in order. The plots read the
// files back rather than taking data from the run, so a run's memory does
// not grow with its length; series longer than a plot has pixels are
// thinned without losing their peaks.
func WritePlots(dir, format string, opts reports.PlotOptions) ([]string, error) {
	if format != reports.PNG && format != reports.SVG {
		return nil, fmt.Errorf("reports: plot format %q: want %q or %q", format, reports.PNG, reports.SVG)
	}
	res, err := readResults(dir)
	if err != nil {
		return nil, err
	}
	var written []string
	seen := map[string]string{}
	for _, name := range res.names {
		figs := res.figures(name, opts)
		for _, kind := range reports.PlotKinds {
			file := reports.PlotFileName(kind, name, format)
			if other, dup := seen[file]; dup {
				return written, fmt.Errorf("reports: services %q and %q would both write %s", other, name, file)
			}
			seen[file] = name
			var b []byte
			if kind == reports.PlotDashboard {
				b, err = renderDashboard(res.dashboardTitle(name), figs, format)
			} else {
				b, err = figs[slices.Index(reports.PlotKinds, kind)].render(format, 1)
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, file), b, 0o644)
			}
			if err != nil {
				return written, fmt.Errorf("reports: plot %s: %w", file, err)
			}
			written = append(written, file)
		}
	}
	return written, nil
}

// Sizes, in points (1/72 in); PNGs are drawn at 96 dpi, so 9 in is 864 px.
var (
	plotW       = 9 * vg.Inch
	plotH       = 5 * vg.Inch
	loadPlotH   = 6.5 * vg.Inch
	dashboardW  = 18 * vg.Inch
	dashboardH  = 11.5 * vg.Inch
	titleHeight = vg.Points(30)
)

// render draws f alone in format, at its size times scale: the text keeps
// its size, so a smaller scale makes it larger relative to the figure.
func (f *figure) render(format string, scale float64) ([]byte, error) {
	return renderCanvas(f.w*vg.Length(scale), f.h*vg.Length(scale), format, f.draw)
}

// renderDashboard draws the four figures as 2x2 tiles under a title.
func renderDashboard(title string, figs []*figure, format string) ([]byte, error) {
	return renderCanvas(dashboardW, dashboardH, format, func(c draw.Canvas) {
		c.SetColor(rgb(255, 255, 255))
		c.Fill(c.Rectangle.Path())
		sty := textStyle(16, colBlack)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, pt(c.Center().X, c.Max.Y-vg.Points(8)), title)
		body := c
		body.Max.Y -= titleHeight
		tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Points(18), PadY: vg.Points(18),
			PadLeft: vg.Points(6), PadRight: vg.Points(6), PadBottom: vg.Points(6)}
		for i, f := range figs[:4] {
			f.draw(tiles.At(body, i%2, i/2))
		}
	})
}

// renderCanvas runs drawFn on a canvas of the format and returns the
// encoded image. gonum/plot panics on some inputs (a log axis given a value
// <= 0): such a panic is returned as an error.
func renderCanvas(w, h vg.Length, format string, drawFn func(draw.Canvas)) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing: %v", r)
		}
	}()
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	drawFn(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (res *results) dashboardTitle(name string) string {
	title := res.summary.Scenario
	if title == "" {
		title = "scenario"
	}
	title += " — service " + name
	if s, ok := res.summary.Services[name]; ok && s.Policy != "" {
		title += ", policy " + s.Policy
	}
	return title
}

// svcPlot is what one service's figures are built from.
type svcPlot struct {
	name      string
	rows      []reports.TimeseriesRow
	ta        timeAxis
	end       float64   // the x axis' right end, in axis units
	xs        []float64 // row times in axis units
	interval  float64   // the sample interval, seconds
	bands     []band
	hasFaults bool
	hasWarmup bool
	forecast  []forecastPoint // the predictive policy's, if any
}

// figures builds the four figures of PlotKinds but the dashboard for
// service name, in the order of PlotKinds.
func (res *results) figures(name string, opts reports.PlotOptions) []*figure {
	so := opts.Services[name]
	sp := &svcPlot{name: name, rows: res.rows[name], ta: newTimeAxis(res.endS), forecast: res.forecasts[name]}
	sp.end = res.endS / sp.ta.unit
	sp.xs = make([]float64, len(sp.rows))
	for i, r := range sp.rows {
		sp.xs[i] = r.TimeS / sp.ta.unit
	}
	sp.interval = sampleInterval(sp.rows)
	sp.addBands(res, name, opts.Warmup)

	var sloS, sloPct float64
	if s, ok := res.summary.Services[name]; ok && s.SLO != nil {
		sloS, sloPct = s.SLO.LatencyTargetS, s.SLO.Percentile
	}
	if so.SLOLatency > 0 {
		sloS = so.SLOLatency.Seconds()
	}
	return []*figure{
		sp.loadFigure(),
		sp.latencyFigure(sloS, sloPct),
		sp.cpuFigure(so.TargetUtilization),
		sp.errorsFigure(),
	}
}

// sampleInterval is the median time between rows (the first row's time
// when there is one row, 1 when there is none).
func sampleInterval(rows []reports.TimeseriesRow) float64 {
	switch len(rows) {
	case 0:
		return 1
	case 1:
		return max(rows[0].TimeS, 1e-9)
	}
	d := make([]float64, len(rows)-1)
	for i := range d {
		d[i] = rows[i+1].TimeS - rows[i].TimeS
	}
	slices.Sort(d)
	return max(d[len(d)/2], 1e-9)
}

func (sp *svcPlot) column(f func(*reports.TimeseriesRow) float64) []float64 {
	ys := make([]float64, len(sp.rows))
	for i := range sp.rows {
		ys[i] = f(&sp.rows[i])
	}
	return ys
}

// newPanel returns a panel with the time axis, the grid and the fault and
// warmup shading; the caller adds the data, then finish adds the band
// labels and sets the y range.
func (sp *svcPlot) newPanel(title, ylabel string, xlabels bool) *panel {
	p := styledPlot(title)
	p.X.Min, p.X.Max = 0, sp.end
	p.X.Tick.Marker = stepTicks{steps: sp.ta.steps, blank: !xlabels}
	if xlabels {
		p.X.Label.Text = sp.ta.label
	}
	p.Y.Label.Text = ylabel
	p.Y.Tick.Marker = niceTicks{}
	pn := newPanel(p)
	p.Add(bandShades(sp.bands))
	return pn
}

// styledPlot is a plot with the results' styling: title and axis fonts,
// grey axes, no padding. Every figure starts from it.
func styledPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = textStyle(13, nil).Font
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = textStyle(11, nil).Font
		a.Tick.Label.Font = textStyle(10, nil).Font
		a.Padding = 0
		a.LineStyle.Color = colGrey
		a.Tick.LineStyle.Color = colGrey
	}
	return p
}

// newPanel wraps p with the results' legend (top left) and adds the grid.
func newPanel(p *plot.Plot) *panel {
	pn := &panel{p: p, legend: plot.NewLegend()}
	pn.legend.TextStyle = textStyle(10, colBlack)
	pn.legend.Top, pn.legend.Left = true, true
	pn.legend.Padding = vg.Points(3)
	grid := plotter.NewGrid()
	grid.Vertical, grid.Horizontal = solid(colGrid, 0.6), solid(colGrid, 0.6)
	p.Add(grid)
	return pn
}

// plainPanel is a panel styled like the time plots, with linear axes, nice
// ticks and a grid, but no time axis and no bands: for the comparison and
// sweep charts.
func plainPanel(title, xlabel, ylabel string) *panel {
	p := styledPlot(title)
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	return newPanel(p)
}

// finish adds the band labels (when labels) and legend entries for the
// bands, and sets the y range to [lo, hi].
func (sp *svcPlot) finish(pn *panel, labels bool, lo, hi float64) {
	if labels {
		pn.p.Add(bandLabels(sp.bands))
		if sp.hasFaults {
			pn.legend.Add("fault", swatch{colFaultFill})
		}
		if sp.hasWarmup {
			pn.legend.Add("warmup", swatch{colWarmupFill})
		}
	}
	pn.p.Y.Min, pn.p.Y.Max = lo, hi
}

// maxOf returns the largest finite value of the columns, or 0.
func maxOf(cols ...[]float64) float64 {
	m := 0.0
	for _, c := range cols {
		for _, v := range c {
			if finite(v) {
				m = max(m, v)
			}
		}
	}
	return m
}

// linearTop is the top of a linear y axis from 0 that shows m with a
// margin for the band labels, and at least least.
func linearTop(m, least float64) float64 {
	return max(m*1.12, least)
}

func (sp *svcPlot) loadFigure() *figure {
	top := sp.newPanel(sp.name+" — load and capacity", "arrival rate (req/s)", false)
	rate := sp.column(func(r *reports.TimeseriesRow) float64 { return r.ArrivalRPS })
	top.add("arrival rate", newSeries(sp.xs, rate, solid(colBlue, 1.6), false))
	hi := maxOf(rate)
	if pts := sp.forecast; len(pts) > 0 {
		fx, fy := forecastSeries(pts, sp.ta.unit)
		top.add("forecast (predictive)", newSeries(fx, fy, dashed(colOrange, 1.4), false))
		hi = max(hi, maxOf(fy))
	}
	sp.finish(top, true, 0, linearTop(hi, 1))

	bottom := sp.newPanel("", "replicas", true)
	count := func(f func(*reports.TimeseriesRow) int64) []float64 {
		return sp.column(func(r *reports.TimeseriesRow) float64 { return float64(f(r)) })
	}
	desired := count(func(r *reports.TimeseriesRow) int64 { return r.ReplicasDesired })
	ready := count(func(r *reports.TimeseriesRow) int64 { return r.ReplicasReady })
	starting := count(func(r *reports.TimeseriesRow) int64 { return r.ReplicasStarting })
	draining := count(func(r *reports.TimeseriesRow) int64 { return r.ReplicasDraining })
	bottom.add("desired", newSeries(sp.xs, desired, dashed(colGrey, 1.4), false))
	bottom.add("ready", newSeries(sp.xs, ready, solid(colGreen, 2), false))
	bottom.add("starting", newSeries(sp.xs, starting, solid(colOrange, 1.4), false))
	bottom.add("draining", newSeries(sp.xs, draining, solid(colPurple, 1.4), false))
	sp.finish(bottom, false, 0, linearTop(maxOf(desired, ready, starting, draining), 1))
	bottom.p.Y.Tick.Marker = niceTicks{integer: true}
	return &figure{kind: reports.PlotLoad, title: sp.name + ": load and capacity", panels: []*panel{top, bottom}, w: plotW, h: loadPlotH}
}

// beyondLabel names the line along which a percentile beyond every latency
// (+Inf: too many requests did not complete) is drawn.
const beyondLabel = "beyond every latency (not completed)"

// ceilBeyond replaces the +Inf values of cols (percentiles beyond every
// latency) with a ceiling above hi, the largest finite value, and returns
// it; 0 when there is none. A log axis has no room for infinity, and a gap
// would hide the worst intervals.
func ceilBeyond(cols [][]float64, hi float64) float64 {
	if math.IsInf(hi, -1) || !(hi > 0) {
		hi = 1
	}
	ceil := 0.0
	for _, c := range cols {
		for i, v := range c {
			if math.IsInf(v, 1) {
				ceil = hi * 3 // half a decade above: not to be read as a latency
				c[i] = ceil
			}
		}
	}
	return ceil
}

func (sp *svcPlot) latencyFigure(sloS, sloPct float64) *figure {
	pn := sp.newPanel(sp.name+" — latency percentiles", "latency (s, log scale)", true)
	pn.p.Y.Scale = plot.LogScale{}
	pn.p.Y.Tick.Marker = logTicks{}
	cols := [][]float64{
		sp.column(func(r *reports.TimeseriesRow) float64 { return r.LatencyP50S }),
		sp.column(func(r *reports.TimeseriesRow) float64 { return r.LatencyP95S }),
		sp.column(func(r *reports.TimeseriesRow) float64 { return r.LatencyP99S }),
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range cols {
		for _, v := range c {
			if finite(v) && v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if sloS > 0 {
		lo, hi = min(lo, sloS), max(hi, sloS)
	}
	beyond := ceilBeyond(cols, hi)
	pn.add("p50", newSeries(sp.xs, cols[0], solid(colBlue, 1.4), false))
	pn.add("p95", newSeries(sp.xs, cols[1], solid(colOrange, 1.4), false))
	pn.add("p99", newSeries(sp.xs, cols[2], solid(colRed, 1.6), false))
	if beyond > 0 {
		pn.add(beyondLabel, hline(0, sp.end, beyond, dashed(colGrey, 0.8)))
		lo, hi = min(lo, beyond/16), beyond
	}
	if sloS > 0 {
		name := "SLO " + shortSeconds(sloS)
		if sloPct > 0 {
			name = "SLO: p" + strconv.FormatFloat(sloPct, 'f', -1, 64) + " ≤ " + shortSeconds(sloS)
		}
		pn.add(name, hline(0, sp.end, sloS, dashed(colBlack, 1.4)))
		lo, hi = min(lo, sloS), max(hi, sloS)
	}
	if math.IsInf(lo, 1) { // nothing completed and no SLO
		lo, hi = 0.001, 1
	}
	// Room above for the band labels (a third of a decade), a little below.
	sp.finish(pn, true, lo/1.4, hi*2.2)
	return &figure{kind: reports.PlotLatency, title: sp.name + ": latency percentiles", panels: []*panel{pn}, w: plotW, h: plotH}
}

func (sp *svcPlot) cpuFigure(target float64) *figure {
	pn := sp.newPanel(sp.name+" — CPU utilization", "CPU utilization (% of request)", true)
	util := sp.column(func(r *reports.TimeseriesRow) float64 { return 100 * r.CPUUtilization })
	pn.add("utilization", newSeries(sp.xs, util, solid(colBlue, 1.6), false))
	m := maxOf(util)
	if target > 0 {
		pn.add("target "+strconv.FormatFloat(100*target, 'f', -1, 64)+"%", hline(0, sp.end, 100*target, dashed(colBlack, 1.4)))
		m = max(m, 100*target)
	}
	sp.finish(pn, true, 0, linearTop(m, 100))
	return &figure{kind: reports.PlotCPU, title: sp.name + ": CPU utilization", panels: []*panel{pn}, w: plotW, h: plotH}
}

func (sp *svcPlot) errorsFigure() *figure {
	pn := sp.newPanel(sp.name+" — errors", "requests per "+shortSeconds(sp.interval)+" interval", true)
	count := func(f func(*reports.TimeseriesRow) int64) []float64 {
		return sp.column(func(r *reports.TimeseriesRow) float64 { return float64(f(r)) })
	}
	rejected := count(func(r *reports.TimeseriesRow) int64 { return r.Rejected })
	failed := count(func(r *reports.TimeseriesRow) int64 { return r.Failed })
	timedOut := count(func(r *reports.TimeseriesRow) int64 { return r.TimedOut })
	pn.add("rejected", newSeries(sp.xs, rejected, solid(colRed, 1.5), true))
	pn.add("failed", newSeries(sp.xs, failed, solid(colPurple, 1.5), true))
	pn.add("timed out", newSeries(sp.xs, timedOut, solid(colBrown, 1.5), true))
	sp.finish(pn, true, 0, linearTop(maxOf(rejected, failed, timedOut), 5))
	pn.p.Y.Tick.Marker = niceTicks{integer: true}
	return &figure{kind: reports.PlotErrors, title: sp.name + ": rejected, failed and timed-out requests", panels: []*panel{pn}, w: plotW, h: plotH}
}

// shortSeconds formats a duration in seconds for a label: 500 ms, 2 s,
// 12.5 ms, 1.5 min, 2 h.
func shortSeconds(s float64) string {
	f := func(v float64, unit string) string { return strconv.FormatFloat(v, 'g', 3, 64) + " " + unit }
	switch {
	case s <= 0:
		return "0 s"
	case s < 1e-3:
		return f(s*1e6, "µs")
	case s < 1:
		return f(s*1e3, "ms")
	case s < 120:
		return f(s, "s")
	case s < 7200:
		return f(s/60, "min")
	default:
		return f(s/3600, "h")
	}
}

// addBands shades the warmup and every fault that concerns service name,
// in the time axis's unit.
func (sp *svcPlot) addBands(res *results, name string, warmup time.Duration) {
	if w := warmup.Seconds(); w > 0 {
		sp.bands = append(sp.bands, band{x0: 0, x1: w / sp.ta.unit, label: "warmup", fill: colWarmupFill, ink: colWarmupText})
		sp.hasWarmup = true
	}
	for _, f := range res.faults {
		if f.Concerns(name) {
			sp.hasFaults = true
			sp.bands = append(sp.bands, band{x0: f.StartS / sp.ta.unit, x1: f.EndS / sp.ta.unit, label: f.Label,
				fill: colFaultFill, ink: colFaultText})
		}
	}
}
