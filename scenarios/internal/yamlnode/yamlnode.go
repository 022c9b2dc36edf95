// Package yamlnode holds the yaml.v3 node helpers that the scenario reader
// and the manifest reader share: following aliases and documents to the
// node they stand for, and naming a node in an error message.
package yamlnode

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// Deref follows aliases and document nodes to the node they stand for
// (nil for an empty document). It gives up after 100 steps, so a cycle
// of aliases cannot hang it.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// Child is the value of key in the mapping m, dereferenced (see Deref);
// nil when m is not a mapping or has no such key. m itself is taken as
// it is: callers that may hold an alias dereference it first.
func Child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return Deref(m.Content[i+1])
		}
	}
	return nil
}

// Describe names what a node is, for "expected X, got Y" messages: "a
// mapping", "a list", "null", "the number 3", "the boolean true" or the
// quoted scalar.
func Describe(n *yaml.Node) string {
	n = Deref(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Tag == "!!null":
		return "null"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "the number " + n.Value
	case n.Tag == "!!bool":
		return "the boolean " + n.Value
	default:
		return strconv.Quote(n.Value)
	}
}
