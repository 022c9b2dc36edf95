package policies

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Target tracking as EC2 and Application Auto Scaling run it. AWS publishes
// no formula for the capacity it computes; this file follows what the docs
// say and assumes the rest, each marked:
//
//   - two alarms are made for the policy: a high one that scales out after 3
//     of 3 one-minute datapoints above the target, a low one that scales in
//     after 15 of 15 below it (the alarms the console shows for a target
//     tracking policy; the issue's and the docs' "scales out proportionally
//     to the metric as fast as it can, but scales in more gradually",
//     docs.aws.amazon.com/autoscaling/application/userguide/
//     application-auto-scaling-target-tracking.html);
//   - assumed: the low alarm's threshold is 90% of the target (what those
//     alarms show; AWS documents no number): scale_in_threshold_percentage;
//   - assumed: the capacity wanted is ceil(capacity x metric / target), the
//     capacity being the warm instances whose metric it is (proportional to
//     the metric, as the docs say); on a scale-out the result is compared
//     with the desired capacity, warming instances included, and only a
//     larger one is applied (the warm-up rule of aws_cloudwatch.go); on a
//     scale-in only a smaller one, never below min;
//   - the policy runs at each evaluation while its alarm is in ALARM (an
//     alarm in ALARM keeps invoking the policy);
//   - DisableScaleIn: "scale in is disabled and the target tracking scaling
//     policy won't remove capacity" (API_TargetTrackingScalingPolicy
//     Configuration);
//   - ScaleInCooldown: "scale-in activities are blocked until the cooldown
//     period has expired. However, if another alarm triggers a scale-out
//     activity during the scale-in cooldown period, Application Auto
//     Scaling scales out the target immediately" (same page). 0 by default,
//     as EC2 Auto Scaling's target tracking, which uses the warm-up instead;
//     ECS's default is 300 s. ScaleOutCooldown is not a parameter: while it
//     runs "the capacity that has been added by the previous scale out event
//     ... is calculated as part of the desired capacity for the next scale
//     out", which the warm-up rule here does at all times.

// TargetTrackingConfig is a target tracking scaling policy.
type TargetTrackingConfig struct {
	// Metric is cpu or request_count_per_target.
	Metric AWSMetric
	// TargetValue is the metric's value to keep (percent for cpu).
	TargetValue float64
	// DisableScaleIn: the policy never removes capacity.
	DisableScaleIn bool
	// InstanceWarmup is how long a new instance is kept out of the metric
	// after it is in service. 300 s: EC2's fallback, the default cooldown.
	InstanceWarmup time.Duration
	// ScaleInCooldown (Application Auto Scaling): 0.
	ScaleInCooldown time.Duration
	// High and Low are the alarms: 3 of 3 and 15 of 15.
	High, Low AWSAlarm
	// ScaleInThresholdPercentage is the low alarm's threshold in percent of
	// the target: 90 (an assumption).
	ScaleInThresholdPercentage float64
}

// DefaultTargetTrackingConfig returns the defaults of an EC2 Auto Scaling
// target tracking policy on CPU at 50%.
func DefaultTargetTrackingConfig() TargetTrackingConfig {
	return TargetTrackingConfig{
		Metric:                     AWSCPUUtilization,
		TargetValue:                50,
		InstanceWarmup:             300 * time.Second,
		High:                       AWSAlarm{Datapoints: 3, Periods: 3},
		Low:                        AWSAlarm{Datapoints: 15, Periods: 15},
		ScaleInThresholdPercentage: 90,
	}
}

// Validate reports every problem, joined, as *FieldErrors.
func (c TargetTrackingConfig) Validate() error {
	var errs []error
	if err := c.Metric.valid(); err != nil {
		errs = append(errs, err)
	}
	if !(c.TargetValue > 0) {
		errs = append(errs, fieldErr("target_value", "%g must be greater than 0", c.TargetValue))
	}
	if c.InstanceWarmup < 0 || c.InstanceWarmup > time.Hour {
		errs = append(errs, fieldErr("instance_warmup", "%s must be between 0 and 1h (EC2's 0 to 3600 seconds)", c.InstanceWarmup))
	}
	if c.ScaleInCooldown < 0 {
		errs = append(errs, fieldErr("scale_in_cooldown", "%s must be at least 0", c.ScaleInCooldown))
	}
	errs = append(errs, c.High.validate("scale_out")...)
	errs = append(errs, c.Low.validate("scale_in")...)
	if !(c.ScaleInThresholdPercentage > 0 && c.ScaleInThresholdPercentage <= 100) {
		errs = append(errs, fieldErr("scale_in_threshold_percentage", "%g must be in (0, 100]", c.ScaleInThresholdPercentage))
	}
	return errors.Join(errs...)
}

// TargetTrackingCapacity is the capacity the policy wants (an assumption,
// see the file's comment): ceil(capacity x metric / target).
func TargetTrackingCapacity(capacity int, metric, target float64) int {
	return awsCeil(float64(capacity) * metric / target)
}

// awsCooldowns is the Application Auto Scaling scale-in cooldown.
type awsCooldowns struct {
	inUntil sim.Time
	inSet   bool
}

// TargetTracking is a target tracking scaling policy.
type TargetTracking struct {
	cfg       TargetTrackingConfig
	src       awsMetricSource
	high, low *awsAlarmRing
	cool      awsCooldowns
}

// NewTargetTracking returns a policy with no datapoints yet.
func NewTargetTracking(cfg TargetTrackingConfig) (*TargetTracking, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("target-tracking: %w", err)
	}
	return &TargetTracking{cfg: cfg, src: awsMetricSource{metric: cfg.Metric},
		high: newAWSAlarmRing(cfg.High), low: newAWSAlarmRing(cfg.Low)}, nil
}

// Name is "target-tracking".
func (*TargetTracking) Name() string { return "target-tracking" }

// Recommend takes one datapoint, updates both alarms and runs the policy
// of the one in ALARM.
func (p *TargetTracking) Recommend(now sim.Time, o Observation) Recommendation {
	cfg := p.cfg
	g := readAWSGroup(now, o, cfg.InstanceWarmup)
	v, ok := p.src.datapoint(o, g)
	lowThreshold := cfg.TargetValue * cfg.ScaleInThresholdPercentage / 100
	p.high.add(ok && v > cfg.TargetValue)
	p.low.add(ok && v < lowThreshold)
	in := []Input{
		{Name: "datapoint", Value: v},
		{Name: "target_value", Value: cfg.TargetValue},
		{Name: "high_breaching", Value: float64(p.high.count)},
		{Name: "low_breaching", Value: float64(p.low.count)},
		{Name: "measured_capacity", Value: float64(g.capacity(cfg.Metric))},
		{Name: "warming_instances", Value: float64(g.warming)},
	}
	rec := Recommendation{Inputs: in}
	if !ok {
		rec.Reason = ReasonNoMetrics
		rec.Explanation = "no datapoint this period (no warm instance to measure): both alarms see it as not breaching"
		return rec
	}
	head := fmt.Sprintf("datapoint %s vs target %s (%d of %d above, %d of %d below %s)",
		awsValue(cfg.Metric, v), awsValue(cfg.Metric, cfg.TargetValue), p.high.count, cfg.High.Periods,
		p.low.count, cfg.Low.Periods, awsValue(cfg.Metric, lowThreshold))
	rec.Valid, rec.Desired, rec.Raw = true, o.Current, o.Current
	switch {
	case p.high.inAlarm():
		c := g.capacity(cfg.Metric)
		rec.Raw = TargetTrackingCapacity(c, v, cfg.TargetValue)
		head += fmt.Sprintf("; high alarm: ceil(%d x %.4g / %.4g) = %d", c, v, cfg.TargetValue, rec.Raw)
		if rec.Raw > o.Current {
			rec.Desired = rec.Raw
			p.cool.inSet = false // a scale-out ends the scale-in cooldown
		} else if rec.Raw < o.Current && g.warming > 0 {
			rec.Limits = append(rec.Limits, Limit{Name: "warmup", From: rec.Raw, To: o.Current,
				Detail: fmt.Sprintf("%d warming instances count toward the capacity", g.warming)})
		}
	case p.low.inAlarm():
		c := g.capacity(cfg.Metric)
		rec.Raw = max(TargetTrackingCapacity(c, v, cfg.TargetValue), 0)
		head += fmt.Sprintf("; low alarm: ceil(%d x %.4g / %.4g) = %d", c, v, cfg.TargetValue, rec.Raw)
		switch {
		case rec.Raw >= o.Current:
		case max(rec.Raw, o.Min) >= o.Current:
			rec.Desired = rec.Raw // at min: awsBound says so
		case cfg.DisableScaleIn:
			rec.Limits = append(rec.Limits, Limit{Name: "scale-in-disabled", From: rec.Raw, To: o.Current, Detail: "disable_scale_in"})
		case g.warming > 0:
			rec.Limits = append(rec.Limits, Limit{Name: "warmup", From: rec.Raw, To: o.Current,
				Detail: fmt.Sprintf("%d instances warming: no scale-in until they are warm", g.warming)})
		case p.cool.inSet && now < p.cool.inUntil:
			rec.Limits = append(rec.Limits, Limit{Name: "cooldown", From: rec.Raw, To: o.Current,
				Detail: fmt.Sprintf("scale-in cooldown until %s", simT(p.cool.inUntil))})
		default:
			rec.Desired = rec.Raw
			if cfg.ScaleInCooldown > 0 {
				p.cool.inUntil, p.cool.inSet = now.Add(cfg.ScaleInCooldown), true
			}
		}
	}
	awsFinish(&rec, o, head)
	return rec
}

// awsFinish ends both AWS policies' recommendations: the bounded desired
// count, its reason, and the explanation head with the last limit that
// moved it.
func awsFinish(rec *Recommendation, o Observation, head string) {
	rec.Desired = awsBound(rec, o)
	rec.Reason = awsReason(*rec, o)
	rec.Explanation = head
	if rec.Desired != rec.Raw && len(rec.Limits) > 0 {
		l := rec.Limits[len(rec.Limits)-1]
		rec.Explanation += fmt.Sprintf("; %s -> %d", l.Detail, rec.Desired)
	}
}

// awsBound keeps rec.Desired within [Min, Max], recording the limit.
func awsBound(rec *Recommendation, o Observation) int {
	d := rec.Desired
	if d < o.Min {
		rec.Limits = append(rec.Limits, Limit{Name: "min", From: d, To: o.Min, Detail: fmt.Sprintf("min capacity %d", o.Min)})
		d = o.Min
	}
	if o.Max > 0 && d > o.Max {
		rec.Limits = append(rec.Limits, Limit{Name: "max", From: d, To: o.Max, Detail: fmt.Sprintf("max capacity %d", o.Max)})
		d = o.Max
	}
	return d
}

// awsReason names the outcome.
func awsReason(rec Recommendation, o Observation) Reason {
	switch {
	case rec.Desired > o.Current:
		return ReasonScaleUp
	case rec.Desired < o.Current:
		return ReasonScaleDown
	case len(rec.Limits) == 0:
		return ReasonUnchanged
	}
	switch rec.Limits[len(rec.Limits)-1].Name {
	case "min":
		return ReasonAtMin
	case "max":
		return ReasonAtMax
	case "cooldown":
		return ReasonCooldown
	case "warmup":
		return ReasonWarmup
	case "scale-in-disabled":
		return ReasonScalingDisabled
	}
	return ReasonUnchanged
}

// The AWS policies' own reasons: a count held by a cooldown or by
// instances warming up.
const (
	ReasonCooldown Reason = "cooldown"
	ReasonWarmup   Reason = "warmup"
)

func simT(t sim.Time) string { return time.Duration(t).String() }
