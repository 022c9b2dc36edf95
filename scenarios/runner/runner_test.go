package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// tiny is the built-in minimal scenario cut to two simulated minutes.
func tiny(t *testing.T, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Open("minimal", append([]string{"duration=2m"}, sets...))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// A folder that is not scalesim's is refused with an *InputError and left
// as it was; scalesim's own, and an empty one, are replaced and marked.
func TestRunOutputFolder(t *testing.T) {
	tmp := t.TempDir()
	mine := filepath.Join(tmp, "mine")
	os.Mkdir(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("keep\n"), 0o644)
	_, err := Run(context.Background(), tiny(t), RunOptions{Out: mine})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), mine) {
		t.Errorf("a foreign folder: %v; want an *InputError naming it", err)
	}
	if entries, _ := os.ReadDir(mine); len(entries) != 1 {
		t.Errorf("the foreign folder holds %d entries, want only notes.txt", len(entries))
	}
	out := filepath.Join(tmp, "res")
	for range 2 {
		if _, err := Run(context.Background(), tiny(t), RunOptions{Out: out}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ResultsMark)); err != nil {
		t.Error(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, TempPrefix+"*")); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// A cancelled run returns the context's cause and writes nothing.
func TestRunCancelled(t *testing.T) {
	cause := errors.New("stop")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	out := filepath.Join(t.TempDir(), "res")
	if _, err := Run(ctx, tiny(t, "duration=10h"), RunOptions{Out: out}); !errors.Is(err, cause) {
		t.Errorf("cancelled run: %v, want the cause", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled run wrote %s", out)
	}
}

// A missed SLO is an *SLOError, and the results are written.
func TestRunFailOnSLO(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	res, err := Run(context.Background(), tiny(t, "slo.web.latency=1ms"), RunOptions{Out: out, FailOnSLO: true})
	var se *SLOError
	if !errors.As(err, &se) || res == nil || len(se.Services) != 1 || se.Services[0] != "web" {
		t.Fatalf("got %v, %v; want an *SLOError naming web with the results", res, err)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Error(err)
	}
}

// A variant's problem is an *InputError wrapping a *VariantError that
// names it, located in the variant's own file and line.
func TestCompareVariantErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "slow.yaml")
	os.WriteFile(file, []byte("autoscaler:\n  policy: cpu\n  interval: soon\n"), 0o644)
	v, err := LoadVariant(file)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := scenarios.Resolve("minimal")
	_, err = Compare(context.Background(), src, []Variant{PolicyVariant("cpu"), v}, CompareOptions{Out: filepath.Join(dir, "out")})
	var ie *InputError
	var ve *VariantError
	if !errors.As(err, &ie) || !errors.As(err, &ve) || ve.Index != 1 || !strings.Contains(ve.Err.Error(), file+":3:3: autoscaler.interval:") {
		t.Errorf("got %v; want variant 1's problem at %s:3:3", err, file)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a results folder was written")
	}
}

// A Config is a description: one Config runs any number of times with
// identical results (each world makes its own policies and arrivals).
func TestConfigRunsTwiceIdentically(t *testing.T) {
	sc := tiny(t, "duration=10m")
	cfg, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 2 {
		coll, err := reports.New(reportsConfig(sc), reports.Outputs{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := cluster.New(cfg, newObserver(coll))
		if err != nil {
			t.Fatal(err)
		}
		w.RunWithProgress(nil)
		if err := coll.Close(); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := reports.WriteSummary(&b, coll.Summary(w.Engine().Fired(), 0)); err != nil {
			t.Fatal(err)
		}
		got = append(got, b.String())
	}
	if got[0] != got[1] {
		t.Errorf("one Config, two runs, two results:\n%s\n%s", got[0], got[1])
	}
	if !strings.Contains(got[0], `"arrived": 59516`) {
		t.Errorf("the first run is not minimal's 10 minutes (59516 arrivals):\n%s", got[0])
	}
}
