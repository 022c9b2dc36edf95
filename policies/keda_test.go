package policies_test

import (
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// kedaObs is n ready pods and a queue of depth messages, as the cluster
// hands it to the keda policy (replicas.max 20).
func kedaObs(current, minR int, depth float64) Observation {
	o := obs(current, minR, 20, readyPods(current, 50, 0))
	o.Metrics = &CustomMetrics{Live: []NamedMetric{{Name: MetricQueueDepth, Metric: Metric{OK: true, Value: depth}}}}
	return o
}

func at(s int) sim.Time { return sim.At(time.Duration(s) * time.Second) }

func queueKEDA(t *testing.T, activation float64, mod func(*KEDAConfig)) *KEDA {
	t.Helper()
	cfg := DefaultKEDAConfig()
	cfg.Triggers = []KEDATrigger{{Type: TriggerQueue, Metric: MetricQueueDepth, Threshold: 10, ActivationThreshold: activation}}
	if mod != nil {
		mod(&cfg)
	}
	return must(NewKEDA(cfg))
}

// TestKEDAActivation: evaluations every 15 s from 15 s (the gcd of the 30
// s poll and the 15 s HPA sync); the polls are at 15, 45, 75 s. With an
// activation threshold of 3 the queue at 3 does not activate (the value
// must be above it); at 4 the poll at 75 s scales 0 -> 1. The HPA syncs in
// between hold 0 (an HPA at 0 replicas with min 1 is disabled) and never
// scale from 0 themselves.
func TestKEDAActivation(t *testing.T) {
	k := queueKEDA(t, 3, nil)
	steps := []struct {
		t      int
		depth  float64
		want   int
		reason Reason
	}{
		{15, 0, 0, ReasonInactive},
		{30, 2, 0, ReasonScalingDisabled}, // HPA only: no poll
		{45, 3, 0, ReasonInactive},        // 3 is not above 3
		{60, 4, 0, ReasonScalingDisabled}, // above, but no poll until 75 s
		{75, 4, 1, ReasonActivated},
	}
	cur := 0
	for _, s := range steps {
		r := k.Recommend(at(s.t), kedaObs(cur, 0, s.depth))
		if r.Desired != s.want || r.Reason != s.reason {
			t.Fatalf("at %ds: desired %d reason %s (%s), want %d %s", s.t, r.Desired, r.Reason, r.Explanation, s.want, s.reason)
		}
		cur = r.Desired
	}
	// The HPA takes over at its next sync: 100 messages / 10 per replica
	// with 1 pod -> ceil(100/10) = 10, capped by the older path at
	// max(2 x 1, 4) = 4.
	r := k.Recommend(at(90), kedaObs(1, 0, 100))
	if r.Desired != 4 || r.Reason != ReasonScaleUp {
		t.Errorf("at 90s: %d %s (%s), want the HPA's 4", r.Desired, r.Reason, r.Explanation)
	}
}

// TestKEDACooldown: active at the poll at 45 s (lastActiveTime 45 s),
// empty from then on. The polls at 75 ... 345 s are within the cooldown
// (45 + 300 = 345 is not before 345); the poll at 375 s scales 1 -> 0.
// Meanwhile the HPA, at 1 replica with an empty queue, wants
// ceil(0/10) = 0, held at its minimum 1.
func TestKEDACooldown(t *testing.T) {
	k := queueKEDA(t, 0, nil)
	if r := k.Recommend(at(15), kedaObs(0, 0, 0)); r.Desired != 0 {
		t.Fatalf("15s: %+v", r)
	}
	k.Recommend(at(30), kedaObs(0, 0, 0))
	if r := k.Recommend(at(45), kedaObs(0, 0, 7)); r.Desired != 1 || r.Reason != ReasonActivated {
		t.Fatalf("45s: %d %s", r.Desired, r.Reason)
	}
	cur := 1
	for s := 60; s <= 360; s += 15 {
		r := k.Recommend(at(s), kedaObs(cur, 0, 0))
		if r.Desired != 1 {
			t.Fatalf("at %ds: %d %s (%s), want 1 during the cooldown", s, r.Desired, r.Reason, r.Explanation)
		}
		if (s-15)%30 == 0 && r.Reason != ReasonCoolingDown {
			t.Errorf("poll at %ds: reason %s, want cooling-down", s, r.Reason)
		}
	}
	if r := k.Recommend(at(375), kedaObs(1, 0, 0)); r.Desired != 0 || r.Reason != ReasonDeactivated {
		t.Errorf("375s: %d %s (%s), want 0 deactivated", r.Desired, r.Reason, r.Explanation)
	}
}

// TestKEDAIdleReplicas: minReplicaCount 2 with idleReplicaCount 0: active
// from 0 goes to 2 (not 1); inactive after the cooldown goes back to 0.
func TestKEDAIdleReplicas(t *testing.T) {
	idle := 0
	k := queueKEDA(t, 0, func(c *KEDAConfig) {
		c.MinReplicaCount, c.IdleReplicaCount, c.CooldownPeriod = 2, &idle, 60*time.Second
	})
	if r := k.Recommend(at(15), kedaObs(0, 0, 5)); r.Desired != 2 || r.Reason != ReasonActivated {
		t.Fatalf("15s: %d %s", r.Desired, r.Reason)
	}
	// Inactive from 30 s; last active at 15 s: the polls at 45 and 75 s
	// cool down (15 + 60 = 75 is not before 75), the one at 105 s idles.
	for _, s := range []int{30, 45, 60, 75, 90} {
		if r := k.Recommend(at(s), kedaObs(2, 0, 0)); r.Desired != 2 {
			t.Fatalf("%ds: %d %s (%s)", s, r.Desired, r.Reason, r.Explanation)
		}
	}
	if r := k.Recommend(at(105), kedaObs(2, 0, 0)); r.Desired != 0 || r.Reason != ReasonDeactivated {
		t.Errorf("105s: %d %s", r.Desired, r.Reason)
	}
}

// TestKEDAFallback: a prometheus trigger whose query has no value. The
// HPA's queries at 15, 30 s fail (failures 1, 2: not above the threshold
// of 2); at 45 s the third failure serves 3 x 10 = 30, and the HPA at 1
// pod computes ceil(30 / 10) = 3: the fallback's replicas.
func TestKEDAFallback(t *testing.T) {
	// ignoreNullValues false: a query without a value is an error.
	cfg := DefaultKEDAConfig()
	cfg.MinReplicaCount = 1
	cfg.Triggers = []KEDATrigger{{Type: TriggerPrometheus, Metric: MetricRequestsPerSecond, Threshold: 10}}
	cfg.Fallback = &KEDAFallback{FailureThreshold: 2, Replicas: 3}
	k := must(NewKEDA(cfg))
	noValue := obs(1, 1, 20, readyPods(1, 50, 0))
	noValue.Metrics = &CustomMetrics{}
	for _, s := range []int{15, 30} {
		if r := k.Recommend(at(s), noValue); r.Desired != 1 {
			t.Fatalf("%ds: %d %s (%s)", s, r.Desired, r.Reason, r.Explanation)
		}
	}
	if r := k.Recommend(at(45), noValue); r.Desired != 3 {
		t.Errorf("45s: %d %s (%s), want the fallback's 3", r.Desired, r.Reason, r.Explanation)
	}
	// A value again resets the count: 15 rps / 10 with 3 pods -> ceil(1.5) = 2.
	ok := obs(3, 1, 20, readyPods(3, 50, 0))
	ok.Metrics = &CustomMetrics{Object: []NamedMetric{{Name: MetricRequestsPerSecond, Metric: Metric{OK: true, Value: 15}}}}
	if r := k.Recommend(at(60), ok); r.Raw != 2 {
		t.Errorf("60s: raw %d (%s), want 2", r.Raw, r.Explanation)
	}
}

func TestKEDAValidation(t *testing.T) {
	idle := 3
	cases := []struct {
		mod   func(*KEDAConfig)
		field string
	}{
		{func(c *KEDAConfig) { c.Triggers = nil }, "triggers"},
		{func(c *KEDAConfig) { c.Triggers[0].Metric = "queue_length" }, "triggers[0].metric"},
		{func(c *KEDAConfig) { c.Triggers[0].Type = "kafka" }, "triggers[0].type"},
		{func(c *KEDAConfig) { c.Triggers[0].Threshold = 0 }, "triggers[0].threshold"},
		{func(c *KEDAConfig) { c.Triggers[0].ActivationThreshold = -1 }, "triggers[0].activation_threshold"},
		{func(c *KEDAConfig) { c.MinReplicaCount, c.IdleReplicaCount = 2, &idle }, "idle_replica_count"},
		{func(c *KEDAConfig) { c.PollingInterval = 0 }, "polling_interval"},
	}
	for _, tc := range cases {
		cfg := DefaultKEDAConfig()
		cfg.Triggers = []KEDATrigger{{Type: TriggerQueue, Metric: MetricQueueDepth, Threshold: 10}}
		tc.mod(&cfg)
		errs := FieldErrors(cfg.Validate())
		if len(errs) != 1 || errs[0].Field != tc.field {
			t.Errorf("want one error on %s, got %v", tc.field, errs)
		}
	}
	if got := DefaultKEDAConfig().Interval(); got != 15*time.Second {
		t.Errorf("interval %v, want gcd(30s, 15s) = 15s", got)
	}
}

// TestKEDAInitialCooldown: 2 replicas at the start, min 0, never active.
// Without initialCooldownPeriod the first poll scales to zero at once
// (the creation at 0 plus 0 s is before 15 s); with 60 s, the polls at 15
// and 45 s keep 2 and the one at 75 s scales to zero.
func TestKEDAInitialCooldown(t *testing.T) {
	if r := queueKEDA(t, 0, nil).Recommend(at(15), kedaObs(2, 0, 0)); r.Desired != 0 || r.Reason != ReasonDeactivated {
		t.Errorf("no initial cooldown: %d %s", r.Desired, r.Reason)
	}
	k := queueKEDA(t, 0, func(c *KEDAConfig) { c.InitialCooldownPeriod = time.Minute })
	for _, s := range []int{15, 30, 45, 60} {
		if r := k.Recommend(at(s), kedaObs(2, 0, 0)); r.Desired != 2 {
			t.Fatalf("%ds: %d %s (%s)", s, r.Desired, r.Reason, r.Explanation)
		}
	}
	if r := k.Recommend(at(75), kedaObs(2, 0, 0)); r.Desired != 0 || r.Reason != ReasonDeactivated {
		t.Errorf("75s: %d %s", r.Desired, r.Reason)
	}
}

// TestKEDAIgnoreNullValues: a prometheus trigger whose query has no value
// yet (the adapter has no samples) at 1 replica with minReplicaCount 0.
// KEDA's prometheus scaler returns 0 for it under ignoreNullValues (its
// default): inactive and never active, with no initial cooldown, so the
// first poll (15 s) scales to 0. With ignoreNullValues false the query
// errs: no scale to zero, no change.
func TestKEDAIgnoreNullValues(t *testing.T) {
	for _, tc := range []struct {
		ignore  bool
		desired int
		reason  Reason
	}{{true, 0, ReasonDeactivated}, {false, 1, ReasonTriggerError}} {
		cfg := DefaultKEDAConfig()
		cfg.Triggers = []KEDATrigger{{Type: TriggerPrometheus, Metric: MetricRequestsPerSecond, Threshold: 10, IgnoreNullValues: tc.ignore}}
		k := must(NewKEDA(cfg))
		noValue := obs(1, 0, 20, readyPods(1, 50, 0))
		noValue.Metrics = &CustomMetrics{}
		if r := k.Recommend(at(15), noValue); r.Desired != tc.desired || r.Reason != tc.reason {
			t.Errorf("ignoreNullValues %v: %d %s (%s), want %d %s", tc.ignore, r.Desired, r.Reason, r.Explanation, tc.desired, tc.reason)
		}
	}
}
