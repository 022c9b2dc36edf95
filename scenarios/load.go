package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// Load reads, parses, defaults and validates the scenario file at path.
// Problems in the scenario come back as a *ValidationError; a file that
// cannot be read gives the os error.
func Load(path string) (*Scenario, error) {
	return LoadWithOverrides(path, nil)
}

// LoadWithOverrides is Load with --set overrides (see ParseWithOverrides).
func LoadWithOverrides(path string, sets []string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseWithOverrides(path, data, sets)
}

// Parse parses, defaults and validates a scenario. name is the file name
// used in messages; relative trace paths are resolved against its
// directory, and it gives the scenario its default name.
func Parse(name string, data []byte) (*Scenario, error) {
	return ParseWithOverrides(name, data, nil)
}

// ParseWithOverrides is Parse with overrides applied to the YAML tree
// before decoding, each "path=value" as given to --set (see override.go),
// so that an overridden value is parsed and validated like one written in
// the file, and a problem with it names the override.
func ParseWithOverrides(name string, data []byte, sets []string) (*Scenario, error) {
	return parse(name, data, sets, nil)
}

func parse(name string, data []byte, sets []string, overrides []Override) (*Scenario, error) {
	if err := notAScenario(name, data); err != nil {
		return nil, err
	}
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	src := newSourceMap(name)
	var errs []Error
	for i, set := range sets {
		if e := applySet(root, set, i, src); e != nil {
			errs = append(errs, *e)
		}
	}
	s := &Scenario{File: name, Dir: filepath.Dir(name), Overrides: append([]string(nil), sets...), src: src}
	if strings.HasPrefix(name, "builtin:") {
		s.Dir = "."
	}
	if len(errs) == 0 {
		// After --set (which edits the file's services), before the
		// typed overrides (which replace an autoscaler whole).
		errs = applyManifests(name, root, src, s)
	}
	for _, ov := range overrides {
		if e := applyOverride(root, ov, len(sets), src); e != nil { // one order for all: the same problem in two services is one
			errs = append(errs, *e)
		}
	}
	if len(errs) > 0 {
		return nil, newValidationError(name, errs)
	}
	s.setDefaults()
	d := &decoder{src: src}
	src.vals[""] = root
	d.structure(root, "", reflect.ValueOf(s).Elem())
	errs = d.errs
	s.fillDependent(&errs)
	s.validate(&errs)
	if err := newValidationError(name, errs); err != nil {
		return nil, err
	}
	if w := newValidationError(name, d.warnings); w != nil {
		s.Warnings = w.(*ValidationError).Errors
	}
	return s, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

var unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// findAlias returns the 1-based line and column of the first use of the
// alias *name in data (a '*' followed by the name and then a character
// that cannot continue an anchor name).
func findAlias(data []byte, name string) (line, col int, ok bool) {
	for i, l := range strings.Split(string(data), "\n") {
		for j := 0; j+1+len(name) <= len(l); j++ {
			if l[j] != '*' || l[j+1:j+1+len(name)] != name {
				continue
			}
			if end := j + 1 + len(name); end < len(l) && !strings.ContainsRune(" \t\r,]}#", rune(l[end])) {
				continue
			}
			return i + 1, j + 1, true
		}
	}
	return 0, 0, false
}

var parserProblems = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
}

// parseYAML parses one YAML document into its root mapping node. Syntax
// errors are located at the line yaml.v3 reports (it gives no column; the
// column is that of the line's first non-blank character).
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, newValidationError(name, []Error{{File: name, Line: 1, Col: 1, Msg: "the scenario is empty; it needs at least duration and services"}})
	}
	if err != nil {
		return nil, newValidationError(name, []Error{syntaxError(name, data, err)})
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, newValidationError(name, []Error{{File: name, Line: extra.Line, Col: extra.Column, Msg: "a scenario file holds one YAML document; remove the second one (after ---)"}})
	} else if !errors.Is(err, io.EOF) {
		return nil, newValidationError(name, []Error{syntaxError(name, data, err)})
	}
	root := yamlnode.Deref(&doc)
	if root == nil || isNull(root) {
		return nil, newValidationError(name, []Error{{File: name, Line: 1, Col: 1, Msg: "the scenario is empty; it needs at least duration and services"}})
	}
	if root.Kind != yaml.MappingNode {
		return nil, newValidationError(name, []Error{{File: name, Line: root.Line, Col: root.Column, Msg: "a scenario is a mapping of keys (name, duration, services, ...); got " + yamlnode.Describe(root)}})
	}
	return root, nil
}

func syntaxError(name string, data []byte, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 reports parser errors at the 0-based line where the
		// enclosing construct starts (scanner errors are 1-based).
		if parserProblems[msg] {
			line++
		}
	}
	if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 gives no position for an unknown alias: find its use.
		if line, col, ok := findAlias(data, m[1]); ok {
			return Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("invalid YAML: unknown alias *%s: no anchor &%s is defined before it", m[1], m[1])}
		}
	}
	col := 1
	lines := strings.Split(string(data), "\n")
	if line-1 < len(lines) {
		l := lines[line-1]
		col = len(l) - len(strings.TrimLeft(l, " \t")) + 1
		if strings.Contains(l, "\t") && strings.Contains(msg, "cannot start any token") {
			col = strings.IndexByte(l, '\t') + 1
			msg += " (a tab: YAML indents with spaces only)"
		}
	}
	return Error{File: name, Line: line, Col: col, Msg: "invalid YAML: " + msg}
}
