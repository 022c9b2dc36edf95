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
	upcoming bool  // evaluating provisioning nodes (nomination) rather than ready ones
	minCount int   // the global minimum: the fewest instances of s in a domain (0 below MinDomains)
	ndom     int   // the number of domains
	zc       []int // the instances of s per zone that the spread counts
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
		return ts == nil || ts.ScheduleAnyway || a.zc[n.zone]+1-a.minCount <= ts.MaxSkew
	}},
}

// domains marks the zones that are topology-spread domains for s, as the
// scheduler's PodTopologySpread plugin counts them (calPreFilterState and
// matchNodeInclusionPolicies in pkg/scheduler/framework/plugins/
// podtopologyspread): a zone is a domain when one of its registered nodes
// (not being provisioned, not removed) passes the node inclusion
// policies. Under nodeTaintsPolicy Ignore, the default, every registered
// node does, a failed or NotReady one too, so a lost zone stays a domain
// with no pods in it; under Honor only a node without a taint the pod
// does not tolerate: not cordoned (node.kubernetes.io/unschedulable) and
// not NotReady (node.kubernetes.io/unreachable:NoSchedule, which the
// default tolerations do not cover). It returns the number of domains.
// (nodeAffinityPolicy has no effect here: the model has no node
// affinity, so every node matches.)
func (w *World) domains(s *Service, dom []bool) int {
	clear(dom)
	k := 0
	if len(w.pools) == 0 {
		// The default cluster has room in every zone that is up: a
		// default node is added there when one is needed (roomFor).
		for z := range w.zones {
			if !w.zones[z].down {
				dom[z] = true
				k++
			}
		}
		return k
	}
	honor := s.cfg.TopologySpread != nil && s.cfg.TopologySpread.HonorTaints
	for _, n := range w.nodes {
		if dom[n.zone] || n.state == nodeProvisioning || n.state == nodeRemoved {
			continue
		}
		if honor && (n.cordoned || n.life.notReady) {
			continue
		}
		dom[n.zone] = true
		k++
	}
	return k
}

// minCount fills a's domains, counts and global minimum: the fewest
// instances of its service in a domain, 0 when there is none or, with
// MinDomains, when there are fewer domains than that (minMatchNum).
func (w *World) minCount(a *attempt) {
	if len(w.dom) < len(w.zones) {
		w.dom = make([]bool, len(w.zones))
		w.cnt = make([]int, len(w.zones))
	}
	a.ndom = w.domains(a.s, w.dom)
	a.zc = w.counted(a.s, w.cnt)
	a.minCount = w.globalMin(a, w.dom, a.ndom, -1)
}

// counted returns the instances of s per zone that the spread counts:
// those of s.zoneCount (bound, nominated to a node being provisioned, or
// stranded on a failed node, and not terminating) but, under HonorTaints,
// not those on a node the policy leaves out (cordoned or NotReady), as
// calPreFilterState counts only the pods of the nodes it includes. cnt is
// the scratch for that case.
func (w *World) counted(s *Service, cnt []int) []int {
	if ts := s.cfg.TopologySpread; ts == nil || !ts.HonorTaints {
		return s.zoneCount
	}
	copy(cnt, s.zoneCount)
	for _, n := range w.nodes {
		if n.state == nodeProvisioning || !(n.cordoned || n.life.notReady) {
			continue
		}
		for _, inst := range n.insts {
			if inst.svc == s && inst.spread() {
				cnt[n.zone]--
			}
		}
		for _, p := range n.life.pods {
			if p.inst.svc == s && p.spread {
				cnt[n.zone]--
			}
		}
	}
	return cnt
}

// globalMin is the global minimum over the domains dom (ndom of them),
// zone extra counting as a domain too if it is not one (-1: none).
func (w *World) globalMin(a *attempt, dom []bool, ndom, extra int) int {
	if extra >= 0 && !dom[extra] {
		ndom++
	}
	if ts := a.s.cfg.TopologySpread; ts != nil && ndom < ts.MinDomains {
		return 0
	}
	m := -1
	for z := range w.zones {
		if (dom[z] || z == extra) && (m < 0 || a.zc[z] < m) {
			m = a.zc[z]
		}
	}
	return max(m, 0)
}

// rank is a feasible node's score, lower is better: the instances of the
// service already in its zone (spreading, as Kubernetes' default topology
// spread does), then the share of its CPU allocated once the instance is
// there (Kubernetes' LeastAllocated).
func (a *attempt) rank(n *node) (int, float64) {
	return a.zc[n.zone], float64(n.cpuUsed+a.cpu) / float64(n.cpuCap)
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
	*a = attempt{s: s, cpu: s.cpuMilli, mem: s.memBytes}
	w.minCount(a)
	n := w.pick(a)
	if len(w.pools) == 0 {
		if m := w.roomFor(a, n); m != nil {
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
			c := a.zc[z]
			if ts != nil && !ts.ScheduleAnyway {
				// A new node makes its zone a domain if it was not one
				// (the cluster autoscaler simulates the scheduler
				// with the node added).
				if c+1-w.globalMin(a, w.dom, a.ndom, z) > ts.MaxSkew {
					continue
				}
			}
			if best == nil || c < a.zc[bestZone] || (c == a.zc[bestZone] && p.count[z] < best.count[bestZone]) {
				best, bestZone = p, z
			}
		}
	}
	if best == nil {
		return nil
	}
	return w.addNode(best, bestZone, now, false)
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
