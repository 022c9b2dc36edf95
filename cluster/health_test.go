package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// One instance serving one request at a time, each needing 1 s of CPU,
// offered 2 per second: its queue grows by one a second, so after a few
// seconds a probe would wait longer than its 1 s timeout. The liveness
// probe (first check 10 s after the container starts, then every 10 s)
// has the kubelet kill the container after 3 failures: pre-stop (none),
// then what it still holds at the 5 s grace period fails. It restarts in
// place after the CrashLoopBackOff: at once the first time, 10 s the
// second; it is Ready again after its 5 s boot, with an empty queue.
func TestLivenessRestartsAnOverloadedInstance(t *testing.T) {
	s := webService()
	s.Initial, s.Min, s.Max = 1, 1, 1
	s.Instance.Concurrency = 1
	s.Instance.GracePeriod = 5 * time.Second
	s.DemandCPU = sim.Constant{Value: 1}
	s.NewArrivals = arrivalsOf(evenArrivals{period: 500 * time.Millisecond})
	s.Probes.Liveness = &ProbeConfig{InitialDelay: 10 * time.Second, Period: 10 * time.Second, FailureThreshold: 3, Timeout: time.Second}
	cfg := Config{Seed: 1, Duration: 100 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		got = append(got, fmt.Sprintf("%v %s %s", e.Time, e.Kind, e.Detail))
	}
	// Request n (arriving at 0.5n s) starts at 0.5 + (n-1) s, having
	// waited 0.5n - 0.5 s: at the probes at 10, 20 and 30 s the head of
	// the queue has waited 4.5 s and more: killed at 30 s, exits at 35 s
	// (grace), restarts at once (the kubelet's first back-off is none),
	// Ready at 40 s. Its probes are then at 45, 55, 65 s (the container
	// started at 35 s); at 45 s the head, arrived at 43 s, has waited 2 s:
	// killed at 65 s, exits at 70 s, restarts after 10 s at 80 s (restart
	// 2), Ready at 85 s; its probes at 90 s and 100 s, the end of the run.
	want := []string{
		"0s instance-ready ",
		"30s instance-starting liveness probe failed 3 times",
		"35s container-restarted restart 1, back-off 0s",
		"40s instance-ready ",
		"1m5s instance-starting liveness probe failed 3 times",
		"1m20s container-restarted restart 2, back-off 10s",
		"1m25s instance-ready ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// While it restarts, the load balancer (1 s propagation) still sends
	// it requests, which are refused; what it held failed.
	if l.ended[Failed] == 0 || l.ended[Rejected] == 0 {
		t.Errorf("outcomes %v", l.ended)
	}
}

// An overloaded instance fails its readiness probe and leaves the
// rotation after failure_threshold failures, not before; it comes back
// when a probe passes.
func TestReadinessTakesAnOverloadedInstanceOut(t *testing.T) {
	s := webService()
	s.Initial, s.Min, s.Max = 2, 2, 2
	s.Instance.Concurrency = 1
	s.DemandCPU = sim.Constant{Value: 1}
	s.NewArrivals = arrivalsOf(evenArrivals{period: 400 * time.Millisecond}) // 2.5/s for 2/s of capacity
	s.Probes.Readiness = &ProbeConfig{Period: 5 * time.Second, FailureThreshold: 3, Timeout: 2 * time.Second}
	cfg := Config{Seed: 1, Duration: 40 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}
	l := &log{}
	run(t, cfg, l)
	out := l.kinds("instance-starting")
	if len(out) == 0 {
		t.Fatal("no instance left the rotation")
	}
	// Each queue grows by 0.25 per second; the head has waited over 2 s
	// from about 10 s on: failures at 10, 15, 20 s at the earliest (the
	// first probe that fails must not already take it out).
	if out[0].Time < sim.At(20*time.Second) || out[0].Detail != "readiness probe failed 3 times" {
		t.Errorf("first out at %v (%s)", out[0].Time, out[0].Detail)
	}
	back := false
	for _, e := range l.kinds("instance-ready") {
		back = back || e.Detail == "readiness probe passed"
	}
	if !back {
		t.Error("no instance came back when its probe passed")
	}
}

// client-ip: a client sticks to its instance while it keeps coming back
// within the affinity timeout; after a longer idle spell, or once its
// instance has left the rotation, it is balanced anew.
func TestClientIPAffinity(t *testing.T) {
	s := webService()
	s.Initial = 8
	s.NewArrivals = nil
	s.Clients = 1000
	s.LoadBalancer = LoadBalancerConfig{Algorithm: ClientIP, SessionAffinityTimeout: time.Minute}
	w, err := New(Config{Seed: 1, Duration: time.Hour, SampleInterval: time.Minute, Services: []ServiceConfig{s}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	svc := w.Services()[0]
	lb := &svc.lb
	at := func(client int, sec float64) *Instance {
		return lb.pick(&request{client: int32(client)}, sim.FromSeconds(sec))
	}
	perInst := map[*Instance]int{}
	first := make([]*Instance, 1000)
	for c := range first {
		first[c] = at(c, 1)
		perInst[first[c]]++
	}
	for inst, n := range perInst {
		if n < 70 || n > 180 {
			t.Errorf("%s got %d of 1000 clients", inst.Name, n)
		}
	}
	for c := range first {
		if at(c, 50) != first[c] || at(c, 109) != first[c] {
			t.Fatalf("client %d moved within the timeout", c)
		}
	}
	moved := 0
	for c := range first {
		if at(c, 200) != first[c] {
			moved++
		}
	}
	if moved < 700 {
		t.Errorf("after an idle spell longer than the timeout only %d of 1000 clients were balanced anew", moved)
	}
	gone := first[0]
	lb.remove(gone)
	if at(0, 201) == gone {
		t.Error("a client stuck to an instance that left the rotation")
	}
	lb.add(gone)
	if at(0, 202) == gone && first[0] != gone {
		t.Error("a session survived its instance leaving and rejoining")
	}
}

// A cold instance needs slowdown x the CPU when it becomes Ready, falling
// linearly to 1x over the warmup: alone on its core, a 10 ms request that
// starts at t takes 10 ms x (1 + 2 (warm end - t)/100 s).
func TestWarmup(t *testing.T) {
	s := withSteps(webService(), steps{{10 * time.Second, 2}})
	s.Initial, s.Max = 1, 2
	s.Instance.StartupDelay, s.Instance.ReadinessDelay = nil, nil
	s.Instance.Warmup, s.Instance.WarmupSlowdown = 100*time.Second, 3
	s.DemandCPU = sim.Constant{Value: 0.01}
	cfg := Config{Seed: 1, Duration: 200 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}
	l := &log{}
	run(t, cfg, l)
	warmEnd := sim.At(110 * time.Second)
	slow := 0
	for _, e := range l.ends {
		lat := e.now.Sub(e.arrived)
		if lat == 10*time.Millisecond {
			continue // the warm initial instance, or the new one warmed up
		}
		slow++
		want := 0.01 * (1 + 2*float64(warmEnd-e.arrived)/float64(100*time.Second))
		if e.arrived < sim.At(10*time.Second) || e.arrived >= warmEnd || d(lat.Seconds(), want) > 2e-9 {
			t.Fatalf("arrived %v: latency %v, want %.9fs", e.arrived, lat, want)
		}
	}
	if slow < 490 {
		t.Errorf("%d slow requests, want the new instance's ~500 of its first 100 s", slow)
	}
}

func d(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

// Zones and pool zones listed in another order give the same run, event
// for event: the world sorts them.
func TestZoneOrderDoesNotMatter(t *testing.T) {
	trace := func(zones, poolZones []string) []any {
		cfg := threeZones(
			FaultConfig{At: 300 * time.Second, Type: ZoneOutage, Zone: "b", Duration: 300 * time.Second},
			FaultConfig{At: 900 * time.Second, Type: InstanceCrash, Service: "web", Count: 2},
			FaultConfig{At: 1000 * time.Second, Type: NodeUpgrade, Pool: "general"},
		)
		cfg.Zones = zones
		cfg.Pools[0].Zones = poolZones
		cfg.Services[0].Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{{100 * time.Second, 8}, {700 * time.Second, 5}}), Interval: 15 * time.Second}
		cfg.Services[0].Max = 8
		cfg.Services[0].Min = 1
		cfg.Services[0].LoadBalancer.Algorithm = ClientIP
		cfg.Services[0].Clients = 50
		rec := &recorder{}
		w, err := New(cfg, rec)
		if err != nil {
			t.Fatal(err)
		}
		w.Run()
		checkConservation(t, w)
		return rec.trace
	}
	a := trace([]string{"a", "b", "c"}, nil)
	b := trace([]string{"c", "a", "b"}, []string{"b", "c", "a"})
	if len(a) != len(b) {
		t.Fatalf("trace lengths differ: %d vs %d", len(a), len(b))
	}
	for k := range a {
		if fmtAny(a[k]) != fmtAny(b[k]) {
			t.Fatalf("traces differ at %d: %v vs %v", k, a[k], b[k])
		}
	}
}
