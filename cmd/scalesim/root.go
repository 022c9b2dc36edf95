package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scalesim/scalesim/scenarios/runner"
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

// Main runs the command line and returns the process exit code. A panic
// in any command is an internal error: one line on stderr and exit 1,
// never a stack dump.
func Main(args []string, io *IOStreams) int {
	return execute(newCmdRoot(io), args, io)
}

// execute runs root with args and returns the exit code, a panic
// recovered.
func execute(root *cobra.Command, args []string, io *IOStreams) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = exitCode(&runner.PanicError{Value: v}, io.ErrOut)
		}
	}()
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
		Args:          noSubcommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	// A flag the command does not know is bad usage: exit code 2.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(errors.New(flagProblem(err) + " (see '" + c.CommandPath() + " --help')"))
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
		newCmdInit(io),
		newCmdExport(io),
	)
	return root
}

// noSubcommand is the Args of a command that only holds subcommands: an
// argument left is a command it does not have (exit 2), with a
// suggestion when one is close.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if cmd.HasParent() {
		msg += " for " + strconv.Quote(cmd.CommandPath())
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default for its own message
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usageErr(errors.New(msg + " (see '" + cmd.CommandPath() + " --help')"))
}

// numberFlags say, for a numeric flag, what a valid value is.
var numberFlags = map[string]string{
	"seed":       "the seed is a whole number from 0 to 18446744073709551615",
	"seeds":      "the runs per grid point are a whole number, at least 1",
	"parallel":   "the runs at once are a whole number, at least 1 (or 0 for the CPUs available)",
	"confidence": "the confidence level is a number between 0 and 1, e.g. 0.95",
}

// flagProblem is the message of a flag error: for a value that does not
// parse, what a valid one is, never strconv's text.
func flagProblem(err error) string {
	var iv *pflag.InvalidValueError
	if !errors.As(err, &iv) {
		return err.Error()
	}
	f := iv.GetFlag()
	what, ok := numberFlags[f.Name]
	if !ok {
		switch t := f.Value.Type(); {
		case t == "bool":
			what = "want true or false"
		case strings.HasPrefix(t, "uint"):
			what = "want a whole number, at least 0"
		case strings.HasPrefix(t, "int"):
			what = "want a whole number"
		case strings.HasPrefix(t, "float"):
			what = "want a number"
		default:
			what = "invalid value"
		}
	}
	return fmt.Sprintf("--%s %s: %s", f.Name, iv.GetValue(), what)
}

// anyNumber as argsRange's max means no upper bound.
const anyNumber = -1

// argsRange is cobra.RangeArgs with the error marked as bad usage, in
// one line that says what the command takes.
func argsRange(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min && (max == anyNumber || len(args) <= max) {
			return nil
		}
		var want string
		switch {
		case max == anyNumber:
			want = fmt.Sprintf("at least %d argument(s)", min)
		case max == 0:
			want = "no argument"
		case min == 0:
			want = fmt.Sprintf("at most %d argument(s)", max)
		case min == max:
			want = fmt.Sprintf("%d argument(s)", min)
		default:
			want = fmt.Sprintf("%d to %d arguments", min, max)
		}
		got := "none"
		if len(args) > 0 {
			got = fmt.Sprintf("%d (%s)", len(args), strings.Join(args, " "))
		}
		return usageErr(fmt.Errorf("%s takes %s, got %s (see '%s --help')",
			strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "), want, got, cmd.CommandPath()))
	}
}

// notes writes a note (a thing a user should know that is not an error,
// such as a stale temporary folder removed) on stderr.
func notes(io *IOStreams) func(string) {
	return func(n string) { fmt.Fprintln(io.ErrOut, "scalesim:", n) }
}
