package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios"
)

func newCmdScenarios(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "The built-in scenario library",
		Args:  noSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	var long bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios, one line each (--long: their whole descriptions)",
		Args:  argsRange(0, 0),
		RunE: func(*cobra.Command, []string) error {
			return listScenarios(io, long)
		},
	}
	list.Flags().BoolVarP(&long, "long", "l", false, "print each scenario's whole description, not its headline")
	cmd.AddCommand(list, &cobra.Command{
		Use:   "show [NAME]",
		Short: "Print a built-in scenario's YAML (a starting point for your own); without NAME, list the names",
		Args:  argsRange(0, 1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return listScenarios(io, false)
			}
			data, ok := scenarios.Builtin(args[0])
			if !ok {
				_, err := scenarios.Resolve(args[0])
				if err == nil {
					err = fmt.Errorf("%q is not a built-in scenario (see 'scalesim scenarios list')", args[0])
				}
				return usageErr(err)
			}
			_, err := io.Out.Write(data)
			return err
		},
	})
	return cmd
}

// listScenarios prints the built-in scenarios' names and, on the same
// line, their headlines (long: their whole descriptions); a scenario
// without a description is described by its duration and services.
func listScenarios(io *IOStreams, long bool) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	for _, e := range scenarios.Library() {
		text := headline(e.Description)
		if long {
			text = strings.Join(strings.Fields(e.Description), " ")
		}
		if text == "" {
			text = outline(e.Name)
		}
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, text)
	}
	return tw.Flush()
}

// headline is a description's opening: its first sentence up to the
// first colon or semicolon, without the parenthesised details ("AWS step
// scaling on ASGAverageCPUUtilization: a scale-out alarm at 60% (2 of 3
// ...)" is "AWS step scaling on ASGAverageCPUUtilization"). A sentence
// ends at a full stop followed by a space or the end (not 7.2/s).
func headline(desc string) string {
	var b strings.Builder
	depth := 0
scan:
	for i, r := range desc {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(depth-1, 0)
		case depth > 0:
		case r == ':' || r == ';':
			break scan
		case r == '.' && (i+1 == len(desc) || desc[i+1] == ' ' || desc[i+1] == '\n'):
			break scan
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(strings.Join(strings.Fields(b.String()), " "), " ,", ",")
}

// outline describes a built-in scenario that has no description: "no
// description; 1h, service web (cpu)".
func outline(name string) string {
	sc, err := scenarios.Open(name, nil)
	if err != nil {
		return "no description"
	}
	var svcs []string
	for _, svc := range sc.Services {
		svcs = append(svcs, fmt.Sprintf("%s (%s)", svc.Name, svc.Autoscaler.Policy))
	}
	noun := "service"
	if len(svcs) != 1 {
		noun = "services"
	}
	return fmt.Sprintf("no description; %s, %s %s", shortDuration(sc.Duration), noun, strings.Join(svcs, ", "))
}

// shortDuration is d without zero trailing units: 1h, 1h30m, 90s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
