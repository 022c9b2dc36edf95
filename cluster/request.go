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

	// finishV is the instance's virtual CPU clock value at which the CPU
	// phase ends; slot is the request's index in its instance's list of
	// requests in their off-CPU phase.
	finishV float64
	slot    int32

	// clientDone is set when the client has learnt the outcome (completed,
	// timed out, failed); the server may still hold a timed-out request.
	clientDone bool

	// client is the request's client (client-ip balancing); attempt
	// counts the retries before this one.
	client  int32
	attempt uint16

	timeout sim.EventID // the client's timeout, if any
	waitEnd sim.EventID // end of the off-CPU phase, if in it
}

// Event arguments for request events.
const (
	reqTimeout uint64 = iota
	reqWaitDone
	reqRetry
)

// Fire handles the request's own events: its client's timeout and the end
// of its off-CPU phase.
func (r *request) Fire(now sim.Time, arg uint64) {
	switch arg {
	case reqTimeout:
		r.timeout = sim.EventID{}
		r.svc.clientEnd(r, TimedOut, now)
	case reqWaitDone:
		r.waitEnd = sim.EventID{}
		r.inst.waitDone(r, now)
	case reqRetry:
		r.arrived = now
		r.svc.admit(r, now)
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

// fifo is a growable ring buffer of requests.
type fifo struct {
	buf        []*request
	head, size int
}

func (q *fifo) len() int { return q.size }

func (q *fifo) push(r *request) {
	if q.size == len(q.buf) {
		n := 2 * len(q.buf)
		if n == 0 {
			n = 16
		}
		buf := make([]*request, n)
		for i := 0; i < q.size; i++ {
			buf[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = r
	q.size++
}

// peek returns the oldest request; the queue must not be empty.
func (q *fifo) peek() *request { return q.buf[q.head] }

func (q *fifo) pop() *request {
	r := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return r
}
