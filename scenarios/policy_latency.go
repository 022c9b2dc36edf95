package scenarios

import (
	"time"

	"github.com/scalesim/scalesim/policies"
)

// PolicyLatency keeps a latency percentile under a target.
const PolicyLatency = "latency"

// DefaultLatencyPercentile is the latency policy's default percentile.
const DefaultLatencyPercentile = 95.0

// LatencyTarget holds the latency policy's parameters.
type LatencyTarget struct {
	// Target latency. Default: the service's slo latency; required for the
	// latency policy when there is none.
	Target time.Duration `yaml:"target"`
	// Percentile kept at or under Target, in (0, 100). Default 95.
	Percentile float64 `yaml:"percentile" scn:"pct"`
}

func init() {
	registerPolicy(PolicyDef{
		Name:  PolicyLatency,
		Order: 60,
		Doc:   "this project's design: a latency percentile against a target",
		Reads: []string{"interval", "metrics", "tolerance", "behavior"},
		Init:  func(a *Autoscaler) { a.Latency = LatencyTarget{Percentile: DefaultLatencyPercentile} },
		Params: []Param{
			{"target", "the service's slo latency; required without one", "the latency the percentile should stay at or under"},
			{"percentile", "95", "the percentile kept under target, in (0, 100)"},
		},
		Defaults: func(f *filler) {
			if !f.has("autoscaler.target") {
				if slo := f.s.SLOFor(f.svc.Name); slo != nil && slo.Latency > 0 {
					f.a.Latency.Target = slo.Latency
				}
			}
		},
		Check: func(svc *Service, report func(field, format string, args ...any)) {
			if svc.Autoscaler.Latency.Target <= 0 {
				report("target", "the latency policy needs a target latency (or an slo latency for %s), e.g. target: 200ms", svc.Name)
			}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			cfg := policies.DefaultLatencyConfig()
			cfg.Target = a.Latency.Target
			cfg.Percentile = a.Latency.Percentile
			cfg.Tolerance = a.Tolerance
			if b := buildBehavior(a.Behavior); b != nil {
				cfg.Behavior = *b
			}
			return latencyAdapter{adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewLatency(cfg) },
				latency:  cfg.Percentile,
			}}
		},
	})
}
