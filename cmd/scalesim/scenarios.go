package main

import (
	"fmt"
	"text/tabwriter"

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
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios",
		Args:  argsRange(0, 0),
		RunE: func(*cobra.Command, []string) error {
			return listScenarios(io)
		},
	}, &cobra.Command{
		Use:   "show [NAME]",
		Short: "Print a built-in scenario's YAML (a starting point for your own); without NAME, list the names",
		Args:  argsRange(0, 1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return listScenarios(io)
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

// listScenarios prints the built-in scenarios' names and descriptions.
func listScenarios(io *IOStreams) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	for _, e := range scenarios.Library() {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Description)
	}
	return tw.Flush()
}
