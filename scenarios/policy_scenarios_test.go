package scenarios

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/sim"
)

// End-to-end policy scenarios: a scenario file goes through Parse, Build,
// cluster.New and Run, and the test reads every autoscaler evaluation and
// lifecycle event. The load is deterministic (arrivals: constant, constant
// demand, round-robin balancing, constant startup and readiness delays), so
// every count and every instant below follows from the algorithms by hand;
// each test carries its derivation.
//
// The timing facts every derivation uses, with the defaults (interval 15 s,
// scrape_interval 15 s, window 30 s, startup_delay 5 s, readiness_delay 5 s):
//
//   - Evaluations run at k x interval, k >= 1. Scrapes run at k x
//     scrape_interval from 0. When both fall on the same instant the
//     evaluation fires first (it was scheduled first), so the evaluation at
//     T reads the scrape taken at T-15s: stale data stays stale.
//   - A pod's CPU metric is its usage between its latest scrape and the
//     newest scrape at least one window older, so the evaluation at T sees
//     CPU averaged over [T-45s, T-15s]. A pod needs two scrapes for a CPU
//     metric and one for a memory metric; the latency percentile covers the
//     requests completed in [T-45s, T-15s).
//   - An instance created by the evaluation at T is Pending until T+5s,
//     Starting until T+10s, then Ready; it is first scraped at T+15s (the
//     scrape at T fires after the evaluation, while it is still Pending),
//     so it is an HPA "missing" pod at T+15s and T+30s and a ready one with
//     a CPU metric from T+45s (its sample [T+15s, T+30s] begins after it
//     became ready at T+10s).
//   - Initial instances are Ready at 0, so the evaluation at 15 s has no CPU
//     metric yet (one scrape) and the HPA makes no decision.

// trace records what the world reports.
type trace struct {
	decisions []cluster.Decision
	events    []cluster.Event
}

func (*trace) RequestArrived(int, sim.Time)                                         {}
func (*trace) RequestEnded(int, cluster.Outcome, sim.Time, sim.Time, time.Duration) {}
func (*trace) Sample(sim.Time, []cluster.Sample)                                    {}
func (r *trace) Lifecycle(e cluster.Event)                                          { r.events = append(r.events, e) }
func (r *trace) Decision(d cluster.Decision)                                        { r.decisions = append(r.decisions, d) }

// runScenario parses src with the overrides, builds and runs it.
func runScenario(t *testing.T, src string, sets ...string) *trace {
	t.Helper()
	sc, err := ParseWithOverrides(t.Name()+".yaml", []byte(src), sets)
	if err != nil {
		t.Fatal(err)
	}
	return runParsed(t, sc)
}

func runParsed(t *testing.T, sc *Scenario) *trace {
	t.Helper()
	cfg, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trace{}
	w, err := cluster.New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	w.Run()
	return tr
}

// changes lists the evaluations that changed the desired count, as
// "T:before->after" with T in seconds.
func (r *trace) changes() string {
	var parts []string
	for _, d := range r.decisions {
		if d.After != d.Before {
			parts = append(parts, fmt.Sprintf("%g:%d->%d", d.Time.Seconds(), d.Before, d.After))
		}
	}
	return strings.Join(parts, " ")
}

// at returns the evaluation at second s.
func (r *trace) at(t *testing.T, s float64) cluster.Decision {
	t.Helper()
	for _, d := range r.decisions {
		if d.Time == sim.At(time.Duration(s*float64(time.Second))) {
			return d
		}
	}
	t.Fatalf("no evaluation at %gs", s)
	return cluster.Decision{}
}

// final is the desired count after the last evaluation.
func (r *trace) final() int { return r.decisions[len(r.decisions)-1].After }

// explainAll logs the decision timeline, for a failing test.
func (r *trace) explainAll(t *testing.T) {
	t.Helper()
	for _, d := range r.decisions {
		t.Logf("%5gs %d->%d %s: %s", d.Time.Seconds(), d.Before, d.After, d.Recommendation.Reason, d.Recommendation.Explanation)
	}
}

func wantChanges(t *testing.T, r *trace, want string) {
	t.Helper()
	if got := r.changes(); got != want {
		r.explainAll(t)
		t.Errorf("changes (second:before->after)\n got %s\nwant %s", got, want)
	}
}

func input(d cluster.Decision, name string) (float64, bool) {
	for _, in := range d.Recommendation.Inputs {
		if in.Name == name {
			return in.Value, true
		}
	}
	return 0, false
}

func hasLimit(d cluster.Decision, name string) bool {
	for _, l := range d.Recommendation.Limits {
		if l.Name == name {
			return true
		}
	}
	return false
}

func secs(s float64) sim.Time { return sim.At(time.Duration(s * float64(time.Second))) }

// overloadYAML gives the HPA a raw recommendation far above max for the
// whole run, so that only the normalisation (rate policies, the older
// path's cap, max) decides each step. 10 requests per second of 100 ms of
// CPU is 1 core in all; a pod requests 100m and may use 1 core, so the
// utilization of the ready pods is 1 core / (ready x 100m); against a 20%
// target the usage ratio is 50 / ready and raw = ceil(ready x ratio) = 50
// (the first evaluation sees a window that starts before the first
// arrival: 496%, ceil(2 x 24.8) = 50). In general raw = 50 x the cores
// the ready pods report, whatever the count, so it stays far above max = 10
// and every cap below while pods join (44 to 59 in these runs: missing pods
// count at 0%, and young pods' shorter windows make the sum drift); it
// would take the ready pods reporting under a fifth of the load to bring it
// down to 10. No pod ever saturates: each request runs alone (a pod gets
// one every 0.2 s or less often).
const overloadYAML = `
name: overload
duration: 5m
services:
  web:
    replicas: {initial: 2, min: 2, max: 10}
    instance: {cpu_request: 100m, cpu_limit: 1}
    demand: {cpu: 100ms}
    autoscaler:
      policy: cpu
      target_utilization: 20
      behavior:
        scale_up:
          policies: [{type: Pods, value: 2, period: 60s}]
traffic:
  web: {rate: 10, arrivals: constant}
`

// Pods 2 per 60 s: the first evaluation with metrics (30 s) adds 2; the
// scale event at 30 s counts against the policy while it is strictly after
// now - 60 s, so at 45, 60 and 75 s the period starts at 2 and allows 4:
// held, rate-limited. At 90 s the event is exactly 60 s old, no longer
// counts: +2 again. So +2 every 60 s, at 30, 90, 150 and 210 s, to max.
func TestHPARatePolicyCapsEachStep(t *testing.T) {
	r := runScenario(t, overloadYAML)
	wantChanges(t, r, "30:2->4 90:4->6 150:6->8 210:8->10")
	for _, s := range []float64{45, 60, 75, 105, 120, 135, 165, 180, 195} {
		d := r.at(t, s)
		if d.Recommendation.Reason != "rate-limited" || d.Recommendation.Raw <= d.After || !hasLimit(d, "rate-policy") {
			t.Errorf("%gs: reason %s, raw %d, limits %v; want held by the rate policy with raw above %d",
				s, d.Recommendation.Reason, d.Recommendation.Raw, d.Recommendation.Limits, d.After)
		}
	}
	if d := r.at(t, 225); d.Recommendation.Reason != "at-max" {
		t.Errorf("225s: reason %s, want at-max", d.Recommendation.Reason)
	}
}

// Two scale-up policies, 4 pods and 50% per 60 s, on the same overload.
// Max takes the larger change: from 2, max(2+4, ceil(2 x 1.5)=3) = 6 at
// 30 s; from 6 at 90 s, max(10, 9) = 10 = max. Min takes the smaller: 30 s
// min(6, 3) = 3; 90 s min(7, ceil(4.5)=5) = 5; 150 s min(9, ceil(7.5)=8) =
// 8; 210 s min(12, 12) = 12, capped at max 10. Disabled never scales up:
// every evaluation is held at 2 with reason scaling-disabled.
func TestHPASelectPolicy(t *testing.T) {
	const two = `
        scale_up:
          policies: [{type: Pods, value: 4, period: 60s}, {type: Percent, value: 50, period: 60s}]`
	src := strings.Replace(overloadYAML, `
        scale_up:
          policies: [{type: Pods, value: 2, period: 60s}]`, two, 1)
	for _, c := range []struct{ sel, want string }{
		{"Max", "30:2->6 90:6->10"},
		{"Min", "30:2->3 90:3->5 150:5->8 210:8->10"},
		{"Disabled", ""},
	} {
		t.Run(c.sel, func(t *testing.T) {
			r := runScenario(t, src, "services.web.autoscaler.behavior.scale_up.select_policy="+c.sel)
			wantChanges(t, r, c.want)
			if c.sel != "Disabled" {
				return
			}
			for _, d := range r.decisions[1:] {
				if d.Recommendation.Reason != "scaling-disabled" || !hasLimit(d, "scale-up-disabled") {
					t.Fatalf("%v: reason %s, limits %v; want scaling-disabled", d.Time, d.Recommendation.Reason, d.Recommendation.Limits)
				}
			}
		})
	}
}

// The older path (no behavior): each evaluation may at most reach
// max(2 x current, 4), with no memory of earlier steps. On the overload
// from 1 replica: 30 s max(2, 4) = 4; 45 s 8; 60 s 16; 75 s 32, capped at
// max 20. (Its 5-minute window keeps the highest recommendation of the
// window, which on the way up only keeps raw high.)
func TestHPAOlderPathScaleUpCap(t *testing.T) {
	src := `
name: legacy
duration: 3m
services:
  web:
    replicas: {initial: 1, min: 1, max: 20}
    instance: {cpu_request: 100m, cpu_limit: 1}
    demand: {cpu: 100ms}
    autoscaler: {policy: cpu, target_utilization: 20}
traffic:
  web: {rate: 10, arrivals: constant}
`
	r := runScenario(t, src)
	wantChanges(t, r, "30:1->4 45:4->8 60:8->16 75:16->20")
	for s, limit := range map[float64]string{30: "scale-up-limit", 45: "scale-up-limit", 60: "scale-up-limit", 75: "max"} {
		if d := r.at(t, s); !hasLimit(d, limit) {
			t.Errorf("%gs: limits %v, want %s", s, d.Recommendation.Limits, limit)
		}
	}
}

// dropYAML: 4 replicas of 1 core at 20 requests per second of 100 ms, 2
// cores in all: each pod at exactly 50% (a pod gets a request every 0.2 s,
// and 0.2 s divides the 30 s window), a usage ratio of 1 against the 50%
// target, raw = 4. At t0 = 300 s the rate drops to 4 per second: 10% per
// pod, ratio 0.2, raw = ceil(4 x 0.2) = 1.
//
// With the metric lag the evaluation at 315 s still sees [270, 300] (raw
// 4), the one at 330 s sees [285, 315], half and half: 30% (29% if a
// request straddles t0), ratio 0.6, raw 3; from 345 s on raw is 1. So the
// last recommendation of 4 is at t0 + 15 s = 315 s, and one of 3 at 330 s.
const dropYAML = `
name: drop
duration: 13m
services:
  web:
    replicas: {initial: 4, min: 1, max: 10}
    instance: {cpu_request: 1}
    demand: {cpu: 100ms}
    autoscaler:
      policy: cpu
      target_utilization: 50
      behavior: {}
traffic:
  web:
    arrivals: constant
    pattern:
      - {type: constant, rps: 20}
      - {type: step, at: 5m, rps: -16}
`

func TestHPAScaleDownWaitsStabilizationWindow(t *testing.T) {
	// Kubernetes' default behavior: the scale-down window keeps the highest
	// recommendation made strictly after now - 300 s, then 100% per 15 s.
	// The 4 made at 315 s leaves the window at 615 s, when the highest left
	// is the 3 of 330 s: 4 -> 3. At 630 s only 1s remain, and the 100%
	// policy allows anything (the 615 s event is exactly 15 s old and no
	// longer counts): 3 -> 1. Every evaluation from 330 s to 600 s is held
	// by the window. So the first scale-down is at t0 + 15 s lag + 300 s.
	t.Run("behavior", func(t *testing.T) {
		r := runScenario(t, dropYAML)
		wantChanges(t, r, "615:4->3 630:3->1")
		for s := 330.0; s <= 600; s += 15 {
			if d := r.at(t, s); d.Recommendation.Reason != "stabilized" || d.Recommendation.Raw >= 4 {
				t.Errorf("%gs: reason %s raw %d, want stabilized with raw below 4", s, d.Recommendation.Reason, d.Recommendation.Raw)
			}
		}
	})
	// The same window with 1 pod per 60 s: 615 s 4 -> 3; at 630 s the 615 s
	// event counts (period start 3+1 = 4, allows 3), held until it is
	// exactly 60 s old at 675 s: 3 -> 2, then 735 s: 2 -> 1.
	t.Run("1 pod per 60s", func(t *testing.T) {
		r := runScenario(t, strings.Replace(dropYAML, "behavior: {}",
			"behavior: {scale_down: {policies: [{type: Pods, value: 1, period: 60s}]}}", 1))
		wantChanges(t, r, "615:4->3 675:3->2 735:2->1")
	})
	// Disabled: the window ends at 615 s as above, then the scale-down is
	// refused at every evaluation to the end of the run.
	t.Run("Disabled", func(t *testing.T) {
		r := runScenario(t, dropYAML, "services.web.autoscaler.behavior.scale_down.select_policy=Disabled")
		wantChanges(t, r, "")
		for s := 615.0; s <= 720; s += 15 {
			if d := r.at(t, s); d.Recommendation.Reason != "scaling-disabled" {
				t.Errorf("%gs: reason %s, want scaling-disabled", s, d.Recommendation.Reason)
			}
		}
	})
	// The older path keeps a recommendation unless it is strictly older
	// than the 5-minute window: the 4 of 315 s still counts at 615 s and
	// goes at 630 s (3 from 330 s left), the 3 goes at 645 s, and nothing
	// limits the size of a scale-down: one evaluation later than with a
	// behavior, at each step.
	t.Run("older path", func(t *testing.T) {
		r := runScenario(t, strings.Replace(dropYAML, "      behavior: {}\n", "", 1))
		wantChanges(t, r, "630:4->3 645:3->1")
	})
}

// resourcesYAML makes CPU and memory ask for different counts. 40 requests
// per second, each 35 ms of CPU then 5 s of waiting (holding 2Mi of memory
// until it leaves): 1.4 cores and 40 x 5.035 = 201.4 requests held, about
// 403Mi, on pods requesting 1 core and 100Mi with no base memory.
//
//   - cpu at 50%: 1.4 / 0.5 = 2.8 pods' worth; from 2 pods 70% (69% when
//     the window starts before the first arrival), ratio 1.38, ceil(2.76) =
//     3; at 3, 46%, ratio 0.92, within tolerance: steady at 3.
//   - memory at 85%: 403 / 85 = 4.74 pods' worth. At 15 s its only scrape
//     (0 s) shows nothing held: raw 0, held by the older path's window. At
//     30 s the 15 s scrape shows 201%, ratio 2.37, ceil(4.74) = 5, capped
//     at max(2 x 2, 4) = 4. At 45 s the two new pods have no memory sample
//     yet (first scraped at 45 s, after the evaluation): missing at 0%,
//     201% / 2 = 100%, ratio 1.18, ceil(4 x 1.18) = 5. At 5, 80% +- 2%
//     (+-1 request per pod), ratio 0.95: steady at 5.
//   - hpa with both takes the larger proposal at every evaluation: memory's
//     path exactly, and at 5 pods cpu alone would ask for ceil(5 x 0.56) = 3.
const resourcesYAML = `
name: resources
duration: 20m
services:
  web:
    replicas: {initial: 2, min: 1, max: 10}
    instance: {cpu_request: 1, memory_request: 100Mi, base_memory: 0, memory_per_request: 2Mi}
    demand: {cpu: 35ms, wait: 5s}
    autoscaler:
      policy: hpa
      metrics:
        - {resource: cpu, target_utilization: 50}
        - {resource: memory, target_utilization: 85}
traffic:
  web: {rate: 40, arrivals: constant}
`

func TestHPALargestRecommendation(t *testing.T) {
	cases := []struct {
		name string
		sets []string
		want string
	}{
		{"cpu", []string{"services.web.autoscaler.policy=cpu", "services.web.autoscaler.target_utilization=50"}, "30:2->3"},
		{"memory", []string{"services.web.autoscaler.policy=memory", "services.web.autoscaler.target_utilization=85"}, "30:2->4 45:4->5"},
		{"hpa", nil, "30:2->4 45:4->5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runScenario(t, resourcesYAML, c.sets...)
			wantChanges(t, r, c.want)
			if c.name != "hpa" {
				return
			}
			// At the end, each metric's own proposal from the inputs:
			// cpu ceil(5 x 28/50) = 3 (held to 5 by memory), memory within
			// tolerance of 5.
			d := r.decisions[len(r.decisions)-1]
			cpu, _ := input(d, "cpu_utilization_pct")
			mem, _ := input(d, "memory_utilization_pct")
			ready, _ := input(d, "cpu_ready_pods")
			if got := int(math.Ceil(ready * cpu / 50)); got != 3 || cpu != 28 {
				t.Errorf("cpu at the end: %g%% over %g pods -> %d, want 28%% -> 3", cpu, ready, got)
			}
			if mem < 78 || mem > 83 {
				t.Errorf("memory at the end: %g%%, want 80%% +- 2", mem)
			}
		})
	}
}

// Ballerina's Cloud.toml shorthand is the hpa policy with a cpu and a
// memory metric, and min_replicas / max_replicas are the replica bounds:
// the same decisions, evaluation for evaluation, as the hpa it stands for.
// With memory_threshold 0 it is cpu alone.
func TestCloudShorthandIsHPA(t *testing.T) {
	cloud := strings.Replace(resourcesYAML, `
    replicas: {initial: 2, min: 1, max: 10}`, `
    replicas: {initial: 2}`, 1)
	cloud = strings.Replace(cloud, `
      policy: hpa
      metrics:
        - {resource: cpu, target_utilization: 50}
        - {resource: memory, target_utilization: 85}`, `
      policy: cloud
      min_replicas: 1
      max_replicas: 10
      cpu_threshold: 50
      memory_threshold: 85`, 1)
	sc, err := Parse("cloud.yaml", []byte(cloud))
	if err != nil {
		t.Fatal(err)
	}
	if r := sc.Services[0].Replicas; r.Min != 1 || r.Max != 10 {
		t.Errorf("replicas %+v, want min 1 max 10 from min_replicas and max_replicas", r)
	}
	same := func(t *testing.T, got, want *trace) {
		t.Helper()
		if len(got.decisions) != len(want.decisions) {
			t.Fatalf("%d evaluations, want %d", len(got.decisions), len(want.decisions))
		}
		for i, g := range got.decisions {
			w := want.decisions[i]
			if g.Time != w.Time || g.Before != w.Before || g.After != w.After || g.Recommendation.Explanation != w.Recommendation.Explanation {
				t.Fatalf("evaluation %d:\n got %v %d->%d %s\nwant %v %d->%d %s", i,
					g.Time, g.Before, g.After, g.Recommendation.Explanation, w.Time, w.Before, w.After, w.Recommendation.Explanation)
			}
		}
	}
	got, want := runParsed(t, sc), runScenario(t, resourcesYAML)
	same(t, got, want)
	wantChanges(t, got, "30:2->4 45:4->5")

	t.Run("cpu only", func(t *testing.T) {
		got := runScenario(t, cloud, "services.web.autoscaler.memory_threshold=0")
		want := runScenario(t, resourcesYAML, "services.web.autoscaler.policy=cpu", "services.web.autoscaler.target_utilization=50")
		same(t, got, want)
	})
}

// WSO2's requests-in-flight with max_requests_per_second 1, so that a
// handful of requests matter: maxHandleable = 1 x 30 x 0.7 = 21 per running
// instance, minHandleable = 1 x 30 x 0.2 x 0.25 = 1.5. Five requests per
// second each held 10.001 s (1 ms of CPU, then 10 s of waiting, never
// contending): at every task run (multiples of 30 s, before that instant's
// arrival) exactly the 50 arrivals of the last 10 s are in flight.
//
//   - The task runs at 30, 60, ... s with 10 rounds: no decision until the
//     window is full, at the 10th run, 300 s (rounds x interval).
//   - 300 s: avg 50 > 1 x 21: +1 (instances_per_scale_up). The new instance
//     is Pending 100 s and Starting 5 s: it joins at 405 s. At 330, 360 and
//     390 s it is pending: no scale-up. 420 s: 2 running, 50 > 42: +1, joins
//     at 525 s; held at 450, 480, 510 s; from 540 s 50 < 63: steady at 3.
//   - The load stops at 600 s; the samples from 630 s are 0, and the
//     10-round average (integer) falls by 5 per run: 45 at 630 s ... 5 at
//     870 s, all above (3 - 1) x 1.5 = 3; 0 at 900 s: -1. At 930 s,
//     0 < (2 - 1) x 1.5: -1. At 1 running, 0 < 0 is false: stays at min 1.
//
// One instance per step, never while one is pending.
const rifYAML = `
name: rif
duration: 1000s
services:
  web:
    replicas: {initial: 1, min: 1, max: 10}
    instance: {startup_delay: 100s, readiness_delay: 5s}
    demand: {cpu: 1ms, wait: 10s}
    autoscaler: {policy: requests-in-flight, max_requests_per_second: 1}
traffic:
  web:
    arrivals: constant
    pattern:
      - {type: constant, rps: 5}
      - {type: step, at: 600s, rps: -5}
`

func TestRequestsInFlightOneStepNeverWhilePending(t *testing.T) {
	r := runScenario(t, rifYAML)
	wantChanges(t, r, "300:1->2 420:2->3 900:3->2 930:2->1")
	for _, d := range r.decisions {
		s := d.Time.Seconds()
		rec := d.Recommendation
		switch {
		case s < 300:
			if rec.Valid || rec.Reason != "window-not-full" {
				t.Errorf("%gs: valid %v reason %s, want no decision (window-not-full)", s, rec.Valid, rec.Reason)
			}
		case s == 330 || s == 360 || s == 390 || s == 450 || s == 480 || s == 510:
			if rec.Reason != "pending-instance" || rec.Raw != d.Before+1 {
				t.Errorf("%gs: reason %s raw %d, want a scale-up held by the pending instance", s, rec.Reason, rec.Raw)
			}
		}
		if avg, ok := input(d, "avg_in_flight"); ok && s <= 600 && avg != 50 {
			t.Errorf("%gs: avg in flight %g, want 50", s, avg)
		}
		if d.After > d.Before {
			for _, p := range d.Observation.Pods {
				if !p.Ready {
					t.Errorf("%gs: scaled up while instance %d was pending", s, p.ID)
				}
			}
		}
	}
	joined := map[string]float64{}
	for _, e := range r.events {
		if e.Kind == "instance-ready" {
			joined[e.Instance] = e.Time.Seconds()
		}
	}
	if joined["web-1"] != 405 || joined["web-2"] != 525 {
		t.Errorf("instances joined at %v, want web-1 at 405 s and web-2 at 525 s", joined)
	}
}

// The latency policy on deterministic load, where latency is the service
// time until an instance saturates and grows without bound beyond: the two
// ways latency scaling misleads.
func TestLatencyPolicy(t *testing.T) {
	// A slow dependency: 10 ms of CPU and 290 ms of waiting, 10 requests per
	// second, never contending. Every request takes 0.3 s however many
	// replicas there are, so p95 / target = 0.3 / 0.2 = 1.5 at every
	// evaluation with samples. 15 s: no completed request in the window
	// (fewer than 20): no decision. Then desired = ceil(ready x 1.5),
	// within the default max(+4, +100%) per 15 s: 30 s ceil(1.5) = 2; the
	// new pod is ready at 40 s, so 45 s ceil(3) = 3; 60 s ceil(4.5) = 5;
	// 75 s ceil(7.5) = 8; 90 s 12, capped at max 10. Ten replicas, and p95
	// is still 0.3 s.
	t.Run("slow dependency", func(t *testing.T) {
		r := runScenario(t, `
name: slow-dependency
duration: 3m
services:
  web:
    replicas: {initial: 1, min: 1, max: 10}
    demand: {cpu: 10ms, wait: 290ms}
    autoscaler: {policy: latency, target: 200ms}
traffic:
  web: {rate: 10, arrivals: constant}
`)
		wantChanges(t, r, "30:1->2 45:2->3 60:3->5 75:5->8 90:8->10")
		if d := r.at(t, 15); d.Recommendation.Valid || d.Recommendation.Reason != "too-few-samples" {
			t.Errorf("15s: %s, want too-few-samples", d.Recommendation.Reason)
		}
		last := r.decisions[len(r.decisions)-1]
		if p95, _ := input(last, "latency_observed_s"); math.Abs(p95-0.3) > 1e-6 {
			t.Errorf("p95 at the end %g s, want 0.3 s: more replicas do not cure a slow dependency", p95)
		}
	})

	// A saturation knee: one request at a time (concurrency 1), 100 ms each,
	// 15 per second. One replica is overloaded (1.5 s of work per second),
	// two serve every request in 100 ms, at p95 / target = 0.5.
	//
	//   - 30 s: the requests completed in [0, 15) have queued for up to 5 s:
	//     scale up, capped at max 2.
	//   - The second replica is ready at 40 s; by then the first has 201
	//     requests queued, which it drains at 10 - 7.5 = 2.5 per second
	//     while it keeps getting every other arrival: empty at 120.4 s. The
	//     evaluation at 150 s still has those slow requests in its window
	//     [105, 135); the one at 165 s, [120, 150), has only the last 4 of
	//     about 450: p95 = 0.1 s, ratio 0.5, propose 2 - 1 = 1.
	//   - The scale-down waits 300 s for the last recommendation of 2 (at
	//     150 s) to leave the window: 2 -> 1 at 450 s.
	//   - One replica is overloaded again; the window at 480 s, [435, 465),
	//     holds 15 s of it: back up to 2. The cycle repeats every 450 s
	//     (15 s to notice, the drain, 300 s of window): 900 s down, 930 s up.
	//
	// Below target, latency is service time, which says nothing about how
	// many replicas may go: the policy removes one per window and watches.
	t.Run("saturation knee", func(t *testing.T) {
		r := runScenario(t, `
name: knee
duration: 16m
services:
  web:
    replicas: {initial: 1, min: 1, max: 2}
    instance: {concurrency: 1}
    demand: {cpu: 100ms}
    autoscaler: {policy: latency, target: 200ms}
traffic:
  web: {rate: 15, arrivals: constant}
`)
		wantChanges(t, r, "30:1->2 450:2->1 480:1->2 900:2->1 930:1->2")
		if p95, _ := input(r.at(t, 150), "latency_observed_s"); p95 < 0.22 {
			t.Errorf("150s: p95 %g s, want the drained queue still above target", p95)
		}
		if p95, _ := input(r.at(t, 165), "latency_observed_s"); math.Abs(p95-0.1) > 1e-6 {
			t.Errorf("165s: p95 %g s, want the service time 0.1 s", p95)
		}
	})
}

// The built-in k8s-hpa is the HPA, exactly.
func TestBuiltinK8sHPAConfiguration(t *testing.T) {
	sc, err := Open("k8s-hpa", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	a := s.Autoscaler
	in := s.Instance
	const mi = 1 << 20
	if s.Replicas.Min != 2 || s.Replicas.Max != 10 || a.Policy != PolicyHPA {
		t.Errorf("replicas %+v policy %s, want hpa with min 2 max 10", s.Replicas, a.Policy)
	}
	if len(a.Metrics) != 2 || a.Metrics[0] != (MetricTarget{"cpu", 70}) || a.Metrics[1] != (MetricTarget{"memory", 80}) {
		t.Errorf("metrics %+v, want cpu 70%% and memory 80%%", a.Metrics)
	}
	if in.CPURequest != 0.25 || in.CPULimit != 0.5 || in.MemoryRequest != 256*mi || in.MemoryLimit != 512*mi {
		t.Errorf("instance %g/%g cores, %g/%g bytes; want 250m/500m, 256Mi/512Mi", in.CPURequest, in.CPULimit, in.MemoryRequest, in.MemoryLimit)
	}
	b := a.Behavior
	up := ScalingRules{StabilizationWindow: 30 * time.Second, SelectPolicy: SelectMax, Policies: []ScalingPolicy{{ScalingPods, 2, time.Minute}}}
	down := ScalingRules{StabilizationWindow: 300 * time.Second, SelectPolicy: SelectMax, Policies: []ScalingPolicy{{ScalingPods, 1, time.Minute}}}
	if b == nil || fmt.Sprint(b.ScaleUp) != fmt.Sprint(up) || fmt.Sprint(b.ScaleDown) != fmt.Sprint(down) {
		t.Errorf("behavior %+v, want scale-up %+v and scale-down %+v", b, up, down)
	}
}

// Running k8s-hpa: traffic steps from 20 to 100 requests per second at
// 20 min and back at 1 h. 100 per second of 10 ms is 1 core: 1 / (0.7 x
// 250m) = 5.7, so 6 pods. The evaluation at 1215 s still sees only the low
// load, the one at 1230 s half of the step (about 115%, raw 4), the one at
// 1245 s all of it: the 30 s scale-up window lets the lowest of the last
// two through, and the rate policy allows +2: 2 -> 4 at 1245 s; the next +2
// when that event is 60 s old, at 1305 s: 6. After the drop the last
// recommendation of 6 is at 3615 s (its window [3570, 3600] is all high),
// so nothing goes before 3915 s; then one pod per 60 s: 3915, 3975, 4035,
// 4095 s, back to min 2.
func TestBuiltinK8sHPARun(t *testing.T) {
	sc, err := Open("k8s-hpa", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := runParsed(t, sc)
	wantChanges(t, r, "1245:2->4 1305:4->6 3915:6->5 3975:5->4 4035:4->3 4095:3->2")
	// Whatever the noise, the rules hold everywhere: at most +2 in any
	// 60 s, -1 in any 60 s, no scale-up before the step's lag and window,
	// no scale-down within 300 s of the step down.
	for i, d := range r.decisions {
		if d.After == d.Before {
			continue
		}
		up, down := 0, 0
		for _, e := range r.decisions[:i+1] {
			if e.Time > d.Time.Add(-time.Minute) {
				up += max(e.After-e.Before, 0)
				down += max(e.Before-e.After, 0)
			}
		}
		s := d.Time.Seconds()
		switch {
		case up > 2 || down > 1:
			t.Errorf("%gs: +%d -%d within 60 s", s, up, down)
		case d.After > d.Before && s < 1200+15+30:
			t.Errorf("%gs: scale-up before the step (1200 s) + 15 s lag + 30 s window", s)
		case d.After < d.Before && s < 3600+300:
			t.Errorf("%gs: scale-down within 300 s of the step down at 3600 s", s)
		}
	}
}

// Running wso2-elb: 40 requests per second, 240 from 30 to 50 min, on
// instances serving 100 per second; tokens expire after 60 s.
//
//   - No decision before the 10th round, 300 s.
//   - The queue grows by 240 - 100 = 140 per second: the samples at 1830,
//     1860, 1890 s hold about 4200, 8400, 12600 requests in flight, so the
//     10-round average passes 2100 at 1890 s (2520): +1.
//   - A new instance joins 60 + 10 s after it is launched; the task sees it
//     at the third run after: scale-ups at least 90 s apart, each +1, none
//     while an instance is pending.
//   - Once the queue has drained, a healthy instance has a few requests in
//     flight, far below 150 per instance: it scales down while the crowd
//     is still there (the quirk the docs explain).
func TestBuiltinWSO2ELBRun(t *testing.T) {
	sc, err := Open("wso2-elb", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := sc.Services[0].Autoscaler; a.Policy != PolicyRequestsInFlight || a.Interval != 30*time.Second ||
		a.RequestsInFlight.Rounds != 10 || a.RequestsInFlight.MaxRequestsPerSecond != 100 ||
		a.RequestsInFlight.AlarmingUpperRate != 0.7 || a.RequestsInFlight.AlarmingLowerRate != 0.2 ||
		a.RequestsInFlight.ScaleDownFactor != 0.25 || a.RequestsInFlight.InstancesPerScaleUp != 1 {
		t.Errorf("autoscaler %+v, want requests-in-flight with WSO2's defaults", a)
	}
	r := runParsed(t, sc)
	var ups []float64
	downInCrowd := false
	for _, d := range r.decisions {
		s := d.Time.Seconds()
		rec := d.Recommendation
		if s < 300 && rec.Valid {
			t.Errorf("%gs: a decision before the window is full", s)
		}
		if d.After-d.Before > 1 || d.Before-d.After > 1 {
			t.Errorf("%gs: %d -> %d, want one step at a time", s, d.Before, d.After)
		}
		if d.After > d.Before {
			for _, p := range d.Observation.Pods {
				if !p.Ready {
					t.Errorf("%gs: scaled up while instance %d was pending", s, p.ID)
				}
			}
			running, _ := input(d, "running")
			if avg, _ := input(d, "avg_in_flight"); avg <= running*2100 {
				t.Errorf("%gs: scaled up at avg %g in flight with %g running, want above %g", s, avg, running, running*2100)
			}
			if len(ups) > 0 && s-ups[len(ups)-1] < 90 {
				t.Errorf("%gs: scale-up %g s after the previous one, want >= 90 s (join after 70 s)", s, s-ups[len(ups)-1])
			}
			ups = append(ups, s)
		}
		if d.After < d.Before && s > 1800 && s < 3000 {
			downInCrowd = true
		}
	}
	if len(ups) < 3 || ups[0] != 1890 {
		r.explainAll(t)
		t.Fatalf("scale-ups at %v, want the first at 1890 s and several during the crowd", ups)
	}
	if !downInCrowd {
		t.Errorf("no scale-down during the crowd: the requests-in-flight quirk should show")
	}
	if r.final() != 1 {
		t.Errorf("ends at %d replicas, want min 1", r.final())
	}
}
