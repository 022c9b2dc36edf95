package sim

// An Alarm is one event of a handler that is set again and again, most
// often to a later time than before or not at all: the quota event of a
// CPU limit, moved at every change of the instance's CPU rate. Setting it
// later, or stopping it, costs no engine operation: its engine event (the
// arm) stays where it is, never later than the time set, and an arm that
// fires before that time queues itself again at it, or goes away if the
// alarm was stopped. Only setting it earlier than its arm moves the arm.
//
// An Alarm fires exactly when, and in exactly the order, an event
// scheduled by its last Set would have fired (Cancel and Schedule, or
// Reschedule), ties included: Set takes its sequence number from the
// engine as Schedule does, and the arm that reaches the alarm's time is
// queued with that time and that sequence number. Fired and Pending count
// the alarm as such an event: once when it fires, and as pending while it
// is set; an arm that fires early counts for nothing.
//
// The zero Alarm is not set and cannot be (see Init), but may be stopped
// and asked IsSet. An Alarm must not be copied after Init.
type Alarm struct {
	e *Engine
	h Handler

	at  Time   // when it fires, if set
	seq uint64 // its sequence number, from its last Set
	arg uint64 // what it fires with
	set bool

	arm    EventID // the arm, if queued: at or before at
	armAt  Time
	armSeq uint64
}

// Init makes a an alarm of e that fires h.
func (a *Alarm) Init(e *Engine, h Handler) {
	if h == nil {
		panic("sim: Alarm with a nil Handler")
	}
	*a = Alarm{e: e, h: h}
}

// Set arranges for h.Fire(at, arg), as Schedule(at, h, arg) would after
// cancelling what a was set to: a fires after every event already
// scheduled for at. Setting a to the time and argument it is already set
// to changes nothing (it keeps its place among events at that time).
// Setting it in the past panics, as scheduling in the past does.
//
// Set is small enough to be inlined for its most common case, no change;
// the others are reset's.
func (a *Alarm) Set(at Time, arg uint64) {
	if a.set && at == a.at && arg == a.arg {
		return
	}
	a.reset(at, arg)
}

// reset is Set to another time or argument.
func (a *Alarm) reset(at Time, arg uint64) {
	e := a.e
	if at < e.now {
		panic("sim: Alarm.Set in the past")
	}
	if !a.set {
		e.timers++ // pending, whether or not an arm is queued for it
	}
	a.at, a.seq, a.arg, a.set = at, e.newSeq(), arg, true
	if !a.arm.IsZero() {
		if a.armAt <= at {
			return // the arm comes first and will queue the alarm
		}
		e.Cancel(a.arm)
		e.arms--
	}
	a.queueArm(at, a.seq)
}

// Stop cancels what a was set to, if anything: it will not fire. Its arm,
// if queued, stays, and goes away when it fires.
func (a *Alarm) Stop() {
	if a.set {
		a.set = false
		a.e.timers--
	}
}

// IsSet reports whether a is set: it will fire at At with Arg.
func (a *Alarm) IsSet() bool { return a.set }

// At is the time a is set to fire; it is meaningful only while a is set.
func (a *Alarm) At() Time { return a.at }

// Arg is what a is set to fire with; it is meaningful only while a is set.
func (a *Alarm) Arg() uint64 { return a.arg }

// queueArm queues the arm at (at, seq).
func (a *Alarm) queueArm(at Time, seq uint64) {
	a.arm = a.e.pushEvent(at, seq, a, 0)
	a.armAt, a.armSeq = at, seq
	a.e.arms++
}

// Fire is the arm's event. It fires the alarm if the arm is the alarm's
// own (its time and sequence number); otherwise, if the alarm is set (to
// a later time, or to this time since the arm was queued), it queues the
// arm again as the alarm's own, and the early arm counts as no event.
func (a *Alarm) Fire(now Time, _ uint64) {
	e := a.e
	e.arms--
	a.arm = EventID{}
	if !a.set {
		e.fired-- // the arm of a stopped alarm is no event
		return
	}
	if now != a.at || a.armSeq != a.seq {
		e.fired--
		a.queueArm(a.at, a.seq)
		return
	}
	a.set = false
	e.timers--
	a.h.Fire(now, a.arg)
}
