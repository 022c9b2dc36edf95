package cluster

import (
	"strconv"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// ControlPlane holds the timings of the Kubernetes control plane that
// decide what happens to the pods of a node that stops reporting (see the
// package documentation, "Node lifecycle"). Zero values mean zero: a node
// is NotReady, and its pods evicted, at the instant it fails.
type ControlPlane struct {
	// NodeMonitorGracePeriod: the node lifecycle controller marks a node
	// whose kubelet has stopped reporting NotReady (Ready=Unknown) this
	// long after its last heartbeat, taken to be the instant it failed
	// (kube-controller-manager --node-monitor-grace-period).
	NodeMonitorGracePeriod time.Duration
	// NotReadyToleration and UnreachableToleration are the
	// tolerationSeconds that the DefaultTolerationSeconds admission plugin
	// gives every pod for the node.kubernetes.io/not-ready and
	// node.kubernetes.io/unreachable NoExecute taints: the taint manager
	// evicts a pod that long after the taint. A node that fails stops
	// reporting, so its taint is unreachable; a node whose kubelet reports
	// NotReady (Ready=False) is not produced by any fault yet.
	NotReadyToleration, UnreachableToleration time.Duration
}

// nodeLife is what the control plane knows of a failed node: whether it
// has marked it NotReady, the pods still bound to it, and its next step.
type nodeLife struct {
	notReady bool        // NotReady and tainted unreachable (NoSchedule and NoExecute)
	timer    sim.EventID // NotReady, then the eviction of its pods
	pods     []strandedPod
}

// strandedPod is an instance lost with its node whose pod object still
// exists: the ReplicaSet counts it and does not replace it, the scheduler
// counts it in its zone, until it is evicted.
type strandedPod struct {
	inst *Instance
	zone int
	// rs: it counts for its ReplicaSet (it was not draining when its node
	// failed); spread: it counts in its zone for topology spread.
	rs, spread bool
}

// Event arguments for the node lifecycle (node.Fire).
const (
	nodeNotReadyArg uint64 = 100 + iota
	nodeEvictArg
)

// strand handles inst when its node fails: the process is gone (what it
// holds fails), but the pod object stays: the load balancer keeps routing
// to it (requests routed there fail, or time out for a client with a
// timeout, as a connection to a silent host does) until the node is
// NotReady and the endpoint removal has propagated; the ReplicaSet and
// the scheduler's spread count keep counting it until it is evicted.
func (w *World) strand(inst *Instance, n *node, now sim.Time, why string) {
	s := inst.svc
	if inst.phase.state() == Terminated {
		return
	}
	if inst.phase == pendingNominated {
		// Waiting for a node that never joined: its pod was never bound,
		// so nothing waits for the control plane; it is placed again.
		s.lose(inst, now, why, false)
		return
	}
	p := strandedPod{inst: inst, zone: n.zone, rs: inst.phase.state() < Draining, spread: inst.spread()}
	inst.dropAll(now)
	inst.stopProbes()
	inst.unreachable = true
	to := terminatedLost
	if inst.inLB && inst.forget.IsZero() {
		to = terminatedDetecting // in rotation until the node is NotReady
	}
	s.terminateAs(inst, to, now, why)
	if p.rs {
		s.stranded++
	}
	if p.spread {
		s.zoneCount[n.zone]++
	}
	n.life.pods = append(n.life.pods, p)
}

// monitor starts the node controller's clock on a failed node: NotReady
// after the grace period.
func (w *World) monitor(n *node, now sim.Time) {
	if !n.life.timer.IsZero() || n.life.notReady {
		return
	}
	n.life.timer = w.eng.Schedule(now.Add(w.cfg.ControlPlane.NodeMonitorGracePeriod), n, nodeNotReadyArg)
}

// nodeNotReady marks a failed node NotReady: tainted unreachable (so a
// node_taints_policy Honor spread stops counting its zone), its pods
// marked not ready, which takes them out of the endpoints after the
// propagation delay, and their eviction due after the toleration.
func (w *World) nodeNotReady(n *node, now sim.Time) {
	n.life.timer = sim.EventID{}
	if n.state != nodeDown {
		return
	}
	n.life.notReady = true
	cp := w.cfg.ControlPlane
	w.nodeEvent(n, KindNodeNotReady, now, "no heartbeat for "+cp.NodeMonitorGracePeriod.String()+"; tainted unreachable, pods evicted after "+cp.UnreachableToleration.String())
	for _, p := range n.life.pods {
		inst := p.inst
		if inst.phase == terminatedDetecting {
			inst.transition(terminatedLost, now, "")
			inst.leaveLB(now)
		}
		s := inst.svc
		s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindInstanceNotReady, Instance: inst.Name,
			Detail: "node " + n.name + " not ready: leaves the endpoints", Counts: s.counts})
	}
	n.life.timer = w.eng.Schedule(now.Add(cp.UnreachableToleration), n, nodeEvictArg)
	w.retryPending(now)
}

// evictStranded is the taint manager evicting the pods of a node that is
// still unreachable at the end of their toleration: the pod objects are
// deleted (terminating: the scheduler no longer counts them) and the
// ReplicaSets replace them.
func (w *World) evictStranded(n *node, now sim.Time) {
	n.life.timer = sim.EventID{}
	tol := w.cfg.ControlPlane.UnreachableToleration
	w.releaseStranded(n, now, "evicted: node.kubernetes.io/unreachable tolerated for "+tol.String())
}

// releaseStranded forgets the node's stranded pods, reporting each with
// why, and lets their services replace them.
func (w *World) releaseStranded(n *node, now sim.Time, why string) {
	pods := n.life.pods
	n.life.pods = nil
	for _, p := range pods {
		w.forgetStranded(p, now)
		s := p.inst.svc
		s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindInstanceEvicted, Instance: p.inst.Name, Detail: why, Counts: s.counts})
	}
	for _, p := range pods {
		p.inst.svc.reconcile(now)
	}
	w.retryPending(now)
}

// forgetStranded takes one stranded pod out of its service's counts and
// out of the endpoints (its pod object is deleted).
func (w *World) forgetStranded(p strandedPod, now sim.Time) {
	s := p.inst.svc
	if p.spread {
		s.zoneCount[p.zone]--
	}
	if p.rs {
		s.stranded--
	}
	if inst := p.inst; inst.phase == terminatedDetecting {
		inst.transition(terminatedLost, now, "")
		inst.leaveLB(now)
	}
}

// dropStranded removes one of s's stranded pods (the newest) for which
// match holds (nil: any), as a ReplicaSet scaling down deletes a pod of a
// NotReady node first; it reports whether there was one.
func (w *World) dropStranded(s *Service, now sim.Time, match func(*Instance) bool) bool {
	for k := len(w.nodes) - 1; k >= 0; k-- {
		n := w.nodes[k]
		for j := len(n.life.pods) - 1; j >= 0; j-- {
			p := n.life.pods[j]
			if p.inst.svc != s || !p.rs || (match != nil && !match(p.inst)) {
				continue
			}
			n.life.pods = append(n.life.pods[:j], n.life.pods[j+1:]...)
			w.forgetStranded(p, now)
			s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindInstanceEvicted, Instance: p.inst.Name, Detail: "deleted by a scale-down", Counts: s.counts})
			return true
		}
	}
	return false
}

// nodeBack is the control plane seeing a failed node report again: its
// taints go, and its pods, whose containers did not survive, are
// replaced (the model does not restart them in place).
func (w *World) nodeBack(n *node, now sim.Time) {
	if !n.life.timer.IsZero() {
		w.eng.Cancel(n.life.timer)
		n.life.timer = sim.EventID{}
	}
	n.life.notReady = false
	if len(n.life.pods) > 0 {
		w.releaseStranded(n, now, "node "+n.name+" back after "+strconv.Itoa(len(n.life.pods))+" pod(s) were lost with it")
	}
}

// unreachableHold reports whether a request routed to inst is lost in
// silence: its node is unreachable and the client has a timeout, so it
// waits for it (TimedOut) instead of failing at once.
func (s *Service) unreachableHold(inst *Instance) bool {
	return inst.unreachable && s.cfg.Timeout > 0
}
