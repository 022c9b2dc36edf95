package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
	"unsafe"
)

// Handler is the code an event runs. Fire is called with the event's time
// (equal to the engine's Now()) and the argument given to Schedule. Fire may
// schedule, cancel and reschedule events on the same engine, but must not
// call Step or RunUntil.
//
// Hot paths should use a long-lived value with a Fire method (a pointer to
// a component, with arg selecting what to do), which costs nothing per event.
type Handler interface {
	Fire(now Time, arg uint64)
}

// HandlerFunc adapts an ordinary function to Handler. A closure that
// captures variables is allocated when it is created, so prefer a method on
// a long-lived value for events scheduled millions of times.
type HandlerFunc func(now Time, arg uint64)

// Fire calls f(now, arg).
func (f HandlerFunc) Fire(now Time, arg uint64) { f(now, arg) }

// EventID names one scheduled event, for Cancel and Reschedule. The zero
// EventID names no event. An EventID stays valid only until its event fires
// or is cancelled; after that it never matches another event, even one that
// reuses the same internal slot, because each event carries a sequence
// number that is never reused.
type EventID struct {
	key uint64 // the event's key (its sequence number and slot); 0 = no event
}

// IsZero reports whether id is the zero EventID, which names no event.
func (id EventID) IsZero() bool { return id.key == 0 }

// An event's key packs its sequence number (high bits) and its slot (low
// slotBits bits) into one word, so a heap entry is 16 bytes and four
// siblings fill one 64-byte cache line. Sequence numbers are unique, so
// keys order events exactly as their sequence numbers do. The packing
// limits an engine to maxSlots events pending at once (16.7 million) and
// maxSeq events scheduled in its life (1.1 * 10^12, two days of wall
// time at the engine's fastest); beyond either it panics rather than
// misorder.
const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
	maxSlots = 1 << slotBits
	maxSeq   = 1<<(64-slotBits) - 1
)

// makeKey is the key of the event with sequence number seq in slot s.
func makeKey(seq uint64, s uint32) uint64 { return seq<<slotBits | uint64(s) }

// slotOf is the slot of the event with the given key.
func slotOf(key uint64) uint32 { return uint32(key & slotMask) }

// entry is one element of the priority queue. It is ordered by (at, key):
// by time, and among events at the same time by sequence number, that is
// insertion order. The entry is live while slots[slotOf(key)].key == key;
// cancelled events leave their entry behind (lazy deletion) and it is
// skipped when it reaches the top.
type entry struct {
	at  Time
	key uint64
}

// less is the event order: time first, then insertion sequence.
func (a *entry) less(b *entry) bool { return lessBit(a, b) != 0 }

// compare is the event order as slices.SortFunc wants it: -1 if a comes
// before b, +1 if after, 0 if they are the same entry.
func (a entry) compare(b entry) int {
	if a.at != b.at {
		return cmp.Compare(a.at, b.at)
	}
	return cmp.Compare(a.key, b.key)
}

// lessBit is 1 if a comes before b and 0 otherwise. It computes a-b as a
// 128-bit unsigned subtraction of the (at, key) pairs and returns the
// borrow, so it compiles without a branch: in a heap, which child is the
// smallest is a coin toss that a branch predictor loses, and the heap code
// turns the bit into an index arithmetically. Times in the heap are never
// negative (Now() starts at 0 and Schedule refuses the past), so comparing
// them unsigned is exact.
func lessBit(a, b *entry) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// slot holds what an event runs. Slots are recycled through a free list, so
// steady-state scheduling allocates nothing.
type slot struct {
	h   Handler
	arg uint64
	key uint64 // key of the event occupying the slot; 0 while free
}

// noSpare is Engine.spare when there is no spare slot.
const noSpare = math.MaxUint32

// compactMin is the heap size below which stale entries are never purged:
// a small heap full of them costs less than rebuilding it.
const compactMin = 64

// Engine is a single-threaded discrete-event engine over integer virtual
// time. It does no I/O, starts no goroutines and never reads the wall clock:
// the caller drives it with Schedule, Step and RunUntil (see the package
// documentation). An Engine is not safe for concurrent use.
//
// The zero Engine is not ready for use; call NewEngine.
//
// Implementation: a priority queue of 16-byte value entries (time, and a
// key packing sequence number and slot) and a slab of slots holding each
// event's handler and argument, recycled through a free list. The queue is
// a slice sorted with the next event last while insertions into it move
// few entries, as they do in simulations (M/M/8 keeps ~10 events queued,
// feature-rich ~24), and a 4-ary heap when they would move many or the
// queue is large (see sortedMax). The slices grow to the largest number
// of pending events and are then reused, so steady-state scheduling
// allocates nothing. Cancel only marks the slot free; the queue entry is
// skipped when it surfaces, or dropped when such stale entries outnumber
// live ones. Against the alternative of tracking each entry's heap index
// (exact removal, but a write to the slab at every sift step), lazy
// deletion measured 8-13% faster on the hold benchmark
// (BenchmarkScheduleStep), as fast on the cancel-heavy one at 1000
// pending and 8% slower at 10000.
//
// The engine's own code costs ~140 instructions an event in M/M/8
// (cachegrind on BenchmarkRunMM8; ~430 with a heap of 24-byte entries at
// every size, ~210 before the spare slot, the inlined Schedule and the
// pointer walk, ~160 before arrivals became a Stream): ~110 to schedule
// a CPU phase's end (its insertion moves ~4 entries, 7 instructions each)
// and ~45 to pop it, ~40 to schedule an arrival (a Stream's event) and
// ~35 to fire it. In feature-rich it costs ~205 an event (from ~330).
type Engine struct {
	now        Time
	seq        uint64   // last sequence number handed out
	queue      []entry  // the pending entries, stale (cancelled) ones included
	sorted     bool     // queue is sorted, next event last (else a 4-ary min-heap)
	moved      uint     // movedWindow times the moving average of the entries an insertion moves
	heapPops   uint64   // pops while the queue is a heap, for retrying the sorted layout
	retryEvery uint64   // retryEvery, but tests may try more often
	slots      []slot   // the slots in use are the events in the heap neither fired nor cancelled
	free       []uint32 // indices of free slots, used last-in first-out
	spare      uint32   // while a handler runs, the free slot its event left (noSpare if taken)
	arms       int      // of the events in slots, the arms of Timers (for their heads) and Alarms
	timers     int      // timers pending in Timers, and Alarms set
	fired      uint64
	running    bool // inside Step or RunUntil: a handler may be running

	// Streams (stream.go): their soonest pending event (noSide if none)
	// and its stream, compared with the queue's next at every pop, and
	// how many have one pending.
	side           entry
	sideStream     int // index in streams, -1 if none is pending
	streams        []*Stream
	streamsPending int
}

// NewEngine returns an engine at time 0 with no events.
func NewEngine() *Engine {
	return &Engine{
		queue:      make([]entry, 0, sortedMax), // sortedMax at least: see insertable
		sorted:     true,
		retryEvery: retryEvery,
		slots:      make([]slot, 0, 256),
		free:       make([]uint32, 0, 256),
		spare:      noSpare,
		side:       noSide,
		sideStream: -1,
	}
}

// Now returns the current virtual time: the time of the event being fired
// or last fired, or the time given to the last RunUntil, whichever is later.
func (e *Engine) Now() Time { return e.now }

// Pending returns the number of events scheduled that have neither fired nor
// been cancelled.
func (e *Engine) Pending() int { return e.live() - e.arms + e.timers + e.streamsPending }

// live is the number of events in the heap that have neither fired nor
// been cancelled: the slots in use.
func (e *Engine) live() int {
	n := len(e.slots) - len(e.free)
	if e.spare != noSpare {
		n-- // free, but kept off the free list
	}
	return n
}

// Fired returns the number of events fired so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Schedule arranges for h.Fire(at, arg) to be called when virtual time
// reaches at. Events at the same time fire in the order they were
// scheduled. Scheduling in the past (at < Now()) or a nil handler is a
// programming error and panics; scheduling at Now() is allowed, and the
// event fires after every event already scheduled for Now().
//
// Schedule is only the next sequence number and a call, so that the
// compiler inlines it into its callers and an event costs one call:
// pushEvent makes the checks (a refused event uses up its sequence
// number, which changes nothing, as numbers need only increase).
func (e *Engine) Schedule(at Time, h Handler, arg uint64) EventID {
	e.seq++
	return e.pushEvent(at, e.seq, h, arg)
}

// newSeq hands out the next sequence number.
func (e *Engine) newSeq() uint64 {
	if e.seq >= maxSeq {
		panic(seqLimit)
	}
	e.seq++
	return e.seq
}

const seqLimit = "sim: more than 2^40-1 events scheduled in one run, the engine's limit: split the run into shorter ones"

// pushEvent schedules h.Fire(at, arg) with the given sequence number,
// which must be unique and not yet in use: Schedule's, or one a Timers
// reserved when its timer was scheduled. It panics, as Schedule
// documents, if at is in the past, h is nil or seq is beyond maxSeq.
func (e *Engine) pushEvent(at Time, seq uint64, h Handler, arg uint64) EventID {
	if at < e.now || h == nil || seq > maxSeq {
		panic(e.refusal(at, h))
	}
	// The slot: the one the firing event left, which its handler's first
	// Schedule takes (most handlers schedule the next event of what they
	// model), else the last one freed, else a new one.
	//
	// The slow paths (a new slot, the general push) end in tail calls, so
	// that no value is live across a call and the fast path spills
	// nothing.
	s := e.spare
	if s != noSpare {
		e.spare = noSpare
	} else if n := len(e.free); n > 0 {
		s = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		e.free = append(e.free, e.newSlot())
		return e.pushEvent(at, seq, h, arg)
	}
	key := makeKey(seq, s)
	sl := &e.slots[s]
	sl.h, sl.arg, sl.key = h, arg, key
	en := entry{at: at, key: key}
	if seq != e.seq || !e.insertable() || !e.bounded(at) {
		return e.push(en)
	}
	e.countMoved(e.insertNewest(en)) // push's common case, without a call to push
	return EventID{key: key}
}

// refusal is what is wrong with an event pushEvent was given. The caller
// panics with it, so that the compiler knows the path ends there.
func (e *Engine) refusal(at Time, h Handler) string {
	switch {
	case at < e.now:
		return fmt.Sprintf("sim: Schedule at %v, before Now() = %v", at, e.now)
	case h == nil:
		return "sim: Schedule with a nil Handler"
	}
	return seqLimit
}

// newSlot adds a slot to the slab and returns its index.
//
//go:noinline
func (e *Engine) newSlot() uint32 {
	if len(e.slots) == maxSlots {
		panic("sim: more than 2^24 events pending at once, the engine's limit: a run holding this many requests in flight needs less traffic or shorter waits")
	}
	e.slots = append(e.slots, slot{})
	return uint32(len(e.slots) - 1)
}

// After schedules h.Fire(now, arg) for d after Now(). A negative d panics,
// like scheduling in the past; a d so large that Now()+d overflows is
// treated as Never.
func (e *Engine) After(d time.Duration, h Handler, arg uint64) EventID {
	if d < 0 {
		panic(fmt.Sprintf("sim: After(%v), a negative delay", d))
	}
	e.seq++
	return e.pushEvent(e.now.Add(d), e.seq, h, arg) // Add saturates at Never
}

// pending reports whether id names an event that has neither fired nor been
// cancelled.
func (e *Engine) pending(id EventID) bool {
	s := slotOf(id.key)
	return id.key != 0 && int(s) < len(e.slots) && e.slots[s].key == id.key
}

// Cancel removes the event id names, so that it never fires, and reports
// whether it did: it returns false, and does nothing, when id is zero or
// its event has already fired or been cancelled. An event may be cancelled
// from inside any handler, including its own (where Cancel returns false:
// an event counts as fired as soon as its handler starts). Cancel is O(1)
// amortized.
func (e *Engine) Cancel(id EventID) bool {
	if !e.pending(id) {
		return false
	}
	e.release(slotOf(id.key))
	e.maybeCompact()
	return true
}

// Reschedule moves the pending event id to time at, keeping its handler and
// argument, and returns the event's new EventID; id is no longer valid
// afterwards. The moved event is ordered as if newly scheduled: after every
// event already scheduled for the same time.
//
// If id is zero or its event has already fired or been cancelled, nothing is
// scheduled and Reschedule returns the zero EventID (its handler is no longer
// known), so callers can write
//
//	if t.id = e.Reschedule(t.id, at); t.id.IsZero() {
//		t.id = e.Schedule(at, t, arg)
//	}
//
// Like Schedule, rescheduling to a time before Now() panics, whether or not
// id is pending.
func (e *Engine) Reschedule(id EventID, at Time) EventID {
	if at < e.now {
		panic(fmt.Sprintf("sim: Reschedule to %v, before Now() = %v", at, e.now))
	}
	if !e.pending(id) {
		return EventID{}
	}
	// Keep the slot (handler and argument stay where they are) and give the
	// event a new sequence number: the old heap entry goes stale.
	s := slotOf(id.key)
	key := makeKey(e.newSeq(), s)
	e.slots[s].key = key
	id = e.push(entry{at: at, key: key})
	e.maybeCompact()
	return id
}

// Step fires the next event, advancing Now() to its time, and reports
// whether there was one. Step panics if called from inside a handler. A
// panic in a handler propagates to the caller of Step or RunUntil and
// leaves the engine unusable: later calls to Step and RunUntil panic.
func (e *Engine) Step() bool {
	if e.running {
		panic("sim: Step or RunUntil called from inside a handler")
	}
	return e.run(Never, 1) == 0
}

// RunUntil fires, in order, every event with time <= t, including events
// that handlers schedule along the way, then sets Now() to t. Events after
// t stay pending. RunUntil(t) with t < Now() panics, as time cannot go
// back; RunUntil(Now()) fires the events due now.
func (e *Engine) RunUntil(t Time) {
	if e.running {
		panic("sim: Step or RunUntil called from inside a handler")
	}
	if t < e.now {
		panic(fmt.Sprintf("sim: RunUntil(%v), before Now() = %v", t, e.now))
	}
	e.run(t, math.MaxUint64)
	e.now = t
}

// RunUntilAtMost is RunUntil that fires at most n events. It reports
// whether it reached t (then Now() = t, as after RunUntil); when it stops
// early, Now() is the time of the last event fired and the events still due
// by t stay pending, so a later call carries on exactly where this one
// stopped. Callers use it to look up from a long stretch of events (for a
// cancellation or a resource budget) without changing the run: the events
// fire in the same order however the stretch is cut.
func (e *Engine) RunUntilAtMost(t Time, n uint64) bool {
	if e.running {
		panic("sim: Step or RunUntil called from inside a handler")
	}
	if t < e.now {
		panic(fmt.Sprintf("sim: RunUntilAtMost(%v), before Now() = %v", t, e.now))
	}
	if e.run(t, n) == 0 && (len(e.queue) > 0 && e.next().at <= t || e.sideDue(t)) {
		return false // stopped at n with events still due
	}
	e.now = t
	return true
}

// run fires, in order, the events due by t until n have fired, and
// returns how many of the n it did not fire.
//
// It is the one event loop behind Step and RunUntil, written out so that
// an event costs one pop, one slot read and the handler's call. A live
// event's slot is freed before its handler runs (Cancel of the firing
// event returns false), but kept off the free list as the spare, which
// the handler's first Schedule takes without a trip through the list;
// if the handler schedules nothing, the spare joins the list after it.
// The running flag is set once for the whole loop, not per event: only
// handlers can observe it. If a handler panics, the flag stays set and
// further Step and RunUntil calls panic too.
func (e *Engine) run(t Time, n uint64) uint64 {
	e.running = true
	for n > 0 {
		if len(e.queue) == 0 {
			if !e.sideDue(t) {
				break
			}
			n--
			e.fireSide()
			continue
		}
		// A stream's event goes first if it is due and before the queue's
		// next (stream.go): compared by time, and by sequence number at a
		// tie.
		next := e.next()
		if e.side.at <= next.at && e.sideDue(t) && (e.side.at < next.at || e.side.key < next.key) {
			n--
			e.fireSide()
			continue
		}
		if next.at > t {
			break
		}
		// pop, with the sorted layout's case written out: it is the
		// common one, and the compiler does not inline pop.
		var top entry
		if e.sorted {
			top = *next
			e.queue = e.queue[:len(e.queue)-1]
		} else {
			top = e.pop()
		}
		s := slotOf(top.key)
		sl := &e.slots[s]
		if sl.key != top.key {
			continue // cancelled or rescheduled
		}
		h, arg := sl.h, sl.arg
		sl.key = 0 // free the slot
		e.spare = s
		e.now = top.at
		e.fired++
		n--
		h.Fire(top.at, arg)
		if e.spare != noSpare {
			e.releaseSpare() // the handler scheduled nothing
		}
	}
	e.running = false
	return n
}

// releaseSpare puts the spare slot on the free list, dropping its handler
// so that the GC may have it.
func (e *Engine) releaseSpare() {
	e.slots[e.spare].h = nil
	e.free = append(e.free, e.spare)
	e.spare = noSpare
}

// release frees slot s for reuse.
func (e *Engine) release(s uint32) {
	sl := &e.slots[s]
	sl.h, sl.key = nil, 0 // drop the handler reference for the GC
	e.free = append(e.free, s)
}

// maybeCompact drops the stale entries from the heap once they outnumber
// the live ones. Each rebuild costs O(len(heap)) and follows at least
// len(heap)/2 cancellations, so cancelling stays O(1) amortized and the heap
// never holds more than about twice the pending events.
func (e *Engine) maybeCompact() {
	n, live := len(e.queue), e.live()
	if n < compactMin || n-live <= live {
		return
	}
	h := e.queue[:0]
	for _, en := range e.queue {
		if e.slots[slotOf(en.key)].key == en.key {
			h = append(h, en)
		}
	}
	e.queue = h
	if e.sorted {
		return // dropping entries keeps the order
	}
	// Heapify: sift down every internal node, last first.
	for i := (len(h) - 2) / 4; i >= 0; i-- {
		e.down(i)
	}
}

// The queue has two layouts. The sorted one is a slice sorted by
// descending (at, key), the next event last: pop is a slice shrink, and
// push an insertion that moves the entries due before the new one, 7
// instructions each. Those are few in a simulation, because most of the
// queue is periodic work due far ahead (probes, samples, autoscaler
// evaluations) and new events mostly come soon (CPU bursts, waits):
// M/M/8 moves 3.5 entries an insertion among ~10 (its arrivals, a
// Stream's, are not inserted), feature-rich 8.0 among ~24 (counted on
// the built-in mm8 and scenarios/runner/testdata/feature-rich.yaml),
// where a 4-ary heap spends ~240 instructions on a pop and its
// hard-to-predict branches alone. The insertion only loses when new events
// land deep in a large queue (an event-set "hold" model moves half of it),
// so the queue keeps a moving average of the entries moved and becomes a
// heap, whose O(log n) wins there, when that average exceeds moveBudget or
// the queue reaches sortedMax. A heap of fewer than sortedMax/4 entries
// tries the sorted layout again every retryEvery pops, as what is
// scheduled changes over a run (feature-rich turns to the heap twice, at
// bursts of events scheduled far ahead, and pops 98.5% of its events
// sorted): a retry that fails costs a sort and a few insertions, a
// few instructions a pop amortized. Both layouts pop in exactly (at, key)
// order, so which one the queue has never changes what fires when.
const (
	sortedMax   = 256
	moveBudget  = 40 // entries moved per insertion, on average, that a heap push and pop cost (~300 instructions, 7 an entry)
	movedWindow = 64 // insertions the average is taken over: a burst of far-ahead events does not count
	retryEvery  = 1 << 10
)

// next returns the queue's next entry. The queue must not be empty.
func (e *Engine) next() *entry {
	if e.sorted {
		return &e.queue[len(e.queue)-1]
	}
	return &e.queue[0]
}

// push adds en to the queue and returns its EventID.
func (e *Engine) push(en entry) EventID {
	if e.insertable() {
		e.insert(en)
	} else {
		if e.sorted {
			e.toHeap()
		}
		e.pushHeap(en)
	}
	return EventID{key: en.key}
}

// insertable reports whether the queue is to stay sorted for one more
// entry: it is sorted, and neither too long nor moving too much. Then it
// also has room for the entry, as its capacity is at least sortedMax.
func (e *Engine) insertable() bool {
	return e.sorted && len(e.queue) < sortedMax && e.moved <= movedWindow*moveBudget
}

// pop removes and returns the queue's next entry. The queue must not be
// empty.
func (e *Engine) pop() entry {
	if e.sorted {
		n := len(e.queue) - 1
		top := e.queue[n]
		e.queue = e.queue[:n]
		return top
	}
	top := e.popHeap()
	if e.heapPops++; e.heapPops%e.retryEvery == 0 && len(e.queue) < sortedMax/4 {
		e.toSorted()
	}
	return top
}

// insert adds en to the sorted queue: the entries due before it move up
// one place, and it takes the place they leave.
func (e *Engine) insert(en entry) {
	var moved int
	if e.bounded(en.at) {
		moved = e.insertNewest(en)
	} else {
		// en is due, by time, at or after every entry: all move up.
		moved = len(e.queue)
		e.queue = append(e.queue, en)
		copy(e.queue[1:], e.queue[:moved])
		e.queue[0] = en
	}
	// en is now after every entry due at or before its time; those at its
	// time with larger keys (scheduled later) belong before it. They are
	// next to it, and usually there are none.
	q := e.queue
	for i := len(q) - 1 - moved; i+1 < len(q) && q[i+1].at == en.at && q[i+1].key > en.key; i++ {
		q[i], q[i+1] = q[i+1], en
		moved--
	}
	e.countMoved(moved)
}

// bounded reports whether the sorted queue has an entry due after time
// at, by time: then its first entry, the latest, is one, and stops
// insertNewest's walk.
func (e *Engine) bounded(at Time) bool {
	return len(e.queue) > 0 && e.queue[0].at > at
}

// insertNewest is insert for an entry whose key is larger than every key
// in the queue (a newly handed out sequence number), its common case, in
// a bounded queue. The entry goes after every entry due at or before its
// time, so the search compares times only, and the walk down the queue
// stops at the first entry due after it, before the queue's start. It
// returns the number of entries it moved, for countMoved.
func (e *Engine) insertNewest(en entry) int {
	n := len(e.queue)
	e.queue = e.queue[:n+1] // within capacity: insertable
	// The entries due at or before en move up one place, walked with a
	// pointer: indexing 16-byte entries costs a shift and a move at each
	// step, a third of the loop, which is most of an insertion in a busy
	// queue. The walk needs no bound: the queue is bounded. The loop exits
	// once, so it may branch.
	first := unsafe.Pointer(unsafe.SliceData(e.queue))
	p := unsafe.Add(first, uintptr(n)*entrySize)
	for {
		prev := unsafe.Add(p, -int(entrySize))
		if (*entry)(prev).at > en.at {
			break
		}
		*(*entry)(p) = *(*entry)(prev)
		p = prev
	}
	*(*entry)(p) = en
	return n - int((uintptr(p)-uintptr(first))/entrySize)
}

// countMoved adds an insertion that moved k entries to the moving average
// of moved entries: an exponential one over ~movedWindow insertions,
// scaled by movedWindow.
func (e *Engine) countMoved(k int) {
	e.moved += uint(k) - e.moved/movedWindow
}

// entrySize is the size of an entry in bytes.
const entrySize = unsafe.Sizeof(entry{})

// toHeap turns the sorted queue into a heap: reversed, it is sorted
// ascending, and an ascending slice is a heap (every parent comes before
// its children).
func (e *Engine) toHeap() {
	slices.Reverse(e.queue)
	e.sorted = false
}

// toSorted turns the heap into the sorted queue.
func (e *Engine) toSorted() {
	slices.SortFunc(e.queue, func(a, b entry) int { return b.compare(a) }) // descending
	// Start the average half way to the budget: a retry that fails,
	// fails fast.
	e.sorted, e.moved = true, movedWindow*moveBudget/2
}

// The heap is 4-ary: the children of i are 4i+1 .. 4i+4 and its parent is
// (i-1)/4. Compared with a binary heap it is half as deep, and the four
// children of a node sit next to each other in memory, so sifting down
// touches fewer cache lines. Sifts move a hole rather than swapping.

// pushHeap adds en to the heap.
func (e *Engine) pushHeap(en entry) {
	e.queue = append(e.queue, en)
	h := e.queue
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !en.less(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = en
}

// popHeap removes and returns the smallest entry. The heap must not be
// empty.
//
// It uses Floyd's bottom-up variant: the hole left at the root moves all the
// way down to a leaf, each time taking the smallest child's place, and only
// then is the last entry put in the hole and sifted up. The last entry was
// a leaf, so it rarely rises far, and the descent saves the comparison
// against it at every level (and its hard-to-predict branch).
func (e *Engine) popHeap() entry {
	h := e.queue
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	e.queue = h
	if n == 0 {
		return top
	}
	// Descend: full nodes by a branch-free tournament (written out here
	// because the compiler does not inline minChild), then at most one node
	// with fewer than four children.
	i := 0
	for {
		c := 4*i + 1
		if c+3 >= n {
			if c < n {
				m := minChild(h, i)
				h[i] = h[m]
				i = m
			}
			break
		}
		q := h[c : c+4 : c+4]
		a := int(lessBit(&q[1], &q[0]))      // 0 or 1
		b := 2 + int(lessBit(&q[3], &q[2]))  // 2 or 3
		w := -int(lessBit(&q[b&3], &q[a&3])) // all ones if b wins
		m := a ^ ((a ^ b) & w)
		h[i] = q[m&3]
		i = c + m
	}
	for i > 0 {
		p := (i - 1) / 4
		if !x.less(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return top
}

// minChild returns the index of the smallest child of i, or -1 if i is a
// leaf. With four children it plays a branch-free tournament.
func minChild(h []entry, i int) int {
	c := 4*i + 1
	if c+3 < len(h) {
		q := h[c : c+4 : c+4]
		a := int(lessBit(&q[1], &q[0]))      // 0 or 1
		b := 2 + int(lessBit(&q[3], &q[2]))  // 2 or 3
		w := -int(lessBit(&q[b&3], &q[a&3])) // all ones if b wins; &3 drops the bounds checks
		return c + (a ^ ((a ^ b) & w))
	}
	if c >= len(h) {
		return -1
	}
	m := c
	for j := c + 1; j < len(h); j++ {
		if h[j].less(&h[m]) {
			m = j
		}
	}
	return m
}

// down restores the heap order below i, moving h[i] down.
func (e *Engine) down(i int) {
	h := e.queue
	x := h[i]
	for {
		m := minChild(h, i)
		if m < 0 || !h[m].less(&x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
