package cluster

import (
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// zone is an availability zone.
type zone struct {
	name    string
	down    bool // in an outage: its nodes are down and nothing is scheduled there
	outages int  // outages under way
	live    int  // nodes neither down nor removed (provisioning, ready or cordoned)
}

// pool is a node pool: a node group per zone, as the cluster autoscaler
// sees it.
type pool struct {
	cfg      PoolConfig
	zones    []int   // zone indexes, sorted by name
	cpu, mem int64   // one node's capacity, millicores and bytes
	count    []int   // per zone index: nodes not removed (down ones too)
	next     []int   // per zone index: the number of the next node's name
	price    float64 // USD per node-second
}

func (p *pool) has(z int) bool {
	for _, x := range p.zones {
		if x == z {
			return true
		}
	}
	return false
}

type nodeState uint8

const (
	nodeProvisioning nodeState = iota // requested, not joined yet
	nodeReady                         // schedulable unless cordoned
	nodeDown                          // lost with its zone, or failed
	nodeRemoved                       // gone for good
)

// idleTimeout is how long a node above its pool's per_zone count must stay
// empty before the cluster autoscaler removes it (its
// scale-down-unneeded-time default).
const idleTimeout = 10 * time.Minute

// node is one machine: a node of a pool, or without pools a default node
// (pool nil), which never appears in the event log.
type node struct {
	w        *World
	name     string
	pool     *pool // nil for a default node
	zone     int
	state    nodeState
	cordoned bool
	cpuCap   int64 // millicores
	memCap   int64 // bytes
	cpuUsed  int64 // requests of the instances bound or nominated to it
	memUsed  int64
	insts    []*Instance // bound or nominated, in the order they came
	timer    sim.EventID // joining (provisioning) or idle removal (ready)
	downs    int         // causes keeping it down (a zone outage, a node failure)
	life     nodeLife    // what the control plane does about it while down (nodelifecycle.go)

	// CPU sharing (cpu.go): the node's cores, its runnable instances (with
	// requests in their CPU phase, not throttled), the cores they want
	// (one per such request), and whether that is more than it has.
	cores    float64
	runnable []*Instance
	demand   int
	oversub  bool
	scratch  []*Instance
}

// Event arguments for node events.
const (
	nodeJoined uint64 = iota
	nodeIdle
)

// The default cluster, without node pools: a cluster with room. Its nodes
// have DefaultNodeCPU cores and DefaultNodeMemory bytes, or twice, four
// times... as much where an instance requests more; a node is added at
// once, in the zone where the scheduler would put an instance, when no node
// there can take it, and removed at once when it is empty. Default nodes
// cost nothing (without pools instances are priced) and are not reported.
const (
	DefaultNodeCPU    = 4        // cores
	DefaultNodeMemory = 16 << 30 // bytes
)

func milli(cores float64) int64 { return int64(math.Round(cores * 1000)) }

// billed reports whether the node costs money now: from its request until
// its removal, except while it is down.
func (n *node) billed() bool { return n.state == nodeProvisioning || n.state == nodeReady }

// Fire handles the node's events.
func (n *node) Fire(now sim.Time, arg uint64) {
	switch arg {
	case nodeJoined:
		n.timer = sim.EventID{}
		n.w.nodeJoined(n, now)
	case nodeNotReadyArg:
		n.w.nodeNotReady(n, now)
		return
	case nodeEvictArg:
		n.w.evictStranded(n, now)
		return
	case nodeIdle:
		n.timer = sim.EventID{}
		if len(n.insts) == 0 && n.state == nodeReady && n.pool.count[n.zone] > n.pool.cfg.PerZone {
			n.w.removeNode(n, now, "empty for "+idleTimeout.String())
		}
	}
}

// nodeEvent reports a node transition (Service -1: it concerns the
// cluster).
func (w *World) nodeEvent(n *node, kind EventKind, now sim.Time, why string) {
	if n.pool == nil {
		return
	}
	d := n.name + " (zone " + w.zones[n.zone].name + ")"
	if why != "" {
		d += ": " + why
	}
	w.obs.Lifecycle(Event{Time: now, Service: -1, Kind: kind, Detail: d})
}

// buildTopology creates the zones, pools and initial nodes.
func (w *World) buildTopology() {
	for _, name := range w.cfg.zoneNames() {
		w.zones = append(w.zones, zone{name: name})
	}
	for _, pc := range w.cfg.Pools {
		p := &pool{
			cfg:   pc,
			cpu:   milli(pc.CPU),
			mem:   int64(math.Round(pc.Memory)),
			count: make([]int, len(w.zones)),
			next:  make([]int, len(w.zones)),
			price: pc.PricePerHour / 3600,
		}
		for z := range w.zones {
			if len(pc.Zones) == 0 || containsString(pc.Zones, w.zones[z].name) {
				p.zones = append(p.zones, z)
			}
			p.next[z] = 1
		}
		w.pools = append(w.pools, p)
	}
}

// startNodes creates the nodes present at time 0.
func (w *World) startNodes() {
	if len(w.pools) == 0 {
		w.defaultNext = make([]int, len(w.zones))
		return // default nodes come with the instances that need them
	}
	for _, p := range w.pools {
		for _, z := range p.zones {
			for k := 0; k < p.cfg.PerZone; k++ {
				w.addNode(p, z, 0, true)
			}
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addNode creates a node of pool p in zone z, ready at once or after the
// pool's provision delay.
func (w *World) addNode(p *pool, z int, now sim.Time, ready bool) *node {
	w.integrateCost(now)
	n := &node{
		w:      w,
		name:   fmt.Sprintf("%s-%s-%d", p.cfg.Name, w.zones[z].name, p.next[z]),
		pool:   p,
		zone:   z,
		cpuCap: p.cpu,
		memCap: p.mem,
		cores:  float64(p.cpu) / 1000,
	}
	p.next[z]++
	p.count[z]++
	w.zones[z].live++
	w.nodes = append(w.nodes, n)
	w.billRate += p.price
	if ready || p.cfg.ProvisionDelay <= 0 {
		n.state = nodeReady
		w.nodeEvent(n, KindNodeReady, now, "")
		n.idleCheck(now)
		return n
	}
	n.state = nodeProvisioning
	n.timer = w.eng.Schedule(now.Add(p.cfg.ProvisionDelay), n, nodeJoined)
	w.nodeEvent(n, KindNodeProvisioning, now, "")
	return n
}

// nodeJoined makes a provisioning node ready and starts the instances that
// were waiting for it.
func (w *World) nodeJoined(n *node, now sim.Time) {
	n.state = nodeReady
	w.nodeEvent(n, KindNodeReady, now, "")
	for _, inst := range n.insts {
		if inst.phase == pendingNominated {
			inst.bind(now)
		}
	}
	n.idleCheck(now)
	w.retryPending(now)
}

// idleCheck arms the idle-removal timer of an empty node that the cluster
// autoscaler may remove, and disarms it once the node holds something.
func (n *node) idleCheck(now sim.Time) {
	if n.pool == nil {
		// A default node goes once empty, but not while it is down with
		// the control plane still to deal with its pods: it goes when it
		// is back (restoreNode checks again).
		if len(n.insts) == 0 && n.state == nodeReady && len(n.life.pods) == 0 && n.life.timer.IsZero() {
			n.w.removeDefaultNode(n)
		}
		return
	}
	if n.state != nodeReady {
		return
	}
	if len(n.insts) > 0 {
		if !n.timer.IsZero() {
			n.w.eng.Cancel(n.timer)
			n.timer = sim.EventID{}
		}
		return
	}
	if n.timer.IsZero() && n.pool.count[n.zone] > n.pool.cfg.PerZone && !n.cordoned {
		n.timer = n.w.eng.Schedule(now.Add(idleTimeout), n, nodeIdle)
	}
}

// removeNode deletes an empty node.
func (w *World) removeNode(n *node, now sim.Time, why string) {
	w.integrateCost(now)
	if n.billed() {
		w.billRate -= n.pool.price
	}
	if n.state != nodeDown {
		w.zones[n.zone].live--
	}
	if !n.timer.IsZero() {
		w.eng.Cancel(n.timer)
		n.timer = sim.EventID{}
	}
	n.state = nodeRemoved
	n.pool.count[n.zone]--
	for k, x := range w.nodes {
		if x == n {
			w.nodes = append(w.nodes[:k], w.nodes[k+1:]...)
			break
		}
	}
	w.nodeEvent(n, KindNodeRemoved, now, why)
}

// loseNode takes a node down with everything on it: its instances are lost
// (their requests fail), and the control plane finds out after the node
// monitor grace period (nodelifecycle.go).
func (w *World) loseNode(n *node, now sim.Time, why string) {
	if n.state == nodeRemoved {
		return
	}
	if n.downs++; n.state == nodeDown {
		return
	}
	w.integrateCost(now)
	if n.billed() {
		w.billRate -= n.price()
	}
	if !n.timer.IsZero() {
		w.eng.Cancel(n.timer)
		n.timer = sim.EventID{}
	}
	n.state = nodeDown
	w.zones[n.zone].live--
	w.nodeEvent(n, KindNodeDown, now, why)
	for len(n.insts) > 0 {
		inst := n.insts[len(n.insts)-1]
		w.strand(inst, n, now, "lost with node "+n.name+": "+why)
	}
	w.monitor(n, now)
}

func (n *node) price() float64 {
	if n.pool == nil {
		return 0
	}
	return n.pool.price
}

// restoreNode brings a down node back, empty and ready.
func (w *World) restoreNode(n *node, now sim.Time) {
	if n.state != nodeDown {
		return
	}
	if n.downs--; n.downs > 0 || w.zones[n.zone].down {
		return
	}
	w.integrateCost(now)
	w.billRate += n.price()
	n.state = nodeReady
	w.zones[n.zone].live++
	w.nodeEvent(n, KindNodeReady, now, "back")
	w.nodeBack(n, now)
	n.idleCheck(now)
}

// findNode returns the node named name that is not removed, or nil.
func (w *World) findNode(name string) *node {
	for _, n := range w.nodes {
		if n.name == name && n.pool != nil {
			return n
		}
	}
	return nil
}

// integrateCost advances every service's share of the nodes' cost to now.
// The cost of the nodes billed over an interval is shared among the
// services in proportion to the CPU their instances request on nodes (bound
// or waiting for a node), idle capacity included; when nothing is
// requested it is shared equally.
func (w *World) integrateCost(now sim.Time) {
	if now <= w.costAt {
		return
	}
	dt := now.Sub(w.costAt).Seconds()
	w.costAt = now
	if w.billRate == 0 || len(w.services) == 0 {
		return
	}
	cost := w.billRate * dt
	var total int64
	for _, s := range w.services {
		total += s.allocCPU
	}
	for _, s := range w.services {
		if total > 0 {
			s.nodeCost += cost * float64(s.allocCPU) / float64(total)
		} else {
			s.nodeCost += cost / float64(len(w.services))
		}
	}
}

// roomFor is the default cluster's autoscaler: given n, the node the
// scheduler picked (nil: none), it returns a new default node for the
// attempt's instance if the scheduler would rather put it in another zone,
// one with fewer instances of the service (that the spread allows), where
// no node has room; ties between such zones are broken at random
// ("placement" stream), as the scheduler breaks ties between equal nodes.
func (w *World) roomFor(a *attempt, n *node) *node {
	ts := a.s.cfg.TopologySpread
	best, ties := -1, 0
	for z := range w.zones {
		if w.zones[z].down {
			continue
		}
		c := a.zc[z]
		if ts != nil && !ts.ScheduleAnyway && c+1-a.minCount > ts.MaxSkew {
			continue
		}
		switch {
		case best < 0 || c < a.zc[best]:
			best, ties = z, 1
		case c == a.zc[best]:
			if ties++; w.placement.IntN(ties) == 0 {
				best = z
			}
		}
	}
	if best < 0 || (n != nil && a.zc[n.zone] <= a.zc[best]) {
		return nil
	}
	return w.addDefaultNode(best, a.cpu, a.mem)
}

// DefaultNodeSize is the size of the default node an instance requesting
// cpu millicores and mem bytes gets: DefaultNodeCPU and DefaultNodeMemory,
// doubled until it fits.
func DefaultNodeSize(cpu, mem int64) (milliCPU, bytes int64) {
	c, m := int64(DefaultNodeCPU*1000), int64(DefaultNodeMemory)
	for c < cpu || m < mem {
		c, m = 2*c, 2*m
	}
	return c, m
}

// addDefaultNode adds a ready default node to zone z, big enough for an
// instance requesting cpu millicores and mem bytes.
func (w *World) addDefaultNode(z int, cpu, mem int64) *node {
	c, m := DefaultNodeSize(cpu, mem)
	w.defaultNext[z]++
	n := &node{
		w: w, name: fmt.Sprintf("default-%s-%d", w.zones[z].name, w.defaultNext[z]),
		zone: z, state: nodeReady, cpuCap: c, memCap: m, cores: float64(c) / 1000,
	}
	w.zones[z].live++
	w.nodes = append(w.nodes, n)
	return n
}

// removeDefaultNode removes an empty default node.
func (w *World) removeDefaultNode(n *node) {
	if n.state == nodeRemoved {
		return
	}
	if n.state != nodeDown {
		w.zones[n.zone].live--
	}
	n.state = nodeRemoved
	for k, x := range w.nodes {
		if x == n {
			w.nodes = append(w.nodes[:k], w.nodes[k+1:]...)
			break
		}
	}
}
