package scenarios

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The docs' tables of policies, parameters, fault types, components and
// algorithms list exactly what the registries hold: a registered name
// without a doc section, or a documented one that is not registered,
// fails here.
func TestDocsMatchRegistries(t *testing.T) {
	policiesMD := readDoc(t, "../docs/policies.md")
	readme := readDoc(t, "README.md")

	// docs/policies.md: the table at the top, and a section per policy.
	table := tableNames(section(policiesMD, "# Autoscaling policies", "## "))
	sameNames(t, "docs/policies.md's table of policies", table, PolicyNames())
	var headed []string
	for _, m := range regexp.MustCompile("(?m)^## .*$").FindAllString(policiesMD, -1) {
		headed = append(headed, backticked(m)...)
	}
	sameNames(t, "docs/policies.md's sections", headed, PolicyNames())

	// scenarios/README.md: the policy parameters table.
	params := section(readme, "Policy parameters", "## ")
	var keys, owners []string
	for _, line := range strings.Split(params, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		owners = append(owners, firstBackticked(cells[1])...)
		keys = append(keys, backticked(cells[2])...)
	}
	var wantKeys, withParams []string
	for _, d := range PolicyDefs() {
		for _, p := range d.Params {
			wantKeys = append(wantKeys, p.Key)
		}
		if len(d.Params) > 0 {
			withParams = append(withParams, d.Name)
		}
	}
	sameNames(t, "scenarios/README.md's policy parameters", keys, wantKeys)
	sameNames(t, "scenarios/README.md's policies with parameters", owners[1:], withParams) // owners[0] is the header

	sameNames(t, "scenarios/README.md's fault types", tableNames(section(readme, "## Faults", "\n- ")), FaultTypes())
	sameNames(t, "scenarios/README.md's components", tableNames(section(readme, "A pattern's components add up", "```")), ComponentTypes())
	lb := regexp.MustCompile("(?m)^\\| `algorithm` .*$").FindString(readme)
	sameNames(t, "scenarios/README.md's algorithms", backticked(lb)[1:], AlgorithmNames())

	// The README's example of an error lists the policies in order.
	if want := "allowed: " + strings.Join(PolicyNames(), ", "); !strings.Contains(readDoc(t, "../README.md"), want) {
		t.Errorf("README.md's example error does not say %q", want)
	}
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// section is the text from the line containing start to the next end.
func section(doc, start, end string) string {
	i := strings.Index(doc, start)
	if i < 0 {
		return ""
	}
	rest := doc[i+len(start):]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

var tick = regexp.MustCompile("`([^`]+)`")

func backticked(s string) []string {
	var out []string
	for _, m := range tick.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// firstBackticked is the first backticked word of a cell, if any.
func firstBackticked(cell string) []string {
	if b := backticked(cell); len(b) > 0 {
		return b[:1]
	}
	return []string{""}
}

// tableNames are the backticked names of a Markdown table's first column.
func tableNames(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		out = append(out, backticked(cells[1])...)
	}
	return out
}

func sameNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	g = slices.DeleteFunc(g, func(s string) bool { return s == "" || s == "policy" || s == "type" })
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(slices.Compact(g), slices.Compact(w)) {
		t.Errorf("%s: %v, want %v (the registries)", what, g, w)
	}
}
