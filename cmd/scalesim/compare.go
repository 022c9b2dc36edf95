package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/reports/plots"
	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// CompareOptions are the inputs of `scalesim compare`.
type CompareOptions struct {
	IO       *IOStreams
	Scenario string   // file path or built-in name; "" = the default
	Policies []string // --policy: a policy NAME or a FILE, in the order given
	Services []string // --service: the services whose autoscaler varies
	scenarioFlags
	budgetFlags
	outputFlags
}

// compareHelp is the command's long help.
var compareHelp = `Run the same scenario once per --policy, on identical traffic: the same
seed, and arrivals and demands drawn from per-service random streams that the
policy does not touch (common random numbers), so differences come from the
policy alone.

--policy NAME (one of ` + strings.Join(scenarios.PolicyNames(), ", ") + `) keeps the
scenario's autoscaler block and replaces only its policy: the parameters the
block gives (target_utilization, interval, behavior, a latency target, ...)
apply to NAME, and those it omits take NAME's documented defaults. A scenario
may give the parameters of several policies in one block for this purpose.
For NAME's defaults alone, use a FILE with just {policy: NAME}.

--policy FILE is a YAML file holding one 'autoscaler:' block, written as in a
scenario; it replaces the whole block, so what it omits takes the defaults.
An argument is a NAME when it is one; otherwise a file (./cpu for a file
named like a policy).

The policy is applied to every service that has an autoscaler (a policy other
than static), or to every service when none has one; --service limits it to
the named ones (repeatable).

Each policy is labelled by its NAME or its FILE's base name without the
extension; labels must differ. The results folder (default
./out/<scenario-name>-compare) holds one folder per label with that run's
full results (as 'scalesim run' writes them), and comparison.csv,
comparison.json, and per service the overlay plots replicas-SERVICE and
p99-SERVICE (one line per policy) and, for a service with an SLO,
cost-slo-SERVICE (cost against SLO attainment, a point per policy). The
table on stdout ends with the cheapest policy that meets every SLO ("none
meets the SLO" when none does). Runs go in parallel, one per CPU; the results
do not depend on their order. The folder is written to a temporary folder
and renamed into place.

Exit codes: 0 success, 1 runtime failure, 2 bad usage, an invalid scenario or
an invalid policy, 130 and 143 interrupted by SIGINT and SIGTERM.`

func newCmdCompare(io *IOStreams, runF func(*CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "compare [SCENARIO] --policy NAME|FILE ...",
		Short: "Run one scenario under several autoscaler settings on identical traffic",
		Long:  compareHelp,
		Example: `  scalesim compare minimal --policy cpu --policy requests-in-flight
  scalesim compare my.yaml --policy cpu --policy policies/aggressive.yaml --service web
  scalesim compare flash-crowd --policy cpu --policy latency --seed 7 -o out/fc`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Scenario = args[0]
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(opts)
			}
			return compareRun(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Policies, "policy", nil, "a policy `NAME|FILE` to compare (repeatable)")
	cmd.Flags().StringArrayVar(&opts.Services, "service", nil, "apply the policies to this `service` only (repeatable; default: every autoscaled service)")
	addScenarioFlags(cmd, &opts.scenarioFlags)
	addBudgetFlags(cmd, &opts.budgetFlags)
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().Lookup("out").Usage = "results folder (default ./out/<scenario-name>-compare)"
	return cmd
}

// policyList is the allowed names, for messages.
var policyList = strings.Join(scenarios.PolicyNames(), ", ")

// variant reads one --policy argument: a NAME when it is one, otherwise a
// FILE holding an autoscaler block.
func variant(arg string) (runner.Variant, error) {
	if scenarios.LookupPolicy(arg) != nil {
		return runner.PolicyVariant(arg), nil
	}
	st, err := os.Stat(arg)
	isFile := err == nil && !st.IsDir()
	if !isFile && !strings.ContainsAny(arg, `/\`) && !strings.HasSuffix(arg, ".yaml") && !strings.HasSuffix(arg, ".yml") {
		return runner.Variant{}, fmt.Errorf("--policy %q: not a policy (allowed: %s) nor a file holding an autoscaler block", arg, policyList)
	}
	v, err := runner.LoadVariant(arg)
	if err != nil {
		return runner.Variant{}, fmt.Errorf("--policy %s: %w", arg, err)
	}
	return v, nil
}

func compareRun(opts *CompareOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if len(opts.Policies) == 0 {
		return usageErr(fmt.Errorf("no --policy given: name the policies to compare (%s) or files holding an autoscaler block", policyList))
	}
	src, err := scenarios.Resolve(opts.Scenario)
	if err != nil {
		return usageErr(err)
	}
	base, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	variants := make([]runner.Variant, len(opts.Policies))
	for i, arg := range opts.Policies {
		if variants[i], err = variant(arg); err != nil {
			return usageErr(err)
		}
	}
	co := runner.CompareOptions{Sets: opts.sets(), Services: opts.Services, Out: opts.Out, Format: opts.format(), Plotter: plots.Writer{}, Notes: notes(opts.IO)}
	var berr error
	if co.Budget, berr = opts.budget(); berr != nil {
		return berr
	}
	if opts.progress(opts.IO) {
		bar := newProgressBar(opts.IO.ErrOut, fmt.Sprintf("%s x%d", base.Name, len(variants)), base.Duration)
		co.Progress = newProgressMux(bar, len(variants)).update
	}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	res, err := runner.Compare(ctx, src, variants, co)
	var ve *runner.VariantError
	if errors.As(err, &ve) {
		return usageErr(fmt.Errorf("--policy %s: %w", opts.Policies[ve.Index], ve.Err))
	}
	if err != nil || opts.Quiet {
		return err
	}
	reports.WriteComparisonWarnings(opts.IO.ErrOut, res.Comparison)
	if err := reports.WriteComparisonTable(opts.IO.Out, res.Comparison); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", res.Out)
	return nil
}
