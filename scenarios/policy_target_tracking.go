package scenarios

import (
	"time"

	"github.com/scalesim/scalesim/policies"
)

// PolicyTargetTracking is AWS's target tracking scaling policy.
const PolicyTargetTracking = "target-tracking"

// DefaultAWSInterval is the AWS policies' evaluation interval: one
// CloudWatch datapoint a minute.
const DefaultAWSInterval = policies.AWSDatapointPeriod

// The predefined metrics the AWS policies watch, by AWS's names.
const (
	ASGAverageCPUUtilization = "ASGAverageCPUUtilization"
	ALBRequestCountPerTarget = "ALBRequestCountPerTarget"
)

// AWSMetric holds the keys the AWS policies share: the metric the alarms
// watch and the instance warm-up.
type AWSMetric struct {
	// PredefinedMetric is ASGAverageCPUUtilization (default: CPU in percent
	// of the request) or ALBRequestCountPerTarget (requests a minute per
	// in-service instance).
	PredefinedMetric string `yaml:"predefined_metric" scn:"enum=ASGAverageCPUUtilization|ALBRequestCountPerTarget"`
	// InstanceWarmup keeps a new instance out of the metric, and blocks
	// scale-in, for this long after it is ready. Default 300s.
	InstanceWarmup time.Duration `yaml:"instance_warmup"`
}

func (m AWSMetric) metric() policies.AWSMetric {
	if m.PredefinedMetric == ALBRequestCountPerTarget {
		return policies.AWSRequestCountPerTarget
	}
	return policies.AWSCPUUtilization
}

// awsReads are the keys every AWS policy reads.
var awsReads = []string{"interval", "metrics", "predefined_metric", "instance_warmup"}

// TargetTracking holds the target tracking policy's parameters.
type TargetTracking struct {
	// TargetValue is the metric's value to keep. Default 50.
	TargetValue float64 `yaml:"target_value"`
	// DisableScaleIn: never remove capacity.
	DisableScaleIn bool `yaml:"disable_scale_in"`
	// ScaleInCooldown blocks a scale-in for this long after one. Default 0.
	ScaleInCooldown time.Duration `yaml:"scale_in_cooldown"`
	// The alarms: scale out after 3 of 3 datapoints above the target,
	// scale in after 15 of 15 below scale_in_threshold_percentage (90) of
	// it.
	ScaleOutDatapoints         int     `yaml:"scale_out_datapoints"`
	ScaleOutPeriods            int     `yaml:"scale_out_periods"`
	ScaleInDatapoints          int     `yaml:"scale_in_datapoints"`
	ScaleInPeriods             int     `yaml:"scale_in_periods"`
	ScaleInThresholdPercentage float64 `yaml:"scale_in_threshold_percentage"`
}

func defaultTargetTracking() TargetTracking {
	d := policies.DefaultTargetTrackingConfig()
	return TargetTracking{
		TargetValue:                d.TargetValue,
		ScaleInCooldown:            d.ScaleInCooldown,
		ScaleOutDatapoints:         d.High.Datapoints,
		ScaleOutPeriods:            d.High.Periods,
		ScaleInDatapoints:          d.Low.Datapoints,
		ScaleInPeriods:             d.Low.Periods,
		ScaleInThresholdPercentage: d.ScaleInThresholdPercentage,
	}
}

// awsFill sets the CloudWatch period on the metrics pipeline: CPU scraped
// and averaged over one minute, unless the file says otherwise.
func awsFill(f *filler) {
	if !f.has("autoscaler.metrics.scrape_interval") {
		f.a.Pipeline.ScrapeInterval = policies.AWSDatapointPeriod
	}
	if !f.has("autoscaler.metrics.window") {
		f.a.Pipeline.Window = policies.AWSDatapointPeriod
	}
}

// awsAdapter is an AWS policy's PolicyConfig: ALBRequestCountPerTarget
// needs the request counts of the collector.
type awsAdapter struct {
	adapter
	requests bool
}

// requestCounter is implemented by a PolicyConfig whose policy reads the
// collector's request counts (Observation.Concurrency) without the
// activator.
type requestCounter interface{ CountsRequests() bool }

func (c awsAdapter) CountsRequests() bool { return c.requests }

func targetTrackingConfig(a *Autoscaler) policies.TargetTrackingConfig {
	t := a.TargetTracking
	cfg := policies.DefaultTargetTrackingConfig()
	cfg.Metric = a.AWS.metric()
	cfg.TargetValue = t.TargetValue
	cfg.DisableScaleIn = t.DisableScaleIn
	cfg.InstanceWarmup = a.AWS.InstanceWarmup
	cfg.ScaleInCooldown = t.ScaleInCooldown
	cfg.High = policies.AWSAlarm{Datapoints: t.ScaleOutDatapoints, Periods: t.ScaleOutPeriods}
	cfg.Low = policies.AWSAlarm{Datapoints: t.ScaleInDatapoints, Periods: t.ScaleInPeriods}
	cfg.ScaleInThresholdPercentage = t.ScaleInThresholdPercentage
	return cfg
}

func init() {
	registerPolicy(PolicyDef{
		Name:     PolicyTargetTracking,
		Order:    90,
		Doc:      "AWS target tracking (EC2 and Application Auto Scaling): a metric kept at target_value, through CloudWatch alarms on 1-minute datapoints",
		Interval: DefaultAWSInterval,
		Reads:    awsReads,
		Init: func(a *Autoscaler) {
			a.TargetTracking = defaultTargetTracking()
			a.AWS = AWSMetric{PredefinedMetric: ASGAverageCPUUtilization, InstanceWarmup: policies.DefaultTargetTrackingConfig().InstanceWarmup}
		},
		Params: []Param{
			{"target_value", "50", "the metric's value to keep (percent for ASGAverageCPUUtilization)"},
			{"disable_scale_in", "false", "never remove capacity"},
			{"scale_in_cooldown", "0", "no scale-in for this long after one (ECS: 300s); a scale-out ends it"},
			{"scale_out_datapoints", "3", "datapoints above the target that fire the scale-out alarm"},
			{"scale_out_periods", "3", "of the last this many"},
			{"scale_in_datapoints", "15", "datapoints below the scale-in threshold that fire the scale-in alarm"},
			{"scale_in_periods", "15", "of the last this many"},
			{"scale_in_threshold_percentage", "90", "the scale-in alarm's threshold in percent of the target (assumed)"},
		},
		Fill: awsFill,
		Config: func(svc *Service) PolicyConfig {
			cfg := targetTrackingConfig(&svc.Autoscaler)
			return awsAdapter{adapter: adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewTargetTracking(cfg) },
				rename:   map[string]string{"metric": "predefined_metric"},
			}, requests: cfg.Metric == policies.AWSRequestCountPerTarget}
		},
	})
}
