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
	buf   []timer // ring: the timers in scheduling order, cancelled ones included
	head  int
	size  int
	first uint64 // index (since the start) of buf[head]
	armed bool   // an arm is in the engine's heap for buf[head]
}

// timer is one scheduled timer; h is nil once it is cancelled.
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
	tm := timer{at: e.now.Add(t.delay), seq: seq, h: h, arg: arg}
	t.buf[(t.head+t.size)&(len(t.buf)-1)] = tm
	t.size++
	e.timers++
	if !t.armed {
		t.arm()
	}
	return TimerID{index: t.first + uint64(t.size-1), seq: tm.seq}
}

// grow doubles the ring. Its length is always 0 or a power of two (16,
// then doubled), so indices wrap with a mask, not a division.
func (t *Timers) grow() {
	n := max(2*len(t.buf), 16)
	buf := make([]timer, n)
	for k := 0; k < t.size; k++ {
		buf[k] = t.buf[(t.head+k)&(len(t.buf)-1)]
	}
	t.buf, t.head = buf, 0
}

// Cancel stops the timer id names, so that it never fires, and reports
// whether it did: false when id is zero or its timer has already fired or
// been cancelled. O(1).
func (t *Timers) Cancel(id TimerID) bool {
	if id.seq == 0 || id.index < t.first || id.index >= t.first+uint64(t.size) {
		return false
	}
	tm := &t.buf[(t.head+int(id.index-t.first))&(len(t.buf)-1)]
	if tm.seq != id.seq || tm.h == nil {
		return false
	}
	tm.h, tm.arg = nil, 0 // the arm, if it is for this timer, will find it gone
	t.e.timers--
	return true
}

// arm queues the event for the head timer, which must be pending.
func (t *Timers) arm() {
	h := &t.buf[t.head]
	t.e.pushEvent(h.at, h.seq, t, 0)
	t.e.arms++
	t.armed = true
}

// pop removes the head timer.
func (t *Timers) pop() timer {
	tm := t.buf[t.head]
	t.buf[t.head] = timer{}
	t.head = (t.head + 1) & (len(t.buf) - 1)
	t.size--
	t.first++
	return tm
}

// Fire is the arm's event: it fires the head timer, unless it was
// cancelled, after queueing the arm for the next pending one (so that a
// timer the handler schedules finds the ring armed for its head).
func (t *Timers) Fire(now Time, _ uint64) {
	e := t.e
	e.arms--
	t.armed = false
	tm := t.pop()
	for t.size > 0 && t.buf[t.head].h == nil {
		t.pop()
	}
	if t.size > 0 {
		t.arm()
	} else if len(t.buf) > 1024 {
		t.buf, t.head = nil, 0 // give a burst's memory back
	}
	if tm.h == nil {
		e.fired-- // the arm of a cancelled timer is no event
		return
	}
	e.timers--
	tm.h.Fire(now, tm.arg)
}
