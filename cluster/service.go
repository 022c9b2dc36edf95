package cluster

import (
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// Service is a set of identical instances behind one load balancer.
type Service struct {
	w     *World
	index int
	cfg   ServiceConfig
	lb    loadBalancer

	// The world's engine, observer, request pool and end, copied here at
	// construction: the request path reads them on every request, one
	// pointer hop nearer.
	eng  *sim.Engine
	obs  Observer
	pool *requestPool
	end  sim.Time

	policy   policies.Policy // nil: the count never changes
	arrivals ArrivalProcess  // nil: no traffic
	arrival  *sim.Stream     // the arrival events, beside the engine's queue (nil: no traffic)

	demand    *sim.Rand
	backlog   *sim.Rand   // demands of merged abandoned work (Instance.dequeue)
	timeouts  *sim.Timers // the clients' timeouts (Timeout), in a ring: one length, due in arrival order
	lifecycle *sim.Rand
	clients   *sim.Rand // client of each arrival, for client-ip

	// instances holds every instance not yet terminated, in creation order.
	instances []*Instance
	nextID    int
	counts    Counts

	// Truth counters over the whole run (no warmup): the conservation
	// invariant is checked against these.
	arrived  int64
	outcomes [4]int64
	inFlight int

	// Integrals for utilization and cost, advanced to integrated.
	integrated        sim.Time
	instanceSeconds   float64
	cpuRequestSeconds float64
	cpuRetired        float64 // CPU seconds of terminated instances
	// CFS figures of terminated instances.
	periodsRetired, throttledRetired int64
	throttledSecsRetired             float64

	// Scheduling: one instance's requests, the instances per zone that
	// count for topology spread, the CPU requested on pool nodes (for the
	// cost share), the nodes' cost so far, and the placements that failed.
	cpuMilli, memBytes int64
	zoneCount          []int
	allocCPU           int64
	nodeCost           float64
	unschedulable      int
	placementFailures  [NumReasons]int64
	// stranded counts the instances lost with a node whose pods are not
	// evicted yet: the ReplicaSet counts them (nodelifecycle.go).
	stranded int

	// Versions: the one new instances get, the last one handed out, and
	// the rolling update under way (rollout.go), nil when none is.
	version, nextVersion int
	ro                   *rollout

	// Container restarts and OOM kills so far.
	restarts, oomKills int64

	// dep is the service's dependency while an outage lasts.
	dep struct {
		active, slow bool
		delay        time.Duration
		by           *fault
	}

	metrics metricsPipeline
	act     activator
	adapter *serviceAdapter // nil without custom metrics
	mq      *messageQueue   // asynchronous work (queue.go); nil for requests

	// tokens are the load balancer's request tokens, when the policy
	// counts them (AutoscalerConfig.MessageExpiry).
	tokens lbTokens

	// The ingress's 504s and retried connection errors.
	gatewayTimeouts, ingressRetries int64
	// timed: requests have a deadline (timeouts' delay); timeoutIs504: it
	// is the ingress's proxy_read_timeout, not the client's timeout.
	timed, timeoutIs504 bool
	// probeRings holds the checks of each probe (probeStartup, ...) after
	// an instance's first, each Period after the last (see probeTimer);
	// nil for a probe the service does not have.
	probeRings [numProbes]*sim.Timers
	// directDelivery: no request tokens and no ingress, so deliver is
	// accept (or a refusal), which admit calls itself.
	directDelivery bool
}

// Event arguments for service events.
const (
	svcArrival uint64 = iota
	svcEvaluate
	svcScrape
	svcLBPromote // a standby load balancer takes over
	svcLBRestore // a failed load balancer is back
	svcPoke      // the activator's first request at zero: evaluate now
	svcCollect   // the concurrency collector's stat of the second
	svcAdapterScrape
)

// Name returns the service's name.
func (s *Service) Name() string { return s.cfg.Name }

// Counts returns the service's instances by state.
func (s *Service) Counts() Counts { return s.counts }

// Totals returns the number of requests that arrived, how many ended in
// each outcome, and how many are in flight (accepted, not yet ended for
// their client). arrived = sum(outcomes) + inFlight always holds.
func (s *Service) Totals() (arrived int64, outcomes [4]int64, inFlight int) {
	return s.arrived, s.outcomes, s.inFlight
}

// Restarts returns how many containers were restarted in place and how
// many were OOM-killed so far.
func (s *Service) Restarts() (restarts, oomKills int64) { return s.restarts, s.oomKills }

// Instances returns the instances not yet terminated, in creation order.
// The slice is the service's own: do not modify it.
func (s *Service) Instances() []*Instance { return s.instances }

// Fire handles the service's periodic events and arrivals.
func (s *Service) Fire(now sim.Time, arg uint64) {
	switch arg {
	case svcArrival:
		s.arrive(now)
		// The next arrival (an arrival event means there are arrivals:
		// scheduleArrival made the stream).
		if t := s.arrivals.Next(now); t < s.end {
			s.arrival.Schedule(t)
		}
	case svcEvaluate:
		// An autoscaler on the load balancer (WSO2's) pauses while no
		// primary routes; one in the control plane keeps evaluating.
		if s.autoscalerRuns() {
			if s.cfg.Autoscaler.RunsOn == OnLoadBalancer {
				s.sanityCheck(now)
			}
			s.evaluate(now)
		} else {
			s.act.stats = s.act.stats[:0] // nobody reads them: keep none
		}
		s.eng.Schedule(now.Add(s.cfg.Autoscaler.Interval), s, svcEvaluate)
	case svcScrape:
		s.scrape(now)
		s.eng.Schedule(now.Add(s.cfg.Autoscaler.ScrapeInterval), s, svcScrape)
	case svcPoke:
		if s.lb.state == lbUp {
			s.evaluate(now)
		}
	case svcCollect:
		s.collectUpTo(now)
		if next := now.Add(s.act.statPeriod); next < s.end {
			s.eng.Schedule(next, s, svcCollect)
		}
	case svcAdapterScrape:
		s.adapterScrape(now)
		s.eng.Schedule(now.Add(s.adapter.cfg.ScrapeInterval), s, svcAdapterScrape)
	case svcLBPromote:
		s.lbPromote(now)
	case svcLBRestore:
		s.lbRestore(now)
	}
}

// scheduleArrival makes the service's arrival stream, if it has traffic,
// and schedules the first arrival; Fire schedules the others.
func (s *Service) scheduleArrival(now sim.Time) {
	if s.arrivals == nil {
		return
	}
	s.arrival = s.eng.NewStream(s, svcArrival)
	if t := s.arrivals.Next(now); t < s.end {
		s.arrival.Schedule(t)
	}
}

// arrive handles one new request reaching the load balancer.
func (s *Service) arrive(now sim.Time) {
	r := s.pool.get()
	r.svc, r.arrived = s, s.sentAt(now)
	// Demand and client are drawn here, for every request in arrival
	// order, so their sequences do not depend on what happens to requests
	// later.
	r.cpu, r.wait = s.drawDemand(s.demand)
	if s.clients != nil {
		r.client = int32(s.clients.IntN(s.lb.clients))
	}
	if s.mq != nil {
		s.enqueue(r, now)
		return
	}
	s.admit(r, now)
}

// drawDemand draws one request's CPU time and off-CPU wait from src.
func (s *Service) drawDemand(src *sim.Rand) (cpu float64, wait time.Duration) {
	cpu = s.cfg.DemandCPU.Sample(src)
	if s.cfg.DemandWait != nil {
		wait = sim.SampleDuration(s.cfg.DemandWait, src)
	}
	return cpu, wait
}

// admit counts r as an arrival and routes it: a new request or a retry.
func (s *Service) admit(r *request, now sim.Time) {
	s.arrived++
	s.obs.RequestArrived(s.index, now)
	lb := &s.lb
	if lb.state != lbUp {
		s.reject(r, now)
		return
	}
	var inst *Instance
	if lb.alg == RoundRobin {
		inst = lb.roundRobin() // inlined: the default needs no call
	} else {
		inst = lb.pick(r, now)
	}
	if inst == nil && !s.act.on {
		s.reject(r, now)
		return
	}
	// Count the request in flight and arm its timeout before the instance
	// takes it: a request with no demand completes inside accept.
	s.addInFlight(now, 1)
	if s.timed {
		r.timeout = s.timeouts.Schedule(r, reqTimeout)
	}
	if inst == nil || s.act.held.count > 0 {
		// Nothing is ready, or the activator is still sending on what it
		// holds: it holds this one too, behind them (activator.go).
		s.hold(r, now)
		return
	}
	if s.directDelivery {
		if !inst.accept(r, now) {
			s.refused(r, inst, now)
		}
		return
	}
	s.deliver(r, inst, now)
}

// deliver hands r, counted in flight, to inst; a refusal is a rejection.
func (s *Service) deliver(r *request, inst *Instance, now sim.Time) {
	if s.countsTokens() {
		r.token = true
		s.tokens.add(r.arrived)
	}
	// Behind an ingress, a connection error is retried on the next
	// endpoint (proxy_next_upstream).
	for tries := 1; !inst.accepting() || inst.lost(); tries++ {
		next := s.nextUpstream(r, inst, tries, now)
		if next == nil {
			break
		}
		inst = next
	}
	if !inst.accept(r, now) {
		s.refused(r, inst, now)
	}
}

// refused handles r, counted in flight, that inst did not accept.
func (s *Service) refused(r *request, inst *Instance, now sim.Time) {
	if s.unreachableHold(inst) {
		// A connection to a silent node: the client waits for its
		// timeout.
		return
	}
	if inst.lost() {
		// Routed to an instance that is gone: the load balancer answers
		// with an error (502).
		s.serverDone(r, Failed, now)
		return
	}
	s.tokenDone(r)
	s.addInFlight(now, -1)
	if !r.timeout.IsZero() {
		s.timeouts.Cancel(r.timeout)
	}
	s.reject(r, now)
}

// reject refuses r before service.
func (s *Service) reject(r *request, now sim.Time) {
	s.outcomes[Rejected]++
	if s.adapter != nil {
		s.adapter.lb.hist.observe(0)
	}
	s.obs.RequestEnded(s.index, Rejected, now, now, 0)
	if int(r.attempt) < s.cfg.Retries {
		s.retry(r, now)
	}
	s.pool.put(r)
}

// clientEnd records that r's client learnt outcome o.
func (s *Service) clientEnd(r *request, o Outcome, now sim.Time) {
	r.clientDone = true
	if !r.timeout.IsZero() {
		s.timeouts.Cancel(r.timeout)
		r.timeout = sim.TimerID{}
	}
	s.addInFlight(now, -1)
	s.outcomes[o]++
	if s.adapter != nil {
		s.adapter.lb.hist.observe(now.Sub(r.arrived))
	}
	if o == Completed {
		s.metrics.observeLatency(now, now.Sub(r.arrived))
	} else if int(r.attempt) < s.cfg.Retries {
		s.retry(r, now)
	}
	var wait time.Duration
	if r.begun {
		wait = r.started.Sub(r.arrived)
	} else {
		wait = now.Sub(r.arrived)
	}
	s.obs.RequestEnded(s.index, o, r.arrived, now, wait)
}

// retry schedules the client's next attempt at r: the same work from the
// same client, after RetryBackoff doubled for each earlier retry. It will
// be a new arrival.
func (s *Service) retry(r *request, now sim.Time) {
	at := now.Add(s.cfg.RetryBackoff << min(r.attempt, 20))
	if at >= s.end {
		return
	}
	nr := s.pool.get()
	nr.svc, nr.cpu, nr.wait, nr.client, nr.attempt = s, r.cpu, r.wait, r.client, r.attempt+1
	s.eng.Schedule(at, nr, reqRetry)
}

// serverDone records that r's instance let go of it: its response left
// (Completed) or it was lost (Failed). A request whose client already gave
// up is only released.
func (s *Service) serverDone(r *request, o Outcome, now sim.Time) {
	s.tokenDone(r)
	if !r.clientDone {
		s.clientEnd(r, o, now)
	}
	s.pool.put(r)
}

// integrate advances the time integrals to now.
func (s *Service) integrate(now sim.Time) {
	if now <= s.integrated {
		return
	}
	dt := now.Sub(s.integrated).Seconds()
	c := s.counts
	s.instanceSeconds += float64(float64(c.Alive()) * dt)
	s.cpuRequestSeconds += float64(float64(c.Starting+c.Ready+c.Draining) * s.cfg.Instance.CPURequest * dt)
	s.integrated = now
}

func (s *Service) adjust(st State, d int) {
	switch st {
	case Pending:
		s.counts.Pending += d
	case Starting:
		s.counts.Starting += d
	case Ready:
		s.counts.Ready += d
	case Draining:
		s.counts.Draining += d
	}
}

// event reports a service event that is not an instance transition.
func (s *Service) event(kind EventKind, detail string, now sim.Time) {
	s.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: kind, Detail: detail, Counts: s.counts})
}

// newInstance creates an instance and asks the scheduler for a node.
// Initial instances that find one are Ready at once; others are Pending
// until they have a node and their startup delay is over, then Starting for
// their readiness delay, then Ready.
func (s *Service) newInstance(now sim.Time, initial bool) *Instance {
	inst := &Instance{
		svc:     s,
		ID:      s.nextID,
		Name:    fmt.Sprintf("%s-%d", s.cfg.Name, s.nextID),
		created: now,
		started: now,
		last:    now,
		speed:   1,
		runIdx:  -1,
		weight:  cpuShares(s.cpuMilli),
		reason:  noReason,
		cold:    !initial,
		memOn:   s.memTracked(),
		version: s.version,
	}
	inst.cfs.init(s.cfg.Instance.CPULimit, s.cfg.Instance.CPUPeriod, s.cfg.Instance.Concurrency)
	if inst.cfs.quota > 0 {
		inst.cfs.alarm.Init(s.eng, inst) // the quota's throttle and period end
	}
	inst.metrics.init(s.metrics.depth)
	if s.adapter != nil {
		inst.adapt = &adapterTarget{}
		inst.adapt.ring.init(s.adapter.depth)
	}
	inst.queue.agedAfter = max(s.cfg.Probes.longestTimeout(), s.tokenAge())
	s.nextID++
	s.instances = append(s.instances, inst)
	inst.readyChanged = now
	if initial {
		// Counted as Pending without an event: it is Ready at once if
		// it finds a node.
		inst.transition(pendingInitial, now, "")
	} else {
		inst.transition(pendingNew, now, "")
	}
	placed := s.w.place(inst, now)
	if initial && inst.phase.state() == Pending {
		// No ready node: it waits and starts like any other, and is
		// reported Pending now.
		inst.transition(inst.phase, now, "")
	}
	if !placed {
		s.w.unscheduled = append(s.w.unscheduled, inst)
	}
	return inst
}

// unschedulableAt records that inst found no ready node (a the failed
// attempt); it is waiting for node n if the cluster autoscaler found one.
// Each instance counts once per reason in a row.
func (s *Service) unschedulableAt(inst *Instance, a *attempt, n *node, now sim.Time) {
	if inst.phase != pendingUnscheduled {
		inst.transition(pendingUnscheduled, now, "")
		s.unschedulable++
	}
	r := a.dominant()
	if inst.reason == r {
		return
	}
	inst.reason = r
	s.placementFailures[r]++
	why := a.explain()
	if n != nil {
		why += "; waiting for new node " + n.name
	}
	s.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindInstanceUnschedulable, Instance: inst.Name, Detail: why, Counts: s.counts})
}

func (s *Service) sampleDelay(d sim.Dist) time.Duration {
	if d == nil {
		return 0
	}
	return sim.SampleDuration(d, s.lifecycle)
}

// readinessDelay is drawn when an instance starts running.
func (s *Service) readinessDelay() time.Duration { return s.sampleDelay(s.cfg.Instance.ReadinessDelay) }

// terminate removes inst for good.
func (s *Service) terminate(inst *Instance, now sim.Time) { s.terminateWhy(inst, now, "") }

func (s *Service) terminateWhy(inst *Instance, now sim.Time, why string) {
	s.terminateAs(inst, terminatedGone, now, why)
}

// terminateAs ends inst in the Terminated phase to: gone, lost, or lost
// and still in rotation until it is noticed (detecting: by its readiness
// probe, or its node NotReady, nodelifecycle.go).
func (s *Service) terminateAs(inst *Instance, to phase, now sim.Time, why string) {
	detecting := to == terminatedDetecting
	eng := s.eng
	for _, id := range []*sim.EventID{&inst.lifecycle, &inst.grace, &inst.next} {
		if !id.IsZero() {
			eng.Cancel(*id)
			*id = sim.EventID{}
		}
	}
	if !detecting {
		inst.stopProbes()
	}
	inst.cpuStop(now)
	s.cpuRetired += inst.cpuSeconds()
	p, tp, ts := inst.throttling(now)
	s.periodsRetired += p
	s.throttledRetired += tp
	s.throttledSecsRetired += ts
	if inst.forget.IsZero() && !detecting {
		// Nothing will take it out of rotation later: do it now. Otherwise
		// the load balancer keeps routing to it (and is refused) until the
		// removal has propagated.
		s.lb.remove(inst)
	}
	s.w.release(inst, now)
	inst.transition(to, now, why)
	for k, x := range s.instances {
		if x == inst {
			s.instances = append(s.instances[:k], s.instances[k+1:]...)
			break
		}
	}
	s.w.retryPending(now)
}

// lose ends inst involuntarily (crash, node or zone lost): what it holds
// fails. The load balancer keeps routing to it, and those requests fail,
// until it notices: through the readiness probe's failures if byProbe and
// the service has one (a dead node answers nothing), else at once (a
// crashed process is noticed by its kubelet); the removal then propagates.
// A ReplicaSet replaces the instance at once; WSO2's autoscaler launches
// one only when a later decision finds a member missing (see reconcile).
func (s *Service) lose(inst *Instance, now sim.Time, why string, byProbe bool) {
	if inst.phase.state() == Terminated {
		return
	}
	inst.dropAll(now)
	to := terminatedLost
	if inst.inLB && inst.forget.IsZero() {
		if byProbe && s.cfg.Probes.Readiness != nil && inst.readyProbe.armed() {
			// Only the readiness probe keeps running, to notice.
			to = terminatedDetecting
			inst.cancelProbe(&inst.liveProbe, probeLiveness)
		} else {
			inst.leaveLB(now)
		}
	}
	if s.cfg.Autoscaler.Members == Launched && inst.State() != Draining {
		// A WSO2 member lost is one member fewer: nothing replaces it now.
		s.counts.Desired--
	}
	s.terminateAs(inst, to, now, why)
	s.reconcile(now)
}

// reconcile replaces lost or evicted instances: the ReplicaSet's count of
// instances not draining is brought back to the desired one. WSO2's
// launched members are not replaced: the desired count becomes the members
// left, and the autoscaler's next decisions (its sanity check, its load
// rule) launch what they find missing.
func (s *Service) reconcile(now sim.Time) {
	if s.cfg.Autoscaler.Members == Launched {
		s.counts.Desired = min(s.counts.Desired, s.counts.Pending+s.counts.Starting+s.counts.Ready)
		return
	}
	if s.ro != nil {
		s.ro.poke(now) // two ReplicaSets: the rollout keeps each at its count
		return
	}
	for have := s.counts.Pending + s.counts.Starting + s.counts.Ready + s.stranded; have < s.counts.Desired; have++ {
		s.newInstance(now, false)
	}
}

// scaleTo makes the number of instances not draining equal n.
func (s *Service) scaleTo(n int, now sim.Time) {
	s.counts.Desired = n
	if s.ro != nil {
		s.ro.poke(now) // scaled in proportion over both ReplicaSets
		return
	}
	have := s.counts.Pending + s.counts.Starting + s.counts.Ready + s.stranded
	for ; have < n; have++ {
		s.newInstance(now, false)
	}
	for ; have > n; have-- {
		if s.stranded > 0 && s.w.dropStranded(s, now, nil) {
			continue
		}
		s.remove(s.pickVictim(), now)
	}
}

// pickVictim chooses the instance to remove: not ready before ready
// (pending, then starting), newest first among equals, as a Kubernetes
// ReplicaSet does.
func (s *Service) pickVictim() *Instance {
	var best *Instance
	for _, inst := range s.instances {
		if inst.State() == Draining {
			continue
		}
		if best == nil || inst.State() < best.State() || (inst.State() == best.State() && inst.created >= best.created) {
			best = inst
		}
	}
	return best
}

// evaluate runs the autoscaler once.
func (s *Service) evaluate(now sim.Time) {
	p := s.policy
	if s.countsTokens() {
		// The task first expires the old tokens, then counts them.
		s.tokens.expire(now.Add(-s.cfg.Autoscaler.MessageExpiry))
	}
	obs := s.observe(now)
	rec := p.Recommend(now, obs)
	before := s.counts.Desired
	after := before
	for _, id := range rec.Terminate {
		for _, inst := range s.instances {
			if inst.ID == id && inst.State() != Draining {
				s.remove(inst, now)
				after--
				break
			}
		}
	}
	if rec.Valid {
		after = rec.Desired
	}
	if after != s.counts.Desired || s.counts.Pending+s.counts.Starting+s.counts.Ready+s.stranded != after {
		s.scaleTo(after, now)
	}
	s.obs.Decision(Decision{Time: now, Service: s.index, Policy: p.Name(), Observation: obs, Recommendation: rec, Before: before, After: after})
	s.act.stats = s.act.stats[:0]
}

// observe builds what the autoscaler sees now.
func (s *Service) observe(now sim.Time) policies.Observation {
	o := policies.Observation{
		Current:  s.counts.Desired,
		Min:      s.cfg.Min,
		Max:      s.cfg.Max,
		InFlight: float64(s.inFlight),
		Latency:  s.metrics.latency(s.cfg.Autoscaler.LatencyPercentile),
		Pods:     make([]policies.Pod, 0, len(s.instances)),
	}
	if s.countsTokens() {
		o.InFlight = float64(s.tokens.count)
	}
	if s.act.collect {
		o.Concurrency = s.concurrency(now)
	}
	for _, inst := range s.instances {
		if inst.State() == Draining {
			continue
		}
		pod := policies.Pod{
			ID:            inst.ID,
			Phase:         policies.PhaseRunning,
			Ready:         inst.State() == Ready,
			Created:       inst.created,
			Started:       inst.started,
			ReadyChanged:  inst.readyChanged,
			CPURequest:    s.cfg.Instance.CPURequest,
			MemoryRequest: s.cfg.Instance.MemoryRequest,
		}
		if inst.State() == Pending {
			pod.Phase = policies.PhasePending
		}
		pod.CPU, pod.Memory = inst.metrics.read(s.cfg.Autoscaler.Window)
		o.Pods = append(o.Pods, pod)
	}
	if s.adapter != nil {
		listed := make([]*Instance, 0, len(o.Pods))
		for _, inst := range s.instances {
			if inst.State() != Draining {
				listed = append(listed, inst)
			}
		}
		o.Metrics = s.customMetrics(now, listed)
	}
	return o
}

// sample returns the service's row for Observer.Sample.
func (s *Service) sample(now sim.Time) Sample {
	s.integrate(now)
	cpu := s.cpuRetired
	periods, throttled, throttledSecs := s.periodsRetired, s.throttledRetired, s.throttledSecsRetired
	mem, memReq, memLim := 0.0, 0.0, 0.0
	for _, inst := range s.instances {
		inst.advance(now)
		cpu += inst.cpuSeconds()
		p, tp, ts := inst.throttling(now)
		periods, throttled, throttledSecs = periods+p, throttled+tp, throttledSecs+ts
		if inst.containerRuns() {
			mem += inst.workingSet(now)
			memReq += s.cfg.Instance.MemoryRequest
			memLim += s.cfg.Instance.MemoryLimit
		}
	}
	cost := s.instanceSeconds * s.cfg.Instance.PricePerHour / 3600
	if len(s.w.pools) > 0 {
		s.w.integrateCost(now)
		cost = s.nodeCost
	}
	qd, qa := s.QueueDepth(now)
	return Sample{
		QueueDepth:          qd,
		QueueAge:            qa,
		Service:             s.index,
		Counts:              s.counts,
		InFlight:            s.inFlight,
		CPUSeconds:          cpu,
		CPURequestSeconds:   s.cpuRequestSeconds,
		CPUPeriods:          periods,
		CPUThrottledPeriods: throttled,
		CPUThrottledSeconds: throttledSecs,
		InstanceSeconds:     s.instanceSeconds,
		MemoryBytes:         mem,
		MemoryRequestBytes:  memReq,
		MemoryLimitBytes:    memLim,
		Restarts:            s.restarts,
		OOMKills:            s.oomKills,
		GatewayTimeouts:     s.gatewayTimeouts,
		IngressRetries:      s.ingressRetries,
		Unschedulable:       s.unschedulable,
		PlacementFailures:   s.placementFailures,
		CostUSD:             cost,
	}
}

// requests converts the instance's requests to the scheduler's integers.
func (s *Service) initRequests(zones int) {
	s.cpuMilli = milli(s.cfg.Instance.CPURequest)
	s.memBytes = int64(math.Round(s.cfg.Instance.MemoryRequest))
	s.zoneCount = make([]int, zones)
}
