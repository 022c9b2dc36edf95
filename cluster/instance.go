package cluster

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// State is an instance's lifecycle state.
type State uint8

const (
	Pending State = iota
	Starting
	Ready
	Draining
	Terminated
)

var stateNames = [...]string{"pending", "starting", "ready", "draining", "terminated"}

func (s State) String() string { return stateNames[s] }

// Instance is one replica of a service.
type Instance struct {
	svc  *Service
	ID   int
	Name string

	phase        phase // see lifecycle.go
	created      sim.Time
	started      sim.Time // process start (Kubernetes pod StartTime)
	readyChanged sim.Time
	inLB         bool   // in the load balancer's rotation
	lbEpoch      uint32 // counts the times it joined the rotation (client-ip sessions)
	lbSlot       int32  // its slot in the least-requests index
	unreachable  bool   // lost with its node, whose pod object remains (nodelifecycle.go)
	version      int    // the version it runs (rollout.go)

	// Scheduling: the node it is bound to (or nominated for, while the
	// node is provisioned), its zone, and the last counted placement
	// failure (noReason before the first).
	node   *node
	zone   int
	reason Reason

	// Health: cold (warmup pending at its next Ready: a new or restarted
	// instance, not an initial replica), and the probes' state.
	cold                              bool
	warmEnd                           sim.Time // serves slower until then
	startProbe, readyProbe, liveProbe probeTimer
	readyFails, readyPasses           int
	liveFails, startupFails           int
	startupDone                       bool // its startup probe passed (or it has none)

	// The container (restart.go): when it last started, whether the
	// pre-stop hook of its kill is over, its back-off, restarts, and its
	// working set (memory.go).
	containerStart sim.Time
	preStopped     bool
	backoff        crashBackOff
	backOffWait    time.Duration
	restarts       int
	mem            memState
	memOn          bool // the working set moves with the requests held (MemoryPerRequest > 0)

	queue   fifo       // waiting for a concurrency slot
	busy    int        // requests holding a slot (CPU or off-CPU phase)
	waiting []*request // in their off-CPU phase; request.slot is the index

	// CPU (cpu.go, cfs.go): ps holds the requests in their CPU phase,
	// unordered with their own completion events in fast mode (speed 1),
	// else a min-heap by finishV on the virtual clock v, which advances at
	// speed, with one event (next) for the earliest finish. rate is the
	// cores the node gives the instance now, last when the accounts were
	// advanced to.
	ps     []*request
	shared bool
	v      float64
	speed  float64
	rate   float64
	rateN  int // len(ps) when rate and speed were set
	last   sim.Time
	// CPU used so far (cpuSeconds): core-nanoseconds in fast mode, exact,
	// and core-seconds in shared mode.
	cpuFast   int64
	cpuShared float64

	next       sim.EventID // earliest CPU-phase completion (shared mode)
	nextFinish float64     // finishV and speed the pending event was computed from
	nextRate   float64
	dispatch   bool // completing CPU phases: defer rescheduling

	// Node sharing: the instance's index in its node's runnable list (-1
	// if not in it), the cores it asked for there, its cpu.shares.
	runIdx   int
	wanted   int
	weight   float64
	shareKey float64 // wanted/weight, water-filling's order

	cfs cfs // the CPU limit's quota

	lifecycle sim.EventID // boot done / readiness / pre-stop / grace / LB forget
	grace     sim.EventID
	forget    sim.EventID

	metrics scrapeRing
	adapt   *adapterTarget // counters for the metrics adapter; nil without one
}

// Event arguments for instance events.
const (
	instCPUDone uint64 = iota
	instStarted
	instBooted
	instPreStopDone
	instGraceOver
	instForget
	instReadinessProbe
	instLivenessProbe
	instStartupProbe
	instRestart
)

// State returns the instance's lifecycle state.
func (i *Instance) State() State { return i.phase.state() }

// held is the number of requests the instance holds: in service or queued.
func (i *Instance) held() int { return i.busy + i.queue.len() }

// Fire handles the instance's events.
func (i *Instance) Fire(now sim.Time, arg uint64) {
	switch arg {
	case instCPUDone:
		i.next = sim.EventID{}
		i.cpuDone(now)
	case instStarted:
		i.lifecycle = sim.EventID{}
		i.started = now
		i.startContainer(now)
	case instBooted:
		i.lifecycle = sim.EventID{}
		i.booted(now)
	case instRestart:
		i.lifecycle = sim.EventID{}
		i.restartContainer(now)
	case instPreStopDone:
		i.lifecycle = sim.EventID{}
		if i.phase == startingKilling {
			i.killPreStopDone(now)
			return
		}
		i.stopAccepting(now)
	case instGraceOver:
		i.grace = sim.EventID{}
		if i.phase == startingKilling {
			i.containerExited(now, "")
			return
		}
		i.kill(now)
	case instForget:
		i.forget = sim.EventID{}
		i.svc.lb.remove(i)
	case instQuotaSpent:
		i.quotaSpent(now)
	case instPeriodEnd:
		i.periodEnd(now)
	case instReadinessProbe:
		i.readyProbe = probeTimer{}
		i.readinessProbe(now)
	case instLivenessProbe:
		i.liveProbe = probeTimer{}
		i.livenessProbe(now)
	case instStartupProbe:
		i.startProbe = probeTimer{}
		i.startupProbe(now)
	}
}

// Zone returns the name of the instance's zone, "" while it has no node.
func (i *Instance) Zone() string {
	if i.node == nil {
		return ""
	}
	return i.svc.w.zones[i.zone].name
}

// Node returns the name of the instance's node (the zone's name without
// node pools), "" while it has none.
func (i *Instance) Node() string {
	if i.node == nil {
		return ""
	}
	return i.node.name
}

// bind starts the instance on its node, which has just become its own:
// an initial replica is Ready at once, others begin their startup delay.
func (i *Instance) bind(now sim.Time) {
	if i.phase == pendingInitial {
		// Running long before the run began: booted, past its startup
		// probe, its readiness and liveness probes on their ticks.
		i.containerStart = now
		i.memStart(now)
		i.startupDone = true
		i.becomeReady(now, "")
		i.armRunning(now)
		return
	}
	if i.phase == pendingNominated {
		i.transition(pendingBound, now, "")
	}
	i.lifecycle = i.svc.eng.Schedule(now.Add(i.svc.sampleDelay(i.svc.cfg.Instance.StartupDelay)), i, instStarted)
}

// becomeReady puts the instance in rotation: once booted and past its
// startup probe, without a readiness probe; else when that passes.
func (i *Instance) becomeReady(now sim.Time, why string) {
	i.transition(readyServing, now, why)
	i.readyChanged = now
	if !i.forget.IsZero() {
		i.svc.eng.Cancel(i.forget)
		i.forget = sim.EventID{}
	}
	i.svc.lb.add(i)
	if c := &i.svc.cfg.Instance; i.cold && c.Warmup > 0 {
		i.warmEnd = now.Add(c.Warmup)
	}
	i.cold = false
	i.svc.release(now)
	if i.svc.mq != nil {
		i.svc.consume(now)
	}
}

// leaveLB takes the instance out of rotation once the removal has
// propagated (at once without a propagation delay).
func (i *Instance) leaveLB(now sim.Time) {
	if !i.inLB || !i.forget.IsZero() {
		return
	}
	if d := i.svc.cfg.LoadBalancer.PropagationDelay; d > 0 {
		i.forget = i.svc.eng.Schedule(now.Add(d), i, instForget)
		return
	}
	i.svc.lb.remove(i)
}

// accept takes a request routed to the instance. It returns false when the
// instance refuses it: not accepting, or its queue is full.
func (i *Instance) accept(r *request, now sim.Time) bool {
	if !i.accepting() {
		return false
	}
	cfg := &i.svc.cfg.Instance
	if i.memOn {
		i.memBefore(now)
	}
	switch {
	case cfg.Concurrency == 0 || i.busy < cfg.Concurrency:
		r.inst = i
		i.start(r, now)
	case cfg.QueueLimit < 0 || i.queue.len() < cfg.QueueLimit:
		r.inst = i
		r.qseq = i.queue.push(r, now)
	default:
		return false
	}
	if i.adapt != nil {
		// The app's requests counter, incremented as a request is taken.
		i.adapt.count++
	}
	i.svc.lb.heldChanged(i)
	// The working set rises: above the limit the container is OOM-killed
	// now, and r with it (memory.go).
	if i.memOn {
		i.memAfter(now)
	}
	return true
}

// start gives r a concurrency slot.
func (i *Instance) start(r *request, now sim.Time) {
	i.busy++
	r.started, r.begun = now, true
	if r.cpu > 0 {
		cpu := r.cpu
		if now < i.warmEnd {
			cpu = i.warmDemand(cpu, now)
		}
		i.addCPU(r, cpu, now)
		return
	}
	i.offCPU(r, now)
}

// warmDemand is the CPU a demand of cpu takes on a cold instance: the
// demand times a factor falling linearly from the slowdown to 1 over the
// warmup.
func (i *Instance) warmDemand(cpu float64, now sim.Time) float64 {
	c := &i.svc.cfg.Instance
	return cpu * (1 + (c.WarmupSlowdown-1)*float64(i.warmEnd-now)/float64(c.Warmup))
}

// offCPU moves r from its CPU phase to its off-CPU wait (its call to the
// service's dependency), or finishes it. During a dependency outage the
// call fails at once (the request fails) or takes the outage's delay more.
func (i *Instance) offCPU(r *request, now sim.Time) {
	wait := r.wait
	if d := &i.svc.dep; d.active {
		if !d.slow {
			i.finish(r, now, Failed)
			return
		}
		wait += d.delay
	}
	if wait > 0 {
		r.slot = int32(len(i.waiting))
		i.waiting = append(i.waiting, r)
		r.waitEnd = i.svc.eng.Schedule(now.Add(wait), r, reqWaitDone)
		return
	}
	i.finish(r, now, Completed)
}

// waitDone ends r's off-CPU phase.
func (i *Instance) waitDone(r *request, now sim.Time) { i.waitDoneAs(r, now, Completed) }

func (i *Instance) waitDoneAs(r *request, now sim.Time, o Outcome) {
	i.waiting = swapRemove(i.waiting, r)
	i.finish(r, now, o)
}

// finish releases r's slot: the response (or an error, o = Failed) leaves
// the instance.
func (i *Instance) finish(r *request, now sim.Time, o Outcome) {
	s := i.svc
	if i.memOn {
		i.memBefore(now)
	}
	i.busy--
	if i.adapt != nil {
		// The response (or error) leaves: the app's latency histogram.
		i.adapt.hist.observe(now.Sub(r.arrived))
	}
	s.serverDone(r, o, now)
	if i.queue.count > 0 && i.phase.state() != Terminated {
		i.start(i.dequeue(), now)
	}
	if i.memOn {
		i.memAfter(now)
	}
	s.lb.heldChanged(i)
	if s.act.held.count > 0 {
		s.release(now) // a slot is free for the activator
	}
	if i.phase != readyServing {
		// Only a stopped drain or a killed container ends when idle.
		i.endIfIdle(now)
	}
	if s.mq != nil {
		s.consume(now)
	}
}

// beginDrain starts a graceful removal (see the package documentation);
// why is the event's Detail.
func (i *Instance) beginDrain(now sim.Time, why string) {
	cfg := &i.svc.cfg
	eng := i.svc.eng
	if st := i.phase.state(); st == Pending || (st == Starting && i.held() == 0 && !i.inLB) {
		// Not in rotation and holding nothing: it simply stops.
		i.svc.terminateWhy(i, now, why)
		return
	}
	for _, id := range [...]*sim.EventID{&i.lifecycle, &i.grace} {
		if !id.IsZero() {
			eng.Cancel(*id) // a restart's boot or back-off, a kill's pre-stop or grace
			*id = sim.EventID{}
		}
	}
	i.stopProbes()
	i.svc.w.unspread(i)
	if i.accepting() {
		i.transition(drainingPreStop, now, why)
	} else {
		i.transition(drainingPreStopClosed, now, why)
	}
	i.leaveLB(now)
	i.grace = eng.Schedule(now.Add(cfg.Instance.GracePeriod), i, instGraceOver)
	if d := cfg.Instance.PreStop; d > 0 {
		i.lifecycle = eng.Schedule(now.Add(d), i, instPreStopDone)
	} else {
		i.stopAccepting(now)
	}
}

func (i *Instance) stopAccepting(now sim.Time) {
	i.transition(drainingStopped, now, "")
	if i.held() == 0 {
		i.svc.terminate(i, now)
	}
}

// kill ends the instance at once; what it holds is lost (Failed).
func (i *Instance) kill(now sim.Time) {
	if i.phase.state() == Terminated {
		return
	}
	i.dropAll(now)
	i.svc.terminate(i, now)
}

// dropAll fails every request the instance holds: its process is gone.
func (i *Instance) dropAll(now sim.Time) {
	if i.memOn {
		i.memBefore(now)
	}
	eng := i.svc.eng
	i.dropCPU(now)
	i.dropAbandonedTokens()
	i.queue.clear(func(r *request) { i.svc.serverDone(r, Failed, now) })
	for j, r := range i.waiting {
		eng.Cancel(r.waitEnd)
		i.svc.serverDone(r, Failed, now)
		i.waiting[j] = nil
	}
	i.waiting = i.waiting[:0]
	i.busy = 0
	if i.memOn {
		i.memAfter(now)
	}
	i.svc.lb.heldChanged(i)
}

// forEachHeld calls f for every request the instance holds, queued or in
// service.
func (i *Instance) forEachHeld(f func(*request)) {
	for _, r := range i.ps {
		f(r)
	}
	for k := 0; k < i.queue.size; k++ {
		if r := i.queue.slot(k).r; r != nil {
			f(r)
		}
	}
	for _, r := range i.waiting {
		f(r)
	}
}

// dequeue takes the oldest queued request. Work whose client has gone
// gets a request struct again only now, to be served.
func (i *Instance) dequeue() *request {
	if i.queue.peek().r != nil {
		return i.queue.popRequest() // a client waits for it
	}
	e := i.queue.pop()
	if e.r != nil {
		return e.r
	}
	if e.run() {
		// Merged into a run (fifo.compact), its demand was forgotten: it is
		// drawn now, from its own stream, so the draws for live requests
		// keep their order. Its client has gone; only the server's time
		// spent on it is observable, and that has the same distribution.
		e.cpu, e.wait = i.svc.drawDemand(i.svc.backlog)
	}
	r := i.svc.pool.get()
	r.svc, r.inst, r.arrived, r.cpu, r.wait, r.clientDone = i.svc, i, e.arrived, e.cpu, e.wait, true
	r.token = i.svc.countsTokens()
	return r
}

// clientGone is told that r's client gave up (its timeout). A server that
// does not cancel keeps the work: a queued request shrinks to its queue
// entry. With CancelOnClientTimeout the server abandons it (deadline
// propagation, as gRPC does): a queued request leaves the queue, one in
// service frees its slot and its CPU share at once. Either way it is
// counted once, as TimedOut, already.
func (i *Instance) clientGone(r *request, now sim.Time) {
	cancel := i.svc.cfg.Instance.CancelOnClientTimeout
	if !r.begun {
		if cancel {
			if i.memOn {
				i.memBefore(now)
			}
			i.queue.cancel(r.qseq)
			if i.memOn {
				i.memAfter(now)
			}
			i.svc.tokenDone(r)
			i.svc.lb.heldChanged(i)
		} else {
			i.queue.at(r.qseq).r = nil
		}
		i.svc.pool.put(r)
		if cancel {
			i.endIfIdle(now)
		}
		return
	}
	if !cancel {
		return
	}
	if !r.waitEnd.IsZero() {
		i.svc.eng.Cancel(r.waitEnd)
		r.waitEnd = sim.EventID{}
		i.waitDoneAs(r, now, TimedOut)
		return
	}
	if i.removeCPU(r, now) {
		i.dispatch = true
		i.finish(r, now, TimedOut)
		i.dispatch = false
		i.cpuChanged(now)
	}
}
