package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// CompareOptions are the inputs of `scalesim compare`.
type CompareOptions struct {
	IO       *IOStreams
	Scenario string   // file path or built-in name; "" = the default
	Policies []string // --policy: a policy NAME or a FILE, in the order given
	Services []string // --service: the services whose autoscaler varies
	scenarioFlags
	outputFlags
}

func newCmdCompare(io *IOStreams, runF func(*CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "compare [SCENARIO] --policy NAME|FILE ...",
		Short: "Run one scenario under several autoscaler settings on identical traffic",
		Long: `Run the same scenario once per --policy, on identical traffic: the same
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
an invalid policy.`,
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
	addOutputFlags(cmd, &opts.outputFlags)
	cmd.Flags().Lookup("out").Usage = "results folder (default ./out/<scenario-name>-compare)"
	return cmd
}

// setting is one --policy: a policy name, or a file's autoscaler block.
type setting struct {
	arg   string // as given
	label string
	name  string // the policy NAME; "" for a FILE
	file  string // the FILE; "" for a NAME
	block *yaml.Node
	text  string // block as YAML, the value of the override
}

// policyList is the allowed names, for messages.
var policyList = strings.Join(scenarios.PolicyNames(), ", ")

// parseSetting reads one --policy argument.
func parseSetting(arg string) (*setting, error) {
	if scenarios.LookupPolicy(arg) != nil {
		return &setting{arg: arg, label: arg, name: arg}, nil
	}
	st, err := os.Stat(arg)
	isFile := err == nil && !st.IsDir()
	if !isFile && !strings.ContainsAny(arg, `/\`) && !strings.HasSuffix(arg, ".yaml") && !strings.HasSuffix(arg, ".yml") {
		return nil, fmt.Errorf("--policy %q: not a policy (allowed: %s) nor a file holding an autoscaler block", arg, policyList)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("--policy %s: %w", arg, err)
	}
	s := &setting{arg: arg, file: arg}
	s.label = strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg))
	if s.block, err = autoscalerBlock(arg, data); err != nil {
		return nil, fmt.Errorf("--policy %s: %w", arg, err)
	}
	text, err := yaml.Marshal(s.block)
	if err != nil {
		return nil, fmt.Errorf("--policy %s: %w", arg, err)
	}
	s.text = string(text)
	return s, nil
}

// autoscalerBlock returns the mapping under the file's one key,
// `autoscaler`.
func autoscalerBlock(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	const want = "a policy file holds one block, 'autoscaler:', as in a scenario (e.g. autoscaler: {policy: cpu, target_utilization: 60})"
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New(want)
	}
	root := doc.Content[0]
	var block *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "autoscaler" {
			return nil, fmt.Errorf("%s:%d:%d: unknown key %q: %s", file, k.Line, k.Column, k.Value, want)
		}
		block = root.Content[i+1]
	}
	if block == nil {
		return nil, errors.New(want)
	}
	if block.Kind == yaml.AliasNode {
		block = block.Alias
	}
	if block.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: autoscaler: want a mapping of keys (policy, interval, ...); %s", file, block.Line, block.Column, want)
	}
	return block, nil
}

// sets returns the overrides that apply s to the services.
func (s *setting) sets(services []string) map[string]string {
	m := map[string]string{}
	for _, svc := range services {
		if s.file == "" {
			m["services."+svc+".autoscaler.policy="+s.name] = svc
		} else {
			m["services."+svc+".autoscaler="+s.text] = svc
		}
	}
	return m
}

// scenario parses the scenario with the user's overrides and s's, and
// builds it, so that every problem shows before anything runs. A problem
// that comes from s is located at the --policy (or in its FILE).
func (s *setting) scenario(src scenarios.Source, f *scenarioFlags, services []string) (*scenarios.Scenario, error) {
	sets := slices.Clone(f.Sets)
	if f.SeedSet {
		sets = append(sets, "seed="+strconv.FormatUint(f.Seed, 10))
	}
	own := s.sets(services)
	for _, svc := range services { // in service order, for stable messages
		for set, v := range own {
			if v == svc {
				sets = append(sets, set)
			}
		}
	}
	sc, err := src.Parse(sets)
	if err == nil {
		_, err = scenarios.Build(sc)
	}
	if err != nil {
		return nil, usageErr(fmt.Errorf("--policy %s: %w", s.arg, s.relocate(err, own)))
	}
	return sc, nil
}

// relocate rewrites the problems that come from s's overrides: a NAME's
// lose the "--set ..." they would print, a FILE's are located in it.
func (s *setting) relocate(err error, own map[string]string) error {
	var ve *scenarios.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var out []scenarios.Error
	for _, e := range ve.Errors {
		if svc, ok := own[e.Override]; ok {
			e.Override, e.File, e.Line, e.Col = "", "", 0, 0
			if s.file != "" {
				e.File = s.file
				e.Path, e.Line, e.Col = locate(s.block, e.Path, "services."+svc+".autoscaler")
			}
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return &scenarios.ValidationError{Errors: out}
}

// locate finds the field path of a scenario (services.web.autoscaler.x.y)
// in a policy file's autoscaler block, returning it as the file's path
// (autoscaler.x.y) and the deepest position found.
func locate(block *yaml.Node, path, prefix string) (string, int, int) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || (rest != "" && rest[0] != '.') {
		return path, block.Line, block.Column
	}
	line, col := block.Line, block.Column
	n := block
	for _, seg := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		if seg == "" || n == nil {
			break
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					line, col = n.Content[i].Line, n.Content[i].Column
					next = n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line, col = next.Line, next.Column
			}
		}
		n = next
	}
	return "autoscaler" + rest, line, col
}

// comparedServices are the services the policies apply to: those named,
// or every autoscaled one, or every one when none is autoscaled.
func comparedServices(sc *scenarios.Scenario, named []string) ([]string, error) {
	var all, scaled []string
	for _, svc := range sc.Services {
		all = append(all, svc.Name)
		if svc.Autoscaler.Policy != scenarios.PolicyStatic {
			scaled = append(scaled, svc.Name)
		}
	}
	if len(named) > 0 {
		var out []string
		for _, n := range named {
			if !slices.Contains(all, n) {
				return nil, fmt.Errorf("--service %q: scenario %s has no such service (it has %s)", n, sc.Name, strings.Join(all, ", "))
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	if len(scaled) == 0 {
		scaled = all
	}
	slices.Sort(scaled)
	return scaled, nil
}

// compareFiles are the names a comparison folder holds beside the runs'
// folders, which a label must not take.
func compareFiles(services []string) []string {
	names := []string{reports.ComparisonCSVFile, reports.ComparisonJSONFile}
	for _, svc := range services {
		for _, kind := range []string{reports.PlotCompareReplicas, reports.PlotCompareP99, reports.PlotCostSLO} {
			for _, format := range []string{reports.PNG, reports.SVG} {
				names = append(names, reports.PlotFileName(kind, svc, format))
			}
		}
	}
	return names
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
	services, err := comparedServices(base, opts.Services)
	if err != nil {
		return usageErr(err)
	}
	var allNames []string
	for _, svc := range base.Services {
		allNames = append(allNames, svc.Name)
	}
	reserved := compareFiles(allNames)

	settings := make([]*setting, len(opts.Policies))
	byLabel := map[string]string{}
	for i, arg := range opts.Policies {
		s, err := parseSetting(arg)
		if err != nil {
			return usageErr(err)
		}
		if other, dup := byLabel[s.label]; dup {
			return usageErr(fmt.Errorf("--policy %s and --policy %s have the same label %q; each policy needs its own (rename a file)", other, arg, s.label))
		}
		if s.label == "" || strings.HasPrefix(s.label, ".") || slices.Contains(reserved, s.label) {
			return usageErr(fmt.Errorf("--policy %s: %q cannot name a results folder here (rename the file)", arg, s.label))
		}
		byLabel[s.label] = arg
		settings[i] = s
	}
	scs := make([]*scenarios.Scenario, len(settings))
	for i, s := range settings {
		if scs[i], err = s.scenario(src, &opts.scenarioFlags, services); err != nil {
			return err
		}
	}

	out := opts.Out
	if out == "" {
		out = filepath.Join("out", base.Name+"-compare")
	}
	format := opts.Format
	if opts.NoPlots {
		format = ""
	}
	var progress func(i int) func(float64)
	if opts.IO.ErrTTY && !opts.Quiet {
		progress = newProgressMux(newProgressBar(opts.IO.ErrOut, fmt.Sprintf("%s x%d", base.Name, len(scs)), base.Duration), len(scs)).runFunc
	}
	cmp := &reports.Comparison{Scenario: base.Name, Seed: base.Seed, DurationS: base.Duration.Seconds(), Compared: services}
	ctx, stop := notifySignals(context.Background())
	defer stop()
	notes, err := writeAtomically(out, func(dir string) error {
		sums, err := runAll(ctx, dir, settings, scs, format, progress)
		if err != nil {
			return err
		}
		for i, s := range settings {
			cmp.Runs = append(cmp.Runs, reports.ComparedRun{Label: s.label, Source: s.arg, Folder: s.label, Summary: sums[i]})
		}
		if err := writeFile(filepath.Join(dir, reports.ComparisonCSVFile), func(b *bytes.Buffer) error {
			return reports.WriteComparisonCSV(b, cmp)
		}); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, reports.ComparisonJSONFile), func(b *bytes.Buffer) error {
			return reports.WriteComparisonJSON(b, cmp)
		}); err != nil {
			return err
		}
		if format == "" {
			return nil
		}
		popts := reports.ComparisonPlotOptions{Warmup: base.Warmup, Objectives: map[string]float64{}}
		for _, slo := range base.SLOs {
			if slo.Availability > 0 {
				popts.Objectives[slo.Service] = slo.Availability
			} else {
				popts.Objectives[slo.Service] = slo.Percentile / 100
			}
		}
		if _, err := reports.WriteComparisonPlots(dir, format, cmp, popts); err != nil {
			return fmt.Errorf("comparison plots: %w", err)
		}
		return nil
	})
	printNotes(opts.IO, notes)
	if err != nil {
		return err
	}
	if !opts.Quiet {
		if err := reports.WriteComparisonTable(opts.IO.Out, cmp); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "\nresults: %s\n", out)
	}
	return nil
}

// runAll runs each scenario into dir/<label>, in parallel up to one run
// per CPU (each run is single-threaded), and returns the summaries in the
// order of settings. The first failure in that order is returned.
func runAll(ctx context.Context, dir string, settings []*setting, scs []*scenarios.Scenario, format string, progress func(int) func(float64)) ([]reports.Summary, error) {
	sums := make([]reports.Summary, len(scs))
	errs := make([]error, len(scs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(scs)) {
		wg.Go(func() {
			for i := range next {
				sim := &simulation{sc: scs[i], dir: filepath.Join(dir, settings[i].label), format: format, ctx: ctx}
				if progress != nil {
					sim.onProgress = progress(i)
				}
				sums[i], errs[i] = sim.run()
			}
		})
	}
	for i := range scs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", settings[i].label, err)
		}
	}
	return sums, nil
}

// writeFile writes what fill puts in a buffer to path.
func writeFile(path string, fill func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// progressMux draws one bar for several runs going at once: their mean
// fraction done.
type progressMux struct {
	mu   sync.Mutex
	bar  *progressBar
	done []float64
}

func newProgressMux(bar *progressBar, n int) *progressMux {
	return &progressMux{bar: bar, done: make([]float64, n)}
}

// runFunc returns run i's progress callback.
func (m *progressMux) runFunc(i int) func(float64) {
	return func(f float64) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.done[i] = f
		sum := 0.0
		for _, d := range m.done {
			sum += d
		}
		m.bar.update(sum / float64(len(m.done)))
	}
}
