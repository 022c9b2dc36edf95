package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/scenarios"
)

// wallTime masks the one field of summary.json that is not reproducible.
var wallTime = regexp.MustCompile(`"wall_s": [0-9.e+-]+`)

// TestBuiltinResultsUnchanged runs every built-in scenario and holds the
// SHA-256 of its summary.json (wall_s masked), timeseries.csv,
// decisions.jsonl and events.jsonl to testdata/golden/builtin-hashes.txt.
// A restructuring must leave every line as it is; a deliberate change of
// the model rewrites the file with -update, and its commit says why the
// numbers moved.
func TestBuiltinResultsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in scenario")
	}
	var b strings.Builder
	tmp := t.TempDir()
	for _, e := range scenarios.Library() {
		name := e.Name
		out := filepath.Join(tmp, name)
		sc, err := scenarios.Open(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), sc, RunOptions{Out: out}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range []string{"summary.json", "timeseries.csv", "decisions.jsonl", "events.jsonl"} {
			data, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			if f == "summary.json" {
				data = wallTime.ReplaceAll(data, []byte(`"wall_s": 0`))
			}
			fmt.Fprintf(&b, "%x  %s/%s\n", sha256.Sum256(data), name, f)
		}
	}
	matchGolden(t, "builtin-hashes.txt", []byte(b.String()))
}

// -update rewrites the golden files in testdata/golden.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// matchGolden compares got with testdata/golden/name, or with -update
// rewrites the file. Read a rewritten file before committing it: it is
// what the test will hold the program to.
func matchGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./scenarios/runner -run %s -update creates it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./scenarios/runner -run %s -update rewrites it; check the diff first):\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}
