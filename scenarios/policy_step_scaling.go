package scenarios

import (
	"math"

	"github.com/scalesim/scalesim/policies"
)

// PolicyStepScaling is AWS's step scaling policy.
const PolicyStepScaling = "step-scaling"

// StepScaling holds the step scaling policies: one to scale out, one to
// scale in, each with its alarm and steps.
type StepScaling struct {
	ScaleOut *StepPolicy `yaml:"scale_out"`
	ScaleIn  *StepPolicy `yaml:"scale_in"`
}

// StepPolicy is one step scaling policy and its alarm: scale_out's
// breaches at or above threshold, scale_in's at or below.
type StepPolicy struct {
	Threshold float64 `yaml:"threshold" scn:"req"`
	// Datapoints of the last Periods must breach. Default 1 of 1.
	Datapoints int `yaml:"datapoints"`
	Periods    int `yaml:"periods"`
	// AdjustmentType is ChangeInCapacity (default),
	// PercentChangeInCapacity or ExactCapacity.
	AdjustmentType         string `yaml:"adjustment_type" scn:"enum=ChangeInCapacity|PercentChangeInCapacity|ExactCapacity"`
	MinAdjustmentMagnitude int    `yaml:"min_adjustment_magnitude"`
	Steps                  []Step `yaml:"steps" scn:"req"`
}

func (p *StepPolicy) setDefaults() {
	*p = StepPolicy{Datapoints: 1, Periods: 1, AdjustmentType: policies.ChangeInCapacity}
}

// Step is one step adjustment: bounds relative to the threshold (absent:
// infinite) and the adjustment.
type Step struct {
	Lower      float64 `yaml:"lower"`
	Upper      float64 `yaml:"upper"`
	Adjustment float64 `yaml:"adjustment" scn:"req"`
}

func (s *Step) setDefaults() { *s = Step{Lower: math.Inf(-1), Upper: math.Inf(1)} }

func (p *StepPolicy) build() *policies.StepPolicy {
	if p == nil {
		return nil
	}
	out := &policies.StepPolicy{Threshold: p.Threshold, Alarm: policies.AWSAlarm{Datapoints: p.Datapoints, Periods: p.Periods},
		AdjustmentType: p.AdjustmentType, MinAdjustmentMagnitude: p.MinAdjustmentMagnitude}
	for _, s := range p.Steps {
		out.Steps = append(out.Steps, policies.StepAdjustment{Lower: s.Lower, Upper: s.Upper, Adjustment: s.Adjustment})
	}
	return out
}

func init() {
	registerPolicy(PolicyDef{
		Name:     PolicyStepScaling,
		Order:    100,
		Doc:      "AWS step scaling (EC2 Auto Scaling): CloudWatch alarms on 1-minute datapoints, adjustments by how far the metric is past the threshold",
		Interval: DefaultAWSInterval,
		Reads:    awsReads,
		Params: []Param{
			{"scale_out", "none", "{threshold, datapoints (1), periods (1), adjustment_type (ChangeInCapacity), min_adjustment_magnitude, steps: [{lower, upper, adjustment}]}"},
			{"scale_in", "none", "the same, breaching at or below its threshold"},
		},
		Fill: awsFill,
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := policies.DefaultStepScalingConfig()
			cfg.Metric = a.AWS.metric()
			cfg.InstanceWarmup = a.AWS.InstanceWarmup
			cfg.ScaleOut, cfg.ScaleIn = a.StepScaling.ScaleOut.build(), a.StepScaling.ScaleIn.build()
			return awsAdapter{adapter: adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewStepScaling(cfg) },
				rename:   map[string]string{"metric": "predefined_metric"},
			}, requests: cfg.Metric == policies.AWSRequestCountPerTarget}
		},
	})
}
