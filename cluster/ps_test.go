package cluster

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Huge CPU demands (1000 hours each) at 100 requests a second: the time to
// the earliest finish, at 1/n of a core with thousands in service, is
// beyond what a time.Duration holds. The run must still finish, with
// nothing completed and every core-second accounted for.
func TestHugeDemandFinishes(t *testing.T) {
	for _, hours := range []float64{100, 1000, 1e6} {
		s := webService()
		s.Initial, s.Min, s.Max = 1, 1, 1
		s.Instance.Concurrency = 0 // processor sharing
		s.DemandCPU = sim.Constant{Value: hours * 3600}
		s.NewArrivals = arrivalsOf(evenArrivals{period: 10 * time.Millisecond})
		s = withSteps(s, steps{{0, 1}})
		l := &log{}
		w, err := New(Config{Seed: 1, Duration: 30 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}, l)
		if err != nil {
			t.Fatal(err)
		}
		l.w = w
		// 3000 arrivals need a few thousand events; a livelock fires
		// without end. The budget is events, not wall time.
		const budget = 1_000_000
		if err := w.RunChecked(nil, func(fired uint64) error {
			if fired > budget {
				return errors.New("livelock")
			}
			return nil
		}); err != nil {
			t.Fatalf("%gh: the run fired over %d events without finishing (livelock)", hours, budget)
		}
		checkConservation(t, w)
		svc := w.services[0]
		_, out, inFlight := svc.Totals()
		if out[Completed] != 0 || inFlight != 2999 {
			t.Errorf("%gh: outcomes %v, in flight %d; want all 2999 in flight", hours, out, inFlight)
		}
		// No limit: the instance has its whole 4-core default node, one
		// core per request: 1, 2, 3 cores from the arrivals at 10, 20 and
		// 30 ms, then 4 to the end: 0.01+0.02+0.03 + 4 x 29.96 = 119.9.
		if cpu := svc.sample(w.eng.Now()).CPUSeconds; math.Abs(cpu-119.9) > 1e-6 {
			t.Errorf("%gh: CPU used %v s, want 119.9", hours, cpu)
		}
	}
}
