package reports

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Config is what a Collector needs that its calls do not carry.
type Config struct {
	Scenario string
	Seed     uint64
	// Duration is the simulated length of the run: the end of the span the
	// summary covers.
	Duration time.Duration
	// Warmup is the leading time the summary ignores (see the package
	// documentation); 0 <= Warmup <= Duration.
	Warmup time.Duration
	// Services are indexed like the cluster's service indices (the svc and
	// Service fields of the Collector's calls).
	Services []ServiceConfig
	// SampleInterval is the time between Samples; instances.json's
	// columns are no narrower (0: HeatmapColumns columns).
	SampleInterval time.Duration
	// Warnings are the scenario's own warnings (scenarios.Warnings), put
	// first in the Summary's.
	Warnings []Warning
}

// ServiceConfig describes one service.
type ServiceConfig struct {
	// Name is the service's scenario name (unique, non-empty).
	Name string
	// Policy is the autoscaling policy's name, e.g. "cpu" or "static".
	Policy string
	// PricePerHour is the cost of one alive instance for one hour, in USD.
	PricePerHour float64
	// NodeCost says the simulator's own cost figure (Sample.CostUSD: the
	// service's share of the node pools' cost) is the cost, even when it
	// is zero; otherwise cost is instance-hours x PricePerHour.
	NodeCost bool
	// SLO is the service's objective; nil when it has none.
	SLO *SLO
	// Queue says the service's traffic is messages on a queue (asynchronous
	// work): the summary then reports the queue (ServiceSummary.Queue).
	Queue bool
	// Ingress says the service is behind an ingress: the summary then
	// reports its 504s and retries (ServiceSummary.Ingress).
	Ingress bool
}

// SLO is a latency objective: Percentile percent of requests complete within
// Latency, or, when Availability is given, that fraction of them does.
type SLO struct {
	// Latency is the latency target (> 0).
	Latency time.Duration
	// Percentile is in percent, in (0, 100], e.g. 99.
	Percentile float64
	// Availability is a fraction in (0, 1], e.g. 0.999; 0 means not given.
	Availability float64
}

// objective is the fraction of requests that must be good.
func (s *SLO) objective() float64 {
	if s.Availability > 0 {
		return s.Availability
	}
	return s.Percentile / 100
}

// Outputs are where a Collector streams its files. A nil writer skips that
// file. The Collector buffers each writer; Close flushes them but closes
// none of them (Create's files excepted).
type Outputs struct {
	Timeseries io.Writer // timeseries.csv
	Events     io.Writer // events.jsonl
	Decisions  io.Writer // decisions.jsonl
	// Instances gets instances.json, the per-instance and per-node grid,
	// at Close; nil also skips gathering it.
	Instances io.Writer
}

// Validate reports every problem with c.
func (c *Config) Validate() error {
	var errs []error
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration %v: must be positive", c.Duration))
	}
	if c.Warmup < 0 || c.Warmup > c.Duration {
		errs = append(errs, fmt.Errorf("warmup %v: must be within [0, duration %v]", c.Warmup, c.Duration))
	}
	seen := map[string]bool{}
	for i, s := range c.Services {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("service %d: empty name", i))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("service %d: duplicate name %q", i, s.Name))
		}
		seen[s.Name] = true
		if !(s.PricePerHour >= 0) || math.IsInf(s.PricePerHour, 0) {
			errs = append(errs, fmt.Errorf("service %q: price per hour %v: must be a finite number >= 0", s.Name, s.PricePerHour))
		}
		if s.SLO == nil {
			continue
		}
		if s.SLO.Latency <= 0 {
			errs = append(errs, fmt.Errorf("service %q: SLO latency %v: must be positive", s.Name, s.SLO.Latency))
		}
		if !(s.SLO.Percentile > 0 && s.SLO.Percentile <= 100) {
			errs = append(errs, fmt.Errorf("service %q: SLO percentile %v: must be in (0, 100]", s.Name, s.SLO.Percentile))
		}
		if !(s.SLO.Availability >= 0 && s.SLO.Availability <= 1) {
			errs = append(errs, fmt.Errorf("service %q: SLO availability %v: must be a fraction in (0, 1], or 0 for none", s.Name, s.SLO.Availability))
		}
	}
	return errors.Join(errs...)
}

// Collector gathers the statistics of one run and streams its files. Its
// methods take the calls of the simulator's observer (RequestArrived,
// RequestEnded, Lifecycle, Decision, Sample), in this package's own types;
// like the simulator it is single-threaded.
type Collector struct {
	cfg    Config
	warmup sim.Time
	end    sim.Time
	svcs   []service

	ts, ev, dec  *bufio.Writer
	evEnc        *json.Encoder
	decEnc       *json.Encoder
	files        []*os.File    // opened by Create, closed by Close
	row          []byte        // scratch for one CSV line
	tsRow        TimeseriesRow // scratch for one row (a local would escape)
	err          error         // first write error
	closed       bool
	inconsistent error     // first inconsistency seen, for Check
	grid         *grid     // nil without Outputs.Instances
	instOut      io.Writer // Outputs.Instances
}

// cum is the cumulative Sample fields at one instant.
// containerCounts are a service's cumulative container restarts and OOM
// kills.
type containerCounts struct{ restarts, oomKills int64 }

// ingressCounts are a service's cumulative ingress 504s and retried
// connection errors.
type ingressCounts struct{ gatewayTimeouts, retries int64 }

// cfsCounts are a service's cumulative CFS periods, throttled periods and
// throttled seconds.
type cfsCounts struct {
	periods, throttled int64
	seconds            float64
}

type cum struct {
	t                          sim.Time
	cpu, cpuReq, instSec, cost float64
	// CFS quota: periods, throttled periods, throttled seconds.
	periods, throttled, throttledS float64
}

// lerp returns the cumulative values at t, between a and b.
func lerp(a, b cum, t sim.Time) cum {
	if b.t <= a.t || t >= b.t {
		return b
	}
	if t <= a.t {
		return a
	}
	f := float64(t-a.t) / float64(b.t-a.t)
	at := func(x, y float64) float64 { return x + float64(f*(y-x)) }
	return cum{t, at(a.cpu, b.cpu), at(a.cpuReq, b.cpuReq), at(a.instSec, b.instSec), at(a.cost, b.cost),
		at(a.periods, b.periods), at(a.throttled, b.throttled), at(a.throttledS, b.throttledS)}
}

// interval is what one time-series row counts: the requests that arrived
// or ended since the previous row.
type interval struct {
	arrived, completed, rejected, failed, timedOut uint64
	queueWaitSum                                   float64 // completed requests, seconds
	// early says latency holds the latency of a request that arrived
	// before warmup, which the summary leaves out, so that the row cannot
	// be merged into the run's histogram (see service.latency).
	early   bool
	latency Histogram
}

func (iv *interval) reset() {
	iv.arrived, iv.completed, iv.rejected, iv.failed, iv.timedOut = 0, 0, 0, 0, 0
	iv.queueWaitSum = 0
	iv.early = false
	iv.latency.Reset()
}

// service is one service's figures. What every request moves comes first,
// together with the two histograms' headers, so that a request touches
// few cache lines.
type service struct {
	// Every arrival and end, warmup or not: for Check.
	allArrived, allEnded uint64

	// Requests that arrived at or after warmup.
	arrived, completed, rejected, failed, timedOut uint64
	good                                           uint64 // completed within the SLO target
	queueWaitSum                                   float64
	sloTarget                                      sim.Time // latency target in ns; meaningful with hasSLO
	hasSLO                                         bool     // cfg.SLO != nil

	// latency is the latencies of the completed requests that arrived at
	// or after warmup. So that a completion costs one histogram insert,
	// not two, it takes them in bulk: when a row closes, the row's
	// histogram (iv.latency) is merged into it, and only its sum moves
	// with each request, in request order (Histogram.addToSum), so that
	// every figure is what adding the latencies one by one would give. A
	// row that holds the latency of a request that arrived before warmup
	// (iv.early) cannot be merged: from that request until the row
	// closes, latencies are added to both. Read it with runLatency, which
	// adds the open row's share.
	latency Histogram

	// The time series: the current row's counters, the cumulative values at
	// the previous row.
	iv     interval
	rowCum cum

	cfg ServiceConfig
	// The message queue over the samples at or after warmup: the deepest,
	// the oldest message seen, and the last depth.
	queueMax, queueLast int
	queueAgeMax         time.Duration
	up, down            int

	// Alive instances: the level now, since when, and its integral over
	// [warmup, levelSince] in instance-nanoseconds.
	level      int
	levelSince sim.Time
	levelArea  float64
	repMin     int
	repMax     int
	repSeen    bool

	// Cumulative samples: the previous one, the value at warmup, the last.
	prev, base, last cum
	baseSet          bool

	// Placement failures by reason, cumulative: at warmup and at the last
	// sample.
	pfBase, pfLast [NumPlacementReasons]int64
	// Container restarts and OOM kills (cumulative): at warmup, at the
	// last sample, at the last row.
	ctrBase, ctrLast, ctrRow containerCounts
	ctrSet                   bool
	// Ingress 504s and retries (cumulative): at warmup and at the last
	// sample (set with ctrBase).
	ingBase, ingLast ingressCounts
	// CFS counters at the last row.
	cfsRow cfsCounts

	lastReason string // of the previous autoscaler evaluation
}

// runLatency is the latency histogram of the summary's completed
// requests: s.latency with what the open row holds for it.
func (s *service) runLatency() *Histogram {
	if s.iv.early || s.iv.latency.Count() == 0 {
		return &s.latency
	}
	h := new(Histogram)
	*h = s.latency
	h.mergeAllButSum(&s.iv.latency)
	return h
}

// closeRow starts a new row: the row's latencies go into the run's
// histogram when they all belong to it.
func (s *service) closeRow() {
	if !s.iv.early {
		s.latency.takeAllButSum(&s.iv.latency) // and empties it for reset
	}
	s.iv.reset()
}

// New returns a Collector that streams its files to out. It writes the
// timeseries.csv header at once.
func New(cfg Config, out Outputs) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	c := &Collector{
		cfg:    cfg,
		warmup: sim.At(cfg.Warmup),
		end:    sim.At(cfg.Duration),
		svcs:   make([]service, len(cfg.Services)),
	}
	for i, sc := range cfg.Services {
		s := &c.svcs[i]
		s.cfg = sc
		if sc.SLO != nil {
			slo := *sc.SLO
			s.cfg.SLO = &slo
			s.sloTarget, s.hasSLO = sim.At(slo.Latency), true
		}
	}
	const bufSize = 64 << 10
	if out.Timeseries != nil {
		c.ts = bufio.NewWriterSize(out.Timeseries, bufSize)
		c.write(c.ts, []byte(TimeseriesHeader+"\n"))
	}
	if out.Events != nil {
		c.ev = bufio.NewWriterSize(out.Events, bufSize)
		c.evEnc = json.NewEncoder(c.ev)
		c.evEnc.SetEscapeHTML(false)
	}
	if out.Instances != nil {
		c.grid = newGrid(&c.cfg)
		c.instOut = out.Instances
	}
	if out.Decisions != nil {
		c.dec = bufio.NewWriterSize(out.Decisions, bufSize)
		c.decEnc = json.NewEncoder(c.dec)
		c.decEnc.SetEscapeHTML(false)
	}
	return c, nil
}

// Create returns a Collector that writes timeseries.csv, events.jsonl,
// decisions.jsonl and instances.json into dir, creating dir if needed. Close closes the files.
// The caller writes summary.json (WriteSummaryFile) into the same dir; a
// command points dir at a temporary folder and renames it into place once
// everything is written.
func Create(dir string, cfg Config) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var files []*os.File
	for _, name := range []string{TimeseriesFile, EventsFile, DecisionsFile, InstancesFile} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, fmt.Errorf("reports: %w", err)
		}
		files = append(files, f)
	}
	out := Outputs{Timeseries: files[0], Events: files[1], Decisions: files[2], Instances: files[3]}
	c, err := New(cfg, out)
	if err != nil {
		for _, f := range files {
			f.Close()
		}
		return nil, err
	}
	c.files = files
	return c, nil
}

// write writes p to w, keeping the first error.
func (c *Collector) write(w *bufio.Writer, p []byte) {
	if _, err := w.Write(p); err != nil && c.err == nil {
		c.err = err
	}
}

// Close flushes the streamed files (and closes those Create opened). It
// returns the first write error of the run. Calling it again returns nil.
// Summary remains available after Close.
func (c *Collector) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	errs := []error{c.err}
	if c.grid != nil {
		errs = append(errs, c.writeInstances(c.instOut))
	}
	for _, w := range []*bufio.Writer{c.ts, c.ev, c.dec} {
		// A bufio.Writer keeps its first error: do not report it twice.
		if err := flush(w); err != c.err {
			errs = append(errs, err)
		}
	}
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("reports: writing results: %w", err)
	}
	return nil
}

func flush(w *bufio.Writer) error {
	if w == nil {
		return nil
	}
	return w.Flush()
}

// RequestArrived counts a request that reached the service svc.
func (c *Collector) RequestArrived(svc int, now sim.Time) {
	s := &c.svcs[svc]
	s.allArrived++
	s.iv.arrived++
	if now >= c.warmup {
		s.arrived++
	}
}

// RequestEnded counts a request of svc that ended with o; arrived is when
// it arrived, queueWait its wait in a queue before service. The time series counts the
// request in the row of its end; the summary counts it only if it arrived
// at or after warmup.
func (c *Collector) RequestEnded(svc int, o Outcome, arrived, now sim.Time, queueWait time.Duration) {
	s := &c.svcs[svc]
	s.allEnded++
	if s.allEnded > s.allArrived && c.inconsistent == nil {
		c.inconsistent = fmt.Errorf("at %v: service %q: a request ended without having arrived", now, s.cfg.Name)
	}
	post := arrived >= c.warmup
	switch o {
	case Completed:
		// The counters move first and the histogram inserts come last,
		// so that little is live across their calls.
		lat := now - arrived
		// Both in seconds by one division, correctly rounded below 2^53
		// ns (104 days). Duration.Seconds adds the whole seconds to the
		// rest's quotient, two conversions and a sum more and at times
		// another last bit.
		latS, wait := lat.Seconds(), float64(queueWait)/1e9
		iv := &s.iv
		iv.completed++
		iv.queueWaitSum += wait
		if !post {
			if !iv.early {
				// The row's latencies so far all belong to the
				// summary, and this one does not: hand them over
				// before adding it.
				s.latency.mergeAllButSum(&iv.latency)
				iv.early = true
			}
			iv.latency.Add(latS)
			return
		}
		s.completed++
		s.queueWaitSum += wait
		if s.hasSLO && lat <= s.sloTarget {
			s.good++
		}
		if iv.early {
			s.latency.Add(latS)
		} else {
			s.latency.addToSum(latS) // its bucket comes when the row closes
		}
		iv.latency.Add(latS)
	case Rejected:
		s.iv.rejected++
		if post {
			s.rejected++
		}
	case Failed:
		s.iv.failed++
		if post {
			s.failed++
		}
	case TimedOut:
		s.iv.timedOut++
		if post {
			s.timedOut++
		}
	}
}

// setLevel records that the service has n alive instances from t on.
func (c *Collector) setLevel(s *service, t sim.Time, n int) {
	if a, b := max(s.levelSince, c.warmup), min(t, c.end); b > a {
		s.levelArea += float64(float64(s.level) * float64(b-a))
		s.seeLevel(s.level)
	}
	if t > s.levelSince {
		s.levelSince = t
	}
	s.level = n
}

func (s *service) seeLevel(n int) {
	if !s.repSeen {
		s.repMin, s.repMax, s.repSeen = n, n, true
		return
	}
	s.repMin = min(s.repMin, n)
	s.repMax = max(s.repMax, n)
}

func toCounts(k Counts) *CountsRecord {
	return &CountsRecord{k.Desired, k.Pending, k.Starting, k.Ready, k.Draining, k.Alive()}
}

// Lifecycle records an event. Every event becomes one line of
// events.jsonl (an EventRecord). A service's Counts also move its replica
// level.
func (c *Collector) Lifecycle(e Event) {
	line := EventRecord{TimeS: e.Time.Seconds(), Kind: e.Kind, Instance: e.Instance, Detail: e.Detail}
	if e.Service >= 0 {
		s := &c.svcs[e.Service]
		c.setLevel(s, e.Time, e.Counts.Alive())
		line.Service = s.cfg.Name
		line.Counts = toCounts(e.Counts)
	}
	if c.evEnc != nil {
		c.encode(c.evEnc, &line)
	}
}

func (c *Collector) encode(enc *json.Encoder, v any) {
	if err := enc.Encode(v); err != nil && c.err == nil {
		c.err = err
	}
}

// Decision records an autoscaler evaluation. Evaluations at or after warmup
// count as scaling actions when After differs from Before.
//
// decisions.jsonl keeps an evaluation when it changed something or shows
// why nothing changed: the count changed (After != Before), it asked to
// terminate instances, a limit changed or held the calculator's count
// (Limits not empty), or its Reason differs from the service's previous
// evaluation (so the first evaluation, and e.g. the start and the end of a
// "no-metrics" spell, appear once rather than every interval). A steady
// run of identical quiet evaluations is left out.
//
// Each line is a DecisionRecord. Non-finite numbers are null.
func (c *Collector) Decision(d *Decision) {
	s := &c.svcs[d.Service]
	changed := d.After != d.Before
	if d.Time >= c.warmup {
		if d.After > d.Before {
			s.up++
		} else if d.After < d.Before {
			s.down++
		}
	}
	keep := changed || len(d.Terminate) > 0 || len(d.Limits) > 0 || d.Reason != s.lastReason
	s.lastReason = d.Reason
	if !keep || c.decEnc == nil {
		return
	}
	line := DecisionRecord{
		TimeS:       d.Time.Seconds(),
		Service:     s.cfg.Name,
		Policy:      d.Policy,
		Valid:       d.Valid,
		Reason:      d.Reason,
		Changed:     changed,
		Before:      d.Before,
		Raw:         d.Raw,
		Desired:     d.Desired,
		After:       d.After,
		Min:         d.Min,
		Max:         d.Max,
		Pods:        d.Pods,
		InFlight:    JSONFloat(d.InFlight),
		Inputs:      d.Inputs,
		Limits:      d.Limits,
		Terminate:   d.Terminate,
		Explanation: d.Explanation,
	}
	if line.Policy == "" {
		line.Policy = s.cfg.Policy
	}
	// Empty lists are [] in decisions.jsonl, never null.
	if line.Inputs == nil {
		line.Inputs = []InputRecord{}
	}
	if line.Limits == nil {
		line.Limits = []Limit{}
	}
	c.encode(c.decEnc, &line)
}

// Sample records the services' state at now. It writes one timeseries.csv row (a
// TimeseriesRow) per service row and moves the cumulative figures the
// summary uses; the caller calls it once more at the end of the run. A
// Sample at an instant not after the service's previous row (one at time 0,
// or a second one at the same instant) writes no row, since its interval
// would be empty; what it counted goes into the next row.
func (c *Collector) Sample(now sim.Time, rows []Sample) {
	for i := range rows {
		r := &rows[i]
		s := &c.svcs[r.Service]
		c.setLevel(s, now, r.Counts.Alive())
		cur := cum{now, r.CPUSeconds, r.CPURequestSeconds, r.InstanceSeconds, r.CostUSD,
			float64(r.CPUPeriods), float64(r.CPUThrottledPeriods), r.CPUThrottledSeconds}
		if !s.baseSet && now >= c.warmup {
			s.base, s.baseSet = lerp(s.prev, cur, c.warmup), true
			// Counts cannot be interpolated: the failures counted up to
			// the last sample at or before warmup are left out.
			if now > c.warmup {
				s.pfBase = s.pfLast
			} else {
				s.pfBase = r.PlacementFailures
			}
		}
		s.pfLast = r.PlacementFailures
		if !s.ctrSet && now >= c.warmup {
			s.ctrBase, s.ingBase, s.ctrSet = s.ctrLast, s.ingLast, true
			if now == c.warmup {
				s.ctrBase = containerCounts{r.Restarts, r.OOMKills}
				s.ingBase = ingressCounts{r.GatewayTimeouts, r.IngressRetries}
			}
		}
		s.ctrLast = containerCounts{r.Restarts, r.OOMKills}
		s.ingLast = ingressCounts{r.GatewayTimeouts, r.IngressRetries}
		s.prev, s.last = cur, cur
		if now >= c.warmup {
			s.queueMax = max(s.queueMax, r.QueueDepth)
			s.queueAgeMax = max(s.queueAgeMax, r.QueueAge)
		}
		s.queueLast = r.QueueDepth
		if inflight := int64(s.allArrived - s.allEnded); inflight != int64(r.InFlight) && c.inconsistent == nil {
			c.inconsistent = fmt.Errorf("at %v: service %q: InFlight is %d, but %d requests arrived and %d ended",
				now, s.cfg.Name, r.InFlight, s.allArrived, s.allEnded)
		}
		if now <= s.rowCum.t {
			continue
		}
		if c.ts != nil {
			fillRow(&c.tsRow, now, s, r)
			c.row = AppendTimeseriesRow(c.row[:0], &c.tsRow)
			c.write(c.ts, c.row)
		}
		s.rowCum = cur
		s.ctrRow = s.ctrLast
		s.cfsRow = cfsCounts{r.CPUPeriods, r.CPUThrottledPeriods, r.CPUThrottledSeconds}
		s.closeRow()
	}
}

// rowQuantiles are the latency quantiles of a timeseries.csv row, in
// ascending order (so that one walk over the buckets finds them all).
var rowQuantiles = [...]float64{0.50, 0.95, 0.99}

// fillRow fills row with service s over the interval ending at now.
func fillRow(row *TimeseriesRow, now sim.Time, s *service, r *Sample) {
	dt := float64(now-s.rowCum.t) / 1e9
	iv := &s.iv
	k := r.Counts
	nan := math.NaN()
	*row = TimeseriesRow{
		TimeS:            now.Seconds(),
		Service:          s.cfg.Name,
		ArrivalRPS:       float64(iv.arrived) / dt,
		ReplicasDesired:  int64(k.Desired),
		ReplicasReady:    int64(k.Ready),
		ReplicasStarting: int64(k.Starting),
		ReplicasDraining: int64(k.Draining),
		InFlight:         int64(r.InFlight),
		CPUUtilization:   nan,
		LatencyP50S:      nan,
		LatencyP95S:      nan,
		LatencyP99S:      nan,
		Errors:           int64(iv.rejected + iv.failed + iv.timedOut),
		ReplicasPending:  int64(k.Pending),
		ReplicasAlive:    int64(k.Alive()),
		Arrived:          int64(iv.arrived),
		Completed:        int64(iv.completed),
		Rejected:         int64(iv.rejected),
		Failed:           int64(iv.failed),
		TimedOut:         int64(iv.timedOut),
		LatencyMeanS:     nan,
		LatencyMaxS:      nan,
		QueueWaitMeanS:   nan,
		CPUCores:         (r.CPUSeconds - s.rowCum.cpu) / dt,
		MemoryBytes:      r.MemoryBytes,

		ReplicasUnschedulable: int64(r.Unschedulable),
		QueueDepth:            int64(r.QueueDepth),
		QueueAgeS:             r.QueueAge.Seconds(),
		Restarts:              r.Restarts - s.ctrRow.restarts,
		OOMKills:              r.OOMKills - s.ctrRow.oomKills,
		MemoryRequestBytes:    r.MemoryRequestBytes,
		MemoryLimitBytes:      r.MemoryLimitBytes,
		CPUPeriods:            r.CPUPeriods - s.cfsRow.periods,
		CPUThrottledPeriods:   r.CPUThrottledPeriods - s.cfsRow.throttled,
		CPUThrottledSeconds:   r.CPUThrottledSeconds - s.cfsRow.seconds,
	}
	if req := r.CPURequestSeconds - s.rowCum.cpuReq; req > 0 {
		row.CPUUtilization = (r.CPUSeconds - s.rowCum.cpu) / req
	}
	if ended := iv.completed + iv.rejected + iv.failed + iv.timedOut; ended > 0 {
		var ps [len(rowQuantiles)]float64
		iv.latency.QuantilesAmong(rowQuantiles[:], ended, ps[:])
		row.LatencyP50S, row.LatencyP95S, row.LatencyP99S = ps[0], ps[1], ps[2]
	}
	if iv.completed > 0 {
		row.LatencyMeanS = iv.latency.Mean()
		row.LatencyMaxS = iv.latency.Max()
		row.QueueWaitMeanS = iv.queueWaitSum / float64(iv.completed)
	}
}

// Check reports the first inconsistency seen in the calls, or nil: a
// request that ended without having arrived, or a Sample whose InFlight
// differs from the arrivals minus the ends seen so far. It is a diagnostic
// for tests of the simulator; the Collector's figures do not depend on it.
func (c *Collector) Check() error {
	return c.inconsistent
}
