package cluster

import (
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// ringOf fills a ring with counter values scraped every 30 s from t=0.
func ringOf(counts ...float64) *adapterRing {
	r := &adapterRing{}
	r.init(len(counts) + 2)
	for k, c := range counts {
		r.add(adapterSample{t: sim.At(time.Duration(k) * 30 * time.Second), count: c})
	}
	return r
}

// TestExtrapolatedRate works Prometheus' rate() by hand.
func TestExtrapolatedRate(t *testing.T) {
	count := func(s *adapterSample) float64 { return s.count }
	w := 2 * time.Minute
	// 10/s scraped at 0..120 s; at 120 s the range (0, 120] holds the
	// samples at 30..120: 900 over 90 s; the start is 30 s away, as far as
	// the counter's extrapolation to zero (90 x 300/900 = 30), under the
	// threshold of 1.1 x 30 s: extrapolated over 120 s -> 900 x 120/90 /
	// 120 = 10.
	r := ringOf(0, 300, 600, 900, 1200)
	if v, ok := extrapolatedRate(r, r.inRange(sim.At(0)), sim.At(w), w, count); !ok || !near(v, 10) {
		t.Errorf("steady 10/s: %v %v", v, ok)
	}
	// Queried 15 s after the last scrape: (15, 135] holds the same four
	// samples, 15 s from each edge: again 120 s, 10/s.
	end := sim.At(135 * time.Second)
	if v, ok := extrapolatedRate(r, r.inRange(end.Add(-w)), end, w, count); !ok || !near(v, 10) {
		t.Errorf("stale by 15 s: %v %v", v, ok)
	}
	// A step from 0 to 20/s at 60 s: samples 0, 0, 0, 600, 1200. At 120 s
	// the range holds 0 (30 s), 0 (60 s), 600, 1200: 1200 over 90 s; the
	// first value is 0, so the counter's zero is at the first sample and
	// nothing is extrapolated before it: 1200 x 90/90 / 120 = 10, half the
	// new rate: the window's lag.
	r = ringOf(0, 0, 0, 600, 1200)
	if v, _ := extrapolatedRate(r, r.inRange(sim.At(0)), sim.At(w), w, count); !near(v, 10) {
		t.Errorf("step: %v, want 10", v)
	}
	// One sample in range: no rate (the HPA's missing pod).
	r = ringOf(0, 300)
	if _, ok := extrapolatedRate(r, r.inRange(sim.At(5*time.Second)), sim.At(35*time.Second), 30*time.Second, count); ok {
		t.Error("one sample gave a rate")
	}
	// Two samples 30 s apart (100, 400) and a 120 s window queried at the
	// second: the start is 90 s away, but the counter reaches zero 30 x
	// 100/300 = 10 s before the first sample, under the threshold of 33 s:
	// extrapolated over 40 s, 300 x 40/30 / 120 = 3.33 where the pod
	// serves 10/s: a young pod's under-estimate.
	r = ringOf(100, 400)
	if v, _ := extrapolatedRate(r, r.inRange(sim.At(30*time.Second).Add(-w)), sim.At(30*time.Second), w, count); !near(v, 300.0*40/30/120) {
		t.Errorf("young pod: %v", v)
	}
	// Two samples, the first far from zero (10000, 10300): the start is
	// beyond the threshold and the zero too, so half an interval is
	// added: 300 x 45/30 / 120 = 3.75.
	r = ringOf(10000, 10300)
	if v, _ := extrapolatedRate(r, r.inRange(sim.At(30*time.Second).Add(-w)), sim.At(30*time.Second), w, count); !near(v, 3.75) {
		t.Errorf("old counter, young series: %v", v)
	}
}

// TestBucketQuantile is histogram_quantile's linear interpolation.
func TestBucketQuantile(t *testing.T) {
	// 100 observations, all in (0.05, 0.1]: the 95th percentile is 95% of
	// the way through that bucket, 0.05 + 0.05 x 0.95 = 0.0975.
	var h histogram
	h[4] = 100
	var cum histogram
	acc := 0.0
	for b := range nBuckets {
		acc += h[b]
		cum[b] = acc
	}
	if v, ok := bucketQuantile(0.95, &cum); !ok || !near(v, 0.0975) {
		t.Errorf("p95 = %v %v", v, ok)
	}
	// Half in the first bucket (0, 0.005], half above 10 s: p50 is the
	// top of the first bucket, p99 the largest finite bound.
	cum = histogram{}
	for b := range nBuckets {
		cum[b] = 50
	}
	cum[nBuckets-1] = 100
	if v, _ := bucketQuantile(0.5, &cum); !near(v, 0.005) {
		t.Errorf("p50 = %v", v)
	}
	if v, _ := bucketQuantile(0.99, &cum); v != 10 {
		t.Errorf("p99 = %v", v)
	}
	if _, ok := bucketQuantile(0.5, &histogram{}); ok {
		t.Error("no observations gave a quantile")
	}
}

// obsRecorder keeps every observation it is given and never scales.
type obsRecorder struct{ obs []policies.Observation }

func (r *obsRecorder) Name() string { return "obsRecorder" }
func (r *obsRecorder) Recommend(_ sim.Time, o policies.Observation) policies.Recommendation {
	r.obs = append(r.obs, o)
	return policies.Recommendation{Reason: "unchanged"}
}

// TestAdapterInWorld runs 3 instances behind round-robin, a request every
// 100 ms needing 50 ms of CPU (no overlap on an instance: each takes
// exactly 50 ms), scraped every 15 s with a 60 s rate window, evaluated at
// 60 s and 120 s (before the scrape at the same instant: it was scheduled
// later).
func TestAdapterInWorld(t *testing.T) {
	rec := &obsRecorder{}
	svc := webService()
	svc.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(rec), Interval: 60 * time.Second,
		Adapter: &AdapterConfig{ScrapeInterval: 15 * time.Second, RateWindow: 60 * time.Second}}
	cfg := Config{Seed: 1, Duration: 121 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{svc}}
	run(t, cfg, &log{})
	if len(rec.obs) != 2 {
		t.Fatalf("%d evaluations", len(rec.obs))
	}
	o := rec.obs[0]
	m := o.Metrics
	if m == nil {
		t.Fatal("no custom metrics")
	}
	// The load balancer's arrivals at the scrapes in (0, 60]: 149 at 15 s
	// (the arrival at 15 s comes after the scrape), 299, 449. 300 over 30
	// s; to the start 15 s, shortened to 30 x 149/300 = 14.9 by the
	// counter's zero; to the end 15 s; threshold 16.5 s: 300 x (30 + 14.9
	// + 15)/30 / 60.
	rps, ok := m.ObjectMetric(policies.MetricRequestsPerSecond)
	if want := 300 * (30 + 14.9 + 15) / 30 / 60; !ok || !near(rps.Value, want) {
		t.Errorf("object rps %v, want %v", rps, want)
	}
	// Every request takes exactly 50 ms, in the bucket (0.025, 0.05]:
	// p95 = 0.025 + 0.025 x 0.95.
	for _, name := range []string{policies.MetricLatencyP95} {
		if v, ok := m.ObjectMetric(name); !ok || !near(v.Value, 0.025+0.025*0.95) {
			t.Errorf("object %s = %v", name, v)
		}
		pods := m.PodSeries(name)
		for i, v := range pods {
			if !v.OK || !near(v.Value, 0.025+0.025*0.95) {
				t.Errorf("pod %d %s = %v", i, name, v)
			}
		}
	}
	// Per pod: a third of the responses each; the three rates sum to
	// about the load balancer's (their counters differ by one at most).
	sum := 0.0
	for i, v := range m.PodSeries(policies.MetricRequestsPerSecond) {
		if !v.OK || v.Value < 3 || v.Value > 3.7 {
			t.Errorf("pod %d rps %v", i, v)
		}
		sum += v.Value
	}
	if math.Abs(sum-rps.Value) > 0.2 {
		t.Errorf("pods' rps sum %v vs load balancer %v", sum, rps.Value)
	}
	// Gauges at the last scrape (45 s): a request is in service 50 ms of
	// every 300 ms per pod, and a scrape at a multiple of 15 s falls in a
	// gap (arrivals at 44.9 and 45.0 s: the one at 44.9 s ended at 44.95).
	for i, v := range m.PodSeries(policies.MetricRequestsInFlight) {
		if !v.OK || v.Value != 0 || v.Timestamp != sim.At(45*time.Second) {
			t.Errorf("pod %d in flight %v", i, v)
		}
	}
	if v, ok := m.ObjectMetric(policies.MetricQueueDepth); ok {
		t.Errorf("queue depth served without a queue: %v", v)
	}
}

// TestAdapterAllocatesNothingPerRequest: with the adapter and a message
// queue on, the events between two evaluations (requests, messages,
// scrapes) allocate nothing: the counters are increments, a scrape copies
// into a ring that is already as deep as it will be.
func TestAdapterAllocatesNothingPerRequest(t *testing.T) {
	for _, queue := range []bool{false, true} {
		svc := webService()
		svc.Queue = queue
		svc.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(&obsRecorder{}), Interval: time.Hour,
			Adapter: &AdapterConfig{ScrapeInterval: 15 * time.Second, RateWindow: 60 * time.Second}}
		w, err := New(Config{Seed: 1, Duration: time.Hour, SampleInterval: time.Hour, Services: []ServiceConfig{svc}}, &log{})
		if err != nil {
			t.Fatal(err)
		}
		w.Start()
		// Past the first window: every ring is full, every buffer grown.
		end := sim.At(2 * time.Minute)
		w.Engine().RunUntil(end)
		if n := testing.AllocsPerRun(100, func() {
			end = end.Add(time.Second) // 10 requests, a scrape every 15 runs
			w.Engine().RunUntil(end)
		}); n != 0 {
			t.Errorf("queue=%v: %v allocations per second of traffic", queue, n)
		}
	}
}
