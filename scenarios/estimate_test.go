package scenarios

import (
	"testing"
)

// Events measured by running the built-in scenarios (summary.json's
// events, seed 1; scalesim run NAME -q --no-plots). The estimate must be
// within a factor of 2; update the table when TestBuiltinResultsUnchanged
// is updated for a change of the model.
var measuredEvents = map[string]int64{
	"default":      6579652,
	"minimal":      720618,
	"mm8":          4086525,
	"k8s-hpa":      1009435,
	"wso2-elb":     1135753,
	"zone-outage":  1310890,
	"node-upgrade": 1153432,
	"lb-failover":  720060,
	"drain":        2735817,
	"flash-crowd":  1083749,
}

func TestEstimateEvents(t *testing.T) {
	for name, events := range measuredEvents {
		src, err := Resolve(name)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := src.Parse(nil)
		if err != nil {
			t.Fatal(err)
		}
		e := sc.Estimate()
		ratio := float64(e.Events) / float64(events)
		t.Logf("%-12s events %9d estimated %9d (x%.2f), arrivals %d, in flight %d, memory %d MiB, output %d KiB",
			name, events, e.Events, ratio, e.Arrivals, e.PeakInFlight, e.PeakMemory>>20, e.Output>>10)
		if ratio < 0.5 || ratio > 2 {
			t.Errorf("%s: estimated %d events, ran %d: not within a factor of 2", name, e.Events, events)
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
	timed := mustParse(t, base, "services.web.replicas.max=1", "services.web.autoscaler.policy=static", "traffic.web.timeout=10s")
	if got := timed.Estimate().PeakInFlight; got > 1100 {
		t.Errorf("in flight with a 10s timeout %d, want at most 1100", got)
	}
	if e.PeakMemory <= timed.Estimate().PeakMemory || e.Arrivals != 360000 {
		t.Errorf("memory %d vs %d, arrivals %d", e.PeakMemory, timed.Estimate().PeakMemory, e.Arrivals)
	}
}
