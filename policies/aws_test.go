package policies

import (
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// awsObs is an observation of n ready pods of 1 core each, ready since
// readyAt, using cpu percent of their request, current desired capacity.
func awsObs(current, n int, readyAt sim.Time, cpu float64) Observation {
	o := Observation{Current: current, Min: 1, Max: 20}
	for i := range n {
		o.Pods = append(o.Pods, Pod{ID: i, Phase: PhaseRunning, Ready: true, ReadyChanged: readyAt, CPURequest: 1,
			CPU: Metric{OK: true, Value: cpu / 100}})
	}
	for i := n; i < current; i++ {
		o.Pods = append(o.Pods, Pod{ID: i, Phase: PhasePending, CPURequest: 1})
	}
	return o
}

func TestAWSAlarmRing(t *testing.T) {
	for _, tt := range []struct {
		name   string
		alarm  AWSAlarm
		points []bool
		want   []bool // state after each datapoint
	}{
		{"3 of 3", AWSAlarm{3, 3}, []bool{true, true, false, true, true, true, true},
			[]bool{false, false, false, false, false, true, true}},
		{"2 of 3", AWSAlarm{2, 3}, []bool{true, false, true, false, false, true},
			[]bool{false, false, true, false, false, false}},
		{"1 of 1", AWSAlarm{1, 1}, []bool{false, true, false}, []bool{false, true, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newAWSAlarmRing(tt.alarm)
			var hist []bool
			for k, b := range tt.points {
				r.add(b)
				hist = append(hist, b)
				if got := r.inAlarm(); got != tt.want[k] {
					t.Errorf("after datapoint %d: in alarm %v, want %v", k+1, got, tt.want[k])
				}
				if got := AWSAlarmBreaching(hist, tt.alarm.Periods); got != r.count {
					t.Errorf("after datapoint %d: ring counts %d, history %d", k+1, r.count, got)
				}
			}
		})
	}
}

func TestTargetTrackingCapacity(t *testing.T) {
	for _, tt := range []struct {
		capacity       int
		metric, target float64
		want           int
	}{
		{4, 75, 50, 6},   // exactly 6
		{4, 76, 50, 7},   // 6.08 -> 7
		{10, 44, 50, 9},  // 8.8 -> 9
		{3, 10, 50, 1},   // 0.6 -> 1
		{10, 50, 50, 10}, // at the target: unchanged
	} {
		if got := TargetTrackingCapacity(tt.capacity, tt.metric, tt.target); got != tt.want {
			t.Errorf("TargetTrackingCapacity(%d, %g, %g) = %d, want %d", tt.capacity, tt.metric, tt.target, got, tt.want)
		}
	}
}

// TestMatchStep: AWS's example (as-scaling-simple-step.html): an alarm at
// 50 with steps add 1 for [50, 60), add 2 for [60, 70), add 3 for [70,
// +inf); below a threshold of 50, remove 1 for (40, 50] and 2 for (-inf,
// 40].
func TestMatchStep(t *testing.T) {
	inf := math.Inf(1)
	out := []StepAdjustment{{0, 10, 1}, {10, 20, 2}, {20, inf, 3}}
	in := []StepAdjustment{{-inf, -10, -2}, {-10, 0, -1}}
	for _, tt := range []struct {
		steps  []StepAdjustment
		metric float64
		above  bool
		want   float64
		hit    bool
	}{
		{out, 50, true, 1, true}, // the lower bound is inclusive above
		{out, 59.9, true, 1, true},
		{out, 60, true, 2, true}, // the upper exclusive
		{out, 95, true, 3, true},
		{out, 49, true, 0, false},
		{in, 50, false, -1, true}, // the upper bound is inclusive below
		{in, 40, false, -2, true}, // the lower exclusive
		{in, 40.1, false, -1, true},
		{in, 3, false, -2, true},
	} {
		s, hit := MatchStep(tt.steps, tt.metric-50, tt.above)
		if hit != tt.hit || s.Adjustment != tt.want {
			t.Errorf("metric %g above=%v: step %+v hit %v, want adjustment %g hit %v", tt.metric, tt.above, s, hit, tt.want, tt.hit)
		}
	}
}

// TestApplyAdjustment: the docs' rounding of PercentChangeInCapacity
// (12.7 -> 12, 0.5 -> 1, -0.67 -> -1, -6.67 -> -6) and
// MinAdjustmentMagnitude.
func TestApplyAdjustment(t *testing.T) {
	for _, tt := range []struct {
		kind     string
		capacity int
		adj      float64
		mag      int
		want     int
	}{
		{ChangeInCapacity, 10, 3, 0, 13},
		{ChangeInCapacity, 10, -2, 0, 8},
		{ExactCapacity, 10, 4, 0, 4},
		{PercentChangeInCapacity, 127, 10, 0, 139},   // +12.7 -> +12
		{PercentChangeInCapacity, 5, 10, 0, 6},       // +0.5 -> +1
		{PercentChangeInCapacity, 2, -33.5, 0, 1},    // -0.67 -> -1
		{PercentChangeInCapacity, 20, -33.35, 0, 14}, // -6.67 -> -6
		{PercentChangeInCapacity, 10, 10, 2, 12},     // +1, at least 2
		{PercentChangeInCapacity, 10, -10, 3, 7},     // -1, at least 3
		{PercentChangeInCapacity, 10, 50, 2, 15},     // +5 is more than 2
	} {
		if got := ApplyAdjustment(tt.kind, tt.capacity, tt.adj, tt.mag); got != tt.want {
			t.Errorf("%s %g on %d (min magnitude %d) = %d, want %d", tt.kind, tt.adj, tt.capacity, tt.mag, got, tt.want)
		}
	}
}

// TestTargetTrackingAlarmsAndCooldown drives a target tracking policy (CPU
// at 50%, no warm-up, a scale-in cooldown of 5 minutes) one datapoint a
// minute:
//
//   - minutes 1-2 at 60%: 2 of 3 above, no alarm; minute 3 at 40% resets;
//     minutes 4-6 at 60%: the high alarm at minute 6 (3 of 3):
//     ceil(4 x 60 / 50) = 5;
//   - then 5 pods at 30% (below 45% = 90% of 50): the low alarm needs 15 of
//     15: from minute 7, at minute 21: ceil(5 x 30 / 50) = 3;
//   - the alarm stays in ALARM: at minute 22 it would scale in again
//     (ceil(3 x 30 / 50) = 2) but the cooldown holds until minute 26, when
//     it goes to 2.
func TestTargetTrackingAlarmsAndCooldown(t *testing.T) {
	cfg := DefaultTargetTrackingConfig()
	cfg.InstanceWarmup = 0
	cfg.ScaleInCooldown = 5 * time.Minute
	p, err := NewTargetTracking(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cur := 4
	changes := map[int]int{}
	holds := map[int]Reason{}
	for m := 1; m <= 30; m++ {
		cpu := 30.0
		switch {
		case m <= 2 || m >= 4 && m <= 6:
			cpu = 60
		case m == 3:
			cpu = 40
		}
		rec := p.Recommend(sim.At(time.Duration(m)*time.Minute), awsObs(cur, cur, 0, cpu))
		if !rec.Valid {
			t.Fatalf("minute %d: %+v", m, rec)
		}
		if rec.Desired != cur {
			changes[m] = rec.Desired
			cur = rec.Desired
		} else if rec.Reason != ReasonUnchanged {
			holds[m] = rec.Reason
		}
	}
	want := map[int]int{6: 5, 21: 3, 26: 2}
	if len(changes) != len(want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
	for m, n := range want {
		if changes[m] != n {
			t.Errorf("minute %d: %d, want %d (changes %v)", m, changes[m], n, changes)
		}
	}
	for m := 22; m <= 25; m++ {
		if holds[m] != ReasonCooldown {
			t.Errorf("minute %d: %q, want held by the cooldown", m, holds[m])
		}
	}
}

// TestTargetTrackingWarmup: 4 warm pods at 80% and 2 new ones in warm-up
// (their metric left out). The high alarm fires at minute 3: ceil(4 x 80 /
// 50) = 7 > 6 desired: 7. With the metric at 70% instead, ceil(4 x 70 /
// 50) = 6 = the 6 desired, warming ones included: nothing is added (one
// scaling activity for one breach).
func TestTargetTrackingWarmup(t *testing.T) {
	for _, tt := range []struct {
		cpu  float64
		want int
	}{{80, 7}, {70, 6}} {
		p, err := NewTargetTracking(DefaultTargetTrackingConfig())
		if err != nil {
			t.Fatal(err)
		}
		var rec Recommendation
		for m := 1; m <= 3; m++ {
			now := sim.At(time.Hour + time.Duration(m)*time.Minute)
			o := awsObs(6, 4, 0, tt.cpu)
			// two more ready 2 minutes ago: within the 300 s warm-up.
			for i := 4; i < 6; i++ {
				o.Pods[i] = Pod{ID: i, Phase: PhaseRunning, Ready: true, ReadyChanged: now.Add(-2 * time.Minute), CPURequest: 1,
					CPU: Metric{OK: true, Value: 2}}
			}
			rec = p.Recommend(now, o)
		}
		if rec.Desired != tt.want {
			t.Errorf("cpu %g%%: desired %d, want %d (%s)", tt.cpu, rec.Desired, tt.want, rec.Explanation)
		}
	}
}

// TestStepScalingSteps: the docs' warm-up example. Steps add 1 for [60,
// 70) and 3 for [70, +inf) on 10 instances. At 62% the alarm (1 of 1) adds
// 1: 11. The new instance warms up; at 64% the step still says 10 + 1 = 11
// of the warm 10, which the 11 desired already hold: nothing. At 72% the
// step says 10 + 3 = 13: 2 more. Scale-in (<= 30%: remove 20%, at least 2)
// waits for the warm-up.
func TestStepScalingSteps(t *testing.T) {
	inf := math.Inf(1)
	cfg := DefaultStepScalingConfig()
	cfg.ScaleOut = &StepPolicy{Threshold: 60, Alarm: AWSAlarm{1, 1}, AdjustmentType: ChangeInCapacity,
		Steps: []StepAdjustment{{0, 10, 1}, {10, inf, 3}}}
	cfg.ScaleIn = &StepPolicy{Threshold: 30, Alarm: AWSAlarm{1, 1}, AdjustmentType: PercentChangeInCapacity, MinAdjustmentMagnitude: 2,
		Steps: []StepAdjustment{{-inf, 0, -20}}}
	p, err := NewStepScaling(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t0 := sim.At(time.Hour)
	step := func(m int, current int, cpu float64) Recommendation {
		now := t0.Add(time.Duration(m) * time.Minute)
		o := awsObs(current, 10, 0, cpu)
		for i := 10; i < current; i++ {
			o.Pods[i] = Pod{ID: i, Phase: PhaseRunning, Ready: true, ReadyChanged: t0.Add(2 * time.Minute), CPURequest: 1, CPU: Metric{OK: true, Value: cpu / 100}}
		}
		return p.Recommend(now, o)
	}
	if r := step(1, 10, 62); r.Desired != 11 {
		t.Errorf("62%%: %d, want 11 (%s)", r.Desired, r.Explanation)
	}
	if r := step(3, 11, 64); r.Desired != 11 || r.Reason != ReasonUnchanged {
		t.Errorf("64%% while warming: %d %s, want 11 unchanged (%s)", r.Desired, r.Reason, r.Explanation)
	}
	if r := step(4, 11, 72); r.Desired != 13 {
		t.Errorf("72%% while warming: %d, want 13 (%s)", r.Desired, r.Explanation)
	}
	if r := step(5, 13, 20); r.Desired != 13 || r.Reason != ReasonWarmup {
		t.Errorf("20%% while warming: %d %s, want 13 held by the warm-up (%s)", r.Desired, r.Reason, r.Explanation)
	}
	// 8 minutes on, the new ones are warm: 13 x 20% = 2.6 -> 2 removed.
	if r := step(9, 13, 20); r.Desired != 11 {
		t.Errorf("20%% warm: %d, want 11 (%s)", r.Desired, r.Explanation)
	}
}

func TestStepScalingValidate(t *testing.T) {
	cfg := DefaultStepScalingConfig()
	cfg.ScaleOut = &StepPolicy{Threshold: 60, Alarm: AWSAlarm{2, 1}, AdjustmentType: "Add", MinAdjustmentMagnitude: -1,
		Steps: []StepAdjustment{{0, 10, 1}, {20, 30, 2}, {30, 30, 1}}}
	got := map[string]bool{}
	for _, e := range FieldErrors(cfg.Validate()) {
		got[e.Field] = true
	}
	for _, f := range []string{"scale_out.datapoints", "scale_out.adjustment_type", "scale_out.steps[1].lower", "scale_out.steps[2]"} {
		if !got[f] {
			t.Errorf("no error for %s (got %v)", f, got)
		}
	}
	if err := DefaultStepScalingConfig().Validate(); err == nil {
		t.Error("no policies: want an error")
	}
}

// TestAWSNoAllocs: what an evaluation allocates (its inputs and its
// explanation) does not grow with the group or the traffic: the datapoint
// history is a ring of the alarms' periods.
func TestAWSNoAllocs(t *testing.T) {
	allocs := func(pods int, requests float64) float64 {
		cfg := DefaultTargetTrackingConfig()
		cfg.Metric = AWSRequestCountPerTarget
		p, _ := NewTargetTracking(cfg)
		o := awsObs(pods, pods, 0, 60)
		o.Max = 10000
		o.Concurrency.Stats = []ConcurrencyStat{{Requests: requests}}
		m := 0
		return testing.AllocsPerRun(100, func() { m++; p.Recommend(sim.At(time.Duration(m)*time.Minute), o) })
	}
	if a, b := allocs(4, 4*50), allocs(400, 400*50); a != b {
		t.Errorf("%g allocations per evaluation of 4 pods, %g of 400", a, b)
	}
}
