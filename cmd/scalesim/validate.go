package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios"
)

// ValidateOptions are the inputs of `scalesim validate`.
type ValidateOptions struct {
	IO    *IOStreams
	Files []string
	scenarioFlags
}

func newCmdValidate(io *IOStreams) *cobra.Command {
	opts := &ValidateOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files without running them",
		Long: `Check scenario files (or built-in names) without running them: the
YAML, every field, the cross-field rules, and that this version can simulate
everything the scenario asks for. Every problem is reported as
FILE:LINE:COL: field.path: what is wrong. Exit code 2 if any file is invalid.`,
		Args: argsRange(1, anyNumber),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			opts.SeedSet = cmd.Flags().Changed("seed")
			return validateRun(opts)
		},
	}
	addScenarioFlags(cmd, &opts.scenarioFlags)
	return cmd
}

func validateRun(opts *ValidateOptions) error {
	bad := 0
	for _, arg := range opts.Files {
		sc, err := opts.load(arg)
		if err == nil {
			_, err = scenarios.Build(sc)
		}
		if err != nil {
			bad++
			var ve *scenarios.ValidationError
			if errors.As(err, &ve) {
				for _, e := range ve.Errors {
					fmt.Fprintln(opts.IO.ErrOut, e.Error())
				}
			} else {
				fmt.Fprintf(opts.IO.ErrOut, "%s: %v\n", arg, err)
			}
			continue
		}
		for _, w := range scenarios.Warnings(sc) {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", w.Message)
		}
		fmt.Fprintf(opts.IO.Out, "%s: ok (%s, %d services, %v)\n", arg, sc.Name, len(sc.Services), sc.Duration)
	}
	if bad > 0 {
		return usageErr(fmt.Errorf("%d of %d scenarios invalid", bad, len(opts.Files)))
	}
	return nil
}
