package policies

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file exports each policy's pure arithmetic, with upstream's names,
// so that tables ported from Kubernetes run from outside the package. The
// policies call the same code; nothing here keeps state of its own.

// Tolerances is the band around a usage ratio of 1 within which a metric
// policy keeps the current count (replica_calculator.go Tolerances): a
// ratio in [1 - Down, 1 + Up] is within. Fractions: 0.1 = 10%.
type Tolerances struct {
	Down, Up float64
}

// IsWithin is Tolerances.isWithin: (1 - Down) <= ratio <= (1 + Up).
func (t Tolerances) IsWithin(ratio float64) bool {
	return tolerances{down: t.Down, up: t.Up}.within(ratio)
}

// PodGroups is groupPods' result: indices into the pod list.
type PodGroups struct {
	Ready, Unready, Missing []int
}

// GroupPods is upstream's groupPods (see HPA): which pods count for res at
// now, given the CPU initialization period and the initial readiness delay.
func GroupPods(now sim.Time, pods []Pod, res Resource, cpuInitializationPeriod, initialReadinessDelay time.Duration) PodGroups {
	g := groupPods(now, pods, res, cpuInitializationPeriod, initialReadinessDelay)
	return PodGroups{Ready: g.ready, Unready: g.unready, Missing: g.missing}
}

// ResourceReplicaCount is what GetResourceReplicas computes for one metric.
type ResourceReplicaCount struct {
	// Replicas is upstream's replicaCount: the count proposed, after the
	// tolerance and direction holds.
	Replicas int
	// Raw is the proportional count before those holds.
	Raw int
	// Utilization is the ready pods' usage over their requests, a whole
	// percentage (truncated), as upstream reports it.
	Utilization int64
	// RawAverage is the average usage per ready pod in milli-units
	// (millicores, or thousandths of a byte).
	RawAverage int64
	// UsageRatio is Utilization over the target.
	UsageRatio float64
	// Ready, Unready and Missing count the pod groups.
	Ready, Unready, Missing int
	// Limits are the holds from Raw to Replicas ("tolerance",
	// "direction-change").
	Limits []Limit
	// Explanation says how the count was reached.
	Explanation string
	// Err is set when no count can be computed (no pods, no metrics, a
	// missing request); the other fields are then not meaningful.
	Err error
}

// GetResourceReplicas is ReplicaCalculator.GetResourceReplicas for one
// Resource metric with a Utilization target: from the pods' samples,
// requests and readiness to a replica count (see HPA for the rules).
// current is the workload's replica count.
func GetResourceReplicas(now sim.Time, current int, pods []Pod, m MetricTarget, tol Tolerances, cpuInitializationPeriod, initialReadinessDelay time.Duration) ResourceReplicaCount {
	c := resourceReplicas(now, current, pods, m, tolerances{down: tol.Down, up: tol.Up}, cpuInitializationPeriod, initialReadinessDelay)
	return ResourceReplicaCount{
		Replicas: c.proposal, Raw: c.raw, Utilization: c.utilization, RawAverage: c.rawAverage, UsageRatio: c.ratio,
		Ready: c.ready, Unready: c.unready, Missing: c.missing, Limits: c.limits, Explanation: c.text, Err: c.err,
	}
}

// TimestampedRecommendation is upstream's timestampedRecommendation: a raw
// recommendation kept for stabilization.
type TimestampedRecommendation struct {
	Replicas int
	At       sim.Time
}

// ScaleEvent is upstream's timestampedScaleEvent: a change in replicas,
// always positive (its direction is the list it is in), kept for the rate
// policies. Outdated marks a slot that may be reused.
type ScaleEvent struct {
	Change   int
	At       sim.Time
	Outdated bool
}

func toEvents(es []ScaleEvent) []scaleEvent {
	if es == nil {
		return nil
	}
	out := make([]scaleEvent, len(es))
	for i, e := range es {
		out[i] = scaleEvent{change: e.Change, at: e.At, outdated: e.Outdated}
	}
	return out
}

func fromEvents(es []scaleEvent) []ScaleEvent {
	if es == nil {
		return nil
	}
	out := make([]ScaleEvent, len(es))
	for i, e := range es {
		out[i] = ScaleEvent{Change: e.change, At: e.at, Outdated: e.outdated}
	}
	return out
}

// GetReplicasChangePerPeriod is getReplicasChangePerPeriod: the sum of the
// changes strictly after now - period.
func GetReplicasChangePerPeriod(now sim.Time, period time.Duration, events []ScaleEvent) int {
	return replicasChangePerPeriod(now, period, toEvents(events))
}

// CalculateScaleUpLimitWithScalingRules is upstream's function of that
// name: the highest count r allows from current, given the scale events.
func CalculateScaleUpLimitWithScalingRules(now sim.Time, current int, scaleUpEvents, scaleDownEvents []ScaleEvent, r Rules) int {
	return scaleUpLimit(now, current, toEvents(scaleUpEvents), toEvents(scaleDownEvents), r)
}

// CalculateScaleDownLimitWithBehaviors is upstream's function of that
// name: the lowest count r allows from current, given the scale events.
func CalculateScaleDownLimitWithBehaviors(now sim.Time, current int, scaleUpEvents, scaleDownEvents []ScaleEvent, r Rules) int {
	return scaleDownLimit(now, current, toEvents(scaleUpEvents), toEvents(scaleDownEvents), r)
}

// CalculateScaleUpLimit is the older path's cap: max(2 x current, 4).
func CalculateScaleUpLimit(current int) int { return legacyScaleUpLimit(current) }

// ConvertDesiredReplicasWithRules is the older path's clamp to min and to
// min(max, CalculateScaleUpLimit(current)); the Limit is nil when desired
// passes untouched.
func ConvertDesiredReplicasWithRules(current, desired, minReplicas, maxReplicas int) (int, *Limit) {
	return convertDesiredReplicasWithRules(current, desired, minReplicas, maxReplicas)
}

// Scaler is the state Kubernetes' HorizontalController keeps per HPA (the
// raw recommendations and the scale events) with the normalisation steps
// that read and write it. The HPA and latency policies use one each.
type Scaler struct{ s scaler }

// NewScaler returns a Scaler with an empty history. A nil behavior selects
// the older path, with downscaleWindow as its stabilization window.
func NewScaler(b *Behavior, downscaleWindow time.Duration) *Scaler {
	return &Scaler{s: newScaler(b, downscaleWindow)}
}

// SetHistory replaces the recorded recommendations and scale events.
func (s *Scaler) SetHistory(recs []TimestampedRecommendation, scaleUpEvents, scaleDownEvents []ScaleEvent) {
	s.s.recs = nil
	if recs != nil {
		s.s.recs = make([]timedRecommendation, len(recs))
		for i, r := range recs {
			s.s.recs[i] = timedRecommendation{replicas: r.Replicas, at: r.At}
		}
	}
	s.s.upEvents, s.s.downEvents = toEvents(scaleUpEvents), toEvents(scaleDownEvents)
}

// History returns the recorded recommendations and scale events.
func (s *Scaler) History() (recs []TimestampedRecommendation, scaleUpEvents, scaleDownEvents []ScaleEvent) {
	for _, r := range s.s.recs {
		recs = append(recs, TimestampedRecommendation{Replicas: r.replicas, At: r.at})
	}
	return recs, fromEvents(s.s.upEvents), fromEvents(s.s.downEvents)
}

// StabilizeRecommendation is the older path's stabilizeRecommendation.
func (s *Scaler) StabilizeRecommendation(now sim.Time, prenormalized int) int {
	return s.s.stabilizeLegacy(now, prenormalized)
}

// StabilizeRecommendationWithBehaviors is
// stabilizeRecommendationWithBehaviors; it needs a behavior.
func (s *Scaler) StabilizeRecommendationWithBehaviors(now sim.Time, current, prenormalized int) int {
	n, _ := s.s.stabilizeWithBehavior(now, current, prenormalized)
	return n
}

// ConvertDesiredReplicasWithBehaviorRate is
// convertDesiredReplicasWithBehaviorRate; it needs a behavior.
func (s *Scaler) ConvertDesiredReplicasWithBehaviorRate(now sim.Time, current, desired, minReplicas, maxReplicas int) (int, *Limit) {
	return s.s.convertWithBehaviorRate(now, current, desired, minReplicas, maxReplicas)
}

// StoreScaleEvent is storeScaleEvent: with a behavior, a change from prev
// to next is remembered for the rate policies of its direction.
func (s *Scaler) StoreScaleEvent(now sim.Time, prev, next int) { s.s.storeScaleEvent(now, prev, next) }

// Metrics returns the policy's metrics.
func (h *HPA) Metrics() []MetricTarget { return append([]MetricTarget(nil), h.cfg.Metrics...) }

// Handleable returns WSO2's per-instance thresholds for c (see
// RequestsInFlight): maxHandleable = MaxRequestsPerSecond x interval in
// whole seconds x AlarmingUpperRate, minHandleable = MaxRequestsPerSecond x
// interval x AlarmingLowerRate x ScaleDownFactor, in requests in flight.
func (c RequestsInFlightConfig) Handleable() (maxHandleable, minHandleable float64) {
	return (&RequestsInFlight{cfg: c}).Handleable()
}

// WithDefaults returns b with each direction's empty SelectPolicy and empty
// Policies filled the way GenerateHPAScaleUpRules and
// GenerateHPAScaleDownRules do; windows are kept as given.
func (b Behavior) WithDefaults() Behavior { return b.normalized() }
