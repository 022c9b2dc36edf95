package cluster

import (
	"math"
	"slices"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// latencyWindow publishes a latency percentile over the last Window of
// completed requests, refreshed at every scrape like the other metrics: the
// requests completed since the last scrape are not seen until the next one.
// It records only when enabled (a latency percentile was configured).
type latencyWindow struct {
	enabled bool
	buckets [][]float64 // one per scrape interval, seconds; last is current
	sorted  []float64   // scratch for quantiles
}

func (l *latencyWindow) init(window, scrape time.Duration) {
	if window <= 0 || scrape <= 0 {
		return
	}
	k := int((window + scrape - 1) / scrape)
	l.buckets = make([][]float64, k+1)
	l.enabled = true
}

func (l *latencyWindow) add(_ sim.Time, d time.Duration) {
	if !l.enabled {
		return
	}
	last := len(l.buckets) - 1
	l.buckets[last] = append(l.buckets[last], d.Seconds())
}

// rotate closes the current bucket at a scrape and drops the oldest.
func (l *latencyWindow) rotate(sim.Time) {
	if !l.enabled {
		return
	}
	oldest := l.buckets[0][:0]
	copy(l.buckets, l.buckets[1:])
	l.buckets[len(l.buckets)-1] = oldest
}

// quantile returns the p-th percentile of the published (closed) buckets,
// nearest-rank.
func (l *latencyWindow) quantile(p float64) policies.LatencyMetric {
	m := policies.LatencyMetric{Percentile: p}
	if !l.enabled || p <= 0 {
		return m
	}
	l.sorted = l.sorted[:0]
	for _, b := range l.buckets[:len(l.buckets)-1] {
		l.sorted = append(l.sorted, b...)
	}
	m.Count = len(l.sorted)
	if m.Count == 0 {
		return m
	}
	slices.Sort(l.sorted)
	k := int(math.Ceil(p/100*float64(m.Count))) - 1
	m.Seconds = l.sorted[max(k, 0)]
	return m
}
