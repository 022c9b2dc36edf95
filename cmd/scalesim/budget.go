package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// budgetFlags bound a run's events and memory (runner.Budget).
type budgetFlags struct {
	MaxEvents string
	MaxMemory string
}

func addBudgetFlags(cmd *cobra.Command, b *budgetFlags) {
	cmd.Flags().StringVar(&b.MaxEvents, "max-events", strconv.FormatUint(runner.DefaultBudget.MaxEvents, 10),
		"stop a run that fires more events than this (e.g. 5e9; 0: no bound); a run estimated to need more is not started")
	cmd.Flags().StringVar(&b.MaxMemory, "max-memory", "4Gi",
		"stop when the live heap exceeds this (a quantity: 512Mi, 8Gi; 0: no bound); a run estimated to need more is not started")
}

// budget parses the flags; a bad value is bad usage (exit 2).
func (b *budgetFlags) budget() (runner.Budget, error) {
	events, err := strconv.ParseFloat(b.MaxEvents, 64)
	if err != nil || events < 0 || events != math.Trunc(events) || events > math.MaxUint64/2 {
		return runner.Budget{}, usageErr(fmt.Errorf("--max-events %s: a whole number of events, e.g. 2000000000 or 2e9 (0: no bound)", b.MaxEvents))
	}
	mem, err := scenarios.ParseBytes(b.MaxMemory)
	if err != nil || mem < 0 {
		return runner.Budget{}, usageErr(fmt.Errorf("--max-memory %s: a memory quantity, e.g. 4Gi or 512Mi (0: no bound)", b.MaxMemory))
	}
	return runner.Budget{MaxEvents: uint64(events), MaxMemory: uint64(mem)}, nil
}
