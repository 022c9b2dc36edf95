package cluster_test

import (
	"fmt"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/sim"
)

// The built-in scenarios of zones, nodes and failures run and show their
// effect. How fast they run is no test's business: a loaded machine or the
// race detector makes them many times slower; speed is measured by the
// benchmarks (bench_test.go, cmd/scalesim's BenchmarkRunMM8). They run in
// parallel: each world is its own, and the race detector checks that they
// share nothing.

type trace struct {
	events []cluster.Event
	ends   [][4]int64 // per service, by outcome
	errAt  []sim.Time // when each error ended, all services
	text   []string   // every call, for determinism
	onEvt  func(e cluster.Event)
}

func (t *trace) RequestArrived(svc int, now sim.Time) {
	t.text = append(t.text, fmt.Sprint("a", svc, now))
}
func (t *trace) RequestEnded(svc int, o cluster.Outcome, arrived, now sim.Time, w time.Duration) {
	t.ends[svc][o]++
	if o != cluster.Completed {
		t.errAt = append(t.errAt, now)
	}
	t.text = append(t.text, fmt.Sprint("e", svc, o, arrived, now, w))
}
func (t *trace) Lifecycle(e cluster.Event) {
	t.events = append(t.events, e)
	t.text = append(t.text, fmt.Sprintf("%+v", e))
	if t.onEvt != nil {
		t.onEvt(e)
	}
}
func (t *trace) Decision(d cluster.Decision) {
	t.text = append(t.text, fmt.Sprint(d.Time, d.Before, d.After))
}
func (t *trace) Sample(now sim.Time, rows []cluster.Sample) {
	t.text = append(t.text, fmt.Sprintf("%v %+v", now, rows))
}

func runScenario(t *testing.T, name string, sets []string, onEvt func(*cluster.World, cluster.Event)) (*cluster.World, *trace) {
	t.Helper()
	sc, err := scenarios.Open(name, sets)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trace{ends: make([][4]int64, len(cfg.Services))}
	w, err := cluster.New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	if onEvt != nil {
		tr.onEvt = func(e cluster.Event) { onEvt(w, e) }
	}
	w.Run()
	for _, s := range w.Services() {
		arrived, out, inFlight := s.Totals()
		if arrived != out[0]+out[1]+out[2]+out[3]+int64(inFlight) {
			t.Errorf("%s/%s: conservation broken: %d arrived, %v, %d in flight", name, s.Name(), arrived, out, inFlight)
		}
	}
	return w, tr
}

// The built-in zone-outage reproduces the DoNotSchedule trap, and
// zone-outage-honor its fix (see their descriptions).
func TestLibraryZoneOutage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		atEnd   map[string]int // instances per zone when zone b comes back
		pending int
	}{
		{"zone-outage", map[string]int{"a": 2, "c": 2}, 2},
		{"zone-outage-honor", map[string]int{"a": 3, "c": 3}, 0},
	} {
		var atEnd map[string]int
		pending := -1
		w, tr := runScenario(t, c.name, nil, func(w *cluster.World, e cluster.Event) {
			if e.Kind == "fault-end" {
				atEnd = map[string]int{}
				for _, inst := range w.Services()[0].Instances() {
					if inst.Zone() != "" {
						atEnd[inst.Zone()]++
					}
				}
				pending = w.Services()[0].Counts().Pending
			}
		})
		// Errors only while the lost instances are still in the
		// endpoints: from the outage (1h) until the node is NotReady
		// (50 s) and the removal has propagated (1 s). A third of 60
		// requests per second for 50 s is about 1000.
		for _, at := range tr.errAt {
			if at < sim.At(time.Hour) || at > sim.At(time.Hour+51*time.Second) {
				t.Errorf("%s: an error at %v", c.name, at)
			}
		}
		if f := tr.ends[0][cluster.Failed]; f < 900 || f > 1100 {
			t.Errorf("%s: failed %d, want about 1000", c.name, f)
		}
		if !maps.Equal(atEnd, c.atEnd) || pending != c.pending {
			t.Errorf("%s: instances per zone when zone b came back: %v, %d pending; want %v, %d", c.name, atEnd, pending, c.atEnd, c.pending)
		}
		if cn := w.Services()[0].Counts(); cn.Ready != 6 {
			t.Errorf("%s: at the end %+v", c.name, cn)
		}
	}
}

// Zones listed in another order give the same run, byte for byte.
func TestLibraryZoneOrder(t *testing.T) {
	t.Parallel()
	_, a := runScenario(t, "zone-outage", []string{"duration=1h30m"}, nil)
	_, b := runScenario(t, "zone-outage", []string{"duration=1h30m", "zones=[c, b, a]", "nodes.0.zones=[b, c, a]"}, nil)
	if len(a.text) != len(b.text) {
		t.Fatalf("%d vs %d calls", len(a.text), len(b.text))
	}
	for k := range a.text {
		if a.text[k] != b.text[k] {
			t.Fatalf("call %d differs:\n%s\n%s", k, a.text[k], b.text[k])
		}
	}
}

func TestLibraryNodeUpgrade(t *testing.T) {
	t.Parallel()
	lowest, upgrading, evicted := 3, false, 0
	// The schedulable nodes (ready, not cordoned) never fall below the
	// pool's 3: each surge node joins before its old node is cordoned.
	sched, fewest := map[string]bool{}, 3
	_, tr := runScenario(t, "node-upgrade", nil, func(w *cluster.World, e cluster.Event) {
		name, _, _ := strings.Cut(e.Detail, " ")
		switch e.Kind {
		case cluster.KindNodeReady:
			sched[name] = true
		case cluster.KindNodeCordoned, cluster.KindNodeDown, cluster.KindNodeRemoved:
			delete(sched, name)
			fewest = min(fewest, len(sched))
		}
		switch {
		case e.Kind == "fault-start":
			upgrading = true
		case e.Kind == "fault-end":
			upgrading = false
		case upgrading && e.Service == 0:
			lowest = min(lowest, e.Counts.Ready)
			if strings.HasPrefix(e.Detail, "evicted") {
				evicted++
			}
		}
	})
	if lowest != 2 || evicted < 3 || upgrading {
		t.Errorf("lowest Ready %d (want 2: the budget), %d evictions, still upgrading %v", lowest, evicted, upgrading)
	}
	if e := tr.ends[0]; e[cluster.Rejected]+e[cluster.Failed]+e[cluster.TimedOut] != 0 {
		t.Errorf("errors %v", e)
	}
	if fewest != 3 || len(sched) != 3 {
		t.Errorf("schedulable nodes: at least %d during the upgrade, %d after; want never below 3", fewest, len(sched))
	}
}

func TestLibraryLBFailover(t *testing.T) {
	t.Parallel()
	_, tr := runScenario(t, "lb-failover", nil, nil)
	// Poisson arrivals at 100/s for the 10 s failover: 1000 ± 5 sd.
	if r := float64(tr.ends[0][cluster.Rejected]); math.Abs(r-1000) > 5*math.Sqrt(1000) {
		t.Errorf("rejected %v, want about 1000", r)
	}
	for _, at := range tr.errAt {
		if at < sim.At(30*time.Minute) || at >= sim.At(30*time.Minute+10*time.Second) {
			t.Errorf("an error at %v, outside the failover", at)
		}
	}
}

func TestLibraryDrain(t *testing.T) {
	t.Parallel()
	w, tr := runScenario(t, "drain", nil, nil)
	with, without := tr.ends[0], tr.ends[1]
	if w.Services()[0].Name() != "with-prestop" || with[cluster.Rejected]+with[cluster.Failed] != 0 {
		t.Errorf("with pre_stop: %v, want no errors", with)
	}
	if without[cluster.Rejected] < 50 {
		t.Errorf("without pre_stop: %v, want rejections on every scale-in", without)
	}
}

func TestLibraryFlashCrowd(t *testing.T) {
	t.Parallel()
	_, tr := runScenario(t, "flash-crowd", nil, nil)
	// No error before the spike (1h); many during it, as the slow starts
	// leave the crowd to too few instances.
	for _, at := range tr.errAt {
		if at < sim.At(time.Hour) {
			t.Fatalf("an error at %v, before the spike", at)
		}
	}
	slow := tr.ends[0][cluster.TimedOut]
	// The same crowd against instances that start in 10 s and need no
	// warmup times out far fewer requests.
	_, fast := runScenario(t, "flash-crowd", []string{"services.web.instance.startup_delay=5s",
		"services.web.instance.warmup.slowdown=1"}, nil)
	if f := fast.ends[0][cluster.TimedOut]; slow < 10000 || f > slow/2 {
		t.Errorf("timed out: %d with slow starts, %d with fast ones", slow, f)
	}
}
