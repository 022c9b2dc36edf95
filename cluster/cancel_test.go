package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// overloadService is one single-slot instance fed a request every period,
// each needing cpu seconds of CPU, whose clients give up after 250 ms.
func overloadService(period time.Duration, cpu float64, cancel bool) ServiceConfig {
	s := webService()
	s.Initial, s.Min, s.Max = 1, 1, 1
	s.Instance.Concurrency = 1
	s.Instance.CancelOnClientTimeout = cancel
	s.DemandCPU = sim.Constant{Value: cpu}
	s.NewArrivals = arrivalsOf(evenArrivals{period: period})
	s.Timeout = 250 * time.Millisecond
	return withSteps(s, steps{{0, 1}})
}

// A request every second needing 0.6 s of CPU, its client gone after
// 0.25 s: a server that keeps the work spends 0.6 s on each; one that
// propagates the deadline stops at 0.25 s and frees the slot. Either way
// each request counts once, as timed out, when its client gave up.
func TestCancelOnClientTimeoutFreesCPU(t *testing.T) {
	for _, c := range []struct {
		cancel bool
		cpu    float64
	}{{false, 9 * 0.6}, {true, 9 * 0.25}} {
		l := &log{}
		w := run(t, Config{Seed: 1, Duration: 10 * time.Second, SampleInterval: 10 * time.Second,
			Services: []ServiceConfig{overloadService(time.Second, 0.6, c.cancel)}}, l)
		s := w.services[0]
		row := s.sample(w.eng.Now())
		if d := row.CPUSeconds - c.cpu; d < -1e-6 || d > 1e-6 {
			t.Errorf("cancel=%v: CPU used %.4f s, want %.4f", c.cancel, row.CPUSeconds, c.cpu)
		}
		arrived, out, inFlight := s.Totals()
		if arrived != 9 || out[TimedOut] != 9 || out[Completed] != 0 || inFlight != 0 {
			t.Errorf("cancel=%v: arrived %d, outcomes %v, in flight %d; want 9 timed out", c.cancel, arrived, out, inFlight)
		}
		if l.ended[TimedOut] != 9 || l.ended[Completed]+l.ended[Failed]+l.ended[Rejected] != 0 {
			t.Errorf("cancel=%v: observer saw %v, want 9 timed out and nothing else", c.cancel, l.ended)
		}
		if inst := s.instances[0]; c.cancel && inst.busy != 0 {
			t.Errorf("cancel=%v: %d slots still busy", c.cancel, inst.busy)
		}
	}
}

// A request every 100 ms needing 1 s: the backlog grows. A server that
// keeps the work holds every abandoned request as a compact queue entry
// (no request struct); one that cancels holds only what its clients still
// wait for.
func TestQueuedWorkOfGoneClients(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		l := &log{}
		w := run(t, Config{Seed: 1, Duration: 20 * time.Second, SampleInterval: 10 * time.Second,
			Services: []ServiceConfig{overloadService(100*time.Millisecond, 1, cancel)}}, l)
		s := w.services[0]
		inst := s.instances[0]
		_, out, inFlight := s.Totals()
		live := 0
		for k := 0; k < inst.queue.size; k++ {
			if inst.queue.buf[(inst.queue.head+k)%len(inst.queue.buf)].r != nil {
				live++
			}
		}
		if live > inFlight {
			t.Errorf("cancel=%v: %d queued requests keep their struct, %d clients wait", cancel, live, inFlight)
		}
		if out[Completed] != 0 {
			t.Errorf("cancel=%v: %d completed", cancel, out[Completed])
		}
		if cancel && inst.queue.len() > 3 {
			t.Errorf("cancel=%v: %d queued, want at most the 250 ms of arrivals still waiting", cancel, inst.queue.len())
		}
		if !cancel && inst.queue.len() < 150 {
			t.Errorf("cancel=%v: %d queued, want the backlog (the server keeps the work)", cancel, inst.queue.len())
		}
		t.Logf("cancel=%v: queue %d, in flight %d, timed out %d", cancel, inst.queue.len(), inFlight, out[TimedOut])
	}
}
