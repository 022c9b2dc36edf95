package cluster

import (
	"runtime"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// BenchmarkMM8 runs one M/M/8 instance (rate 7.2/s, exponential demand of
// mean 1 s, concurrency = cores = 8) for 100k simulated requests per
// iteration, and reports simulated requests per wall second. Steady state
// must not allocate per request: allocs/op stays a small constant.
func BenchmarkMM8(b *testing.B) {
	const requests = 100000
	seconds := float64(requests) / 7.2
	d := time.Duration(seconds * float64(time.Second))
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		cfg := singleService(7.2, 8, 8, sim.Exponential{Mean: 1}, 1, d)
		w, err := New(cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		w.Run()
		arrived, _, _ := w.Services()[0].Totals()
		total += arrived
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "requests/s")
}

// With zones, node pools, probes, client-ip sessions, timeouts and retries,
// the steady state still allocates nothing per request: running twice as
// long adds (almost) no allocation.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	world := func(d time.Duration) (*World, uint64) {
		s := webService()
		s.Initial, s.Min, s.Max = 6, 6, 6
		s.DemandCPU = sim.Exponential{Mean: 0.1}
		s.NewArrivals = func() ArrivalProcess { return &poissonArrivals{rate: 20, rng: sim.NewStreams(1).Get("arrivals/web")} }
		s.Instance.Concurrency, s.Instance.QueueLimit = 2, 2
		s.Timeout, s.Retries, s.RetryBackoff = 500*time.Millisecond, 2, 100*time.Millisecond
		s.Clients = 1000
		s.LoadBalancer = LoadBalancerConfig{Algorithm: ClientIP, SessionAffinityTimeout: time.Second, PropagationDelay: time.Second}
		s.Probes.Readiness = &ProbeConfig{Period: 5 * time.Second, FailureThreshold: 3, Timeout: time.Second}
		s.Probes.Liveness = &ProbeConfig{Period: 10 * time.Second, FailureThreshold: 3, Timeout: 5 * time.Second}
		s.TopologySpread = &TopologySpread{MaxSkew: 1}
		cfg := Config{
			Seed: 1, Duration: d, SampleInterval: time.Minute, Zones: []string{"a", "b", "c"},
			Pools:    []PoolConfig{{Name: "p", PerZone: 1, MaxPerZone: 1, CPU: 4, Memory: 16 << 30, PricePerHour: 1}},
			Services: []ServiceConfig{s},
		}
		w, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w.Run()
		runtime.ReadMemStats(&after)
		checkConservation(t, w)
		return w, after.Mallocs - before.Mallocs
	}
	world(1000 * time.Second) // warm up the runtime
	w1, m1 := world(2000 * time.Second)
	w2, m2 := world(4000 * time.Second)
	a1, o1, _ := w1.Services()[0].Totals()
	a2, o2, _ := w2.Services()[0].Totals()
	if o2[Rejected]+o2[TimedOut] == 0 {
		t.Fatalf("no errors, so no retries: %v", o2)
	}
	per := (float64(m2) - float64(m1)) / float64(a2-a1)
	t.Logf("%d and %d requests (%v, %v): %d and %d allocations, %.4f per request", a1, a2, o1, o2, m1, m2, per)
	if per > 0.01 {
		t.Errorf("%.4f allocations per request in steady state", per)
	}
}
