package scenarios

import (
	"errors"
	"math"
	"time"

	"github.com/scalesim/scalesim/policies"
)

// What the policy files share: the HPA's configuration from an
// autoscaler block, and adapters from policies' configs to PolicyConfig.

// hpaReads are the shared keys every HPA-like policy reads.
var hpaReads = []string{"interval", "metrics", "target_utilization", "tolerance", "behavior"}

// policyConfig adapts a validation and a constructor to PolicyConfig.
// rename maps a policies field name to the autoscaler key the user wrote
// it as (the cloud shorthand's cpu_threshold is the HPA's
// metrics[0].target_utilization).
type adapter struct {
	validate func() error
	new      func() (policies.Policy, error)
	rename   map[string]string
	latency  float64 // the latency percentile the policy reads; 0 for none
}

func (c adapter) Validate() error {
	err := c.validate()
	if err == nil || c.rename == nil {
		return err
	}
	var out []error
	for _, e := range policies.FieldErrors(err) {
		if k, ok := c.rename[e.Field]; ok {
			e = &policies.FieldError{Field: k, Problem: e.Problem}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func (c adapter) New() (policies.Policy, error) { return c.new() }

// AdapterUser is implemented by a PolicyConfig whose policy may read
// Observation.Metrics: the cluster runs a metrics adapter when UsesAdapter.
type AdapterUser interface {
	UsesAdapter() bool
}

// EvaluationIntervaler is implemented by a PolicyConfig that must be
// evaluated at another period than autoscaler.interval (keda: the gcd of
// its polling interval and its HPA's interval).
type EvaluationIntervaler interface {
	EvaluationInterval() time.Duration
}

// customAdapter is an adapter whose policy reads custom metrics.
type customAdapter struct{ adapter }

func (customAdapter) UsesAdapter() bool { return true }

// usesCustomMetrics reports whether an HPA-like block lists a pods, object
// or external metric.
func usesCustomMetrics(a *Autoscaler) bool {
	for _, m := range a.Metrics {
		if m.Custom() {
			return true
		}
	}
	return false
}

// latencyAdapter is an adapter whose policy reads a latency percentile.
type latencyAdapter struct{ adapter }

func (c latencyAdapter) LatencyPercentile() float64 { return c.latency }

// hpaConfig is the HPA configuration of an autoscaler block: tolerance,
// behavior and the normalized metric targets.
func hpaConfig(a *Autoscaler) policies.HPAConfig {
	cfg := policies.DefaultHPAConfig()
	cfg.Tolerance = a.Tolerance
	cfg.Behavior = buildBehavior(a.Behavior)
	for _, m := range a.Metrics {
		if m.Custom() {
			cfg.Metrics = append(cfg.Metrics, policies.MetricTarget{
				Type: policies.MetricSourceType(m.Type), Metric: m.Metric,
				TargetValue: m.TargetValue, TargetAverageValue: m.TargetAverageValue,
			})
			continue
		}
		cfg.Metrics = append(cfg.Metrics, policies.MetricTarget{
			Resource: policies.Resource(m.Resource), TargetUtilization: percent(m.TargetUtilization),
		})
	}
	return cfg
}

// percent rounds a utilization target to the whole percent the HPA uses.
func percent(p float64) int { return int(math.Round(p)) }

// buildBehavior converts the file's behavior; nil stays nil (the HPA's
// older path). The scenario loader has already filled omitted parts with
// Kubernetes' defaults.
func buildBehavior(b *Behavior) *policies.Behavior {
	if b == nil {
		return nil
	}
	rules := func(r ScalingRules) policies.Rules {
		out := policies.Rules{StabilizationWindow: r.StabilizationWindow, SelectPolicy: policies.SelectPolicy(r.SelectPolicy)}
		for _, p := range r.Policies {
			out.Policies = append(out.Policies, policies.RatePolicy{Type: policies.PolicyType(p.Type), Value: p.Value, Period: p.Period})
		}
		return out
	}
	return &policies.Behavior{ScaleUp: rules(b.ScaleUp), ScaleDown: rules(b.ScaleDown)}
}

// target is the utilization target of a one-metric shorthand (cpu,
// memory): target_utilization if given, else the resource's entry of
// metrics, else the default.
func (f *filler) target(resource string) float64 {
	if f.has("autoscaler.target_utilization") {
		return f.a.TargetUtilization
	}
	for _, t := range f.a.Metrics {
		if t.Resource == resource {
			return t.TargetUtilization
		}
	}
	return f.a.TargetUtilization
}

// singleResourceHPA defines an HPA on one resource metric (the cpu and
// memory policies): target_utilization percent of the resource's request,
// made by newHPA (policies.NewCPU or NewMemory).
func singleResourceHPA(name string, order int, res policies.Resource, newHPA func(int, policies.HPAConfig) (*policies.HPA, error)) PolicyDef {
	return PolicyDef{
		Name:            name,
		Order:           order,
		Doc:             "the Kubernetes HPA on " + resourceWord(res) + " utilization, target_utilization percent of the request",
		Reads:           hpaReads,
		ScalesOnMetrics: true,
		Fill: func(f *filler) {
			f.a.Metrics = []MetricTarget{{Resource: string(res), TargetUtilization: f.target(string(res))}}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := hpaConfig(a)
			target := percent(a.TargetUtilization)
			checked := cfg
			checked.Metrics = []policies.MetricTarget{{Resource: res, TargetUtilization: target}}
			return adapter{
				validate: checked.Validate,
				new:      func() (policies.Policy, error) { return newHPA(target, cfg) },
				rename:   map[string]string{"metrics[0].target_utilization": "target_utilization"},
			}
		},
	}
}

// resourceWord is how the docs name a resource: CPU, memory.
func resourceWord(res policies.Resource) string {
	if res == policies.CPU {
		return "CPU"
	}
	return string(res)
}
