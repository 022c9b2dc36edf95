package cluster

import (
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
