package scenarios

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
)

// Every built-in scenario builds.
func TestLibraryBuilds(t *testing.T) {
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		sc, err := Parse("builtin:"+e.Name, data)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		cfg, err := Build(sc)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if len(cfg.Services) != len(sc.Services) {
			t.Errorf("%s: %d services built, want %d", e.Name, len(cfg.Services), len(sc.Services))
		}
	}
}

func TestBuildMapsUnlimitedAndPolicy(t *testing.T) {
	sc, err := Parse("x.yaml", []byte(`
name: x
duration: 1m
services:
  web:
    demand: {cpu: 10ms}
    instance: {queue_limit: 0}
    autoscaler: {policy: latency, target: 200ms, percentile: 90}
traffic:
  web: {rate: 10, timeout: 2s}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.Instance.Concurrency != 0 || s.Instance.QueueLimit != 0 {
		t.Errorf("concurrency %d (want 0 = unlimited), queue limit %d (want 0 = no queue)", s.Instance.Concurrency, s.Instance.QueueLimit)
	}
	if s.Autoscaler.NewPolicy().Name() != "latency" || s.Autoscaler.LatencyPercentile != 90 {
		t.Errorf("policy %s with percentile %v, want latency at 90", s.Autoscaler.NewPolicy().Name(), s.Autoscaler.LatencyPercentile)
	}
	if s.Timeout.Seconds() != 2 || s.NewArrivals == nil {
		t.Errorf("timeout %v, arrivals %v", s.Timeout, s.NewArrivals != nil)
	}
	if _, err := cluster.New(cfg, nil); err != nil {
		t.Errorf("cluster refused the built config: %v", err)
	}
}

// The cluster features map onto the world's configuration, and the world
// accepts it.
func TestBuildMapsClusterFeatures(t *testing.T) {
	sc, err := Parse("f.yaml", []byte(`
name: f
duration: 1m
zones: [c, a, b]
nodes:
  - {pool: general, per_zone: 1, max_per_zone: 3, cpu: 2, memory: 4Gi, provision_delay: 1m}
services:
  web:
    demand: {cpu: 10ms}
    instance: {warmup: {duration: 1m, slowdown: 2}}
    probes:
      readiness: {period: 5s}
      liveness: {failure_threshold: 5}
    topology_spread: {max_skew: 2, when_unsatisfiable: ScheduleAnyway}
    disruption_budget: {min_available: 1}
    load_balancer: {algorithm: client-ip, replicas: 2, failover_delay: 3s, session_affinity_timeout: 1m}
traffic:
  web: {rate: 10, clients: 50, retries: 2}
faults:
  - {at: 10s, type: instance-crash, service: web, count: 2}
  - {at: 20s, type: dependency-outage, service: web, duration: 5s, mode: slow, delay: 1s}
  - {at: 30s, type: node-upgrade, pool: general}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Pools) != 1 || cfg.Pools[0].MaxPerZone != 3 || cfg.Pools[0].CPU != 2 || len(cfg.Zones) != 3 || cfg.Zones[0] != "a" {
		t.Errorf("zones %v, pools %+v", cfg.Zones, cfg.Pools)
	}
	want := []cluster.FaultConfig{
		{At: 10 * time.Second, Type: cluster.InstanceCrash, Service: "web", Count: 2},
		{At: 20 * time.Second, Type: cluster.DependencyOutage, Service: "web", Duration: 5 * time.Second, Slow: true, Delay: time.Second},
		{At: 30 * time.Second, Type: cluster.NodeUpgrade, Pool: "general", Count: 0, NodeSurge: 1}, // max_surge's default
	}
	for k := range want {
		f := cfg.Faults[k]
		f.Count = want[k].Count // the parser's default count applies to crashes only
		if f != want[k] {
			t.Errorf("fault %d: %+v, want %+v", k, cfg.Faults[k], want[k])
		}
	}
	s := cfg.Services[0]
	if s.Probes.Readiness == nil || s.Probes.Readiness.Period != 5*time.Second || s.Probes.Liveness.FailureThreshold != 5 {
		t.Errorf("probes %+v %+v", s.Probes.Readiness, s.Probes.Liveness)
	}
	if s.TopologySpread == nil || s.TopologySpread.MaxSkew != 2 || !s.TopologySpread.ScheduleAnyway || s.MinAvailable != 1 {
		t.Errorf("spread %+v, min available %d", s.TopologySpread, s.MinAvailable)
	}
	if lb := s.LoadBalancer; lb.Algorithm != cluster.ClientIP || lb.Replicas != 2 || lb.FailoverDelay != 3*time.Second || lb.SessionAffinityTimeout != time.Minute {
		t.Errorf("load balancer %+v", lb)
	}
	if s.Clients != 50 || s.Retries != 2 || s.RetryBackoff != DefaultRetryBackoff || s.Instance.Warmup != time.Minute || s.Instance.WarmupSlowdown != 2 {
		t.Errorf("clients %d, retries %d, backoff %v, warmup %v x%g", s.Clients, s.Retries, s.RetryBackoff, s.Instance.Warmup, s.Instance.WarmupSlowdown)
	}
	w, err := cluster.New(cfg, nil)
	if err != nil {
		t.Fatalf("cluster refused the built config: %v", err)
	}
	w.Run()
}
