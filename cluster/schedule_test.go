package cluster

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// spreadWorld: zones a and b each have one 16-core node, zone c one 4-core
// node; the service scales 3 -> 16 -> 4 -> 16 replicas with a crash in
// between. Under a max skew of 1, c holds at most 4, so a and b at most 5
// each: two of the 16 cannot be placed.
func spreadWorld(anyway bool) Config {
	s := withSteps(webService(), steps{{60 * time.Second, 16}, {600 * time.Second, 4}, {900 * time.Second, 16}})
	s.TopologySpread = &TopologySpread{MaxSkew: 1, ScheduleAnyway: anyway}
	return Config{
		Seed: 3, Duration: 1500 * time.Second, SampleInterval: 30 * time.Second,
		Zones: []string{"a", "b", "c"},
		Pools: []PoolConfig{
			{Name: "big", Zones: []string{"a", "b"}, PerZone: 1, MaxPerZone: 1, CPU: 16, Memory: 64 << 30, ProvisionDelay: time.Minute},
			{Name: "small", Zones: []string{"c"}, PerZone: 1, MaxPerZone: 1, CPU: 4, Memory: 16 << 30, ProvisionDelay: time.Minute},
		},
		Services: []ServiceConfig{s},
		Faults:   []FaultConfig{{At: 300 * time.Second, Type: InstanceCrash, Service: "web", Count: 3}},
	}
}

// maxPlacementSkew runs spreadWorld and returns the largest skew seen at a
// placement: the placed zone's count minus the smallest zone's, checked at
// every instance-scheduled event.
func maxPlacementSkew(t *testing.T, anyway bool) (int, *log) {
	worst := 0
	l := &log{}
	l.onEvent = func(e Event) {
		if e.Kind != "instance-scheduled" {
			return
		}
		c := zoneCounts(l.w.Services()[0])
		zone := e.Detail[strings.Index(e.Detail, "(zone ")+6 : len(e.Detail)-1]
		if i := strings.Index(zone, ")"); i >= 0 {
			zone = zone[:i]
		}
		least := math.MaxInt
		for _, z := range []string{"a", "b", "c"} {
			least = min(least, c[z])
		}
		worst = max(worst, c[zone]-least)
	}
	run(t, spreadWorld(anyway), l)
	return worst, l
}

func TestSpreadNeverAboveMaxSkew(t *testing.T) {
	worst, l := maxPlacementSkew(t, false)
	if worst > 1 {
		t.Errorf("DoNotSchedule with max skew 1: a placement made the skew %d", worst)
	}
	row := l.rows[0]
	if row.Unschedulable != 2 || row.Counts.Pending != 2 || row.Counts.Ready != 14 {
		t.Errorf("at the end: %d unschedulable, counts %+v; want 2 pending (no room under the spread) and 14 ready", row.Unschedulable, row.Counts)
	}
	if row.PlacementFailures[ReasonSpread] == 0 {
		t.Errorf("no placement failed for the spread: %v", row.PlacementFailures)
	}
	found := false
	for _, e := range l.kinds("instance-unschedulable") {
		found = found || strings.Contains(e.Detail, "2 topology spread")
	}
	if !found {
		t.Error("no instance-unschedulable event names the topology spread")
	}
	// ScheduleAnyway only prefers the emptiest zone: with c full, the
	// same run places all 16 and goes above the skew. (So the check above
	// can fail.)
	worst, l = maxPlacementSkew(t, true)
	if worst <= 1 || l.rows[0].Counts.Ready != 16 {
		t.Errorf("ScheduleAnyway: worst skew %d, %d ready; want above 1 and 16", worst, l.rows[0].Counts.Ready)
	}
}

// The cluster autoscaler adds a node for instances that fit nowhere, after
// the provision delay, up to max_per_zone, and removes a node that has
// been empty for 10 minutes, never going below per_zone.
func TestClusterAutoscaler(t *testing.T) {
	s := withSteps(webService(), steps{{60 * time.Second, 5}, {300 * time.Second, 2}, {2000 * time.Second, 9}})
	s.Initial = 2
	s.Instance.StartupDelay, s.Instance.ReadinessDelay = nil, nil
	cfg := Config{
		Seed: 1, Duration: 2200 * time.Second, SampleInterval: 10 * time.Second,
		Zones:    []string{"a"},
		Pools:    []PoolConfig{{Name: "p", PerZone: 1, MaxPerZone: 3, CPU: 2, Memory: 8 << 30, PricePerHour: 3.6, ProvisionDelay: 2 * time.Minute}},
		Services: []ServiceConfig{s},
	}
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		if e.Service == -1 {
			got = append(got, fmt.Sprintf("%v %s %s", e.Time, e.Kind, e.Detail))
		}
	}
	// At 60 s three instances are added: the first asks for p-a-2, the
	// second fits on it, the third asks for p-a-3. At 300 s the newest
	// three drain (pre_stop 0: they stop at once), p-a-3's first, and both
	// new nodes are empty; 600 s later they go. At 2000 s 9 are wanted: 2 more nodes
	// (max 3 per zone) hold 4 more, 3 stay Pending.
	want := []string{
		"0s node-ready p-a-1 (zone a)",
		"1m0s node-provisioning p-a-2 (zone a)",
		"1m0s node-provisioning p-a-3 (zone a)",
		"3m0s node-ready p-a-2 (zone a)",
		"3m0s node-ready p-a-3 (zone a)",
		"15m0s node-removed p-a-3 (zone a): empty for 10m0s",
		"15m0s node-removed p-a-2 (zone a): empty for 10m0s",
		"33m20s node-provisioning p-a-4 (zone a)",
		"33m20s node-provisioning p-a-5 (zone a)",
		"35m20s node-ready p-a-4 (zone a)",
		"35m20s node-ready p-a-5 (zone a)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("node events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	row := l.rows[0]
	if row.Counts.Ready != 6 || row.Unschedulable != 3 || row.PlacementFailures[ReasonCPU] != 3+7 {
		t.Errorf("at the end: counts %+v, %d unschedulable, failures %v", row.Counts, row.Unschedulable, row.PlacementFailures)
	}
	// Node cost: 3.6 USD/hour = 0.001 USD/s per node, from request to
	// removal: p-a-1 all along, p-a-2 and p-a-3 from 60 s to 900 s,
	// p-a-4 and p-a-5 from 2000 s.
	wantUSD := 0.001 * (2200 + 2*840 + 2*200)
	if got := row.CostUSD; math.Abs(got-wantUSD) > 1e-9 {
		t.Errorf("cost %.6f USD, want %.6f", got, wantUSD)
	}

}

// Initial replicas that do not fit on the initial nodes are Pending like
// any other: they wait for the node the cluster autoscaler adds, then for
// their startup and readiness delays.
func TestInitialReplicasBeyondCapacity(t *testing.T) {
	s := webService()
	s.Initial = 3
	cfg := Config{
		Seed: 1, Duration: 300 * time.Second, SampleInterval: 10 * time.Second,
		Pools:    []PoolConfig{{Name: "p", PerZone: 1, MaxPerZone: 2, CPU: 2, Memory: 8 << 30, ProvisionDelay: time.Minute}},
		Services: []ServiceConfig{s},
	}
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		if e.Instance == "web-2" {
			got = append(got, fmt.Sprintf("%v %s %+v", e.Time, e.Kind, e.Counts))
		}
	}
	want := []string{
		"0s instance-unschedulable {Desired:3 Pending:1 Starting:0 Ready:2 Draining:0}",
		"0s instance-scheduled {Desired:3 Pending:1 Starting:0 Ready:2 Draining:0}",
		"0s instance-pending {Desired:3 Pending:1 Starting:0 Ready:2 Draining:0}",
		"1m5s instance-starting {Desired:3 Pending:0 Starting:1 Ready:2 Draining:0}",
		"1m10s instance-ready {Desired:3 Pending:0 Starting:0 Ready:3 Draining:0}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("web-2:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
