package plots

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// policyColors tell the policies apart on the overlay plots (Tableau 10).
var policyColors = []color.Color{colBlue, colOrange, colGreen, colRed, colPurple, colBrown,
	rgb(0xe3, 0x77, 0xc2), colGrey, rgb(0xbc, 0xbd, 0x22), rgb(0x17, 0xbe, 0xcf)}

// policyDashes are the overlay lines' patterns in turn, in points: solid,
// dashed, dotted, dash-dot, long dashes.
var policyDashes = [][]float64{nil, {7, 3}, {1.5, 2.5}, {8, 3, 1.5, 3}, {12, 4}}

// policyStyle is the i-th policy's line: its own colour and dash pattern,
// and a width that narrows from the first policy on (which is drawn first),
// so that policies whose lines coincide all stay visible, each inside the
// one before.
func policyStyle(i int) draw.LineStyle {
	st := solid(policyColors[i%len(policyColors)], max(1.2, 3.6-0.6*float64(i)))
	for _, d := range policyDashes[i%len(policyDashes)] {
		st.Dashes = append(st.Dashes, vg.Points(d))
	}
	return st
}

// policyLegend is run i's legend entry for service name: its label, and
// its SLO attainment when the service has an SLO (so that a policy whose
// requests never completed, with no latency line to speak of, still says
// how it did).
func policyLegend(c *reports.Comparison, i int, name string) string {
	label := c.Runs[i].Label
	if s, ok := c.Runs[i].Summary.Services[name]; ok && s.SLO != nil {
		label += " (SLO " + reports.FormatPercent(s.SLO.Attainment) + ")"
	}
	return label
}

// WriteComparisonPlots reads the runs' results folders (dir/Folder) and
// writes into dir, for every service in name order, the plots of
// PlotCompareReplicas, PlotCompareP99 and (for a service with an SLO)
// PlotCostSLO, as PNG or SVG. It returns the names of the files written.
// Faults are drawn from the first run's events.jsonl: they are the
// scenario's, the same in every run.
func WriteComparisonPlots(dir, format string, c *reports.Comparison, opts reports.ComparisonPlotOptions) ([]string, error) {
	if format != reports.PNG && format != reports.SVG {
		return nil, fmt.Errorf("reports: plot format %q: want %q or %q", format, reports.PNG, reports.SVG)
	}
	if len(c.Runs) == 0 {
		return nil, nil
	}
	runs := make([]*results, len(c.Runs))
	for i, r := range c.Runs {
		res, err := readResults(filepath.Join(dir, r.Folder))
		if err != nil {
			return nil, fmt.Errorf("reports: policy %s: %w", r.Label, err)
		}
		runs[i] = res
	}
	var written []string
	write := func(file string, b []byte, err error) error {
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, file), b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("reports: plot %s: %w", file, err)
		}
		written = append(written, file)
		return nil
	}
	for _, name := range runs[0].names {
		sp := comparisonAxis(runs[0], name, opts.Warmup)
		f := sp.replicasOverlay(c, runs)
		b, err := f.render(format, 1)
		if err := write(reports.PlotFileName(reports.PlotCompareReplicas, name, format), b, err); err != nil {
			return written, err
		}
		f = sp.p99Overlay(c, runs)
		b, err = f.render(format, 1)
		if err := write(reports.PlotFileName(reports.PlotCompareP99, name, format), b, err); err != nil {
			return written, err
		}
		if s, ok := runs[0].summary.Services[name]; !ok || s.SLO == nil {
			continue
		}
		f = costSLOFigure(name, c, opts.Objectives[name])
		b, err = f.render(format, 1)
		if err := write(reports.PlotFileName(reports.PlotCostSLO, name, format), b, err); err != nil {
			return written, err
		}
	}
	return written, nil
}

// comparisonAxis is the time axis and the shaded bands of service name,
// shared by every run (it holds no rows).
func comparisonAxis(res *results, name string, warmup time.Duration) *svcPlot {
	sp := &svcPlot{name: name, ta: newTimeAxis(res.endS)}
	sp.end = res.endS / sp.ta.unit
	sp.addBands(res, name, warmup)
	return sp
}

// runSeries is one run's column of service sp.name on sp's axis.
func (sp *svcPlot) runSeries(res *results, f func(*reports.TimeseriesRow) float64) (xs, ys []float64) {
	rows := res.rows[sp.name]
	xs, ys = make([]float64, len(rows)), make([]float64, len(rows))
	for i := range rows {
		xs[i], ys[i] = rows[i].TimeS/sp.ta.unit, f(&rows[i])
	}
	return xs, ys
}

func (sp *svcPlot) replicasOverlay(c *reports.Comparison, runs []*results) *figure {
	top := sp.newPanel(sp.name+" — replicas per policy", "arrival rate (req/s)", false)
	xs, rate := sp.runSeries(runs[0], func(r *reports.TimeseriesRow) float64 { return r.ArrivalRPS })
	top.add("arrival rate", newSeries(xs, rate, solid(colBlack, 1.4), false))
	sp.finish(top, true, 0, linearTop(maxOf(rate), 1))

	bottom := sp.newPanel("", "replicas (alive)", true)
	m := 0.0
	for i, res := range runs {
		xs, ys := sp.runSeries(res, func(r *reports.TimeseriesRow) float64 { return float64(r.ReplicasAlive) })
		bottom.add(policyLegend(c, i, sp.name), newSeries(xs, ys, policyStyle(i), false))
		m = max(m, maxOf(ys))
	}
	sp.finish(bottom, false, 0, linearTop(m, 1))
	bottom.p.Y.Tick.Marker = niceTicks{integer: true}
	return &figure{kind: reports.PlotCompareReplicas, title: sp.name + ": replicas per policy",
		panels: []*panel{top, bottom}, w: plotW, h: loadPlotH}
}

func (sp *svcPlot) p99Overlay(c *reports.Comparison, runs []*results) *figure {
	pn := sp.newPanel(sp.name+" — p99 latency per policy", "p99 latency (s, log scale)", true)
	pn.p.Y.Scale = plot.LogScale{}
	pn.p.Y.Tick.Marker = logTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	xss, yss := make([][]float64, len(runs)), make([][]float64, len(runs))
	for i, res := range runs {
		xss[i], yss[i] = sp.runSeries(res, func(r *reports.TimeseriesRow) float64 { return r.LatencyP99S })
		for _, v := range yss[i] {
			if finite(v) && v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	slo, sloName := 0.0, ""
	if s, ok := runs[0].summary.Services[sp.name]; ok && s.SLO != nil && s.SLO.LatencyTargetS > 0 {
		slo = s.SLO.LatencyTargetS
		sloName = "SLO: p" + strconv.FormatFloat(s.SLO.Percentile, 'f', -1, 64) + " ≤ " + shortSeconds(slo)
		lo, hi = min(lo, slo), max(hi, slo)
	}
	// A p99 beyond every latency runs along a ceiling, so that the policy
	// that lets requests time out does not vanish from the plot.
	beyond := ceilBeyond(yss, hi)
	for i := range runs {
		pn.add(policyLegend(c, i, sp.name), newSeries(xss[i], yss[i], policyStyle(i), false))
	}
	if beyond > 0 {
		pn.add(beyondLabel, hline(0, sp.end, beyond, dashed(colGrey, 0.8)))
		lo, hi = min(lo, beyond/16), beyond
	}
	if slo > 0 {
		pn.add(sloName, hline(0, sp.end, slo, dashed(colBlack, 1.4)))
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.001, 1
	}
	sp.finish(pn, true, lo/1.4, hi*2.2)
	return &figure{kind: reports.PlotCompareP99, title: sp.name + ": p99 latency per policy", panels: []*panel{pn}, w: plotW, h: plotH}
}

// costSLOFigure is the scatter of each run's cost for service name against
// its SLO attainment; objective, when positive, is drawn as a line.
func costSLOFigure(name string, c *reports.Comparison, objective float64) *figure {
	pn := plainPanel(name+" — cost against SLO attainment", "cost of "+name+" (USD)", "SLO attainment (%)")
	var pts []labelledPoint
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo := 100.0
	for i := range c.Runs {
		s, ok := c.Runs[i].Summary.Services[name]
		if !ok || s.SLO == nil {
			continue
		}
		p := labelledPoint{x: s.Cost.USD, y: 100 * s.SLO.Attainment, label: c.Runs[i].Label,
			color: policyColors[i%len(policyColors)], filled: s.SLO.Met}
		pts = append(pts, p)
		xlo, xhi, ylo = min(xlo, p.x), max(xhi, p.x), min(ylo, p.y)
	}
	if objective > 0 {
		ylo = min(ylo, 100*objective)
	}
	if len(pts) == 0 {
		xlo, xhi = 0, 1
	}
	// Room on the right for the labels, a margin on the left.
	if span := xhi - xlo; span > 0 {
		xlo, xhi = xlo-0.1*span, xhi+0.3*span
	} else if xlo > 0 {
		xlo, xhi = xlo*0.9, xhi*1.15
	} else {
		xlo, xhi = 0, 1
	}
	xlo = max(xlo, 0)
	yspan := max(100-ylo, 0.1)
	ylo, yhi := max(ylo-0.12*yspan, 0), 100+0.08*yspan
	if objective > 0 {
		pn.add("objective "+strconv.FormatFloat(100*objective, 'g', 6, 64)+"%",
			hline(xlo, xhi, 100*objective, dashed(colBlack, 1.4)))
	}
	pn.p.Add(labelledPoints(pts))
	pn.legend.Add("meets the SLO", glyphThumb{filled: true})
	pn.legend.Add("misses it", glyphThumb{})
	pn.p.X.Min, pn.p.X.Max = xlo, xhi
	pn.p.Y.Min, pn.p.Y.Max = ylo, yhi
	return &figure{kind: reports.PlotCostSLO, title: name + ": cost against SLO attainment", panels: []*panel{pn}, w: plotW, h: plotH}
}

type labelledPoint struct {
	x, y   float64
	label  string
	color  color.Color
	filled bool
}

// labelledPoints draws each point as a circle in its colour (a ring when
// not filled) with its label to the right (to the left near the right
// edge). Points that nearly coincide on the canvas share one label, "a,
// b"; a label that would overlap one already placed moves down.
type labelledPoints []labelledPoint

var _ plot.DataRanger = labelledPoints(nil)

const pointRadius = 4.5 // points

// Plot implements plot.Plotter.
func (lp labelledPoints) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	r := vg.Points(pointRadius)
	at := make([]vg.Point, len(lp))
	for i, p := range lp {
		at[i] = pt(trX(p.x), trY(p.y))
		drawPointGlyph(c, at[i], p.color, p.filled)
	}
	near := func(a, b vg.Point) bool {
		dx, dy := a.X-b.X, a.Y-b.Y
		return dx*dx+dy*dy <= r*r
	}
	var placed []vg.Rectangle
	done := make([]bool, len(lp))
	for i := range lp {
		if done[i] {
			continue
		}
		label := lp[i].label
		for j := i + 1; j < len(lp); j++ {
			if !done[j] && near(at[i], at[j]) {
				done[j] = true
				label += ", " + lp[j].label
			}
		}
		sty := textStyle(10, colBlack)
		w, h := sty.Width(label), sty.Height(label)
		x := at[i].X + r + vg.Points(4)
		if x+w > c.Max.X {
			x = at[i].X - r - vg.Points(4) - w
		}
		y := at[i].Y - h/2
		rect := func() vg.Rectangle { return vg.Rectangle{Min: pt(x, y), Max: pt(x+w, y+h)} }
		for tries := 0; tries < 8 && overlapsAny(rect(), placed); tries++ {
			y -= h
		}
		placed = append(placed, rect())
		c.FillText(sty, pt(x, y), label)
	}
}

func overlapsAny(a vg.Rectangle, rs []vg.Rectangle) bool {
	for _, b := range rs {
		if a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y {
			return true
		}
	}
	return false
}

func drawPointGlyph(c draw.Canvas, at vg.Point, col color.Color, filled bool) {
	r := vg.Points(pointRadius)
	if filled {
		c.DrawGlyph(draw.GlyphStyle{Color: col, Radius: r, Shape: draw.CircleGlyph{}}, at)
		return
	}
	var ring vg.Path
	ring.Move(pt(at.X+r, at.Y))
	ring.Arc(at, r, 0, 2*math.Pi)
	ring.Close()
	c.SetColor(color.White)
	c.Fill(ring)
	c.SetLineStyle(solid(col, 1.8))
	c.Stroke(ring)
}

// DataRange implements plot.DataRanger.
func (lp labelledPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, p := range lp {
		xmin, xmax = min(xmin, p.x), max(xmax, p.x)
		ymin, ymax = min(ymin, p.y), max(ymax, p.y)
	}
	return xmin, xmax, ymin, ymax
}

// glyphThumb is the legend thumbnail of a filled or hollow point.
type glyphThumb struct{ filled bool }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	drawPointGlyph(*c, c.Center(), colGrey, g.filled)
}
