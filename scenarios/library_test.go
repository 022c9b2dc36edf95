package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/sim"
)

func TestLibraryParses(t *testing.T) {
	entries := Library()
	if len(entries) < 3 {
		t.Fatalf("library %v", entries)
	}
	for _, e := range entries {
		data, ok := Builtin(e.Name)
		if !ok {
			t.Fatalf("%s: not found", e.Name)
		}
		s, err := Parse("builtin:"+e.Name, data)
		if err != nil {
			t.Errorf("%s:\n%v", e.Name, err)
			continue
		}
		if s.Name != e.Name {
			t.Errorf("%s: the file's name is %q", e.Name, s.Name)
		}
		if e.Description == "" && e.Name != "minimal" {
			t.Errorf("%s: no description", e.Name)
		}
		for _, tr := range s.Traffic {
			if tr.Profile().Integral(0, sim.At(s.Duration)) <= 0 {
				t.Errorf("%s: service %s gets no traffic", e.Name, tr.Service)
			}
		}
	}
}

// The minimal built-in is docs/reference.md's minimal example, verbatim:
// the contract's example is the file a user runs.
func TestMinimalIsTheSpecExample(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("..", "docs", "reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(ref), "A minimal scenario is valid:\n\n```yaml\n")
	example, _, closed := strings.Cut(after, "```")
	if !ok || !closed {
		t.Fatal("docs/reference.md has no minimal example after \"A minimal scenario is valid:\"")
	}
	data, _ := Builtin("minimal")
	if string(data) != example {
		t.Errorf("minimal.yaml differs from docs/reference.md's example:\n%s\nwant:\n%s", data, example)
	}
}

// The built-ins the README and the benchmark run are sized for it: the
// default runs in a few seconds, mm8 offers about 2 million requests to an
// M/M/8 queue at utilization 0.9.
func TestLibrarySizes(t *testing.T) {
	expected := func(name string) (*Scenario, float64) {
		s, err := Open(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, tr := range s.Traffic {
			total += tr.Profile().Integral(0, sim.At(s.Duration))
		}
		return s, total
	}
	if _, n := expected("default"); n < 1e6 || n > 3e6 {
		t.Errorf("default: %.0f expected requests; keep it between 1 and 3 million", n)
	}
	s, n := expected("mm8")
	if n < 2e6 || n > 2.1e6 {
		t.Errorf("mm8: %.0f expected requests, want about 2 million", n)
	}
	w := s.Services[0]
	if w.Instance.Concurrency != 8 || w.Instance.CPU() != 8 || w.Demand.CPU != (sim.Exponential{Mean: 1}) || w.Autoscaler.Policy != PolicyStatic || s.Traffic[0].Arrivals != ArrivalsPoisson {
		t.Errorf("mm8 is not M/M/8: %+v", w)
	}
	if rho := s.Traffic[0].Pattern[0].RPS * w.Demand.CPU.Average() / 8; rho != 0.9 {
		t.Errorf("mm8 utilization %g", rho)
	}
}

func TestResolve(t *testing.T) {
	src, err := Resolve("")
	if err != nil || src.Name != "builtin:default" || !src.Builtin {
		t.Errorf("empty argument: %+v %v", src, err)
	}
	src, err = Resolve("mm8")
	if err != nil || src.Name != "builtin:mm8" || len(src.Data) == 0 {
		t.Errorf("mm8: %+v %v", src, err)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yml")
	if err := os.WriteFile(file, []byte("duration: 1m\nservices:\n  web: {demand: {cpu: 1ms}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(file, []string{"seed=3"})
	if err != nil || s.Name != "mine" || s.Seed != 3 || s.File != file {
		t.Errorf("file: %+v %v", s, err)
	}

	// A file in the working directory named like a built-in wins.
	wd, _ := os.Getwd()
	t.Chdir(dir)
	if err := os.WriteFile("minimal", []byte("duration: 1m\nservices:\n  api: {demand: {cpu: 1ms}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if src, err := Resolve("minimal"); err != nil || src.Builtin {
		t.Errorf("local file: %+v %v", src, err)
	}
	t.Chdir(wd)

	for _, arg := range []string{"missing.yaml", "dir/missing", filepath.Join(dir, "nope.yml")} {
		if _, err := Resolve(arg); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want a not-exist error", arg, err)
		}
	}
	_, err = Resolve("defualt")
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `no scenario "defualt"`) || !strings.Contains(err.Error(), "mm8") ||
		!strings.HasSuffix(err.Error(), `did you mean "default"?`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, ok := Builtin("../load"); ok {
		t.Error("Builtin reads outside the library")
	}
}
