package policies_test

import (
	"math"
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
)

// The Pods, Object and External cases of Kubernetes'
// pkg/controller/podautoscaler/replica_calculator_test.go
// (TestReplicaCalcPodMetric, TestReplicaCalcObjectMetric,
// TestReplicaCalcObjectPerPodMetric, TestReplicaCalcExternalMetric,
// TestReplicaCalcExternalPerPodMetric; kubernetes master as of 2025, the
// table-driven rewrite with calcScenario), case by case with upstream's
// names, levels (milli-units) and expectations. Upstream's fixture lists
// currentReplicas pods (more when podPhase is longer), all Running and
// Ready unless podReadiness says otherwise; a Pods metric returns levels[i]
// for pod i, so pods beyond len(levels) are missing. Tolerance 0.1 both
// ways unless the case overrides it.

type metricFixture struct {
	current  int
	pods     int // pods listed; 0 means current
	notReady []int
	levels   []int64
}

func (f metricFixture) podsAndValues() ([]Pod, []Metric) {
	n := f.pods
	if n == 0 {
		n = f.current
	}
	pods := make([]Pod, n)
	vals := make([]Metric, n)
	for i := range pods {
		pods[i] = Pod{ID: i, Phase: PhaseRunning, Ready: true}
		if i < len(f.levels) {
			vals[i] = Metric{OK: true, Value: float64(f.levels[i]) / 1000, Window: time.Minute}
		}
	}
	for _, i := range f.notReady {
		pods[i].Ready = false
	}
	return pods, vals
}

func (f metricFixture) ready() (ready, listed int) {
	pods, _ := f.podsAndValues()
	for _, p := range pods {
		if p.Ready {
			ready++
		}
	}
	return ready, len(pods)
}

func tolOr(t *Tolerances) Tolerances {
	if t != nil {
		return *t
	}
	return testTolerance
}

var upOnePct = &Tolerances{Down: 0.1, Up: 0.01}

func TestReplicaCalcPodMetric(t *testing.T) {
	cases := []struct {
		name        string
		f           metricFixture
		target      int64
		tol         *Tolerances
		wantRepl    int
		wantUsage   int64
		wantErrText string
	}{
		{name: "scale up", f: metricFixture{current: 3, levels: []int64{20000, 10000, 30000}}, target: 15000, wantRepl: 4, wantUsage: 20000},
		// Readiness and start time do not matter for a Pods metric: groupPods
		// applies them to CPU only, so all three pods count.
		{name: "scale up: unready hot-CPU pod scales less", f: metricFixture{current: 3, notReady: []int{2}, levels: []int64{50000, 10000, 30000}}, target: 15000, wantRepl: 6, wantUsage: 30000},
		{name: "scale up: unready hot-CPU pods avoid scale-down", f: metricFixture{current: 3, notReady: []int{0, 2}, levels: []int64{50000, 15000, 30000}}, target: 15000, wantRepl: 7, wantUsage: 31666},
		{name: "scale down", f: metricFixture{current: 5, levels: []int64{12000, 12000, 12000, 12000, 12000}}, target: 20000, wantRepl: 3, wantUsage: 12000},
		{name: "within default tolerance", f: metricFixture{current: 3, levels: []int64{20000, 21000, 21000}}, target: 20000, wantRepl: 3, wantUsage: 20666},
		{name: "outside configurable 1% tolerance", f: metricFixture{current: 3, levels: []int64{20000, 21000, 21000}}, target: 20000, tol: upOnePct, wantRepl: 4, wantUsage: 20666},
		{name: "no change: missing metrics", f: metricFixture{current: 5, levels: []int64{20000, 19000, 21000}}, target: 20000, wantRepl: 5, wantUsage: 20000},
		{name: "rolling update with maxSurge: extra pod missing metric", f: metricFixture{current: 2, pods: 3, levels: []int64{10000, 10000}}, target: 17000, wantRepl: 2, wantUsage: 10000},
		// Not upstream cases: its error paths.
		{name: "no pods", f: metricFixture{current: 0}, target: 1000, wantErrText: "no pods returned by selector while calculating replica count"},
		{name: "no pod has a sample", f: metricFixture{current: 2}, target: 1000, wantErrText: "did not receive metrics for targeted pods (pods might be unready)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pods, vals := tc.f.podsAndValues()
			got := GetMetricReplicas(tc.f.current, pods, vals, tc.target, tolOr(tc.tol))
			if tc.wantErrText != "" {
				if got.Err == nil || got.Err.Error() != tc.wantErrText {
					t.Fatalf("err = %v, want %q", got.Err, tc.wantErrText)
				}
				return
			}
			if got.Err != nil || got.Replicas != tc.wantRepl || got.Usage != tc.wantUsage {
				t.Errorf("replicas %d usage %d err %v, want %d %d", got.Replicas, got.Usage, got.Err, tc.wantRepl, tc.wantUsage)
			}
		})
	}
}

// TestPodMetricPendingAndMissing works upstream's rebalancing by hand: 2
// ready pods at 30 (target 10) with a Pending pod and a missing one, on a
// scale-up: both count at 0, (30+30+0+0)/4 = 15 -> ratio 1.5 -> ceil(4 x
// 1.5) = 6; on a scale-down (ready at 5) the missing pod counts at the
// target and the Pending one not at all: (5+5+10)/3 = 6.666 -> ratio 0.666
// -> ceil(3 x 0.666) = 2.
func TestPodMetricPendingAndMissing(t *testing.T) {
	pods := []Pod{{Phase: PhaseRunning, Ready: true}, {Phase: PhaseRunning, Ready: true}, {Phase: PhasePending}, {Phase: PhaseRunning, Ready: true}}
	up := []Metric{{OK: true, Value: 30}, {OK: true, Value: 30}, {}, {}}
	if got := GetMetricReplicas(4, pods, up, 10000, testTolerance); got.Replicas != 6 || got.Raw != 6 || got.Usage != 30000 || got.Unready != 1 || got.Missing != 1 {
		t.Errorf("scale-up: %+v", got)
	}
	down := []Metric{{OK: true, Value: 5}, {OK: true, Value: 5}, {}, {}}
	if got := GetMetricReplicas(4, pods, down, 10000, testTolerance); got.Replicas != 2 || got.Usage != 5000 {
		t.Errorf("scale-down: %+v", got)
	}
}

func TestReplicaCalcObjectMetric(t *testing.T) {
	cases := []struct {
		name      string
		f         metricFixture
		target    int64
		tol       *Tolerances
		wantRepl  int
		wantUsage int64
	}{
		{name: "scale up", f: metricFixture{current: 3, levels: []int64{20000}}, target: 15000, wantRepl: 4, wantUsage: 20000},
		{name: "scale up: very large metric saturates replicas to MaxInt32", f: metricFixture{current: 3, levels: []int64{math.MaxInt64}}, target: 1, wantRepl: math.MaxInt32, wantUsage: math.MaxInt64},
		{name: "scale up: ignores unready pods", f: metricFixture{current: 3, notReady: []int{0, 2}, levels: []int64{50000}}, target: 10000, wantRepl: 5, wantUsage: 50000},
		{name: "scale down", f: metricFixture{current: 5, levels: []int64{12000}}, target: 20000, wantRepl: 3, wantUsage: 12000},
		{name: "within default tolerance", f: metricFixture{current: 3, levels: []int64{20666}}, target: 20000, wantRepl: 3, wantUsage: 20666},
		{name: "outside configurable 1% tolerance", f: metricFixture{current: 3, levels: []int64{20666}}, target: 20000, tol: upOnePct, wantRepl: 4, wantUsage: 20666},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ready, listed := tc.f.ready()
			got := GetObjectMetricReplicas(tc.f.current, tc.f.levels[0], tc.target, ready, listed, tolOr(tc.tol))
			if got.Err != nil || got.Replicas != tc.wantRepl || got.Usage != tc.wantUsage {
				t.Errorf("replicas %d usage %d err %v, want %d %d", got.Replicas, got.Usage, got.Err, tc.wantRepl, tc.wantUsage)
			}
		})
	}
}

func TestReplicaCalcObjectPerPodMetric(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		level     int64
		target    int64
		tol       *Tolerances
		wantRepl  int
		wantUsage int64
	}{
		{name: "usage overflow with huge target leaves replicas unchanged", status: 1, level: math.MaxInt64, target: math.MaxInt64, wantRepl: 1, wantUsage: math.MaxInt64},
		{name: "scale up", status: 3, level: 20000, target: 5000, wantRepl: 4, wantUsage: 6667},
		{name: "scale down", status: 5, level: 6000, target: 2000, wantRepl: 3, wantUsage: 1200},
		{name: "within default tolerance", status: 4, level: 20166, target: 5000, wantRepl: 4, wantUsage: 5042},
		{name: "outside configurable 1% tolerance", status: 4, level: 20208, target: 5000, tol: upOnePct, wantRepl: 5, wantUsage: 5052},
		{name: "statusReplicas zero does not overflow usage", status: 0, level: 20000, target: 5000, wantRepl: 4, wantUsage: 0},
		{name: "statusReplicas zero and metric zero does not underflow", status: 0, level: 0, target: 5000, wantRepl: 0, wantUsage: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := GetObjectPerPodMetricReplicas(tc.status, tc.level, tc.target, tolOr(tc.tol))
			if got.Err != nil || got.Replicas != tc.wantRepl || got.Usage != tc.wantUsage {
				t.Errorf("replicas %d usage %d err %v, want %d %d", got.Replicas, got.Usage, got.Err, tc.wantRepl, tc.wantUsage)
			}
		})
	}
}

func TestReplicaCalcExternalMetric(t *testing.T) {
	cases := []struct {
		name      string
		f         metricFixture
		target    int64
		tol       *Tolerances
		wantRepl  int
		wantUsage int64
	}{
		// Would be 6 if unready pods were not ignored.
		{name: "scale down: ignores unready pods (would otherwise scale up)", f: metricFixture{current: 3, notReady: []int{0, 2}, levels: []int64{8600}}, target: 4400, wantRepl: 2, wantUsage: 8600},
		{name: "scale down", f: metricFixture{current: 5, levels: []int64{8600}}, target: 14334, wantRepl: 3, wantUsage: 8600},
		{name: "within default tolerance", f: metricFixture{current: 3, levels: []int64{8600}}, target: 8888, wantRepl: 3, wantUsage: 8600},
		{name: "outside configurable 1% tolerance", f: metricFixture{current: 3, levels: []int64{8900}}, target: 8800, tol: upOnePct, wantRepl: 4, wantUsage: 8900},
		{name: "usage overflow caps at MaxInt64", f: metricFixture{current: 3, levels: []int64{math.MaxInt64/2 + 1, math.MaxInt64/2 + 1}}, target: math.MaxInt64, wantRepl: 3, wantUsage: math.MaxInt64},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ready, listed := tc.f.ready()
			got := GetExternalMetricReplicas(tc.f.current, tc.f.levels, tc.target, ready, listed, tolOr(tc.tol))
			if got.Err != nil || got.Replicas != tc.wantRepl || got.Usage != tc.wantUsage {
				t.Errorf("replicas %d usage %d err %v, want %d %d", got.Replicas, got.Usage, got.Err, tc.wantRepl, tc.wantUsage)
			}
		})
	}
}

func TestReplicaCalcExternalPerPodMetric(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		levels    []int64
		target    int64
		tol       *Tolerances
		wantRepl  int
		wantUsage int64
	}{
		// Targeting a 1:1 ratio between metric value and number of pods.
		{name: "replica count overflow saturates to MaxInt32", status: 1, levels: []int64{math.MaxInt64}, target: 1, wantRepl: math.MaxInt32, wantUsage: math.MaxInt64},
		{name: "usage overflow with huge target leaves replicas unchanged", status: 1, levels: []int64{math.MaxInt64}, target: math.MaxInt64, wantRepl: 1, wantUsage: math.MaxInt64},
		{name: "statusReplicas zero does not overflow usage", status: 0, levels: []int64{20000}, target: 5000, wantRepl: 4, wantUsage: 0},
		{name: "statusReplicas zero and metric zero does not underflow", status: 0, levels: []int64{0}, target: 5000, wantRepl: 0, wantUsage: 0},
		{name: "scale up", status: 3, levels: []int64{8600}, target: 2150, wantRepl: 4, wantUsage: 2867},
		{name: "scale down", status: 5, levels: []int64{8600}, target: 2867, wantRepl: 3, wantUsage: 1720},
		{name: "within default tolerance", status: 3, levels: []int64{8600}, target: 2900, wantRepl: 3, wantUsage: 2867},
		{name: "outside configurable 1% tolerance", status: 3, levels: []int64{8600}, target: 2800, tol: upOnePct, wantRepl: 4, wantUsage: 2867},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := GetExternalPerPodMetricReplicas(tc.status, tc.levels, tc.target, tolOr(tc.tol))
			if got.Err != nil || got.Replicas != tc.wantRepl || got.Usage != tc.wantUsage {
				t.Errorf("replicas %d usage %d err %v, want %d %d", got.Replicas, got.Usage, got.Err, tc.wantRepl, tc.wantUsage)
			}
		})
	}
}

// TestObjectValueFromZero is getUsageRatioReplicaCount at 0 replicas:
// ceil(ratio), without tolerance and without pods (HPAScaleToZero).
func TestObjectValueFromZero(t *testing.T) {
	if got := GetObjectMetricReplicas(0, 2500, 1000, 0, 0, testTolerance); got.Replicas != 3 || got.Err != nil {
		t.Errorf("from zero: %+v", got)
	}
	if got := GetExternalMetricReplicas(0, []int64{0}, 1000, 0, 0, testTolerance); got.Replicas != 0 || got.Err != nil {
		t.Errorf("stay at zero: %+v", got)
	}
	// At 1 replica with no pods listed and a ratio outside tolerance,
	// upstream cannot count ready pods.
	if got := GetObjectMetricReplicas(1, 5000, 1000, 0, 0, testTolerance); got.Err == nil {
		t.Errorf("no pods listed: want an error, got %+v", got)
	}
}

// TestHPACustomMetrics drives the HPA policy through Observation.Metrics:
// computeReplicasForMetrics takes the largest proposal, and a metric the
// adapter does not serve yet is invalid (scale up on the others, never
// down).
func TestHPACustomMetrics(t *testing.T) {
	pods := readyPods(4, 50, 0)
	rps := make([]Metric, len(pods))
	for i := range rps {
		rps[i] = Metric{OK: true, Value: 75}
	}
	metrics := &CustomMetrics{
		Pods:     []PodSeries{{Name: MetricRequestsPerSecond, Values: rps}},
		Object:   []NamedMetric{{Name: MetricRequestsInFlight, Metric: Metric{OK: true, Value: 12}}},
		External: []NamedMetric{{Name: MetricQueueDepth, Metric: Metric{OK: true, Value: 900}}},
	}
	newHPA := func(ms ...MetricTarget) *HPA {
		cfg := DefaultHPAConfig()
		cfg.Metrics = ms
		cfg.Behavior = &Behavior{}
		b := cfg.Behavior.WithDefaults()
		b.ScaleDown.StabilizationWindow = 0
		cfg.Behavior = &b
		return must(NewHPA(cfg))
	}
	o := obs(4, 1, 20, pods)
	o.Metrics = metrics
	podsRPS := MetricTarget{Type: SourcePods, Metric: MetricRequestsPerSecond, TargetAverageValue: 50}
	queue := MetricTarget{Type: SourceExternal, Metric: MetricQueueDepth, TargetAverageValue: 100}
	inflight := MetricTarget{Type: SourceObject, Metric: MetricRequestsInFlight, TargetValue: 4}

	// 75 rps per pod vs 50 -> ceil(4 x 1.5) = 6.
	if r := newHPA(podsRPS).Recommend(testNow, o); !r.Valid || r.Desired != 6 {
		t.Errorf("pods rps: %+v", r)
	}
	// 900 messages / 100 per pod -> 9; the largest of 6 and 9 wins.
	if r := newHPA(podsRPS, queue).Recommend(testNow, o); !r.Valid || r.Desired != 8 {
		// Kubernetes' default scale-up policies allow max(+4 pods, +100%)
		// per 15 s from 4: 8.
		t.Errorf("largest of two: %+v", r)
	}
	// 12 in flight vs 4 with 4 ready pods -> ceil(4 x 3) = 12 -> rate limited to 8.
	if r := newHPA(inflight).Recommend(testNow, o); !r.Valid || r.Raw != 12 || r.Desired != 8 {
		t.Errorf("object value: %+v", r)
	}
	// A metric without a value: no scale-down on the others.
	low := *o.Metrics
	low.Pods = []PodSeries{{Name: MetricRequestsPerSecond, Values: []Metric{{OK: true, Value: 10}, {OK: true, Value: 10}, {OK: true, Value: 10}, {OK: true, Value: 10}}}}
	ol := o
	ol.Metrics = &low
	lat := MetricTarget{Type: SourceObject, Metric: MetricLatencyP95, TargetValue: 0.2}
	if r := newHPA(podsRPS, lat).Recommend(testNow, ol); r.Valid || r.Reason != ReasonNoMetrics {
		t.Errorf("invalid metric with a scale-down: %+v", r)
	}
	if r := newHPA(podsRPS).Recommend(testNow, ol); !r.Valid || r.Desired != 1 {
		// 10 vs 50 -> ceil(4 x 0.2) = 1 with no stabilization.
		t.Errorf("scale-down alone: %+v", r)
	}
}

func TestCustomMetricValidation(t *testing.T) {
	cases := []struct {
		m     MetricTarget
		field string
	}{
		{MetricTarget{Type: SourcePods, Metric: "cpu_seconds", TargetAverageValue: 1}, "metrics[0].metric"},
		{MetricTarget{Type: SourcePods, Metric: MetricRequestsPerSecond, TargetValue: 1}, "metrics[0].target_value"},
		{MetricTarget{Type: SourcePods, Metric: MetricRequestsPerSecond}, "metrics[0].target_average_value"},
		{MetricTarget{Type: SourceObject, Metric: MetricRequestsPerSecond}, "metrics[0].target_value"},
		{MetricTarget{Type: SourceExternal, Metric: MetricQueueDepth, TargetValue: 1, TargetAverageValue: 1}, "metrics[0].target_average_value"},
		{MetricTarget{Type: SourceExternal, Metric: MetricQueueLength, TargetValue: 1}, "metrics[0].metric"},
		{MetricTarget{Type: SourceObject, Metric: MetricRequestsPerSecond, TargetValue: -1}, "metrics[0].target_value"},
	}
	for _, tc := range cases {
		cfg := DefaultHPAConfig()
		cfg.Metrics = []MetricTarget{tc.m}
		errs := FieldErrors(cfg.Validate())
		if len(errs) != 1 || errs[0].Field != tc.field {
			t.Errorf("%+v: errors %v, want one on %s", tc.m, errs, tc.field)
		}
	}
	ok := DefaultHPAConfig()
	ok.Metrics = []MetricTarget{{Type: SourceObject, Metric: MetricLatencyP99, TargetValue: 0.5}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid object metric: %v", err)
	}
}
