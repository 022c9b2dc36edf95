package main

import (
	"strings"
	"testing"

	"github.com/scalesim/scalesim/scenarios"
)

// scenarios list prints every built-in once, on one line, with a
// non-empty text: the headline of its description (no newline, no
// parenthesised detail), or for one without a description its duration and
// services; --long prints the whole description, still one line each.
func TestScenariosListOneLineEach(t *testing.T) {
	lib := scenarios.Library()
	for _, long := range []bool{false, true} {
		args := []string{"scenarios", "list"}
		if long {
			args = append(args, "--long")
		}
		code, out, stderr := scalesim(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(lib) {
			t.Fatalf("%v: %d lines for %d built-ins:\n%s", args, len(lines), len(lib), out)
		}
		for i, e := range lib {
			name, text, _ := strings.Cut(lines[i], " ")
			text = strings.TrimSpace(text)
			if name != e.Name || text == "" {
				t.Errorf("%v: line %d is %q, want %s and its description", args, i+1, lines[i], e.Name)
				continue
			}
			switch {
			case e.Description == "":
				if !strings.Contains(text, "no description") || !strings.Contains(text, "service") {
					t.Errorf("%s has no description; its line says %q", e.Name, text)
				}
			case long:
				if text != strings.Join(strings.Fields(e.Description), " ") {
					t.Errorf("--long: %s: %q is not its description", e.Name, text)
				}
			default:
				if !strings.HasPrefix(e.Description, strings.Fields(text)[0]) || strings.ContainsAny(text, "();") || len(text) > 140 {
					t.Errorf("%s: headline %q is not its description's opening, alone and short", e.Name, text)
				}
			}
		}
	}
}

func TestHeadline(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"AWS step scaling on X: a scale-out alarm at 60% (2 of 3).", "AWS step scaling on X"},
		{"Three zones with topology spread (max skew 1, DoNotSchedule), one node per zone; zone b goes down.", "Three zones with topology spread, one node per zone"},
		{"Arrivals at 7.2/s (utilization 0.9). More.", "Arrivals at 7.2/s"},
		{"The primary fails at 30m. The standby takes over.", "The primary fails at 30m"},
		{"A setting (a: b; c) and more", "A setting and more"},
		{"Two\n  lines joined", "Two lines joined"},
		{"", ""},
	} {
		if got := headline(c.in); got != c.want {
			t.Errorf("headline(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// scenarios show NAME prints every built-in's file as the library holds
// it, one that parses under its name.
func TestScenariosShowEach(t *testing.T) {
	for _, e := range scenarios.Library() {
		code, out, stderr := scalesim(t, "scenarios", "show", e.Name)
		data, _ := scenarios.Builtin(e.Name)
		if code != 0 || out != string(data) {
			t.Errorf("show %s: exit %d, %d bytes of %d: %s", e.Name, code, len(out), len(data), stderr)
		}
		if !strings.Contains(out, "name: "+e.Name+"\n") {
			t.Errorf("show %s: the file is not named %s", e.Name, e.Name)
		}
	}
}
