package reports

// The summary table's number formats, for report.html to print every
// figure as the table does.

// FormatSeconds formats a duration in seconds: 0, 850µs, 34.4ms, 1.25s.
func FormatSeconds(v float64) string { return seconds(v) }

// FormatPercentile formats a latency percentile: as FormatSeconds, or
// "> MAX" when it is beyond every latency (Beyond), MAX being maxS, the
// slowest completed latency ("∞" without one).
func FormatPercentile(v, maxS float64) string { return pctl(v, maxS) }

// FormatShare formats a fraction of requests (errors, in flight) so that a
// non-zero count never reads 0%: 12.5%, 0.25%, 0.0033%.
func FormatShare(f float64) string { return share(f) }

// FormatPercent formats a fraction with as many decimals as it takes to
// tell 99.9% from 100%: 100%, 99.95%, 12.5%.
func FormatPercent(f float64) string { return percent(f) }

// FormatConfidence formats a confidence level, 0.95 as "95%".
func FormatConfidence(c float64) string { return level(c) }
