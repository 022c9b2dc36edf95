package policies

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Step scaling as EC2 Auto Scaling runs it, after "Step and simple scaling
// policies" (docs.aws.amazon.com/autoscaling/ec2/userguide/
// as-scaling-simple-step.html) and the API's StepAdjustment
// (docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StepAdjustment.html):
//
//   - a policy has an alarm on the metric (here: scale_out's breaches at or
//     above its threshold, scale_in's at or below, N of M datapoints) and
//     step adjustments whose bounds are relative to the threshold: above it
//     a step matches when lower <= metric - threshold < upper, below it when
//     lower < metric - threshold <= upper; a missing bound is infinite; the
//     steps may not overlap or leave a gap;
//   - the adjustment is ChangeInCapacity (add it), ExactCapacity (set it)
//     or PercentChangeInCapacity (add that percent of the current capacity,
//     rounded toward zero when its magnitude is above 1, to 1 or -1 when it
//     is below; then at least MinAdjustmentMagnitude instances), and the
//     result stays within min and max;
//   - warm-up (aws_cloudwatch.go): the current capacity is the warm
//     instances, a scale-out applies only when it asks for more than the
//     desired capacity (warming instances included), and no scale-in
//     happens while instances warm up.
//
// Simple scaling's cooldown is not modeled: step scaling does not use it.

// Adjustment types.
const (
	ChangeInCapacity        = "ChangeInCapacity"
	PercentChangeInCapacity = "PercentChangeInCapacity"
	ExactCapacity           = "ExactCapacity"
)

// StepAdjustment is one step: bounds relative to the alarm threshold
// (±Inf when absent) and the adjustment.
type StepAdjustment struct {
	Lower, Upper float64
	Adjustment   float64
}

// StepPolicy is one step scaling policy with its alarm.
type StepPolicy struct {
	// Threshold is the alarm's threshold, in the metric's unit.
	Threshold float64
	// Alarm is its N of M datapoints (1 of 1 by default).
	Alarm AWSAlarm
	// AdjustmentType is ChangeInCapacity, PercentChangeInCapacity or
	// ExactCapacity.
	AdjustmentType string
	// MinAdjustmentMagnitude: PercentChangeInCapacity changes by at least
	// this many instances; 0 none.
	MinAdjustmentMagnitude int
	// Steps, in ascending order of bounds.
	Steps []StepAdjustment
}

// StepScalingConfig is a pair of step scaling policies on one metric.
type StepScalingConfig struct {
	Metric         AWSMetric
	InstanceWarmup time.Duration
	// ScaleOut and ScaleIn; either may be nil, not both.
	ScaleOut, ScaleIn *StepPolicy
}

// DefaultStepScalingConfig returns step scaling on CPU with a 300 s
// warm-up and no policies.
func DefaultStepScalingConfig() StepScalingConfig {
	return StepScalingConfig{Metric: AWSCPUUtilization, InstanceWarmup: 300 * time.Second}
}

// Validate reports every problem, joined, as *FieldErrors.
func (c StepScalingConfig) Validate() error {
	var errs []error
	if err := c.Metric.valid(); err != nil {
		errs = append(errs, err)
	}
	if c.InstanceWarmup < 0 || c.InstanceWarmup > time.Hour {
		errs = append(errs, fieldErr("instance_warmup", "%s must be between 0 and 1h", c.InstanceWarmup))
	}
	if c.ScaleOut == nil && c.ScaleIn == nil {
		errs = append(errs, fieldErr("scale_out", "step scaling needs a scale_out or a scale_in policy, e.g. scale_out: {threshold: 70, steps: [{lower: 0, adjustment: 1}]}"))
	}
	for _, x := range []struct {
		name string
		p    *StepPolicy
	}{{"scale_out", c.ScaleOut}, {"scale_in", c.ScaleIn}} {
		if x.p != nil {
			errs = append(errs, x.p.validate(x.name)...)
		}
	}
	return errors.Join(errs...)
}

func (p *StepPolicy) validate(name string) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldErr(name+"."+field, format, args...))
	}
	if a := p.Alarm; a.Periods < 1 || a.Datapoints < 1 || a.Datapoints > a.Periods || a.Periods > 1440 {
		bad("datapoints", "%d of %d periods: need 1 <= datapoints <= periods <= 1440", a.Datapoints, a.Periods)
	}
	switch p.AdjustmentType {
	case ChangeInCapacity, ExactCapacity:
		if p.MinAdjustmentMagnitude != 0 {
			bad("min_adjustment_magnitude", "applies only to %s", PercentChangeInCapacity)
		}
	case PercentChangeInCapacity:
		if p.MinAdjustmentMagnitude < 0 {
			bad("min_adjustment_magnitude", "%d must be at least 0", p.MinAdjustmentMagnitude)
		}
	default:
		bad("adjustment_type", "%q must be %s, %s or %s", p.AdjustmentType, ChangeInCapacity, PercentChangeInCapacity, ExactCapacity)
	}
	if len(p.Steps) == 0 {
		bad("steps", "needs at least one step, e.g. [{lower: 0, adjustment: 1}]")
	}
	for k, s := range p.Steps {
		f := fmt.Sprintf("steps[%d]", k)
		switch {
		case !(s.Lower < s.Upper):
			bad(f, "lower %g must be below upper %g", s.Lower, s.Upper)
		case k > 0 && s.Lower != p.Steps[k-1].Upper:
			bad(f+".lower", "%g must equal the upper bound %g of the step before: steps may not overlap or leave a gap", s.Lower, p.Steps[k-1].Upper)
		case p.AdjustmentType == ExactCapacity && s.Adjustment < 0:
			bad(f+".adjustment", "%g: an exact capacity must be at least 0", s.Adjustment)
		case s.Adjustment != math.Trunc(s.Adjustment):
			bad(f+".adjustment", "%g must be a whole number", s.Adjustment)
		}
	}
	return errs
}

// MatchStep returns the step for a breach of delta = metric - threshold:
// lower <= delta < upper above the threshold, lower < delta <= upper below
// it.
func MatchStep(steps []StepAdjustment, delta float64, above bool) (StepAdjustment, bool) {
	for _, s := range steps {
		if above && s.Lower <= delta && delta < s.Upper || !above && s.Lower < delta && delta <= s.Upper {
			return s, true
		}
	}
	return StepAdjustment{}, false
}

// ApplyAdjustment is the capacity after an adjustment of the given type to
// capacity, before min and max.
func ApplyAdjustment(kind string, capacity int, adj float64, minMagnitude int) int {
	switch kind {
	case ExactCapacity:
		return int(adj)
	case PercentChangeInCapacity:
		d := float64(capacity) * adj / 100
		var n int
		switch {
		case d > 1 || d < -1:
			n = int(math.Trunc(d)) // 12.7 -> 12, -6.67 -> -6
		case d > 0:
			n = 1
		case d < 0:
			n = -1
		}
		if minMagnitude > 0 && n != 0 && abs(n) < minMagnitude {
			n = minMagnitude * sign(n)
		}
		return capacity + n
	}
	return capacity + int(adj)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// StepScaling runs a scale-out and a scale-in step policy.
type StepScaling struct {
	cfg     StepScalingConfig
	src     awsMetricSource
	out, in *awsAlarmRing
}

// NewStepScaling returns the policies with no datapoints yet.
func NewStepScaling(cfg StepScalingConfig) (*StepScaling, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("step-scaling: %w", err)
	}
	s := &StepScaling{cfg: cfg, src: awsMetricSource{metric: cfg.Metric}}
	if cfg.ScaleOut != nil {
		s.out = newAWSAlarmRing(cfg.ScaleOut.Alarm)
	}
	if cfg.ScaleIn != nil {
		s.in = newAWSAlarmRing(cfg.ScaleIn.Alarm)
	}
	return s, nil
}

// Name is "step-scaling".
func (*StepScaling) Name() string { return "step-scaling" }

// Recommend takes one datapoint, updates the alarms and runs the policy
// whose alarm is in ALARM (the scale-out one first).
func (s *StepScaling) Recommend(now sim.Time, o Observation) Recommendation {
	cfg := s.cfg
	g := readAWSGroup(now, o, cfg.InstanceWarmup)
	v, ok := s.src.datapoint(o, g)
	in := []Input{{Name: "datapoint", Value: v}}
	if s.out != nil {
		s.out.add(ok && v >= cfg.ScaleOut.Threshold)
		in = append(in, Input{Name: "scale_out_breaching", Value: float64(s.out.count)})
	}
	if s.in != nil {
		s.in.add(ok && v <= cfg.ScaleIn.Threshold)
		in = append(in, Input{Name: "scale_in_breaching", Value: float64(s.in.count)})
	}
	in = append(in, Input{Name: "measured_capacity", Value: float64(g.capacity(cfg.Metric))}, Input{Name: "warming_instances", Value: float64(g.warming)})
	rec := Recommendation{Inputs: in}
	if !ok {
		rec.Reason = ReasonNoMetrics
		rec.Explanation = "no datapoint this period (no warm instance to measure): the alarms see it as not breaching"
		return rec
	}
	rec.Valid, rec.Desired, rec.Raw = true, o.Current, o.Current
	head := fmt.Sprintf("datapoint %s", awsValue(cfg.Metric, v))
	switch {
	case s.out != nil && s.out.inAlarm():
		p := cfg.ScaleOut
		head += fmt.Sprintf(", scale-out alarm (>= %s, %d of %d)", awsValue(cfg.Metric, p.Threshold), s.out.count, p.Alarm.Periods)
		st, hit := MatchStep(p.Steps, v-p.Threshold, true)
		if !hit {
			head += ": no step matches"
			break
		}
		c := g.capacity(cfg.Metric)
		rec.Raw = ApplyAdjustment(p.AdjustmentType, c, st.Adjustment, p.MinAdjustmentMagnitude)
		head += fmt.Sprintf(": step [%g, %g) %s %g on %d measured = %d", st.Lower, st.Upper, p.AdjustmentType, st.Adjustment, c, rec.Raw)
		if rec.Raw > o.Current {
			rec.Desired = rec.Raw
		} else if rec.Raw < o.Current && g.warming > 0 {
			rec.Limits = append(rec.Limits, Limit{Name: "warmup", From: rec.Raw, To: o.Current,
				Detail: fmt.Sprintf("%d warming instances count toward the capacity", g.warming)})
		}
	case s.in != nil && s.in.inAlarm():
		p := cfg.ScaleIn
		head += fmt.Sprintf(", scale-in alarm (<= %s, %d of %d)", awsValue(cfg.Metric, p.Threshold), s.in.count, p.Alarm.Periods)
		st, hit := MatchStep(p.Steps, v-p.Threshold, false)
		if !hit {
			head += ": no step matches"
			break
		}
		rec.Raw = max(ApplyAdjustment(p.AdjustmentType, o.Current, st.Adjustment, p.MinAdjustmentMagnitude), 0)
		head += fmt.Sprintf(": step (%g, %g] %s %g on %d = %d", st.Lower, st.Upper, p.AdjustmentType, st.Adjustment, o.Current, rec.Raw)
		switch {
		case rec.Raw >= o.Current:
		case max(rec.Raw, o.Min) >= o.Current:
			rec.Desired = rec.Raw // at min: awsBound says so
		case g.warming > 0:
			rec.Limits = append(rec.Limits, Limit{Name: "warmup", From: rec.Raw, To: o.Current,
				Detail: fmt.Sprintf("%d instances warming: no scale-in until they are warm", g.warming)})
		default:
			rec.Desired = rec.Raw
		}
	}
	awsFinish(&rec, o, head)
	return rec
}
