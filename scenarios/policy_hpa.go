package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyHPA is the Kubernetes HPA with a list of resource targets.
const PolicyHPA = "hpa"

func init() {
	registerPolicy(PolicyDef{
		Name:            PolicyHPA,
		Order:           40,
		Doc:             "the Kubernetes HPA (autoscaling/v2) on a list of resource (CPU, memory), pods, object and external metric targets",
		Reads:           append(append([]string(nil), hpaReads...), "adapter"),
		ScalesOnMetrics: true,
		Fill: func(f *filler) {
			if len(f.a.Metrics) == 0 {
				// autoscaling/v2 defaults an empty metrics list to 80% CPU;
				// target_utilization, when given, sets that percentage.
				f.a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: f.a.TargetUtilization}}
				f.a.metricsDefaulted = true
			}
		},
		Config: func(svc *Service) PolicyConfig {
			cfg := hpaConfig(&svc.Autoscaler)
			c := adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewHPA(cfg) },
			}
			if svc.Autoscaler.metricsDefaulted {
				c.rename = map[string]string{"metrics[0].target_utilization": "target_utilization"}
			}
			if usesCustomMetrics(&svc.Autoscaler) {
				return customAdapter{c}
			}
			return c
		},
	})
}
