package policies

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// LatencyConfig configures Latency. Start from DefaultLatencyConfig and set
// Target; every field is taken literally.
type LatencyConfig struct {
	// Target is the latency the percentile should stay at or under; > 0.
	Target time.Duration
	// Percentile is the percentile kept under Target, in (0, 100): default
	// 95. The cluster must fill Observation.Latency with this percentile.
	Percentile float64
	// Tolerance is the band around observed/target = 1 within which the
	// count is kept: default 0.1.
	Tolerance float64
	// MinSamples is the fewest completed requests in the metrics window for
	// a decision: default 20. Below it the policy holds (Valid=false).
	MinSamples int
	// ScaleDownStep is how many replicas one scale-down recommendation
	// removes: default 1.
	ScaleDownStep int
	// Behavior damps the recommendation exactly as an HPA's spec.behavior:
	// default DefaultBehavior() (scale-up at most max(+4, +100%) per 15 s,
	// scale-down after a 300 s window).
	Behavior Behavior
}

// DefaultLatencyConfig returns the defaults; Target is left zero and must
// be set.
func DefaultLatencyConfig() LatencyConfig {
	return LatencyConfig{
		Percentile:    95,
		Tolerance:     0.1,
		MinSamples:    20,
		ScaleDownStep: 1,
		Behavior:      DefaultBehavior(),
	}
}

// Validate reports every problem in c, joined, each a *FieldError.
func (c LatencyConfig) Validate() error {
	var errs []error
	if c.Target <= 0 {
		errs = append(errs, fieldErr("target", "%s must be greater than 0", c.Target))
	}
	if !(c.Percentile > 0 && c.Percentile < 100) {
		errs = append(errs, fieldErr("percentile", "%g must be between 0 and 100 (exclusive), e.g. 95", c.Percentile))
	}
	if c.Tolerance < 0 || math.IsNaN(c.Tolerance) {
		errs = append(errs, fieldErr("tolerance", "%g must be at least 0", c.Tolerance))
	}
	if c.MinSamples < 1 {
		errs = append(errs, fieldErr("min_samples", "%d must be at least 1", c.MinSamples))
	}
	if c.ScaleDownStep < 1 {
		errs = append(errs, fieldErr("scale_down_step", "%d must be at least 1", c.ScaleDownStep))
	}
	errs = append(errs, nested("behavior", c.Behavior.Validate())...)
	return errors.Join(errs...)
}

// Latency keeps a latency percentile at or under a target. It is this
// project's design, built from the HPA's parts:
//
// ratio = observed percentile / Target, over the ready pods (the ones whose
// requests made the latency):
//
//   - within [1 - Tolerance, 1 + Tolerance]: keep the current count;
//   - above: multiplicative increase, desired = ceil(ready x ratio), but
//     never below the current count (pods that are still starting are
//     already on their way and are not counted twice);
//   - below: additive decrease, desired = ready - ScaleDownStep, and not
//     while any pod is still starting (its effect on latency is not known
//     yet).
//
// The result is then normalised by Behavior exactly like an HPA with
// spec.behavior (stabilization windows, rate policies, min and max; see
// behavior.go), so with the defaults a scale-up is immediate but capped at
// max(+4, +100%) per 15 s, and a scale-down happens only after 300 s of
// consistently low latency, one step at a time. With fewer than MinSamples
// completed requests in the window there is no decision.
//
// Why the asymmetry: above target, latency grows with the load per replica,
// so a proportional step is a reasonable guess. Below target it is mostly
// service time, which does not depend on the number of replicas, so the
// ratio says nothing about how many can go; removing one at a time and
// watching is the only safe probe.
//
// Where latency scaling misleads:
//
//   - A slow dependency (database, downstream API, dependency-outage fault)
//     raises latency that more replicas do not cure: the policy scales up to
//     max, costs money and, if the dependency is overloaded, makes it worse.
//     CPU utilization falls at the same time; compare the two.
//   - Latency saturates: once queues are full, requests are rejected (or
//     time out at the client) instead of getting slower, and rejected
//     requests have no latency. The percentile stops growing at about
//     queue_limit x service time, so the ratio understates the overload;
//     watch the rejected and timed_out counts.
//   - Small samples: a high percentile of a few requests is one or two of
//     them (p95 of 20 requests is the largest but one), so at low traffic
//     the signal is noise. MinSamples guards the worst of it; at zero
//     traffic there are no samples and the policy never scales down.
//   - Latency is a lagging, averaged signal: it reflects the metrics window
//     (the last tens of seconds), so it reacts later than utilization to a
//     step in load, and keeps reacting after the new replicas have fixed it.
type Latency struct {
	cfg LatencyConfig
	tol tolerances
	s   scaler
}

// NewLatency returns the policy, named "latency".
func NewLatency(cfg LatencyConfig) (*Latency, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	return &Latency{
		cfg: cfg,
		tol: tolerancesFor(cfg.Tolerance, &cfg.Behavior),
		s:   newScaler(&cfg.Behavior, cfg.Behavior.ScaleDown.StabilizationWindow),
	}, nil
}

// Name is "latency".
func (*Latency) Name() string { return "latency" }

// Percentile is the percentile the policy needs in Observation.Latency.
func (l *Latency) Percentile() float64 { return l.cfg.Percentile }

// Recommend computes the proportional count and normalises it.
func (l *Latency) Recommend(now sim.Time, o Observation) Recommendation {
	return l.s.reconcile(now, o, func() proposal { return l.propose(o) })
}

func (l *Latency) propose(o Observation) proposal {
	ready, starting := 0, 0
	for _, p := range o.Pods {
		if p.Ready {
			ready++
		} else {
			starting++
		}
	}
	m := o.Latency
	target := l.cfg.Target.Seconds()
	in := []Input{
		{Name: "latency_percentile", Value: l.cfg.Percentile},
		{Name: "latency_samples", Value: float64(m.Count)},
		{Name: "latency_target_s", Value: target},
		{Name: "ready_pods", Value: float64(ready)},
		{Name: "starting_pods", Value: float64(starting)},
	}
	pname := fmt.Sprintf("p%g", l.cfg.Percentile)
	switch {
	case m.Count > 0 && m.Percentile != 0 && m.Percentile != l.cfg.Percentile:
		return proposal{reason: ReasonNoMetrics, inputs: in,
			text: fmt.Sprintf("observation carries p%g latency, policy needs %s", m.Percentile, pname)}
	case m.Count < l.cfg.MinSamples:
		return proposal{reason: ReasonTooFewSamples, inputs: in,
			text: fmt.Sprintf("%d requests completed in the window, fewer than %d: no latency decision", m.Count, l.cfg.MinSamples)}
	case ready == 0:
		return proposal{reason: ReasonNoReadyPods, inputs: in, text: "no ready pods: latency says nothing about capacity"}
	}
	ratio := m.Seconds / target
	in = append(in, Input{Name: "latency_observed_s", Value: m.Seconds}, Input{Name: "latency_ratio", Value: ratio})
	head := fmt.Sprintf("%s latency %.3gs vs target %.3gs", pname, m.Seconds, target)
	p := proposal{ok: true, inputs: in, desired: o.Current}
	switch {
	case l.tol.within(ratio):
		p.raw = int(math.Ceil(float64(ready) * ratio))
		p.text = fmt.Sprintf("%s -> ceil(%d x %.2f) = %d", head, ready, ratio, p.raw)
		if p.raw != o.Current {
			p.limits = []Limit{{Name: "tolerance", From: p.raw, To: o.Current,
				Detail: fmt.Sprintf("ratio %.2f within tolerance [%.2f, %.2f]", ratio, 1-l.tol.down, 1+l.tol.up)}}
		}
	case ratio > 1:
		p.raw = int(math.Ceil(float64(ready) * ratio))
		p.text = fmt.Sprintf("%s -> ceil(%d x %.2f) = %d", head, ready, ratio, p.raw)
		if p.raw >= o.Current {
			p.desired = p.raw
		} else {
			p.limits = []Limit{{Name: "direction-change", From: p.raw, To: o.Current,
				Detail: fmt.Sprintf("%d pods still starting count toward the scale-up", starting)}}
		}
	default:
		p.raw = ready - l.cfg.ScaleDownStep
		p.text = fmt.Sprintf("%s -> %d ready - %d = %d", head, ready, l.cfg.ScaleDownStep, p.raw)
		if starting > 0 {
			p.limits = []Limit{{Name: "pending", From: p.raw, To: o.Current,
				Detail: fmt.Sprintf("%d pods still starting: no scale-down until they are ready", starting)}}
		} else {
			p.desired = p.raw
		}
	}
	return p
}
