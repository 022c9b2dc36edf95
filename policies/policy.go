// Package policies holds the autoscaling decisions: pure calculators from what
// an autoscaler observes to a recommendation, and the machinery they share
// (bounds, tolerance, stabilization windows, rate policies).
//
// A policy never reaches into the simulated cluster. It is handed an
// Observation, which holds only what a real autoscaler could know at that
// moment: metrics as the metrics pipeline last scraped them, pod phases and
// readiness, requests in flight counted at the load balancer. Time is an
// argument, never read from a clock, so tests step it by hand (as Knative's
// autoscaler tests do).
package policies

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Policy is an autoscaler's decision logic. Implementations may keep state
// between calls (stabilization history, a window of samples), but that state
// moves only with the now passed in.
type Policy interface {
	// Name is the policy's scenario name, e.g. "cpu" or "requests-in-flight".
	Name() string
	// Recommend is called once per evaluation interval.
	Recommend(now sim.Time, o Observation) Recommendation
}

// Observation is what an autoscaler sees at one evaluation.
type Observation struct {
	// Current is the replica count the workload is currently asked to run
	// (a Deployment's spec.replicas): the last desired count, including
	// instances that are still starting.
	Current int
	// Min and Max bound the recommendation (replicas.min, replicas.max).
	Min, Max int
	// Pods lists every instance of the service that is not draining or
	// terminated, in creation order.
	Pods []Pod
	// InFlight is the number of requests in flight counted at the load
	// balancer at this moment: a token is added when a request arrives and
	// removed when its response leaves or the client gives up.
	InFlight float64
	// Latency is the latency percentile over the autoscaler's metrics window.
	Latency LatencyMetric
	// Concurrency is what the KPA's metric collector scraped since the
	// previous evaluation (kpa_policy.go); empty unless the policy asks for
	// it.
	Concurrency Concurrency
}

// Phase is where an instance is in its lifecycle, as far as the autoscaler
// can tell.
type Phase uint8

const (
	// PhasePending: created but not yet running (not scheduled, or its node is
	// still being provisioned). Kubernetes: PodPending.
	PhasePending Phase = iota
	// PhaseRunning: the process runs; it may or may not be ready.
	PhaseRunning
)

// Pod is one instance as an autoscaler sees it.
type Pod struct {
	// ID identifies the instance within its service; stable for its life.
	ID int
	// Phase is Pending or Running.
	Phase Phase
	// Ready reports the readiness condition.
	Ready bool
	// Created is when the instance was created (scale-out decision applied).
	Created sim.Time
	// Started is when the instance started running (Kubernetes
	// pod.Status.StartTime); meaningful only when Phase is PhaseRunning.
	Started sim.Time
	// ReadyChanged is the last time the readiness condition changed
	// (Kubernetes LastTransitionTime of the Ready condition).
	ReadyChanged sim.Time
	// CPU is the CPU usage in cores as last scraped, averaged over the
	// metric's window.
	CPU Metric
	// Memory is the working-set memory in bytes as last scraped.
	Memory Metric
	// CPURequest is the instance's CPU request in cores.
	CPURequest float64
	// MemoryRequest is the instance's memory request in bytes.
	MemoryRequest float64
}

// Metric is one scraped value.
type Metric struct {
	// OK is false when the metrics pipeline has no value for this instance
	// yet (a new pod not scraped yet): the HPA's "missing" pods.
	OK bool
	// Value is in the metric's unit (cores for CPU, bytes for memory).
	Value float64
	// Timestamp is when the sample's window ended.
	Timestamp sim.Time
	// Window is the length of the averaging window the sample covers.
	Window time.Duration
}

// LatencyMetric is a latency percentile over a window of completed requests.
type LatencyMetric struct {
	// Percentile is the percentile reported, e.g. 95.
	Percentile float64
	// Seconds is the percentile's value; meaningful only when Count > 0.
	Seconds float64
	// Count is how many requests completed within the window.
	Count int
}

// Recommendation is a policy's answer at one evaluation.
type Recommendation struct {
	// Valid is false when the policy makes no decision this time (no
	// metrics, its window is not full yet): the replica count stays as is.
	Valid bool
	// Desired is the final replica count after every limit below.
	Desired int
	// Raw is the calculator's count before any limit was applied.
	Raw int
	// Reason is a short stable word for the outcome, for tallies:
	// e.g. "scale-up", "scale-down", "within-tolerance", "no-metrics",
	// "window-not-full", "pending-instance", "unchanged".
	//
	// The full vocabulary of this package: a change is "scale-up" or
	// "scale-down" (or "startup-timeout" when requests-in-flight terminated
	// instances that never joined); a count held by a rule is named after the
	// last limit that held it: "within-tolerance", "direction-change",
	// "stabilized", "rate-limited", "scaling-disabled", "pending-instance",
	// "at-min", "at-max"; otherwise "unchanged". No decision (Valid=false):
	// "no-metrics", "window-not-full", "too-few-samples", "no-ready-pods",
	// "scaling-disabled" (HPA at 0 replicas with min > 0). The KPA, AWS and
	// predictive policies add "scale-to-zero-wait", "cooldown", "warmup" and
	// "forecast" (kpa_policy.go, aws_target_tracking.go, predictive.go).
	Reason Reason
	// Inputs are the values the decision was computed from, in the order
	// they were used (metric values, ratios, replica counts).
	Inputs []Input
	// Limits lists every rule that changed or held the count, in the order
	// applied. Empty when Raw reached Desired untouched.
	Limits []Limit
	// Explanation is one human sentence, e.g. "utilization 92% vs target
	// 70% -> ceil(4 x 1.31) = 6; scale-up policy allows +4 per 15s -> 6".
	Explanation string
	// Terminate names instances (Pod.ID) the policy asks to remove outright,
	// e.g. WSO2's termination of an instance that did not join within its
	// startup delay. Usually empty.
	Terminate []int
}

// Input is one named value a decision used.
type Input struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Limit is one rule applied on the way from Raw to Desired.
type Limit struct {
	// Name is the rule: "tolerance", "min", "max", "stabilization",
	// "rate-policy", "pending", "scale-up-disabled", ...
	//
	// The full list in this package: "tolerance" and "direction-change" (the
	// HPA and latency calculators keeping the current count), "stabilization"
	// (a stabilization window), "rate-policy" (behavior rate policies),
	// "scale-up-limit" (the HPA's older path cap, max(2 x current, 4)),
	// "scale-up-disabled" / "scale-down-disabled" (select_policy Disabled),
	// "min" and "max" (replica bounds; for requests-in-flight also its
	// running < max and running > min checks and its launch to keep min),
	// "pending" (no scale-up, or for latency no scale-down, while instances
	// are starting) and "startup-timeout" (instances terminated because they
	// did not join within server_startup_delay); the KPA's "scale-down-delay"
	// and "scale-to-zero", the AWS policies' "warmup", "cooldown" and
	// "scale-in-disabled", predictive's "forecast".
	Name string `json:"name"`
	// From and To are the counts before and after the rule.
	From int `json:"from"`
	To   int `json:"to"`
	// Detail says why, in words.
	Detail string `json:"detail,omitempty"`
}

// Reason is a Recommendation's short stable word for its outcome (see
// Recommendation.Reason).
type Reason string

// The reasons of this package's policies.
const (
	ReasonScaleUp         Reason = "scale-up"
	ReasonScaleDown       Reason = "scale-down"
	ReasonStartupTimeout  Reason = "startup-timeout"
	ReasonWithinTolerance Reason = "within-tolerance"
	ReasonDirectionChange Reason = "direction-change"
	ReasonStabilized      Reason = "stabilized"
	ReasonRateLimited     Reason = "rate-limited"
	ReasonScalingDisabled Reason = "scaling-disabled"
	ReasonPendingInstance Reason = "pending-instance"
	ReasonAtMin           Reason = "at-min"
	ReasonAtMax           Reason = "at-max"
	ReasonUnchanged       Reason = "unchanged"
	ReasonNoMetrics       Reason = "no-metrics"
	ReasonWindowNotFull   Reason = "window-not-full"
	ReasonTooFewSamples   Reason = "too-few-samples"
	ReasonNoReadyPods     Reason = "no-ready-pods"
)
