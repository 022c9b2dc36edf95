package policies

import (
	"errors"
	"fmt"
	"math"

	"github.com/scalesim/scalesim/sim"
)

// This file holds the HPA's Pods, Object and External metric sources
// (autoscaling/v2 MetricSpec types other than Resource), ported from
// Kubernetes pkg/controller/podautoscaler (Apache-2.0):
//
//   - replica_calculator.go: GetMetricReplicas with calcPlainMetricReplicas,
//     GetObjectMetricReplicas and GetExternalMetricReplicas with
//     getUsageRatioReplicaCount, GetObjectPerPodMetricReplicas,
//     GetExternalPerPodMetricReplicas and getPerPodUsage, getReadyPodsCount;
//   - metrics/utilization.go: GetMetricUsageRatio;
//   - horizontal.go: computeReplicasForMetric, computeStatusForObjectMetric
//     and computeStatusForExternalMetric (which calculator each target type
//     selects, and whether it gets spec.replicas or status.replicas).
//
// Upstream computes in int64 milli-units (Quantity.MilliValue) with integer
// division where it divides; so do these calculators, so that upstream's
// tables port as they are. The values come from the metrics adapter the
// cluster runs (cluster/metrics_adapter.go) through Observation.Metrics.

// MetricSourceType is autoscaling/v2 MetricSourceType, as a scenario file
// spells it.
type MetricSourceType string

const (
	// SourceResource is a per-pod resource (cpu, memory) against its
	// request: the HPA's Resource metrics (MetricTarget.Resource).
	SourceResource MetricSourceType = "resource"
	// SourcePods is a per-pod metric averaged over the pods
	// (custom.metrics.k8s.io for pods), AverageValue target.
	SourcePods MetricSourceType = "pods"
	// SourceObject is one value describing a Kubernetes object (here the
	// service's load balancer, as an Ingress), Value or AverageValue target.
	SourceObject MetricSourceType = "object"
	// SourceExternal is a value from outside the cluster
	// (external.metrics.k8s.io, here the service's message queue), Value or
	// AverageValue target.
	SourceExternal MetricSourceType = "external"
)

// The metric names the cluster's metrics adapter serves, by source. Latency
// percentiles are histogram_quantile over Prometheus' default buckets.
const (
	// Pods and Object (the load balancer's totals).
	MetricRequestsPerSecond = "requests_per_second" // requests that arrived, rate over the rate window
	MetricRequestsInFlight  = "requests_in_flight"  // requests held (in service or queued), at the last scrape
	MetricLatencyP50        = "latency_p50_seconds"
	MetricLatencyP90        = "latency_p90_seconds"
	MetricLatencyP95        = "latency_p95_seconds"
	MetricLatencyP99        = "latency_p99_seconds"
	// Pods only: requests waiting in the instance's queue for a slot.
	MetricQueueLength = "queue_length"
	// External: the service's message queue (traffic kind queue).
	MetricQueueDepth      = "queue_depth"               // messages waiting, at the last scrape
	MetricQueueMessageAge = "queue_message_age_seconds" // age of the oldest waiting message
)

// PodMetricNames, ObjectMetricNames and ExternalMetricNames list what each
// source serves, in the order the docs name them.
var (
	PodMetricNames      = []string{MetricRequestsPerSecond, MetricRequestsInFlight, MetricQueueLength, MetricLatencyP50, MetricLatencyP90, MetricLatencyP95, MetricLatencyP99}
	ObjectMetricNames   = []string{MetricRequestsPerSecond, MetricRequestsInFlight, MetricLatencyP50, MetricLatencyP90, MetricLatencyP95, MetricLatencyP99}
	ExternalMetricNames = []string{MetricQueueDepth, MetricQueueMessageAge, MetricRequestsPerSecond}
)

// MetricNamesFor returns the metric names a source serves; nil for
// resource.
func MetricNamesFor(t MetricSourceType) []string {
	switch t {
	case SourcePods:
		return PodMetricNames
	case SourceObject:
		return ObjectMetricNames
	case SourceExternal:
		return ExternalMetricNames
	}
	return nil
}

// CustomMetrics is what the metrics adapter serves at one evaluation: the
// custom metrics API (per pod and per object) and the external metrics API.
type CustomMetrics struct {
	// Pods are per-pod series: Pods[k].Values[i] is Observation.Pods[i]'s
	// value of metric Pods[k].Name (OK false: the adapter has no value for
	// that pod yet, the HPA's missing pods).
	Pods []PodSeries
	// Object are the metrics of the service's load balancer.
	Object []NamedMetric
	// External are the metrics of the external metrics API.
	External []NamedMetric
	// Live are values read from their source at the instant of the
	// evaluation, not scraped: the message queue's queue_depth and
	// queue_message_age_seconds, as a KEDA queue scaler asks its broker.
	Live []NamedMetric
	// TerminatingReady counts pods being deleted (draining) that are still
	// Running and Ready: upstream's getReadyPodsCount lists them (it does not
	// look at the deletion timestamp), so Object and External Value targets
	// count them; Observation.Pods does not list them.
	TerminatingReady int
}

// PodSeries is one per-pod metric.
type PodSeries struct {
	Name   string
	Values []Metric
}

// NamedMetric is one object or external metric.
type NamedMetric struct {
	Name   string
	Metric Metric
}

// PodSeries returns the named per-pod series, or nil.
func (c *CustomMetrics) PodSeries(name string) []Metric {
	if c == nil {
		return nil
	}
	for _, s := range c.Pods {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

func findNamed(ms []NamedMetric, name string) (Metric, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m.Metric, m.Metric.OK
		}
	}
	return Metric{}, false
}

// ObjectMetric returns the named object metric; false when it has no value.
func (c *CustomMetrics) ObjectMetric(name string) (Metric, bool) {
	if c == nil {
		return Metric{}, false
	}
	return findNamed(c.Object, name)
}

// ExternalMetric returns the named external metric; false when it has no
// value.
func (c *CustomMetrics) ExternalMetric(name string) (Metric, bool) {
	if c == nil {
		return Metric{}, false
	}
	return findNamed(c.External, name)
}

// MetricReplicaCount is what the Pods, Object and External calculators
// return.
type MetricReplicaCount struct {
	// Replicas is upstream's replicaCount, after the tolerance and
	// direction holds.
	Replicas int
	// Raw is the proportional count before those holds.
	Raw int
	// Usage is upstream's returned usage in milli-units: the average per
	// ready pod (Pods), the object's or external total (Value targets), or
	// the total per status replica, rounded up (AverageValue targets).
	Usage int64
	// UsageRatio is the ratio compared with the tolerance.
	UsageRatio float64
	// Ready, Unready and Missing count the pods (Pods metrics); Ready is
	// the ready pod count for Object and External Value targets.
	Ready, Unready, Missing int
	// Limits are the holds from Raw to Replicas.
	Limits []Limit
	// Explanation says how the count was reached.
	Explanation string
	// Err is set when no count can be computed.
	Err error
}

func (c *MetricReplicaCount) hold(name, detail string, current int) {
	c.Replicas = current
	if c.Raw != current {
		c.Limits = append(c.Limits, Limit{Name: name, From: c.Raw, To: current, Detail: detail})
	}
}

// MilliOf converts a metric value to upstream's milli-units
// (Quantity.MilliValue), saturating at the int64 range.
func MilliOf(v float64) int64 {
	m := math.Round(v * 1000)
	switch {
	case m >= math.MaxInt64:
		return math.MaxInt64
	case m <= math.MinInt64:
		return math.MinInt64
	}
	return int64(m)
}

// ceilReplicas is math.Ceil with upstream's saturation at MaxInt32.
func ceilReplicas(f float64) int {
	c := math.Ceil(f)
	if c > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(c)
}

// metricUsageRatio is metricsclient.GetMetricUsageRatio: the average is the
// total over the count, integer division, and the ratio is computed from
// that truncated average.
func metricUsageRatio(values []int64, target int64) (float64, int64) {
	var total int64
	for _, v := range values {
		total += v
	}
	usage := total / int64(len(values))
	return float64(usage) / float64(target), usage
}

// GetMetricReplicas is GetMetricReplicas (calcPlainMetricReplicas) for a
// Pods metric with an AverageValue target of targetUsage milli-units.
// values[i] is pods[i]'s sample. Pods being deleted or failed are not in
// pods (upstream ignores them); Pending pods are unready; pods without a
// sample are missing. Readiness itself is not looked at: upstream's
// groupPods applies its readiness rules to CPU only.
//
// The average over the ready pods' samples gives the ratio; without missing
// pods and without unready pods on a scale-up, the count is ceil(ratio x
// ready) or the current count within tolerance. Otherwise missing pods are
// counted at the target on a scale-down and at 0 on a scale-up, unready
// pods at 0 on a scale-up, and the count is ceil(new ratio x pods counted),
// held at the current count when within tolerance or when the direction
// would reverse.
func GetMetricReplicas(current int, pods []Pod, values []Metric, targetUsage int64, tol Tolerances) MetricReplicaCount {
	var c MetricReplicaCount
	t := tolerances{down: tol.Down, up: tol.Up}
	if len(pods) == 0 {
		c.Err = errors.New("no pods returned by selector while calculating replica count")
		return c
	}
	if targetUsage <= 0 {
		c.Err = fmt.Errorf("target average value %d milli must be positive", targetUsage)
		return c
	}
	ready := make([]int64, 0, len(pods))
	for i, p := range pods {
		switch {
		case p.Phase == PhasePending:
			c.Unready++
		case i >= len(values) || !values[i].OK:
			c.Missing++
		default:
			ready = append(ready, MilliOf(values[i].Value))
		}
	}
	c.Ready = len(ready)
	if len(ready) == 0 {
		c.Err = errors.New("did not receive metrics for targeted pods (pods might be unready)")
		return c
	}
	ratio, usage := metricUsageRatio(ready, targetUsage)
	c.Usage, c.UsageRatio = usage, ratio
	head := fmt.Sprintf("average %s vs target %s", milliStr(usage), milliStr(targetUsage))

	scaleUpWithUnready := c.Unready > 0 && ratio > 1.0
	if !scaleUpWithUnready && c.Missing == 0 {
		c.Raw = ceilReplicas(ratio * float64(c.Ready))
		c.Explanation = fmt.Sprintf("%s -> ceil(%d x %.2f) = %d", head, c.Ready, ratio, c.Raw)
		if t.within(ratio) {
			// Return the current replicas if the change would be too small.
			c.hold("tolerance", fmt.Sprintf("usage ratio %.2f within tolerance [%.2f, %.2f]", ratio, 1-t.down, 1+t.up), current)
			return c
		}
		// Without unready or missing pods the count is computed now.
		c.Replicas = c.Raw
		return c
	}

	counted := ready
	var notes []string
	if c.Missing > 0 {
		if ratio < 1.0 {
			// On a scale-down, treat missing pods as using exactly the target.
			for range c.Missing {
				counted = append(counted, targetUsage)
			}
			notes = append(notes, fmt.Sprintf("%d missing at the target", c.Missing))
		} else if ratio > 1.0 {
			// On a scale-up, treat missing pods as using 0.
			for range c.Missing {
				counted = append(counted, 0)
			}
			notes = append(notes, fmt.Sprintf("%d missing at 0", c.Missing))
		}
	}
	if scaleUpWithUnready {
		// On a scale-up, treat unready pods as using 0.
		for range c.Unready {
			counted = append(counted, 0)
		}
		notes = append(notes, fmt.Sprintf("%d unready at 0", c.Unready))
	}
	// Re-run the usage calculation with the new numbers.
	newRatio, newUsage := metricUsageRatio(counted, targetUsage)
	n := len(counted)
	c.Raw = ceilReplicas(newRatio * float64(n))
	c.Explanation = fmt.Sprintf("%s; counting %s: %s -> ceil(%d x %.2f) = %d", head, joinNotes(notes), milliStr(newUsage), n, newRatio, c.Raw)
	if name, detail := rebalancedHold(t, ratio, newRatio, c.Raw, n, current); name != "" {
		c.hold(name, detail, current)
	} else {
		c.Replicas = c.Raw
	}
	return c
}

// usageRatioReplicaCount is getUsageRatioReplicaCount: with current > 0,
// the current count within tolerance, else ceil(ratio x ready pods); at
// current 0, ceil(ratio) without tolerance (scale to zero or from zero).
func usageRatioReplicaCount(c *MetricReplicaCount, current int, ratio float64, readyPods, listedPods int, t tolerances, head string) {
	c.UsageRatio = ratio
	if current == 0 {
		// Scale to zero or n pods depending on the usage ratio.
		c.Raw = ceilReplicas(ratio)
		c.Replicas = c.Raw
		c.Explanation = fmt.Sprintf("%s at 0 replicas -> ceil(%.2f) = %d", head, ratio, c.Raw)
		return
	}
	c.Ready = readyPods
	c.Raw = ceilReplicas(ratio * float64(readyPods))
	c.Explanation = fmt.Sprintf("%s -> ceil(%d ready x %.2f) = %d", head, readyPods, ratio, c.Raw)
	if t.within(ratio) {
		// Return the current replicas if the change would be too small.
		c.hold("tolerance", fmt.Sprintf("usage ratio %.2f within tolerance [%.2f, %.2f]", ratio, 1-t.down, 1+t.up), current)
		return
	}
	if listedPods == 0 {
		c.Err = errors.New("unable to calculate ready pods: no pods returned by selector while calculating replica count")
		return
	}
	c.Replicas = c.Raw
}

// GetObjectMetricReplicas is GetObjectMetricReplicas: an Object metric
// with a Value target. usage and targetUsage are milli-units; current is
// spec.replicas; readyPods counts the pods Running and Ready (being deleted
// or not, as getReadyPodsCount counts them) among listedPods.
func GetObjectMetricReplicas(current int, usage, targetUsage int64, readyPods, listedPods int, tol Tolerances) MetricReplicaCount {
	c := MetricReplicaCount{Usage: usage}
	if targetUsage <= 0 {
		c.Err = fmt.Errorf("target value %d milli must be positive", targetUsage)
		return c
	}
	ratio := float64(usage) / float64(targetUsage)
	usageRatioReplicaCount(&c, current, ratio, readyPods, listedPods, tolerances{down: tol.Down, up: tol.Up},
		fmt.Sprintf("value %s vs target %s", milliStr(usage), milliStr(targetUsage)))
	return c
}

// GetExternalMetricReplicas is GetExternalMetricReplicas: an External
// metric with a Value target; the values the external API returns are
// summed (saturating at MaxInt64), then as GetObjectMetricReplicas.
func GetExternalMetricReplicas(current int, values []int64, targetUsage int64, readyPods, listedPods int, tol Tolerances) MetricReplicaCount {
	return GetObjectMetricReplicas(current, sumSaturating(values), targetUsage, readyPods, listedPods, tol)
}

// GetObjectPerPodMetricReplicas is GetObjectPerPodMetricReplicas: an
// Object metric with an AverageValue target. statusReplicas is
// status.replicas (the pods that exist and are not being deleted); the
// ratio is usage / (target x statusReplicas), and outside tolerance the
// count is ceil(usage / target). The usage reported is per status replica.
func GetObjectPerPodMetricReplicas(statusReplicas int, usage, targetAverageUsage int64, tol Tolerances) MetricReplicaCount {
	return perPodReplicas(statusReplicas, usage, targetAverageUsage, tol)
}

// GetExternalPerPodMetricReplicas is GetExternalPerPodMetricReplicas: an
// External metric with an AverageValue target, the values summed first.
func GetExternalPerPodMetricReplicas(statusReplicas int, values []int64, targetUsagePerPod int64, tol Tolerances) MetricReplicaCount {
	return perPodReplicas(statusReplicas, sumSaturating(values), targetUsagePerPod, tol)
}

func perPodReplicas(statusReplicas int, usage, target int64, tol Tolerances) MetricReplicaCount {
	c := MetricReplicaCount{}
	if target <= 0 {
		c.Err = fmt.Errorf("target average value %d milli must be positive", target)
		return c
	}
	t := tolerances{down: tol.Down, up: tol.Up}
	// At 0 status replicas the ratio is +Inf (or NaN for a usage of 0),
	// never within tolerance: the count is then ceil(usage / target).
	ratio := float64(usage) / (float64(target) * float64(statusReplicas))
	c.UsageRatio = ratio
	c.Raw = ceilReplicas(float64(usage) / float64(target))
	c.Explanation = fmt.Sprintf("total %s vs %s per pod x %d pods -> ceil(%s / %s) = %d",
		milliStr(usage), milliStr(target), statusReplicas, milliStr(usage), milliStr(target), c.Raw)
	if t.within(ratio) {
		c.hold("tolerance", fmt.Sprintf("usage ratio %.2f within tolerance [%.2f, %.2f]", ratio, 1-t.down, 1+t.up), statusReplicas)
	} else {
		// Update the number of replicas if the change is large enough.
		c.Replicas = c.Raw
	}
	c.Usage = perPodUsage(usage, statusReplicas)
	return c
}

// perPodUsage is getPerPodUsage: MaxInt64 on overflow, 0 at 0 replicas,
// else ceil(usage / replicas).
func perPodUsage(usage int64, statusReplicas int) int64 {
	if float64(usage) >= float64(math.MaxInt64) {
		return math.MaxInt64
	}
	if statusReplicas == 0 {
		return 0
	}
	return int64(math.Ceil(float64(usage) / float64(statusReplicas)))
}

// sumSaturating adds the values, capping at MaxInt64 on positive overflow.
func sumSaturating(values []int64) int64 {
	var usage int64
	for _, v := range values {
		if v > 0 && usage > math.MaxInt64-v {
			return math.MaxInt64
		}
		usage += v
	}
	return usage
}

// milliStr prints a milli-unit value in units: 20666 -> "20.666".
func milliStr(m int64) string {
	if m == math.MaxInt64 {
		return "MaxInt64"
	}
	return fmt.Sprintf("%g", float64(m)/1000)
}

// readyCount is getReadyPodsCount over the listed pods: Running and Ready.
func readyCount(pods []Pod) int {
	n := 0
	for _, p := range pods {
		if p.Phase == PhaseRunning && p.Ready {
			n++
		}
	}
	return n
}

// metricCalc is one metric's outcome, whatever its source, for
// computeReplicasForMetrics.
type metricCalc struct {
	proposal int
	raw      int
	limits   []Limit
	text     string
	inputs   []Input
	err      error
}

// customReplicas is computeReplicasForMetric for a Pods, Object or
// External metric: which calculator the target selects, with spec.replicas
// (o.Current) or status.replicas (the pods listed).
func customReplicas(now sim.Time, o Observation, m MetricTarget, tol tolerances) metricCalc {
	_ = now
	T := Tolerances{Down: tol.down, Up: tol.up}
	key := string(m.Type) + "_" + m.Metric
	var r MetricReplicaCount
	var what string
	switch m.Type {
	case SourcePods:
		what = "pods metric " + m.Metric
		vals := o.Metrics.PodSeries(m.Metric)
		if vals == nil {
			r.Err = fmt.Errorf("unable to get metric %s: no metrics returned from custom metrics API", m.Metric)
			break
		}
		r = GetMetricReplicas(o.Current, o.Pods, vals, MilliOf(m.TargetAverageValue), T)
	case SourceObject, SourceExternal:
		var v Metric
		var ok bool
		if m.Type == SourceObject {
			what = "object metric " + m.Metric
			v, ok = o.Metrics.ObjectMetric(m.Metric)
		} else {
			what = "external metric " + m.Metric
			v, ok = o.Metrics.ExternalMetric(m.Metric)
		}
		if !ok {
			r.Err = fmt.Errorf("unable to get %s: no value from the metrics adapter yet", what)
			break
		}
		usage := MilliOf(v.Value)
		ready := readyCount(o.Pods) + o.Metrics.terminatingReady()
		switch {
		case m.TargetValue > 0 && m.Type == SourceObject:
			r = GetObjectMetricReplicas(o.Current, usage, MilliOf(m.TargetValue), ready, len(o.Pods)+o.Metrics.terminatingReady(), T)
		case m.TargetValue > 0:
			r = GetExternalMetricReplicas(o.Current, []int64{usage}, MilliOf(m.TargetValue), ready, len(o.Pods)+o.Metrics.terminatingReady(), T)
		case m.Type == SourceObject:
			r = GetObjectPerPodMetricReplicas(len(o.Pods), usage, MilliOf(m.TargetAverageValue), T)
		default:
			r = GetExternalPerPodMetricReplicas(len(o.Pods), []int64{usage}, MilliOf(m.TargetAverageValue), T)
		}
	default:
		r.Err = fmt.Errorf("unknown metric source type %q", m.Type)
	}
	c := metricCalc{proposal: r.Replicas, raw: r.Raw, limits: r.Limits, err: r.Err}
	target := m.TargetAverageValue
	tname := "_target_average_value"
	if m.TargetValue > 0 {
		target, tname = m.TargetValue, "_target_value"
	}
	c.inputs = []Input{{Name: key + tname, Value: target}}
	if r.Err != nil {
		return c
	}
	c.text = what + ": " + r.Explanation
	c.inputs = append(c.inputs,
		Input{Name: key + "_usage", Value: float64(r.Usage) / 1000},
		Input{Name: key + "_usage_ratio", Value: r.UsageRatio},
	)
	if m.Type == SourcePods {
		c.inputs = append(c.inputs,
			Input{Name: key + "_ready_pods", Value: float64(r.Ready)},
			Input{Name: key + "_unready_pods", Value: float64(r.Unready)},
			Input{Name: key + "_missing_pods", Value: float64(r.Missing)},
		)
	}
	return c
}

func (c *CustomMetrics) terminatingReady() int {
	if c == nil {
		return 0
	}
	return c.TerminatingReady
}

// validateCustom checks a Pods, Object or External metric target.
func (m MetricTarget) validateCustom(i int, anyExternal bool) []error {
	var errs []error
	f := func(k string) string { return fmt.Sprintf("metrics[%d].%s", i, k) }
	names := MetricNamesFor(m.Type)
	if !containsStr(names, m.Metric) && !(anyExternal && m.Type == SourceExternal && m.Metric != "") {
		errs = append(errs, fieldErr(f("metric"), "%q is not a %s metric; allowed: %s", m.Metric, m.Type, joinComma(names)))
	}
	if m.TargetUtilization != 0 {
		errs = append(errs, fieldErr(f("target_utilization"), "is for resource metrics; a %s metric takes target_value or target_average_value", m.Type))
	}
	switch {
	case m.TargetValue < 0 || math.IsNaN(m.TargetValue):
		errs = append(errs, fieldErr(f("target_value"), "%g must be greater than 0", m.TargetValue))
	case m.TargetAverageValue < 0 || math.IsNaN(m.TargetAverageValue):
		errs = append(errs, fieldErr(f("target_average_value"), "%g must be greater than 0", m.TargetAverageValue))
	case m.Type == SourcePods && m.TargetValue > 0:
		errs = append(errs, fieldErr(f("target_value"), "a pods metric takes target_average_value (autoscaling/v2 allows only AverageValue for Pods)"))
	case m.TargetValue > 0 && m.TargetAverageValue > 0:
		errs = append(errs, fieldErr(f("target_average_value"), "give target_value or target_average_value, not both"))
	case m.TargetValue == 0 && m.TargetAverageValue == 0:
		if m.Type == SourcePods {
			errs = append(errs, fieldErr(f("target_average_value"), "is required for a pods metric, e.g. 50"))
		} else {
			errs = append(errs, fieldErr(f("target_value"), "is required for %s metrics (or target_average_value), e.g. 100", m.Type))
		}
	}
	return errs
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinComma(list []string) string {
	s := ""
	for i, x := range list {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// Custom reports whether the target is a Pods, Object or External metric.
func (m MetricTarget) Custom() bool {
	return m.Type != "" && m.Type != SourceResource
}
