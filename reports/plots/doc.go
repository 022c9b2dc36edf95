// Package plots draws a finished results folder: per-service plots,
// report.html, a comparison's overlay plots and a sweep's plots, with
// gonum/plot. It is apart from package reports, which writes the results
// files and does not link the plotting stack; plots imports reports (for
// the files' readers, the plot names and the options) and never the
// reverse.
//
// Writer bundles the writers behind the runner's Plotter interface (a
// comparison's and a sweep's plots come with their report.html,
// WriteComparisonHTML and WriteSweepHTML, in group_html.go):
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
//     starting and draining (and pending and unschedulable when there
//     were any), two panels sharing the time axis; with the predictive
//     policy, its forecast (forecast_rps of decisions.jsonl) dashed over
//     the arrival rate (forecast.go); on the replicas panel a triangle
//     marks each scale action at its new count and an amber shade each
//     span in which a limit held the count (reports.Timeline: from its
//     first decision to one evaluation interval after its last);
//   - latency: p50, p95 and p99 of the requests ended in each sample
//     interval (seconds, log scale), with the SLO's latency target; a
//     percentile beyond every latency runs along a labelled ceiling
//     ("beyond every latency (not completed)") rather than leaving a gap;
//   - cpu: CPU utilization in % of the request, with the policy's target;
//   - errors: rejected, failed and timed-out requests per second (and
//     their sum on the load plot's arrival panel, on its scale);
//   - memory and throttling, only when their data is not all zero: the
//     working set against the memory requests and limits, OOM kills and
//     restarts marked; the share of CFS periods throttled and the time
//     throttled per second;
//   - dashboard: the four in one image under the scenario's name;
//   - instances (from instances.json, when the run has one): a heatmap
//     per service of each instance's requests in flight, CPU (% of its
//     request) and state over time, a row per instance grouped by node,
//     the one with the highest mean in flight marked "(hottest)", at most
//     48 rows (the busiest); and nodes.FORMAT, with node pools, each
//     node's CPU and memory used in % of its capacity. report.html shows
//     them under the service's plots and in a Nodes section with the
//     placement (each node's instances).
//
// Time runs along the x axis in seconds (runs up to 5 minutes), minutes
// (up to 3 hours) or hours. Faults and the warmup are shaded on every
// plot. An empty cell (NaN) leaves a gap in its line; a lone value between
// gaps is a dot. Series longer than a plot has pixels are thinned to the
// lowest and highest value of each bucket, so peaks survive.
//
// report.html is one file with nothing to fetch: the scenario's name and
// description, the warnings, the summary table (a column per service),
// every service's plots as inline SVG, the faults, and the decisions
// timeline: the decisions that matter (reports.Timeline; the first
// reports.DefaultMaxDecisions rows, the page says how many more there
// are), with one inline script that filters its rows by service and
// reason (without it every row shows).
package plots
