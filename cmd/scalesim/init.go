package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/scalesim/scalesim/scenarios"
)

// InitOptions are the inputs of `scalesim init`.
type InitOptions struct {
	IO      *IOStreams
	From    string
	Service string
	Out     string
}

func newCmdInit(io *IOStreams) *cobra.Command {
	opts := &InitOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "init --from MANIFESTS [-o FILE]",
		Short: "Write a starter scenario for Kubernetes manifests or a Cloud.toml",
		Long: `Write a starter scenario (default scenario.yaml) that lists the manifests
(a folder or file of Kubernetes YAML, or a Cloud.toml with --service) under
manifests:, and gives each service they describe placeholder demand and
traffic, marked TODO. An existing file is never overwritten.`,
		Example: `  scalesim init --from k8s/
  scalesim init --from Cloud.toml --service orders -o orders.yaml`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error { return initRun(opts) },
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "the manifests: a folder or file of Kubernetes YAML, or a Cloud.toml")
	cmd.Flags().StringVar(&opts.Service, "service", "", "the service a Cloud.toml describes")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "scenario.yaml", "the scenario file to write")
	return cmd
}

func initRun(opts *InitOptions) error {
	if opts.From == "" {
		return usageErr(errors.New("init needs --from MANIFESTS (a folder or file of Kubernetes YAML, or a Cloud.toml)"))
	}
	if _, err := os.Stat(opts.Out); err == nil {
		return usageErr(fmt.Errorf("%s exists; scalesim init never overwrites a file: choose another with -o", opts.Out))
	}
	data, err := scenarios.StarterScenario(opts.Out, opts.From, opts.Service)
	if err != nil {
		return usageErr(err)
	}
	f, err := os.OpenFile(opts.Out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return usageErr(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "wrote %s: fill in the TODOs (demand, traffic), then: scalesim run %s\n", opts.Out, opts.Out)
	return nil
}
