// Package cluster is the simulated world: services, their instances and
// load balancers, and the requests that flow through them. It is driven by
// one sim.Engine, single-threaded, and is deterministic: the same Config and
// seed give the same sequence of Observer calls.
//
// # The service model
//
// An instance serves at most Concurrency requests at once; further requests
// wait in its FIFO queue up to QueueLimit, beyond which they are rejected.
// A request needs Demand.CPU of CPU time at one core, then Demand.Wait of
// off-CPU time (a call to a database, say) during which it keeps its slot.
// CPU comes from the instance's node, as Linux CFS gives it to containers
// (cpu.go, cfs.go):
//
//   - Each of an instance's n requests in their CPU phase gets rate/n of a
//     core, at most one core: the instance wants n cores.
//   - A node gives every runnable instance what it wants while they want no
//     more than its cores. Beyond, the cores are water-filled by weight:
//     the weight is cpu.shares, which the kubelet sets to request
//     millicores x 1024 / 1000 (kubernetes pkg/kubelet/cm/helpers_linux.go,
//     MilliCPUToShares; cgroup v2's cpu.weight is its image, 1 + (shares -
//     2) x 9999 / 262142, the same proportions up to rounding); an instance
//     gets weight/total of the cores left, and what it cannot use goes to
//     the others in proportion to their weights. So an instance without
//     CPULimit may use its whole node when the node is idle, and is sure of
//     its request when it is busy. Two saturated instances requesting 1 and
//     3 cores on a 4-core node get 1 and 3.
//   - CPULimit is a CFS quota (Documentation/scheduler/sched-bwc.rst):
//     CPULimit x CPUPeriod (default 100 ms, 1 ms to 1 s) of CPU time per
//     period, on a grid from time 0, used at whatever speed the node
//     gives; an instance that spends it with work left is throttled (runs
//     nothing) until the period ends. A lone 10 ms request under a 500m
//     limit takes 10 ms; ten at once on 4 cores spend the 50 ms quota in
//     12.5 ms and wait for the next period. An instance that spends its
//     quota exactly as its last CPU phase ends is not throttled.
//     Sample.CPUPeriods, CPUThrottledPeriods and CPUThrottledSeconds count
//     the periods with work to run, those throttled, and the time
//     throttled, as cAdvisor reports them (the time is wall time; the
//     kernel sums it over the CPUs with the container's work queued).
//
// CPU utilization, as the HPA sees it, is CPU used over CPURequest: above 1
// when an instance bursts above its request. With Concurrency = c, CPULimit
// = c, exponential CPU demand and Poisson arrivals to an instance on a node
// with c free cores this is exactly an M/M/c queue, never throttled (it
// never runs more than c cores); with one core and unlimited concurrency
// (a 1-core node, no limit) it is M/M/1 processor sharing.
//
// Event cost. Node shares are recomputed only when what a node's instances
// want changes (a CPU phase begins or ends, an instance is throttled or
// released), and on a node that is not oversubscribed only for the
// instance that changed. While an instance's requests each run at a whole
// core (its node has room and it is not throttled) each has its own
// completion event at its start plus its demand, and nothing else is kept
// but its CPU time in whole core-nanoseconds (exact); below full speed the requests share the instance's rate through a virtual
// clock: V(t), the CPU time each has received, advances at rate/n, a
// request needing d CPU-seconds that starts at V0 finishes when V reaches
// V0+d, so only the earliest finish needs an event, rescheduled when the
// rate changes. A quota costs an event only for an instance that can
// spend it: at the moment it is spent (if that is before the period's
// end), or at the period's end for an instance throttled, or running fast
// enough to spend the next period's quota; an instance under its limit
// adds none. The periods with work to run are counted when an instance
// goes busy or idle, and when sampled, not at every event.
//
// # Instance lifecycle
//
//	Pending  -> created; waiting for a node (unschedulable, or nominated to
//	            a node being provisioned), then image pull and container
//	            creation on it: StartupDelay from the moment it has a
//	            ready node (Kubernetes pod phase Pending)
//	Starting -> the container runs but is not ready: its application
//	            boots (ReadinessDelay), then waits for its startup and
//	            readiness probes; also an instance that a readiness probe
//	            took out of rotation, and one whose container is being
//	            killed or waits for its CrashLoopBackOff (see "Container
//	            restarts")
//	Ready    -> in the load balancer's rotation
//	Draining -> chosen for removal or evicted; see below
//	Terminated
//
// Internally each state is refined into phases (lifecycle.go): Pending is
// new, unscheduled, nominated or bound; Starting is booting, probing (booted,
// not yet in rotation), unready (still serving), killing (a failed probe)
// or back-off (the container exited); Draining runs its pre-stop hook (accepting or not), then
// has stopped accepting; Terminated is gone, lost, or lost and still in
// rotation until it is noticed (its readiness probe, or its node NotReady:
// "Node lifecycle"). Every move goes through one
// transition function that checks it against a table of legal moves
// (anything else panics: a programming error) and reports the
// "instance-<state>" event in one place.
//
// Initial replicas that find a node at time 0 are Ready at once, and warm.
// Lost instances (a crash, a node or zone going down) go straight to
// Terminated; the service replaces them as a ReplicaSet does, keeping the
// instances not draining at the desired count: a crashed one at once, one
// lost with its node when its pod is evicted (see "Node lifecycle").
//
// # Zones, nodes and scheduling
//
// Zones are sorted by name, so the order a configuration lists them in
// does not matter. With node pools, each pool starts with PerZone nodes in
// each of its zones, named "<pool>-<zone>-<n>". Without them the cluster
// has room: default nodes of DefaultNodeCPU (4) cores and DefaultNodeMemory
// (16 GiB), doubled until an instance's requests fit, named
// "default-<zone>-<n>". One is added at once when the scheduler would
// place an instance in a zone (the one with the fewest instances of its
// service that the spread allows, ties at random from the "placement"
// stream) where no node can take it, and removed as soon as it is empty
// and up (a down one once it is back, its pods dealt with by the control
// plane); every zone that is up is a spread domain. Default nodes are not
// reported and cost nothing (instances are priced).
//
// An instance is placed as Nomad and the Kubernetes scheduler place work:
// every node runs a chain of feasibility stages, in order: the node is up
// and not cordoned (nor in a zone that is down), its free CPU and memory
// cover the instance's requests, and a DoNotSchedule topology spread
// allows its zone (the zone's count plus one, minus the global minimum, is
// at most MaxSkew). As the scheduler's PodTopologySpread plugin counts
// them, the domains are the zones with a registered node (not being
// provisioned) that passes the node taints policy: any node under Ignore,
// the default, a failed one too; one neither cordoned nor NotReady under
// HonorTaints, which also leaves out the instances on the nodes it
// excludes. The global minimum is the fewest instances in a domain, or 0
// with fewer domains than MinDomains. Draining instances do not count; the
// stranded pods of a failed node do, until evicted; so do instances
// nominated to a node being provisioned (the cluster autoscaler packs
// pending pods with the spread in mind). A node that a
// stage refuses is counted under that stage's Reason. The feasible nodes are
// ranked: fewest instances of the service in the zone first (the soft
// spread Kubernetes applies by default, and all that ScheduleAnyway asks),
// then the lowest CPU allocation after placement (LeastAllocated); exact
// ties are broken at random ("placement" stream).
//
// An instance that no ready node can take is unschedulable: it is reported
// once per reason in a row in an "instance-unschedulable" event, whose
// Detail reads like Kubernetes' ("0/6 nodes available: 4 insufficient cpu,
// 2 topology spread"), and counted in Sample.PlacementFailures under the
// reason that filtered out the most nodes (ties to the earlier stage).
// Sample.Unschedulable is how many are waiting so now. Pending instances
// are tried again, in creation order, whenever capacity or spread counts
// change (an instance terminated or draining, a node joined or came back,
// a zone recovered).
//
// The cluster autoscaler acts at once on an unschedulable instance: if it
// fits on a node being provisioned it waits for that one (nominated; its
// resources are reserved there), else a node is added to the pool and zone
// where it would fit (a node big enough, the zone up and below MaxPerZone,
// the spread allowing the zone), preferring the zone with the fewest
// instances of the service, then the fewest nodes; pools in configuration
// order, zones by name. The node joins after ProvisionDelay, and the
// instances nominated to it start. A node that has been empty for 10
// minutes is removed, if its zone has more than PerZone nodes of its pool.
// Node transitions are events with Service -1: "node-provisioning",
// "node-ready", "node-cordoned", "node-down", "node-removed".
//
// Cost: without node pools, an instance costs PricePerHour while it is
// alive (Sample.InstanceSeconds). With them the nodes cost, from their
// request to their removal (not while down), and Sample.CostUSD shares that
// cost among the services in proportion to the CPU their instances request
// on the nodes at each moment, idle capacity included (equally when
// nothing is requested), so the services' costs add up to the nodes'.
//
// # Health probes
//
// Probes run as the kubelet's prober workers run them
// (pkg/kubelet/prober/worker.go): a probe's first check is InitialDelay
// after the container starts, then one every Period, until the instance
// drains or its container is killed. While a startup probe is configured
// and has not passed, readiness and liveness are not checked; once it
// passes they run from their next tick. ReadinessDelay is the
// application's own boot time: until it is over the application answers
// neither requests nor probes. An initial replica has run since before
// the run began: it is Ready at 0, its startup probe passed, its other
// probes on their ticks from 0.
//
// A probe fails when the instance does not answer within Timeout: it is
// booting, being killed or waiting for its back-off, it is lost, its queue
// is full (the probe would be refused), or every slot is busy and the
// oldest queued request has waited longer than Timeout (a probe joining
// the queue now would wait about as long). Health endpoints share the
// server's slots and queue, as they do in most servers. An instance
// without a concurrency limit always answers once booted.
//
//   - Startup passes at its first answer; after FailureThreshold failures
//     in a row the kubelet kills the container ("startup probe failed N
//     times"), which restarts in place.
//   - Readiness also fails while the service's dependency is failing, or
//     slower than Timeout. An instance that is not in rotation (booted and
//     waiting, or taken out) joins it after SuccessThreshold passes in a
//     row. After FailureThreshold failures in a row a Ready instance
//     becomes Starting ("readiness probe failed N times") and leaves the
//     rotation after PropagationDelay; it still serves what it holds and
//     what is routed to it meanwhile. Without a readiness probe an
//     instance is Ready when it has booted and passed its startup probe.
//   - Liveness does not look at the dependency. After FailureThreshold
//     failures the kubelet kills the container ("liveness probe failed N
//     times"), which restarts in place.
//
// # Container restarts
//
// A container is killed by the kubelet after a failed startup or liveness
// probe: it leaves the rotation (after PropagationDelay) and refuses new
// connections, runs its PreStop hook, then exits when it holds nothing,
// or at GracePeriod with what it still holds failing. The kernel OOM-kills
// it at once ("oom-killed") when its working set goes over MemoryLimit
// (see "Memory"): what it holds fails. Either way the pod stays (same
// instance, same node, in the Starting state) and its container starts
// again after the kubelet's CrashLoopBackOff ("container-restarted",
// Detail "restart N, back-off D"; Sample.Restarts, Sample.OOMKills),
// then boots, probes and warms up (it is cold) again. The back-off is
// the flowcontrol.Backoff the kubelet gives kuberuntime's doBackOff
// (backOffPeriod 10 s, MaxContainerBackOff 5 min): at an exit with no
// back-off entry, or one not updated for more than 10 minutes (twice the
// maximum: hasExpired), the container starts again at once and the entry
// is 10 s; otherwise it waits the entry's back-off from its exit, and the
// entry doubles (at most 5 min) when it starts. So a container that keeps
// failing restarts after 0, 10, 20, 40, 80, 160, 300, 300 ... s, and one
// that ran more than 10 minutes before failing starts over at once. A
// draining instance is not restarted: an OOM kill ends it.
//
// # Memory
//
// A running container's working set is BaseMemory plus MemoryPerRequest
// for each request it holds (queued or in service), plus what its runtime
// retains: above what the requests need, it falls back exponentially with
// time constant MemoryRetention (W = u + (W0 - u) exp(-t / tau) while the
// need u stays put), at once with 0, never with RetainForever (a JVM heap
// keeps the size it grew to). It is Sample.MemoryBytes and the memory
// metric the autoscaler scrapes; a container not running (Pending, in its
// back-off, gone) has none. The working set rises only when a request
// comes in (and when a container starts with its base), so the limits are
// checked exactly then: above MemoryLimit the
// container is OOM-killed; and when the running containers' working sets
// on a node exceed its memory, the kubelet evicts pods as
// pkg/kubelet/eviction/helpers.go rankMemoryPressure ranks them (usage
// above the memory request first, then the largest usage minus request;
// ties to the oldest) until the rest fit. An evicted pod is lost at once
// (a hard eviction has no grace period; what it holds fails) and
// replaced. The kubelet's eviction manager acts on a 10 s cycle, one pod
// at a time; here it acts at the instant the node runs out.
//
// # Faults
//
// Each fault is reported as the reports package expects: "fault-start" and
// "fault-end" events with identical Service and Detail for a fault that
// lasts, a single "fault" event for an instant one; Service -1 for a fault
// of the cluster.
//
//   - zone-outage {zone, duration}: the zone and its nodes go down; their
//     instances are lost (what they hold fails), and the control plane
//     handles their pods on its timeline (see "Node lifecycle"): they are
//     replaced when evicted, within the spread rules. After duration the
//     nodes come back, empty; nothing moves back by itself (Kubernetes
//     does not rebalance). Duration 0: until the end.
//   - node-failure {node, duration}: the same for one node (nothing if
//     no node has that name then).
//   - instance-crash {service, count}: count running instances (Starting
//     or Ready), chosen at random ("faults/<i>" stream, i the fault's
//     index), crash; what they hold fails; the kubelet sees it at once, so
//     they leave the rotation after PropagationDelay; a ReplicaSet replaces
//     them (WSO2's launched members are not replaced: see "WSO2's world").
//   - load-balancer-failure {service, duration}: see "Load-balancer
//     failover".
//   - dependency-outage {service, duration, slow, delay}: every request
//     calls the dependency when its CPU phase ends (its off-CPU wait, even
//     of length 0). During the outage the call fails at once (the request
//     fails and frees its slot), or with Slow takes Delay longer; and the
//     readiness probe fails (see "Health probes"), which takes the
//     instances out of rotation: with a readiness probe checking the
//     dependency, a failing dependency turns into rejections.
//   - node-upgrade {pool, NodeSurge}: NodeSurge nodes at a time (the
//     pool's ready nodes when it begins, in creation order), a surge node
//     is requested in the node's zone; once it has joined, the node is
//     cordoned and its instances are evicted (a graceful drain, replaced
//     elsewhere) as long as the disruption budget allows: evicting a Ready
//     instance must leave at least MinAvailable Ready; a refused eviction
//     is retried every 5 s, as kubectl drain does. An empty node is
//     removed and the next one begins. The pool never has fewer
//     schedulable nodes than it began with. The fault ends when the last
//     node is gone.
//   - rollout {service, MaxSurge, MaxUnavailable, MinReady}: see "Rolling
//     updates".
//
// # Node lifecycle
//
// A node that fails loses its processes, but its pods remain, as in
// Kubernetes while its kubelet is silent (nodelifecycle.go). Until the
// node controller marks the node NotReady, ControlPlane.
// NodeMonitorGracePeriod after the failure, the lost instances stay in the
// load balancer's rotation: requests routed to them fail (502), or wait
// for a client's Timeout (a silent host); no probe result arrives. At
// NotReady ("node-not-ready", then "instance-not-ready" per pod) they
// leave the rotation after PropagationDelay, and the node is tainted
// unreachable (HonorTaints spreads stop counting it). Their ReplicaSet and
// the spread count them ("stranded") until the taint manager evicts them,
// UnreachableToleration after NotReady ("instance-evicted"); then they are
// replaced. A node back before that is empty: its pods are replaced then.
// A scale-down deletes stranded pods first.
//
// # Rolling updates
//
// A rollout (rollout.go) gives the service's new instances a new version
// and runs the Deployment controller's rolling update over two
// ReplicaSets, the new version's and the old ones', at every change of
// the service's instances: the new one is scaled up while their sizes
// stay within desired + MaxSurge (rounded up), the old one down, not
// available ones first, while the available instances (Ready for
// MinReady) stay at least desired - MaxUnavailable (rounded down; 1 if
// both are 0). Terminating instances count for neither. Each ReplicaSet
// then creates or drains instances to its size (the old one replaces
// what it loses). A change of the desired count meanwhile scales both in
// proportion to their sizes, as the Deployment controller's getProportion
// does; disruption budgets do not apply. "rollout-step" events report the
// sizes; the fault ends when all desired instances are new and available.
//
// # Load-balancer failover
//
// A service's load balancer has Replicas instances: a primary that routes
// and standbys. When the primary fails, the connections through it break
// (the requests in flight fail for their clients; the instances finish
// them, as after a client timeout) and, if a standby is left, it takes
// over after FailoverDelay (for WSO2's load balancer, the elastic IP's
// reassociation); requests arriving meanwhile are rejected. With no
// standby the service is unreachable (rejected) until the failed instance
// is back after the fault's duration (never with duration 0). The fault's
// span in the event log is the time without a routing primary. What the
// autoscaler does meanwhile depends on where it runs.
//
// # Who runs the autoscaler
//
// AutoscalerConfig.RunsOn says where (the scenarios package takes it from
// the policy's definition, its registry entry). InControlPlane, Kubernetes'
// controllers (the HPA runs in kube-controller-manager): evaluations go on
// through a load-balancer failover, on what the instances measure (with
// the arrivals rejected, their CPU falls, and the HPA may scale down
// before the standby routes again). OnLoadBalancer, WSO2's autoscaler task,
// which runs on the primary load balancer
// (ServiceRequestsInFlightAutoscaler.execute returns early on a load
// balancer that is not the primary): it skips its evaluations while no
// primary routes; the new primary starts it with no state (a new policy:
// an empty averaging window; no request tokens), since both lived in the
// failed one ("autoscaler restarted with no state" in the lb-failover
// event); and at its first evaluation its load-balancer sanity check
// (loadBalancerSanityCheck) restores the configured number of
// load-balancer instances ("lb-restored"). A control-plane autoscaler has
// no such check: the failed load balancer is back only after its fault's
// duration.
//
// # WSO2's world
//
// AutoscalerConfig.Members says who keeps the instances. ReplicaSet
// (Kubernetes): a lost instance is replaced at once; a scale-in is a
// graceful drain (see "Graceful drain"). Launched (WSO2): the members are
// the instances the autoscaler launched. A lost member is not replaced:
// the desired count drops to the members left, and the autoscaler's next
// decisions launch what they find missing, its sanity check when running +
// pending < min (appNodesSanityCheck), or its load rule. A scale-in
// deregisters the member: the load balancer, where the autoscaler runs,
// takes it out of its rotation at once (no propagation delay), and the
// member is terminated once it has served every request routed to it (no
// grace period kills it), so a scale-in loses nothing. A node upgrade's
// eviction is still a drain (it is Kubernetes' node lifecycle), not
// replaced either.
//
// With AutoscalerConfig.MessageExpiry > 0, the requests in flight the
// policy observes are the load balancer's request tokens (WSO2's
// AutoscaleInMediator adds one per request it sends to a member,
// AutoscaleOutMediator removes it when the response passes back): a token
// lives from the request's routing until its instance lets go of it
// (completed, failed, or abandoned), however early its client gave up, or
// until an evaluation finds it MessageExpiry old
// (AppDomainContext.expireRequestTokens runs before each count). A request
// refused by its instance has its token removed at once (the error passes
// back). Tokens cost O(1) to add and count, O(log n) to remove.
//
// # Ingress
//
// ServiceConfig.Ingress puts an ingress-nginx hop in front of the service.
// Its Latency is added to every request: the request reaching the load
// balancer now was sent Latency earlier (so it costs no event; a request
// counts as arrived when it reaches the load balancer). ReadTimeout is
// proxy_read_timeout: a request's one timeout event is the earlier of its
// client's deadline and now + ReadTimeout; the latter ends it as Failed (a
// 504, counted by IngressTotals and Sample.GatewayTimeouts) and the
// instance keeps the work, as after a client timeout. A connection error
// (the chosen instance does not accept, or is lost) is passed to the next
// member round-robin, up to NextUpstreamTries tries in all
// (proxy_next_upstream error; counted by Sample.IngressRetries); a full
// queue is an HTTP error, not retried. Balancing bypasses the Service: round-robin,
// or sticky cookies (CookieAffinity: the client-ip sessions, keyed by
// client, expiring CookieMaxAge after they were set rather than after the
// last request); the Service's Algorithm and SessionAffinityTimeout are
// ignored.
//
// # Load-balancing algorithms and their cost
//
// round-robin takes the next member in join order; random any member;
// power-of-two the one of two random members holding fewer requests;
// least-requests the member holding the fewest (queued or in service),
// ties going to the first at or after the round-robin cursor; client-ip
// see below. Each costs O(1) per request but least-requests, O(log n): a
// min segment tree over the members in join order (leastIndex), updated
// when a member's count changes, answers "the first member at or after
// the cursor with the fewest" as a scan from the cursor would, so the
// results are the scan's exactly. BenchmarkBalance measures the cost per
// request at 10 and 5000 instances.
//
// # Load balancing by client
//
// With client-ip, each arrival comes from one of Clients clients, drawn
// uniformly ("clients/NAME" stream). A client's first request, or its first
// after its session ended, goes to a random instance of the rotation (as
// kube-proxy's iptables mode does); then it sticks to that instance until
// it has been idle longer than SessionAffinityTimeout or the instance has
// left the rotation.
//
// # Warmup
//
// An instance that has just started or restarted is cold: from the moment
// it becomes Ready, a request starting its CPU phase needs its demand
// times a factor that falls linearly from WarmupSlowdown to 1 over Warmup
// (a JVM's JIT compiling, caches filling). The extra CPU is used, and
// counted, as any other.
//
// # Retries
//
// A client retries a request that was rejected, failed or timed out, up to
// Retries times, after RetryBackoff doubled for each earlier retry. A retry
// is the same work (the same demand, the same client) and counts as a new
// arrival; the failed attempt keeps its outcome. So conservation holds
// over attempts, and arrivals include retries: a retry storm shows as
// arrivals above the offered load. A retry due after the end of the run is
// not made.
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
// A queued request whose client has gone keeps only its demand and arrival
// time (a 32-byte queue entry, no events). Once an instance's queue buffer
// holds 4096 entries, consecutive ones of these older than the longest
// probe timeout are merged into a run that keeps only their number and the
// oldest arrival (see fifo.compact): no probe can tell, and the demand of
// each is drawn when it is served, from the service's "backlog/<name>"
// stream. So a long overload's backlog costs memory in proportion to the
// requests whose clients still wait, not to the work the server owes.
//
// With InstanceConfig.CancelOnClientTimeout the server abandons the work
// (deadline propagation, as gRPC does): a queued request leaves the queue,
// one in its CPU or off-CPU phase frees its slot and CPU share at once,
// and the next queued request starts. It was counted TimedOut when the
// client gave up, and only then.
//
// # The activator (Knative's)
//
// With AutoscalerConfig.Activator, a request finding no instance in
// rotation is held at the activator instead of rejected: it counts in
// flight, its client's timeout runs, and it is sent on, oldest first, to an
// instance with a free concurrency slot (any instance when Concurrency is
// 0) when one joins the rotation or frees a slot; later requests queue
// behind the held ones. With AutoscalerConfig.Concurrency, the collector
// takes one stat a second, the time-weighted mean of the requests in flight
// and the requests admitted, for Observation.Concurrency; the first request
// held at zero is reported at once and runs the autoscaler at that instant.
// See activator.go.
// # Asynchronous work
//
// A service with ServiceConfig.Queue takes messages, not requests: each
// arrival is put on the service's queue, and an instance that is Ready (or
// in its pre-stop hook) takes the oldest whenever it has a free
// concurrency slot (queue.go). Messages wait while there are no
// consumers; nothing is rejected or times out; a message lost with its
// instance is Failed (no redelivery). Waiting messages are in flight, so
// conservation covers them. Sample.QueueDepth and QueueAge report the
// queue.
//
// # The metrics adapter
//
// With AutoscalerConfig.Adapter, a Prometheus-like scrape every
// ScrapeInterval copies each instance's requests counter, latency
// histogram and gauges, the load balancer's and the queue's into rings
// keyed by scrape time, and each evaluation's Observation.Metrics is what
// a prometheus-adapter would answer: rate() and histogram_quantile over
// (now - RateWindow, now], gauges at their last scrape
// (metrics_adapter.go). Nothing is allocated per request.
//
// # Random streams
//
// Each component draws from its own named stream of sim.Streams: per service
// "arrivals/NAME" (used by the scenario's arrival process), "demand/NAME"
// (CPU then wait, drawn at arrival in arrival order, whatever happens to the
// request afterwards), "clients/NAME" (the client of each arrival, with
// client-ip, also drawn at arrival), "lb/NAME" (random, power-of-two and
// client-ip choices) and "lifecycle/NAME" (startup and readiness delays);
// for the cluster "placement" (ties between equally ranked nodes) and
// "faults/I" (the instances the I-th fault crashes). Switching the
// autoscaling policy therefore leaves every arrival time and every demand
// unchanged.
package cluster
