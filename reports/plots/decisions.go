package plots

import (
	"image/color"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The replicas panel's "why": a marker at each scale action, and a shade
// over each span in which a limit held the count (a stabilization window,
// a rate policy, a bound, pending instances; reports.Timeline).

var (
	colHeldFill = rgba(0xff, 0xb3, 0x00, 0x3a) // amber, about 23% opaque
	colUpMark   = rgb(0x1a, 0x7f, 0x37)
	colDownMark = rgb(0xb3, 0x59, 0x00)
)

// markers are triangles at (xs[i], ys[i]), pointing up or down.
type markers struct {
	xs, ys []float64
	down   bool
	fill   color.Color
}

const markerSize = 4.2 // points, half the triangle's width

func (m *markers) triangle(c *draw.Canvas, p vg.Point) {
	r := vg.Points(markerSize)
	if m.down {
		c.FillPolygon(m.fill, []vg.Point{pt(p.X-r, p.Y+r), pt(p.X+r, p.Y+r), pt(p.X, p.Y-r)})
		return
	}
	c.FillPolygon(m.fill, []vg.Point{pt(p.X-r, p.Y-r), pt(p.X+r, p.Y-r), pt(p.X, p.Y+r)})
}

// Plot implements plot.Plotter.
func (m *markers) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, x := range m.xs {
		if p := pt(trX(x), trY(m.ys[i])); c.Contains(p) {
			m.triangle(&c, p)
		}
	}
}

// Thumbnail implements plot.Thumbnailer.
func (m *markers) Thumbnail(c *draw.Canvas) { m.triangle(c, c.Center()) }

// decisionMarks returns the service's scale actions as up and down markers
// at the new count, and its held spans as bands, in the time axis's unit.
func (sp *svcPlot) decisionMarks(tl *reports.Timeline) (up, down *markers, held []band) {
	up = &markers{fill: colUpMark}
	down = &markers{down: true, fill: colDownMark}
	if tl == nil {
		return up, down, nil
	}
	step := tl.Interval(sp.name)
	for i := range tl.Entries {
		e := &tl.Entries[i]
		if e.First.Service != sp.name {
			continue
		}
		x := e.First.TimeS / sp.ta.unit
		switch e.Change() {
		case "up":
			up.xs, up.ys = append(up.xs, x), append(up.ys, float64(e.First.After))
		case "down":
			down.xs, down.ys = append(down.xs, x), append(down.ys, float64(e.First.After))
		default:
			end := (e.Last.TimeS + step) / sp.ta.unit
			if n := len(held); n > 0 && held[n-1].x1 >= x {
				held[n-1].x1 = max(held[n-1].x1, end) // touching spans by different limits
				continue
			}
			held = append(held, band{x0: x, x1: end, fill: colHeldFill})
		}
	}
	return up, down, held
}
