package policies

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is the KPA as a Policy: the metric collector's windows
// (kpa_window.go) fed from Observation.Concurrency, the decider (kpa.go),
// and the part of Knative's KPA reconciler that turns the decider's count
// into a scale, ported from knative/serving at commit 98e5ef90aa70,
// Apache-2.0:
//
//   - pkg/reconciler/autoscaling/kpa/scaler.go: scaler.scale (min and max
//     bounds, applyBounds) and handleScaleToZero (the stable window of
//     activity, the scale-to-zero grace period and the pod retention
//     period), as KPA.scaleToZero;
//   - pkg/reconciler/autoscaling/kpa/kpa.go: computeActiveCondition (Active,
//     Activating, Inactive) and the SKS mode (Proxy unless want > 0 and the
//     excess burst capacity >= 0), as KPA.markActive and KPA.proxying.
//
// Upstream's reconciler runs when the decider's status changes and re-queues
// itself after the time still to wait; here it runs at every decider tick
// (the evaluation interval, 2 s by default), so a wait ends at the first
// tick at or after it. The SKS is taken to reach the mode asked at once
// (upstream waits for the activator's endpoints), the activator probe always
// succeeds, and a revision that cannot activate is not scaled to zero after
// its progress deadline (upstream's activation timeout): it keeps waiting.

// Concurrency is what the KPA's metric collector scraped since the previous
// evaluation: one stat a second, as the queue-proxies and the activator
// report them (the activator's requests included once, as upstream subtracts
// the proxied ones from the pods'), oldest first.
type Concurrency struct {
	// Stats are the scrapes since the previous evaluation, oldest first.
	Stats []ConcurrencyStat
	// Held is the number of requests the activator holds now, waiting for
	// a ready instance.
	Held int
}

// ConcurrencyStat is one scrape of a revision: upstream's Stat summed over
// the pods and the activator.
type ConcurrencyStat struct {
	// Time is when the scrape was taken (the end of its period).
	Time sim.Time
	// Concurrency is the time-weighted average number of requests in
	// flight over the period (upstream's AverageConcurrentRequests).
	Concurrency float64
	// Requests is the number of requests that arrived in the period
	// (upstream's RequestCount): requests per second for a 1 s period.
	Requests float64
}

// KPAPolicyConfig is the KPA as a scenario configures it: Knative's
// config-autoscaler (KPAConfig) and the reconciler's scale-to-zero settings.
type KPAPolicyConfig struct {
	KPAConfig
	// EnableScaleToZero is enable-scale-to-zero: true. The scenario sets it
	// from replicas.min: 0.
	EnableScaleToZero bool
	// ScaleToZeroGracePeriod is scale-to-zero-grace-period: 30 s, how long
	// the activator must have been in the request path before the last pod
	// is removed.
	ScaleToZeroGracePeriod time.Duration
	// ScaleToZeroPodRetentionPeriod is scale-to-zero-pod-retention-period:
	// 0, how long the last pod stays after the revision went inactive.
	ScaleToZeroPodRetentionPeriod time.Duration
}

// DefaultKPAPolicyConfig returns config-autoscaler's defaults.
func DefaultKPAPolicyConfig() KPAPolicyConfig {
	return KPAPolicyConfig{
		KPAConfig:              DefaultKPAConfig(),
		EnableScaleToZero:      true,
		ScaleToZeroGracePeriod: 30 * time.Second,
	}
}

// Validate reports every problem, joined: KPAConfig's and upstream's rules
// for the scale-to-zero periods (grace period at least 6 s, retention at
// least 0).
func (c KPAPolicyConfig) Validate() error {
	errs := []error{c.KPAConfig.Validate()}
	if c.ScaleToZeroGracePeriod < 6*time.Second {
		errs = append(errs, fieldErr("scale_to_zero_grace_period", "%s must be at least 6s", c.ScaleToZeroGracePeriod))
	}
	if c.ScaleToZeroPodRetentionPeriod < 0 {
		errs = append(errs, fieldErr("scale_to_zero_pod_retention_period", "%s must be at least 0", c.ScaleToZeroPodRetentionPeriod))
	}
	return errors.Join(errs...)
}

// kpaActivity is the PodAutoscaler's Active condition.
type kpaActivity uint8

const (
	kpaActive     kpaActivity = iota // Active=True
	kpaActivating                    // Active=Unknown: want > 0, nothing ready
	kpaInactive                      // Active=False
)

var kpaActivityNames = [...]string{"active", "activating", "inactive"}

// KPA is the Knative Pod Autoscaler: the collector's windows, the decider,
// and the reconciler's bounds and scale to zero.
type KPA struct {
	cfg     KPAPolicyConfig
	windows *KPAWindows
	decider *KPADecider // made at the first evaluation, with its ready pods

	activity      kpaActivity
	activitySince sim.Time // when activity last changed
	proxy         bool     // the activator is in the request path (SKS Proxy)
	proxySince    sim.Time
}

// NewKPA returns a KPA with no history.
func NewKPA(cfg KPAPolicyConfig) (*KPA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kpa: %w", err)
	}
	return &KPA{cfg: cfg, windows: NewKPAWindows(cfg.KPAConfig)}, nil
}

// Name is "kpa".
func (*KPA) Name() string { return "kpa" }

// Recommend records the scrapes since the last call, runs the decider, and
// applies the reconciler's bounds and scale-to-zero rules.
func (k *KPA) Recommend(now sim.Time, o Observation) Recommendation {
	for _, s := range o.Concurrency.Stats {
		k.windows.Record(s.Time, s.Concurrency, 0, s.Requests, 0)
	}
	ready := 0
	for _, p := range o.Pods {
		if p.Ready {
			ready++
		}
	}
	if k.decider == nil {
		k.decider = NewKPADecider(now, k.cfg.Spec(), ready)
		k.activity, k.activitySince = kpaActive, now
		if ready == 0 {
			k.activity = kpaInactive
		}
		k.proxy, k.proxySince = true, now
	}
	obs := k.windows.Observe(now, ready)
	res := k.decider.Scale(now, obs)
	// The windows subtract what leaves them: an empty one may read -0.
	obs.Stable, obs.Panic = obs.Stable+0, obs.Panic+0
	spec := k.decider.Spec
	in := []Input{
		{Name: "stable_" + string(k.metric()), Value: obs.Stable},
		{Name: "panic_" + string(k.metric()), Value: obs.Panic},
		{Name: "target", Value: spec.TargetValue},
		{Name: "ready_pods", Value: float64(ready)},
		{Name: "activator_held", Value: float64(o.Concurrency.Held)},
	}
	if !res.ScaleValid {
		// Upstream's desired scale -1: the scaler applies nothing.
		k.markActive(now, -1, ready)
		return Recommendation{Reason: ReasonNoMetrics, Inputs: in,
			Explanation: fmt.Sprintf("no %s recorded in the last %s: no decision", k.metric(), spec.StableWindow)}
	}
	in = append(in,
		Input{Name: "panicking", Value: b2f(res.Panicking)},
		Input{Name: "excess_burst_capacity", Value: float64(res.ExcessBurstCapacity)})

	rec := Recommendation{Valid: true, Raw: res.DesiredPodCount, Inputs: in}
	mode := "stable"
	if res.Panicking {
		mode = "panic"
	}
	text := fmt.Sprintf("%s mode: stable %s %.3g, panic %.3g vs target %.3g per pod on %d ready -> %d",
		mode, k.metric(), obs.Stable, obs.Panic, spec.TargetValue, ready, res.DesiredPodCount)
	desired := res.DesiredPodCount
	if res.Delayed {
		rec.Limits = append(rec.Limits, Limit{Name: "scale-down-delay", From: res.StablePodCount, To: desired,
			Detail: fmt.Sprintf("the highest count of the last %s", spec.ScaleDownDelay)})
	}
	if lo := o.Min; desired < lo {
		rec.Limits = append(rec.Limits, Limit{Name: "min", From: desired, To: lo, Detail: fmt.Sprintf("replicas.min %d", lo)})
		desired = lo
	}
	if hi := o.Max; hi > 0 && desired > hi {
		rec.Limits = append(rec.Limits, Limit{Name: "max", From: desired, To: hi, Detail: fmt.Sprintf("replicas.max %d", hi)})
		desired = hi
	}
	want, apply, why := k.scaleToZero(now, desired)
	k.markActive(now, want, ready)
	k.proxying(now, want, res.ExcessBurstCapacity)
	switch {
	case !apply && desired == 0 && o.Current == 0:
		// Already at zero: nothing to wait for.
	case !apply:
		rec.Limits = append(rec.Limits, Limit{Name: "scale-to-zero", From: desired, To: o.Current, Detail: why})
		desired = o.Current
	case want != desired:
		rec.Limits = append(rec.Limits, Limit{Name: "scale-to-zero", From: desired, To: want, Detail: why})
		desired = want
	}
	rec.Desired = desired
	rec.Explanation = text
	if desired != res.DesiredPodCount {
		rec.Explanation += fmt.Sprintf("; %s -> %d", rec.Limits[len(rec.Limits)-1].Detail, desired)
	}
	switch {
	case desired > o.Current:
		rec.Reason = ReasonScaleUp
	case desired < o.Current:
		rec.Reason = ReasonScaleDown
	case len(rec.Limits) > 0 && rec.Limits[len(rec.Limits)-1].Name == "scale-to-zero":
		rec.Reason = ReasonScaleToZeroWait
	case len(rec.Limits) > 0 && rec.Limits[len(rec.Limits)-1].Name == "min":
		rec.Reason = ReasonAtMin
	case len(rec.Limits) > 0 && rec.Limits[len(rec.Limits)-1].Name == "max":
		rec.Reason = ReasonAtMax
	default:
		rec.Reason = ReasonUnchanged
	}
	return rec
}

// ReasonScaleToZeroWait: the KPA wants zero pods but keeps the last one
// until the revision has been idle for its stable window, and the activator
// in the path for the grace period (or the retention period has passed).
const ReasonScaleToZeroWait Reason = "scale-to-zero-wait"

func (k *KPA) metric() KPAMetric {
	if k.cfg.Metric == "" {
		return KPAConcurrency
	}
	return k.cfg.Metric
}

// scaleToZero is upstream's handleScaleToZero: the count to want, whether
// to apply it, and why not.
func (k *KPA) scaleToZero(now sim.Time, desired int) (want int, apply bool, why string) {
	if desired != 0 {
		return desired, true, ""
	}
	cfg := k.cfg
	if !cfg.EnableScaleToZero {
		return 1, true, "scale to zero is disabled: at least 1"
	}
	switch k.activity {
	case kpaActivating:
		// Not yet activated: keep waiting, the scale unknown (-1), so the
		// revision stays activating (the activation timeout is not
		// modeled).
		return -1, false, "activating: not scaled to zero while pods start"
	case kpaActive:
		sw := cfg.StableWindow
		if af := now.Sub(k.activitySince); af < sw {
			return 1, true, fmt.Sprintf("active for %s, less than the stable window %s: at most 1", af, sw)
		}
		// Mark the revision inactive; scale to zero later.
		return 0, false, "idle for a stable window: marked inactive, the last pod stays"
	}
	last := max(cfg.ScaleToZeroGracePeriod, cfg.ScaleToZeroPodRetentionPeriod)
	inactive := now.Sub(k.activitySince)
	if inactive >= last {
		return 0, true, ""
	}
	if r := cfg.ScaleToZeroPodRetentionPeriod; r > 0 && inactive < r {
		return 0, false, fmt.Sprintf("inactive for %s, less than the pod retention period %s", inactive, r)
	}
	if pf := k.proxyFor(now); pf >= cfg.ScaleToZeroGracePeriod {
		return 0, true, ""
	}
	return 0, false, fmt.Sprintf("the activator has been in the path for %s, less than the grace period %s", k.proxyFor(now), cfg.ScaleToZeroGracePeriod)
}

func (k *KPA) proxyFor(now sim.Time) time.Duration {
	if !k.proxy {
		return 0
	}
	return now.Sub(k.proxySince)
}

// markActive is upstream's computeActiveCondition with one pod as the
// active threshold (a min scale above 1 raises the count, not the
// threshold, once initialized).
func (k *KPA) markActive(now sim.Time, want, ready int) {
	to := k.activity
	switch {
	case want == 0:
		to = kpaInactive
	case ready < 1:
		if want > 0 || k.activity != kpaInactive {
			to = kpaActivating
		}
	default:
		if want > 0 || k.activity != kpaInactive {
			to = kpaActive
		}
	}
	if to != k.activity {
		k.activity, k.activitySince = to, now
	}
}

// proxying is the SKS mode upstream's reconciler asks for: Serve when some
// pods are wanted and the excess burst capacity is not negative, else Proxy
// (the activator in the request path).
func (k *KPA) proxying(now sim.Time, want, ebc int) {
	p := !(want > 0 && ebc >= 0)
	if p != k.proxy {
		k.proxy, k.proxySince = p, now
	}
}

// State reports the PodAutoscaler's Active condition ("active",
// "activating", "inactive"), whether the activator is in the request path,
// and whether the decider panics: for tests and traces.
func (k *KPA) State() (activity string, proxy, panicking bool) {
	if k.decider != nil {
		panicking, _ = k.decider.Panicking()
	}
	return kpaActivityNames[k.activity], k.proxy, panicking
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
