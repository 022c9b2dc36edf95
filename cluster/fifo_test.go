package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// pushAt queues a request that arrived at t (seconds) and returns it.
func pushAt(q *fifo, t float64, now sim.Time) *request {
	r := &request{arrived: sim.Time(t * float64(time.Second)), cpu: t}
	r.qseq = q.push(r, now)
	return r
}

// A backlog of abandoned work merges into runs once the buffer is full,
// while the requests whose clients still wait keep their entries, their
// demands and a seq that finds them; the head's arrival, all a probe
// reads, is unchanged; popping yields every entry once.
func TestFifoCompactsAbandonedWork(t *testing.T) {
	q := fifo{agedAfter: time.Second}
	now := sim.Time(0)
	var live []*request
	// compactFrom entries: every fourth one's client still waits.
	for k := 0; k < compactFrom; k++ {
		r := pushAt(&q, float64(k)*0.001, now)
		if k%4 == 0 {
			live = append(live, r)
		} else {
			q.at(r.qseq).r = nil // its client gave up
		}
	}
	if len(q.buf) != compactFrom || q.size != compactFrom {
		t.Fatalf("buffer %d, slots %d, want both %d", len(q.buf), q.size, compactFrom)
	}
	// 10 s later every entry is older than the probe timeout: the next
	// push compacts, to one live slot followed by one run, each, so to
	// half the buffer, which then need not grow.
	now = sim.Time(10 * time.Second)
	abandoned := compactFrom - len(live)
	runs := len(live)
	live = append(live, pushAt(&q, 10, now))
	if got, want := q.len(), compactFrom+1; got != want {
		t.Fatalf("len %d after compaction, want %d", got, want)
	}
	if got, want := q.size, len(live)+runs; got != want {
		t.Errorf("%d slots after compaction, want %d (a run after each live slot)", got, want)
	}
	if len(q.buf) != compactFrom {
		t.Errorf("buffer grew to %d though compaction freed half of it", len(q.buf))
	}
	for _, r := range live {
		if q.at(r.qseq).r != r {
			t.Fatalf("request that arrived at %v no longer found by its seq", r.arrived)
		}
	}
	if q.peek().arrived != 0 {
		t.Errorf("head arrived %v, want 0", q.peek().arrived)
	}
	// Pop everything: live requests in order with their demand, runs one
	// entry at a time, flagged for a demand drawn when served, each with an
	// arrival no later than its own (so no older than any probe can see).
	var gotLive, gotRun int
	for k := 0; q.len() > 0; k++ {
		head := q.peek().arrived
		e := q.pop()
		switch {
		case e.r != nil:
			if e.r != live[gotLive] || e.cpu != live[gotLive].cpu {
				t.Fatalf("pop %d: live request out of order", k)
			}
			gotLive++
		case e.run():
			if e.arrived != head || e.arrived > sim.Time(float64(k)*0.001*float64(time.Second)) {
				t.Fatalf("pop %d: run entry arrived %v, head %v", k, e.arrived, head)
			}
			gotRun++
		default:
			t.Fatalf("pop %d: an abandoned entry left out of the runs", k)
		}
	}
	if gotLive != len(live) || gotRun != abandoned {
		t.Errorf("popped %d live and %d abandoned, want %d and %d", gotLive, gotRun, len(live), abandoned)
	}
}

// Abandoned work that is not yet older than the longest probe timeout
// keeps its own entry and its demand: merging it would change what a
// probe sees. Cancelled slots are dropped.
func TestFifoKeepsYoungAbandonedWork(t *testing.T) {
	q := fifo{agedAfter: time.Minute}
	now := sim.Time(0)
	for k := 0; k < compactFrom; k++ {
		r := pushAt(&q, float64(k)*0.001, now)
		switch k % 4 {
		case 1:
			q.at(r.qseq).r = nil
		case 2:
			q.cancel(r.qseq)
		}
	}
	now = sim.Time(10 * time.Second)
	pushAt(&q, 10, now)
	if got, want := q.size, compactFrom-compactFrom/4+1; got != want {
		t.Errorf("%d slots, want %d (only the cancelled dropped)", got, want)
	}
	for k := 0; k < q.size; k++ {
		if q.slot(k).run() {
			t.Fatalf("slot %d merged into a run though younger than the probe timeout", k)
		}
	}
}
