package cluster

import (
	"strconv"

	"github.com/scalesim/scalesim/sim"
)

// Probes run as the kubelet runs them (pkg/kubelet/prober/worker.go): each
// probe's first check is InitialDelay after the container starts, then one
// every Period. While a startup probe is configured and has not passed,
// readiness and liveness are not checked; once it passes they run at their
// next tick. An application still booting (its readiness delay) answers no
// probe. See the package documentation, "Health probes".

// tick returns the first of p's checks (InitialDelay after the container
// started, then every Period) at or after now.
func (i *Instance) tick(p *ProbeConfig, now sim.Time) sim.Time {
	t := i.containerStart.Add(p.InitialDelay)
	if t >= now {
		return t
	}
	k := (now.Sub(t) + p.Period - 1) / p.Period
	return t.Add(k * p.Period)
}

// The probes, as indices of Service.probeRings.
const (
	probeStartup = iota
	probeReadiness
	probeLiveness
	numProbes
)

// probeTimer is an instance's next check of one probe. The first check of
// a container is at the probe's next tick, an engine event; every later
// one is Period after the last, the same length for every instance of the
// service, so it is a timer in the service's ring for that probe
// (Service.probeRings): a fleet's probes stay off the engine's heap, where
// they were half its entries. A sim.Timers fires exactly when and in the
// order Engine.Schedule would, so nothing else changes.
type probeTimer struct {
	first sim.EventID
	next  sim.TimerID
}

// armed reports whether a check is pending.
func (t *probeTimer) armed() bool { return !t.first.IsZero() || !t.next.IsZero() }

// armFirst arms the probe's first check at at.
func (i *Instance) armFirst(t *probeTimer, at sim.Time, arg uint64) {
	t.first = i.svc.eng.Schedule(at, i, arg)
}

// armNext arms the probe's next check, one Period from now.
func (i *Instance) armNext(t *probeTimer, probe int, arg uint64) {
	t.next = i.svc.probeRings[probe].Schedule(i, arg)
}

// cancelProbe cancels the probe's pending check, if any.
func (i *Instance) cancelProbe(t *probeTimer, probe int) {
	if !t.first.IsZero() {
		i.svc.eng.Cancel(t.first)
	}
	if !t.next.IsZero() {
		i.svc.probeRings[probe].Cancel(t.next)
	}
	*t = probeTimer{}
}

// armProbes starts a new container's probes: its startup probe, or
// without one readiness and liveness at once.
func (i *Instance) armProbes(now sim.Time) {
	i.readyFails, i.readyPasses, i.liveFails, i.startupFails = 0, 0, 0, 0
	if p := i.svc.cfg.Probes.Startup; p != nil {
		i.startupDone = false
		i.armFirst(&i.startProbe, i.tick(p, now), instStartupProbe)
		return
	}
	i.startupDone = true
	i.armRunning(now)
}

// armRunning arms the readiness and liveness probes at their next tick,
// if they are not running.
func (i *Instance) armRunning(now sim.Time) {
	p := &i.svc.cfg.Probes
	if p.Readiness != nil && !i.readyProbe.armed() {
		i.armFirst(&i.readyProbe, i.tick(p.Readiness, now), instReadinessProbe)
	}
	if p.Liveness != nil && !i.liveProbe.armed() {
		i.armFirst(&i.liveProbe, i.tick(p.Liveness, now), instLivenessProbe)
	}
}

func (i *Instance) stopProbes() {
	i.cancelProbe(&i.startProbe, probeStartup)
	i.cancelProbe(&i.readyProbe, probeReadiness)
	i.cancelProbe(&i.liveProbe, probeLiveness)
}

// answers reports whether the instance answers a probe within timeout:
// its application is up (not gone, booting, being killed or waiting for
// its back-off), and a probe request would get a slot in time: a slot is
// free, or the queue has room and its oldest request has not waited
// longer than the timeout (a probe joining now would wait about as long).
func (i *Instance) answers(now sim.Time, p *ProbeConfig) bool {
	switch {
	case i.phase.state() == Terminated:
		return false
	case i.phase == startingBoot || i.phase == startingKilling || i.phase == startingBackOff:
		return false
	}
	c := &i.svc.cfg.Instance
	if c.Concurrency == 0 || i.busy < c.Concurrency {
		return true
	}
	if c.QueueLimit >= 0 && i.queue.len() >= c.QueueLimit {
		return false // refused
	}
	return i.queue.len() == 0 || now.Sub(i.queue.peek().arrived) <= p.Timeout
}

// startupProbe checks a new container until it answers once: then
// readiness and liveness begin (and, without a readiness probe, the
// instance is Ready). FailureThreshold failures in a row and the kubelet
// kills the container, which restarts in place (restart.go).
func (i *Instance) startupProbe(now sim.Time) {
	p := i.svc.cfg.Probes.Startup
	if i.answers(now, p) {
		i.startupDone = true
		i.armRunning(now)
		if i.phase == startingProbing && i.svc.cfg.Probes.Readiness == nil {
			i.becomeReady(now, "startup probe passed")
		}
		return
	}
	if i.startupFails++; i.startupFails >= p.FailureThreshold {
		i.killContainer(now, "startup probe failed "+strconv.Itoa(p.FailureThreshold)+" times")
		return
	}
	i.armNext(&i.startProbe, probeStartup, instStartupProbe)
}

// readinessProbe checks whether the instance should be in rotation: it
// answers, and its dependency works (a failing one, or one slower than
// the probe's timeout, fails it). SuccessThreshold passes in a row put an
// instance that is not in rotation there; FailureThreshold failures in a
// row take a Ready instance out (becoming Starting). A lost instance still
// in rotation leaves it then.
func (i *Instance) readinessProbe(now sim.Time) {
	p := i.svc.cfg.Probes.Readiness
	d := &i.svc.dep
	ok := i.answers(now, p) && !(d.active && (!d.slow || d.delay >= p.Timeout))
	if ok {
		i.readyFails = 0
		i.readyPasses++
		if (i.phase == startingUnready || i.phase == startingProbing) && i.readyPasses >= p.successes() {
			i.becomeReady(now, "readiness probe passed")
		}
	} else {
		i.readyPasses = 0
		i.readyFails++
		switch {
		case i.phase == terminatedDetecting && i.readyFails >= p.FailureThreshold:
			i.transition(terminatedLost, now, "")
			i.leaveLB(now)
			return
		case i.phase == readyServing && i.readyFails == p.FailureThreshold:
			i.transition(startingUnready, now, "readiness probe failed "+strconv.Itoa(p.FailureThreshold)+" times")
			i.readyChanged = now
			i.leaveLB(now)
		}
	}
	i.armNext(&i.readyProbe, probeReadiness, instReadinessProbe)
}

// livenessProbe has the kubelet kill a container that has not answered
// FailureThreshold probes in a row: it hangs, is still booting, or is so
// overloaded that a probe would time out. Liveness does not check the
// dependency. The container restarts in place (restart.go).
func (i *Instance) livenessProbe(now sim.Time) {
	if i.phase.state() == Terminated {
		return
	}
	p := i.svc.cfg.Probes.Liveness
	if i.answers(now, p) {
		i.liveFails = 0
	} else if i.liveFails++; i.liveFails >= p.FailureThreshold {
		i.killContainer(now, "liveness probe failed "+strconv.Itoa(p.FailureThreshold)+" times")
		return
	}
	i.armNext(&i.liveProbe, probeLiveness, instLivenessProbe)
}
