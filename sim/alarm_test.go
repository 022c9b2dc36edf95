package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// alarmWorld drives the same random script on an engine with a few
// alarms, either Alarms or events cancelled and scheduled again at every
// Set: the traces, Fired and Pending must be identical, ties included.
type alarmWorld struct {
	e      *Engine
	alarms []*Alarm   // nil: use events
	events []EventID  // the events standing for the alarms
	at     []Time     // what each event stands for, while it is pending
	arg    []uint64   //
	rng    *rand.Rand //
	trace  []string
	stops  int
}

// alarmHandler is alarm k's handler.
type alarmHandler struct {
	w *alarmWorld
	k int
}

func (h alarmHandler) Fire(now Time, arg uint64) {
	w := h.w
	if w.alarms == nil {
		w.events[h.k] = EventID{}
	}
	w.trace = append(w.trace, fmt.Sprintf("%d: alarm %d arg %d f%d p%d", now, h.k, arg, w.e.Fired(), w.e.Pending()))
	w.act(now)
}

// Fire is a plain event's.
func (w *alarmWorld) Fire(now Time, arg uint64) {
	w.trace = append(w.trace, fmt.Sprintf("%d: event %d f%d p%d", now, arg, w.e.Fired(), w.e.Pending()))
	w.act(now)
}

// act sets or stops a few alarms, mostly to later times (as a quota's
// event moves), at whole milliseconds so that ties with each other and
// with plain events are common, and schedules a plain event.
func (w *alarmWorld) act(now Time) {
	if w.stops == 0 {
		return
	}
	w.stops--
	for n := w.rng.IntN(4); n > 0; n-- {
		k := w.rng.IntN(len(w.at))
		ms := Time(time.Millisecond)
		at := (now/ms + Time(w.rng.IntN(6))) * ms
		if at < now {
			at += ms
		}
		arg := uint64(1 + w.rng.IntN(2))
		if w.rng.IntN(5) == 0 {
			w.stop(k)
		} else {
			w.set(k, at, arg)
		}
	}
	w.e.After(time.Duration(w.rng.IntN(4))*time.Millisecond, w, uint64(w.stops))
}

func (w *alarmWorld) set(k int, at Time, arg uint64) {
	if w.alarms != nil {
		w.alarms[k].Set(at, arg)
		return
	}
	if w.e.pending(w.events[k]) && w.at[k] == at && w.arg[k] == arg {
		return
	}
	w.e.Cancel(w.events[k])
	w.events[k] = w.e.Schedule(at, alarmHandler{w, k}, arg)
	w.at[k], w.arg[k] = at, arg
}

func (w *alarmWorld) stop(k int) {
	if w.alarms != nil {
		w.alarms[k].Stop()
		return
	}
	w.e.Cancel(w.events[k])
	w.events[k] = EventID{}
}

// runAlarmWorld runs the script of seed, with background plain events
// pending far ahead from the start (enough of them put the engine's queue
// in its heap layout).
func runAlarmWorld(seed uint64, alarms bool, background int) (trace []string, heap bool) {
	const n = 3
	w := &alarmWorld{e: NewEngine(), rng: rand.New(rand.NewPCG(seed, 2)), stops: 4000,
		events: make([]EventID, n), at: make([]Time, n), arg: make([]uint64, n)}
	if alarms {
		for k := range n {
			a := &Alarm{}
			a.Init(w.e, alarmHandler{w, k})
			w.alarms = append(w.alarms, a)
		}
	}
	for k := range 4 {
		w.e.Schedule(Time(k)*Time(time.Millisecond), w, uint64(1<<40+k))
	}
	for k := range background {
		w.e.Schedule(Time(time.Hour)+Time(k), w, uint64(1<<41+k))
	}
	// After each event (an early arm is a step of the engine, but no
	// event), what is pending.
	for fired := uint64(0); w.e.Step(); {
		heap = heap || !w.e.sorted
		if f := w.e.Fired(); f != fired {
			fired = f
			w.trace = append(w.trace, fmt.Sprintf("after f%d p%d", f, w.e.Pending()))
		}
	}
	return w.trace, heap
}

// Alarms fire exactly as events cancelled and scheduled again at every
// Set would: same times, same order among ties, same Fired and Pending
// after every step, and a stopped alarm never fires; with a short queue
// and with a long one (300 background events), in the engine's heap.
func TestAlarmFiresAsRescheduledEventWould(t *testing.T) {
	early := 0
	for _, background := range []int{0, 300} {
		for seed := uint64(1); seed <= 20; seed++ {
			want, _ := runAlarmWorld(seed, false, background)
			got, heap := runAlarmWorld(seed, true, background)
			if background > 0 && !heap {
				t.Fatalf("seed %d, %d in the background: the queue was never a heap", seed, background)
			}
			if len(want) < 1000 {
				t.Fatalf("seed %d: only %d trace lines", seed, len(want))
			}
			sameTrace(t, fmt.Sprintf("seed %d, %d in the background", seed, background), "events", got, want)
		}
	}
	for seed := uint64(1); seed <= 20; seed++ {
		early += countEarlyArms(seed)
	}
	if early < 1000 {
		t.Errorf("only %d early arms in the scripts: the case should exercise them", early)
	}
}

// countEarlyArms is how many arms fire before their alarm's time (or are
// left by a Stop) in the script of seed: the engine's steps beyond the
// events fired.
func countEarlyArms(seed uint64) int {
	w := &alarmWorld{e: NewEngine(), rng: rand.New(rand.NewPCG(seed, 2)), stops: 4000,
		at: make([]Time, 3), arg: make([]uint64, 3)}
	for k := range 3 {
		a := &Alarm{}
		a.Init(w.e, alarmHandler{w, k})
		w.alarms = append(w.alarms, a)
	}
	w.e.Schedule(0, w, 1<<40)
	steps := 0
	for w.e.Step() {
		steps++
	}
	// Step counts an early arm as a step, but not as fired.
	return steps - int(w.e.Fired())
}

// Setting an alarm to what it is set to keeps its place among the events
// due at that time; setting it again to another argument and back takes
// a new place, after them, as a rescheduled event would.
func TestAlarmSetAgain(t *testing.T) {
	e := NewEngine()
	var order []string
	rec := func(name string) Handler {
		return HandlerFunc(func(Time, uint64) { order = append(order, name) })
	}
	var a, b Alarm
	a.Init(e, rec("a"))
	b.Init(e, rec("b"))
	a.Set(10, 1)
	e.Schedule(10, rec("x"), 0)
	a.Set(10, 1) // unchanged: before x
	b.Set(10, 1)
	e.Schedule(10, rec("y"), 0)
	b.Set(10, 2)
	b.Set(10, 1) // moved: after y
	if e.Pending() != 4 {
		t.Fatalf("pending %d, want 4", e.Pending())
	}
	e.RunUntil(20)
	if got := fmt.Sprint(order); got != "[a x y b]" {
		t.Errorf("fired %s, want [a x y b]", got)
	}
	if e.Fired() != 4 || e.Pending() != 0 {
		t.Errorf("fired %d pending %d, want 4 and 0", e.Fired(), e.Pending())
	}
}

// A zero Alarm is not set, and stopping it does nothing (an instance
// without a quota event stops its alarm before ever setting it).
func TestAlarmZeroStops(t *testing.T) {
	var a Alarm
	a.Stop()
	if a.IsSet() {
		t.Fatal("a zero Alarm is set")
	}
	e := NewEngine()
	a.Init(e, HandlerFunc(func(Time, uint64) { t.Fatal("a stopped alarm fired") }))
	a.Set(5, 1)
	if !a.IsSet() || a.At() != 5 || a.Arg() != 1 || e.Pending() != 1 {
		t.Fatalf("set: IsSet %v At %d Arg %d Pending %d", a.IsSet(), a.At(), a.Arg(), e.Pending())
	}
	a.Stop()
	e.RunUntil(10)
	if e.Fired() != 0 || e.Pending() != 0 {
		t.Errorf("fired %d pending %d after a stopped alarm's arm, want 0 and 0", e.Fired(), e.Pending())
	}
}
