package scenarios

import (
	"errors"
	"slices"
	"time"

	"github.com/scalesim/scalesim/policies"
)

// PolicyPredictive is AWS-style predictive scaling over a reactive policy.
const PolicyPredictive = "predictive"

// Predictive holds the predictive policy's parameters. The reactive
// policy's own parameters are the autoscaler block's keys as for that
// policy.
type Predictive struct {
	// Reactive is the policy the forecast is combined with (the larger of
	// the two counts). Default target-tracking.
	Reactive string `yaml:"reactive" scn:"enum=@policies"`
	// TargetPerInstance is the requests per second one instance carries at
	// the target. Default: derived from the demand, cpu_request x target /
	// demand.cpu (the reactive policy's CPU target: target_value for
	// target-tracking, else target_utilization).
	TargetPerInstance float64 `yaml:"target_per_instance"`
	// Season is the load's period. Default 24h.
	Season time.Duration `yaml:"season"`
	// ForecastGranularity is the forecast's bucket. Default 1h.
	ForecastGranularity time.Duration `yaml:"forecast_granularity"`
	// HistorySeasons is how many past seasons the forecast averages.
	// Default 2.
	HistorySeasons int `yaml:"history_seasons"`
	// SchedulingBuffer launches the forecast capacity this early. Default
	// the mean startup plus readiness delay.
	SchedulingBuffer time.Duration `yaml:"scheduling_buffer"`
	// ForecastOnly forecasts without scaling on it.
	ForecastOnly bool `yaml:"forecast_only"`
}

// notReactive are the policies predictive cannot run under it: itself,
// and the KPA (its activator and collector are the service's, not a
// policy's).
var notReactive = []string{PolicyPredictive, PolicyKPA}

func defaultPredictive() Predictive {
	d := policies.DefaultPredictiveConfig()
	return Predictive{Reactive: PolicyTargetTracking, Season: d.Season, ForecastGranularity: d.Granularity, HistorySeasons: d.HistorySeasons}
}

// predictiveAdapter is the predictive policy's PolicyConfig: it counts
// requests, and passes on what its reactive policy observes.
type predictiveAdapter struct {
	adapter
	reactive PolicyConfig
}

func (c predictiveAdapter) CountsRequests() bool { return true }

func (c predictiveAdapter) LatencyPercentile() float64 {
	if l, ok := c.reactive.(LatencyObserver); ok {
		return l.LatencyPercentile()
	}
	return 0
}

// reactiveDef is the definition of the service's reactive policy, or nil.
func reactiveDef(a *Autoscaler) *PolicyDef {
	if slices.Contains(notReactive, a.Predictive.Reactive) {
		return nil
	}
	return LookupPolicy(a.Predictive.Reactive)
}

func init() {
	registerPolicy(PolicyDef{
		Name:  PolicyPredictive,
		Order: 110,
		Doc:   "AWS-style predictive scaling: a seasonal forecast of the service's own load, launched a scheduling buffer ahead, combined with a reactive policy (the larger count)",
		Reads: []string{"interval"},
		Init:  func(a *Autoscaler) { a.Predictive = defaultPredictive() },
		Params: []Param{
			{"reactive", "target-tracking", "the policy combined with the forecast; its keys are read as for it"},
			{"target_per_instance", "cpu_request x the CPU target / the mean demand.cpu", "requests per second one instance carries at the target"},
			{"season", "24h", "the load's period"},
			{"forecast_granularity", "1h", "the forecast's bucket (AWS: hourly)"},
			{"history_seasons", "2", "past seasons averaged (AWS: up to 14 days)"},
			{"scheduling_buffer", "the mean startup_delay + readiness_delay", "launch the forecast capacity this early"},
			{"forecast_only", "false", "forecast without scaling on it"},
		},
		Fill: func(f *filler) {
			r := reactiveDef(f.a)
			if r == nil {
				return
			}
			if !f.has("autoscaler.interval") && r.Interval > 0 {
				f.a.Interval = r.Interval
			}
			if r.Fill != nil {
				r.Fill(f)
			}
		},
		Defaults: func(f *filler) {
			if !f.has("autoscaler.target_per_instance") {
				target := f.a.TargetUtilization
				if f.a.Predictive.Reactive == PolicyTargetTracking || f.a.Predictive.Reactive == PolicyStepScaling {
					target = f.a.TargetTracking.TargetValue
				}
				if c := mean(f.svc.Demand.CPU); c > 0 {
					f.a.Predictive.TargetPerInstance = f.svc.Instance.CPURequest * target / 100 / c
				}
			}
			if !f.has("autoscaler.scheduling_buffer") {
				secs := mean(f.svc.Instance.StartupDelay) + mean(f.svc.Instance.ReadinessDelay)
				f.a.Predictive.SchedulingBuffer = time.Duration(secs * float64(time.Second)).Round(time.Millisecond)
			}
		},
		Check: func(svc *Service, report func(field, format string, args ...any)) {
			if p := svc.Autoscaler.Predictive.Reactive; slices.Contains(notReactive, p) {
				report("reactive", "%s cannot be the reactive policy of predictive; use e.g. target-tracking, cpu or hpa", p)
			}
		},
		Config: func(svc *Service) PolicyConfig {
			a := &svc.Autoscaler
			p := a.Predictive
			cfg := policies.DefaultPredictiveConfig()
			cfg.TargetPerInstance = p.TargetPerInstance
			cfg.Season, cfg.Granularity, cfg.HistorySeasons = p.Season, p.ForecastGranularity, p.HistorySeasons
			cfg.SchedulingBuffer, cfg.ForecastOnly = p.SchedulingBuffer, p.ForecastOnly
			var reactive PolicyConfig
			if r := reactiveDef(a); r != nil {
				reactive = r.Config(svc)
			}
			return predictiveAdapter{adapter: adapter{
				validate: func() error {
					errs := []error{cfg.Validate()}
					if reactive != nil {
						errs = append(errs, reactive.Validate())
					}
					return errors.Join(errs...)
				},
				new: func() (policies.Policy, error) {
					if reactive == nil {
						return nil, errors.New("predictive: no reactive policy")
					}
					r, err := reactive.New()
					if err != nil {
						return nil, err
					}
					return policies.NewPredictive(cfg, r)
				},
			}, reactive: reactive}
		},
	})
}
