package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The plotters, tickers and layout the plots are made of. gonum/plot's own
// Line refuses NaN, has no gaps and puts the legend over the data; these
// small pieces do what the results plots need.

func rgb(r, g, b uint8) color.NRGBA     { return color.NRGBA{R: r, G: g, B: b, A: 255} }
func rgba(r, g, b, a uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: a} }
func finite(v float64) bool             { return !math.IsNaN(v) && !math.IsInf(v, 0) }
func pt(x, y vg.Length) vg.Point        { return vg.Point{X: x, Y: y} }
func solid(c color.Color, w float64) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(w)}
}
func dashed(c color.Color, w float64) draw.LineStyle {
	s := solid(c, w)
	s.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	return s
}

// The palette (Tableau 10, which reads well on screens and projectors).
var (
	colBlue   = rgb(0x1f, 0x77, 0xb4)
	colOrange = rgb(0xff, 0x7f, 0x0e)
	colGreen  = rgb(0x2c, 0xa0, 0x2c)
	colRed    = rgb(0xd6, 0x27, 0x28)
	colPurple = rgb(0x94, 0x67, 0xbd)
	colBrown  = rgb(0x8c, 0x56, 0x4b)
	colGrey   = rgb(0x7f, 0x7f, 0x7f)
	colBlack  = rgb(0x22, 0x22, 0x22)

	colFaultFill  = rgba(0xd6, 0x27, 0x28, 0x2e) // red, about 18% opaque
	colFaultText  = rgb(0x9e, 0x1b, 0x1c)
	colWarmupFill = rgba(0x7f, 0x7f, 0x7f, 0x24)
	colWarmupText = rgb(0x55, 0x55, 0x55)
	colGrid       = rgb(0xe3, 0xe3, 0xe3)
)

// sans is the plots' typeface: Liberation Sans, metric-compatible with
// Arial, which report.html names as its fallback.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sans, vg.Points(size)),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// series is a line through (xs[i], ys[i]) that breaks at NaN (and, on a
// log axis, at values <= 0) and draws an isolated point as a dot. With
// step set, ys[i] holds over (xs[i-1], xs[i]] (from first for i = 0): a
// count per interval drawn as the interval it covers.
type series struct {
	xs, ys []float64
	style  draw.LineStyle
	step   bool
	first  float64
}

var (
	_ plot.Plotter     = (*series)(nil)
	_ plot.DataRanger  = (*series)(nil)
	_ plot.Thumbnailer = (*series)(nil)
)

// maxPoints is the most points a series draws; longer ones are decimated.
// A plot is under a thousand pixels wide, so this loses nothing visible
// and keeps SVG files and report.html small for long runs.
const maxPoints = 1600

// newSeries returns the series of xs, ys, decimated to maxPoints by keeping
// the lowest and the highest value of each bucket of consecutive points (so
// a spike never disappears). A decimated series is drawn as a plain line:
// its steps would be narrower than a pixel.
func newSeries(xs, ys []float64, style draw.LineStyle, step bool) *series {
	s := &series{xs: xs, ys: ys, style: style, step: step}
	if len(xs) > 1 {
		s.first = xs[0] - (xs[1] - xs[0])
	}
	if n := len(xs); n > maxPoints {
		buckets := maxPoints / 2
		ox := make([]float64, 0, maxPoints)
		oy := make([]float64, 0, maxPoints)
		for b := range buckets {
			lo, hi := b*n/buckets, (b+1)*n/buckets
			imin, imax := -1, -1
			for i := lo; i < hi; i++ {
				if !finite(ys[i]) {
					continue
				}
				if imin < 0 || ys[i] < ys[imin] {
					imin = i
				}
				if imax < 0 || ys[i] > ys[imax] {
					imax = i
				}
			}
			if imin < 0 { // all undefined: keep the gap
				ox, oy = append(ox, xs[(lo+hi)/2]), append(oy, math.NaN())
				continue
			}
			a, c := min(imin, imax), max(imin, imax)
			ox, oy = append(ox, xs[a]), append(oy, ys[a])
			if c != a {
				ox, oy = append(ox, xs[c]), append(oy, ys[c])
			}
		}
		s.xs, s.ys, s.step = ox, oy, false
	}
	return s
}

// strokeChunk is the most segments stroked as one path.
const strokeChunk = 48

// hline is a horizontal reference line across [x0, x1].
func hline(x0, x1, y float64, style draw.LineStyle) *series {
	return &series{xs: []float64{x0, x1}, ys: []float64{y, y}, style: style}
}

func isLog(a *plot.Axis) bool {
	_, ok := a.Scale.(plot.LogScale)
	return ok
}

// Plot implements plot.Plotter.
func (s *series) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	logY := isLog(&plt.Y)
	var run []vg.Point
	flush := func() {
		switch {
		case len(run) == 1:
			if c.Contains(run[0]) {
				c.DrawGlyph(draw.GlyphStyle{Color: s.style.Color, Radius: max(s.style.Width, vg.Points(1.2)),
					Shape: draw.CircleGlyph{}}, run[0])
			}
		case len(run) > 1:
			// Stroked in short pieces: the PNG rasterizer's time grows
			// with the square of a path's length where it is dense.
			lines := c.ClipLinesXY(run)
			for _, l := range lines {
				for len(l) > strokeChunk {
					c.StrokeLines(s.style, l[:strokeChunk+1])
					l = l[strokeChunk:]
				}
				c.StrokeLines(s.style, l)
			}
		}
		run = run[:0]
	}
	for i, x := range s.xs {
		y := s.ys[i]
		if !finite(y) || (logY && y <= 0) {
			flush()
			continue
		}
		if s.step {
			x0 := s.first
			if i > 0 {
				x0 = s.xs[i-1]
			}
			run = append(run, pt(trX(x0), trY(y)))
		}
		run = append(run, pt(trX(x), trY(y)))
	}
	flush()
}

// DataRange implements plot.DataRanger over the finite points.
func (s *series) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i, x := range s.xs {
		if y := s.ys[i]; finite(y) {
			xmin, xmax = min(xmin, x), max(xmax, x)
			ymin, ymax = min(ymin, y), max(ymax, y)
		}
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer.
func (s *series) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(s.style, c.Min.X, y, c.Max.X, y)
}

// band is a shaded span of the x axis: a fault or the warmup.
type band struct {
	x0, x1    float64 // axis units; x1 may be +Inf (to the end)
	label     string
	fill, ink color.Color
}

// bandShades draws bands over the full height of the data area. It is
// added first, so that the data is drawn over it.
type bandShades []band

// minBand is the narrowest a band is drawn: an instantaneous fault shows
// as a thin bar.
const minBand = 1.5 // points

// span returns the band's left and right edges on c.
func (b *band) span(c *draw.Canvas, plt *plot.Plot) (l, r vg.Length, ok bool) {
	x0, x1 := max(b.x0, plt.X.Min), min(b.x1, plt.X.Max)
	if x1 < x0 {
		if b.x0 != b.x1 || b.x0 < plt.X.Min || b.x0 > plt.X.Max {
			return 0, 0, false
		}
		x1 = x0
	}
	trX, _ := plt.Transforms(c)
	l, r = trX(x0), trX(x1)
	if w := vg.Points(minBand); r-l < w {
		mid := (l + r) / 2
		l, r = max(mid-w/2, c.Min.X), min(mid+w/2, c.Max.X)
	}
	return l, r, true
}

// Plot implements plot.Plotter.
func (bs bandShades) Plot(c draw.Canvas, plt *plot.Plot) {
	for i := range bs {
		l, r, ok := bs[i].span(&c, plt)
		if !ok {
			continue
		}
		c.FillPolygon(bs[i].fill, []vg.Point{pt(l, c.Min.Y), pt(r, c.Min.Y), pt(r, c.Max.Y), pt(l, c.Max.Y)})
	}
}

// bandLabels writes each band's label at the top of the band, on a light
// box so that it stays readable over the data; labels that would overlap
// go one row lower. It is added last, over the data.
type bandLabels []band

// Plot implements plot.Plotter.
func (bs bandLabels) Plot(c draw.Canvas, plt *plot.Plot) {
	var rowEnd []vg.Length // right edge of the last label on each row
	for i := range bs {
		b := &bs[i]
		l, _, ok := b.span(&c, plt)
		if !ok || b.label == "" {
			continue
		}
		sty := textStyle(8.5, b.ink)
		w, h := sty.Width(b.label), sty.Height(b.label)
		pad := vg.Points(2)
		x := l + pad
		if x+w+pad > c.Max.X {
			x = max(c.Max.X-w-pad, c.Min.X)
		}
		row := 0
		for row < len(rowEnd) && rowEnd[row] > x-pad {
			row++
		}
		if row == len(rowEnd) {
			rowEnd = append(rowEnd, 0)
		}
		rowEnd[row] = x + w + pad
		y := c.Max.Y - pad - vg.Length(row+1)*(h+pad)
		if y < c.Min.Y {
			continue
		}
		c.FillPolygon(rgba(255, 255, 255, 0xd0), []vg.Point{
			pt(x-pad/2, y-pad/2), pt(x+w+pad/2, y-pad/2), pt(x+w+pad/2, y+h+pad/2), pt(x-pad/2, y+h+pad/2)})
		c.FillText(sty, pt(x, y), b.label)
	}
}

// swatch is a legend thumbnail of a band's colour.
type swatch struct{ fill color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.fill, []vg.Point{c.Min, pt(c.Max.X, c.Min.Y), c.Max, pt(c.Min.X, c.Max.Y)})
}

// timeAxis is how a run's time is shown: in seconds, minutes or hours.
type timeAxis struct {
	unit  float64 // seconds per axis unit
	label string  // "time (min)"
	steps []float64
}

func newTimeAxis(endS float64) timeAxis {
	switch {
	case endS <= 300:
		return timeAxis{1, "time (s)", []float64{1, 2, 5, 10, 15, 20, 30, 60}}
	case endS <= 3*3600:
		return timeAxis{60, "time (min)", []float64{1, 2, 5, 10, 15, 20, 30, 60}}
	default:
		return timeAxis{3600, "time (h)", []float64{0.25, 0.5, 1, 2, 3, 4, 6, 12, 24, 48, 72, 168, 336, 720}}
	}
}

// stepTicks marks the time axis every step, the smallest of steps that
// gives at most 10 marks, labelled as plain decimals (0, 15, 30; 0.5, 1).
// With blank set the marks carry no labels (the upper panel of a stack).
type stepTicks struct {
	steps []float64
	blank bool
}

// Ticks implements plot.Ticker.
func (t stepTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := t.steps[len(t.steps)-1]
	for _, s := range t.steps {
		if span/s <= 10 {
			step = s
			break
		}
	}
	if span/step > 10 {
		step *= math.Ceil(span / step / 10)
	}
	var ticks []plot.Tick
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+1e-9*step; i++ {
		v := i * step
		if v == 0 {
			v = 0 // not -0
		}
		label := strconv.FormatFloat(v, 'f', -1, 64)
		if t.blank {
			label = " " // not "": an empty label is a minor tick
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// niceTicks marks a linear axis at 4 to 10 round values (1, 2, 2.5 or 5
// times a power of ten), labelled as plain decimals with no more digits
// than the step needs. With integer set the step is at least 1 (replicas,
// request counts).
type niceTicks struct{ integer bool }

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || !finite(span) {
		return nil
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if span/(m*mag) <= 8 {
			step = m * mag
			break
		}
	}
	if t.integer {
		step = max(math.Round(step), 1)
	}
	decimals := 0
	for d := step; d != math.Trunc(d) && decimals < 12; d *= 10 {
		decimals++
	}
	var ticks []plot.Tick
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+1e-9*step; i++ {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(i*step, 'f', decimals, 64), 64)
		if v == 0 {
			v = 0 // not -0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}

// logTicks marks a log axis at every digit times a power of ten, and
// labels 1, 2 and 5 times powers of ten (also 3 over a narrow range; only
// the powers of ten over a wide one).
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	decades := math.Log10(hi / lo)
	labelled := func(m int) bool {
		switch {
		case decades <= 1.3:
			return m == 1 || m == 2 || m == 3 || m == 5
		case decades <= 3.5:
			return m == 1 || m == 2 || m == 5
		default:
			return m == 1
		}
	}
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
		for m := 1; m <= 9; m++ {
			v, err := strconv.ParseFloat(strconv.Itoa(m)+"e"+strconv.Itoa(e), 64) // exact decimal
			if err != nil || v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled(m) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// panel is one plot with its legend, which is drawn to the right of the
// data rather than over it.
type panel struct {
	p      *plot.Plot
	legend plot.Legend
}

// add adds the plotters and, when name is not empty, a legend entry.
func (pn *panel) add(name string, ps ...plot.Plotter) {
	pn.p.Add(ps...)
	if name == "" {
		return
	}
	var thumbs []plot.Thumbnailer
	for _, p := range ps {
		if t, ok := p.(plot.Thumbnailer); ok {
			thumbs = append(thumbs, t)
		}
	}
	pn.legend.Add(name, thumbs...)
}

// figure is one or more panels stacked over a shared time axis.
type figure struct {
	kind, title string
	panels      []*panel
	w, h        vg.Length // size when drawn alone
}

// draw draws f on c: white background, the panels aligned, each panel's
// legend in a column on the right.
func (f *figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	var legendW vg.Length
	for _, pn := range f.panels {
		r := pn.legend.Rectangle(c)
		legendW = max(legendW, r.Max.X-r.Min.X)
	}
	pad := vg.Points(10)
	inner := c
	if legendW > 0 {
		inner.Max.X -= legendW + 2*pad
	}
	plots := make([][]*plot.Plot, len(f.panels))
	for i, pn := range f.panels {
		plots[i] = []*plot.Plot{pn.p}
	}
	tiles := draw.Tiles{Rows: len(f.panels), Cols: 1, PadY: vg.Points(8),
		PadTop: vg.Points(6), PadBottom: vg.Points(4), PadLeft: vg.Points(4)}
	canvases := plot.Align(plots, tiles, inner)
	for i, pn := range f.panels {
		pn.p.Draw(canvases[i][0])
		if legendW == 0 {
			continue
		}
		dc := pn.p.DataCanvas(canvases[i][0])
		lc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: pt(inner.Max.X+pad, dc.Min.Y), Max: pt(c.Max.X-pad, dc.Max.Y)}}
		pn.legend.Draw(lc)
	}
}
