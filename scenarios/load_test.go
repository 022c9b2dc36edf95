package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// mustParse parses a scenario that must be valid.
func mustParse(t *testing.T, text string, sets ...string) *Scenario {
	t.Helper()
	s, err := ParseWithOverrides("test.yaml", []byte(text), sets)
	if err != nil {
		t.Fatalf("unexpected error:\n%v", err)
	}
	return s
}

// parseErrors parses a scenario that must be invalid and returns its
// problems, one per line.
func parseErrors(t *testing.T, text string, sets ...string) []string {
	t.Helper()
	_, err := ParseWithOverrides("bad.yaml", []byte(text), sets)
	if err == nil {
		t.Fatalf("no error for:\n%s", text)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *ValidationError: %v", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

func TestBrokenScenarios(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		// want is the start of one of the error lines: FILE:LINE:COL: path: message.
		want string
	}{
		{"unknown key", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autscaler: {policy: cpu}
`, `bad.yaml:7:5: services.web.autscaler: unknown field; did you mean "autoscaler"?`},
		{"unknown key without suggestion", `
name: x
duration: 1h
colour: blue
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:4:1: colour: unknown field; allowed: name, description, seed, duration,`},
		{"min greater than max", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    replicas:
      min: 5
      max: 2
`, `bad.yaml:7:5: services.web.replicas: min 5 is greater than max 2`},
		{"initial below min", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    replicas: {initial: 1, min: 3}
`, `bad.yaml:7:5: services.web.replicas: initial 1 is less than min 3`},
		{"negative rate", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
traffic:
  web: {rate: -5}
`, `bad.yaml:7:15: traffic.web.rate: -5 is negative; a rate is at least 0`},
		{"bad duration", `
name: x
duration: 1 hour
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:3:11: duration: "1 hour" is not a duration; use Go syntax like 500ms, 30s, 5m, 1h30m`},
		{"duration without unit", `
name: x
duration: 3600
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:3:11: duration: 3600 has no unit; write a Go duration, e.g. 3600s or 3600ms`},
		{"days", `
name: x
duration: 2d
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:3:11: duration: "2d" is not a duration: Go durations have no d unit; write 48h`},
		{"unknown service in traffic", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
traffic:
  wbe: {rate: 10}
`, `bad.yaml:7:3: traffic.wbe: traffic for unknown service "wbe"; did you mean "web"?`},
		{"unknown policy", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpuu}
`, `bad.yaml:7:26: services.web.autoscaler.policy: unknown value "cpuu"; allowed: static, cpu, memory, hpa, keda, requests-in-flight, latency, cloud, kpa, target-tracking, step-scaling, predictive; did you mean "cpu"?`},
		{"bad cpu quantity", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance: {cpu_request: 2 cores}
`, `bad.yaml:7:29: services.web.instance.cpu_request: "2 cores" is not a CPU quantity`},
		{"memory in millis", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance:
      memory_request: 128m
`, `bad.yaml:8:23: services.web.instance.memory_request: "128m" would be a fraction of a byte (m is a fractional suffix); did you mean 128Mi or 128M?`},
		{"memory GB", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance:
      memory_limit: 2GB
`, `bad.yaml:8:21: services.web.instance.memory_limit: "2GB" is not a memory quantity; did you mean 2G (10^x bytes) or 2Gi (2^x bytes)?`},
		{"broken YAML", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms
traffic:
  web: {rate: 1}
`, `bad.yaml:6:5: invalid YAML: did not find expected ',' or '}'`},
		{"tab", "name: x\nduration: 1h\nservices:\n  web:\n\tdemand: {cpu: 50ms}\n", `bad.yaml:5:1: invalid YAML: found character that cannot start any token (a tab: YAML indents with spaces only)`},
		{"wrong type", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    replicas: 3
`, `bad.yaml:7:15: services.web.replicas: expected a mapping with keys initial, min, max; got the number 3`},
		{"list expected", `
name: x
duration: 1h
zones: a
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:4:8: zones: expected a list; got "a"`},
		{"not an integer", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    replicas: {max: 2.5}
`, `bad.yaml:7:21: services.web.replicas.max: 2.5 is not a whole number`},
		{"missing duration", `
name: x
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:2:1: missing required field "duration"`},
		{"missing demand", `
name: x
duration: 1h
services:
  web:
    replicas: {initial: 2}
`, `bad.yaml:5:3: services.web: missing required field "demand"`},
		{"empty demand", `
name: x
duration: 1h
services:
  web:
    demand: {}
`, `bad.yaml:6:5: services.web.demand: give cpu, wait or both, e.g. {cpu: 50ms}`},
		{"distribution field of another kind", `
name: x
duration: 1h
services:
  web:
    demand:
      cpu: {dist: exponential, mean: 50ms, stddev: 10ms}
`, `bad.yaml:7:44: services.web.demand.cpu.stddev: not a field of dist "exponential", which takes dist, mean`},
		{"distribution missing field", `
name: x
duration: 1h
services:
  web:
    demand:
      cpu: {dist: lognormal, mean: 50ms}
`, `bad.yaml:7:7: services.web.demand.cpu: missing required field "stddev" (dist "lognormal" takes dist, mean, stddev)`},
		{"pareto shape", `
name: x
duration: 1h
services:
  web:
    demand:
      cpu: {dist: pareto, mean: 50ms, shape: 0.9}
`, `bad.yaml:7:46: services.web.demand.cpu.shape: 0.9 must be greater than 1`},
		{"unknown distribution", `
name: x
duration: 1h
services:
  web:
    demand:
      cpu: {dist: exponentail, mean: 50ms}
`, `bad.yaml:7:19: services.web.demand.cpu.dist: unknown value "exponentail"; allowed: exponential, constant, lognormal, uniform, pareto; did you mean "exponential"?`},
		{"cpu limit below request", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance: {cpu_request: 1, cpu_limit: 500m}
`, `bad.yaml:7:32: services.web.instance.cpu_limit: 500m is less than cpu_request 1`},
		{"cfs period too long", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance: {cpu_limit: 2, cpu_cfs_period: 2s}
`, `bad.yaml:7:46: services.web.instance.cpu_cfs_period: 2s is out of range: the kernel takes a CFS period from 1ms to 1s (default 100ms)`},
		{"cfs period too short", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance: {cpu_cfs_period: 500us}
`, `bad.yaml:7:32: services.web.instance.cpu_cfs_period: 500µs is out of range: the kernel takes a CFS period from 1ms to 1s (default 100ms)`},
		{"percentile", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
slo:
  web: {latency: 200ms, percentile: 100}
`, `bad.yaml:7:37: slo.web.percentile: 100 must be between 0 and 100 (exclusive), e.g. 99`},
		{"slo unknown service", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
slo:
  api: {latency: 200ms}
`, `bad.yaml:7:3: slo.api: SLO for unknown service "api"; services: web`},
		{"fault unknown zone", `
name: x
duration: 1h
zones: [a, b]
services:
  web: {demand: {cpu: 50ms}}
faults:
  - {at: 10m, type: zone-outage, zone: c}
`, `bad.yaml:8:40: faults.0.zone: unknown zone "c"; zones: a, b`},
		{"fault field of another type", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
faults:
  - {at: 10m, type: instance-crash, service: web, zone: a}
`, `bad.yaml:7:51: faults.0.zone: not a field of type "instance-crash", which takes at, type, service, count`},
		{"fault after the end", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
faults:
  - {at: 2h, type: instance-crash, service: web}
`, `bad.yaml:7:6: faults.0.at: 2h0m0s is not before the end of the run (duration 1h0m0s)`},
		{"ramp missing field", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
traffic:
  web:
    pattern:
      - {type: ramp, to: 10}
`, `bad.yaml:9:9: traffic.web.pattern.0: missing required field "from" (type "ramp" takes type, from, to, start, end)`},
		{"rate and pattern", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
traffic:
  web:
    rate: 5
    pattern: [{type: constant, rps: 5}]
`, `bad.yaml:8:5: traffic.web.rate: give either rate or pattern, not both`},
		{"duplicate key", `
name: x
duration: 1h
duration: 2h
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:4:1: duration: duplicate key; it is already given at line 3`},
		{"enum suggestion", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    load_balancer: {algorithm: round_robin}
`, `bad.yaml:7:32: services.web.load_balancer.algorithm: unknown value "round_robin"; allowed: round-robin, least-requests, random, power-of-two, client-ip; did you mean "round-robin"?`},
		{"utilization as a fraction", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu, target_utilization: 0.7}
`, `bad.yaml:7:51: services.web.autoscaler.target_utilization: 0.7 is a fraction, but this is a percentage: write 70, not 0.7 (or "0.7%" if you mean 0.7 percent)`},
		{"latency policy without target", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: latency}
`, `bad.yaml:7:5: services.web.autoscaler.target: the latency policy needs a target latency`},
		{"invalid service name", `
name: x
duration: 1h
services:
  web.api: {demand: {cpu: 50ms}}
`, `bad.yaml:5:3: services.web.api: invalid name "web.api"`},
		{"node does not fit", `
name: x
duration: 1h
nodes:
  - {pool: small, cpu: 2}
services:
  web:
    demand: {cpu: 50ms}
    instance: {cpu_request: 4}
`, `bad.yaml:9:16: services.web.instance.cpu_request: 4 does not fit on any node (the largest pool has 2)`},
		{"unknown node", `
name: x
duration: 1h
zones: [a]
nodes:
  - {pool: general}
services:
  web: {demand: {cpu: 50ms}}
faults:
  - {at: 1m, type: node-failure, node: general-b-1}
`, `bad.yaml:10:40: faults.0.node: unknown node "general-b-1"; nodes are named <pool>-<zone>-<n>, e.g. general-a-1`},
		{"empty file", ``, `bad.yaml:1:1: the scenario is empty`},
		{"not a mapping", `- a`, `bad.yaml:1:1: a scenario is a mapping of keys`},
		{"two documents", "name: x\n---\nname: y\n", `bad.yaml:2:1: a scenario file holds one YAML document`},
		{"availability above 1", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
slo:
  web: {availability: 99.9}
`, `bad.yaml:7:23: slo.web.availability: 99.9 is more than 1: write a fraction such as 0.999, or a percentage such as "99.9%"`},
		{"not a number", `
name: x
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
traffic:
  web: {rate: lots}
`, `bad.yaml:7:15: traffic.web.rate: "lots" is not a number`},
		{"min 0 without scale to zero", `
name: x
duration: 1h
services:
  web:
    replicas: {initial: 1, min: 0}
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu}
`, `bad.yaml:6:33: services.web.replicas.min: 0 needs a policy that scales to zero (keda, kpa); cpu keeps at least 1 replica: set min to 1 or more`},
		{"kpa panic threshold", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: kpa, panic_threshold_percentage: 100}
`, `bad.yaml:7:59: services.web.autoscaler.panic_threshold_percentage: 100 must be in [110, 1000]`},
		{"kpa fraction", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: kpa, target_utilization_percentage: 0.7}
`, `bad.yaml:7:62: services.web.autoscaler.target_utilization_percentage: 0.7 is a fraction, but this is a percentage: write 70`},
		{"target tracking alarm", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: target-tracking, scale_out_datapoints: 4}
`, `bad.yaml:7:65: services.web.autoscaler.scale_out_datapoints: 4 must be between 1 and the 3 periods`},
		{"step scaling gap", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler:
      policy: step-scaling
      scale_out:
        threshold: 70
        steps: [{lower: 0, upper: 10, adjustment: 1}, {lower: 20, adjustment: 3}]
`, `bad.yaml:11:63: services.web.autoscaler.scale_out.steps.1.lower: 20 must equal the upper bound 10 of the step before`},
		{"step scaling without policies", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: step-scaling}
`, `bad.yaml:7:5: services.web.autoscaler.scale_out: step scaling needs a scale_out or a scale_in policy`},
		{"predictive reactive", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: predictive, reactive: kpa}
`, `bad.yaml:7:48: services.web.autoscaler.reactive: kpa cannot be the reactive policy of predictive`},
		{"bad name", `
name: my scenario
duration: 1h
services:
  web: {demand: {cpu: 50ms}}
`, `bad.yaml:2:7: name: "my scenario" cannot name a folder`},
		{"ingress tries negative", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    ingress: {proxy_next_upstream_tries: -1}
`, `bad.yaml:7:42: services.web.ingress.proxy_next_upstream_tries: must be at least 0 (0: every endpoint once)`},
		{"message expiry negative", `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: requests-in-flight, message_expiry: -5s}
`, `bad.yaml:7:62: services.web.autoscaler.message_expiry:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := parseErrors(t, tt.yaml)
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) {
					return
				}
			}
			t.Errorf("want a line starting with\n  %s\ngot\n  %s", tt.want, strings.Join(lines, "\n  "))
		})
	}
}

// Every problem is reported, in file order, and a mistake is not reported
// again as a consequence (a bad min does not also give "min > max").
func TestEveryProblemReported(t *testing.T) {
	lines := parseErrors(t, `name: x
duration: 1h
services:
  web:
    replicas: {min: many, max: 2}
    demand: {cpu: fast}
    autoscaler: {policy: cpu, interval: 0s, tolerance: 2}
traffic:
  web: {rate: -1, arrivals: bursty}
slo:
  web: {latency: 100}
`)
	want := []string{
		`bad.yaml:5:21: services.web.replicas.min: "many" is not a whole number`,
		`bad.yaml:6:19: services.web.demand.cpu: "fast" is not a duration`,
		`bad.yaml:7:41: services.web.autoscaler.interval: 0s is too short; it must be at least 1ms`,
		`bad.yaml:7:56: services.web.autoscaler.tolerance: 2 must be in [0, 1)`,
		`bad.yaml:9:15: traffic.web.rate: -1 is negative`,
		`bad.yaml:9:29: traffic.web.arrivals: unknown value "bursty"; allowed: poisson, constant`,
		`bad.yaml:11:18: slo.web.latency: 100 has no unit`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i, lines[i], want[i])
		}
	}
}

func TestMinimalDefaults(t *testing.T) {
	s := mustParse(t, `
name: minimal
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu, target_utilization: 70}
traffic:
  web: {rate: 100}
`)
	if s.Seed != 1 || s.SampleInterval != 10*time.Second || s.Warmup != 0 || s.Duration != time.Hour {
		t.Errorf("top level: seed %d, sample %v, warmup %v, duration %v", s.Seed, s.SampleInterval, s.Warmup, s.Duration)
	}
	if len(s.Zones) != 1 || s.Zones[0] != "default" || len(s.Nodes) != 0 {
		t.Errorf("zones %v nodes %v", s.Zones, s.Nodes)
	}
	w := s.Service("web")
	if w == nil || s.ServiceIndex("web") != 0 {
		t.Fatal("no service web")
	}
	if w.Replicas != (Replicas{Initial: 1, Min: 1, Max: 10}) {
		t.Errorf("replicas %+v", w.Replicas)
	}
	in := w.Instance
	if in.CPURequest != 1 || in.CPULimit != 0 || in.CPU() != 1 || in.MemoryRequest != 256<<20 || in.BaseMemory != 128<<20 {
		t.Errorf("instance %+v", in)
	}
	if in.Concurrency != Unlimited || in.QueueLimit != Unlimited {
		t.Errorf("concurrency %d queue %d", in.Concurrency, in.QueueLimit)
	}
	if in.StartupDelay != (sim.Constant{Value: 5}) || in.ReadinessDelay != (sim.Constant{Value: 5}) {
		t.Errorf("delays %v %v", in.StartupDelay, in.ReadinessDelay)
	}
	if in.Drain != (Drain{PreStop: 0, GracePeriod: 30 * time.Second}) || in.Warmup != (Warmup{Slowdown: 1}) {
		t.Errorf("drain %+v warmup %+v", in.Drain, in.Warmup)
	}
	if want := PricePerCoreHour + 0.25*PricePerGiBHour; math.Abs(in.PricePerHour-want) > 1e-12 {
		t.Errorf("price %g, want %g", in.PricePerHour, want)
	}
	if w.Demand.CPU != (sim.Constant{Value: 0.05}) || w.Demand.Wait != (sim.Constant{}) {
		t.Errorf("demand %v %v", w.Demand.CPU, w.Demand.Wait)
	}
	lb := w.LoadBalancer
	if lb != (LoadBalancer{Algorithm: RoundRobin, Replicas: 1, FailoverDelay: 10 * time.Second, PropagationDelay: time.Second, SessionAffinityTimeout: 3 * time.Hour}) {
		t.Errorf("load balancer %+v", lb)
	}
	a := w.Autoscaler
	if a.Policy != PolicyCPU || a.Interval != 15*time.Second || a.TargetUtilization != 70 || a.Tolerance != 0.1 || a.Behavior != nil {
		t.Errorf("autoscaler %+v", a)
	}
	if len(a.Metrics) != 1 || a.Metrics[0] != (MetricTarget{Resource: "cpu", TargetUtilization: 70}) {
		t.Errorf("metrics %+v", a.Metrics)
	}
	if a.Pipeline != (MetricsPipeline{15 * time.Second, 30 * time.Second}) {
		t.Errorf("pipeline %+v", a.Pipeline)
	}
	if w.Probes.Readiness != nil || w.TopologySpread != nil || w.DisruptionBudget.MinAvailable != 0 {
		t.Error("probes, spread and budget should be unset")
	}
	tr := s.TrafficFor("web")
	if tr == nil || tr.Arrivals != ArrivalsPoisson || tr.Clients != 1000 || tr.Timeout != 0 || tr.Retries != 0 {
		t.Fatalf("traffic %+v", tr)
	}
	if len(tr.Pattern) != 1 || tr.Pattern[0].Type != ComponentConstant || tr.Pattern[0].RPS != 100 {
		t.Errorf("pattern %+v", tr.Pattern)
	}
	if s.SLOFor("web") != nil || s.TrafficFor("api") != nil {
		t.Error("unexpected SLO or traffic")
	}
}

func TestDependentDefaults(t *testing.T) {
	s := mustParse(t, `
duration: 2h
zones: [c, a, b]
nodes:
  - {pool: general, per_zone: 2}
  - {pool: big, zones: [b, a], cpu: 16, memory: 64Gi, max_per_zone: 4, price_per_hour: 0.5}
services:
  one:
    demand: {wait: 1s}
    replicas: {initial: 20}
  two:
    demand: {wait: 1s}
    replicas: {min: 3}
    instance: {memory_request: 1Gi}
  three:
    demand: {wait: 1s}
    autoscaler:
      policy: requests-in-flight
  four:
    demand: {wait: 1s}
    autoscaler: {policy: latency}
  five:
    demand: {wait: 1s}
    autoscaler:
      policy: cloud
      min_replicas: 2
      max_replicas: 6
      memory_threshold: 0
  six:
    demand: {wait: 1s}
    autoscaler:
      policy: hpa
      target_utilization: 65
      behavior:
        scale_down: {stabilization_window: 60s}
      metrics: {scrape_interval: 30s}
traffic:
  one:
    pattern:
      - {type: ramp, from: 1, to: 2}
      - {type: diurnal, mean: 10, amplitude: 5, period: 1h}
slo:
  four: {latency: 300ms}
`)
	if s.Name != "test" {
		t.Errorf("name %q, want the file's base name", s.Name)
	}
	if strings.Join(s.Zones, ",") != "a,b,c" {
		t.Errorf("zones %v not sorted", s.Zones)
	}
	g, b := s.Nodes[0], s.Nodes[1]
	if strings.Join(g.Zones, ",") != "a,b,c" || g.MaxPerZone != 2 || g.CPU != 4 || g.Memory != 16<<30 || g.ProvisionDelay != 2*time.Minute {
		t.Errorf("general pool %+v", g)
	}
	if want := 4*PricePerCoreHour + 16*PricePerGiBHour; math.Abs(g.PricePerHour-want) > 1e-12 {
		t.Errorf("general price %g want %g", g.PricePerHour, want)
	}
	if strings.Join(b.Zones, ",") != "a,b" || b.MaxPerZone != 4 || b.PerZone != 1 || b.PricePerHour != 0.5 {
		t.Errorf("big pool %+v", b)
	}
	if r := s.Service("one").Replicas; r != (Replicas{20, 1, 20}) {
		t.Errorf("one: replicas %+v", r)
	}
	if r := s.Service("two").Replicas; r != (Replicas{3, 3, 10}) {
		t.Errorf("two: replicas %+v", r)
	}
	if m := s.Service("two").Instance.BaseMemory; m != 512<<20 {
		t.Errorf("two: base memory %g", m)
	}
	three := s.Service("three").Autoscaler
	if three.Interval != 30*time.Second || three.RequestsInFlight != (RequestsInFlight{10, 100, 0.7, 0.2, 0.25, 1, time.Minute, time.Minute}) {
		t.Errorf("three: %+v", three)
	}
	if l := s.Service("four").Autoscaler.Latency; l != (LatencyTarget{Target: 300 * time.Millisecond, Percentile: 95}) {
		t.Errorf("four: latency %+v", l)
	}
	five := s.Service("five")
	if five.Replicas != (Replicas{2, 2, 6}) || len(five.Autoscaler.Metrics) != 1 || five.Autoscaler.Metrics[0] != (MetricTarget{Resource: "cpu", TargetUtilization: 50}) {
		t.Errorf("five: %+v %+v", five.Replicas, five.Autoscaler.Metrics)
	}
	six := s.Service("six").Autoscaler
	if len(six.Metrics) != 1 || six.Metrics[0] != (MetricTarget{Resource: "cpu", TargetUtilization: 65}) {
		t.Errorf("six: metrics %+v", six.Metrics)
	}
	if six.Pipeline != (MetricsPipeline{30 * time.Second, 30 * time.Second}) {
		t.Errorf("six: pipeline %+v", six.Pipeline)
	}
	bh := six.Behavior
	if bh == nil || bh.ScaleDown.StabilizationWindow != time.Minute || bh.ScaleDown.SelectPolicy != SelectMax ||
		len(bh.ScaleDown.Policies) != 1 || bh.ScaleUp.StabilizationWindow != 0 || len(bh.ScaleUp.Policies) != 2 {
		t.Errorf("six: behavior %+v", bh)
	}
	p := s.TrafficFor("one").Pattern
	if p[0].Start != 0 || p[0].End != 2*time.Hour {
		t.Errorf("ramp %+v", p[0])
	}
	if p[1].PeakAt != 30*time.Minute {
		t.Errorf("diurnal peak_at %v, want period/2", p[1].PeakAt)
	}
	if slo := s.SLOFor("four"); slo.Percentile != 99 || slo.Availability != 0 {
		t.Errorf("slo %+v", slo)
	}
}

func TestMetricsShapes(t *testing.T) {
	s := mustParse(t, `
name: x
duration: 1h
services:
  a:
    demand: {cpu: 10ms}
    autoscaler:
      policy: hpa
      metrics:
        - {resource: cpu, target_utilization: 70}
        - {resource: memory, target_utilization: "80%"}
  b:
    demand: {cpu: 10ms}
    autoscaler:
      policy: hpa
      metrics:
        scrape_interval: 10s
        window: 1m
        resources: [{resource: memory, target_utilization: 75}]
  c:
    demand: {cpu: 10ms}
    autoscaler:
      policy: cpu
      metrics: [{resource: memory, target_utilization: 75}, {resource: cpu, target_utilization: 55}]
`)
	a := s.Service("a").Autoscaler
	if len(a.Metrics) != 2 || a.Metrics[1] != (MetricTarget{Resource: "memory", TargetUtilization: 80}) || a.Pipeline.ScrapeInterval != 15*time.Second {
		t.Errorf("a: %+v %+v", a.Metrics, a.Pipeline)
	}
	b := s.Service("b").Autoscaler
	if len(b.Metrics) != 1 || b.Metrics[0] != (MetricTarget{Resource: "memory", TargetUtilization: 75}) || b.Pipeline != (MetricsPipeline{10 * time.Second, time.Minute}) {
		t.Errorf("b: %+v %+v", b.Metrics, b.Pipeline)
	}
	// cpu takes its target from the cpu entry of a metrics list (so a file
	// written for hpa runs under --policy cpu).
	c := s.Service("c").Autoscaler
	if len(c.Metrics) != 1 || c.Metrics[0] != (MetricTarget{Resource: "cpu", TargetUtilization: 55}) {
		t.Errorf("c: %+v", c.Metrics)
	}

	lines := parseErrors(t, `
name: x
duration: 1h
services:
  a:
    demand: {cpu: 10ms}
    autoscaler:
      policy: hpa
      metrics:
        resources:
          - {resource: disk, target_utilization: 70}
`)
	if !strings.HasPrefix(lines[0], `bad.yaml:11:24: services.a.autoscaler.metrics.resources.0.resource: unknown value "disk"; allowed: cpu, memory`) {
		t.Errorf("got %s", lines[0])
	}
}

func TestDistributions(t *testing.T) {
	s := mustParse(t, `
name: x
duration: 1h
services:
  web:
    demand:
      cpu: {dist: lognormal, mean: 50ms, stddev: 30ms}
      wait: {dist: uniform, min: 10ms, max: 30ms}
    instance:
      startup_delay: {dist: pareto, mean: 20s, shape: 2.5}
      readiness_delay: {dist: exponential, mean: 2s}
  two:
    demand:
      cpu: {dist: constant, value: 1ms}
`)
	w := s.Service("web")
	if w.Demand.CPU != (sim.LogNormal{Mean: 0.05, StdDev: 0.03}) || w.Demand.Wait != (sim.Uniform{Min: 0.01, Max: 0.03}) {
		t.Errorf("demand %v %v", w.Demand.CPU, w.Demand.Wait)
	}
	if w.Instance.StartupDelay != (sim.Pareto{Mean: 20, Shape: 2.5}) || w.Instance.ReadinessDelay != (sim.Exponential{Mean: 2}) {
		t.Errorf("delays %v %v", w.Instance.StartupDelay, w.Instance.ReadinessDelay)
	}
	if c := s.Service("two").Demand.CPU; c != (sim.Constant{Value: 0.001}) {
		t.Errorf("constant %v", c)
	}
}

func TestFaultsAndProbes(t *testing.T) {
	s := mustParse(t, `
name: x
duration: 2h
zones: [eu-1a, eu-1b]
nodes:
  - {pool: general-pool, per_zone: 2}
services:
  web:
    demand: {cpu: 10ms}
    probes:
      readiness: {period: 5s}
      liveness: {failure_threshold: 5}
    topology_spread: {max_skew: 2}
    disruption_budget: {min_available: 2}
    instance: {concurrency: unlimited, queue_limit: 0}
faults:
  - {at: 10m, type: zone-outage, zone: eu-1b}
  - {at: 20m, type: node-failure, node: general-pool-eu-1a-2, duration: 5m}
  - {at: 30m, type: instance-crash, service: web}
  - {at: 40m, type: dependency-outage, service: web, duration: 1m, mode: slow, delay: 2s}
  - {at: 50m, type: node-upgrade, pool: general-pool}
  - {at: 60m, type: load-balancer-failure, service: web}
`)
	w := s.Service("web")
	if *w.Probes.Readiness != (Probe{Period: 5 * time.Second, FailureThreshold: 3, SuccessThreshold: 1, Timeout: time.Second}) || *w.Probes.Liveness != (Probe{Period: 10 * time.Second, FailureThreshold: 5, SuccessThreshold: 1, Timeout: time.Second}) {
		t.Errorf("probes %+v %+v", w.Probes.Readiness, w.Probes.Liveness)
	}
	if *w.TopologySpread != (TopologySpread{2, DoNotSchedule, 1, PolicyIgnore}) || w.DisruptionBudget.MinAvailable != 2 {
		t.Errorf("spread %+v budget %+v", w.TopologySpread, w.DisruptionBudget)
	}
	if w.Instance.Concurrency != Unlimited || w.Instance.QueueLimit != 0 {
		t.Errorf("concurrency %d queue %d", w.Instance.Concurrency, w.Instance.QueueLimit)
	}
	f := s.Faults
	if len(f) != 6 || f[0].Zone != "eu-1b" || f[1].Node != "general-pool-eu-1a-2" || f[2].Count != 1 || f[3].Mode != "slow" || f[3].Delay != 2*time.Second || f[5].Type != FaultLoadBalancerFailure {
		t.Errorf("faults %+v", f)
	}
}

func TestMergeKeys(t *testing.T) {
	s := mustParse(t, `
name: x
duration: 1h
services:
  a: &base
    demand: {cpu: 10ms}
    replicas: {initial: 3}
  b:
    <<: *base
    replicas: {initial: 5}
`)
	if s.Service("b").Replicas.Initial != 5 || s.Service("b").Demand.CPU != (sim.Constant{Value: 0.01}) {
		t.Errorf("b: %+v", s.Service("b"))
	}
}

func TestTraceFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "traces"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("traces/day.csv", "time_s,rps\n# comment\n0,10\n60,20\n\n120,5\n")
	write("s.yaml", `
duration: 1h
services:
  web: {demand: {cpu: 10ms}}
traffic:
  web:
    pattern: [{type: trace, file: traces/day.csv, scale: 2}]
`)
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "s" {
		t.Errorf("name %q", s.Name)
	}
	pts := s.Traffic[0].Pattern[0].Points
	want := []TracePoint{{0, 10}, {time.Minute, 20}, {2 * time.Minute, 5}}
	if len(pts) != len(want) {
		t.Fatalf("points %v", pts)
	}
	for i := range want {
		if pts[i] != want[i] {
			t.Errorf("point %d: %v want %v", i, pts[i], want[i])
		}
	}
	p := s.Traffic[0].Profile()
	if r := p.Rate(sim.At(30 * time.Second)); r != 30 {
		t.Errorf("rate at 30s %g, want 30 (linear, scaled by 2)", r)
	}

	write("traces/bad.csv", "0,10\n60,x\n30,5\n20,1\n")
	write("bad.yaml", `
duration: 1h
services:
  web: {demand: {cpu: 10ms}}
traffic:
  web:
    pattern:
      - {type: trace, file: traces/bad.csv}
      - {type: trace, file: traces/missing.csv}
`)
	_, err = Load(filepath.Join(dir, "bad.yaml"))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"bad.yaml:9:29: traffic.web.pattern.1.file: cannot read the trace",
		"bad.yaml:8:29: traffic.web.pattern.0.file: " + filepath.Join(dir, "traces/bad.csv") + ":2:4: rps \"x\" is not a number",
		"bad.yaml:8:29: traffic.web.pattern.0.file: " + filepath.Join(dir, "traces/bad.csv") + ":4:1: time_s 20 is not after the previous row's 30",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

// A scenario built or changed in Go validates without positions.
func TestValidateInGo(t *testing.T) {
	s := mustParse(t, "name: x\nduration: 1h\nservices:\n  web: {demand: {cpu: 10ms}}\n")
	s.Services[0].Replicas.Min = 7
	s.Services[0].Replicas.Max = 3
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), "test.yaml:4:3: services.web.replicas: min 7 is greater than max 3") {
		t.Errorf("got %v", err)
	}
	bare := &Scenario{Name: "bare", Duration: time.Hour, SampleInterval: time.Second}
	err = bare.Validate()
	if err == nil || err.Error() != "services: at least one service is required\nzones: at least one zone is required (leave zones out for a single zone)" {
		t.Errorf("got %v", err)
	}
}

// Parsing never panics, and a scenario it accepts validates again.
func FuzzParse(f *testing.F) {
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		f.Add(data)
	}
	f.Add([]byte("name: x\nduration: 1h\nservices:\n  web: {demand: {cpu: {dist: pareto, mean: 1s, shape: 2}}}\ntraffic:\n  web: {pattern: [{type: diurnal, mean: 1, amplitude: 2, period: 0s}]}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("<<: {duration: 1h}\nservices: {a: {<<: [{demand: {cpu: 1ms}}]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted, then invalid: %v", err)
		}
		for _, tr := range s.Traffic {
			p := tr.Profile()
			p.Rate(0)
			p.Bound(0, sim.At(s.Duration))
		}
	})
}
