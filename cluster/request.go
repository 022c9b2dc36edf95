package cluster

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// request is one client request. Structs are recycled through a free list,
// so steady-state runs allocate nothing per request.
type request struct {
	svc     *Service
	inst    *Instance // nil until routed to an instance
	arrived sim.Time
	started sim.Time // when service (a concurrency slot) began
	begun   bool     // started is set

	cpu  float64       // CPU demand, seconds at one core
	wait time.Duration // off-CPU demand

	// finishV is where the CPU phase ends on the instance's virtual CPU
	// clock in shared mode; in fast mode it is the CPU time the phase
	// has left at cpuFrom (cpu.go, fastFinish). slot is the request's
	// index in its instance's list of requests in their off-CPU phase, or
	// in fast mode in ps; qseq is its entry in its instance's queue while
	// queued.
	finishV float64
	cpuFrom sim.Time
	slot    int32
	qseq    uint64

	// clientDone is set when the client has learnt the outcome (completed,
	// timed out, failed); the server may still hold a timed-out request.
	clientDone bool
	// token: the load balancer holds a request token for it (WSO2's
	// AutoscaleInMediator; see lbTokens).
	token bool
	// held: waiting at the activator (qseq is its entry there).
	held bool

	// client is the request's client (client-ip balancing); attempt
	// counts the retries before this one.
	client  int32
	attempt uint16

	timeout sim.TimerID // the client's timeout, if any
	waitEnd sim.EventID // end of the off-CPU phase, if in it
	cpuEnd  sim.EventID // end of the CPU phase in fast mode, if armed
}

// Event arguments for request events.
const (
	reqTimeout uint64 = iota
	reqWaitDone
	reqRetry
	reqCPUDone
)

// Fire handles the request's own events: its client's timeout, the end of
// its CPU phase when it runs at full speed, and the end of its off-CPU
// phase.
func (r *request) Fire(now sim.Time, arg uint64) {
	switch arg {
	case reqTimeout:
		r.timeout = sim.TimerID{}
		if r.svc.timeoutIs504 {
			r.svc.gatewayTimeouts++
			r.svc.clientEnd(r, Failed, now)
		} else {
			r.svc.clientEnd(r, TimedOut, now)
		}
		if r.inst != nil {
			r.inst.clientGone(r, now)
		} else if r.held {
			r.svc.unhold(r, now) // waiting at the activator
		} else {
			r.svc.pool.put(r) // held by no instance (a silent node)
		}
	case reqWaitDone:
		r.waitEnd = sim.EventID{}
		r.inst.waitDone(r, now)
	case reqRetry:
		r.arrived = r.svc.sentAt(now)
		r.svc.admit(r, now)
	case reqCPUDone:
		r.cpuEnd = sim.EventID{}
		r.inst.fastDone(r, now)
	}
}

// requestPool is a free list of requests.
type requestPool struct{ free []*request }

func (p *requestPool) get() *request {
	if n := len(p.free); n > 0 {
		r := p.free[n-1]
		p.free = p.free[:n-1]
		return r
	}
	return new(request)
}

func (p *requestPool) put(r *request) {
	*r = request{}
	p.free = append(p.free, r)
}

// queued is one entry of an instance's queue: a request waiting for a
// slot, or work whose client has gone. While its client waits, r is the
// request; once the client has gone, r is nil and the entry keeps only
// what the server still uses (its demand and arrival time), 32 bytes and
// no events. Two markers in wait give the other kinds of entry:
//
//   - wait == cancelledWait: the server abandoned it (deadline
//     propagation); it is skipped.
//   - wait <= runWait: a run of n = runWait - wait + 1 consecutive entries
//     of abandoned work, merged by fifo.compact into one. A run keeps no
//     demand (each entry's is drawn when the server takes it, see
//     Instance.dequeue) and, in arrived, the oldest arrival among them.
type queued struct {
	r       *request
	arrived sim.Time
	cpu     float64
	wait    time.Duration
}

const (
	cancelledWait time.Duration = -1
	runWait       time.Duration = -2
)

func (e *queued) cancelled() bool { return e.wait == cancelledWait }

// run reports whether e is a run of abandoned work.
func (e *queued) run() bool { return e.wait <= runWait }

// entries is the number of queue entries e stands for.
func (e *queued) entries() int {
	switch {
	case e.run():
		return int(runWait-e.wait) + 1
	case e.cancelled():
		return 0
	}
	return 1
}

// compactFrom is the smallest buffer fifo.compact runs on: a queue
// shorter than this keeps every entry as it is (and every demand drawn at
// arrival), so only a real backlog is ever merged.
const compactFrom = 4096

// fifo is a growable ring buffer of queued requests. Slots are numbered
// in order (seq), so a request can find its entry; compact renumbers and
// tells the requests. The head slot is never cancelled; count is the
// number of entries, a run counting for all it stands for.
//
// A backlog of abandoned work stays compact: when the buffer is full,
// compact merges consecutive abandoned entries older than agedAfter into
// runs before the buffer grows, so memory grows with the requests whose
// clients still wait, not with the work the server still owes. Merging
// forgets when each entry arrived; agedAfter (the longest probe timeout)
// makes that unobservable: a probe only ever compares the head's age with
// its timeout, and every merged entry is already older than that, as it
// will remain.
type fifo struct {
	buf        []queued
	head, size int
	popped     uint64 // seq of the head slot
	count      int
	cancelled  int // cancelled slots
	agedAfter  time.Duration
}

func (q *fifo) len() int { return q.count }

// The ring's length is a power of two (grow starts at 16 and doubles;
// compact keeps it), so indices wrap with a mask, not a division.
func (q *fifo) slot(k int) *queued { return &q.buf[(q.head+k)&(len(q.buf)-1)] }

// push appends r, which arrived at the instance at now, and returns its
// seq.
func (q *fifo) push(r *request, now sim.Time) uint64 {
	if q.size == len(q.buf) {
		if len(q.buf) >= compactFrom {
			q.compact(now)
		}
		if len(q.buf) == 0 || q.size > len(q.buf)/2 {
			q.grow()
		}
	}
	*q.slot(q.size) = queued{r: r, arrived: r.arrived, cpu: r.cpu, wait: r.wait}
	q.size++
	q.count++
	return q.popped + uint64(q.size-1)
}

func (q *fifo) grow() {
	n := 2 * len(q.buf)
	if n == 0 {
		n = 16
	}
	buf := make([]queued, n)
	for i := 0; i < q.size; i++ {
		buf[i] = *q.slot(i)
	}
	q.buf, q.head = buf, 0
}

// compact drops cancelled slots and merges every stretch of abandoned
// entries older than agedAfter at now into one run, in place, keeping the
// order, and renumbers the slots of waiting requests.
func (q *fifo) compact(now sim.Time) {
	w := 0
	for k := 0; k < q.size; k++ {
		e := *q.slot(k)
		switch {
		case e.cancelled():
			continue
		case e.r == nil && now.Sub(e.arrived) > q.agedAfter:
			if w > 0 {
				if prev := q.slot(w - 1); prev.run() {
					prev.wait -= time.Duration(e.entries())
					prev.arrived = min(prev.arrived, e.arrived)
					continue
				}
			}
			e = queued{arrived: e.arrived, wait: runWait - time.Duration(e.entries()-1)}
		case e.r != nil:
			e.r.qseq = q.popped + uint64(w)
		}
		*q.slot(w) = e
		w++
	}
	for k := w; k < q.size; k++ {
		*q.slot(k) = queued{}
	}
	q.size, q.cancelled = w, 0
}

// at returns the slot with the given seq, which must be queued.
func (q *fifo) at(seq uint64) *queued { return q.slot(int(seq - q.popped)) }

// peek returns the oldest entry; the queue must not be empty. For a run
// whose first entries have been served, arrived is older than the entry's
// own arrival, which no probe can tell apart (see fifo).
func (q *fifo) peek() *queued { return &q.buf[q.head] }

// pop removes the oldest entry; the queue must not be empty. From a run it
// takes one entry and returns it as a run of one: abandoned work whose
// demand is yet to be drawn.
func (q *fifo) pop() queued {
	if h := q.peek(); h.run() && h.wait < runWait {
		h.wait++
		q.count--
		return queued{arrived: h.arrived, wait: runWait}
	}
	e := q.drop()
	q.count--
	if q.cancelled > 0 || q.size == 0 {
		q.skipCancelled() // (no slot is cancelled, the head is not)
	}
	return e
}

// popRequest is pop for a head entry that is a waiting request
// (peek().r != nil), which it returns: the common case, without copying
// the entry out.
func (q *fifo) popRequest() *request {
	r := q.drop().r
	q.count--
	if q.cancelled > 0 || q.size == 0 {
		q.skipCancelled()
	}
	return r
}

func (q *fifo) drop() queued {
	e := q.buf[q.head]
	q.buf[q.head] = queued{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	q.popped++
	return e
}

// cancel marks the slot seq, a waiting request's, abandoned.
func (q *fifo) cancel(seq uint64) {
	e := q.at(seq)
	*e = queued{wait: cancelledWait}
	q.count--
	q.cancelled++
	q.skipCancelled()
}

// clear empties the queue, calling f for every request still waiting.
func (q *fifo) clear(f func(*request)) {
	for q.size > 0 {
		if e := q.drop(); e.r != nil {
			f(e.r)
		}
	}
	q.count, q.cancelled = 0, 0
	q.buf, q.head = nil, 0
}

func (q *fifo) skipCancelled() {
	for q.size > 0 && q.buf[q.head].cancelled() {
		q.drop()
		q.cancelled--
	}
	if q.size == 0 && len(q.buf) > 1024 {
		q.buf, q.head = nil, 0 // give a burst's memory back
	}
}
