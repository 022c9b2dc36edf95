package cluster

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// WSO2's world (see the package documentation, "WSO2's world"): what
// differs for a service whose autoscaler runs on its load balancer and
// whose members are the instances that autoscaler launched. The rules
// follow WSO2 Elastic Load Balancer's sources
// (org.wso2.carbon.mediator.autoscale.lbautoscale): the task
// ServiceRequestsInFlightAutoscaler (execute, sanityCheck,
// appNodesSanityCheck, scaleDown), AppDomainContext (expireRequestTokens,
// recordRequestTokenListLength) and the AutoscaleIn/AutoscaleOut mediators.

// lbTokens are the load balancer's request tokens: AutoscaleInMediator
// adds one per request it sends to a member, AutoscaleOutMediator removes
// it when the response passes back, and the autoscaler task removes those
// older than the message expiry (AppDomainContext.expireRequestTokens)
// before it counts them. Tokens are kept per admission instant in a ring
// in time order, so adding, expiring and counting are O(1) and removing
// one is O(log n); the ring holds only the instants of live tokens (and
// of dead ones younger than the oldest live one).
type lbTokens struct {
	at    []sim.Time // ring: bucket k is at[(head+k)%len]
	live  []int32
	head  int
	n     int
	count int // live tokens
}

// add records a token for a request admitted at t, normally the latest
// instant so far. (A token out of order, which only a late delivery such
// as an activator's would give, and which no policy counting tokens has,
// is kept with the newest: it leaves at the newest's expiry.)
func (tk *lbTokens) add(t sim.Time) {
	tk.count++
	if tk.n > 0 {
		if last := (tk.head + tk.n - 1) % len(tk.at); tk.at[last] >= t {
			tk.live[last]++
			return
		}
	}
	if tk.n == len(tk.at) {
		size := max(2*len(tk.at), 16)
		at, live := make([]sim.Time, size), make([]int32, size)
		for k := 0; k < tk.n; k++ {
			j := (tk.head + k) % len(tk.at)
			at[k], live[k] = tk.at[j], tk.live[j]
		}
		tk.at, tk.live, tk.head = at, live, 0
	}
	j := (tk.head + tk.n) % len(tk.at)
	tk.at[j], tk.live[j] = t, 1
	tk.n++
}

// remove drops the token of a request admitted at t, if it is still
// there (it may have expired, or have lived in a load balancer that
// failed since).
func (tk *lbTokens) remove(t sim.Time) {
	lo, hi := 0, tk.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tk.at[(tk.head+m)%len(tk.at)] < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == tk.n {
		return
	}
	j := (tk.head + lo) % len(tk.at)
	if tk.at[j] != t || tk.live[j] == 0 {
		return
	}
	tk.live[j]--
	tk.count--
	tk.trim()
}

// expire drops the tokens admitted at or before cut: WSO2 removes a token
// once now - its time >= message_expiry_time.
func (tk *lbTokens) expire(cut sim.Time) {
	for tk.n > 0 && tk.at[tk.head] <= cut {
		tk.count -= int(tk.live[tk.head])
		tk.live[tk.head] = 0
		tk.pop()
	}
	tk.trim()
}

// trim drops the dead buckets at the head.
func (tk *lbTokens) trim() {
	for tk.n > 0 && tk.live[tk.head] == 0 {
		tk.pop()
	}
}

func (tk *lbTokens) pop() {
	tk.head = (tk.head + 1) % len(tk.at)
	tk.n--
	if tk.n == 0 {
		tk.head = 0
		if len(tk.at) > 4096 {
			tk.at, tk.live = nil, nil // give a burst's memory back
		}
	}
}

// reset forgets every token: they lived in a load balancer that failed.
func (tk *lbTokens) reset() {
	clear(tk.live)
	tk.head, tk.n, tk.count = 0, 0, 0
}

// countsTokens reports whether the service counts request tokens.
func (s *Service) countsTokens() bool { return s.cfg.Autoscaler.MessageExpiry > 0 }

// tokenDone removes the token of r, if it has one: its response (or an
// error) passes back through the load balancer, or the server let go of it.
func (s *Service) tokenDone(r *request) {
	if r.token {
		r.token = false
		s.tokens.remove(r.arrived)
	}
}

// autoscalerRuns reports whether the autoscaler can evaluate now: a
// control-plane autoscaler always can; one on the load balancer only while
// a primary routes.
func (s *Service) autoscalerRuns() bool {
	return s.cfg.Autoscaler.RunsOn == InControlPlane || s.lb.state == lbUp
}

// newPrimary is told that a load balancer became the primary after a
// failover or an outage. An autoscaler that runs there starts again with
// no state: the averaging window and the request tokens were the failed
// primary's.
func (s *Service) newPrimary() string {
	if s.cfg.Autoscaler.RunsOn != OnLoadBalancer || s.policy == nil {
		return ""
	}
	s.policy = s.cfg.Autoscaler.NewPolicy()
	s.tokens.reset()
	return ", autoscaler restarted with no state"
}

// remove takes inst out of the service for a scale-in or a startup
// timeout: a Kubernetes drain for a ReplicaSet's pod, a deregistration
// for a WSO2 member.
func (s *Service) remove(inst *Instance, now sim.Time) {
	if s.cfg.Autoscaler.Members == Launched {
		s.deregister(inst, now)
		return
	}
	inst.beginDrain(now, "")
}

// deregister is WSO2's scale-in of a member: the load balancer, which is
// where the autoscaler runs, takes it out of its rotation at once (no
// endpoint propagation), and the instance is terminated once it has served
// every request routed to it, however long that takes (no grace period
// kills it). So a scale-in loses nothing.
func (s *Service) deregister(inst *Instance, now sim.Time) {
	const why = "deregistered from the load balancer"
	if st := inst.phase.state(); st == Pending || (st == Starting && inst.held() == 0 && !inst.inLB) {
		s.terminateWhy(inst, now, why)
		return
	}
	eng := s.w.eng
	for _, id := range []*sim.EventID{&inst.lifecycle, &inst.forget} {
		if !id.IsZero() {
			eng.Cancel(*id)
			*id = sim.EventID{}
		}
	}
	inst.stopProbes()
	s.w.unspread(inst)
	if inst.accepting() {
		inst.transition(drainingPreStop, now, why)
	} else {
		inst.transition(drainingPreStopClosed, now, why)
	}
	s.lb.remove(inst)
	inst.stopAccepting(now)
}

// dropAbandonedTokens removes the tokens of the abandoned work queued at
// i (whose clients have gone), which has no request to carry them: the
// instance lost it. A run of merged entries has none left: compact merges
// only entries older than the queue's agedAfter, which for a service
// counting tokens is past the message expiry plus a task interval, so
// their tokens were expired at a task run already (see tokenAge).
func (i *Instance) dropAbandonedTokens() {
	if !i.svc.countsTokens() {
		return
	}
	q := &i.queue
	for k := 0; k < q.size; k++ {
		if e := q.slot(k); e.r == nil && !e.cancelled() && !e.run() {
			i.svc.tokens.remove(e.arrived)
		}
	}
}

// tokenAge is how old abandoned work must be before its queue may merge it
// and forget when it arrived: old enough that a task run has expired its
// token (MessageExpiry, plus an Interval for the next run). 0 when the
// service counts no tokens.
func (s *Service) tokenAge() time.Duration {
	if !s.countsTokens() {
		return 0
	}
	return s.cfg.Autoscaler.MessageExpiry + s.cfg.Autoscaler.Interval
}
