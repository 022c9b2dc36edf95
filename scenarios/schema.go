package scenarios

import (
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The types below are the scenario after parsing: every default filled in
// (see doc.go for the table), durations as time.Duration, CPU in cores,
// memory in bytes, and delays and demands as sim.Dist values in seconds.
//
// The struct tags drive the decoder: `yaml` names the key, `scn` lists
// options (see decode.go). Fields tagged yaml:"-" are computed.

// Unlimited is the value of Instance.Concurrency and Instance.QueueLimit
// when there is no limit ("unlimited" in the file, or the key omitted). It
// is large enough that comparisons like `busy < Concurrency` need no special
// case, and small enough that adding to it cannot overflow.
const Unlimited = math.MaxInt32

// Traffic kinds (Traffic.Kind).
const (
	// KindRequests: requests through the load balancer (the default).
	KindRequests = "requests"
	// KindQueue: messages put on the service's queue and consumed by its
	// instances (asynchronous work).
	KindQueue = "queue"
)

// Forever is the value of Instance.MemoryRetention written "forever": the
// working set keeps its high-water mark.
const Forever time.Duration = -1

// Arrival processes (Traffic.Arrivals).
const (
	ArrivalsPoisson  = "poisson"
	ArrivalsConstant = "constant"
)

// Scenario is one parsed, defaulted and validated scenario file.
type Scenario struct {
	// Name names the results folder (./out/<name>); letters, digits, '.',
	// '-' and '_'. Default: the file's base name without extension.
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Seed is the root of every random stream. Default 1.
	Seed uint64 `yaml:"seed"`
	// Duration is the simulated time. Required.
	Duration time.Duration `yaml:"duration" scn:"req"`
	// Warmup is the leading time that statistics ignore. Default 0.
	Warmup time.Duration `yaml:"warmup"`
	// SampleInterval is the time-series resolution. Default 10s.
	SampleInterval time.Duration `yaml:"sample_interval"`
	// Zones are the availability zones, sorted by name (their order in
	// the file does not matter). Default: one zone named "default".
	Zones []string `yaml:"zones"`
	// Nodes are the node pools. None: default nodes (cluster.DefaultNodeCPU
	// cores and DefaultNodeMemory, larger where an instance requests more),
	// as many as needed, and cost comes from Instance.PricePerHour.
	Nodes []NodePool `yaml:"nodes"`
	// Services in file order; Service indexes follow this order.
	Services []Service `yaml:"services" scn:"byname,req"`
	// Traffic in file order, one entry per service that receives any.
	Traffic []Traffic `yaml:"traffic" scn:"byname"`
	// Faults in file order.
	Faults []Fault `yaml:"faults"`
	// SLOs in file order (the `slo` key).
	SLOs []SLO `yaml:"slo" scn:"byname"`
	// Manifests are the Kubernetes YAML and Cloud.toml files or folders
	// the services are read from (manifests_load.go); the file's
	// services.<name> overlays what they say.
	Manifests []ManifestRef `yaml:"manifests"`
	// ControlPlane is the Kubernetes control plane's handling of failed
	// nodes. Defaults: Kubernetes' (DefaultControlPlane).
	ControlPlane ControlPlane `yaml:"control_plane"`

	// File is the name the scenario was parsed under: a path, or
	// "builtin:NAME" for a built-in scenario.
	File string `yaml:"-"`
	// Dir is the directory relative paths (trace files) are resolved
	// against: the scenario file's directory.
	Dir string `yaml:"-"`
	// Overrides are the --set arguments applied, in order.
	Overrides []string `yaml:"-"`
	// Warnings are problems that do not stop a run, positioned like
	// errors ("FILE:LINE:COL: path: message"), in file order: keys that
	// the service's policy does not read. The caller prints them (on
	// stderr; summary.json's warnings).
	Warnings []Error `yaml:"-"`
	// ManifestIgnored lists each manifest field that was read but is not
	// simulated, once, at its position in the manifest (Warnings gives
	// them the code ignored-manifest-field).
	ManifestIgnored []Error `yaml:"-"`
	// ManifestFiles are the manifest files read, in order.
	ManifestFiles []string `yaml:"-"`

	src *sourceMap // positions of every field, for Validate's messages
}

// NodePool is a group of identical nodes, per_zone of them in each of its
// zones at the start. Node names are "<pool>-<zone>-<n>" with n from 1.
type NodePool struct {
	Name string `yaml:"pool" scn:"req"`
	// Zones the pool has nodes in, sorted. Default: every zone.
	Zones []string `yaml:"zones"`
	// PerZone is the number of nodes per zone at the start. Default 1.
	PerZone int `yaml:"per_zone"`
	// CPU per node in cores. Default 4.
	CPU float64 `yaml:"cpu" scn:"cpu"`
	// Memory per node in bytes. Default 16Gi.
	Memory float64 `yaml:"memory" scn:"bytes"`
	// PricePerHour per node in USD. Default: 0.04048 per core + 0.004445
	// per GiB (AWS Fargate's on-demand Linux/x86 price, us-east-1).
	PricePerHour float64 `yaml:"price_per_hour"`
	// ProvisionDelay is how long a new node takes to join. Default 2m.
	ProvisionDelay time.Duration `yaml:"provision_delay"`
	// MaxPerZone bounds node autoscaling. Default PerZone (no autoscaling).
	MaxPerZone int `yaml:"max_per_zone"`
}

// Service is one autoscaled workload behind its own load balancer.
type Service struct {
	Name             string           `yaml:"-" scn:"name"`
	Replicas         Replicas         `yaml:"replicas"`
	Instance         Instance         `yaml:"instance"`
	Demand           Demand           `yaml:"demand" scn:"req"`
	Probes           Probes           `yaml:"probes"`
	TopologySpread   *TopologySpread  `yaml:"topology_spread"`
	DisruptionBudget DisruptionBudget `yaml:"disruption_budget"`
	LoadBalancer     LoadBalancer     `yaml:"load_balancer"`
	Ingress          *Ingress         `yaml:"ingress"`
	Autoscaler       Autoscaler       `yaml:"autoscaler"`
}

// Replicas bounds the instance count.
//
// Defaults: Initial = Min if Min is given, else 1; Min = 1 (0 if Initial is
// 0); Max = the largest of 10, Initial and Min. Initial instances are Ready
// at time 0.
type Replicas struct {
	Initial int `yaml:"initial"`
	Min     int `yaml:"min"`
	Max     int `yaml:"max"`
}

// Instance is what one replica has and does.
type Instance struct {
	// CPURequest in cores: reserved on the node, the instance's share of
	// a contended node (cpu.shares), and the denominator of CPU
	// utilization. Default 1.
	CPURequest float64 `yaml:"cpu_request" scn:"cpu"`
	// CPULimit in cores, a CFS quota: CPULimit x CPUCFSPeriod of CPU time
	// per period, then throttled to the period's end. 0 (default) means
	// none: the instance may use its node's idle CPU.
	CPULimit float64 `yaml:"cpu_limit" scn:"cpu"`
	// CPUCFSPeriod is the CFS period of the limit's quota, 1ms to 1s.
	// Default 100ms (the kernel's cpu.cfs_period_us).
	CPUCFSPeriod time.Duration `yaml:"cpu_cfs_period"`
	// MemoryRequest in bytes. Default 256Mi.
	MemoryRequest float64 `yaml:"memory_request" scn:"bytes"`
	// MemoryLimit in bytes; 0 (default) means none. A working set above it
	// is an OOM kill: the container restarts in place.
	MemoryLimit float64 `yaml:"memory_limit" scn:"bytes"`
	// BaseMemory is the working set of an idle instance, in bytes.
	// Default MemoryRequest/2.
	BaseMemory float64 `yaml:"base_memory" scn:"bytes"`
	// MemoryPerRequest is added to the working set per request held
	// (queued or in service), in bytes. Default 0.
	MemoryPerRequest float64 `yaml:"memory_per_request" scn:"bytes"`
	// MemoryRetention is how slowly the working set falls back after a
	// burst: the time constant of its exponential release towards what
	// the requests held need; 0 (default) releases at once, "forever"
	// keeps the high-water mark (a JVM heap that never shrinks).
	MemoryRetention time.Duration `yaml:"memory_retention" scn:"forever"`
	// Concurrency is the number of requests served at once, at least 1.
	// Default Unlimited (processor sharing).
	Concurrency int `yaml:"concurrency" scn:"unlimited"`
	// QueueLimit is how many requests may wait beyond Concurrency; more
	// are rejected. 0 means no queue. Default Unlimited.
	QueueLimit int `yaml:"queue_limit" scn:"unlimited"`
	// CancelOnClientTimeout: the server abandons a request whose client
	// has timed out (deadline propagation, as gRPC does), freeing its
	// queue place, slot and CPU. Default false: it keeps the work.
	CancelOnClientTimeout bool `yaml:"cancel_on_client_timeout"`
	// StartupDelay is the time from Pending (scheduled) to Starting
	// (running), in seconds. Default 5s.
	StartupDelay sim.Dist `yaml:"startup_delay" scn:"dist"`
	// ReadinessDelay is the application's boot time: from the container's
	// start until it answers (probes, requests), in seconds. Without a
	// readiness probe the instance is Ready then (after its startup probe,
	// if any); with one, at the first passing readiness probe after.
	// Default 5s.
	ReadinessDelay sim.Dist `yaml:"readiness_delay" scn:"dist"`
	Warmup         Warmup   `yaml:"warmup"`
	Drain          Drain    `yaml:"drain"`
	// PricePerHour in USD per instance-hour; used when there are no node
	// pools. Default: 0.04048 per requested core + 0.004445 per requested
	// GiB (AWS Fargate's on-demand Linux/x86 price, us-east-1).
	PricePerHour float64 `yaml:"price_per_hour"`
}

// CPU is the number of cores the instance can use in the long run on
// average: the limit if one is set, else the request (what it is sure to
// get on a busy node; on an idle one it may burst onto the whole node).
func (i Instance) CPU() float64 {
	if i.CPULimit > 0 {
		return i.CPULimit
	}
	return i.CPURequest
}

// Warmup makes a cold instance serve slower at first: for Duration after it
// becomes Ready it serves up to Slowdown times slower. Default: none
// (Duration 0, Slowdown 1).
type Warmup struct {
	Duration time.Duration `yaml:"duration"`
	Slowdown float64       `yaml:"slowdown"`
}

// Drain is what an instance does when it is removed (see docs/reference.md).
type Drain struct {
	// PreStop is the preStop hook's sleep. Default 0 (no hook).
	PreStop time.Duration `yaml:"pre_stop"`
	// GracePeriod, counted from the start of the drain, after which what
	// is left is killed. Default 30s (Kubernetes'
	// terminationGracePeriodSeconds).
	GracePeriod time.Duration `yaml:"grace_period"`
}

// Demand is the work one request needs: CPU time at one core, then
// off-CPU wait. Both are in seconds and never nil after parsing (an
// omitted one is Constant{0}); at least one must be given.
type Demand struct {
	CPU  sim.Dist `yaml:"cpu" scn:"dist"`
	Wait sim.Dist `yaml:"wait" scn:"dist"`
}

// Probes are the health checks; nil means not configured (readiness
// follows the boot alone, nothing is restarted).
type Probes struct {
	Startup   *Probe `yaml:"startup"`
	Readiness *Probe `yaml:"readiness"`
	Liveness  *Probe `yaml:"liveness"`
}

// Probe is a Kubernetes-style periodic check: the first InitialDelay after
// the container starts, then every Period. Defaults are Kubernetes'
// (k8s.io/api core/v1 Probe): initial_delay 0, period 10s, timeout 1s,
// failure_threshold 3, success_threshold 1 (which must be 1 for startup
// and liveness).
type Probe struct {
	InitialDelay     time.Duration `yaml:"initial_delay"`
	Period           time.Duration `yaml:"period"`
	Timeout          time.Duration `yaml:"timeout"`
	FailureThreshold int           `yaml:"failure_threshold"`
	SuccessThreshold int           `yaml:"success_threshold"`
}

// Topology spread policies (TopologySpread.WhenUnsatisfiable).
const (
	DoNotSchedule  = "DoNotSchedule"
	ScheduleAnyway = "ScheduleAnyway"
)

// Node inclusion policies (TopologySpread.NodeTaintsPolicy).
const (
	PolicyIgnore = "Ignore"
	PolicyHonor  = "Honor"
)

// TopologySpread spreads instances over zones, as a topologySpreadConstraint
// on topology.kubernetes.io/zone does. Defaults: max_skew 1,
// when_unsatisfiable DoNotSchedule, min_domains 1, node_taints_policy
// Ignore (Kubernetes').
type TopologySpread struct {
	MaxSkew           int    `yaml:"max_skew"`
	WhenUnsatisfiable string `yaml:"when_unsatisfiable" scn:"enum=DoNotSchedule|ScheduleAnyway"`
	// MinDomains: with fewer zones counted as domains, the global minimum
	// is 0 (DoNotSchedule only).
	MinDomains int `yaml:"min_domains"`
	// NodeTaintsPolicy Ignore counts every node's zone as a domain, a
	// failed node's too; Honor leaves out nodes with a taint the pod does
	// not tolerate (cordoned, NotReady).
	NodeTaintsPolicy string `yaml:"node_taints_policy" scn:"enum=Ignore|Honor"`
}

// ControlPlane is the node lifecycle controller's and the taint manager's
// timing: a node that stops reporting is NotReady after
// NodeMonitorGracePeriod, and its pods are evicted after
// UnreachableToleration more (NotReadyToleration for a node whose kubelet
// reports NotReady, which no fault produces yet).
type ControlPlane struct {
	NodeMonitorGracePeriod time.Duration `yaml:"node_monitor_grace_period"`
	NotReadyToleration     time.Duration `yaml:"not_ready_toleration"`
	UnreachableToleration  time.Duration `yaml:"unreachable_toleration"`
}

// DisruptionBudget limits voluntary disruptions (node upgrades): an
// eviction waits while it would leave fewer than MinAvailable Ready
// instances. 0 (default) means no budget.
type DisruptionBudget struct {
	MinAvailable int `yaml:"min_available"`
}

// LoadBalancer is the service's load balancer.
type LoadBalancer struct {
	// Algorithm picks a Ready instance. Default round-robin.
	Algorithm string `yaml:"algorithm" scn:"enum=@lb-algorithms"`
	// Replicas is the number of load-balancer instances (primary plus
	// standbys). Default 1.
	Replicas int `yaml:"replicas"`
	// FailoverDelay is how long a standby takes to replace a failed
	// primary; requests are rejected meanwhile. Default 10s.
	FailoverDelay time.Duration `yaml:"failover_delay"`
	// PropagationDelay is how long the load balancer keeps routing to an
	// instance after its removal began. Default 1s (endpoint propagation
	// in a Kubernetes cluster takes about that), so a drain without a
	// pre_stop sleep loses requests, as it does in Kubernetes.
	PropagationDelay time.Duration `yaml:"propagation_delay"`
	// SessionAffinityTimeout for client-ip: a client sticks to its
	// instance until idle this long. Default 3h (Kubernetes' 10800 s).
	SessionAffinityTimeout time.Duration `yaml:"session_affinity_timeout"`
}

// Ingress is an ingress-nginx Ingress in front of the service: a hop that
// balances straight to the endpoints (the Service's session affinity and
// the load balancer's algorithm do not apply behind it). Defaults are
// ingress-nginx's (internal/ingress/controller/config/config.go,
// NewDefault): proxy_read_timeout 60s, proxy_next_upstream error (with
// timeout, which the simulator does not retry), proxy_next_upstream_tries
// 3, no affinity.
type Ingress struct {
	// Latency the hop adds to every request (there and back). Default 0.
	Latency time.Duration `yaml:"latency"`
	// ProxyReadTimeout: a response not back this long after the request
	// was passed upstream is a 504 (failed). Default 60s.
	ProxyReadTimeout time.Duration `yaml:"proxy_read_timeout"`
	// ProxyNextUpstream: error retries a request whose connection failed
	// (the endpoint refused it or is gone) on the next endpoint; off
	// retries nothing. Default error.
	ProxyNextUpstream string `yaml:"proxy_next_upstream" scn:"enum=error|off"`
	// ProxyNextUpstreamTries: tries in all, the first included; 0 means
	// every endpoint once. Default 3.
	ProxyNextUpstreamTries int `yaml:"proxy_next_upstream_tries"`
	// Affinity: cookie (nginx.ingress.kubernetes.io/affinity) sticks a
	// client to its endpoint; none balances round-robin. Default none.
	Affinity string `yaml:"affinity" scn:"enum=none|cookie"`
	// SessionCookieMaxAge: how long a cookie lasts from when it was set;
	// 0 (default) is a session cookie, for the whole run.
	SessionCookieMaxAge time.Duration `yaml:"session_cookie_max_age"`
}

// Autoscaler configures the service's autoscaling policy. The readby tags
// say which policies read each key. The parameters of every policy may be
// given whatever the policy is, so one file can be compared under several
// policies; one that the policy does not read is a warning
// (Scenario.Warnings), except min_replicas and max_replicas, which are an
// error outside the cloud policy (replicas.min and max are the bounds).
type Autoscaler struct {
	// Policy is one of PolicyNames (the registry, policy_*.go). Default
	// static.
	Policy string `yaml:"policy" scn:"selector,enum=@policies"`
	// Interval between evaluations. Default 15s; 30s for
	// requests-in-flight.
	Interval time.Duration `yaml:"interval" scn:"readby=cpu|memory|hpa|requests-in-flight|latency|cloud|kpa|target-tracking|step-scaling|predictive|keda"`
	// TargetUtilization in percent of the request, for cpu and memory
	// (and hpa without a metrics list). Default 80 (HPA v1's default).
	TargetUtilization float64 `yaml:"target_utilization" scn:"pct,readby=cpu|memory|hpa"`
	// Metrics are the HPA metric targets, normalized for every HPA-like
	// policy: cpu gives [{cpu, TargetUtilization}], memory [{memory,
	// TargetUtilization}], cloud [{cpu, CPUThreshold}, {memory,
	// MemoryThreshold}], hpa its list (default [{cpu, TargetUtilization}]).
	//
	// In the file, `metrics` is either this list or a mapping {scrape_interval,
	// window, resources: [list]}; the mapping configures Pipeline too.
	Metrics []MetricTarget `yaml:"metrics" scn:"metrics,readby=cpu|memory|hpa|requests-in-flight|latency|cloud|target-tracking|step-scaling"`
	// Pipeline is how metrics are collected (metrics.scrape_interval,
	// metrics.window).
	Pipeline MetricsPipeline `yaml:"-"`
	// Adapter is the metrics adapter behind pods, object and external
	// metrics (scrape_interval, rate_window).
	Adapter MetricsAdapter `yaml:"adapter" scn:"readby=hpa|keda"`
	// Tolerance is the HPA's dead band around the target. Default 0.1.
	Tolerance float64 `yaml:"tolerance" scn:"readby=cpu|memory|hpa|latency|cloud|keda"`
	// Behavior is the HPA's scaling behavior (autoscaling/v2), nil when
	// the file has none. Fields it omits take Kubernetes' defaults; see
	// DefaultScaleUp and DefaultScaleDown.
	Behavior *Behavior `yaml:"behavior" scn:"readby=cpu|memory|hpa|latency|cloud|keda"`

	// The parameters of the policies that have some, each an inline
	// struct declared in the policy's file.
	RequestsInFlight RequestsInFlight `yaml:",inline" scn:"readby=requests-in-flight"`
	Latency          LatencyTarget    `yaml:",inline" scn:"readby=latency"`
	Cloud            Cloud            `yaml:",inline" scn:"readby=cloud"`
	KPA              KPA              `yaml:",inline" scn:"readby=kpa"`
	AWS              AWSMetric        `yaml:",inline" scn:"readby=target-tracking|step-scaling"`
	TargetTracking   TargetTracking   `yaml:",inline" scn:"readby=target-tracking"`
	StepScaling      StepScaling      `yaml:",inline" scn:"readby=step-scaling"`
	Predictive       Predictive       `yaml:",inline" scn:"readby=predictive"`
	KEDA             KEDA             `yaml:",inline" scn:"readby=keda"`

	metricsDefaulted bool // Metrics is hpa's default, from target_utilization
}

// MetricTarget is one HPA metric: a resource metric {resource,
// target_utilization}, or a Pods, Object or External metric {type, metric,
// target_value | target_average_value} served by the metrics adapter
// (Autoscaler.Adapter; the names are policies.MetricNamesFor).
type MetricTarget struct {
	// Type is resource (the default), pods, object or external.
	Type              string  `yaml:"type" scn:"enum=resource|pods|object|external"`
	Resource          string  `yaml:"resource" scn:"enum=cpu|memory"`
	TargetUtilization float64 `yaml:"target_utilization" scn:"pct"`
	// Metric names a pods, object or external metric, e.g.
	// requests_per_second.
	Metric string `yaml:"metric"`
	// TargetValue is a Value target (object, external); TargetAverageValue
	// an AverageValue target per pod (pods, object, external).
	TargetValue        float64 `yaml:"target_value"`
	TargetAverageValue float64 `yaml:"target_average_value"`
}

// Custom reports whether the entry is a pods, object or external metric.
func (t MetricTarget) Custom() bool { return t.Type != "" && t.Type != "resource" }

// MetricsAdapter is the Prometheus + prometheus-adapter pipeline that
// serves pods, object and external metrics. Defaults: scrape every 30s,
// rate over 2m.
type MetricsAdapter struct {
	ScrapeInterval time.Duration `yaml:"scrape_interval"`
	RateWindow     time.Duration `yaml:"rate_window"`
}

// MetricsPipeline is the metrics server. Defaults (Kubernetes-like): scrape
// every 15s, average over 30s.
type MetricsPipeline struct {
	ScrapeInterval time.Duration `yaml:"scrape_interval"`
	Window         time.Duration `yaml:"window"`
}

// Behavior is the HPA's scale-up and scale-down rules.
type Behavior struct {
	ScaleUp   ScalingRules `yaml:"scale_up"`
	ScaleDown ScalingRules `yaml:"scale_down"`
}

// Select policies (ScalingRules.SelectPolicy).
const (
	SelectMax      = "Max"
	SelectMin      = "Min"
	SelectDisabled = "Disabled"
)

// Scaling policy types (ScalingPolicy.Type).
const (
	ScalingPods    = "Pods"
	ScalingPercent = "Percent"
)

// ScalingRules is one direction of Behavior.
type ScalingRules struct {
	StabilizationWindow time.Duration   `yaml:"stabilization_window"`
	SelectPolicy        string          `yaml:"select_policy" scn:"enum=Max|Min|Disabled"`
	Policies            []ScalingPolicy `yaml:"policies"`
}

// ScalingPolicy caps the change within one period: Value pods, or Value
// percent of the current count.
type ScalingPolicy struct {
	Type   string        `yaml:"type" scn:"req,enum=Pods|Percent"`
	Value  int           `yaml:"value" scn:"req"`
	Period time.Duration `yaml:"period"`
}

// DefaultScaleUp is Kubernetes' default scale-up rule: no stabilization,
// the larger of 4 pods and 100% per 15 s.
func DefaultScaleUp() ScalingRules {
	return ScalingRules{SelectPolicy: SelectMax, Policies: []ScalingPolicy{
		{Type: ScalingPods, Value: 4, Period: 15 * time.Second},
		{Type: ScalingPercent, Value: 100, Period: 15 * time.Second},
	}}
}

// DefaultScaleDown is Kubernetes' default scale-down rule: a 300 s
// stabilization window, 100% per 15 s.
func DefaultScaleDown() ScalingRules {
	return ScalingRules{StabilizationWindow: 300 * time.Second, SelectPolicy: SelectMax, Policies: []ScalingPolicy{
		{Type: ScalingPercent, Value: 100, Period: 15 * time.Second},
	}}
}

// Traffic is the load offered to one service: an open stream of requests
// whose rate is the sum of Pattern's components.
type Traffic struct {
	Service string `yaml:"-" scn:"name"`
	// Rate is the `rate:` shorthand as written; after parsing, Pattern
	// holds it as a constant component.
	Rate    float64     `yaml:"rate"`
	Pattern []Component `yaml:"pattern"`
	// Arrivals is poisson (default) or constant (evenly spaced).
	Arrivals string `yaml:"arrivals" scn:"enum=poisson|constant"`
	// Kind is requests (default: through the load balancer) or queue
	// (asynchronous work: each arrival is a message on the service's
	// queue, taken by an instance with a free concurrency slot; messages
	// wait while no instance consumes).
	Kind string `yaml:"kind" scn:"enum=requests|queue"`
	// Clients is the number of distinct clients (source addresses) the
	// requests come from, uniformly; it matters for client-ip balancing.
	// Default 1000.
	Clients int `yaml:"clients"`
	// Timeout after which a client gives up (timed_out). 0 (default):
	// never.
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how many times a client retries a request that was
	// rejected, failed or timed out. Default 0.
	Retries int `yaml:"retries"`
}

// Component is one term of a traffic pattern; Type says which fields apply
// (componentDefs in kinds.go lists them).
//
//	constant {rps}                       rps all along
//	ramp     {from, to, start, end}      from until start, linear to `to` at end, then to
//	step     {at, rps}                   adds rps (may be negative) from at on
//	diurnal  {mean, amplitude, period, peak_at}
//	                                     mean + amplitude*cos(2π(t-peak_at)/period)
//	spike    {at, duration, factor}      multiplies the sum by factor during [at, at+duration)
//	trace    {file, interpolation, scale}
//	                                     rps from a CSV file (time_s,rps)
type Component struct {
	Type string `yaml:"type" scn:"kind,req,enum=@components"`

	RPS float64 `yaml:"rps"`

	From  float64       `yaml:"from"`
	To    float64       `yaml:"to"`
	Start time.Duration `yaml:"start"` // default 0
	End   time.Duration `yaml:"end"`   // default: the scenario's duration

	At time.Duration `yaml:"at"`

	Mean      float64       `yaml:"mean"`
	Amplitude float64       `yaml:"amplitude"`
	Period    time.Duration `yaml:"period"`  // default 24h
	PeakAt    time.Duration `yaml:"peak_at"` // default period/2

	Duration time.Duration `yaml:"duration"`
	Factor   float64       `yaml:"factor"`

	// File is the trace's CSV path, relative to the scenario file.
	File string `yaml:"file"`
	// Interpolation between trace points: linear (default) or step.
	Interpolation string `yaml:"interpolation" scn:"enum=linear|step"`
	// Scale multiplies the trace's rates. Default 1.
	Scale float64 `yaml:"scale"`
	// Points is the loaded trace, sorted by time.
	Points []TracePoint `yaml:"-"`
}

// TracePoint is one row of a trace file.
type TracePoint struct {
	At  time.Duration
	RPS float64
}

// Fault is one injected failure at time At. Which other fields apply
// depends on Type (faultDefs in faults.go lists them):
//
//	zone-outage           {zone, duration}      duration 0: until the end
//	node-failure          {node, duration}      node "<pool>-<zone>-<n>"; duration 0: for good
//	instance-crash        {service, count}      count default 1
//	load-balancer-failure {service, duration}   duration 0: the failed instance stays down
//	dependency-outage     {service, duration, mode, delay}
//	                                            mode fail (default) or slow (+delay per request)
//	node-upgrade          {pool, max_surge}     surge nodes first, then cordon and drain; max_surge default 1
//	rollout               {service, max_surge, max_unavailable, min_ready_seconds}
//	                                            a Deployment's rolling update; defaults 25%, 25%, 0
type Fault struct {
	At       time.Duration `yaml:"at" scn:"req"`
	Type     string        `yaml:"type" scn:"kind,req,enum=@faults"`
	Zone     string        `yaml:"zone"`
	Node     string        `yaml:"node"`
	Service  string        `yaml:"service"`
	Pool     string        `yaml:"pool"`
	Count    int           `yaml:"count"`
	Duration time.Duration `yaml:"duration"`
	Mode     string        `yaml:"mode" scn:"enum=fail|slow"`
	Delay    time.Duration `yaml:"delay"`
	// MaxSurge: for a rollout a count or a percentage of the desired
	// replicas ("25%", rounded up); for a node-upgrade a count of nodes.
	// MaxUnavailable: a rollout's count or percentage (rounded down).
	MaxSurge       string `yaml:"max_surge" scn:"pct"`
	MaxUnavailable string `yaml:"max_unavailable" scn:"pct"`
	// MinReadySeconds: a rollout counts a new instance available once it
	// has been Ready this many seconds. Default 0.
	MinReadySeconds int `yaml:"min_ready_seconds"`
}

// SLO is a service's objective.
type SLO struct {
	Service string `yaml:"-" scn:"name"`
	// Latency target: Percentile percent of requests complete within it.
	// 0: no latency objective.
	Latency time.Duration `yaml:"latency"`
	// Percentile in (0, 100). Default 99.
	Percentile float64 `yaml:"percentile" scn:"pct"`
	// Availability is the fraction of requests that must complete
	// (0.999); in the file a fraction or a percentage string ("99.9%").
	// 0: no availability objective.
	Availability float64 `yaml:"availability" scn:"fraction"`
}

// Service returns the named service, or nil.
func (s *Scenario) Service(name string) *Service {
	for i := range s.Services {
		if s.Services[i].Name == name {
			return &s.Services[i]
		}
	}
	return nil
}

// ServiceIndex returns the index of the named service in Services, or -1.
func (s *Scenario) ServiceIndex(name string) int {
	for i := range s.Services {
		if s.Services[i].Name == name {
			return i
		}
	}
	return -1
}

// TrafficFor returns the traffic of the named service, or nil if it gets
// none.
func (s *Scenario) TrafficFor(service string) *Traffic {
	for i := range s.Traffic {
		if s.Traffic[i].Service == service {
			return &s.Traffic[i]
		}
	}
	return nil
}

// SLOFor returns the SLO of the named service, or nil.
func (s *Scenario) SLOFor(service string) *SLO {
	for i := range s.SLOs {
		if s.SLOs[i].Service == service {
			return &s.SLOs[i]
		}
	}
	return nil
}
