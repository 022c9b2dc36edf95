package scenarios

import (
	"slices"

	"github.com/scalesim/scalesim/cluster"
)

// Load-balancing algorithms (LoadBalancer.Algorithm).
const (
	RoundRobin    = "round-robin"
	LeastRequests = "least-requests"
	Random        = "random"
	PowerOfTwo    = "power-of-two"
	ClientIP      = "client-ip"
)

// AlgorithmDef declares a load-balancing algorithm: its name in the file,
// a line of documentation and the cluster's algorithm.
type AlgorithmDef struct {
	Name      string
	Doc       string
	Algorithm cluster.Algorithm
}

var algorithmDefs = []AlgorithmDef{
	{RoundRobin, "each Ready instance in turn", cluster.RoundRobin},
	{LeastRequests, "the instance holding the fewest requests; ties in turn", cluster.LeastRequests},
	{Random, "a uniformly random Ready instance", cluster.Random},
	{PowerOfTwo, "the less loaded of two random instances", cluster.PowerOfTwo},
	{ClientIP, "a client sticks to its instance (session_affinity_timeout), as kube-proxy's sessionAffinity: ClientIP", cluster.ClientIP},
}

// AlgorithmDefs lists the load-balancing algorithms.
func AlgorithmDefs() []AlgorithmDef { return slices.Clone(algorithmDefs) }

// AlgorithmNames lists the load-balancing algorithm names.
func AlgorithmNames() []string { return namesOf(algorithmDefs) }

func lookupAlgorithm(name string) *AlgorithmDef { return lookupDef(algorithmDefs, name) }

// Traffic pattern component types (Component.Type).
const (
	ComponentConstant = "constant"
	ComponentRamp     = "ramp"
	ComponentStep     = "step"
	ComponentDiurnal  = "diurnal"
	ComponentSpike    = "spike"
	ComponentTrace    = "trace"
)

// ComponentDef declares a traffic pattern component: the keys it takes,
// which are required, its checks, its dependent defaults and its
// contribution to the rate function (a compile function in traffic.go,
// beside the Profile it builds).
type ComponentDef struct {
	Name           string
	Doc            string
	Keys, Required []string
	// Check reports problems with the component's values.
	Check func(v validator, path string, c *Component)
	// Fill sets dependent defaults after decoding (cp is the component's
	// path).
	Fill func(s *Scenario, cp string, c *Component, errs *[]Error)
	// compile adds the component to a Profile (NewProfile).
	compile func(p *Profile, c Component)
}

// nonNeg reports a negative rate.
func nonNeg(v validator, path string, x float64) {
	if x < 0 {
		v.val(path, "%g is negative; a rate is at least 0", x)
	}
}

var componentDefs = []ComponentDef{
	{
		Name: ComponentConstant, compile: compileConstant,
		Doc:  "rps all along",
		Keys: []string{"rps"}, Required: []string{"rps"},
		Check: func(v validator, path string, c *Component) { nonNeg(v, path+".rps", c.RPS) },
	},
	{
		Name: ComponentRamp, compile: compileRamp,
		Doc:  "from until start, linear to `to` at end, then to",
		Keys: []string{"from", "to", "start", "end"}, Required: []string{"from", "to"},
		Check: func(v validator, path string, c *Component) {
			nonNeg(v, path+".from", c.From)
			nonNeg(v, path+".to", c.To)
			if c.End < c.Start {
				v.key(path+".end", []string{path + ".start"}, "%v is before start %v", c.End, c.Start)
			}
		},
		Fill: func(s *Scenario, cp string, c *Component, _ *[]Error) {
			if !s.src.has(cp + ".end") {
				c.End = s.Duration
			}
		},
	},
	{
		Name: ComponentStep, compile: compileStep,
		Doc:  "adds rps (may be negative) from at on",
		Keys: []string{"rps", "at"}, Required: []string{"rps", "at"},
	},
	{
		Name: ComponentDiurnal, compile: compileDiurnal,
		Doc:  "mean + amplitude·cos(2π(t − peak_at)/period)",
		Keys: []string{"mean", "amplitude", "period", "peak_at"}, Required: []string{"mean", "amplitude"},
		Check: func(v validator, path string, c *Component) {
			nonNeg(v, path+".mean", c.Mean)
			if c.Amplitude < 0 {
				v.val(path+".amplitude", "%g is negative; it is at least 0 (the rate swings between mean-amplitude and mean+amplitude)", c.Amplitude)
			}
			if c.Period <= 0 {
				v.val(path+".period", "must be greater than 0")
			}
		},
		Fill: func(s *Scenario, cp string, c *Component, _ *[]Error) {
			if !s.src.has(cp + ".peak_at") {
				c.PeakAt = c.Period / 2
			}
		},
	},
	{
		Name: ComponentSpike, compile: compileSpike,
		Doc:  "multiplies the sum by factor during [at, at + duration)",
		Keys: []string{"at", "duration", "factor"}, Required: []string{"at", "duration", "factor"},
		Check: func(v validator, path string, c *Component) {
			if c.Duration <= 0 {
				v.val(path+".duration", "must be greater than 0")
			}
			if c.Factor < 0 {
				v.val(path+".factor", "%g is negative; a factor is at least 0 (2 doubles the rate, 0.5 halves it)", c.Factor)
			} else if c.Factor > MaxSpikeFactor {
				v.val(path+".factor", "%g is more than the largest factor allowed, %d (2 doubles the rate)", c.Factor, MaxSpikeFactor)
			}
		},
	},
	{
		Name: ComponentTrace, compile: compileTrace,
		Doc:  "rps read from a CSV file (time_s,rps)",
		Keys: []string{"file", "interpolation", "scale"}, Required: []string{"file"},
		Check: func(v validator, path string, c *Component) {
			if c.Scale < 0 {
				v.val(path+".scale", "must be at least 0")
			}
		},
		Fill: func(s *Scenario, cp string, c *Component, errs *[]Error) {
			if c.File != "" && !s.src.isBad(cp+".file") {
				pts, tErrs := loadTrace(s.Dir, c.File, s.src, cp+".file")
				c.Points = pts
				*errs = append(*errs, tErrs...)
			}
		},
	},
}

// ComponentDefs lists the traffic pattern components.
func ComponentDefs() []ComponentDef { return slices.Clone(componentDefs) }

// ComponentTypes lists the component type names.
func ComponentTypes() []string { return namesOf(componentDefs) }

func lookupComponent(name string) *ComponentDef { return lookupDef(componentDefs, name) }

// named is a definition of an extension point's registry: a policy, a
// fault type, an algorithm or a traffic component.
type named interface{ defName() string }

func (d AlgorithmDef) defName() string { return d.Name }
func (d ComponentDef) defName() string { return d.Name }
func (d FaultDef) defName() string     { return d.Name }
func (d *PolicyDef) defName() string   { return d.Name }

// namesOf lists the definitions' names, in their order.
func namesOf[D named](defs []D) []string {
	out := make([]string, 0, len(defs))
	for _, d := range defs {
		out = append(out, d.defName())
	}
	return out
}

// lookupDef returns the definition with the given name, or nil.
func lookupDef[D named](defs []D, name string) *D {
	for i := range defs {
		if defs[i].defName() == name {
			return &defs[i]
		}
	}
	return nil
}

// kindSources give, for a struct whose kind enum is a registry, the keys
// each kind takes and requires: the decoder derives its for= and req=
// from them (a key no kind lists applies to every kind).
var kindSources = map[string]func() map[string][2][]string{
	"@faults": func() map[string][2][]string {
		m := map[string][2][]string{}
		for _, d := range faultDefs {
			m[d.Name] = [2][]string{d.Keys, d.Required}
		}
		return m
	},
	"@components": func() map[string][2][]string {
		m := map[string][2][]string{}
		for _, d := range componentDefs {
			m[d.Name] = [2][]string{d.Keys, d.Required}
		}
		return m
	},
}
