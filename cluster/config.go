package cluster

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// Config describes a whole world.
type Config struct {
	// Seed is the root of every random stream.
	Seed uint64
	// Duration is how long the run lasts.
	Duration time.Duration
	// SampleInterval is the period of Observer.Sample calls.
	SampleInterval time.Duration
	// Services, in the order their indexes are reported.
	Services []ServiceConfig
	// Zones are the availability zones; none means one zone, "default".
	// Their order does not matter: the world sorts them.
	Zones []string
	// Pools are the node pools. Without any, every zone has unlimited
	// capacity and cost comes from InstanceConfig.PricePerHour.
	Pools []PoolConfig
	// Faults are the failures injected during the run, in any order.
	Faults []FaultConfig
	// ControlPlane holds the node controller's and taint manager's
	// timings (nodelifecycle.go).
	ControlPlane ControlPlane
}

// PoolConfig is a group of identical nodes: PerZone of them in each of its
// zones at the start, named "<pool>-<zone>-<n>" with n from 1.
type PoolConfig struct {
	Name string
	// Zones the pool has nodes in; none means every zone.
	Zones []string
	// PerZone nodes per zone at the start; the cluster autoscaler never
	// goes below it. MaxPerZone bounds node autoscaling (at most PerZone:
	// none).
	PerZone, MaxPerZone int
	// CPU in cores and Memory in bytes of one node.
	CPU, Memory float64
	// PricePerHour of one node, paid from the moment it is requested until
	// it is removed (not while it is down).
	PricePerHour float64
	// ProvisionDelay is how long a new node takes to join.
	ProvisionDelay time.Duration
}

// FaultType is a kind of injected failure: its name in a scenario file.
type FaultType string

// The fault types (see the package documentation, "Faults").
const (
	ZoneOutage          FaultType = "zone-outage"
	NodeFailure         FaultType = "node-failure"
	InstanceCrash       FaultType = "instance-crash"
	LoadBalancerFailure FaultType = "load-balancer-failure"
	DependencyOutage    FaultType = "dependency-outage"
	NodeUpgrade         FaultType = "node-upgrade"
	Rollout             FaultType = "rollout"
)

// FaultTypes lists the fault types.
var FaultTypes = []FaultType{ZoneOutage, NodeFailure, InstanceCrash, LoadBalancerFailure, DependencyOutage, NodeUpgrade, Rollout}

func (f FaultType) String() string { return string(f) }

// ParseFaultType maps a scenario name to a FaultType.
func ParseFaultType(s string) (FaultType, error) {
	for _, t := range FaultTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown fault type %q", s)
}

// FaultConfig is one injected failure at time At. Which fields apply
// depends on Type (see the package documentation, "Faults").
type FaultConfig struct {
	At   time.Duration
	Type FaultType
	// Zone (zone-outage), Node (node-failure), Service (instance-crash,
	// load-balancer-failure, dependency-outage), Pool (node-upgrade).
	Zone, Node, Service, Pool string
	// Count of instances an instance-crash kills; 0 means 1.
	Count int
	// Duration of a zone outage, node failure, load-balancer failure or
	// dependency outage; 0 means until the end of the run.
	Duration time.Duration
	// Slow makes a dependency outage add Delay to every call instead of
	// failing it.
	Slow  bool
	Delay time.Duration
	// A rollout's maxSurge and maxUnavailable (not both 0) and
	// minReadySeconds (rollout.go).
	MaxSurge, MaxUnavailable IntOrPercent
	MinReady                 time.Duration
	// NodeSurge is how many nodes a node-upgrade replaces at once, each
	// surge node ready before its old node is drained; 0 means 1.
	NodeSurge int
}

// ArrivalProcess yields the arrival times of a service's requests.
type ArrivalProcess interface {
	// Next returns the first arrival strictly after now, or sim.Never.
	Next(now sim.Time) sim.Time
}

// ServiceConfig describes one service.
type ServiceConfig struct {
	Name string
	// Initial, Min and Max replica counts.
	Initial, Min, Max int
	Instance          InstanceConfig
	// DemandCPU is the CPU time a request needs at one core, in seconds.
	DemandCPU sim.Dist
	// DemandWait is the off-CPU time a request needs after its CPU phase, in
	// seconds; nil means none.
	DemandWait   sim.Dist
	LoadBalancer LoadBalancerConfig
	Autoscaler   AutoscalerConfig
	// NewArrivals makes the arrival process of one world's run: a Config
	// is a description, so every world gets a fresh one (the same draws
	// each time) and one Config runs any number of times with identical
	// results. nil means no traffic.
	NewArrivals func() ArrivalProcess
	// Queue makes the arrivals messages on a queue that the instances
	// consume (queue.go) instead of requests through the load balancer;
	// Timeout and Retries do not apply.
	Queue bool
	// Timeout is the client's timeout; 0 means the client waits forever.
	Timeout time.Duration
	// Retries is how many times a client retries a request that was
	// rejected, failed or timed out; each retry is a new arrival.
	// RetryBackoff is the wait before the first retry, doubled for each
	// further one; 0 retries at once.
	Retries      int
	RetryBackoff time.Duration
	// Clients is the number of distinct clients the requests come from,
	// uniformly (it matters for client-ip balancing); 0 means 1.
	Clients int
	// Probes are the instance's health checks.
	Probes Probes
	// TopologySpread spreads instances over zones; nil means only the
	// scheduler's soft preference for the least-loaded zone.
	TopologySpread *TopologySpread
	// MinAvailable is the disruption budget: a voluntary eviction (node
	// upgrade) waits while it would leave fewer Ready instances. 0: none.
	MinAvailable int
	// Ingress is an ingress-nginx hop in front of the service; nil: none.
	Ingress *IngressConfig
}

// Probes are an instance's health checks; nil means not configured. See
// the package documentation, "Health probes".
type Probes struct {
	Startup, Readiness, Liveness *ProbeConfig
}

// prepare replaces the service's distributions by prepared ones
// (sim.Prepare): the same draws, without recomputing their derived
// parameters per request. A wait that is a constant of no time (the
// scenarios' default, no off-CPU phase) becomes none, so drawDemand skips
// it: a Constant draws nothing, so the streams are the same.
func (s *ServiceConfig) prepare() {
	if c, ok := s.DemandWait.(sim.Constant); ok && sim.SampleDuration(c, nil) == 0 {
		s.DemandWait = nil
	}
	for _, d := range []*sim.Dist{&s.DemandCPU, &s.DemandWait, &s.Instance.StartupDelay, &s.Instance.ReadinessDelay} {
		if *d != nil {
			*d = sim.Prepare(*d)
		}
	}
}

// longestTimeout is the longest timeout of the probes that look at the
// instance's queue (see Instance.answers); 0 without probes.
func (p Probes) longestTimeout() time.Duration {
	var d time.Duration
	for _, c := range []*ProbeConfig{p.Startup, p.Readiness, p.Liveness} {
		if c != nil {
			d = max(d, c.Timeout)
		}
	}
	return d
}

// ProbeConfig is a Kubernetes-style periodic check: the first at
// InitialDelay after the container starts, then every Period; a probe not
// answered within Timeout fails. FailureThreshold failures in a row fail
// the check, SuccessThreshold passes in a row pass it (0 means 1).
type ProbeConfig struct {
	InitialDelay     time.Duration
	Period           time.Duration
	FailureThreshold int
	SuccessThreshold int
	Timeout          time.Duration
}

// successes is the number of passes in a row that pass the check.
func (p *ProbeConfig) successes() int { return max(p.SuccessThreshold, 1) }

// TopologySpread is a zone topology-spread constraint.
type TopologySpread struct {
	// MaxSkew bounds the difference between the instance counts of the
	// fullest and the emptiest eligible zone.
	MaxSkew int
	// ScheduleAnyway makes the constraint a preference; otherwise an
	// instance that would break it stays Pending (DoNotSchedule).
	ScheduleAnyway bool
	// MinDomains (DoNotSchedule only): with fewer domains than this, the
	// global minimum is taken as 0. 0 or 1: no effect.
	MinDomains int
	// HonorTaints is nodeTaintsPolicy Honor: a node with a taint the pod
	// does not tolerate (cordoned, NotReady) does not make its zone a
	// domain. The default, Ignore, counts every registered node.
	HonorTaints bool
}

// InstanceConfig describes every instance of a service.
type InstanceConfig struct {
	// CPURequest and CPULimit in cores. The request is what the scheduler
	// reserves on a node, the instance's weight when its node's CPU is
	// contended (cpu.shares), and what utilization is measured against.
	// The limit, if not 0, is a CFS quota: CPULimit x CPUPeriod of CPU time
	// per period (see cfs.go); without one the instance may use its whole
	// node.
	CPURequest, CPULimit float64
	// CPUPeriod is the CFS period; 0 means DefaultCFSPeriod (100 ms).
	CPUPeriod time.Duration
	// MemoryRequest in bytes; memory utilization is measured against it.
	MemoryRequest float64
	// BaseMemory and MemoryPerRequest (bytes) make up the working set: base
	// plus one share per request held (queued or in service), plus what
	// the runtime retains (MemoryRetention). See "Memory".
	BaseMemory, MemoryPerRequest float64
	// MemoryLimit in bytes: a working set above it is an OOM kill; 0 means
	// none.
	MemoryLimit float64
	// MemoryRetention is the time constant with which the working set
	// falls back to what the requests held need after a burst: 0 releases
	// at once, RetainForever keeps the high-water mark (a JVM heap).
	MemoryRetention time.Duration
	// Concurrency is the number of requests served at once; 0 = unlimited.
	Concurrency int
	// QueueLimit is how many more requests may wait; negative = unlimited.
	QueueLimit int
	// CancelOnClientTimeout: the server abandons a request whose client
	// timed out (deadline propagation); see "Client timeouts".
	CancelOnClientTimeout bool
	// StartupDelay and ReadinessDelay, in seconds; nil means zero.
	StartupDelay, ReadinessDelay sim.Dist
	// PreStop is the drain hook's sleep; GracePeriod is when the instance is
	// killed, both measured from the start of the drain.
	PreStop, GracePeriod time.Duration
	// PricePerHour is the cost of one instance-hour (without node pools).
	PricePerHour float64
	// Warmup and WarmupSlowdown: an instance that has just (re)started
	// needs WarmupSlowdown times the CPU per request when it becomes Ready,
	// a factor that falls linearly to 1 over Warmup.
	Warmup         time.Duration
	WarmupSlowdown float64
}

// LoadBalancerConfig describes a service's load balancer.
type LoadBalancerConfig struct {
	// Algorithm: round-robin, least-requests, random, power-of-two or
	// client-ip.
	Algorithm Algorithm
	// PropagationDelay is how long the load balancer keeps routing to an
	// instance after its removal began.
	PropagationDelay time.Duration
	// Replicas is the number of load-balancer instances, primary plus
	// standbys; 0 means 1. FailoverDelay is how long a standby takes to
	// replace a failed primary.
	Replicas      int
	FailoverDelay time.Duration
	// SessionAffinityTimeout: with client-ip, a client sticks to its
	// instance until it has been idle this long.
	SessionAffinityTimeout time.Duration
}

// AutoscalerConfig wires a policy to its service.
type AutoscalerConfig struct {
	// NewPolicy makes the policy of one world's run (a policy keeps state:
	// stabilization windows, rate-limit history), so every world gets its
	// own. nil means the replica count never changes.
	NewPolicy func() policies.Policy
	// Interval is the evaluation period.
	Interval time.Duration
	// ScrapeInterval and Window describe the metrics pipeline: every
	// ScrapeInterval each running instance's CPU and memory are read; a
	// pod's CPU metric is its usage averaged over the last Window.
	ScrapeInterval, Window time.Duration
	// LatencyPercentile is the percentile reported in
	// Observation.Latency, over the last Window of completed requests.
	LatencyPercentile float64

	// RunsOn is where the autoscaler runs (see the package documentation,
	// "Who runs the autoscaler"): the control plane by default, or the
	// primary load balancer.
	RunsOn Host
	// Members is who keeps the service's instances (see "WSO2's world"):
	// a ReplicaSet by default, or the autoscaler's own launches.
	Members Members
	// MessageExpiry, when positive, makes Observation.InFlight the load
	// balancer's request tokens (WSO2's AutoscaleIn/Out mediators): one per
	// request routed to an instance, removed when its response passes back
	// through the load balancer, or at an autoscaler run once it is
	// MessageExpiry old. 0: the requests in flight for their clients.
	MessageExpiry time.Duration
	// Concurrency: the policy reads Observation.Concurrency, one stat a
	// second of the requests in flight (Knative's metric collector).
	// Activator: while no instance is ready, requests wait at an
	// activator instead of being rejected (activator.go).
	Concurrency, Activator bool
	// Adapter, if set, runs a metrics adapter (metrics_adapter.go) that
	// fills Observation.Metrics.
	Adapter *AdapterConfig
}

// Host is where a service's autoscaler runs.
type Host uint8

const (
	// InControlPlane: Kubernetes' controllers (the HPA in
	// kube-controller-manager). They keep evaluating whatever happens to
	// the service's load balancer.
	InControlPlane Host = iota
	// OnLoadBalancer: WSO2's autoscaler task runs on the primary load
	// balancer. It pauses while a standby takes over, and the new primary
	// starts it with no state (the averaging window and the request tokens
	// lived in the failed one). It also keeps the load balancers' count
	// (its load-balancer sanity check).
	OnLoadBalancer
)

// Members is who keeps a service's instances.
type Members uint8

const (
	// ReplicaSet: lost instances are replaced at once, a scale-in drains
	// as Kubernetes does (propagation delay, preStop, grace period).
	ReplicaSet Members = iota
	// Launched: WSO2's members are the instances its autoscaler launched.
	// A lost one is replaced only by a later decision (the sanity check
	// or the load rule); a scale-in deregisters the member from the load
	// balancer at once and terminates it once it has served what it holds.
	Launched
)

// Algorithm is a load-balancing algorithm.
type Algorithm uint8

const (
	RoundRobin Algorithm = iota
	LeastRequests
	Random
	PowerOfTwo
	ClientIP
)

var algorithmNames = [...]string{"round-robin", "least-requests", "random", "power-of-two", "client-ip"}

func (a Algorithm) String() string { return algorithmNames[a] }

// ParseAlgorithm maps a scenario name to an Algorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	for i, n := range algorithmNames {
		if n == s {
			return Algorithm(i), nil
		}
	}
	return 0, fmt.Errorf("unknown load-balancer algorithm %q (allowed: round-robin, least-requests, random, power-of-two, client-ip)", s)
}

func (c *Config) validate() error {
	if c.Duration <= 0 {
		return fmt.Errorf("cluster: duration must be positive, got %v", c.Duration)
	}
	if c.SampleInterval <= 0 {
		return fmt.Errorf("cluster: sample interval must be positive, got %v", c.SampleInterval)
	}
	zones := c.zoneNames()
	for k := 1; k < len(zones); k++ {
		if zones[k] == zones[k-1] {
			return fmt.Errorf("cluster: zone %q is listed twice", zones[k])
		}
	}
	names := map[string]bool{}
	for _, s := range c.Services {
		names[s.Name] = true
		switch {
		case s.Min < 0 || s.Max < s.Min || s.Initial < s.Min || s.Initial > s.Max:
			return fmt.Errorf("cluster: service %s: replicas need 0 <= min <= initial <= max, got %d <= %d <= %d", s.Name, s.Min, s.Initial, s.Max)
		case s.Instance.CPURequest <= 0 && s.Instance.CPULimit <= 0:
			return fmt.Errorf("cluster: service %s: instance needs a positive cpu_request or cpu_limit", s.Name)
		case s.Instance.CPULimit > 0 && s.Instance.CPULimit < s.Instance.CPURequest:
			return fmt.Errorf("cluster: service %s: cpu_limit %g is less than cpu_request %g", s.Name, s.Instance.CPULimit, s.Instance.CPURequest)
		case s.Instance.CPUPeriod != 0 && (s.Instance.CPUPeriod < MinCFSPeriod || s.Instance.CPUPeriod > MaxCFSPeriod):
			return fmt.Errorf("cluster: service %s: cpu_cfs_period %v is outside %v..%v", s.Name, s.Instance.CPUPeriod, MinCFSPeriod, MaxCFSPeriod)
		case s.DemandCPU == nil:
			return fmt.Errorf("cluster: service %s: demand.cpu is required", s.Name)
		case s.Autoscaler.NewPolicy != nil && s.Autoscaler.Interval <= 0:
			return fmt.Errorf("cluster: service %s: autoscaler interval must be positive", s.Name)
		case s.Instance.Warmup > 0 && s.Instance.WarmupSlowdown < 1:
			return fmt.Errorf("cluster: service %s: warmup slowdown must be at least 1, got %g", s.Name, s.Instance.WarmupSlowdown)
		case s.TopologySpread != nil && s.TopologySpread.MaxSkew < 1:
			return fmt.Errorf("cluster: service %s: topology spread max skew must be at least 1", s.Name)
		case s.TopologySpread != nil && s.TopologySpread.MinDomains < 0:
			return fmt.Errorf("cluster: service %s: topology spread min domains must not be negative", s.Name)
		case s.Clients > math.MaxInt32:
			return fmt.Errorf("cluster: service %s: at most %d clients", s.Name, math.MaxInt32)
		case s.Retries < 0 || s.Clients < 0 || s.MinAvailable < 0 || s.LoadBalancer.Replicas < 0:
			return fmt.Errorf("cluster: service %s: retries, clients, min available and load-balancer replicas must not be negative", s.Name)
		case s.Retries > maxRetries:
			return fmt.Errorf("cluster: service %s: at most %d retries, got %d", s.Name, maxRetries, s.Retries)
		case s.Ingress != nil && (s.Ingress.Latency < 0 || s.Ingress.ReadTimeout < 0 || s.Ingress.NextUpstreamTries < 0 || s.Ingress.CookieMaxAge < 0):
			return fmt.Errorf("cluster: service %s: ingress latency, read timeout, next-upstream tries and cookie max age must not be negative", s.Name)
		}
		for _, p := range []*ProbeConfig{s.Probes.Startup, s.Probes.Readiness, s.Probes.Liveness} {
			if p != nil && (p.Period <= 0 || p.FailureThreshold < 1 || p.Timeout <= 0 || p.InitialDelay < 0 || p.SuccessThreshold < 0) {
				return fmt.Errorf("cluster: service %s: a probe needs a positive period and timeout, a failure threshold of at least 1 and no negative initial delay or success threshold", s.Name)
			}
		}
		for _, p := range []*ProbeConfig{s.Probes.Startup, s.Probes.Liveness} {
			if p != nil && p.successes() != 1 {
				return fmt.Errorf("cluster: service %s: a startup or liveness probe's success threshold must be 1 (as Kubernetes requires)", s.Name)
			}
		}
		if in := s.Instance; in.MemoryLimit < 0 || (in.MemoryLimit > 0 && in.MemoryLimit < in.BaseMemory) || (in.MemoryRetention < 0 && in.MemoryRetention != RetainForever) {
			return fmt.Errorf("cluster: service %s: memory limit must be 0 (none) or at least the base memory, and memory retention not negative", s.Name)
		}
	}
	if cp := c.ControlPlane; cp.NodeMonitorGracePeriod < 0 || cp.NotReadyToleration < 0 || cp.UnreachableToleration < 0 {
		return fmt.Errorf("cluster: the control plane's grace period and tolerations must not be negative, got %+v", cp)
	}
	pools := map[string]bool{}
	for _, p := range c.Pools {
		switch {
		case p.Name == "" || pools[p.Name]:
			return fmt.Errorf("cluster: pool %q: empty or duplicate name", p.Name)
		case p.CPU <= 0 || p.Memory <= 0:
			return fmt.Errorf("cluster: pool %s: nodes need positive cpu and memory", p.Name)
		case p.PerZone < 0 || p.PricePerHour < 0 || p.ProvisionDelay < 0:
			return fmt.Errorf("cluster: pool %s: per_zone, price and provision delay must not be negative", p.Name)
		}
		pools[p.Name] = true
		for _, z := range p.Zones {
			if !slices.Contains(zones, z) {
				return fmt.Errorf("cluster: pool %s: unknown zone %q", p.Name, z)
			}
		}
	}
	for k, f := range c.Faults {
		switch f.Type {
		case ZoneOutage:
			if !slices.Contains(zones, f.Zone) {
				return fmt.Errorf("cluster: fault %d: unknown zone %q", k, f.Zone)
			}
		case InstanceCrash, LoadBalancerFailure, DependencyOutage, Rollout:
			if !names[f.Service] {
				return fmt.Errorf("cluster: fault %d: unknown service %q", k, f.Service)
			}
		case NodeUpgrade:
			if !pools[f.Pool] {
				return fmt.Errorf("cluster: fault %d: unknown pool %q", k, f.Pool)
			}
		case NodeFailure:
			// A node that does not exist when the fault strikes is not
			// an error: nodes come and go with the cluster autoscaler.
		default:
			return fmt.Errorf("cluster: fault %d: unknown type %q", k, f.Type)
		}
		if f.At < 0 || f.Duration < 0 || f.MinReady < 0 {
			return fmt.Errorf("cluster: fault %d: negative time", k)
		}
		if f.Type == Rollout && (f.MaxSurge.Value < 0 || f.MaxUnavailable.Value < 0 || f.MaxSurge.Value == 0 && f.MaxUnavailable.Value == 0) {
			return fmt.Errorf("cluster: fault %d: a rollout needs max surge and max unavailable at least 0, not both 0", k)
		}
	}
	return nil
}

// maxRetries bounds ServiceConfig.Retries.
const maxRetries = 1000

// DefaultZone is the one zone of a Config without Zones.
const DefaultZone = "default"

// zoneNames returns the zones, sorted.
func (c *Config) zoneNames() []string {
	if len(c.Zones) == 0 {
		return []string{DefaultZone}
	}
	z := slices.Clone(c.Zones)
	slices.Sort(z)
	return z
}
