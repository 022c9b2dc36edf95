package scenarios

import (
	"fmt"
	"math"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// Build turns a parsed scenario into the configuration of its world: the
// policies constructed, the arrival processes seeded from the scenario's
// seed (stream "arrivals/NAME"). A scenario that uses a feature this version
// does not simulate yet is refused, every such feature named at its line,
// rather than run as if the feature were not there.
func Build(sc *Scenario) (cluster.Config, error) {
	cfg := cluster.Config{Seed: sc.Seed, Duration: sc.Duration, SampleInterval: sc.SampleInterval}
	var errs []Error
	errs = append(errs, sc.unsupported()...)
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
				CPURequest:       in.CPURequest,
				CPULimit:         in.CPULimit,
				MemoryRequest:    in.MemoryRequest,
				BaseMemory:       in.BaseMemory,
				MemoryPerRequest: in.MemoryPerRequest,
				Concurrency:      in.Concurrency,
				QueueLimit:       in.QueueLimit,
				StartupDelay:     in.StartupDelay,
				ReadinessDelay:   in.ReadinessDelay,
				PreStop:          in.Drain.PreStop,
				GracePeriod:      in.Drain.GracePeriod,
				PricePerHour:     in.PricePerHour,
			},
			DemandCPU:    svc.Demand.CPU,
			DemandWait:   svc.Demand.Wait,
			LoadBalancer: cluster.LoadBalancerConfig{Algorithm: alg, PropagationDelay: svc.LoadBalancer.PropagationDelay},
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
		if l, ok := policy.(*policies.Latency); ok {
			c.Autoscaler.LatencyPercentile = l.Percentile()
		}
		if tr := sc.TrafficFor(svc.Name); tr != nil {
			c.Arrivals = tr.Process(streams.Get("arrivals/"+svc.Name), end)
			c.Timeout = tr.Timeout
		}
		cfg.Services = append(cfg.Services, c)
	}
	if len(errs) > 0 {
		return cluster.Config{}, newValidationError(sc.File, errs)
	}
	return cfg, nil
}

// unsupported lists what the scenario asks for that is not simulated yet.
func (sc *Scenario) unsupported() []Error {
	var errs []Error
	not := func(path, what string) {
		errs = append(errs, sc.src.keyErr(path, what+" is not simulated yet in this version; remove it to run the scenario"))
	}
	if len(sc.Nodes) > 0 {
		not("nodes", "node pools")
	}
	for k, f := range sc.Faults {
		not(fmt.Sprintf("faults.%d", k), "fault "+f.Type)
	}
	for _, s := range sc.Services {
		p := "services." + s.Name
		if s.Probes.Readiness != nil || s.Probes.Liveness != nil {
			not(p+".probes", "health probes")
		}
		if s.TopologySpread != nil {
			not(p+".topology_spread", "topology spread")
		}
		if s.Instance.Warmup.Duration > 0 {
			not(p+".instance.warmup", "instance warmup")
		}
		if s.LoadBalancer.Algorithm == ClientIP {
			not(p+".load_balancer.algorithm", "client-ip balancing")
		}
	}
	for _, t := range sc.Traffic {
		if t.Retries > 0 {
			not("traffic."+t.Service+".retries", "client retries")
		}
	}
	return errs
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
