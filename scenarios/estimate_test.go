package scenarios

import (
	"testing"

	"github.com/scalesim/scalesim/cluster"
)

// The event estimate is within a factor of 2 of the events each built-in
// scenario really fires (seed 1), run here rather than read from a table.
func TestEstimateEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in scenario")
	}
	for _, b := range Library() {
		sc, err := Open(b.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Build(sc)
		if err != nil {
			t.Fatal(err)
		}
		w, err := cluster.New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Run()
		events := w.Engine().Fired()
		e := sc.Estimate()
		ratio := float64(e.Events) / float64(events)
		t.Logf("%-12s events %9d estimated %9d (x%.2f), arrivals %d, in flight %d, memory %d MiB, output %d KiB",
			b.Name, events, e.Events, ratio, e.Arrivals, e.PeakInFlight, e.PeakMemory>>20, e.Output>>10)
		if ratio < 0.5 || ratio > 2 {
			t.Errorf("%s: estimated %d events, ran %d: not within a factor of 2", b.Name, e.Events, events)
		}
	}
}

// An overloaded service's backlog shows in the memory estimate, bounded
// by a timeout.
func TestEstimateBacklog(t *testing.T) {
	over := mustParse(t, base, "services.web.replicas.max=1", "services.web.autoscaler.policy=static")
	e := over.Estimate()
	// 100 rps against a capacity of 20 rps (1 core / 50 ms) for an hour.
	if want := int64(80 * 3600); e.PeakInFlight < want {
		t.Errorf("in flight %d, want at least %d", e.PeakInFlight, want)
	}
	// A server that cancels on the client's 10 s timeout holds at most
	// 10 s of arrivals; one that keeps the work holds it all, each abandoned
	// unit of work in a compact entry.
	timed := mustParse(t, base, "services.web.replicas.max=1", "services.web.autoscaler.policy=static", "traffic.web.timeout=10s",
		"services.web.instance.cancel_on_client_timeout=true")
	if got := timed.Estimate().PeakInFlight; got > 1100 {
		t.Errorf("in flight with a 10s timeout and cancelling %d, want at most 1100", got)
	}
	kept := mustParse(t, base, "services.web.replicas.max=1", "services.web.autoscaler.policy=static", "traffic.web.timeout=10s")
	if k := kept.Estimate(); k.PeakInFlight < e.PeakInFlight || k.PeakMemory >= e.PeakMemory || k.PeakMemory <= timed.Estimate().PeakMemory {
		t.Errorf("kept work: in flight %d (want >= %d), memory %d (want between %d and %d)",
			k.PeakInFlight, e.PeakInFlight, k.PeakMemory, timed.Estimate().PeakMemory, e.PeakMemory)
	}
	if e.PeakMemory <= timed.Estimate().PeakMemory || e.Arrivals != 360000 {
		t.Errorf("memory %d vs %d, arrivals %d", e.PeakMemory, timed.Estimate().PeakMemory, e.Arrivals)
	}
}
