package cluster

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// threeZones: zones a, b, c with one 2-core node each (room for two
// 1-core instances), up to three per zone; six replicas spread with max
// skew 1; readiness probed every 5 s, 3 failures; each request needs
// 300 ms of CPU (3 cores in all), so instances always hold some.
func threeZones(faults ...FaultConfig) Config {
	s := webService()
	s.Initial, s.Min, s.Max = 6, 6, 6
	s.DemandCPU = sim.Constant{Value: 0.3}
	s.TopologySpread = &TopologySpread{MaxSkew: 1}
	s.Probes.Readiness = &ProbeConfig{Period: 5 * time.Second, FailureThreshold: 3, Timeout: time.Second}
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{}), Interval: 15 * time.Second}
	return Config{
		Seed: 1, Duration: 1800 * time.Second, SampleInterval: 10 * time.Second,
		Zones:    []string{"a", "b", "c"},
		Pools:    []PoolConfig{{Name: "general", PerZone: 1, MaxPerZone: 3, CPU: 2, Memory: 8 << 30, PricePerHour: 0.1, ProvisionDelay: 2 * time.Minute}},
		Services: []ServiceConfig{s},
		Faults:   faults,
	}
}

// kubeControlPlane is Kubernetes' default timing: NotReady 50 s after
// the last heartbeat, pods evicted 300 s after that.
var kubeControlPlane = ControlPlane{NodeMonitorGracePeriod: 50 * time.Second, NotReadyToleration: 300 * time.Second, UnreachableToleration: 300 * time.Second}

// zoneOutage runs threeZones with zone b down from 600 s to 1200 s under
// Kubernetes' control-plane timing, and the spread's node taints policy
// Honor or not. It returns the log and the instances per zone when the
// outage ends.
func zoneOutage(t *testing.T, spread TopologySpread) (*log, map[string]int, Counts) {
	cfg := threeZones(FaultConfig{At: 600 * time.Second, Type: ZoneOutage, Zone: "b", Duration: 600 * time.Second})
	cfg.ControlPlane = kubeControlPlane
	cfg.Services[0].TopologySpread = &spread
	// A liveness probe too: a lost instance is not restarted.
	cfg.Services[0].Probes.Liveness = &ProbeConfig{Period: 5 * time.Second, FailureThreshold: 3, Timeout: time.Second}
	l := &log{}
	var during map[string]int
	var counts Counts
	l.onEvent = func(e Event) {
		if e.Kind == "fault-end" {
			s := l.w.Services()[0]
			during, counts = zoneCounts(s), s.Counts()
		}
	}
	run(t, cfg, l)
	lost := 0
	for _, e := range l.kinds("instance-terminated") {
		if strings.Contains(e.Detail, "zone-outage b") {
			lost++
		}
	}
	if lost != 2 {
		t.Errorf("%d instances lost, want 2", lost)
	}
	for _, e := range l.kinds("instance-starting") {
		if strings.HasPrefix(e.Detail, "restarted") {
			t.Errorf("%v: %s %s", e.Time, e.Instance, e.Detail)
		}
	}
	// The node is NotReady at 650 s, its two pods leave the endpoints
	// then, and are evicted at 950 s.
	nr := l.kinds("node-not-ready")
	if len(nr) != 1 || nr[0].Time != sim.At(650*time.Second) || !strings.HasPrefix(nr[0].Detail, "general-b-1 ") {
		t.Errorf("node-not-ready events %+v, want general-b-1 at 650 s", nr)
	}
	for kind, at := range map[string]time.Duration{"instance-not-ready": 650 * time.Second, "instance-evicted": 950 * time.Second} {
		evs := l.kinds(kind)
		if len(evs) != 2 || evs[0].Time != sim.At(at) || evs[1].Time != sim.At(at) {
			t.Errorf("%s events %+v, want 2 at %v", kind, evs, at)
		}
	}
	// Failed: what the two lost instances held, then the requests the
	// load balancer kept sending them until the node was NotReady
	// (650 s) plus the 1 s propagation: nothing after 651 s, whatever the
	// readiness probe (its kubelet is gone, it reports nothing).
	var first, last sim.Time
	n := 0
	for _, e := range l.ends {
		if e.o == Failed {
			if n == 0 {
				first = e.now
			}
			last = e.now
			n++
		}
	}
	if n == 0 || first != sim.At(600*time.Second) || last < sim.At(650*time.Second) || last > sim.At(651*time.Second) {
		t.Errorf("%d failed from %v to %v; want failures from 600 s until the endpoints drop them at 651 s", n, first, last)
	}
	return l, during, counts
}

// The trap of kubernetes/kubernetes#116978: with DoNotSchedule and the
// default node taints policy Ignore, the lost zone's node still counts,
// so b is a domain with 0 instances and the global minimum is 0: a and c,
// at 2 each, would reach a skew of 3. The replacements stay Pending from
// their eviction (950 s) until the zone is back (1200 s), then go to b.
func TestZoneOutageDoNotScheduleTrap(t *testing.T) {
	l, during, counts := zoneOutage(t, TopologySpread{MaxSkew: 1})
	if during["a"] != 2 || during["c"] != 2 || during["b"] != 0 || counts.Pending != 2 || counts.Ready != 4 {
		t.Errorf("at the end of the outage %v %+v, want a:2 c:2 and 2 Pending", during, counts)
	}
	// The nodes of a and c are full, which the scheduler reports first
	// (its resource filter runs before the spread); the cluster
	// autoscaler adds no node, because on a new node in a or c the spread
	// would refuse them too.
	un := l.kinds("instance-unschedulable")
	if len(un) != 2 || un[0].Time != sim.At(950*time.Second) || un[0].Detail != "0/3 nodes available: 1 down or cordoned, 2 insufficient cpu" {
		t.Errorf("unschedulable events %+v, want 2 at 950 s", un)
	}
	if got := zoneCounts(l.w.Services()[0]); got["a"] != 2 || got["b"] != 2 || got["c"] != 2 {
		t.Errorf("at the end %v, want 2 per zone", got)
	}
	if len(l.kinds("node-provisioning")) != 0 {
		t.Error("the cluster autoscaler added a node, though no new node can satisfy the spread")
	}
}

// The fix users apply: node_taints_policy Honor leaves the NotReady node
// out, so b is no domain after 650 s; the replacements evicted at 950 s go
// to a and c, on nodes the cluster autoscaler adds (2 minutes).
func TestZoneOutageHonorTaints(t *testing.T) {
	_, during, counts := zoneOutage(t, TopologySpread{MaxSkew: 1, HonorTaints: true})
	if during["a"] != 3 || during["c"] != 3 || during["b"] != 0 || counts.Ready != 6 {
		t.Errorf("at the end of the outage %v %+v, want a:3 c:3, all Ready", during, counts)
	}
}

// The other fix: ScheduleAnyway makes the spread a preference (a score,
// not a filter), so the replacements are placed, but skewed: the cluster
// autoscaler adds one 2-core node (in a, the first of the tied zones)
// that takes both, as it packs pending pods onto the fewest new nodes.
func TestZoneOutageScheduleAnyway(t *testing.T) {
	l, during, counts := zoneOutage(t, TopologySpread{MaxSkew: 1, ScheduleAnyway: true})
	if during["a"] != 4 || during["c"] != 2 || during["b"] != 0 || counts.Ready != 6 {
		t.Errorf("at the end of the outage %v %+v, want a:4 c:2, all Ready", during, counts)
	}
	if p := l.kinds("node-provisioning"); len(p) != 1 || p[0].Time != sim.At(950*time.Second) {
		t.Errorf("node-provisioning events %+v, want one at the eviction, 950 s", p)
	}
}

// minDomains 3: with b no domain (Honor, after NotReady) there are fewer
// domains than that, so the global minimum is 0 and the replacements stay
// Pending even under Honor, as the scheduler's minMatchNum does.
func TestZoneOutageMinDomains(t *testing.T) {
	_, during, counts := zoneOutage(t, TopologySpread{MaxSkew: 1, HonorTaints: true, MinDomains: 3})
	if during["a"] != 2 || during["c"] != 2 || counts.Pending != 2 {
		t.Errorf("at the end of the outage %v %+v, want a:2 c:2 and 2 Pending", during, counts)
	}
}

func TestNodeFailureAndRecovery(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 100 * time.Second, Type: NodeFailure, Node: "general-a-1", Duration: 300 * time.Second})
	cfg.Services[0].Probes.Readiness = nil
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		if e.Service == -1 && strings.Contains(e.Detail, "general-a") || strings.HasPrefix(string(e.Kind), "fault") {
			got = append(got, e.Time.String()+" "+string(e.Kind)+" "+e.Detail)
		}
	}
	// With a zero control-plane timing, the node is NotReady and its pods
	// evicted at once. The replacements find b's and c's nodes full and
	// a's down (a is a spread domain with no instance: its failed node
	// counts, so only a can take them). The cluster autoscaler adds
	// a node where the service has the fewest instances, in a; both wait
	// for it. The failed node comes back empty and, above per_zone, is
	// removed 10 minutes later.
	want := []string{
		"0s node-ready general-a-1 (zone a)",
		"1m40s fault-start node-failure general-a-1",
		"1m40s node-down general-a-1 (zone a): node-failure general-a-1",
		"1m40s node-not-ready general-a-1 (zone a): no heartbeat for 0s; tainted unreachable, pods evicted after 0s",
		"1m40s node-provisioning general-a-2 (zone a)",
		"3m40s node-ready general-a-2 (zone a)",
		"6m40s node-ready general-a-1 (zone a): back",
		"6m40s fault-end node-failure general-a-1",
		"16m40s node-removed general-a-1 (zone a): empty for 10m0s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := l.rows[0].Counts; c.Ready != 6 {
		t.Errorf("at the end %+v", c)
	}
}

// A rolling upgrade of the three nodes, all three at once (max surge 3),
// with a disruption budget of 2 (of 3 replicas): every eviction waits
// until it leaves 2 Ready, and the upgrade completes. Without the budget
// the same upgrade evicts all three when the surge nodes join.
func TestNodeUpgradeHonoursDisruptionBudget(t *testing.T) {
	upgrade := func(minAvailable int) (lowest, evictions int, l *log) {
		cfg := threeZones(FaultConfig{At: 300 * time.Second, Type: NodeUpgrade, Pool: "general", NodeSurge: 3})
		s := &cfg.Services[0]
		s.Initial, s.Min, s.Max = 3, 3, 3
		s.DemandCPU = sim.Constant{Value: 0.1}
		s.TopologySpread = nil
		s.MinAvailable = minAvailable
		s.Instance.PreStop = 5 * time.Second
		s.LoadBalancer.PropagationDelay = 2 * time.Second
		cfg.Pools[0].MaxPerZone = 2
		lowest = 3
		l = &log{}
		upgrading := false
		l.onEvent = func(e Event) {
			switch {
			case e.Kind == "fault-start":
				upgrading = true
			case e.Kind == "fault-end":
				upgrading = false
			case upgrading && e.Service == 0:
				lowest = min(lowest, e.Counts.Ready)
				if hasPrefix(e, "instance-draining", "evicted: node-upgrade general") {
					evictions++
				}
			}
		}
		run(t, cfg, l)
		return lowest, evictions, l
	}
	lowest, evictions, l := upgrade(2)
	if evictions < 3 || lowest < 2 {
		t.Errorf("budget 2: %d evictions, lowest Ready %d; want at least 3 and never below 2", evictions, lowest)
	}
	ends := l.kinds("fault-end")
	if len(ends) != 1 || ends[0].Detail != "node-upgrade general" {
		t.Fatalf("the upgrade did not complete: %+v", ends)
	}
	for _, n := range l.w.nodes {
		if strings.HasSuffix(n.name, "-1") {
			t.Errorf("node %s was not replaced", n.name)
		}
	}
	if len(l.w.nodes) != 3 {
		t.Errorf("%d nodes after the upgrade, want 3", len(l.w.nodes))
	}
	if l.ended[Rejected]+l.ended[Failed] != 0 {
		t.Errorf("a pre_stop longer than the propagation: rejected %d, failed %d, want none", l.ended[Rejected], l.ended[Failed])
	}
	// Some eviction had to wait for a replacement to be Ready.
	waited := false
	cordoned := map[string]sim.Time{}
	for _, e := range l.events {
		if e.Kind == "node-cordoned" {
			cordoned[e.Detail[:strings.Index(e.Detail, " ")]] = e.Time
		}
	}
	for _, e := range l.kinds("instance-draining") {
		for _, t0 := range cordoned {
			waited = waited || e.Time > t0+sim.At(5*time.Second) && e.Time < t0+sim.At(10*time.Minute)
		}
	}
	if !waited {
		t.Error("no eviction waited: the test does not exercise the budget")
	}
	lowest, _, _ = upgrade(0)
	if lowest >= 2 {
		t.Errorf("without a budget the lowest Ready is %d: the test cannot tell a budget from none", lowest)
	}
}

// failoverWorld: 100 requests per second arriving evenly, 4 instances;
// the primary load balancer fails at 300 s.
func failoverWorld(replicas int, duration time.Duration) Config {
	s := webService()
	s.Initial, s.Min, s.Max = 4, 4, 4
	s.DemandCPU = sim.Constant{Value: 0.02}
	s.NewArrivals = arrivalsOf(evenArrivals{period: 10 * time.Millisecond})
	s.LoadBalancer.Replicas, s.LoadBalancer.FailoverDelay = replicas, 10*time.Second
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{}), Interval: time.Second}
	return Config{
		Seed: 1, Duration: 600 * time.Second, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{s},
		Faults:   []FaultConfig{{At: 300 * time.Second, Type: LoadBalancerFailure, Service: "web", Duration: duration}},
	}
}

// With a standby, requests are rejected exactly while it takes over: the
// arrivals at 300.00, 300.01, ..., 309.99 s, i.e. rate x delay = 1000; the
// autoscaler, which runs on the primary, pauses meanwhile; the sanity
// check then restores the second load balancer.
func TestLoadBalancerFailover(t *testing.T) {
	l := &log{}
	run(t, failoverWorld(2, 0), l)
	from, to := sim.At(300*time.Second), sim.At(310*time.Second)
	for _, e := range l.ends {
		if e.o == Rejected && (e.now < from || e.now >= to) {
			t.Fatalf("rejected at %v, outside the failover [%v, %v)", e.now, from, to)
		}
	}
	if l.ended[Rejected] != 1000 {
		t.Errorf("rejected %d, want 1000", l.ended[Rejected])
	}
	// The connections through the failed primary broke.
	if l.ended[Failed] == 0 || l.ended[Failed] > 4 {
		t.Errorf("failed %d, want the one or two requests each instance held at 300 s", l.ended[Failed])
	}
	for _, d := range l.decisions {
		if d.Time >= from && d.Time < to {
			t.Errorf("autoscaler evaluated at %v during the failover", d.Time)
		}
	}
	var got []string
	for _, e := range l.events {
		if e.Service == 0 && !strings.HasPrefix(string(e.Kind), "instance-") {
			got = append(got, e.Time.String()+" "+string(e.Kind)+" "+e.Detail)
		}
	}
	want := []string{
		"5m0s fault-start load-balancer-failure web",
		"5m10s lb-failover standby promoted to primary, 1/2 load balancers",
		"5m10s fault-end load-balancer-failure web",
		"5m10s lb-restored sanity check, 2/2 load balancers",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A single load balancer: everything is rejected until it is back.
	l = &log{}
	run(t, failoverWorld(1, 30*time.Second), l)
	if l.ended[Rejected] != 3000 {
		t.Errorf("one load balancer down 30 s: rejected %d, want 3000", l.ended[Rejected])
	}

	// Poisson arrivals at 100/s: the rejections are a Poisson count of
	// mean 1000 (the arrivals in 10 s), within 5 standard deviations.
	cfg := failoverWorld(2, 0)
	cfg.Services[0].NewArrivals = func() ArrivalProcess { return &poissonArrivals{rate: 100, rng: sim.NewStreams(9).Get("arrivals/web")} }
	l = &log{}
	run(t, cfg, l)
	if d := math.Abs(float64(l.ended[Rejected]) - 1000); d > 5*math.Sqrt(1000) {
		t.Errorf("Poisson arrivals: rejected %d, want 1000 ± %.0f", l.ended[Rejected], 5*math.Sqrt(1000))
	}
}

// Retries are new arrivals. With retries every 4 s, doubling: a request
// rejected in the first 6 s of the failover is rejected again on its
// retry 4 s later and gets through on the second, 8 s after that; one in
// the last 4 s gets through on its first retry: 600x2 + 400 rejections.
func TestRetriesAreArrivals(t *testing.T) {
	base := &log{}
	run(t, failoverWorld(2, 0), base)
	cfg := failoverWorld(2, 0)
	cfg.Services[0].Retries, cfg.Services[0].RetryBackoff = 3, 4*time.Second
	l := &log{}
	run(t, cfg, l)
	// The requests that failed at the failure are retried at 304 s,
	// rejected, and get through at 312 s.
	if l.ended[Rejected] != 600*2+400+l.ended[Failed] {
		t.Errorf("rejected %d, want 1600 + %d", l.ended[Rejected], l.ended[Failed])
	}
	// Failed requests at the failure are retried too.
	if l.arrived != base.arrived+l.ended[Rejected]+l.ended[Failed] {
		t.Errorf("arrived %d, want the %d new requests plus one retry per error (%d)", l.arrived, base.arrived, l.ended[Rejected]+l.ended[Failed])
	}
}

func TestInstanceCrash(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 100 * time.Second, Type: InstanceCrash, Service: "web", Count: 2})
	l := &log{}
	run(t, cfg, l)
	faults := l.kinds("fault")
	if len(faults) != 1 || faults[0].Detail != "instance-crash web x2" || faults[0].Service != 0 || faults[0].Counts.Ready != 6 {
		t.Fatalf("fault events %+v", faults)
	}
	crashed := 0
	for _, e := range l.kinds("instance-terminated") {
		if e.Detail == "crashed" {
			crashed++
		}
	}
	if crashed != 2 || l.ended[Failed] == 0 {
		t.Errorf("%d crashed, %d failed; want 2 and some", crashed, l.ended[Failed])
	}
	if c := l.rows[0].Counts; c.Ready != 6 {
		t.Errorf("counts %+v: the crashed instances were not replaced", c)
	}
}

// A failing dependency fails the requests that call it; the readiness
// probe, which checks it, takes every instance out after 3 failed probes
// (at 100, 105, 110 s, plus 1 s of propagation), so requests are then
// rejected until the outage ends and the probes pass again.
func TestDependencyOutage(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 100 * time.Second, Type: DependencyOutage, Service: "web", Duration: 60 * time.Second})
	cfg.Services[0].DemandCPU = sim.Constant{Value: 0.05}
	l := &log{}
	run(t, cfg, l)
	for _, e := range l.ends {
		switch {
		case e.o == Failed && (e.now < sim.At(100*time.Second) || e.now > sim.At(111*time.Second)):
			t.Errorf("failed at %v", e.now)
		case e.o == Rejected && (e.now < sim.At(111*time.Second) || e.now >= sim.At(160*time.Second)):
			t.Errorf("rejected at %v", e.now)
		}
	}
	if l.ended[Failed] < 100 || l.ended[Rejected] < 480 {
		t.Errorf("failed %d, rejected %d", l.ended[Failed], l.ended[Rejected])
	}
	unready := 0
	for _, e := range l.kinds("instance-starting") {
		if e.Detail == "readiness probe failed 3 times" {
			unready++
		}
	}
	if unready != 6 || l.rows[0].Counts.Ready != 6 {
		t.Errorf("%d instances taken out by their probe, %d ready at the end; want 6 and 6", unready, l.rows[0].Counts.Ready)
	}

	// Slow mode, 300 ms more per call, under the probe's 1 s timeout: no
	// error, no instance leaves, calls during the outage take 350 ms.
	cfg = threeZones(FaultConfig{At: 100 * time.Second, Type: DependencyOutage, Service: "web", Duration: 60 * time.Second, Slow: true, Delay: 300 * time.Millisecond})
	cfg.Services[0].DemandCPU = sim.Constant{Value: 0.05}
	l = &log{}
	run(t, cfg, l)
	if l.ended[Completed] != l.arrived-int64(l.w.Services()[0].inFlight) {
		t.Errorf("slow dependency: errors %v", l.ended)
	}
	for _, e := range l.ends {
		in := e.arrived >= sim.At(100*time.Second) && e.arrived < sim.At(160*time.Second)-sim.At(50*time.Millisecond)
		if lat := e.now - e.arrived; in != (lat == sim.At(350*time.Millisecond)) {
			t.Fatalf("arrived %v: latency %v", e.arrived, lat)
		}
	}
}
