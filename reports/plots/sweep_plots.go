package plots

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The sweep plots: every statistics figure against every varied param, the
// mean at each value with its confidence interval as error bars and one
// line per combination of the other varied params; and, with an SLO, cost
// against SLO attainment with the Pareto front.

// WriteSweepPlots writes the sweep's plots into dir as PNG or SVG and
// returns their file names in order: SweepPlotName(figure, param) for every
// plotted figure (cost_usd, instance_hours, replicas_mean, latency
// percentiles, slo_attainment, errors, error_rate) and every varied param,
// then sweep-pareto when the scenario has an SLO. Each file is written to a
// temporary name and renamed.
func WriteSweepPlots(dir, format string, res *reports.SweepResult) ([]string, error) {
	if format != reports.PNG && format != reports.SVG {
		return nil, fmt.Errorf("reports: plot format %q: want %q or %q", format, reports.PNG, reports.SVG)
	}
	var written []string
	write := func(name string, f *figure) error {
		b, err := f.render(format, 1)
		if err == nil {
			err = reports.WriteFileAtomically(filepath.Join(dir, name), b)
		}
		if err != nil {
			return fmt.Errorf("reports: plot %s: %w", name, err)
		}
		written = append(written, name)
		return nil
	}
	for _, f := range res.PlottedFigures() {
		for _, pi := range res.Grid.Varied() {
			fig, err := figureVsParam(res, f, pi)
			if err != nil {
				return written, fmt.Errorf("reports: plot %s: %w", reports.SweepPlotName(f.Name, res.Grid.Params[pi].Path, format), err)
			}
			if err := write(reports.SweepPlotName(f.Name, res.Grid.Params[pi].Path, format), fig); err != nil {
				return written, err
			}
		}
	}
	if res.HasSLO() {
		fig, err := paretoFigure(res)
		if err != nil {
			return written, fmt.Errorf("reports: plot %s: %w", reports.SweepParetoPlot, err)
		}
		if err := write(reports.SweepParetoPlot+"."+format, fig); err != nil {
			return written, err
		}
	}
	return written, nil
}

// paramAxis places a param's values on the x axis: at their numbers when
// every value is a number, at their seconds when every value is a Go
// duration (500ms, 2m), otherwise evenly in the order given, labelled with
// the values.
type paramAxis struct {
	xs      []float64
	label   string
	ticks   []plot.Tick // categorical axes only
	numeric bool
}

func newParamAxis(p reports.SweepParam) paramAxis {
	ax := paramAxis{xs: make([]float64, len(p.Values)), label: p.Path, numeric: true}
	for i, v := range p.Values {
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !finite(x) {
			ax.numeric = false
			break
		}
		ax.xs[i] = x
	}
	if ax.numeric {
		return ax
	}
	ax.numeric = true
	for i, v := range p.Values {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			ax.numeric = false
			break
		}
		ax.xs[i] = d.Seconds()
	}
	if ax.numeric {
		ax.label += " (s)"
		return ax
	}
	for i, v := range p.Values {
		ax.xs[i] = float64(i)
		ax.ticks = append(ax.ticks, plot.Tick{Value: float64(i), Label: v})
	}
	return ax
}

// sweepPalette colours the lines of a plot in turn.
var sweepPalette = []draw.LineStyle{
	solid(colBlue, 1.6), solid(colOrange, 1.6), solid(colGreen, 1.6), solid(colRed, 1.6),
	solid(colPurple, 1.6), solid(colBrown, 1.6), dashed(colBlue, 1.6), dashed(colOrange, 1.6),
	dashed(colGreen, 1.6), dashed(colRed, 1.6), dashed(colPurple, 1.6), dashed(colBrown, 1.6),
}

// xyErrs is what plotter's error bars take.
type xyErrs struct {
	plotter.XYs
	plotter.YErrors
	plotter.XErrors
}

// rangeOf extends [lo, hi] over v.
func rangeOf(lo, hi *float64, vs ...float64) {
	for _, v := range vs {
		if finite(v) {
			*lo, *hi = min(*lo, v), max(*hi, v)
		}
	}
}

// padded returns [lo, hi] widened by a margin on both sides (a unit around
// a single value).
func padded(lo, hi float64) (float64, float64) {
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	m := (hi - lo) * 0.08
	if m == 0 {
		m = max(math.Abs(lo)*0.1, 0.5)
	}
	return lo - m, hi + m
}

// figureVsParam draws figure f against param pi: one line per combination
// of the other varied params' values, each point the mean over the seeds
// with its confidence interval.
func figureVsParam(res *reports.SweepResult, f reports.SweepFigure, pi int) (*figure, error) {
	param := res.Grid.Params[pi]
	ax := newParamAxis(param)
	scale, label := percentScale(f.Name, f.Label)
	title := label + " by " + param.Path
	ylabel := label
	if !math.IsNaN(res.Points[0].Stats[f.Name].Lo) {
		ylabel += fmt.Sprintf(", mean and %s CI", reports.FormatConfidence(res.Analysis.Confidence))
	}
	pn := plainPanel(title, ax.label, ylabel)
	if ax.ticks != nil {
		pn.p.X.Tick.Marker = plot.ConstantTicks(ax.ticks)
	}

	// Group the points by the values of the other varied params, in order
	// of first appearance (which is grid order).
	var others []int
	for _, v := range res.Grid.Varied() {
		if v != pi {
			others = append(others, v)
		}
	}
	type line struct {
		name   string
		points []int // by value index of param pi
	}
	var lines []*line
	byKey := map[string]*line{}
	for _, pt := range res.Points {
		var parts []string
		for _, o := range others {
			parts = append(parts, res.Grid.Params[o].Path+"="+pt.Values[o])
		}
		key := strings.Join(parts, ", ")
		l := byKey[key]
		if l == nil {
			l = &line{name: key, points: make([]int, len(param.Values))}
			for i := range l.points {
				l.points[i] = -1
			}
			byKey[key] = l
			lines = append(lines, l)
		}
		vi := 0
		for i, v := range param.Values {
			if v == pt.Values[pi] {
				vi = i
				break
			}
		}
		// Fixed params (one value) agree at every point, so each value
		// index of pi has exactly one point per line.
		l.points[vi] = pt.Index
	}

	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for li, l := range lines {
		style := sweepPalette[li%len(sweepPalette)]
		var xs, ys []float64
		var pts xyErrs
		for vi, p := range l.points {
			if p < 0 {
				continue
			}
			st := scaled(res.Points[p].Stats[f.Name], scale)
			xs, ys = append(xs, ax.xs[vi]), append(ys, st.Mean)
			rangeOf(&xlo, &xhi, ax.xs[vi])
			rangeOf(&ylo, &yhi, st.Mean, st.Lo, st.Hi)
			if finite(st.Mean) {
				pts.XYs = append(pts.XYs, plotter.XY{X: ax.xs[vi], Y: st.Mean})
				lo, hi := 0.0, 0.0
				if finite(st.Lo) {
					lo, hi = st.Mean-st.Lo, st.Hi-st.Mean
				}
				pts.YErrors = append(pts.YErrors, struct{ Low, High float64 }{lo, hi})
			}
		}
		// Lines join the points in x order.
		order := make([]int, len(xs))
		for i := range order {
			order[i] = i
		}
		sortBy(order, func(i int) float64 { return xs[i] })
		sx, sy := make([]float64, len(xs)), make([]float64, len(xs))
		for i, o := range order {
			sx[i], sy[i] = xs[o], ys[o]
		}
		plotters := []plot.Plotter{newSeries(sx, sy, style, false)}
		if len(pts.XYs) > 0 {
			sc, err := plotter.NewScatter(pts.XYs)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return nil, err
			}
			eb.LineStyle = solid(style.Color, 1.2)
			plotters = append(plotters, eb, sc)
		}
		pn.add(l.name, plotters...)
	}
	pn.p.X.Min, pn.p.X.Max = padded(xlo, xhi)
	ylo, yhi = padded(ylo, yhi)
	if f.Name != "latency_p50_s" && ylo < 0 && !(math.IsInf(ylo, 0)) {
		// Costs, counts and rates are never negative: start at 0 when
		// the margin would go below.
		ylo = max(ylo, 0)
	}
	pn.p.Y.Min, pn.p.Y.Max = ylo, yhi
	return &figure{kind: "sweep", title: title, panels: []*panel{pn}, w: plotW, h: plotH}, nil
}

// percentScale is how a sweep figure is drawn: SLO attainment and the
// error rate, fractions in points.csv, in percent (as every other plot and
// table shows them), the others as they are.
func percentScale(name, label string) (float64, string) {
	switch name {
	case "slo_attainment", "error_rate":
		return 100, label + " (%)"
	}
	return 1, label
}

func scaled(st reports.SweepStat, k float64) reports.SweepStat {
	st.Mean, st.Lo, st.Hi = st.Mean*k, st.Lo*k, st.Hi*k
	return st
}

// pointLabel names a grid point by its varied params' values, each param by
// the last part of its path: "target_utilization=60, window=5m".
func pointLabel(res *reports.SweepResult, pt *reports.SweepPoint) string {
	var parts []string
	for _, v := range res.Grid.Varied() {
		path := res.Grid.Params[v].Path
		if i := strings.LastIndex(path, "."); i >= 0 {
			path = path[i+1:]
		}
		parts = append(parts, path+"="+pt.Values[v])
	}
	if len(parts) == 0 {
		return "p" + strconv.Itoa(pt.Index)
	}
	return strings.Join(parts, ", ")
}

// sortBy sorts idx stably by key (insertion sort: plots have few points).
func sortBy(idx []int, key func(int) float64) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && key(idx[j]) < key(idx[j-1]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

// paretoFigure draws every grid point at its mean cost and mean SLO
// attainment (%) with both intervals, each labelled with its param values,
// the Pareto front as a step line through its points, and the best point
// ringed.
func paretoFigure(res *reports.SweepResult) (*figure, error) {
	title := "cost against SLO attainment (mean and " + reports.FormatConfidence(res.Analysis.Confidence) + " CI per grid point)"
	pn := plainPanel(title, "cost (USD)", "SLO attainment (%)")
	var all, front xyErrs
	var labels plotter.XYLabels
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for i := range res.Points {
		pt := &res.Points[i]
		c, a := pt.Stats["cost_usd"], scaled(pt.Stats["slo_attainment"], 100)
		if !finite(c.Mean) || !finite(a.Mean) {
			continue
		}
		rangeOf(&xlo, &xhi, c.Mean, c.Lo, c.Hi)
		rangeOf(&ylo, &yhi, a.Mean, a.Lo, a.Hi)
		ex, ey := struct{ Low, High float64 }{}, struct{ Low, High float64 }{}
		if finite(c.Lo) {
			ex.Low, ex.High = c.Mean-c.Lo, c.Hi-c.Mean
		}
		if finite(a.Lo) {
			ey.Low, ey.High = a.Mean-a.Lo, a.Hi-a.Mean
		}
		xy := plotter.XY{X: c.Mean, Y: a.Mean}
		all.XYs, all.XErrors, all.YErrors = append(all.XYs, xy), append(all.XErrors, ex), append(all.YErrors, ey)
		if pt.Pareto {
			front.XYs = append(front.XYs, xy)
		}
		// Points with the same means (a param that changed nothing) share
		// one label: "window=1m; window=5m".
		if n := len(labels.XYs); n > 0 && labels.XYs[n-1] == xy {
			labels.Labels[n-1] += "; " + pointLabel(res, pt)
			continue
		}
		labels.XYs = append(labels.XYs, xy)
		labels.Labels = append(labels.Labels, pointLabel(res, pt))
	}
	if len(all.XYs) > 0 {
		xe, err := plotter.NewXErrorBars(all)
		if err != nil {
			return nil, err
		}
		ye, err := plotter.NewYErrorBars(all)
		if err != nil {
			return nil, err
		}
		xe.LineStyle, ye.LineStyle = solid(colGrey, 1), solid(colGrey, 1)
		xe.CapWidth, ye.CapWidth = vg.Points(4), vg.Points(4)
		sc, err := plotter.NewScatter(all.XYs)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colBlue, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		pn.add("grid point", xe, ye, sc)
	}
	if len(front.XYs) > 0 {
		// The front in cost order, drawn as a staircase: attainment
		// holds until the next point's cost buys more.
		order := make([]int, len(front.XYs))
		for i := range order {
			order[i] = i
		}
		sortBy(order, func(i int) float64 { return front.XYs[i].X })
		var sx, sy []float64
		for k, o := range order {
			p := front.XYs[o]
			if k > 0 {
				sx, sy = append(sx, p.X), append(sy, sy[len(sy)-1])
			}
			sx, sy = append(sx, p.X), append(sy, p.Y)
		}
		sc, err := plotter.NewScatter(front.XYs)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colRed, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		pn.add("Pareto front", newSeries(sx, sy, dashed(colRed, 1.4), false), sc)
	}
	if len(labels.XYs) > 0 {
		lb, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i] = textStyle(8.5, colBlack)
		}
		lb.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(3)}
		pn.p.Add(lb)
	}
	if res.Best >= 0 {
		b := &res.Points[res.Best]
		c, a := b.Stats["cost_usd"].Mean, 100*b.Stats["slo_attainment"].Mean
		if finite(c) && finite(a) {
			sc, err := plotter.NewScatter(plotter.XYs{{X: c, Y: a}})
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: colGreen, Radius: vg.Points(8), Shape: draw.RingGlyph{}}
			pn.add("chosen: "+pointLabel(res, b), sc)
		}
	}
	for _, r := range res.Analysis.Require {
		if r.Figure == "slo_attainment" && finite(xlo) {
			rangeOf(&ylo, &yhi, 100*r.Value)
			pn.add("require "+r.String(), hline(xlo, xhi, 100*r.Value, dashed(colBlack, 1.2)))
		}
	}
	pn.p.X.Min, pn.p.X.Max = padded(xlo, xhi)
	pn.p.Y.Min, pn.p.Y.Max = padded(ylo, yhi)
	pn.p.Y.Max = min(pn.p.Y.Max, 100+(pn.p.Y.Max-pn.p.Y.Min)*0.05)
	return &figure{kind: "sweep", title: title, panels: []*panel{pn}, w: plotW, h: plotH}, nil
}
