package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
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

// Limits. Each refuses only what no real scenario means and what would
// otherwise exhaust memory or never finish; scenarios/README.md lists them.
const (
	// MaxReplicas bounds replicas.initial, min and max, and the cloud
	// policy's min_replicas and max_replicas.
	MaxReplicas = 100_000
	// MaxRate bounds a service's offered load, in requests per second, at
	// its peak (every pattern component and spike taken together).
	MaxRate = 1e6
	// MaxSpikeFactor bounds a spike's factor.
	MaxSpikeFactor = 1000
	// MaxClients bounds traffic.clients (client-ip keeps a session per
	// client).
	MaxClients = 1_000_000
	// MaxRetries bounds traffic.retries (the simulator's own limit).
	MaxRetries = 1000
	// MaxRounds bounds the requests-in-flight policy's rounds (its window
	// of samples).
	MaxRounds = 10_000
	// MaxInstancesPerScaleUp bounds the requests-in-flight policy's
	// instances_per_scale_up (WSO2 adds them even beyond replicas.max).
	MaxInstancesPerScaleUp = 1000
	// MaxNodesPerZone bounds a node pool's per_zone and max_per_zone.
	MaxNodesPerZone = 10_000
	// MinInterval is the shortest sample_interval, autoscaler interval,
	// metrics scrape_interval and window, probe period and behavior
	// policy period, and the shortest duration.
	MinInterval = time.Millisecond
	// MaxSamples bounds duration / sample_interval: the rows of
	// timeseries.csv per service.
	MaxSamples = 1_000_000
	// MaxProbeTime bounds a probe's initial_delay, period and timeout.
	MaxProbeTime = time.Hour
	// MaxProbeThreshold bounds a probe's failure_threshold and
	// success_threshold.
	MaxProbeThreshold = 10_000
	// MaxMemoryRetention bounds instance.memory_retention (but "forever").
	MaxMemoryRetention = 24 * time.Hour
	// MaxControlPlaneDelay bounds the control plane's grace period and
	// tolerations (a day: beyond it a node is never seen to fail).
	MaxControlPlaneDelay = 24 * time.Hour
	// MaxMinDomains bounds topology_spread.min_domains.
	MaxMinDomains = 1000
)

// controlPlane checks the control_plane block: each timing from 0 (at the
// instant the node fails) to MaxControlPlaneDelay.
func (v validator) controlPlane() {
	cp := v.s.ControlPlane
	for _, t := range []struct {
		key    string
		d, def time.Duration
	}{
		{"node_monitor_grace_period", cp.NodeMonitorGracePeriod, DefaultNodeMonitorGracePeriod},
		{"not_ready_toleration", cp.NotReadyToleration, DefaultTolerationSeconds},
		{"unreachable_toleration", cp.UnreachableToleration, DefaultTolerationSeconds},
	} {
		if t.d < 0 || t.d > MaxControlPlaneDelay {
			v.val("control_plane."+t.key, "%v is out of range: give 0s to %v (Kubernetes' default is %v)", t.d, MaxControlPlaneDelay, t.def)
		}
	}
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
	if s.Duration < MinInterval && v.m.has("duration") {
		v.val("duration", "%v is too short; a run lasts at least %v", s.Duration, MinInterval)
	}
	if s.Warmup >= s.Duration && s.Duration > 0 && s.Warmup > 0 {
		v.key("warmup", []string{"duration"}, "%v is not shorter than the duration %v", s.Warmup, s.Duration)
	}
	switch {
	case s.SampleInterval < MinInterval:
		v.val("sample_interval", "%v is too short; it must be at least %v", s.SampleInterval, MinInterval)
	case s.Duration > 0 && s.SampleInterval > s.Duration:
		v.key("sample_interval", []string{"duration"}, "%v is longer than the duration %v", s.SampleInterval, s.Duration)
	case s.Duration/s.SampleInterval > MaxSamples:
		v.key("sample_interval", []string{"duration"}, "%v gives %d samples over the duration %v, more than the %d allowed; write at least %v", s.SampleInterval, s.Duration/s.SampleInterval, s.Duration, MaxSamples, minSampleInterval(s.Duration))
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
	v.controlPlane()
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
			items = append(items, item{yamlnode.Deref(v.m.vals[p]).Value, p})
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
	if p.PerZone > MaxNodesPerZone {
		v.val(path+".per_zone", "%d is more than the %d nodes per zone allowed", p.PerZone, MaxNodesPerZone)
	} else if p.MaxPerZone > MaxNodesPerZone {
		v.val(path+".max_per_zone", "%d is more than the %d nodes per zone allowed", p.MaxPerZone, MaxNodesPerZone)
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
	for _, x := range []struct {
		key string
		n   int
	}{{"initial", r.Initial}, {"min", r.Min}, {"max", r.Max}} {
		if x.n > MaxReplicas && (x.key == "initial" || v.m == nil || v.m.has(p("replicas."+x.key))) {
			// A defaulted min or max follows initial: one message is enough.
			v.val(p("replicas."+x.key), "%d is more than the %d replicas allowed", x.n, MaxReplicas)
		}
	}
	if d := LookupPolicy(svc.Autoscaler.Policy); d != nil && r.Min == 0 && !d.ScalesToZero && v.m != nil && v.m.has(p("replicas.min")) {
		v.val(p("replicas.min"), "0 needs a policy that scales to zero (%s); %s keeps at least 1 replica: set min to 1 or more",
			strings.Join(ScaleToZeroPolicies(), ", "), d.Name)
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
	if in.CPUCFSPeriod < cluster.MinCFSPeriod || in.CPUCFSPeriod > cluster.MaxCFSPeriod {
		v.val(p("instance.cpu_cfs_period"), "%v is out of range: the kernel takes a CFS period from %v to %v (default %v)", in.CPUCFSPeriod, cluster.MinCFSPeriod, cluster.MaxCFSPeriod, DefaultCFSPeriod)
	}
	if in.MemoryLimit > 0 && in.MemoryLimit < in.MemoryRequest {
		v.key(p("instance.memory_limit"), []string{p("instance.memory_request")}, "%s is less than memory_request %s", bytesStr(in.MemoryLimit), bytesStr(in.MemoryRequest))
	} else if in.MemoryLimit > 0 && in.MemoryLimit < in.BaseMemory {
		v.key(p("instance.memory_limit"), []string{p("instance.base_memory")}, "%s is less than base_memory %s: every container would be OOM-killed as it starts; raise the limit or lower base_memory", bytesStr(in.MemoryLimit), bytesStr(in.BaseMemory))
	}
	if r := in.MemoryRetention; r != Forever && (r < 0 || r > MaxMemoryRetention) {
		v.val(p("instance.memory_retention"), "%v is out of range: give a release time constant from 0 (release at once) to %v, or \"forever\" (keep the high-water mark)", r, MaxMemoryRetention)
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
	}{{"startup", svc.Probes.Startup}, {"readiness", svc.Probes.Readiness}, {"liveness", svc.Probes.Liveness}} {
		if pr.p == nil {
			continue
		}
		pp := p("probes." + pr.name)
		v.interval(pp+".period", pr.p.Period)
		for _, t := range []struct {
			key string
			d   time.Duration
		}{{"initial_delay", pr.p.InitialDelay}, {"period", pr.p.Period}, {"timeout", pr.p.Timeout}} {
			if t.d > MaxProbeTime {
				v.val(pp+"."+t.key, "%v is more than the %v allowed", t.d, MaxProbeTime)
			}
		}
		if pr.p.InitialDelay < 0 {
			v.val(pp+".initial_delay", "must be at least 0")
		}
		if pr.p.Timeout <= 0 {
			v.val(pp+".timeout", "must be greater than 0")
		}
		for _, t := range []struct {
			key string
			n   int
		}{{"failure_threshold", pr.p.FailureThreshold}, {"success_threshold", pr.p.SuccessThreshold}} {
			switch {
			case t.n < 1:
				v.val(pp+"."+t.key, "must be at least 1")
			case t.n > MaxProbeThreshold:
				v.val(pp+"."+t.key, "%d is more than the %d allowed", t.n, MaxProbeThreshold)
			}
		}
		if pr.name != "readiness" && pr.p.SuccessThreshold > 1 {
			v.val(pp+".success_threshold", "must be 1 for a %s probe (Kubernetes allows no other)", pr.name)
		}
	}
	if ts := svc.TopologySpread; ts != nil {
		if ts.MaxSkew < 1 {
			v.val(p("topology_spread.max_skew"), "must be at least 1")
		}
		switch {
		case ts.MinDomains < 0 || ts.MinDomains > MaxMinDomains:
			v.val(p("topology_spread.min_domains"), "%d is out of range: give 1 to %d", ts.MinDomains, MaxMinDomains)
		case ts.MinDomains > 1 && ts.WhenUnsatisfiable != DoNotSchedule:
			v.key(p("topology_spread.min_domains"), []string{p("topology_spread.when_unsatisfiable")}, "applies only with when_unsatisfiable: DoNotSchedule (Kubernetes refuses it with ScheduleAnyway)")
		}
	}
	if svc.DisruptionBudget.MinAvailable < 0 {
		v.val(p("disruption_budget.min_available"), "must be at least 0")
	}
	if svc.LoadBalancer.Replicas < 1 {
		v.val(p("load_balancer.replicas"), "must be at least 1")
	}
	if g := svc.Ingress; g != nil {
		if g.Latency < 0 {
			v.val(p("ingress.latency"), "must be at least 0")
		}
		if g.ProxyReadTimeout < 0 {
			v.val(p("ingress.proxy_read_timeout"), "must be at least 0 (0: no read timeout)")
		}
		if g.ProxyNextUpstreamTries < 0 {
			v.val(p("ingress.proxy_next_upstream_tries"), "must be at least 0 (0: every endpoint once)")
		}
		if g.SessionCookieMaxAge < 0 {
			v.val(p("ingress.session_cookie_max_age"), "must be at least 0 (0: a session cookie)")
		}
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
	v.interval(p("interval"), a.Interval)
	v.percent(p("target_utilization"), a.TargetUtilization, false)
	seen := map[string]bool{}
	for i, t := range a.Metrics {
		v.metricEntry(p("metrics."+itoa(i)), t, seen)
	}
	v.needsQueue(svc, path)
	v.interval(p("adapter.scrape_interval"), a.Adapter.ScrapeInterval)
	v.interval(p("adapter.rate_window"), a.Adapter.RateWindow)
	if a.Adapter.RateWindow > 0 && a.Adapter.RateWindow < 2*a.Adapter.ScrapeInterval {
		v.val(p("adapter.rate_window"), "%v holds fewer than two scrapes of %v: rate() would have no value; use at least %v", a.Adapter.RateWindow, a.Adapter.ScrapeInterval, 2*a.Adapter.ScrapeInterval)
	}
	if slices.ContainsFunc(a.ScalesOn(), func(t MetricTarget) bool { return t.Resource == "memory" }) {
		if svc.Instance.MemoryRequest <= 0 {
			v.key("services."+svc.Name+".instance.memory_request", nil, "must be greater than 0 to scale on memory utilization")
		}
	}
	if a.Tolerance < 0 || a.Tolerance >= 1 {
		v.val(p("tolerance"), "%g must be in [0, 1), e.g. 0.1 for 10%%", a.Tolerance)
	}
	v.interval(p("metrics.scrape_interval"), a.Pipeline.ScrapeInterval)
	v.interval(p("metrics.window"), a.Pipeline.Window)
	if b := a.Behavior; b != nil {
		v.rules(p("behavior.scale_up"), b.ScaleUp)
		v.rules(p("behavior.scale_down"), b.ScaleDown)
	}

	v.policyLimits(svc, path)
	v.policies(svc, path)
}

// needsQueue refuses what reads a message queue on a service that has
// none: a keda queue trigger, an HPA external queue metric.
func (v validator) needsQueue(svc *Service, path string) {
	if t := v.s.TrafficFor(svc.Name); t != nil && t.Kind == KindQueue {
		return
	}
	a := &svc.Autoscaler
	msg := "reads the service's message queue, which it has none of: give traffic." + svc.Name + " kind: queue"
	if a.Policy == PolicyKEDA {
		for i, tr := range a.KEDA.Triggers {
			if tr.Type == policies.TriggerQueue {
				v.key(path+".triggers."+itoa(i)+".type", nil, "a queue trigger %s", msg)
			}
		}
	}
	for i, m := range a.ScalesOn() {
		if m.Type == string(policies.SourceExternal) && (m.Metric == policies.MetricQueueDepth || m.Metric == policies.MetricQueueMessageAge) {
			v.key(path+".metrics."+itoa(i)+".metric", nil, "%s %s", m.Metric, msg)
		}
	}
}

// metricEntry checks one entry of autoscaler.metrics: a resource entry
// {resource, target_utilization}, or a pods, object or external entry
// {type, metric, target_value | target_average_value} (the policy's
// Validate checks the metric name and the targets of those). A malformed
// entry gets one error; its other fields are then marked so that no
// consequence of the same mistake is reported.
func (v validator) metricEntry(mp string, t MetricTarget, seen map[string]bool) {
	quiet := func(keys ...string) {
		if v.m == nil {
			return
		}
		for _, k := range keys {
			v.m.bad[mp+"."+k] = true
		}
	}
	if v.m.isBad(mp + ".type") {
		quiet("resource", "target_utilization", "metric", "target_value", "target_average_value")
		return
	}
	if t.Custom() {
		if v.m.has(mp + ".resource") {
			v.key(mp+".resource", nil, "a %s metric names its metric with metric, not resource", t.Type)
		}
		id := t.Type + "/" + t.Metric
		if seen[id] {
			v.key(mp, nil, "%s metric %s is listed twice", t.Type, t.Metric)
		}
		seen[id] = true
		return
	}
	for _, k := range []string{"metric", "target_value", "target_average_value"} {
		if v.m.has(mp + "." + k) {
			v.key(mp+"."+k, nil, "is for pods, object and external metrics; add type: pods (or object, external), or use resource and target_utilization")
			quiet("resource", "target_utilization", "metric", "target_value", "target_average_value")
			return
		}
	}
	if t.Resource == "" && v.m.has(mp) && !v.m.has(mp+".resource") {
		v.key(mp, nil, "a resource metric needs resource: cpu or memory (or type: pods, object or external with a metric)")
		quiet("resource", "target_utilization")
		return
	}
	if seen[t.Resource] {
		v.key(mp, nil, "resource %s is listed twice", t.Resource)
	}
	seen[t.Resource] = true
	if v.m.has(mp + ".target_utilization") {
		v.percent(mp+".target_utilization", t.TargetUtilization, false)
	} else if v.m.has(mp) {
		v.key(mp, nil, "a resource metric needs target_utilization, e.g. 70")
		quiet("target_utilization")
	}
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

// interval checks a time between periodic events.
func (v validator) interval(path string, d time.Duration) {
	if d < MinInterval {
		v.val(path, "%v is too short; it must be at least %v", d, MinInterval)
	}
}

// fractionHint is the message for a percentage written as a fraction.
func fractionHint(x float64) string {
	pct := strconv.FormatFloat(x*100, 'g', 10, 64) // 0.07*100 is 7.000000000000001
	return fmt.Sprintf("%g is a fraction, but this is a percentage: write %s, not %g (or \"%g%%\" if you mean %g percent)", x, pct, x, x, x)
}

// percentile checks a percentile in percent, in (1, 100): 0.99 and 1 are
// fractions written for percentages (1 would be the 1st percentile).
func (v validator) percentile(path string, x, example float64) {
	switch {
	case x <= 0 || x >= 100:
		v.val(path, "%g must be between 0 and 100 (exclusive), e.g. %g", x, example)
	case x <= 1 && !v.m.percentSign(path):
		v.val(path, "%s", fractionHint(x))
	}
}

// percent checks a utilization target in percent (0 allowed when
// zeroOK): a value in (0, 1] is a fraction written for a percentage,
// refused unless written with a percent sign ("0.7%").
func (v validator) percent(path string, x float64, zeroOK bool) {
	switch {
	case x == 0 && zeroOK:
	case x <= 0:
		v.val(path, "%g must be greater than 0 (a percentage, e.g. 70)", x)
	case x <= 1 && !v.m.percentSign(path):
		v.val(path, "%s", fractionHint(x))
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
		if sp.Period < MinInterval || sp.Period > 30*time.Minute {
			v.val(pp+".period", "%v must be at least %v and at most 30m (Kubernetes' range is 1s to 30m)", sp.Period, MinInterval)
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
	if hasRate != hasPattern {
		v.peakRate(t, hasRate)
	}
	if t.Clients < 1 {
		v.val(path+".clients", "must be at least 1")
	} else if t.Clients > MaxClients {
		v.val(path+".clients", "%d is more than the %d clients allowed", t.Clients, MaxClients)
	}
	if t.Retries < 0 {
		v.val(path+".retries", "must be at least 0")
	} else if t.Retries > MaxRetries {
		v.val(path+".retries", "%d is more than the %d retries allowed", t.Retries, MaxRetries)
	}
	if t.Kind == KindQueue {
		v.queueTraffic(t, path)
	}
}

// queueTraffic checks asynchronous work: messages have no client to time
// out or retry, and a consumer takes as many at once as its concurrency.
func (v validator) queueTraffic(t *Traffic, path string) {
	for _, k := range []string{"timeout", "retries", "clients"} {
		if v.m.has(path + "." + k) {
			v.key(path+"."+k, []string{path + ".kind"}, "does not apply to kind: queue (messages wait on the queue until a consumer takes them; there is no client)")
		}
	}
	if svc := v.s.Service(t.Service); svc != nil && svc.Instance.Concurrency == Unlimited {
		v.key("services."+t.Service+".instance.concurrency", []string{path + ".kind"}, "must be set for kind: queue: it is how many messages an instance processes at once, e.g. 4")
	}
}

// peakRate refuses a rate function whose peak over the run exceeds MaxRate.
func (v validator) peakRate(t *Traffic, hasRate bool) {
	path := "traffic." + t.Service
	where := path + ".pattern"
	if hasRate {
		where = path + ".rate"
	}
	if v.m.isBad(where) || len(t.Pattern) == 0 || v.s.Duration <= 0 {
		return
	}
	for i := range t.Pattern {
		if v.m.isBad(where+"."+itoa(i)) || t.Pattern[i].Type == ComponentSpike && t.Pattern[i].Factor > MaxSpikeFactor {
			return // reported on its own
		}
	}
	if peak := PeakRate(t.Profile(), v.s.Duration); peak > MaxRate {
		if hasRate {
			v.val(where, "%s requests per second is more than the %s allowed per service", num(peak), num(MaxRate))
		} else {
			v.key(where, nil, "the rate reaches %s requests per second, more than the %s allowed per service", num(peak), num(MaxRate))
		}
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
	v.percentile(path+".percentile", o.Percentile, 99)
	if o.Availability < 0 || o.Availability > 1 {
		v.val(path+".availability", "%g must be a fraction in (0, 1], e.g. 0.999", o.Availability)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// num formats a rate: 1000000 rather than 1e+06, 4 significant digits.
func num(x float64) string {
	if x >= 1e15 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

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

// policyLimits checks the bounds on policy parameters that keep a run
// meaningful and finite (the policies' own Validate checks their ranges),
// and percentages written as fractions. Defaults are within every bound,
// so a parameter the file does not give never fails here.
func (v validator) policyLimits(svc *Service, path string) {
	a := svc.Autoscaler
	p := func(rel string) string { return path + "." + rel }
	if rif := a.RequestsInFlight; rif.Rounds > MaxRounds {
		v.val(p("rounds"), "%d is more than the %d rounds allowed (the first decision comes after rounds x interval)", rif.Rounds, MaxRounds)
	}
	if rif := a.RequestsInFlight; rif.InstancesPerScaleUp > MaxInstancesPerScaleUp {
		v.val(p("instances_per_scale_up"), "%d is more than the %d allowed per scale-up", rif.InstancesPerScaleUp, MaxInstancesPerScaleUp)
	}
	v.percentile(p("percentile"), a.Latency.Percentile, 95)
	// Zero and negative thresholds are the cloud policy's own Check.
	if a.Cloud.CPUThreshold > 0 {
		v.percent(p("cpu_threshold"), a.Cloud.CPUThreshold, false)
	}
	if a.Cloud.MemoryThreshold > 0 {
		v.percent(p("memory_threshold"), a.Cloud.MemoryThreshold, true)
	}
	for _, key := range []string{"min_replicas", "max_replicas"} {
		n := a.Cloud.MinReplicas
		if key == "max_replicas" {
			n = a.Cloud.MaxReplicas
		}
		if n > MaxReplicas {
			v.val(p(key), "%d is more than the %d replicas allowed", n, MaxReplicas)
		}
	}
}
