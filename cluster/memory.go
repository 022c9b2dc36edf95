package cluster

import (
	"fmt"
	"slices"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Memory. A running container's working set is BaseMemory plus
// MemoryPerRequest for each request it holds (queued or in service), plus
// what its runtime retains after a burst: above what the requests need, it
// falls back with time constant MemoryRetention (W = u + (W0 - u)
// exp(-t/tau) while the need u stays put), at once with 0, never with
// RetainForever (a JVM heap keeps the size it grew to). The working set
// rises only when a request comes in (and a container starts with its
// base), so limits are checked exactly then:
//
//   - above MemoryLimit the kernel OOM-kills the container at that instant
//     ("oom-killed"); it restarts in place (restart.go), and what it held
//     fails. A draining instance is not restarted: it is gone.
//   - a node whose running containers' working sets exceed its memory is
//     under memory pressure: the kubelet evicts pods, ranked as
//     pkg/kubelet/eviction/helpers.go rankMemoryPressure ranks them
//     (exceedMemoryRequests, then priority (all equal here), then usage
//     minus request, largest first; ties to the oldest), until the rest
//     fit; the evicted are lost at once (a hard eviction has no grace
//     period) and replaced by their ReplicaSet elsewhere.

// RetainForever as InstanceConfig.MemoryRetention keeps the high-water mark.
const RetainForever time.Duration = -1

// memState is the working set at t, retained memory included (0 while no
// container runs).
type memState struct {
	w float64
	t sim.Time
}

// containerRuns reports whether the instance has a running container.
func (i *Instance) containerRuns() bool {
	switch i.phase.state() {
	case Pending, Terminated:
		return false
	}
	return i.phase != startingBackOff
}

// memNeed is what the requests held need now, base included.
func (i *Instance) memNeed() float64 {
	c := &i.svc.cfg.Instance
	return c.BaseMemory + float64(c.MemoryPerRequest*float64(i.held()))
}

// workingSet is the container's working set now; 0 while none runs.
func (i *Instance) workingSet(now sim.Time) float64 {
	if !i.containerRuns() {
		return 0
	}
	u := i.memNeed()
	w := i.mem.w
	tau := i.svc.cfg.Instance.MemoryRetention
	switch {
	case w <= u || tau == 0:
		return u
	case tau == RetainForever:
		return w
	}
	return u + float64((w-u)*sim.Exp(-now.Sub(i.mem.t).Seconds()/tau.Seconds()))
}

// memTracked: the working set moves with the requests held.
func (s *Service) memTracked() bool { return s.cfg.Instance.MemoryPerRequest > 0 }

// memBefore and memAfter are called, where i.memOn, around every change
// of the requests held.
//
// memBefore settles the retained memory at now, before the requests held
// change (a decaying working set decays towards what they needed).
func (i *Instance) memBefore(now sim.Time) {
	if i.svc.cfg.Instance.MemoryRetention > 0 {
		i.mem.w, i.mem.t = i.workingSet(now), now
	}
}

// memAfter records the working set after the requests held changed; on a
// rise it checks the container's limit and its node's memory.
func (i *Instance) memAfter(now sim.Time) {
	if !i.containerRuns() {
		return
	}
	u := i.memNeed()
	w := u
	if i.svc.cfg.Instance.MemoryRetention != 0 {
		w = max(w, i.mem.w)
	}
	rose := u > i.mem.w
	i.mem.w, i.mem.t = w, now
	if !rose {
		return
	}
	if lim := i.svc.cfg.Instance.MemoryLimit; lim > 0 && u > lim {
		i.oomKill(now, u, lim)
		return
	}
	if n := i.node; n != nil && n.pool != nil {
		i.svc.w.memoryPressure(n, now)
	}
}

// memStart: a new container runs its base.
func (i *Instance) memStart(now sim.Time) { i.mem = memState{w: i.svc.cfg.Instance.BaseMemory, t: now} }

// memStop: the container is gone, and its memory with it.
func (i *Instance) memStop(now sim.Time) { i.mem = memState{t: now} }

// oomKill ends the container whose working set w went over its limit.
func (i *Instance) oomKill(now sim.Time, w, limit float64) {
	s := i.svc
	s.oomKills++
	s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindOOMKilled, Instance: i.Name,
		Detail: fmt.Sprintf("working set %s above limit %s", mib(w), mib(limit)), Counts: s.counts})
	if i.phase.state() == Draining {
		i.kill(now)
		return
	}
	if i.phase == startingKilling {
		i.containerExited(now, "")
		return
	}
	i.containerExited(now, "OOMKilled")
}

// mib formats bytes in MiB.
func mib(b float64) string {
	return fmt.Sprintf("%.4gMi", b/(1<<20))
}

// memoryPressure evicts pods from node n while its running containers'
// working sets exceed its memory (see the comment at the top).
func (w *World) memoryPressure(n *node, now sim.Time) {
	total := 0.0
	for _, inst := range n.insts {
		total += inst.workingSet(now)
	}
	if total <= float64(n.memCap) {
		return
	}
	type cand struct {
		inst   *Instance
		excess float64 // usage minus request
	}
	var cs []cand
	for _, inst := range n.insts {
		if inst.containerRuns() {
			cs = append(cs, cand{inst, inst.workingSet(now) - inst.svc.cfg.Instance.MemoryRequest})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if (a.excess > 0) != (b.excess > 0) {
			if a.excess > 0 {
				return -1
			}
			return 1
		}
		switch {
		case a.excess > b.excess:
			return -1
		case a.excess < b.excess:
			return 1
		}
		return 0
	})
	for _, c := range cs {
		if total <= float64(n.memCap) {
			return
		}
		inst := c.inst
		if inst.phase.state() == Terminated || inst.node != n {
			continue
		}
		ws := inst.workingSet(now)
		total -= ws
		why := fmt.Sprintf("evicted: node %s memory pressure (working set %s, request %s)", n.name, mib(ws), mib(inst.svc.cfg.Instance.MemoryRequest))
		if inst.phase.state() == Draining {
			inst.dropAll(now)
			inst.svc.terminateWhy(inst, now, why)
			continue
		}
		inst.svc.lose(inst, now, why, false)
	}
}
