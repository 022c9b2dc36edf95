package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// streamWorld drives the same random script on an engine with a few
// streams of events, either Streams or plain events scheduled one at a
// time: the traces, Fired and Pending must be identical, ties included.
type streamWorld struct {
	e       *Engine
	streams []*Stream // nil: plain events
	pending []bool    // with plain events: stream k has one pending
	events  []EventID //
	rng     *rand.Rand
	trace   []string
	left    int // events the script still schedules
}

type streamHandler struct {
	w *streamWorld
	k int
}

// Fire is stream k's: it schedules the stream's next event, mostly soon,
// at whole milliseconds so that ties with the other streams and with
// plain events are common, and at times stops another stream.
func (h streamHandler) Fire(now Time, arg uint64) {
	w := h.w
	if w.streams == nil {
		w.pending[h.k] = false
	}
	w.trace = append(w.trace, fmt.Sprintf("%d: stream %d arg %d f%d p%d", now, h.k, arg, w.e.Fired(), w.e.Pending()))
	if w.left <= 0 {
		return
	}
	w.left--
	w.schedule(h.k, w.soon(now))
	if w.rng.IntN(8) == 0 {
		w.stop(w.rng.IntN(len(w.pending)))
	}
	w.act(now)
}

// Fire is a plain event's: it schedules another, and at times restarts a
// stopped stream.
func (w *streamWorld) Fire(now Time, arg uint64) {
	w.trace = append(w.trace, fmt.Sprintf("%d: event %d f%d p%d", now, arg, w.e.Fired(), w.e.Pending()))
	if w.left <= 0 {
		return
	}
	w.left--
	if k := w.rng.IntN(len(w.pending)); !w.isPending(k) {
		w.schedule(k, w.soon(now))
	}
	w.act(now)
}

// act schedules a plain event, at times two.
func (w *streamWorld) act(now Time) {
	for range 1 + w.rng.IntN(4)/3 {
		w.e.Schedule(w.soon(now), w, uint64(w.left))
	}
}

func (w *streamWorld) soon(now Time) Time {
	ms := Time(time.Millisecond)
	at := (now/ms + Time(w.rng.IntN(4))) * ms
	if at < now {
		at += ms
	}
	return at
}

func (w *streamWorld) isPending(k int) bool {
	if w.streams != nil {
		return w.streams[k].Pending()
	}
	return w.pending[k]
}

func (w *streamWorld) schedule(k int, at Time) {
	if w.streams != nil {
		w.streams[k].Schedule(at)
		return
	}
	w.events[k] = w.e.Schedule(at, streamHandler{w, k}, uint64(10+k))
	w.pending[k] = true
}

func (w *streamWorld) stop(k int) {
	if w.streams != nil {
		w.streams[k].Stop()
		return
	}
	w.e.Cancel(w.events[k])
	w.pending[k] = false
}

// runStreamWorld runs the script of seed with n streams, background plain
// events far ahead (enough of them put the queue in its heap layout), in
// RunUntilAtMost chunks of chunk events (0: Step by Step).
func runStreamWorld(seed uint64, useStreams bool, n, background, chunk int) []string {
	w := &streamWorld{e: NewEngine(), rng: rand.New(rand.NewPCG(seed, 3)), left: 5000,
		pending: make([]bool, n), events: make([]EventID, n)}
	if useStreams {
		for k := range n {
			w.streams = append(w.streams, w.e.NewStream(streamHandler{w, k}, uint64(10+k)))
		}
	}
	for k := range n {
		w.schedule(k, Time(k%2)*Time(time.Millisecond))
	}
	w.e.Schedule(0, w, 1<<40)
	for k := range background {
		w.e.Schedule(Time(time.Hour)+Time(k), w, uint64(1<<41+k))
	}
	w.trace = append(w.trace, fmt.Sprintf("start p%d", w.e.Pending()))
	if chunk == 0 {
		for w.e.Step() {
			w.trace = append(w.trace, fmt.Sprintf("after f%d p%d", w.e.Fired(), w.e.Pending()))
		}
		return w.trace
	}
	for end := Time(0); ; end += Time(time.Second) {
		for !w.e.RunUntilAtMost(end, uint64(chunk)) {
			w.trace = append(w.trace, fmt.Sprintf("chunk f%d p%d now %d", w.e.Fired(), w.e.Pending(), w.e.Now()))
		}
		w.trace = append(w.trace, fmt.Sprintf("until %d f%d p%d", end, w.e.Fired(), w.e.Pending()))
		if w.e.Pending() == 0 {
			return w.trace
		}
	}
}

// Streams fire exactly as the events Schedule would schedule at the same
// calls: same times, same order among ties (with each other and with plain
// events), same Fired and Pending after every step, a stopped stream's
// event never fires; with one stream and with three, a short queue and
// one in the heap layout, stepped and run in chunks.
func TestStreamFiresAsScheduledEventWould(t *testing.T) {
	ties := 0
	for _, n := range []int{1, 3} {
		for _, background := range []int{0, 300} {
			for _, chunk := range []int{0, 7} {
				for seed := uint64(1); seed <= 10; seed++ {
					want := runStreamWorld(seed, false, n, background, chunk)
					got := runStreamWorld(seed, true, n, background, chunk)
					name := fmt.Sprintf("seed %d, %d streams, %d in the background, chunks of %d", seed, n, background, chunk)
					if len(want) < 5000 {
						t.Fatalf("%s: only %d trace lines", name, len(want))
					}
					sameTrace(t, name, "events", got, want)
					ties += countTies(got)
				}
			}
		}
	}
	if ties < 1000 {
		t.Errorf("only %d events tied with the one before: the scripts should exercise ties", ties)
	}
}

// countTies is how many fired events of a trace share the time of the one
// fired before them.
func countTies(trace []string) int {
	n, last := 0, ""
	for _, l := range trace {
		at, _, ok := strings.Cut(l, ": ")
		if !ok {
			continue
		}
		if at == last {
			n++
		}
		last = at
	}
	return n
}

// A stream schedules one event at a time, and not in the past; the
// refusals say so.
func TestStreamRefusals(t *testing.T) {
	e := NewEngine()
	s := e.NewStream(HandlerFunc(func(Time, uint64) {}), 0)
	s.Schedule(10)
	for _, c := range []struct {
		name string
		do   func()
		want string
	}{
		{"twice", func() { s.Schedule(20) }, "already pending"},
		{"past", func() { s.Stop(); e.RunUntil(15); s.Schedule(5) }, "before Now()"},
		{"nil", func() { e.NewStream(nil, 0) }, "nil handler"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("%s: panic %v, want one saying %q", c.name, r, c.want)
				}
			}()
			c.do()
		}()
	}
}
