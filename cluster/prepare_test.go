package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// zeroWait is a wait of no time that prepare does not recognise as none:
// drawn, like any distribution, through sim.SampleDuration. Like a
// Constant it draws nothing from the source.
type zeroWait struct{}

func (zeroWait) Sample(*sim.Rand) float64 { return 0 }
func (zeroWait) Average() float64         { return 0 }
func (zeroWait) String() string           { return "zero" }

// A Constant wait of no time (the scenarios' default) is dropped by
// prepare, so that no request draws it: the run is exactly the one that
// draws a zero wait for every request.
func TestZeroConstantWaitIsNoWait(t *testing.T) {
	runWith := func(wait sim.Dist) *log {
		s := webService()
		s.Initial, s.Min, s.Max = 4, 4, 4
		s.DemandCPU = sim.Exponential{Mean: 0.15}
		s.DemandWait = wait
		s.NewArrivals = func() ArrivalProcess { return &poissonArrivals{rate: 30, rng: sim.NewStreams(3).Get("arrivals/web")} }
		s.Instance.Concurrency, s.Instance.QueueLimit = 2, 4
		s.Timeout, s.Retries, s.RetryBackoff = 400*time.Millisecond, 1, 50*time.Millisecond
		cfg := Config{Seed: 3, Duration: 10 * time.Minute, SampleInterval: time.Minute, Services: []ServiceConfig{s}}
		l := &log{}
		run(t, cfg, l)
		return l
	}
	general, dropped := runWith(zeroWait{}), runWith(sim.Constant{})
	if len(general.ends) < 10_000 || general.ended[TimedOut] == 0 || general.ended[Completed] == 0 {
		t.Fatalf("outcomes %v: the run should complete and time out requests by the thousand", general.ended)
	}
	if !reflect.DeepEqual(general.ends, dropped.ends) || !reflect.DeepEqual(general.rows, dropped.rows) {
		t.Errorf("a Constant zero wait changed the run: outcomes %v, with a drawn zero wait %v", dropped.ended, general.ended)
	}
}
