package yamlnode

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDerefAndDescribe(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: &x {b: 1}\nc: *x\nd: [1]\ne: null\nf: 2.5\ng: true\nh: web\n"), &doc); err != nil {
		t.Fatal(err)
	}
	root := Deref(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		t.Fatalf("Deref(document) = %v, want its mapping", root)
	}
	want := map[string]string{"a": "a mapping", "c": "a mapping", "d": "a list", "e": "null",
		"f": "the number 2.5", "g": "the boolean true", "h": `"web"`}
	for i := 0; i < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		if got := Describe(v); got != want[k] {
			t.Errorf("Describe(%s) = %q, want %q", k, got, want[k])
		}
	}
	if Deref(root.Content[3]) != root.Content[1] {
		t.Error("Deref(*x) is not the anchored node")
	}
	if Deref(&yaml.Node{Kind: yaml.DocumentNode}) != nil || Describe(nil) != "nothing" {
		t.Error("an empty document is nothing")
	}
}
