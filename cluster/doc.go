// Package cluster is the simulated world: services, their instances and
// load balancers, and the requests that flow through them. It is driven by
// one sim.Engine, single-threaded, and is deterministic: the same Config and
// seed give the same sequence of Observer calls.
//
// # The service model
//
// An instance serves at most Concurrency requests at once; further requests
// wait in its FIFO queue up to QueueLimit, beyond which they are rejected.
// The requests in their CPU phase share the instance's cores (CPULimit, or
// CPURequest where no limit is set) equally, each at most one core: with n
// requests on C cores each progresses at min(1, C/n) CPU-seconds per second.
// A request needs Demand.CPU of CPU time at one core, then Demand.Wait of
// off-CPU time (a call to a database, say) during which it keeps its slot.
// With Concurrency = c, CPULimit = c, exponential CPU demand and Poisson
// arrivals this is exactly an M/M/c queue; with one core and unlimited
// concurrency it is M/M/1 processor sharing.
//
// Processor sharing is simulated exactly with a per-instance virtual clock:
// V(t), the CPU time each busy request has received so far, advances at
// min(1, C/n). A request needing d CPU-seconds that starts at V0 finishes
// when V reaches V0+d, so only the earliest such finish needs an event, and
// it is rescheduled only when n changes the rate or a new request finishes
// sooner.
//
// # Instance lifecycle
//
//	Pending  -> created; scheduled, image pulled, container created: lasts
//	            StartupDelay (Kubernetes pod phase Pending)
//	Starting -> the process runs but is not ready yet: lasts ReadinessDelay
//	            (boot, then the first passing readiness probe)
//	Ready    -> in the load balancer's rotation
//	Draining -> chosen for removal; see below
//	Terminated
//
// Initial replicas are Ready at time 0.
//
// # Graceful drain
//
// When an instance is chosen for removal two things start at once: the load
// balancer begins to forget it (it keeps routing new requests to it for
// PropagationDelay), and the instance runs its PreStop hook (a sleep), then
// stops accepting new requests and finishes what it holds. Whatever is still
// held at GracePeriod after the start is killed (Failed). A request routed to
// an instance that no longer accepts is Rejected (connection refused). So a
// PreStop shorter than PropagationDelay costs errors on every scale-in.
//
// Which instance goes: as a Kubernetes ReplicaSet chooses, instances that are
// not ready (pending, then starting) before ready ones, and among equals the
// newest first. Removing the newest keeps the longest-warmed instances.
//
// # Client timeouts
//
// A request still unanswered at its client's Timeout counts as TimedOut at
// that moment and its in-flight token at the load balancer is released. The
// server does not notice: it keeps the request queued or in service until it
// is done, as most servers do when a client disconnects, so timed-out work
// still consumes capacity. That is how overload turns into a retry storm.
//
// # Random streams
//
// Each component draws from its own named stream of sim.Streams: per service
// "arrivals/NAME" (used by the scenario's arrival process), "demand/NAME"
// (CPU then wait, drawn at arrival in arrival order, whatever happens to the
// request afterwards), "lb/NAME" (random and power-of-two choices) and
// "lifecycle/NAME" (startup and readiness delays). Switching the autoscaling
// policy therefore leaves every arrival time and every demand unchanged.
package cluster
