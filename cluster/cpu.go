package cluster

import (
	"math"
	"math/bits"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The CPU model (see the package documentation, "The service model"): a
// node's cores are shared among its instances as Linux CFS shares them
// among containers, and an instance's cores among its requests in their
// CPU phase, equally, each on at most one core.
//
// Node sharing. An instance is runnable while it has requests in their CPU
// phase and is not throttled; it wants one core per such request. While
// the runnable instances of a node want no more than its cores, each gets
// what it wants. Beyond, the cores are water-filled by weight (CFS's
// cpu.shares, which the kubelet sets from the CPU request): every instance
// gets weight/total of what is left, and what an instance cannot use (it
// has fewer requests than its share) goes to the others in proportion to
// their weights. Shares are recomputed only when a node's runnable set, or
// what one of its instances wants, changes; on a node that is not
// oversubscribed only the instance that changed is touched.
//
// Instance speed. Each of an instance's n requests progresses at rate/n
// CPU-seconds per second. At speed 1 (the common case: the node has room
// and the instance is not throttled) each request has its own completion
// event at start + demand, and the CPU account is integer arithmetic:
// n requests on n cores for dt nanoseconds use exactly n x dt
// core-nanoseconds (cpuFast); below (an
// oversubscribed node, or throttled: speed 0) the requests share the
// instance's rate through the virtual clock v and the heap ps, as in
// processor sharing, and the account is kept in float core-seconds
// (cpuShared). The instance switches between the two modes when its speed
// crosses 1, converting what each request has left.

// cpuShares is the cgroup cpu.shares (cgroup v2: cpu.weight) the kubelet
// gives a container requesting milli millicores: milli*1024/1000, at least
// 2 (kubernetes pkg/kubelet/cm/helpers_linux.go, MilliCPUToShares).
func cpuShares(milli int64) float64 {
	s := milli * 1024 / 1000
	if s < 2 {
		s = 2
	}
	return float64(s)
}

// cpuEpsilon absorbs float rounding when comparing the virtual clock with a
// finish point, or a quota with what is used of it: one nanosecond of CPU
// time.
const cpuEpsilon = 1e-9

// seconds is d.Seconds() for one float division: under a second,
// Duration.Seconds computes 0 + float64(d)/1e9, the same value, after an
// integer division and remainder that only longer durations need.
func seconds(d time.Duration) float64 {
	if d < time.Second && d > -time.Second {
		return float64(d) / 1e9
	}
	return d.Seconds()
}

// nsCeil converts seconds to a whole number of nanoseconds, rounded up.
func nsCeil(s float64) time.Duration { return time.Duration(math.Ceil(s * 1e9)) }

// want is what the instance asks of its node: one core per request in its
// CPU phase, none while throttled.
func (i *Instance) want() int {
	if i.cfs.throttled {
		return 0
	}
	return len(i.ps)
}

// cpuChanged tells the instance's node that what the instance wants may
// have changed (a CPU phase began or ended, it was throttled or not any
// more), and gives the instance, and the node's other instances if the
// node is oversubscribed, their new rates.
func (i *Instance) cpuChanged(now sim.Time) {
	n := i.node
	if n == nil {
		// No node (a test's bare instance): its own cores.
		i.setRate(now, float64(i.want()))
		return
	}
	w := i.want()
	switch {
	case w > 0 && i.runIdx < 0:
		i.runIdx = len(n.runnable)
		n.runnable = append(n.runnable, i)
	case w == 0 && i.runIdx >= 0:
		last := n.runnable[len(n.runnable)-1]
		n.runnable[i.runIdx] = last
		last.runIdx = i.runIdx
		n.runnable[len(n.runnable)-1] = nil
		n.runnable = n.runnable[:len(n.runnable)-1]
		i.runIdx = -1
	}
	n.demand += w - i.wanted
	i.wanted = w
	over := float64(n.demand) > n.cores
	if !over && !n.oversub {
		if !i.shared && w > 0 {
			// Fast mode stays fast: every request on its own core. (The
			// caller has advanced the instance.) What setRate would do,
			// without its mode switches: only a quota to watch needs
			// its event re-armed, and only if the rate changed.
			if i.cfs.quota == 0 || i.cfs.bounded {
				i.rate, i.rateN = float64(w), w
				return
			}
			if float64(w) != i.rate || w != i.rateN {
				i.rate, i.rateN = float64(w), w
				i.cfsSchedule(now)
			}
			return
		}
		i.setRate(now, float64(w))
		return
	}
	n.oversub = over
	if w == 0 {
		i.setRate(now, 0)
	}
	n.reshare(now)
}

// reshare gives every runnable instance of the node its rate: what it
// wants if the node has room, else its water-filled share by weight.
func (n *node) reshare(now sim.Time) {
	if !n.oversub {
		for _, i := range n.runnable {
			i.setRate(now, float64(i.wanted))
		}
		return
	}
	// Water-filling: in order of want/weight, an instance whose want is
	// within its share of what is left gets it, and the rest is shared
	// again among the others; the first one that wants more than its share
	// fixes the share of all that follow.
	s := append(n.scratch[:0], n.runnable...)
	for _, i := range s {
		i.shareKey = float64(i.wanted) / i.weight
	}
	// Insertion sort: a handful of instances, nearly in order from the
	// last time.
	for k := 1; k < len(s); k++ {
		for j := k; j > 0 && s[j].before(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	free, weight := n.cores, 0.0
	for _, i := range s {
		weight += i.weight
	}
	k := 0
	for ; k < len(s); k++ {
		i := s[k]
		if float64(i.wanted) > free*i.weight/weight {
			break
		}
		i.setRate(now, float64(i.wanted))
		free -= float64(i.wanted)
		weight -= i.weight
	}
	for _, i := range s[k:] {
		i.setRate(now, free*i.weight/weight)
	}
	clear(s)
	n.scratch = s[:0]
}

// before orders instances for water-filling: by want per weight, ties by
// service, then by instance ID, so that the result does not depend on the
// order they became runnable.
func (i *Instance) before(j *Instance) bool {
	switch {
	case i.shareKey != j.shareKey:
		return i.shareKey < j.shareKey
	case i.svc.index != j.svc.index:
		return i.svc.index < j.svc.index
	}
	return i.ID < j.ID
}

// setRate gives the instance rate cores from now on.
func (i *Instance) setRate(now sim.Time, rate float64) {
	n := len(i.ps)
	if rate == i.rate && n == i.rateN {
		// The same rate for as many requests (another instance of the
		// node changed, or one request replaced another): the speed and
		// the quota's event stand; in shared mode the earliest finish
		// may be another request's.
		if i.shared && !i.dispatch {
			i.reschedule(now)
		}
		return
	}
	i.advance(now)
	i.rate, i.rateN = rate, n
	switch {
	case n == 0:
		if !i.next.IsZero() {
			i.svc.w.eng.Cancel(i.next)
			i.next = sim.EventID{}
		}
		i.shared, i.v, i.speed = false, 0, 1
	case rate == float64(n):
		i.toFast(now)
	default:
		i.toShared(now)
		i.speed = rate / float64(n)
		if !i.dispatch {
			i.reschedule(now)
		}
	}
	if i.cfs.quota > 0 && !i.cfs.bounded {
		i.cfsSchedule(now)
	}
}

// advance brings the virtual clock, the CPU account and the quota up to
// now. In fast mode each of the n requests ran on its own core, so the
// account grows by exactly n times the elapsed nanoseconds, in integers;
// only shared mode (a fractional rate) needs floating point.
//
// The check is apart so that it inlines: a third of the calls in a busy
// instance find it advanced already (a completion starting the next
// queued request).
func (i *Instance) advance(now sim.Time) {
	if now > i.last {
		i.advanceTo(now)
	}
}

// advanceTo is advance for a now after the last.
func (i *Instance) advanceTo(now sim.Time) {
	if n := len(i.ps); n > 0 {
		if i.shared {
			dt := seconds(now.Sub(i.last))
			i.v += float64(i.speed * dt)
			i.cpuShared += float64(i.rate * dt)
		} else if hi, lo := bits.Mul64(uint64(n), uint64(now.Sub(i.last))); hi == 0 && lo <= math.MaxInt64-uint64(i.cpuFast) {
			i.cpuFast += int64(lo)
		} else {
			// The integer account would pass 2^63 core-nanoseconds (292
			// core-years: a long run of a big instance): it goes on in
			// floating point, as shared mode's does.
			i.cpuShared += float64(i.cpuFast)/1e9 + float64(float64(n)*seconds(now.Sub(i.last)))
			i.cpuFast = 0
		}
	}
	if i.cfs.quota > 0 && !i.cfs.bounded {
		i.cfsAdvance(now)
	}
	i.last = now
}

// cpuSeconds is the CPU time the instance has used, in core-seconds, up
// to its last advance: the exact nanoseconds of fast mode plus the
// floating-point account of shared mode.
func (i *Instance) cpuSeconds() float64 {
	return float64(i.cpuFast)/1e9 + i.cpuShared
}

// addCPU starts r's CPU phase, needing cpu seconds at one core.
func (i *Instance) addCPU(r *request, cpu float64, now sim.Time) {
	i.advance(now)
	if len(i.ps) == 0 && i.cfs.quota > 0 {
		i.cfsBusy(now)
	}
	if i.shared {
		r.finishV = i.v + cpu
		i.psPush(r)
	} else {
		// Fast: the request runs on its own core from now on (unless the
		// speed changes below, which converts it).
		r.finishV, r.cpuFrom = cpu, now
		r.slot = int32(len(i.ps))
		i.ps = append(i.ps, r)
		i.scheduleCPU(r, now, nsCeil(cpu))
	}
	if !i.dispatch {
		i.cpuChanged(now)
	}
}

// fastFinish is when r's CPU phase ends in fast mode, in seconds of
// simulated time. It is computed only when needed (a switch to shared
// mode, a completion in another's event), not for every request.
func (r *request) fastFinish() float64 { return r.cpuFrom.Seconds() + r.finishV }

// scheduleCPU arms r's own completion event in fast mode, d from now; a
// finish beyond the end of the run needs none (and its distance may not
// fit in a time.Duration).
func (i *Instance) scheduleCPU(r *request, now sim.Time, d time.Duration) {
	if d < 0 || d > i.svc.end.Sub(now) {
		return
	}
	r.cpuEnd = i.svc.eng.Schedule(now.Add(d), r, reqCPUDone)
}

// fastDone ends r's CPU phase in fast mode (its own event).
func (i *Instance) fastDone(r *request, now sim.Time) {
	i.advance(now)
	i.fastRemove(r)
	i.maybeIdle(now)
	// The next queued request may start: one node update for both.
	i.dispatch = true
	i.offCPU(r, now)
	i.dispatch = false
	i.cpuChanged(now)
}

// fastRemove takes r out of ps in fast mode.
func (i *Instance) fastRemove(r *request) { i.ps = swapRemove(i.ps, r) }

// swapRemove takes r out of rs, in which each request's slot is its
// index, by moving the last one into its place, and returns rs shortened.
func swapRemove(rs []*request, r *request) []*request {
	last := len(rs) - 1
	moved := rs[last]
	rs[r.slot] = moved
	moved.slot = r.slot
	rs[last] = nil
	return rs[:last]
}

// toFast switches to fast mode: every request gets its own completion
// event for what it has left.
func (i *Instance) toFast(now sim.Time) {
	if !i.shared {
		return
	}
	if !i.next.IsZero() {
		i.svc.w.eng.Cancel(i.next)
		i.next = sim.EventID{}
	}
	for k, r := range i.ps {
		left := max(r.finishV-i.v, 0)
		r.slot = int32(k)
		r.finishV, r.cpuFrom = left, now
		i.scheduleCPU(r, now, nsCeil(left))
	}
	i.shared, i.v, i.speed = false, 0, 1
}

// toShared switches to shared mode: the requests' own events give way to
// the virtual clock, restarted at 0, and one event for the earliest finish.
func (i *Instance) toShared(now sim.Time) {
	if i.shared {
		return
	}
	t := now.Seconds()
	eng := i.svc.w.eng
	for _, r := range i.ps {
		if !r.cpuEnd.IsZero() {
			eng.Cancel(r.cpuEnd)
			r.cpuEnd = sim.EventID{}
		}
		r.finishV = max(r.fastFinish()-t, 0)
	}
	i.v = 0
	i.shared = true
	i.psHeapify()
}

// reschedule makes the pending CPU-completion event (shared mode) match
// the earliest finish at the current speed, touching the engine only if
// either changed.
func (i *Instance) reschedule(now sim.Time) {
	if len(i.ps) == 0 || i.speed <= 0 {
		if !i.next.IsZero() {
			i.svc.w.eng.Cancel(i.next)
			i.next = sim.EventID{}
		}
		return
	}
	f := i.ps[0].finishV
	if !i.next.IsZero() {
		if f == i.nextFinish && i.speed == i.nextRate {
			return
		}
		i.svc.w.eng.Cancel(i.next)
		i.next = sim.EventID{}
	}
	// Round up so that at the event v has reached f. A finish beyond the
	// end of the run needs no event (and its distance may not fit in a
	// time.Duration: converting it would wrap around, and an event due at
	// once that finishes nothing would repeat forever); it is computed
	// again whenever the speed changes.
	ns := math.Ceil((f - i.v) / i.speed * 1e9)
	if ns > float64(i.svc.w.end.Sub(now)) {
		return
	}
	i.nextFinish, i.nextRate = f, i.speed
	i.next = i.svc.w.eng.Schedule(now.Add(max(time.Duration(ns), 0)), i, instCPUDone)
}

// cpuDone completes every CPU phase (shared mode) that has reached its
// finish point.
func (i *Instance) cpuDone(now sim.Time) {
	i.advance(now)
	i.dispatch = true
	i.completeDue(now)
	i.dispatch = false
	i.cpuChanged(now)
	if i.shared {
		i.reschedule(now)
	}
}

// completeDue ends the CPU phases that are done at now, in either mode,
// with dispatch set (the caller recomputes the rates once afterwards).
func (i *Instance) completeDue(now sim.Time) {
	if i.shared {
		for len(i.ps) > 0 && i.ps[0].finishV <= i.v+cpuEpsilon {
			r := i.psPop()
			i.maybeIdle(now)
			i.offCPU(r, now)
		}
		return
	}
	t := now.Seconds()
	for k := 0; k < len(i.ps); {
		r := i.ps[k]
		if r.fastFinish() > t+cpuEpsilon {
			k++
			continue
		}
		if !r.cpuEnd.IsZero() {
			i.svc.w.eng.Cancel(r.cpuEnd)
			r.cpuEnd = sim.EventID{}
		}
		i.fastRemove(r)
		i.maybeIdle(now)
		i.offCPU(r, now)
	}
}

// maybeIdle closes the CFS busy interval if the CPU phase just ended was
// the instance's last; the caller has advanced the instance to now.
func (i *Instance) maybeIdle(now sim.Time) {
	if len(i.ps) == 0 && i.cfs.quota > 0 {
		i.cfsIdle(now)
	}
}

// removeCPU takes r out of its CPU phase early (its client's deadline
// propagated); the caller finishes it.
func (i *Instance) removeCPU(r *request, now sim.Time) bool {
	for k, x := range i.ps {
		if x != r {
			continue
		}
		i.advance(now)
		if i.shared {
			i.psRemove(k)
		} else {
			if !r.cpuEnd.IsZero() {
				i.svc.w.eng.Cancel(r.cpuEnd)
				r.cpuEnd = sim.EventID{}
			}
			i.fastRemove(r)
		}
		i.maybeIdle(now)
		return true
	}
	return false
}

// dropCPU fails every request in its CPU phase (the process is gone) and
// gives the instance's CPU back to its node.
func (i *Instance) dropCPU(now sim.Time) {
	i.advance(now)
	eng := i.svc.w.eng
	for _, r := range i.ps {
		if !r.cpuEnd.IsZero() {
			eng.Cancel(r.cpuEnd)
		}
		i.svc.serverDone(r, Failed, now)
	}
	if len(i.ps) > 0 {
		clear(i.ps)
		i.ps = i.ps[:0]
		i.maybeIdle(now)
	}
	if !i.next.IsZero() {
		eng.Cancel(i.next)
		i.next = sim.EventID{}
	}
	i.shared, i.v, i.speed = false, 0, 1
	i.cpuChanged(now)
}

// psHeapify orders ps as a heap by finishV.
func (i *Instance) psHeapify() {
	for k := len(i.ps)/2 - 1; k >= 0; k-- {
		i.siftDown(k)
	}
}

func (i *Instance) siftDown(k int) {
	h := i.ps
	n := len(h)
	for {
		c := 2*k + 1
		if c >= n {
			return
		}
		if c+1 < n && h[c+1].finishV < h[c].finishV {
			c++
		}
		if h[k].finishV <= h[c].finishV {
			return
		}
		h[k], h[c] = h[c], h[k]
		k = c
	}
}

// psPush and psPop maintain the binary min-heap ps ordered by finishV, ties
// by insertion (the heap is only ever compared on finishV; equal finish
// points complete in the same event, in heap order, which is deterministic).
func (i *Instance) psPush(r *request) {
	i.ps = append(i.ps, r)
	j := len(i.ps) - 1
	for j > 0 {
		p := (j - 1) / 2
		if i.ps[p].finishV <= r.finishV {
			break
		}
		i.ps[j] = i.ps[p]
		j = p
	}
	i.ps[j] = r
}

func (i *Instance) psPop() *request {
	h := i.ps
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h[n] = nil
	h = h[:n]
	j := 0
	for {
		c := 2*j + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].finishV < h[c].finishV {
			c++
		}
		if last.finishV <= h[c].finishV {
			break
		}
		h[j] = h[c]
		j = c
	}
	if n > 0 {
		h[j] = last
	}
	i.ps = h
	return top
}

// psRemove removes the k-th element of the heap ps.
func (i *Instance) psRemove(k int) {
	n := len(i.ps) - 1
	if k != n {
		i.ps[k] = i.ps[n]
	}
	i.ps[n] = nil
	i.ps = i.ps[:n]
	if k == n {
		return
	}
	// Restore the heap: sift the moved element down, then up.
	i.siftDown(k)
	h := i.ps
	for j := k; j > 0; {
		p := (j - 1) / 2
		if h[p].finishV <= h[j].finishV {
			break
		}
		h[j], h[p] = h[p], h[j]
		j = p
	}
}
