package runner

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bareEvent is an event of the bare M/M/c loop: its time in integer
// nanoseconds, as the simulator's, and whether it is an arrival.
type bareEvent struct {
	at      int64
	arrival bool
}

// bareHeap is a hand-written 4-ary min-heap of events, the same shape as
// sim.Engine's, with nothing else: no handlers, no cancellation, no ties.
type bareHeap []bareEvent

func (h *bareHeap) push(e bareEvent) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 4
		if q[p].at <= q[i].at {
			break
		}
		q[p], q[i] = q[i], q[p]
		i = p
	}
}

func (h *bareHeap) pop() bareEvent {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		m := i
		for c := 4*i + 1; c <= 4*i+4 && c < n; c++ {
			if q[c].at < q[m].at {
				m = c
			}
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// bareMMc simulates an M/M/c queue for d seconds with the least a
// discrete-event loop needs (a heap of arrivals and departures, a count
// of waiting customers) and returns the requests that arrived and the
// mean queue wait. It is the reference the whole simulator's speed is
// measured against (issue: "within 1.5x of a bare event loop").
func bareMMc(lambda, mu float64, c int, d float64, seed uint64) (requests int, meanWait float64) {
	r := rand.New(rand.NewPCG(seed, 0))
	exp := func(rate float64) int64 { return int64(math.Round(r.ExpFloat64() / rate * 1e9)) }
	end := int64(d * 1e9)
	h := bareHeap{{at: exp(lambda), arrival: true}}
	var waiting []int64 // arrival times of the customers in the queue (FIFO)
	head, busy := 0, 0
	var waitSum float64
	served := 0
	for len(h) > 0 {
		e := h.pop()
		if e.at > end {
			break
		}
		if e.arrival {
			requests++
			h.push(bareEvent{at: e.at + exp(lambda), arrival: true})
			if busy < c {
				busy++
				served++
				h.push(bareEvent{at: e.at + exp(mu)})
			} else {
				waiting = append(waiting, e.at)
			}
			continue
		}
		if head < len(waiting) {
			waitSum += float64(e.at-waiting[head]) / 1e9
			head++
			served++
			if head > 1024 && head*2 > len(waiting) { // keep the queue compact
				waiting = append(waiting[:0], waiting[head:]...)
				head = 0
			}
			h.push(bareEvent{at: e.at + exp(mu)})
		} else {
			busy--
		}
	}
	return requests, waitSum / float64(served)
}

// The bare loop is a correct M/M/8 (so the benchmark compares like with
// like): its mean wait is within 5% of Erlang C's 0.877 s over ~2M
// requests (about 10 standard deviations of the estimator: see
// cluster/queueing_test.go for the variance).
func TestBareMMcIsMM8(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 2 million requests")
	}
	n, w := bareMMc(7.2, 1, 8, 78*3600, 1)
	if n < 1_900_000 || math.Abs(w-0.8769)/0.8769 > 0.05 {
		t.Errorf("%d requests, mean wait %.4f s; want ~2.02M and 0.877 s", n, w)
	}
}

// BenchmarkBareMM8 is the bare M/M/8 loop on mm8's parameters (rho 0.9,
// 78 simulated hours, ~2M requests): the reference for BenchmarkRunMM8.
// Compare the two requests/s with benchstat:
//
//	go test ./scenarios/runner -run XXX -bench 'MM8$' -count 10 | tee mm8.txt
func BenchmarkBareMM8(b *testing.B) {
	var requests int
	for b.Loop() {
		n, _ := bareMMc(7.2, 1, 8, 78*3600, 1)
		requests += n
	}
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
}
