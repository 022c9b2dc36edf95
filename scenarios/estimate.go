package scenarios

import (
	"math"

	"github.com/scalesim/scalesim/sim"
)

// Estimate is what a run of a scenario is expected to cost, computed from
// the scenario alone (see Scenario.Estimate for the formulas). Events and
// arrivals are expected values, good to a factor of 2 for the built-in
// scenarios; memory and output are orders of magnitude, meant for limits
// such as --max-events and --max-memory, not for accounting.
type Estimate struct {
	// Arrivals is the expected number of requests offered, all services
	// together (retries not included).
	Arrivals int64
	// Events is the expected number of events the engine fires (what
	// summary.json reports as events).
	Events int64
	// Samples is the number of time-series samples: rows of
	// timeseries.csv per service.
	Samples int64
	// PeakInFlight is the most requests expected in the system at once,
	// all services together.
	PeakInFlight int64
	// PeakMemory is the expected peak heap, in bytes.
	PeakMemory int64
	// Output is the expected size of the results files (timeseries.csv,
	// decisions.jsonl, events.jsonl, summary.json; plots not included), in
	// bytes.
	Output int64
}

// Constants of the estimate, measured on the built-in scenarios.
const (
	estBaseMemory       = 16 << 20 // the process, the histograms, the policies
	estRequestBytes     = 256      // a request in flight, its events and queue slots
	estAbandonedBytes   = 32       // a queue slot of work whose client has gone
	estAbandonedSlots   = 8192     // per instance: a backlog of abandoned work is merged into runs (cluster's fifo.compact) once its queue holds 4096 slots, and the buffer at most doubles
	estInstanceBytes    = 2 << 10  // an instance, its metrics and events
	estSessionBytes     = 24       // a client-ip session
	estSampleBytes      = 200      // a sample held for the plots, per service
	estRowBytes         = 125      // a row of timeseries.csv
	estDecisionBytes    = 850      // a line of decisions.jsonl
	estEventLineBytes   = 160      // a line of events.jsonl
	estSummaryBytes     = 2 << 10  // summary.json per service
	estScaleUtilization = 0.7      // the utilization a policy settles at, for the instance count
)

// Estimate estimates the cost of running the scenario, which must be valid
// (as Parse returns it). It is pure and cheap: it neither builds nor runs
// the world, so a caller can refuse a run before it starts.
//
// For each service with traffic, with A its expected arrivals (the
// integral of its rate over the run), D its duration, c and w the means
// of demand.cpu and demand.wait, and n the instances it is expected to
// run, clamp(ceil(mean rate x c / (cores x 0.7)), replicas.min,
// replicas.max), at least replicas.initial:
//
//	events    = A x (1 + [c > 0] + [w > 0])              arrival, end of CPU, end of wait
//	          + D/interval + D/scrape_interval           evaluations and scrapes (not static)
//	          + n x D/period                             per probe
//	          + D/sample_interval                        samples (once for all services)
//	in flight = peak rate x (c + w) + backlog            Little's law at the peak, plus
//	backlog   = (attempts - capacity)+ x D               the queue when replicas.max x cores / c
//	                                                     cannot keep up, bounded by the queue
//	                                                     limits; attempts = peak rate x (1 +
//	                                                     retries) with a client timeout (in
//	                                                     hopeless overload every attempt times
//	                                                     out), else the peak rate
//	abandoned = backlog - attempts x timeout             queued work whose client has gone:
//	                                                     kept by the server unless
//	                                                     cancel_on_client_timeout, in 32 B queue
//	                                                     slots merged into runs: at most 8192
//	                                                     slots an instance
//	memory    = 16 MiB + 256 B x (in flight - abandoned) + 32 B x min(abandoned, 8192 x replicas.max)
//	          + 2 KiB x replicas.max
//	          + 24 B x clients (client-ip) + 200 B x samples x services
//	output    = 125 B x samples x services + 850 B x evaluations (an upper bound:
//	          a line per evaluation) + 160 B x (4 x replicas.max + 20 x faults) + 2 KiB x services
//
// Retries, timeouts, faults and instance lifecycles add events that are
// not counted: they are few unless most requests fail.
func (sc *Scenario) Estimate() Estimate {
	var e Estimate
	dur := sc.Duration.Seconds()
	end := sim.At(sc.Duration)
	if sc.SampleInterval > 0 {
		e.Samples = int64(sc.Duration / sc.SampleInterval)
	}
	events := float64(e.Samples)
	var arrivals, inFlight, abandoned, abandonedSlots, memory, output float64
	memory = estBaseMemory
	evaluations := 0.0
	for i := range sc.Services {
		svc := &sc.Services[i]
		cpu, wait := mean(svc.Demand.CPU), mean(svc.Demand.Wait)
		cores := svc.Instance.CPU()
		r := svc.Replicas
		n := float64(max(r.Initial, r.Min, 1))
		if t := sc.TrafficFor(svc.Name); t != nil && dur > 0 {
			p := t.Profile()
			a := p.Integral(0, end)
			peak := PeakRate(p, sc.Duration)
			arrivals += a
			perRequest := 1.0
			if cpu > 0 {
				perRequest++
			}
			if wait > 0 {
				perRequest++
			}
			events += float64(a * perRequest)
			if cpu > 0 && cores > 0 {
				need := math.Ceil(a / dur * cpu / (cores * estScaleUtilization))
				n = max(n, min(max(need, float64(r.Min)), float64(r.Max)))
			}
			q, gone := backlog(svc, t, peak, cpu, dur)
			inFlight += float64(peak*(cpu+wait)) + q
			abandoned += gone
			abandonedSlots += min(gone, estAbandonedSlots*float64(r.Max))
			if svc.LoadBalancer.Algorithm == ClientIP {
				memory += float64(estSessionBytes * float64(t.Clients))
			}
		}
		a := svc.Autoscaler
		if a.Policy != PolicyStatic && a.Interval > 0 && a.Pipeline.ScrapeInterval > 0 {
			ev := float64(sc.Duration / a.Interval)
			evaluations += ev
			events += ev + float64(sc.Duration/a.Pipeline.ScrapeInterval)
			if (a.Policy == PolicyKEDA || (a.Policy == PolicyHPA && usesCustomMetrics(&a))) && a.Adapter.ScrapeInterval > 0 {
				events += float64(sc.Duration / a.Adapter.ScrapeInterval) // the metrics adapter's scrapes
			}
		}
		for _, pr := range []*Probe{svc.Probes.Readiness, svc.Probes.Liveness} {
			if pr != nil && pr.Period > 0 {
				events += float64(n * float64(sc.Duration/pr.Period))
			}
		}
		memory += float64(estInstanceBytes * float64(r.Max))
		output += float64(estEventLineBytes*4*float64(r.Max)) + estSummaryBytes
	}
	services := float64(len(sc.Services))
	memory += float64(estRequestBytes*(inFlight-abandoned)) + float64(estAbandonedBytes*abandonedSlots) + float64(estSampleBytes*float64(e.Samples)*services)
	output += float64(estRowBytes*float64(e.Samples)*services) + float64(estDecisionBytes*evaluations) +
		float64(estEventLineBytes*20*float64(len(sc.Faults)))
	e.Arrivals = round(arrivals)
	e.Events = round(events)
	e.PeakInFlight = round(inFlight)
	e.PeakMemory = round(memory)
	e.Output = round(output)
	return e
}

// backlog is the queue that builds up over the run when even replicas.max
// instances cannot serve the peak rate, bounded by the queue limits, and
// the part of it whose clients have gone (abandoned), which the server
// keeps unless it cancels on the client's timeout.
func backlog(svc *Service, t *Traffic, peak, cpu, dur float64) (queued, abandoned float64) {
	if cpu <= 0 {
		return 0, 0
	}
	capacity := float64(svc.Replicas.Max) * svc.Instance.CPU() / cpu
	attempts := peak
	if t.Timeout > 0 {
		attempts = peak * float64(1+t.Retries)
	}
	if attempts <= capacity {
		return 0, 0
	}
	q := (attempts - capacity) * dur
	in := svc.Instance
	if in.Concurrency != Unlimited && in.QueueLimit != Unlimited {
		q = min(q, float64(svc.Replicas.Max)*float64(in.Concurrency+in.QueueLimit))
	}
	if t.Timeout > 0 {
		live := min(q, attempts*t.Timeout.Seconds())
		if in.CancelOnClientTimeout {
			return live, 0
		}
		return q, q - live
	}
	return q, 0
}

// mean is a distribution's mean in seconds; 0 for nil.
func mean(d sim.Dist) float64 {
	switch x := d.(type) {
	case nil:
		return 0
	case sim.Constant:
		return x.Value
	case sim.Exponential:
		return x.Mean
	case sim.LogNormal:
		return x.Mean
	case sim.Uniform:
		return (x.Min + x.Max) / 2
	case sim.Pareto:
		return x.Mean
	}
	return 0
}

// round converts an estimate to a count, saturating rather than
// overflowing.
func round(x float64) int64 {
	if x >= math.MaxInt64 || math.IsNaN(x) {
		return math.MaxInt64
	}
	return int64(math.Round(x))
}
