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
