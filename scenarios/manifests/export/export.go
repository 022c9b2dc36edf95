// Package export writes a scenario's services back as Kubernetes
// manifests (and a Ballerina Cloud.toml for the cloud policy), the
// reverse of package manifests: per service a Deployment (apps/v1), an
// HorizontalPodAutoscaler (autoscaling/v2, with its behavior) when the
// policy is the HPA's (cpu, memory, hpa), a PodDisruptionBudget
// (policy/v1) when there is a budget, a Service (v1), and an Ingress
// (networking.k8s.io/v1, ingress-nginx's annotations) when the service
// has an ingress.
//
// What the manifests cannot carry (the demand, the traffic, concurrency,
// node pools, the HPA controller's sync period and tolerance) stays in
// the scenario file: reading the files back with manifests: [DIR] and the
// same scenario overlay gives the same run. The image, ports and probe
// handlers are placeholders (scalesim simulates none of them): edit them,
// or copy the tuned fields into your own manifests.
package export

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/scalesim/scalesim/scenarios"
)

// File is one file to write.
type File struct {
	Name string // relative to the output folder
	Data []byte
}

// Files returns the manifests of every service of sc, one file per
// service (NAME.yaml, several documents) and NAME.Cloud.toml for the
// cloud policy, sorted by name, plus notes on what could not be
// expressed exactly (a duration that is not whole seconds, say).
func Files(sc *scenarios.Scenario) ([]File, []string, error) {
	var out []File
	var notes []string
	for i := range sc.Services {
		svc := &sc.Services[i]
		w := &writer{svc: svc}
		docs, err := w.objects()
		if err != nil {
			return nil, nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# %s: written by scalesim export from %s.\n", svc.Name, sc.File)
		b.WriteString("# The image, ports and probe handlers are placeholders; the rest is what scalesim simulated.\n")
		for j, d := range docs {
			if j > 0 {
				b.WriteString("---\n")
			}
			data, err := yaml.Marshal(d)
			if err != nil {
				return nil, nil, err
			}
			b.Write(data)
		}
		out = append(out, File{Name: svc.Name + ".yaml", Data: []byte(b.String())})
		if svc.Autoscaler.Policy == scenarios.PolicyCloud {
			out = append(out, File{Name: svc.Name + ".Cloud.toml", Data: w.cloudToml()})
		}
		for _, n := range w.notes {
			notes = append(notes, svc.Name+": "+n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, notes, nil
}

type writer struct {
	svc   *scenarios.Service
	notes []string
}

// seconds converts d to whole seconds, noting a rounding.
func (w *writer) seconds(what string, d time.Duration) int32 {
	s := int32(math.Round(d.Seconds()))
	if time.Duration(s)*time.Second != d {
		w.notes = append(w.notes, fmt.Sprintf("%s %v rounded to %ds (Kubernetes counts whole seconds)", what, d, s))
	}
	return s
}

func cpu(cores float64) resource.Quantity {
	return *resource.NewMilliQuantity(int64(math.Round(cores*1000)), resource.DecimalSI)
}

func bytesQ(b float64) resource.Quantity {
	return *resource.NewQuantity(int64(math.Round(b)), resource.BinarySI)
}

func ptr[T any](v T) *T { return &v }

func (w *writer) objects() ([]any, error) {
	svc := w.svc
	labels := map[string]string{"app": svc.Name}
	in := svc.Instance
	res := corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    cpu(in.CPURequest),
		corev1.ResourceMemory: bytesQ(in.MemoryRequest),
	}}
	if math.Abs(float64(in.CPURequest*1000)-math.Round(in.CPURequest*1000)) > 1e-9 {
		w.notes = append(w.notes, fmt.Sprintf("cpu_request %g cores rounded to whole millicores", in.CPURequest))
	}
	if in.CPULimit > 0 || in.MemoryLimit > 0 {
		res.Limits = corev1.ResourceList{}
		if in.CPULimit > 0 {
			res.Limits[corev1.ResourceCPU] = cpu(in.CPULimit)
		}
		if in.MemoryLimit > 0 {
			res.Limits[corev1.ResourceMemory] = bytesQ(in.MemoryLimit)
		}
	}
	c := corev1.Container{
		Name:      svc.Name,
		Image:     "registry.example.com/" + svc.Name + ":latest",
		Ports:     []corev1.ContainerPort{{ContainerPort: 8080}},
		Resources: res,
	}
	probe := func(what string, p *scenarios.Probe) *corev1.Probe {
		if p == nil {
			return nil
		}
		k := &corev1.Probe{
			ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
			InitialDelaySeconds: w.seconds(what+" initial_delay", p.InitialDelay),
			PeriodSeconds:       w.seconds(what+" period", p.Period),
			TimeoutSeconds:      w.seconds(what+" timeout", p.Timeout),
			FailureThreshold:    int32(p.FailureThreshold),
		}
		if p.SuccessThreshold > 1 { // 1 is the API's default, left out
			k.SuccessThreshold = int32(p.SuccessThreshold)
		}
		return k
	}
	c.StartupProbe = probe("startup probe", svc.Probes.Startup)
	c.ReadinessProbe = probe("readiness probe", svc.Probes.Readiness)
	c.LivenessProbe = probe("liveness probe", svc.Probes.Liveness)
	if d := in.Drain.PreStop; d > 0 {
		c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
			Exec: &corev1.ExecAction{Command: []string{"sleep", fmt.Sprint(w.seconds("drain.pre_stop", d))}}}}
	}
	grace := int64(w.seconds("drain.grace_period", in.Drain.GracePeriod))
	pod := corev1.PodSpec{Containers: []corev1.Container{c}, TerminationGracePeriodSeconds: &grace}
	if ts := svc.TopologySpread; ts != nil {
		pod.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew:           int32(ts.MaxSkew),
			TopologyKey:       corev1.LabelTopologyZone,
			WhenUnsatisfiable: corev1.UnsatisfiableConstraintAction(ts.WhenUnsatisfiable),
			LabelSelector:     &metav1.LabelSelector{MatchLabels: labels},
		}}
		// The API's defaults (minDomains 1, nodeTaintsPolicy Ignore) are
		// left out, as kubectl would show them.
		if ts.MinDomains > 1 {
			pod.TopologySpreadConstraints[0].MinDomains = ptr(int32(ts.MinDomains))
		}
		if ts.NodeTaintsPolicy != "" && ts.NodeTaintsPolicy != string(corev1.NodeInclusionPolicyIgnore) {
			pod.TopologySpreadConstraints[0].NodeTaintsPolicy = ptr(corev1.NodeInclusionPolicy(ts.NodeTaintsPolicy))
		}
	}
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(svc.Replicas.Initial)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod},
		},
	}
	docs := []any{clean(dep)}
	switch svc.Autoscaler.Policy {
	case scenarios.PolicyHPA, scenarios.PolicyCPU, scenarios.PolicyMemory:
		docs = append(docs, clean(w.hpa()))
	}
	if n := svc.DisruptionBudget.MinAvailable; n > 0 {
		docs = append(docs, clean(&policyv1.PodDisruptionBudget{
			TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
			ObjectMeta: metav1.ObjectMeta{Name: svc.Name},
			Spec: policyv1.PodDisruptionBudgetSpec{
				MinAvailable: ptr(intstr.FromInt32(int32(n))),
				Selector:     &metav1.LabelSelector{MatchLabels: labels},
			},
		}))
	}
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name},
		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	if svc.LoadBalancer.Algorithm == scenarios.ClientIP {
		s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
		s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{
			TimeoutSeconds: ptr(w.seconds("load_balancer.session_affinity_timeout", svc.LoadBalancer.SessionAffinityTimeout))}}
	}
	docs = append(docs, clean(s))
	if g := svc.Ingress; g != nil {
		docs = append(docs, clean(w.ingress(g)))
	}
	return docs, nil
}

// ingress writes the service's ingress as an ingress-nginx Ingress in
// front of its Service, with the annotations the reader takes back
// (ingress-nginx's defaults, config.go NewDefault, left out). The hop's
// latency is no manifest field: it stays in the scenario file.
func (w *writer) ingress(g *scenarios.Ingress) *networkingv1.Ingress {
	const nginx = "nginx.ingress.kubernetes.io/"
	ann := map[string]string{}
	if g.ProxyReadTimeout != scenarios.DefaultProxyReadTimeout {
		ann[nginx+"proxy-read-timeout"] = fmt.Sprint(w.seconds("ingress.proxy_read_timeout", g.ProxyReadTimeout))
	}
	if g.ProxyNextUpstream == "off" {
		ann[nginx+"proxy-next-upstream"] = "off"
	}
	if g.ProxyNextUpstreamTries != scenarios.DefaultProxyNextUpstreamTries {
		ann[nginx+"proxy-next-upstream-tries"] = fmt.Sprint(g.ProxyNextUpstreamTries)
	}
	if g.Affinity == "cookie" {
		ann[nginx+"affinity"] = "cookie"
		if g.SessionCookieMaxAge > 0 {
			ann[nginx+"session-cookie-max-age"] = fmt.Sprint(w.seconds("ingress.session_cookie_max_age", g.SessionCookieMaxAge))
		}
	}
	if g.Latency > 0 {
		w.notes = append(w.notes, fmt.Sprintf("ingress.latency %v is not a manifest field; keep it in the scenario file", g.Latency))
	}
	if len(ann) == 0 {
		ann = nil
	}
	return &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Name: w.svc.Name, Annotations: ann},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr("nginx"),
			DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
				Name: w.svc.Name, Port: networkingv1.ServiceBackendPort{Number: 80}}},
		},
	}
}

// customMetric writes a pods, object or external metric; an object
// metric describes the service's Service (scalesim's object is its load
// balancer). Targets are whole milli-units, as a Quantity prints them.
func (w *writer) customMetric(m scenarios.MetricTarget) autoscalingv2.MetricSpec {
	q := func(v float64) *resource.Quantity {
		mv := math.Round(v * 1000)
		if math.Abs(mv-float64(v*1000)) > 1e-6 {
			w.notes = append(w.notes, fmt.Sprintf("%s metric %s target %g rounded to whole thousandths", m.Type, m.Metric, v))
		}
		return resource.NewMilliQuantity(int64(mv), resource.DecimalSI)
	}
	t := autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: q(m.TargetAverageValue)}
	if m.TargetAverageValue == 0 {
		t = autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: q(m.TargetValue)}
	}
	id := autoscalingv2.MetricIdentifier{Name: m.Metric}
	switch m.Type {
	case "pods":
		return autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{Metric: id, Target: t}}
	case "object":
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
			DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: "v1", Kind: "Service", Name: w.svc.Name}, Metric: id, Target: t}}
	}
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{Metric: id, Target: t}}
}

func (w *writer) hpa() *autoscalingv2.HorizontalPodAutoscaler {
	svc := w.svc
	a := &svc.Autoscaler
	h := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: svc.Name},
			MinReplicas:    ptr(int32(svc.Replicas.Min)),
			MaxReplicas:    int32(svc.Replicas.Max),
		},
	}
	for _, m := range a.Metrics {
		if m.Custom() {
			h.Spec.Metrics = append(h.Spec.Metrics, w.customMetric(m))
			continue
		}
		u := int32(math.Round(m.TargetUtilization))
		if float64(u) != m.TargetUtilization {
			w.notes = append(w.notes, fmt.Sprintf("target utilization %g%% rounded to %d%% (averageUtilization is a whole percentage)", m.TargetUtilization, u))
		}
		h.Spec.Metrics = append(h.Spec.Metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   corev1.ResourceName(m.Resource),
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &u},
			},
		})
	}
	if a.Tolerance != 0.1 {
		w.notes = append(w.notes, fmt.Sprintf("tolerance %g is the HPA controller's flag --horizontal-pod-autoscaler-tolerance, not part of the HPA object", a.Tolerance))
	}
	b := a.Behavior
	if b == nil {
		// Without a behavior the policy ran the controller's older path,
		// and so does an HPA without spec.behavior: writing the v2
		// defaults out would select the other path.
		return h
	}
	rules := func(what string, r scenarios.ScalingRules) *autoscalingv2.HPAScalingRules {
		out := &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(w.seconds(what+" stabilization_window", r.StabilizationWindow)),
			SelectPolicy:               ptr(autoscalingv2.ScalingPolicySelect(r.SelectPolicy)),
		}
		for _, p := range r.Policies {
			out.Policies = append(out.Policies, autoscalingv2.HPAScalingPolicy{
				Type: autoscalingv2.HPAScalingPolicyType(p.Type), Value: int32(p.Value), PeriodSeconds: w.seconds(what+" policy period", p.Period)})
		}
		return out
	}
	h.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp:   rules("scale_up", b.ScaleUp),
		ScaleDown: rules("scale_down", b.ScaleDown),
	}
	return h
}

// cloudToml writes the Cloud.toml block of the cloud policy: resources
// and autoscaling, in the c2c spelling (cpu, memory).
func (w *writer) cloudToml() []byte {
	svc := w.svc
	in := svc.Instance
	c := svc.Autoscaler.Cloud
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: written by scalesim export. List it as {path: %s.Cloud.toml, service: %s}.\n", svc.Name, svc.Name, svc.Name)
	b.WriteString("[cloud.deployment]\n")
	fmt.Fprintf(&b, "min_cpu = %q\n", q(cpu(in.CPURequest)))
	if in.CPULimit > 0 {
		fmt.Fprintf(&b, "max_cpu = %q\n", q(cpu(in.CPULimit)))
	}
	fmt.Fprintf(&b, "min_memory = %q\n", q(bytesQ(in.MemoryRequest)))
	if in.MemoryLimit > 0 {
		fmt.Fprintf(&b, "max_memory = %q\n", q(bytesQ(in.MemoryLimit)))
	}
	b.WriteString("\n[cloud.deployment.autoscaling]\n")
	fmt.Fprintf(&b, "min_replicas = %d\nmax_replicas = %d\ncpu = %g\nmemory = %g\n", svc.Replicas.Min, svc.Replicas.Max, c.CPUThreshold, c.MemoryThreshold)
	return []byte(b.String())
}

func q(x resource.Quantity) string { return x.String() }

// clean drops the empty creationTimestamp and status that marshalling
// the API types writes (metadata.creationTimestamp: null, status: {}), as
// kubectl create --dry-run -o yaml does not.
func clean(obj any) map[string]any {
	data, err := yaml.Marshal(obj)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		panic(err)
	}
	delete(m, "status")
	strip(m)
	return m
}

func strip(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "creationTimestamp" && c == nil {
				delete(x, k)
				continue
			}
			if k == "status" {
				if m, ok := c.(map[string]any); ok && len(m) == 0 {
					delete(x, k)
					continue
				}
			}
			if m, ok := c.(map[string]any); ok && len(m) == 0 && (k == "resources" || k == "strategy") {
				delete(x, k)
				continue
			}
			strip(c)
		}
	case []any:
		for _, c := range x {
			strip(c)
		}
	}
}
