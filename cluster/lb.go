package cluster

import (
	"strconv"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// loadBalancer routes a service's requests over the instances in its
// rotation. Instances join when they become ready and leave when their
// removal has propagated; a request finding the rotation empty is rejected.
type loadBalancer struct {
	alg     Algorithm
	members []*Instance // in the order they joined
	cursor  int
	rng     *sim.Rand
	// least indexes the members by outstanding requests, for
	// least-requests (nil for the other algorithms).
	least *leastIndex

	// client-ip: the number of clients, the session of each client seen
	// so far (see sessionTable), and how long an idle session lasts.
	clients  int
	sessions *sessionTable
	affinity time.Duration
	// cookie: the sessions are an ingress's cookies, which expire
	// affinity after they were set, not after the client's last request.
	cookie bool

	// The load-balancer instances: how many there should be and are, and
	// whether a primary is routing (see the package documentation,
	// "Load-balancer failover").
	state           lbState
	replicas, alive int
	promote         sim.EventID
	failures        []string // Details of the faults not yet ended
}

// session is a client's affinity to an instance: valid while the instance
// is still in the rotation it joined (epoch) and the client has not been
// idle longer than the affinity timeout.
type session struct {
	inst  *Instance
	epoch uint32
	last  sim.Time
}

// sessionTable holds the client-ip sessions by client. Up to
// denseClients clients it is a slice indexed by client, grown on demand
// (a lookup is an index, where a map lookup and store were 6% of the
// feature-rich benchmark); beyond, a map, so that a billion possible
// clients cost only the ones that send requests. A session whose inst is
// nil is none.
type sessionTable struct {
	dense   []session
	sparse  map[int32]*session
	n       int // sessions created in sparse (for tests)
	clients int
}

// denseClients is the most clients kept in a slice: at the scenario
// limit (scenarios.MaxClients, a million) a full slice is 24 MB, less
// than a map of as many sessions.
const denseClients = 1 << 20

func newSessionTable(clients int) *sessionTable {
	t := &sessionTable{clients: clients}
	if clients > denseClients {
		t.sparse = make(map[int32]*session)
	} else {
		t.dense = make([]session, 0, min(clients, 256))
	}
	return t
}

// at returns client c's session, a zero one if it has none yet. A client
// seen before in a slice is answered here, small enough to be inlined.
func (t *sessionTable) at(c int32) *session {
	if int(c) < len(t.dense) {
		return &t.dense[c]
	}
	return t.add(c)
}

// add is at for a client not seen before, or kept in the map.
func (t *sessionTable) add(c int32) *session {
	if t.sparse != nil {
		s := t.sparse[c]
		if s == nil {
			s = &session{}
			t.sparse[c] = s
			t.n++
		}
		return s
	}
	if int(c) >= len(t.dense) {
		if int(c) >= cap(t.dense) {
			d := make([]session, len(t.dense), min(max(2*cap(t.dense), int(c)+1), t.clients))
			copy(d, t.dense)
			t.dense = d
		}
		t.dense = t.dense[:int(c)+1]
	}
	return &t.dense[c]
}

type lbState uint8

const (
	lbUp       lbState = iota // a primary routes
	lbFailover                // the primary failed; a standby is taking over
	lbDown                    // no load-balancer instance is left
)

func (lb *loadBalancer) add(i *Instance) {
	if i.inLB {
		return
	}
	i.inLB = true
	i.lbEpoch++
	lb.members = append(lb.members, i)
	if lb.least != nil {
		lb.least.add(i, lb.members)
	}
}

func (lb *loadBalancer) remove(i *Instance) {
	if !i.inLB {
		return
	}
	i.inLB = false
	if lb.least != nil {
		lb.least.remove(i)
	}
	for k, m := range lb.members {
		if m == i {
			lb.members = append(lb.members[:k], lb.members[k+1:]...)
			if k < lb.cursor {
				lb.cursor--
			}
			break
		}
	}
	if lb.cursor >= len(lb.members) {
		lb.cursor = 0
	}
}

// heldChanged is told that i's outstanding requests changed.
func (lb *loadBalancer) heldChanged(i *Instance) {
	if lb.least != nil && i.inLB {
		lb.least.set(i)
	}
}

// pick chooses the instance for r, or nil. Every algorithm costs O(1)
// per request, but least-requests, O(log n).
func (lb *loadBalancer) pick(r *request, now sim.Time) *Instance {
	if lb.alg == ClientIP {
		// A client's first request, or one after its session ended,
		// goes to a random instance (as kube-proxy's iptables mode
		// does); the following ones stick to it. First, before the
		// other algorithms: nearly every request of a client-ip service
		// is a session's, answered here (an instance in the rotation
		// means the rotation is not empty).
		ss := lb.sessions.at(r.client)
		if m := ss.inst; m != nil && m.inLB && ss.epoch == m.lbEpoch && now.Sub(ss.last) <= lb.affinity {
			if !lb.cookie {
				ss.last = now
			}
			return m
		}
		n := len(lb.members)
		if n == 0 {
			return nil
		}
		m := lb.members[lb.rng.IntN(n)]
		*ss = session{inst: m, epoch: m.lbEpoch, last: now}
		return m
	}
	n := len(lb.members)
	if n == 0 {
		return nil
	}
	switch lb.alg {
	case Random:
		return lb.members[lb.rng.IntN(n)]
	case PowerOfTwo:
		if n == 1 {
			return lb.members[0]
		}
		a := lb.rng.IntN(n)
		b := lb.rng.IntN(n - 1)
		if b >= a {
			b++
		}
		if lb.members[b].held() < lb.members[a].held() {
			return lb.members[b]
		}
		return lb.members[a]
	case LeastRequests:
		// The fewest outstanding requests; ties go round-robin so equal
		// instances share the load: the first such member at or after
		// the cursor, in join order (an O(log n) query of the index, the
		// member a scan from the cursor would find).
		best := lb.least.pick(lb.members[lb.cursor])
		lb.advanceCursor(n)
		return best
	default: // RoundRobin
		return lb.roundRobin()
	}
}

// roundRobin is pick for RoundRobin, small enough to be inlined where the
// request path asks for it directly: the member at the cursor, which moves
// on, or nil if there is none.
func (lb *loadBalancer) roundRobin() *Instance {
	n := len(lb.members)
	if n == 0 {
		return nil
	}
	m := lb.members[lb.cursor]
	lb.advanceCursor(n)
	return m
}

// advanceCursor moves the round-robin cursor, which is below n, to the
// next of n members: (cursor+1) % n without the division.
func (lb *loadBalancer) advanceCursor(n int) {
	if lb.cursor++; lb.cursor == n {
		lb.cursor = 0
	}
}

// lbFail is a load-balancer failure. It hits the primary while one routes:
// the connections through it break (the requests in flight fail for their
// clients; the instances still do the work) and a standby, if any is left,
// takes over after FailoverDelay, arrivals being rejected meanwhile.
// Otherwise it hits a standby. With none left the service is unreachable
// until a failed instance is back (after the fault's duration, if any).
func (s *Service) lbFail(f *fault, now sim.Time) {
	lb := &s.lb
	s.event(KindFaultStart, f.detail, now)
	lb.failures = append(lb.failures, f.detail)
	if lb.alive > 0 {
		lb.alive--
	}
	if f.cfg.Duration > 0 {
		s.eng.Schedule(now.Add(f.cfg.Duration), s, svcLBRestore)
	}
	switch {
	case lb.state == lbUp:
		s.failInFlight(now)
		if lb.alive > 0 {
			lb.state = lbFailover
			lb.promote = s.eng.Schedule(now.Add(s.cfg.LoadBalancer.FailoverDelay), s, svcLBPromote)
		} else {
			lb.state = lbDown
		}
	case lb.state == lbFailover && lb.alive == 0:
		s.eng.Cancel(lb.promote)
		lb.promote = sim.EventID{}
		lb.state = lbDown
	}
}

// lbPromote ends a failover: the standby is the primary.
func (s *Service) lbPromote(now sim.Time) {
	s.lb.promote = sim.EventID{}
	s.lbUp(now, KindLBFailover, "standby promoted to primary")
}

// lbRestore brings back a failed load-balancer instance (as a standby
// when a primary routes).
func (s *Service) lbRestore(now sim.Time) {
	lb := &s.lb
	if lb.alive >= lb.replicas {
		return
	}
	lb.alive++
	if lb.state == lbDown {
		s.lbUp(now, KindLBRestored, "failed load balancer back")
		return
	}
	s.event(KindLBRestored, "failed load balancer back, "+s.lbCount(), now)
}

// sanityCheck is WSO2's: the autoscaler, which runs on the primary,
// restores the configured number of load-balancer instances.
func (s *Service) sanityCheck(now sim.Time) {
	if lb := &s.lb; lb.alive < lb.replicas {
		lb.alive = lb.replicas
		s.event(KindLBRestored, "sanity check, "+s.lbCount(), now)
	}
}

// lbUp records that a primary routes again and ends the open faults.
func (s *Service) lbUp(now sim.Time, kind EventKind, why string) {
	lb := &s.lb
	lb.state = lbUp
	s.event(kind, why+", "+s.lbCount()+s.newPrimary(), now)
	for _, d := range lb.failures {
		s.event(KindFaultEnd, d, now)
	}
	lb.failures = lb.failures[:0]
}

func (s *Service) lbCount() string {
	return strconv.Itoa(s.lb.alive) + "/" + strconv.Itoa(s.lb.replicas) + " load balancers"
}

// failInFlight ends every request in flight for its client as Failed; the
// instances keep them until done, as after a client timeout.
func (s *Service) failInFlight(now sim.Time) {
	s.failHeld(now)
	for _, inst := range s.instances {
		inst.forEachHeld(func(r *request) {
			if !r.clientDone {
				s.clientEnd(r, Failed, now)
			}
		})
	}
}
