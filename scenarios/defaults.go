package scenarios

import (
	"github.com/scalesim/scalesim/policies"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Defaults. The table in doc.go lists them all; keep the two in step.
const (
	DefaultSeed           = 1
	DefaultSampleInterval = 10 * time.Second
	DefaultZone           = "default"

	DefaultReplicasMax = 10

	DefaultCPURequest    = 1.0       // cores
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

	DefaultInterval                 = 15 * time.Second
	DefaultRequestsInFlightInterval = 30 * time.Second
	DefaultTargetUtilization        = 80.0 // percent
	DefaultTolerance                = 0.1
	DefaultScrapeInterval           = 15 * time.Second
	DefaultMetricsWindow            = 30 * time.Second
	DefaultLatencyPercentile        = 95.0
	DefaultSLOPercentile            = 99.0

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
}

func (s *Service) setDefaults() {
	s.Instance = Instance{
		CPURequest:     DefaultCPURequest,
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
		RequestsInFlight:  defaultRequestsInFlight(),
		Latency:           LatencyTarget{Percentile: DefaultLatencyPercentile},
		Cloud:             Cloud{CPUThreshold: 50, MemoryThreshold: 80},
	}
}

func (p *Probe) setDefaults() {
	*p = Probe{Period: DefaultProbePeriod, FailureThreshold: DefaultProbeThreshold, Timeout: DefaultProbeTimeout}
}

func (t *TopologySpread) setDefaults() {
	*t = TopologySpread{MaxSkew: 1, WhenUnsatisfiable: DoNotSchedule}
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
	for i := range s.Traffic {
		t := &s.Traffic[i]
		path := "traffic." + t.Service
		if m.has(path+".rate") && !m.has(path+".pattern") {
			t.Pattern = []Component{{Type: ComponentConstant, RPS: t.Rate, Interpolation: "linear", Scale: 1}}
		}
		for j := range t.Pattern {
			c := &t.Pattern[j]
			cp := path + ".pattern." + itoa(j)
			switch c.Type {
			case ComponentRamp:
				if !m.has(cp + ".end") {
					c.End = s.Duration
				}
			case ComponentDiurnal:
				if !m.has(cp + ".peak_at") {
					c.PeakAt = c.Period / 2
				}
			case ComponentTrace:
				if c.File != "" && !m.isBad(cp+".file") {
					pts, tErrs := loadTrace(s.Dir, c.File, m, cp+".file")
					c.Points = pts
					*errs = append(*errs, tErrs...)
				}
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

	// The cloud shorthand's replica bounds are replicas.min and max.
	if a.Policy == PolicyCloud {
		if has("autoscaler.min_replicas") {
			if has("replicas.min") && r.Min != a.Cloud.MinReplicas {
				*errs = append(*errs, m.keyErr(path+".autoscaler.min_replicas", "conflicts with replicas.min "+itoa(r.Min)+"; give one of them"))
			} else {
				r.Min = a.Cloud.MinReplicas
				m.vals[path+".replicas.min"] = m.vals[path+".autoscaler.min_replicas"]
			}
		}
		if has("autoscaler.max_replicas") {
			if has("replicas.max") && r.Max != a.Cloud.MaxReplicas {
				*errs = append(*errs, m.keyErr(path+".autoscaler.max_replicas", "conflicts with replicas.max "+itoa(r.Max)+"; give one of them"))
			} else {
				r.Max = a.Cloud.MaxReplicas
				m.vals[path+".replicas.max"] = m.vals[path+".autoscaler.max_replicas"]
			}
		}
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
		if a.Policy == PolicyRequestsInFlight {
			a.Interval = DefaultRequestsInFlightInterval
		}
	}
	// Every HPA-like policy reads Metrics; a policy switched by
	// `compare --policy` finds its target in whichever form the file has.
	target := func(resource string) float64 {
		if has("autoscaler.target_utilization") {
			return a.TargetUtilization
		}
		for _, t := range a.Metrics {
			if t.Resource == resource {
				return t.TargetUtilization
			}
		}
		return a.TargetUtilization
	}
	switch a.Policy {
	case PolicyCPU:
		a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: target("cpu")}}
	case PolicyMemory:
		a.Metrics = []MetricTarget{{Resource: "memory", TargetUtilization: target("memory")}}
	case PolicyHPA:
		if len(a.Metrics) == 0 {
			// autoscaling/v2 defaults an empty metrics list to 80% CPU;
			// target_utilization, when given, sets that percentage.
			a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: a.TargetUtilization}}
		}
	case PolicyCloud:
		a.Metrics = []MetricTarget{{Resource: "cpu", TargetUtilization: a.Cloud.CPUThreshold}}
		if a.Cloud.MemoryThreshold > 0 {
			a.Metrics = append(a.Metrics, MetricTarget{Resource: "memory", TargetUtilization: a.Cloud.MemoryThreshold})
		}
	}
	if !has("autoscaler.target") {
		if slo := s.SLOFor(svc.Name); slo != nil && slo.Latency > 0 {
			a.Latency.Target = slo.Latency
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
	return cores*PricePerCoreHour + bytes/gib*PricePerGiBHour
}

// defaultRequestsInFlight takes WSO2's defaults from the policy itself, so
// the file's defaults and the policy's cannot drift apart.
func defaultRequestsInFlight() RequestsInFlight {
	d := policies.DefaultRequestsInFlightConfig()
	return RequestsInFlight{
		Rounds:               d.Rounds,
		MaxRequestsPerSecond: float64(d.MaxRequestsPerSecond),
		AlarmingUpperRate:    d.AlarmingUpperRate,
		AlarmingLowerRate:    d.AlarmingLowerRate,
		ScaleDownFactor:      d.ScaleDownFactor,
		InstancesPerScaleUp:  d.InstancesPerScaleUp,
		ServerStartupDelay:   d.ServerStartupDelay,
	}
}
