// Package reports turns what happens during a run into the results folder:
// streaming statistics in fixed memory, the time series, the event and
// decision logs, summary.json and the summary table.
//
// A Collector implements cluster.Observer. The simulator calls it from its
// single event loop; it keeps running counters and log-bucketed histograms
// (never a slice of requests or samples), so its memory does not grow with
// the length of the run, and it streams timeseries.csv, events.jsonl and
// decisions.jsonl through buffered writers as the run goes. At the end the
// caller takes a Summary and writes summary.json:
//
//	c, err := reports.Create(tmpDir, cfg) // or New(cfg, Outputs{...})
//	world.Observe(c)                      // however cluster wires its Observer
//	engine.RunUntil(end)                  // including a final Sample at end
//	err = c.Close()                       // flushes the streamed files
//	s := c.Summary(engine.Fired(), wall)
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
//   - latency_s: end minus arrival of completed requests only (errors have no
//     latency), from a Histogram: mean and max exact, percentiles within
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
//     the usual case, and when warmup is 0). 1 = 100% of the request.
//   - cost.instance_hours: Sample.InstanceSeconds over the same span, in
//     hours; cost.usd = instance_hours x price_per_hour.
//   - slo (omitted when the service has no SLO): a request is good when it
//     completed with latency <= latency_target_s (exact integer-nanosecond
//     comparison, not from the histogram). attainment = good / arrived over
//     the requests that belong (errors and requests still in flight at the
//     end are not good; 1 when nothing arrived). The objective is the
//     SLO's availability when given, else percentile/100; met =
//     attainment >= objective. Without an availability this is exactly
//     "the percentile-th latency, counting every error as infinitely slow,
//     is within the target", so a service cannot meet its SLO by rejecting
//     the requests it would have served slowly.
//
// # Results files
//
// timeseries.csv has one row per Sample call per service; see
// TimeseriesHeader for the columns. events.jsonl has one JSON object per
// Lifecycle event; decisions.jsonl one per autoscaler evaluation worth
// reading (see Collector.Decision). All three cover the whole run, warmup
// included: they are a record of what happened, and plots mark the warmup.
//
// Numbers in summary.json are rounded to 12 significant digits, which hides
// binary noise (0.033 rather than 0.032999999999999995). Output is
// byte-deterministic: the same calls give the same bytes.
package reports
