package cluster

import (
	"testing"
	"time"
)

// The legal moves of the instance state machine, and which of them are
// reported (an "instance-<state>" event). Everything else panics.
func TestTransitions(t *testing.T) {
	legal := []struct {
		from, to phase
		event    bool
	}{
		{phaseCreated, pendingInitial, false},
		{phaseCreated, pendingNew, true},
		{pendingNew, pendingUnscheduled, false},
		{pendingInitial, pendingUnscheduled, false},
		{pendingUnscheduled, pendingUnscheduled, true}, // an initial replica announced Pending
		{pendingNominated, pendingNominated, true},     // likewise
		{pendingUnscheduled, pendingNominated, false},
		{pendingUnscheduled, pendingBound, false},
		{pendingNominated, pendingBound, false},
		{pendingInitial, readyServing, true},
		{pendingBound, startingBoot, true},
		{startingBoot, readyServing, true},
		{readyServing, startingUnready, true},
		{startingUnready, readyServing, true},
		{startingBoot, startingProbing, false},
		{startingProbing, readyServing, true},
		{readyServing, startingKilling, true}, // a liveness failure
		{startingBoot, startingKilling, true}, // a startup or liveness failure while booting
		{startingKilling, startingBackOff, false},
		{readyServing, startingBackOff, true},  // an OOM kill
		{startingBackOff, startingBoot, false}, // the restart (reported as container-restarted)
		{startingBackOff, terminatedGone, true},
		{startingKilling, drainingPreStopClosed, true},
		{readyServing, drainingPreStop, true},
		{startingUnready, drainingPreStop, true},
		{startingBoot, drainingPreStopClosed, true},
		{drainingPreStop, drainingStopped, false},
		{drainingPreStopClosed, drainingStopped, false},
		{drainingStopped, terminatedGone, true},
		{pendingBound, terminatedGone, true},
		{readyServing, terminatedLost, true},
		{pendingNominated, terminatedDetecting, true},
		{terminatedDetecting, terminatedLost, false},
	}
	for _, c := range legal {
		t.Run(c.from.String()+"->"+c.to.String(), func(t *testing.T) {
			l := &log{}
			i := testInstance(t, l, c.from)
			before := len(l.events)
			i.transition(c.to, 0, "why")
			if i.phase != c.to {
				t.Fatalf("phase %v, want %v", i.phase, c.to)
			}
			got := len(l.events) - before
			if want := map[bool]int{false: 0, true: 1}[c.event]; got != want {
				t.Fatalf("%d events, want %d", got, want)
			}
			if c.event {
				e := l.events[len(l.events)-1]
				if e.Kind != c.to.state().EventKind() || e.Detail != "why" {
					t.Errorf("event %+v", e)
				}
			}
		})
	}

	illegal := [][2]phase{
		{readyServing, pendingBound},
		{terminatedGone, readyServing},
		{terminatedLost, terminatedDetecting},
		{drainingStopped, readyServing},
		{drainingStopped, drainingPreStop},
		{pendingUnscheduled, readyServing},
		{pendingBound, readyServing},
		{startingBoot, drainingPreStop}, // a booting instance does not accept
		{readyServing, readyServing},
		{readyServing, startingBoot}, // a restart goes through the kill and the back-off
		{startingBackOff, readyServing},
		{startingKilling, drainingPreStop}, // a container being killed does not accept
		{phaseCreated, readyServing},
	}
	for _, c := range illegal {
		t.Run("illegal "+c[0].String()+"->"+c[1].String(), func(t *testing.T) {
			i := testInstance(t, &log{}, c[0])
			defer func() {
				if recover() == nil {
					t.Fatalf("no panic")
				}
			}()
			i.transition(c[1], 0, "")
		})
	}

	// Every phase but the end ones can be left; the table knows each phase.
	for p := phase(0); p < numPhases; p++ {
		if phaseInfo[p].name == "" {
			t.Errorf("phase %d has no name", p)
		}
	}
}

// testInstance is an instance of a fresh world set to phase p, counted in
// its state.
func testInstance(t *testing.T, l *log, p phase) *Instance {
	t.Helper()
	svc := webService()
	svc.Initial = 0
	w, err := New(Config{Seed: 1, Duration: time.Minute, SampleInterval: time.Minute, Services: []ServiceConfig{svc}}, l)
	if err != nil {
		t.Fatal(err)
	}
	s := w.services[0]
	i := &Instance{svc: s, Name: "web-x", phase: p}
	s.adjust(p.state(), +1)
	return i
}
