package runner

import (
	"context"
	"fmt"
	"runtime/metrics"

	"github.com/scalesim/scalesim/scenarios"
)

// Budget bounds what one run may use, so that a scenario that validates
// but would take hours or more memory than the machine has stops cleanly
// with a *BudgetError instead of dying in an out-of-memory crash. A zero
// field bounds nothing.
//
// A run is checked twice: before it starts, its estimate
// (scenarios.Scenario.Estimate, within about a factor of two of the real
// figures) must fit; while it runs, every cluster.CheckEvery events, the
// events fired and the live heap must stay within the budget.
type Budget struct {
	// MaxEvents is the most events one run may fire.
	MaxEvents uint64
	// MaxMemory is the most live heap, in bytes, as of the last garbage
	// collection. It is the process's heap: parallel runs (compare,
	// sweep) share it.
	MaxMemory uint64
}

// DefaultBudget is what a laptop survives: two billion events (minutes
// of wall time at millions of events a second) and 4 GiB of live heap.
// The command line's --max-events and --max-memory default to it.
var DefaultBudget = Budget{MaxEvents: 2_000_000_000, MaxMemory: 4 << 30}

// BudgetError says which bound a run met, and whether it was refused
// before it started (on its estimate) or stopped part-way. The results
// are not written. The command line exits 1.
type BudgetError struct {
	Scenario  string
	Bound     string // "events" or "memory"
	Limit     uint64 // the budget's bound
	Used      uint64 // what the run used when it stopped, or its estimate
	Estimated bool   // refused before the run, on its estimate
}

func (e *BudgetError) Error() string {
	flag, used, limit := "--max-events", fmt.Sprint(e.Used), fmt.Sprint(e.Limit)
	if e.Bound == "memory" {
		flag, used, limit = "--max-memory", bytesText(e.Used), bytesText(e.Limit)
	}
	if e.Estimated {
		return fmt.Sprintf("%s: not run: it is estimated to need %s %s, over the budget of %s; raise %s, or shorten the run, lower the traffic or bound the queues", e.Scenario, used, e.Bound, limit, flag)
	}
	return fmt.Sprintf("%s: stopped: %s %s used, over the budget of %s; nothing was written; raise %s, or shorten the run, lower the traffic or bound the queues", e.Scenario, used, e.Bound, limit, flag)
}

func bytesText(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", b)
}

// fits refuses a run whose estimate is over the budget.
func (b Budget) fits(sc *scenarios.Scenario) error {
	e := sc.Estimate()
	if b.MaxEvents > 0 && e.Events > 0 && uint64(e.Events) > b.MaxEvents {
		return &BudgetError{Scenario: sc.Name, Bound: "events", Limit: b.MaxEvents, Used: uint64(e.Events), Estimated: true}
	}
	if b.MaxMemory > 0 && e.PeakMemory > 0 && uint64(e.PeakMemory) > b.MaxMemory {
		return &BudgetError{Scenario: sc.Name, Bound: "memory", Limit: b.MaxMemory, Used: uint64(e.PeakMemory), Estimated: true}
	}
	return nil
}

// liveHeap is the live heap after the last garbage collection, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// limits decide whether a run goes on: the cancellation and the budget.
type limits struct {
	ctx    context.Context // nil = never cancelled
	budget Budget
	name   string // the scenario, for messages
}

// checker returns the function the run loop calls every
// cluster.CheckEvery events (a non-nil error stops the run), or nil when
// there is nothing to check.
func (l limits) checker() func(events uint64) error {
	if l.ctx == nil && l.budget == (Budget{}) {
		return nil
	}
	return func(events uint64) error {
		if l.ctx != nil {
			if err := cancelled(l.ctx); err != nil {
				return err
			}
		}
		if b := l.budget.MaxEvents; b > 0 && events > b {
			return &BudgetError{Scenario: l.name, Bound: "events", Limit: b, Used: events}
		}
		if b := l.budget.MaxMemory; b > 0 {
			if used := liveHeap(); used > b {
				return &BudgetError{Scenario: l.name, Bound: "memory", Limit: b, Used: used}
			}
		}
		return nil
	}
}
