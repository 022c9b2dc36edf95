package policies

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Resource names a per-pod resource metric.
type Resource string

const (
	// CPU is measured in cores; requests in cores.
	CPU Resource = "cpu"
	// Memory is the working set in bytes; requests in bytes.
	Memory Resource = "memory"
)

// MetricTarget is one autoscaling/v2 metric: a Resource metric with a
// Utilization target, or a Pods, Object or External metric (Type, Metric)
// with a Value or AverageValue target (hpa_metrics.go).
type MetricTarget struct {
	// Type is the metric source; "" means SourceResource.
	Type MetricSourceType
	// Resource is cpu or memory (resource metrics).
	Resource Resource
	// TargetUtilization is the target average usage as a percentage of the
	// pods' request (70 = 70%); > 0, may exceed 100 (resource metrics).
	TargetUtilization int
	// Metric names a Pods, Object or External metric (MetricNamesFor).
	Metric string
	// TargetValue is a Value target (Object, External), in the metric's
	// unit; TargetAverageValue an AverageValue target (Pods, Object,
	// External): per pod. Exactly one is > 0 for those sources.
	TargetValue, TargetAverageValue float64
}

// HPAConfig configures the Kubernetes HPA policies (hpa, cpu, memory).
// Start from DefaultHPAConfig: every field is taken literally.
type HPAConfig struct {
	// Metrics are the resource metrics; the largest recommendation wins.
	// With none, the policy makes no decision (Valid=false).
	Metrics []MetricTarget
	// Tolerance is the band around a usage ratio of 1 within which the
	// count is kept: default 0.1 (--horizontal-pod-autoscaler-tolerance).
	// A Behavior's per-direction Tolerance overrides it.
	Tolerance float64
	// CPUInitializationPeriod: default 5 min
	// (--horizontal-pod-autoscaler-cpu-initialization-period). During it
	// after a pod starts, its CPU sample is used only if the pod is ready
	// and the sample's window began after it became ready.
	CPUInitializationPeriod time.Duration
	// InitialReadinessDelay: default 30 s
	// (--horizontal-pod-autoscaler-initial-readiness-delay). After the
	// initialization period, an unready pod's CPU is ignored if its
	// readiness last changed within this delay of its start (it has never
	// been ready).
	InitialReadinessDelay time.Duration
	// DownscaleStabilizationWindow is the older path's window (Behavior nil):
	// default 5 min (--horizontal-pod-autoscaler-downscale-stabilization).
	DownscaleStabilizationWindow time.Duration
	// Behavior is autoscaling/v2 spec.behavior. Nil selects the controller's
	// older path: the downscale stabilization window above and a scale-up
	// cap of max(2 x current, 4) per evaluation.
	Behavior *Behavior

	// anyExternalName lets External metrics have any name (the HPA KEDA
	// creates names its metrics after its triggers).
	anyExternalName bool
}

// DefaultHPAConfig returns Kubernetes' controller defaults, no metrics and
// no behavior.
func DefaultHPAConfig() HPAConfig {
	return HPAConfig{
		Tolerance:                    0.1,
		CPUInitializationPeriod:      5 * time.Minute,
		InitialReadinessDelay:        30 * time.Second,
		DownscaleStabilizationWindow: DefaultDownscaleStabilization,
	}
}

// Validate reports every problem in c, joined, each a *FieldError.
func (c HPAConfig) Validate() error {
	var errs []error
	for i, m := range c.Metrics {
		if m.Custom() {
			errs = append(errs, m.validateCustom(i, c.anyExternalName)...)
			continue
		}
		if m.Resource != CPU && m.Resource != Memory {
			errs = append(errs, fieldErr(fmt.Sprintf("metrics[%d].resource", i), "%q is not one of cpu, memory", m.Resource))
		}
		if m.TargetUtilization <= 0 {
			errs = append(errs, fieldErr(fmt.Sprintf("metrics[%d].target_utilization", i), "%d must be greater than 0 (percent of request)", m.TargetUtilization))
		}
	}
	if c.Tolerance < 0 || math.IsNaN(c.Tolerance) {
		errs = append(errs, fieldErr("tolerance", "%g must be at least 0", c.Tolerance))
	}
	if c.CPUInitializationPeriod < 0 {
		errs = append(errs, fieldErr("cpu_initialization_period", "%s must be at least 0", c.CPUInitializationPeriod))
	}
	if c.InitialReadinessDelay < 0 {
		errs = append(errs, fieldErr("initial_readiness_delay", "%s must be at least 0", c.InitialReadinessDelay))
	}
	if c.DownscaleStabilizationWindow < 0 {
		errs = append(errs, fieldErr("downscale_stabilization_window", "%s must be at least 0", c.DownscaleStabilizationWindow))
	}
	if c.Behavior != nil {
		errs = append(errs, nested("behavior", c.Behavior.Validate())...)
	}
	return errors.Join(errs...)
}

// HPA is the Kubernetes HorizontalPodAutoscaler (autoscaling/v2) with
// Resource metrics and Utilization targets, as the controller's source does
// it (pkg/controller/podautoscaler):
//
// For each metric, GetResourceReplicas: the pods are grouped (groupPods)
// into ready pods with a sample, unready pods (Pending, or for CPU not yet
// trustworthy: see CPUInitializationPeriod and InitialReadinessDelay) and
// missing pods (no sample yet). Utilization is the sum of the ready pods'
// usage over the sum of their requests, as a whole percentage (truncated);
// the usage ratio is that over the target. Without unready or missing pods
// that matter, the proposal is ceil(ratio x ready pods), or the current
// count when the ratio is within the tolerance. Otherwise the ratio is
// recomputed with missing pods at 0% on a scale-up and at 100% of request
// (or the target, if above 100%) on a scale-down, and unready pods at 0% on
// a scale-up; if that lands within tolerance or reverses the direction, the
// current count is kept, else ceil(new ratio x pods counted).
//
// With several metrics the largest proposal wins (computeReplicasForMetrics);
// if some metric cannot be computed, the HPA still scales up on the others
// but never scales down. The proposal is then normalised by the Behavior or
// the older path (see behavior.go). A count outside [min, max] is brought
// back first, without reading metrics; a workload at 0 replicas with min > 0
// is left alone.
type HPA struct {
	name string
	cfg  HPAConfig
	tol  tolerances
	s    scaler
}

// NewHPA returns the multi-metric policy, named "hpa".
func NewHPA(cfg HPAConfig) (*HPA, error) { return newHPA("hpa", cfg) }

// NewCPU returns the one-metric shorthand named "cpu": cfg with Metrics
// replaced by cpu at targetUtilization percent.
func NewCPU(targetUtilization int, cfg HPAConfig) (*HPA, error) {
	cfg.Metrics = []MetricTarget{{Resource: CPU, TargetUtilization: targetUtilization}}
	return newHPA("cpu", cfg)
}

// NewMemory returns the one-metric shorthand named "memory".
func NewMemory(targetUtilization int, cfg HPAConfig) (*HPA, error) {
	cfg.Metrics = []MetricTarget{{Resource: Memory, TargetUtilization: targetUtilization}}
	return newHPA("memory", cfg)
}

func newHPA(name string, cfg HPAConfig) (*HPA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cfg.Metrics = append([]MetricTarget(nil), cfg.Metrics...)
	return &HPA{
		name: name,
		cfg:  cfg,
		tol:  tolerancesFor(cfg.Tolerance, cfg.Behavior),
		s:    newScaler(cfg.Behavior, cfg.DownscaleStabilizationWindow),
	}, nil
}

// Name is "hpa", "cpu" or "memory".
func (h *HPA) Name() string { return h.name }

// Recommend runs one reconcile of the HPA controller.
func (h *HPA) Recommend(now sim.Time, o Observation) Recommendation {
	return h.s.reconcile(now, o, func() proposal { return h.metricsProposal(now, o) })
}

// metricsProposal is computeReplicasForMetrics.
func (h *HPA) metricsProposal(now sim.Time, o Observation) proposal {
	if len(h.cfg.Metrics) == 0 {
		return proposal{reason: ReasonNoMetrics, text: "no metrics configured: the HPA holds the scale"}
	}
	var best *metricCalc
	var inputs []Input
	invalid := 0
	var firstErr error
	for _, m := range h.cfg.Metrics {
		var c metricCalc
		if m.Custom() {
			c = customReplicas(now, o, m, h.tol)
		} else {
			rc := resourceReplicas(now, o.Current, o.Pods, m, h.tol, h.cfg.CPUInitializationPeriod, h.cfg.InitialReadinessDelay)
			c = metricCalc{proposal: rc.proposal, raw: rc.raw, limits: rc.limits, text: rc.text, inputs: rc.inputs(), err: rc.err}
		}
		inputs = append(inputs, c.inputs...)
		if c.err != nil {
			if invalid == 0 {
				firstErr = c.err
			}
			invalid++
			continue
		}
		if best == nil || best.proposal == 0 || c.proposal > best.proposal {
			best = &c
		}
	}
	if invalid >= len(h.cfg.Metrics) || (invalid > 0 && best.proposal < o.Current) {
		return proposal{reason: ReasonNoMetrics, inputs: inputs,
			text: fmt.Sprintf("invalid metrics (%d invalid out of %d), first error is: %v: holding %d", invalid, len(h.cfg.Metrics), firstErr, o.Current)}
	}
	p := proposal{ok: true, raw: best.raw, desired: best.proposal, limits: best.limits, inputs: inputs, text: best.text}
	if invalid > 0 {
		p.text += fmt.Sprintf(" (%d of %d metrics invalid: %v)", invalid, len(h.cfg.Metrics), firstErr)
	}
	return p
}

// podGroups is groupPods' result, as indices into the pod list.
type podGroups struct {
	ready, unready, missing []int
}

// groupPods is upstream's groupPods for the pods an Observation lists
// (deleted and failed pods never reach a policy, so "ignored" is empty):
// Pending pods are unready; pods without a sample are missing; for CPU only,
// a pod is unready while within CPUInitializationPeriod of its start if it
// is not ready or its sample's window began before it last became ready,
// and after that period if it is not ready and has never been ready (its
// readiness last changed within InitialReadinessDelay of its start).
func groupPods(now sim.Time, pods []Pod, res Resource, cpuInit, readinessDelay time.Duration) podGroups {
	var g podGroups
	for i, p := range pods {
		if p.Phase == PhasePending {
			g.unready = append(g.unready, i)
			continue
		}
		m := p.metric(res)
		if !m.OK {
			g.missing = append(g.missing, i)
			continue
		}
		if res == CPU {
			var unready bool
			if p.Started.Add(cpuInit) > now {
				// Pod still within possible initialisation period: ignore the
				// sample if the pod is unready or one window of metric wasn't
				// collected since the last readiness transition.
				unready = !p.Ready || m.Timestamp < p.ReadyChanged.Add(m.Window)
			} else {
				// Ignore the sample if the pod is unready and has never been ready.
				unready = !p.Ready && p.Started.Add(readinessDelay) > p.ReadyChanged
			}
			if unready {
				g.unready = append(g.unready, i)
				continue
			}
		}
		g.ready = append(g.ready, i)
	}
	return g
}

func (p Pod) metric(res Resource) Metric {
	if res == Memory {
		return p.Memory
	}
	return p.CPU
}

func (p Pod) request(res Resource) float64 {
	if res == Memory {
		return p.MemoryRequest
	}
	return p.CPURequest
}

// milli converts cores or bytes to the integer milli-units Kubernetes
// computes in (Quantity.MilliValue).
func milli(v float64) int64 { return int64(math.Round(v * 1000)) }

// utilizationRatio is metricsclient.GetResourceUtilizationRatio: the
// utilization is a whole percentage, truncated, and the ratio is computed
// from that truncated percentage.
func utilizationRatio(usage, requests map[int]int64, target int) (ratio float64, utilization int64, rawAverage int64, err error) {
	var usageTotal, requestTotal int64
	n := 0
	for i, u := range usage {
		req, ok := requests[i]
		if !ok {
			continue
		}
		usageTotal += u
		requestTotal += req
		n++
	}
	if requestTotal == 0 {
		return 0, 0, 0, errors.New("no metrics returned matched known pods")
	}
	utilization = (usageTotal * 100) / requestTotal
	return float64(utilization) / float64(target), utilization, usageTotal / int64(n), nil
}

// resourceCalc is the outcome of one metric's replica calculation.
type resourceCalc struct {
	metric MetricTarget
	err    error
	// proposal is upstream's replicaCount.
	proposal int
	// raw is the proportional count before the tolerance and
	// direction holds.
	raw int
	// utilization is the reported utilization (ready pods only), percent.
	utilization int64
	// rawAverage is the average usage per ready pod in milli-units.
	rawAverage int64
	ratio      float64
	// rebalanced is true when missing or unready pods were filled in;
	// newUtilization and newRatio are then the recomputed values.
	rebalanced     bool
	newUtilization int64
	newRatio       float64
	ready          int
	unready        int
	missing        int
	limits         []Limit
	text           string
}

func (c resourceCalc) inputs() []Input {
	r := string(c.metric.Resource)
	in := []Input{
		{Name: r + "_target_utilization_pct", Value: float64(c.metric.TargetUtilization)},
		{Name: r + "_ready_pods", Value: float64(c.ready)},
		{Name: r + "_unready_pods", Value: float64(c.unready)},
		{Name: r + "_missing_pods", Value: float64(c.missing)},
	}
	if c.err != nil {
		return in
	}
	in = append(in,
		Input{Name: r + "_utilization_pct", Value: float64(c.utilization)},
		Input{Name: r + "_usage_ratio", Value: c.ratio},
	)
	if c.rebalanced {
		in = append(in,
			Input{Name: r + "_rebalanced_utilization_pct", Value: float64(c.newUtilization)},
			Input{Name: r + "_rebalanced_usage_ratio", Value: c.newRatio},
		)
	}
	return in
}

// resourceReplicas is ReplicaCalculator.GetResourceReplicas for one metric.
func resourceReplicas(now sim.Time, current int, pods []Pod, m MetricTarget, tol tolerances, cpuInit, readinessDelay time.Duration) resourceCalc {
	c := resourceCalc{metric: m}
	res := m.Resource
	if len(pods) == 0 {
		c.err = errors.New("no pods returned by selector while calculating replica count")
		return c
	}
	g := groupPods(now, pods, res, cpuInit, readinessDelay)
	c.ready, c.unready, c.missing = len(g.ready), len(g.unready), len(g.missing)
	usage := make(map[int]int64, len(pods))
	for _, i := range g.ready {
		usage[i] = milli(pods[i].metric(res).Value)
	}
	if len(usage) == 0 {
		c.err = errors.New("did not receive metrics for targeted pods (pods might be unready)")
		return c
	}
	requests := make(map[int]int64, len(pods))
	for i, p := range pods {
		req := milli(p.request(res))
		if req <= 0 {
			c.err = fmt.Errorf("missing request for %s in pod %d", res, p.ID)
			return c
		}
		requests[i] = req
	}
	ratio, util, rawAvg, err := utilizationRatio(usage, requests, m.TargetUtilization)
	if err != nil {
		c.err = err
		return c
	}
	c.ratio, c.utilization, c.rawAverage = ratio, util, rawAvg
	head := fmt.Sprintf("%s utilization %d%% vs target %d%%", res, util, m.TargetUtilization)

	scaleUpWithUnready := len(g.unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		c.raw = int(math.Ceil(ratio * float64(c.ready)))
		c.text = fmt.Sprintf("%s -> ceil(%d x %.2f) = %d", head, c.ready, ratio, c.raw)
		if tol.within(ratio) {
			// Return the current replicas if the change would be too small.
			c.proposal = current
			c.hold("tolerance", fmt.Sprintf("usage ratio %.2f within tolerance [%.2f, %.2f]", ratio, 1-tol.down, 1+tol.up), current)
			return c
		}
		// Without unready or missing pods the count is computed now.
		c.proposal = c.raw
		return c
	}

	var notes []string
	if len(g.missing) > 0 {
		if ratio < 1.0 {
			// On a scale-down, treat missing pods as using 100% (all) of the
			// resource request, or the target for targets above 100%.
			fallback := int64(max(100, m.TargetUtilization))
			for _, i := range g.missing {
				usage[i] = requests[i] * fallback / 100
			}
			notes = append(notes, fmt.Sprintf("%d missing at %d%%", len(g.missing), fallback))
		} else if ratio > 1.0 {
			// On a scale-up, treat missing pods as using 0% of the request.
			for _, i := range g.missing {
				usage[i] = 0
			}
			notes = append(notes, fmt.Sprintf("%d missing at 0%%", len(g.missing)))
		}
	}
	if scaleUpWithUnready {
		// On a scale-up, treat unready pods as using 0% of the request.
		for _, i := range g.unready {
			usage[i] = 0
		}
		notes = append(notes, fmt.Sprintf("%d unready at 0%%", len(g.unready)))
	}
	// Re-run the utilization calculation with the new numbers.
	newRatio, newUtil, _, err := utilizationRatio(usage, requests, m.TargetUtilization)
	if err != nil {
		c.err = err
		return c
	}
	c.rebalanced, c.newRatio, c.newUtilization = true, newRatio, newUtil
	n := len(usage)
	c.raw = int(math.Ceil(newRatio * float64(n)))
	c.text = fmt.Sprintf("%s; counting %s: %d%% -> ceil(%d x %.2f) = %d", head, joinNotes(notes), newUtil, n, newRatio, c.raw)
	c.proposal = current
	if name, detail := rebalancedHold(tol, ratio, newRatio, c.raw, n, current); name != "" {
		c.hold(name, detail, current)
	} else {
		c.proposal = c.raw
	}
	return c
}

// rebalancedHold is the replica calculator's last word after it counted
// unready and missing pods (getResourceReplicas, GetMetricReplicas): the
// name and detail of the rule that keeps the current count, or "" when
// raw, computed from newRatio over n pods, stands.
func rebalancedHold(tol tolerances, ratio, newRatio float64, raw, n, current int) (name, detail string) {
	switch {
	case tol.within(newRatio):
		return "tolerance", fmt.Sprintf("usage ratio %.2f within tolerance [%.2f, %.2f]", newRatio, 1-tol.down, 1+tol.up)
	case (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0):
		// The new usage ratio would reverse the scale direction.
		return "direction-change", fmt.Sprintf("counting unready and missing pods reverses the direction (ratio %.2f -> %.2f)", ratio, newRatio)
	case (newRatio < 1.0 && raw > current) || (newRatio > 1.0 && raw < current):
		// The number of pods counted would reverse the scale direction.
		return "direction-change", fmt.Sprintf("%d pods counted against %d current would reverse the direction", n, current)
	}
	return "", ""
}

// hold records that the calculator kept the current count instead of raw.
func (c *resourceCalc) hold(name, detail string, current int) {
	if c.raw != current {
		c.limits = append(c.limits, Limit{Name: name, From: c.raw, To: current, Detail: detail})
	}
}

func joinNotes(notes []string) string {
	switch len(notes) {
	case 0:
		return "no pods"
	case 1:
		return notes[0]
	}
	s := notes[0]
	for _, n := range notes[1:] {
		s += " and " + n
	}
	return s
}
