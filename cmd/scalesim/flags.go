package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// scenarioFlags are the flags every command that reads a scenario takes.
type scenarioFlags struct {
	Seed    uint64
	SeedSet bool
	Sets    []string
}

func addScenarioFlags(cmd *cobra.Command, f *scenarioFlags) {
	cmd.Flags().Uint64Var(&f.Seed, "seed", 0, "root random seed (overrides the file's)")
	cmd.Flags().StringArrayVar(&f.Sets, "set", nil, "override a scenario field, `path=value` (repeatable), e.g. services.web.replicas.max=20")
}

// sets are the --set overrides with --seed as one more, so it is
// validated like the rest.
func (f *scenarioFlags) sets() []string {
	sets := f.Sets
	if f.SeedSet {
		sets = append(append([]string(nil), sets...), "seed="+strconv.FormatUint(f.Seed, 10))
	}
	return sets
}

// load resolves and parses a scenario argument with the overrides. Errors
// are bad input (exit 2).
func (f *scenarioFlags) load(arg string) (*scenarios.Scenario, error) {
	sc, err := scenarios.Open(arg, f.sets())
	return sc, usageErr(err)
}

// outputFlags say what a command writes.
type outputFlags struct {
	Out     string
	Format  string
	NoPlots bool
	Quiet   bool
}

func addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "results folder (default ./out/<scenario-name>)")
	cmd.Flags().StringVar(&o.Format, "format", reports.PNG, "plot format: png or svg")
	cmd.Flags().BoolVar(&o.NoPlots, "no-plots", false, "write no plots and no report.html")
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print nothing but errors")
}

func (o *outputFlags) check() error {
	if o.Format != reports.PNG && o.Format != reports.SVG {
		return usageErr(fmt.Errorf("--format %q: allowed are png and svg", o.Format))
	}
	return nil
}

// format is the runner's plot format: "" for --no-plots.
func (o *outputFlags) format() string {
	if o.NoPlots {
		return ""
	}
	return o.Format
}

// progress reports whether to draw a progress bar: on a terminal, without
// -q.
func (o *outputFlags) progress(io *IOStreams) bool { return io.ErrTTY && !o.Quiet }
