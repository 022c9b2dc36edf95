package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every built-in scenario validates against the generated schema, the
// schema lists every registered policy, fault type, algorithm and
// component, and typical mistakes are caught by it.
func TestJSONSchema(t *testing.T) {
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Concat(PolicyNames(), FaultTypes(), AlgorithmNames(), ComponentTypes()) {
		if !strings.Contains(string(data), `"`+name+`"`) {
			t.Errorf("the schema does not list %q", name)
		}
	}
	v := &schemaValidator{root: schema}
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		if errs := v.check(schema, yamlDoc(t, data), ""); len(errs) > 0 {
			t.Errorf("built-in %s does not validate: %v", e.Name, errs)
		}
	}
	if len(Library()) < 5 {
		t.Fatal("no built-in scenarios read")
	}
	for _, bad := range []string{
		"duration: 1h\nservices: {web: {demand: {cpu: 50ms}, autoscaler: {policy: magic}}}",
		"duration: 1h\nservices: {web: {demand: {cpu: 50ms}, autscaler: {}}}",
		"services: {web: {demand: {cpu: 50ms}}}",
		"duration: 1h\nservices: {web: {demand: {cpu: 50ms}}}\nfaults: [{at: 1m, type: zone-outage, service: web}]",
		"duration: 1h\nservices: {web: {demand: {cpu: 50ms}}}\nfaults: [{at: 1m, type: node-upgrade}]",
		"duration: 1h\nservices: {web: {demand: {cpu: 50}}}",
	} {
		if errs := v.check(schema, yamlDoc(t, []byte(bad)), ""); len(errs) == 0 {
			t.Errorf("the schema accepts\n%s", bad)
		}
	}
}

func yamlDoc(t *testing.T, data []byte) any {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// schemaValidator checks a document against the subset of JSON Schema
// that JSONSchema emits: $ref, allOf, type, const, enum, pattern, minimum,
// properties, required, additionalProperties, propertyNames, items,
// anyOf, oneOf.
type schemaValidator struct{ root map[string]any }

func (v *schemaValidator) check(s map[string]any, doc any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if r, ok := s["$ref"].(string); ok {
		def := v.root["definitions"].(map[string]any)[strings.TrimPrefix(r, "#/definitions/")]
		return v.check(def.(map[string]any), doc, path)
	}
	if bs, ok := s["allOf"].([]any); ok {
		for _, b := range bs {
			errs = append(errs, v.check(b.(map[string]any), doc, path)...)
		}
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if bs, ok := s[k].([]any); ok {
			n := 0
			var sub []string
			for _, b := range bs {
				e := v.check(b.(map[string]any), doc, path)
				if len(e) == 0 {
					n++
				}
				sub = append(sub, e...)
			}
			if n == 0 || k == "oneOf" && n > 1 {
				fail("%s matched %d branches: %v", k, n, sub)
			}
		}
	}
	if c, ok := s["const"]; ok && !equalJSON(c, doc) {
		fail("%v is not %v", doc, c)
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return equalJSON(x, doc) }) {
		fail("%v is not one of %v", doc, e)
	}
	if typ, ok := s["type"].(string); ok && !hasType(typ, doc) {
		fail("%v is not of type %s", doc, typ)
		return errs
	}
	if p, ok := s["pattern"].(string); ok {
		if str, ok := doc.(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if m, ok := s["minimum"].(float64); ok {
		if x, ok := number(doc); ok && x < m {
			fail("%v < %v", x, m)
		}
	}
	if m, ok := doc.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				fail("missing %s", r)
			}
		}
		for k, x := range m {
			if pn, ok := s["propertyNames"].(map[string]any); ok {
				errs = append(errs, v.check(pn, k, path+"."+k)...)
			}
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, v.check(ps, x, path+"."+k)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("unknown key %s", k)
				}
			case map[string]any:
				errs = append(errs, v.check(ap, x, path+"."+k)...)
			}
		}
	}
	if l, ok := doc.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range l {
				errs = append(errs, v.check(items, x, fmt.Sprintf("%s.%d", path, i))...)
			}
		}
	}
	return errs
}

func asList(x any) []any { l, _ := x.([]any); return l }

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func hasType(typ string, doc any) bool {
	switch typ {
	case "object":
		_, ok := doc.(map[string]any)
		return ok
	case "array":
		_, ok := doc.([]any)
		return ok
	case "string":
		_, ok := doc.(string)
		return ok
	case "null":
		return doc == nil
	case "number":
		_, ok := number(doc)
		return ok
	case "integer":
		x, ok := number(doc)
		return ok && x == math.Trunc(x)
	}
	return false
}

func equalJSON(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return a == b
}

// The keys added with control planes, ingresses, manifests, probes, CFS,
// memory retention, metrics adapters, KEDA, KPA and the AWS policies are
// in the schema: each snippet is a scenario the decoder accepts (so it is
// written right) and the schema accepts; with its key misspelt the schema
// refuses it (additionalProperties: false at that spot), so the key is
// declared where the decoder reads it, not merely let through.
func TestJSONSchemaNewKeys(t *testing.T) {
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	v := &schemaValidator{root: schema}
	const head = "name: keys\nduration: 10m\n"
	const web = "services:\n  web:\n    demand: {cpu: 10ms}\n"
	cases := []struct {
		key, yaml string
	}{
		{"node_monitor_grace_period", head + "control_plane: {node_monitor_grace_period: 40s, not_ready_toleration: 300s, unreachable_toleration: 300s}\n" + web},
		{"unreachable_toleration", head + "control_plane: {unreachable_toleration: 60s}\n" + web},
		{"proxy_read_timeout", head + web + "    ingress: {latency: 1ms, proxy_read_timeout: 30s, proxy_next_upstream_tries: 2}\n"},
		{"session_cookie_max_age", head + web + "    ingress: {affinity: cookie, session_cookie_max_age: 1h}\n"},
		{"startup", head + web + "    probes:\n      startup: {period: 5s, failure_threshold: 30}\n"},
		{"initial_delay", head + web + "    probes:\n      readiness: {initial_delay: 2s, period: 5s, timeout: 1s, success_threshold: 1}\n"},
		{"cpu_cfs_period", head + web + "    instance: {cpu_request: 250m, cpu_limit: 500m, cpu_cfs_period: 50ms}\n"},
		{"memory_retention", head + web + "    instance: {memory_limit: 512Mi, base_memory: 100Mi, memory_retention: forever}\n"},
		{"scrape_interval", head + web + "    autoscaler:\n      policy: hpa\n      metrics:\n        - {type: pods, metric: requests_per_second, target_average_value: 15}\n      adapter: {scrape_interval: 30s, rate_window: 2m}\n"},
		{"target_value", head + web + "    autoscaler:\n      policy: hpa\n      metrics:\n        - {type: object, metric: requests_per_second, target_value: 100}\n"},
		{"activation_threshold", head + web + "    replicas: {min: 0}\n    autoscaler:\n      policy: keda\n      polling_interval: 15s\n      triggers:\n        - {type: prometheus, metric: requests_per_second, threshold: 40, activation_threshold: 1}\n"},
		{"cooldown_period", head + web + "    autoscaler:\n      policy: keda\n      cooldown_period: 60s\n      triggers: [{type: prometheus, metric: requests_per_second, threshold: 40}]\n"},
		{"stable_window", head + web + "    replicas: {min: 0}\n    autoscaler: {policy: kpa, stable_window: 30s, panic_window_percentage: 20, target_burst_capacity: 0}\n"},
		{"scale_to_zero_grace_period", head + web + "    replicas: {min: 0}\n    autoscaler: {policy: kpa, scale_to_zero_grace_period: 10s}\n"},
		{"instance_warmup", head + web + "    autoscaler: {policy: target-tracking, target_value: 50, instance_warmup: 60s}\n"},
		{"scheduling_buffer", head + web + "    autoscaler: {policy: predictive, target_per_instance: 5, scheduling_buffer: 4m}\n"},
		{"max_surge", head + web + "faults:\n  - {at: 1m, type: rollout, service: web, max_surge: 1, max_unavailable: 0, min_ready_seconds: 10}\n"},
	}
	for _, tc := range cases {
		if _, err := Parse("keys.yaml", []byte(tc.yaml)); err != nil {
			t.Errorf("%s: the decoder refuses the snippet: %v", tc.key, err)
			continue
		}
		if errs := v.check(schema, yamlDoc(t, []byte(tc.yaml)), ""); len(errs) > 0 {
			t.Errorf("%s: the schema refuses what the decoder accepts: %v", tc.key, errs)
		}
		typo := strings.Replace(tc.yaml, tc.key+":", tc.key+"x:", 1)
		if typo == tc.yaml {
			t.Fatalf("%s: the snippet does not hold the key", tc.key)
		}
		if errs := v.check(schema, yamlDoc(t, []byte(typo)), ""); len(errs) == 0 {
			t.Errorf("%s: the schema accepts the misspelt %sx", tc.key, tc.key)
		}
	}
	// manifests: a path, or {path, service} (files the decoder would read:
	// the schema alone).
	for _, ok := range []string{"manifests: [k8s/]\n", "manifests: [{path: Cloud.toml, service: web}]\n"} {
		if errs := v.check(schema, yamlDoc(t, []byte(head+ok+web)), ""); len(errs) > 0 {
			t.Errorf("the schema refuses %q: %v", ok, errs)
		}
	}
	if errs := v.check(schema, yamlDoc(t, []byte(head+"manifests: [{file: k8s/}]\n"+web)), ""); len(errs) == 0 {
		t.Error("the schema accepts a manifests entry {file: ...}")
	}
}
