package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// liveTimer is a timer of a timerWorld: a TimerID of the ring of delay d,
// or an EventID.
type liveTimer struct {
	d  time.Duration
	id any
}

// timerWorld drives the same random script on an engine, with its
// fixed-delay timers either in Timers rings or scheduled one by one with
// After: the traces, Fired and Pending must be identical, ties included.
type timerWorld struct {
	e      *Engine
	rings  map[time.Duration]*Timers // nil: use After
	rng    *rand.Rand
	trace  []string
	ids    map[uint64]liveTimer // live timers by arg
	next   uint64
	stops  int
	delays []time.Duration
}

func (w *timerWorld) Fire(now Time, arg uint64) {
	w.trace = append(w.trace, fmt.Sprintf("%d:%d f%d p%d", now, arg, w.e.Fired(), w.e.Pending()))
	delete(w.ids, arg)
	// Each firing does some of: schedule timers, schedule a plain event
	// (at a whole millisecond, so ties with timers are common), cancel a
	// random live timer.
	for k := 1 + w.rng.IntN(2); k > 0 && w.stops > 0; k-- {
		w.stops--
		w.next++
		d := w.delays[w.rng.IntN(len(w.delays))]
		if w.rings != nil {
			w.ids[w.next] = liveTimer{d, w.rings[d].Schedule(w, w.next)}
		} else {
			w.ids[w.next] = liveTimer{d, w.e.After(d, w, w.next)}
		}
	}
	if w.rng.IntN(2) == 0 && w.stops > 0 {
		w.stops--
		w.next++
		w.e.After(time.Duration(w.rng.IntN(5))*time.Millisecond, w, w.next|1<<40)
	}
	if w.rng.IntN(3) == 0 {
		// Cancel the live timer with the smallest arg (deterministic in
		// both worlds).
		var min uint64
		for a := range w.ids {
			if min == 0 || a < min {
				min = a
			}
		}
		if min != 0 {
			var ok bool
			switch id := w.ids[min].id.(type) {
			case TimerID:
				ok = w.rings[w.ids[min].d].Cancel(id)
			case EventID:
				ok = w.e.Cancel(id)
			}
			w.trace = append(w.trace, fmt.Sprintf("cancel %d %v", min, ok))
			delete(w.ids, min)
		}
	}
}

func runTimerWorld(seed uint64, rings bool) []string {
	w := &timerWorld{e: NewEngine(), rng: rand.New(rand.NewPCG(seed, 1)), ids: map[uint64]liveTimer{}, stops: 3000,
		delays: []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond}}
	if rings {
		w.rings = map[time.Duration]*Timers{}
		for _, d := range w.delays {
			w.rings[d] = NewTimers(w.e, d)
		}
	}
	for k := uint64(0); k < 5; k++ {
		w.e.Schedule(Time(k)*Time(time.Millisecond), w, 1<<41+k)
	}
	for w.e.Step() {
	}
	return append(w.trace, fmt.Sprintf("end f%d p%d", w.e.Fired(), w.e.Pending()))
}

// Timers fire exactly as Engine.After would have fired the same events:
// same times, same order among ties, same Fired and Pending at every
// step, and a cancelled timer never fires.
func TestTimersFireAsAfterWould(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		want, got := runTimerWorld(seed, false), runTimerWorld(seed, true)
		if len(want) < 100 {
			t.Fatalf("seed %d: only %d trace lines", seed, len(want))
		}
		sameTrace(t, fmt.Sprintf("seed %d", seed), "After", got, want)
	}
}

// The ring of a delay holds only the timers of the last delay: a long run
// of timers that are cancelled at once keeps it small.
func TestTimersStayBounded(t *testing.T) {
	e := NewEngine()
	tm := NewTimers(e, time.Second)
	h := HandlerFunc(func(Time, uint64) { t.Fatal("a cancelled timer fired") })
	var tick HandlerFunc
	n := 0
	tick = func(now Time, _ uint64) {
		if !tm.Cancel(tm.Schedule(h, 0)) {
			t.Fatal("Cancel of a pending timer returned false")
		}
		if n++; n < 100000 {
			e.After(time.Millisecond, tick, 0)
		}
	}
	e.Schedule(0, tick, 0)
	for e.Step() {
		if len(tm.buf) > 4096 {
			t.Fatalf("ring of %d slots for 1000 timers a second of 1 s", len(tm.buf))
		}
	}
	if e.Fired() != 100000 || e.Pending() != 0 {
		t.Errorf("fired %d, pending %d; want 100000 and 0", e.Fired(), e.Pending())
	}
}

// BenchmarkTimersTimeout is the client-timeout pattern: every event
// schedules a timer and cancels the one from 16 events before, so about
// 16 timers are pending and most never fire (a request finishing well
// within its timeout).
func BenchmarkTimersTimeout(b *testing.B) {
	e := NewEngine()
	tm := NewTimers(e, time.Second)
	var ids [16]TimerID
	var h HandlerFunc = func(Time, uint64) {}
	k := 0
	var tick HandlerFunc
	tick = func(now Time, _ uint64) {
		tm.Cancel(ids[k&15])
		ids[k&15] = tm.Schedule(h, 0)
		k++
		e.After(time.Millisecond, tick, 0)
	}
	e.Schedule(0, tick, 0)
	b.ResetTimer()
	for range b.N {
		e.Step()
	}
}
