package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// TestQueueWaitsForConsumers: one message a second (the first at 1 s) on
// a service with no instance until the policy asks for one at 10 s; it is
// pending, starts at 15 s and is ready at 20 s, then consumes one message
// at a time (concurrency 1) at 0.5 s of CPU each.
//
//   - Until 20 s every message waits: at 19.5 s, 19 of them, the oldest
//     18.5 s old; nothing is rejected.
//   - From 20 s message k (arrived at k s) ends at 20 + 0.5k while the
//     backlog lasts: the first at 20.5 s (latency 19.5 s); at 30.25 s 30
//     have arrived, 20 are done and one is in service: 9 wait.
//   - Message 39 ends at 39.5 s, before message 40 arrives: from then the
//     queue is empty between arrivals and each message takes 0.5 s.
func TestQueueWaitsForConsumers(t *testing.T) {
	svc := ServiceConfig{
		Name: "worker", Initial: 0, Min: 0, Max: 5, Queue: true,
		Instance: InstanceConfig{
			CPURequest: 1, Concurrency: 1, QueueLimit: -1,
			StartupDelay: sim.Constant{Value: 5}, ReadinessDelay: sim.Constant{Value: 5},
			GracePeriod: 30 * time.Second,
		},
		DemandCPU:   sim.Constant{Value: 0.5},
		NewArrivals: arrivalsOf(evenArrivals{period: time.Second}),
		Autoscaler:  AutoscalerConfig{NewPolicy: policyOf(steps{{10 * time.Second, 1}}), Interval: 10 * time.Second},
	}
	l := &log{}
	w, err := New(Config{Seed: 1, Duration: 60 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{svc}}, l)
	if err != nil {
		t.Fatal(err)
	}
	l.w = w
	w.Start()
	s := w.Services()[0]
	at := func(d time.Duration) sim.Time { return sim.At(d) }
	w.Engine().RunUntil(at(19500 * time.Millisecond))
	if d, age := s.QueueDepth(at(19500 * time.Millisecond)); d != 19 || age != 18500*time.Millisecond {
		t.Errorf("at 19.5 s: depth %d age %v, want 19 and 18.5s", d, age)
	}
	w.Engine().RunUntil(at(30250 * time.Millisecond))
	if d, _ := s.QueueDepth(at(30250 * time.Millisecond)); d != 9 {
		t.Errorf("at 30.25 s: depth %d, want 9", d)
	}
	w.Engine().RunUntil(at(39750 * time.Millisecond))
	if d, _ := s.QueueDepth(at(39750 * time.Millisecond)); d != 0 {
		t.Errorf("at 39.75 s: depth %d, want 0", d)
	}
	w.Engine().RunUntil(w.End())
	checkConservation(t, w)
	if len(l.ends) == 0 {
		t.Fatal("nothing ended")
	}
	first := l.ends[0]
	if first.o != Completed || first.arrived != at(time.Second) || first.now != at(20500*time.Millisecond) {
		t.Errorf("first end %+v, want message 1 completed at 20.5 s", first)
	}
	// Message 40 onwards: 0.5 s each, no wait.
	for _, e := range l.ends {
		if e.arrived >= at(40*time.Second) && e.now.Sub(e.arrived) != 500*time.Millisecond {
			t.Errorf("message of %v took %v", e.arrived, e.now.Sub(e.arrived))
		}
		if e.o != Completed {
			t.Errorf("message of %v ended %v", e.arrived, e.o)
		}
	}
	// 59 arrived (1..59 s; the one at 60 s is at the end); 59 done, the
	// last at 59.5 s.
	if arrived, out, inFlight := s.Totals(); arrived != 59 || out[Completed] != 59 || inFlight != 0 {
		t.Errorf("arrived %d completed %d in flight %d", arrived, out[Completed], inFlight)
	}
}

// TestQueueCrashAndDrain: two consumers of concurrency 2 on a steady
// queue; an instance crash at 30 s loses what the crashed instance held
// (failed, no redelivery), the policy removes one instance at 60 s (its
// drain finishes what it holds; it takes nothing once its pre-stop hook
// is over) and the adapter then lists it as a draining, ready pod. Every
// message is accounted for at every step.
func TestQueueCrashAndDrain(t *testing.T) {
	rec := &obsRecorder{}
	svc := ServiceConfig{
		Name: "worker", Initial: 2, Min: 0, Max: 5, Queue: true,
		Instance: InstanceConfig{
			CPURequest: 2, Concurrency: 2, QueueLimit: -1,
			StartupDelay: sim.Constant{Value: 5}, ReadinessDelay: sim.Constant{Value: 5},
			PreStop: 5 * time.Second, GracePeriod: 30 * time.Second,
		},
		DemandCPU:   sim.Constant{Value: 0.4},
		NewArrivals: arrivalsOf(evenArrivals{period: 100 * time.Millisecond}),
		Autoscaler: AutoscalerConfig{NewPolicy: policyOf(&scaleAt{at: sim.At(60 * time.Second), n: 1, rec: rec}), Interval: time.Second,
			Adapter: &AdapterConfig{ScrapeInterval: 15 * time.Second, RateWindow: time.Minute}},
	}
	l := &log{}
	cfg := Config{Seed: 1, Duration: 90 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{svc},
		Faults: []FaultConfig{{At: 30 * time.Second, Type: InstanceCrash, Service: "worker"}}}
	w := run(t, cfg, l)
	_, out, _ := w.Services()[0].Totals()
	if out[Failed] == 0 || out[Failed] > 2 {
		t.Errorf("failed %d: the crash loses the crashed consumer's messages in service (at most its 2 slots)", out[Failed])
	}
	if out[Rejected] != 0 || out[TimedOut] != 0 {
		t.Errorf("a queue rejects nothing and nothing times out: %v", out)
	}
	// At 61 s the instance removed at 60 s is draining (pre-stop 5 s):
	// not among the pods, counted as terminating and ready.
	var seen bool
	for _, o := range rec.obs {
		if o.Metrics != nil && o.Metrics.TerminatingReady == 1 && len(o.Pods) == 1 {
			seen = true
			break
		}
	}
	if !seen {
		t.Error("no evaluation saw the draining instance as terminating and ready")
	}
}

// scaleAt asks for n replicas from at on, and records what it saw.
type scaleAt struct {
	at  sim.Time
	n   int
	rec *obsRecorder
}

func (s *scaleAt) Name() string { return "scale-at" }
func (s *scaleAt) Recommend(now sim.Time, o policies.Observation) policies.Recommendation {
	s.rec.Recommend(now, o)
	if now >= s.at {
		return policies.Recommendation{Valid: true, Desired: s.n, Raw: s.n, Reason: "scripted"}
	}
	return policies.Recommendation{Valid: true, Desired: o.Current, Raw: o.Current, Reason: "unchanged"}
}
