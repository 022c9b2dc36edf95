package policies

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The cases of knative/serving pkg/autoscaler/scaling/autoscaler_test.go at
// commit 98e5ef90aa70, each named after its upstream test. Upstream's
// fixtures: newTestAutoscaler(target, tbc) has TotalValue = target / 0.75,
// panic threshold 2, rates 10, a 60 s stable window, reachable, one ready
// pod when made; tests step time.Now(), here a fixed kpaT0 (a few
// microseconds apart upstream, which no case depends on). Upstream compares
// the excess burst capacity within ±1 "due to rounding errors across
// platforms"; here it is exact.

const (
	kpaTestStableWindow      = 60 * time.Second
	kpaTestTargetUtilization = 0.75
)

var kpaT0 = sim.At(time.Hour)

// kpaTestSpec is upstream's newTestAutoscalerWithScalingMetric spec.
func kpaTestSpec(target, tbc float64) KPASpec {
	return KPASpec{
		TargetValue:         target,
		TotalValue:          target / kpaTestTargetUtilization,
		TargetBurstCapacity: tbc,
		PanicThreshold:      2,
		MaxScaleUpRate:      10,
		MaxScaleDownRate:    10,
		StableWindow:        kpaTestStableWindow,
		Reachable:           true,
	}
}

// kpaExpectedEBC is upstream's expectedEBC.
func kpaExpectedEBC(totCap, targetBC, recorded, numPods float64) int {
	return int(math.Floor(totCap/kpaTestTargetUtilization*numPods - targetBC - recorded))
}

// kpaStep is one Scale call: at, with ready pods and the stable and panic
// values, and the result upstream expects.
type kpaStep struct {
	at            sim.Time
	ready         int
	stable, panic float64
	noData        bool
	// update, when set, replaces the spec before the call (upstream's
	// Update).
	update *KPASpec
	want   KPAScaleResult // DesiredPodCount, ExcessBurstCapacity, ScaleValid
	// wantPanicAt, when set, is the panic time expected after the call;
	// wantCalm expects the decider out of panic.
	wantPanicAt *sim.Time
	wantCalm    bool
}

func kpaOK(desired, ebc int) KPAScaleResult {
	return KPAScaleResult{DesiredPodCount: desired, ExcessBurstCapacity: ebc, ScaleValid: true}
}

func kpaAt(d time.Duration) *sim.Time { t := kpaT0.Add(d); return &t }

func TestKPADecider(t *testing.T) {
	delaySpec := KPASpec{TargetValue: 10, MaxScaleDownRate: 10, MaxScaleUpRate: 10, PanicThreshold: 100, ScaleDownDelay: 5 * time.Minute, Reachable: true}
	unreachable := delaySpec
	unreachable.Reachable = false
	updated := KPASpec{TargetValue: 1, TotalValue: 1 / kpaTestTargetUtilization, TargetBurstCapacity: 71, PanicThreshold: 2,
		MaxScaleDownRate: 10, MaxScaleUpRate: 10, StableWindow: kpaTestStableWindow}
	activation := kpaTestSpec(10, 75)
	activation.ActivationScale = 2
	noDelay := delaySpec
	noDelay.ScaleDownDelay, noDelay.Reachable = 0, false

	tests := []struct {
		name  string
		spec  KPASpec
		start sim.Time // when the decider is made (upstream: New)
		ready int      // ready pods when made
		steps []kpaStep
	}{{
		// TestAutoscalerScaleDownDelay/simple and /gradual (one autoscaler,
		// the zero time as now; here the start of the run). The delay window
		// keeps a maximum per 2 s tick for 5 minutes.
		name: "TestAutoscalerScaleDownDelay", spec: delaySpec,
		steps: []kpaStep{
			{at: sim.At(2 * time.Second), stable: 40, panic: 40, want: kpaOK(4, 0)},
			// five minutes at reduced concurrency: less than the delay.
			{at: sim.At(5 * time.Minute), want: kpaOK(4, 0)},
			// five minutes and 2 seconds: the 4 has left the window.
			{at: sim.At(5*time.Minute + 2*time.Second), want: kpaOK(0, 0)},
			// gradual
			{at: sim.At(9 * time.Minute), stable: 40, panic: 40, want: kpaOK(4, 0)},
			{at: sim.At(10 * time.Minute), stable: 30, panic: 30, want: kpaOK(4, 0)}, // 4 still dominates
			{at: sim.At(11 * time.Minute), want: kpaOK(4, 0)},                        // still at 4
			{at: sim.At(14 * time.Minute), want: kpaOK(3, 0)},                        // 4 scrolls out, drop to 3
			{at: sim.At(15 * time.Minute), want: kpaOK(0, 0)},                        // everything scrolled out
		},
	}, {
		name: "TestAutoscalerScaleDownDelayNotReachable", spec: delaySpec,
		steps: []kpaStep{
			{at: sim.At(2 * time.Second), stable: 40, panic: 40, want: kpaOK(4, 0)},
			{at: sim.At(time.Minute), want: kpaOK(4, 0)},
			// unreachable (another revision took the route): down at once.
			{at: sim.At(2 * time.Second), update: &unreachable, want: kpaOK(0, 0)},
		},
	}, {
		name: "TestAutoscalerScaleDownDelayZero", spec: noDelay,
		steps: []kpaStep{
			{at: 0, stable: 40, panic: 40, want: kpaOK(4, 0)},
			// with no delay the count drops at once (a one-tick window would
			// keep the larger of two calls in the same tick).
			{at: sim.At(500 * time.Millisecond), stable: 20, panic: 20, want: kpaOK(2, 0)},
		},
	}, {
		name: "TestAutoscalerNoDataNoAutoscale", spec: kpaTestSpec(10, 100), ready: 1,
		steps: []kpaStep{{at: kpaT0, noData: true, want: KPAScaleResult{}}},
	}, {
		// The Scale result of TestAutoscalerMetrics (its OpenTelemetry
		// gauges are upstream-only).
		name: "TestAutoscalerMetrics", spec: kpaTestSpec(10, 100), ready: 1,
		steps: []kpaStep{{at: kpaT0, ready: 1, stable: 50, panic: 50, want: kpaOK(5, kpaExpectedEBC(10, 100, 50, 1))}},
	}, {
		// TestAutoscalerMetricsWithRPS: the rps values in the same decider.
		name: "TestAutoscalerMetricsWithRPS", spec: kpaTestSpec(10, 100), ready: 1,
		steps: []kpaStep{{at: kpaT0.Add(61 * time.Second), ready: 1, stable: 100, panic: 99, want: kpaOK(10, kpaExpectedEBC(10, 100, 99, 1))}},
	}, {
		name: "TestAutoscalerStableModeIncreaseWithConcurrencyDefault", spec: kpaTestSpec(10, 101), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 50, panic: 10, want: kpaOK(5, kpaExpectedEBC(10, 101, 10, 1))},
			{at: kpaT0, ready: 1, stable: 100, panic: 10, want: kpaOK(10, kpaExpectedEBC(10, 101, 10, 1))},
		},
	}, {
		name: "TestAutoscalerStableModeIncreaseWithRPS", spec: kpaTestSpec(10, 101), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 50, panic: 50, want: kpaOK(5, kpaExpectedEBC(10, 101, 50, 1))},
			{at: kpaT0, ready: 1, stable: 100, panic: 99, want: kpaOK(10, kpaExpectedEBC(10, 101, 99, 1))},
		},
	}, {
		// Initial jump from 10 to 25 pods; half a stable window later, +15
		// pods and below the threshold: still in panic, the panic time does
		// not move; a stable window and a tick after it: out of panic.
		name: "TestAutoscalerUnpanicAfterSlowIncrease", spec: kpaTestSpec(1, 98), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 10, stable: 11, panic: 25, want: kpaOK(25, kpaExpectedEBC(1, 98, 25, 10)), wantPanicAt: kpaAt(0)},
			{at: kpaT0.Add(30 * time.Second), ready: 40, stable: 30, panic: 41, want: kpaOK(41, kpaExpectedEBC(1, 98, 41, 40)), wantPanicAt: kpaAt(0)},
			{at: kpaT0.Add(62 * time.Second), ready: 55, stable: 50, panic: 56, want: kpaOK(50, kpaExpectedEBC(1, 98, 56, 55)), wantCalm: true},
		},
	}, {
		name: "TestAutoscalerExtendPanicWindow", spec: kpaTestSpec(1, 98), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 10, stable: 11, panic: 25, want: kpaOK(25, kpaExpectedEBC(1, 98, 25, 10)), wantPanicAt: kpaAt(0)},
			// still surging: the panic time moves to now.
			{at: kpaT0.Add(30 * time.Second), ready: 40, stable: 30, panic: 80, want: kpaOK(80, kpaExpectedEBC(1, 98, 80, 40)), wantPanicAt: kpaAt(30 * time.Second)},
		},
	}, {
		name: "TestAutoscalerStableModeDecrease", spec: kpaTestSpec(10, 98), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 8, stable: 100, panic: 100, want: kpaOK(10, kpaExpectedEBC(10, 98, 100, 8))},
			{at: kpaT0, ready: 8, stable: 50, panic: 50, want: kpaOK(5, kpaExpectedEBC(10, 98, 50, 8))},
		},
	}, {
		name: "TestAutoscalerStableModeNoTrafficScaleToZero", spec: kpaTestSpec(10, 75), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 1, panic: 0, want: kpaOK(1, kpaExpectedEBC(10, 75, 0, 1))},
			{at: kpaT0, ready: 1, stable: 0, panic: 0, want: kpaOK(0, kpaExpectedEBC(10, 75, 0, 1))},
		},
	}, {
		name: "TestAutoscalerActivationScale", spec: activation, ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, want: kpaOK(0, kpaExpectedEBC(10, 75, 0, 1))},
			{at: kpaT0, ready: 1, stable: 1, want: kpaOK(2, kpaExpectedEBC(10, 75, 0, 1))},
		},
	}, {
		// Traffic grows x6 at each step, each scale-up brings concurrency
		// back to the target, until it stabilises at 1296.
		name: "TestAutoscalerPanicModeExponentialTrackAndStabilize", spec: kpaTestSpec(1, 101), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 6, panic: 6, want: kpaOK(6, kpaExpectedEBC(1, 101, 6, 1))},
			{at: kpaT0, ready: 6, stable: 36, panic: 36, want: kpaOK(36, kpaExpectedEBC(1, 101, 36, 6)), wantPanicAt: kpaAt(0)},
			{at: kpaT0.Add(time.Second), ready: 36, stable: 216, panic: 216, want: kpaOK(216, kpaExpectedEBC(1, 101, 216, 36)), wantPanicAt: kpaAt(time.Second)},
			{at: kpaT0.Add(time.Second), ready: 216, stable: 1296, panic: 1296, want: kpaOK(1296, kpaExpectedEBC(1, 101, 1296, 216)), wantPanicAt: kpaAt(time.Second)},
			{at: kpaT0.Add(2 * time.Second), ready: 1296, stable: 1296, panic: 1296, want: kpaOK(1296, kpaExpectedEBC(1, 101, 1296, 1296))},
		},
	}, {
		// In panic until a stable window after the last trigger, then down
		// by the rate: 10 / 10 = 1.
		name: "TestAutoscalerPanicThenUnPanicScaleDown", spec: kpaTestSpec(10, 93), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 100, panic: 100, want: kpaOK(10, kpaExpectedEBC(10, 93, 100, 1))},
			{at: kpaT0, ready: 10, stable: 100, panic: 1000, want: kpaOK(100, kpaExpectedEBC(10, 93, 1000, 10))},
			// traffic dropped off, the scale stays: still in panic.
			{at: kpaT0.Add(30 * time.Second), ready: 10, stable: 1, panic: 1, want: kpaOK(100, kpaExpectedEBC(10, 93, 1, 10))},
			{at: kpaT0.Add(61 * time.Second), ready: 10, stable: 1, panic: 1, want: kpaOK(1, kpaExpectedEBC(10, 93, 1, 10)), wantCalm: true},
		},
	}, {
		// 100 pods needed, x10 per step.
		name: "TestAutoscalerRateLimitScaleUp", spec: kpaTestSpec(10, 61), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 1000, panic: 1001, want: kpaOK(10, kpaExpectedEBC(10, 61, 1001, 1))},
			{at: kpaT0, ready: 10, stable: 1000, panic: 1001, want: kpaOK(100, kpaExpectedEBC(10, 61, 1001, 10))},
		},
	}, {
		// 1 pod needed, /10 per step.
		name: "TestAutoscalerRateLimitScaleDown", spec: kpaTestSpec(10, 61), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 100, stable: 1, panic: 1, want: kpaOK(10, kpaExpectedEBC(10, 61, 1, 100))},
			{at: kpaT0, ready: 10, stable: 1, panic: 1, want: kpaOK(1, kpaExpectedEBC(10, 61, 1, 10))},
		},
	}, {
		// TestCantCountPods: upstream's pod counter fails inside Scale; here
		// counting is the caller's, which says so with NoData.
		name: "TestCantCountPods", spec: kpaTestSpec(10, 81), ready: 1,
		steps: []kpaStep{{at: kpaT0, stable: 1000, panic: 888, noData: true, want: KPAScaleResult{}}},
	}, {
		// No ready pods count as one for the rate (10 x 1), not for the
		// burst capacity.
		name: "TestAutoscalerUseOnePodAsMinimumIfEndpointsNotFound", spec: kpaTestSpec(10, 81), ready: 1,
		steps: []kpaStep{{at: kpaT0, ready: 0, stable: 1000, panic: 888, want: kpaOK(10, kpaExpectedEBC(10, 81, 888, 0))}},
	}, {
		name: "TestAutoscalerUpdateTarget", spec: kpaTestSpec(10, 77), ready: 1,
		steps: []kpaStep{
			{at: kpaT0, ready: 1, stable: 100, panic: 101, want: kpaOK(10, kpaExpectedEBC(10, 77, 101, 1))},
			{at: kpaT0, ready: 10, stable: 100, panic: 101, update: &updated, want: kpaOK(100, kpaExpectedEBC(1, 71, 101, 10))},
		},
	}}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewKPADecider(tt.start, tt.spec, tt.ready)
			for i, s := range tt.steps {
				if s.update != nil {
					d.Spec = *s.update
				}
				got := d.Scale(s.at, KPAObservation{ReadyPods: s.ready, Stable: s.stable, Panic: s.panic, NoData: s.noData})
				checkKPAResult(t, i, got, s.want)
				panicking, at := d.Panicking()
				if s.wantPanicAt != nil && (!panicking || at != *s.wantPanicAt) {
					t.Errorf("step %d: panicking %v since %s, want since %s", i, panicking, at, *s.wantPanicAt)
				}
				if s.wantCalm && panicking {
					t.Errorf("step %d: still panicking (since %s)", i, at)
				}
			}
		})
	}
}

func checkKPAResult(t *testing.T, step int, got, want KPAScaleResult) {
	t.Helper()
	if got.DesiredPodCount != want.DesiredPodCount || got.ExcessBurstCapacity != want.ExcessBurstCapacity || got.ScaleValid != want.ScaleValid {
		t.Errorf("step %d: Scale = {desired %d, ebc %d, valid %v}, want {desired %d, ebc %d, valid %v} (%+v)",
			step, got.DesiredPodCount, got.ExcessBurstCapacity, got.ScaleValid,
			want.DesiredPodCount, want.ExcessBurstCapacity, want.ScaleValid, got)
	}
}

// TestKPAScaleTable is upstream's TestAutoscalerScale: one Scale call on a
// fresh decider (made with one ready pod) with baseScale ready pods.
func TestKPAScaleTable(t *testing.T) {
	inPanic := func(d *KPADecider) {
		// upstream: a.panicTime = time.Now().Add(-5 * time.Second); a.maxPanicPods = 5
		d.panicking, d.panicTime, d.maxPanicPods = true, kpaT0.Add(-5*time.Second), 5
	}
	tests := []struct {
		label         string
		target, tbc   float64
		stable, panic float64
		prep          func(*KPADecider)
		baseScale     int
		wantScale     int
		wantEBC       int
	}{
		{label: "AutoscalerNoDataAtZeroNoAutoscale", target: 10, tbc: 100, baseScale: 1, wantScale: 0, wantEBC: kpaExpectedEBC(10, 100, 0, 1)},
		{label: "AutoscalerNoDataAtZeroNoAutoscaleWithExplicitEPs", target: 10, tbc: 100, baseScale: 1, wantScale: 0, wantEBC: kpaExpectedEBC(10, 100, 0, 1)},
		{label: "AutoscalerStableModeUnlimitedTBC", target: 181, tbc: -1, stable: 21, panic: 26, baseScale: 1, wantScale: 1, wantEBC: -1},
		{label: "Autoscaler0TBC", target: 10, tbc: 0, stable: 50, panic: 49, baseScale: 1, wantScale: 5, wantEBC: 0},
		{label: "AutoscalerStableModeNoChange", target: 10, tbc: 100, stable: 50, panic: 50, baseScale: 1, wantScale: 5, wantEBC: kpaExpectedEBC(10, 100, 50, 1)},
		// the stable value is used for the desired scale when it is larger.
		{label: "AutoscalerPanicStableLargerThanPanic", target: 1, tbc: 100, stable: 50, panic: 30, prep: inPanic, baseScale: 5, wantScale: 50, wantEBC: kpaExpectedEBC(1, 100, 30, 5)},
		// and the panic value here, since it is larger.
		{label: "AutoscalerPanicStableLessThanPanic", target: 1, tbc: 100, stable: 20, panic: 30, prep: inPanic, baseScale: 5, wantScale: 30, wantEBC: kpaExpectedEBC(1, 100, 30, 5)},
		{label: "AutoscalerStableModeNoChangeAlreadyScaled", target: 10, tbc: 100, stable: 50, panic: 50, baseScale: 5, wantScale: 5, wantEBC: kpaExpectedEBC(10, 100, 50, 5)},
		// ceil(1.1 x 2) = 3: a conservative rate still adds a pod.
		{label: "AutoscalerStableModeIncreaseWithSmallScaleUpRate", target: 1, tbc: 1982, stable: 3, panic: 3.1, baseScale: 2,
			prep: func(d *KPADecider) { d.Spec.MaxScaleUpRate = 1.1 }, wantScale: 3, wantEBC: kpaExpectedEBC(1, 1982, 3.1, 2)},
		{label: "AutoscalerStableModeDecreaseWithSmallScaleDownRate", target: 10, tbc: 1982, stable: 1, panic: 1, baseScale: 100,
			prep: func(d *KPADecider) { d.Spec.MaxScaleDownRate = 1.1 }, wantScale: 90, wantEBC: kpaExpectedEBC(10, 1982, 1, 100)},
		{label: "AutoscalerStableModeDecreaseNonReachable", target: 10, tbc: 1982, stable: 1, panic: 1, baseScale: 100,
			prep: func(d *KPADecider) { d.Spec.MaxScaleDownRate = 1.1; d.Spec.Reachable = false }, wantScale: 1, wantEBC: kpaExpectedEBC(10, 1982, 1, 100)},
		// the panic value takes precedence.
		{label: "AutoscalerPanicModeDoublePodCount", target: 10, tbc: 84, stable: 50, panic: 100, baseScale: 1, wantScale: 10, wantEBC: kpaExpectedEBC(10, 84, 100, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			d := NewKPADecider(kpaT0, kpaTestSpec(tt.target, tt.tbc), 1)
			if tt.prep != nil {
				tt.prep(d)
			}
			got := d.Scale(kpaT0, KPAObservation{ReadyPods: tt.baseScale, Stable: tt.stable, Panic: tt.panic})
			checkKPAResult(t, 0, got, kpaOK(tt.wantScale, tt.wantEBC))
		})
	}
}

// TestKPAStartInPanicMode is upstream's TestStartInPanicMode and TestNewFail
// (a pod counter error when made counts 0 pods; here the caller passes 0).
func TestKPAStartInPanicMode(t *testing.T) {
	spec := KPASpec{TargetValue: 100, TotalValue: 120, TargetBurstCapacity: 11, PanicThreshold: 220,
		MaxScaleUpRate: 10, MaxScaleDownRate: 10, StableWindow: kpaTestStableWindow}
	for i := range 2 {
		d := NewKPADecider(kpaT0, spec, i)
		if p, _ := d.Panicking(); p {
			t.Errorf("made at scale %d in panic mode", i)
		}
		if d.maxPanicPods != i {
			t.Errorf("maxPanicPods = %d, want %d", d.maxPanicPods, i)
		}
	}
	d := NewKPADecider(kpaT0, spec, 2)
	if p, at := d.Panicking(); !p || at != kpaT0 {
		t.Errorf("made at scale 2: panicking %v since %s, want since %s", p, at, kpaT0)
	}
	if d.maxPanicPods != 2 {
		t.Errorf("maxPanicPods = %d, want 2", d.maxPanicPods)
	}
}

// A decider made in panic keeps its count for a stable window (upstream's
// comment in newAutoscaler: a restarted autoscaler has lost its history).
func TestKPAStartInPanicHoldsScale(t *testing.T) {
	d := NewKPADecider(kpaT0, kpaTestSpec(10, 100), 5)
	if got := d.Scale(kpaT0.Add(60*time.Second), KPAObservation{ReadyPods: 5, Stable: 10, Panic: 10}); got.DesiredPodCount != 5 || !got.Panicking {
		t.Errorf("at one stable window: %+v, want 5 in panic", got)
	}
	if got := d.Scale(kpaT0.Add(61*time.Second), KPAObservation{ReadyPods: 5, Stable: 10, Panic: 10}); got.DesiredPodCount != 1 || got.Panicking {
		t.Errorf("after it: %+v, want 1, calm", got)
	}
}

func TestKPAArithmetic(t *testing.T) {
	if got := KPAMaxScaleUp(1.1, 2); got != 3 {
		t.Errorf("KPAMaxScaleUp(1.1, 2) = %g, want 3", got)
	}
	if got := KPAMaxScaleDown(1.1, 100, true); got != 90 {
		t.Errorf("KPAMaxScaleDown(1.1, 100) = %g, want 90", got)
	}
	if got := KPAMaxScaleDown(2, 100, false); got != 0 {
		t.Errorf("KPAMaxScaleDown unreachable = %g, want 0", got)
	}
	if got := KPABoundPods(100, 1, 10); got != 10 {
		t.Errorf("KPABoundPods(100, 1, 10) = %d, want 10", got)
	}
	if got := KPABoundPods(0, 5, 10); got != 5 {
		t.Errorf("KPABoundPods(0, 5, 10) = %d, want 5", got)
	}
	if got := KPAActivationScale(0, 0, 3); got != 0 {
		t.Errorf("activation with no load = %d, want 0", got)
	}
	if got := KPAActivationScale(1, 1, 3); got != 3 {
		t.Errorf("activation = %d, want 3", got)
	}
	if !KPAOverPanicThreshold(20, 10, 2) || KPAOverPanicThreshold(19, 10, 2) {
		t.Error("panic threshold is reached at exactly 2x")
	}
	if got := KPAExcessBurstCapacity(3, 100, 211, 50); got != 39 {
		t.Errorf("ebc = %g, want floor(300 - 211 - 50) = 39", got)
	}
	if got := KPAExcessBurstCapacity(3, 100, -1, 50); got != -1 {
		t.Errorf("ebc unlimited = %g, want -1", got)
	}
}

func TestKPAConfig(t *testing.T) {
	c := DefaultKPAConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if target, total := c.Targets(); target != 70 || total != 100 {
		t.Errorf("default targets = %g/%g, want 70/100", target, total)
	}
	if got := c.PanicWindow(); got != 6*time.Second {
		t.Errorf("panic window = %s, want 6s", got)
	}
	s := c.Spec()
	if s.PanicThreshold != 2 || s.MaxScaleUpRate != 1000 || s.MaxScaleDownRate != 2 || s.TargetBurstCapacity != 211 ||
		s.StableWindow != time.Minute || !s.Reachable || s.InitialScale != 1 {
		t.Errorf("default spec = %+v", s)
	}
	cc := c
	cc.ContainerConcurrency, cc.Target = 10, 50 // the annotation is capped at the limit
	if target, total := cc.Targets(); total != 10 || math.Abs(target-7) > 1e-12 {
		t.Errorf("cc 10, target 50: %g/%g, want 7/10", target, total)
	}
	rps := c
	rps.Metric = KPARPS
	if target, total := rps.Targets(); target != 140 || total != 200 {
		t.Errorf("rps targets = %g/%g, want 140/200", target, total)
	}
	short := c
	short.StableWindow = 6 * time.Second
	if got := short.PanicWindow(); got != time.Second {
		t.Errorf("panic window of 6s = %s, want 1s (one bucket)", got)
	}
	bad := c
	bad.MaxScaleUpRate, bad.TargetBurstCapacity, bad.ActivationScale, bad.InitialScale = 1, -2, 1, 0
	err := bad.Validate()
	for _, want := range []string{"max_scale_up_rate", "target_burst_capacity", "activation_scale", "initial_scale"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
}

// TestKPAWindowsToDecider feeds the collector's windows one scrape a second
// and checks what the decider reads: with the defaults (60 s stable, 6 s
// panic window, target 70), 140 in flight for 6 s after 54 s at 70 is a
// panic average of 140 (2 x 1 pod) and a stable one of 77: panic, 2 pods.
func TestKPAWindowsToDecider(t *testing.T) {
	c := DefaultKPAConfig()
	w := NewKPAWindows(c)
	if o := w.Observe(0, 1); !o.NoData {
		t.Fatalf("empty windows: %+v, want NoData", o)
	}
	d := NewKPADecider(0, c.Spec(), 1)
	var now sim.Time
	for i := range 60 {
		now = sim.At(time.Duration(i) * time.Second)
		v := 70.
		if i >= 54 {
			v = 140
		}
		w.Record(now, v, 0, 0, 0)
	}
	o := w.Observe(now, 1)
	if o.Stable != 77 || o.Panic != 140 {
		t.Fatalf("observation = %+v, want stable 77, panic 140", o)
	}
	if got := d.Scale(now, o); got.DesiredPodCount != 2 || !got.Panicking {
		t.Errorf("Scale = %+v, want 2 in panic", got)
	}
	// 61 s without a write: the stable window is empty again.
	if o := w.Observe(now.Add(61*time.Second), 2); !o.NoData {
		t.Errorf("after 61 s of silence: %+v, want NoData", o)
	}
}

// kpaBenchLoop is one evaluation tick of the collector and the decider: a
// scrape recorded, both windows read, one Scale.
func kpaBenchLoop(w *KPAWindows, d *KPADecider, i int) {
	now := sim.At(time.Duration(i) * time.Second)
	w.Record(now, float64(50+i%100), 0, float64(i%200), 0)
	d.Scale(now, w.Observe(now, 1+i%7))
}

func kpaBenchSetup() (*KPAWindows, *KPADecider) {
	c := DefaultKPAConfig()
	c.ScaleDownDelay = 5 * time.Minute
	return NewKPAWindows(c), NewKPADecider(0, c.Spec(), 1)
}

// TestKPANoAllocs pins what BenchmarkKPAObservation reports: nothing is
// allocated per observation in steady state.
func TestKPANoAllocs(t *testing.T) {
	w, d := kpaBenchSetup()
	i := 0
	for ; i < 1000; i++ {
		kpaBenchLoop(w, d, i)
	}
	if n := testing.AllocsPerRun(1000, func() { kpaBenchLoop(w, d, i); i++ }); n != 0 {
		t.Errorf("%g allocations per observation, want 0", n)
	}
}

// BenchmarkKPAObservation is upstream's BenchmarkAutoscaler with the
// collector's windows in the loop.
func BenchmarkKPAObservation(b *testing.B) {
	w, d := kpaBenchSetup()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		kpaBenchLoop(w, d, i)
		i++
	}
}
