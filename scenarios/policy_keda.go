package scenarios

import (
	"time"

	"github.com/scalesim/scalesim/policies"
)

// PolicyKEDA is KEDA's ScaledObject: KEDA's own 0 <-> 1 activation and the
// HPA it drives on its triggers (policies/keda.go).
const PolicyKEDA = "keda"

// KEDA holds the keda policy's parameters (keys at the autoscaler level).
// minReplicaCount and maxReplicaCount are replicas.min and replicas.max;
// the HPA KEDA creates reads interval, tolerance and behavior.
type KEDA struct {
	// Triggers are the ScaledObject's triggers; at least one.
	Triggers []KEDATrigger `yaml:"triggers"`
	// PollingInterval is spec.pollingInterval. Default 30s.
	PollingInterval time.Duration `yaml:"polling_interval"`
	// CooldownPeriod is spec.cooldownPeriod. Default 300s.
	CooldownPeriod time.Duration `yaml:"cooldown_period"`
	// InitialCooldownPeriod is spec.initialCooldownPeriod. Default 0s.
	InitialCooldownPeriod time.Duration `yaml:"initial_cooldown_period"`
	// IdleReplicaCount is spec.idleReplicaCount; -1 (the default) means
	// not set.
	IdleReplicaCount int `yaml:"idle_replica_count"`
	// Fallback is spec.fallback; nil when not set.
	Fallback *KEDAFallback `yaml:"fallback"`
}

// KEDATrigger is one trigger: a queue's depth or a Prometheus-like query.
// type, metric and threshold are required; the policy's Validate says so,
// once each.
type KEDATrigger struct {
	// Type is queue (the service's message queue, read directly) or
	// prometheus (a metric of the load balancer, through the metrics
	// adapter).
	Type string `yaml:"type" scn:"enum=queue|prometheus"`
	// Metric: queue_depth or queue_message_age_seconds for queue; one of
	// the object metrics (requests_per_second, ...) for prometheus.
	Metric string `yaml:"metric"`
	// Threshold is the value per replica the HPA keeps (AverageValue).
	Threshold float64 `yaml:"threshold"`
	// ActivationThreshold: active when the value is above it. Default 0.
	ActivationThreshold float64 `yaml:"activation_threshold"`
	// IgnoreNullValues (prometheus): a query without a value reads as 0
	// (KEDA's default, true) or is an error (false).
	IgnoreNullValues bool `yaml:"ignore_null_values"`
}

// setDefaults gives a trigger KEDA's defaults before it is decoded.
func (t *KEDATrigger) setDefaults() { t.IgnoreNullValues = true }

// KEDAFallback is spec.fallback.
type KEDAFallback struct {
	FailureThreshold int `yaml:"failure_threshold" scn:"req"`
	Replicas         int `yaml:"replicas" scn:"req"`
}

func init() {
	d := policies.DefaultKEDAConfig()
	registerPolicy(PolicyDef{
		Name:  PolicyKEDA,
		Order: 45,
		// KEDA scales to zero itself (minReplicaCount 0), below its HPA.
		ScalesToZero: true,
		Doc:          "KEDA's ScaledObject: triggers on a queue or a Prometheus-like metric; KEDA scales 0 <-> 1, its HPA 1 <-> N",
		Reads:        []string{"interval", "tolerance", "behavior", "adapter"},
		Init: func(a *Autoscaler) {
			a.KEDA = KEDA{PollingInterval: d.PollingInterval, CooldownPeriod: d.CooldownPeriod, IdleReplicaCount: -1}
		},
		Params: []Param{
			{"triggers", "(required)", "a list of {type: queue|prometheus, metric, threshold, activation_threshold, ignore_null_values}"},
			{"polling_interval", "30s", "how often KEDA polls the triggers (activation and cooldown)"},
			{"cooldown_period", "300s", "inactive this long after the last active poll before scaling to zero"},
			{"initial_cooldown_period", "0s", "no scale to zero this long after the start unless a trigger was active"},
			{"idle_replica_count", "not set", "the count while inactive instead of 0; below replicas.min"},
			{"fallback", "not set", "{failure_threshold, replicas}: the count while a trigger fails"},
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := policies.DefaultKEDAConfig()
			for _, t := range a.KEDA.Triggers {
				cfg.Triggers = append(cfg.Triggers, policies.KEDATrigger{Type: t.Type, Metric: t.Metric, Threshold: t.Threshold,
					ActivationThreshold: t.ActivationThreshold, IgnoreNullValues: t.IgnoreNullValues})
			}
			cfg.PollingInterval = a.KEDA.PollingInterval
			cfg.CooldownPeriod = a.KEDA.CooldownPeriod
			cfg.InitialCooldownPeriod = a.KEDA.InitialCooldownPeriod
			cfg.MinReplicaCount = svc.Replicas.Min
			if a.KEDA.IdleReplicaCount >= 0 {
				idle := a.KEDA.IdleReplicaCount
				cfg.IdleReplicaCount = &idle
			}
			if f := a.KEDA.Fallback; f != nil {
				cfg.Fallback = &policies.KEDAFallback{FailureThreshold: f.FailureThreshold, Replicas: f.Replicas}
			}
			cfg.HPAInterval = a.Interval
			cfg.HPA.Tolerance = a.Tolerance
			cfg.HPA.Behavior = buildBehavior(a.Behavior)
			return kedaAdapter{customAdapter{adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewKEDA(cfg) },
			}}, cfg.Interval()}
		},
	})
}

// kedaAdapter is the keda policy's configuration: it reads custom metrics
// and is evaluated every gcd(polling_interval, interval).
type kedaAdapter struct {
	customAdapter
	every time.Duration
}

func (c kedaAdapter) EvaluationInterval() time.Duration { return c.every }
