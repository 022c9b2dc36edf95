package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyMemory is the Kubernetes HPA on memory alone.
const PolicyMemory = "memory"

func init() {
	registerPolicy(PolicyDef{
		Name:            PolicyMemory,
		Order:           30,
		Doc:             "the Kubernetes HPA on memory utilization, target_utilization percent of the request",
		Reads:           hpaReads,
		ScalesOnMetrics: true,
		Fill: func(f *filler) {
			f.a.Metrics = []MetricTarget{{Resource: "memory", TargetUtilization: f.target("memory")}}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := hpaConfig(a)
			target := percent(a.TargetUtilization)
			checked := cfg
			checked.Metrics = []policies.MetricTarget{{Resource: policies.Memory, TargetUtilization: target}}
			return adapter{
				validate: checked.Validate,
				new:      func() (policies.Policy, error) { return policies.NewMemory(target, cfg) },
				rename:   map[string]string{"metrics[0].target_utilization": "target_utilization"},
			}
		},
	})
}
