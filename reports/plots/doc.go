// Package plots draws a finished results folder: per-service plots,
// report.html, a comparison's overlay plots and a sweep's plots, with
// gonum/plot. It is apart from package reports, which writes the results
// files and does not link the plotting stack; plots imports reports (for
// the files' readers, the plot names and the options) and never the
// reverse.
//
// Writer bundles the four writers behind the runner's Plotter interface:
// cmd/scalesim sets runner.RunOptions.Plotter (and Compare's, Sweep's,
// Merge's) to plots.Writer{}, and a headless program leaves it unset.
//
// # The plots
//
// WritePlots and WriteHTML read a finished results folder back, so a
// run's memory does not depend on them. WritePlots writes, per service,
// KIND-SERVICE.png (or .svg) for each of reports.PlotKinds, the service
// name included even when there is only one service:
//
//   - load: arrival rate (req/s) over the replicas desired, ready,
//     starting and draining, two panels sharing the time axis; with the
//     predictive policy, its forecast (forecast_rps of decisions.jsonl)
//     dashed over the arrival rate (forecast.go);
//   - latency: p50, p95 and p99 of the requests ended in each sample
//     interval (seconds, log scale), with the SLO's latency target; a
//     percentile beyond every latency runs along a labelled ceiling
//     ("beyond every latency (not completed)") rather than leaving a gap;
//   - cpu: CPU utilization in % of the request, with the policy's target;
//   - errors: rejected, failed and timed-out requests per sample interval;
//   - dashboard: the four in one image under the scenario's name.
//
// Time runs along the x axis in seconds (runs up to 5 minutes), minutes
// (up to 3 hours) or hours. Faults and the warmup are shaded on every
// plot. An empty cell (NaN) leaves a gap in its line; a lone value between
// gaps is a dot. Series longer than a plot has pixels are thinned to the
// lowest and highest value of each bucket, so peaks survive.
//
// report.html is one file with no scripts and nothing to fetch: the
// scenario's name and description, the warnings, the summary table (a
// column per service), every service's four plots as inline SVG, the
// faults, and the decisions timeline (the first
// reports.DefaultMaxDecisions; the page says how many more decisions.jsonl
// holds).
package plots
