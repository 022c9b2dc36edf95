package scenarios

import (
	"embed"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed library/*.yaml
var library embed.FS

// Entry is one built-in scenario.
type Entry struct {
	Name        string
	Description string
}

// Library lists the built-in scenarios, sorted by name.
func Library() []Entry {
	files, _ := library.ReadDir("library")
	var out []Entry
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".yaml")
		if !ok {
			continue
		}
		data, _ := library.ReadFile("library/" + f.Name())
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(data, &head)
		out = append(out, Entry{Name: name, Description: strings.TrimSpace(head.Description)})
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Builtin returns the YAML text of the named built-in scenario.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	data, err := library.ReadFile(path.Join("library", name+".yaml"))
	return data, err == nil
}

// Source is a scenario's text and the name to parse it under.
type Source struct {
	// Name is the file path as given, or "builtin:NAME".
	Name string
	Data []byte
	// Builtin reports whether it is a built-in scenario.
	Builtin bool
}

// DefaultScenario is the built-in scenario `scalesim run` uses without an
// argument.
const DefaultScenario = "default"

// Resolve finds the scenario a command-line argument names: a file if one
// exists at that path, or if the argument looks like a path (it contains a
// path separator or ends in .yaml or .yml); otherwise a built-in scenario.
// An empty argument is the built-in default.
func Resolve(arg string) (Source, error) {
	if arg == "" {
		arg = DefaultScenario
	}
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		data, err := os.ReadFile(arg)
		if err != nil {
			return Source{}, err
		}
		return Source{Name: arg, Data: data}, nil
	}
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") {
		_, err := os.ReadFile(arg)
		return Source{}, err
	}
	if data, ok := Builtin(arg); ok {
		return Source{Name: "builtin:" + arg, Data: data, Builtin: true}, nil
	}
	var names []string
	for _, e := range Library() {
		names = append(names, e.Name)
	}
	msg := fmt.Sprintf("no scenario %q: it is neither a file nor a built-in scenario (built-ins: %s)", arg, strings.Join(names, ", "))
	if s := suggest(arg, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return Source{}, &ValidationError{Errors: []Error{{Msg: msg}}}
}

// Parse parses the source with overrides.
func (s Source) Parse(sets []string) (*Scenario, error) {
	return ParseWithOverrides(s.Name, s.Data, sets)
}

// Open resolves arg (see Resolve) and parses it with overrides.
func Open(arg string, sets []string) (*Scenario, error) {
	src, err := Resolve(arg)
	if err != nil {
		return nil, err
	}
	return src.Parse(sets)
}
