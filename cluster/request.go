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

	// finishV is where the CPU phase ends: on the instance's virtual CPU
	// clock in shared mode, in seconds of simulated time in fast mode
	// (cpu.go); slot is the request's index in its instance's list of
	// requests in their off-CPU phase, or in fast mode in ps; qseq is its
	// entry in its instance's queue while queued.
	finishV float64
	slot    int32
	qseq    uint64

	// clientDone is set when the client has learnt the outcome (completed,
	// timed out, failed); the server may still hold a timed-out request.
	clientDone bool

	// client is the request's client (client-ip balancing); attempt
	// counts the retries before this one.
	client  int32
	attempt uint16

	timeout sim.EventID // the client's timeout, if any
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
		r.timeout = sim.EventID{}
		r.svc.clientEnd(r, TimedOut, now)
		if r.inst != nil {
			r.inst.clientGone(r, now)
		}
	case reqWaitDone:
		r.waitEnd = sim.EventID{}
		r.inst.waitDone(r, now)
	case reqRetry:
		r.arrived = now
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

// queued is one request waiting for a slot. While its client waits, r is
// the request; once the client has gone, r is nil and the entry keeps
// only what the server still uses (its demand and arrival time), so a
// backlog of abandoned work costs 32 bytes a request and no events.
// An entry the server has abandoned (deadline propagation) has wait -1:
// it is skipped.
type queued struct {
	r       *request
	arrived sim.Time
	cpu     float64
	wait    time.Duration
}

func (e *queued) cancelled() bool { return e.wait < 0 }

// fifo is a growable ring buffer of queued requests. Entries are numbered
// in push order (seq), so a request can find its entry. The head entry is
// never cancelled; len counts the entries not cancelled.
type fifo struct {
	buf        []queued
	head, size int
	popped     uint64 // seq of the head entry
	cancelled  int
}

func (q *fifo) len() int { return q.size - q.cancelled }

// push appends r and returns its seq.
func (q *fifo) push(r *request) uint64 {
	if q.size == len(q.buf) {
		n := 2 * len(q.buf)
		if n == 0 {
			n = 16
		}
		buf := make([]queued, n)
		for i := 0; i < q.size; i++ {
			buf[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = queued{r: r, arrived: r.arrived, cpu: r.cpu, wait: r.wait}
	q.size++
	return q.popped + uint64(q.size-1)
}

// at returns the entry with the given seq, which must be queued.
func (q *fifo) at(seq uint64) *queued {
	return &q.buf[(q.head+int(seq-q.popped))%len(q.buf)]
}

// peek returns the oldest entry; the queue must not be empty.
func (q *fifo) peek() *queued { return &q.buf[q.head] }

// pop removes the oldest entry; the queue must not be empty.
func (q *fifo) pop() queued {
	e := q.drop()
	q.skipCancelled()
	return e
}

func (q *fifo) drop() queued {
	e := q.buf[q.head]
	q.buf[q.head] = queued{}
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	q.popped++
	return e
}

// cancel marks the entry seq abandoned.
func (q *fifo) cancel(seq uint64) {
	e := q.at(seq)
	*e = queued{wait: -1}
	q.cancelled++
	q.skipCancelled()
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
