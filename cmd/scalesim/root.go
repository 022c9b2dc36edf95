package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// IOStreams are the command's standard streams, injected so that tests run
// every command without a terminal.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// ErrTTY reports whether ErrOut is a terminal: the progress bar is drawn
	// only then.
	ErrTTY bool
}

// Main runs the command line and returns the process exit code.
func Main(args []string, io *IOStreams) int {
	root := newCmdRoot(io)
	root.SetArgs(args)
	return exitCode(root.Execute(), io.ErrOut)
}

func newCmdRoot(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "scalesim",
		Short: "Simulate autoscaling strategies on a described cluster and its traffic",
		Long: `scalesim is a discrete-event simulator for autoscaling strategies. Describe a
cluster and its traffic in a YAML scenario, pick autoscaling policies, and get
numbers, time series and plots: how many instances, which thresholds, what it
costs, whether the SLO holds.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	// A flag the command does not know is bad usage: exit code 2.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(errors.New(err.Error() + " (see '" + c.CommandPath() + " --help')"))
	})
	root.AddCommand(
		newCmdRun(io, nil),
		newCmdCompare(io, nil),
		newCmdValidate(io),
		newCmdScenarios(io),
		newCmdVersion(io),
		newCmdSweep(io, nil),
		newCmdMerge(io, nil),
		newCmdSchema(io),
	)
	return root
}

// exactArgs is cobra.RangeArgs with the error marked as bad usage.
func argsRange(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return usageErr(cobra.RangeArgs(min, max)(cmd, args))
	}
}

// notes writes a note (a thing a user should know that is not an error,
// such as a stale temporary folder removed) on stderr.
func notes(io *IOStreams) func(string) {
	return func(n string) { fmt.Fprintln(io.ErrOut, "scalesim:", n) }
}
