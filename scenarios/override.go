package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// Overrides ("--set path=value") edit the YAML tree before it is decoded.
//
// path is dot-separated keys; a number indexes a list (faults.0.at), and
// the index one past the end appends. Missing mappings along the path are
// created, so `--set services.web.autoscaler.policy=cpu` works on a
// service without an autoscaler. value is YAML: 70, 500ms, "a string",
// {cpu: 50ms}, [a, b]; null removes the key's value (the default applies
// again), e.g. --set traffic.web.pattern=null --set traffic.web.rate=50.
//
// A mistyped key is created like any other and then reported by the
// decoder as an unknown field, located at the override.

// applySet applies one override to root, marking every node it creates or
// replaces as coming from it.
func applySet(root *yaml.Node, set string, order int, src *sourceMap) *Error {
	fail := func(format string, args ...any) *Error {
		return &Error{Override: set, Msg: fmt.Sprintf(format, args...), order: order + 1}
	}
	path, value, ok := strings.Cut(set, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return fail("expected path=value, e.g. services.web.replicas.max=20")
	}
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if s == "" {
			return fail("empty element in path %q", path)
		}
	}
	val, err := parseValue(value)
	if err != nil {
		return fail("the value is not valid YAML: %v", err)
	}
	return applyNode(root, segs, val, origin{set: set, order: order}, src, fail)
}

// applyNode puts val at the path segs of root, creating what is missing,
// and marks val and every node it creates as coming from o.
func applyNode(root *yaml.Node, segs []string, val *yaml.Node, o origin, src *sourceMap, fail func(string, ...any) *Error) *Error {
	mark(val, o, src)
	cur := root
	for i, seg := range segs {
		last := i == len(segs)-1
		at := strings.Join(segs[:i], ".")
		switch cur.Kind {
		case yaml.MappingNode:
			idx := findKey(cur, seg)
			if idx < 0 {
				k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}
				src.origin[k] = o
				var v *yaml.Node
				if last {
					v = val
				} else {
					v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					src.origin[v] = o
				}
				cur.Content = append(cur.Content, k, v)
				cur = v
				continue
			}
			if last {
				cur.Content[idx+1] = val
				return nil
			}
			cur = editable(cur, idx+1, o, src)
		case yaml.SequenceNode:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n > len(cur.Content) {
				return fail("%s is a list of %d items; %q is not an index from 0 to %d", at, len(cur.Content), seg, len(cur.Content))
			}
			if n == len(cur.Content) {
				v := val
				if !last {
					v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					src.origin[v] = o
				}
				cur.Content = append(cur.Content, v)
				cur = v
				continue
			}
			if last {
				cur.Content[n] = val
				return nil
			}
			cur = editable(cur, n, o, src)
		default:
			return fail("%s is %s, not a mapping; it has no field %q", at, yamlnode.Describe(cur), seg)
		}
	}
	return nil
}

// editable returns the child at parent.Content[i], ready to be edited in
// place: an alias is replaced by a copy of what it points to (so the
// anchor's other users are unaffected), and a null by an empty mapping.
func editable(parent *yaml.Node, i int, o origin, src *sourceMap) *yaml.Node {
	n := parent.Content[i]
	if n.Kind == yaml.AliasNode {
		n = deepCopy(yamlnode.Deref(n))
		parent.Content[i] = n
	}
	if isNull(n) {
		n = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
		src.origin[n] = o
		parent.Content[i] = n
	}
	return n
}

// findKey returns the index of key in mapping m's Content, or -1. A key
// that m only has through a "<<" merge is copied into m first, so that
// editing it leaves the merged mapping alone.
func findKey(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key && k.Tag != "!!merge" {
			return i
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		src := yamlnode.Deref(m.Content[i+1])
		var sources []*yaml.Node
		if src != nil && src.Kind == yaml.SequenceNode {
			for _, s := range src.Content {
				sources = append(sources, yamlnode.Deref(s))
			}
		} else {
			sources = []*yaml.Node{src}
		}
		for _, s := range sources {
			if s == nil || s.Kind != yaml.MappingNode {
				continue
			}
			if j := findKey(s, key); j >= 0 {
				m.Content = append(m.Content, deepCopy(s.Content[j]), deepCopy(yamlnode.Deref(s.Content[j+1])))
				return len(m.Content) - 2
			}
		}
	}
	return -1
}

func deepCopy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = deepCopy(x)
	}
	if n.Kind == yaml.AliasNode {
		return deepCopy(n.Alias)
	}
	return &c
}

func parseValue(value string) (*yaml.Node, error) {
	if strings.TrimSpace(value) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return nil, err
	}
	v := yamlnode.Deref(&doc)
	if v == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return v, nil
}

func mark(n *yaml.Node, o origin, src *sourceMap) {
	if n == nil {
		return
	}
	src.origin[n] = o
	for _, c := range n.Content {
		mark(c, o, src)
	}
}

// Override is a typed override: a YAML tree (not text) put at Path of the
// scenario before decoding, as --set puts its value, so it is decoded,
// defaulted and validated like a part of the file. A problem with it is
// located in its own File at its own line and column, and named by its
// own path there: At followed by the rest of the scenario's path (a policy
// file's "autoscaler.target_utilization" for the scenario's
// "services.web.autoscaler.target_utilization"). With no File the problem
// has no position and keeps the scenario's path.
type Override struct {
	Path  string     // dotted path in the scenario, e.g. services.web.autoscaler
	Value *yaml.Node // the value; it is copied, never modified
	File  string     // the file Value was read from; "" = none
	At    string     // Value's own path in File, e.g. autoscaler
}

// ParseWith is Parse with --set overrides, then typed overrides, applied
// in order.
func (s Source) ParseWith(sets []string, overrides []Override) (*Scenario, error) {
	return parse(s.Name, s.Data, sets, overrides)
}

// applyOverride applies one typed override.
func applyOverride(root *yaml.Node, ov Override, order int, src *sourceMap) *Error {
	o := origin{order: order, typed: true, file: ov.File, path: ov.Path, at: ov.At}
	fail := func(format string, args ...any) *Error {
		return &Error{File: ov.File, Path: ov.At, Msg: fmt.Sprintf(format, args...), order: order + 1}
	}
	if ov.Value == nil {
		return fail("no value for %s", ov.Path)
	}
	segs := strings.Split(ov.Path, ".")
	for _, s := range segs {
		if s == "" {
			return fail("empty element in path %q", ov.Path)
		}
	}
	return applyNode(root, segs, deepCopy(ov.Value), o, src, fail)
}
