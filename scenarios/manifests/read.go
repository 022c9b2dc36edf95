package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// Entry is one item of a scenario's `manifests:` list.
type Entry struct {
	// Path is the file or folder, as the reader's file system names it
	// (the scenario hook joins it with the scenario file's folder).
	Path string
	// Service, when given, names the service the entry describes: a
	// Cloud.toml needs it; for Kubernetes files it renames the entry's one
	// Deployment, and objects that match nothing else attach to it.
	Service string
	// Where the entry is written in the scenario file, for problems with
	// the entry itself.
	File      string
	Line, Col int
	Field     string // the entry's path in the scenario file, e.g. manifests[0]
}

// Diag is one problem or one ignored field, located in a manifest file:
// "FILE:LINE:COL: field.path: message", the field path Kubernetes' own
// (spec.behavior.scaleDown.policies[0].periodSeconds).
type Diag struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
}

func (d Diag) Error() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
		}
		b.WriteString(": ")
	}
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Value is one scenario key a manifest sets, at the manifest's position.
type Value struct {
	// Key is the scenario path under the service, e.g.
	// instance.cpu_request or autoscaler.behavior; rollout.KEY is the
	// KEY of the service's rollout faults (the Deployment's strategy).
	Key string
	// Node is the value in scenario syntax (a scalar, a list or a
	// mapping), positioned at the manifest field it comes from.
	Node *yaml.Node
	// File and Field name where it comes from (Field in Kubernetes' own
	// spelling); KeyLine and KeyCol are the field's key.
	File            string
	Field           string
	KeyLine, KeyCol int
	defaulted       bool // the API's default, not written in the manifest
}

// Service is what the manifests say about one scenario service.
type Service struct {
	Name string
	// Where the service is named: the Deployment's metadata.name, or the
	// Cloud.toml entry.
	File      string
	Line, Col int
	Values    []Value
	// Sources lists the objects that contributed, "Kind/name (file)".
	Sources []string
}

// Result is the manifests read, translated into scenario keys.
type Result struct {
	Services []Service
	// Ignored lists each field that was read but is not simulated, once
	// (by its normalized path), at its first position: fields scalesim
	// does not model and fields it will model but does not yet
	// (NotYetModelled).
	Ignored []Diag
	// Files are the files read, in order.
	Files []string
}

// Error is every problem found in the manifests.
type Error struct{ Diags []Diag }

func (e *Error) Error() string {
	lines := make([]string, len(e.Diags))
	for i, d := range e.Diags {
		lines[i] = d.Error()
	}
	return strings.Join(lines, "\n")
}

// OSFS is the file system of the machine, with paths as the operating
// system takes them (relative to the working directory, ".." allowed),
// for scenarios read from disk.
type OSFS struct{}

// Open opens a file of the machine.
func (OSFS) Open(name string) (fs.File, error) { return os.Open(name) }

// Read reads the entries' files from fsys and translates them. known are
// the services the scenario file declares (objects may attach to them by
// name). Problems come back as an *Error.
func Read(fsys fs.FS, entries []Entry, known []string) (*Result, error) {
	r := &reader{fsys: fsys, known: known, ignoredSeen: map[string]bool{}, out: &Result{}}
	for i := range entries {
		r.entry(&entries[i])
	}
	if len(r.diags) == 0 {
		r.link()
	}
	if len(r.diags) > 0 {
		return nil, &Error{Diags: r.diags}
	}
	return r.out, nil
}

type reader struct {
	fsys        fs.FS
	known       []string
	diags       []Diag
	ignoredSeen map[string]bool
	out         *Result

	workloads []*workload
	hpas      []*hpaObj
	pdbs      []*pdbObj
	svcs      []*svcObj
	ingresses []*ingressObj
	clouds    []*cloudObj
}

func (r *reader) fail(d Diag) { r.diags = append(r.diags, d) }

func (r *reader) ignore(file string, key *yaml.Node, kind, field, norm, why string) {
	id := kind + " " + norm
	if r.ignoredSeen[id] {
		return
	}
	r.ignoredSeen[id] = true
	d := Diag{File: file, Field: field, Msg: why}
	if key != nil {
		d.Line, d.Col = key.Line, key.Column
	}
	r.out.Ignored = append(r.out.Ignored, d)
}

// isManifestFile reports whether a folder's file is read: YAML, JSON and
// TOML files.
func isManifestFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json", ".toml":
		return true
	}
	return false
}

func (r *reader) entry(e *Entry) {
	st, err := fs.Stat(r.fsys, e.Path)
	if err != nil {
		r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field, Msg: fmt.Sprintf("cannot read %s: %v", e.Path, unwrapPathErr(err))})
		return
	}
	var files []string
	if st.IsDir() {
		list, err := fs.ReadDir(r.fsys, e.Path)
		if err != nil {
			r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field, Msg: fmt.Sprintf("cannot read the folder %s: %v", e.Path, unwrapPathErr(err))})
			return
		}
		for _, f := range list {
			if !f.IsDir() && isManifestFile(f.Name()) {
				files = append(files, joinPath(e.Path, f.Name()))
			}
		}
		if len(files) == 0 {
			r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field, Msg: fmt.Sprintf("the folder %s holds no .yaml, .yml, .json or .toml file", e.Path)})
			return
		}
	} else {
		files = []string{e.Path}
	}
	before := len(r.workloads)
	for _, f := range files {
		data, err := fs.ReadFile(r.fsys, f)
		if err != nil {
			r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field, Msg: fmt.Sprintf("cannot read %s: %v", f, unwrapPathErr(err))})
			continue
		}
		r.out.Files = append(r.out.Files, f)
		if strings.EqualFold(path.Ext(f), ".toml") {
			r.cloudToml(e, f, data)
			continue
		}
		r.yamlFile(e, f, data)
	}
	if e.Service != "" {
		ws := r.workloads[before:]
		switch {
		case len(ws) == 1:
			ws[0].service = e.Service
		case len(ws) > 1:
			r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field + ".service",
				Msg: fmt.Sprintf("the entry holds %d workloads (%s and %s); service names one: give each its own entry", len(ws), ws[0].name, ws[1].name)})
		}
	}
}

func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlFile reads every document of a YAML (or JSON) file.
func (r *reader) yamlFile(e *Entry, file string, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 1
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = m[2]
				// yaml.v3 reports parser errors at the 0-based line where
				// the enclosing construct starts (as scenarios' syntaxError).
				if strings.HasPrefix(msg, "did not find expected") {
					line++
				}
			}
			r.fail(Diag{File: file, Line: line, Col: 1, Msg: "invalid YAML: " + msg})
			return
		}
		root := yamlnode.Deref(&doc)
		if root == nil || root.Tag == "!!null" {
			continue // an empty document (a trailing ---)
		}
		r.object(e, file, root, "")
	}
}

// object reads one Kubernetes object; prefix is its path in a List
// ("items[2]." ) or "".
func (r *reader) object(e *Entry, file string, root *yaml.Node, prefix string) {
	if root.Kind != yaml.MappingNode {
		r.fail(Diag{File: file, Line: root.Line, Col: root.Column, Field: strings.TrimSuffix(prefix, "."), Msg: "a Kubernetes object is a mapping with apiVersion and kind; got " + yamlnode.Describe(root)})
		return
	}
	apiVersion, kind := scalar(root, "apiVersion"), scalar(root, "kind")
	if kind == "" || apiVersion == "" {
		missing := "kind"
		if apiVersion == "" {
			missing = "apiVersion"
		}
		r.fail(Diag{File: file, Line: root.Line, Col: root.Column, Field: prefix + missing,
			Msg: "missing; every Kubernetes object names its apiVersion and kind (e.g. apiVersion: apps/v1, kind: Deployment)"})
		return
	}
	if strings.HasSuffix(kind, "List") && apiVersion == "v1" {
		items := yamlnode.Child(root, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			if items != nil && items.Tag != "!!null" {
				r.fail(Diag{File: file, Line: items.Line, Col: items.Column, Field: prefix + "items", Msg: "expected a list of objects; got " + yamlnode.Describe(items)})
			}
			return
		}
		for i, it := range items.Content {
			r.object(e, file, yamlnode.Deref(it), fmt.Sprintf("%sitems[%d].", prefix, i))
		}
		return
	}
	def, ok := kinds[kind]
	if ok && !sameGroup(def.versions, apiVersion) {
		ok = false // another API's kind of that name (a Knative Service)
	}
	if !ok {
		why := fmt.Sprintf("kind %s (%s) is not simulated; ignored", kind, apiVersion)
		if p, soon := pendingKinds[group(apiVersion)]; soon {
			why = fmt.Sprintf("kind %s (%s) is not simulated yet (%s); ignored", kind, apiVersion, p)
		}
		r.ignore(file, keyNode(root, "kind"), apiVersion+" "+kind, prefix+"kind", kind, why)
		return
	}
	mk, ok := def.versions[apiVersion]
	if !ok {
		n := yamlnode.Child(root, "apiVersion")
		r.fail(Diag{File: file, Line: n.Line, Col: n.Column, Field: prefix + "apiVersion",
			Msg: fmt.Sprintf("%s %s is not read; use %s", kind, apiVersion, strings.Join(sortedKeys(def.versions), " or "))})
		return
	}
	c := &checker{file: file}
	c.seen = func(norm, field string, key *yaml.Node) {
		if mode, ok := classify(def.fields, norm); ok && mode == modeIgnored {
			r.ignore(file, key, kind, prefix+field, norm, fmt.Sprintf("not simulated (%s %s); ignored", kind, why(def.fields, norm)))
		}
	}
	obj := mk()
	if !c.decodeInto(root, obj, strings.TrimSuffix(prefix, ".")) {
		r.diags = append(r.diags, c.diags...)
		return
	}
	loc := &locator{file: file, root: root, prefix: prefix}
	def.read(r, e, loc, obj)
}

func scalar(m *yaml.Node, key string) string {
	if n := yamlnode.Child(m, key); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// locator finds the nodes of an object's fields, for positions.
type locator struct {
	file   string
	root   *yaml.Node
	prefix string // "items[2]." inside a List
}

// at returns the key and value nodes of the field at segs (strings are
// keys, ints list indexes), or the deepest existing ones and false.
func (l *locator) at(segs ...any) (key, val *yaml.Node, ok bool) {
	cur := l.root
	key = cur
	for _, s := range segs {
		switch s := s.(type) {
		case string:
			k := keyNode(cur, s)
			if k == nil {
				return key, cur, false
			}
			key, cur = k, yamlnode.Child(cur, s)
		case int:
			if cur == nil || cur.Kind != yaml.SequenceNode || s >= len(cur.Content) {
				return key, cur, false
			}
			cur = yamlnode.Deref(cur.Content[s])
			key = cur
		}
	}
	return key, cur, true
}

// field spells segs as a Kubernetes field path.
func (l *locator) field(segs ...any) string {
	var b strings.Builder
	b.WriteString(l.prefix)
	for i, s := range segs {
		switch s := s.(type) {
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}

// diag locates a problem at the field segs (or its nearest parent).
func (l *locator) diag(msg string, segs ...any) Diag {
	_, v, _ := l.at(segs...)
	if v == nil {
		v = l.root
	}
	return Diag{File: l.file, Line: v.Line, Col: v.Column, Field: l.field(segs...), Msg: msg}
}

// value makes the scenario value key = text (a YAML scalar, list or
// mapping in flow style) at the field segs. A field the manifest omits
// (an API default) is positioned at its nearest parent.
func (l *locator) value(key, text string, segs ...any) Value {
	k, v, ok := l.at(segs...)
	if v == nil {
		v = k
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) == 0 {
		panic(fmt.Sprintf("manifests: bad scenario value %q for %s: %v", text, key, err))
	}
	n := doc.Content[0]
	setPos(n, v.Line, v.Column)
	field := l.field(segs...)
	return Value{Key: key, Node: n, File: l.file, Field: field, KeyLine: k.Line, KeyCol: k.Column, defaulted: !ok}
}

func setPos(n *yaml.Node, line, col int) {
	n.Line, n.Column = line, col
	n.Style = 0
	for _, c := range n.Content {
		setPos(c, line, col)
	}
}

// pendingKinds are the APIs whose objects map to SPEC.md's kpa and keda
// policies: listed as ignored until the reader translates them.
var pendingKinds = map[string]string{
	"serving.knative.dev":     "its autoscaling annotations are not read yet: give the kpa policy's parameters in the scenario file",
	"autoscaling.knative.dev": "its autoscaling annotations are not read yet: give the kpa policy's parameters in the scenario file",
	"keda.sh":                 "a ScaledObject will set the keda policy, which is being added",
}

// group is an apiVersion's API group ("" for the core group, v1).
func group(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return ""
}

// sameGroup reports whether apiVersion is of the API group of one of the
// versions read (autoscaling/v2beta2 is: a retired version, an error;
// serving.knative.dev/v1 for a Service is not: another API's kind).
func sameGroup(versions map[string]func() any, apiVersion string) bool {
	for v := range versions {
		if group(v) == group(apiVersion) {
			return true
		}
	}
	return false
}
