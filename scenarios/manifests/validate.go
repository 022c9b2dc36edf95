package manifests

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The API server's validation of the fields the reader translates, so
// that a manifest `kubectl apply` would refuse is refused here at its
// Kubernetes field path (kubernetes pkg/apis/core/validation ValidateProbe
// and validateTopologySpreadConstraints, pkg/apis/apps/validation
// ValidateDeploymentSpec, pkg/apis/autoscaling/validation
// validateHorizontalPodAutoscalerSpec and validateScalingRules,
// pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec).

// Limits of autoscaling/v2 behavior (pkg/apis/autoscaling/validation).
const (
	maxPeriodSeconds              = 1800
	maxStabilizationWindowSeconds = 3600
)

type validator struct {
	r *reader
	l *locator
}

func (v validator) fail(msg string, segs ...any) { v.r.fail(v.l.diag(msg, segs...)) }

func (v validator) nonNegative(n int64, segs ...any) {
	if n < 0 {
		v.fail(fmt.Sprintf("must be at least 0; got %d", n), segs...)
	}
}

func (v validator) podSpec(ps *corev1.PodSpec) {
	if ps.TerminationGracePeriodSeconds != nil {
		v.nonNegative(*ps.TerminationGracePeriodSeconds, at(spec, "terminationGracePeriodSeconds")...)
	}
	for i, c := range ps.Containers {
		for _, p := range []struct {
			probe *corev1.Probe
			name  string
		}{{c.ReadinessProbe, "readinessProbe"}, {c.LivenessProbe, "livenessProbe"}, {c.StartupProbe, "startupProbe"}} {
			if p.probe == nil {
				continue
			}
			base := at(spec, "containers", i, p.name)
			v.nonNegative(int64(p.probe.InitialDelaySeconds), at(base, "initialDelaySeconds")...)
			v.nonNegative(int64(p.probe.TimeoutSeconds), at(base, "timeoutSeconds")...)
			v.nonNegative(int64(p.probe.PeriodSeconds), at(base, "periodSeconds")...)
			v.nonNegative(int64(p.probe.SuccessThreshold), at(base, "successThreshold")...)
			v.nonNegative(int64(p.probe.FailureThreshold), at(base, "failureThreshold")...)
			if p.name != "readinessProbe" && p.probe.SuccessThreshold > 1 {
				v.fail("must be 1 for a "+p.name, at(base, "successThreshold")...)
			}
		}
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			v.nonNegative(c.Lifecycle.PreStop.Sleep.Seconds, at(spec, "containers", i, "lifecycle", "preStop", "sleep", "seconds")...)
		}
	}
	for i, t := range ps.TopologySpreadConstraints {
		base := at(spec, "topologySpreadConstraints", i)
		if t.MaxSkew <= 0 {
			v.fail(fmt.Sprintf("must be greater than 0; got %d", t.MaxSkew), at(base, "maxSkew")...)
		}
		if t.WhenUnsatisfiable != corev1.DoNotSchedule && t.WhenUnsatisfiable != corev1.ScheduleAnyway {
			v.fail(fmt.Sprintf("unknown value %q; allowed: DoNotSchedule, ScheduleAnyway", t.WhenUnsatisfiable), at(base, "whenUnsatisfiable")...)
		}
		if t.MinDomains != nil && *t.MinDomains <= 0 {
			v.fail(fmt.Sprintf("must be greater than 0; got %d", *t.MinDomains), at(base, "minDomains")...)
		}
	}
}

func (v validator) replicas(p *int32) {
	if p != nil {
		v.nonNegative(int64(*p), "spec", "replicas")
	}
}

func (v validator) strategy(s appsv1.DeploymentStrategy) {
	if s.RollingUpdate == nil {
		return
	}
	base := []any{"spec", "strategy", "rollingUpdate"}
	v.intOrPercent(s.RollingUpdate.MaxSurge, at(base, "maxSurge")...)
	v.intOrPercent(s.RollingUpdate.MaxUnavailable, at(base, "maxUnavailable")...)
	if s.RollingUpdate.MaxSurge != nil && s.RollingUpdate.MaxUnavailable != nil &&
		isZero(s.RollingUpdate.MaxSurge) && isZero(s.RollingUpdate.MaxUnavailable) {
		v.fail("may not be 0 when maxSurge is 0 (the rollout could never progress)", at(base, "maxUnavailable")...)
	}
}

func isZero(x *intstr.IntOrString) bool {
	return x.Type == intstr.Int && x.IntVal == 0 || x.Type == intstr.String && x.StrVal == "0%"
}

// intOrPercent: a whole number from 0, or a percentage from 0% to 100%.
func (v validator) intOrPercent(x *intstr.IntOrString, segs ...any) {
	if x == nil {
		return
	}
	if x.Type == intstr.Int {
		v.nonNegative(int64(x.IntVal), segs...)
		return
	}
	s, ok := strings.CutSuffix(x.StrVal, "%")
	n, err := strconv.Atoi(s)
	if !ok || err != nil {
		v.fail(fmt.Sprintf("%q is neither a whole number nor a percentage such as 25%%", x.StrVal), segs...)
		return
	}
	if n < 0 || n > 100 {
		v.fail(fmt.Sprintf("%q: a percentage must be from 0%% to 100%%", x.StrVal), segs...)
	}
}

func (v validator) hpaSpec(min *int32, max int32) {
	if min != nil && *min < 1 {
		v.fail(fmt.Sprintf("must be at least 1; got %d", *min), "spec", "minReplicas")
	}
	if max < 1 {
		v.fail(fmt.Sprintf("must be at least 1; got %d", max), "spec", "maxReplicas")
	} else if min != nil && max < *min {
		v.fail(fmt.Sprintf("must be at least minReplicas (%d); got %d", *min, max), "spec", "maxReplicas")
	}
}

func (v validator) metrics(ms []autoscalingv2.MetricSpec) {
	for i, m := range ms {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Target.AverageUtilization != nil && *m.Resource.Target.AverageUtilization <= 0 {
			v.fail(fmt.Sprintf("must be greater than 0; got %d", *m.Resource.Target.AverageUtilization), "spec", "metrics", i, "resource", "target", "averageUtilization")
		}
	}
}

func (v validator) behavior(b *autoscalingv2.HorizontalPodAutoscalerBehavior) {
	if b == nil {
		return
	}
	for _, d := range []struct {
		rules *autoscalingv2.HPAScalingRules
		name  string
	}{{b.ScaleUp, "scaleUp"}, {b.ScaleDown, "scaleDown"}} {
		r := d.rules
		if r == nil {
			continue
		}
		base := []any{"spec", "behavior", d.name}
		if w := r.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > maxStabilizationWindowSeconds) {
			v.fail(fmt.Sprintf("must be from 0 to %d; got %d", maxStabilizationWindowSeconds, *w), at(base, "stabilizationWindowSeconds")...)
		}
		if s := r.SelectPolicy; s != nil && *s != autoscalingv2.MaxChangePolicySelect && *s != autoscalingv2.MinChangePolicySelect && *s != autoscalingv2.DisabledPolicySelect {
			v.fail(fmt.Sprintf("unknown value %q; allowed: Max, Min, Disabled", *s), at(base, "selectPolicy")...)
		}
		for i, p := range r.Policies {
			pb := at(base, "policies", i)
			if p.Type != autoscalingv2.PodsScalingPolicy && p.Type != autoscalingv2.PercentScalingPolicy {
				v.fail(fmt.Sprintf("unknown value %q; allowed: Pods, Percent", p.Type), at(pb, "type")...)
			}
			if p.Value <= 0 {
				v.fail(fmt.Sprintf("must be greater than 0; got %d", p.Value), at(pb, "value")...)
			}
			if p.PeriodSeconds <= 0 || p.PeriodSeconds > maxPeriodSeconds {
				v.fail(fmt.Sprintf("must be greater than 0 and at most %d (30 minutes); got %d", maxPeriodSeconds, p.PeriodSeconds), at(pb, "periodSeconds")...)
			}
		}
	}
}
