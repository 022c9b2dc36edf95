package sim

import "time"

// Timers schedules events that all fire the same Delay after they are
// scheduled: client timeouts, propagation delays, back-offs. Such
// deadlines come due in the order they were set, so they need no heap of
// their own: a ring in scheduling order, with one event in the engine's
// heap (the arm) for the first timer still pending, gives O(1) Schedule,
// Cancel and firing, and keeps a heap of millions of in-flight requests'
// timeouts out of the engine's heap.
//
// Timers fire exactly when, and in exactly the order, Engine.Schedule
// would have fired them, ties included: each timer takes its sequence
// number from the engine when it is scheduled, and the arm is queued with
// the first pending timer's time and sequence number. Fired and Pending
// count timers as Schedule's events: a timer counts once, when it fires;
// an arm that finds its timer cancelled counts for nothing.
//
// A Timers belongs to one Engine; the zero value is not usable (see
// NewTimers).
type Timers struct {
	e     *Engine
	delay time.Duration
	// buf is the ring: the timers in scheduling order, cancelled ones
	// included. The timer of index x (counted since the start) is in
	// buf[x&(len(buf)-1)], so the head is at first's place and a TimerID
	// finds its timer with a mask, without a head offset.
	buf   []timer
	size  int
	first uint64 // index of the head timer
	armed bool   // an arm is in the engine's heap for the head timer
}

// timer is one scheduled timer; h is nil once it is cancelled or has
// fired.
type timer struct {
	at  Time
	seq uint64
	h   Handler
	arg uint64
}

// TimerID names one timer, for Timers.Cancel. The zero TimerID names
// none. Like an EventID it never matches another timer, even one that
// reuses its place in the ring.
type TimerID struct {
	index uint64 // its index in the ring since the start
	seq   uint64 // its engine sequence number; 0 = no timer
}

// IsZero reports whether id is the zero TimerID.
func (id TimerID) IsZero() bool { return id.seq == 0 }

// NewTimers returns the timers of e that fire delay after they are
// scheduled. A negative delay panics.
func NewTimers(e *Engine, delay time.Duration) *Timers {
	if delay < 0 {
		panic("sim: NewTimers with a negative delay")
	}
	return &Timers{e: e, delay: delay}
}

// Delay is the time from scheduling a timer to its firing.
func (t *Timers) Delay() time.Duration { return t.delay }

// Schedule arranges for h.Fire(Now()+Delay, arg), exactly as
// Engine.After(Delay, h, arg) would, and returns the timer's TimerID.
func (t *Timers) Schedule(h Handler, arg uint64) TimerID {
	if h == nil {
		panic("sim: Timers.Schedule with a nil Handler")
	}
	e := t.e
	seq := e.newSeq()
	if t.size == len(t.buf) {
		t.grow()
	}
	index := t.first + uint64(t.size)
	// Filled in place: a timer built apart and copied in costs a copy of
	// its five words.
	tm := &t.buf[index&uint64(len(t.buf)-1)]
	tm.at, tm.seq, tm.h, tm.arg = e.now.Add(t.delay), seq, h, arg
	t.size++
	e.timers++
	if !t.armed {
		t.arm()
	}
	return TimerID{index: index, seq: seq}
}

// grow doubles the ring. Its length is always 0 or a power of two (16,
// then doubled), so indices wrap with a mask, not a division.
func (t *Timers) grow() {
	n := max(2*len(t.buf), 16)
	buf := make([]timer, n)
	for x := t.first; x < t.first+uint64(t.size); x++ {
		buf[x&uint64(n-1)] = t.buf[x&uint64(len(t.buf)-1)]
	}
	t.buf = buf
}

// Cancel stops the timer id names, so that it never fires, and reports
// whether it did: false when id is zero or its timer has already fired or
// been cancelled. O(1).
func (t *Timers) Cancel(id TimerID) bool {
	// One unsigned comparison for both ends of the ring: an index before
	// first wraps around to beyond size.
	if id.seq == 0 || id.index-t.first >= uint64(t.size) {
		return false
	}
	tm := &t.buf[id.index&uint64(len(t.buf)-1)]
	if tm.seq != id.seq || tm.h == nil {
		return false
	}
	tm.h = nil // the arm, if it is for this timer, will find it gone
	t.e.timers--
	return true
}

// arm queues the event for the head timer, which must be pending.
func (t *Timers) arm() {
	h := &t.buf[t.first&uint64(len(t.buf)-1)]
	t.e.pushEvent(h.at, h.seq, t, 0)
	t.e.arms++
	t.armed = true
}

// Fire is the arm's event: it fires the head timer, unless it was
// cancelled, after queueing the arm for the next pending one (so that a
// timer the handler schedules finds the ring armed for its head).
func (t *Timers) Fire(now Time, _ uint64) {
	e := t.e
	e.arms--
	t.armed = false
	buf, mask := t.buf, uint64(len(t.buf)-1)
	head := &buf[t.first&mask]
	h, arg := head.h, head.arg
	head.h = nil // the ring holds no handler it will not fire
	// The cancelled timers behind it go too; their handlers are already
	// nil, so leaving the ring is only counting (in locals: most timers
	// are cancelled, and this loop passes over nearly all of them).
	first, size := t.first+1, t.size-1
	for size > 0 && buf[first&mask].h == nil {
		first++
		size--
	}
	t.first, t.size = first, size
	if size > 0 {
		t.arm()
	} else if len(t.buf) > 1024 {
		t.buf = nil // give a burst's memory back
	}
	if h == nil {
		e.fired-- // the arm of a cancelled timer is no event
		return
	}
	e.timers--
	h.Fire(now, arg)
}
