package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalesim/scalesim/policies"
)

var policiesFieldErrors = policies.FieldErrors

// Validate checks the rules that involve more than one field or a range
// (min <= initial <= max, rates >= 0, references to services, zones and
// pools, ...) and returns a *ValidationError listing every problem, or nil.
//
// Parse and Load call it; call it again after changing a Scenario in Go.
// The messages carry file positions when the scenario came from a file.
func (s *Scenario) Validate() error {
	var errs []Error
	s.validate(&errs)
	file := ""
	if s.src != nil {
		file = s.src.file
	}
	return newValidationError(file, errs)
}

type validator struct {
	s    *Scenario
	m    *sourceMap
	errs *[]Error
}

// key reports a problem with the field at path as a whole; skipped when
// the field (or an involved one) already failed to decode.
func (v validator) key(path string, involved []string, format string, args ...any) {
	if v.m.isBad(append([]string{path}, involved...)...) {
		return
	}
	*v.errs = append(*v.errs, v.m.keyErr(path, fmt.Sprintf(format, args...), involved...))
}

// val reports a problem with the value at path.
func (v validator) val(path, format string, args ...any) {
	if v.m.isBad(path) {
		return
	}
	*v.errs = append(*v.errs, v.m.valErr(path, fmt.Sprintf(format, args...)))
}

var scenarioNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (s *Scenario) validate(errs *[]Error) {
	v := validator{s: s, m: s.src, errs: errs}
	switch {
	case s.Name == "":
		v.key("name", nil, "missing; give the scenario a name (it names the results folder)")
	case !scenarioNameRE.MatchString(s.Name):
		v.val("name", "%q cannot name a folder: use letters, digits, '.', '-' and '_'", s.Name)
	}
	if s.Duration <= 0 && v.m.has("duration") {
		v.val("duration", "must be greater than 0")
	}
	if s.Warmup >= s.Duration && s.Duration > 0 && s.Warmup > 0 {
		v.key("warmup", []string{"duration"}, "%v is not shorter than the duration %v", s.Warmup, s.Duration)
	}
	if s.SampleInterval <= 0 {
		v.val("sample_interval", "must be greater than 0")
	} else if s.Duration > 0 && s.SampleInterval > s.Duration {
		v.key("sample_interval", []string{"duration"}, "%v is longer than the duration %v", s.SampleInterval, s.Duration)
	}

	if len(s.Zones) == 0 {
		v.key("zones", nil, "at least one zone is required (leave zones out for a single zone)")
	}
	v.unique("zones", s.Zones, "zone")
	pools := map[string]int{}
	for i := range s.Nodes {
		v.nodePool(i, pools)
	}

	if len(s.Services) == 0 && !v.m.isBad("services") {
		v.key("services", nil, "at least one service is required")
	}
	for i := range s.Services {
		v.service(&s.Services[i])
	}
	for i := range s.Traffic {
		v.traffic(&s.Traffic[i])
	}
	for i := range s.Faults {
		v.fault(i, &s.Faults[i])
	}
	for i := range s.SLOs {
		v.slo(&s.SLOs[i])
	}
}

func (v validator) unique(path string, names []string, what string) {
	// The names were sorted after decoding; check them in file order so
	// each message points at the right line.
	type item struct{ name, path string }
	var items []item
	if v.m != nil && v.m.vals[path+".0"] != nil {
		for i := 0; v.m.vals[path+"."+itoa(i)] != nil; i++ {
			p := path + "." + itoa(i)
			items = append(items, item{deref(v.m.vals[p]).Value, p})
		}
	} else {
		for _, n := range names {
			items = append(items, item{n, path})
		}
	}
	seen := map[string]bool{}
	for _, it := range items {
		switch {
		case !nameRE.MatchString(it.name):
			v.val(it.path, "invalid %s name %q: use letters, digits, '-' and '_'", what, it.name)
		case seen[it.name]:
			v.val(it.path, "%s %q is listed twice", what, it.name)
		}
		seen[it.name] = true
	}
}

func (v validator) nodePool(i int, pools map[string]int) {
	p := &v.s.Nodes[i]
	path := "nodes." + itoa(i)
	switch {
	case !nameRE.MatchString(p.Name):
		v.val(path+".pool", "invalid pool name %q: use letters, digits, '-' and '_'", p.Name)
	case pools[p.Name] > 0:
		v.val(path+".pool", "pool %q is defined twice", p.Name)
	}
	pools[p.Name] = i + 1
	if v.m.has(path + ".zones") {
		v.unique(path+".zones", p.Zones, "zone")
	}
	if len(p.Zones) == 0 {
		v.key(path+".zones", nil, "at least one zone is required (leave zones out for every zone)")
	}
	for _, z := range p.Zones {
		if !slices.Contains(v.s.Zones, z) {
			v.key(path+".zones", nil, "unknown zone %q%s", z, v.known(z, v.s.Zones, "zones"))
		}
	}
	if p.PerZone < 0 {
		v.val(path+".per_zone", "must be at least 0")
	}
	if p.MaxPerZone < p.PerZone {
		v.key(path+".max_per_zone", []string{path + ".per_zone"}, "%d is less than per_zone %d", p.MaxPerZone, p.PerZone)
	}
	if p.CPU <= 0 {
		v.val(path+".cpu", "must be greater than 0")
	}
	if p.Memory <= 0 {
		v.val(path+".memory", "must be greater than 0")
	}
	if p.PricePerHour < 0 {
		v.val(path+".price_per_hour", "must be at least 0")
	}
}

// known says what the valid names are, with a suggestion.
func (v validator) known(name string, names []string, what string) string {
	if len(names) == 0 {
		return fmt.Sprintf("; there are no %s", what)
	}
	if s := suggest(name, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Sprintf("; %s: %s", what, strings.Join(names, ", "))
}

func (v validator) serviceNames() []string {
	out := make([]string, len(v.s.Services))
	for i, s := range v.s.Services {
		out[i] = s.Name
	}
	return out
}

func (v validator) service(svc *Service) {
	path := "services." + svc.Name
	p := func(rel string) string { return path + "." + rel }

	r := svc.Replicas
	if r.Initial < 0 {
		v.val(p("replicas.initial"), "must be at least 0")
	}
	if r.Min < 0 {
		v.val(p("replicas.min"), "must be at least 0")
	}
	if r.Max < 1 {
		v.val(p("replicas.max"), "must be at least 1")
	}
	mm := []string{p("replicas.min"), p("replicas.max"), p("replicas.initial")}
	switch {
	case r.Min > r.Max:
		v.key(p("replicas"), mm, "min %d is greater than max %d", r.Min, r.Max)
	case r.Initial < r.Min && r.Initial >= 0:
		v.key(p("replicas"), mm, "initial %d is less than min %d", r.Initial, r.Min)
	case r.Initial > r.Max && r.Max >= 1:
		v.key(p("replicas"), mm, "initial %d is greater than max %d", r.Initial, r.Max)
	}

	in := svc.Instance
	if in.CPURequest <= 0 {
		v.val(p("instance.cpu_request"), "must be greater than 0")
	}
	if in.CPULimit > 0 && in.CPULimit < in.CPURequest {
		v.key(p("instance.cpu_limit"), []string{p("instance.cpu_request")}, "%s is less than cpu_request %s", cores(in.CPULimit), cores(in.CPURequest))
	}
	if in.MemoryLimit > 0 && in.MemoryLimit < in.MemoryRequest {
		v.key(p("instance.memory_limit"), []string{p("instance.memory_request")}, "%s is less than memory_request %s", bytesStr(in.MemoryLimit), bytesStr(in.MemoryRequest))
	}
	if in.Concurrency < 1 {
		v.val(p("instance.concurrency"), "must be at least 1, or unlimited")
	}
	if in.QueueLimit < 0 {
		v.val(p("instance.queue_limit"), "must be at least 0 (0: no queue), or unlimited")
	}
	if in.Warmup.Slowdown < 1 {
		v.val(p("instance.warmup.slowdown"), "%g must be at least 1 (1: no slowdown; 3: three times slower at first)", in.Warmup.Slowdown)
	}
	if in.PricePerHour < 0 {
		v.val(p("instance.price_per_hour"), "must be at least 0")
	}
	if v.m != nil && !v.m.has(p("demand.cpu")) && !v.m.has(p("demand.wait")) && v.m.has(p("demand")) {
		v.key(p("demand"), nil, "give cpu, wait or both, e.g. {cpu: 50ms}")
	}

	for _, pr := range []struct {
		name string
		p    *Probe
	}{{"readiness", svc.Probes.Readiness}, {"liveness", svc.Probes.Liveness}} {
		if pr.p == nil {
			continue
		}
		pp := p("probes." + pr.name)
		if pr.p.Period <= 0 {
			v.val(pp+".period", "must be greater than 0")
		}
		if pr.p.FailureThreshold < 1 {
			v.val(pp+".failure_threshold", "must be at least 1")
		}
		if pr.p.Timeout <= 0 {
			v.val(pp+".timeout", "must be greater than 0")
		}
	}
	if ts := svc.TopologySpread; ts != nil && ts.MaxSkew < 1 {
		v.val(p("topology_spread.max_skew"), "must be at least 1")
	}
	if svc.DisruptionBudget.MinAvailable < 0 {
		v.val(p("disruption_budget.min_available"), "must be at least 0")
	}
	if svc.LoadBalancer.Replicas < 1 {
		v.val(p("load_balancer.replicas"), "must be at least 1")
	}

	if len(v.s.Nodes) > 0 {
		maxCPU, maxMem := 0.0, 0.0
		for _, n := range v.s.Nodes {
			maxCPU, maxMem = max(maxCPU, n.CPU), max(maxMem, n.Memory)
		}
		if in.CPURequest > maxCPU {
			v.key(p("instance.cpu_request"), nil, "%s does not fit on any node (the largest pool has %s)", cores(in.CPURequest), cores(maxCPU))
		}
		if in.MemoryRequest > maxMem {
			v.key(p("instance.memory_request"), nil, "%s does not fit on any node (the largest pool has %s)", bytesStr(in.MemoryRequest), bytesStr(maxMem))
		}
	}
	v.autoscaler(svc, path+".autoscaler")
}

func (v validator) autoscaler(svc *Service, path string) {
	a := svc.Autoscaler
	p := func(rel string) string { return path + "." + rel }
	if a.Interval <= 0 {
		v.val(p("interval"), "must be greater than 0")
	}
	v.percent(p("target_utilization"), a.TargetUtilization)
	seen := map[string]bool{}
	for i, t := range a.Metrics {
		mp := p("metrics." + itoa(i))
		if seen[t.Resource] {
			v.key(mp, nil, "resource %s is listed twice", t.Resource)
		}
		seen[t.Resource] = true
		if v.m.has(mp + ".target_utilization") {
			v.percent(mp+".target_utilization", t.TargetUtilization)
		}
	}
	if slices.ContainsFunc(a.ScalesOn(), func(t MetricTarget) bool { return t.Resource == "memory" }) {
		if svc.Instance.MemoryRequest <= 0 {
			v.key("services."+svc.Name+".instance.memory_request", nil, "must be greater than 0 to scale on memory utilization")
		}
	}
	if a.Tolerance < 0 || a.Tolerance >= 1 {
		v.val(p("tolerance"), "%g must be in [0, 1), e.g. 0.1 for 10%%", a.Tolerance)
	}
	if a.Pipeline.ScrapeInterval <= 0 {
		v.val(p("metrics.scrape_interval"), "must be greater than 0")
	}
	if a.Pipeline.Window <= 0 {
		v.val(p("metrics.window"), "must be greater than 0")
	}
	if b := a.Behavior; b != nil {
		v.rules(p("behavior.scale_up"), b.ScaleUp)
		v.rules(p("behavior.scale_down"), b.ScaleDown)
	}

	v.policies(svc, path)
}

// policies checks the parameters of every registered policy, each by its
// own definition: the service's policy in full, and of the other
// policies the parameters the file gives (a file may carry several
// policies' parameters for `compare --policy`). Each problem is reported
// at its field; a field already reported is not reported twice.
func (v validator) policies(svc *Service, path string) {
	p := func(rel string) string { return path + "." + rel }
	reported := map[string]bool{}
	for _, e := range *v.errs {
		reported[e.Path] = true
	}
	for _, d := range PolicyDefs() {
		selected := d.Name == svc.Autoscaler.Policy
		report := func(field, format string, args ...any) {
			fp := p(field)
			if reported[fp] || !selected && !(d.Owns(field) && v.m.has(fp)) {
				return
			}
			reported[fp] = true
			if v.m.has(fp) {
				v.val(fp, format, args...)
			} else {
				v.key(fp, []string{p("policy")}, format, args...)
			}
		}
		if d.Check != nil {
			d.Check(svc, report)
		}
		for _, e := range policiesFieldErrors(d.Config(svc).Validate()) {
			report(fieldPath(e.Field), "%s", e.Problem)
		}
	}
}

// percent checks a utilization target in percent.
func (v validator) percent(path string, x float64) {
	switch {
	case x <= 0:
		v.val(path, "%g must be greater than 0 (a percentage, e.g. 70)", x)
	case x < 1:
		v.val(path, "%g is in percent, so this means %g%%; write %g for %g%%", x, x, x*100, x*100)
	}
}

func (v validator) rules(path string, r ScalingRules) {
	if r.StabilizationWindow > time.Hour {
		v.val(path+".stabilization_window", "%v is longer than Kubernetes' maximum of 1h", r.StabilizationWindow)
	}
	if len(r.Policies) == 0 && r.SelectPolicy != SelectDisabled && v.m.has(path+".policies") {
		v.key(path+".policies", nil, "needs at least one policy, e.g. [{type: Pods, value: 4, period: 15s}]")
	}
	for i, sp := range r.Policies {
		pp := path + ".policies." + itoa(i)
		if sp.Value < 1 {
			v.val(pp+".value", "must be at least 1")
		}
		if sp.Period <= 0 || sp.Period > 30*time.Minute {
			v.val(pp+".period", "%v must be greater than 0 and at most 30m (Kubernetes' range)", sp.Period)
		}
	}
}

func (v validator) traffic(t *Traffic) {
	path := "traffic." + t.Service
	if v.s.Service(t.Service) == nil {
		v.key(path, nil, "traffic for unknown service %q%s", t.Service, v.known(t.Service, v.serviceNames(), "services"))
	}
	hasRate, hasPattern := v.m.has(path+".rate"), v.m.has(path+".pattern")
	switch {
	case hasRate && hasPattern:
		v.key(path+".rate", []string{path + ".pattern"}, "give either rate or pattern, not both (a constant component in the pattern does what rate does)")
	case !hasRate && !hasPattern && v.m != nil && !v.m.isBad(path):
		v.key(path, nil, "give a rate (e.g. rate: 100) or a pattern")
	case hasRate && t.Rate < 0:
		v.val(path+".rate", "%g is negative; a rate is at least 0", t.Rate)
	case hasPattern && len(t.Pattern) == 0:
		v.key(path+".pattern", nil, "the pattern is empty; give at least one component")
	}
	if hasPattern {
		for i := range t.Pattern {
			v.component(path+".pattern."+itoa(i), &t.Pattern[i])
		}
	}
	if t.Clients < 1 {
		v.val(path+".clients", "must be at least 1")
	}
	if t.Retries < 0 {
		v.val(path+".retries", "must be at least 0")
	}
}

func (v validator) component(path string, c *Component) {
	if d := lookupComponent(c.Type); d != nil && d.Check != nil {
		d.Check(v, path, c)
	}
}

func (v validator) fault(i int, f *Fault) {
	path := "faults." + itoa(i)
	if v.s.Duration > 0 && f.At >= v.s.Duration {
		v.key(path+".at", []string{"duration"}, "%v is not before the end of the run (duration %v)", f.At, v.s.Duration)
	}
	if d := LookupFault(f.Type); d != nil && d.Check != nil {
		d.Check(v, path, f)
	}
}

// validNode reports whether name is "<pool>-<zone>-<n>" for a pool, one of
// its zones and n >= 1. Pool and zone names may contain '-' themselves.
func (v validator) validNode(name string) bool {
	for _, p := range v.s.Nodes {
		rest, ok := strings.CutPrefix(name, p.Name+"-")
		if !ok {
			continue
		}
		for _, z := range p.Zones {
			num, ok := strings.CutPrefix(rest, z+"-")
			if !ok {
				continue
			}
			if n, err := strconv.Atoi(num); err == nil && n >= 1 {
				return true
			}
		}
	}
	return false
}

func (v validator) slo(o *SLO) {
	path := "slo." + o.Service
	if v.s.Service(o.Service) == nil {
		v.key(path, nil, "SLO for unknown service %q%s", o.Service, v.known(o.Service, v.serviceNames(), "services"))
	}
	if o.Latency <= 0 && o.Availability <= 0 && !v.m.isBad(path+".latency", path+".availability") {
		v.key(path, nil, "give a latency (e.g. latency: 250ms), an availability (e.g. availability: 0.999) or both")
	}
	if o.Percentile <= 0 || o.Percentile >= 100 {
		v.val(path+".percentile", "%g must be between 0 and 100 (exclusive), e.g. 99", o.Percentile)
	}
	if o.Availability < 0 || o.Availability > 1 {
		v.val(path+".availability", "%g must be a fraction in (0, 1], e.g. 0.999", o.Availability)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// cores formats a CPU quantity the way Kubernetes users write it.
func cores(c float64) string {
	if c < 1 && c*1000 == float64(int64(c*1000)) {
		return strconv.FormatInt(int64(c*1000), 10) + "m"
	}
	return strconv.FormatFloat(c, 'g', -1, 64)
}

// bytesStr formats a memory quantity with the largest exact binary suffix.
func bytesStr(b float64) string {
	for _, u := range []struct {
		s string
		f float64
	}{{"Ti", 1 << 40}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if b >= u.f && b/u.f == float64(int64(b/u.f)) {
			return strconv.FormatInt(int64(b/u.f), 10) + u.s
		}
	}
	return strconv.FormatFloat(b, 'g', -1, 64)
}
