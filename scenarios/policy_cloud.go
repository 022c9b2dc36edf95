package scenarios

import "github.com/scalesim/scalesim/policies"

// PolicyCloud is Ballerina Cloud.toml's autoscaling shorthand.
const PolicyCloud = "cloud"

// Cloud holds Ballerina Cloud.toml's autoscaling shorthand. The cloud
// policy is the hpa policy with Metrics [{cpu, CPUThreshold}, {memory,
// MemoryThreshold}]; MinReplicas and MaxReplicas, when given, set
// replicas.min and replicas.max.
type Cloud struct {
	MinReplicas int `yaml:"min_replicas"`
	MaxReplicas int `yaml:"max_replicas"`
	// CPUThreshold in percent. Default 50.
	CPUThreshold float64 `yaml:"cpu_threshold" scn:"pct"`
	// MemoryThreshold in percent. Default 80.
	MemoryThreshold float64 `yaml:"memory_threshold" scn:"pct"`
}

func init() {
	registerPolicy(PolicyDef{
		Name:            PolicyCloud,
		Order:           70,
		Doc:             "Ballerina's Cloud.toml autoscaling section: the hpa policy with a CPU and a memory target",
		Reads:           []string{"interval", "metrics", "tolerance", "behavior"},
		ScalesOnMetrics: true,
		Init:            func(a *Autoscaler) { a.Cloud = Cloud{CPUThreshold: 50, MemoryThreshold: 80} },
		Params: []Param{
			{"min_replicas", "replicas.min", "sets replicas.min"},
			{"max_replicas", "replicas.max", "sets replicas.max"},
			{"cpu_threshold", "50", "CPU target in percent of the request"},
			{"memory_threshold", "80", "memory target in percent of the request; 0 for CPU only"},
		},
		Bounds: func(f *filler) {
			// The shorthand's replica bounds are replicas.min and max.
			m, a, r := f.s.src, f.a, &f.svc.Replicas
			if f.has("autoscaler.min_replicas") {
				if f.has("replicas.min") && r.Min != a.Cloud.MinReplicas {
					*f.errs = append(*f.errs, m.keyErr(f.path+".autoscaler.min_replicas", "conflicts with replicas.min "+itoa(r.Min)+"; give one of them"))
				} else {
					r.Min = a.Cloud.MinReplicas
					m.vals[f.path+".replicas.min"] = m.vals[f.path+".autoscaler.min_replicas"]
				}
			}
			if f.has("autoscaler.max_replicas") {
				if f.has("replicas.max") && r.Max != a.Cloud.MaxReplicas {
					*f.errs = append(*f.errs, m.keyErr(f.path+".autoscaler.max_replicas", "conflicts with replicas.max "+itoa(r.Max)+"; give one of them"))
				} else {
					r.Max = a.Cloud.MaxReplicas
					m.vals[f.path+".replicas.max"] = m.vals[f.path+".autoscaler.max_replicas"]
				}
			}
		},
		Fill: func(f *filler) {
			a := f.a
			a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: a.Cloud.CPUThreshold}}
			if a.Cloud.MemoryThreshold > 0 {
				a.Metrics = append(a.Metrics, MetricTarget{Resource: "memory", TargetUtilization: a.Cloud.MemoryThreshold})
			}
		},
		Check: func(svc *Service, report func(field, format string, args ...any)) {
			c := svc.Autoscaler.Cloud
			if c.CPUThreshold <= 0 {
				report("cpu_threshold", "must be greater than 0")
			}
			if c.MemoryThreshold < 0 {
				report("memory_threshold", "must be at least 0 (0: CPU only)")
			}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := hpaConfig(a)
			cfg.Metrics = []policies.MetricTarget{{Resource: policies.CPU, TargetUtilization: percent(a.Cloud.CPUThreshold)}}
			if a.Cloud.MemoryThreshold > 0 {
				cfg.Metrics = append(cfg.Metrics, policies.MetricTarget{Resource: policies.Memory, TargetUtilization: percent(a.Cloud.MemoryThreshold)})
			}
			return adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewHPA(cfg) },
				rename: map[string]string{
					"metrics[0].target_utilization": "cpu_threshold",
					"metrics[1].target_utilization": "memory_threshold",
				},
			}
		},
	})
}
