package scenarios

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/sim"
)

// Defaults. The table in doc.go lists them all; keep the two in step.
const (
	DefaultSeed           = 1
	DefaultSampleInterval = 10 * time.Second
	DefaultZone           = "default"

	DefaultReplicasMax = 10

	DefaultCPURequest    = 1.0 // cores
	DefaultCFSPeriod     = cluster.DefaultCFSPeriod
	DefaultMemoryRequest = 256 << 20 // bytes
	DefaultStartupDelay  = 5 * time.Second
	DefaultReadiness     = 5 * time.Second
	DefaultGracePeriod   = 30 * time.Second

	// Price per instance-hour or node-hour: AWS Fargate's on-demand
	// Linux/x86 price in us-east-1, per vCPU and per GB (GiB) per hour.
	PricePerCoreHour = 0.04048
	PricePerGiBHour  = 0.004445

	DefaultProbePeriod    = 10 * time.Second
	DefaultProbeThreshold = 3
	DefaultProbeTimeout   = time.Second

	DefaultFailoverDelay          = 10 * time.Second
	DefaultPropagationDelay       = time.Second
	DefaultSessionAffinityTimeout = 3 * time.Hour

	DefaultInterval          = 15 * time.Second // a policy may declare another (PolicyDef.Interval)
	DefaultTargetUtilization = 80.0             // percent
	DefaultTolerance         = 0.1
	DefaultScrapeInterval    = 15 * time.Second
	DefaultMetricsWindow     = 30 * time.Second
	// DefaultAdapterScrapeInterval is the metrics adapter's Prometheus
	// scrape interval (kube-prometheus' ServiceMonitors scrape every 30 s);
	// DefaultAdapterRateWindow the range of its rate() queries
	// (prometheus-adapter's documented rules use [2m]).
	DefaultAdapterScrapeInterval = 30 * time.Second
	DefaultAdapterRateWindow     = 2 * time.Minute
	DefaultSLOPercentile         = 99.0

	DefaultClients       = 1000
	DefaultDiurnalPeriod = 24 * time.Hour

	DefaultNodeCPU            = 4.0      // cores
	DefaultNodeMemory         = 16 << 30 // bytes
	DefaultNodeProvisionDelay = 2 * time.Minute
)

const gib = 1 << 30

func (s *Scenario) setDefaults() {
	s.Seed = DefaultSeed
	s.SampleInterval = DefaultSampleInterval
	s.ControlPlane = DefaultControlPlane()
}

// The control plane's defaults, a current Kubernetes release's:
// kube-controller-manager --node-monitor-grace-period is 50 s since
// v1.32 (40 s before; kubernetes/kubernetes#126287,
// pkg/controller/nodelifecycle/config/v1alpha1/defaults.go), and the
// DefaultTolerationSeconds admission plugin
// (plugin/pkg/admission/defaulttolerationseconds) gives every pod 300 s
// for the not-ready and unreachable NoExecute taints.
const (
	DefaultNodeMonitorGracePeriod = 50 * time.Second
	DefaultTolerationSeconds      = 300 * time.Second
)

// DefaultControlPlane is Kubernetes' default control-plane timing.
func DefaultControlPlane() ControlPlane {
	return ControlPlane{
		NodeMonitorGracePeriod: DefaultNodeMonitorGracePeriod,
		NotReadyToleration:     DefaultTolerationSeconds,
		UnreachableToleration:  DefaultTolerationSeconds,
	}
}

func (s *Service) setDefaults() {
	s.Instance = Instance{
		CPURequest:     DefaultCPURequest,
		CPUCFSPeriod:   DefaultCFSPeriod,
		MemoryRequest:  DefaultMemoryRequest,
		Concurrency:    Unlimited,
		QueueLimit:     Unlimited,
		StartupDelay:   sim.Constant{Value: DefaultStartupDelay.Seconds()},
		ReadinessDelay: sim.Constant{Value: DefaultReadiness.Seconds()},
		Warmup:         Warmup{Slowdown: 1},
		Drain:          Drain{GracePeriod: DefaultGracePeriod},
	}
	s.Demand = Demand{CPU: sim.Constant{}, Wait: sim.Constant{}}
	s.LoadBalancer = LoadBalancer{
		Algorithm:              RoundRobin,
		Replicas:               1,
		FailoverDelay:          DefaultFailoverDelay,
		PropagationDelay:       DefaultPropagationDelay,
		SessionAffinityTimeout: DefaultSessionAffinityTimeout,
	}
	s.Autoscaler = Autoscaler{
		Policy:            PolicyStatic,
		TargetUtilization: DefaultTargetUtilization,
		Tolerance:         DefaultTolerance,
		Pipeline:          MetricsPipeline{ScrapeInterval: DefaultScrapeInterval, Window: DefaultMetricsWindow},
		Adapter:           MetricsAdapter{ScrapeInterval: DefaultAdapterScrapeInterval, RateWindow: DefaultAdapterRateWindow},
	}
	for _, d := range PolicyDefs() {
		if d.Init != nil {
			d.Init(&s.Autoscaler) // the policy's own parameters
		}
	}
}

func (p *Probe) setDefaults() {
	*p = Probe{Period: DefaultProbePeriod, FailureThreshold: DefaultProbeThreshold, SuccessThreshold: 1, Timeout: DefaultProbeTimeout}
}

func (g *Ingress) setDefaults() {
	*g = Ingress{ProxyReadTimeout: DefaultProxyReadTimeout, ProxyNextUpstream: "error", ProxyNextUpstreamTries: DefaultProxyNextUpstreamTries, Affinity: "none"}
}

// ingress-nginx's defaults (internal/ingress/controller/config/config.go,
// NewDefault: ProxyReadTimeout 60, ProxyNextUpstreamTries 3).
const (
	DefaultProxyReadTimeout       = 60 * time.Second
	DefaultProxyNextUpstreamTries = 3
)

func (t *TopologySpread) setDefaults() {
	*t = TopologySpread{MaxSkew: 1, WhenUnsatisfiable: DoNotSchedule, MinDomains: 1, NodeTaintsPolicy: PolicyIgnore}
}

func (b *Behavior) setDefaults() {
	*b = Behavior{ScaleUp: DefaultScaleUp(), ScaleDown: DefaultScaleDown()}
}

func (p *ScalingPolicy) setDefaults() { p.Period = 15 * time.Second }

func (p *NodePool) setDefaults() {
	*p = NodePool{PerZone: 1, CPU: DefaultNodeCPU, Memory: DefaultNodeMemory, ProvisionDelay: DefaultNodeProvisionDelay}
}

func (t *Traffic) setDefaults() {
	t.Arrivals = ArrivalsPoisson
	t.Kind = KindRequests
	t.Clients = DefaultClients
}

func (c *Component) setDefaults() {
	c.Interpolation = "linear"
	c.Scale = 1
	c.Period = DefaultDiurnalPeriod
}

func (f *Fault) setDefaults() {
	f.Count = 1
	f.Mode = "fail"
}

func (s *SLO) setDefaults() { s.Percentile = DefaultSLOPercentile }

// fillDependent sets the defaults that depend on other fields (and on
// whether the file gave a field at all), and loads trace files. It runs
// after decoding and before validation.
func (s *Scenario) fillDependent(errs *[]Error) {
	m := s.src
	if !m.has("name") && s.File != "" && !strings.HasPrefix(s.File, "builtin:") {
		base := filepath.Base(s.File)
		s.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if !m.has("sample_interval") {
		s.SampleInterval = defaultSampleInterval(s.Duration)
	}
	if len(s.Zones) == 0 && !m.has("zones") {
		s.Zones = []string{DefaultZone}
	}
	slices.Sort(s.Zones)
	for i := range s.Nodes {
		p := &s.Nodes[i]
		path := "nodes." + itoa(i)
		if !m.has(path + ".zones") {
			p.Zones = slices.Clone(s.Zones)
		}
		slices.Sort(p.Zones)
		if !m.has(path + ".max_per_zone") {
			p.MaxPerZone = p.PerZone
		}
		if !m.has(path + ".price_per_hour") {
			p.PricePerHour = price(p.CPU, p.Memory)
		}
	}
	for i := range s.Services {
		s.fillService(&s.Services[i], errs)
	}
	for i := range s.Faults {
		f := &s.Faults[i]
		path := "faults." + itoa(i)
		if d := LookupFault(f.Type); d != nil && d.Defaults != nil {
			d.Defaults(f, func(rel string) bool { return m.has(path + "." + rel) })
		}
	}
	for i := range s.Traffic {
		t := &s.Traffic[i]
		path := "traffic." + t.Service
		if m.has(path+".rate") && !m.has(path+".pattern") {
			t.Pattern = []Component{{Type: ComponentConstant, RPS: t.Rate, Interpolation: "linear", Scale: 1}}
		}
		for j := range t.Pattern {
			c := &t.Pattern[j]
			if d := lookupComponent(c.Type); d != nil && d.Fill != nil {
				d.Fill(s, path+".pattern."+itoa(j), c, errs)
			}
		}
	}
}

func (s *Scenario) fillService(svc *Service, errs *[]Error) {
	m := s.src
	path := "services." + svc.Name
	has := func(rel string) bool { return m.has(path + "." + rel) }
	a := &svc.Autoscaler
	r := &svc.Replicas

	f := &filler{s: s, svc: svc, a: a, path: path, errs: errs}
	def := LookupPolicy(a.Policy) // nil only for an invalid policy, reported by the decoder
	if def != nil && def.Bounds != nil {
		def.Bounds(f)
	}
	hasMin, hasMax := has("replicas.min"), has("replicas.max")
	if !has("replicas.initial") {
		r.Initial = 1
		if hasMin {
			r.Initial = r.Min
		}
	}
	if !hasMin {
		r.Min = min(1, r.Initial)
	}
	if !hasMax {
		r.Max = max(DefaultReplicasMax, r.Initial, r.Min)
	}

	in := &svc.Instance
	if !has("instance.base_memory") {
		in.BaseMemory = in.MemoryRequest / 2
	}
	if !has("instance.price_per_hour") {
		in.PricePerHour = price(in.CPURequest, in.MemoryRequest)
	}

	if !has("autoscaler.interval") {
		a.Interval = DefaultInterval
		if def != nil && def.Interval > 0 {
			a.Interval = def.Interval
		}
	}
	// Every HPA-like policy reads Metrics; a policy switched by
	// `compare --policy` finds its target in whichever form the file has.
	if def != nil && def.Fill != nil {
		def.Fill(f)
	}
	for _, d := range PolicyDefs() {
		if d.Defaults != nil {
			d.Defaults(f)
		}
	}
}

// defaultSampleInterval is DefaultSampleInterval, shortened for a run
// under 100 s to a tenth of it (whole milliseconds, at least MinInterval),
// and lengthened for a run over MaxSamples x 10 s to keep MaxSamples.
func defaultSampleInterval(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return DefaultSampleInterval // duration is missing or invalid: reported on its own
	case d < 10*DefaultSampleInterval:
		return max((d / 10).Truncate(time.Millisecond), MinInterval)
	}
	return max(DefaultSampleInterval, minSampleInterval(d))
}

// minSampleInterval is the shortest sample interval that gives at most
// MaxSamples samples over d, in whole milliseconds.
func minSampleInterval(d time.Duration) time.Duration {
	iv := (d + MaxSamples - 1) / MaxSamples
	if r := iv % time.Millisecond; r != 0 {
		iv += time.Millisecond - r
	}
	return max(iv, MinInterval)
}

// price is the default hourly price of an instance or node with the given
// cores and bytes.
func price(cores, bytes float64) float64 {
	return float64(cores*PricePerCoreHour) + float64(bytes/gib*PricePerGiBHour)
}
