package plots

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The per-instance and per-node heatmaps, from instances.json: a row per
// instance (or node), a column per time column of the grid, the colour
// the value (a sequential scale from pale to dark red) or the state.

// maxHeatRows is the most rows a heatmap draws: beyond it, the hottest
// rows (by mean in flight, or CPU for nodes) are kept, and the title says
// how many of how many.
const maxHeatRows = 48

// heatScale is the sequential colour scale, pale yellow to dark red.
var heatScale = []color.NRGBA{rgb(0xff, 0xf7, 0xbc), rgb(0xfe, 0xc4, 0x4f), rgb(0xfe, 0x99, 0x29),
	rgb(0xec, 0x70, 0x14), rgb(0xcc, 0x4c, 0x02), rgb(0x8c, 0x2d, 0x04)}

// heatColour maps v in [0, top] onto heatScale, linearly between its
// stops; v >= top is the darkest.
func heatColour(v, top float64) color.NRGBA {
	if !(top > 0) {
		return heatScale[0]
	}
	f := min(max(v/top, 0), 1) * float64(len(heatScale)-1)
	i := min(int(f), len(heatScale)-2)
	a, b, t := heatScale[i], heatScale[i+1], f-float64(i)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return rgb(mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B))
}

// stateColours are the instance states' colours, as on the replicas panel.
var stateColours = map[string]color.NRGBA{
	"pending": colBrown, "starting": colOrange, "ready": colGreen, "draining": colPurple, "terminated": colGrey,
}

// cells draws a grid of values: row i (0 = top) from y = n-1-i to n-i,
// column k from x0 + k*w to x0 + (k+1)*w; a NaN cell is left blank.
type cells struct {
	x0, w  float64
	colour [][]color.Color // [row][column]; nil = blank
}

// Plot implements plot.Plotter.
func (c *cells) Plot(cv draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&cv)
	n := len(c.colour)
	for i, row := range c.colour {
		y0, y1 := trY(float64(n-1-i)), trY(float64(n-i))
		for k, col := range row {
			if col == nil {
				continue
			}
			l, r := trX(c.x0+float64(k)*c.w), trX(c.x0+float64(k+1)*c.w)
			cv.FillPolygon(col, []vg.Point{pt(l, y0), pt(r, y0), pt(r, y1), pt(l, y1)})
		}
	}
}

// rowTicks labels the rows of a heatmap of n rows, top to bottom.
type rowTicks []string

// Ticks implements plot.Ticker.
func (t rowTicks) Ticks(lo, hi float64) []plot.Tick {
	n := len(t)
	every := max(1, (n+23)/24) // at most 24 labels
	var ticks []plot.Tick
	for i, label := range t {
		if i%every == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(n-1-i) + 0.5, Label: label})
		}
	}
	return ticks
}

// heatRow is one row of a heatmap as drawn.
type heatRow struct {
	label  string
	values []float64 // NaN = not sampled
	states []string  // instances only
	heat   float64   // mean of values: what "hottest" ranks by
}

func floats(xs []reports.JSONFloat, scale float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x) * scale
	}
	return out
}

func meanFinite(xs []float64) float64 {
	s, n := 0.0, 0
	for _, x := range xs {
		if finite(x) {
			s, n = s+x, n+1
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// hottest returns the index of the row with the highest heat (the first
// of equals), or -1 when every row is cold (0).
func hottest(rows []heatRow) int {
	best := -1
	for i := range rows {
		if rows[i].heat > 0 && (best < 0 || rows[i].heat > rows[best].heat) {
			best = i
		}
	}
	return best
}

// instanceRows are service name's instances of rec, ordered by node then
// as they appeared (so the placement shows as blocks), with the hottest
// marked, at most maxHeatRows of them (the hottest), and how many there
// were in all.
func instanceRows(rec *reports.InstancesRecord, name string) (inflight, cpu []heatRow, total int) {
	type inst struct {
		r     *reports.InstanceRow
		order int
		heat  float64
	}
	var list []inst
	for i := range rec.Instances {
		if r := &rec.Instances[i]; r.Service == name {
			list = append(list, inst{r, i, meanFinite(floats(r.InFlight, 1))})
		}
	}
	total = len(list)
	if len(list) > maxHeatRows {
		slices.SortStableFunc(list, func(a, b inst) int { return cmp.Compare(b.heat, a.heat) })
		list = list[:maxHeatRows]
	}
	slices.SortStableFunc(list, func(a, b inst) int {
		return cmp.Or(cmp.Compare(a.r.Node, b.r.Node), cmp.Compare(a.order, b.order))
	})
	for _, in := range list {
		label := in.r.Name
		if in.r.Node != "" {
			label += " @ " + in.r.Node
		}
		f := floats(in.r.InFlight, 1)
		c := floats(in.r.CPUUtilization, 100)
		inflight = append(inflight, heatRow{label: label, values: f, states: in.r.State, heat: in.heat})
		cpu = append(cpu, heatRow{label: label, values: c, states: in.r.State, heat: meanFinite(c)})
	}
	if h := hottest(inflight); h >= 0 {
		inflight[h].label += " (hottest)"
		cpu[h].label = inflight[h].label
	}
	return inflight, cpu, total
}

// heatPanel is a heatmap panel over the time axis: rows of values on the
// scale [0, top], with a legend of the scale in unit.
func (sp *svcPlot) heatPanel(title string, rows []heatRow, colS float64, top float64, unit string, xlabels bool) *panel {
	p := styledPlot(title)
	p.X.Min, p.X.Max = 0, sp.end
	p.X.Tick.Marker = stepTicks{steps: sp.ta.steps, blank: !xlabels}
	if xlabels {
		p.X.Label.Text = sp.ta.label
	}
	labels := make(rowTicks, len(rows))
	c := &cells{w: colS / sp.ta.unit}
	for i, r := range rows {
		labels[i] = r.label
		line := make([]color.Color, len(r.values))
		for k, v := range r.values {
			if finite(v) {
				line[k] = heatColour(v, top)
			}
		}
		c.colour = append(c.colour, line)
	}
	p.Y.Min, p.Y.Max = 0, float64(max(len(rows), 1))
	p.Y.Tick.Marker = labels
	p.Y.Tick.Label.Font = textStyle(8, nil).Font
	pn := &panel{p: p, legend: plot.NewLegend()}
	pn.legend.TextStyle = textStyle(10, colBlack)
	pn.legend.Top, pn.legend.Left = true, true
	pn.legend.Padding = vg.Points(3)
	p.Add(c)
	p.Add(bandShades(sp.bands))
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		pn.legend.Add(strconv.FormatFloat(f*top, 'g', 3, 64)+" "+unit, swatch{heatColour(f*top, top)})
	}
	return pn
}

// statePanel is the rows' states over time.
func (sp *svcPlot) statePanel(rows []heatRow, colS float64) *panel {
	pn := sp.heatPanel("state", nil, colS, 1, "", true)
	pn.legend = plot.NewLegend()
	pn.legend.TextStyle = textStyle(10, colBlack)
	pn.legend.Top, pn.legend.Left = true, true
	pn.legend.Padding = vg.Points(3)
	labels := make(rowTicks, len(rows))
	c := &cells{w: colS / sp.ta.unit}
	seen := map[string]bool{}
	for i, r := range rows {
		labels[i] = r.label
		line := make([]color.Color, len(r.states))
		for k, s := range r.states {
			if col, ok := stateColours[s]; ok {
				line[k] = col
				seen[s] = true
			}
		}
		c.colour = append(c.colour, line)
	}
	pn.p.Y.Min, pn.p.Y.Max = 0, float64(max(len(rows), 1))
	pn.p.Y.Tick.Marker = labels
	pn.p.Add(c)
	for _, s := range []string{"pending", "starting", "ready", "draining", "terminated"} {
		if seen[s] {
			pn.legend.Add(s, swatch{stateColours[s]})
		}
	}
	return pn
}

// heatHeight is a heatmap panel's height for n rows.
func heatHeight(n int) vg.Length { return vg.Points(70) + vg.Length(max(n, 1))*vg.Points(9) }

// instancesFigure is service name's per-instance heatmaps: requests in
// flight, CPU (% of request) and state; nil without instances.
func (res *results) instancesFigure(sp *svcPlot) *figure {
	if res.instances == nil {
		return nil
	}
	inflight, cpu, total := instanceRows(res.instances, sp.name)
	if len(inflight) == 0 {
		return nil
	}
	colS := res.instances.ColumnS
	title := sp.name + " — instances"
	if total > len(inflight) {
		title += " (the " + strconv.Itoa(len(inflight)) + " busiest of " + strconv.Itoa(total) + ")"
	}
	maxOfRows := func(rows []heatRow, least float64) float64 {
		m := least
		for _, r := range rows {
			m = max(m, maxOf(r.values))
		}
		return m
	}
	top := sp.heatPanel(title+": requests in flight (mean)", inflight, colS, maxOfRows(inflight, 1), "req", false)
	mid := sp.heatPanel("CPU (% of request)", cpu, colS, maxOfRows(cpu, 100), "%", false)
	bottom := sp.statePanel(inflight, colS)
	h := 3*heatHeight(len(inflight)) + vg.Points(40)
	return &figure{kind: reports.PlotInstances, title: sp.name + ": instances (in flight, CPU, state)",
		panels: []*panel{top, mid, bottom}, w: plotW * 1.4, h: h}
}

// nodesFigure is the nodes' CPU and memory used, in % of their capacity;
// nil without node pools.
func (res *results) nodesFigure() *figure {
	if res.instances == nil || len(res.instances.Nodes) == 0 {
		return nil
	}
	sp := &svcPlot{name: "nodes", ta: newTimeAxis(res.endS)}
	sp.end = res.endS / sp.ta.unit
	for _, f := range res.faults {
		if f.Service == "" {
			sp.bands = append(sp.bands, band{x0: f.StartS / sp.ta.unit, x1: f.EndS / sp.ta.unit, fill: colFaultFill})
		}
	}
	var cpu, mem []heatRow
	for i := range res.instances.Nodes {
		n := &res.instances.Nodes[i]
		label := n.Name + " (" + n.Zone + ")"
		c := floats(n.CPUUsedCores, 100/max(n.CPUCores, 1e-9))
		m := floats(n.MemoryUsedBytes, 100/max(n.MemoryBytes, 1e-9))
		cpu = append(cpu, heatRow{label: label, values: c, heat: meanFinite(c)})
		mem = append(mem, heatRow{label: label, values: m, heat: meanFinite(m)})
	}
	if len(cpu) > maxHeatRows {
		cpu, mem = cpu[:maxHeatRows], mem[:maxHeatRows]
	}
	colS := res.instances.ColumnS
	top := sp.heatPanel("nodes — CPU used (% of the node)", cpu, colS, 100, "%", false)
	bottom := sp.heatPanel("memory used (% of the node)", mem, colS, 100, "%", true)
	return &figure{kind: reports.PlotNodes, title: "nodes: CPU and memory used", panels: []*panel{top, bottom},
		w: plotW * 1.4, h: 2*heatHeight(len(cpu)) + vg.Points(30)}
}
