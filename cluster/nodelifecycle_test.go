package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// A client with a timeout does not see a failure when its request is
// routed to a pod of a silent node: the connection attempt hangs, and the
// client gives up at its 2 s timeout. Round robin over the 6 instances
// sends 2 of every 6 requests (10 per second) to zone b's pods from the
// outage (600 s) until they leave the endpoints (651 s): 510 / 3 = 170,
// each timed out 2 s after it arrived. Only what the lost instances held
// at 600 s fails.
func TestUnreachableRequestsTimeOut(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 600 * time.Second, Type: ZoneOutage, Zone: "b", Duration: 600 * time.Second})
	cfg.ControlPlane = kubeControlPlane
	cfg.Services[0].Timeout = 2 * time.Second
	l := &log{}
	run(t, cfg, l)
	timedOut := 0
	for _, e := range l.ends {
		switch e.o {
		case TimedOut:
			timedOut++
			if e.now != e.arrived.Add(2*time.Second) || e.arrived < sim.At(600*time.Second) || e.arrived >= sim.At(651*time.Second) {
				t.Errorf("timed out: arrived %v, ended %v", e.arrived, e.now)
			}
		case Failed:
			if e.now != sim.At(600*time.Second) {
				t.Errorf("failed at %v: only what the lost instances held at 600 s fails", e.now)
			}
		}
	}
	if timedOut < 168 || timedOut > 172 {
		t.Errorf("%d timed out, want about 170", timedOut)
	}
	if l.ended[Failed] > 8 {
		t.Errorf("%d failed, want at most what two instances held", l.ended[Failed])
	}
}

// A node back before the grace period is over never becomes NotReady: its
// lost pods leave the endpoints and are replaced when it reports again
// (130 s), and the requests routed to them fail until then plus the 1 s
// propagation.
func TestNodeBackBeforeNotReady(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 100 * time.Second, Type: NodeFailure, Node: "general-a-1", Duration: 30 * time.Second})
	cfg.ControlPlane = kubeControlPlane
	l := &log{}
	w := run(t, cfg, l)
	if nr := l.kinds("node-not-ready"); len(nr) != 0 {
		t.Errorf("node-not-ready events %+v, want none", nr)
	}
	ev := l.kinds("instance-evicted")
	if len(ev) != 2 || ev[0].Time != sim.At(130*time.Second) || !strings.HasPrefix(ev[0].Detail, "node general-a-1 back") {
		t.Errorf("instance-evicted events %+v, want 2 at 130 s", ev)
	}
	for _, e := range l.ends {
		if e.o == Failed && (e.now < sim.At(100*time.Second) || e.now > sim.At(131*time.Second)) {
			t.Errorf("failed at %v, outside [100 s, 131 s]", e.now)
		}
	}
	if c := w.Services()[0].Counts(); c.Ready != 6 {
		t.Errorf("at the end %+v", c)
	}
}

// A scale-down while pods are stranded deletes them first, as a
// ReplicaSet deletes the pods of a NotReady node first: going from 6 to
// 4 at 620 s, during zone b's outage, drains no running instance, and
// nothing is left to evict at 950 s.
func TestScaleDownDeletesStrandedFirst(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 600 * time.Second, Type: ZoneOutage, Zone: "b", Duration: 600 * time.Second})
	cfg.ControlPlane = kubeControlPlane
	s := &cfg.Services[0]
	s.Min = 1
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{{620 * time.Second, 4}}), Interval: 5 * time.Second}
	l := &log{}
	w := run(t, cfg, l)
	ev := l.kinds("instance-evicted")
	if len(ev) != 2 || ev[0].Time != sim.At(620*time.Second) || ev[1].Time != sim.At(620*time.Second) || ev[0].Detail != "deleted by a scale-down" {
		t.Errorf("instance-evicted events %+v, want 2 deleted at 620 s", ev)
	}
	if d := l.kinds("instance-draining"); len(d) != 0 {
		t.Errorf("draining events %+v, want none", d)
	}
	if c := w.Services()[0].Counts(); c.Ready != 4 || c.Pending != 0 {
		t.Errorf("at the end %+v, want 4 Ready", c)
	}
}

// Under node_taints_policy Honor the scheduler counts only the pods of
// the nodes it includes: with zone c's instance on its cordoned node c-1
// and an empty c-2 beside it, c is a domain (through c-2) with 0
// instances counted, so the global minimum is 0 and a and b (1 each) are
// refused; under Ignore c-1's pod counts, the minimum is 1, and a, b and
// c are all allowed (1 + 1 - 1 = 1).
func TestHonorCountsOnlyIncludedNodes(t *testing.T) {
	for _, honor := range []bool{false, true} {
		cfg := threeZones()
		s := &cfg.Services[0]
		s.Initial, s.Min, s.Max = 3, 3, 3
		s.TopologySpread.HonorTaints = honor
		w, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Start()
		c1 := w.findNode("general-c-1")
		w.addNode(c1.pool, c1.zone, 0, true)
		c1.cordoned = true
		a := attempt{s: w.services[0]}
		w.minCount(&a)
		wantMin, wantC := 1, 1
		if honor {
			wantMin, wantC = 0, 0
		}
		if a.ndom != 3 || a.minCount != wantMin || a.zc[c1.zone] != wantC {
			t.Errorf("honor %v: %d domains, global minimum %d, zone c counts %d; want 3, %d, %d", honor, a.ndom, a.minCount, a.zc[c1.zone], wantMin, wantC)
		}
	}
}
