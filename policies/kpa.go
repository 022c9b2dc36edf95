package policies

import (
	"errors"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is the decider of the Knative Pod Autoscaler (KPA), ported from
// knative/serving at commit 98e5ef90aa7033797aa0a61ef97f3ff7e49a3944
// (knative-v1.23.0-5; pkg/autoscaler/scaling/autoscaler.go last changed in
// 4a744332fc99), Apache-2.0:
//
//   - pkg/autoscaler/scaling/autoscaler.go: autoscaler.Scale, as
//     KPADecider.Scale, its arithmetic as the small KPA* functions below;
//   - pkg/autoscaler/scaling/multiscaler.go: DeciderSpec and ScaleResult, as
//     KPASpec and KPAScaleResult;
//   - pkg/autoscaler/config/config.go: the config-autoscaler defaults and
//     their validation, as KPAConfig;
//   - pkg/reconciler/autoscaling/kpa/resources/decider.go (MakeDecider),
//     pkg/reconciler/autoscaling/resources/target.go (ResolveMetricTarget)
//     and metric.go (the panic window), as KPAConfig.Spec and
//     KPAConfig.PanicWindow.
//
// Upstream reads the ready pod count and the windowed metrics through
// interfaces inside Scale, and stamps a new autoscaler's panic time with
// time.Now(). Here both are arguments: the caller aggregates the metrics
// (KPABuckets, kpa_window.go) and passes them with the ready pod count in a
// KPAObservation, and time is the now passed in. Scale to zero (the grace
// period, the activator in the request path), min/max scale and the initial
// scale are the caller's, as upstream's KPA reconciler does them.

// KPAMetric is the metric the KPA scales on.
type KPAMetric string

const (
	// KPAConcurrency is requests in flight per pod (the default).
	KPAConcurrency KPAMetric = "concurrency"
	// KPARPS is requests per second per pod.
	KPARPS KPAMetric = "rps"
)

// KPAScaleDownDelayGranularity is the decider's tick (upstream tickInterval,
// 2 s): the scale-down-delay window keeps one maximum per tick.
const KPAScaleDownDelayGranularity = 2 * time.Second

// kpaTargetMin is upstream's autoscaling.TargetMin: the least target.
const kpaTargetMin = 0.01

// KPASpec is upstream's DeciderSpec: what one revision is scaled by.
type KPASpec struct {
	// MaxScaleUpRate caps a step up at ceil(rate x ready pods).
	MaxScaleUpRate float64
	// MaxScaleDownRate caps a step down at floor(ready pods / rate).
	MaxScaleDownRate float64
	// TargetValue is the metric per pod to maintain (concurrency or rps).
	TargetValue float64
	// TotalValue is the metric one pod can hold (TargetValue <= TotalValue).
	TotalValue float64
	// TargetBurstCapacity is the spare capacity to keep without queueing at
	// the pods: 0 none, -1 unlimited (the activator always in the path).
	TargetBurstCapacity float64
	// PanicThreshold is the factor of the panic-window load over what the
	// ready pods hold at target at which panic mode starts (2 = 200%).
	PanicThreshold float64
	// StableWindow is how long panic mode lasts after it was last
	// triggered.
	StableWindow time.Duration
	// ScaleDownDelay is how long a lower count must be wanted before it is
	// applied; 0 none. Read when the decider is made (as upstream's New).
	ScaleDownDelay time.Duration
	// InitialScale is the revision's initial scale; the decider does not
	// read it (upstream's neither: the reconciler holds the scale there until
	// it has been reached once).
	InitialScale int
	// Reachable is whether a route references the revision; an unreachable
	// one scales down at once (no rate limit, no delay).
	Reachable bool
	// ActivationScale is the least non-zero count (>= 2 when set): a
	// revision that needs any pod gets at least this many; 0 or 1 unset.
	ActivationScale int
}

// KPAObservation is what the decider is handed at one evaluation.
type KPAObservation struct {
	// ReadyPods is the number of ready pods (upstream's ReadyCount).
	ReadyPods int
	// Stable and Panic are the metric averaged over the stable and the
	// panic window (KPABuckets.WindowAverage), in the unit of TargetValue.
	Stable, Panic float64
	// NoData is true when the collector has nothing in the stable window
	// (upstream's ErrNoData), or the pods cannot be counted: no decision.
	NoData bool
}

// KPAScaleResult is upstream's ScaleResult, with the intermediate values a
// decision line reports.
type KPAScaleResult struct {
	// DesiredPodCount is the count the decider wants.
	DesiredPodCount int
	// ExcessBurstCapacity is the spare capacity beyond the target burst
	// capacity; negative means the activator should be in the request path.
	ExcessBurstCapacity int
	// ScaleValid is false when there was no data to decide on.
	ScaleValid bool

	// StablePodCount and PanicPodCount are the counts the stable and the
	// panic value want, within the rate bounds and the activation scale.
	StablePodCount, PanicPodCount int
	// MaxScaleUp and MaxScaleDown are the rate bounds.
	MaxScaleUp, MaxScaleDown int
	// Panicking is whether the decider is in panic mode after this call.
	Panicking bool
	// Delayed is true when the scale-down delay kept a higher count.
	Delayed bool
}

// KPAMaxScaleUp is the highest count one step may reach:
// ceil(rate x ready), where ready is at least 1. The ceiling lets a
// conservative rate (1.1 of 2 pods) still add a pod.
func KPAMaxScaleUp(rate, ready float64) float64 {
	return math.Ceil(rate * ready)
}

// KPAMaxScaleDown is the lowest count one step may reach:
// floor(ready / rate) for a reachable revision, 0 for an unreachable one.
func KPAMaxScaleDown(rate, ready float64, reachable bool) float64 {
	if !reachable {
		return 0
	}
	return math.Floor(ready / rate)
}

// KPAPodsFor is the raw count a value wants: ceil(observed / target).
func KPAPodsFor(observed, target float64) float64 {
	return math.Ceil(observed / target)
}

// KPABoundPods keeps a raw count within [maxScaleDown, maxScaleUp]
// (maxScaleUp wins when they cross).
func KPABoundPods(raw, maxScaleDown, maxScaleUp float64) int {
	return int(math.Min(math.Max(raw, maxScaleDown), maxScaleUp))
}

// KPAActivationScale raises a bounded count to the activation scale when the
// raw count is positive and the activation scale is above 1.
func KPAActivationScale(raw float64, bounded, activation int) int {
	if activation > 1 && raw > 0 && activation > bounded {
		return activation
	}
	return bounded
}

// KPAOverPanicThreshold is whether the panic value's raw count over the
// ready pods (at least 1) reaches the panic threshold.
func KPAOverPanicThreshold(panicPods, ready, threshold float64) bool {
	return panicPods/ready >= threshold
}

// KPAExcessBurstCapacity is floor(ready x total - tbc - panic): what the
// ready pods hold beyond the panic-window load and the target burst
// capacity. A tbc of 0 gives 0, a negative one (-1, unlimited) gives -1.
// Ready is the pods counted, not raised to 1.
func KPAExcessBurstCapacity(ready int, total, tbc, panicValue float64) float64 {
	switch {
	case tbc == 0:
		return 0
	case tbc > 0:
		return math.Floor(float64(float64(ready)*total) - tbc - panicValue)
	}
	return -1
}

// KPADecider is upstream's autoscaler without its clients: the panic state
// and the scale-down-delay window of one revision. Spec may be replaced
// between calls (upstream's Update); the delay window stays as it was made.
type KPADecider struct {
	// Spec is the decider spec in force.
	Spec KPASpec

	// panicking is upstream's !panicTime.IsZero(); panicTime is the last time
	// the panic threshold was reached (or the decider was made in panic).
	panicking    bool
	panicTime    sim.Time
	maxPanicPods int
	// delay is the scale-down-delay window; nil without a delay.
	delay *kpaMaxWindow
}

// NewKPADecider returns a decider made at now for a revision with ready
// pods. As upstream, it starts in panic mode when more than one pod is
// ready, so that a restarted autoscaler, having lost its metric history,
// keeps at least the current scale for a stable window.
func NewKPADecider(now sim.Time, spec KPASpec, ready int) *KPADecider {
	d := &KPADecider{Spec: spec, maxPanicPods: ready}
	if spec.ScaleDownDelay > 0 {
		d.delay = newKPAMaxWindow(spec.ScaleDownDelay, KPAScaleDownDelayGranularity)
	}
	if ready > 1 {
		d.panicking, d.panicTime = true, now
	}
	return d
}

// Panicking reports whether the decider is in panic mode, and since when it
// was last triggered.
func (d *KPADecider) Panicking() (bool, sim.Time) { return d.panicking, d.panicTime }

// Scale is upstream's autoscaler.Scale at now:
//
//  1. ready = max(1, ready pods); the step is bounded by
//     [floor(ready / MaxScaleDownRate), ceil(ready x MaxScaleUpRate)] (the
//     lower bound is 0 for an unreachable revision);
//  2. the stable and panic counts are ceil(value / TargetValue), bounded,
//     then raised to ActivationScale if positive;
//  3. panic mode starts when ceil(panic / target) / ready reaches the
//     threshold, is extended while it does, and ends at the first call
//     strictly more than StableWindow after it last did;
//  4. in panic mode the count is the larger of the two, and never below the
//     highest count of this panic; otherwise the stable count;
//  5. with a scale-down delay (reachable revisions only), the highest count
//     of the last ScaleDownDelay, in 2 s ticks;
//  6. the excess burst capacity from the ready pods and the panic value.
func (d *KPADecider) Scale(now sim.Time, o KPAObservation) KPAScaleResult {
	spec := d.Spec
	if o.NoData {
		return KPAScaleResult{}
	}
	ready := math.Max(1, float64(o.ReadyPods))

	maxScaleUp := KPAMaxScaleUp(spec.MaxScaleUpRate, ready)
	maxScaleDown := KPAMaxScaleDown(spec.MaxScaleDownRate, ready, spec.Reachable)

	dspc := KPAPodsFor(o.Stable, spec.TargetValue)
	dppc := KPAPodsFor(o.Panic, spec.TargetValue)
	stablePods := KPAActivationScale(dspc, KPABoundPods(dspc, maxScaleDown, maxScaleUp), spec.ActivationScale)
	panicPods := KPAActivationScale(dppc, KPABoundPods(dppc, maxScaleDown, maxScaleUp), spec.ActivationScale)

	over := KPAOverPanicThreshold(dppc, ready, spec.PanicThreshold)
	switch {
	case over:
		// Begin panicking, or extend the panic.
		d.panicking, d.panicTime = true, now
	case d.panicking && d.panicTime.Add(spec.StableWindow) < now:
		// The surge has made its way into the stable window.
		d.panicking, d.maxPanicPods = false, 0
	}

	desired := stablePods
	if d.panicking {
		// Provision for the larger of the two, and never scale down in panic.
		desired = max(desired, panicPods)
		d.maxPanicPods = max(d.maxPanicPods, desired)
		desired = d.maxPanicPods
	}

	delayed := false
	if spec.Reachable && d.delay != nil {
		d.delay.RecordAt(now, desired)
		if held := d.delay.Current(); held != desired {
			desired, delayed = held, true
		}
	}

	return KPAScaleResult{
		DesiredPodCount:     desired,
		ExcessBurstCapacity: int(KPAExcessBurstCapacity(o.ReadyPods, spec.TotalValue, spec.TargetBurstCapacity, o.Panic)),
		ScaleValid:          true,
		StablePodCount:      stablePods,
		PanicPodCount:       panicPods,
		MaxScaleUp:          int(maxScaleUp),
		MaxScaleDown:        int(maxScaleDown),
		Panicking:           d.panicking,
		Delayed:             delayed,
	}
}

// KPAConfig is Knative's config-autoscaler with the per-revision settings
// the decider reads (the annotations' values, where a revision sets them).
// Start from DefaultKPAConfig; every field is taken literally.
type KPAConfig struct {
	// Metric is concurrency (default) or rps (autoscaling.knative.dev/metric).
	Metric KPAMetric
	// ContainerConcurrency is the revision's hard limit; 0 is unlimited.
	ContainerConcurrency int
	// Target, when > 0, replaces the total value (autoscaling.knative.dev/
	// target), but not above ContainerConcurrency for concurrency.
	Target float64
	// ContainerConcurrencyTargetFraction is container-concurrency-target-
	// percentage as a fraction: 0.7.
	ContainerConcurrencyTargetFraction float64
	// ContainerConcurrencyTargetDefault is container-concurrency-target-
	// default, the total value without a limit: 100.
	ContainerConcurrencyTargetDefault float64
	// TargetUtilization is the rps target's fraction: 0.7.
	TargetUtilization float64
	// RPSTargetDefault is requests-per-second-target-default: 200.
	RPSTargetDefault float64
	// MaxScaleUpRate is max-scale-up-rate: 1000.
	MaxScaleUpRate float64
	// MaxScaleDownRate is max-scale-down-rate: 2.
	MaxScaleDownRate float64
	// TargetBurstCapacity is target-burst-capacity: 211 (0 none, -1
	// unlimited).
	TargetBurstCapacity float64
	// PanicWindowPercentage is panic-window-percentage: 10 (of the stable
	// window).
	PanicWindowPercentage float64
	// PanicThresholdPercentage is panic-threshold-percentage: 200.
	PanicThresholdPercentage float64
	// StableWindow is stable-window: 60 s.
	StableWindow time.Duration
	// ScaleDownDelay is scale-down-delay: 0.
	ScaleDownDelay time.Duration
	// InitialScale is initial-scale: 1.
	InitialScale int
	// AllowZeroInitialScale is allow-zero-initial-scale: false.
	AllowZeroInitialScale bool
	// ActivationScale is autoscaling.knative.dev/activation-scale: unset (0).
	ActivationScale int
	// Reachable: a route references the revision (true).
	Reachable bool
	// Aggregation is the metric collector's averaging
	// (autoscaling.knative.dev/metric-aggregation-algorithm): linear.
	Aggregation KPAAggregation
}

// DefaultKPAConfig returns config-autoscaler's defaults (upstream's
// defaultConfig) for a reachable revision without a concurrency limit.
func DefaultKPAConfig() KPAConfig {
	return KPAConfig{
		Metric:                             KPAConcurrency,
		ContainerConcurrencyTargetFraction: 0.7,
		ContainerConcurrencyTargetDefault:  100,
		TargetUtilization:                  0.7,
		RPSTargetDefault:                   200,
		MaxScaleUpRate:                     1000,
		MaxScaleDownRate:                   2,
		TargetBurstCapacity:                211,
		PanicWindowPercentage:              10,
		PanicThresholdPercentage:           200,
		StableWindow:                       60 * time.Second,
		ScaleDownDelay:                     0,
		InitialScale:                       1,
		Reachable:                          true,
		Aggregation:                        KPALinear,
	}
}

// Validate reports every problem in c, joined, each a *FieldError named
// after the scenario key (knative's name in snake case; the concurrency and
// rps target fractions are both target_utilization_percentage, as the
// autoscaling.knative.dev/target-utilization-percentage annotation sets
// both): upstream's config validation for these keys, and the annotations'
// rules for activation scale.
func (c KPAConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }
	if c.Metric != "" && c.Metric != KPAConcurrency && c.Metric != KPARPS {
		bad("metric", "%q must be %q or %q", c.Metric, KPAConcurrency, KPARPS)
	}
	if c.ContainerConcurrency < 0 {
		bad("container_concurrency", "%d must be >= 0", c.ContainerConcurrency)
	}
	if c.Target < 0 {
		bad("target_per_pod", "%g must be >= 0", c.Target)
	}
	if c.ScaleDownDelay < 0 || c.ScaleDownDelay.Round(time.Second) != c.ScaleDownDelay {
		bad("scale_down_delay", "%s must be >= 0 and whole seconds", c.ScaleDownDelay)
	}
	if c.TargetBurstCapacity < 0 && c.TargetBurstCapacity != -1 {
		bad("target_burst_capacity", "%g must be >= 0 or -1 (unlimited)", c.TargetBurstCapacity)
	}
	if c.ContainerConcurrencyTargetFraction <= 0 || c.ContainerConcurrencyTargetFraction > 1 {
		bad("target_utilization_percentage", "%g%% must be in (0, 100]", 100*c.ContainerConcurrencyTargetFraction)
	} else if x := c.ContainerConcurrencyTargetFraction * c.ContainerConcurrencyTargetDefault; x < kpaTargetMin {
		bad("container_concurrency_target_default", "the target concurrency %g must be at least %g", x, kpaTargetMin)
	}
	if !(c.TargetUtilization > 0) || c.TargetUtilization > 1 {
		bad("target_utilization_percentage", "%g%% must be in (0, 100]", 100*c.TargetUtilization)
	}
	if c.RPSTargetDefault < kpaTargetMin {
		bad("requests_per_second_target_default", "%g must be at least %g", c.RPSTargetDefault, kpaTargetMin)
	}
	if !(c.MaxScaleUpRate > 1) {
		bad("max_scale_up_rate", "%g must be > 1", c.MaxScaleUpRate)
	}
	if !(c.MaxScaleDownRate > 1) {
		bad("max_scale_down_rate", "%g must be > 1", c.MaxScaleDownRate)
	}
	if c.StableWindow < 6*time.Second || c.StableWindow > time.Hour || c.StableWindow.Round(time.Second) != c.StableWindow {
		bad("stable_window", "%s must be whole seconds in [6s, 1h]", c.StableWindow)
	}
	if c.PanicWindowPercentage < 1 || c.PanicWindowPercentage > 100 {
		bad("panic_window_percentage", "%g must be in [1, 100]", c.PanicWindowPercentage)
	}
	if c.PanicThresholdPercentage < 110 || c.PanicThresholdPercentage > 1000 {
		bad("panic_threshold_percentage", "%g must be in [110, 1000]", c.PanicThresholdPercentage)
	}
	if c.InitialScale < 0 || (c.InitialScale == 0 && !c.AllowZeroInitialScale) {
		bad("initial_scale", "%d must be >= 1 (>= 0 with allow-zero-initial-scale)", c.InitialScale)
	}
	if c.ActivationScale != 0 && c.ActivationScale < 2 {
		bad("activation_scale", "%d must be >= 2 when set", c.ActivationScale)
	}
	if c.Aggregation != "" && c.Aggregation != KPALinear && c.Aggregation != KPAWeightedExponential {
		bad("metric_aggregation_algorithm", "%q must be %q or %q", c.Aggregation, KPALinear, KPAWeightedExponential)
	}
	return errors.Join(errs...)
}

// Targets is upstream's ResolveMetricTarget: total is what one pod holds
// (the container concurrency, else the default; for rps the rps default;
// Target replaces it, for concurrency not above a set container
// concurrency), target = max(0.01, total x utilization).
func (c KPAConfig) Targets() (target, total float64) {
	var tu float64
	if c.Metric == KPARPS {
		total, tu = c.RPSTargetDefault, c.TargetUtilization
	} else {
		total = float64(c.ContainerConcurrency)
		if total == 0 {
			total = c.ContainerConcurrencyTargetDefault
		}
		tu = c.ContainerConcurrencyTargetFraction
	}
	if c.Target > 0 {
		total = c.Target
		if c.Metric != KPARPS && c.ContainerConcurrency != 0 {
			total = math.Min(c.Target, float64(c.ContainerConcurrency))
		}
	}
	return math.Max(kpaTargetMin, total*tu), total
}

// PanicWindow is the metric's panic window (upstream's MakeMetric): the
// stable window times the panic window percentage, rounded to a second, at
// least one bucket (1 s).
func (c KPAConfig) PanicWindow() time.Duration {
	w := time.Duration(float64(c.StableWindow) * c.PanicWindowPercentage / 100).Round(time.Second)
	return max(w, KPABucketSize)
}

// Spec is upstream's MakeDecider: the decider spec of c.
func (c KPAConfig) Spec() KPASpec {
	target, total := c.Targets()
	return KPASpec{
		MaxScaleUpRate:      c.MaxScaleUpRate,
		MaxScaleDownRate:    c.MaxScaleDownRate,
		TargetValue:         target,
		TotalValue:          total,
		TargetBurstCapacity: c.TargetBurstCapacity,
		PanicThreshold:      c.PanicThresholdPercentage / 100,
		StableWindow:        c.StableWindow,
		ScaleDownDelay:      c.ScaleDownDelay,
		InitialScale:        c.InitialScale,
		Reachable:           c.Reachable,
		ActivationScale:     c.ActivationScale,
	}
}

// KPAWindows are the metric collector's four windows of one revision
// (upstream's collection): concurrency and rps, each over the stable and the
// panic window, fed by Record and read by Observe.
type KPAWindows struct {
	metric                        KPAMetric
	concurrency, concurrencyPanic *KPABuckets
	rps, rpsPanic                 *KPABuckets
}

// NewKPAWindows returns the windows of c, in 1 s buckets.
func NewKPAWindows(c KPAConfig) *KPAWindows {
	sw, pw := c.StableWindow, c.PanicWindow()
	return &KPAWindows{
		metric:           c.Metric,
		concurrency:      NewKPAWindow(c.Aggregation, sw, KPABucketSize),
		concurrencyPanic: NewKPAWindow(c.Aggregation, pw, KPABucketSize),
		rps:              NewKPAWindow(c.Aggregation, sw, KPABucketSize),
		rpsPanic:         NewKPAWindow(c.Aggregation, pw, KPABucketSize),
	}
}

// Record is upstream's collection.record of one scrape at now: the average
// concurrency and the request count of the pods, less what the activator
// proxied (it reports those itself).
func (w *KPAWindows) Record(now sim.Time, concurrency, proxiedConcurrency, requests, proxiedRequests float64) {
	c := concurrency - proxiedConcurrency
	w.concurrency.Record(now, c)
	w.concurrencyPanic.Record(now, c)
	r := requests - proxiedRequests
	w.rps.Record(now, r)
	w.rpsPanic.Record(now, r)
}

// Observe is upstream's StableAndPanicConcurrency (or RPS) at now, with the
// ready pod count: NoData when the stable window is empty.
func (w *KPAWindows) Observe(now sim.Time, ready int) KPAObservation {
	stable, panicW := w.concurrency, w.concurrencyPanic
	if w.metric == KPARPS {
		stable, panicW = w.rps, w.rpsPanic
	}
	if stable.IsEmpty(now) {
		return KPAObservation{ReadyPods: ready, NoData: true}
	}
	return KPAObservation{ReadyPods: ready, Stable: stable.WindowAverage(now), Panic: panicW.WindowAverage(now)}
}
