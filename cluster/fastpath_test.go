package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// admit hands a request to the instance itself (directDelivery) when the
// service has neither request tokens nor an ingress: the run is exactly
// the one deliver gives, refusals (a full queue, an instance that crashed
// and is still in rotation) and timed-out retries included.
func TestDirectDeliveryIsDeliver(t *testing.T) {
	cfg := func() Config {
		s := webService()
		s.Initial, s.Min, s.Max = 3, 3, 3
		s.DemandCPU = sim.Exponential{Mean: 0.2}
		s.NewArrivals = func() ArrivalProcess { return &poissonArrivals{rate: 25, rng: sim.NewStreams(1).Get("arrivals/web")} }
		s.Instance.Concurrency, s.Instance.QueueLimit = 2, 3
		s.Timeout, s.Retries, s.RetryBackoff = 400*time.Millisecond, 2, 50*time.Millisecond
		return Config{
			Seed: 1, Duration: 10 * time.Minute, SampleInterval: time.Minute, Services: []ServiceConfig{s},
			Faults: []FaultConfig{{At: 2 * time.Minute, Type: InstanceCrash, Service: "web"}},
		}
	}
	runWith := func(direct bool) *log {
		l := &log{}
		w, err := New(cfg(), l)
		if err != nil {
			t.Fatal(err)
		}
		if !w.services[0].directDelivery {
			t.Fatal("a service without tokens or an ingress does not deliver directly")
		}
		w.services[0].directDelivery = direct
		l.w = w
		w.Run()
		checkConservation(t, w)
		return l
	}
	direct, general := runWith(true), runWith(false)
	if direct.ended[Rejected] == 0 || direct.ended[TimedOut] == 0 || direct.ended[Failed] == 0 {
		t.Fatalf("outcomes %v: the case should reject, time out and fail some requests", direct.ended)
	}
	if !reflect.DeepEqual(direct.ends, general.ends) || !reflect.DeepEqual(direct.events, general.events) || !reflect.DeepEqual(direct.rows, general.rows) {
		t.Errorf("direct delivery differs from deliver: outcomes %v vs %v", direct.ended, general.ended)
	}
}

// popRequest is pop for a head that is a waiting request: the same
// request, the same queue after it, cancelled slots behind it skipped.
func TestFifoPopRequestIsPop(t *testing.T) {
	var a, b fifo
	var ra, rb []*request
	for k := range 40 {
		ra = append(ra, pushAt(&a, float64(k), 0))
		rb = append(rb, pushAt(&b, float64(k), 0))
	}
	for _, k := range []int{1, 2, 5, 17, 39} {
		a.cancel(ra[k].qseq)
		b.cancel(rb[k].qseq)
	}
	for a.len() > 0 {
		if b.peek().r == nil {
			t.Fatal("head is not a waiting request")
		}
		got, want := b.popRequest(), a.pop().r
		if got.arrived != want.arrived || got.cpu != want.cpu {
			t.Fatalf("popRequest gave the request of %v, pop that of %v", got.arrived, want.arrived)
		}
		if a.len() != b.len() || a.size != b.size || a.popped != b.popped || a.cancelled != b.cancelled {
			t.Fatalf("after popping %v: len %d/%d size %d/%d popped %d/%d cancelled %d/%d", got.arrived,
				b.len(), a.len(), b.size, a.size, b.popped, a.popped, b.cancelled, a.cancelled)
		}
	}
	if b.len() != 0 || b.size != 0 {
		t.Errorf("queue left with %d entries, %d slots", b.len(), b.size)
	}
}

// A probe's first check is an engine event at its tick; every later one
// is a timer in the service's ring for that probe, Period after the last,
// and fires exactly then: an idle instance's readiness probe has passed
// once per period since the container started, its liveness probe is
// pending in its ring, and a stopped instance leaves nothing armed.
func TestProbeChecksRunFromRings(t *testing.T) {
	s := webService()
	s.Initial, s.Min, s.Max = 2, 2, 2
	s.NewArrivals = nil
	s.Probes.Readiness = &ProbeConfig{Period: 5 * time.Second, InitialDelay: time.Second, FailureThreshold: 3, Timeout: time.Second}
	s.Probes.Liveness = &ProbeConfig{Period: 10 * time.Second, FailureThreshold: 3, Timeout: time.Second}
	w, err := New(Config{Seed: 1, Duration: time.Hour, SampleInterval: time.Minute, Services: []ServiceConfig{s}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := w.services[0]
	if svc.probeRings[probeStartup] != nil || svc.probeRings[probeReadiness] == nil || svc.probeRings[probeLiveness] == nil {
		t.Fatalf("rings %v: want one for readiness and liveness only", svc.probeRings)
	}
	w.Start()
	w.eng.RunUntil(sim.At(63 * time.Second))
	for _, inst := range svc.instances {
		// Checks at 1, 6, ..., 61 s: 13 passes in a row.
		if inst.readyPasses != 13 {
			t.Errorf("%s: %d readiness passes by 63 s, want 13", inst.Name, inst.readyPasses)
		}
		if !inst.readyProbe.first.IsZero() || inst.readyProbe.next.IsZero() || !inst.liveProbe.first.IsZero() || inst.liveProbe.next.IsZero() {
			t.Errorf("%s: probes %+v, %+v: want each a timer in its ring", inst.Name, inst.readyProbe, inst.liveProbe)
		}
	}
	inst := svc.instances[0]
	inst.stopProbes()
	if inst.readyProbe.armed() || inst.liveProbe.armed() {
		t.Errorf("stopped probes still armed: %+v, %+v", inst.readyProbe, inst.liveProbe)
	}
	passes := inst.readyPasses
	w.eng.RunUntil(sim.At(2 * time.Minute))
	if inst.readyPasses != passes {
		t.Errorf("a stopped readiness probe ran: %d passes, had %d", inst.readyPasses, passes)
	}
	if other := svc.instances[1]; other.readyPasses != 24 {
		t.Errorf("%s: %d readiness passes by 2 min, want 24", other.Name, other.readyPasses)
	}
}
