package runner

import (
	"runtime"
	"testing"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// peakLiveHeap runs the built-in minimal scenario at 500 req/s on a fixed
// fleet for the given duration with the real collector writing to dir, and
// returns the largest live heap (after a collection) seen at 20 points
// along the run.
func peakLiveHeap(t testing.TB, duration, dir string) uint64 {
	return peakLiveHeapOf(t, dir, "duration="+duration, "traffic.web.rate=500",
		"services.web.replicas.initial=40", "services.web.replicas.max=60")
}

// peakLiveHeapOf is peakLiveHeap for the minimal scenario with the given
// overrides.
func peakLiveHeapOf(t testing.TB, dir string, set ...string) uint64 {
	return peakLiveHeapOfScenario(t, dir, "minimal", set...)
}

// peakLiveHeapOfScenario is peakLiveHeap for any scenario.
func peakLiveHeapOfScenario(t testing.TB, dir, name string, set ...string) uint64 {
	sc, err := scenarios.Open(name, set)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := reports.Create(dir, reportsConfig(sc))
	if err != nil {
		t.Fatal(err)
	}
	w, err := cluster.New(cfg, newObserver(coll))
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	step := 0
	w.RunWithProgress(func(float64) {
		if step++; step%5 != 0 {
			return
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	})
	if err := coll.Close(); err != nil {
		t.Fatal(err)
	}
	return peak
}

// Memory grows with what is in flight, never with the length of the run:
// the live heap of a run 8 times longer stays within 25% (slack for the
// collector's buffers and the GC's timing) of the shorter one's.
func TestLiveHeapIndependentOfRunLength(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 3 simulated hours")
	}
	short := peakLiveHeap(t, "20m", t.TempDir())
	long := peakLiveHeap(t, "160m", t.TempDir())
	t.Logf("peak live heap: 20 min %d KiB, 160 min %d KiB", short>>10, long>>10)
	if float64(long) > 1.25*float64(short) {
		t.Errorf("live heap grew with run length: %d KiB over 20 min, %d KiB over 160 min", short>>10, long>>10)
	}
}

// Every built-in scenario, run twice as long (the traffic pattern goes on:
// a daily curve repeats, a spike is over), keeps a live heap within 25%
// plus 2 MiB of the original's: memory follows what is in flight, never
// the length of the run, whatever features a scenario uses.
func TestBuiltinLiveHeapIndependentOfRunLength(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in scenario, twice as long")
	}
	for _, b := range scenarios.Library() {
		t.Run(b.Name, func(t *testing.T) {
			sc, err := scenarios.Open(b.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			short := peakLiveHeapOfScenario(t, t.TempDir(), b.Name)
			long := peakLiveHeapOfScenario(t, t.TempDir(), b.Name, "duration="+(2*sc.Duration).String())
			t.Logf("peak live heap: %v %d KiB, %v %d KiB", sc.Duration, short>>10, 2*sc.Duration, long>>10)
			if float64(long) > 1.25*float64(short)+(2<<20) {
				t.Errorf("live heap grew with run length: %d KiB over %v, %d KiB over %v", short>>10, sc.Duration, long>>10, 2*sc.Duration)
			}
		})
	}
}

// 1000 req/s into 10 single-slot instances whose clients give up after 1 s
// and retry 3 times: hopeless overload. With deadline propagation the
// server abandons what its clients gave up on, so the live heap is bounded
// by what is in flight (about 4000 attempts a second times the 1 s
// timeout: some 4000 requests, well under a MiB), not by the run's length:
// a run 8 times longer stays within 25% of the shorter one's, plus 1 MiB.
func TestOverloadHeapBoundedWithDeadlinePropagation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 40 simulated minutes of overload")
	}
	heap := func(d string) uint64 {
		return peakLiveHeapOf(t, t.TempDir(), "duration="+d, "services.web.instance.concurrency=1",
			"services.web.replicas.max=10", "traffic.web.rate=1000", "traffic.web.timeout=1s",
			"traffic.web.retries=3", "services.web.instance.cancel_on_client_timeout=true")
	}
	short, long := heap("5m"), heap("40m")
	t.Logf("peak live heap: 5 min %d KiB, 40 min %d KiB", short>>10, long>>10)
	if float64(long) > 1.25*float64(short)+(1<<20) {
		t.Errorf("live heap grew with run length: %d KiB over 5 min, %d KiB over 40 min", short>>10, long>>10)
	}
}

// The same overload with a server that keeps the work its clients gave
// up on (the default): the backlog it owes grows by some 3000 requests a
// second, yet it is merged into runs (cluster's fifo.compact), so the
// live heap is bounded by what is in flight plus a few queue buffers, not
// by the run's length: a run 8 times longer stays within 25% of the
// shorter one's, plus 1 MiB. Without the runs the live heap peaked at
// 49 MiB over 5 minutes and 353 MiB over 40.
func TestOverloadHeapBoundedKeepingWork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 40 simulated minutes of overload")
	}
	heap := func(d string) uint64 {
		return peakLiveHeapOf(t, t.TempDir(), "duration="+d, "services.web.instance.concurrency=1",
			"services.web.replicas.max=10", "traffic.web.rate=1000", "traffic.web.timeout=1s",
			"traffic.web.retries=3")
	}
	short, long := heap("5m"), heap("40m")
	t.Logf("peak live heap: 5 min %d KiB, 40 min %d KiB", short>>10, long>>10)
	if float64(long) > 1.25*float64(short)+(1<<20) {
		t.Errorf("live heap grew with run length: %d KiB over 5 min, %d KiB over 40 min", short>>10, long>>10)
	}
}

// BenchmarkRunMM8 is the whole simulator on the built-in mm8 scenario (an
// M/M/8 queue, ~2M requests) as `scalesim run mm8 --no-plots` does it:
// building, simulating, streaming the results files and writing the
// summary. It reports simulated requests per wall second.
func BenchmarkRunMM8(b *testing.B) {
	benchRun(b, "mm8")
}

// BenchmarkFeatureRich is the whole simulator on testdata/feature-rich.yaml
// (zones, a node pool, spread, probes, the HPA with behavior, lognormal
// demand, client timeouts with retries, client-ip sessions, six faults;
// ~3.5M requests). Its requests/s against BenchmarkRunMM8's is what a
// feature costs per request.
func BenchmarkFeatureRich(b *testing.B) {
	benchRun(b, "testdata/feature-rich.yaml")
}

// benchRun runs the scenario name as `scalesim run NAME --no-plots` does,
// once per iteration, and reports the web service's simulated requests per
// wall second.
func benchRun(b *testing.B, name string) {
	sc, err := scenarios.Open(name, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var requests uint64
	for b.Loop() {
		sim := &simulation{sc: sc, dir: b.TempDir()}
		sum, err := sim.run()
		if err != nil {
			b.Fatal(err)
		}
		requests += sum.Services["web"].Requests.Arrived
	}
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
}
