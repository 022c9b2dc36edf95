package policies

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is the Kubernetes HorizontalPodAutoscaler's normalisation of a
// metric recommendation (pkg/controller/podautoscaler/horizontal.go), shared
// by every policy that damps its raw count the way the HPA does (hpa, cpu,
// memory, latency):
//
//   - with a Behavior (autoscaling/v2 spec.behavior):
//     normalizeDesiredReplicasWithBehaviors = stabilizeRecommendationWithBehaviors
//     (the scale-up and scale-down stabilization windows over the history of
//     raw recommendations), then convertDesiredReplicasWithBehaviorRate (the
//     rate policies over the history of scale events, then min/max);
//   - without one, the controller's older path normalizeDesiredReplicas:
//     stabilizeRecommendation (the highest raw recommendation of the last
//     --horizontal-pod-autoscaler-downscale-stabilization, 5 minutes), then
//     convertDesiredReplicasWithRules (min, max, and a scale-up cap of
//     max(2 x current, 4)).
//
// Upstream reads time.Now() in these functions; here time is the now passed
// in, so the windows and periods move only with the simulation clock. The
// comparisons are upstream's, edges included: with a Behavior a recommendation
// or scale event counts while its timestamp is strictly After the cutoff
// (now - window), so one recorded exactly one window ago no longer counts; the
// older path keeps a recommendation unless it is strictly Before the cutoff,
// so there the one recorded exactly one window ago still counts.

// SelectPolicy says how the rate policies of one direction combine
// (autoscaling/v2 HPAScalingRules.selectPolicy).
type SelectPolicy string

const (
	// SelectMax allows the largest change any policy allows (the default).
	SelectMax SelectPolicy = "Max"
	// SelectMin allows the smallest change any policy allows.
	SelectMin SelectPolicy = "Min"
	// SelectDisabled forbids scaling in this direction.
	SelectDisabled SelectPolicy = "Disabled"
)

// PolicyType is the unit of a rate policy's Value.
type PolicyType string

const (
	// PodsPolicy: Value is a number of replicas per Period.
	PodsPolicy PolicyType = "Pods"
	// PercentPolicy: Value is a percentage of the replica count at the start
	// of the Period.
	PercentPolicy PolicyType = "Percent"
)

// RatePolicy caps the change in one direction over a sliding period
// (autoscaling/v2 HPAScalingPolicy).
type RatePolicy struct {
	// Type is Pods or Percent.
	Type PolicyType
	// Value is the number of pods (Pods) or the percentage (Percent); > 0.
	Value int
	// Period is the sliding window the change is counted over; > 0
	// (Kubernetes: 1 s to 30 min).
	Period time.Duration
}

func (p RatePolicy) String() string {
	if p.Type == PercentPolicy {
		return fmt.Sprintf("%d%% per %s", p.Value, p.Period)
	}
	return fmt.Sprintf("%d pods per %s", p.Value, p.Period)
}

// Rules configure one direction of a Behavior (autoscaling/v2
// HPAScalingRules).
//
// Zero values: an empty SelectPolicy means Max; no Policies (and a
// SelectPolicy other than Disabled) means that direction's Kubernetes default
// policies. StabilizationWindow is taken literally (0 = no window): start from
// DefaultBehavior to get Kubernetes' 300 s scale-down window.
type Rules struct {
	// StabilizationWindow is how far back raw recommendations are kept to
	// stabilise this direction: scale-up uses the lowest recommendation of
	// its window, scale-down the highest of its window.
	StabilizationWindow time.Duration
	// SelectPolicy combines Policies: Max, Min or Disabled.
	SelectPolicy SelectPolicy
	// Policies cap the change per period.
	Policies []RatePolicy
	// Tolerance, when set, is this direction's tolerance around the target
	// ratio for the metric policies (autoscaling/v2 behavior.scaleUp.tolerance
	// and scaleDown.tolerance, Kubernetes 1.33+). Nil: the policy's own
	// Tolerance.
	Tolerance *float64
}

// Behavior is autoscaling/v2 spec.behavior: the rules for each direction.
type Behavior struct {
	ScaleUp   Rules
	ScaleDown Rules
}

// Kubernetes' defaults (pkg/apis/autoscaling/v2/defaults.go and the
// controller's --horizontal-pod-autoscaler-downscale-stabilization flag).
const (
	// DefaultDownscaleStabilization is the scale-down stabilization window
	// when none is given: 5 minutes.
	DefaultDownscaleStabilization = 5 * time.Minute
	// defaultPolicyPeriod is the period of the default rate policies.
	defaultPolicyPeriod = 15 * time.Second
	// scaleUpLimitFactor and scaleUpLimitMinimum cap a scale-up on the
	// older path: at most max(2 x current, 4).
	scaleUpLimitFactor  = 2.0
	scaleUpLimitMinimum = 4.0
)

// DefaultScaleUpRules are Kubernetes' scale-up defaults: no stabilization
// window, and per 15 s the larger of +4 pods and +100%.
func DefaultScaleUpRules() Rules {
	return Rules{
		StabilizationWindow: 0,
		SelectPolicy:        SelectMax,
		Policies: []RatePolicy{
			{Type: PodsPolicy, Value: 4, Period: defaultPolicyPeriod},
			{Type: PercentPolicy, Value: 100, Period: defaultPolicyPeriod},
		},
	}
}

// DefaultScaleDownRules are Kubernetes' scale-down defaults: a 300 s
// stabilization window, and up to 100% of the replicas per 15 s.
func DefaultScaleDownRules() Rules {
	return Rules{
		StabilizationWindow: DefaultDownscaleStabilization,
		SelectPolicy:        SelectMax,
		Policies: []RatePolicy{
			{Type: PercentPolicy, Value: 100, Period: defaultPolicyPeriod},
		},
	}
}

// DefaultBehavior is Kubernetes' default behavior, the one an HPA gets when
// spec.behavior is present but empty.
func DefaultBehavior() Behavior {
	return Behavior{ScaleUp: DefaultScaleUpRules(), ScaleDown: DefaultScaleDownRules()}
}

// withDefaults fills an empty SelectPolicy and empty Policies the way
// GenerateHPAScaleUpRules / GenerateHPAScaleDownRules do.
func (r Rules) withDefaults(up bool) Rules {
	def := DefaultScaleDownRules()
	if up {
		def = DefaultScaleUpRules()
	}
	if r.SelectPolicy == "" {
		r.SelectPolicy = def.SelectPolicy
	}
	if len(r.Policies) == 0 && r.SelectPolicy != SelectDisabled {
		r.Policies = def.Policies
	}
	return r
}

// normalized returns b with defaults filled.
func (b Behavior) normalized() Behavior {
	return Behavior{ScaleUp: b.ScaleUp.withDefaults(true), ScaleDown: b.ScaleDown.withDefaults(false)}
}

// Validate reports every problem in b, joined, each a *FieldError.
func (b Behavior) Validate() error {
	var errs []error
	check := func(dir string, r Rules) {
		if r.StabilizationWindow < 0 {
			errs = append(errs, fieldErr(dir+".stabilization_window", "%s is negative; it must be at least 0", r.StabilizationWindow))
		}
		switch r.SelectPolicy {
		case "", SelectMax, SelectMin, SelectDisabled:
		default:
			errs = append(errs, fieldErr(dir+".select_policy", "%q is not one of Max, Min, Disabled", r.SelectPolicy))
		}
		for i, p := range r.Policies {
			if p.Type != PodsPolicy && p.Type != PercentPolicy {
				errs = append(errs, fieldErr(fmt.Sprintf("%s.policies[%d].type", dir, i), "%q is not one of Pods, Percent", p.Type))
			}
			if p.Value <= 0 {
				errs = append(errs, fieldErr(fmt.Sprintf("%s.policies[%d].value", dir, i), "%d must be at least 1", p.Value))
			}
			if p.Period <= 0 {
				errs = append(errs, fieldErr(fmt.Sprintf("%s.policies[%d].period", dir, i), "%s must be greater than 0", p.Period))
			}
		}
		if r.Tolerance != nil && (*r.Tolerance < 0 || math.IsNaN(*r.Tolerance)) {
			errs = append(errs, fieldErr(dir+".tolerance", "%g must be at least 0", *r.Tolerance))
		}
	}
	check("scale_up", b.ScaleUp)
	check("scale_down", b.ScaleDown)
	return errors.Join(errs...)
}

// tolerances is the band around a ratio of 1 within which a metric policy
// keeps the current count (replica_calculator.go Tolerances).
type tolerances struct {
	down, up float64
}

// within is Tolerances.isWithin: (1 - down) <= ratio <= (1 + up).
func (t tolerances) within(ratio float64) bool {
	return (1.0-t.down) <= ratio && ratio <= (1.0+t.up)
}

// tolerancesFor applies a Behavior's per-direction tolerances over a
// policy-wide one.
func tolerancesFor(tol float64, b *Behavior) tolerances {
	t := tolerances{down: tol, up: tol}
	if b != nil {
		if b.ScaleDown.Tolerance != nil {
			t.down = *b.ScaleDown.Tolerance
		}
		if b.ScaleUp.Tolerance != nil {
			t.up = *b.ScaleUp.Tolerance
		}
	}
	return t
}

// timedRecommendation is upstream's timestampedRecommendation.
type timedRecommendation struct {
	replicas int
	at       sim.Time
}

// scaleEvent is upstream's timestampedScaleEvent: a change in replicas
// (always positive; direction is given by the list it is in).
type scaleEvent struct {
	change   int
	at       sim.Time
	outdated bool
}

// replicasChangePerPeriod is getReplicasChangePerPeriod: the sum of changes
// strictly after now - period.
func replicasChangePerPeriod(now sim.Time, period time.Duration, events []scaleEvent) int {
	cutoff := now.Add(-period)
	n := 0
	for _, e := range events {
		if e.at > cutoff {
			n += e.change
		}
	}
	return n
}

// scaleUpLimit is calculateScaleUpLimitWithScalingRules: the highest count
// the rules allow, from the count at the start of each policy's period
// (current - added + removed within the period). A Percent policy rounds up
// so that a small count can always grow.
func scaleUpLimit(now sim.Time, current int, up, down []scaleEvent, r Rules) int {
	if r.SelectPolicy == SelectDisabled {
		return current
	}
	var result int
	pick := maxInt
	if r.SelectPolicy == SelectMin {
		result = math.MaxInt32
		pick = minInt // for scaling up, the lowest change produces the minimum
	} else {
		result = math.MinInt32
	}
	for _, p := range r.Policies {
		added := replicasChangePerPeriod(now, p.Period, up)
		removed := replicasChangePerPeriod(now, p.Period, down)
		start := current - added + removed
		var proposed int
		switch p.Type {
		case PodsPolicy:
			proposed = start + p.Value
		case PercentPolicy:
			proposed = int(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		result = pick(result, proposed)
	}
	return result
}

// scaleDownLimit is calculateScaleDownLimitWithBehaviors: the lowest count
// the rules allow. A Percent policy truncates toward zero, so it rounds the
// allowed count down (it may remove a little more than the percentage).
func scaleDownLimit(now sim.Time, current int, up, down []scaleEvent, r Rules) int {
	if r.SelectPolicy == SelectDisabled {
		return current
	}
	var result int
	pick := minInt
	if r.SelectPolicy == SelectMin {
		result = math.MinInt32
		pick = maxInt // for scaling down, the lowest change produces the maximum
	} else {
		result = math.MaxInt32
	}
	for _, p := range r.Policies {
		added := replicasChangePerPeriod(now, p.Period, up)
		removed := replicasChangePerPeriod(now, p.Period, down)
		start := current - added + removed
		var proposed int
		switch p.Type {
		case PodsPolicy:
			proposed = start - p.Value
		case PercentPolicy:
			proposed = int(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

// legacyScaleUpLimit is calculateScaleUpLimit: max(2 x current, 4).
func legacyScaleUpLimit(current int) int {
	return int(math.Max(scaleUpLimitFactor*float64(current), scaleUpLimitMinimum))
}

// convertDesiredReplicasWithRules is the older path's clamp: below min ->
// min; above min(max, max(2 x current, 4)) -> that. The Limit is nil when
// desired passes untouched.
func convertDesiredReplicasWithRules(current, desired, minReplicas, maxReplicas int) (int, *Limit) {
	limit := legacyScaleUpLimit(current)
	maxAllowed, name, detail := maxReplicas, "max", fmt.Sprintf("max replicas %d", maxReplicas)
	if maxReplicas > limit {
		maxAllowed, name = limit, "scale-up-limit"
		detail = fmt.Sprintf("scale-up limit max(2 x %d, 4) = %d", current, limit)
	}
	switch {
	case desired < minReplicas:
		return minReplicas, &Limit{Name: "min", From: desired, To: minReplicas, Detail: fmt.Sprintf("min replicas %d", minReplicas)}
	case desired > maxAllowed:
		return maxAllowed, &Limit{Name: name, From: desired, To: maxAllowed, Detail: detail}
	}
	return desired, nil
}

// scaler is the state Kubernetes' HorizontalController keeps per HPA: the
// raw recommendations (for stabilization) and the scale events (for rate
// policies), with the reconcile logic around a policy's raw count.
type scaler struct {
	// behavior is normalized; nil selects the older path.
	behavior *Behavior
	// downscaleWindow is the older path's stabilization window.
	downscaleWindow time.Duration

	recs       []timedRecommendation
	upEvents   []scaleEvent
	downEvents []scaleEvent
}

func newScaler(b *Behavior, downscaleWindow time.Duration) scaler {
	s := scaler{downscaleWindow: downscaleWindow}
	if b != nil {
		n := b.normalized()
		s.behavior = &n
	}
	return s
}

// recordInitial is recordInitialRecommendation: the first evaluation seeds
// the history with the current count, so a scale-down right after start
// still waits for the window.
func (s *scaler) recordInitial(now sim.Time, current int) {
	if s.recs == nil {
		s.recs = []timedRecommendation{{replicas: current, at: now}}
	}
}

// stabilizeLegacy is stabilizeRecommendation: the highest raw
// recommendation not older than the window (the new one included). It
// stores the new one in place of the last expired entry, or appends it.
func (s *scaler) stabilizeLegacy(now sim.Time, prenormalized int) int {
	highest := prenormalized
	found, oldIndex := false, 0
	cutoff := now.Add(-s.downscaleWindow)
	for i, r := range s.recs {
		if r.at < cutoff {
			found, oldIndex = true, i
		} else if r.replicas > highest {
			highest = r.replicas
		}
	}
	rec := timedRecommendation{replicas: prenormalized, at: now}
	if found {
		s.recs[oldIndex] = rec
	} else {
		s.recs = append(s.recs, rec)
	}
	return highest
}

// stabilizeWithBehavior is stabilizeRecommendationWithBehaviors: the
// current count brought up to the lowest recommendation of the scale-up
// window and down to the highest of the scale-down window (the new one
// included in both). It returns the stabilized count and the bound that
// applied, for the explanation.
func (s *scaler) stabilizeWithBehavior(now sim.Time, current, desired int) (int, int) {
	up, down := s.behavior.ScaleUp, s.behavior.ScaleDown
	upRec, downRec := desired, desired
	upCutoff := now.Add(-up.StabilizationWindow)
	downCutoff := now.Add(-down.StabilizationWindow)
	found, oldIndex := false, 0
	for i, r := range s.recs {
		if r.at > upCutoff {
			upRec = min(r.replicas, upRec)
		}
		if r.at > downCutoff {
			downRec = max(r.replicas, downRec)
		}
		if r.at < upCutoff && r.at < downCutoff {
			found, oldIndex = true, i
		}
	}
	rec := current
	if rec < upRec {
		rec = upRec
	}
	if rec > downRec {
		rec = downRec
	}
	n := timedRecommendation{replicas: desired, at: now}
	if found {
		s.recs[oldIndex] = n
	} else {
		s.recs = append(s.recs, n)
	}
	if desired >= current {
		return rec, upRec
	}
	return rec, downRec
}

// convertWithBehaviorRate is convertDesiredReplicasWithBehaviorRate: the
// rate policies, then min and max. The Limit is nil when desired passes.
func (s *scaler) convertWithBehaviorRate(now sim.Time, current, desired, minReplicas, maxReplicas int) (int, *Limit) {
	switch {
	case desired > current:
		r := s.behavior.ScaleUp
		limit := scaleUpLimit(now, current, s.upEvents, s.downEvents, r)
		if limit < current {
			// We shouldn't scale up further until the scale-up events age out.
			limit = current
		}
		maxAllowed, name, detail := maxReplicas, "max", fmt.Sprintf("max replicas %d", maxReplicas)
		if maxReplicas > limit {
			maxAllowed, name, detail = limit, "rate-policy", rulesDetail("scale-up", r, limit)
			if r.SelectPolicy == SelectDisabled {
				name = "scale-up-disabled"
			}
		}
		if desired > maxAllowed {
			return maxAllowed, &Limit{Name: name, From: desired, To: maxAllowed, Detail: detail}
		}
	case desired < current:
		r := s.behavior.ScaleDown
		limit := scaleDownLimit(now, current, s.upEvents, s.downEvents, r)
		if limit > current {
			// We shouldn't scale down further until the scale-down events age out.
			limit = current
		}
		minAllowed, name, detail := minReplicas, "min", fmt.Sprintf("min replicas %d", minReplicas)
		if minReplicas < limit {
			minAllowed, name, detail = limit, "rate-policy", rulesDetail("scale-down", r, limit)
			if r.SelectPolicy == SelectDisabled {
				name = "scale-down-disabled"
			}
		}
		if desired < minAllowed {
			return minAllowed, &Limit{Name: name, From: desired, To: minAllowed, Detail: detail}
		}
	}
	return desired, nil
}

// rulesDetail describes what a direction's rate policies allow.
func rulesDetail(dir string, r Rules, limit int) string {
	if r.SelectPolicy == SelectDisabled {
		return dir + " is disabled (select_policy Disabled)"
	}
	ps := make([]string, len(r.Policies))
	for i, p := range r.Policies {
		ps[i] = p.String()
	}
	if len(ps) == 1 {
		return fmt.Sprintf("%s policy %s allows %d", dir, ps[0], limit)
	}
	return fmt.Sprintf("%s policies (%s of %s) allow %d", dir, r.SelectPolicy, strings.Join(ps, ", "), limit)
}

// normalize turns a raw recommendation into the count to apply, returning
// every limit that changed it, in upstream's order.
func (s *scaler) normalize(now sim.Time, current, desired, minReplicas, maxReplicas int) (int, []Limit) {
	var limits []Limit
	if s.behavior == nil {
		stab := s.stabilizeLegacy(now, desired)
		if stab != desired {
			limits = append(limits, Limit{Name: "stabilization", From: desired, To: stab,
				Detail: fmt.Sprintf("highest recommendation in the %s scale-down stabilization window is %d", s.downscaleWindow, stab)})
		}
		final, l := convertDesiredReplicasWithRules(current, stab, minReplicas, maxReplicas)
		if l != nil {
			limits = append(limits, *l)
		}
		return final, limits
	}
	stab, bound := s.stabilizeWithBehavior(now, current, desired)
	if stab != desired {
		var detail string
		if desired >= current {
			detail = fmt.Sprintf("lowest recommendation in the %s scale-up stabilization window is %d", s.behavior.ScaleUp.StabilizationWindow, bound)
		} else {
			detail = fmt.Sprintf("highest recommendation in the %s scale-down stabilization window is %d", s.behavior.ScaleDown.StabilizationWindow, bound)
		}
		limits = append(limits, Limit{Name: "stabilization", From: desired, To: stab, Detail: detail})
	}
	final, l := s.convertWithBehaviorRate(now, current, stab, minReplicas, maxReplicas)
	if l != nil {
		limits = append(limits, *l)
	}
	return final, limits
}

// longestPeriod is getLongestPolicyPeriod.
func longestPeriod(r Rules) time.Duration {
	var d time.Duration
	for _, p := range r.Policies {
		d = max(d, p.Period)
	}
	return d
}

// markOutdated is markScaleEventsOutdated: events strictly before
// now - period become reusable slots.
func markOutdated(now sim.Time, events []scaleEvent, period time.Duration) {
	cutoff := now.Add(-period)
	for i := range events {
		if events[i].at < cutoff {
			events[i].outdated = true
		}
	}
}

// storeEvent adds e in place of the last outdated event, or appends it.
func storeEvent(events []scaleEvent, e scaleEvent) []scaleEvent {
	found, oldIndex := false, 0
	for i, ev := range events {
		if ev.outdated {
			found, oldIndex = true, i
		}
	}
	if found {
		events[oldIndex] = e
		return events
	}
	return append(events, e)
}

// storeScaleEvent is storeScaleEvent: only with a Behavior (the older path
// never reads events), a change from prev to next is remembered for the
// rate policies of its direction.
func (s *scaler) storeScaleEvent(now sim.Time, prev, next int) {
	if s.behavior == nil || prev == next {
		return
	}
	if next > prev {
		markOutdated(now, s.upEvents, longestPeriod(s.behavior.ScaleUp))
		s.upEvents = storeEvent(s.upEvents, scaleEvent{change: next - prev, at: now})
		return
	}
	markOutdated(now, s.downEvents, longestPeriod(s.behavior.ScaleDown))
	s.downEvents = storeEvent(s.downEvents, scaleEvent{change: prev - next, at: now})
}

// proposal is what a metric calculator hands to reconcile.
type proposal struct {
	// ok is false when the calculator cannot decide (no metrics).
	ok bool
	// reason is the Recommendation.Reason when !ok.
	reason Reason
	// raw is the proportional count before the calculator's own holds.
	raw int
	// desired is the calculator's count (upstream's replicaCount).
	desired int
	// limits are the calculator's holds, from raw to desired.
	limits []Limit
	// inputs are the values used.
	inputs []Input
	// text is the head of the explanation, e.g. "cpu utilization 92% vs
	// target 70% -> ceil(4 x 1.31) = 6", or why there is no decision.
	text string
}

// reconcile is the replica part of reconcileAutoscaler: a count above max or
// below min is brought back first, without consulting the metrics; otherwise
// the calculator's count is normalised. A change is stored as a scale event,
// as upstream does after a successful rescale (the caller applies every
// valid recommendation).
func (s *scaler) reconcile(now sim.Time, o Observation, compute func() proposal) Recommendation {
	current := o.Current
	s.recordInitial(now, current)
	r := Recommendation{Desired: current, Raw: current, Inputs: []Input{
		{Name: "current_replicas", Value: float64(current)},
		{Name: "min_replicas", Value: float64(o.Min)},
		{Name: "max_replicas", Value: float64(o.Max)},
	}}
	var head string
	desired := current
	switch {
	case current == 0 && o.Min != 0:
		r.Reason = ReasonScalingDisabled
		r.Explanation = "the workload is scaled to zero: autoscaling is disabled until it is scaled up by hand"
		return r
	case current > o.Max:
		desired = o.Max
		r.Limits = []Limit{{Name: "max", From: current, To: o.Max, Detail: fmt.Sprintf("max replicas %d", o.Max)}}
		head = fmt.Sprintf("current %d is above max replicas", current)
	case current < o.Min:
		desired = o.Min
		r.Limits = []Limit{{Name: "min", From: current, To: o.Min, Detail: fmt.Sprintf("min replicas %d", o.Min)}}
		head = fmt.Sprintf("current %d is below min replicas", current)
	default:
		p := compute()
		r.Inputs = append(r.Inputs, p.inputs...)
		if !p.ok {
			r.Reason = p.reason
			r.Explanation = p.text
			return r
		}
		r.Raw = p.raw
		head = p.text
		desired = max(p.desired, 0)
		var norm []Limit
		desired, norm = s.normalize(now, current, desired, o.Min, o.Max)
		r.Limits = append(append(r.Limits, p.limits...), norm...)
	}
	if desired != current {
		s.storeScaleEvent(now, current, desired)
	}
	r.Valid = true
	r.Desired = desired
	r.Reason = reasonFor(current, desired, r.Limits)
	r.Explanation = explain(head, r.Limits)
	return r
}

// reasonFor names the outcome: the direction of a change, or the rule that
// held the count.
func reasonFor(current, desired int, limits []Limit) Reason {
	switch {
	case desired > current:
		return ReasonScaleUp
	case desired < current:
		return ReasonScaleDown
	case len(limits) == 0:
		return ReasonUnchanged
	}
	switch limits[len(limits)-1].Name {
	case "tolerance":
		return ReasonWithinTolerance
	case "direction-change":
		return ReasonDirectionChange
	case "stabilization":
		return ReasonStabilized
	case "rate-policy", "scale-up-limit":
		return ReasonRateLimited
	case "scale-up-disabled", "scale-down-disabled":
		return ReasonScalingDisabled
	case "pending":
		return ReasonPendingInstance
	case "min":
		return ReasonAtMin
	case "max":
		return ReasonAtMax
	}
	return ReasonUnchanged
}

// explain joins the head of an explanation with each limit: "head; detail
// -> to; detail -> to".
func explain(head string, limits []Limit) string {
	if len(limits) == 0 {
		return head
	}
	var b strings.Builder
	b.WriteString(head)
	for _, l := range limits {
		fmt.Fprintf(&b, "; %s -> %d", l.Detail, l.To)
	}
	return b.String()
}

func minInt(a, b int) int { return min(a, b) }
func maxInt(a, b int) int { return max(a, b) }

// clamp brings n into [lo, hi], recording which bound applied.
func clamp(n, lo, hi int) (int, *Limit) {
	switch {
	case n > hi:
		return hi, &Limit{Name: "max", From: n, To: hi, Detail: fmt.Sprintf("max replicas %d", hi)}
	case n < lo:
		return lo, &Limit{Name: "min", From: n, To: lo, Detail: fmt.Sprintf("min replicas %d", lo)}
	}
	return n, nil
}
