// Package reports turns what happens during a run into the results folder:
// streaming statistics in fixed memory, the time series, the event and
// decision logs, summary.json and the summary table; and, from a finished
// folder, the plots and report.html.
//
// reports knows nothing of the simulator: it imports no cluster, policies
// or scenarios. A Collector takes the observer's calls (RequestArrived,
// RequestEnded, Lifecycle, Decision, Sample) in this package's own small
// value types: Outcome, Event with its Counts, Decision with its Limits
// and InputRecords, Sample with its PlacementFailures by PlacementReason.
// Every results file's field names are defined here (EventRecord,
// DecisionRecord, Limit, TimeseriesHeader), none borrowed from another
// package's JSON tags. The adapter from cluster.Observer lives in
// scenarios/runner (observer.go), converting the cluster's values into
// these without allocating on the per-request path.
//
// The simulator calls the Collector from its single event loop; it keeps
// running counters and log-bucketed histograms (never a slice of requests
// or samples), so its memory does not grow with the length of the run,
// and it streams timeseries.csv, events.jsonl and decisions.jsonl through
// buffered writers as the run goes. A completed request's latency is
// added to one histogram, that of its timeseries.csv row; the summary's
// histogram takes each row's buckets in bulk when the row closes, and its
// sum request by request, so its figures are what adding each latency
// would give. At the end the caller takes a Summary and writes
// summary.json:
//
//	c, err := reports.Create(tmpDir, cfg) // or New(cfg, Outputs{...})
//	// the run: c.RequestArrived, c.RequestEnded, c.Lifecycle, c.Decision,
//	// c.Sample as things happen, including a final Sample at the end
//	err = c.Close()                       // flushes the streamed files
//	s := c.Summary(events, wall)
//	err = reports.WriteSummaryFile(filepath.Join(tmpDir, reports.SummaryFile), s)
//	os.Rename(tmpDir, outDir)
//	reports.WriteTable(os.Stdout, s)
//
// # What the summary figures mean
//
// The summary covers [warmup, duration]. A request belongs to it when it
// ARRIVES at or after warmup; requests that arrive earlier are counted
// nowhere in the summary, even when they end later. So conservation holds
// over the requests that belong:
//
//	arrived = completed + rejected + failed + timed_out + in_flight_at_end
//
// where in_flight_at_end is the arrivals whose RequestEnded has not been
// called when Summary is taken.
//
//   - latency_s: the percentiles p50 ... p999 rank every request that
//     belongs, the ones that did not complete (rejected, failed, timed out,
//     in flight at the end) above every latency: a timed-out or rejected
//     request is slower than any that completed. The q-percentile is the
//     value of rank ceil(q x arrived) (Histogram.QuantileAmong); when that
//     rank exceeds completed it is +Inf, null in summary.json ("beyond
//     every latency"), and tables print it as "> MAX" with MAX the
//     slowest completed latency. not_completed is (arrived - completed) /
//     arrived, omitted when 0. Without an availability, p<percentile> <=
//     the SLO target exactly when the SLO is met (up to the histogram's
//     error). mean and max are of completed requests (a request that did
//     not complete has no latency to average). All zero when nothing
//     arrived.
//   - latency_completed_s: end minus arrival of completed requests only,
//     from a Histogram: mean and max exact, percentiles within
//     HistogramRelativeError (0.78%). All zero when nothing completed.
//   - queue_wait_s.mean: the wait in an instance's queue before service
//     began, averaged over completed requests. Those are the requests that
//     certainly reached an instance and whose wait is whole; a failed or
//     timed-out request may have been cut off while still waiting, and a
//     rejected one never reached an instance.
//   - replicas: alive instances, i.e. every state but terminated (pending,
//     starting, ready, draining): what you pay for. Followed from the
//     Counts of Lifecycle events (and resynchronised from every Sample);
//     mean is time-weighted over [warmup, duration]; min and max are over
//     the counts that held for a positive time within that span (a count
//     that lasts zero time between two events at the same instant is not a
//     replica count anyone paid for).
//   - scaling_actions: autoscaler evaluations at or after warmup whose After
//     exceeds Before (up) or is below it (down).
//   - cpu_utilization_mean: CPU seconds used divided by CPU request-seconds
//     over [warmup, last sample], from the cumulative Sample fields: the
//     final sample minus the value at warmup. Sample fields are cumulative
//     from time 0, so the value at warmup is interpolated linearly between
//     the samples around it (exact when warmup falls on a sample instant,
//     the usual case, and when warmup is 0). 1 = 100% of the request;
//     above 1 when instances without a limit (or with a limit above their
//     request) burst onto their nodes' idle CPU.
//   - cpu_throttling: {periods, throttled_periods, throttled_seconds}, the
//     CFS quota figures of the instances with a CPU limit, summed (what
//     cAdvisor exports as container_cpu_cfs_periods_total,
//     _throttled_periods_total and _throttled_seconds_total), over the same
//     span and interpolated at warmup as CPU is; zeros without a limit.
//     timeseries.csv has each interval's cpu_periods, cpu_throttled_periods
//     and cpu_throttled_seconds.
//   - cost.instance_hours: Sample.InstanceSeconds over the same span, in
//     hours; cost.usd: with node pools (Config NodeCost), Sample.CostUSD
//     over the same span, the service's share of the nodes' cost; else
//     instance_hours x price_per_hour.
//   - placement_failures (omitted when zero): the nodes that refused the
//     service's instances at placement, by reason (node, cpu, memory,
//     spread), from the cumulative Sample.PlacementFailures: the last
//     sample minus the last one at or before warmup.
//   - ingress (only for a service behind an ingress, ServiceConfig.Ingress):
//     {gateway_timeouts, retries}, from the cumulative
//     Sample.GatewayTimeouts and Sample.IngressRetries: the last sample
//     minus the last one at or before warmup. gateway_timeouts are the
//     requests the ingress ended with a 504 (proxy_read_timeout; they are
//     among requests.failed), retries the connection errors it passed to
//     the next endpoint (proxy_next_upstream), unseen by the clients.
//   - slo (omitted when the service has no SLO): a request is good when it
//     completed with latency <= latency_target_s (exact integer-nanosecond
//     comparison, not from the histogram). attainment = good / arrived over
//     the requests that belong (errors and requests still in flight at the
//     end are not good; 1 when nothing arrived). The objective is the
//     SLO's availability when given, else percentile/100; met =
//     attainment >= objective. Without an availability this is exactly
//     "the percentile-th latency, counting every error as infinitely slow,
//     is within the target", so a service cannot meet its SLO by rejecting
//     the requests it would have served slowly. objective is that fraction.
//   - warnings (scenario-wide, a list, empty when none): {code, service,
//     message}; see Warning for the codes and their thresholds. Static ones
//     come from Config.Warnings (scenarios.Warnings), the run's from the
//     figures above; WriteWarnings prints them (the command, on stderr).
//
// timeseries.csv's latency_p50_s, latency_p95_s and latency_p99_s rank the
// requests that ended in the interval the same way: "inf" when beyond
// every latency, empty when no request ended.
//
// # Verdicts
//
// A comparison's verdict never names a policy without saying whether it
// meets the SLO, and by how much it misses: the cheapest policy that
// meets every SLO; else "no policy met the SLO; closest: X at 93.1%
// within 1s (target 99.0%)", X having the smallest shortfall (objective
// minus attainment) of its worst service, and the cheapest's attainment;
// without any SLO, that the pick is on cost alone and what share of its
// requests did not complete. A sweep without --require says the best
// point was picked on the objective alone; with --require and no point
// meeting it, SweepResult.Met is false and RequireErr is the error the
// command exits 3 with.
//
// # Results files
//
// timeseries.csv has one row per Sample call per service; see
// TimeseriesHeader for the columns. events.jsonl has one JSON object per
// Lifecycle event; decisions.jsonl one per autoscaler evaluation worth
// reading (see Collector.Decision); instances.json (InstancesRecord,
// written at Close) the per-instance and per-node grid that
// Collector.InstanceSample fills, at most HeatmapColumns columns wide and
// MaxHeatmapInstances rows tall (see instances.go). All three cover the whole run, warmup
// included: they are a record of what happened, and plots mark the warmup.
//
// Numbers in summary.json are rounded to 12 significant digits, which hides
// binary noise (0.033 rather than 0.032999999999999995). Output is
// byte-deterministic: the same calls give the same bytes.
//
// # Faults in events.jsonl
//
// The simulator reports a fault through Lifecycle with one of three kinds,
// and the plots draw it as a labelled shaded band:
//
//   - "fault-start" (FaultStartKind) when a fault with a duration begins (a
//     zone outage, a node failure, a load-balancer failure, a dependency
//     outage, a node upgrade), and "fault-end" (FaultEndKind) when it is
//     over. An end closes the earliest open start with the same Service
//     and the same Detail, so the two events carry identical Details; an
//     end that matches no open start is ignored, and a start never closed
//     lasts to the end of the run.
//   - "fault" (FaultKind) for a fault that happens at one instant (an
//     instance crash); it is drawn as a thin bar.
//
// Detail is the band's label, naming the fault and its target the way the
// scenario does, e.g. "zone-outage a", "node-failure node-3",
// "instance-crash web x2", "dependency-outage web slow +200ms". Service is
// the one service a fault concerns (instance-crash, load-balancer-failure,
// dependency-outage), with that service's Counts like any service event; a
// fault of the cluster (zone-outage, node-failure, node-upgrade) has
// Service -1 and is drawn on every service's plots. ReadFaults reads the
// bands back. Other kinds beginning with "fault" are reserved.
//
// # Plots and report.html
//
// Drawing is not here: reports/plots (gonum/plot and its fonts) reads a
// finished results folder back and writes the plots and report.html, so
// that a program that only runs and summarizes links no plotting code.
// This package keeps what the plots are called and what they are told,
// since the runner names and checks those files without drawing them:
// PNG and SVG, PlotKinds and PlotFileName, the comparison's and the
// sweep's plot names, ReportFile, and PlotOptions, ComparisonPlotOptions
// and HTMLOptions. The Format* functions are the summary table's number
// formats, which report.html shares. TestHeadlessWithoutPlotStack (in
// scenarios/runner) checks with go list that neither reports nor the
// runner depends on gonum.org/v1/plot.
package reports
