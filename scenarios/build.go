package scenarios

import (
	"fmt"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// DefaultRetryBackoff is the wait before a client's first retry, doubled
// for each further one (100 ms, 200 ms, 400 ms, ...).
const DefaultRetryBackoff = 100 * time.Millisecond

// Build turns a parsed scenario into the configuration of its world: the
// policies' factories (each from its registered definition), the arrival
// processes' factories seeded from the scenario's seed (stream
// "arrivals/NAME"), the zones, node pools and faults. The Config is a
// description: every world made from it gets its own policies and
// arrivals, so it runs any number of times with identical results. It
// reads the scenario, which must not change after.
func Build(sc *Scenario) (cluster.Config, error) {
	cfg := cluster.Config{Seed: sc.Seed, Duration: sc.Duration, SampleInterval: sc.SampleInterval, Zones: sc.Zones,
		ControlPlane: cluster.ControlPlane{
			NodeMonitorGracePeriod: sc.ControlPlane.NodeMonitorGracePeriod,
			NotReadyToleration:     sc.ControlPlane.NotReadyToleration,
			UnreachableToleration:  sc.ControlPlane.UnreachableToleration,
		}}
	var errs []Error
	for _, p := range sc.Nodes {
		cfg.Pools = append(cfg.Pools, cluster.PoolConfig{
			Name: p.Name, Zones: p.Zones, PerZone: p.PerZone, MaxPerZone: p.MaxPerZone,
			CPU: p.CPU, Memory: p.Memory, PricePerHour: p.PricePerHour, ProvisionDelay: p.ProvisionDelay,
		})
	}
	for k, f := range sc.Faults {
		def := LookupFault(f.Type)
		if def == nil {
			errs = append(errs, sc.src.valErr(fmt.Sprintf("faults.%d.type", k), fmt.Sprintf("unknown fault type %q", f.Type)))
			continue
		}
		c := cluster.FaultConfig{
			At: f.At, Type: def.Type, Zone: f.Zone, Node: f.Node, Service: f.Service, Pool: f.Pool,
			Count: f.Count, Duration: f.Duration, Slow: f.Mode == "slow", Delay: f.Delay,
		}
		if def.Build != nil {
			def.Build(&f, &c)
		}
		cfg.Faults = append(cfg.Faults, c)
	}
	end := sim.At(sc.Duration)
	for k := range sc.Services {
		svc := &sc.Services[k]
		path := "services." + svc.Name
		pc, err := policyConfig(svc)
		var newPolicy func() policies.Policy
		if err == nil {
			newPolicy, err = PolicyFactory(svc)
		}
		if err != nil {
			errs = append(errs, sc.src.keyErr(path+".autoscaler", err.Error()))
			continue
		}
		alg := lookupAlgorithm(svc.LoadBalancer.Algorithm)
		if alg == nil {
			errs = append(errs, sc.src.valErr(path+".load_balancer.algorithm", fmt.Sprintf("unknown load-balancer algorithm %q", svc.LoadBalancer.Algorithm)))
			continue
		}
		in := svc.Instance
		c := cluster.ServiceConfig{
			Name:    svc.Name,
			Initial: svc.Replicas.Initial, Min: svc.Replicas.Min, Max: svc.Replicas.Max,
			Instance: cluster.InstanceConfig{
				CPURequest:            in.CPURequest,
				CPULimit:              in.CPULimit,
				CPUPeriod:             in.CPUCFSPeriod,
				MemoryRequest:         in.MemoryRequest,
				BaseMemory:            in.BaseMemory,
				MemoryPerRequest:      in.MemoryPerRequest,
				MemoryLimit:           in.MemoryLimit,
				MemoryRetention:       retention(in.MemoryRetention),
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
				Algorithm:              alg.Algorithm,
				PropagationDelay:       svc.LoadBalancer.PropagationDelay,
				Replicas:               svc.LoadBalancer.Replicas,
				FailoverDelay:          svc.LoadBalancer.FailoverDelay,
				SessionAffinityTimeout: svc.LoadBalancer.SessionAffinityTimeout,
			},
			Probes:       cluster.Probes{Startup: probe(svc.Probes.Startup), Readiness: probe(svc.Probes.Readiness), Liveness: probe(svc.Probes.Liveness)},
			MinAvailable: svc.DisruptionBudget.MinAvailable,
			Autoscaler: cluster.AutoscalerConfig{
				NewPolicy:      newPolicy,
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
		if g := svc.Ingress; g != nil {
			c.Ingress = &cluster.IngressConfig{
				Latency: g.Latency, ReadTimeout: g.ProxyReadTimeout, NextUpstreamTries: g.ProxyNextUpstreamTries,
				CookieAffinity: g.Affinity == "cookie", CookieMaxAge: g.SessionCookieMaxAge,
			}
			if g.ProxyNextUpstream == "off" {
				c.Ingress.NextUpstreamTries = 1
			}
		}
		if ts := svc.TopologySpread; ts != nil {
			c.TopologySpread = &cluster.TopologySpread{MaxSkew: ts.MaxSkew, ScheduleAnyway: ts.WhenUnsatisfiable == ScheduleAnyway,
				MinDomains: ts.MinDomains, HonorTaints: ts.NodeTaintsPolicy == PolicyHonor}
		}
		if d := LookupPolicy(svc.Autoscaler.Policy); d != nil {
			c.Autoscaler.RunsOn, c.Autoscaler.Members = d.RunsOn, d.Members
			if d.MessageExpiry != nil {
				c.Autoscaler.MessageExpiry = d.MessageExpiry(&svc.Autoscaler)
			}
		}
		if l, ok := pc.(LatencyObserver); ok {
			c.Autoscaler.LatencyPercentile = l.LatencyPercentile()
		}
		if co, ok := pc.(ConcurrencyObserver); ok {
			c.Autoscaler.Concurrency, c.Autoscaler.Activator = true, co.WantsActivator()
		}
		if rc, ok := pc.(requestCounter); ok && rc.CountsRequests() {
			c.Autoscaler.Concurrency = true
		}
		if e, ok := pc.(EvaluationIntervaler); ok {
			c.Autoscaler.Interval = e.EvaluationInterval()
		}
		if u, ok := pc.(AdapterUser); ok && u.UsesAdapter() {
			ad := svc.Autoscaler.Adapter
			c.Autoscaler.Adapter = &cluster.AdapterConfig{ScrapeInterval: ad.ScrapeInterval, RateWindow: ad.RateWindow}
		}
		if tr := sc.TrafficFor(svc.Name); tr != nil {
			c.NewArrivals = arrivalsFactory(tr, sc.Seed, svc.Name, end)
			c.Timeout = tr.Timeout
			c.Retries = tr.Retries
			c.RetryBackoff = DefaultRetryBackoff
			c.Clients = tr.Clients
			c.Queue = tr.Kind == KindQueue
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
	return &cluster.ProbeConfig{InitialDelay: p.InitialDelay, Period: p.Period, Timeout: p.Timeout,
		FailureThreshold: p.FailureThreshold, SuccessThreshold: p.SuccessThreshold}
}

// arrivalsFactory makes a fresh arrival process for every world, drawing
// from its own stream "arrivals/NAME" of the seed: the same arrivals each
// time.
func arrivalsFactory(tr *Traffic, seed uint64, name string, end sim.Time) func() cluster.ArrivalProcess {
	return func() cluster.ArrivalProcess {
		return tr.Process(sim.NewStreams(seed).Get("arrivals/"+name), end)
	}
}

// retention converts Instance.MemoryRetention.
func retention(d time.Duration) time.Duration {
	if d == Forever {
		return cluster.RetainForever
	}
	return d
}
