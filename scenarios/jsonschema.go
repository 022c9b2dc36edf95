package scenarios

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// JSONSchema returns a JSON Schema (draft-07, what yaml-language-server
// supports) of the scenario format, generated from the schema structs
// and the registries: every key, its type, the allowed names (policies,
// fault types, algorithms, components) with their doc lines, the
// required keys, and additionalProperties: false everywhere, as the
// decoder refuses unknown keys. An editor given it (a
// `# yaml-language-server: $schema=scenario.schema.json` line) completes
// and checks scenario files; `scalesim validate` remains the judge of
// what no schema can say (ranges, references, cross-field rules).
func JSONSchema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	root := g.objectOf(reflect.TypeFor[Scenario]())
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["title"] = "scalesim scenario"
	root["description"] = "A scalesim scenario: a cluster, its services and their traffic (see scenarios/README.md)."
	root["definitions"] = g.defs
	return json.MarshalIndent(root, "", "  ")
}

type schemaGen struct {
	defs map[string]any
}

type obj = map[string]any

const (
	durationPattern = `^\s*(0|[0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h)([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))*)\s*$`
	quantityPattern = `^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?\s*$`
	percentPattern  = `^\s*[0-9]*\.?[0-9]+\s*%?\s*$`
)

// ref returns a reference to the named definition, making it with mk the
// first time.
func (g *schemaGen) ref(name string, mk func() obj) obj {
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = obj{} // a placeholder against recursion
		g.defs[name] = mk()
	}
	return obj{"$ref": "#/definitions/" + name}
}

// objectOf is the schema of a struct: its keys, or for a struct with a
// kind (type: ...), one branch per kind.
func (g *schemaGen) objectOf(t reflect.Type) obj {
	si := infoOf(t)
	if si.kind != nil {
		var branches []any
		for _, k := range si.kind.enum {
			props, req := obj{}, []string{si.kind.key}
			props[si.kind.key] = obj{"const": k, "description": kindDoc(si.kind, k)}
			for _, f := range si.fields {
				if f.kind || len(f.forKinds) > 0 && !slices.Contains(f.forKinds, k) {
					continue
				}
				props[f.key] = g.field(t, f)
				if f.req || slices.Contains(f.reqKinds, k) {
					req = append(req, f.key)
				}
			}
			branches = append(branches, obj{"type": "object", "properties": props, "required": req, "additionalProperties": false})
		}
		return obj{"oneOf": branches}
	}
	props, req := obj{}, []string{}
	for _, f := range si.fields {
		props[f.key] = g.field(t, f)
		if f.req {
			req = append(req, f.key)
		}
	}
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

// kindDoc is the doc line of a kind from its registry.
func kindDoc(f *fieldInfo, kind string) string {
	switch {
	case strings.Contains(f.tag, "@faults"):
		return LookupFault(kind).Doc
	case strings.Contains(f.tag, "@components"):
		return lookupComponent(kind).Doc
	}
	return kind
}

// field is the schema of one key.
func (g *schemaGen) field(parent reflect.Type, f *fieldInfo) obj {
	v := reflect.New(parent).Elem().FieldByIndex(f.index)
	s := g.value(v.Type(), f)
	if d := fieldDoc(parent, f.key); d != "" {
		if _, ref := s["$ref"]; ref {
			// draft-07 ignores the siblings of $ref.
			s = obj{"allOf": []any{s}}
		}
		s["description"] = d
	}
	return s
}

func (g *schemaGen) value(t reflect.Type, f *fieldInfo) obj {
	duration := func() obj {
		return g.ref("duration", func() obj {
			return obj{"description": "a Go duration: 500ms, 30s, 5m, 1h30m (no d); 0 alone may have no unit",
				"anyOf": []any{obj{"type": "string", "pattern": durationPattern}, obj{"const": 0}}}
		})
	}
	switch {
	case f.dist:
		return g.ref("distribution", func() obj {
			return obj{"description": "a duration (a constant), or a distribution such as {dist: exponential, mean: 50ms}",
				"anyOf": []any{duration(), g.ref("distributionSpec", func() obj { return g.objectOf(reflect.TypeFor[distSpec]()) })}}
		})
	case f.metrics:
		return obj{"anyOf": []any{
			obj{"type": "array", "items": g.ref("MetricTarget", func() obj { return g.objectOf(reflect.TypeFor[MetricTarget]()) })},
			g.ref("metricsBlock", func() obj { return g.objectOf(reflect.TypeFor[metricsBlock]()) }),
		}}
	case t == durationType && f.forever:
		return obj{"anyOf": []any{duration(), obj{"const": "forever"}}}
	case t == durationType:
		return duration()
	case t == reflect.TypeFor[ManifestRef]():
		// A path alone, or {path, service} (manifests_load.go).
		return obj{"anyOf": []any{obj{"type": "string", "description": "a file or folder of Kubernetes YAML, or a Cloud.toml (then give {path, service})"}, g.structRef(t)}}
	case t.Kind() == reflect.String && f.pct:
		// A count or a percentage (a rollout's max_surge).
		return obj{"anyOf": []any{obj{"type": "integer", "minimum": 0}, obj{"type": "string", "pattern": percentPattern}}}
	case t.Kind() == reflect.String:
		s := obj{"type": "string"}
		if f.enum != nil {
			s["enum"] = f.enum
			if docs := enumDocs(f); docs != nil {
				s["enumDescriptions"] = docs
				s["markdownEnumDescriptions"] = docs
			}
		}
		return s
	case t.Kind() == reflect.Int && f.unlimited:
		return obj{"anyOf": []any{obj{"type": "integer"}, obj{"const": "unlimited"}}}
	case t.Kind() == reflect.Int:
		return obj{"type": "integer"}
	case t.Kind() == reflect.Uint64:
		return obj{"type": "integer", "minimum": 0}
	case t.Kind() == reflect.Bool:
		return obj{"type": "boolean"}
	case t.Kind() == reflect.Float64 && (f.cpu || f.bytes):
		return obj{"anyOf": []any{obj{"type": "number"}, obj{"type": "string", "pattern": quantityPattern}}}
	case t.Kind() == reflect.Float64 && (f.pct || f.fraction):
		return obj{"anyOf": []any{obj{"type": "number"}, obj{"type": "string", "pattern": percentPattern}}}
	case t.Kind() == reflect.Float64:
		return obj{"type": "number"}
	case t.Kind() == reflect.Slice && f.byname:
		return obj{"type": "object", "propertyNames": obj{"pattern": nameRE.String()},
			"additionalProperties": obj{"anyOf": []any{g.structRef(t.Elem()), obj{"type": "null"}}}}
	case t.Kind() == reflect.Slice:
		return obj{"type": "array", "items": g.value(t.Elem(), &fieldInfo{enum: f.enum})}
	case t.Kind() == reflect.Pointer:
		return g.structRef(t.Elem())
	case t.Kind() == reflect.Struct:
		return g.structRef(t)
	}
	panic(fmt.Sprintf("scenarios: no JSON Schema for %s", t))
}

func (g *schemaGen) structRef(t reflect.Type) obj {
	return g.ref(t.Name(), func() obj { return g.objectOf(t) })
}

// enumDocs are the doc lines of a registry's names, in enum order.
func enumDocs(f *fieldInfo) []string {
	var out []string
	for _, name := range f.enum {
		var doc string
		switch {
		case strings.Contains(f.tag, "@policies"):
			doc = LookupPolicy(name).Doc
		case strings.Contains(f.tag, "@lb-algorithms"):
			doc = lookupAlgorithm(name).Doc
		default:
			return nil
		}
		out = append(out, doc)
	}
	return out
}

// fieldDoc is the description of a key: a policy parameter's doc line
// (with its policy and default), or the line of fieldDocs.
func fieldDoc(parent reflect.Type, key string) string {
	if parent == reflect.TypeFor[Autoscaler]() {
		for _, d := range PolicyDefs() {
			for _, p := range d.Params {
				if p.Key == key {
					return fmt.Sprintf("%s (%s policy; default %s)", p.Doc, d.Name, p.Default)
				}
			}
		}
		if key == "policy" {
			var lines []string
			for _, d := range PolicyDefs() {
				lines = append(lines, d.Name+": "+d.Doc)
			}
			return "the autoscaling policy (default static): " + strings.Join(lines, "; ")
		}
	}
	return fieldDocs[parent.Name()+"."+key]
}

// fieldDocs describe the main keys for editors; scenarios/README.md has
// every one.
var fieldDocs = map[string]string{
	"Scenario.name":            "names the results folder; default: the file name without extension",
	"Scenario.description":     "shown by scalesim scenarios list",
	"Scenario.seed":            "the root of every random stream (default 1)",
	"Scenario.duration":        "simulated time (required)",
	"Scenario.warmup":          "leading time that statistics ignore (default 0)",
	"Scenario.sample_interval": "time-series resolution (default 10s)",
	"Scenario.zones":           "availability zones (default [default])",
	"Scenario.nodes":           "node pools; none: default nodes (4 cores, 16Gi, larger to fit an instance), as many as needed",
	"Scenario.services":        "the services by name (required)",
	"Scenario.traffic":         "each service's offered load, by service name",
	"Scenario.faults":          "injected failures: {at, type, ...}",
	"Scenario.slo":             "each service's objective, by service name",
	"Service.demand":           "the work one request needs: cpu and/or wait (required)",
	"Service.autoscaler":       "the service's autoscaling policy and its parameters",
	"Autoscaler.interval":      "time between evaluations (default 15s; 30s for requests-in-flight)",
	"Traffic.rate":             "requests per second, constant",
	"Traffic.pattern":          "a list of components (instead of rate)",
}
