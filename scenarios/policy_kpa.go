package scenarios

import (
	"time"

	"github.com/scalesim/scalesim/policies"
)

// PolicyKPA is the Knative Pod Autoscaler.
const PolicyKPA = "kpa"

// DefaultKPAInterval is the KPA decider's tick (knative's tickInterval).
const DefaultKPAInterval = 2 * time.Second

// KPA holds the Knative Pod Autoscaler's parameters: knative's
// config-autoscaler keys (and the revision annotations of the same names),
// in snake case. The revision's container concurrency is
// instance.concurrency, its initial scale replicas.initial, its min and max
// scale replicas.min and max; replicas.min: 0 enables scale to zero.
type KPA struct {
	// Metric is concurrency (default) or rps.
	Metric string `yaml:"metric" scn:"enum=concurrency|rps"`
	// TargetPerPod is autoscaling.knative.dev/target: the concurrency or
	// rps one pod holds, before target_utilization_percentage. 0: the
	// defaults below (for concurrency, instance.concurrency when set).
	TargetPerPod float64 `yaml:"target_per_pod"`
	// TargetUtilizationPercentage is container-concurrency-target-
	// percentage (and the annotation target-utilization-percentage). 70.
	TargetUtilizationPercentage float64 `yaml:"target_utilization_percentage" scn:"pct"`
	// ContainerConcurrencyTargetDefault is container-concurrency-target-
	// default: 100.
	ContainerConcurrencyTargetDefault float64 `yaml:"container_concurrency_target_default"`
	// RequestsPerSecondTargetDefault is requests-per-second-target-default:
	// 200.
	RequestsPerSecondTargetDefault float64 `yaml:"requests_per_second_target_default"`
	// StableWindow is stable-window: 60s.
	StableWindow time.Duration `yaml:"stable_window"`
	// PanicWindowPercentage is panic-window-percentage: 10.
	PanicWindowPercentage float64 `yaml:"panic_window_percentage"`
	// PanicThresholdPercentage is panic-threshold-percentage: 200.
	PanicThresholdPercentage float64 `yaml:"panic_threshold_percentage"`
	// MaxScaleUpRate is max-scale-up-rate: 1000.
	MaxScaleUpRate float64 `yaml:"max_scale_up_rate"`
	// MaxScaleDownRate is max-scale-down-rate: 2.
	MaxScaleDownRate float64 `yaml:"max_scale_down_rate"`
	// TargetBurstCapacity is target-burst-capacity: 211 (0 none, -1
	// unlimited).
	TargetBurstCapacity float64 `yaml:"target_burst_capacity"`
	// ActivationScale is autoscaling.knative.dev/activation-scale: 0 (unset).
	ActivationScale int `yaml:"activation_scale"`
	// ScaleDownDelay is scale-down-delay: 0.
	ScaleDownDelay time.Duration `yaml:"scale_down_delay"`
	// ScaleToZeroGracePeriod is scale-to-zero-grace-period: 30s.
	ScaleToZeroGracePeriod time.Duration `yaml:"scale_to_zero_grace_period"`
	// ScaleToZeroPodRetentionPeriod is scale-to-zero-pod-retention-period: 0.
	ScaleToZeroPodRetentionPeriod time.Duration `yaml:"scale_to_zero_pod_retention_period"`
	// MetricAggregationAlgorithm is autoscaling.knative.dev/metric-
	// aggregation-algorithm: linear or weighted-exponential.
	MetricAggregationAlgorithm string `yaml:"metric_aggregation_algorithm" scn:"enum=linear|weighted-exponential"`
}

// defaultKPA takes knative's defaults from the policy itself.
func defaultKPA() KPA {
	d := policies.DefaultKPAPolicyConfig()
	return KPA{
		Metric:                            string(d.Metric),
		TargetUtilizationPercentage:       100 * d.ContainerConcurrencyTargetFraction,
		ContainerConcurrencyTargetDefault: d.ContainerConcurrencyTargetDefault,
		RequestsPerSecondTargetDefault:    d.RPSTargetDefault,
		StableWindow:                      d.StableWindow,
		PanicWindowPercentage:             d.PanicWindowPercentage,
		PanicThresholdPercentage:          d.PanicThresholdPercentage,
		MaxScaleUpRate:                    d.MaxScaleUpRate,
		MaxScaleDownRate:                  d.MaxScaleDownRate,
		TargetBurstCapacity:               d.TargetBurstCapacity,
		ScaleDownDelay:                    d.ScaleDownDelay,
		ScaleToZeroGracePeriod:            d.ScaleToZeroGracePeriod,
		ScaleToZeroPodRetentionPeriod:     d.ScaleToZeroPodRetentionPeriod,
		MetricAggregationAlgorithm:        string(d.Aggregation),
	}
}

// ConcurrencyObserver is implemented by a PolicyConfig whose policy reads
// Observation.Concurrency (the KPA): the cluster runs Knative's metric
// collector for it, and with WantsActivator the activator (always for the
// KPA: knative's activator is always deployed, and holds requests whenever
// no pod is ready, at zero or after a crash).
type ConcurrencyObserver interface {
	WantsActivator() bool
}

// kpaAdapter is the KPA's PolicyConfig.
type kpaAdapter struct {
	adapter
	activator bool
}

func (c kpaAdapter) WantsActivator() bool { return c.activator }

// kpaConfig is the service's KPA configuration.
func kpaConfig(svc *Service) policies.KPAPolicyConfig {
	k := svc.Autoscaler.KPA
	cfg := policies.DefaultKPAPolicyConfig()
	cfg.Metric = policies.KPAMetric(k.Metric)
	if c := svc.Instance.Concurrency; c > 0 && c != Unlimited {
		cfg.ContainerConcurrency = c
	}
	cfg.Target = k.TargetPerPod
	cfg.ContainerConcurrencyTargetFraction = k.TargetUtilizationPercentage / 100
	cfg.TargetUtilization = k.TargetUtilizationPercentage / 100
	cfg.ContainerConcurrencyTargetDefault = k.ContainerConcurrencyTargetDefault
	cfg.RPSTargetDefault = k.RequestsPerSecondTargetDefault
	cfg.StableWindow = k.StableWindow
	cfg.PanicWindowPercentage = k.PanicWindowPercentage
	cfg.PanicThresholdPercentage = k.PanicThresholdPercentage
	cfg.MaxScaleUpRate = k.MaxScaleUpRate
	cfg.MaxScaleDownRate = k.MaxScaleDownRate
	cfg.TargetBurstCapacity = k.TargetBurstCapacity
	cfg.ActivationScale = k.ActivationScale
	cfg.ScaleDownDelay = k.ScaleDownDelay
	cfg.ScaleToZeroGracePeriod = k.ScaleToZeroGracePeriod
	cfg.ScaleToZeroPodRetentionPeriod = k.ScaleToZeroPodRetentionPeriod
	cfg.Aggregation = policies.KPAAggregation(k.MetricAggregationAlgorithm)
	// The initial scale is replicas.initial; 0 is knative's
	// allow-zero-initial-scale.
	cfg.InitialScale = svc.Replicas.Initial
	cfg.AllowZeroInitialScale = true
	cfg.EnableScaleToZero = svc.Replicas.Min == 0
	return cfg
}

func init() {
	registerPolicy(PolicyDef{
		Name:         PolicyKPA,
		Order:        80,
		Doc:          "the Knative Pod Autoscaler: requests in flight (or per second) per pod over stable and panic windows, with scale to zero",
		Interval:     DefaultKPAInterval,
		ScalesToZero: true,
		Reads:        []string{"interval"},
		Init:         func(a *Autoscaler) { a.KPA = defaultKPA() },
		Params: []Param{
			{"metric", "concurrency", "concurrency (requests in flight per pod) or rps (requests per second per pod)"},
			{"target_per_pod", "instance.concurrency, else the default below", "what one pod holds (autoscaling.knative.dev/target)"},
			{"target_utilization_percentage", "70", "the share of target_per_pod to keep (container-concurrency-target-percentage)"},
			{"container_concurrency_target_default", "100", "concurrency one pod holds without a limit or target"},
			{"requests_per_second_target_default", "200", "requests per second one pod holds without a target"},
			{"stable_window", "60s", "the averaging window of stable mode, and how long panic mode lasts"},
			{"panic_window_percentage", "10", "the panic window in percent of the stable window"},
			{"panic_threshold_percentage", "200", "panic when the panic window wants this percent of the ready pods"},
			{"max_scale_up_rate", "1000", "one step reaches at most ceil(rate x ready pods)"},
			{"max_scale_down_rate", "2", "one step goes down to at least floor(ready pods / rate)"},
			{"target_burst_capacity", "211", "spare concurrency kept without the activator; 0 none, -1 unlimited"},
			{"activation_scale", "0 (unset)", "the least count above zero (>= 2 when set)"},
			{"scale_down_delay", "0", "a lower count must be wanted this long before it is applied"},
			{"scale_to_zero_grace_period", "30s", "the activator must be in the path this long before the last pod goes"},
			{"scale_to_zero_pod_retention_period", "0", "the last pod stays at least this long after the revision went idle"},
			{"metric_aggregation_algorithm", "linear", "linear or weighted-exponential averaging over the windows"},
		},
		Check: func(svc *Service, report func(field, format string, args ...any)) {
			if x := svc.Autoscaler.KPA.TargetUtilizationPercentage; x > 0 && x <= 1 {
				report("target_utilization_percentage", "%s", fractionHint(x))
			}
		},
		Config: func(svc *Service) PolicyConfig {
			cfg := kpaConfig(svc)
			return kpaAdapter{adapter: adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewKPA(cfg) },
			}, activator: true}
		},
	})
}
