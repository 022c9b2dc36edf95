package main

import (
	"crypto/sha256"
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
		if code, _, stderr := scalesim(t, "run", name, "--no-plots", "-q", "-o", out); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
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
