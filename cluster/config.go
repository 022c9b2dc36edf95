package cluster

import (
	"fmt"
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
	// Arrivals generates the service's requests; nil means no traffic.
	Arrivals ArrivalProcess
	// Timeout is the client's timeout; 0 means the client waits forever.
	Timeout time.Duration
}

// InstanceConfig describes every instance of a service.
type InstanceConfig struct {
	// CPURequest and CPULimit in cores. The request is what utilization is
	// measured against; the limit (or the request when the limit is 0) is
	// what the instance can use.
	CPURequest, CPULimit float64
	// MemoryRequest in bytes; memory utilization is measured against it.
	MemoryRequest float64
	// BaseMemory and MemoryPerRequest (bytes) make up the working set: base
	// plus one share per request held (queued or in service).
	BaseMemory, MemoryPerRequest float64
	// Concurrency is the number of requests served at once; 0 = unlimited.
	Concurrency int
	// QueueLimit is how many more requests may wait; negative = unlimited.
	QueueLimit int
	// StartupDelay and ReadinessDelay, in seconds; nil means zero.
	StartupDelay, ReadinessDelay sim.Dist
	// PreStop is the drain hook's sleep; GracePeriod is when the instance is
	// killed, both measured from the start of the drain.
	PreStop, GracePeriod time.Duration
	// PricePerHour is the cost of one instance-hour.
	PricePerHour float64
}

// Cores is the CPU the instance can use: the limit, else the request.
func (c InstanceConfig) Cores() float64 {
	if c.CPULimit > 0 {
		return c.CPULimit
	}
	return c.CPURequest
}

// LoadBalancerConfig describes a service's load balancer.
type LoadBalancerConfig struct {
	// Algorithm: round-robin, least-requests, random or power-of-two.
	Algorithm Algorithm
	// PropagationDelay is how long the load balancer keeps routing to an
	// instance after its removal began.
	PropagationDelay time.Duration
}

// AutoscalerConfig wires a policy to its service.
type AutoscalerConfig struct {
	// Policy decides; nil means the replica count never changes.
	Policy policies.Policy
	// Interval is the evaluation period.
	Interval time.Duration
	// ScrapeInterval and Window describe the metrics pipeline: every
	// ScrapeInterval each running instance's CPU and memory are read; a
	// pod's CPU metric is its usage averaged over the last Window.
	ScrapeInterval, Window time.Duration
	// LatencyPercentile is the percentile reported in
	// Observation.Latency, over the last Window of completed requests.
	LatencyPercentile float64
}

// Algorithm is a load-balancing algorithm.
type Algorithm uint8

const (
	RoundRobin Algorithm = iota
	LeastRequests
	Random
	PowerOfTwo
)

var algorithmNames = [...]string{"round-robin", "least-requests", "random", "power-of-two"}

func (a Algorithm) String() string { return algorithmNames[a] }

// ParseAlgorithm maps a scenario name to an Algorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	for i, n := range algorithmNames {
		if n == s {
			return Algorithm(i), nil
		}
	}
	return 0, fmt.Errorf("unknown load-balancer algorithm %q (allowed: round-robin, least-requests, random, power-of-two)", s)
}

func (c *Config) validate() error {
	if c.Duration <= 0 {
		return fmt.Errorf("cluster: duration must be positive, got %v", c.Duration)
	}
	if c.SampleInterval <= 0 {
		return fmt.Errorf("cluster: sample interval must be positive, got %v", c.SampleInterval)
	}
	for _, s := range c.Services {
		switch {
		case s.Min < 0 || s.Max < s.Min || s.Initial < s.Min || s.Initial > s.Max:
			return fmt.Errorf("cluster: service %s: replicas need 0 <= min <= initial <= max, got %d <= %d <= %d", s.Name, s.Min, s.Initial, s.Max)
		case s.Instance.Cores() <= 0:
			return fmt.Errorf("cluster: service %s: instance needs a positive cpu_request or cpu_limit", s.Name)
		case s.DemandCPU == nil:
			return fmt.Errorf("cluster: service %s: demand.cpu is required", s.Name)
		case s.Autoscaler.Policy != nil && s.Autoscaler.Interval <= 0:
			return fmt.Errorf("cluster: service %s: autoscaler interval must be positive", s.Name)
		}
	}
	return nil
}
