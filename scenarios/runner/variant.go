package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scalesim/scalesim/scenarios"
)

// Variant is one autoscaler setting of a comparison: a typed override of
// the compared services' autoscaler blocks, never text.
type Variant struct {
	// Label names the run, its folder and its row; labels must differ.
	Label string
	// Source says where the variant came from (comparison.json's source),
	// e.g. "cpu" or "policies/aggressive.yaml".
	Source string
	// Policy, when set, keeps each compared service's autoscaler block and
	// replaces only its policy: the block's parameters apply to it.
	Policy string
	// Autoscaler, when set (and Policy is not), replaces each compared
	// service's whole autoscaler block: what it omits takes the defaults.
	Autoscaler *yaml.Node
	// File is the file Autoscaler was read from; a problem in the block is
	// located there, at its own line and column.
	File string
}

// PolicyVariant is the variant that runs policy NAME with the scenario's
// own autoscaler parameters.
func PolicyVariant(name string) Variant {
	return Variant{Label: name, Source: name, Policy: name}
}

// LoadVariant reads a policy file: one `autoscaler:` block, written as in
// a scenario. Its label is the file's base name without the extension.
func LoadVariant(path string) (Variant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Variant{}, err
	}
	block, err := autoscalerBlock(path, data)
	if err != nil {
		return Variant{}, err
	}
	label := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Variant{Label: label, Source: path, Autoscaler: block, File: path}, nil
}

// autoscalerBlock returns the mapping under the file's one key,
// `autoscaler`.
func autoscalerBlock(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	const want = "a policy file holds one block, 'autoscaler:', as in a scenario (e.g. autoscaler: {policy: cpu, target_utilization: 60})"
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New(want)
	}
	root := doc.Content[0]
	var block *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "autoscaler" {
			return nil, fmt.Errorf("%s:%d:%d: unknown key %q: %s", file, k.Line, k.Column, k.Value, want)
		}
		block = root.Content[i+1]
	}
	if block == nil {
		return nil, errors.New(want)
	}
	if block.Kind == yaml.AliasNode {
		block = block.Alias
	}
	if block.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: autoscaler: want a mapping of keys (policy, interval, ...); %s", file, block.Line, block.Column, want)
	}
	return block, nil
}

// overrides are the typed overrides that apply v to the services.
func (v Variant) overrides(services []string) []scenarios.Override {
	var out []scenarios.Override
	for _, svc := range services {
		if v.Policy != "" {
			out = append(out, scenarios.Override{Path: "services." + svc + ".autoscaler.policy",
				Value: &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Policy}})
		} else {
			out = append(out, scenarios.Override{Path: "services." + svc + ".autoscaler", Value: v.Autoscaler, File: v.File, At: "autoscaler"})
		}
	}
	return out
}

// VariantError is a problem with variant Index of a comparison.
type VariantError struct {
	Index int
	Label string
	Err   error
}

func (e *VariantError) Error() string { return "variant " + e.Label + ": " + e.Err.Error() }
func (e *VariantError) Unwrap() error { return e.Err }
