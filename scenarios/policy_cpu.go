package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyCPU is the Kubernetes HPA on CPU alone.
const PolicyCPU = "cpu"

func init() {
	registerPolicy(PolicyDef{
		Name:            PolicyCPU,
		Order:           20,
		Doc:             "the Kubernetes HPA on CPU utilization, target_utilization percent of the request",
		Reads:           hpaReads,
		ScalesOnMetrics: true,
		Fill: func(f *filler) {
			f.a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: f.target("cpu")}}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := hpaConfig(a)
			target := percent(a.TargetUtilization)
			checked := cfg
			checked.Metrics = []policies.MetricTarget{{Resource: policies.CPU, TargetUtilization: target}}
			return adapter{
				validate: checked.Validate,
				new:      func() (policies.Policy, error) { return policies.NewCPU(target, cfg) },
				rename:   map[string]string{"metrics[0].target_utilization": "target_utilization"},
			}
		},
	})
}
