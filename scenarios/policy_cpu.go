package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyCPU is the Kubernetes HPA on CPU alone.
const PolicyCPU = "cpu"

func init() { registerPolicy(singleResourceHPA(PolicyCPU, 20, policies.CPU, policies.NewCPU)) }
