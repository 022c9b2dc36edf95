package cluster

import (
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// Outcome is how a request ended, as the client saw it.
type Outcome uint8

const (
	// Completed: the response reached the client.
	Completed Outcome = iota
	// Rejected: refused before service (queue full, no ready instance,
	// instance no longer accepting, load balancer down).
	Rejected
	// Failed: lost during service (instance crash, killed at the end of its
	// drain grace period).
	Failed
	// TimedOut: the client gave up at its timeout.
	TimedOut
)

var outcomeNames = [...]string{"completed", "rejected", "failed", "timed_out"}

func (o Outcome) String() string { return outcomeNames[o] }

// Observer receives what happens in the world, as it happens. The reports
// package implements it with streaming statistics; tests implement it to
// record traces. Every method is called from the single event loop, so
// implementations need no locking. Calls are on the hot path: one
// RequestArrived and one RequestEnded per request.
type Observer interface {
	// RequestArrived is called when a request reaches the service's load
	// balancer.
	RequestArrived(svc int, now sim.Time)
	// RequestEnded is called once per request, when the client learns its
	// fate. arrived is when it reached the load balancer; queueWait is how
	// long it waited in an instance's queue before service began (zero if
	// it never reached an instance).
	RequestEnded(svc int, o Outcome, arrived, now sim.Time, queueWait time.Duration)
	// Lifecycle is called for every instance transition, fault and
	// load-balancer event (events.jsonl).
	Lifecycle(e Event)
	// Decision is called after every autoscaler evaluation
	// (decisions.jsonl keeps those that changed something or were held).
	Decision(d Decision)
	// Sample is called every sample interval with one row per service.
	Sample(now sim.Time, rows []Sample)
}

// Event is a lifecycle transition, a fault or a load-balancer event.
type Event struct {
	Time    sim.Time
	Service int       // -1 when the event concerns no single service
	Kind    EventKind // e.g. "instance-starting", "instance-ready", "instance-draining", "instance-terminated"
	// Instance names the instance, e.g. "web-3"; empty for service-wide events.
	Instance string
	Detail   string
	// Counts after the transition, for the service named.
	Counts Counts
}

// Counts are a service's instances by state at one moment.
type Counts struct {
	Desired  int // the autoscaler's current desired count
	Pending  int // created, not yet running (unscheduled, node provisioning)
	Starting int // running, not yet ready
	Ready    int // ready and in the load balancer's rotation
	Draining int // being removed gracefully
}

// Alive is the number of instances that exist and cost money: every state
// but terminated.
func (c Counts) Alive() int { return c.Pending + c.Starting + c.Ready + c.Draining }

// Decision is one autoscaler evaluation.
type Decision struct {
	Time           sim.Time
	Service        int
	Policy         string
	Observation    policies.Observation
	Recommendation policies.Recommendation
	// Before is the desired count before the evaluation; After is what the
	// service was set to.
	Before, After int
}

// Sample is one service's state at a sample instant. Cumulative fields count
// from the start of the run; the reader differences consecutive samples.
type Sample struct {
	Service  int
	Counts   Counts
	InFlight int // requests accepted by the load balancer and not yet ended
	// CPUSeconds is the CPU time all instances used so far (core-seconds).
	CPUSeconds float64
	// CPURequestSeconds is the integral of the CPU request of running
	// instances over time (core-seconds): the denominator of utilization.
	CPURequestSeconds float64
	// CPUPeriods, CPUThrottledPeriods and CPUThrottledSeconds are the CFS
	// bandwidth figures of the instances with a CPU limit, as cAdvisor
	// reports them (container_cpu_cfs_periods_total,
	// container_cpu_cfs_throttled_periods_total,
	// container_cpu_cfs_throttled_seconds_total), summed over instances:
	// the quota periods in which an instance had work to run, those in
	// which it spent its quota and was throttled, and the time it spent
	// throttled. Cumulative; zero without a limit.
	CPUPeriods          int64
	CPUThrottledPeriods int64
	CPUThrottledSeconds float64
	// InstanceSeconds is the integral of alive instances over time.
	InstanceSeconds float64
	// MemoryBytes is the working-set memory of all running containers now;
	// MemoryRequestBytes and MemoryLimitBytes are their memory requests
	// and limits (0 without a limit), summed.
	MemoryBytes        float64
	MemoryRequestBytes float64
	MemoryLimitBytes   float64
	// Restarts counts the containers restarted in place so far, OOMKills
	// the containers OOM-killed so far (cumulative).
	Restarts int64
	OOMKills int64
	// GatewayTimeouts and IngressRetries are IngressTotals: the requests
	// ended by the ingress's 504 (proxy_read_timeout) and the connection
	// errors it passed to the next endpoint (proxy_next_upstream), so far
	// (cumulative; zero without an ingress).
	GatewayTimeouts int64
	IngressRetries  int64
	// Unschedulable is the number of Pending instances that no node can
	// take now (not those waiting for a node being provisioned).
	Unschedulable int
	// PlacementFailures counts, by Reason, the placements that found no
	// ready node: each instance once per reason in a row (its first
	// failure, and again when the reason changes). Cumulative.
	PlacementFailures [NumReasons]int64
	// QueueDepth and QueueAge are the messages waiting on the service's
	// queue and the oldest one's age at the instant (asynchronous work;
	// zero otherwise).
	QueueDepth int
	QueueAge   time.Duration
	// CostUSD is the service's cost so far, cumulative: instance-seconds
	// times the instance price without node pools; with them, its share
	// of the nodes' cost (shared in proportion to the CPU requested on the
	// nodes, idle capacity included; equally when nothing is requested).
	CostUSD float64
}

// EventKind names an Event: the "kind" of an events.jsonl line.
type EventKind string

// The event kinds. Instance transitions are "instance-<state>"
// (State.EventKind); the fault kinds are what the reports package pairs
// into fault spans.
const (
	KindInstancePending       EventKind = "instance-pending"
	KindInstanceStarting      EventKind = "instance-starting"
	KindInstanceReady         EventKind = "instance-ready"
	KindInstanceDraining      EventKind = "instance-draining"
	KindInstanceTerminated    EventKind = "instance-terminated"
	KindInstanceScheduled     EventKind = "instance-scheduled"
	KindInstanceUnschedulable EventKind = "instance-unschedulable"
	// KindInstanceNotReady: the node controller marked the pod of a lost
	// instance not ready (its node is NotReady): it leaves the endpoints.
	// KindInstanceEvicted: its pod object is deleted (evicted by the
	// taint manager, or by a scale-down), and the ReplicaSet replaces it.
	KindInstanceNotReady EventKind = "instance-not-ready"
	KindInstanceEvicted  EventKind = "instance-evicted"

	KindNodeProvisioning EventKind = "node-provisioning"
	KindNodeReady        EventKind = "node-ready"
	KindNodeCordoned     EventKind = "node-cordoned"
	KindNodeDown         EventKind = "node-down"
	KindNodeNotReady     EventKind = "node-not-ready"
	KindNodeRemoved      EventKind = "node-removed"

	// KindOOMKilled: a container's working set went over its memory
	// limit; KindContainerRestarted: a container starts again in place,
	// after its back-off (Detail "restart N, back-off D").
	KindOOMKilled          EventKind = "oom-killed"
	KindContainerRestarted EventKind = "container-restarted"

	// KindRolloutStep: a rolling update scaled its ReplicaSets.
	KindRolloutStep EventKind = "rollout-step"

	KindLBFailover EventKind = "lb-failover"
	KindLBRestored EventKind = "lb-restored"

	// KindFaultStart begins a fault that lasts; a KindFaultEnd event with
	// the same Service and Detail ends it. KindFault is an instant fault.
	KindFaultStart EventKind = "fault-start"
	KindFaultEnd   EventKind = "fault-end"
	KindFault      EventKind = "fault"
)

var stateKinds = [...]EventKind{KindInstancePending, KindInstanceStarting, KindInstanceReady, KindInstanceDraining, KindInstanceTerminated}

// EventKind is the kind of the event that reports a move to s.
func (s State) EventKind() EventKind { return stateKinds[s] }

// InstanceObserver is an Observer that also takes each sample's
// per-instance and per-node rows, for the reports' heatmaps. The world
// calls InstanceSample right after Sample, at the same instants, when its
// Observer implements it; the slices are reused and valid only during the
// call.
type InstanceObserver interface {
	InstanceSample(now sim.Time, instances []InstanceSample, nodes []NodeSample)
}

// InstanceSample is one alive instance's state at a sample instant.
type InstanceSample struct {
	Service int
	Name    string // e.g. "web-3", unique in the run
	// Node is the node it is bound or nominated to; "" when it has none.
	Node  string
	State State
	// Held is the requests it holds: in service or queued.
	Held int
	// Created is when it was created; CPUSeconds the CPU time it used
	// since (core-seconds), cumulative.
	Created    sim.Time
	CPUSeconds float64
	// CPURequest is its CPU request in cores.
	CPURequest float64
	// MemoryBytes is its working set now (0 while pending).
	MemoryBytes float64
}

// NodeSample is one node of the node pools at a sample instant (none
// without node pools: a zone's default node has no capacity to show).
type NodeSample struct {
	Name, Pool, Zone string
	// Ready is false while it is provisioning, down or cordoned.
	Ready bool
	// CPUCores and MemoryBytes are its capacity; CPURequested and
	// MemoryRequested the requests of the instances on it.
	CPUCores, MemoryBytes         float64
	CPURequested, MemoryRequested float64
}

// instanceSample builds the rows of InstanceSample into the world's
// scratch slices and hands them to io.
func (w *World) instanceSample(now sim.Time, io InstanceObserver) {
	w.instRows, w.nodeRows = w.instRows[:0], w.nodeRows[:0]
	for _, s := range w.services {
		req := s.cfg.Instance.CPURequest
		for _, inst := range s.instances {
			r := InstanceSample{Service: s.index, Name: inst.Name, State: inst.State(), Held: inst.held(),
				Created: inst.created, CPUSeconds: inst.cpuSeconds(), CPURequest: req}
			if inst.node != nil && inst.node.pool != nil {
				r.Node = inst.node.name
			}
			if inst.containerRuns() {
				r.MemoryBytes = inst.workingSet(now)
			}
			w.instRows = append(w.instRows, r)
		}
	}
	for _, n := range w.nodes {
		if n.pool == nil {
			continue
		}
		w.nodeRows = append(w.nodeRows, NodeSample{Name: n.name, Pool: n.pool.cfg.Name, Zone: w.zones[n.zone].name,
			Ready: n.state == nodeReady && !n.cordoned, CPUCores: float64(n.cpuCap) / 1000, MemoryBytes: float64(n.memCap),
			CPURequested: float64(n.cpuUsed) / 1000, MemoryRequested: float64(n.memUsed)})
	}
	io.InstanceSample(now, w.instRows, w.nodeRows)
}
