package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyMemory is the Kubernetes HPA on memory alone.
const PolicyMemory = "memory"

func init() { registerPolicy(singleResourceHPA(PolicyMemory, 30, policies.Memory, policies.NewMemory)) }
