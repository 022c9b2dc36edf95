package scenarios

import (
	"slices"
	"strings"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// sourceMap remembers where every field of a scenario came from, so that
// checks made after decoding can still point at a line and column, or at
// the --set override that supplied the value.
type sourceMap struct {
	file string
	// keys and vals map a field's dotted path to its key node and value
	// node. A list item's key node is the item itself.
	keys, vals map[string]*yaml.Node
	// origin marks nodes created by a --set override.
	origin map[*yaml.Node]origin
	// bad marks fields whose value could not be decoded: later checks skip
	// them rather than report a consequence of the same mistake.
	bad map[string]bool
}

type origin struct {
	set   string
	order int
	// A typed Override: its file, the scenario path it was put at, and
	// that path's name in the file.
	typed          bool
	file, path, at string
}

func newSourceMap(file string) *sourceMap {
	return &sourceMap{
		file:   file,
		keys:   map[string]*yaml.Node{},
		vals:   map[string]*yaml.Node{},
		origin: map[*yaml.Node]origin{},
		bad:    map[string]bool{},
	}
}

// has reports whether the file (or an override) gave the field a non-null
// value.
func (m *sourceMap) has(path string) bool {
	if m == nil {
		return false
	}
	n, ok := m.vals[path]
	return ok && !isNull(yamlnode.Deref(n))
}

// percentSign reports whether the value at path was written with a
// percent sign ("70%"), which makes a small percentage unambiguous.
func (m *sourceMap) percentSign(path string) bool {
	if m == nil {
		return false
	}
	n := yamlnode.Deref(m.vals[path])
	return n != nil && n.Kind == yaml.ScalarNode && strings.HasSuffix(strings.TrimSpace(n.Value), "%")
}

// isBad reports whether any of the paths failed to decode.
func (m *sourceMap) isBad(paths ...string) bool {
	if m == nil {
		return false
	}
	for _, p := range paths {
		if m.bad[p] {
			return true
		}
	}
	return false
}

// at locates an error at node n.
func (m *sourceMap) at(n *yaml.Node, path, msg string) Error {
	e := Error{Path: path, Msg: msg}
	if m == nil {
		return e
	}
	e.File = m.file
	if n == nil {
		return e
	}
	if o, ok := m.origin[n]; ok && o.typed {
		// At the field's key when the override wrote it too, as a
		// policy file's problems have always been located.
		at := n
		if k, ok := m.keys[path]; ok && m.origin[k].typed && k.Line > 0 {
			at = k
		}
		e.File, e.Line, e.Col, e.order = o.file, at.Line, at.Column, o.order+1
		if rest, found := strings.CutPrefix(path, o.path); found && o.file != "" && (rest == "" || rest[0] == '.') {
			e.Path = o.at + rest
		}
		return e
	} else if ok {
		e.Override, e.order = o.set, o.order+1
		return e
	}
	e.Line, e.Col = n.Line, n.Column
	return e
}

// keyErr locates an error about the field at path as a whole (a range, a
// reference, a conflict between fields) at the field's key. If one of the
// involved fields got its value from an override, the override is blamed.
func (m *sourceMap) keyErr(path, msg string, involved ...string) Error {
	if m == nil {
		return Error{Path: path, Msg: msg}
	}
	for _, p := range slices.Concat(involved, []string{path}) {
		if n, ok := m.vals[p]; ok {
			if _, over := m.origin[n]; over {
				return m.at(n, path, msg)
			}
		}
	}
	for p := path; ; p = parent(p) {
		if n, ok := m.keys[p]; ok {
			return m.at(n, path, msg)
		}
		if p == "" {
			return m.at(m.vals[""], path, msg)
		}
	}
}

// valErr locates an error about a field's value at the value.
func (m *sourceMap) valErr(path, msg string) Error {
	if m == nil {
		return Error{Path: path, Msg: msg}
	}
	if n, ok := m.vals[path]; ok {
		return m.at(n, path, msg)
	}
	return m.keyErr(path, msg)
}

func parent(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
