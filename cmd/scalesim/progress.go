package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws "[#####.....]  52%  sim 3h07m of 6h  0.4s" on a
// terminal, redrawing in place. It reads the wall clock, which is fine
// here: it only decorates; the simulation never sees it.
type progressBar struct {
	w     io.Writer
	label string
	total time.Duration
	start time.Time
	last  int
}

func newProgressBar(w io.Writer, label string, total time.Duration) *progressBar {
	return &progressBar{w: w, label: label, total: total, start: time.Now(), last: -1}
}

// update draws the bar at fraction done (0..1).
func (p *progressBar) update(done float64) {
	pct := int(done * 100)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	fill := int(done * width)
	sim := time.Duration(done * float64(p.total)).Round(time.Second)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  sim %v of %v  %.1fs ", p.label,
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, sim, p.total, time.Since(p.start).Seconds())
	if done >= 1 {
		fmt.Fprintln(p.w)
	}
}
