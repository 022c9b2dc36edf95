package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios/runner"
)

// ExportOptions are the inputs of `scalesim export`.
type ExportOptions struct {
	IO       *IOStreams
	Scenario string
	Out      string
	Quiet    bool
	scenarioFlags
}

func newCmdExport(io *IOStreams) *cobra.Command {
	opts := &ExportOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "export [SCENARIO] -o DIR",
		Short: "Write a scenario's services as Kubernetes manifests",
		Long: `Write, per service, a Deployment (apps/v1), an HorizontalPodAutoscaler
(autoscaling/v2, with its behavior) when the policy is cpu, memory or hpa, a
PodDisruptionBudget (policy/v1) when there is a budget and a Service (v1),
in DIR/<service>.yaml; a Cloud.toml block (DIR/<service>.Cloud.toml) for the
cloud policy. The image, ports and probe handlers are placeholders. What
manifests cannot say (demand, traffic, concurrency) stays in the scenario:
a scenario listing DIR under manifests: with the same keys runs the same.
DIR is replaced only when scalesim wrote it (default ./out/<name>-manifests).`,
		Example: `  scalesim export k8s-hpa -o tuned/
  scalesim export my.yaml --set services.web.autoscaler.target_utilization=60 -o tuned/`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.Scenario = args[0]
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			return exportRun(opts)
		},
	}
	addScenarioFlags(cmd, &opts.scenarioFlags)
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "the folder to write (default ./out/<scenario-name>-manifests)")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func exportRun(opts *ExportOptions) error {
	sc, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	res, err := runner.Export(sc, opts.Out, notes(opts.IO))
	if err != nil {
		return err
	}
	if opts.Quiet {
		return nil
	}
	for _, n := range res.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", n)
	}
	for _, f := range res.Files {
		fmt.Fprintln(opts.IO.Out, filepath.Join(res.Out, f))
	}
	return nil
}
