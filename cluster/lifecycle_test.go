package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

type eventLog struct {
	nopObserver
	events []Event
}

func (l *eventLog) Lifecycle(e Event) { l.events = append(l.events, e) }

// A scale-out at 30 s with a 5 s startup delay and a 3 s readiness delay:
// the new instance is pending from 30 s, starting from 35 s, ready from
// 38 s, and only then in rotation.
func TestScaleOutLifecycle(t *testing.T) {
	cfg := Config{
		Seed: 1, Duration: 60 * time.Second, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{{
			Name: "web", Initial: 1, Min: 1, Max: 2,
			Instance: InstanceConfig{
				CPURequest: 1, Concurrency: 4, QueueLimit: -1,
				StartupDelay: sim.Constant{Value: 5}, ReadinessDelay: sim.Constant{Value: 3},
			},
			DemandCPU:   sim.Constant{Value: 0.01},
			Autoscaler:  AutoscalerConfig{NewPolicy: policyOf(scripted{at: sim.At(30 * time.Second), n: 2}), Interval: 30 * time.Second},
			NewArrivals: arrivalsOf(evenArrivals{period: 100 * time.Millisecond}),
		}},
	}
	log := &eventLog{}
	w, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	w.Engine().RunUntil(sim.At(37 * time.Second))
	if got := w.Services()[0].lb.members; len(got) != 1 {
		t.Fatalf("at 37 s %d instances in rotation, want 1: the new one is not ready yet", len(got))
	}
	w.Engine().RunUntil(w.End())

	want := []struct {
		at   time.Duration
		kind string
		c    Counts
	}{
		{0, "instance-ready", Counts{Desired: 1, Ready: 1}},
		{30 * time.Second, "instance-pending", Counts{Desired: 2, Pending: 1, Ready: 1}},
		{35 * time.Second, "instance-starting", Counts{Desired: 2, Starting: 1, Ready: 1}},
		{38 * time.Second, "instance-ready", Counts{Desired: 2, Ready: 2}},
	}
	if len(log.events) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(log.events), log.events, len(want))
	}
	for k, e := range log.events {
		if e.Time != sim.At(want[k].at) || string(e.Kind) != want[k].kind || e.Counts != want[k].c {
			t.Errorf("event %d: %v %s %+v, want %v %s %+v", k, e.Time, e.Kind, e.Counts, want[k].at, want[k].kind, want[k].c)
		}
	}
	if n := len(w.Services()[0].lb.members); n != 2 {
		t.Errorf("%d instances in rotation at the end, want 2", n)
	}
	checkConservation(t, w)
}
