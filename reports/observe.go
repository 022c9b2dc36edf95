package reports

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The Collector's inputs. They are the reports package's own values, not
// the simulator's: a caller (scenarios/runner's observer) converts what
// the world reports into them, so reports depends on no simulator type and
// owns the meaning and the JSON names of every results file.

// Outcome is how a request ended, as the client saw it.
type Outcome uint8

const (
	// Completed: the response reached the client.
	Completed Outcome = iota
	// Rejected: refused before service.
	Rejected
	// Failed: lost during service.
	Failed
	// TimedOut: the client gave up at its timeout.
	TimedOut
	// NumOutcomes is the number of outcomes.
	NumOutcomes
)

var outcomeNames = [...]string{"completed", "rejected", "failed", "timed_out"}

func (o Outcome) String() string { return outcomeNames[o] }

// Counts are a service's instances by state at one moment.
type Counts struct {
	Desired  int // the autoscaler's current desired count
	Pending  int // created, not yet running
	Starting int // running, not yet ready
	Ready    int // ready and in the load balancer's rotation
	Draining int // being removed gracefully
}

// Alive is the number of instances that exist and cost money: every state
// but terminated.
func (c Counts) Alive() int { return c.Pending + c.Starting + c.Ready + c.Draining }

// Event is a lifecycle transition, a fault or a load-balancer event: one
// line of events.jsonl.
type Event struct {
	Time sim.Time
	// Service is the service's index in Config.Services, or -1 when the
	// event concerns no single service.
	Service int
	// Kind is the line's kind, e.g. "instance-ready", or one of the fault
	// kinds (FaultStartKind, FaultEndKind, FaultKind).
	Kind string
	// Instance names the instance, e.g. "web-3"; empty for service-wide
	// events.
	Instance string
	Detail   string
	// Counts are the service's instances after the event.
	Counts Counts
}

// Decision is one autoscaler evaluation.
type Decision struct {
	Time    sim.Time
	Service int // index in Config.Services
	// Policy is the policy's name; "" = the service's ServiceConfig.Policy.
	Policy string
	// Before is the desired count before the evaluation; After is what the
	// service was set to.
	Before, After int
	// Valid is false when the policy made no decision.
	Valid bool
	// Reason is the outcome's short stable word, e.g. "scale-up".
	Reason string
	// Raw is the calculator's count, Desired the recommendation after
	// every limit.
	Raw, Desired int
	// Min and Max are the bounds the policy was given.
	Min, Max int
	// Pods are the instances the policy saw, by state.
	Pods PodsRecord
	// InFlight is the in-flight count the policy saw.
	InFlight float64
	// Inputs are the values the decision used, in order.
	Inputs []InputRecord
	// Limits are the rules that changed or held the count, in order.
	Limits []Limit
	// Terminate lists instances the policy asked to remove.
	Terminate   []int
	Explanation string
}

// Limit is one rule applied on the way from a decision's Raw count to its
// Desired count, as decisions.jsonl records it.
type Limit struct {
	// Name is the rule, e.g. "tolerance", "stabilization", "max".
	Name string `json:"name"`
	// From and To are the counts before and after the rule.
	From int `json:"from"`
	To   int `json:"to"`
	// Detail says why, in words.
	Detail string `json:"detail,omitempty"`
}

// PlacementReason is why a node could not take an instance.
type PlacementReason uint8

// The placement reasons, in the order of Sample.PlacementFailures.
const (
	PlacementNode   PlacementReason = iota // the node is down or cordoned
	PlacementCPU                           // insufficient cpu
	PlacementMemory                        // insufficient memory
	PlacementSpread                        // topology spread
	// NumPlacementReasons is the number of reasons.
	NumPlacementReasons
)

var placementNames = [...]string{"node", "cpu", "memory", "spread"}

// String is the reason's key in summary.json's placement_failures.
func (r PlacementReason) String() string { return placementNames[r] }

// Sample is one service's state at a sample instant. Cumulative fields
// count from the start of the run.
type Sample struct {
	Service  int // index in Config.Services
	Counts   Counts
	InFlight int // requests accepted and not yet ended
	// CPUSeconds is the CPU time all instances used so far (core-seconds).
	CPUSeconds float64
	// CPURequestSeconds is the integral of the CPU request of running
	// instances over time (core-seconds): the denominator of utilization.
	CPURequestSeconds float64
	// CPUPeriods, CPUThrottledPeriods and CPUThrottledSeconds are the CFS
	// quota figures cAdvisor reports, summed over the service's instances
	// with a CPU limit: periods in which an instance had work to run,
	// periods in which it was throttled, and the time it spent throttled.
	// Cumulative; zero without a limit.
	CPUPeriods          int64
	CPUThrottledPeriods int64
	CPUThrottledSeconds float64
	// InstanceSeconds is the integral of alive instances over time.
	InstanceSeconds float64
	// MemoryBytes is the working-set memory of all running containers
	// now; MemoryRequestBytes and MemoryLimitBytes their memory requests
	// and limits (0 without one), summed.
	MemoryBytes        float64
	MemoryRequestBytes float64
	MemoryLimitBytes   float64
	// Restarts and OOMKills count the containers restarted in place and
	// the containers OOM-killed. Cumulative.
	Restarts int64
	OOMKills int64
	// GatewayTimeouts counts the requests the service's ingress ended
	// with a 504 (proxy_read_timeout), IngressRetries the connection
	// errors it passed to the next endpoint (proxy_next_upstream).
	// Cumulative; zero without an ingress.
	GatewayTimeouts int64
	IngressRetries  int64
	// Unschedulable is the number of pending instances no node can take.
	Unschedulable int
	// PlacementFailures counts failed placements by reason. Cumulative.
	PlacementFailures [NumPlacementReasons]int64
	// CostUSD is the service's cost so far (used with ServiceConfig.NodeCost).
	CostUSD float64
	// QueueDepth and QueueAge are the messages waiting on the service's
	// queue and the oldest one's age, at the instant (asynchronous work).
	QueueDepth int
	QueueAge   time.Duration
}
