package cluster

import (
	"strconv"

	"github.com/scalesim/scalesim/sim"
)

// Probes run every Period from the moment an instance is first Ready (its
// readiness delay stands for the initial probes) until it drains,
// restarts or is gone. See the package documentation, "Health probes".

// startProbes arms the instance's probes if they are not running.
func (i *Instance) startProbes(now sim.Time) {
	p := &i.svc.cfg.Probes
	eng := i.svc.w.eng
	if p.Readiness != nil && i.readyProbe.IsZero() {
		i.readyFails = 0
		i.readyProbe = eng.Schedule(now.Add(p.Readiness.Period), i, instReadinessProbe)
	}
	if p.Liveness != nil && i.liveProbe.IsZero() {
		i.liveFails = 0
		i.liveProbe = eng.Schedule(now.Add(p.Liveness.Period), i, instLivenessProbe)
	}
}

func (i *Instance) stopProbes() {
	eng := i.svc.w.eng
	for _, id := range [...]*sim.EventID{&i.readyProbe, &i.liveProbe} {
		if !id.IsZero() {
			eng.Cancel(*id)
			*id = sim.EventID{}
		}
	}
}

// answers reports whether the instance answers a probe within timeout:
// it is alive, and a probe request would get a slot in time: a slot is
// free, or the queue has room and its oldest request has not waited
// longer than the timeout (a probe joining now would wait about as long).
func (i *Instance) answers(now sim.Time, p *ProbeConfig) bool {
	if i.phase.state() == Terminated {
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

// readinessProbe checks whether the instance should be in rotation: it
// answers, and its dependency works (a failing one, or one slower than
// the probe's timeout, fails it). After FailureThreshold failures in a row
// a Ready instance leaves the rotation (becoming not ready: Starting); one
// pass brings it back. A lost instance still in rotation leaves it then.
func (i *Instance) readinessProbe(now sim.Time) {
	p := i.svc.cfg.Probes.Readiness
	d := &i.svc.dep
	ok := i.answers(now, p) && !(d.active && (!d.slow || d.delay >= p.Timeout))
	if ok {
		i.readyFails = 0
		if i.phase == startingUnready {
			i.becomeReady(now, "readiness probe passed")
		}
	} else {
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
	i.readyProbe = i.svc.w.eng.Schedule(now.Add(p.Period), i, instReadinessProbe)
}

// livenessProbe restarts an instance that has not answered
// FailureThreshold probes in a row: it hangs, or is so overloaded that a
// probe would time out. Liveness does not check the dependency.
func (i *Instance) livenessProbe(now sim.Time) {
	if i.phase.state() == Terminated {
		return
	}
	p := i.svc.cfg.Probes.Liveness
	if i.answers(now, p) {
		i.liveFails = 0
	} else if i.liveFails++; i.liveFails >= p.FailureThreshold {
		i.restart(now, "restarted: liveness probe failed "+strconv.Itoa(p.FailureThreshold)+" times")
		return
	}
	i.liveProbe = i.svc.w.eng.Schedule(now.Add(p.Period), i, instLivenessProbe)
}

// restart kills the instance's process and starts it again on the same
// node, as the kubelet does: what it holds fails, it leaves the rotation,
// and it is Starting for a new readiness delay, then Ready and cold.
func (i *Instance) restart(now sim.Time, why string) {
	i.dropAll(now)
	i.stopProbes()
	i.cold = true
	i.restarts++
	i.leaveLB(now)
	i.transition(startingBoot, now, why)
	i.readyChanged = now
	i.lifecycle = i.svc.w.eng.Schedule(now.Add(i.svc.readinessDelay()), i, instReady)
}
