package scenarios

import (
	"math"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
)

// PolicyRequestsInFlight is WSO2's requests-in-flight autoscaler.
const PolicyRequestsInFlight = "requests-in-flight"

// RequestsInFlight holds the parameters of WSO2's requests-in-flight
// autoscaler (keys at the autoscaler level). Defaults are WSO2's, taken
// from policies.DefaultRequestsInFlightConfig.
type RequestsInFlight struct {
	// Rounds is the number of samples averaged. Default 10.
	Rounds int `yaml:"rounds"`
	// MaxRequestsPerSecond one instance handles. Default 100.
	MaxRequestsPerSecond float64 `yaml:"max_requests_per_second"`
	// AlarmingUpperRate: scale up above this fraction. Default 0.7.
	AlarmingUpperRate float64 `yaml:"alarming_upper_rate"`
	// AlarmingLowerRate: scale down below this fraction. Default 0.2.
	AlarmingLowerRate float64 `yaml:"alarming_lower_rate"`
	// ScaleDownFactor further damps scale-down. Default 0.25.
	ScaleDownFactor float64 `yaml:"scale_down_factor"`
	// InstancesPerScaleUp added per scale-up. Default 1.
	InstancesPerScaleUp int `yaml:"instances_per_scale_up"`
	// ServerStartupDelay after which an instance that has not joined is
	// terminated. Default 60s (WSO2's LoadBalancerConfiguration).
	ServerStartupDelay time.Duration `yaml:"server_startup_delay"`
	// MessageExpiry is how long the load balancer keeps a request's token
	// (counted in flight) when no response has come back. Default 60s
	// (WSO2's message_expiry_time, 60000 ms).
	MessageExpiry time.Duration `yaml:"message_expiry"`
}

// DefaultMessageExpiry is WSO2's message_expiry_time
// (LoadBalancerConfiguration.ServiceConfiguration, 60000 ms).
const DefaultMessageExpiry = 60 * time.Second

// DefaultRequestsInFlightInterval is WSO2's autoscaler task interval.
const DefaultRequestsInFlightInterval = 30 * time.Second

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
		MessageExpiry:        DefaultMessageExpiry,
	}
}

func init() {
	registerPolicy(PolicyDef{
		Name:     PolicyRequestsInFlight,
		Order:    50,
		Doc:      "WSO2 Elastic Load Balancer's requests-in-flight autoscaler: requests in flight at the load balancer",
		Interval: DefaultRequestsInFlightInterval,
		Reads:    []string{"interval", "metrics"},
		// WSO2's autoscaler task runs on the primary load balancer and
		// launches its members itself (ServiceRequestsInFlightAutoscaler).
		RunsOn:        cluster.OnLoadBalancer,
		Members:       cluster.Launched,
		MessageExpiry: func(a *Autoscaler) time.Duration { return a.RequestsInFlight.MessageExpiry },
		Init:          func(a *Autoscaler) { a.RequestsInFlight = defaultRequestsInFlight() },
		Params: []Param{
			{"rounds", "10", "samples averaged (rounds_to_average)"},
			{"max_requests_per_second", "100", "requests per second one instance is taken to handle"},
			{"alarming_upper_rate", "0.7", "scale up above this fraction of what the instances handle"},
			{"alarming_lower_rate", "0.2", "scale down below this fraction"},
			{"scale_down_factor", "0.25", "damps the scale-down threshold further"},
			{"instances_per_scale_up", "1", "instances added per scale-up"},
			{"server_startup_delay", "60s", "an instance that has not joined by then is terminated (WSO2's LoadBalancerConfiguration default)"},
			{"message_expiry", "60s", "a request token with no response yet is dropped from the count after this (message_expiry_time)"},
		},
		Check: func(svc *Service, report func(field, format string, args ...any)) {
			if d := svc.Autoscaler.RequestsInFlight.MessageExpiry; d <= 0 {
				report("message_expiry", "%s must be positive, e.g. 60s (WSO2's message_expiry_time)", d)
			}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
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
			return adapter{
				validate: cfg.Validate,
				new:      func() (policies.Policy, error) { return policies.NewRequestsInFlight(cfg) },
			}
		},
	})
}
