package cluster

import (
	"strconv"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// evictionRetry is how often a node upgrade retries the evictions a
// disruption budget refused, as kubectl drain does.
const evictionRetry = 5 * time.Second

// fault is one injected failure.
type fault struct {
	w      *World
	cfg    FaultConfig
	detail string    // the events' Detail, e.g. "zone-outage b"
	rng    *sim.Rand // "faults/<index>"
	svc    *Service  // the service it concerns, if any
	zone   int       // zone-outage
	node   *node     // node-failure: the node it took down

	// node-upgrade: the pool's nodes when it began, the next to take, the
	// ones being replaced, and the pending retry of refused evictions.
	nodes   []*node
	k       int
	slots   []upgradeSlot
	retry   sim.EventID
	scratch []*Instance
}

// upgradeSlot is one node of a node upgrade being replaced: its surge
// node, and whether it is cordoned and draining (once the surge node has
// joined).
type upgradeSlot struct {
	old, surge *node
	draining   bool
}

// Event arguments for fault events.
const (
	faultBegin uint64 = iota
	faultOver
	faultPoll // a node upgrade retries the evictions a budget refused
	faultJoin // a node upgrade's surge node has joined
)

func (w *World) newFault(k int, fc FaultConfig, streams sim.Streams) *fault {
	f := &fault{w: w, cfg: fc, rng: streams.Get("faults/" + strconv.Itoa(k))}
	d := fc.Type.String() + " "
	switch fc.Type {
	case ZoneOutage:
		d += fc.Zone
		for z := range w.zones {
			if w.zones[z].name == fc.Zone {
				f.zone = z
			}
		}
	case NodeFailure:
		d += fc.Node
	case NodeUpgrade:
		d += fc.Pool
	default:
		d += fc.Service
		for _, s := range w.services {
			if s.cfg.Name == fc.Service {
				f.svc = s
			}
		}
		switch {
		case fc.Type == InstanceCrash && fc.Count > 1:
			d += " x" + strconv.Itoa(fc.Count)
		case fc.Type == DependencyOutage && fc.Slow:
			d += " slow +" + fc.Delay.String()
		case fc.Type == DependencyOutage:
			d += " fail"
		}
	}
	f.detail = d
	return f
}

// Fire handles the fault's events.
func (f *fault) Fire(now sim.Time, arg uint64) {
	switch arg {
	case faultBegin:
		f.begin(now)
	case faultOver:
		f.over(now)
	case faultPoll:
		f.retry = sim.EventID{}
		f.upgradeStep(now)
	case faultJoin:
		f.upgradeStep(now)
	}
}

// clusterEvent reports a fault of the cluster (Service -1).
func (f *fault) clusterEvent(kind EventKind, now sim.Time) {
	f.w.obs.Lifecycle(Event{Time: now, Service: -1, Kind: kind, Detail: f.detail})
}

func (f *fault) scheduleOver(now sim.Time) {
	if f.cfg.Duration > 0 {
		f.w.eng.Schedule(now.Add(f.cfg.Duration), f, faultOver)
	}
}

func (f *fault) begin(now sim.Time) {
	w := f.w
	switch f.cfg.Type {
	case ZoneOutage:
		f.clusterEvent(KindFaultStart, now)
		w.zones[f.zone].down = true
		w.zones[f.zone].outages++
		for _, n := range w.nodesIn(f.zone) {
			w.loseNode(n, now, f.detail)
		}
		f.scheduleOver(now)
	case NodeFailure:
		f.clusterEvent(KindFaultStart, now)
		if f.node = w.findNode(f.cfg.Node); f.node != nil {
			w.loseNode(f.node, now, f.detail)
		}
		f.scheduleOver(now)
	case InstanceCrash:
		f.crash(now)
	case LoadBalancerFailure:
		f.svc.lbFail(f, now)
	case DependencyOutage:
		s := f.svc
		s.event(KindFaultStart, f.detail, now)
		s.dep.active, s.dep.slow, s.dep.delay, s.dep.by = true, f.cfg.Slow, f.cfg.Delay, f
		f.scheduleOver(now)
	case Rollout:
		f.beginRollout(now)
	case NodeUpgrade:
		f.clusterEvent(KindFaultStart, now)
		for _, n := range w.nodes {
			if n.pool != nil && n.pool.cfg.Name == f.cfg.Pool && n.state == nodeReady {
				f.nodes = append(f.nodes, n)
			}
		}
		f.upgradeStep(now)
	}
}

func (f *fault) over(now sim.Time) {
	w := f.w
	switch f.cfg.Type {
	case ZoneOutage:
		z := &w.zones[f.zone]
		if z.outages--; z.outages == 0 {
			z.down = false
		}
		for _, n := range w.nodesIn(f.zone) {
			w.restoreNode(n, now)
		}
		f.clusterEvent(KindFaultEnd, now)
		w.retryPending(now)
	case NodeFailure:
		if f.node != nil {
			w.restoreNode(f.node, now)
		}
		f.clusterEvent(KindFaultEnd, now)
		w.retryPending(now)
	case DependencyOutage:
		s := f.svc
		if s.dep.by == f {
			s.dep.active, s.dep.by = false, nil
		}
		s.event(KindFaultEnd, f.detail, now)
	}
}

// nodesIn returns the zone's nodes not removed (a copy).
func (w *World) nodesIn(z int) []*node {
	var out []*node
	for _, n := range w.nodes {
		if n.zone == z {
			out = append(out, n)
		}
	}
	return out
}

// crash kills Count running instances of the service, chosen at random;
// what they hold fails and the service replaces them.
func (f *fault) crash(now sim.Time) {
	s := f.svc
	var running []*Instance
	for _, inst := range s.instances {
		if inst.State() == Starting || inst.State() == Ready {
			running = append(running, inst)
		}
	}
	n := min(max(f.cfg.Count, 1), len(running))
	for k := 0; k < n; k++ {
		j := k + f.rng.IntN(len(running)-k)
		running[k], running[j] = running[j], running[k]
	}
	s.event(KindFault, f.detail, now)
	for _, inst := range running[:n] {
		s.lose(inst, now, "crashed", false)
	}
}

// upgradeStep moves a node upgrade on, as a surge upgrade does (GKE's
// max-surge-upgrade): up to NodeSurge nodes at a time, in the order the
// pool had them when the upgrade began, a surge node is requested in the
// old node's zone; once it has joined, the old node is cordoned and its
// instances evicted as the disruption budgets allow (a refused eviction
// is retried every evictionRetry), and the empty node is removed. So the
// pool never has fewer schedulable nodes than it started with. The fault
// ends when every node is replaced.
func (f *fault) upgradeStep(now sim.Time) {
	w := f.w
	surge := max(f.cfg.NodeSurge, 1)
	for {
		for len(f.slots) < surge && f.k < len(f.nodes) {
			n := f.nodes[f.k]
			f.k++
			if n.state != nodeReady {
				continue // lost meanwhile
			}
			sn := w.addNode(n.pool, n.zone, now, false)
			f.slots = append(f.slots, upgradeSlot{old: n, surge: sn})
			if sn.state == nodeProvisioning {
				// The node joins first: its event was scheduled before.
				w.eng.Schedule(now.Add(n.pool.cfg.ProvisionDelay), f, faultJoin)
			}
		}
		if len(f.slots) == 0 {
			f.clusterEvent(KindFaultEnd, now)
			return
		}
		done, waiting := false, false
		for k := 0; k < len(f.slots); k++ {
			sl := &f.slots[k]
			n := sl.old
			if n.state != nodeReady {
				f.slots = append(f.slots[:k], f.slots[k+1:]...) // lost meanwhile
				k--
				done = true
				continue
			}
			if !sl.draining {
				if sl.surge.state == nodeProvisioning {
					continue // waiting for it to join
				}
				sl.draining = true
				n.cordoned = true
				if !n.timer.IsZero() {
					w.eng.Cancel(n.timer)
					n.timer = sim.EventID{}
				}
				w.nodeEvent(n, KindNodeCordoned, now, f.detail)
			}
			f.evict(n, now)
			if n.state == nodeReady && len(n.insts) == 0 {
				w.removeNode(n, now, "upgraded")
				f.slots = append(f.slots[:k], f.slots[k+1:]...)
				k--
				done = true
			} else if n.state == nodeReady {
				waiting = true
			}
		}
		if done {
			continue // free slots: take the next nodes
		}
		if waiting && f.retry.IsZero() {
			f.retry = w.eng.Schedule(now.Add(evictionRetry), f, faultPoll)
		}
		return
	}
}

// evict starts the graceful drain of every instance on n that the
// disruption budgets allow: evicting a Ready instance must leave at
// least MinAvailable Ready.
func (f *fault) evict(n *node, now sim.Time) {
	f.scratch = append(f.scratch[:0], n.insts...)
	for _, inst := range f.scratch {
		if inst.State() == Draining || inst.State() == Terminated {
			continue
		}
		s := inst.svc
		if inst.State() == Ready && s.cfg.MinAvailable > 0 && s.counts.Ready-1 < s.cfg.MinAvailable {
			continue // the budget refuses: retried later
		}
		inst.beginDrain(now, "evicted: "+f.detail)
		s.reconcile(now)
	}
	clear(f.scratch)
}
