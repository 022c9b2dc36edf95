package scenarios

import (
	"slices"

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
		Doc:  "cordon, drain and replace the pool's nodes one by one, honouring disruption budgets",
		Keys: []string{"pool"}, Required: []string{"pool"},
		Check: func(v validator, path string, f *Fault) {
			var names []string
			for _, p := range v.s.Nodes {
				names = append(names, p.Name)
			}
			if f.Pool != "" && !slices.Contains(names, f.Pool) {
				v.val(path+".pool", "unknown pool %q%s", f.Pool, v.known(f.Pool, names, "pools"))
			}
		},
	},
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
