package scenarios

import (
	"strings"
	"testing"
	"time"
)

const overrideBase = `name: base
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu, target_utilization: 70}
traffic:
  web: {rate: 100}
faults:
  - {at: 10m, type: instance-crash, service: web}
`

func TestOverrides(t *testing.T) {
	s := mustParse(t, overrideBase,
		"services.web.autoscaler.target_utilization=60",
		"seed=7",
		"faults.0.at=20m",
		"faults.1={at: 30m, type: instance-crash, service: web, count: 2}",
		"services.web.instance.cpu_request=250m",
		"services.web.load_balancer.algorithm=least-requests", // creates load_balancer
		"traffic.web.rate=null",
		"traffic.web.pattern=[{type: constant, rps: 10}, {type: step, at: 30m, rps: 5}]",
		"description=",
	)
	w := s.Service("web")
	if w.Autoscaler.TargetUtilization != 60 || w.Autoscaler.Metrics[0].TargetUtilization != 60 {
		t.Errorf("target %g", w.Autoscaler.TargetUtilization)
	}
	if s.Seed != 7 {
		t.Errorf("seed %d", s.Seed)
	}
	if len(s.Faults) != 2 || s.Faults[0].At != 20*time.Minute || s.Faults[1].Count != 2 {
		t.Errorf("faults %+v", s.Faults)
	}
	if w.Instance.CPURequest != 0.25 || w.LoadBalancer.Algorithm != LeastRequests || w.LoadBalancer.Replicas != 1 {
		t.Errorf("instance %+v lb %+v", w.Instance, w.LoadBalancer)
	}
	if p := s.Traffic[0].Pattern; len(p) != 2 || p[1].Type != ComponentStep {
		t.Errorf("pattern %+v", p)
	}
	if len(s.Overrides) != 9 {
		t.Errorf("overrides %v", s.Overrides)
	}
}

func TestOverrideErrors(t *testing.T) {
	tests := []struct {
		sets []string
		want string
	}{
		{[]string{"services.web.autoscaler.target_utilization=abc"},
			`--set services.web.autoscaler.target_utilization=abc: "abc" is not a number`},
		{[]string{"services.web.autoscalar.policy=cpu"},
			`--set services.web.autoscalar.policy=cpu: services.web.autoscalar: unknown field; did you mean "autoscaler"?`},
		{[]string{"faults.3.at=1m"},
			`--set faults.3.at=1m: faults is a list of 1 items; "3" is not an index from 0 to 1`},
		{[]string{"faults.x.at=1m"},
			`--set faults.x.at=1m: faults is a list of 1 items; "x" is not an index from 0 to 1`},
		{[]string{"traffic.web.rate.max=3"},
			`--set traffic.web.rate.max=3: traffic.web.rate is the number 100, not a mapping; it has no field "max"`},
		{[]string{"seed"},
			`--set seed: expected path=value, e.g. services.web.replicas.max=20`},
		{[]string{"services..web=1"},
			`--set services..web=1: empty element in path "services..web"`},
		{[]string{"seed=[1"},
			`--set seed=[1: the value is not valid YAML`},
		// A cross-field problem caused by an override blames the override.
		{[]string{"services.web.replicas.max=10", "services.web.replicas.min=50"},
			`--set services.web.replicas.min=50: services.web.replicas: min 50 is greater than max 10`},
		{[]string{"services.web.autoscaler.policy=latency"},
			`--set services.web.autoscaler.policy=latency: services.web.autoscaler.target: the latency policy needs a target latency`},
		{[]string{"duration=1m", "seed=-1"},
			`--set duration=1m: faults.0.at: 10m0s is not before the end of the run (duration 1m0s)`},
	}
	for _, tt := range tests {
		lines := parseErrors(t, overrideBase, tt.sets...)
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, tt.want)
		}
		if !found {
			t.Errorf("%v: want a line starting with\n  %s\ngot\n  %s", tt.sets, tt.want, strings.Join(lines, "\n  "))
		}
	}
	// Both problems, in the order the overrides were given.
	lines := parseErrors(t, overrideBase, "duration=1m", "seed=-1")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `--set seed=-1: "-1" is not a whole number`) {
		t.Errorf("got %q", lines)
	}
}

// An override through a merge key or an alias edits only the service
// named, not the anchor it shares.
func TestOverrideThroughAlias(t *testing.T) {
	src, err := Resolve("drain")
	if err != nil {
		t.Fatal(err)
	}
	s, err := src.Parse([]string{
		"services.without-prestop.load_balancer.propagation_delay=5s",
		"traffic.without-prestop.arrivals=constant",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Service("without-prestop").LoadBalancer.PropagationDelay; got != 5*time.Second {
		t.Errorf("without-prestop propagation %v", got)
	}
	if got := s.Service("with-prestop").LoadBalancer.PropagationDelay; got != 2*time.Second {
		t.Errorf("with-prestop propagation %v, want the file's 2s", got)
	}
	if s.TrafficFor("without-prestop").Arrivals != ArrivalsConstant || s.TrafficFor("with-prestop").Arrivals != ArrivalsPoisson {
		t.Error("the alias was edited in place")
	}
}
