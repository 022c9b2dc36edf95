package manifests

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Strict decoding. A document is first walked as a yaml.Node tree against
// the Go type of its kind (the k8s.io/api struct, by its json tags), so
// that an unknown field or a value of the wrong type is reported at its
// own line, column and Kubernetes field path, as `kubectl apply
// --validate=strict` rejects it; only a tree that passed is converted to
// JSON and unmarshalled into the typed object with encoding/json (the
// decoding the API types are written for: resource.Quantity, intstr,
// metav1.Time have their own UnmarshalJSON).

var (
	quantityType = reflect.TypeFor[resource.Quantity]()
	intstrType   = reflect.TypeFor[intstr.IntOrString]()
	timeType     = reflect.TypeFor[metav1.Time]()
	rawType      = reflect.TypeFor[runtime.RawExtension]()
	unmarshaler  = reflect.TypeFor[json.Unmarshaler]()
)

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

var fieldCache sync.Map // reflect.Type -> map[string]jsonField

// jsonFields lists t's JSON keys, embedded structs flattened (the
// `json:",inline"` of TypeMeta and of the API's embedded types).
func jsonFields(t reflect.Type) map[string]jsonField {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]jsonField)
	}
	out := map[string]jsonField{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			out[name] = jsonField{name: name, typ: ft}
		}
	}
	walk(t)
	fieldCache.Store(t, out)
	return out
}

// checker walks a node tree against a type, collecting problems.
type checker struct {
	file  string
	diags []Diag
	// seen records every field path present, normalized (list indexes as
	// []), with the key node where it first appears.
	seen func(norm, path string, key *yaml.Node)
}

func (c *checker) fail(n *yaml.Node, path, format string, args ...any) {
	c.diags = append(c.diags, Diag{File: c.file, Line: n.Line, Col: n.Column, Field: path, Msg: fmt.Sprintf(format, args...)})
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// check walks n against t. path is the Kubernetes field path as a user
// reads it (spec.template.spec.containers[0].resources); norm the same
// with list indexes left out (containers[].resources).
func (c *checker) check(n *yaml.Node, t reflect.Type, path, norm string) {
	n = yamlnode.Deref(n)
	if n == nil || n.Tag == "!!null" {
		return // null is every field's zero value, as in JSON
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case quantityType:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float") {
			c.fail(n, path, "expected a quantity such as 250m, 2, 256Mi or 1Gi; got %s", yamlnode.Describe(n))
		} else if _, err := resource.ParseQuantity(n.Value); err != nil {
			c.fail(n, path, "%q is not a Kubernetes quantity (such as 250m, 0.5, 256Mi, 1Gi)", n.Value)
		}
		return
	case intstrType:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int") {
			c.fail(n, path, "expected a whole number or a string such as 25%%; got %s", yamlnode.Describe(n))
		}
		return
	case timeType:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
			c.fail(n, path, "expected a time such as 2024-05-01T10:00:00Z; got %s", yamlnode.Describe(n))
		} else if _, err := time.Parse(time.RFC3339, n.Value); err != nil {
			c.fail(n, path, "%q is not an RFC 3339 time such as 2024-05-01T10:00:00Z", n.Value)
		}
		return
	case rawType:
		return // any value (a List's items are checked by their own kind)
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return // a type with its own JSON form; encoding/json checks it
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.fail(n, path, "expected a mapping of fields; got %s", yamlnode.Describe(n))
			return
		}
		fields := jsonFields(t)
		dup := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p, np := joinField(path, k.Value), joinField(norm, k.Value)
			if dup[k.Value] {
				c.fail(k, p, "duplicate field; give it once")
				continue
			}
			dup[k.Value] = true
			f, ok := fields[k.Value]
			if !ok {
				c.fail(k, p, "unknown field %q in %s%s", k.Value, t.Name(), suggestField(k.Value, fields))
				continue
			}
			if c.seen != nil {
				c.seen(np, p, k)
			}
			c.check(v, f.typ, p, np)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.fail(n, path, "expected a mapping; got %s", yamlnode.Describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinField(path, k.Value)
			if c.seen != nil {
				c.seen(joinField(norm, k.Value), p, k)
			}
			c.check(v, t.Elem(), p, joinField(norm, k.Value))
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if n.Kind != yaml.ScalarNode {
				c.fail(n, path, "expected base64 text; got %s", yamlnode.Describe(n))
			}
			return
		}
		if n.Kind != yaml.SequenceNode {
			c.fail(n, path, "expected a list; got %s", yamlnode.Describe(n))
			return
		}
		for i, item := range n.Content {
			c.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), norm+"[]")
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "!!timestamp" {
			c.fail(n, path, "expected a string; got %s (quote it: %q)", yamlnode.Describe(n), n.Value)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			c.fail(n, path, "expected true or false; got %s", yamlnode.Describe(n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			c.fail(n, path, "expected a whole number; got %s", yamlnode.Describe(n))
			return
		}
		if _, err := strconv.ParseInt(n.Value, 0, t.Bits()); err != nil {
			c.fail(n, path, "%s does not fit in a %d-bit whole number", n.Value, t.Bits())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || strings.HasPrefix(n.Value, "-") {
			c.fail(n, path, "expected a whole number from 0; got %s", yamlnode.Describe(n))
		}
	case reflect.Float32, reflect.Float64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" && n.Tag != "!!float" {
			c.fail(n, path, "expected a number; got %s", yamlnode.Describe(n))
		}
	case reflect.Interface:
		// any value
	}
}

// toJSON converts a checked node tree to the JSON encoding/json decodes
// into the API types. Integers stay integers (json.Number), timestamps
// stay the text written.
func toJSON(n *yaml.Node) any {
	n = yamlnode.Deref(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = toJSON(c)
		}
		return s
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int":
		if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(v, 10))
		}
		return json.Number(n.Value)
	case "!!float":
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
		}
		return n.Value
	}
	return n.Value
}

// decodeInto checks n against obj's type and, when it passed, decodes it
// into obj. It reports false when there were problems (in c.diags).
func (c *checker) decodeInto(n *yaml.Node, obj any, docPath string) bool {
	before := len(c.diags)
	c.check(n, reflect.TypeOf(obj), docPath, docPath)
	if len(c.diags) > before {
		return false
	}
	data, err := json.Marshal(toJSON(n))
	if err == nil {
		err = json.Unmarshal(data, obj)
	}
	if err != nil {
		c.fail(n, docPath, "cannot decode: %v", err)
		return false
	}
	return true
}

// suggestField proposes the closest field name (edit distance at most 2,
// or the same name in another case).
func suggestField(key string, fields map[string]jsonField) string {
	best, bestD := "", 3
	for name := range fields {
		d := distance(strings.ToLower(key), strings.ToLower(name))
		if d < bestD || d == bestD && name < best {
			best, bestD = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
