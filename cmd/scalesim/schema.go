package main

import (
	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios"
)

func newCmdSchema(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print a JSON Schema of the scenario format, for editors",
		Long: `Print a JSON Schema (draft-07) of the scenario format on stdout, generated
from the same registries as the validation: every key, the policies, fault
types, load-balancing algorithms and traffic components with their doc
lines, the required keys, and no unknown keys. Editors that use
yaml-language-server (VS Code's YAML extension, Neovim, Helix, ...) then
complete and check scenario files that start with

  # yaml-language-server: $schema=scenario.schema.json

'scalesim validate' still checks what a schema cannot: ranges, references
to services, zones and pools, and the rules between fields.`,
		Example: `  scalesim schema > scenario.schema.json`,
		Args:    argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := scenarios.JSONSchema()
			if err != nil {
				return err
			}
			_, err = io.Out.Write(append(data, '\n'))
			return err
		},
	}
}
