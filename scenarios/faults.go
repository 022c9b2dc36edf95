package scenarios

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalesim/scalesim/cluster"
)

// Fault types (Fault.Type): the cluster's names, defined once there.
const (
	FaultZoneOutage          = string(cluster.ZoneOutage)
	FaultNodeFailure         = string(cluster.NodeFailure)
	FaultInstanceCrash       = string(cluster.InstanceCrash)
	FaultLoadBalancerFailure = string(cluster.LoadBalancerFailure)
	FaultDependencyOutage    = string(cluster.DependencyOutage)
	FaultNodeUpgrade         = string(cluster.NodeUpgrade)
	FaultRollout             = string(cluster.Rollout)
)

// FaultDef declares a fault type to the scenario format: the keys it
// takes besides at and type, which of them are required, how it is
// checked and which cluster fault it is.
type FaultDef struct {
	Name string
	Doc  string // one line, for the docs and `scalesim schema`
	// Keys are the fields of Fault it takes besides at and type; Required
	// those of them that must be given.
	Keys, Required []string
	// Type is the cluster's fault; Build copies the fields Keys name into
	// a cluster.FaultConfig of this type.
	Type cluster.FaultType
	// Check reports what involves other parts of the scenario (a zone, a
	// service, a pool that must exist).
	Check func(v validator, path string, f *Fault)
	// Defaults, if set, fills the defaults of its keys that the file
	// does not give (has reports whether it gives one).
	Defaults func(f *Fault, has func(key string) bool)
	// Build, if set, copies its own keys into the cluster's fault.
	Build func(f *Fault, c *cluster.FaultConfig)
}

// faultDefs are the fault types, in the order the docs list them.
var faultDefs = []FaultDef{
	{
		Name: FaultZoneOutage, Type: cluster.ZoneOutage,
		Doc:  "the zone's nodes and instances are lost; duration 0: until the end",
		Keys: []string{"zone", "duration"}, Required: []string{"zone"},
		Check: func(v validator, path string, f *Fault) {
			if f.Zone != "" && !slices.Contains(v.s.Zones, f.Zone) {
				v.val(path+".zone", "unknown zone %q%s", f.Zone, v.known(f.Zone, v.s.Zones, "zones"))
			}
		},
	},
	{
		Name: FaultNodeFailure, Type: cluster.NodeFailure,
		Doc:  "a node (<pool>-<zone>-<n>) is lost; duration 0: for good",
		Keys: []string{"node", "duration"}, Required: []string{"node"},
		Check: func(v validator, path string, f *Fault) {
			if f.Node == "" || v.validNode(f.Node) {
				return
			}
			if len(v.s.Nodes) == 0 {
				v.val(path+".node", "there are no node pools, so there is no node %q; add nodes or use instance-crash", f.Node)
				return
			}
			example := "general-a-1"
			if p := v.s.Nodes[0]; len(p.Zones) > 0 {
				example = p.Name + "-" + p.Zones[0] + "-1"
			}
			v.val(path+".node", "unknown node %q; nodes are named <pool>-<zone>-<n>, e.g. %s", f.Node, example)
		},
	},
	{
		Name: FaultInstanceCrash, Type: cluster.InstanceCrash,
		Doc:  "count running instances of the service crash (default 1)",
		Keys: []string{"service", "count"}, Required: []string{"service"},
		Check: func(v validator, path string, f *Fault) {
			v.faultService(path, f)
			if f.Count < 1 {
				v.val(path+".count", "must be at least 1")
			}
		},
	},
	{
		Name: FaultLoadBalancerFailure, Type: cluster.LoadBalancerFailure,
		Doc:  "the service's primary load balancer fails; duration 0: it stays down",
		Keys: []string{"service", "duration"}, Required: []string{"service"},
		Check: func(v validator, path string, f *Fault) { v.faultService(path, f) },
	},
	{
		Name: FaultDependencyOutage, Type: cluster.DependencyOutage,
		Doc:  "the service's dependency fails its calls (mode fail) or adds delay to each (mode slow)",
		Keys: []string{"service", "duration", "mode", "delay"}, Required: []string{"service"},
		Check: func(v validator, path string, f *Fault) {
			v.faultService(path, f)
			if f.Mode == "slow" && f.Delay <= 0 {
				v.key(path+".delay", []string{path + ".mode"}, "mode slow needs a delay added to each request, e.g. delay: 2s")
			}
		},
	},
	{
		Name: FaultNodeUpgrade, Type: cluster.NodeUpgrade,
		Doc:  "replace the pool's nodes, max_surge at a time (default 1): each surge node joins, then the old one is cordoned and drained, honouring disruption budgets",
		Keys: []string{"pool", "max_surge"}, Required: []string{"pool"},
		Check: func(v validator, path string, f *Fault) {
			var names []string
			for _, p := range v.s.Nodes {
				names = append(names, p.Name)
			}
			if f.Pool != "" && !slices.Contains(names, f.Pool) {
				v.val(path+".pool", "unknown pool %q%s", f.Pool, v.known(f.Pool, names, "pools"))
			}
			if n, err := strconv.Atoi(f.MaxSurge); err != nil || n < 1 || n > MaxNodesPerZone {
				v.val(path+".max_surge", "%q is not a number of nodes from 1 to %d", f.MaxSurge, MaxNodesPerZone)
			}
		},
		Defaults: func(f *Fault, has func(string) bool) {
			if !has("max_surge") {
				f.MaxSurge = "1"
			}
		},
		Build: func(f *Fault, c *cluster.FaultConfig) { c.NodeSurge, _ = strconv.Atoi(f.MaxSurge) },
	},
	{
		Name: FaultRollout, Type: cluster.Rollout,
		Doc:  "a rolling update of the service to a new version, as a Deployment's (max_surge 25%, max_unavailable 25%, min_ready_seconds 0)",
		Keys: []string{"service", "max_surge", "max_unavailable", "min_ready_seconds"}, Required: []string{"service"},
		Check: func(v validator, path string, f *Fault) {
			v.faultService(path, f)
			surge, okS := v.intOrPercent(path+".max_surge", f.MaxSurge)
			unav, okU := v.intOrPercent(path+".max_unavailable", f.MaxUnavailable)
			if okS && okU && surge.Value == 0 && unav.Value == 0 {
				v.key(path+".max_unavailable", []string{path + ".max_surge"}, "max_surge and max_unavailable are both 0, so the rollout could never proceed; give one of them more than 0 (Kubernetes refuses this too)")
			}
			if f.MinReadySeconds < 0 || f.MinReadySeconds > MaxMinReadySeconds {
				v.val(path+".min_ready_seconds", "%d is out of range: give 0 to %d seconds", f.MinReadySeconds, MaxMinReadySeconds)
			}
		},
		Defaults: func(f *Fault, has func(string) bool) {
			if !has("max_surge") {
				f.MaxSurge = DefaultMaxSurge
			}
			if !has("max_unavailable") {
				f.MaxUnavailable = DefaultMaxUnavailable
			}
		},
		Build: func(f *Fault, c *cluster.FaultConfig) {
			c.MaxSurge, _ = parseIntOrPercent(f.MaxSurge)
			c.MaxUnavailable, _ = parseIntOrPercent(f.MaxUnavailable)
			c.MinReady = time.Duration(f.MinReadySeconds) * time.Second
		},
	},
}

// A Deployment's rolling update defaults (apps/v1 RollingUpdateDeployment).
const (
	DefaultMaxSurge       = "25%"
	DefaultMaxUnavailable = "25%"
	// MaxMinReadySeconds bounds a rollout's min_ready_seconds.
	MaxMinReadySeconds = 3600
)

// parseIntOrPercent reads a count ("1") or a percentage ("25%").
func parseIntOrPercent(s string) (cluster.IntOrPercent, error) {
	pct := strings.HasSuffix(s, "%")
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	if err != nil {
		return cluster.IntOrPercent{}, err
	}
	return cluster.IntOrPercent{Value: n, Percent: pct}, nil
}

// intOrPercent checks a rollout's max_surge or max_unavailable: a count
// from 0 to MaxReplicas or a percentage from 0% to 100%.
func (v validator) intOrPercent(path, s string) (cluster.IntOrPercent, bool) {
	x, err := parseIntOrPercent(s)
	switch {
	case err != nil:
		v.val(path, "%q is neither a number of instances (1) nor a percentage of the replicas (\"25%%\")", s)
		return x, false
	case x.Percent && (x.Value < 0 || x.Value > 100):
		v.val(path, "%s is out of range: give 0%% to 100%%", s)
		return x, false
	case !x.Percent && (x.Value < 0 || x.Value > MaxReplicas):
		v.val(path, "%s is out of range: give 0 to %d instances, or a percentage", s, MaxReplicas)
		return x, false
	}
	return x, true
}

// FaultDefs lists the fault types.
func FaultDefs() []FaultDef { return slices.Clone(faultDefs) }

// FaultTypes lists the fault type names.
func FaultTypes() []string { return namesOf(faultDefs) }

// LookupFault returns the named fault type, or nil.
func LookupFault(name string) *FaultDef { return lookupDef(faultDefs, name) }

// faultService checks that a fault's service exists.
func (v validator) faultService(path string, f *Fault) {
	if f.Service != "" && v.s.Service(f.Service) == nil {
		v.val(path+".service", "unknown service %q%s", f.Service, v.known(f.Service, v.serviceNames(), "services"))
	}
}
