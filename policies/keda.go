package policies

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is KEDA's ScaledObject (kedacore/keda v2, Apache-2.0) as two
// controllers on one workload, as upstream runs them:
//
//   - KEDA's scale loop (pkg/scaling/scale_handler.go startScaleLoop and
//     getScaledObjectState; pkg/scaling/executor/scale_scaledobjects.go
//     RequestScale, scaleFromZeroOrIdle, scaleToZeroOrIdle,
//     getIdleOrMinimumReplicaCount) polls the triggers every
//     pollingInterval, from the first evaluation on. The object is active
//     when some trigger's value is above its activation threshold. KEDA
//     itself moves the workload between 0 (or idleReplicaCount) and
//     max(minReplicaCount, 1): up at the first poll that finds it active,
//     down at the first poll that finds it inactive more than
//     cooldownPeriod after it was last active (strictly: lastActiveTime +
//     cooldownPeriod before now).
//   - The HPA KEDA creates (controllers/keda/hpa.go) scales between
//     max(minReplicaCount, 1) and maxReplicaCount on one External metric
//     per trigger with an AverageValue target of the trigger's threshold
//     (KEDA's default metricType), with the ScaledObject's behavior. It is
//     the Kubernetes HPA of hpa.go, every HPA interval; at 0 replicas it
//     is disabled (spec.replicas 0 with minReplicas > 0), which is why KEDA
//     handles 0 <-> 1 itself. KEDA's metrics server answers the HPA by
//     querying the scaler each time.
//   - Fallback (pkg/fallback/fallback.go GetMetricsWithFallback,
//     doFallback): each HPA query of a failing trigger counts a failure;
//     once the count is above failureThreshold the metric served is
//     fallback.replicas x the target, so the HPA goes to fallback.replicas;
//     a good answer resets the count. The scale loop does not scale to zero
//     while a trigger errs and a fallback is set.
//
// When the poll and the HPA fall on the same evaluation, the HPA runs
// first: a count KEDA sets reaches the HPA at its next sync.

// KEDA trigger sources.
const (
	// TriggerQueue reads the service's message queue directly, as KEDA's
	// queue scalers (rabbitmq, aws-sqs-queue) query their broker: the
	// value at the instant of the query.
	TriggerQueue = "queue"
	// TriggerPrometheus reads one of the metrics adapter's load-balancer
	// (Object) metrics, as KEDA's prometheus scaler runs a PromQL query:
	// with the scrape's staleness and the rate window's lag.
	TriggerPrometheus = "prometheus"
)

// KEDATrigger is one ScaledObject trigger.
type KEDATrigger struct {
	// Type is TriggerQueue or TriggerPrometheus.
	Type string
	// Metric is, for queue, queue_depth (rabbitmq's QueueLength mode) or
	// queue_message_age_seconds; for prometheus, one of ObjectMetricNames.
	Metric string
	// Threshold is the HPA's AverageValue target (value per replica); > 0.
	Threshold float64
	// ActivationThreshold: the trigger is active when its value is above
	// it (KEDA's activationThreshold / activationValue; default 0).
	ActivationThreshold float64
	// IgnoreNullValues (prometheus only; KEDA's ignoreNullValues, true by
	// default): a query with no value (no samples yet, or NaN) reads as
	// 0; false makes it an error, which holds a scale to zero and counts
	// towards the fallback.
	IgnoreNullValues bool
}

// KEDAFallback is spec.fallback.
type KEDAFallback struct {
	// FailureThreshold is the number of failed queries tolerated: the
	// fallback applies from the (FailureThreshold + 1)-th in a row.
	FailureThreshold int
	// Replicas is the count the HPA is driven to meanwhile.
	Replicas int
}

// KEDAConfig configures the keda policy. Start from DefaultKEDAConfig.
type KEDAConfig struct {
	Triggers []KEDATrigger
	// PollingInterval is spec.pollingInterval: default 30 s.
	PollingInterval time.Duration
	// CooldownPeriod is spec.cooldownPeriod: default 300 s.
	CooldownPeriod time.Duration
	// InitialCooldownPeriod is spec.initialCooldownPeriod: default 0; while
	// it has not passed since the start, an object that was never active
	// is not scaled to zero.
	InitialCooldownPeriod time.Duration
	// MinReplicaCount is spec.minReplicaCount: default 0 (the bound the
	// scenario gives as replicas.min). maxReplicaCount is replicas.max.
	MinReplicaCount int
	// IdleReplicaCount is spec.idleReplicaCount: nil when not set; when
	// set, the count KEDA scales to when inactive (must be below
	// MinReplicaCount).
	IdleReplicaCount *int
	// Fallback is spec.fallback; nil when not set.
	Fallback *KEDAFallback
	// HPAInterval is the HPA's sync period (default 15 s).
	HPAInterval time.Duration
	// HPA configures the HPA KEDA creates: its tolerance, behavior
	// (advanced.horizontalPodAutoscalerConfig.behavior) and the
	// controller's defaults. Its Metrics are replaced by the triggers.
	HPA HPAConfig
}

// DefaultKEDAConfig returns KEDA's defaults, without triggers.
func DefaultKEDAConfig() KEDAConfig {
	return KEDAConfig{
		PollingInterval: 30 * time.Second,
		CooldownPeriod:  300 * time.Second,
		HPAInterval:     15 * time.Second,
		HPA:             DefaultHPAConfig(),
	}
}

// KEDAQueueMetrics and KEDAPrometheusMetrics are the metric names each
// trigger type takes.
var (
	KEDAQueueMetrics      = []string{MetricQueueDepth, MetricQueueMessageAge}
	KEDAPrometheusMetrics = ObjectMetricNames
)

// Validate reports every problem in c, joined, each a *FieldError.
func (c KEDAConfig) Validate() error {
	var errs []error
	if len(c.Triggers) == 0 {
		errs = append(errs, fieldErr("triggers", "give at least one trigger (KEDA has no default), e.g. [{type: prometheus, metric: requests_per_second, threshold: 40}] for requests or [{type: queue, metric: queue_depth, threshold: 20}] for a message queue"))
	}
	for i, t := range c.Triggers {
		f := func(k string) string { return fmt.Sprintf("triggers[%d].%s", i, k) }
		switch t.Type {
		case "":
			errs = append(errs, fieldErr(f("type"), "is required: queue or prometheus"))
		case TriggerQueue:
			if t.Metric == "" {
				errs = append(errs, fieldErr(f("metric"), "is required, e.g. queue_depth"))
			} else if !containsStr(KEDAQueueMetrics, t.Metric) {
				errs = append(errs, fieldErr(f("metric"), "%q is not a queue trigger metric; allowed: %s", t.Metric, joinComma(KEDAQueueMetrics)))
			}
		case TriggerPrometheus:
			if t.Metric == "" {
				errs = append(errs, fieldErr(f("metric"), "is required, e.g. requests_per_second"))
			} else if !containsStr(KEDAPrometheusMetrics, t.Metric) {
				errs = append(errs, fieldErr(f("metric"), "%q is not a prometheus trigger metric; allowed: %s", t.Metric, joinComma(KEDAPrometheusMetrics)))
			}
		default:
			errs = append(errs, fieldErr(f("type"), "%q is not one of queue, prometheus", t.Type))
		}
		if t.Threshold == 0 {
			errs = append(errs, fieldErr(f("threshold"), "is required: the value per replica the HPA keeps, e.g. 20"))
		} else if !(t.Threshold > 0) {
			errs = append(errs, fieldErr(f("threshold"), "%g must be greater than 0 (the value per replica)", t.Threshold))
		}
		if t.ActivationThreshold < 0 || math.IsNaN(t.ActivationThreshold) {
			errs = append(errs, fieldErr(f("activation_threshold"), "%g must be at least 0", t.ActivationThreshold))
		}
	}
	if c.PollingInterval <= 0 {
		errs = append(errs, fieldErr("polling_interval", "%s must be greater than 0", c.PollingInterval))
	}
	if c.CooldownPeriod < 0 {
		errs = append(errs, fieldErr("cooldown_period", "%s must be at least 0", c.CooldownPeriod))
	}
	if c.InitialCooldownPeriod < 0 {
		errs = append(errs, fieldErr("initial_cooldown_period", "%s must be at least 0", c.InitialCooldownPeriod))
	}
	if c.HPAInterval <= 0 {
		errs = append(errs, fieldErr("interval", "%s must be greater than 0", c.HPAInterval))
	}
	if c.MinReplicaCount < 0 {
		errs = append(errs, fieldErr("min_replica_count", "%d must be at least 0", c.MinReplicaCount))
	}
	if c.IdleReplicaCount != nil && (*c.IdleReplicaCount < 0 || *c.IdleReplicaCount >= c.MinReplicaCount) {
		errs = append(errs, fieldErr("idle_replica_count", "%d must be at least 0 and below replicas.min (%d), as KEDA requires", *c.IdleReplicaCount, c.MinReplicaCount))
	}
	if f := c.Fallback; f != nil {
		if f.FailureThreshold < 0 {
			errs = append(errs, fieldErr("fallback.failure_threshold", "%d must be at least 0", f.FailureThreshold))
		}
		if f.Replicas < 0 {
			errs = append(errs, fieldErr("fallback.replicas", "%d must be at least 0", f.Replicas))
		}
	}
	hpa := c.HPA
	hpa.Metrics = nil
	errs = append(errs, hpa.Validate())
	return errors.Join(errs...)
}

// KEDA is the keda policy: KEDA's scale loop and the HPA it drives.
type KEDA struct {
	cfg        KEDAConfig
	hpa        *HPA
	nextPoll   sim.Time
	nextHPA    sim.Time
	started    bool
	start      sim.Time
	lastActive sim.Time
	wasActive  bool // lastActive is set
	failures   []int
	values     []NamedMetric // scratch: what KEDA's metrics server serves the HPA
	ext        CustomMetrics // scratch
}

// NewKEDA returns the policy, named "keda".
func NewKEDA(cfg KEDAConfig) (*KEDA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("keda: %w", err)
	}
	cfg.Triggers = append([]KEDATrigger(nil), cfg.Triggers...)
	h := cfg.HPA
	h.Metrics = nil
	for i, t := range cfg.Triggers {
		h.Metrics = append(h.Metrics, MetricTarget{Type: SourceExternal, Metric: kedaMetricName(i, t), TargetAverageValue: t.Threshold})
	}
	h.anyExternalName = true
	hpa, err := newHPA("keda-hpa", h)
	if err != nil {
		return nil, fmt.Errorf("keda: %w", err)
	}
	return &KEDA{cfg: cfg, hpa: hpa, failures: make([]int, len(cfg.Triggers))}, nil
}

// kedaMetricName is the External metric name KEDA gives trigger i
// (s<index>-<scaler>-<metric>).
func kedaMetricName(i int, t KEDATrigger) string {
	return fmt.Sprintf("s%d-%s-%s", i, t.Type, t.Metric)
}

// Name is "keda".
func (k *KEDA) Name() string { return "keda" }

// Interval is the evaluation period the policy needs: the greatest common
// divisor of the polling interval and the HPA's.
func (c KEDAConfig) Interval() time.Duration {
	a, b := c.PollingInterval, c.HPAInterval
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// triggerValue is what trigger t reads now; false when that is an error.
// A prometheus query without a value is 0 under ignoreNullValues, as
// KEDA's prometheus scaler returns it (ExecutePromQuery,
// pkg/scalers/prometheus_scaler.go: an empty result, an empty value list,
// NaN or Inf), and an error without.
func triggerValue(t KEDATrigger, o Observation) (float64, bool) {
	var m Metric
	var ok bool
	switch t.Type {
	case TriggerQueue:
		m, ok = findNamed(o.Metrics.live(), t.Metric)
	case TriggerPrometheus:
		if m, ok = o.Metrics.ObjectMetric(t.Metric); !ok && t.IgnoreNullValues {
			return 0, true
		}
	}
	return m.Value, ok
}

func (c *CustomMetrics) live() []NamedMetric {
	if c == nil {
		return nil
	}
	return c.Live
}

// Recommend runs what is due at now: the HPA's sync, then KEDA's poll
// (so that a count KEDA sets is the HPA's current count at its next sync,
// as when the two controllers run apart).
func (k *KEDA) Recommend(now sim.Time, o Observation) Recommendation {
	if !k.started {
		// The ScaledObject is created with the scenario, at 0 (its
		// CreationTimestamp, for initialCooldownPeriod); its loops start at
		// the first evaluation.
		k.started, k.start, k.nextPoll, k.nextHPA = true, 0, now, now
	}
	cur := o.Current
	r := Recommendation{Desired: cur, Raw: cur, Reason: ReasonUnchanged}
	var texts []string
	changed := false
	hpaReason, hpaRan := ReasonUnchanged, false
	if now >= k.nextHPA {
		k.nextHPA = now.Add(k.cfg.HPAInterval)
		ho := o
		ho.Min = max(k.cfg.MinReplicaCount, 1)
		ho.Metrics = k.served(o, &r)
		h := k.hpa.Recommend(now, ho)
		r.Inputs = append(r.Inputs, h.Inputs...)
		r.Limits = append(r.Limits, h.Limits...)
		texts = append(texts, "hpa: "+h.Explanation)
		hpaReason, hpaRan = h.Reason, true
		r.Raw = h.Raw
		if h.Valid {
			r.Valid = true
		}
		if h.Valid && h.Desired != cur {
			cur, changed = h.Desired, true
			r.Reason = h.Reason
		}
	}
	if now >= k.nextPoll {
		k.nextPoll = now.Add(k.cfg.PollingInterval)
		po := o
		po.Current = cur
		desired, reason, text := k.poll(now, po, &r)
		texts = append(texts, text)
		switch {
		case desired != cur:
			r.Valid, r.Raw, r.Reason, changed = true, desired, reason, true
			cur = desired
		case !changed && (!hpaRan || hpaReason == ReasonScalingDisabled || (reason != ReasonActive && reason != ReasonInactive)):
			r.Reason = reason
		case !changed:
			r.Reason = hpaReason
		}
	} else if !changed && hpaRan {
		r.Reason = hpaReason
	}
	r.Desired = cur
	if !r.Valid {
		r.Desired = o.Current
	}
	r.Explanation = joinText(texts)
	return r
}

func joinText(ts []string) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += "; "
		}
		s += t
	}
	return s
}

// The keda policy's own reasons (its HPA's are the HPA's).
const (
	// ReasonActivated: KEDA scaled from 0 (or the idle count) up.
	ReasonActivated Reason = "activated"
	// ReasonDeactivated: KEDA scaled to 0 (or the idle count) after the
	// cooldown.
	ReasonDeactivated Reason = "deactivated"
	// ReasonCoolingDown: inactive, but within the cooldown period.
	ReasonCoolingDown Reason = "cooling-down"
	// ReasonActive and ReasonInactive: a poll that changed nothing.
	ReasonActive   Reason = "active"
	ReasonInactive Reason = "inactive"
	// ReasonTriggerError: a trigger has no value and nothing was done.
	ReasonTriggerError Reason = "trigger-error"
)

// poll is getScaledObjectState and RequestScale.
func (k *KEDA) poll(now sim.Time, o Observation, r *Recommendation) (int, Reason, string) {
	active, isErr := false, false
	for i, t := range k.cfg.Triggers {
		v, ok := triggerValue(t, o)
		name := kedaMetricName(i, t)
		if !ok {
			isErr = true
			continue
		}
		r.Inputs = append(r.Inputs, Input{Name: name + "_value", Value: v}, Input{Name: name + "_activation", Value: t.ActivationThreshold})
		if v > t.ActivationThreshold {
			active = true
		}
	}
	current := o.Current
	minR := k.cfg.MinReplicaCount
	idle := k.cfg.IdleReplicaCount
	if active {
		switch {
		case (idle != nil && current < minR) || current == 0:
			// Active and at 0 (or idle): scaleFromZeroOrIdle.
			to := max(minR, 1)
			k.lastActive, k.wasActive = now, true
			return to, ReasonActivated, fmt.Sprintf("keda poll: a trigger is above its activation threshold at %d replicas: scale to %d", current, to)
		case isErr:
			return current, ReasonTriggerError, "keda poll: active, but some triggers err"
		default:
			k.lastActive, k.wasActive = now, true
			return current, ReasonActive, "keda poll: active"
		}
	}
	switch {
	case isErr && k.cfg.Fallback != nil && k.cfg.Fallback.Replicas != 0:
		return current, ReasonTriggerError, "keda poll: a trigger errs; the fallback applies through the HPA"
	case isErr && k.cfg.Fallback == nil:
		return current, ReasonTriggerError, "keda poll: a trigger errs and no fallback is set: no change"
	case (idle != nil && current > *idle) || (current > 0 && minR == 0):
		// scaleToZeroOrIdle.
		to := minR
		if idle != nil {
			to = *idle
		}
		if (!k.wasActive && k.start.Add(k.cfg.InitialCooldownPeriod) < now) || (k.wasActive && k.lastActive.Add(k.cfg.CooldownPeriod) < now) {
			return to, ReasonDeactivated, fmt.Sprintf("keda poll: inactive since %s, beyond the %s cooldown: scale to %d", k.lastActiveText(), k.cfg.CooldownPeriod, to)
		}
		return current, ReasonCoolingDown, fmt.Sprintf("keda poll: inactive, cooling down (last active %s, cooldown %s)", k.lastActiveText(), k.cfg.CooldownPeriod)
	case idle == nil && current < minR:
		return minR, ReasonActivated, fmt.Sprintf("keda poll: inactive below minReplicaCount: scale to %d", minR)
	}
	return current, ReasonInactive, "keda poll: inactive"
}

func (k *KEDA) lastActiveText() string {
	if !k.wasActive {
		return "never"
	}
	return fmt.Sprintf("at %s", time.Duration(k.lastActive))
}

// served is what KEDA's metrics server answers the HPA: each trigger's
// value, or after more than failureThreshold failures in a row the
// fallback value fallback.replicas x threshold.
func (k *KEDA) served(o Observation, r *Recommendation) *CustomMetrics {
	k.values = k.values[:0]
	for i, t := range k.cfg.Triggers {
		name := kedaMetricName(i, t)
		v, ok := triggerValue(t, o)
		switch {
		case ok:
			k.failures[i] = 0
			k.values = append(k.values, NamedMetric{Name: name, Metric: Metric{OK: true, Value: v}})
		case k.cfg.Fallback != nil:
			k.failures[i]++
			if k.failures[i] > k.cfg.Fallback.FailureThreshold {
				fv := float64(k.cfg.Fallback.Replicas) * t.Threshold
				k.values = append(k.values, NamedMetric{Name: name, Metric: Metric{OK: true, Value: fv}})
				r.Inputs = append(r.Inputs, Input{Name: name + "_fallback", Value: fv})
			}
		}
	}
	k.ext = CustomMetrics{External: k.values}
	if o.Metrics != nil {
		k.ext.TerminatingReady = o.Metrics.TerminatingReady
	}
	return &k.ext
}
