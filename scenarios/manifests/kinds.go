package manifests

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scalesim/scalesim/policies"
)

// kindDef is one Kubernetes kind the reader understands.
type kindDef struct {
	versions map[string]func() any
	fields   fieldTable
	read     func(r *reader, e *Entry, l *locator, obj any)
}

var kinds map[string]kindDef

func init() {
	kinds = map[string]kindDef{
		"Deployment": {
			versions: map[string]func() any{"apps/v1": func() any { return &appsv1.Deployment{} }},
			fields:   deploymentFields,
			read:     readDeployment,
		},
		"StatefulSet": {
			versions: map[string]func() any{"apps/v1": func() any { return &appsv1.StatefulSet{} }},
			fields:   statefulSetFields,
			read:     readStatefulSet,
		},
		"HorizontalPodAutoscaler": {
			versions: map[string]func() any{
				"autoscaling/v2": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
				"autoscaling/v1": func() any { return &autoscalingv1.HorizontalPodAutoscaler{} },
			},
			fields: hpaFields,
			read:   readHPA,
		},
		"PodDisruptionBudget": {
			versions: map[string]func() any{"policy/v1": func() any { return &policyv1.PodDisruptionBudget{} }},
			fields:   pdbFields,
			read:     readPDB,
		},
		"Service": {
			versions: map[string]func() any{"v1": func() any { return &corev1.Service{} }},
			fields:   serviceFields,
			read:     readService,
		},
		"Ingress": {
			versions: map[string]func() any{"networking.k8s.io/v1": func() any { return &networkingv1.Ingress{} }},
			fields:   ingressFields,
			read:     readIngress,
		},
	}
}

// workload is a Deployment or StatefulSet: one scenario service.
type workload struct {
	kind, name string
	service    string // the scenario service: name, or the entry's service
	loc        *locator
	labels     map[string]string
	values     []Value
	replicas   *int32
	hpa        *hpaObj
	pdb        *pdbObj
	svc        *svcObj
	cloud      *cloudObj
}

func (w *workload) ref() string { return w.kind + "/" + w.name + " (" + w.loc.file + ")" }

func readDeployment(r *reader, e *Entry, l *locator, obj any) {
	d := obj.(*appsv1.Deployment)
	w := &workload{kind: "Deployment", name: d.Name, service: d.Name, loc: l, labels: d.Spec.Template.Labels, replicas: d.Spec.Replicas}
	v, before := validator{r, l}, len(r.diags)
	v.replicas(d.Spec.Replicas)
	v.podSpec(&d.Spec.Template.Spec)
	v.strategy(d.Spec.Strategy)
	if len(r.diags) > before {
		return
	}
	r.pod(w, &d.Spec.Template.Spec)
	// The rollout strategy: RollingUpdate with 25% / 25% by default
	// (SetDefaults_Deployment, pkg/apis/apps/v1/defaults.go).
	if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		w.values = append(w.values, l.value("rollout.max_surge", "0", "spec", "strategy", "type"),
			l.value("rollout.max_unavailable", `"100%"`, "spec", "strategy", "type"))
	} else if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			w.values = append(w.values, l.value("rollout.max_surge", quoteIntStr(ru.MaxSurge.String()), "spec", "strategy", "rollingUpdate", "maxSurge"))
		}
		if ru.MaxUnavailable != nil {
			w.values = append(w.values, l.value("rollout.max_unavailable", quoteIntStr(ru.MaxUnavailable.String()), "spec", "strategy", "rollingUpdate", "maxUnavailable"))
		}
	}
	if d.Spec.MinReadySeconds > 0 {
		w.values = append(w.values, l.value("rollout.min_ready_seconds", strconv.Itoa(int(d.Spec.MinReadySeconds)), "spec", "minReadySeconds"))
	}
	r.addWorkload(w)
}

func readStatefulSet(r *reader, e *Entry, l *locator, obj any) {
	s := obj.(*appsv1.StatefulSet)
	w := &workload{kind: "StatefulSet", name: s.Name, service: s.Name, loc: l, labels: s.Spec.Template.Labels, replicas: s.Spec.Replicas}
	v, before := validator{r, l}, len(r.diags)
	v.replicas(s.Spec.Replicas)
	v.podSpec(&s.Spec.Template.Spec)
	if len(r.diags) > before {
		return
	}
	r.pod(w, &s.Spec.Template.Spec)
	if s.Spec.MinReadySeconds > 0 {
		w.values = append(w.values, l.value("rollout.min_ready_seconds", strconv.Itoa(int(s.Spec.MinReadySeconds)), "spec", "minReadySeconds"))
	}
	if u := s.Spec.UpdateStrategy.RollingUpdate; u != nil && u.MaxUnavailable != nil {
		w.values = append(w.values, l.value("rollout.max_unavailable", quoteIntStr(u.MaxUnavailable.String()), "spec", "updateStrategy", "rollingUpdate", "maxUnavailable"))
	}
	r.addWorkload(w)
}

func (r *reader) addWorkload(w *workload) {
	for _, o := range r.workloads {
		if o.name == w.name && o.kind == w.kind {
			r.fail(w.loc.diag(fmt.Sprintf("a second %s named %q; the first is in %s", w.kind, w.name, o.loc.file), "metadata", "name"))
			return
		}
	}
	r.workloads = append(r.workloads, w)
}

func quoteIntStr(s string) string {
	if _, err := strconv.Atoi(s); err == nil {
		return s
	}
	return strconv.Quote(s)
}

func seconds(s int64) string { return strconv.FormatInt(s, 10) + "s" }

var spec = []any{"spec", "template", "spec"}

func at(base []any, more ...any) []any { return append(append([]any{}, base...), more...) }

// pod reads a pod template's spec into scenario keys.
func (r *reader) pod(w *workload, ps *corev1.PodSpec) {
	l := w.loc
	// Resources: summed over the containers, sidecars included (init
	// containers run before and are left out). A container without a
	// request but with a limit requests its limit, as the API server
	// defaults it (SetDefaults_Pod, pkg/apis/core/v1/defaults.go).
	type sum struct {
		total   resource.Quantity
		first   []any
		n       int
		missing bool
	}
	var req, lim [2]sum
	names := [2]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory}
	for i, c := range ps.Containers {
		for j, name := range names {
			q, hasReq := c.Resources.Requests[name]
			lq, hasLim := c.Resources.Limits[name]
			if !hasReq && hasLim {
				q, hasReq = lq, true
			}
			if hasReq {
				if req[j].n == 0 {
					if _, ok := c.Resources.Requests[name]; ok {
						req[j].first = at(spec, "containers", i, "resources", "requests", string(name))
					} else {
						req[j].first = at(spec, "containers", i, "resources", "limits", string(name))
					}
				}
				req[j].total.Add(q)
				req[j].n++
			}
			if hasLim {
				if lim[j].n == 0 {
					lim[j].first = at(spec, "containers", i, "resources", "limits", string(name))
				}
				lim[j].total.Add(lq)
				lim[j].n++
			} else {
				lim[j].missing = true
			}
		}
	}
	keys := [2][2]string{{"instance.cpu_request", "instance.memory_request"}, {"instance.cpu_limit", "instance.memory_limit"}}
	for j := range names {
		if req[j].n > 0 {
			w.values = append(w.values, l.value(keys[0][j], strconv.Quote(req[j].total.String()), req[j].first...))
		}
		if lim[j].n > 0 && !lim[j].missing {
			w.values = append(w.values, l.value(keys[1][j], strconv.Quote(lim[j].total.String()), lim[j].first...))
		} else if lim[j].n > 0 {
			r.ignore(l.file, nodeAt(l, lim[j].first...), w.kind, l.field(lim[j].first...), "limits-partial "+string(names[j]),
				fmt.Sprintf("only some containers have a %s limit, so the pod as a whole has none; not simulated as a limit", names[j]))
		}
	}
	// Graceful shutdown: terminationGracePeriodSeconds, default 30
	// (SetDefaults_PodSpec).
	grace := int64(30)
	if ps.TerminationGracePeriodSeconds != nil {
		grace = *ps.TerminationGracePeriodSeconds
	}
	w.values = append(w.values, l.value("instance.drain.grace_period", seconds(grace), at(spec, "terminationGracePeriodSeconds")...))
	// preStop: an exec `sleep N` (or sh -c "sleep N") or the sleep action;
	// containers stop in parallel, so the longest counts.
	var preStop int64 = -1
	var preStopAt []any
	for i, c := range ps.Containers {
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
			continue
		}
		h := c.Lifecycle.PreStop
		base := at(spec, "containers", i, "lifecycle", "preStop")
		var secs int64 = -1
		switch {
		case h.Sleep != nil:
			secs = h.Sleep.Seconds
			base = append(base, "sleep", "seconds")
		case h.Exec != nil:
			if s, ok := sleepCommand(h.Exec.Command); ok {
				secs = s
				base = append(base, "exec", "command")
			}
		}
		if secs < 0 {
			r.ignore(l.file, nodeAt(l, base...), w.kind, l.field(base...), "prestop-other",
				"a preStop hook other than a sleep (an exec `sleep N` or the sleep action) is not simulated; ignored")
			continue
		}
		if secs > preStop {
			preStop, preStopAt = secs, base
		}
	}
	if preStop >= 0 {
		w.values = append(w.values, l.value("instance.drain.pre_stop", seconds(preStop), preStopAt...))
	}
	// Probes: the first container that has each (the application's;
	// sidecars rarely gate readiness).
	probes := []struct {
		key string
		get func(c *corev1.Container) *corev1.Probe
		k8s string
	}{
		{"probes.readiness", func(c *corev1.Container) *corev1.Probe { return c.ReadinessProbe }, "readinessProbe"},
		{"probes.liveness", func(c *corev1.Container) *corev1.Probe { return c.LivenessProbe }, "livenessProbe"},
		{"probes.startup", func(c *corev1.Container) *corev1.Probe { return c.StartupProbe }, "startupProbe"},
	}
	for _, p := range probes {
		done := false
		for i := range ps.Containers {
			pr := p.get(&ps.Containers[i])
			if pr == nil {
				continue
			}
			base := at(spec, "containers", i, p.k8s)
			if done {
				r.ignore(l.file, nodeAt(l, base...), w.kind, l.field(base...), "probe-second "+p.k8s,
					"a second container's "+p.k8s+"; scalesim simulates the first container's")
				continue
			}
			done = true
			w.values = append(w.values, probeValues(l, p.key, pr, base)...)
		}
	}
	// Topology spread: the first constraint over zones.
	zoneDone := false
	for i, t := range ps.TopologySpreadConstraints {
		base := at(spec, "topologySpreadConstraints", i)
		if t.TopologyKey != corev1.LabelTopologyZone && t.TopologyKey != corev1.LabelFailureDomainBetaZone || zoneDone {
			r.ignore(l.file, nodeAt(l, base...), w.kind, l.field(base...), "spread "+t.TopologyKey,
				fmt.Sprintf("a spread over %q is not simulated (scalesim spreads over zones, %s, once); ignored", t.TopologyKey, corev1.LabelTopologyZone))
			continue
		}
		zoneDone = true
		w.values = append(w.values,
			l.value("topology_spread.max_skew", strconv.Itoa(int(t.MaxSkew)), at(base, "maxSkew")...),
			l.value("topology_spread.when_unsatisfiable", string(t.WhenUnsatisfiable), at(base, "whenUnsatisfiable")...))
		if t.MinDomains != nil {
			w.values = append(w.values, l.value("topology_spread.min_domains", strconv.Itoa(int(*t.MinDomains)), at(base, "minDomains")...))
		}
		if t.NodeTaintsPolicy != nil {
			w.values = append(w.values, l.value("topology_spread.node_taints_policy", string(*t.NodeTaintsPolicy), at(base, "nodeTaintsPolicy")...))
		}
		if t.NodeAffinityPolicy != nil {
			w.values = append(w.values, l.value("topology_spread.node_affinity_policy", string(*t.NodeAffinityPolicy), at(base, "nodeAffinityPolicy")...))
		}
	}
}

func nodeAt(l *locator, segs ...any) *yaml.Node {
	k, _, _ := l.at(segs...)
	return k
}

// sleepCommand recognises ["sleep", "N"] and ["sh", "-c", "sleep N"].
func sleepCommand(cmd []string) (int64, bool) {
	if len(cmd) == 3 && (cmd[0] == "sh" || cmd[0] == "/bin/sh" || cmd[0] == "bash" || cmd[0] == "/bin/bash") && cmd[1] == "-c" {
		cmd = strings.Fields(cmd[2])
	}
	if len(cmd) == 2 && (cmd[0] == "sleep" || cmd[0] == "/bin/sleep") {
		if n, err := strconv.ParseInt(cmd[1], 10, 64); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

// probeValues translates a probe, with the API's defaults (SetDefaults_Probe,
// pkg/apis/core/v1/defaults.go): period 10 s, timeout 1 s, failure
// threshold 3, success threshold 1.
func probeValues(l *locator, key string, p *corev1.Probe, base []any) []Value {
	def := func(v, d int32) int32 {
		if v == 0 {
			return d
		}
		return v
	}
	out := []Value{
		l.value(key+".period", seconds(int64(def(p.PeriodSeconds, 10))), at(base, "periodSeconds")...),
		l.value(key+".timeout", seconds(int64(def(p.TimeoutSeconds, 1))), at(base, "timeoutSeconds")...),
		l.value(key+".failure_threshold", strconv.Itoa(int(def(p.FailureThreshold, 3))), at(base, "failureThreshold")...),
		l.value(key+".success_threshold", strconv.Itoa(int(def(p.SuccessThreshold, 1))), at(base, "successThreshold")...),
	}
	if p.InitialDelaySeconds > 0 {
		out = append(out, l.value(key+".initial_delay", seconds(int64(p.InitialDelaySeconds)), at(base, "initialDelaySeconds")...))
	}
	return out
}

// hpaObj is an HPA, normalized to autoscaling/v2.
type hpaObj struct {
	name   string
	loc    *locator
	target string
	kind   string
	entry  *Entry
	values []Value
	min    int32
}

func readHPA(r *reader, e *Entry, l *locator, obj any) {
	h := &hpaObj{loc: l, entry: e}
	v, before := validator{r, l}, len(r.diags)
	switch o := obj.(type) {
	case *autoscalingv1.HorizontalPodAutoscaler:
		v.hpaSpec(o.Spec.MinReplicas, o.Spec.MaxReplicas)
		if c := o.Spec.TargetCPUUtilizationPercentage; c != nil && *c <= 0 {
			v.fail(fmt.Sprintf("must be greater than 0; got %d", *c), "spec", "targetCPUUtilizationPercentage")
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		v.hpaSpec(o.Spec.MinReplicas, o.Spec.MaxReplicas)
		v.metrics(o.Spec.Metrics)
		v.behavior(o.Spec.Behavior)
	}
	if len(r.diags) > before {
		return
	}
	switch o := obj.(type) {
	case *autoscalingv1.HorizontalPodAutoscaler:
		h.name, h.target, h.kind = o.Name, o.Spec.ScaleTargetRef.Name, o.Spec.ScaleTargetRef.Kind
		h.min = minReplicas(o.Spec.MinReplicas)
		// v1: one CPU target, 80% by default (SetDefaults_HorizontalPodAutoscaler,
		// pkg/apis/autoscaling/v1/defaults.go).
		cpu := int32(80)
		if o.Spec.TargetCPUUtilizationPercentage != nil {
			cpu = *o.Spec.TargetCPUUtilizationPercentage
		}
		h.values = append(h.values,
			l.value("autoscaler.policy", "hpa", "kind"),
			l.value("replicas.min", strconv.Itoa(int(h.min)), "spec", "minReplicas"),
			l.value("replicas.max", strconv.Itoa(int(o.Spec.MaxReplicas)), "spec", "maxReplicas"),
			l.value("autoscaler.metrics", fmt.Sprintf("[{resource: cpu, target_utilization: %d}]", cpu), "spec", "targetCPUUtilizationPercentage"))
		// v1 has no behavior: the controller's older path (behaviorValues).
	case *autoscalingv2.HorizontalPodAutoscaler:
		h.name, h.target, h.kind = o.Name, o.Spec.ScaleTargetRef.Name, o.Spec.ScaleTargetRef.Kind
		h.min = minReplicas(o.Spec.MinReplicas)
		h.values = append(h.values,
			l.value("autoscaler.policy", "hpa", "kind"),
			l.value("replicas.min", strconv.Itoa(int(h.min)), "spec", "minReplicas"),
			l.value("replicas.max", strconv.Itoa(int(o.Spec.MaxReplicas)), "spec", "maxReplicas"))
		h.values = append(h.values, metricValues(r, l, o.Spec.Metrics)...)
		h.values = append(h.values, behaviorValues(l, o.Spec.Behavior)...)
	}
	r.hpas = append(r.hpas, h)
}

func minReplicas(p *int32) int32 {
	if p == nil {
		return 1 // SetDefaults_HorizontalPodAutoscaler
	}
	return *p
}

// metricValues translates autoscaling/v2 metrics into the hpa policy's
// metrics list: Resource metrics with a Utilization target, and Pods,
// Object and External metrics whose name is one the scenario's metrics
// adapter serves (policies.MetricNamesFor; an Object metric is the
// service's load balancer's, whatever its describedObject), with an
// AverageValue target (Pods) or a Value or AverageValue one. Other
// metrics are NotYetModelled, or listed as not served. No metrics means
// CPU at 80%, the API's default (SetDefaults_HorizontalPodAutoscaler,
// pkg/apis/autoscaling/v2/defaults.go).
func metricValues(r *reader, l *locator, ms []autoscalingv2.MetricSpec) []Value {
	if len(ms) == 0 {
		return []Value{l.value("autoscaler.metrics", "[{resource: cpu, target_utilization: 80}]", "spec", "metrics")}
	}
	var items []string
	var out []Value
	first := -1
	custom := func(i int, typ policies.MetricSourceType, name string, t autoscalingv2.MetricTarget, k8s string) bool {
		base := []any{"spec", "metrics", i, k8s, "metric", "name"}
		if !slices.Contains(policies.MetricNamesFor(typ), name) {
			r.ignore(l.file, nodeAt(l, base...), "HorizontalPodAutoscaler", l.field(base...), "metric "+k8s+" "+name,
				fmt.Sprintf("the %s metric %q is not one scalesim's metrics adapter serves (%s); ignored", typ, name, strings.Join(policies.MetricNamesFor(typ), ", ")))
			return true
		}
		var item string
		switch {
		case t.Type == autoscalingv2.AverageValueMetricType && t.AverageValue != nil:
			item = fmt.Sprintf("{type: %s, metric: %s, target_average_value: %s}", typ, name, strconv.FormatFloat(t.AverageValue.AsApproximateFloat64(), 'g', -1, 64))
		case t.Type == autoscalingv2.ValueMetricType && t.Value != nil && typ != policies.SourcePods:
			item = fmt.Sprintf("{type: %s, metric: %s, target_value: %s}", typ, name, strconv.FormatFloat(t.Value.AsApproximateFloat64(), 'g', -1, 64))
		default:
			return false
		}
		items = append(items, item)
		if first < 0 {
			first = i
		}
		return true
	}
	for i, m := range ms {
		base := []any{"spec", "metrics", i}
		switch {
		case m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
			m.Resource.Target.Type == autoscalingv2.UtilizationMetricType && m.Resource.Target.AverageUtilization != nil &&
			(m.Resource.Name == corev1.ResourceCPU || m.Resource.Name == corev1.ResourceMemory):
			items = append(items, fmt.Sprintf("{resource: %s, target_utilization: %d}", m.Resource.Name, *m.Resource.Target.AverageUtilization))
			if first < 0 {
				first = i
			}
		case m.Type == autoscalingv2.ResourceMetricSourceType:
			out = append(out, l.value("autoscaler.metrics.average_value", `"`+string(m.Type)+`"`, base...))
		case m.Type == autoscalingv2.PodsMetricSourceType && m.Pods != nil && custom(i, policies.SourcePods, m.Pods.Metric.Name, m.Pods.Target, "pods"):
		case m.Type == autoscalingv2.ObjectMetricSourceType && m.Object != nil && custom(i, policies.SourceObject, m.Object.Metric.Name, m.Object.Target, "object"):
		case m.Type == autoscalingv2.ExternalMetricSourceType && m.External != nil && custom(i, policies.SourceExternal, m.External.Metric.Name, m.External.Target, "external"):
		case m.Type == autoscalingv2.PodsMetricSourceType:
			out = append(out, l.value("autoscaler.metrics.pods", `"`+string(m.Type)+`"`, base...))
		case m.Type == autoscalingv2.ObjectMetricSourceType:
			out = append(out, l.value("autoscaler.metrics.object", `"`+string(m.Type)+`"`, base...))
		case m.Type == autoscalingv2.ExternalMetricSourceType:
			out = append(out, l.value("autoscaler.metrics.external", `"`+string(m.Type)+`"`, base...))
		case m.Type == autoscalingv2.ContainerResourceMetricSourceType:
			out = append(out, l.value("autoscaler.metrics.container_resource", `"`+string(m.Type)+`"`, base...))
		default:
			out = append(out, l.value("autoscaler.metrics.external", `"`+string(m.Type)+`"`, append(base, "type")...))
		}
	}
	if len(items) > 0 {
		out = append([]Value{l.value("autoscaler.metrics", "["+strings.Join(items, ", ")+"]", "spec", "metrics", first)}, out...)
	}
	return out
}

// behaviorValues translates an HPA's behavior with the API's defaults
// filled in (GenerateHPAScaleUpRules and GenerateHPAScaleDownRules,
// pkg/apis/autoscaling/v2/defaults.go): scale-up no stabilization, the
// larger of 4 pods and 100% per 15 s; scale-down 100% per 15 s, with the
// controller's 300 s stabilization window (--horizontal-pod-autoscaler-
// downscale-stabilization) when the rule gives none. Each direction's
// fields are defaulted one by one, as the API server does.
//
// An HPA without a behavior (every autoscaling/v1 one) gets none: the API
// server defaults a behavior only when one is given
// (SetDefaults_HorizontalPodAutoscalerBehavior), and the controller runs
// its older path, normalizeDesiredReplicas, when Spec.Behavior is nil
// (reconcileAutoscaler, pkg/controller/podautoscaler/horizontal.go); so
// does the hpa policy without autoscaler.behavior.
func behaviorValues(l *locator, b *autoscalingv2.HorizontalPodAutoscalerBehavior) []Value {
	if b == nil {
		return nil
	}
	up, down := b.ScaleUp, b.ScaleDown
	rules := func(key, k8s string, r *autoscalingv2.HPAScalingRules, window int32, policies string) []Value {
		base := []any{"spec", "behavior", k8s}
		if r == nil {
			r = &autoscalingv2.HPAScalingRules{}
		}
		w := window
		if r.StabilizationWindowSeconds != nil {
			w = *r.StabilizationWindowSeconds
		}
		sel := "Max"
		if r.SelectPolicy != nil {
			sel = string(*r.SelectPolicy)
		}
		pol := policies
		if len(r.Policies) > 0 {
			var items []string
			for _, p := range r.Policies {
				items = append(items, fmt.Sprintf("{type: %s, value: %d, period: %ds}", p.Type, p.Value, p.PeriodSeconds))
			}
			pol = "[" + strings.Join(items, ", ") + "]"
		}
		out := []Value{
			l.value("autoscaler.behavior."+key+".stabilization_window", seconds(int64(w)), at(base, "stabilizationWindowSeconds")...),
			l.value("autoscaler.behavior."+key+".select_policy", sel, at(base, "selectPolicy")...),
			l.value("autoscaler.behavior."+key+".policies", pol, at(base, "policies")...),
		}
		if r.Tolerance != nil {
			out = append(out, l.value("autoscaler.tolerance.per_direction", strconv.Quote(r.Tolerance.String()), at(base, "tolerance")...))
		}
		return out
	}
	out := rules("scale_up", "scaleUp", up, 0, "[{type: Pods, value: 4, period: 15s}, {type: Percent, value: 100, period: 15s}]")
	return append(out, rules("scale_down", "scaleDown", down, 300, "[{type: Percent, value: 100, period: 15s}]")...)
}

// pdbObj is a PodDisruptionBudget.
type pdbObj struct {
	name     string
	loc      *locator
	entry    *Entry
	selector *metav1.LabelSelector
	pdb      *policyv1.PodDisruptionBudget
}

func readPDB(r *reader, e *Entry, l *locator, obj any) {
	p := obj.(*policyv1.PodDisruptionBudget)
	v, before := validator{r, l}, len(r.diags)
	v.intOrPercent(p.Spec.MinAvailable, "spec", "minAvailable")
	v.intOrPercent(p.Spec.MaxUnavailable, "spec", "maxUnavailable")
	if len(r.diags) > before {
		return
	}
	if p.Spec.MinAvailable != nil && p.Spec.MaxUnavailable != nil {
		r.fail(l.diag("give minAvailable or maxUnavailable, not both (the API server refuses both)", "spec", "maxUnavailable"))
		return
	}
	r.pdbs = append(r.pdbs, &pdbObj{name: p.Name, loc: l, entry: e, selector: p.Spec.Selector, pdb: p})
}

// svcObj is a Service.
type svcObj struct {
	name  string
	loc   *locator
	entry *Entry
	svc   *corev1.Service
}

func readService(r *reader, e *Entry, l *locator, obj any) {
	s := obj.(*corev1.Service)
	r.svcs = append(r.svcs, &svcObj{name: s.Name, loc: l, entry: e, svc: s})
}

// ingressObj is an Ingress.
type ingressObj struct {
	name  string
	loc   *locator
	entry *Entry
	ing   *networkingv1.Ingress
}

func readIngress(r *reader, e *Entry, l *locator, obj any) {
	i := obj.(*networkingv1.Ingress)
	r.ingresses = append(r.ingresses, &ingressObj{name: i.Name, loc: l, entry: e, ing: i})
}
