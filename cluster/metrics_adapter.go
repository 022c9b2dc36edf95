package cluster

import (
	"math"
	"sort"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// The metrics adapter is what an HPA on Pods, Object or External metrics
// reads, as a Prometheus + prometheus-adapter stack serves it:
//
//   - Every ScrapeInterval, Prometheus scrapes each running instance (its
//     requests counter, incremented as it takes a request, so that it
//     measures demand even when the instance is saturated; its latency
//     histogram, observed as responses leave, its requests-held and
//     queue-length gauges), the load balancer (arrivals counter, latency
//     histogram, in-flight gauge) and the message queue (depth, oldest
//     message age). A scrape is a copy of the counters: nothing is
//     recorded per request but a counter increment.
//   - At each evaluation the adapter answers with a PromQL-like query over
//     what was scraped: a counter is rate(counter[RateWindow]) with
//     Prometheus' extrapolation (promql/functions.go extrapolatedRate), a
//     latency percentile histogram_quantile(q, rate(bucket[RateWindow]))
//     (promql/quantile.go bucketQuantile) over Prometheus' default buckets
//     (client_golang prometheus.DefBuckets), a gauge its last scraped value.
//     Range selectors are left-open, as in Prometheus 3: samples in
//     (now - RateWindow, now].
//
// So the HPA sees the load with two lags: up to one scrape interval of
// staleness, and the rate window's smoothing (a step in load shows fully
// only a window later). A pod scraped fewer than twice within the window
// has no rate yet: the HPA's "missing" pod. Samples live in one ring per
// instance, keyed by scrape time, RateWindow/ScrapeInterval+2 deep: memory
// does not grow with the run or with the request rate.

// AdapterConfig configures a service's metrics adapter.
type AdapterConfig struct {
	// ScrapeInterval is Prometheus' scrape interval for the service's
	// targets.
	ScrapeInterval time.Duration
	// RateWindow is the range of the adapter's rate() queries.
	RateWindow time.Duration
}

// latencyBuckets are client_golang's DefBuckets (seconds); a last +Inf
// bucket is implied.
var latencyBuckets = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

const nBuckets = len(latencyBuckets) + 1

// histogram counts observations per bucket (not cumulative; the last is
// above the largest bound).
type histogram [nBuckets]float64

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	k := sort.SearchFloat64s(latencyBuckets[:], s) // first bound >= s
	h[k]++
}

// adapterSample is one scrape of a target.
type adapterSample struct {
	t      sim.Time
	count  float64   // the target's counter: requests taken (pod) or arrivals (load balancer)
	hist   histogram // latency observations so far
	gauges [2]float64
}

// Gauge indices in adapterSample.gauges.
const (
	gaugeInFlight = 0 // pods and load balancer: requests held / in flight
	gaugeQueue    = 1 // pods: queue length; the service's message queue: depth
)

// adapterRing keeps a target's most recent scrapes.
type adapterRing struct{ recent[adapterSample] }

// inRange returns how many of the newest samples lie in (start, end]
// (all samples are at or before end: they were scraped in the past).
func (r *adapterRing) inRange(start sim.Time) int {
	k := 0
	for k < r.n && r.at(k).t > start {
		k++
	}
	return k
}

// extrapolatedRate is Prometheus' rate() for one counter over the k newest
// samples, the range being (end - window, end]. ok is false with fewer than
// two samples.
func extrapolatedRate(r *adapterRing, k int, end sim.Time, window time.Duration, value func(*adapterSample) float64) (float64, bool) {
	if k < 2 {
		return 0, false
	}
	first, last := r.at(k-1), r.at(0)
	rangeStart := end.Add(-window)
	result := value(last) - value(first) // counters never reset here
	durationToStart := first.t.Sub(rangeStart).Seconds()
	durationToEnd := end.Sub(last.t).Seconds()
	sampled := last.t.Sub(first.t).Seconds()
	avgBetween := sampled / float64(k-1)
	// A counter does not extrapolate below zero.
	if f := value(first); result > 0 && f >= 0 {
		if toZero := sampled * (f / result); toZero < durationToStart {
			durationToStart = toZero
		}
	}
	threshold := avgBetween * 1.1
	interval := sampled
	if durationToStart < threshold {
		interval += durationToStart
	} else {
		interval += float64(avgBetween / 2)
	}
	if durationToEnd < threshold {
		interval += durationToEnd
	} else {
		interval += float64(avgBetween / 2)
	}
	return result * (interval / sampled) / window.Seconds(), true
}

// bucketQuantile is Prometheus' histogram_quantile over cumulative bucket
// counts (the last is +Inf); ok is false without observations.
func bucketQuantile(q float64, cum *histogram) (float64, bool) {
	total := cum[nBuckets-1]
	if total <= 0 || math.IsNaN(total) {
		return 0, false
	}
	rank := float64(q * total)
	b := sort.Search(nBuckets-1, func(i int) bool { return cum[i] >= rank })
	if b == nBuckets-1 {
		return latencyBuckets[nBuckets-2], true
	}
	start, end, count := 0.0, latencyBuckets[b], cum[b]
	if b > 0 {
		start = latencyBuckets[b-1]
		count -= cum[b-1]
		rank -= cum[b-1]
	}
	return start + float64((end-start)*(rank/count)), true
}

// latencyQuantile is histogram_quantile(q, rate(bucket[window])).
func latencyQuantile(r *adapterRing, k int, end sim.Time, window time.Duration, q float64) (float64, bool) {
	var cum histogram
	acc := 0.0
	for b := range nBuckets {
		rate, ok := extrapolatedRate(r, k, end, window, func(s *adapterSample) float64 {
			c := 0.0
			for j := 0; j <= b; j++ {
				c += s.hist[j]
			}
			return c
		})
		if !ok {
			return 0, false
		}
		// Cumulative rates are monotonic but for float noise (Prometheus'
		// ensureMonotonic).
		acc = max(acc, rate)
		cum[b] = acc
	}
	return bucketQuantile(q, &cum)
}

// adapterTarget is one scraped target: its counters now and its ring.
type adapterTarget struct {
	count float64
	hist  histogram
	ring  adapterRing
}

// serviceAdapter is a service's metrics adapter.
type serviceAdapter struct {
	cfg   AdapterConfig
	depth int
	lb    adapterTarget
	queue adapterRing // the message queue: gauges[0] the oldest message's age (s), gauges[1] the depth
}

func newServiceAdapter(cfg AdapterConfig) *serviceAdapter {
	a := &serviceAdapter{cfg: cfg, depth: int(cfg.RateWindow/cfg.ScrapeInterval) + 2}
	a.lb.ring.init(a.depth)
	a.queue.init(2)
	return a
}

// adapterScrape is Prometheus' scrape of the service's targets.
func (s *Service) adapterScrape(now sim.Time) {
	a := s.adapter
	for _, inst := range s.instances {
		if inst.adapt == nil || (inst.State() != Starting && inst.State() != Ready && inst.State() != Draining) {
			continue
		}
		t := inst.adapt
		t.ring.add(adapterSample{t: now, count: t.count, hist: t.hist,
			gauges: [2]float64{float64(inst.held()), float64(inst.queue.len())}})
	}
	a.lb.ring.add(adapterSample{t: now, count: float64(s.arrived), hist: a.lb.hist,
		gauges: [2]float64{float64(s.inFlight), 0}})
	if q := s.mq; q != nil {
		a.queue.add(adapterSample{t: now, gauges: [2]float64{q.messageAge(now).Seconds(), float64(q.depth())}})
	}
}

// query answers one adapter query for the named metric of a target.
func (a *serviceAdapter) query(r *adapterRing, now sim.Time, name string) policies.Metric {
	w := a.cfg.RateWindow
	k := r.inRange(now.Add(-w))
	m := policies.Metric{Window: w}
	if k > 0 {
		m.Timestamp = r.at(0).t
	}
	var v float64
	var ok bool
	switch name {
	case policies.MetricRequestsPerSecond:
		v, ok = extrapolatedRate(r, k, now, w, func(s *adapterSample) float64 { return s.count })
	case policies.MetricRequestsInFlight:
		// A gauge: the last scraped value (within Prometheus' 5 m lookback).
		if r.n > 0 && now.Sub(r.at(0).t) <= 5*time.Minute {
			v, ok = r.at(0).gauges[gaugeInFlight], true
			m.Timestamp = r.at(0).t
		}
	case policies.MetricQueueLength:
		if r.n > 0 && now.Sub(r.at(0).t) <= 5*time.Minute {
			v, ok = r.at(0).gauges[gaugeQueue], true
			m.Timestamp = r.at(0).t
		}
	case policies.MetricLatencyP50:
		v, ok = latencyQuantile(r, k, now, w, 0.50)
	case policies.MetricLatencyP90:
		v, ok = latencyQuantile(r, k, now, w, 0.90)
	case policies.MetricLatencyP95:
		v, ok = latencyQuantile(r, k, now, w, 0.95)
	case policies.MetricLatencyP99:
		v, ok = latencyQuantile(r, k, now, w, 0.99)
	}
	m.OK, m.Value = ok, v
	return m
}

// customMetrics is what the adapter serves at now, the per-pod series in
// the order of pods.
func (s *Service) customMetrics(now sim.Time, pods []*Instance) *policies.CustomMetrics {
	a := s.adapter
	c := &policies.CustomMetrics{
		Pods:     make([]policies.PodSeries, len(policies.PodMetricNames)),
		Object:   make([]policies.NamedMetric, len(policies.ObjectMetricNames)),
		External: make([]policies.NamedMetric, 0, len(policies.ExternalMetricNames)),
	}
	for k, name := range policies.PodMetricNames {
		vals := make([]policies.Metric, len(pods))
		for i, inst := range pods {
			if inst.adapt != nil {
				vals[i] = a.query(&inst.adapt.ring, now, name)
			}
		}
		c.Pods[k] = policies.PodSeries{Name: name, Values: vals}
	}
	for k, name := range policies.ObjectMetricNames {
		c.Object[k] = policies.NamedMetric{Name: name, Metric: a.query(&a.lb.ring, now, name)}
	}
	c.External = append(c.External, policies.NamedMetric{Name: policies.MetricRequestsPerSecond, Metric: a.query(&a.lb.ring, now, policies.MetricRequestsPerSecond)})
	if s.mq != nil {
		c.Live = []policies.NamedMetric{
			{Name: policies.MetricQueueDepth, Metric: policies.Metric{OK: true, Value: float64(s.mq.depth()), Timestamp: now}},
			{Name: policies.MetricQueueMessageAge, Metric: policies.Metric{OK: true, Value: s.mq.messageAge(now).Seconds(), Timestamp: now}},
		}
	}
	if s.mq != nil && a.queue.n > 0 && now.Sub(a.queue.at(0).t) <= 5*time.Minute {
		last := a.queue.at(0)
		c.External = append(c.External,
			policies.NamedMetric{Name: policies.MetricQueueDepth, Metric: policies.Metric{OK: true, Value: last.gauges[gaugeQueue], Timestamp: last.t}},
			policies.NamedMetric{Name: policies.MetricQueueMessageAge, Metric: policies.Metric{OK: true, Value: last.gauges[0], Timestamp: last.t}},
		)
	}
	for _, inst := range s.instances {
		if inst.State() == Draining {
			c.TerminatingReady++
		}
	}
	return c
}
