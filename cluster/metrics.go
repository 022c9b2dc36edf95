package cluster

import (
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// The metrics pipeline is what an autoscaler sees instead of the truth: like
// metrics-server, every ScrapeInterval it reads each running instance's
// cumulative CPU counter and its memory working set; a pod's CPU metric is
// the usage between its latest scrape and the newest scrape at least Window
// older (or the oldest one kept, for a young pod). A pod scraped fewer than
// twice has no CPU metric yet, the HPA's "missing" case. Between scrapes
// the metric does not move: stale data stays stale.

// scrape is one reading of an instance.
type scrape struct {
	t      sim.Time
	cpu    float64 // cumulative core-seconds
	memory float64 // bytes
}

// recent keeps the depth most recent of a series of samples, the oldest
// overwritten: the metrics pipeline's scrapes and the adapter's.
type recent[T any] struct {
	buf  []T
	n    int // samples kept
	head int // index of the newest
}

func (r *recent[T]) init(depth int) { r.buf = make([]T, depth) }

func (r *recent[T]) add(s T) {
	r.head = (r.head + 1) % len(r.buf)
	r.buf[r.head] = s
	if r.n < len(r.buf) {
		r.n++
	}
}

// at returns the k-th newest sample (0 = newest), valid until the next add.
func (r *recent[T]) at(k int) *T {
	return &r.buf[(r.head-k+len(r.buf))%len(r.buf)]
}

// scrapeRing keeps an instance's most recent scrapes.
type scrapeRing struct{ recent[scrape] }

// read returns the CPU (cores) and memory (bytes) metrics.
func (r *scrapeRing) read(window time.Duration) (cpu, mem policies.Metric) {
	if r.n == 0 {
		return
	}
	last := r.at(0)
	mem = policies.Metric{OK: true, Value: last.memory, Timestamp: last.t}
	if r.n < 2 {
		return
	}
	from := r.at(r.n - 1)
	for k := 1; k < r.n; k++ {
		if s := r.at(k); last.t.Sub(s.t) >= window {
			from = s
			break
		}
	}
	span := last.t.Sub(from.t)
	cpu = policies.Metric{OK: true, Value: (last.cpu - from.cpu) / span.Seconds(), Timestamp: last.t, Window: span}
	return
}

// metricsPipeline is a service's share of the pipeline.
type metricsPipeline struct {
	depth int // scrapes kept per instance
	lat   latencyWindow
}

func (m *metricsPipeline) init(cfg AutoscalerConfig) {
	m.depth = 2
	if cfg.ScrapeInterval > 0 {
		m.depth = int(cfg.Window/cfg.ScrapeInterval) + 2
	}
	if cfg.LatencyPercentile > 0 {
		m.lat.init(cfg.Window, cfg.ScrapeInterval)
	}
}

func (m *metricsPipeline) observeLatency(now sim.Time, d time.Duration) { m.lat.add(now, d) }

func (m *metricsPipeline) latency(p float64) policies.LatencyMetric {
	return m.lat.quantile(p)
}

// scrape reads every running instance.
func (s *Service) scrape(now sim.Time) {
	for _, inst := range s.instances {
		if inst.State() != Starting && inst.State() != Ready || !inst.containerRuns() {
			continue
		}
		inst.advance(now)
		inst.metrics.add(scrape{t: now, cpu: inst.cpuSeconds(), memory: inst.workingSet(now)})
	}
	s.metrics.lat.rotate(now)
}
