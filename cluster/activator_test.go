package cluster

import (
	"slices"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// atTimes is an arrival process with arrivals at the given instants.
type atTimes []sim.Time

func (a atTimes) Next(now sim.Time) sim.Time {
	for _, t := range a {
		if t > now {
			return t
		}
	}
	return sim.Never
}

// kpaService is a Knative-style service at zero: no instance, the
// activator and the collector on, the KPA with knative's defaults, pods
// that start in 5 s and are ready at once, 50 ms of CPU a request.
func kpaService(t *testing.T, concurrency int, arrivals atTimes) ServiceConfig {
	t.Helper()
	s := webService()
	s.Initial, s.Min, s.Max = 0, 0, 10
	s.Instance.Concurrency = concurrency
	s.Instance.ReadinessDelay = nil
	s.NewArrivals = arrivalsOf(arrivals)
	s.Autoscaler = AutoscalerConfig{
		NewPolicy: func() policies.Policy {
			k, err := policies.NewKPA(policies.DefaultKPAPolicyConfig())
			if err != nil {
				t.Fatal(err)
			}
			return k
		},
		Interval: 2 * time.Second, Concurrency: true, Activator: true,
	}
	return s
}

// statsLog records each decision's concurrency stats (the slice is the
// service's, reused after the decision).
type statsLog struct {
	log
	stats []policies.ConcurrencyStat
}

func (l *statsLog) Decision(d Decision) {
	l.stats = append(l.stats, d.Observation.Concurrency.Stats...)
	l.log.Decision(d)
}

// TestActivatorColdStart: one request at 10.5 s to a service at zero. The
// activator holds it and reports it at once (concurrency 1, one request),
// which runs the KPA at 10.5 s: ceil(1 / 70) = 1 pod. The pod starts at
// 10.5 + 5 s and takes the request at once: it completes at 15.55 s, a
// latency of exactly the startup time plus its 50 ms. Nothing is rejected.
// The next second's stat (at 11 s) is lowered by the poke's 1: 0.5 s in
// flight over (10, 11] is max(0.5 - 1, 0) = 0, and 1 - 1 = 0 requests;
// the stat at 12 s is 1 (in flight all second), 0 requests.
func TestActivatorColdStart(t *testing.T) {
	cfg := Config{Duration: time.Minute, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{kpaService(t, 0, atTimes{sim.At(10500 * time.Millisecond)})}}
	l := &statsLog{}
	w, err := New(cfg, l)
	if err != nil {
		t.Fatal(err)
	}
	w.Run()
	checkConservation(t, w)
	if len(l.ends) != 1 || l.ends[0].o != Completed || l.ends[0].now != sim.At(15550*time.Millisecond) {
		t.Fatalf("ends = %+v, want one completed at 15.55s", l.ends)
	}
	var first *Decision
	for k := range l.decisions {
		if d := &l.decisions[k]; d.After != d.Before {
			first = d
			break
		}
	}
	if first == nil || first.Time != sim.At(10500*time.Millisecond) || first.Before != 0 || first.After != 1 {
		t.Fatalf("first change = %+v, want 0 -> 1 at 10.5s", first)
	}
	want := []policies.ConcurrencyStat{
		{Time: sim.At(10500 * time.Millisecond), Concurrency: 1, Requests: 1},
		{Time: sim.At(11 * time.Second), Concurrency: 0, Requests: 0},
		{Time: sim.At(12 * time.Second), Concurrency: 1, Requests: 0},
	}
	k := slices.IndexFunc(l.stats, func(s policies.ConcurrencyStat) bool { return s.Time == want[0].Time })
	if k < 0 || len(l.stats) < k+3 || !slices.Equal(l.stats[k:k+3], want) {
		t.Errorf("stats from 10.5s = %+v, want %+v", l.stats[max(k, 0):min(max(k, 0)+3, len(l.stats))], want)
	}
}

// TestActivatorTimeout: the client gives up after 3 s, before the pod is
// ready at 15.5 s: the request times out at 13.5 s at the activator, is not
// rejected, and the pod never sees it.
func TestActivatorTimeout(t *testing.T) {
	s := kpaService(t, 0, atTimes{sim.At(10500 * time.Millisecond)})
	s.Timeout = 3 * time.Second
	l := &log{}
	w := run(t, Config{Duration: time.Minute, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}, l)
	if len(l.ends) != 1 || l.ends[0].o != TimedOut || l.ends[0].now != sim.At(13500*time.Millisecond) {
		t.Fatalf("ends = %+v, want one timed out at 13.5s", l.ends)
	}
	if n := w.services[0].act.held.len(); n != 0 {
		t.Errorf("%d requests still held", n)
	}
}

// TestActivatorThrottle: three requests at 1, 1.1 and 1.2 s to a service
// at zero whose pods serve one at a time (instance.concurrency 1). The
// activator sends them on one per free slot: the first at 6 s when the pod
// is ready (the poke at 1 s asked for it), the others as each finishes,
// 50 ms apart. The KPA asks for more pods meanwhile (the in-flight average
// is over 1 per pod, target 0.7), but none is ready before 6.15 s.
func TestActivatorThrottle(t *testing.T) {
	s := kpaService(t, 1, atTimes{sim.At(time.Second), sim.At(1100 * time.Millisecond), sim.At(1200 * time.Millisecond)})
	l := &log{}
	run(t, Config{Duration: time.Minute, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}, l)
	var got []sim.Time
	for _, e := range l.ends {
		if e.o != Completed {
			t.Fatalf("end %+v, want completed", e)
		}
		got = append(got, e.now)
	}
	want := []sim.Time{sim.At(6050 * time.Millisecond), sim.At(6100 * time.Millisecond), sim.At(6150 * time.Millisecond)}
	// The CPU phase ends on a float virtual clock, rounded up to the
	// nanosecond: the third end may fall 1 ns late.
	near := func(a, b sim.Time) bool { return a-b <= 1 && b-a <= 1 }
	if !slices.EqualFunc(got, want, near) {
		t.Errorf("completions at %v, want %v", got, want)
	}
}
