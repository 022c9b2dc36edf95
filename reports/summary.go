package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Summary is summary.json: the run's totals, exactly the schema of docs/reference.md.
// The package documentation defines every figure. Services are keyed by
// name; encoding/json writes map keys sorted, so the output is
// deterministic.
type Summary struct {
	Scenario  string                    `json:"scenario"`
	Seed      uint64                    `json:"seed"`
	DurationS float64                   `json:"duration_s"`
	Events    uint64                    `json:"events"`
	WallS     float64                   `json:"wall_s"`
	Services  map[string]ServiceSummary `json:"services"`
	// Warnings are what a user would want told about the run (see
	// Warning): the scenario's (Config.Warnings), then those of each
	// service's figures in service order. An empty list when none.
	Warnings []Warning `json:"warnings"`
}

// ServiceSummary is one service's totals over [warmup, duration].
type ServiceSummary struct {
	Policy   string   `json:"policy"`
	Requests Requests `json:"requests"`
	// LatencyS ranks every request that arrived: the ones that did not
	// complete count as slower than any latency, so a percentile that
	// falls among them is +Inf (null in JSON). Mean and Max are of the
	// completed requests.
	LatencyS Latency `json:"latency_s"`
	// LatencyCompletedS is the latency of the completed requests alone.
	LatencyCompletedS  Latency        `json:"latency_completed_s"`
	QueueWaitS         QueueWait      `json:"queue_wait_s"`
	Replicas           Replicas       `json:"replicas"`
	ScalingActions     ScalingActions `json:"scaling_actions"`
	CPUUtilizationMean float64        `json:"cpu_utilization_mean"`
	// CPUThrottling is what cAdvisor reports of the CPU limit's CFS
	// quota, summed over the instances (zeros without a limit).
	CPUThrottling CPUThrottling `json:"cpu_throttling"`
	Cost          Cost          `json:"cost"`
	// SLO is absent (the key is omitted) when the service has no SLO.
	SLO *SLOResult `json:"slo,omitempty"`
	// PlacementFailures counts, by reason (node, cpu, memory, spread),
	// the nodes that refused the service's instances when they were
	// placed: why instances stayed Pending. Absent when none was refused.
	PlacementFailures map[string]int64 `json:"placement_failures,omitempty"`
	// Restarts counts the containers restarted in place (after a failed
	// liveness or startup probe, or an OOM kill), OOMKills the containers
	// OOM-killed (their working set above memory_limit).
	Restarts int64 `json:"restarts"`
	OOMKills int64 `json:"oom_kills"`
	// Queue is the service's message queue (asynchronous work); absent for
	// request traffic.
	Queue *QueueSummary `json:"queue,omitempty"`
	// Ingress is the service's ingress-nginx hop; absent for a service
	// without one.
	Ingress *IngressSummary `json:"ingress,omitempty"`
}

// IngressSummary counts what a service's ingress did after warmup (from
// the last sample at or before it, like restarts): the requests it ended
// with a 504 because no response came within proxy_read_timeout (they are
// among requests.failed), and the connection errors (an endpoint that
// refused the request or was gone) it passed to the next endpoint
// (proxy_next_upstream), which the clients never saw.
type IngressSummary struct {
	GatewayTimeouts int64 `json:"gateway_timeouts"`
	Retries         int64 `json:"retries"`
}

// QueueSummary is a message queue over the samples at or after warmup.
type QueueSummary struct {
	// DepthMax is the most messages waiting at a sample instant.
	DepthMax int `json:"depth_max"`
	// DepthAtEnd is the messages waiting at the last sample.
	DepthAtEnd int `json:"depth_at_end"`
	// MessageAgeMaxS is the oldest waiting message's largest age at a
	// sample instant, in seconds.
	MessageAgeMaxS float64 `json:"message_age_max_s"`
}

// CPUThrottling counts CFS quota periods: those in which an instance had
// work to run, those in which it spent its quota and was throttled, and
// the time it spent throttled (container_cpu_cfs_periods_total,
// _throttled_periods_total, _throttled_seconds_total).
type CPUThrottling struct {
	Periods          int64   `json:"periods"`
	ThrottledPeriods int64   `json:"throttled_periods"`
	ThrottledSeconds float64 `json:"throttled_seconds"`
}

// Requests counts the requests that arrived at or after warmup by outcome;
// Arrived = Completed + Rejected + Failed + TimedOut + InFlightAtEnd.
type Requests struct {
	Arrived       uint64 `json:"arrived"`
	Completed     uint64 `json:"completed"`
	Rejected      uint64 `json:"rejected"`
	Failed        uint64 `json:"failed"`
	TimedOut      uint64 `json:"timed_out"`
	InFlightAtEnd uint64 `json:"in_flight_at_end"`
}

// Errors is rejected + failed + timed out.
func (r Requests) Errors() uint64 { return r.Rejected + r.Failed + r.TimedOut }

// Latency is a latency distribution, in seconds. A percentile is +Inf when
// it is beyond every latency: more than 1 - q of the requests ranked did
// not complete. In JSON +Inf is null (JSON has no infinity), and null reads
// back as +Inf.
type Latency struct {
	Mean float64
	P50  float64
	P90  float64
	P95  float64
	P99  float64
	P999 float64
	Max  float64
	// NotCompleted is the fraction of the requests ranked that did not
	// complete (rejected, failed, timed out or in flight at the end): a
	// percentile q is beyond (+Inf) when ceil(q x arrived) > completed,
	// roughly when q > 1 - NotCompleted. Omitted when zero.
	NotCompleted float64
}

// latencyJSON is Latency as summary.json holds it.
type latencyJSON struct {
	Mean         LatencyFloat `json:"mean"`
	P50          LatencyFloat `json:"p50"`
	P90          LatencyFloat `json:"p90"`
	P95          LatencyFloat `json:"p95"`
	P99          LatencyFloat `json:"p99"`
	P999         LatencyFloat `json:"p999"`
	Max          LatencyFloat `json:"max"`
	NotCompleted float64      `json:"not_completed,omitempty"`
}

// MarshalJSON implements json.Marshaler: +Inf as null.
func (l Latency) MarshalJSON() ([]byte, error) {
	return json.Marshal(latencyJSON{LatencyFloat(l.Mean), LatencyFloat(l.P50), LatencyFloat(l.P90), LatencyFloat(l.P95),
		LatencyFloat(l.P99), LatencyFloat(l.P999), LatencyFloat(l.Max), l.NotCompleted})
}

// UnmarshalJSON implements json.Unmarshaler: null as +Inf.
func (l *Latency) UnmarshalJSON(b []byte) error {
	var j latencyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = Latency{float64(j.Mean), float64(j.P50), float64(j.P90), float64(j.P95), float64(j.P99),
		float64(j.P999), float64(j.Max), j.NotCompleted}
	return nil
}

// LatencyFloat is a latency in seconds that encodes +Inf (and NaN) as null
// and decodes null as +Inf: a percentile beyond every latency.
type LatencyFloat float64

// MarshalJSON implements json.Marshaler.
func (f LatencyFloat) MarshalJSON() ([]byte, error) { return marshalFinite(float64(f)) }

// UnmarshalJSON implements json.Unmarshaler.
func (f *LatencyFloat) UnmarshalJSON(b []byte) error {
	v, err := unmarshalOr(b, math.Inf(1))
	*f = LatencyFloat(v)
	return err
}

// Beyond reports whether a percentile is beyond every latency (+Inf).
func Beyond(v float64) bool { return math.IsInf(v, 1) }

// QueueWait is the wait before service of completed requests, in seconds.
type QueueWait struct {
	Mean float64 `json:"mean"`
}

// Replicas are alive instances (pending, starting, ready or draining).
type Replicas struct {
	Min  int     `json:"min"`
	Mean float64 `json:"mean"`
	Max  int     `json:"max"`
}

// ScalingActions count evaluations that raised or lowered the count.
type ScalingActions struct {
	Up   int `json:"up"`
	Down int `json:"down"`
}

// Cost is what the alive instances cost.
type Cost struct {
	InstanceHours float64 `json:"instance_hours"`
	USD           float64 `json:"usd"`
}

// SLOResult is how the service did against its SLO.
type SLOResult struct {
	Met            bool    `json:"met"`
	LatencyTargetS float64 `json:"latency_target_s"`
	Percentile     float64 `json:"percentile"`
	// Objective is the fraction of requests that must be good: the SLO's
	// availability when given, else percentile/100.
	Objective  float64 `json:"objective"`
	Attainment float64 `json:"attainment"`
}

// Target is Objective, or percentile/100 in a summary written before
// Objective existed.
func (r *SLOResult) Target() float64 {
	if r.Objective > 0 {
		return r.Objective
	}
	return r.Percentile / 100
}

// clean maps NaN and infinities to 0, so that summary.json always encodes,
// and rounds to 12 significant digits, so that binary noise
// (0.032999999999999995) does not reach people who read the file.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// Summary returns the run's totals as of now (normally after the final
// Sample). events is the number of simulation events fired, wall the wall
// time the run took (wall_s, rounded to the millisecond: the one figure that
// differs between identical runs). Summary does not change the Collector.
func (c *Collector) Summary(events uint64, wall time.Duration) Summary {
	out := Summary{
		Scenario:  c.cfg.Scenario,
		Seed:      c.cfg.Seed,
		DurationS: c.cfg.Duration.Seconds(),
		Events:    events,
		WallS:     float64(wall.Round(time.Millisecond).Milliseconds()) / 1000,
		Services:  make(map[string]ServiceSummary, len(c.svcs)),
	}
	out.Warnings = append([]Warning{}, c.cfg.Warnings...)
	for i := range c.svcs {
		s := &c.svcs[i]
		v := c.serviceSummary(s)
		out.Services[s.cfg.Name] = v
		out.Warnings = append(out.Warnings, runWarnings(s.cfg.Name, &v)...)
	}
	return out
}

func (c *Collector) serviceSummary(s *service) ServiceSummary {
	r := Requests{
		Arrived:   s.arrived,
		Completed: s.completed,
		Rejected:  s.rejected,
		Failed:    s.failed,
		TimedOut:  s.timedOut,
	}
	if ended := r.Completed + r.Errors(); ended < r.Arrived {
		r.InFlightAtEnd = r.Arrived - ended
	}
	h := s.runLatency()
	out := ServiceSummary{
		Policy:   s.cfg.Policy,
		Requests: r,
		LatencyS: Latency{
			Mean: h.Mean(),
			P50:  h.QuantileAmong(0.50, r.Arrived),
			P90:  h.QuantileAmong(0.90, r.Arrived),
			P95:  h.QuantileAmong(0.95, r.Arrived),
			P99:  h.QuantileAmong(0.99, r.Arrived),
			P999: h.QuantileAmong(0.999, r.Arrived),
			Max:  h.Max(),
		},
		LatencyCompletedS: Latency{
			Mean: h.Mean(),
			P50:  h.Quantile(0.50),
			P90:  h.Quantile(0.90),
			P95:  h.Quantile(0.95),
			P99:  h.Quantile(0.99),
			P999: h.Quantile(0.999),
			Max:  h.Max(),
		},
		ScalingActions: ScalingActions{Up: s.up, Down: s.down},
	}
	if r.Arrived > r.Completed {
		out.LatencyS.NotCompleted = clean(float64(r.Arrived-r.Completed) / float64(r.Arrived))
	}
	if s.completed > 0 {
		out.QueueWaitS.Mean = s.queueWaitSum / float64(s.completed)
	}

	// Replicas: close the level that holds since the last change at the end.
	area, lo, hi, seen := s.levelArea, s.repMin, s.repMax, s.repSeen
	if a, b := max(s.levelSince, c.warmup), c.end; b > a {
		area += float64(float64(s.level) * float64(b-a))
		if !seen {
			lo, hi, seen = s.level, s.level, true
		}
		lo, hi = min(lo, s.level), max(hi, s.level)
	}
	if !seen { // no time at all in [warmup, end]
		lo, hi = s.level, s.level
	}
	out.Replicas = Replicas{Min: lo, Max: hi, Mean: float64(s.level)}
	if s.cfg.Ingress {
		out.Ingress = &IngressSummary{}
		if s.ctrSet {
			out.Ingress.GatewayTimeouts = s.ingLast.gatewayTimeouts - s.ingBase.gatewayTimeouts
			out.Ingress.Retries = s.ingLast.retries - s.ingBase.retries
		}
	}
	if s.cfg.Queue {
		out.Queue = &QueueSummary{DepthMax: s.queueMax, DepthAtEnd: s.queueLast, MessageAgeMaxS: s.queueAgeMax.Seconds()}
	}
	if span := c.end - c.warmup; span > 0 {
		out.Replicas.Mean = area / float64(span)
	}

	// CPU and cost: the cumulative samples between warmup and the last one.
	if s.baseSet {
		if req := s.last.cpuReq - s.base.cpuReq; req > 0 {
			out.CPUUtilizationMean = (s.last.cpu - s.base.cpu) / req
		}
		out.CPUThrottling = CPUThrottling{
			Periods:          int64(math.Round(s.last.periods - s.base.periods)),
			ThrottledPeriods: int64(math.Round(s.last.throttled - s.base.throttled)),
			ThrottledSeconds: s.last.throttledS - s.base.throttledS,
		}
		out.Cost.InstanceHours = (s.last.instSec - s.base.instSec) / 3600
		out.Cost.USD = out.Cost.InstanceHours * s.cfg.PricePerHour
		if s.cfg.NodeCost {
			// The simulator's own figure: the service's share of the
			// nodes' cost.
			out.Cost.USD = s.last.cost - s.base.cost
		}
		out.Restarts = s.ctrLast.restarts - s.ctrBase.restarts
		out.OOMKills = s.ctrLast.oomKills - s.ctrBase.oomKills
		for r := range NumPlacementReasons {
			if n := s.pfLast[r] - s.pfBase[r]; n > 0 {
				if out.PlacementFailures == nil {
					out.PlacementFailures = map[string]int64{}
				}
				out.PlacementFailures[r.String()] = n
			}
		}
	}

	if slo := s.cfg.SLO; slo != nil {
		res := &SLOResult{
			LatencyTargetS: slo.Latency.Seconds(),
			Percentile:     slo.Percentile,
			Objective:      clean(slo.objective()),
			Attainment:     1,
		}
		if r.Arrived > 0 {
			res.Attainment = float64(s.good) / float64(r.Arrived)
		}
		res.Met = res.Attainment >= slo.objective() // before rounding
		res.Attainment = clean(res.Attainment)
		out.SLO = res
	}

	for _, l := range []*Latency{&out.LatencyS, &out.LatencyCompletedS} {
		for _, p := range []*float64{&l.Mean, &l.P50, &l.P90, &l.P95, &l.P99, &l.P999, &l.Max} {
			if !Beyond(*p) {
				*p = clean(*p)
			}
		}
	}
	for _, p := range []*float64{&out.QueueWaitS.Mean, &out.Replicas.Mean,
		&out.CPUUtilizationMean, &out.CPUThrottling.ThrottledSeconds, &out.Cost.InstanceHours, &out.Cost.USD} {
		*p = clean(*p)
	}
	return out
}

// WriteSummary writes s as indented JSON followed by a newline.
func WriteSummary(w io.Writer, s Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encoding the summary: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("reports: writing the summary: %w", err)
	}
	return nil
}

// WriteSummaryFile writes s to the file at path (normally
// DIR/summary.json), replacing it.
func WriteSummaryFile(path string, s Summary) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	w := bufio.NewWriter(f)
	err = WriteSummary(w, s)
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("reports: writing the summary: %w", ferr)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("reports: writing the summary: %w", cerr)
	}
	return err
}

// WriteTable writes s as a readable table: a line about the run, then one
// row per service (sorted by name) with its requests, errors (rejected +
// failed + timed out, and each), the requests in flight at the end, the
// latency percentiles of latency_s ("> MAX" when beyond every latency),
// mean and peak replicas, mean CPU utilization, cost and SLO outcome. The
// warnings are not in it: WriteWarnings writes them (on stderr).
func WriteTable(w io.Writer, s Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  seed %d  %v simulated  %d events  %.2fs wall\n\n",
		s.Scenario, s.Seed, time.Duration(s.DurationS*1e9).Round(time.Millisecond), s.Events, s.WallS)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPOLICY\tARRIVED\tCOMPLETED\tERRORS\trej/fail/timeout\tIN FLIGHT\tP50\tP95\tP99\tREPLICAS mean/max\tCPU\tCOST\tSLO")
	names := make([]string, 0, len(s.Services))
	for name := range s.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := s.Services[name]
		r := v.Requests
		count := func(n uint64) string {
			if r.Arrived == 0 || n == 0 {
				return fmt.Sprint(n)
			}
			return fmt.Sprintf("%d (%s)", n, share(float64(n)/float64(r.Arrived)))
		}
		kinds := fmt.Sprintf("%d / %d / %d", r.Rejected, r.Failed, r.TimedOut)
		slo := "-"
		if v.SLO != nil {
			slo = "missed"
			if v.SLO.Met {
				slo = "met"
			}
			slo += fmt.Sprintf(" (%s within %s)", percent(v.SLO.Attainment), seconds(v.SLO.LatencyTargetS))
		}
		l := v.LatencyS
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f / %d\t%.0f%%\t$%.2f\t%s\n",
			name, v.Policy, r.Arrived, r.Completed, count(r.Errors()), kinds, count(r.InFlightAtEnd),
			pctl(l.P50, l.Max), pctl(l.P95, l.Max), pctl(l.P99, l.Max),
			v.Replicas.Mean, v.Replicas.Max, 100*v.CPUUtilizationMean, v.Cost.USD, slo)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// seconds formats a latency for people: 850µs, 12.3ms, 1.25s.
func seconds(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1e-3:
		return fmt.Sprintf("%.0fµs", v*1e6)
	case v < 1:
		return fmt.Sprintf("%.1fms", v*1e3)
	default:
		return fmt.Sprintf("%.2fs", v)
	}
}

// share formats a fraction of requests (errors, in flight) so that a
// non-zero count never reads 0%: one decimal, or two significant digits
// below 1%: 12.5%, 0.25%, 0.0033%.
func share(f float64) string {
	p := 100 * f
	switch {
	case f <= 0:
		return "0%"
	case f >= 1:
		return "100%"
	case p >= 1:
		s := strconv.FormatFloat(p, 'f', 1, 64)
		if s == "100.0" { // 99.96% is not all of them
			s = strconv.FormatFloat(p, 'f', 2, 64)
		}
		return s + "%"
	}
	dec := 1 - int(math.Floor(math.Log10(p)))
	return strconv.FormatFloat(p, 'f', dec, 64) + "%"
}

// pctl formats a percentile of latency_s: a latency, or, when it is beyond
// every latency (more requests did not complete than the percentile
// leaves out), "> MAX" with MAX the largest latency completed (maxS), or
// "∞" when none completed.
func pctl(v, maxS float64) string {
	if !Beyond(v) {
		return seconds(v)
	}
	if maxS > 0 && !Beyond(maxS) {
		return "> " + seconds(maxS)
	}
	return "∞"
}

// percent formats a fraction with as many decimals as it takes to tell
// 99.9% from 100%: 100%, 99.95%, 12.5%.
func percent(f float64) string {
	if f >= 1 {
		return "100%"
	}
	for prec := 1; prec < 6; prec++ {
		s := fmt.Sprintf("%.*f", prec, 100*f)
		if s != fmt.Sprintf("%.*f", prec, 100.0) {
			return s + "%"
		}
	}
	return fmt.Sprintf("%.6f%%", 100*f)
}

// ReadSummary reads a summary.json.
func ReadSummary(r io.Reader) (Summary, error) {
	var s Summary
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return Summary{}, fmt.Errorf("reports: reading %s: %w", SummaryFile, err)
	}
	return s, nil
}
