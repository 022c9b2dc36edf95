package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"github.com/scalesim/scalesim/scenarios/manifests"
)

// The `manifests:` key: Kubernetes YAML and Cloud.toml files or folders
// (relative to the scenario file) that describe services. The reader
// (package manifests) translates them into scenario keys positioned in
// the manifests; they are put under services.<name> before decoding, and
// what the scenario file (and --set) gives under services.<name> wins,
// key by key. The autoscaler is the exception: when the file names a
// policy other than the manifests', the file's autoscaler replaces theirs
// whole (one policy's parameters do not leak into another's).

// ManifestRef is one entry of the `manifests:` list: a path, or
// {path, service}.
type ManifestRef struct {
	// Path of a file or folder, relative to the scenario file.
	Path string `yaml:"path" scn:"req"`
	// Service names the service the entry describes: required for a
	// Cloud.toml; for Kubernetes files it renames the entry's one
	// Deployment.
	Service string `yaml:"service"`
}

// The built-in scenarios' manifests.
//
//go:embed library/wso2-integrator
var libraryManifests embed.FS

// WarnIgnoredManifestField: a manifest field that scalesim reads but does
// not simulate (see Scenario.ManifestIgnored).
const WarnIgnoredManifestField = "ignored-manifest-field"

// applyManifests reads the files the root's `manifests:` list names and
// merges what they say under services. String items are rewritten as
// {path: ...} so that the decoder sees one shape.
func applyManifests(name string, root *yaml.Node, src *sourceMap, s *Scenario) []Error {
	list := mapValue(root, "manifests")
	if list == nil || isNull(list) {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil // the decoder reports the type
	}
	var entries []manifests.Entry
	var bad []Error
	for i, it := range list.Content {
		it = yamlnode.Deref(it)
		e := manifests.Entry{File: name, Line: it.Line, Col: it.Column, Field: fmt.Sprintf("manifests.%d", i)}
		switch {
		case it.Kind == yaml.ScalarNode && it.Tag == "!!str":
			e.Path = it.Value
			m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: it.Line, Column: it.Column}
			m.Content = []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "path", Line: it.Line, Column: it.Column}, it}
			list.Content[i] = m
		case it.Kind == yaml.MappingNode:
			p, svc := mapValue(it, "path"), mapValue(it, "service")
			if p == nil || p.Kind != yaml.ScalarNode || p.Value == "" || (svc != nil && svc.Kind != yaml.ScalarNode) {
				continue // the decoder reports it
			}
			e.Path = p.Value
			if svc != nil {
				e.Service = svc.Value
			}
		default:
			bad = append(bad, src.at(it, e.Field, "expected a path (a file or folder of Kubernetes YAML or Cloud.toml) or {path, service}; got "+yamlnode.Describe(it)))
			continue
		}
		entries = append(entries, e)
	}
	if len(bad) > 0 {
		return bad
	}
	var fsys fs.FS = manifests.OSFS{}
	dir := filepath.Dir(name)
	if strings.HasPrefix(name, "builtin:") {
		fsys, dir = libraryManifests, "library"
	}
	for i := range entries {
		if strings.HasPrefix(name, "builtin:") {
			entries[i].Path = path.Join(dir, entries[i].Path)
		} else if !filepath.IsAbs(entries[i].Path) {
			entries[i].Path = filepath.Join(dir, entries[i].Path)
		}
	}
	services := mapValue(root, "services")
	var known []string
	if services != nil && services.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(services.Content); i += 2 {
			known = append(known, services.Content[i].Value)
		}
	}
	res, err := manifests.Read(fsys, entries, known)
	if err != nil {
		var me *manifests.Error
		if !errors.As(err, &me) {
			return []Error{{File: name, Msg: err.Error()}}
		}
		out := make([]Error, len(me.Diags))
		for i, d := range me.Diags {
			out[i] = Error{File: d.File, Line: d.Line, Col: d.Col, Path: d.Field, Msg: d.Msg}
		}
		return out
	}
	for _, d := range res.Ignored {
		s.ManifestIgnored = append(s.ManifestIgnored, Error{File: d.File, Line: d.Line, Col: d.Col, Path: d.Field, Msg: d.Msg})
	}
	s.ManifestFiles = res.Files
	if services == nil || services.Kind != yaml.MappingNode {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "services", Line: list.Line, Column: list.Column}
		services = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: list.Line, Column: list.Column}
		if i := findKey(root, "services"); i >= 0 {
			root.Content[i+1] = services // services: null
		} else {
			root.Content = append(root.Content, k, services)
		}
	}
	for _, ms := range res.Services {
		base := "services." + ms.Name
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, v := range ms.Values {
			if key, ok := strings.CutPrefix(v.Key, "rollout."); ok {
				rolloutDefault(root, ms.Name, key, v, src)
				continue
			}
			o := origin{typed: true, file: v.File, path: base + "." + v.Key, at: v.Field}
			putValue(m, strings.Split(v.Key, "."), v, o, src)
		}
		i := findKey(services, ms.Name)
		if i < 0 {
			// The service is the manifests' alone: its key is the
			// manifests entry in the scenario file, where a missing
			// demand is reported.
			pos := list
			if e := entryFor(entries, list, ms); e != nil {
				pos = e
			}
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ms.Name, Line: pos.Line, Column: pos.Column}
			m.Line, m.Column = pos.Line, pos.Column
			services.Content = append(services.Content, k, m)
			continue
		}
		f := services.Content[i+1]
		if isNull(f) {
			services.Content[i+1] = m
			continue
		}
		if f.Kind == yaml.MappingNode {
			overlay(f, m, "")
			clampInitial(f, src)
		}
	}
	return nil
}

// clampInitial puts a manifest's replica count (spec.replicas) into the
// range the scenario file or --set gives replicas.min and max, as an
// autoscaler would at once: a sweep over replicas.min does not trip over
// the Deployment's count.
func clampInitial(svc *yaml.Node, src *sourceMap) {
	r := mapValue(svc, "replicas")
	in := mapValue(r, "initial")
	if in == nil || !src.origin[in].typed {
		return
	}
	n, err := strconv.Atoi(in.Value)
	if err != nil {
		return
	}
	bound := func(key string) (int, bool) {
		b := mapValue(r, key)
		if b == nil || src.origin[b].typed || b.Kind != yaml.ScalarNode {
			return 0, false
		}
		v, err := strconv.Atoi(b.Value)
		return v, err == nil
	}
	if lo, ok := bound("min"); ok && n < lo {
		n = lo
	}
	if hi, ok := bound("max"); ok && n > hi {
		n = hi
	}
	in.Value = strconv.Itoa(n)
}

// entryFor finds the list item of the entry a service came from (by its
// first value's file), for positions in the scenario file.
func entryFor(entries []manifests.Entry, list *yaml.Node, ms manifests.Service) *yaml.Node {
	if len(ms.Values) == 0 {
		return nil
	}
	file := ms.Values[0].File
	for i, e := range entries {
		if (file == e.Path || strings.HasPrefix(file, strings.TrimSuffix(e.Path, "/")+"/")) && i < len(list.Content) {
			return list.Content[i]
		}
	}
	return nil
}

// putValue puts v's node at segs under m, creating mappings, every node
// marked as coming from the manifest (origin o).
func putValue(m *yaml.Node, segs []string, v manifests.Value, o origin, src *sourceMap) {
	cur := m
	for i, seg := range segs {
		last := i == len(segs)-1
		j := findKey(cur, seg)
		if j >= 0 {
			if last {
				cur.Content[j+1] = v.Node
				mark(v.Node, o, src)
				return
			}
			cur = cur.Content[j+1]
			continue
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg, Line: v.KeyLine, Column: v.KeyCol}
		src.origin[k] = o
		var val *yaml.Node
		if last {
			val = v.Node
			mark(val, o, src)
		} else {
			val = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Node.Line, Column: v.Node.Column}
			src.origin[val] = o
		}
		cur.Content = append(cur.Content, k, val)
		cur = val
	}
}

// overlay adds to the file's mapping f what the manifests' mapping m has
// and f does not; where both have a mapping it recurses, elsewhere f wins.
func overlay(f, m *yaml.Node, path string) {
	f = yamlnode.Deref(f)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, mv := m.Content[i], m.Content[i+1]
		j := findKey(f, k.Value)
		if j < 0 {
			f.Content = append(f.Content, k, mv)
			continue
		}
		fv := yamlnode.Deref(f.Content[j+1])
		if isNull(fv) {
			continue // null in the file: the default, not the manifest
		}
		if join(path, k.Value) == "autoscaler" && fv.Kind == yaml.MappingNode {
			fp, mp := yamlnode.Deref(mapValue(fv, "policy")), yamlnode.Deref(mapValue(mv, "policy"))
			if fp != nil && mp != nil && fp.Value != mp.Value {
				continue // another policy: the file's autoscaler alone
			}
		}
		if fv.Kind == yaml.MappingNode && mv.Kind == yaml.MappingNode {
			overlay(fv, mv, join(path, k.Value))
		}
	}
}

func mapValue(m *yaml.Node, key string) *yaml.Node { return yamlnode.Child(yamlnode.Deref(m), key) }

// notAScenario recognises a Kubernetes manifest or a Cloud.toml given
// where a scenario is expected, and says how to use it.
func notAScenario(name string, data []byte) error {
	what, ok := manifests.Identify(name, data)
	if !ok {
		return nil
	}
	dir := filepath.Dir(name)
	msg := fmt.Sprintf("this is %s, not a scenario; list it under `manifests:` in a scenario (which adds the traffic and the demand a manifest cannot say), "+
		"or write a starter one with `scalesim init --from %s`", what, dir+string(filepath.Separator))
	if strings.Contains(what, "Cloud.toml") {
		msg = fmt.Sprintf("this is %s, not a scenario; list it under `manifests:` in a scenario as {path: %s, service: NAME}, "+
			"or write a starter one with `scalesim init --from %s --service NAME`", what, filepath.Base(name), name)
	} else if what == "a TOML file" {
		msg = "this is a TOML file, not a scenario (scenarios are YAML); a Ballerina Cloud.toml is listed under `manifests:` in a scenario as {path: FILE, service: NAME}"
	}
	return newValidationError(name, []Error{{File: name, Line: 1, Col: 1, Msg: msg}})
}

// rolloutDefault gives each rollout fault of service that does not set
// key (max_surge, max_unavailable, min_ready_seconds) the Deployment's
// value: a rollout of the service is what its strategy says.
func rolloutDefault(root *yaml.Node, service, key string, v manifests.Value, src *sourceMap) {
	faults := mapValue(root, "faults")
	if faults == nil || faults.Kind != yaml.SequenceNode {
		return
	}
	for i, f := range faults.Content {
		f = yamlnode.Deref(f)
		t, s := mapValue(f, "type"), mapValue(f, "service")
		if f.Kind != yaml.MappingNode || t == nil || t.Value != "rollout" || s == nil || s.Value != service || findKey(f, key) >= 0 {
			continue
		}
		o := origin{typed: true, file: v.File, path: fmt.Sprintf("faults.%d.%s", i, key), at: v.Field}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: v.KeyLine, Column: v.KeyCol}
		val := deepCopy(v.Node)
		src.origin[k] = o
		mark(val, o, src)
		f.Content = append(f.Content, k, val)
	}
}
