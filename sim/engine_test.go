package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// firing is one event as a handler saw it.
type firing struct {
	at  Time
	arg uint64
}

func (f firing) String() string { return fmt.Sprintf("%d@%d", f.arg, f.at) }

// recorder is a Handler that logs what fires, checking on the way that the
// time it is given is the engine's Now().
type recorder struct {
	t   *testing.T
	e   *Engine
	got []firing
}

func (r *recorder) Fire(now Time, arg uint64) {
	if now != r.e.Now() {
		r.t.Errorf("Fire(now=%v) but Now() = %v", now, r.e.Now())
	}
	r.got = append(r.got, firing{now, arg})
}

func newRecorder(t *testing.T) (*Engine, *recorder) {
	e := NewEngine()
	return e, &recorder{t: t, e: e}
}

func drain(e *Engine) {
	for e.Step() {
	}
}

func wantFirings(t *testing.T, got []firing, want ...firing) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("fired %v\nwant  %v", got, want)
	}
}

// mustPanic runs f and fails unless it panics with a message containing
// substr.
func mustPanic(t *testing.T, substr string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one mentioning %q", substr)
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, substr) {
			t.Fatalf("panic %q, want one mentioning %q", msg, substr)
		}
	}()
	f()
}

func TestOrderByTimeThenInsertion(t *testing.T) {
	e, r := newRecorder(t)
	// Scheduled out of order, with three ties at t=5 and two at t=1.
	e.Schedule(5, r, 1)
	e.Schedule(1, r, 2)
	e.Schedule(5, r, 3)
	e.Schedule(9, r, 4)
	e.Schedule(1, r, 5)
	e.Schedule(0, r, 6)
	e.Schedule(5, r, 7)
	drain(e)
	wantFirings(t, r.got,
		firing{0, 6}, firing{1, 2}, firing{1, 5},
		firing{5, 1}, firing{5, 3}, firing{5, 7}, firing{9, 4})
	if e.Now() != 9 {
		t.Errorf("Now() = %v after the last event, want 9", e.Now())
	}
}

func TestManyTiesKeepInsertionOrder(t *testing.T) {
	// Enough simultaneous events to fill several heap levels: a heap that
	// compared times only would scramble them.
	e, r := newRecorder(t)
	var want []firing
	for i := range uint64(500) {
		at := Time(i % 3)
		e.Schedule(at, r, i)
	}
	for at := range Time(3) {
		for i := range uint64(500) {
			if Time(i%3) == at {
				want = append(want, firing{at, i})
			}
		}
	}
	drain(e)
	wantFirings(t, r.got, want...)
}

func TestScheduleAtNowFromHandlerGoesLast(t *testing.T) {
	e, r := newRecorder(t)
	e.Schedule(10, HandlerFunc(func(now Time, _ uint64) {
		r.Fire(now, 1)
		e.Schedule(now, r, 99) // same instant: after everything already due now
		e.After(0, r, 98)
	}), 0)
	e.Schedule(10, r, 2)
	e.Schedule(10, r, 3)
	drain(e)
	wantFirings(t, r.got, firing{10, 1}, firing{10, 2}, firing{10, 3}, firing{10, 99}, firing{10, 98})
}

func TestAfterIsRelativeToNow(t *testing.T) {
	e, r := newRecorder(t)
	e.RunUntil(At(time.Second))
	e.After(500*time.Millisecond, r, 1)
	e.After(0, r, 2)
	drain(e)
	wantFirings(t, r.got, firing{At(time.Second), 2}, firing{At(1500 * time.Millisecond), 1})
}

func TestAfterSaturatesAtNever(t *testing.T) {
	e, r := newRecorder(t)
	e.RunUntil(At(time.Hour))
	e.After(time.Duration(1<<63-1), r, 1) // would overflow Now()+d
	if !e.Step() {
		t.Fatal("no event")
	}
	wantFirings(t, r.got, firing{Never, 1})
}

func TestProgrammingErrorsPanic(t *testing.T) {
	e, r := newRecorder(t)
	e.RunUntil(100)
	mustPanic(t, "before Now()", func() { e.Schedule(99, r, 0) })
	mustPanic(t, "negative", func() { e.After(-1, r, 0) })
	mustPanic(t, "nil Handler", func() { e.Schedule(200, nil, 0) })
	mustPanic(t, "before Now()", func() { e.RunUntil(50) })
	id := e.Schedule(200, r, 0)
	mustPanic(t, "before Now()", func() { e.Reschedule(id, 99) })
	mustPanic(t, "before Now()", func() { e.Reschedule(EventID{}, 99) })
	if e.Pending() != 1 {
		t.Errorf("Pending() = %d after the panics, want 1", e.Pending())
	}

	e.Schedule(300, HandlerFunc(func(Time, uint64) { e.Step() }), 0)
	e.RunUntil(250)
	mustPanic(t, "inside a handler", func() { e.Step() })

	e2 := NewEngine()
	e2.Schedule(1, HandlerFunc(func(Time, uint64) { e2.RunUntil(5) }), 0)
	mustPanic(t, "inside a handler", func() { e2.Step() })
}

func TestCancel(t *testing.T) {
	e, r := newRecorder(t)
	a := e.Schedule(1, r, 1)
	b := e.Schedule(2, r, 2)
	c := e.Schedule(3, r, 3)
	if !e.Cancel(b) {
		t.Fatal("Cancel of a pending event returned false")
	}
	if e.Cancel(b) {
		t.Error("second Cancel of the same event returned true")
	}
	if e.Cancel(EventID{}) {
		t.Error("Cancel of the zero EventID returned true")
	}
	if e.Pending() != 2 {
		t.Errorf("Pending() = %d, want 2", e.Pending())
	}
	e.Step()
	if e.Cancel(a) {
		t.Error("Cancel of a fired event returned true")
	}
	drain(e)
	wantFirings(t, r.got, firing{1, 1}, firing{3, 3})
	if e.Cancel(c) {
		t.Error("Cancel of a fired event returned true")
	}
	if e.Fired() != 2 {
		t.Errorf("Fired() = %d, want 2 (a cancelled event does not count)", e.Fired())
	}
}

func TestCancelFromInsideHandlers(t *testing.T) {
	e, r := newRecorder(t)
	var self, later, sameTime EventID
	var selfCancelled bool
	self = e.Schedule(5, HandlerFunc(func(now Time, _ uint64) {
		r.Fire(now, 1)
		selfCancelled = e.Cancel(self) // already firing: counts as fired
		if !e.Cancel(sameTime) {
			t.Error("Cancel of an event due at the same instant returned false")
		}
		if !e.Cancel(later) {
			t.Error("Cancel of a later event returned false")
		}
	}), 0)
	sameTime = e.Schedule(5, r, 2)
	later = e.Schedule(7, r, 3)
	e.Schedule(8, r, 4)
	drain(e)
	if selfCancelled {
		t.Error("a handler cancelled its own, firing event")
	}
	wantFirings(t, r.got, firing{5, 1}, firing{8, 4})
}

func TestStaleIDDoesNotTouchRecycledSlot(t *testing.T) {
	e, r := newRecorder(t)

	// Cancelled, then the slot is reused.
	old := e.Schedule(10, r, 1)
	e.Cancel(old)
	reused := e.Schedule(10, r, 2)
	if slotOf(reused.key) != slotOf(old.key) {
		t.Fatalf("slot not recycled (%d then %d): the test would prove nothing", slotOf(old.key), slotOf(reused.key))
	}
	if e.Cancel(old) {
		t.Error("a stale EventID cancelled the event that reuses its slot")
	}
	if got := e.Reschedule(old, 20); !got.IsZero() {
		t.Error("a stale EventID rescheduled the event that reuses its slot")
	}

	// Fired, then the slot is reused.
	e.Step()
	fired := reused
	next := e.Schedule(30, r, 3)
	if slotOf(next.key) != slotOf(fired.key) {
		t.Fatalf("slot not recycled (%d then %d)", slotOf(fired.key), slotOf(next.key))
	}
	if e.Cancel(fired) {
		t.Error("the EventID of a fired event cancelled the event that reuses its slot")
	}
	drain(e)
	wantFirings(t, r.got, firing{10, 2}, firing{30, 3})
}

// A firing event's slot is kept aside (the spare) for the first event its
// handler schedules. Whatever the handler does around that, the old
// EventID must match nothing, Pending must count right, and the slot must
// go back to the free list, its handler dropped, when nothing takes it.
func TestFiringSlotReusedByHandler(t *testing.T) {
	e, r := newRecorder(t)
	var self, child, other EventID
	var inside []string
	check := func(ok bool, what string) {
		if !ok {
			inside = append(inside, what)
		}
	}
	self = e.Schedule(10, HandlerFunc(func(now Time, _ uint64) {
		check(e.Pending() == 1, "Pending() before scheduling counts the firing event")
		child = e.Schedule(now+5, r, 1)
		check(slotOf(child.key) == slotOf(self.key), "the child did not take the firing event's slot")
		check(!e.Cancel(self), "Cancel(self) after the child took its slot cancelled something")
		check(e.Reschedule(self, now+1).IsZero(), "Reschedule(self) after the child took its slot moved something")
		check(e.Pending() == 2, "Pending() after scheduling the child is not 2")
		// More events take other slots.
		for k := uint64(2); k <= 4; k++ {
			id := e.Schedule(now+Time(k), r, k)
			check(slotOf(id.key) != slotOf(child.key), "two pending events share a slot")
		}
		other = e.Reschedule(other, now+6) // rescheduling keeps the other's slot
	}), 0)
	other = e.Schedule(20, r, 9)
	e.Step()
	for _, what := range inside {
		t.Error(what)
	}
	if e.Pending() != 5 {
		t.Errorf("Pending() = %d after the handler, want 5", e.Pending())
	}
	drain(e)
	wantFirings(t, r.got, firing{12, 2}, firing{13, 3}, firing{14, 4}, firing{15, 1}, firing{16, 9})
	if e.Cancel(child) || !e.Reschedule(child, 100).IsZero() {
		t.Error("the EventID of a fired child still matches")
	}
}

func TestFiringSlotFreedWhenHandlerSchedulesNothing(t *testing.T) {
	e, r := newRecorder(t)
	var pendingInside int
	var selfCancelled bool
	var self EventID
	self = e.Schedule(10, HandlerFunc(func(Time, uint64) {
		pendingInside = e.Pending()
		selfCancelled = e.Cancel(self)
	}), 0)
	e.Schedule(20, r, 1)
	e.Step()
	if pendingInside != 1 || e.Pending() != 1 {
		t.Errorf("Pending() = %d inside the handler and %d after, want 1 and 1", pendingInside, e.Pending())
	}
	if selfCancelled {
		t.Error("a handler cancelled its own, firing event")
	}
	s := slotOf(self.key)
	if e.slots[s].h != nil {
		t.Error("the freed slot still holds the fired event's handler")
	}
	if e.spare != noSpare || len(e.free) != 1 || e.free[0] != s {
		t.Fatalf("spare %d, free list %v: the fired event's slot %d is not free", e.spare, e.free, s)
	}
	next := e.Schedule(30, r, 2) // from outside a handler: the free list
	if slotOf(next.key) != s {
		t.Fatalf("slot %d not reused (got %d): the test would prove nothing", s, slotOf(next.key))
	}
	if e.Cancel(self) {
		t.Error("the fired event's EventID cancelled the event in its old slot")
	}
	drain(e)
	wantFirings(t, r.got, firing{20, 1}, firing{30, 2})
}

// A handler that cancels events before scheduling still gets the spare
// first, and the cancelled slots come next, last cancelled first.
func TestFiringSlotBeforeCancelledSlots(t *testing.T) {
	e, r := newRecorder(t)
	a := e.Schedule(20, r, 1)
	b := e.Schedule(30, r, 2)
	var self, x, y, z EventID
	self = e.Schedule(10, HandlerFunc(func(now Time, _ uint64) {
		e.Cancel(a)
		e.Cancel(b)
		x = e.Schedule(now+1, r, 3)
		y = e.Schedule(now+2, r, 4)
		z = e.Schedule(now+3, r, 5)
	}), 0)
	drain(e)
	if got, want := []uint32{slotOf(x.key), slotOf(y.key), slotOf(z.key)},
		[]uint32{slotOf(self.key), slotOf(b.key), slotOf(a.key)}; !slices.Equal(got, want) {
		t.Errorf("slots %v, want %v (the firing event's, then the cancelled ones)", got, want)
	}
	wantFirings(t, r.got, firing{11, 3}, firing{12, 4}, firing{13, 5})
}

func TestReschedule(t *testing.T) {
	e, r := newRecorder(t)
	a := e.Schedule(10, r, 1)
	e.Schedule(20, r, 2)
	e.Schedule(30, r, 3)

	// Later, past a tie: it goes after the event already at 30.
	a2 := e.Reschedule(a, 30)
	if a2.IsZero() || a2 == a {
		t.Fatalf("Reschedule returned %v, want a new EventID", a2)
	}
	if e.Cancel(a) {
		t.Error("the old EventID still cancels after Reschedule")
	}
	if e.Pending() != 3 {
		t.Errorf("Pending() = %d after Reschedule, want 3", e.Pending())
	}
	// Earlier again.
	a3 := e.Reschedule(a2, 5)
	if !e.Reschedule(a2, 40).IsZero() {
		t.Error("Reschedule of a superseded EventID did something")
	}
	drain(e)
	wantFirings(t, r.got, firing{5, 1}, firing{20, 2}, firing{30, 3})

	// Fired, cancelled and zero IDs: nothing is scheduled.
	for name, id := range map[string]EventID{"fired": a3, "zero": {}} {
		if got := e.Reschedule(id, 100); !got.IsZero() {
			t.Errorf("Reschedule(%s) = %v, want the zero EventID", name, got)
		}
	}
	b := e.Schedule(50, r, 4)
	e.Cancel(b)
	if got := e.Reschedule(b, 100); !got.IsZero() {
		t.Errorf("Reschedule(cancelled) = %v, want the zero EventID", got)
	}
	if e.Pending() != 0 || e.Step() {
		t.Error("a failed Reschedule scheduled something")
	}
}

func TestRescheduleToSameTimeMovesBehindTies(t *testing.T) {
	e, r := newRecorder(t)
	a := e.Schedule(10, r, 1)
	e.Schedule(10, r, 2)
	e.Reschedule(a, 10)
	drain(e)
	wantFirings(t, r.got, firing{10, 2}, firing{10, 1})
}

func TestRescheduleFromInsideHandler(t *testing.T) {
	e, r := newRecorder(t)
	var timer EventID
	e.Schedule(5, HandlerFunc(func(now Time, _ uint64) {
		timer = e.Reschedule(timer, now.Add(10)) // push the deadline back
	}), 0)
	timer = e.Schedule(8, r, 7)
	drain(e)
	wantFirings(t, r.got, firing{15, 7})
}

func TestRunUntil(t *testing.T) {
	e, r := newRecorder(t)
	e.Schedule(10, r, 1)
	e.Schedule(20, r, 2)
	e.Schedule(21, r, 3)
	// A handler that schedules inside the window (fires) and beyond it
	// (stays pending).
	e.Schedule(12, HandlerFunc(func(now Time, _ uint64) {
		e.Schedule(15, r, 4)
		e.Schedule(25, r, 5)
	}), 0)

	e.RunUntil(20) // inclusive: the event at exactly 20 fires
	wantFirings(t, r.got, firing{10, 1}, firing{15, 4}, firing{20, 2})
	if e.Now() != 20 {
		t.Errorf("Now() = %v, want 20", e.Now())
	}
	if e.Pending() != 2 {
		t.Errorf("Pending() = %d, want 2", e.Pending())
	}

	r.got = nil
	e.RunUntil(20) // nothing more is due
	e.RunUntil(22) // time moves to 22 although the last event was at 21
	wantFirings(t, r.got, firing{21, 3})
	if e.Now() != 22 {
		t.Errorf("Now() = %v, want 22", e.Now())
	}
	e.Schedule(22, r, 6)
	e.RunUntil(22) // RunUntil(Now()) fires what is due now
	wantFirings(t, r.got, firing{21, 3}, firing{22, 6})

	// With nothing left before t, time still advances.
	e.RunUntil(24)
	if e.Now() != 24 || e.Pending() != 1 {
		t.Errorf("Now() = %v, Pending() = %d, want 24 and 1", e.Now(), e.Pending())
	}
	if e.Fired() != 6 { // 1, 2, 3, 4, 6 and the handler at 12
		t.Errorf("Fired() = %d, want 6", e.Fired())
	}
}

func TestStepOnEmptyEngine(t *testing.T) {
	e := NewEngine()
	if e.Step() {
		t.Error("Step on an empty engine returned true")
	}
	id := e.Schedule(3, HandlerFunc(func(Time, uint64) {}), 0)
	e.Cancel(id)
	if e.Step() {
		t.Error("Step with only a cancelled event returned true")
	}
	if e.Now() != 0 {
		t.Errorf("Now() = %v: a cancelled event moved time", e.Now())
	}
}

func TestPendingCounts(t *testing.T) {
	e, r := newRecorder(t)
	var ids []EventID
	for i := range 100 {
		ids = append(ids, e.Schedule(Time(i), r, uint64(i)))
	}
	if e.Pending() != 100 {
		t.Fatalf("Pending() = %d, want 100", e.Pending())
	}
	for _, id := range ids[:30] {
		e.Cancel(id)
	}
	e.Cancel(ids[0]) // twice: no change
	for _, id := range ids[30:40] {
		e.Reschedule(id, 1000)
	}
	if e.Pending() != 70 {
		t.Fatalf("Pending() = %d after 30 cancels and 10 reschedules, want 70", e.Pending())
	}
	for range 5 {
		e.Step()
	}
	if e.Pending() != 65 || e.Fired() != 5 {
		t.Fatalf("Pending() = %d, Fired() = %d, want 65 and 5", e.Pending(), e.Fired())
	}
	drain(e)
	if e.Pending() != 0 || e.Fired() != 70 {
		t.Fatalf("Pending() = %d, Fired() = %d, want 0 and 70", e.Pending(), e.Fired())
	}
}

func TestCancelledEntriesArePurged(t *testing.T) {
	// Lazy deletion must not let the queue grow without bound when almost
	// every event is cancelled (request timeouts).
	e, r := newRecorder(t)
	keep := map[uint64]bool{}
	for i := range uint64(10000) {
		id := e.Schedule(Time(10000-i), r, i) // reverse order: a busy heap
		if i%10 == 0 {
			keep[i] = true
		} else {
			e.Cancel(id)
		}
		if len(e.queue) > 2*e.Pending()+compactMin {
			t.Fatalf("after %d events: %d heap entries for %d pending", i+1, len(e.queue), e.Pending())
		}
		checkHeap(t, e)
	}
	drain(e)
	if len(r.got) != len(keep) {
		t.Fatalf("fired %d events, want %d", len(r.got), len(keep))
	}
	for i, f := range r.got {
		if !keep[f.arg] || (i > 0 && f.at <= r.got[i-1].at) {
			t.Fatalf("firing %d: %v (previous %v)", i, f, r.got[max(i-1, 0)])
		}
	}
}

func TestPurgeKeepsOrder(t *testing.T) {
	// Purges rebuild the heap; whichever entries were stale, including the
	// top one, the survivors must still fire in order.
	rng := rand.New(rand.NewPCG(11, 11))
	for round := range 50 {
		e, r := newRecorder(t)
		var ids []EventID
		var want []firing
		for i := range uint64(300) {
			at := Time(rng.IntN(100))
			ids = append(ids, e.Schedule(at, r, i))
			want = append(want, firing{at, i})
		}
		// Cancel the earliest events first (the top of the heap goes
		// stale), then random ones, until a purge has happened.
		sort.SliceStable(want, func(i, j int) bool { return want[i].at < want[j].at })
		cancelled := map[uint64]bool{}
		for _, f := range want[:round] {
			e.Cancel(ids[f.arg])
			cancelled[f.arg] = true
		}
		for len(e.queue) == 300 {
			arg := uint64(rng.IntN(300))
			e.Cancel(ids[arg])
			cancelled[arg] = true
		}
		checkHeap(t, e)
		want = slices.DeleteFunc(want, func(f firing) bool { return cancelled[f.arg] })
		drain(e)
		wantFirings(t, r.got, want...)
	}
}

// The sorted queue's two insertions move exactly the entries due before
// the new one, whatever its depth (first place, last place, past ties),
// and count them for the layout's moving average.
func TestSortedInsertionsMoveTheEntriesDueBefore(t *testing.T) {
	// The queue: times 100, 90, ..., 40, then three entries at 30
	// (sequence numbers 30, 32, 34), then 20 and 10; descending, the next
	// event last.
	var queue []entry
	for k := 10; k >= 4; k-- {
		queue = append(queue, entry{at: Time(10 * k), key: makeKey(uint64(100+k), 0)})
	}
	for seq := uint64(34); seq >= 30; seq -= 2 {
		queue = append(queue, entry{at: 30, key: makeKey(seq, 0)})
	}
	queue = append(queue, entry{at: 20, key: makeKey(20, 0)}, entry{at: 10, key: makeKey(10, 0)})

	for _, c := range []struct {
		at          Time
		seq         uint64 // 0: newer than every entry (Schedule's)
		wantMoved   int
		description string
	}{
		{5, 0, 0, "before everything"},
		{35, 0, 5, "between"},
		{30, 0, 5, "a tie, scheduled later: after the entries at 30"},
		{30, 1, 2, "a tie, scheduled earlier: before the entries at 30"},
		{30, 33, 4, "a tie, scheduled between the entries at 30"},
		{20, 21, 2, "a tie, scheduled later (a Timers arm): after the entry at 20"},
		{100, 0, 12, "after everything, a tie"},
		{110, 0, 12, "after everything"},
		{100, 1, 11, "a tie with the latest entry, scheduled earlier"},
	} {
		e := NewEngine()
		e.queue = append(e.queue, queue...)
		e.moved = 640
		en := entry{at: c.at, key: makeKey(c.seq, 1)}
		if c.seq == 0 && e.bounded(c.at) { // as pushEvent does
			en.key = makeKey(1000, 1)
			e.countMoved(e.insertNewest(en))
		} else {
			if c.seq == 0 {
				en.key = makeKey(1000, 1)
			}
			e.insert(en)
		}
		moved := int(e.moved) - (640 - 640/movedWindow)
		if moved != c.wantMoved {
			t.Errorf("%s: moved %d entries, want %d", c.description, moved, c.wantMoved)
		}
		if i := len(e.queue) - 1 - c.wantMoved; e.queue[i] != en {
			t.Errorf("%s: queue[%d] = %v, want the new entry %v", c.description, i, e.queue[i], en)
		}
		if !slices.IsSortedFunc(e.queue, func(a, b entry) int { return b.compare(a) }) {
			t.Errorf("%s: queue not in descending order: %v", c.description, e.queue)
		}
	}
}

func TestHandlerFunc(t *testing.T) {
	e := NewEngine()
	var got firing
	e.Schedule(4, HandlerFunc(func(now Time, arg uint64) { got = firing{now, arg} }), 42)
	e.Step()
	if got != (firing{4, 42}) {
		t.Errorf("HandlerFunc saw %v, want 42@4", got)
	}
}

// checkHeap verifies the queue's order (sorted or heap) and the live count.
func checkHeap(t *testing.T, e *Engine) {
	t.Helper()
	live := 0
	for i := range e.queue {
		if e.sorted && i > 0 && e.queue[i-1].less(&e.queue[i]) {
			t.Fatalf("sorted order broken at %d", i)
		}
		if !e.sorted && i > 0 && e.queue[i].less(&e.queue[(i-1)/4]) {
			t.Fatalf("heap order broken at %d", i)
		}
		if en := e.queue[i]; e.slots[slotOf(en.key)].key == en.key {
			live++
		}
	}
	if live != e.Pending() {
		t.Fatalf("%d live heap entries, Pending() = %d", live, e.Pending())
	}
}

// refEvent is an event in the reference model, which keeps pending events
// in a slice in scheduling order and finds the next one by a stable sort on
// time: the obviously correct, slow version of the engine.
type refEvent struct {
	at  Time
	arg uint64
}

type refEngine struct {
	now     Time
	pending []refEvent
}

func (m *refEngine) schedule(at Time, arg uint64) {
	m.pending = append(m.pending, refEvent{at, arg})
}

func (m *refEngine) remove(arg uint64) bool {
	for i, ev := range m.pending {
		if ev.arg == arg {
			m.pending = slices.Delete(m.pending, i, i+1)
			return true
		}
	}
	return false
}

func (m *refEngine) next() (refEvent, bool) {
	if len(m.pending) == 0 {
		return refEvent{}, false
	}
	sort.SliceStable(m.pending, func(i, j int) bool { return m.pending[i].at < m.pending[j].at })
	ev := m.pending[0]
	m.pending = m.pending[1:]
	return ev, true
}

// refPhase is a stretch of random operations in a given mix.
type refPhase struct {
	ops                                int
	schedule, cancel, reschedule, step int // percentages; the rest is RunUntil
}

// TestAgainstReference drives the engine and the reference model with the
// same random operations, including handlers that schedule and cancel, and
// requires the same firings, return values and counts throughout. Times are
// drawn from a narrow range so that ties are frequent.
func TestAgainstReference(t *testing.T) {
	// Phases with different mixes: growth (the heap gets deep and cancels
	// trigger purges), churn, and drain.
	fired, maxPending, _ := againstReference(t, 20240601, 0, []refPhase{
		{4000, 75, 15, 5, 5}, // no RunUntil: the queue grows
		{8000, 30, 25, 10, 25},
		{4000, 5, 30, 5, 40},
	})
	// Guard against a change to the mix that would leave the test toothless:
	// the queue must grow deep enough for purges of cancelled entries.
	if fired < 5000 || maxPending < 10*compactMin {
		t.Fatalf("%d events fired, at most %d pending: the test exercises too little", fired, maxPending)
	}
	t.Logf("%d events fired, at most %d pending", fired, maxPending)
}

// TestAgainstReferenceAcrossLayouts is TestAgainstReference with a queue
// that grows until insertions move too much (new events land anywhere in
// it) and drains again and again, so that it changes layout (sorted, heap)
// dozens of times with events, stale entries and ties in it: the order
// must never notice.
func TestAgainstReferenceAcrossLayouts(t *testing.T) {
	var phases []refPhase
	for range 20 {
		phases = append(phases, refPhase{400, 85, 5, 5, 5}, refPhase{100, 2, 10, 3, 20})
	}
	fired, maxPending, flips := againstReference(t, 7, 64, phases)
	if flips < 20 || maxPending <= sortedMax {
		t.Fatalf("%d layout changes, at most %d pending: the test exercises too little", flips, maxPending)
	}
	t.Logf("%d events fired, at most %d pending, %d layout changes", fired, maxPending, flips)
}

// againstReference runs the phases on the engine and on the reference
// model and fails at the first difference. It returns the number of
// events fired, the most pending at once and how often the queue changed
// layout. A heap retries the sorted layout every retry pops (0: as usual).
func againstReference(t *testing.T, seed uint64, retry uint64, phases []refPhase) (fired, maxPending, flips int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	e := NewEngine()
	if retry > 0 {
		e.retryEvery = retry
	}
	m := &refEngine{}
	ids := map[uint64]EventID{}
	var args []uint64 // every arg ever scheduled, fired or not
	var nextArg uint64
	var got, want []firing
	var gotPending, wantPending []int // Pending() as each handler starts
	sorted := true

	// What a handler does is a pure function of its argument, so the model
	// can repeat it: args divisible by 3 schedule a child, up to 2 ticks
	// later (often a tie with now); args ending in 1 (mod 4) cancel the
	// event scheduled just before them, and args ending in 2 (mod 5)
	// reschedule it to the next tick, either of which may have fired
	// already. Handlers that schedule nothing leave their event's slot
	// spare, the others take it.
	childOf := func(arg uint64) (uint64, Time, bool) {
		return arg + 1<<40, Time(arg % 3), arg%3 == 0 && arg < 1<<40
	}
	var h HandlerFunc
	h = func(now Time, arg uint64) {
		got = append(got, firing{now, arg})
		gotPending = append(gotPending, e.Pending())
		if c, d, ok := childOf(arg); ok {
			ids[c] = e.Schedule(now+d, h, c)
		}
		if arg%4 == 1 && arg < 1<<40 {
			e.Cancel(ids[arg-1])
		}
		if arg%5 == 2 && arg < 1<<40 {
			if id := e.Reschedule(ids[arg-1], now+1); !id.IsZero() {
				ids[arg-1] = id
			}
		}
	}
	refFire := func(ev refEvent) {
		m.now = ev.at
		want = append(want, firing{ev.at, ev.arg})
		wantPending = append(wantPending, len(m.pending))
		if c, d, ok := childOf(ev.arg); ok {
			m.schedule(ev.at+d, c)
		}
		if ev.arg%4 == 1 && ev.arg < 1<<40 {
			m.remove(ev.arg - 1)
		}
		if ev.arg%5 == 2 && ev.arg < 1<<40 && m.remove(ev.arg-1) {
			m.schedule(ev.at+1, ev.arg-1)
		}
	}

	for pi, ph := range phases {
		for op := range ph.ops {
			where := func() string { return fmt.Sprintf("seed %d, phase %d, op %d", seed, pi, op) }
			x := rng.IntN(100)
			switch {
			case x < ph.schedule:
				at := e.Now() + Time(rng.IntN(50))
				arg := nextArg
				nextArg++
				ids[arg] = e.Schedule(at, h, arg)
				m.schedule(at, arg)
				args = append(args, arg)
			case x < ph.schedule+ph.cancel && len(args) > 0:
				arg := args[rng.IntN(len(args))]
				if g, w := e.Cancel(ids[arg]), m.remove(arg); g != w {
					t.Fatalf("%s: Cancel(%d) = %v, reference %v", where(), arg, g, w)
				}
			case x < ph.schedule+ph.cancel+ph.reschedule && len(args) > 0:
				arg := args[rng.IntN(len(args))]
				at := e.Now() + Time(rng.IntN(50))
				id := e.Reschedule(ids[arg], at)
				ok := m.remove(arg)
				if ok {
					m.schedule(at, arg)
					ids[arg] = id
				}
				if id.IsZero() == ok {
					t.Fatalf("%s: Reschedule(%d) = %v, reference pending = %v", where(), arg, id, ok)
				}
			case x < ph.schedule+ph.cancel+ph.reschedule+ph.step:
				stepped := e.Step()
				ev, ok := m.next()
				if ok {
					refFire(ev)
				}
				if stepped != ok {
					t.Fatalf("%s: Step() = %v, reference %v", where(), stepped, ok)
				}
			default:
				until := e.Now() + Time(rng.IntN(20))
				e.RunUntil(until)
				for len(m.pending) > 0 {
					ev, _ := m.next()
					if ev.at > until {
						m.pending = append([]refEvent{ev}, m.pending...)
						break
					}
					refFire(ev)
				}
				m.now = until
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: fired %d events, reference %d; first difference at %d",
					where(), len(got), len(want), firstDiff(got, want))
			}
			if !slices.Equal(gotPending, wantPending) {
				t.Fatalf("%s: Pending() inside handlers differs from the reference", where())
			}
			if e.Pending() != len(m.pending) || e.Now() != m.now {
				t.Fatalf("%s: Pending() = %d, Now() = %v; reference %d, %v",
					where(), e.Pending(), e.Now(), len(m.pending), m.now)
			}
			checkHeap(t, e)
			maxPending = max(maxPending, e.Pending())
			if e.sorted != sorted {
				sorted = e.sorted
				flips++
			}
		}
	}
	drain(e)
	for {
		ev, ok := m.next()
		if !ok {
			break
		}
		refFire(ev)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("seed %d: final histories differ at %d", seed, firstDiff(got, want))
	}
	if e.Fired() != uint64(len(want)) {
		t.Fatalf("Fired() = %d, want %d", e.Fired(), len(want))
	}
	return len(want), maxPending, flips
}

func firstDiff(a, b []firing) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestSameOperationsSameHistory(t *testing.T) {
	// Two engines fed the same operations fire identically, and the
	// EventIDs they hand out are identical too (nothing depends on
	// addresses or maps).
	run := func() ([]firing, []EventID) {
		e, r := newRecorder(t)
		rng := rand.New(rand.NewPCG(7, 7))
		var ids []EventID
		for range 2000 {
			id := e.After(time.Duration(rng.IntN(100)), r, rng.Uint64())
			ids = append(ids, id)
			if rng.IntN(3) == 0 {
				e.Cancel(ids[rng.IntN(len(ids))])
			}
			if rng.IntN(2) == 0 {
				e.Step()
			}
		}
		drain(e)
		return r.got, ids
	}
	f1, id1 := run()
	f2, id2 := run()
	if !slices.Equal(f1, f2) || !slices.Equal(id1, id2) {
		t.Fatal("two identical runs differ")
	}
}

func TestStepAllocatesNothingInSteadyState(t *testing.T) {
	e := NewEngine()
	h := &holder{e: e, delays: delays()}
	for i := range 1000 {
		e.After(h.delays[i], h, uint64(i))
	}
	for range 10000 { // warm up: let the slices reach their size
		e.Step()
	}
	if a := testing.AllocsPerRun(10000, func() { e.Step() }); a != 0 {
		t.Errorf("Step with a rescheduling handler allocates %v times per event", a)
	}
	c := &canceller{e: e, delays: h.delays, timeout: make([]EventID, 1000)}
	c.expire = func(Time, uint64) {}
	for i := range 1000 {
		e.After(c.delays[i], c, uint64(i))
	}
	for range 100000 {
		e.Step()
	}
	if a := testing.AllocsPerRun(10000, func() { e.Step() }); a != 0 {
		t.Errorf("Step with cancels allocates %v times per event", a)
	}
}

func TestRunUntilAtMost(t *testing.T) {
	e, r := newRecorder(t)
	for k := uint64(1); k <= 5; k++ {
		e.Schedule(Time(10*k), r, k)
	}
	cancelled := e.Schedule(15, r, 99)
	e.Cancel(cancelled) // a cancelled entry is not counted as fired

	if e.RunUntilAtMost(45, 2) {
		t.Fatal("RunUntilAtMost(45, 2) reached 45 with 4 events due")
	}
	wantFirings(t, r.got, firing{10, 1}, firing{20, 2})
	if e.Now() != 20 {
		t.Errorf("stopped early: Now() = %v, want 20 (the last event fired)", e.Now())
	}
	if !e.RunUntilAtMost(45, 2) {
		t.Fatal("RunUntilAtMost(45, 2) did not reach 45 with 2 events due")
	}
	wantFirings(t, r.got, firing{10, 1}, firing{20, 2}, firing{30, 3}, firing{40, 4})
	if e.Now() != 45 || e.Pending() != 1 {
		t.Errorf("Now() = %v, Pending() = %d, want 45 and 1", e.Now(), e.Pending())
	}
	if e.RunUntilAtMost(100, 0) {
		t.Error("RunUntilAtMost(100, 0) reached 100 with an event due")
	}
	mustPanic(t, "before Now()", func() { e.RunUntilAtMost(1, 1) })
}

// The sequence numbers an engine hands out fit the 40 bits of an event's
// key; the next one past them panics rather than misorder events.
func TestScheduleBeyondSequenceLimitPanics(t *testing.T) {
	e := NewEngine()
	e.seq = maxSeq - 1
	h := HandlerFunc(func(Time, uint64) {})
	id := e.Schedule(1, h, 0) // the last sequence number there is
	if got := id.key >> slotBits; got != maxSeq {
		t.Fatalf("sequence %d, want %d", got, maxSeq)
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "2^40-1 events") {
			t.Errorf("recovered %v, want the sequence-limit panic", v)
		}
	}()
	e.Schedule(2, h, 0)
}
