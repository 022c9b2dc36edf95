package scenarios

import (
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// DefaultRetryBackoff is the wait before a client's first retry, doubled
// for each further one (100 ms, 200 ms, 400 ms, ...).
const DefaultRetryBackoff = 100 * time.Millisecond

// Build turns a parsed scenario into the configuration of its world: the
// policies constructed, the arrival processes seeded from the scenario's
// seed (stream "arrivals/NAME"), the zones, node pools and faults.
func Build(sc *Scenario) (cluster.Config, error) {
	cfg := cluster.Config{Seed: sc.Seed, Duration: sc.Duration, SampleInterval: sc.SampleInterval, Zones: sc.Zones}
	var errs []Error
	for _, p := range sc.Nodes {
		cfg.Pools = append(cfg.Pools, cluster.PoolConfig{
			Name: p.Name, Zones: p.Zones, PerZone: p.PerZone, MaxPerZone: p.MaxPerZone,
			CPU: p.CPU, Memory: p.Memory, PricePerHour: p.PricePerHour, ProvisionDelay: p.ProvisionDelay,
		})
	}
	for k, f := range sc.Faults {
		t, err := cluster.ParseFaultType(f.Type)
		if err != nil {
			errs = append(errs, sc.src.valErr(fmt.Sprintf("faults.%d.type", k), err.Error()))
			continue
		}
		cfg.Faults = append(cfg.Faults, cluster.FaultConfig{
			At: f.At, Type: t, Zone: f.Zone, Node: f.Node, Service: f.Service, Pool: f.Pool,
			Count: f.Count, Duration: f.Duration, Slow: f.Mode == "slow", Delay: f.Delay,
		})
	}
	streams := sim.NewStreams(sc.Seed)
	end := sim.At(sc.Duration)
	for k := range sc.Services {
		svc := &sc.Services[k]
		path := "services." + svc.Name
		policy, err := buildPolicy(svc)
		if err != nil {
			errs = append(errs, sc.src.keyErr(path+".autoscaler", err.Error()))
			continue
		}
		alg, err := cluster.ParseAlgorithm(svc.LoadBalancer.Algorithm)
		if err != nil {
			errs = append(errs, sc.src.valErr(path+".load_balancer.algorithm", err.Error()))
			continue
		}
		in := svc.Instance
		c := cluster.ServiceConfig{
			Name:    svc.Name,
			Initial: svc.Replicas.Initial, Min: svc.Replicas.Min, Max: svc.Replicas.Max,
			Instance: cluster.InstanceConfig{
				CPURequest:            in.CPURequest,
				CPULimit:              in.CPULimit,
				MemoryRequest:         in.MemoryRequest,
				BaseMemory:            in.BaseMemory,
				MemoryPerRequest:      in.MemoryPerRequest,
				Concurrency:           in.Concurrency,
				QueueLimit:            in.QueueLimit,
				CancelOnClientTimeout: in.CancelOnClientTimeout,
				StartupDelay:          in.StartupDelay,
				ReadinessDelay:        in.ReadinessDelay,
				PreStop:               in.Drain.PreStop,
				GracePeriod:           in.Drain.GracePeriod,
				PricePerHour:          in.PricePerHour,
				Warmup:                in.Warmup.Duration,
				WarmupSlowdown:        in.Warmup.Slowdown,
			},
			DemandCPU:  svc.Demand.CPU,
			DemandWait: svc.Demand.Wait,
			LoadBalancer: cluster.LoadBalancerConfig{
				Algorithm:              alg,
				PropagationDelay:       svc.LoadBalancer.PropagationDelay,
				Replicas:               svc.LoadBalancer.Replicas,
				FailoverDelay:          svc.LoadBalancer.FailoverDelay,
				SessionAffinityTimeout: svc.LoadBalancer.SessionAffinityTimeout,
			},
			Probes:       cluster.Probes{Readiness: probe(svc.Probes.Readiness), Liveness: probe(svc.Probes.Liveness)},
			MinAvailable: svc.DisruptionBudget.MinAvailable,
			Autoscaler: cluster.AutoscalerConfig{
				Policy:         policy,
				Interval:       svc.Autoscaler.Interval,
				ScrapeInterval: svc.Autoscaler.Pipeline.ScrapeInterval,
				Window:         svc.Autoscaler.Pipeline.Window,
			},
		}
		// The scenario's Unlimited is the cluster's 0 (concurrency) and -1
		// (queue).
		if in.Concurrency == Unlimited {
			c.Instance.Concurrency = 0
		}
		if in.QueueLimit == Unlimited {
			c.Instance.QueueLimit = -1
		}
		if ts := svc.TopologySpread; ts != nil {
			c.TopologySpread = &cluster.TopologySpread{MaxSkew: ts.MaxSkew, ScheduleAnyway: ts.WhenUnsatisfiable == ScheduleAnyway}
		}
		if l, ok := policy.(*policies.Latency); ok {
			c.Autoscaler.LatencyPercentile = l.Percentile()
		}
		if tr := sc.TrafficFor(svc.Name); tr != nil {
			c.Arrivals = tr.Process(streams.Get("arrivals/"+svc.Name), end)
			c.Timeout = tr.Timeout
			c.Retries = tr.Retries
			c.RetryBackoff = DefaultRetryBackoff
			c.Clients = tr.Clients
		}
		cfg.Services = append(cfg.Services, c)
	}
	if len(errs) > 0 {
		return cluster.Config{}, newValidationError(sc.File, errs)
	}
	return cfg, nil
}

// probe converts a probe; nil stays nil.
func probe(p *Probe) *cluster.ProbeConfig {
	if p == nil {
		return nil
	}
	return &cluster.ProbeConfig{Period: p.Period, FailureThreshold: p.FailureThreshold, Timeout: p.Timeout}
}

// buildPolicy constructs a service's autoscaling policy.
func buildPolicy(svc *Service) (policies.Policy, error) {
	a := &svc.Autoscaler
	switch a.Policy {
	case PolicyStatic, "":
		return policies.NewStatic(policies.StaticConfig{Replicas: svc.Replicas.Initial})
	case PolicyCPU, PolicyMemory, PolicyHPA, PolicyCloud:
		cfg := policies.DefaultHPAConfig()
		cfg.Tolerance = a.Tolerance
		cfg.Behavior = buildBehavior(a.Behavior)
		for _, m := range a.Metrics {
			cfg.Metrics = append(cfg.Metrics, policies.MetricTarget{
				Resource: policies.Resource(m.Resource), TargetUtilization: percent(m.TargetUtilization),
			})
		}
		switch a.Policy {
		case PolicyCPU:
			return policies.NewCPU(percent(a.TargetUtilization), cfg)
		case PolicyMemory:
			return policies.NewMemory(percent(a.TargetUtilization), cfg)
		}
		return policies.NewHPA(cfg)
	case PolicyRequestsInFlight:
		r := a.RequestsInFlight
		cfg := policies.DefaultRequestsInFlightConfig()
		cfg.Interval = a.Interval
		cfg.Rounds = r.Rounds
		cfg.MaxRequestsPerSecond = int(math.Round(r.MaxRequestsPerSecond))
		cfg.AlarmingUpperRate = r.AlarmingUpperRate
		cfg.AlarmingLowerRate = r.AlarmingLowerRate
		cfg.ScaleDownFactor = r.ScaleDownFactor
		cfg.InstancesPerScaleUp = r.InstancesPerScaleUp
		cfg.ServerStartupDelay = r.ServerStartupDelay
		return policies.NewRequestsInFlight(cfg)
	case PolicyLatency:
		cfg := policies.DefaultLatencyConfig()
		cfg.Target = a.Latency.Target
		cfg.Percentile = a.Latency.Percentile
		cfg.Tolerance = a.Tolerance
		if b := buildBehavior(a.Behavior); b != nil {
			cfg.Behavior = *b
		}
		return policies.NewLatency(cfg)
	}
	return nil, fmt.Errorf("unknown policy %q", a.Policy)
}

// percent rounds a utilization target to the whole percent the HPA uses.
func percent(p float64) int { return int(math.Round(p)) }

// buildBehavior converts the file's behavior; nil stays nil (the HPA's
// older path). The scenario loader has already filled omitted parts with
// Kubernetes' defaults.
func buildBehavior(b *Behavior) *policies.Behavior {
	if b == nil {
		return nil
	}
	rules := func(r ScalingRules) policies.Rules {
		out := policies.Rules{StabilizationWindow: r.StabilizationWindow, SelectPolicy: policies.SelectPolicy(r.SelectPolicy)}
		for _, p := range r.Policies {
			out.Policies = append(out.Policies, policies.RatePolicy{Type: policies.PolicyType(p.Type), Value: p.Value, Period: p.Period})
		}
		return out
	}
	return &policies.Behavior{ScaleUp: rules(b.ScaleUp), ScaleDown: rules(b.ScaleDown)}
}
