// Package sim is scalesim's discrete-event core: virtual time, the event
// engine, named random streams and the probability distributions that
// scenarios draw from.
//
// # Determinism
//
// Everything here exists so that one seed gives one history: running the
// same scenario with the same seed must produce the same bytes in every
// output file, on any machine, however often it is run. The package
// therefore never reads the wall clock, starts no goroutines, does no I/O
// and keeps no global state. Like the etcd raft state machine, the Engine
// is driven entirely by its caller.
//
// "Any machine" includes its CPU: the distributions and the cluster's
// decays use Exp, Log and Pow from this package, not math's, whose
// assembly computes other last bits on an amd64 CPU without FMA and on
// arm64 (elementary.go). So do the random streams (Rand, pcg.go): they
// draw exactly what math/rand/v2's PCG and its ziggurats draw, but the
// ziggurats' rare wedge and tail steps, which in math/rand/v2 call math.Exp
// and math.Log and compare a float32 sum of products that arm64 fuses,
// use this package's Exp and Log and round every product.
//
// The compiler is the other source of machine-dependent bits: the Go
// specification lets it fuse x*y + z into one multiply-add, which skips
// the product's rounding, and arm64's compiler always does (amd64's with
// GOAMD64=v3). Every such product in the model is written float64(x*y)
// (float32(x*y) in the ziggurats), the specification's way to keep its
// rounding, and .ci/fused-multiply-add fails CI if arm64's assembly of
// sim, policies, cluster, reports or scenarios (its traffic and pre-run
// estimate) holds a fused operation other than elementary.go's explicit
// math.FMA. The
// built-in results are the same built for amd64 (v1 and v3) and for arm64
// (run under qemu-aarch64).
//
// # Time
//
// Time is an int64 count of nanoseconds since the start of the run, and
// durations are ordinary time.Duration values. Integer time makes every
// comparison and sum exact: floating-point clocks (as in SimPy) drift as
// they grow, so two events meant to be simultaneous can end up in either
// order, or a timer can land a hair before the event it was meant to
// follow. Convert at the edges only: FromSeconds and Time.Seconds for the
// scenario format and the reports, SampleDuration for random delays.
//
// # The driving loop
//
// Components schedule events with Engine.Schedule (at an absolute Time) or
// Engine.After (a delay from Now). An event is a Handler, usually a
// long-lived component such as an instance or an autoscaler, plus a uint64
// argument that tells the handler which of its events this is, so the hot
// path allocates nothing:
//
//	e := sim.NewEngine()
//	e.After(30*time.Second, autoscaler, evaluate) // first evaluation
//	e.RunUntil(sim.At(duration))                  // fire everything up to the end
//	fmt.Println(e.Fired(), "events")
//
// Handlers do the rest: inside Fire, a handler reads the time it was given
// (the same as e.Now()), changes its component's state and schedules,
// cancels or reschedules further events. A driver that wants to look
// between events (a progress bar, a sampler, a test) can call Step, which
// fires exactly one event, or RunUntil in slices:
//
//	for t := sim.Time(0); t < end; t = t.Add(interval) {
//		e.RunUntil(t)
//		sample(e.Now())
//	}
//
// RunUntil(t) fires every event due at or before t, including those that
// handlers schedule along the way, then sets Now() to t, so samples are
// taken at exactly t whether or not an event happened then. Handlers must
// not call Step or RunUntil themselves.
//
// # Ordering
//
// Events fire in order of time, and events at the same time in the order
// they were scheduled (first scheduled, first fired; Reschedule counts as
// scheduling anew). The order never depends on a map, a pointer value or a
// heap's internal layout, which is what makes ties reproducible: a request
// completing at the very instant its timeout expires resolves the same way
// on every run.
//
// Cancel and Reschedule take the EventID that Schedule returned. An EventID
// is only ever valid for its own event: once the event has fired or been
// cancelled, its EventID matches nothing, even after the engine reuses the
// event's internal storage. Cancelling is cheap (the event is marked dead
// and skipped when its turn comes), so timeouts that are almost always
// cancelled cost little.
//
// Timers that all have one length (every client's timeout of a service,
// say) come due in the order they were set, so they need no heap: Timers
// keeps them in a ring, with a single event in the engine's heap for the
// first one still pending, and gives O(1) Schedule, Cancel and firing. They
// fire exactly when and in the order Engine.After would have fired them,
// ties included, and count in Fired and Pending the same way.
//
// An Alarm is one event that is moved again and again, mostly later (a CPU
// limit's quota event, moved at every change of the instance's CPU rate):
// moving it later or stopping it touches no heap entry, as its engine event
// stays at or before its time and re-queues itself when it fires early. It
// too fires exactly as the event its last Set would have scheduled.
//
// A Stream is a sequence of events with one pending at a time, each
// scheduled by the one before (a service's arrivals: each arrival draws
// the next one's time). Its pending event waits beside the engine's queue,
// not in it, and the engine compares it with the queue's next at every
// pop, so an arrival costs no insertion and no slot. It fires exactly as
// the event Schedule would have scheduled, ties included, and counts in
// Fired and Pending the same way.
//
// # Randomness
//
// Every random number comes from a named stream: NewStreams(seed) gives a
// run's factory, and Streams.Get("arrivals/web") a generator for one
// purpose (a Rand: math/rand/v2's PCG as a concrete type, without a call
// through an interface per draw; rand.New(r) adds math/rand/v2's other
// methods). Each component keeps its own stream, so drawing more numbers in
// one place (a different policy starting more instances, say) never shifts
// the numbers drawn anywhere else: two policies compared on the same seed
// see the same arrivals and the same request sizes. Distributions (Dist)
// are small values that take the generator as an argument and hold no
// state of their own.
package sim
