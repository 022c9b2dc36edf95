package policies

import (
	"fmt"

	"github.com/scalesim/scalesim/sim"
)

// StaticConfig configures Static.
type StaticConfig struct {
	// Replicas is the count to keep (the scenario's replicas.initial).
	Replicas int
}

// Static keeps a fixed replica count, clamped to [min, max]. It is the
// baseline every other policy is compared with, and the policy of a service
// without an autoscaler. It keeps no state.
type Static struct {
	cfg StaticConfig
	// head is the explanation's fixed part, formatted once: a static
	// service is evaluated every interval of a long run, and the
	// explanation is read only when the decision is recorded.
	head string
}

// Validate reports a negative count as a *FieldError.
func (c StaticConfig) Validate() error {
	if c.Replicas < 0 {
		return fieldErr("replicas", "%d must be at least 0", c.Replicas)
	}
	return nil
}

// NewStatic returns the static policy. A negative count is an error.
func NewStatic(cfg StaticConfig) (*Static, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return &Static{cfg: cfg, head: fmt.Sprintf("static policy keeps %d replicas", cfg.Replicas)}, nil
}

// Name is "static".
func (*Static) Name() string { return "static" }

// Recommend always recommends the configured count, clamped to [Min, Max].
func (s *Static) Recommend(_ sim.Time, o Observation) Recommendation {
	desired, l := clamp(s.cfg.Replicas, o.Min, o.Max)
	r := Recommendation{
		Valid:   true,
		Desired: desired,
		Raw:     s.cfg.Replicas,
		Inputs: []Input{
			{Name: "configured_replicas", Value: float64(s.cfg.Replicas)},
			{Name: "current_replicas", Value: float64(o.Current)},
		},
	}
	if l != nil {
		r.Limits = []Limit{*l}
	}
	r.Reason = reasonFor(o.Current, desired, r.Limits)
	r.Explanation = explain(s.head, r.Limits)
	return r
}
