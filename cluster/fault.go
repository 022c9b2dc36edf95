package cluster

import (
	"math/rand/v2"
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
	detail string     // the events' Detail, e.g. "zone-outage b"
	rng    *rand.Rand // "faults/<index>"
	svc    *Service   // the service it concerns, if any
	zone   int        // zone-outage
	node   *node      // node-failure: the node it took down

	// node-upgrade: the pool's nodes when it began, the next to take, the
	// one being drained.
	nodes   []*node
	k       int
	cur     *node
	scratch []*Instance
}

// Event arguments for fault events.
const (
	faultBegin uint64 = iota
	faultOver
	faultPoll
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

// upgradeStep moves a node upgrade on: it cordons the next node of the
// pool and requests its replacement, evicts what the disruption budgets
// allow, removes the node once it is empty, and goes on until every node
// the pool had when the upgrade began is replaced. Evictions a budget
// refuses are retried every evictionRetry.
func (f *fault) upgradeStep(now sim.Time) {
	w := f.w
	for {
		if f.cur == nil {
			for f.k < len(f.nodes) && f.cur == nil {
				if n := f.nodes[f.k]; n.state == nodeReady {
					f.cur = n
				}
				f.k++
			}
			if f.cur == nil {
				f.clusterEvent(KindFaultEnd, now)
				return
			}
			n := f.cur
			n.cordoned = true
			if !n.timer.IsZero() {
				w.eng.Cancel(n.timer)
				n.timer = sim.EventID{}
			}
			w.nodeEvent(n, KindNodeCordoned, now, f.detail)
			w.addNode(n.pool, n.zone, now, false)
		}
		n := f.cur
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
		switch {
		case n.state != nodeReady:
			f.cur = nil // lost meanwhile
		case len(n.insts) == 0:
			w.removeNode(n, now, "upgraded")
			f.cur = nil
		default:
			w.eng.Schedule(now.Add(evictionRetry), f, faultPoll)
			return
		}
	}
}
