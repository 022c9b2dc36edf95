package policies

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// RequestsInFlightConfig configures RequestsInFlight. The names are WSO2's
// loadbalancer.conf keys; start from DefaultRequestsInFlightConfig (WSO2's
// defaults), every field is taken literally.
type RequestsInFlightConfig struct {
	// Interval is autoscaler_task_interval, the period the cluster calls
	// Recommend with: default 30 s. WSO2 converts it to whole seconds by
	// integer division (30500 ms counts as 30 s), and so does this policy.
	Interval time.Duration
	// Rounds is rounds_to_average, the number of samples averaged: default 10.
	Rounds int
	// MaxRequestsPerSecond is max_requests_per_second, what one instance is
	// taken to handle: default 100.
	MaxRequestsPerSecond int
	// AlarmingUpperRate is alarming_upper_rate: default 0.7.
	AlarmingUpperRate float64
	// AlarmingLowerRate is alarming_lower_rate: default 0.2.
	AlarmingLowerRate float64
	// ScaleDownFactor is scale_down_factor: default 0.25.
	ScaleDownFactor float64
	// InstancesPerScaleUp is instances_per_scale_up: default 1.
	InstancesPerScaleUp int
	// ServerStartupDelay is server_startup_delay: how long an instance that
	// has started may take to join the load balancer before it is
	// terminated; default 60 s.
	ServerStartupDelay time.Duration
}

// DefaultRequestsInFlightConfig returns WSO2 Elastic Load Balancer's
// defaults (LoadBalancerConfiguration: 30000 ms task interval, 60000 ms
// server startup delay; ServiceConfiguration: 100 rps, 0.7, 0.2, 0.25,
// 10 rounds, 1 instance per scale-up).
func DefaultRequestsInFlightConfig() RequestsInFlightConfig {
	return RequestsInFlightConfig{
		Interval:             30 * time.Second,
		Rounds:               10,
		MaxRequestsPerSecond: 100,
		AlarmingUpperRate:    0.7,
		AlarmingLowerRate:    0.2,
		ScaleDownFactor:      0.25,
		InstancesPerScaleUp:  1,
		ServerStartupDelay:   60 * time.Second,
	}
}

// Validate reports every problem in c, joined, each a *FieldError.
func (c RequestsInFlightConfig) Validate() error {
	var errs []error
	if c.Interval < time.Second {
		errs = append(errs, fieldErr("interval", "%s must be at least 1s (WSO2 counts whole seconds)", c.Interval))
	}
	if c.Rounds < 1 {
		errs = append(errs, fieldErr("rounds", "%d must be at least 1", c.Rounds))
	}
	if c.MaxRequestsPerSecond <= 0 {
		errs = append(errs, fieldErr("max_requests_per_second", "%d must be at least 1 (whole requests per second)", c.MaxRequestsPerSecond))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"alarming_upper_rate", c.AlarmingUpperRate}, {"alarming_lower_rate", c.AlarmingLowerRate}, {"scale_down_factor", c.ScaleDownFactor}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			errs = append(errs, fieldErr(f.name, "%g must be greater than 0", f.v))
		}
	}
	if c.InstancesPerScaleUp < 1 {
		errs = append(errs, fieldErr("instances_per_scale_up", "%d must be at least 1", c.InstancesPerScaleUp))
	}
	if c.ServerStartupDelay < 0 {
		errs = append(errs, fieldErr("server_startup_delay", "%s must be at least 0", c.ServerStartupDelay))
	}
	return errors.Join(errs...)
}

// RequestsInFlight is WSO2 Elastic Load Balancer's
// ServiceRequestsInFlightAutoscaler (org.wso2.carbon.mediator.autoscale.
// lbautoscale.task), one task run per Recommend:
//
//  1. Sanity check. Instances that started but have not joined the load
//     balancer within ServerStartupDelay are terminated. Then, if running +
//     pending < min, the difference is launched (it counts as pending).
//  2. The requests in flight counted at the load balancer (one token per
//     request, removed when its response leaves or it expires) are appended
//     to a window of the last Rounds samples. Until the window is full no
//     decision is made.
//  3. avg = the window's mean, an integer (WSO2 divides longs);
//     maxHandleable = MaxRequestsPerSecond x interval_s x AlarmingUpperRate;
//     minHandleable = MaxRequestsPerSecond x interval_s x AlarmingLowerRate x
//     ScaleDownFactor. If avg > running x maxHandleable, InstancesPerScaleUp
//     instances are started, but only while running < max and no instance is
//     pending; else if avg < (running - 1) x minHandleable and running > min,
//     one instance is terminated. So it moves one step at a time and never
//     scales up while an instance is starting.
//
// Running means joined the load balancer (WSO2 counts the members of the
// service's cluster group): here the Ready pods, and the pods that were
// ready once and have left the rotation since (a failing readiness probe,
// a liveness restart: their readiness changed after they started). WSO2 has
// no readiness probe, and such an instance is still a member of the group:
// it is neither pending nor a late starter to terminate. Pending means
// launched but never joined: here every other pod. (WSO2's cloud
// controller reports only instances still booting as pending, and for one
// that has booted but not joined its task blocks in a sleep loop for up to
// server_startup_delay;
// either way nothing scales up until the instance joins or is killed, which
// is what counting it as pending does without blocking.)
//
// The quirk users run, kept on purpose: avg is a number of requests in
// flight (a concurrency, Little's law: arrival rate x response time), but
// the thresholds are a rate times the task interval (100 rps x 30 s x 0.7 =
// 2100 per instance), i.e. a number of requests per interval. The two only
// agree when responses take about one interval, so with fast responses the
// thresholds are far above anything in flight and this policy scales up late
// (only once queues have built up), while with a slow dependency it scales
// up on latency rather than load. Changing interval or rounds changes the
// thresholds, not only the reaction time.
//
// Desired is Observation.Current plus the launches minus the terminations.
// As in WSO2, a scale-up adds InstancesPerScaleUp even if that exceeds max
// (the check is running < max); with the default of 1 it never does.
type RequestsInFlight struct {
	cfg    RequestsInFlightConfig
	window []int64
}

// NewRequestsInFlight returns the policy, named "requests-in-flight".
func NewRequestsInFlight(cfg RequestsInFlightConfig) (*RequestsInFlight, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("requests-in-flight: %w", err)
	}
	return &RequestsInFlight{cfg: cfg, window: make([]int64, 0, cfg.Rounds)}, nil
}

// Name is "requests-in-flight".
func (*RequestsInFlight) Name() string { return "requests-in-flight" }

// intervalSeconds is WSO2's getAutoscalerTaskInterval() / 1000 in integer
// arithmetic.
func (p *RequestsInFlight) intervalSeconds() float64 {
	return float64(p.cfg.Interval.Milliseconds() / 1000)
}

// Handleable returns WSO2's per-instance thresholds: maxHandleable (scale up
// above running x it) and minHandleable (scale down below (running-1) x it).
func (p *RequestsInFlight) Handleable() (maxHandleable, minHandleable float64) {
	ti := p.intervalSeconds()
	rps := float64(p.cfg.MaxRequestsPerSecond)
	return rps * ti * p.cfg.AlarmingUpperRate, rps * ti * p.cfg.AlarmingLowerRate * p.cfg.ScaleDownFactor
}

// Recommend runs one autoscaler task.
func (p *RequestsInFlight) Recommend(now sim.Time, o Observation) Recommendation {
	running, pending := 0, 0
	var overdue []Pod
	for _, pod := range o.Pods {
		switch {
		case pod.Ready || pod.Phase == PhaseRunning && pod.ReadyChanged > pod.Started:
			// Joined; still a member if it has left the rotation since.
			running++
		case pod.Phase == PhaseRunning && now.Sub(pod.Started) >= p.cfg.ServerStartupDelay:
			overdue = append(overdue, pod)
		default:
			pending++
		}
	}
	desired := o.Current
	r := Recommendation{Inputs: []Input{
		{Name: "current_replicas", Value: float64(o.Current)},
		{Name: "running", Value: float64(running)},
		{Name: "pending", Value: float64(pending)},
		{Name: "in_flight", Value: o.InFlight},
	}}
	var head string

	// 1. Sanity check: terminate instances that started but never joined,
	// then keep running + pending >= min.
	if len(overdue) > 0 {
		sort.Slice(overdue, func(i, j int) bool { return overdue[i].ID < overdue[j].ID })
		for _, pod := range overdue {
			r.Terminate = append(r.Terminate, pod.ID)
		}
		desired -= len(overdue)
		r.Limits = append(r.Limits, Limit{Name: "startup-timeout", From: o.Current, To: desired,
			Detail: fmt.Sprintf("%d instance(s) %v not joined %s after starting (server_startup_delay): terminated", len(overdue), r.Terminate, p.cfg.ServerStartupDelay)})
	}
	if running+pending < o.Min {
		diff := o.Min - (running + pending)
		from := desired
		desired += diff
		pending += diff
		r.Limits = append(r.Limits, Limit{Name: "min", From: from, To: desired,
			Detail: fmt.Sprintf("running %d + pending %d below min %d: launching %d", running, pending-diff, o.Min, diff)})
	}

	sanity := len(r.Limits)

	// 2. Record this round's requests in flight.
	if len(p.window) >= p.cfg.Rounds {
		p.window = append(p.window[:0], p.window[1:]...)
	}
	p.window = append(p.window, int64(math.Round(o.InFlight)))
	r.Raw = desired
	if len(p.window) < p.cfg.Rounds {
		r.Reason = ReasonWindowNotFull
		head = fmt.Sprintf("%d of %d rounds of requests in flight recorded: no scaling decision yet", len(p.window), p.cfg.Rounds)
		if desired != o.Current || len(r.Terminate) > 0 {
			// The sanity check still acts before the window fills.
			r.Valid, r.Reason = true, reasonFor(o.Current, desired, r.Limits)
			if len(r.Terminate) > 0 {
				r.Reason = ReasonStartupTimeout
			}
		}
		r.Desired = desired
		r.Explanation = p.explain(head, r.Limits, sanity)
		return r
	}

	// 3. Decide.
	var total int64
	for _, v := range p.window {
		total += v
	}
	avg := total / int64(len(p.window))
	maxH, minH := p.Handleable()
	up, down := float64(running)*maxH, float64(running-1)*minH
	r.Inputs = append(r.Inputs,
		Input{Name: "avg_in_flight", Value: float64(avg)},
		Input{Name: "max_handleable_per_instance", Value: maxH},
		Input{Name: "min_handleable_per_instance", Value: minH},
	)
	r.Valid = true
	step := p.cfg.ScaleStep(avg, running, pending, o.Min, o.Max)
	r.Raw = desired + step.Proposed
	switch {
	case step.Proposed > 0:
		head = fmt.Sprintf("avg in flight %d over %d rounds > %d running x %g handleable (%d rps x %g s x %g) = %g -> +%d = %d",
			avg, len(p.window), running, maxH, p.cfg.MaxRequestsPerSecond, p.intervalSeconds(), p.cfg.AlarmingUpperRate, up, p.cfg.InstancesPerScaleUp, r.Raw)
		switch step.Held {
		case "max":
			r.Limits = append(r.Limits, Limit{Name: "max", From: r.Raw, To: desired, Detail: fmt.Sprintf("running %d not below max %d", running, o.Max)})
		case "pending":
			r.Limits = append(r.Limits, Limit{Name: "pending", From: r.Raw, To: desired, Detail: fmt.Sprintf("%d instance(s) pending, no scale-up until they join", pending)})
		}
	case step.Proposed < 0:
		head = fmt.Sprintf("avg in flight %d over %d rounds < (%d running - 1) x %g handleable (%d rps x %g s x %g x %g) = %g -> -1 = %d",
			avg, len(p.window), running, minH, p.cfg.MaxRequestsPerSecond, p.intervalSeconds(), p.cfg.AlarmingLowerRate, p.cfg.ScaleDownFactor, down, r.Raw)
		if step.Held == "min" {
			r.Limits = append(r.Limits, Limit{Name: "min", From: r.Raw, To: desired, Detail: fmt.Sprintf("running %d not above min %d", running, o.Min)})
		}
	default:
		head = fmt.Sprintf("avg in flight %d over %d rounds within [%g, %g] for %d running: no change", avg, len(p.window), down, up, running)
	}
	desired += step.Change
	r.Desired = desired
	r.Reason = reasonFor(o.Current, desired, r.Limits)
	if len(r.Terminate) > 0 && r.Reason != ReasonScaleUp {
		r.Reason = ReasonStartupTimeout
	}
	r.Explanation = p.explain(head, r.Limits, sanity)
	return r
}

// explain puts the sanity check's limits before the decision, in the order
// the task applies them: "sanity -> n; decision; decision limit -> n".
func (*RequestsInFlight) explain(head string, limits []Limit, sanity int) string {
	var b strings.Builder
	for _, l := range limits[:sanity] {
		fmt.Fprintf(&b, "%s -> %d; ", l.Detail, l.To)
	}
	b.WriteString(head)
	for _, l := range limits[sanity:] {
		fmt.Fprintf(&b, "; %s -> %d", l.Detail, l.To)
	}
	return b.String()
}

// RequestsInFlightStep is the outcome of the decision step of WSO2's task.
type RequestsInFlightStep struct {
	// Proposed is the change the thresholds ask for: +InstancesPerScaleUp,
	// -1 or 0 instances.
	Proposed int
	// Change is the change made: Proposed, or 0 when a check held it.
	Change int
	// Held names the check that held it: "max" (running not below max),
	// "pending" (an instance is pending), "min" (running not above min), or
	// "" when none did.
	Held string
}

// ScaleStep is the decision step of WSO2's autoscaler task (its scaleUp
// and scaleDown checks) for an integer average of requests in flight over
// the window, avg, with running instances joined and pending ones still
// starting: if avg > running x maxHandleable, +InstancesPerScaleUp, but
// only while running < max and nothing is pending; else if avg < (running
// - 1) x minHandleable, -1, but only while running > min. See Handleable.
func (c RequestsInFlightConfig) ScaleStep(avg int64, running, pending, minReplicas, maxReplicas int) RequestsInFlightStep {
	maxH, minH := c.Handleable()
	switch {
	case float64(avg) > float64(running)*maxH:
		st := RequestsInFlightStep{Proposed: c.InstancesPerScaleUp}
		switch {
		case running >= maxReplicas:
			st.Held = "max"
		case pending > 0:
			st.Held = "pending"
		default:
			st.Change = st.Proposed
		}
		return st
	case float64(avg) < float64(running-1)*minH:
		st := RequestsInFlightStep{Proposed: -1}
		if running > minReplicas {
			st.Change = -1
		} else {
			st.Held = "min"
		}
		return st
	}
	return RequestsInFlightStep{}
}
