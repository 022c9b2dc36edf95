package policies_test

import (
	"math"
	"strings"
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// The replica-calculator cases are ported from Kubernetes'
// pkg/controller/podautoscaler/replica_calculator_test.go, with upstream's
// fixture: each pod has two containers, each requesting `requests[i]` and
// using `levels[i]` (milli-units), so a pod requests and uses twice that;
// pods beyond len(levels) have no metric (missing); samples have window 1m
// and timestamp zero; readiness last changed at time zero; the calculator
// runs with upstream's testing constants (tolerance 0.1, CPU initialization
// period 2m, initial readiness delay 10s). Pods upstream marks Failed or
// deleted never reach a policy here (the cluster does not list them), so
// those cases list only the live pods.

const (
	testCPUInit        = 2 * time.Minute
	testReadinessDelay = 10 * time.Second
)

var testTolerance = Tolerances{Down: 0.1, Up: 0.1}

// hotCPU is a pod that started now; coolCPU one that started 3m ago (past
// the 2m initialization period), as upstream's hotCPUCreationTime and
// coolCPUCreationTime.
var (
	hotCPU  = testNow
	coolCPU = ago(3 * time.Minute)
)

type calcFixture struct {
	requests []int64 // milli per container, one per pod
	levels   []int64 // milli per container; shorter = missing metrics
	notReady []int   // indices of pods whose Ready condition is false
	start    map[int]sim.Time
	pending  []int // indices of pods in PhasePending
	res      Resource
}

func (f calcFixture) pods() []Pod {
	pods := make([]Pod, len(f.requests))
	for i := range pods {
		p := Pod{ID: i, Phase: PhaseRunning, Ready: true, Started: f.start[i]}
		m := Metric{Window: time.Minute}
		if i < len(f.levels) {
			m.OK, m.Value = true, float64(2*f.levels[i])/1000
		}
		req := float64(2*f.requests[i]) / 1000
		if f.res == Memory {
			p.Memory, p.MemoryRequest = m, req
		} else {
			p.CPU, p.CPURequest = m, req
		}
		pods[i] = p
	}
	for _, i := range f.notReady {
		pods[i].Ready = false
	}
	for _, i := range f.pending {
		pods[i].Phase = PhasePending
	}
	return pods
}

func reqs(n int, milli int64) []int64 {
	r := make([]int64, n)
	for i := range r {
		r[i] = milli
	}
	return r
}

func TestResourceReplicas(t *testing.T) {
	tests := []struct {
		name      string
		current   int
		f         calcFixture
		target    int
		tol       *Tolerances
		want      int
		wantUtil  int64
		wantError string
	}{
		// TestReplicaCalcResourceScale
		{name: "scale up", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{300, 500, 700}}, target: 30, want: 5, wantUtil: 50},
		{name: "scale up: unready pod scales less", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{300, 500, 700}, notReady: []int{0}}, target: 30, want: 4, wantUtil: 60},
		{name: "scale up: hot-CPU pod scales less", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{300, 500, 700},
			start: map[int]sim.Time{0: hotCPU, 1: coolCPU, 2: coolCPU}}, target: 30, want: 4, wantUtil: 60},
		{name: "no scale: unready pods ignored", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{400, 500, 700}, notReady: []int{1, 2}}, target: 30, want: 3, wantUtil: 40},
		{name: "no scale: hot-CPU pods ignored", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{400, 500, 700}, notReady: []int{1, 2},
			start: map[int]sim.Time{0: coolCPU, 1: hotCPU, 2: hotCPU}}, target: 30, want: 3, wantUtil: 40},
		{name: "scale up: failed pods ignored (not listed)", current: 2, f: calcFixture{requests: reqs(2, 1000), levels: []int64{500, 700}}, target: 30, want: 4, wantUtil: 60},
		{name: "scale down", current: 5, f: calcFixture{requests: reqs(5, 1000), levels: []int64{100, 300, 500, 250, 250}}, target: 50, want: 3, wantUtil: 28},
		{name: "scale down: exclude unready pods", current: 5, f: calcFixture{requests: reqs(5, 1000), levels: []int64{100, 300, 500, 250, 250}, notReady: []int{3, 4}},
			target: 50, want: 2, wantUtil: 30},
		{name: "scale down: exclude unscheduled pods", current: 5, f: calcFixture{requests: reqs(5, 1000), levels: []int64{100}, notReady: []int{1, 2, 3, 4}, pending: []int{1, 2, 3, 4}},
			target: 50, want: 1, wantUtil: 10},
		{name: "scale down: ignore hot-CPU pods", current: 5, f: calcFixture{requests: reqs(5, 1000), levels: []int64{100, 300, 500, 250, 250},
			start: map[int]sim.Time{0: coolCPU, 1: coolCPU, 2: coolCPU, 3: hotCPU, 4: hotCPU}}, target: 50, want: 2, wantUtil: 30},
		// TestReplicaCalcTolerance
		{name: "tolerance", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{1010, 1030, 1020}}, target: 100, want: 3, wantUtil: 102},
		// TestReplicaCalcConfigurableTolerance
		{name: "outside of a 0% tolerance", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{909, 1010, 1111}},
			target: 100, tol: &Tolerances{0, 0}, want: 4, wantUtil: 101},
		{name: "within a 200% scale-up tolerance", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{1890, 1910, 1900}},
			target: 100, tol: &Tolerances{0.1, 2}, want: 3, wantUtil: 190},
		{name: "outside 8% scale-up tolerance (and superfluous scale-down tolerance)", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{1100, 1080, 1090}},
			target: 100, tol: &Tolerances{2, 0.08}, want: 4, wantUtil: 109},
		{name: "within a 36% scale-down tolerance", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{660, 640, 650}},
			target: 100, tol: &Tolerances{0.36, 0.1}, want: 3, wantUtil: 65},
		{name: "outside a 34% scale-down tolerance", current: 3, f: calcFixture{requests: []int64{900, 1000, 1100}, levels: []int64{660, 640, 650}},
			target: 100, tol: &Tolerances{0.34, 0.1}, want: 2, wantUtil: 65},
		// TestReplicaCalcSuperfluousMetrics (the two metrics of unknown pods
		// cannot occur here; the four pods' arithmetic is the same)
		{name: "superfluous metrics", current: 4, f: calcFixture{requests: reqs(4, 1000), levels: []int64{4000, 9500, 3000, 7000}}, target: 100, want: 24, wantUtil: 587},
		// TestReplicaCalcMissingMetrics
		{name: "missing metrics", current: 4, f: calcFixture{requests: reqs(4, 1000), levels: []int64{400, 95}}, target: 100, want: 3, wantUtil: 24},
		// TestReplicaCalcEmptyMetrics, TestReplicaCalcEmptyCPURequest
		{name: "empty metrics", current: 4, f: calcFixture{requests: reqs(3, 1000)}, target: 100, wantError: "did not receive metrics"},
		{name: "empty CPU request", current: 1, f: calcFixture{requests: []int64{0}, levels: []int64{200}}, target: 100, wantError: "missing request for cpu"},
		// TestReplicaCalcMissingMetricsNoChange{Eq,Gt,Lt}
		{name: "missing metrics no change eq", current: 2, f: calcFixture{requests: reqs(2, 1000), levels: []int64{1000}}, target: 100, want: 2, wantUtil: 100},
		{name: "missing metrics no change gt", current: 2, f: calcFixture{requests: reqs(2, 1000), levels: []int64{1900}}, target: 100, want: 2, wantUtil: 190},
		{name: "missing metrics no change lt", current: 2, f: calcFixture{requests: reqs(2, 1000), levels: []int64{600}}, target: 100, want: 2, wantUtil: 60},
		// TestReplicaCalcMissingMetrics{UnreadyChange,HotCpuNoChange,UnreadyScaleUp,HotCpuScaleUp,UnreadyScaleDown,ScaleDownTargetOver100}
		{name: "missing metrics unready change", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{100, 450}, notReady: []int{0}}, target: 50, want: 3, wantUtil: 45},
		{name: "missing metrics hot CPU no change", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{100, 450},
			start: map[int]sim.Time{0: hotCPU, 1: coolCPU, 2: coolCPU}}, target: 50, want: 3, wantUtil: 45},
		{name: "missing metrics unready scale up", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{100, 2000}, notReady: []int{0}}, target: 50, want: 4, wantUtil: 200},
		{name: "missing metrics hot CPU scale up", current: 3, f: calcFixture{requests: reqs(3, 1000), levels: []int64{100, 2000}, notReady: []int{0},
			start: map[int]sim.Time{0: hotCPU, 1: coolCPU, 2: coolCPU}}, target: 50, want: 4, wantUtil: 200},
		{name: "missing metrics unready scale down", current: 4, f: calcFixture{requests: reqs(4, 1000), levels: []int64{100, 100, 100}, notReady: []int{0}}, target: 50, want: 3, wantUtil: 10},
		{name: "missing metrics scale down target over 100", current: 4, f: calcFixture{requests: []int64{1000, 1000, 2000, 2000}, levels: []int64{200, 100, 100}, notReady: []int{0}},
			target: 300, want: 2, wantUtil: 6},
		// TestReplicaCalcDuringRollingUpdateWithMaxSurge
		{name: "during rolling update with max surge", current: 2, f: calcFixture{requests: reqs(3, 1000), levels: []int64{100, 100}}, target: 50, want: 2, wantUtil: 10},
		// Not upstream's table: utilization is a truncated whole percentage
		// before the ratio is taken, so 110.9% of a 100% target is 110% and
		// stays within the 0.1 tolerance.
		{name: "utilization truncated before the tolerance check", current: 1, f: calcFixture{requests: reqs(1, 1000), levels: []int64{1109}}, target: 100, want: 1, wantUtil: 110},
		{name: "111% is outside the tolerance", current: 1, f: calcFixture{requests: reqs(1, 1000), levels: []int64{1110}}, target: 100, want: 2, wantUtil: 111},
		// Memory (TestGroupPods "count in a ready pod - memory"): readiness
		// and the initialization period apply to CPU only, so an unready or
		// just-started pod's memory counts.
		{name: "memory: unready and hot pods count", current: 3, f: calcFixture{res: Memory, requests: reqs(3, 1000), levels: []int64{300, 500, 700}, notReady: []int{0},
			start: map[int]sim.Time{1: hotCPU}}, target: 30, want: 5, wantUtil: 50},
		{name: "memory: scale down", current: 5, f: calcFixture{res: Memory, requests: reqs(5, 1000), levels: []int64{100, 300, 500, 250, 250}}, target: 50, want: 3, wantUtil: 28},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.f.res
			if res == "" {
				res = CPU
			}
			tol := testTolerance
			if tc.tol != nil {
				tol = *tc.tol
			}
			c := GetResourceReplicas(testNow, tc.current, tc.f.pods(), MetricTarget{Resource: res, TargetUtilization: tc.target}, tol, testCPUInit, testReadinessDelay)
			if tc.wantError != "" {
				if c.Err == nil || !strings.Contains(c.Err.Error(), tc.wantError) {
					t.Fatalf("error %v, want one containing %q", c.Err, tc.wantError)
				}
				return
			}
			if c.Err != nil {
				t.Fatalf("unexpected error %v", c.Err)
			}
			if c.Replicas != tc.want || c.Utilization != tc.wantUtil {
				t.Errorf("got %d replicas at %d%%, want %d at %d%% (%s)", c.Replicas, c.Utilization, tc.want, tc.wantUtil, c.Explanation)
			}
		})
	}
}

// TestReplicaCalcComputedToleranceAlgImplementation ports upstream's
// regression test that back-calculates a target just outside, then just
// inside, the tolerance.
func TestReplicaCalcComputedToleranceAlgImplementation(t *testing.T) {
	startPods := 10
	totalUsed := int64(startPods * 150)
	totalRequested := 2 * totalUsed
	requestedToUsed := float64(totalRequested / totalUsed)
	perPod := totalRequested / int64(startPods)
	target := math.Abs(1/(requestedToUsed*(1-0.1))) + .01
	finalTarget := int(target * 100)
	usedRatio := float64(totalUsed) / (float64(totalRequested) * target)
	finalPods := int(math.Ceil(usedRatio * float64(startPods)))
	f := calcFixture{
		levels:   reqs(10, totalUsed/10),
		requests: []int64{perPod + 100, perPod - 100, perPod + 10, perPod - 10, perPod + 2, perPod - 2, perPod + 1, perPod - 1, perPod, perPod},
	}
	c := GetResourceReplicas(testNow, startPods, f.pods(), MetricTarget{Resource: CPU, TargetUtilization: finalTarget}, testTolerance, testCPUInit, testReadinessDelay)
	if c.Replicas != finalPods || c.Utilization != totalUsed*100/totalRequested {
		t.Errorf("just outside tolerance: got %d at %d%%, want %d at %d%%", c.Replicas, c.Utilization, finalPods, totalUsed*100/totalRequested)
	}
	target = math.Abs(1/(requestedToUsed*(1-0.1))) + .004
	c = GetResourceReplicas(testNow, startPods, f.pods(), MetricTarget{Resource: CPU, TargetUtilization: int(target * 100)}, testTolerance, testCPUInit, testReadinessDelay)
	if c.Replicas != startPods {
		t.Errorf("just inside tolerance: got %d, want %d", c.Replicas, startPods)
	}
}

// TestGroupPods ports upstream's table. Upstream cases about pods without a
// Ready condition, deleted or failed pods do not apply: the cluster lists
// only live pods, and a running pod always has a readiness state.
func TestGroupPods(t *testing.T) {
	type pod struct {
		ready        bool
		pending      bool
		started      sim.Time
		readyChanged sim.Time
		metric       *Metric
	}
	m := func(ts sim.Time, w time.Duration) *Metric {
		return &Metric{OK: true, Value: 0.001, Timestamp: ts, Window: w}
	}
	tests := []struct {
		name                                string
		pods                                []pod
		res                                 Resource
		wantReady, wantUnready, wantMissing []int
	}{
		{name: "void", res: CPU},
		{name: "count in a ready pod - memory", pods: []pod{{metric: m(testNow, time.Minute)}}, res: Memory, wantReady: []int{0}},
		{name: "count in a ready pod with fresh metrics during initialization period - CPU",
			pods: []pod{{ready: true, started: ago(time.Minute), readyChanged: ago(30 * time.Second), metric: m(testNow, 30*time.Second)}}, res: CPU, wantReady: []int{0}},
		{name: "unready a ready pod without fresh metrics during initialization period - CPU",
			pods: []pod{{ready: true, started: ago(time.Minute), readyChanged: ago(30 * time.Second), metric: m(testNow, 60*time.Second)}}, res: CPU, wantUnready: []int{0}},
		{name: "unready an unready pod during initialization period - CPU",
			pods: []pod{{started: ago(10 * time.Minute), readyChanged: ago(9*time.Minute + 54*time.Second), metric: m(0, 0)}}, res: CPU, wantUnready: []int{0}},
		{name: "count in a ready pod without fresh metrics after initialization period - CPU",
			pods: []pod{{ready: true, started: ago(3 * time.Minute), readyChanged: ago(3 * time.Minute), metric: m(ago(2*time.Minute), time.Minute)}}, res: CPU, wantReady: []int{0}},
		{name: "count in an unready pod that was ready after initialization period - CPU",
			pods: []pod{{started: ago(10 * time.Minute), readyChanged: ago(9 * time.Minute), metric: m(0, 0)}}, res: CPU, wantReady: []int{0}},
		// Edge: readiness changed exactly InitialReadinessDelay after the
		// start is not After it, so the pod has been ready: counted.
		{name: "unready pod that has never been ready after initialization period - CPU",
			pods: []pod{{started: ago(10 * time.Minute), readyChanged: ago(9*time.Minute + 50*time.Second), metric: m(0, 0)}}, res: CPU, wantReady: []int{0}},
		{name: "never ready: readiness changed 1ns inside the initial delay",
			pods: []pod{{started: ago(10 * time.Minute), readyChanged: ago(9*time.Minute + 50*time.Second + 1), metric: m(0, 0)}}, res: CPU, wantUnready: []int{0}},
		{name: "a missing pod", pods: []pod{{ready: true, started: ago(3 * time.Minute)}}, res: CPU, wantMissing: []int{0}},
		{name: "several pods", pods: []pod{
			{started: testNow, metric: m(0, 0)},
			{ready: true, started: ago(3 * time.Minute), readyChanged: ago(3 * time.Minute), metric: m(0, 0)},
			{started: ago(3 * time.Minute)},
		}, res: CPU, wantReady: []int{1}, wantUnready: []int{0}, wantMissing: []int{2}},
		{name: "pending pods are unreadied", pods: []pod{{pending: true}}, res: CPU, wantUnready: []int{0}},
		{name: "pending pods are unreadied - memory too", pods: []pod{{pending: true, metric: m(testNow, time.Minute)}}, res: Memory, wantUnready: []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pods := make([]Pod, len(tc.pods))
			for i, p := range tc.pods {
				pods[i] = Pod{ID: i, Phase: PhaseRunning, Ready: p.ready, Started: p.started, ReadyChanged: p.readyChanged}
				if p.pending {
					pods[i].Phase = PhasePending
				}
				if p.metric != nil {
					pods[i].CPU, pods[i].Memory = *p.metric, *p.metric
				}
			}
			g := GroupPods(testNow, pods, tc.res, testCPUInit, testReadinessDelay)
			if !equalInts(g.Ready, tc.wantReady) || !equalInts(g.Unready, tc.wantUnready) || !equalInts(g.Missing, tc.wantMissing) {
				t.Errorf("ready %v unready %v missing %v, want %v %v %v", g.Ready, g.Unready, g.Missing, tc.wantReady, tc.wantUnready, tc.wantMissing)
			}
		})
	}
}

// readyPods returns n ready, long-running pods using `util` percent of a
// 1-core CPU request and of a 1 GiB memory request.
func readyPods(n int, cpuUtil, memUtil float64) []Pod {
	pods := make([]Pod, n)
	for i := range pods {
		pods[i] = Pod{
			ID: i, Phase: PhaseRunning, Ready: true,
			CPU:        Metric{OK: true, Value: cpuUtil / 100, Timestamp: 0, Window: 30 * time.Second},
			Memory:     Metric{OK: true, Value: memUtil / 100 * (1 << 30), Window: 30 * time.Second},
			CPURequest: 1, MemoryRequest: 1 << 30,
		}
	}
	return pods
}

func obs(current, minR, maxR int, pods []Pod) Observation {
	return Observation{Current: current, Min: minR, Max: maxR, Pods: pods}
}

// must returns v, or panics on a constructor error (a broken test).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestHPARecommend ports controller-level cases of horizontal_test.go
// (names cited) onto Recommend, with the real scale-up cap factor of 2.
func TestHPARecommend(t *testing.T) {
	cfg := DefaultHPAConfig()
	tests := []struct {
		name        string
		metrics     []MetricTarget
		o           Observation
		freshHist   bool // seed an empty history, as upstream tests do
		wantValid   bool
		wantDesired int
		wantReason  Reason
	}{
		// TestScaleUp: 3 pods at 50% of request, target 30%.
		{name: "TestScaleUp", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 30}}, o: obs(3, 2, 6, readyPods(3, 50, 0)), wantValid: true, wantDesired: 5, wantReason: "scale-up"},
		// TestScaleDown: 28% vs 50% -> 3, with upstream's empty history.
		{name: "TestScaleDown", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(5, 2, 6, readyPods(5, 28, 0)), freshHist: true, wantValid: true, wantDesired: 3, wantReason: "scale-down"},
		// TestScaleDownStabilizeInitialSize: the first reconcile records the
		// current count, which holds the scale-down for the window.
		{name: "TestScaleDownStabilizeInitialSize", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(5, 2, 6, readyPods(5, 28, 0)), wantValid: true, wantDesired: 5, wantReason: "stabilized"},
		// TestScaleUpOneMetricInvalid: one metric fails (no memory request),
		// the other still scales up: 40% vs 30% -> 4.
		{name: "TestScaleUpOneMetricInvalid", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 30}, {Resource: Memory, TargetUtilization: 50}}, o: obs(3, 2, 6, withoutMemoryRequest(readyPods(3, 40, 10))),
			wantValid: true, wantDesired: 4, wantReason: "scale-up"},
		// TestNoScaleDownOneMetricInvalid: one metric fails and the other
		// would scale down: hold.
		{name: "TestNoScaleDownOneMetricInvalid", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}, {Resource: Memory, TargetUtilization: 50}}, o: obs(5, 2, 6, withoutMemoryRequest(readyPods(5, 28, 10))),
			freshHist: true, wantValid: false, wantDesired: 5, wantReason: "no-metrics"},
		{name: "largest of two metrics wins", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}, {Resource: Memory, TargetUtilization: 50}}, o: obs(4, 1, 10, readyPods(4, 75, 100)), wantValid: true, wantDesired: 8, wantReason: "scale-up"},
		{name: "no metrics configured", o: obs(4, 1, 10, readyPods(4, 75, 100)), wantValid: false, wantDesired: 4, wantReason: "no-metrics"},
		{name: "all pods unready: no metrics", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(2, 1, 10, unready(readyPods(2, 75, 0))), wantValid: false, wantDesired: 2, wantReason: "no-metrics"},
		// TestZeroReplicas: scaling disabled at 0 with min > 0.
		{name: "TestZeroReplicas", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 90}}, o: obs(0, 3, 5, nil), wantValid: false, wantDesired: 0, wantReason: "scaling-disabled"},
		// TestTooFewReplicas / TestTooManyReplicas: brought into range first.
		{name: "TestTooFewReplicas", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 90}}, o: obs(3, 4, 5, readyPods(3, 10, 0)), wantValid: true, wantDesired: 4, wantReason: "scale-up"},
		{name: "TestTooManyReplicas", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 90}}, o: obs(10, 3, 5, readyPods(10, 100, 0)), wantValid: true, wantDesired: 5, wantReason: "scale-down"},
		// TestUpscaleCap (older path): at most max(2 x 2, 4) = 4.
		{name: "TestUpscaleCap", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 10}}, o: obs(2, 1, 100, readyPods(2, 100, 0)), wantValid: true, wantDesired: 4, wantReason: "scale-up"},
		{name: "within tolerance", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(4, 1, 10, readyPods(4, 54, 0)), wantValid: true, wantDesired: 4, wantReason: "within-tolerance"},
		{name: "at max", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(4, 1, 5, readyPods(4, 100, 0)), wantValid: true, wantDesired: 5, wantReason: "scale-up"},
		{name: "already at max", metrics: []MetricTarget{{Resource: CPU, TargetUtilization: 50}}, o: obs(5, 1, 5, readyPods(5, 100, 0)), wantValid: true, wantDesired: 5, wantReason: "at-max"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Metrics = tc.metrics
			h := must(NewHPA(c))
			if tc.freshHist {
				// Upstream's empty history: an evaluation 10 minutes
				// earlier leaves only records older than the window.
				h.Recommend(ago(10*time.Minute), tc.o)
			}
			r := h.Recommend(testNow, tc.o)
			if r.Valid != tc.wantValid || r.Desired != tc.wantDesired || r.Reason != tc.wantReason {
				t.Errorf("got valid=%v desired=%d reason=%q, want %v %d %q\n%s", r.Valid, r.Desired, r.Reason, tc.wantValid, tc.wantDesired, tc.wantReason, r.Explanation)
			}
			if r.Explanation == "" {
				t.Error("empty explanation")
			}
			checkLimitChain(t, r)
		})
	}
}

// checkLimitChain asserts that a valid recommendation's limits lead from
// Raw to Desired: the last limit ends at Desired.
func checkLimitChain(t *testing.T, r Recommendation) {
	t.Helper()
	if !r.Valid {
		return
	}
	if len(r.Limits) == 0 {
		if r.Raw != r.Desired {
			t.Errorf("raw %d became %d without a limit", r.Raw, r.Desired)
		}
		return
	}
	if last := r.Limits[len(r.Limits)-1]; last.To != r.Desired {
		t.Errorf("last limit %+v does not end at desired %d", last, r.Desired)
	}
}

func withoutMemoryRequest(pods []Pod) []Pod {
	for i := range pods {
		pods[i].MemoryRequest = 0
	}
	return pods
}

func unready(pods []Pod) []Pod {
	for i := range pods {
		pods[i].Ready = false
		pods[i].Started = testNow
	}
	return pods
}

func TestHPANamesAndValidation(t *testing.T) {
	cfg := DefaultHPAConfig()
	c := must(NewCPU(70, cfg))
	m := must(NewMemory(80, cfg))
	cfg.Metrics = []MetricTarget{{Resource: CPU, TargetUtilization: 70}, {Resource: Memory, TargetUtilization: 80}}
	h := must(NewHPA(cfg))
	if c.Name() != "cpu" || m.Name() != "memory" || h.Name() != "hpa" {
		t.Errorf("names %q %q %q", c.Name(), m.Name(), h.Name())
	}
	if len(c.Metrics()) != 1 || c.Metrics()[0] != (MetricTarget{Resource: CPU, TargetUtilization: 70}) {
		t.Errorf("cpu shorthand metrics %+v", c.Metrics())
	}
	bad := DefaultHPAConfig()
	bad.Metrics = []MetricTarget{{Resource: "gpu", TargetUtilization: 0}}
	bad.Tolerance = -1
	bad.Behavior = &Behavior{ScaleUp: Rules{SelectPolicy: "Often"}}
	_, err := NewHPA(bad)
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"metrics[0].resource", "metrics[0].target_utilization", "tolerance", "behavior.scale_up.select_policy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// TestHPAExplanation checks the sentence for a rate-limited scale-up.
func TestHPAExplanation(t *testing.T) {
	cfg := DefaultHPAConfig()
	cfg.Behavior = &Behavior{ScaleUp: Rules{Policies: []RatePolicy{{PodsPolicy, 1, 15 * time.Second}}}, ScaleDown: DefaultScaleDownRules()}
	h := must(NewCPU(70, cfg))
	r := h.Recommend(testNow, obs(4, 1, 10, readyPods(4, 92, 0)))
	want := "cpu utilization 92% vs target 70% -> ceil(4 x 1.31) = 6; scale-up policy 1 pods per 15s allows 5 -> 5"
	if r.Explanation != want || r.Desired != 5 || r.Raw != 6 || r.Reason != "scale-up" {
		t.Errorf("got %q (raw %d desired %d %s), want %q", r.Explanation, r.Raw, r.Desired, r.Reason, want)
	}
	if len(r.Limits) != 1 || r.Limits[0] != (Limit{Name: "rate-policy", From: 6, To: 5, Detail: "scale-up policy 1 pods per 15s allows 5"}) {
		t.Errorf("limits %+v", r.Limits)
	}
	if !hasInput(r, "cpu_utilization_pct", 92) || !hasInput(r, "current_replicas", 4) {
		t.Errorf("inputs %+v", r.Inputs)
	}
}

func hasInput(r Recommendation, name string, v float64) bool {
	for _, in := range r.Inputs {
		if in.Name == name && in.Value == v {
			return true
		}
	}
	return false
}

// TestRatePolicyPeriodEdge: a scale event exactly one period old no longer
// counts against the policy.
func TestRatePolicyPeriodEdge(t *testing.T) {
	r := Rules{SelectPolicy: SelectMax, Policies: []RatePolicy{{PodsPolicy, 2, 60 * time.Second}}}
	events := []ScaleEvent{{Change: 2, At: ago(60 * time.Second)}}
	if got := CalculateScaleUpLimitWithScalingRules(testNow, 4, events, nil, r); got != 6 {
		t.Errorf("event exactly 60s old: limit %d, want 6", got)
	}
	events[0].At = ago(60*time.Second - 1)
	if got := CalculateScaleUpLimitWithScalingRules(testNow, 4, events, nil, r); got != 4 {
		t.Errorf("event 60s-1ns old: limit %d, want 4", got)
	}
}

// TestHPABehaviorTolerance: a Behavior's per-direction tolerance overrides
// the policy-wide one (upstream TestReplicaCalcConfigurableToleranceCM's
// {0.1 down, 0.01 up} on a resource metric): 103% of a 100% target is
// within 0.1 but outside 0.01.
func TestHPABehaviorTolerance(t *testing.T) {
	cfg := DefaultHPAConfig()
	h := must(NewCPU(100, cfg))
	if r := h.Recommend(testNow, obs(3, 1, 10, readyPods(3, 103, 0))); r.Desired != 3 || r.Reason != "within-tolerance" {
		t.Errorf("default tolerance: desired %d %q", r.Desired, r.Reason)
	}
	b := DefaultBehavior()
	b.ScaleUp.Tolerance = ptr(0.01)
	cfg.Behavior = &b
	h = must(NewCPU(100, cfg))
	if r := h.Recommend(testNow, obs(3, 1, 10, readyPods(3, 103, 0))); r.Desired != 4 || r.Reason != "scale-up" {
		t.Errorf("scale-up tolerance 0.01: desired %d %q: %s", r.Desired, r.Reason, r.Explanation)
	}
	// The scale-down side keeps the policy-wide 0.1: 91% holds 20 pods
	// (ceil(20 x 0.91) = 19 within tolerance).
	if r := h.Recommend(testNow, obs(20, 1, 30, readyPods(20, 91, 0))); r.Desired != 20 || r.Reason != "within-tolerance" {
		t.Errorf("scale-down tolerance 0.1: desired %d %q: %s", r.Desired, r.Reason, r.Explanation)
	}
}
