package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
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

// progressMux draws one bar for several runs going at once: their mean
// fraction done.
type progressMux struct {
	mu   sync.Mutex
	bar  *progressBar
	done []float64
}

func newProgressMux(bar *progressBar, n int) *progressMux {
	return &progressMux{bar: bar, done: make([]float64, n)}
}

// update records run i's fraction done and redraws.
func (m *progressMux) update(i int, f float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[i] = f
	sum := 0.0
	for _, d := range m.done {
		sum += d
	}
	m.bar.update(sum / float64(len(m.done)))
}

// sweepProgress draws "sweep [#####.....] 12/40 runs  3s  ETA 7s" on a
// terminal. It reads the wall clock, which only decorates.
type sweepProgress struct {
	w     io.Writer
	total int
	start time.Time
}

func newSweepProgress(w io.Writer, total int) *sweepProgress {
	p := &sweepProgress{w: w, total: total, start: time.Now()}
	p.update(0)
	return p
}

func (p *sweepProgress) update(done int) {
	const width = 30
	fill := done * width / p.total
	elapsed := time.Since(p.start)
	eta := "ETA -"
	if done > 0 {
		left := time.Duration(float64(elapsed) / float64(done) * float64(p.total-done))
		eta = "ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\rsweep [%s%s] %d/%d runs  %s  %s ", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
		done, p.total, elapsed.Round(time.Second), eta)
}

func (p *sweepProgress) finish() { fmt.Fprintln(p.w) }
