package cluster

import (
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/sim"
)

// Reason is why a node cannot take an instance: the feasibility stage that
// filtered it out.
type Reason uint8

const (
	// ReasonNode: the node is down (or in a zone that is down) or
	// cordoned (Kubernetes: "node(s) were unschedulable", or had an
	// unreachable taint).
	ReasonNode Reason = iota
	// ReasonCPU: the node's free CPU is less than the instance's request.
	ReasonCPU
	// ReasonMemory: the node's free memory is less than the request.
	ReasonMemory
	// ReasonSpread: placing the instance in the node's zone would break
	// its DoNotSchedule topology spread.
	ReasonSpread
	// NumReasons is the number of reasons.
	NumReasons
)

var reasonNames = [...]string{"node", "cpu", "memory", "spread"}

// noReason marks an instance that has not failed a placement yet.
const noReason = NumReasons

var reasonText = [...]string{"down or cordoned", "insufficient cpu", "insufficient memory", "topology spread"}

func (r Reason) String() string { return reasonNames[r] }

// attempt is one placement of one instance, the scratch the stages share.
type attempt struct {
	s        *Service
	cpu, mem int64
	upcoming bool // evaluating provisioning nodes (nomination) rather than ready ones
	minCount int  // the fewest instances of s in an eligible zone
	filtered [NumReasons]int
	nodes    int
}

// stage is one feasibility check, as in Nomad's scheduler: a node that fails
// it is filtered out and counted under its reason. The stages run in the
// order of feasibility; the first that fails names the node's reason.
type stage struct {
	reason   Reason
	feasible func(a *attempt, n *node) bool
}

var feasibility = [...]stage{
	{ReasonNode, func(a *attempt, n *node) bool {
		return !n.cordoned && !n.w.zones[n.zone].down && n.state != nodeDown
	}},
	{ReasonCPU, func(a *attempt, n *node) bool { return n.cpuUsed+a.cpu <= n.cpuCap }},
	{ReasonMemory, func(a *attempt, n *node) bool { return n.memUsed+a.mem <= n.memCap }},
	{ReasonSpread, func(a *attempt, n *node) bool {
		ts := a.s.cfg.TopologySpread
		return ts == nil || ts.ScheduleAnyway || a.s.zoneCount[n.zone]+1-a.minCount <= ts.MaxSkew
	}},
}

// eligible reports whether zone z is a topology-spread domain: up and with
// a node that is not down. (Kubernetes counts the zones of the nodes that
// exist; a lost zone's nodes are deleted.)
func (w *World) eligible(z int) bool {
	return !w.zones[z].down && (w.zones[z].live > 0 || len(w.pools) == 0)
}

// minCount returns the fewest instances of s in an eligible zone, 0 when
// there is none.
func (w *World) minCount(s *Service) int {
	m := -1
	for z := range w.zones {
		if w.eligible(z) && (m < 0 || s.zoneCount[z] < m) {
			m = s.zoneCount[z]
		}
	}
	return max(m, 0)
}

// rank is a feasible node's score, lower is better: the instances of the
// service already in its zone (spreading, as Kubernetes' default topology
// spread does), then the share of its CPU allocated once the instance is
// there (Kubernetes' LeastAllocated).
func (a *attempt) rank(n *node) (int, float64) {
	return a.s.zoneCount[n.zone], float64(n.cpuUsed+a.cpu) / float64(n.cpuCap)
}

// pick runs the stages over the nodes and returns the best feasible one,
// ties broken at random from the "placement" stream, or nil.
func (w *World) pick(a *attempt) *node {
	var best *node
	var bestZone int
	var bestAlloc float64
	ties := 0
	a.filtered = [NumReasons]int{}
	a.nodes = 0
	for _, n := range w.nodes {
		// Nodes being provisioned are not registered yet: only a
		// nomination considers them.
		if n.state == nodeRemoved || (n.state == nodeProvisioning) != a.upcoming {
			continue
		}
		a.nodes++
		ok := true
		for k := range feasibility {
			if !feasibility[k].feasible(a, n) {
				a.filtered[feasibility[k].reason]++
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		z, alloc := a.rank(n)
		switch {
		case best == nil || z < bestZone || (z == bestZone && alloc < bestAlloc):
			best, bestZone, bestAlloc, ties = n, z, alloc, 1
		case z == bestZone && alloc == bestAlloc:
			ties++
			if w.placement.IntN(ties) == 0 {
				best = n
			}
		}
	}
	return best
}

// dominant is the reason that filtered out the most nodes, ties to the
// earlier stage; ReasonNode when there are no nodes at all.
func (a *attempt) dominant() Reason {
	r := ReasonNode
	for k := Reason(1); k < NumReasons; k++ {
		if a.filtered[k] > a.filtered[r] {
			r = k
		}
	}
	return r
}

// explain is the Kubernetes-style message of a failed attempt, e.g. "0/6
// nodes available: 4 insufficient cpu, 2 topology spread".
func (a *attempt) explain() string {
	var b strings.Builder
	b.WriteString("0/")
	b.WriteString(strconv.Itoa(a.nodes))
	b.WriteString(" nodes available")
	sep := ": "
	for r := Reason(0); r < NumReasons; r++ {
		if a.filtered[r] > 0 {
			b.WriteString(sep)
			b.WriteString(strconv.Itoa(a.filtered[r]))
			b.WriteString(" ")
			b.WriteString(reasonText[r])
			sep = ", "
		}
	}
	return b.String()
}

// place finds inst a node: a ready one (the instance is bound and starts),
// else one being provisioned that it fits on, else a new node from the
// cluster autoscaler (the instance waits for it, nominated). It reports
// whether it found one; an instance that found none stays Pending with a
// counted reason, and the caller keeps it for later.
func (w *World) place(inst *Instance, now sim.Time) bool {
	s := inst.svc
	a := &w.att
	*a = attempt{s: s, cpu: s.cpuMilli, mem: s.memBytes, minCount: w.minCount(s)}
	n := w.pick(a)
	if len(w.pools) == 0 {
		if m := w.roomFor(a, n, now); m != nil {
			n = m
		}
	}
	if n != nil {
		w.assign(inst, n, now)
		inst.bind(now)
		return true
	}
	first := *a
	if len(w.pools) > 0 {
		a.upcoming = true
		n := w.pick(a)
		if n == nil {
			n = w.scaleUp(a, now)
		}
		if n != nil {
			s.unschedulableAt(inst, &first, n, now)
			w.assign(inst, n, now)
			return true
		}
	}
	s.unschedulableAt(inst, &first, nil, now)
	return false
}

// scaleUp is the cluster autoscaler: it adds a node where the instance
// would fit (its pool's node is big enough, the zone is up and below
// max_per_zone, and the spread allows the zone), preferring the zone with
// the fewest instances of the service, then the fewest nodes of the pool;
// then pools in configuration order and zones in name order.
func (w *World) scaleUp(a *attempt, now sim.Time) *node {
	ts := a.s.cfg.TopologySpread
	var best *pool
	bestZone := -1
	for _, p := range w.pools {
		if p.cpu < a.cpu || p.mem < a.mem {
			continue
		}
		for _, z := range p.zones {
			if w.zones[z].down || p.count[z] >= p.cfg.MaxPerZone {
				continue
			}
			c := a.s.zoneCount[z]
			if ts != nil && !ts.ScheduleAnyway {
				// A new node makes its zone a domain if it was not one.
				m := a.minCount
				if !w.eligible(z) {
					if w.anyEligible() {
						m = min(m, c)
					} else {
						m = c
					}
				}
				if c+1-m > ts.MaxSkew {
					continue
				}
			}
			if best == nil || c < a.s.zoneCount[bestZone] || (c == a.s.zoneCount[bestZone] && p.count[z] < best.count[bestZone]) {
				best, bestZone = p, z
			}
		}
	}
	if best == nil {
		return nil
	}
	return w.addNode(best, bestZone, now, false)
}

func (w *World) anyEligible() bool {
	for z := range w.zones {
		if w.eligible(z) {
			return true
		}
	}
	return false
}

// assign puts inst on n (bound if n is ready, nominated if it is still
// being provisioned).
func (w *World) assign(inst *Instance, n *node, now sim.Time) {
	s := inst.svc
	w.integrateCost(now)
	n.cpuUsed += s.cpuMilli
	n.memUsed += s.memBytes
	n.insts = append(n.insts, inst)
	if n.pool != nil {
		s.allocCPU += s.cpuMilli
	}
	inst.node = n
	inst.zone = n.zone
	s.zoneCount[n.zone]++
	if inst.phase == pendingUnscheduled {
		s.unschedulable--
	}
	switch {
	case n.state == nodeProvisioning:
		inst.transition(pendingNominated, now, "")
	case inst.phase != pendingInitial:
		inst.transition(pendingBound, now, "")
	}
	n.idleCheck(now)
	if w.placementEvents {
		d := n.name + " (zone " + w.zones[n.zone].name + ")"
		if n.state == nodeProvisioning {
			d += ", provisioning"
		}
		w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindInstanceScheduled, Instance: inst.Name, Detail: d, Counts: s.counts})
	}
}

// release frees what inst holds on its node and its place in the spread
// counts; the node may become empty.
func (w *World) release(inst *Instance, now sim.Time) {
	s := inst.svc
	w.unspread(inst)
	if inst.phase == pendingUnscheduled {
		s.unschedulable--
		for k, x := range w.unscheduled {
			if x == inst {
				w.unscheduled = append(w.unscheduled[:k], w.unscheduled[k+1:]...)
				break
			}
		}
	}
	n := inst.node
	if n == nil {
		return
	}
	w.integrateCost(now)
	n.cpuUsed -= s.cpuMilli
	n.memUsed -= s.memBytes
	if n.pool != nil {
		s.allocCPU -= s.cpuMilli
	}
	for k, x := range n.insts {
		if x == inst {
			n.insts = append(n.insts[:k], n.insts[k+1:]...)
			break
		}
	}
	inst.node = nil
	n.idleCheck(now)
}

// unspread takes inst out of its zone's spread count (it is draining or
// gone: Kubernetes ignores terminating pods).
func (w *World) unspread(inst *Instance) {
	if inst.spread() {
		inst.svc.zoneCount[inst.zone]--
	}
}

// retryPending tries again to place the instances that found no node, in
// the order they were created, until a pass places none: called whenever
// capacity or the spread counts may have changed.
func (w *World) retryPending(now sim.Time) {
	if w.retrying {
		return
	}
	w.retrying = true
	for progress := true; progress && len(w.unscheduled) > 0; {
		progress = false
		list := w.unscheduled
		w.unscheduled = w.spare[:0]
		for _, inst := range list {
			if inst.phase != pendingUnscheduled {
				continue // placed or gone meanwhile
			}
			if w.place(inst, now) {
				progress = true
			} else {
				w.unscheduled = append(w.unscheduled, inst)
			}
		}
		clear(list)
		w.spare = list[:0]
	}
	w.retrying = false
}
