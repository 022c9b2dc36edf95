package cluster

import (
	"fmt"

	"github.com/scalesim/scalesim/sim"
)

// phase is where an instance is in its lifecycle: a State refined into the
// sub-phases that behave differently. An instance's flags that used to
// refine State (accepting, lost, unready, bound, unschedulable, ...) are
// functions of its phase, so impossible combinations cannot be written.
//
// Every change of phase goes through Instance.transition, which checks the
// move against the transitions table (an illegal one is a programming
// error: it panics), keeps the service's counts and integrals, and is the
// one place that reports an instance lifecycle event.
type phase uint8

const (
	phaseCreated phase = iota // not yet counted (the zero value)

	// Pending: created, waiting for a node, then for its startup delay.
	pendingInitial     // an initial replica, its first placement running: Ready at once if it finds a ready node
	pendingNew         // created, its first placement running
	pendingUnscheduled // no node could take it: counted unschedulable, in World.unscheduled
	pendingNominated   // its resources are reserved on a node being provisioned
	pendingBound       // on a ready node: image pull and container creation (StartupDelay)

	// Starting: the process runs, not in rotation (yet, or any more).
	startingBoot    // the application boots (readiness delay) after a start or a restart; refuses connections
	startingProbing // booted, not in rotation until its startup or readiness probe passes
	startingUnready // a readiness probe took it out of rotation; still serves
	startingKilling // a failed liveness or startup probe: the kubelet kills the container (pre-stop, grace period); refuses
	startingBackOff // the container exited (killed, OOM-killed): CrashLoopBackOff before it starts again

	readyServing // in the load balancer's rotation

	// Draining: chosen for removal or evicted.
	drainingPreStop       // the PreStop hook runs; still accepts
	drainingPreStopClosed // the hook runs, but the process was not accepting (drained while booting)
	drainingStopped       // no longer accepts; finishes what it holds

	// Terminated.
	terminatedGone      // stopped, or killed at the end of its grace period
	terminatedLost      // crashed or its node is gone; the load balancer may route to it (502) until the removal propagates
	terminatedDetecting // lost, still in rotation until its readiness probe has failed enough or its node is NotReady

	numPhases
)

var phaseInfo = [numPhases]struct {
	name  string
	state State
}{
	phaseCreated:          {"created", Terminated},
	pendingInitial:        {"pending/initial", Pending},
	pendingNew:            {"pending/new", Pending},
	pendingUnscheduled:    {"pending/unscheduled", Pending},
	pendingNominated:      {"pending/nominated", Pending},
	pendingBound:          {"pending/bound", Pending},
	startingBoot:          {"starting/boot", Starting},
	startingProbing:       {"starting/probing", Starting},
	startingUnready:       {"starting/unready", Starting},
	startingKilling:       {"starting/killing", Starting},
	startingBackOff:       {"starting/back-off", Starting},
	readyServing:          {"ready", Ready},
	drainingPreStop:       {"draining/pre-stop", Draining},
	drainingPreStopClosed: {"draining/pre-stop-closed", Draining},
	drainingStopped:       {"draining/stopped", Draining},
	terminatedGone:        {"terminated", Terminated},
	terminatedLost:        {"terminated/lost", Terminated},
	terminatedDetecting:   {"terminated/detecting", Terminated},
}

func (p phase) String() string { return phaseInfo[p].name }

// state is the lifecycle State the phase refines.
func (p phase) state() State { return phaseInfo[p].state }

// How a transition is reported.
type report uint8

const (
	silent report = iota // no event: a sub-phase change within a State, or counting without an event
	event                // an "instance-<state>" event
)

// transitions lists every legal move, and whether it is reported. A move
// to the same phase is legal only where listed: it announces a Pending
// initial replica that did not find a ready node at once.
var transitions = map[[2]phase]report{}

func init() {
	add := func(r report, to phase, from ...phase) {
		for _, f := range from {
			transitions[[2]phase{f, to}] = r
		}
	}
	live := []phase{pendingInitial, pendingNew, pendingUnscheduled, pendingNominated, pendingBound,
		startingBoot, startingProbing, startingUnready, startingKilling, startingBackOff, readyServing,
		drainingPreStop, drainingPreStopClosed, drainingStopped}
	pending := live[:5]

	// Creation.
	add(silent, pendingInitial, phaseCreated) // counted Pending; reported only if it waits
	add(event, pendingNew, phaseCreated)
	// Scheduling.
	add(silent, pendingUnscheduled, pendingInitial, pendingNew)
	add(silent, pendingNominated, pendingInitial, pendingNew, pendingUnscheduled)
	add(event, pendingUnscheduled, pendingUnscheduled) // an initial replica that waits
	add(event, pendingNominated, pendingNominated)     // an initial replica that waits
	add(silent, pendingBound, pendingNew, pendingUnscheduled, pendingNominated)
	// Start, readiness, probes, restarts.
	add(event, readyServing, pendingInitial, startingBoot, startingProbing, startingUnready)
	add(event, startingBoot, pendingBound)
	add(silent, startingProbing, startingBoot)
	add(event, startingUnready, readyServing)
	// Container restarts in place (restart.go): a failed liveness or
	// startup probe kills it, an OOM kill ends it at once; it starts again
	// after its back-off (reported as "container-restarted").
	add(event, startingKilling, startingBoot, startingProbing, startingUnready, readyServing)
	add(event, startingBackOff, startingBoot, startingProbing, startingUnready, readyServing)
	add(silent, startingBackOff, startingKilling)
	add(silent, startingBoot, startingBackOff)
	// Drain.
	add(event, drainingPreStop, startingUnready, readyServing)
	add(event, drainingPreStopClosed, startingBoot, startingProbing, startingKilling, startingBackOff)
	add(silent, drainingStopped, drainingPreStop, drainingPreStopClosed)
	// The end.
	add(event, terminatedGone, pending...)
	add(event, terminatedGone, startingBoot, startingProbing, startingUnready, startingKilling, startingBackOff,
		drainingPreStop, drainingPreStopClosed, drainingStopped)
	add(event, terminatedLost, live...)
	add(event, terminatedDetecting, live...)
	add(silent, terminatedLost, terminatedDetecting)
}

// transition moves the instance to phase to (see the transitions table),
// keeping the service's counts and integrals; a reported move tells the
// observer, with why as the event's Detail.
func (i *Instance) transition(to phase, now sim.Time, why string) {
	from := i.phase
	r, ok := transitions[[2]phase{from, to}]
	if !ok {
		panic(fmt.Sprintf("cluster: instance %s: illegal transition %v -> %v", i.Name, from, to))
	}
	s := i.svc
	if r == event || from.state() != to.state() {
		s.integrate(now)
		s.adjust(from.state(), -1)
		s.adjust(to.state(), +1)
	}
	i.phase = to
	if s.ro != nil {
		s.ro.poke(now) // a rolling update reacts to every move
	}
	if r == event {
		s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: to.state().EventKind(), Instance: i.Name, Detail: why, Counts: s.counts})
	}
}

// accepting reports whether the instance takes new requests.
func (i *Instance) accepting() bool { return acceptingPhases>>i.phase&1 != 0 }

// acceptingPhases has bit p set for each phase p that takes new requests:
// one shift, for a check made on every request.
const acceptingPhases = 1<<readyServing | 1<<startingUnready | 1<<drainingPreStop

// lost reports whether the instance crashed or lost its node.
func (i *Instance) lost() bool { return i.phase == terminatedLost || i.phase == terminatedDetecting }

// spread reports whether the instance counts in its service's zoneCount:
// it has a node and is neither draining nor gone (Kubernetes ignores
// terminating pods).
func (i *Instance) spread() bool { return i.node != nil && i.phase.state() < Draining }
