package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/scenarios"
)

// A run estimated to need more than its budget is not started: a
// *BudgetError that names the bound and the estimate, and nothing written.
func TestBudgetRefusesOnTheEstimate(t *testing.T) {
	for _, tc := range []struct {
		budget Budget
		bound  string
	}{
		{Budget{MaxEvents: 1000}, "events"},
		{Budget{MaxMemory: 1 << 20}, "memory"},
	} {
		out := filepath.Join(t.TempDir(), "res")
		_, err := Run(context.Background(), tiny(t), RunOptions{Out: out, Budget: tc.budget})
		var be *BudgetError
		if !errors.As(err, &be) || be.Bound != tc.bound || !be.Estimated || !strings.Contains(err.Error(), "not run") {
			t.Errorf("%+v: got %v; want a *BudgetError on %s, estimated", tc.budget, err, tc.bound)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%+v: a refused run wrote %s", tc.budget, out)
		}
	}
	// Within the budget, the same run is not touched by it.
	if _, err := Run(context.Background(), tiny(t), RunOptions{Out: filepath.Join(t.TempDir(), "ok"), Budget: DefaultBudget}); err != nil {
		t.Errorf("within the default budget: %v", err)
	}
}

// world builds the world of sc, observed by no one.
func world(t *testing.T, sc *scenarios.Scenario) *cluster.World {
	t.Helper()
	cfg, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	w, err := cluster.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// While a run goes, the budget stops it at the first check past a bound:
// events within one check period (cluster.CheckEvery) of the bound, and
// the live heap as soon as it is over.
func TestBudgetStopsARunPartWay(t *testing.T) {
	const maxEvents = 100_000
	l := limits{budget: Budget{MaxEvents: maxEvents}, name: "minimal"}
	err := world(t, tiny(t, "duration=20m")).RunChecked(nil, l.checker()) // ~240,000 events
	var be *BudgetError
	if !errors.As(err, &be) || be.Bound != "events" || be.Estimated {
		t.Fatalf("got %v; want a *BudgetError on events, part-way", err)
	}
	if be.Used <= maxEvents || be.Used > maxEvents+cluster.CheckEvery {
		t.Errorf("stopped after %d events; want within (%d, %d]", be.Used, maxEvents, maxEvents+cluster.CheckEvery)
	}
	if !strings.Contains(err.Error(), "stopped") || !strings.Contains(err.Error(), "--max-events") {
		t.Errorf("message %q does not say it stopped and what to raise", err)
	}

	// The live heap is what the last garbage collection found: collect
	// once, so that it is known even if the short run never triggers one.
	runtime.GC()
	l = limits{budget: Budget{MaxMemory: 1}, name: "minimal"}
	err = world(t, tiny(t)).RunChecked(nil, l.checker())
	if !errors.As(err, &be) || be.Bound != "memory" || be.Used <= 1 {
		t.Fatalf("got %v; want a *BudgetError on memory", err)
	}
}
