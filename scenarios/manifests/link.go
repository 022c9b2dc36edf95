package manifests

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// link attaches HPAs, PDBs, Services, Ingresses and Cloud.tomls to their
// workloads (or to services of the scenario file), then builds
// r.out.Services.
func (r *reader) link() {
	byName := map[string]*workload{}
	var names []string
	for _, w := range r.workloads {
		if o, dup := byName[w.service]; dup {
			r.fail(w.loc.diag(fmt.Sprintf("service %q is described twice: by %s and by %s", w.service, o.ref(), w.ref()), "metadata", "name"))
			continue
		}
		byName[w.service] = w
		names = append(names, w.name)
	}
	known := func(name string) bool { return slices.Contains(r.known, name) }
	described := func() string {
		ws := "no Deployment"
		if len(names) > 0 {
			ws = "Deployments " + strings.Join(names, ", ")
		}
		ks := "no services"
		if len(r.known) > 0 {
			ks = "services " + strings.Join(r.known, ", ")
		}
		return fmt.Sprintf("the manifests have %s and the scenario file %s", ws, ks)
	}
	// extra holds values for services of the scenario file that no
	// workload describes (an HPA alone, say).
	extra := map[string]*Service{}
	var extraOrder []string
	extraFor := func(name string, l *locator) *Service {
		s, ok := extra[name]
		if !ok {
			s = &Service{Name: name, File: l.file}
			if l.root != nil {
				s.Line, s.Col = l.root.Line, l.root.Column
			}
			extra[name] = s
			extraOrder = append(extraOrder, name)
		}
		return s
	}

	hpaOf := map[string]*hpaObj{}
	for _, h := range r.hpas {
		var w *workload
		for _, c := range r.workloads {
			if c.name == h.target && (h.kind == "" || h.kind == c.kind) {
				w = c
			}
		}
		svc := h.target
		if w != nil {
			svc = w.service
		} else if h.entry != nil && h.entry.Service != "" && known(h.entry.Service) {
			svc = h.entry.Service
		} else if !known(h.target) {
			r.fail(h.loc.diag(fmt.Sprintf("the HorizontalPodAutoscaler %s targets %s %q, which matches nothing: %s", h.name, h.kind, h.target, described()),
				"spec", "scaleTargetRef", "name"))
			continue
		}
		if o, dup := hpaOf[svc]; dup {
			r.fail(h.loc.diag(fmt.Sprintf("a second HorizontalPodAutoscaler for %q (the first is %s in %s); Kubernetes' controller refuses to scale a target two HPAs share", svc, o.name, o.loc.file),
				"spec", "scaleTargetRef", "name"))
			continue
		}
		hpaOf[svc] = h
		if w != nil {
			w.hpa = h
		} else {
			s := extraFor(svc, h.loc)
			s.Values = append(s.Values, h.values...)
			s.Sources = append(s.Sources, "HorizontalPodAutoscaler/"+h.name+" ("+h.loc.file+")")
		}
	}
	for _, c := range r.clouds {
		if o, dup := hpaOf[c.service]; dup {
			r.fail(Diag{File: c.entry.File, Line: c.entry.Line, Col: c.entry.Col, Field: c.entry.Field,
				Msg: fmt.Sprintf("%s gives %q an autoscaler, and so does the HorizontalPodAutoscaler %s (%s); keep one", c.file, c.service, o.name, o.loc.file)})
			continue
		}
		if w, ok := byName[c.service]; ok {
			w.cloud = c
		} else {
			s := extraFor(c.service, &locator{file: c.file, root: nil})
			s.File, s.Line, s.Col = c.entry.File, c.entry.Line, c.entry.Col
			s.Values = append(s.Values, c.values...)
			s.Sources = append(s.Sources, "Cloud.toml ("+c.file+")")
		}
	}

	// Selector matching: a PDB's label selector, a Service's equality
	// selector, each against the pod template's labels.
	match := func(sel labels.Selector) []*workload {
		var out []*workload
		for _, w := range r.workloads {
			if sel.Matches(labels.Set(w.labels)) {
				out = append(out, w)
			}
		}
		return out
	}
	for _, p := range r.pdbs {
		var ws []*workload
		if p.selector != nil {
			sel, err := metav1.LabelSelectorAsSelector(p.selector)
			if err != nil {
				r.fail(p.loc.diag(err.Error(), "spec", "selector"))
				continue
			}
			ws = match(sel)
		}
		if len(ws) == 0 {
			if p.entry != nil && p.entry.Service != "" && known(p.entry.Service) {
				v, ok := r.pdbValue(p, 0, false)
				if ok {
					s := extraFor(p.entry.Service, p.loc)
					s.Values = append(s.Values, v)
				}
				continue
			}
			r.fail(p.loc.diag(fmt.Sprintf("the PodDisruptionBudget %s selects no pods: its selector %s matches the pod labels of no workload (%s)",
				p.name, metav1.FormatLabelSelector(p.selector), described()), "spec", "selector"))
			continue
		}
		for _, w := range ws {
			if w.pdb != nil {
				r.fail(p.loc.diag(fmt.Sprintf("a second PodDisruptionBudget for the pods of %s (the first is %s); the eviction API refuses pods with two budgets", w.ref(), w.pdb.name), "spec", "selector"))
				continue
			}
			w.pdb = p
		}
	}
	for _, s := range r.svcs {
		if len(s.svc.Spec.Selector) == 0 {
			r.ignore(s.loc.file, keyNode(s.loc.root, "kind"), "Service", s.loc.field("spec", "selector"), "no-selector "+s.name,
				fmt.Sprintf("the Service %s has no selector (its endpoints are managed by hand); ignored", s.name))
			continue
		}
		ws := match(labels.SelectorFromSet(s.svc.Spec.Selector))
		if len(ws) == 0 {
			if s.entry != nil && s.entry.Service != "" && known(s.entry.Service) {
				sv := extraFor(s.entry.Service, s.loc)
				sv.Values = append(sv.Values, serviceValues(s)...)
				continue
			}
			r.fail(s.loc.diag(fmt.Sprintf("the Service %s selects no pods: its selector %s matches the pod labels of no workload (%s)",
				s.name, labels.SelectorFromSet(s.svc.Spec.Selector).String(), described()), "spec", "selector"))
			continue
		}
		for _, w := range ws {
			if w.svc != nil {
				r.ignore(s.loc.file, keyNode(s.loc.root, "kind"), "Service", s.loc.field("metadata", "name"), "second "+s.name,
					fmt.Sprintf("a second Service (%s) in front of %s; scalesim's load balancer is the first's (%s)", s.name, w.ref(), w.svc.name))
				continue
			}
			w.svc = s
		}
	}
	ingressOf := map[*workload]*ingressObj{}
	for _, in := range r.ingresses {
		for _, b := range ingressBackends(in) {
			var sv *svcObj
			for _, s := range r.svcs {
				if s.name == b.service {
					sv = s
				}
			}
			if sv == nil {
				var svcNames []string
				for _, s := range r.svcs {
					svcNames = append(svcNames, s.name)
				}
				r.fail(in.loc.diag(fmt.Sprintf("the Ingress %s routes to the Service %q, which is not among the manifests (Services: %s)",
					in.name, b.service, orNone(svcNames)), b.at...))
				continue
			}
			for _, w := range r.workloads {
				switch {
				case w.svc != sv:
				case ingressOf[w] == nil:
					ingressOf[w] = in
				case ingressOf[w] != in:
					r.ignore(in.loc.file, keyNode(in.loc.root, "kind"), "Ingress", in.loc.field("metadata", "name"), "second "+in.name+" "+w.name,
						fmt.Sprintf("a second Ingress (%s) in front of %s; scalesim's ingress is the first's (%s)", in.name, w.ref(), ingressOf[w].name))
				}
			}
		}
	}
	if len(r.diags) > 0 {
		return
	}

	for _, w := range r.workloads {
		s := Service{Name: w.service, File: w.loc.file, Sources: []string{w.kind + "/" + w.name + " (" + w.loc.file + ")"}}
		_, n, _ := w.loc.at("metadata", "name")
		s.Line, s.Col = n.Line, n.Column
		s.Values = append(s.Values, w.values...)
		initial := 1
		var initialV Value
		switch {
		case w.replicas != nil:
			initial = int(*w.replicas)
			initialV = w.loc.value("replicas.initial", strconv.Itoa(initial), "spec", "replicas")
		case w.hpa != nil:
			// With an HPA, Kubernetes recommends leaving spec.replicas
			// out; the HPA scales the one default replica to
			// minReplicas at once.
			initial = int(w.hpa.min)
			initialV = w.hpa.loc.value("replicas.initial", strconv.Itoa(initial), "spec", "minReplicas")
		default:
			initialV = w.loc.value("replicas.initial", "1", "spec", "replicas") // SetDefaults_Deployment
		}
		if h := w.hpa; h != nil {
			if initial < int(h.min) {
				r.ignore(w.loc.file, nodeAt(w.loc, "spec", "replicas"), w.kind, w.loc.field("spec", "replicas"), "below-min "+w.name,
					fmt.Sprintf("%d replicas, below the HorizontalPodAutoscaler's minReplicas %d: the HPA scales it to %d at once, so the run starts with %d", initial, h.min, h.min, h.min))
				initial = int(h.min)
				initialV = h.loc.value("replicas.initial", strconv.Itoa(initial), "spec", "minReplicas")
			}
			s.Values = append(s.Values, h.values...)
			s.Sources = append(s.Sources, "HorizontalPodAutoscaler/"+h.name+" ("+h.loc.file+")")
		}
		if c := w.cloud; c != nil {
			s.Values = append(s.Values, c.values...)
			s.Sources = append(s.Sources, "Cloud.toml ("+c.file+")")
		}
		s.Values = append(s.Values, initialV)
		if p := w.pdb; p != nil {
			if v, ok := r.pdbValue(p, initial, true); ok {
				s.Values = append(s.Values, v)
			}
			s.Sources = append(s.Sources, "PodDisruptionBudget/"+p.name+" ("+p.loc.file+")")
		}
		if sv := w.svc; sv != nil {
			s.Values = append(s.Values, serviceValues(sv)...)
			s.Sources = append(s.Sources, "Service/"+sv.name+" ("+sv.loc.file+")")
		}
		if in := ingressOf[w]; in != nil {
			s.Values = append(s.Values, ingressValues(r, in)...)
			s.Sources = append(s.Sources, "Ingress/"+in.name+" ("+in.loc.file+")")
		}
		r.out.Services = append(r.out.Services, s)
	}
	for _, name := range extraOrder {
		r.out.Services = append(r.out.Services, *extra[name])
	}
	// Values for keys the schema does not have yet become ignored fields,
	// one per key of NotYetModelled and service, at the Kubernetes field
	// they share (spec.metrics for two Pods metrics).
	for i := range r.out.Services {
		s := &r.out.Services[i]
		kept := s.Values[:0]
		type group struct {
			field, file string
			line, col   int
		}
		groups := map[string]*group{}
		var order []string
		for _, v := range s.Values {
			p, ok := pending(v.Key)
			if !ok {
				kept = append(kept, v)
				continue
			}
			if v.defaulted {
				continue
			}
			g, seen := groups[p]
			if !seen {
				groups[p] = &group{field: v.Field, file: v.File, line: v.KeyLine, col: v.KeyCol}
				order = append(order, p)
				continue
			}
			g.field = commonField(g.field, v.Field)
			if v.File == g.file && (v.KeyLine < g.line || v.KeyLine == g.line && v.KeyCol < g.col) {
				g.line, g.col = v.KeyLine, v.KeyCol
			}
		}
		for _, p := range order {
			g := groups[p]
			r.ignore(g.file, &yaml.Node{Line: g.line, Column: g.col}, "pending", g.field, s.Name+" "+p,
				fmt.Sprintf("read, but %s is not simulated by this version of scalesim yet (it will set services.%s.%s); ignored", NotYetModelled[p], s.Name, p))
		}
		s.Values = kept
	}
	slices.SortStableFunc(r.out.Ignored, func(a, b Diag) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// commonField is the longest common leading part of two field paths,
// whole segments only.
func commonField(a, b string) string {
	for a != b {
		if len(a) > len(b) {
			a = parentField(a)
		} else {
			b = parentField(b)
		}
	}
	return a
}

func parentField(f string) string {
	i := strings.LastIndexAny(f, ".[")
	if i < 0 {
		return ""
	}
	return f[:i]
}

// pdbValue translates a PDB into disruption_budget.min_available. A
// percentage is taken of the workload's replicas (the disruption
// controller takes it of the current scale, rounding up:
// GetScaledValueFromIntOrPercent in pkg/controller/disruption).
func (r *reader) pdbValue(p *pdbObj, replicas int, haveReplicas bool) (Value, bool) {
	spec := p.pdb.Spec
	var field string
	var v *intstr.IntOrString
	switch {
	case spec.MinAvailable != nil:
		field, v = "minAvailable", spec.MinAvailable
	case spec.MaxUnavailable != nil:
		field, v = "maxUnavailable", spec.MaxUnavailable
	default:
		// Neither: the API defaults minAvailable to 1 (SetDefaults_PodDisruptionBudgetSpec, policy/v1beta1; policy/v1 leaves it unset, which allows every eviction).
		return Value{}, false
	}
	if v.Type == intstr.String && !haveReplicas {
		r.fail(p.loc.diag(fmt.Sprintf("a percentage needs the workload's replica count, and %q is a service of the scenario file; give a whole number", p.entry.Service), "spec", field))
		return Value{}, false
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, replicas, true)
	if err != nil {
		r.fail(p.loc.diag(err.Error(), "spec", field))
		return Value{}, false
	}
	if n < 0 {
		r.fail(p.loc.diag("must be at least 0", "spec", field))
		return Value{}, false
	}
	minAvail := n
	if field == "maxUnavailable" {
		minAvail = max(replicas-n, 0)
	}
	if v.Type == intstr.String || field == "maxUnavailable" {
		r.ignore(p.loc.file, nodeAt(p.loc, "spec", field), "PodDisruptionBudget", p.loc.field("spec", field), "scaled "+p.name,
			fmt.Sprintf("%s %s taken at the workload's %d replicas: min_available %d (scalesim's budget is a fixed count; Kubernetes recomputes it as the workload scales)", field, v.String(), replicas, minAvail))
	}
	return p.loc.value("disruption_budget.min_available", strconv.Itoa(minAvail), "spec", field), true
}

// serviceValues translates a Service's session affinity: ClientIP with
// its timeout, 10800 s by default (SetDefaults_Service,
// pkg/apis/core/v1/defaults.go).
func serviceValues(s *svcObj) []Value {
	if s.svc.Spec.SessionAffinity != corev1.ServiceAffinityClientIP {
		return nil
	}
	timeout := int64(corev1.DefaultClientIPServiceAffinitySeconds)
	if c := s.svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
		timeout = int64(*c.ClientIP.TimeoutSeconds)
	}
	return []Value{
		s.loc.value("load_balancer.algorithm", "client-ip", "spec", "sessionAffinity"),
		s.loc.value("load_balancer.session_affinity_timeout", seconds(timeout), "spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"),
	}
}

type backend struct {
	service string
	at      []any
}

func ingressBackends(in *ingressObj) []backend {
	var out []backend
	if b := in.ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		out = append(out, backend{b.Service.Name, []any{"spec", "defaultBackend", "service", "name"}})
	}
	for i, rule := range in.ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for j, p := range rule.HTTP.Paths {
			if p.Backend.Service != nil {
				out = append(out, backend{p.Backend.Service.Name, []any{"spec", "rules", i, "http", "paths", j, "backend", "service", "name"}})
			}
		}
	}
	return out
}

// ingressAnnotations are the ingress-nginx annotations that change what a
// request sees, and the services.NAME.ingress keys they set. ingress-nginx
// reads them per Ingress (internal/ingress/annotations/proxy/main.go
// proxy.Parse: proxy-read-timeout, proxy-next-upstream,
// proxy-next-upstream-tries; internal/ingress/annotations/sessionaffinity/
// main.go affinity.Parse: affinity, session-cookie-max-age, read with
// cookie affinity only); a value it cannot parse leaves its default
// (config.go NewDefault), which the reader says.
var ingressAnnotations = []struct {
	annotation, key string
	kind            byte // 's' seconds, 'n' a count, 'u' next-upstream, 'a' affinity, 0 not simulated
}{
	{"nginx.ingress.kubernetes.io/proxy-read-timeout", "ingress.proxy_read_timeout", 's'},
	{"nginx.ingress.kubernetes.io/proxy-next-upstream", "ingress.proxy_next_upstream", 'u'},
	{"nginx.ingress.kubernetes.io/proxy-next-upstream-tries", "ingress.proxy_next_upstream_tries", 'n'},
	{"nginx.ingress.kubernetes.io/affinity", "ingress.affinity", 'a'},
	{"nginx.ingress.kubernetes.io/session-cookie-max-age", "ingress.session_cookie_max_age", 's'},
	{"nginx.ingress.kubernetes.io/proxy-send-timeout", "", 0},
	{"nginx.ingress.kubernetes.io/proxy-connect-timeout", "", 0},
	{"nginx.ingress.kubernetes.io/proxy-next-upstream-timeout", "", 0},
}

// ingressValues translates an Ingress into the service's ingress keys:
// the hop itself (ingress: {} when no annotation sets one of its keys)
// and the annotations above.
func ingressValues(r *reader, in *ingressObj) []Value {
	var out []Value
	for _, a := range ingressAnnotations {
		text, ok := in.ing.Annotations[a.annotation]
		if !ok {
			continue
		}
		segs := []any{"metadata", "annotations", a.annotation}
		bad := func(what string) {
			r.ignore(in.loc.file, nodeAt(in.loc, segs...), "Ingress", in.loc.field(segs...), "bad "+in.name+" "+a.annotation,
				fmt.Sprintf("%q is not %s; ingress-nginx keeps its default; ignored", text, what))
		}
		t := strings.TrimSpace(text)
		switch a.kind {
		case 0:
			r.ignore(in.loc.file, nodeAt(in.loc, segs...), "Ingress", in.loc.field(segs...), in.name+" "+a.annotation,
				"not simulated (scalesim models no connection set-up or upload time between the ingress and the endpoints, and retries at once); ignored")
		case 's', 'n':
			// parser.GetIntAnnotation: a plain integer ("60", not "60s").
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 {
				bad("a whole number at least 0")
				continue
			}
			v := strconv.Itoa(n)
			if a.kind == 's' {
				v = seconds(int64(n))
			}
			out = append(out, in.loc.value(a.key, v, segs...))
		case 'u':
			// A space-separated list (nginx proxy_next_upstream): "error"
			// retries a refused or failed connection, "off" nothing;
			// "timeout" and the http_NNN conditions are not modelled.
			var mode string
			var others []string
			for _, tok := range strings.Fields(t) {
				switch tok {
				case "error", "off":
					if mode != "error" {
						mode = tok
					}
				default:
					others = append(others, tok)
				}
			}
			if mode == "" {
				mode = "off"
			}
			if len(others) > 0 {
				r.ignore(in.loc.file, nodeAt(in.loc, segs...), "Ingress", in.loc.field(segs...), in.name+" "+a.annotation,
					fmt.Sprintf("%s not simulated (scalesim retries a failed connection only: proxy_next_upstream %s); ignored", strings.Join(others, " "), mode))
			}
			out = append(out, in.loc.value(a.key, mode, segs...))
		case 'a':
			if t != "cookie" {
				bad(`"cookie", the one affinity ingress-nginx has`)
				continue
			}
			out = append(out, in.loc.value(a.key, t, segs...))
		}
	}
	if len(out) == 0 {
		out = append(out, in.loc.value("ingress", "{}", "kind"))
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
