package cluster

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

const mi = 1 << 20

// The kubelet's container back-off, derived from flowcontrol.Backoff as
// doBackOff uses it: the first restart at once, then 10 s doubling to
// 5 min; an entry not updated for more than 10 minutes starts over.
func TestCrashBackOff(t *testing.T) {
	var b crashBackOff
	at := sim.At(0)
	var got []string
	// A container that fails 1 s after each start.
	for range 9 {
		at = at.Add(time.Second)
		d := b.exited(at)
		got = append(got, d.String())
		at = at.Add(d)
		if d > 0 {
			b.restarted(at)
		}
	}
	if want := "0s 10s 20s 40s 1m20s 2m40s 5m0s 5m0s 5m0s"; strings.Join(got, " ") != want {
		t.Errorf("back-offs %s, want %s", strings.Join(got, " "), want)
	}
	// Restarted at `at`; running exactly 10 minutes is not yet "stable"
	// (hasExpired is strictly more than twice the maximum) ...
	if d := b.exited(at.Add(10 * time.Minute)); d != CrashBackOffMax {
		t.Errorf("after exactly 10 min running: %v, want %v", d, CrashBackOffMax)
	}
	b.restarted(at.Add(10*time.Minute + CrashBackOffMax))
	at = at.Add(10*time.Minute + CrashBackOffMax)
	// ... one nanosecond more is: it restarts at once, the entry back to 10 s.
	at = at.Add(10*time.Minute + 1)
	if d := b.exited(at); d != 0 {
		t.Errorf("after 10 min running: %v, want 0", d)
	}
	if d := b.exited(at.Add(time.Second)); d != CrashBackOffInitial {
		t.Errorf("next: %v, want %v", d, CrashBackOffInitial)
	}
}

// The working set falls back exponentially with the retention time
// constant, to what the requests held need; at once without retention;
// never with RetainForever.
func TestWorkingSetRetention(t *testing.T) {
	for _, c := range []struct {
		tau  time.Duration
		want float64 // MiB, 60 s after the requests left
	}{
		{0, 100},
		{time.Minute, 100 + 100*math.Exp(-1)},
		{RetainForever, 200},
	} {
		s := webService()
		s.Initial = 1
		s.Instance.BaseMemory, s.Instance.MemoryPerRequest, s.Instance.MemoryRetention = 100*mi, 10*mi, c.tau
		s.NewArrivals = nil
		w, err := New(Config{Seed: 1, Duration: time.Hour, SampleInterval: time.Minute, Services: []ServiceConfig{s}}, &log{})
		if err != nil {
			t.Fatal(err)
		}
		w.Start()
		inst := w.services[0].instances[0]
		// Ten requests held at 10 s (working set 200Mi), all gone at 20 s.
		inst.memBefore(sim.At(10 * time.Second))
		inst.busy = 10
		inst.memAfter(sim.At(10 * time.Second))
		inst.memBefore(sim.At(20 * time.Second))
		inst.busy = 0
		inst.memAfter(sim.At(20 * time.Second))
		if got := inst.workingSet(sim.At(80*time.Second)) / mi; math.Abs(got-c.want) > 1e-9 {
			t.Errorf("retention %v: %.6fMi at 80 s, want %.6fMi", c.tau, got, c.want)
		}
	}
}

// Node memory pressure: a 1Gi node runs db (request 512Mi, a steady 300Mi)
// and web (request 128Mi, 100Mi + 10Mi per request held; a request a
// second, each held 1000 s). The node's working sets pass 1024Mi when web
// holds 63 requests (300 + 100 + 630 = 1030Mi), at 63 s: the kubelet evicts
// web-0, the pod above its request, not db, which uses more memory but
// less than its request; what web-0 held fails. The ReplicaSet replaces
// it; web-1 is Ready 10 s later, at 73 s (before that instant's arrival,
// which it takes), and is evicted in its turn when it holds 63, at 135 s.
func TestMemoryPressureEvictsPodsAboveTheirRequest(t *testing.T) {
	db := webService()
	db.Name, db.Initial, db.Min, db.Max = "db", 1, 1, 1
	db.Instance.CPURequest, db.Instance.MemoryRequest, db.Instance.BaseMemory = 1, 512*mi, 300*mi
	db.NewArrivals = nil
	web := webService()
	web.Initial, web.Min, web.Max = 1, 1, 1
	web.Instance.CPURequest, web.Instance.MemoryRequest = 1, 128*mi
	web.Instance.BaseMemory, web.Instance.MemoryPerRequest = 100*mi, 10*mi
	web.DemandCPU, web.DemandWait = sim.Constant{}, sim.Constant{Value: 1000}
	web.NewArrivals = arrivalsOf(evenArrivals{period: time.Second})
	cfg := Config{Seed: 1, Duration: 140 * time.Second, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{db, web},
		Pools:    []PoolConfig{{Name: "p", PerZone: 1, CPU: 4, Memory: 1024 * mi}}}
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		if e.Kind == KindInstanceTerminated || e.Kind == KindInstanceReady {
			got = append(got, fmt.Sprintf("%v %s %s %s", e.Time, e.Instance, e.Kind, e.Detail))
		}
	}
	want := []string{
		"0s db-0 instance-ready ",
		"0s web-0 instance-ready ",
		"1m3s web-0 instance-terminated evicted: node p-default-1 memory pressure (working set 730Mi, request 128Mi)",
		"1m13s web-1 instance-ready ",
		"2m15s web-1 instance-terminated evicted: node p-default-1 memory pressure (working set 730Mi, request 128Mi)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := l.ended[Failed]; f != 63+63 {
		t.Errorf("%d failed, want the 126 requests the evicted pods held", f)
	}
}

// A container whose base is above its memory request (600Mi for 256Mi)
// fits the scheduler, which counts requests, but not the node: the second
// one starts at 15 s (created at 10 s, 5 s startup delay) on a 1Gi node,
// 1200Mi in all, and the kubelet evicts a pod at once: both exceed their
// request by as much, and the oldest, web-0, goes first.
func TestMemoryPressureWhenAContainerStarts(t *testing.T) {
	s := withSteps(webService(), steps{{0, 1}, {10 * time.Second, 2}})
	s.Initial, s.Min, s.Max = 1, 1, 2
	s.Instance.MemoryRequest, s.Instance.BaseMemory = 256*mi, 600*mi
	s.NewArrivals = nil
	cfg := Config{Seed: 1, Duration: 16 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s},
		Pools: []PoolConfig{{Name: "p", PerZone: 1, CPU: 4, Memory: 1024 * mi}}}
	l := &log{}
	run(t, cfg, l)
	ev := l.kinds(string(KindInstanceTerminated))
	if len(ev) != 1 || ev[0].Time != sim.At(15*time.Second) || ev[0].Instance != "web-0" ||
		ev[0].Detail != "evicted: node p-default-1 memory pressure (working set 600Mi, request 256Mi)" {
		t.Errorf("terminations %+v", ev)
	}
}
