package sim

import (
	"container/heap"
	"fmt"
	"testing"
	"time"
)

// The benchmarks use the classic "hold" model of event-set studies: the
// queue holds n pending events, and each operation pops the earliest one,
// whose handler schedules one new event at now + an exponential delay. So
// one op = one schedule + one pop + one handler call, at a steady queue
// size. Delays come from a precomputed ring so that the random generator's
// cost is not measured.
//
//	go test ./sim -run XXX -bench . -count 6 | tee /tmp/sim-bench.txt
//	benchstat /tmp/sim-bench.txt

// holdSizes are the queue sizes the simulator really has: ~10 pending
// events in M/M/8 (an arrival, up to 8 completions, a sample tick), ~50 in
// the feature-rich scenario, and the thousands of a large fleet.
var holdSizes = []int{16, 128, 1000, 10000}

const delayRing = 1 << 16

// delays returns a ring of exponential delays with a mean of 1 ms.
func delays() []time.Duration {
	r := NewRand(1, 2)
	d := make([]time.Duration, delayRing)
	for i := range d {
		d[i] = SampleDuration(Exponential{Mean: 1e-3}, r)
	}
	return d
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// holder is the hold model's handler on the Engine.
type holder struct {
	e      *Engine
	delays []time.Duration
	i      int
}

func (h *holder) Fire(now Time, arg uint64) {
	h.i++
	h.e.After(h.delays[h.i&(delayRing-1)], h, arg)
}

func BenchmarkScheduleStep(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			e := NewEngine()
			h := &holder{e: e, delays: delays()}
			for i := range n {
				e.After(h.delays[i], h, uint64(i))
			}
			h.i = n
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e.Step()
			}
			b.StopTimer()
			reportRate(b)
			if e.Pending() != n {
				b.Fatalf("Pending() = %d, want %d", e.Pending(), n)
			}
		})
	}
}

// canceller is the cancel-heavy model: n requests are in service, each with
// a completion event and a timeout 30 mean service times later. Each op
// fires a completion, which cancels that request's timeout and starts the
// next request (a completion and a timeout): one pop, two schedules and one
// cancel per op. Timeouts practically never fire (probability e^-30), so
// without purging the queue would fill with cancelled entries.
type canceller struct {
	e       *Engine
	delays  []time.Duration
	i       int
	timeout []EventID
	expire  HandlerFunc
}

func (c *canceller) Fire(now Time, arg uint64) {
	c.e.Cancel(c.timeout[arg])
	c.i++
	c.e.After(c.delays[c.i&(delayRing-1)], c, arg)
	c.timeout[arg] = c.e.After(30*time.Millisecond, c.expire, arg)
}

func BenchmarkCancelHeavy(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			e := NewEngine()
			c := &canceller{e: e, delays: delays(), timeout: make([]EventID, n)}
			c.expire = func(Time, uint64) { b.Fatal("a timeout fired") }
			for i := range n {
				e.After(c.delays[i], c, uint64(i))
				c.timeout[i] = e.After(30*time.Millisecond, c.expire, uint64(i))
			}
			c.i = n
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e.Step()
			}
			b.StopTimer()
			reportRate(b)
			if e.Pending() != 2*n {
				b.Fatalf("Pending() = %d, want %d", e.Pending(), 2*n)
			}
		})
	}
}

// The baselines below run the same models on container/heap, the way an
// event queue is usually first written: a slice of events behind
// heap.Interface (whose Push and Pop box every event in an interface) and,
// for cancellation, pointers to events that track their heap index.

type baseEvent struct {
	at  Time
	seq uint64
	h   Handler
	arg uint64
}

type baseQueue []baseEvent

func (q baseQueue) Len() int { return len(q) }
func (q baseQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || (q[i].at == q[j].at && q[i].seq < q[j].seq)
}
func (q baseQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *baseQueue) Push(x any)   { *q = append(*q, x.(baseEvent)) }
func (q *baseQueue) Pop() any {
	old := *q
	n := len(old) - 1
	x := old[n]
	*q = old[:n]
	return x
}

type baseEngine struct {
	now Time
	seq uint64
	q   baseQueue
}

func (e *baseEngine) after(d time.Duration, h Handler, arg uint64) {
	e.seq++
	heap.Push(&e.q, baseEvent{at: e.now.Add(d), seq: e.seq, h: h, arg: arg})
}

func (e *baseEngine) step() {
	ev := heap.Pop(&e.q).(baseEvent)
	e.now = ev.at
	ev.h.Fire(ev.at, ev.arg)
}

type baseHolder struct {
	e      *baseEngine
	delays []time.Duration
	i      int
}

func (h *baseHolder) Fire(now Time, arg uint64) {
	h.i++
	h.e.after(h.delays[h.i&(delayRing-1)], h, arg)
}

func BenchmarkScheduleStepContainerHeap(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			e := &baseEngine{}
			h := &baseHolder{e: e, delays: delays()}
			for i := range n {
				e.after(h.delays[i], h, uint64(i))
			}
			h.i = n
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e.step()
			}
			b.StopTimer()
			reportRate(b)
		})
	}
}

// basePtrEvent is an event for the cancellable baseline: a pointer that
// knows its heap index, so heap.Remove can take it out.
type basePtrEvent struct {
	at    Time
	seq   uint64
	h     Handler
	arg   uint64
	index int
}

type basePtrQueue []*basePtrEvent

func (q basePtrQueue) Len() int { return len(q) }
func (q basePtrQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || (q[i].at == q[j].at && q[i].seq < q[j].seq)
}
func (q basePtrQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}
func (q *basePtrQueue) Push(x any) {
	ev := x.(*basePtrEvent)
	ev.index = len(*q)
	*q = append(*q, ev)
}
func (q *basePtrQueue) Pop() any {
	old := *q
	n := len(old) - 1
	x := old[n]
	old[n] = nil
	*q = old[:n]
	x.index = -1
	return x
}

type basePtrEngine struct {
	now Time
	seq uint64
	q   basePtrQueue
}

func (e *basePtrEngine) after(d time.Duration, h Handler, arg uint64) *basePtrEvent {
	e.seq++
	ev := &basePtrEvent{at: e.now.Add(d), seq: e.seq, h: h, arg: arg}
	heap.Push(&e.q, ev)
	return ev
}

func (e *basePtrEngine) cancel(ev *basePtrEvent) {
	if ev != nil && ev.index >= 0 {
		heap.Remove(&e.q, ev.index)
	}
}

func (e *basePtrEngine) step() {
	ev := heap.Pop(&e.q).(*basePtrEvent)
	e.now = ev.at
	ev.h.Fire(ev.at, ev.arg)
}

type baseCanceller struct {
	e       *basePtrEngine
	delays  []time.Duration
	i       int
	timeout []*basePtrEvent
	expire  HandlerFunc
}

func (c *baseCanceller) Fire(now Time, arg uint64) {
	c.e.cancel(c.timeout[arg])
	c.i++
	c.e.after(c.delays[c.i&(delayRing-1)], c, arg)
	c.timeout[arg] = c.e.after(30*time.Millisecond, c.expire, arg)
}

func BenchmarkCancelHeavyContainerHeap(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			e := &basePtrEngine{}
			c := &baseCanceller{e: e, delays: delays(), timeout: make([]*basePtrEvent, n)}
			c.expire = func(Time, uint64) { b.Fatal("a timeout fired") }
			for i := range n {
				e.after(c.delays[i], c, uint64(i))
				c.timeout[i] = e.after(30*time.Millisecond, c.expire, uint64(i))
			}
			c.i = n
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e.step()
			}
			b.StopTimer()
			reportRate(b)
		})
	}
}

// BenchmarkBareHeap4 is the ceiling: the engine's own event queue (a
// 4-ary heap, or below sortedMax entries a sorted slice) of (time, key)
// entries under the same hold model, with no slots, handlers or
// cancellation. The gap to BenchmarkScheduleStep is the cost of those.
func BenchmarkBareHeap4(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			d := delays()
			e := NewEngine()
			for i := range n {
				e.seq++
				e.push(entry{at: At(d[i]), key: e.seq})
			}
			j := n
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				top := e.pop()
				j++
				e.seq++
				e.push(entry{at: top.at.Add(d[j&(delayRing-1)]), key: e.seq})
			}
			b.StopTimer()
			reportRate(b)
		})
	}
}
