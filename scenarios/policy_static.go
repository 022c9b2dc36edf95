package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyStatic keeps replicas.initial.
const PolicyStatic = "static"

func init() {
	registerPolicy(PolicyDef{
		Name:  PolicyStatic,
		Order: 10,
		Doc:   "the baseline: keeps replicas.initial, whatever the load",
		Config: func(svc *Service) PolicyConfig {
			cfg := policies.StaticConfig{Replicas: svc.Replicas.Initial}
			return adapter{
				// replicas.initial is checked with the other replica
				// counts; there is nothing else to check.
				validate: func() error { return nil },
				new:      func() (policies.Policy, error) { return policies.NewStatic(cfg) },
			}
		},
	})
}
