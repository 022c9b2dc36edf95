// Package runner owns running: it turns a scenario into results folders.
//
//	Run      one scenario -> one results folder (summary.json, timeseries.csv,
//	         decisions.jsonl, events.jsonl; with a Plotter, plots and report.html)
//	Compare  one scenario under several Variants (autoscaler settings) on
//	         identical traffic -> a folder per variant and comparison.csv/.json
//	Sweep    a grid of overrides times seeds -> run records, runs.csv,
//	         points.csv, best.json; resumable, and sharded with --shard i/n
//	Merge    the folders of a sweep's shards -> what one process writes
//
// Each is a function of a scenario (a *scenarios.Scenario, or a
// scenarios.Source that the runner parses with overrides) and an options
// struct, with a context.Context: cancelling it stops the runs, removes
// any temporary folder, and returns the context's cause. The command line
// (cmd/scalesim) only maps flags to these options, errors to exit codes,
// and results to text; a Go program, a notebook kernel or a test calls the
// same functions.
//
// # Why here
//
// The package sits under scenarios/ because it is the scenario's consumer:
// it parses, overrides and builds scenarios, drives the cluster, and
// writes through reports. Arrows point down:
//
//	sim <- policies <- cluster <- scenarios <- runner <- cmd
//	sim <- reports <- runner;  reports <- reports/plots <- cmd
//
// reports never imports the runner, and cmd never imports cluster.
//
// # Observer
//
// reports knows nothing of the simulator. The world's cluster.Observer is
// the runner's observer (observer.go): it converts each call's cluster and
// policies values into reports' own (reports.Outcome, Event, Decision with
// its Limits, Sample) and hands them to the reports.Collector. The
// per-request calls convert an enum by value and allocate nothing; the
// rarer Decision and Sample calls fill scratch slices reused from call to
// call. TestOutcomesAgree checks the two packages' enums agree.
//
// # Plots
//
// The runner does not draw: with a Format (reports.PNG or reports.SVG) it
// calls the options' Plotter once the results files are written, and a
// Format without a Plotter is refused. cmd/scalesim passes
// plots.Writer{} (reports/plots). A headless program leaves both unset and
// does not link gonum/plot, its fonts or its image encoders: neither the
// runner nor reports depends on them (TestHeadlessWithoutPlotStack).
//
// # Results folders
//
// Run and Compare fill a temporary folder beside Out (TempPrefix) and
// rename it into place, so a folder is never half written. Each carries a
// ResultsMark file; an existing Out is replaced only when it carries the
// mark or is empty, so a folder of someone else's files, a plain file or a
// symbolic link is refused with an *InputError and left as it was. A
// temporary folder whose writer died is removed by the next write beside
// it (told to Notes). Sweep and Merge write a sweep folder: sweep.json
// (SweepManifestFile) names the sweep, runs/ (SweepRunsDir) holds one
// record per run (RecordName), and a folder holding another sweep is
// refused.
//
// # Errors
//
//   - *InputError: bad input, nothing written (exit 2): an invalid scenario
//     or grid value, a bad variant (wrapping a *VariantError that names
//     it), a folder that is not scalesim's or holds another sweep.
//   - *SLOError: RunOptions.FailOnSLO and an SLO missed; the results are
//     written (exit 3).
//   - the cause of the cancelled context (the command line's signal: exit
//     130 or 143).
//   - anything else: a runtime failure (exit 1).
//
// # Variants
//
// A comparison's Variant is a typed override of the compared services'
// autoscaler blocks (scenarios.Override, a YAML tree), never text: a
// PolicyVariant keeps each block's parameters and replaces the policy; a
// LoadVariant reads an `autoscaler:` block from a file and replaces the
// whole block, and its problems are located in that file, at its own line.
//
// # Determinism
//
// The same scenario and seed give byte-identical files (but for wall_s).
// Compare runs its variants in parallel and a sweep its runs on Parallel
// workers; the results depend on neither the order nor the parallelism.
// TestBuiltinResultsUnchanged holds the SHA-256 of every built-in
// scenario's results files.
//
// # Budgets
//
// A Budget (RunOptions.Budget, and likewise for Compare and Sweep) bounds
// a run's events and live heap. A run whose estimate
// (scenarios.Scenario.Estimate) is over it is refused before it starts
// (a sweep checks every grid point when it is planned); while it runs, the
// run loop (cluster.World.RunChecked) calls limits.checker every 65536
// events, which stops it on the context's cancellation or a bound met.
// Either way the error is a *BudgetError and nothing is written.
package runner
