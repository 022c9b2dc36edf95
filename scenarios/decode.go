package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"github.com/scalesim/scalesim/sim"
)

// The decoder walks the yaml.Node tree itself instead of using
// yaml.Unmarshal, so that every problem carries the position of the
// offending node and its field path, unknown keys are reported with a
// suggestion, and decoding goes on after a problem to report the next one.
//
// Struct fields describe themselves with two tags: `yaml:"key"` names the
// key (",inline" flattens a nested struct into its parent, "-" skips the
// field) and `scn:"opt,opt,..."` adds options:
//
//	req          the key must be present
//	req=a|b      the key must be present when the struct's kind is a or b
//	kind         this key is the struct's discriminator (decoded first)
//	for=a|b      the key applies only when the struct's kind is a or b
//	enum=a|b     the value must be one of these strings
//	enum=@name   ... one of a registry's names (@policies, @faults,
//	             @lb-algorithms, @components; see registry.go)
//	name         (with yaml:"-") receives the key of a byname mapping
//	byname       a slice decoded from a mapping name -> item
//	cpu, bytes   a Kubernetes CPU or memory quantity (float64)
//	dist         a duration or a distribution mapping (sim.Dist)
//	unlimited    an int that also accepts "unlimited" (Unlimited)
//	forever      a duration that also accepts "forever" (Forever)
//	pct          a percentage: a number, or a string such as "70%"; on a
//	             string field, a count or a percentage (kept as written)
//	fraction     a fraction (0.999) or a percentage string ("99.9%")
//	metrics      Autoscaler.Metrics: a list, or the pipeline mapping
//	selector     this key chooses who reads the struct's other keys
//	             (Autoscaler.Policy, the one struct with a selector; the
//	             messages call it "autoscaler"); unlike kind, other keys
//	             stay allowed
//	readby=a|b   only these values of the selector read the key; on an
//	             inline struct, every key in it. A key that the selected
//	             value does not read is never suggested by "did you
//	             mean", and see ignoredKeys for what giving one does.
//
// A type with a setDefaults method gets it called on every new value
// before its keys are decoded, so defaults are simply what no key
// overwrote.

type decoder struct {
	src      *sourceMap
	errs     []Error
	warnings []Error
}

type defaulter interface{ setDefaults() }

type fieldInfo struct {
	key       string
	index     []int
	req       bool
	reqKinds  []string
	forKinds  []string
	enum      []string
	kind      bool
	name      bool
	byname    bool
	cpu       bool
	bytes     bool
	dist      bool
	unlimited bool
	forever   bool
	pct       bool
	fraction  bool
	metrics   bool
	tag       string // the scn tag
	selector  bool
	readBy    []string
}

type structInfo struct {
	fields   []*fieldInfo // in declaration order
	byKey    map[string]*fieldInfo
	kind     *fieldInfo
	name     *fieldInfo
	selector *fieldInfo
}

var structInfos sync.Map // reflect.Type -> *structInfo

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byKey: map[string]*fieldInfo{}}
	var walk func(t reflect.Type, prefix []int, readBy []string)
	walk = func(t reflect.Type, prefix []int, readBy []string) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			index := append(slices.Clone(prefix), i)
			tag := sf.Tag.Get("yaml")
			opts := sf.Tag.Get("scn")
			if tag == ",inline" {
				rb := readBy
				if v, ok := strings.CutPrefix(opts, "readby="); ok {
					rb = strings.Split(v, "|")
				}
				walk(sf.Type, index, rb)
				continue
			}
			f := &fieldInfo{key: tag, index: index, tag: opts, readBy: readBy}
			for _, o := range strings.Split(opts, ",") {
				k, v, _ := strings.Cut(o, "=")
				switch k {
				case "req":
					if v == "" {
						f.req = true
					} else {
						f.reqKinds = strings.Split(v, "|")
					}
				case "for":
					f.forKinds = strings.Split(v, "|")
				case "enum":
					f.enum = enumValues(v)
				case "kind":
					f.kind = true
				case "name":
					f.name = true
				case "byname":
					f.byname = true
				case "cpu":
					f.cpu = true
				case "bytes":
					f.bytes = true
				case "dist":
					f.dist = true
				case "unlimited":
					f.unlimited = true
				case "forever":
					f.forever = true
				case "pct":
					f.pct = true
				case "fraction":
					f.fraction = true
				case "metrics":
					f.metrics = true
				case "selector":
					f.selector = true
				case "readby":
					f.readBy = strings.Split(v, "|")
				}
			}
			if f.name {
				si.name = f
			}
			if tag == "-" || tag == "" {
				continue
			}
			if f.kind {
				si.kind = f
			}
			if f.selector {
				si.selector = f
			}
			si.fields = append(si.fields, f)
			si.byKey[f.key] = f
		}
	}
	walk(t, nil, nil)
	si.kindsFromRegistry()
	actual, _ := structInfos.LoadOrStore(t, si)
	return actual.(*structInfo)
}

// kindsFromRegistry sets for= and req= of a struct whose kind enum is a
// registry (`enum=@faults`) from the keys each kind declares.
func (si *structInfo) kindsFromRegistry() {
	if si.kind == nil {
		return
	}
	var src string
	for _, o := range strings.Split(si.kind.tag, ",") {
		if v, ok := strings.CutPrefix(o, "enum="); ok {
			src = v
		}
	}
	kinds, ok := kindSources[src]
	if !ok {
		return
	}
	m := kinds()
	for _, f := range si.fields {
		if f.kind {
			continue
		}
		for _, k := range si.kind.enum {
			if slices.Contains(m[k][0], f.key) {
				f.forKinds = append(f.forKinds, k)
			}
			if slices.Contains(m[k][1], f.key) {
				f.reqKinds = append(f.reqKinds, k)
			}
		}
	}
}

// readers says which selector values read f, with the verb, for
// messages: "only the cloud policy reads", "only the cpu, memory and hpa
// policies read".
func (si *structInfo) readers(f *fieldInfo) string {
	rb := f.readBy
	what := si.selector.key
	if len(rb) == 1 {
		return fmt.Sprintf("only the %s %s reads", rb[0], what)
	}
	return fmt.Sprintf("only the %s and %s %s read", strings.Join(rb[:len(rb)-1], ", "), rb[len(rb)-1], plural(what))
}

func plural(s string) string {
	if strings.HasSuffix(s, "y") {
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// keysFor lists the keys a struct of the given kind accepts.
func (si *structInfo) keysFor(kind string) []string {
	var out []string
	for _, f := range si.fields {
		if len(f.forKinds) == 0 || kind == "" || slices.Contains(f.forKinds, kind) {
			out = append(out, f.key)
		}
	}
	return out
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, d.src.at(n, path, fmt.Sprintf(format, args...)))
	d.src.bad[path] = true
}

type pair struct {
	key, val *yaml.Node
	name     string
}

// pairs lists a mapping's entries, resolving "<<" merge keys (explicit keys
// win over merged ones) and reporting duplicate keys.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	return d.mergePairs(n, path, map[*yaml.Node]bool{n: true})
}

// mergePairs is pairs; merged tracks the mappings already merged, so that
// a mapping merged many times over (a "billion laughs" of merge keys) is
// read once.
func (d *decoder) mergePairs(n *yaml.Node, path string, merged map[*yaml.Node]bool) []pair {
	var out, fromMerges []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain names, got %s", yamlnode.Describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			src := yamlnode.Deref(v)
			var sources []*yaml.Node
			switch {
			case src != nil && src.Kind == yaml.MappingNode:
				sources = []*yaml.Node{src}
			case src != nil && src.Kind == yaml.SequenceNode:
				for _, s := range src.Content {
					sources = append(sources, yamlnode.Deref(s))
				}
			default:
				sources = []*yaml.Node{src} // a scalar or null: refused below
			}
			for _, s := range sources {
				if s == nil || s.Kind != yaml.MappingNode {
					d.fail(k, path, "<< must merge a mapping or a list of mappings (an alias such as <<: *defaults); got %s", yamlnode.Describe(s))
					continue
				}
				if !merged[s] {
					merged[s] = true
					fromMerges = append(fromMerges, d.mergePairs(s, path, merged)...)
				}
			}
			continue
		}
		if prev, ok := seen[k.Value]; ok {
			d.fail(k, join(path, k.Value), "duplicate key; it is already given at line %d", prev.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{key: k, val: v, name: k.Value})
	}
	for _, p := range fromMerges {
		if _, ok := seen[p.name]; !ok {
			seen[p.name] = p.key
			out = append(out, p)
		}
	}
	return out
}

// structure decodes a mapping into the struct v (addressable).
func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value) {
	n = yamlnode.Deref(n)
	if isNull(n) {
		return
	}
	si := infoOf(v.Type())
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping with keys %s; got %s", strings.Join(si.keysFor(""), ", "), yamlnode.Describe(n))
		return
	}
	ps := d.pairs(n, path)
	kind := ""
	if si.kind != nil {
		found := false
		for _, p := range ps {
			if p.name == si.kind.key {
				found = true
				fp := join(path, p.name)
				d.src.keys[fp], d.src.vals[fp] = p.key, p.val
				if d.value(p.val, fp, v.FieldByIndex(si.kind.index), si.kind) {
					kind = v.FieldByIndex(si.kind.index).String()
				}
			}
		}
		if !found {
			d.fail(n, path, "missing %q: one of %s", si.kind.key, strings.Join(si.kind.enum, ", "))
		}
		if kind == "" {
			return // without a kind, the other keys cannot be checked
		}
	}
	// The selector (the autoscaler's policy) is read first, so that
	// suggestions and ignored keys are judged against it.
	sel := ""
	if si.selector != nil {
		sel = v.FieldByIndex(si.selector.index).String() // the default
		for _, p := range ps {
			if n := yamlnode.Deref(p.val); p.name == si.selector.key && n != nil && n.Kind == yaml.ScalarNode && !isNull(n) {
				sel = n.Value
			}
		}
	}
	// The predictive policy reads its reactive policy's keys too.
	also := ""
	if si.selector != nil && sel == PolicyPredictive {
		also = defaultPredictive().Reactive
		for _, p := range ps {
			if n := yamlnode.Deref(p.val); p.name == "reactive" && n != nil && n.Kind == yaml.ScalarNode && !isNull(n) {
				also = n.Value
			}
		}
	}
	present := map[string]bool{}
	nulls := map[string]*yaml.Node{} // keys given as null: the default stays
	for _, p := range ps {
		if si.kind != nil && p.name == si.kind.key {
			continue
		}
		fp := join(path, p.name)
		f := si.byKey[p.name]
		if f == nil {
			if si.selector != nil {
				d.unknownSelected(p.key, fp, si, sel)
			} else {
				d.unknownField(p.key, fp, si.keysFor(kind))
			}
			continue
		}
		if len(f.forKinds) > 0 && !slices.Contains(f.forKinds, kind) {
			d.fail(p.key, fp, "not a field of %s %q, which takes %s", si.kind.key, kind, strings.Join(si.keysFor(kind), ", "))
			continue
		}
		d.src.keys[fp], d.src.vals[fp] = p.key, p.val
		if isNull(yamlnode.Deref(p.val)) {
			nulls[p.name] = p.val
			continue // "key:" with no value, or an override's null: the default stays
		}
		present[p.name] = true
		if len(f.readBy) > 0 && !slices.Contains(f.readBy, sel) && !slices.Contains(f.readBy, also) && slices.Contains(si.selector.enum, sel) {
			d.ignored(p.key, fp, si, f, sel)
		}
		if f.metrics {
			d.metrics(p.val, fp, v.Addr().Interface().(*Autoscaler))
			continue
		}
		d.value(p.val, fp, v.FieldByIndex(f.index), f)
	}
	for _, f := range si.fields {
		if present[f.key] || f.kind {
			continue
		}
		if f.req || slices.Contains(f.reqKinds, kind) {
			if nv := nulls[f.key]; nv != nil {
				// Null removes a key; a required one has no default to fall
				// back on. Blame the null (an override's, if it is one).
				d.errs = append(d.errs, d.src.at(nv, join(path, f.key), "is required and has no default, so null cannot remove it; give a value"))
				continue
			}
			what := ""
			if kind != "" {
				what = fmt.Sprintf(" (%s %q takes %s)", si.kind.key, kind, strings.Join(si.keysFor(kind), ", "))
			}
			d.errs = append(d.errs, d.src.at(d.mappingPos(n, path), path, fmt.Sprintf("missing required field %q%s", f.key, what)))
		}
	}
}

// mappingPos is where to report something missing from a mapping: its key
// if it has one, else the mapping itself.
func (d *decoder) mappingPos(n *yaml.Node, path string) *yaml.Node {
	if k, ok := d.src.keys[path]; ok {
		return k
	}
	return n
}

func (d *decoder) unknownField(k *yaml.Node, path string, allowed []string) {
	if s := suggest(k.Value, allowed); s != "" {
		d.fail(k, path, "unknown field; did you mean %q?", s)
		return
	}
	d.fail(k, path, "unknown field; allowed: %s", strings.Join(allowed, ", "))
}

// unknownSelected reports an unknown key of a struct with a selector: "did
// you mean" only offers keys that the selected value reads; a near miss of
// a key that only others read says so.
func (d *decoder) unknownSelected(k *yaml.Node, path string, si *structInfo, sel string) {
	var read, all []string
	for _, f := range si.fields {
		all = append(all, f.key)
		if len(f.readBy) == 0 || slices.Contains(f.readBy, sel) {
			read = append(read, f.key)
		}
	}
	if s := suggest(k.Value, read); s != "" {
		d.fail(k, path, "unknown field; did you mean %q?", s)
		return
	}
	if s := suggest(k.Value, all); s != "" {
		f := si.byKey[s]
		d.fail(k, path, "unknown field; %q is close, but %s it (this autoscaler is %s)%s", s, si.readers(f), sel, insteadOf(s, sel))
		return
	}
	d.fail(k, path, "unknown field; allowed: %s", strings.Join(read, ", "))
}

// insteadOf says what to write instead of a key of another policy, when
// there is an equivalent.
func insteadOf(key, policy string) string {
	switch {
	case key == "min_replicas" || key == "max_replicas":
		return "; use replicas." + strings.TrimSuffix(key, "_replicas")
	case key == "cpu_threshold" && (policy == PolicyCPU || policy == PolicyHPA):
		return "; use target_utilization"
	}
	return ""
}

// ignored handles a key that the selected policy does not read. The
// cloud policy's replica bounds are an error: a bound silently lost changes
// the whole run, and replicas.min and replicas.max work under every policy.
// Any other is a warning (Scenario.Warnings): a file may carry the
// parameters of several policies for scalesim compare --policy.
func (d *decoder) ignored(k *yaml.Node, path string, si *structInfo, f *fieldInfo, sel string) {
	if f.key == "min_replicas" || f.key == "max_replicas" {
		d.fail(k, path, "%s this (this autoscaler is %s)%s", si.readers(f), sel, insteadOf(f.key, sel))
		return
	}
	d.warnings = append(d.warnings, d.src.at(k, path, fmt.Sprintf("%s this (this autoscaler is %s); ignored unless the policy changes (scalesim compare --policy %s)", si.readers(f), sel, f.readBy[0])))
}

var durationType = reflect.TypeFor[time.Duration]()

// value decodes n into v; false if it failed.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value, f *fieldInfo) bool {
	n = yamlnode.Deref(n)
	bad := len(d.errs)
	switch {
	case f.dist:
		if dist, ok := d.dist(n, path); ok {
			v.Set(reflect.ValueOf(&dist).Elem())
		}
	case v.Type() == durationType:
		want := "a duration such as 30s"
		if f.forever {
			want += ` or "forever"`
		}
		if s, ok := d.scalar(n, path, want); ok {
			if f.forever && s == "forever" {
				v.SetInt(int64(Forever))
				break
			}
			dur, err := ParseDuration(s)
			if err != nil && f.forever {
				d.fail(n, path, "%v, or \"forever\"", err)
			} else if err != nil {
				d.fail(n, path, "%v", err)
			} else {
				v.SetInt(int64(dur))
			}
		}
	case v.Kind() == reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			if f.enum != nil && !slices.Contains(f.enum, s) {
				d.badEnum(n, path, s, f.enum)
			} else {
				v.SetString(s)
			}
		}
	case v.Kind() == reflect.Int:
		if s, ok := d.scalar(n, path, "a whole number"); ok {
			if x, ok := d.integer(n, path, s, f.unlimited); ok {
				v.SetInt(int64(x))
			}
		}
	case v.Kind() == reflect.Bool:
		if s, ok := d.scalar(n, path, "true or false"); ok {
			switch s {
			case "true":
				v.SetBool(true)
			case "false":
				v.SetBool(false)
			default:
				d.fail(n, path, "%q is not true or false", s)
			}
		}
	case v.Kind() == reflect.Uint64:
		if s, ok := d.scalar(n, path, "a whole number"); ok {
			x, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, 64)
			if err != nil {
				d.fail(n, path, "%q is not a whole number from 0 to %d", s, uint64(math.MaxUint64))
			} else {
				v.SetUint(x)
			}
		}
	case v.Kind() == reflect.Float64:
		if s, ok := d.scalar(n, path, "a number"); ok {
			if x, ok := d.float(n, path, s, f); ok {
				v.SetFloat(x)
			}
		}
	case v.Kind() == reflect.Slice && f.byname:
		d.byName(n, path, v)
	case v.Kind() == reflect.Slice:
		d.list(n, path, v, f)
	case v.Kind() == reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		if df, ok := e.Interface().(defaulter); ok {
			df.setDefaults()
		}
		d.structure(n, path, e.Elem())
		v.Set(e)
	case v.Kind() == reflect.Struct:
		d.structure(n, path, v)
	default:
		panic(fmt.Sprintf("scenarios: no decoder for %s at %s", v.Type(), path))
	}
	return len(d.errs) == bad
}

func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s; got %s", want, yamlnode.Describe(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) integer(n *yaml.Node, path, s string, unlimited bool) (int, bool) {
	if unlimited && s == "unlimited" {
		return Unlimited, true
	}
	want := "a whole number"
	if unlimited {
		want = `a whole number or "unlimited"`
	}
	x, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil {
		// 1e3 and 2.0 are whole numbers too.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			if ferr == nil && f != math.Trunc(f) {
				d.fail(n, path, "%s is not a whole number", s)
			} else {
				d.fail(n, path, "%q is not %s", s, want)
			}
			return 0, false
		}
		x = int64(f)
	}
	if x > math.MaxInt32 || x < math.MinInt32 {
		d.fail(n, path, "%s is out of range", s)
		return 0, false
	}
	return int(x), true
}

func (d *decoder) float(n *yaml.Node, path, s string, f *fieldInfo) (float64, bool) {
	switch {
	case f.cpu:
		x, err := ParseCPU(s)
		if err != nil {
			d.fail(n, path, "%v", err)
			return 0, false
		}
		return x, true
	case f.bytes:
		x, err := ParseBytes(s)
		if err != nil {
			d.fail(n, path, "%v", err)
			return 0, false
		}
		return x, true
	}
	pct := false
	if (f.pct || f.fraction) && strings.HasSuffix(s, "%") {
		s, pct = strings.TrimSpace(strings.TrimSuffix(s, "%")), true
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || n.Tag == "!!bool" {
		d.fail(n, path, "%q is not a number", n.Value)
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		d.fail(n, path, "%s is not a finite number", n.Value)
		return 0, false
	}
	if f.fraction {
		if pct {
			return x / 100, true
		}
		if x > 1 {
			d.fail(n, path, "%s is more than 1: write a fraction such as 0.999, or a percentage such as \"99.9%%\"", n.Value)
			return 0, false
		}
	}
	return x, true
}

func (d *decoder) badEnum(n *yaml.Node, path, s string, allowed []string) {
	msg := fmt.Sprintf("unknown value %q; allowed: %s", s, strings.Join(allowed, ", "))
	if sg := suggest(s, allowed); sg != "" {
		msg += fmt.Sprintf("; did you mean %q?", sg)
	}
	d.fail(n, path, "%s", msg)
}

// list decodes a sequence into the slice v, replacing what it held.
func (d *decoder) list(n *yaml.Node, path string, v reflect.Value, f *fieldInfo) {
	if n == nil || n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list; got %s", yamlnode.Describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	ef := &fieldInfo{key: f.key, enum: f.enum}
	for i, item := range n.Content {
		ip := join(path, strconv.Itoa(i))
		d.src.keys[ip], d.src.vals[ip] = item, item
		e := out.Index(i)
		if df, ok := e.Addr().Interface().(defaulter); ok {
			df.setDefaults()
		}
		d.value(item, ip, e, ef)
	}
	v.Set(out)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// byName decodes a mapping name -> item into a slice of items, in file
// order, storing each key in the item's name field.
func (d *decoder) byName(n *yaml.Node, path string, v reflect.Value) {
	if n == nil || n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of service names; got %s", yamlnode.Describe(n))
		return
	}
	ps := d.pairs(n, path)
	out := reflect.MakeSlice(v.Type(), 0, len(ps))
	for _, p := range ps {
		ip := join(path, p.name)
		if !nameRE.MatchString(p.name) {
			d.fail(p.key, ip, "invalid name %q: use letters, digits, '-' and '_', starting with a letter or digit", p.name)
			continue
		}
		d.src.keys[ip], d.src.vals[ip] = p.key, p.val
		e := reflect.New(v.Type().Elem()).Elem()
		if df, ok := e.Addr().Interface().(defaulter); ok {
			df.setDefaults()
		}
		si := infoOf(e.Type())
		e.FieldByIndex(si.name.index).SetString(p.name)
		if isNull(yamlnode.Deref(p.val)) {
			// "web:" with nothing under it is a service with defaults only.
			d.structure(&yaml.Node{Kind: yaml.MappingNode, Line: p.key.Line, Column: p.key.Column}, ip, e)
		} else {
			d.structure(p.val, ip, e)
		}
		out = reflect.Append(out, e)
	}
	v.Set(out)
}

// distSpec is the mapping form of a distribution.
type distSpec struct {
	Dist   string        `yaml:"dist" scn:"kind,req,enum=exponential|constant|lognormal|uniform|pareto"`
	Value  time.Duration `yaml:"value" scn:"for=constant,req=constant"`
	Mean   time.Duration `yaml:"mean" scn:"for=exponential|lognormal|pareto,req=exponential|lognormal|pareto"`
	StdDev time.Duration `yaml:"stddev" scn:"for=lognormal,req=lognormal"`
	Min    time.Duration `yaml:"min" scn:"for=uniform,req=uniform"`
	Max    time.Duration `yaml:"max" scn:"for=uniform,req=uniform"`
	Shape  float64       `yaml:"shape" scn:"for=pareto,req=pareto"`
}

// dist decodes a duration ("50ms": a constant) or a distribution mapping
// into a sim.Dist in seconds.
func (d *decoder) dist(n *yaml.Node, path string) (sim.Dist, bool) {
	if n != nil && n.Kind == yaml.ScalarNode {
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, "%v; or a distribution such as {dist: exponential, mean: 50ms}", err)
			return nil, false
		}
		return sim.Constant{Value: dur.Seconds()}, true
	}
	if n == nil || n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a duration such as 50ms or a distribution such as {dist: exponential, mean: 50ms}; got %s", yamlnode.Describe(n))
		return nil, false
	}
	before := len(d.errs)
	var s distSpec
	d.structure(n, path, reflect.ValueOf(&s).Elem())
	if len(d.errs) > before {
		d.src.bad[path] = true
		return nil, false
	}
	check := func(key string, ok bool, msg string) bool {
		if !ok {
			d.errs = append(d.errs, d.src.valErr(join(path, key), msg))
			d.src.bad[path] = true
		}
		return ok
	}
	switch s.Dist {
	case "constant":
		return sim.Constant{Value: s.Value.Seconds()}, true
	case "exponential":
		if check("mean", s.Mean > 0, "must be greater than 0") {
			return sim.Exponential{Mean: s.Mean.Seconds()}, true
		}
	case "lognormal":
		if check("mean", s.Mean > 0, "must be greater than 0") {
			return sim.LogNormal{Mean: s.Mean.Seconds(), StdDev: s.StdDev.Seconds()}, true
		}
	case "uniform":
		if check("max", s.Max >= s.Min, fmt.Sprintf("max %v is less than min %v", s.Max, s.Min)) {
			return sim.Uniform{Min: s.Min.Seconds(), Max: s.Max.Seconds()}, true
		}
	case "pareto":
		ok := check("mean", s.Mean > 0, "must be greater than 0")
		ok = check("shape", s.Shape > 1, fmt.Sprintf("%g must be greater than 1 (the mean is infinite otherwise)", s.Shape)) && ok
		if ok {
			return sim.Pareto{Mean: s.Mean.Seconds(), Shape: s.Shape}, true
		}
	}
	return nil, false
}

// metricsBlock is the mapping form of autoscaler.metrics.
type metricsBlock struct {
	ScrapeInterval time.Duration  `yaml:"scrape_interval"`
	Window         time.Duration  `yaml:"window"`
	Resources      []MetricTarget `yaml:"resources"`
}

// metricTargetKeys are a metric entry's path suffixes.
var metricTargetKeys = []string{"", ".type", ".resource", ".target_utilization", ".metric", ".target_value", ".target_average_value"}

// metrics decodes autoscaler.metrics: a list of HPA metric targets, or a
// mapping {scrape_interval, window, resources} that also sets the
// pipeline.
func (d *decoder) metrics(n *yaml.Node, path string, a *Autoscaler) {
	n = yamlnode.Deref(n)
	if n != nil && n.Kind == yaml.SequenceNode {
		v := reflect.ValueOf(&a.Metrics).Elem()
		d.list(n, path, v, &fieldInfo{key: "metrics"})
		return
	}
	if n == nil || n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a list such as [{resource: cpu, target_utilization: 70}] or a mapping {scrape_interval, window, resources}; got %s", yamlnode.Describe(n))
		return
	}
	b := metricsBlock{ScrapeInterval: a.Pipeline.ScrapeInterval, Window: a.Pipeline.Window, Resources: a.Metrics}
	d.structure(n, path, reflect.ValueOf(&b).Elem())
	a.Pipeline = MetricsPipeline{ScrapeInterval: b.ScrapeInterval, Window: b.Window}
	a.Metrics = b.Resources
	// Validation refers to metrics.N; make those paths resolve.
	for i := range b.Resources {
		for _, m := range []map[string]*yaml.Node{d.src.keys, d.src.vals} {
			for _, k := range metricTargetKeys {
				if x, ok := m[join(path, "resources."+strconv.Itoa(i))+k]; ok {
					m[join(path, strconv.Itoa(i))+k] = x
				}
			}
		}
		for _, k := range metricTargetKeys {
			if d.src.bad[join(path, "resources."+strconv.Itoa(i))+k] {
				d.src.bad[join(path, strconv.Itoa(i))+k] = true
			}
		}
	}
}

// suggest returns the allowed word closest to s, if it is close enough to
// be a likely typo.
func suggest(s string, allowed []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, a := range allowed {
		la := strings.ToLower(a)
		if la == ls {
			return a
		}
		dist := editDistance(ls, la)
		if dist < bestD {
			best, bestD = a, dist
		}
	}
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	if bestD <= limit && bestD < len(s) {
		return best
	}
	// A prefix of an allowed word ("interp" for "interpolation").
	for _, a := range allowed {
		if len(ls) >= 4 && strings.HasPrefix(strings.ToLower(a), ls) {
			return a
		}
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent letters each
// cost 1, so "wbe" is one edit from "web".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
