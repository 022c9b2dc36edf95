package plots

import (
	"math"

	"github.com/scalesim/scalesim/reports"
)

// The resource plots: memory against requests and limits, and CPU
// throttling. Each is nil when its data is all zero (a scenario without
// memory figures or without a CPU limit), so that a report shows only what
// the run has.

// memoryFigure is the working set (GiB) against the summed memory
// requests and limits, with a marker at each interval that had OOM kills
// or restarts.
func (sp *svcPlot) memoryFigure() *figure {
	const gib = 1 << 30
	col := func(f func(*reports.TimeseriesRow) float64) []float64 {
		return sp.column(func(r *reports.TimeseriesRow) float64 { return f(r) / gib })
	}
	ws := col(func(r *reports.TimeseriesRow) float64 { return r.MemoryBytes })
	req := col(func(r *reports.TimeseriesRow) float64 { return r.MemoryRequestBytes })
	lim := col(func(r *reports.TimeseriesRow) float64 { return r.MemoryLimitBytes })
	if maxOf(ws, req, lim) == 0 {
		return nil
	}
	pn := sp.newPanel(sp.name+" — memory", "memory (GiB, all instances)", true)
	pn.add("working set", newSeries(sp.xs, ws, solid(colBlue, 1.6), false))
	if maxOf(req) > 0 {
		pn.add("requests", newSeries(sp.xs, req, dashed(colGreen, 1.4), false))
	}
	if maxOf(lim) > 0 {
		pn.add("limits", newSeries(sp.xs, lim, dashed(colRed, 1.4), false))
	}
	oom := &markers{down: true, fill: colRed}
	restart := &markers{fill: colOrange}
	for i := range sp.rows {
		r := &sp.rows[i]
		if r.OOMKills > 0 {
			oom.xs, oom.ys = append(oom.xs, sp.xs[i]), append(oom.ys, ws[i])
		}
		if r.Restarts > 0 {
			restart.xs, restart.ys = append(restart.xs, sp.xs[i]), append(restart.ys, ws[i])
		}
	}
	if len(oom.xs) > 0 {
		pn.add("OOM kill", oom)
	}
	if len(restart.xs) > 0 {
		pn.add("restart", restart)
	}
	sp.finish(pn, true, 0, linearTop(maxOf(ws, req, lim), 0.001))
	return &figure{kind: reports.PlotMemory, title: sp.name + ": memory (working set, requests, limits)", panels: []*panel{pn}, w: plotW, h: plotH}
}

// throttlingFigure is the share of CFS periods throttled (%) and the time
// throttled per second of the interval (summed over the instances, in %
// of one core's second).
func (sp *svcPlot) throttlingFigure() *figure {
	throttled := sp.column(func(r *reports.TimeseriesRow) float64 { return float64(r.CPUThrottledPeriods) })
	if maxOf(throttled) == 0 {
		return nil
	}
	share := sp.column(func(r *reports.TimeseriesRow) float64 {
		if r.CPUPeriods == 0 {
			return math.NaN()
		}
		return 100 * float64(r.CPUThrottledPeriods) / float64(r.CPUPeriods)
	})
	secs := sp.perSecond(func(r *reports.TimeseriesRow) float64 { return 100 * r.CPUThrottledSeconds })
	pn := sp.newPanel(sp.name+" — CPU throttling", "throttled (%)", true)
	pn.add("periods throttled (% of periods)", newSeries(sp.xs, share, solid(colRed, 1.6), false))
	pn.add("time throttled (% of a second)", newSeries(sp.xs, secs, solid(colPurple, 1.4), false))
	sp.finish(pn, true, 0, linearTop(maxOf(share, secs), 100))
	return &figure{kind: reports.PlotThrottling, title: sp.name + ": CPU throttling", panels: []*panel{pn}, w: plotW, h: plotH}
}
