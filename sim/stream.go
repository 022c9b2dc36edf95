package sim

import "fmt"

// A Stream is a sequence of events of which at most one is pending at a
// time, each scheduled when the one before fires: an arrival process,
// whose handler draws the next arrival's time. Its pending event is kept
// beside the engine's queue instead of in it, so that scheduling it is a
// few stores and firing it a comparison with the queue's next event: an
// arrival costs no queue insertion (whose walk ends in a mispredicted
// branch) and no slot. It fires exactly as the event Schedule would have
// scheduled at the same call: it takes the engine's next sequence number,
// and of the stream's event and the queue's next the engine fires the one
// first by (time, sequence number).
//
// The zero Stream is not ready for use; call Engine.NewStream.
type Stream struct {
	e     *Engine
	h     Handler
	arg   uint64
	at    Time
	key   uint64 // the pending event's key (its sequence number); 0 = none
	index int    // in e.streams
}

// NewStream returns a stream of events that run h.Fire(at, arg), none
// pending. A stream lives as long as its engine.
func (e *Engine) NewStream(h Handler, arg uint64) *Stream {
	if h == nil {
		panic("sim: NewStream with a nil handler")
	}
	s := &Stream{e: e, h: h, arg: arg, index: len(e.streams)}
	e.streams = append(e.streams, s)
	return s
}

// Schedule schedules the stream's next event at time at, as
// Engine.Schedule(at, h, arg) would. The stream must have none pending,
// and at must not be in the past.
func (s *Stream) Schedule(at Time) {
	e := s.e
	if at < e.now || s.key != 0 {
		panic(s.refusal(at))
	}
	s.at, s.key = at, makeKey(e.newSeq(), 0)
	e.streamsPending++
	if en := (entry{at: at, key: s.key}); en.less(&e.side) {
		e.side, e.sideStream = en, s.index
	}
}

func (s *Stream) refusal(at Time) string {
	if s.key != 0 {
		return fmt.Sprintf("sim: Stream.Schedule(%v) with an event already pending at %v", at, s.at)
	}
	return fmt.Sprintf("sim: Stream.Schedule(%v), before Now() = %v", at, s.e.now)
}

// Pending reports whether the stream has an event pending.
func (s *Stream) Pending() bool { return s.key != 0 }

// Stop drops the stream's pending event, if any.
func (s *Stream) Stop() {
	if s.key == 0 {
		return
	}
	s.key = 0
	s.e.streamsPending--
	if s.e.sideStream == s.index {
		s.e.resetSide()
	}
}

// noSide is Engine.side while no stream has an event pending: after
// every event.
var noSide = entry{at: Never, key: 1<<64 - 1}

// sideDue reports whether a stream's event is pending and due by t.
func (e *Engine) sideDue(t Time) bool { return e.sideStream >= 0 && e.side.at <= t }

// fireSide fires the stream event side holds, which the caller has found
// due and first.
func (e *Engine) fireSide() {
	s, at := e.streams[e.sideStream], e.side.at
	s.key = 0
	e.streamsPending--
	e.resetSide()
	e.now = at
	e.fired++
	s.h.Fire(at, s.arg)
}

// resetSide makes side the soonest pending event of the engine's streams.
// Engines have a stream or a few (one per service with traffic), so a
// scan is cheaper than keeping them ordered, and none is needed when no
// stream has an event pending (an arrival stream, just fired, before its
// handler schedules the next).
func (e *Engine) resetSide() {
	e.side, e.sideStream = noSide, -1
	if e.streamsPending == 0 {
		return
	}
	for k, s := range e.streams {
		if en := (entry{at: s.at, key: s.key}); s.key != 0 && en.less(&e.side) {
			e.side, e.sideStream = en, k
		}
	}
}
