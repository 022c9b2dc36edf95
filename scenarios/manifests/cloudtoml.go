package manifests

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Ballerina's Code to Cloud (module c2c) reads Cloud.toml: the Deployment's
// resources under [cloud.deployment] (min_cpu and min_memory are the
// requests, max_cpu and max_memory the limits), the HPA under
// [cloud.deployment.autoscaling] (min_replicas, max_replicas, cpu, memory;
// the WSO2 Integrator guide spells the last two cpu_threshold and
// memory_threshold, and both are read), and the probes under
// [cloud.deployment.probes.readiness] and .liveness (port and path only:
// period, timeout and thresholds take the Kubernetes defaults).

// cloudObj is one Cloud.toml.
type cloudObj struct {
	file    string
	entry   *Entry
	service string
	values  []Value
}

// tomlPos is where a key and its value are written.
type tomlPos struct{ line, keyCol, valCol int }

// tomlPositions finds the line and columns of every `key = value` in a
// TOML text by its full dotted key (the tables' headers prefixed). The
// TOML library gives positions only for syntax errors.
func tomlPositions(data string) map[string]tomlPos {
	out := map[string]tomlPos{}
	table := ""
	for i, line := range strings.Split(data, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasPrefix(t, "[") {
			name := strings.Trim(t, "[] \t")
			if j := strings.IndexByte(name, '#'); j >= 0 {
				name = strings.TrimSpace(strings.Trim(name[:j], "[] \t"))
			}
			table = unquoteKey(name)
			out[table] = tomlPos{line: i + 1, keyCol: strings.Index(line, "[") + 1, valCol: strings.Index(line, "[") + 1}
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			continue
		}
		key := unquoteKey(strings.TrimSpace(line[:eq]))
		valCol := eq + 2
		for valCol-1 < len(line) && (line[valCol-1] == ' ' || line[valCol-1] == '\t') {
			valCol++
		}
		full := key
		if table != "" {
			full = table + "." + key
		}
		if _, seen := out[full]; !seen {
			out[full] = tomlPos{line: i + 1, keyCol: len(line) - len(strings.TrimLeft(line, " \t")) + 1, valCol: valCol}
		}
	}
	return out
}

func unquoteKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// cloudFields: how each Cloud.toml key is treated.
var cloudFields = fieldTable{
	"container":                                     modeSkip, // the image: name, tag, base, cmd, ...
	"settings":                                      modeSkip,
	"cloud.config":                                  modeSkip, // files, env, secrets, config maps
	"cloud.deployment.internal_domain_name":         modeSkip,
	"cloud.deployment.external_accessible":          modeSkip,
	"cloud.deployment.single_yaml":                  modeSkip,
	"cloud.deployment.min_cpu":                      modeRead,
	"cloud.deployment.max_cpu":                      modeRead,
	"cloud.deployment.min_memory":                   modeRead,
	"cloud.deployment.max_memory":                   modeRead,
	"cloud.deployment.autoscaling.enable":           modeRead,
	"cloud.deployment.autoscaling.min_replicas":     modeRead,
	"cloud.deployment.autoscaling.max_replicas":     modeRead,
	"cloud.deployment.autoscaling.cpu":              modeRead,
	"cloud.deployment.autoscaling.memory":           modeRead,
	"cloud.deployment.autoscaling.cpu_threshold":    modeRead,
	"cloud.deployment.autoscaling.memory_threshold": modeRead,
	"cloud.deployment.probes.readiness":             modeRead,
	"cloud.deployment.probes.liveness":              modeRead,
}

func (r *reader) cloudToml(e *Entry, file string, data []byte) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			r.fail(Diag{File: file, Line: pe.Position.Line, Col: max(pe.Position.Col, 1), Msg: "invalid TOML: " + pe.Message})
		} else {
			r.fail(Diag{File: file, Line: 1, Col: 1, Msg: "invalid TOML: " + err.Error()})
		}
		return
	}
	pos := tomlPositions(string(data))
	c := &cloudObj{file: file, entry: e, service: e.Service}
	if c.service == "" {
		r.fail(Diag{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field,
			Msg: fmt.Sprintf("%s is a Cloud.toml, which does not name its service; write the entry as {path: %s, service: NAME}", file, e.Path)})
		return
	}
	before := len(r.diags)
	at := func(key string) (tomlPos, bool) {
		p, ok := pos[key]
		if !ok {
			// A table known only by its subtables: the first of them.
			for k, q := range pos {
				if strings.HasPrefix(k, key+".") && (p.line == 0 || q.line < p.line) {
					p = q
				}
			}
		}
		if p.line == 0 {
			p = pos[parentKey(key)]
		}
		if p.line == 0 {
			p = tomlPos{line: 1, keyCol: 1, valCol: 1}
		}
		return p, ok
	}
	fail := func(key, format string, args ...any) {
		p, _ := at(key)
		r.fail(Diag{File: file, Line: p.line, Col: p.valCol, Field: key, Msg: fmt.Sprintf(format, args...)})
	}
	value := func(scenKey, text, key string) {
		p, ok := at(key)
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(text), &n); err != nil || len(n.Content) == 0 {
			panic(fmt.Sprintf("manifests: bad scenario value %q: %v", text, err))
		}
		v := n.Content[0]
		col := p.valCol
		if !ok {
			col = p.keyCol
		}
		setPos(v, p.line, col)
		c.values = append(c.values, Value{Key: scenKey, Node: v, File: file, Field: key, KeyLine: p.line, KeyCol: p.keyCol, defaulted: !ok})
	}
	// Walk every key: classify, check types of those read.
	var walk func(m map[string]any, prefix string)
	walk = func(m map[string]any, prefix string) {
		for _, k := range sortedKeys(m) {
			full := joinField(prefix, k)
			v := m[k]
			mode, report := classify(cloudFields, full)
			if report {
				p, _ := at(full)
				r.ignore(file, &yaml.Node{Line: p.line, Column: p.keyCol}, "Cloud.toml", full, full, "not simulated (Cloud.toml key "+k+"); ignored")
				continue
			}
			if mode == modeSkip {
				continue
			}
			if sub, ok := v.(map[string]any); ok {
				walk(sub, full)
			}
		}
	}
	walk(doc, "")
	get := func(key string) (any, bool) {
		var cur any = doc
		for _, s := range strings.Split(key, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[s]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	num := func(key string, whole bool) (float64, bool) {
		v, ok := get(key)
		if !ok {
			return 0, false
		}
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			if !whole {
				return x, true
			}
		}
		kind := "a number"
		if whole {
			kind = "a whole number"
		}
		fail(key, "expected %s; got %s", kind, tomlDescribe(v))
		return 0, false
	}
	quantity := func(key string) (string, bool) {
		v, ok := get(key)
		if !ok {
			return "", false
		}
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			fail(key, "expected a quantity such as \"500m\" or \"256Mi\"; got %s", tomlDescribe(v))
			return "", false
		}
		q, err := resource.ParseQuantity(s)
		if err != nil {
			fail(key, "%q is not a Kubernetes quantity (such as 500m, 0.5, 256Mi, 1Gi)", s)
			return "", false
		}
		return q.String(), true
	}
	for _, q := range []struct{ toml, key string }{
		{"cloud.deployment.min_cpu", "instance.cpu_request"},
		{"cloud.deployment.max_cpu", "instance.cpu_limit"},
		{"cloud.deployment.min_memory", "instance.memory_request"},
		{"cloud.deployment.max_memory", "instance.memory_limit"},
	} {
		if s, ok := quantity(q.toml); ok {
			value(q.key, strconv.Quote(s), q.toml)
		}
	}
	const as = "cloud.deployment.autoscaling"
	if _, ok := get(as); ok {
		enabled := true
		if v, ok := get(as + ".enable"); ok {
			b, isBool := v.(bool)
			if !isBool {
				fail(as+".enable", "expected true or false; got %s", tomlDescribe(v))
			}
			enabled = b
		}
		if !enabled {
			value("autoscaler.policy", "static", as+".enable")
		} else {
			value("autoscaler.policy", "cloud", as)
			for _, k := range []string{"min_replicas", "max_replicas"} {
				if n, ok := num(as+"."+k, true); ok {
					value("autoscaler."+k, strconv.Itoa(int(n)), as+"."+k)
				}
			}
			for _, k := range []string{"cpu", "memory"} {
				short, long := as+"."+k, as+"."+k+"_threshold"
				_, hasShort := get(short)
				_, hasLong := get(long)
				if hasShort && hasLong {
					fail(long, "both %s and %s are given; they are two spellings of one setting: keep one", k, k+"_threshold")
					continue
				}
				key := short
				if hasLong {
					key = long
				}
				if n, ok := num(key, false); ok {
					value("autoscaler."+k+"_threshold", strconv.FormatFloat(n, 'g', -1, 64), key)
				}
			}
		}
	}
	for _, p := range []string{"readiness", "liveness"} {
		key := "cloud.deployment.probes." + p
		if _, ok := get(key); ok {
			// c2c writes port and path; the timing is Kubernetes' default.
			value("probes."+p+".period", "10s", key)
			value("probes."+p+".timeout", "1s", key)
			value("probes."+p+".failure_threshold", "3", key)
		}
	}
	if len(r.diags) > before {
		return
	}
	r.clouds = append(r.clouds, c)
}

func tomlDescribe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case int64, float64:
		return fmt.Sprintf("the number %v", x)
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	}
	return fmt.Sprintf("%v", v)
}
