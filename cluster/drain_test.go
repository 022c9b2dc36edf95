package cluster

import (
	"fmt"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// drainWorld: two ready instances behind a round-robin load balancer, 10
// requests/s evenly spaced, 100 ms of CPU each; at t=30s the autoscaler
// asks for one replica, so one instance drains.
func drainWorld(t *testing.T, preStop, grace, propagation time.Duration, demand sim.Dist, wait sim.Dist) (*World, *batchObserver) {
	t.Helper()
	cfg := Config{
		Seed: 1, Duration: 60 * time.Second, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{{
			Name: "web", Initial: 2, Min: 1, Max: 2,
			Instance: InstanceConfig{
				CPURequest: 1, Concurrency: 32, QueueLimit: 100,
				PreStop: preStop, GracePeriod: grace,
			},
			DemandCPU:    demand,
			DemandWait:   wait,
			LoadBalancer: LoadBalancerConfig{Algorithm: RoundRobin, PropagationDelay: propagation},
			Autoscaler:   AutoscalerConfig{NewPolicy: policyOf(scripted{at: sim.At(30 * time.Second), n: 1}), Interval: 30 * time.Second},
			NewArrivals:  arrivalsOf(evenArrivals{period: 100 * time.Millisecond}),
		}},
	}
	obs := newBatchObserver(time.Hour, 1)
	w, err := New(cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	w.Run()
	checkConservation(t, w)
	return w, obs
}

func TestDrainPreStopCoversPropagation(t *testing.T) {
	w, obs := drainWorld(t, 5*time.Second, 30*time.Second, 2*time.Second, sim.Constant{Value: 0.1}, nil)
	if obs.ended[Rejected] != 0 || obs.ended[Failed] != 0 {
		t.Errorf("pre_stop 5s over a 2s propagation: rejected %d, failed %d, want none", obs.ended[Rejected], obs.ended[Failed])
	}
	if c := w.Services()[0].Counts(); c.Ready != 1 || c.Draining != 0 {
		t.Errorf("after the drain: counts %+v, want 1 ready and none draining", c)
	}
}

// Without a pre_stop the drained instance refuses connections at once, but
// the load balancer keeps sending it every other request for the 2 s
// propagation: arrivals at 30.1, 30.3, ..., 31.9 s are refused, i.e. 10.
func TestDrainWithoutPreStopRejectsDuringPropagation(t *testing.T) {
	_, obs := drainWorld(t, 0, 30*time.Second, 2*time.Second, sim.Constant{Value: 0.1}, nil)
	if obs.ended[Rejected] != 10 {
		t.Errorf("pre_stop 0 under a 2s propagation at 5 req/s per instance: rejected %d, want 10", obs.ended[Rejected])
	}
	if obs.ended[Failed] != 0 {
		t.Errorf("failed %d, want 0: the grace period covers the work in flight", obs.ended[Failed])
	}
}

// A grace period shorter than the work in flight kills it. Each request
// takes 50 ms of CPU and then a 2 s off-CPU call, so the draining instance
// holds about ten requests when it stops accepting; a 1 s grace period
// kills every one of them, a 30 s one none.
func TestDrainGraceTooShortFailsRequests(t *testing.T) {
	cpu, call := sim.Constant{Value: 0.05}, sim.Constant{Value: 2}
	_, obs := drainWorld(t, 5*time.Second, 30*time.Second, 2*time.Second, cpu, call)
	if obs.ended[Failed] != 0 || obs.ended[Rejected] != 0 {
		t.Errorf("grace covering the work: failed %d, rejected %d, want none", obs.ended[Failed], obs.ended[Rejected])
	}
	// pre_stop 0, propagation 0: the newest instance, web-1, which round
	// robin gives the arrivals at 0.2, 0.4, ... s, leaves rotation and stops
	// accepting at 30 s holding the ten that arrived at 28.0 ... 29.8 s, each
	// done 2.05 s after arrival. At 31 s the five that arrived from 29.0 s
	// on are still in their call and are killed.
	_, obs = drainWorld(t, 0, time.Second, 0, cpu, call)
	if obs.ended[Failed] != 5 {
		t.Errorf("grace 1s with 2s calls in flight: failed %d, want 5", obs.ended[Failed])
	}
}

// A client timeout shorter than the service time times every request out,
// while the server still does (and accounts) the work.
func TestTimeoutKeepsServerWorking(t *testing.T) {
	cfg := Config{
		Seed: 1, Duration: 10 * time.Second, SampleInterval: time.Second,
		Services: []ServiceConfig{{
			Name: "web", Initial: 1, Min: 1, Max: 1,
			Instance:    InstanceConfig{CPURequest: 1, Concurrency: 1, QueueLimit: -1},
			DemandCPU:   sim.Constant{Value: 0.5},
			NewArrivals: arrivalsOf(evenArrivals{period: time.Second}),
			Timeout:     200 * time.Millisecond,
		}},
	}
	obs := newBatchObserver(time.Hour, 1)
	w, _ := New(cfg, obs)
	w.Run()
	checkConservation(t, w)
	// Arrivals at 1..9 s: all nine time out, none completes.
	if obs.ended[TimedOut] != 9 || obs.ended[Completed] != 0 {
		t.Errorf("timed out %d, completed %d; want 9 and 0", obs.ended[TimedOut], obs.ended[Completed])
	}
	s := w.Services()[0].sample(w.end)
	if s.CPUSeconds < 4.5-1e-9 || s.CPUSeconds > 4.5+1e-9 {
		t.Errorf("CPU used %.6f s, want 4.5: the server finishes timed-out work", s.CPUSeconds)
	}
}

// recorder keeps a full trace of observer calls.
type recorder struct {
	nopObserver
	trace []any
}

func (r *recorder) RequestEnded(svc int, o Outcome, a, n sim.Time, w time.Duration) {
	r.trace = append(r.trace, [5]any{svc, o, a, n, w})
}
func (r *recorder) Lifecycle(e Event) { r.trace = append(r.trace, e) }
func (r *recorder) Sample(now sim.Time, rows []Sample) {
	r.trace = append(r.trace, now, append([]Sample(nil), rows...))
}

func TestSameSeedSameTrace(t *testing.T) {
	run := func() []any {
		cfg := singleService(3.5, 4, 4, sim.Exponential{Mean: 1}, 3, 2000*time.Second)
		cfg.Services[0].Max = 6
		cfg.Services[0].Autoscaler = AutoscalerConfig{NewPolicy: policyOf(scripted{at: sim.At(500 * time.Second), n: 3}), Interval: 15 * time.Second}
		cfg.Services[0].Instance.StartupDelay = sim.Exponential{Mean: 20}
		rec := &recorder{}
		w, _ := New(cfg, rec)
		w.Run()
		return rec.trace
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatalf("trace lengths differ: %d vs %d", len(a), len(b))
	}
	for k := range a {
		if fmtAny(a[k]) != fmtAny(b[k]) {
			t.Fatalf("traces differ at %d: %v vs %v", k, a[k], b[k])
		}
	}
}

func fmtAny(v any) string { return fmt.Sprintf("%#v", v) }
