package scenarios

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/cluster"
)

// A policy's parameters are checked by the policy's own configuration
// (one source of truth), and each problem is reported at its field.
func TestPolicyParamsAtTheirField(t *testing.T) {
	for _, tc := range []struct{ name, autoscaler, want string }{
		{"rif lower rate 0", `{policy: requests-in-flight, alarming_lower_rate: 0}`,
			`bad.yaml:7:67: services.web.autoscaler.alarming_lower_rate: 0 must be greater than 0`},
		{"rif interval", `{policy: requests-in-flight, interval: 500ms}`,
			`bad.yaml:7:56: services.web.autoscaler.interval: 500ms must be at least 1s (WSO2 counts whole seconds)`},
		{"another policy's parameter", `{policy: cpu, rounds: 0}`,
			`bad.yaml:7:39: services.web.autoscaler.rounds: 0 must be at least 1`},
		{"latency without a target", `{policy: latency}`,
			`bad.yaml:7:5: services.web.autoscaler.target: the latency policy needs a target latency (or an slo latency for web), e.g. target: 200ms`},
		{"cloud threshold", `{policy: cloud, cpu_threshold: 0}`,
			`bad.yaml:7:48: services.web.autoscaler.cpu_threshold: must be greater than 0`},
		{"latency behavior", `{policy: latency, target: 1s, behavior: {scale_up: {select_policy: Max, policies: [{type: Pods, value: 0}]}}}`,
			`bad.yaml:7:120: services.web.autoscaler.behavior.scale_up.policies.0.value: must be at least 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte("name: x\nduration: 1h\nservices:\n  web:\n    demand: {cpu: 50ms}\n    replicas: {min: 1}\n    autoscaler: "+tc.autoscaler+"\n"))
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// Every registered policy has what the format needs, its parameters are
// keys of Autoscaler, and a key belongs to one policy at most.
func TestPolicyRegistry(t *testing.T) {
	want := []string{"static", "cpu", "memory", "hpa", "requests-in-flight", "latency", "cloud", "kpa", "target-tracking", "step-scaling", "predictive"}
	if got := PolicyNames(); !slices.Equal(got, want) {
		t.Errorf("policies %v, want %v", got, want)
	}
	keys := infoOf(reflect.TypeFor[Autoscaler]()).byKey
	owner := map[string]string{}
	for _, d := range PolicyDefs() {
		if d.Doc == "" || d.Config == nil {
			t.Errorf("%s: no doc line or no Config", d.Name)
		}
		for _, p := range d.Params {
			if keys[p.Key] == nil {
				t.Errorf("%s: parameter %s is not an autoscaler key", d.Name, p.Key)
			}
			if o, ok := owner[p.Key]; ok {
				t.Errorf("%s and %s both own %s", o, d.Name, p.Key)
			}
			owner[p.Key] = d.Name
		}
		for _, k := range d.Reads {
			if keys[k] == nil {
				t.Errorf("%s: reads %s, not an autoscaler key", d.Name, k)
			}
		}
	}
	// Every autoscaler key is read by some policy.
	for k := range keys {
		if len(PoliciesReading(k)) == 0 {
			t.Errorf("autoscaler key %s is read by no policy", k)
		}
	}
	for key, want := range map[string][]string{
		"rounds":             {"requests-in-flight"},
		"interval":           {"cpu", "memory", "hpa", "requests-in-flight", "latency", "cloud", "kpa", "target-tracking", "step-scaling", "predictive"},
		"instance_warmup":    {"target-tracking", "step-scaling"},
		"stable_window":      {"kpa"},
		"target_utilization": {"cpu", "memory", "hpa"},
		"tolerance":          {"cpu", "memory", "hpa", "latency", "cloud"},
		"min_replicas":       {"cloud"},
		"policy":             PolicyNames(),
	} {
		if got := PoliciesReading(key); !slices.Equal(got, want) {
			t.Errorf("%s read by %v, want %v", key, got, want)
		}
	}
	// A factory makes independent policies.
	sc, err := Parse("x.yaml", []byte("duration: 1h\nservices:\n  web:\n    demand: {cpu: 50ms}\n    autoscaler: {policy: cpu}\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := PolicyFactory(&sc.Services[0])
	if err != nil {
		t.Fatal(err)
	}
	if a, b := f(), f(); a == b || a.Name() != "cpu" {
		t.Errorf("factory gave %p %p %s", a, b, a.Name())
	}
}

// The fault, algorithm and component registries name what cluster and
// the decoder know.
func TestKindRegistries(t *testing.T) {
	for _, d := range FaultDefs() {
		if d.Type.String() != d.Name {
			t.Errorf("fault %s is cluster's %s", d.Name, d.Type)
		}
		if typ, err := cluster.ParseFaultType(d.Name); err != nil || typ != d.Type {
			t.Errorf("fault %s: cluster parses %v, %v", d.Name, typ, err)
		}
		if d.Doc == "" {
			t.Errorf("fault %s: no doc", d.Name)
		}
	}
	for _, d := range AlgorithmDefs() {
		if a, err := cluster.ParseAlgorithm(d.Name); err != nil || a != d.Algorithm {
			t.Errorf("algorithm %s: cluster parses %v, %v", d.Name, a, err)
		}
	}
	for _, src := range []struct {
		typ  reflect.Type
		defs map[string][2][]string
	}{{reflect.TypeFor[Fault](), kindSources["@faults"]()}, {reflect.TypeFor[Component](), kindSources["@components"]()}} {
		si := infoOf(src.typ)
		for kind, kr := range src.defs {
			for _, k := range kr[0] {
				if si.byKey[k] == nil {
					t.Errorf("%s %s: key %s is not a field", src.typ.Name(), kind, k)
				}
			}
			for _, k := range kr[1] {
				if !slices.Contains(kr[0], k) {
					t.Errorf("%s %s: requires %s, which it does not take", src.typ.Name(), kind, k)
				}
			}
		}
	}
	if got := strings.Join(infoOf(reflect.TypeFor[Fault]()).keysFor(FaultDependencyOutage), ","); got != "at,type,service,duration,mode,delay" {
		t.Errorf("dependency-outage keys %s", got)
	}
}
