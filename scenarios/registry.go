package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scalesim/scalesim/policies"
)

// The scenario format's extension points are registries: autoscaling
// policies (policy_*.go), fault types (faults.go), load-balancing
// algorithms and traffic pattern components (registry.go below). Each
// entry is declared once, in its own file; the decoder's enums
// (`scn:"enum=@policies"`), the validation, the error hints, `scalesim
// schema` and the docs tests read them from here. See doc.go, "Extension
// points".

// PolicyDef declares an autoscaling policy to the scenario format. Each
// policy registers one from its own file (policy_<name>.go).
type PolicyDef struct {
	// Name is the value of autoscaler.policy.
	Name string
	// Doc is one line: what the policy is named after and what it scales
	// on. The docs table, `scalesim schema` and the hints use it.
	Doc string
	// Order places the policy in lists (docs, hints): lower first.
	Order int
	// Params are the autoscaler keys the policy owns: its parameters,
	// read by no other policy. Their Go fields are an inline struct of
	// Autoscaler declared in the policy's file.
	Params []Param
	// Reads are the shared autoscaler keys the policy reads: interval,
	// metrics (the targets, or the pipeline that also measures latency),
	// target_utilization, tolerance, behavior. Every policy reads policy.
	Reads []string
	// Interval is the default evaluation interval; 0 means
	// DefaultInterval.
	Interval time.Duration
	// ScalesOnMetrics reports that the policy scales on
	// Autoscaler.Metrics (the HPA's targets), normalized by Fill.
	ScalesOnMetrics bool
	// ScalesToZero reports that the policy can remove the last replica
	// and bring one back: replicas.min: 0 is valid only for such a policy
	// (Kubernetes refuses an HPA minReplicas of 0 without the alpha
	// HPAScaleToZero gate).
	ScalesToZero bool

	// Init, if set, sets the defaults of the policy's parameters on a new
	// autoscaler block, before its keys are decoded.
	Init func(a *Autoscaler)
	// Bounds, if set, runs for the service's policy before the replica
	// defaults are filled (the cloud shorthand's min_replicas).
	Bounds func(f *filler)
	// Fill, if set, fills the defaults that depend on other fields, for
	// the service's policy (e.g. Metrics from target_utilization).
	Fill func(f *filler)
	// Defaults, if set, fills dependent defaults of the policy's own
	// parameters on every service, whatever its policy (so that
	// `compare --policy` finds them filled).
	Defaults func(f *filler)
	// Check, if set, reports problems the policy's configuration cannot
	// see (a hint for a missing target, a percentage written as a
	// fraction). It runs before Config's Validate; a field it reports is
	// not reported again.
	Check func(svc *Service, report func(field, format string, args ...any))
	// Config is the service's policy configuration, taken from its
	// autoscaler block. Its Validate is the one source of truth for the
	// policy's parameters: the scenario's validation maps each
	// *policies.FieldError to the field's position.
	Config func(svc *Service) PolicyConfig
}

// Param is one parameter of a policy: an autoscaler key.
type Param struct {
	Key     string
	Default string // as the docs write it
	Doc     string // one line
}

// PolicyConfig is one service's policy, configured.
type PolicyConfig interface {
	// Validate reports every problem, joined, each a
	// *policies.FieldError whose Field is relative to the autoscaler
	// block.
	Validate() error
	// New makes a new policy with no state: a factory, so the same
	// configuration can run any number of times.
	New() (policies.Policy, error)
}

// LatencyObserver is implemented by a PolicyConfig whose policy reads a
// latency percentile (Observation.Latency): the cluster must measure it.
type LatencyObserver interface {
	LatencyPercentile() float64
}

// filler is what a policy's Bounds, Fill and Defaults work on.
type filler struct {
	s    *Scenario
	svc  *Service
	a    *Autoscaler
	path string // services.<name>
	errs *[]Error
}

// has reports whether the file gave services.<name>.<rel>.
func (f *filler) has(rel string) bool { return f.s.src.has(f.path + "." + rel) }

var registry struct {
	sync.Mutex
	policies []*PolicyDef
	sorted   bool
}

// registerPolicy adds a policy; policy files call it from init.
func registerPolicy(d PolicyDef) {
	registry.Lock()
	defer registry.Unlock()
	for _, p := range registry.policies {
		if p.Name == d.Name {
			panic("scenarios: policy " + d.Name + " registered twice")
		}
	}
	registry.policies = append(registry.policies, &d)
	registry.sorted = false
}

// PolicyDefs lists the registered policies in Order.
func PolicyDefs() []*PolicyDef {
	registry.Lock()
	defer registry.Unlock()
	if !registry.sorted {
		slices.SortStableFunc(registry.policies, func(a, b *PolicyDef) int { return a.Order - b.Order })
		registry.sorted = true
	}
	return slices.Clone(registry.policies)
}

// ScaleToZeroPolicies names the policies that scale to zero, in Order.
func ScaleToZeroPolicies() []string {
	var out []string
	for _, d := range PolicyDefs() {
		if d.ScalesToZero {
			out = append(out, d.Name)
		}
	}
	return out
}

// PolicyNames lists the registered policy names in Order.
func PolicyNames() []string { return namesOf(PolicyDefs()) }

// LookupPolicy returns the named policy's definition, or nil.
func LookupPolicy(name string) *PolicyDef {
	if d := lookupDef(PolicyDefs(), name); d != nil {
		return *d
	}
	return nil
}

// Owns reports whether key is one of the policy's own parameters.
func (d *PolicyDef) Owns(key string) bool {
	return slices.ContainsFunc(d.Params, func(p Param) bool { return p.Key == key })
}

// ReadsKey reports whether the policy reads the autoscaler key: a key
// every policy reads, a shared key it reads, or one of its parameters.
func (d *PolicyDef) ReadsKey(key string) bool {
	return slices.Contains(commonAutoscalerKeys, key) || slices.Contains(d.Reads, key) || d.Owns(key)
}

// commonAutoscalerKeys are read whatever the policy.
var commonAutoscalerKeys = []string{"policy"}

// PoliciesReading names the policies that read an autoscaler key, in
// Order: for a message such as "rounds is a parameter of
// requests-in-flight".
func PoliciesReading(key string) []string {
	var out []string
	for _, d := range PolicyDefs() {
		if d.ReadsKey(key) {
			out = append(out, d.Name)
		}
	}
	return out
}

// PolicyFactory returns a function that makes a new instance of the
// service's policy, each with no state, or the configuration's problems.
func PolicyFactory(svc *Service) (func() policies.Policy, error) {
	cfg, err := policyConfig(svc)
	if err != nil {
		return nil, err
	}
	if _, err := cfg.New(); err != nil {
		return nil, err
	}
	return func() policies.Policy {
		p, err := cfg.New()
		if err != nil {
			panic("scenarios: a validated policy failed: " + err.Error())
		}
		return p
	}, nil
}

func policyConfig(svc *Service) (PolicyConfig, error) {
	d := LookupPolicy(svc.Autoscaler.Policy)
	if d == nil {
		return nil, fmt.Errorf("unknown policy %q; allowed: %s", svc.Autoscaler.Policy, strings.Join(PolicyNames(), ", "))
	}
	return d.Config(svc), nil
}

// ScalesOn returns the metric targets the service's policy scales on
// (cpu, memory, hpa, cloud), or nil for a policy that reads none.
func (a *Autoscaler) ScalesOn() []MetricTarget {
	if d := LookupPolicy(a.Policy); d != nil && d.ScalesOnMetrics {
		return a.Metrics
	}
	return nil
}

// fieldPath turns a policies field name ("metrics[0].target_utilization")
// into a scenario path suffix ("metrics.0.target_utilization").
func fieldPath(field string) string {
	r := strings.NewReplacer("[", ".", "]", "")
	return r.Replace(field)
}

// enumSources resolve `scn:"enum=@name"`: the allowed values come from a
// registry.
var enumSources = map[string]func() []string{
	"@policies":      PolicyNames,
	"@faults":        FaultTypes,
	"@lb-algorithms": AlgorithmNames,
	"@components":    ComponentTypes,
}

// enumValues resolves an enum tag's value.
func enumValues(v string) []string {
	if src, ok := enumSources[v]; ok {
		return src()
	}
	if strings.HasPrefix(v, "@") {
		panic("scenarios: unknown enum source " + v)
	}
	return strings.Split(v, "|")
}
