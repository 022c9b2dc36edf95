package cluster

import (
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// batchArrivals brings n requests at once at time at, then none.
type batchArrivals struct {
	at   sim.Time
	n    int
	sent int
}

func (b *batchArrivals) Next(sim.Time) sim.Time {
	if b.sent >= b.n {
		return sim.Never
	}
	b.sent++
	return b.at
}

// cpuService is one instance requesting request cores, limited to limit
// (0: none), serving constant demands of cpu seconds from arrivals.
func cpuService(name string, request, limit, cpu float64, arrivals func() ArrivalProcess) ServiceConfig {
	return ServiceConfig{
		Name: name, Initial: 1, Min: 1, Max: 1,
		Instance:    InstanceConfig{CPURequest: request, CPULimit: limit, MemoryRequest: 256 << 20, QueueLimit: -1},
		DemandCPU:   sim.Constant{Value: cpu},
		NewArrivals: arrivals,
	}
}

// latencies returns the response times of the completed requests, in the
// order they completed.
func (l *log) latencies() []time.Duration {
	var out []time.Duration
	for _, e := range l.ends {
		if e.o == Completed {
			out = append(out, e.now.Sub(e.arrived))
		}
	}
	return out
}

// nearTime reports whether d is within a microsecond of want: the model's
// times are whole nanoseconds rounded up from float arithmetic.
func nearTime(d, want time.Duration) bool { return (d - want).Abs() < time.Microsecond }

// runTwice runs cfg twice and checks that both runs end every request at
// the same moments (determinism), returning the first run's log.
func runTwice(t *testing.T, cfg Config) (*World, *log) {
	t.Helper()
	l1, l2 := &log{}, &log{}
	w := run(t, cfg, l1)
	run(t, cfg, l2)
	if !slices.Equal(l1.ends, l2.ends) {
		t.Fatalf("two runs of one configuration differ")
	}
	return w, l1
}

// No limit, an idle default 4-core node, 250m requested: a 10 ms request
// runs on a whole core and takes 10 ms, not the 40 ms that 250m of a core
// would give it.
func TestCPUBurstsOnIdleNode(t *testing.T) {
	s := cpuService("web", 0.25, 0, 0.010, arrivalsOf(evenArrivals{period: 100 * time.Millisecond}))
	_, l := runTwice(t, Config{Seed: 1, Duration: 10 * time.Second, SampleInterval: time.Second, Services: []ServiceConfig{s}})
	lat := l.latencies()
	if len(lat) != 99 {
		t.Fatalf("%d completed, want 99 (one every 100 ms from 100 ms)", len(lat))
	}
	for k, d := range lat {
		if !nearTime(d, 10*time.Millisecond) {
			t.Fatalf("request %d took %v, want 10ms", k, d)
		}
	}
}

// 0.5 cores of load (10 ms every 20 ms) on a 250m request without a limit:
// the instance uses half a core, 200% of its request, and the autoscaler's
// observation shows it.
func TestCPUUtilizationAboveRequest(t *testing.T) {
	s := cpuService("web", 0.25, 0, 0.010, arrivalsOf(evenArrivals{period: 20 * time.Millisecond}))
	var seen []float64
	s.Autoscaler = AutoscalerConfig{
		NewPolicy: policyOf(observer(func(o policies.Observation) {
			if p := o.Pods[0]; p.CPU.OK {
				seen = append(seen, p.CPU.Value/p.CPURequest)
			}
		})),
		Interval: 30 * time.Second, ScrapeInterval: 15 * time.Second, Window: 30 * time.Second,
	}
	l := &log{}
	w := run(t, Config{Seed: 1, Duration: 5 * time.Minute, SampleInterval: time.Minute, Services: []ServiceConfig{s}}, l)
	row := l.rows[0]
	// Busy 10 ms of every 20 ms from the first arrival at 20 ms to the
	// end: 300 s / 20 ms - 1 = 14999 requests of 10 ms, the last one
	// finishing at 299.99 s. Each ran alone on a core (fast mode), whose
	// account is kept in whole nanoseconds: the figure is exact, not
	// 149.99 give or take the rounding of 30,000 float additions.
	if got := row.CPUSeconds; got != 149.99 {
		t.Errorf("CPU used %v s, want exactly 149.99", got)
	}
	if u := row.CPUSeconds / row.CPURequestSeconds; math.Abs(u-2) > 0.001 {
		t.Errorf("utilization %v of the request, want 2 (200%%)", u)
	}
	if len(seen) < 5 {
		t.Fatalf("the policy saw %d CPU metrics", len(seen))
	}
	// Each metric spans 15 or 30 s between scrapes: the requests in it,
	// give or take the one at its edge (20 ms of 15 s: 0.13%).
	for _, u := range seen {
		if math.Abs(u-2) > 0.003 {
			t.Errorf("the autoscaler saw utilization %v, want 2", u)
		}
	}
	_ = w
}

// observer is a policy that only watches.
type observer func(policies.Observation)

func (observer) Name() string { return "observer" }
func (f observer) Recommend(_ sim.Time, o policies.Observation) policies.Recommendation {
	f(o)
	return policies.Recommendation{Valid: true, Desired: o.Current, Raw: o.Current, Reason: "watching"}
}

// Two saturated instances on one 4-core node, requesting 1 and 3 cores,
// no limits: CFS shares the node 1:3 by cpu.shares.
func TestCPUSharesByRequest(t *testing.T) {
	every := arrivalsOf(evenArrivals{period: 10 * time.Millisecond})
	a := cpuService("a", 1, 0, 1000, every)
	b := cpuService("b", 3, 0, 1000, every)
	cfg := Config{
		Seed: 1, Duration: 10 * time.Second, SampleInterval: time.Second,
		Pools:    []PoolConfig{{Name: "p", PerZone: 1, MaxPerZone: 1, CPU: 4, Memory: 16 << 30}},
		Services: []ServiceConfig{a, b},
	}
	l := &log{}
	run(t, cfg, l)
	// Both get a request at 10, 20, 30 ms...: 1+1 cores wanted from 10 ms,
	// 2+2 from 20 ms (the node is full), 3+3 from 30 ms: oversubscribed,
	// b's share 4 x 3/4 = 3 covers what it wants, a gets the 1 left; and
	// so on to the end (more requests, the same shares).
	wantA := 0.01*1 + 0.01*2 + 1*(10-0.03)
	wantB := 0.01*1 + 0.01*2 + 3*(10-0.03)
	if ga, gb := l.rows[0].CPUSeconds, l.rows[1].CPUSeconds; math.Abs(ga-wantA) > 1e-6 || math.Abs(gb-wantB) > 1e-6 {
		t.Errorf("CPU used a %v, b %v; want %v and %v (1:3 from 30 ms)", ga, gb, wantA, wantB)
	}
}

// Water-filling: what an instance cannot use goes to the others by weight.
// Three instances requesting 1, 1 and 2 cores on a 4-core node want 1, 4
// and 4 cores: the first gets its 1, the other two share the 3 left 1:2.
func TestCPUWaterFilling(t *testing.T) {
	n := &node{cores: 4}
	w := &World{end: sim.At(time.Hour), eng: sim.NewEngine()}
	svc := &Service{w: w}
	var insts []*Instance
	for k, c := range []struct {
		req  int64
		want int
	}{{1000, 1}, {1000, 4}, {2000, 4}} {
		i := &Instance{svc: svc, ID: k, node: n, runIdx: -1, speed: 1, weight: cpuShares(c.req)}
		for j := 0; j < c.want; j++ {
			i.addCPU(&request{svc: svc, inst: i}, 1000, 0)
		}
		insts = append(insts, i)
	}
	got := []float64{insts[0].rate, insts[1].rate, insts[2].rate}
	if want := []float64{1, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("rates %v, want %v", got, want)
	}
	if insts[0].shared || !insts[1].shared || insts[1].speed != 0.25 || insts[2].speed != 0.5 {
		t.Errorf("modes: %v %v %v, speeds %v %v", insts[0].shared, insts[1].shared, insts[2].shared, insts[1].speed, insts[2].speed)
	}
}

// cfsCase runs one instance limited to 500m with a 100 ms period on a
// 4-core default node, fed by arrivals, and returns the world and log.
func cfsCase(t *testing.T, concurrency int, arrivals func() ArrivalProcess) (*World, *log) {
	t.Helper()
	s := cpuService("web", 0.25, 0.5, 0.010, arrivals)
	s.Instance.Concurrency = concurrency
	s.Instance.CPUPeriod = 100 * time.Millisecond
	return runTwice(t, Config{Seed: 1, Duration: 3 * time.Second, SampleInterval: time.Second, Services: []ServiceConfig{s}})
}

func batchAt(at time.Duration, n int) func() ArrivalProcess {
	return func() ArrivalProcess { return &batchArrivals{at: sim.At(at), n: n} }
}

func checkThrottling(t *testing.T, row Sample, periods, throttled int64, seconds float64) {
	t.Helper()
	if row.CPUPeriods != periods || row.CPUThrottledPeriods != throttled || math.Abs(row.CPUThrottledSeconds-seconds) > 1e-6 {
		t.Errorf("periods %d, throttled %d, throttled for %v s; want %d, %d, %v s",
			row.CPUPeriods, row.CPUThrottledPeriods, row.CPUThrottledSeconds, periods, throttled, seconds)
	}
}

// A lone 10 ms request under a 500m limit runs at full core speed and
// takes 10 ms: it uses 10 ms of the period's 50 ms quota.
func TestCFSLoneRequest(t *testing.T) {
	_, l := cfsCase(t, 0, batchAt(time.Second, 1))
	if lat := l.latencies(); len(lat) != 1 || !nearTime(lat[0], 10*time.Millisecond) {
		t.Fatalf("latencies %v, want [10ms]", lat)
	}
	checkThrottling(t, l.rows[0], 1, 0, 0)
}

// Ten 10 ms requests at once (t = 1 s, a period boundary) under a 500m
// limit on a 4-core node, processor sharing: each runs at 4/10 of a core,
// so the 50 ms quota is spent at 1.0125 s with 5 ms done each; throttled
// until the period ends at 1.1 s; then each needs 5 ms more at 0.4:
// all complete at 1.1125 s. Two periods with work, one throttled, for
// 87.5 ms.
func TestCFSBurstThrottled(t *testing.T) {
	_, l := cfsCase(t, 0, batchAt(time.Second, 10))
	lat := l.latencies()
	if len(lat) != 10 {
		t.Fatalf("%d completed, want 10", len(lat))
	}
	for _, d := range lat {
		if !nearTime(d, 112500*time.Microsecond) {
			t.Errorf("latencies %v, want all 112.5ms", lat)
			break
		}
	}
	checkThrottling(t, l.rows[0], 2, 1, 0.0875)
}

// The same burst with concurrency 4: four run at one core each and
// complete at 10 ms (40 ms of quota); the next four start then, spend the
// 10 ms left by 12.5 ms (2.5 ms each) and are throttled to 100 ms; they
// need 7.5 ms more and complete at 107.5 ms (30 ms of the new quota); the
// last two then need 20 ms at two cores, exactly the 20 ms left, and
// complete at 117.5 ms without being throttled (nothing is left to run
// when the quota runs out).
func TestCFSBurstConcurrency(t *testing.T) {
	_, l := cfsCase(t, 4, batchAt(time.Second, 10))
	lat := l.latencies()
	want := []float64{10, 10, 10, 10, 107.5, 107.5, 107.5, 107.5, 117.5, 117.5} // ms
	if len(lat) != len(want) {
		t.Fatalf("%d completed, want %d", len(lat), len(want))
	}
	for k := range want {
		if !nearTime(lat[k], time.Duration(want[k]*float64(time.Millisecond))) {
			t.Fatalf("latencies %v, want %v ms", lat, want)
		}
	}
	checkThrottling(t, l.rows[0], 2, 1, 0.0875)
}

// A period boundary costs an event only for a throttled instance: an
// instance under its limit, however many periods it is busy, adds no
// event for its quota. Light load (one 10 ms request every 100 ms under a
// 500m limit) fires exactly the events it fires without a limit.
func TestCFSNoEventsUnlessThrottled(t *testing.T) {
	fired := func(limit float64) uint64 {
		s := cpuService("web", 0.25, limit, 0.010, arrivalsOf(evenArrivals{period: 100 * time.Millisecond}))
		w := run(t, Config{Seed: 1, Duration: 100 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}, &log{})
		return w.eng.Fired()
	}
	if with, without := fired(0.5), fired(0); with != without {
		t.Errorf("%d events with a limit, %d without", with, without)
	}
}

// With concurrency = cpu_limit = c on a node with c free cores (M/M/c),
// the quota is never spent early: no period is throttled, though every
// period is busy.
func TestCFSMMcNeverThrottled(t *testing.T) {
	for _, c := range []int{1, 4, 8} {
		cfg := singleService(0.9*float64(c), float64(c), c, sim.Exponential{Mean: 1}, 3, 2000*time.Second)
		l := &log{}
		run(t, cfg, l)
		row := l.rows[0]
		if row.CPUThrottledPeriods != 0 || row.CPUThrottledSeconds != 0 || row.CPUPeriods < 15000 {
			t.Errorf("M/M/%d: %d periods, %d throttled (%v s); want about 20000, none throttled",
				c, row.CPUPeriods, row.CPUThrottledPeriods, row.CPUThrottledSeconds)
		}
	}
}

// A default node is as large as the instance needs: a 6-core request gets
// an 8-core node, and without a limit a saturated instance uses all 8.
func TestDefaultNodeFitsInstance(t *testing.T) {
	s := cpuService("web", 6, 0, 1000, arrivalsOf(evenArrivals{period: 10 * time.Millisecond}))
	l := &log{}
	w := run(t, Config{Seed: 1, Duration: 10 * time.Second, SampleInterval: time.Second, Services: []ServiceConfig{s}}, l)
	if n := w.services[0].instances[0].node; n.cores != 8 || n.name != "default-default-1" {
		t.Errorf("node %s with %v cores, want default-default-1 with 8", n.name, n.cores)
	}
	// 1, 2, ... 7 cores over the first 70 ms, then 8.
	want := 0.01*(1+2+3+4+5+6+7) + 8*(10-0.08)
	if got := l.rows[0].CPUSeconds; math.Abs(got-want) > 1e-6 {
		t.Errorf("CPU used %v, want %v", got, want)
	}
}

// An instance that runs exactly at its limit for whole periods spends its
// quota exactly at each period's end: never throttled, and no quota event.
// (Unlimited concurrency, so the quota arithmetic is what decides.) Two
// 10 s requests at once under a 2-core limit on a 4-core node: each on
// its own core, both done at 10 s; 100 periods with work, none throttled.
func TestCFSAtLimitNotThrottled(t *testing.T) {
	s := cpuService("web", 2, 2, 10, batchAt(0, 2))
	w, l := runTwice(t, Config{Seed: 1, Duration: 20 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}})
	if lat := l.latencies(); len(lat) != 2 || !nearTime(lat[0], 10*time.Second) || !nearTime(lat[1], 10*time.Second) {
		t.Fatalf("latencies %v, want 10s twice", lat)
	}
	checkThrottling(t, l.rows[0], 100, 0, 0)
	// Two arrivals, two completions, one sample, and nothing for the quota.
	if n := w.eng.Fired(); n > 6 {
		t.Errorf("%d events fired", n)
	}
}

// The default cluster through a zone outage: three zones without pools,
// six 1-core instances spread two per zone, so one 4-core default node per
// zone. Zone b goes down at 600 s for 600 s: its instances are replaced in
// a and c (three each, within max skew 1 of the domains that are up), on
// the nodes there (four cores hold three instances); the down node stays,
// holding nothing, until b is back, and then goes.
func TestDefaultNodesZoneOutage(t *testing.T) {
	cfg := threeZones(FaultConfig{At: 600 * time.Second, Type: ZoneOutage, Zone: "b", Duration: 600 * time.Second})
	cfg.Pools = nil
	nodes := func(w *World) map[string]int {
		m := map[string]int{}
		for _, n := range w.nodes {
			m[n.name] = len(n.insts)
		}
		return m
	}
	w, err := New(cfg, &log{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(at time.Duration, want map[string]int, zones map[string]int) {
		t.Helper()
		w.eng.RunUntil(sim.At(at))
		if got := nodes(w); !maps.Equal(got, want) {
			t.Errorf("%v: nodes %v, want %v", at, got, want)
		}
		if got := zoneCounts(w.services[0]); !maps.Equal(got, zones) {
			t.Errorf("%v: instances per zone %v, want %v", at, got, zones)
		}
	}
	w.Start()
	check(500*time.Second, map[string]int{"default-a-1": 2, "default-b-1": 2, "default-c-1": 2}, map[string]int{"a": 2, "b": 2, "c": 2})
	check(1100*time.Second, map[string]int{"default-a-1": 3, "default-b-1": 0, "default-c-1": 3}, map[string]int{"a": 3, "c": 3})
	check(1300*time.Second, map[string]int{"default-a-1": 3, "default-c-1": 3}, map[string]int{"a": 3, "c": 3})
	w.eng.RunUntil(w.end)
	checkConservation(t, w)
}
