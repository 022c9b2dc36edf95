package reports

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files of a results folder that this package writes.
const (
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.csv"
	EventsFile     = "events.jsonl"
	DecisionsFile  = "decisions.jsonl"
)

// TimeseriesRow is one row of timeseries.csv: one service over one sample
// interval, (previous sample, TimeS]. Counts of instances and in-flight
// requests are taken at the sample instant; request counts and rates cover
// the interval (a request is counted in the row of its arrival for Arrived
// and ArrivalRPS, of its end for the outcomes and latencies). Fields that
// can be undefined are NaN then, written as an empty cell.
type TimeseriesRow struct {
	TimeS            float64 // time_s: the sample instant, seconds since the start
	Service          string  // service
	ArrivalRPS       float64 // arrival_rps: Arrived / interval length
	ReplicasDesired  int64   // replicas_desired
	ReplicasReady    int64   // replicas_ready
	ReplicasStarting int64   // replicas_starting
	ReplicasDraining int64   // replicas_draining
	InFlight         int64   // in_flight: accepted and not yet ended
	// CPUUtilization is CPU seconds used / CPU request-seconds over the
	// interval (1 = the request); NaN when nothing requested CPU.
	CPUUtilization float64 // cpu_utilization
	// Latency percentiles of the requests that ended in the interval, the
	// ones that did not complete (rejected, failed, timed out) ranked
	// above every latency (within HistogramRelativeError): +Inf ("inf" in
	// the file) when the percentile falls among those; NaN when no request
	// ended.
	LatencyP50S float64 // latency_p50_s
	LatencyP95S float64 // latency_p95_s
	LatencyP99S float64 // latency_p99_s
	Errors      int64   // errors: Rejected + Failed + TimedOut
	// Extra columns, after the docs/reference.md ones.
	ReplicasPending int64   // replicas_pending
	ReplicasAlive   int64   // replicas_alive: pending + starting + ready + draining
	Arrived         int64   // arrived
	Completed       int64   // completed
	Rejected        int64   // rejected
	Failed          int64   // failed
	TimedOut        int64   // timed_out
	LatencyMeanS    float64 // latency_mean_s: NaN when nothing completed
	LatencyMaxS     float64 // latency_max_s: NaN when nothing completed
	QueueWaitMeanS  float64 // queue_wait_mean_s: of the completed; NaN when none
	CPUCores        float64 // cpu_cores: CPU seconds used / interval length
	MemoryBytes     float64 // memory_bytes: working set at the instant
	// ReplicasUnschedulable are the Pending instances no node can take at
	// the instant (events.jsonl's instance-unschedulable says why).
	ReplicasUnschedulable int64 // replicas_unschedulable
	// QueueDepth is the messages waiting on the service's queue at the
	// instant, QueueAgeS the oldest one's age (asynchronous work; 0 for
	// requests).
	QueueDepth int64   // queue_depth
	QueueAgeS  float64 // queue_age_s
	// Restarts and OOMKills are the containers restarted in place and
	// OOM-killed in the interval.
	Restarts int64 // restarts
	OOMKills int64 // oom_kills
	// MemoryRequestBytes and MemoryLimitBytes are the running containers'
	// memory requests and limits at the instant, summed (0 without).
	MemoryRequestBytes float64 // memory_request_bytes
	MemoryLimitBytes   float64 // memory_limit_bytes
	// CPUPeriods and CPUThrottledPeriods are the CFS periods run and
	// throttled in the interval, CPUThrottledSeconds the time throttled
	// in it (all 0 without a CPU limit).
	CPUPeriods          int64   // cpu_periods
	CPUThrottledPeriods int64   // cpu_throttled_periods
	CPUThrottledSeconds float64 // cpu_throttled_seconds
}

// tsColumn is one column of timeseries.csv: its name and the field it
// holds. Exactly one of flt, num, str is set; prec is the number of decimals
// of a float (-1: the shortest exact decimal).
type tsColumn struct {
	name string
	prec int
	flt  func(*TimeseriesRow) *float64
	num  func(*TimeseriesRow) *int64
	str  func(*TimeseriesRow) *string
}

// tsColumns are the columns in order; the first 13 are docs/reference.md's.
var tsColumns = []tsColumn{
	{name: "time_s", prec: -1, flt: func(r *TimeseriesRow) *float64 { return &r.TimeS }},
	{name: "service", str: func(r *TimeseriesRow) *string { return &r.Service }},
	{name: "arrival_rps", prec: 4, flt: func(r *TimeseriesRow) *float64 { return &r.ArrivalRPS }},
	{name: "replicas_desired", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasDesired }},
	{name: "replicas_ready", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasReady }},
	{name: "replicas_starting", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasStarting }},
	{name: "replicas_draining", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasDraining }},
	{name: "in_flight", num: func(r *TimeseriesRow) *int64 { return &r.InFlight }},
	{name: "cpu_utilization", prec: 4, flt: func(r *TimeseriesRow) *float64 { return &r.CPUUtilization }},
	{name: "latency_p50_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.LatencyP50S }},
	{name: "latency_p95_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.LatencyP95S }},
	{name: "latency_p99_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.LatencyP99S }},
	{name: "errors", num: func(r *TimeseriesRow) *int64 { return &r.Errors }},
	{name: "replicas_pending", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasPending }},
	{name: "replicas_alive", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasAlive }},
	{name: "arrived", num: func(r *TimeseriesRow) *int64 { return &r.Arrived }},
	{name: "completed", num: func(r *TimeseriesRow) *int64 { return &r.Completed }},
	{name: "rejected", num: func(r *TimeseriesRow) *int64 { return &r.Rejected }},
	{name: "failed", num: func(r *TimeseriesRow) *int64 { return &r.Failed }},
	{name: "timed_out", num: func(r *TimeseriesRow) *int64 { return &r.TimedOut }},
	{name: "latency_mean_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.LatencyMeanS }},
	{name: "latency_max_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.LatencyMaxS }},
	{name: "queue_wait_mean_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.QueueWaitMeanS }},
	{name: "cpu_cores", prec: 4, flt: func(r *TimeseriesRow) *float64 { return &r.CPUCores }},
	{name: "memory_bytes", prec: 0, flt: func(r *TimeseriesRow) *float64 { return &r.MemoryBytes }},
	{name: "replicas_unschedulable", num: func(r *TimeseriesRow) *int64 { return &r.ReplicasUnschedulable }},
	{name: "queue_depth", num: func(r *TimeseriesRow) *int64 { return &r.QueueDepth }},
	{name: "queue_age_s", prec: 6, flt: func(r *TimeseriesRow) *float64 { return &r.QueueAgeS }},
	{name: "restarts", num: func(r *TimeseriesRow) *int64 { return &r.Restarts }},
	{name: "oom_kills", num: func(r *TimeseriesRow) *int64 { return &r.OOMKills }},
	{name: "memory_request_bytes", prec: 0, flt: func(r *TimeseriesRow) *float64 { return &r.MemoryRequestBytes }},
	{name: "memory_limit_bytes", prec: 0, flt: func(r *TimeseriesRow) *float64 { return &r.MemoryLimitBytes }},
	{name: "cpu_periods", num: func(r *TimeseriesRow) *int64 { return &r.CPUPeriods }},
	{name: "cpu_throttled_periods", num: func(r *TimeseriesRow) *int64 { return &r.CPUThrottledPeriods }},
	{name: "cpu_throttled_seconds", prec: 4, flt: func(r *TimeseriesRow) *float64 { return &r.CPUThrottledSeconds }},
}

// TimeseriesHeader is the first line of timeseries.csv (without the
// newline). It begins with docs/reference.md's columns
//
//	time_s,service,arrival_rps,replicas_desired,replicas_ready,
//	replicas_starting,replicas_draining,in_flight,cpu_utilization,
//	latency_p50_s,latency_p95_s,latency_p99_s,errors
//
// and goes on with
//
//	replicas_pending,replicas_alive,arrived,completed,rejected,failed,
//	timed_out,latency_mean_s,latency_max_s,queue_wait_mean_s,cpu_cores,
//	memory_bytes,replicas_unschedulable,queue_depth,queue_age_s,restarts,
//	oom_kills,memory_request_bytes,memory_limit_bytes,cpu_periods,
//	cpu_throttled_periods,cpu_throttled_seconds
//
// TimeseriesRow documents each. Integers are written as such; time_s as
// the shortest exact decimal; other numbers in fixed point (6 decimals for
// seconds, 4 for rates, utilization and cores, 0 for bytes) with trailing
// zeros trimmed; undefined values (NaN) as an empty cell; a latency
// percentile beyond every latency as inf. Columns may be
// added at the end in later versions; none will be renamed.
const TimeseriesHeader = "time_s,service,arrival_rps,replicas_desired,replicas_ready,replicas_starting," +
	"replicas_draining,in_flight,cpu_utilization,latency_p50_s,latency_p95_s,latency_p99_s,errors," +
	"replicas_pending,replicas_alive,arrived,completed,rejected,failed,timed_out," +
	"latency_mean_s,latency_max_s,queue_wait_mean_s,cpu_cores,memory_bytes,replicas_unschedulable," +
	"queue_depth,queue_age_s,restarts,oom_kills," +
	"memory_request_bytes,memory_limit_bytes,cpu_periods,cpu_throttled_periods,cpu_throttled_seconds"

// AppendTimeseriesRow appends r as one CSV line, newline included.
func AppendTimeseriesRow(b []byte, r *TimeseriesRow) []byte {
	for i, c := range tsColumns {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case c.flt != nil:
			b = appendFixed(b, *c.flt(r), c.prec)
		case c.num != nil:
			b = strconv.AppendInt(b, *c.num(r), 10)
		default:
			b = appendCSVString(b, *c.str(r))
		}
	}
	return append(b, '\n')
}

// appendCSVString appends s as a CSV field, quoted only when it must be.
func appendCSVString(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

// appendFixed appends v with prec decimals (the shortest exact decimal for
// prec < 0), trailing zeros and a bare point trimmed, "-0" written as "0",
// "inf" for +Inf (a percentile beyond every latency) and nothing for NaN
// and -Inf.
func appendFixed(b []byte, v float64, prec int) []byte {
	if math.IsInf(v, 1) {
		return append(b, "inf"...)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return b
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<52 {
		// A whole number (zeros, byte counts, times on the second are
		// most of a row): what strconv writes once trimmed, without its
		// float formatting. Below 2^52 a float's neighbours are closer
		// than 1, so even the shortest form has every integer digit.
		return strconv.AppendInt(b, int64(v), 10)
	}
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	if prec > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// ReadTimeseries reads a timeseries.csv. Columns are found by their header
// name, so files with columns added later still read; the docs/reference.md columns
// must be present, others missing read as 0 (NaN for the float ones).
// Empty cells read as NaN.
func ReadTimeseries(r io.Reader) ([]TimeseriesRow, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reports: reading the timeseries header: %w", err)
	}
	index := map[string]int{}
	for i, name := range header {
		index[name] = i
	}
	cols := make([]int, len(tsColumns)) // field -> CSV column, -1 if absent
	for i, c := range tsColumns {
		j, ok := index[c.name]
		if !ok && i < 13 {
			return nil, fmt.Errorf("reports: timeseries has no column %q", c.name)
		}
		if !ok {
			j = -1
		}
		cols[i] = j
	}
	var rows []TimeseriesRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reports: reading the timeseries: %w", err)
		}
		var row TimeseriesRow
		for i, c := range tsColumns {
			cell := ""
			if cols[i] >= 0 {
				cell = rec[cols[i]]
			}
			switch {
			case c.flt != nil:
				v := math.NaN()
				if cell != "" {
					if v, err = strconv.ParseFloat(cell, 64); err != nil {
						return nil, fmt.Errorf("reports: timeseries line %d, %s: %w", line, c.name, err)
					}
				}
				*c.flt(&row) = v
			case c.num != nil:
				var v int64
				if cell != "" {
					if v, err = strconv.ParseInt(cell, 10, 64); err != nil {
						return nil, fmt.Errorf("reports: timeseries line %d, %s: %w", line, c.name, err)
					}
				}
				*c.num(&row) = v
			default:
				*c.str(&row) = cell
			}
		}
		rows = append(rows, row)
	}
}

// JSONFloat is a float64 that encodes as null when it is not finite (JSON
// has no NaN or infinity) and decodes null as NaN.
type JSONFloat float64

// MarshalJSON implements json.Marshaler.
func (f JSONFloat) MarshalJSON() ([]byte, error) { return marshalFinite(float64(f)) }

// UnmarshalJSON implements json.Unmarshaler.
func (f *JSONFloat) UnmarshalJSON(b []byte) error {
	v, err := unmarshalOr(b, math.NaN())
	*f = JSONFloat(v)
	return err
}

// marshalFinite encodes v, or null when it is not finite (JSON has no NaN
// or infinity).
func marshalFinite(v float64) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// unmarshalOr decodes a number, or null as ifNull.
func unmarshalOr(b []byte, ifNull float64) (float64, error) {
	if string(b) == "null" {
		return ifNull, nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	return v, err
}

// EventRecord is one line of events.jsonl: an instance lifecycle
// transition, a fault or a load-balancer event.
type EventRecord struct {
	TimeS float64 `json:"time_s"`
	// Service is absent when the event concerns no single service (a zone
	// outage, a node failure).
	Service  string `json:"service,omitempty"`
	Kind     string `json:"kind"`
	Instance string `json:"instance,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// Counts are the service's instances after the event; absent without a
	// service.
	Counts *CountsRecord `json:"counts,omitempty"`
}

// CountsRecord is a service's instances by state.
type CountsRecord struct {
	Desired  int `json:"desired"`
	Pending  int `json:"pending"`
	Starting int `json:"starting"`
	Ready    int `json:"ready"`
	Draining int `json:"draining"`
	Alive    int `json:"alive"` // pending + starting + ready + draining
}

// DecisionRecord is one line of decisions.jsonl: an autoscaler evaluation
// (see Collector.Decision for which are kept).
type DecisionRecord struct {
	TimeS   float64 `json:"time_s"`
	Service string  `json:"service"`
	Policy  string  `json:"policy"`
	// Valid is false when the policy made no decision (no metrics yet).
	Valid  bool   `json:"valid"`
	Reason string `json:"reason"`
	// Changed is After != Before.
	Changed bool `json:"changed"`
	// Before is the desired count before the evaluation, Raw the
	// calculator's count, Desired the recommendation after every limit,
	// After what the service was set to.
	Before  int `json:"before"`
	Raw     int `json:"raw"`
	Desired int `json:"desired"`
	After   int `json:"after"`
	// Min and Max are the bounds the policy was given.
	Min  int        `json:"min"`
	Max  int        `json:"max"`
	Pods PodsRecord `json:"pods"`
	// InFlight is the in-flight count the autoscaler saw.
	InFlight JSONFloat `json:"in_flight"`
	// Inputs are the values the decision used, in order.
	Inputs []InputRecord `json:"inputs"`
	// Limits are the rules that changed or held the count, in order.
	Limits []Limit `json:"limits"`
	// Terminate lists instances the policy asked to remove; absent when
	// none.
	Terminate   []int  `json:"terminate,omitempty"`
	Explanation string `json:"explanation"`
}

// PodsRecord summarises the pods an autoscaler saw.
type PodsRecord struct {
	Current  int `json:"current"`  // Observation.Current: the desired count in force
	Ready    int `json:"ready"`    // running and ready
	Starting int `json:"starting"` // running, not ready
	Pending  int `json:"pending"`  // not yet running
}

// InputRecord is one named input of a decision; a non-finite value is null.
type InputRecord struct {
	Name  string    `json:"name"`
	Value JSONFloat `json:"value"`
}

// ReadEvents reads an events.jsonl.
func ReadEvents(r io.Reader) ([]EventRecord, error) {
	return readJSONL[EventRecord](r, EventsFile)
}

// ReadDecisions reads a decisions.jsonl.
func ReadDecisions(r io.Reader) ([]DecisionRecord, error) {
	return readJSONL[DecisionRecord](r, DecisionsFile)
}

func readJSONL[T any](r io.Reader, name string) ([]T, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	var out []T
	for {
		var v T
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reports: reading %s record %d: %w", name, len(out)+1, err)
		}
		out = append(out, v)
	}
}

// WriteFileAtomically writes data to a temporary dot file next to path,
// syncs it and renames it into place: a reader, or a sweep resumed after a
// crash, sees the whole file or none.
func WriteFileAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
