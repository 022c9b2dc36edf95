package runner

import (
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/sim"
)

// observer is the world's cluster.Observer: it converts the cluster's
// values into the reports package's own and hands them to the collector,
// so that reports depends on neither cluster nor policies. Its scratch
// slices are reused from call to call (the collector keeps nothing of what
// it is given), so the conversion allocates nothing once they have grown.
type observer struct {
	c *reports.Collector

	samples []reports.Sample
	insts   []reports.InstanceSample
	nodes   []reports.NodeSample
	inputs  []reports.InputRecord
	limits  []reports.Limit
	d       reports.Decision
}

var (
	_ cluster.Observer         = (*observer)(nil)
	_ cluster.InstanceObserver = instanceObserver{}
)

// The two packages' enums are converted by value: these fail to compile
// when their lengths part.
var (
	_ [int(reports.NumOutcomes) - 4]struct{}
	_ [4 - int(reports.NumOutcomes)]struct{}
	_ [int(reports.NumPlacementReasons) - int(cluster.NumReasons)]struct{}
	_ [int(cluster.NumReasons) - int(reports.NumPlacementReasons)]struct{}
	_ [int(reports.NumInstanceStates) - int(cluster.Terminated) - 1]struct{}
	_ [int(cluster.Terminated) + 1 - int(reports.NumInstanceStates)]struct{}
)

// RequestArrived is on the hot path: one call per request.
func (o *observer) RequestArrived(svc int, now sim.Time) { o.c.RequestArrived(svc, now) }

// RequestEnded is on the hot path: one call per request. cluster.Outcome
// and reports.Outcome number the outcomes alike (TestOutcomesAgree).
func (o *observer) RequestEnded(svc int, out cluster.Outcome, arrived, now sim.Time, queueWait time.Duration) {
	o.c.RequestEnded(svc, reports.Outcome(out), arrived, now, queueWait)
}

func (o *observer) Lifecycle(e cluster.Event) {
	o.c.Lifecycle(reports.Event{Time: e.Time, Service: e.Service, Kind: string(e.Kind), Instance: e.Instance,
		Detail: e.Detail, Counts: counts(e.Counts)})
}

func counts(k cluster.Counts) reports.Counts {
	return reports.Counts{Desired: k.Desired, Pending: k.Pending, Starting: k.Starting, Ready: k.Ready, Draining: k.Draining}
}

func (o *observer) Decision(d cluster.Decision) {
	r, ob := &d.Recommendation, &d.Observation
	o.inputs = o.inputs[:0]
	for _, in := range r.Inputs {
		o.inputs = append(o.inputs, reports.InputRecord{Name: in.Name, Value: reports.JSONFloat(in.Value)})
	}
	o.limits = o.limits[:0]
	for _, l := range r.Limits {
		o.limits = append(o.limits, reports.Limit{Name: l.Name, From: l.From, To: l.To, Detail: l.Detail})
	}
	o.d = reports.Decision{
		Time: d.Time, Service: d.Service, Policy: d.Policy, Before: d.Before, After: d.After,
		Valid: r.Valid, Reason: string(r.Reason), Raw: r.Raw, Desired: r.Desired,
		Min: ob.Min, Max: ob.Max, Pods: reports.PodsRecord{Current: ob.Current}, InFlight: ob.InFlight,
		Inputs: o.inputs, Limits: o.limits, Terminate: r.Terminate, Explanation: r.Explanation,
	}
	for _, p := range ob.Pods {
		switch {
		case p.Phase == policies.PhasePending:
			o.d.Pods.Pending++
		case p.Ready:
			o.d.Pods.Ready++
		default:
			o.d.Pods.Starting++
		}
	}
	o.c.Decision(&o.d)
}

func (o *observer) Sample(now sim.Time, rows []cluster.Sample) {
	o.samples = o.samples[:0]
	for i := range rows {
		r := &rows[i]
		s := reports.Sample{Service: r.Service, Counts: counts(r.Counts), InFlight: r.InFlight,
			CPUSeconds: r.CPUSeconds, CPURequestSeconds: r.CPURequestSeconds, InstanceSeconds: r.InstanceSeconds,
			MemoryBytes: r.MemoryBytes, MemoryRequestBytes: r.MemoryRequestBytes, MemoryLimitBytes: r.MemoryLimitBytes,
			Restarts: r.Restarts, OOMKills: r.OOMKills, GatewayTimeouts: r.GatewayTimeouts, IngressRetries: r.IngressRetries,
			Unschedulable: r.Unschedulable, CostUSD: r.CostUSD,
			QueueDepth: r.QueueDepth, QueueAge: r.QueueAge,
			CPUPeriods: r.CPUPeriods, CPUThrottledPeriods: r.CPUThrottledPeriods, CPUThrottledSeconds: r.CPUThrottledSeconds}
		for k, n := range r.PlacementFailures {
			s.PlacementFailures[k] = n
		}
		o.samples = append(o.samples, s)
	}
	o.c.Sample(now, o.samples)
}

// instanceObserver is the observer of a run whose collector gathers
// instances.json (reports.Collector.WantsInstances): only then does the
// world build per-instance rows at every sample.
type instanceObserver struct{ *observer }

// newObserver is the observer for c.
func newObserver(c *reports.Collector) cluster.Observer {
	o := &observer{c: c}
	if c.WantsInstances() {
		return instanceObserver{o}
	}
	return o
}

// InstanceSample converts the per-instance and per-node rows; the names
// are the cluster's strings, not copies.
func (o instanceObserver) InstanceSample(now sim.Time, insts []cluster.InstanceSample, nodes []cluster.NodeSample) {
	o.insts, o.nodes = o.insts[:0], o.nodes[:0]
	for i := range insts {
		r := &insts[i]
		o.insts = append(o.insts, reports.InstanceSample{Service: r.Service, Name: r.Name, Node: r.Node,
			State: reports.InstanceState(r.State), Held: r.Held, Created: r.Created, CPUSeconds: r.CPUSeconds, CPURequest: r.CPURequest,
			MemoryBytes: r.MemoryBytes})
	}
	for i := range nodes {
		n := &nodes[i]
		o.nodes = append(o.nodes, reports.NodeSample{Name: n.Name, Pool: n.Pool, Zone: n.Zone, Ready: n.Ready,
			CPUCores: n.CPUCores, MemoryBytes: n.MemoryBytes, CPURequested: n.CPURequested, MemoryRequested: n.MemoryRequested})
	}
	o.c.InstanceSample(now, o.insts, o.nodes)
}
