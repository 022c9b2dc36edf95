package cluster

import (
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// The activator and the concurrency collector of a Knative-style service
// (AutoscalerConfig.Activator and Concurrency), after knative/serving at
// commit 98e5ef90aa70:
//
//   - the activator (pkg/activator) sits in the request path while no
//     instance is ready, and until it has sent on what it holds: it holds
//     the requests (they count as in flight, their client's timeout runs)
//     and sends them on, oldest first, as its throttler does
//     (pkg/activator/net/throttler.go): only to an instance in rotation with
//     a free slot of instance.concurrency (any instance without a limit).
//     Nothing is rejected for want of an instance. Upstream's activator
//     also stays in the path while the excess burst capacity is negative:
//     here the service's load balancer routes once the activator holds
//     nothing.
//   - the collector (pkg/autoscaler/metrics/collector.go, stats_scraper.go)
//     takes one stat a second: the time-weighted average number of
//     requests in flight over that second (the queue-proxies' and the
//     activator's AverageConcurrentRequests, counted once) and the
//     requests that arrived in it (RequestCount).
//   - the activator's first request for an idle revision
//     (handler/concurrency_reporter.go, getOrCreateStat) is reported at
//     once as a stat of concurrency 1 and one request, and the next
//     second's stat is lowered by as much (computeReport's firstRequest);
//     at scale zero that stat runs the autoscaler at once (the
//     multiscaler's Poke), so a cold start begins with the first request,
//     not at the next tick.

// activator is a service's activator and concurrency collector.
type activator struct {
	on      bool // Activator: hold requests while nothing is ready
	collect bool // Concurrency: one stat a second for the policy

	held fifo // requests waiting for a ready instance

	// The current second's integrals: requests in flight (all, and held
	// by the activator) times time, since the second began, up to last.
	last           sim.Time
	area, heldArea float64
	requests       float64
	next           sim.Time // when the next stat is due
	firstAdj       float64  // the poke's stat, taken off the next one
	armed          bool     // the activator saw no traffic last second
	stats          []policies.ConcurrencyStat
	statPeriod     time.Duration
}

// concurrencyPeriod is the collector's scrape period (upstream's
// scrapeTickInterval and the activator's reportInterval): 1 s.
const concurrencyPeriod = time.Second

func (a *activator) init(cfg AutoscalerConfig) {
	a.on, a.collect = cfg.Activator, cfg.Concurrency
	a.armed = true
	a.statPeriod = concurrencyPeriod
	a.next = sim.At(concurrencyPeriod)
}

// addInFlight changes the requests in flight by d at now, integrating the
// collector's averages first. (Small enough to be inlined: the collector
// is off in most scenarios.)
func (s *Service) addInFlight(now sim.Time, d int) {
	if s.act.collect {
		s.collectInFlight(now, d)
	}
	s.inFlight += d
}

// collectInFlight integrates the collector's averages up to now, before
// the requests in flight change by d.
func (s *Service) collectInFlight(now sim.Time, d int) {
	a := &s.act
	a.integrate(now, s.inFlight)
	if d > 0 {
		a.requests += float64(d)
	}
}

func (a *activator) integrate(now sim.Time, inFlight int) {
	if dt := now.Sub(a.last).Seconds(); dt > 0 {
		a.area += float64(float64(inFlight) * dt)
		a.heldArea += float64(float64(a.held.len()) * dt)
		a.last = now
	}
}

// collectUpTo takes the stat due at or before now, if any: the scrape event
// and an evaluation at the same instant both call it, the first one takes
// it, so an evaluation sees the stat of its own second.
func (s *Service) collectUpTo(now sim.Time) {
	a := &s.act
	if !a.collect || now < a.next {
		return
	}
	a.integrate(now, s.inFlight)
	p := a.statPeriod.Seconds()
	st := policies.ConcurrencyStat{Time: now, Concurrency: a.area / p, Requests: a.requests}
	if a.firstAdj > 0 {
		st.Concurrency = max(st.Concurrency-a.firstAdj, 0)
		st.Requests -= a.firstAdj
		a.firstAdj = 0
	}
	a.armed = a.heldArea == 0 && a.held.len() == 0
	a.stats = append(a.stats, st)
	a.area, a.heldArea, a.requests = 0, 0, 0
	a.next = now.Add(a.statPeriod)
}

// concurrency is what the policy sees: the stats since the last
// evaluation. The slice is reused after the evaluation.
func (s *Service) concurrency(now sim.Time) policies.Concurrency {
	s.collectUpTo(now)
	return policies.Concurrency{Stats: s.act.stats, Held: s.act.held.len()}
}

// hold queues r at the activator; it is counted in flight already.
func (s *Service) hold(r *request, now sim.Time) {
	a := &s.act
	r.held = true
	r.qseq = a.held.push(r, now)
	if a.collect && a.armed && s.counts.Desired == 0 {
		// The first request of an idle revision at zero: reported at
		// once, and the autoscaler runs now.
		a.armed = false
		a.firstAdj = 1
		a.stats = append(a.stats, policies.ConcurrencyStat{Time: now, Concurrency: 1, Requests: 1})
		s.eng.Schedule(now, s, svcPoke)
	}
}

// unhold removes r from the activator's queue: its client gave up or its
// connection broke. r is released.
func (s *Service) unhold(r *request, now sim.Time) {
	a := &s.act
	if a.collect {
		a.integrate(now, s.inFlight)
	}
	a.held.cancel(r.qseq)
	r.held = false
	s.pool.put(r)
}

// release sends the held requests on, oldest first, while an instance in
// rotation has a free slot: called when one joins it and when a slot frees.
func (s *Service) release(now sim.Time) {
	a := &s.act
	if a.held.len() == 0 || s.lb.state != lbUp {
		return
	}
	if a.collect {
		a.integrate(now, s.inFlight)
	}
	for a.held.len() > 0 {
		inst := s.freeSlot(a.held.peek().r, now)
		if inst == nil {
			return
		}
		r := a.held.pop().r
		r.held = false
		s.deliver(r, inst, now)
	}
}

// freeSlot is the instance the activator sends r to: upstream's throttler
// sends a request only to a pod with a free slot of its container
// concurrency (the least busy, the first in rotation among equals); without
// a limit, to the one the load balancer picks.
func (s *Service) freeSlot(r *request, now sim.Time) *Instance {
	c := s.cfg.Instance.Concurrency
	if c == 0 {
		return s.lb.pick(r, now)
	}
	var best *Instance
	for _, m := range s.lb.members {
		if m.accepting() && m.busy < c && (best == nil || m.busy < best.busy) {
			best = m
		}
	}
	return best
}

// failHeld ends every held request for its client as Failed (the load
// balancer in front of the activator failed).
func (s *Service) failHeld(now sim.Time) {
	a := &s.act
	for a.held.len() > 0 {
		r := a.held.pop().r
		r.held = false
		s.clientEnd(r, Failed, now)
		s.pool.put(r)
	}
}
