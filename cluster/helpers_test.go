package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// log records what a run's observer sees: every event, every request's
// end, the decisions and the last sample; onEvent (if set) is called with
// each event as it happens.
type log struct {
	w         *World
	events    []Event
	ends      []end
	decisions []Decision
	rows      []Sample
	arrived   int64
	ended     [4]int64
	onEvent   func(e Event)
}

type end struct {
	o            Outcome
	arrived, now sim.Time
}

func (l *log) RequestArrived(int, sim.Time) { l.arrived++ }
func (l *log) RequestEnded(_ int, o Outcome, arrived, now sim.Time, _ time.Duration) {
	l.ended[o]++
	l.ends = append(l.ends, end{o, arrived, now})
}
func (l *log) Lifecycle(e Event) {
	l.events = append(l.events, e)
	if l.onEvent != nil {
		l.onEvent(e)
	}
}
func (l *log) Decision(d Decision) { l.decisions = append(l.decisions, d) }
func (l *log) Sample(_ sim.Time, rows []Sample) {
	l.rows = append(l.rows[:0], rows...)
}

// kinds returns the events of the given kind.
func (l *log) kinds(kind string) []Event {
	var out []Event
	for _, e := range l.events {
		if string(e.Kind) == kind {
			out = append(out, e)
		}
	}
	return out
}

// run builds the world, runs it to its end and checks conservation.
func run(t *testing.T, cfg Config, l *log) *World {
	t.Helper()
	w, err := New(cfg, l)
	if err != nil {
		t.Fatal(err)
	}
	l.w = w
	w.Run()
	checkConservation(t, w)
	return w
}

// webService is one service of 1-core, 1 GiB instances that start in 5 s
// and are ready 5 s later, fed a request every 100 ms needing 50 ms of CPU.
func webService() ServiceConfig {
	return ServiceConfig{
		Name: "web", Initial: 3, Min: 0, Max: 40,
		Instance: InstanceConfig{
			CPURequest: 1, MemoryRequest: 1 << 30, Concurrency: 16, QueueLimit: -1,
			StartupDelay: sim.Constant{Value: 5}, ReadinessDelay: sim.Constant{Value: 5},
			GracePeriod: 30 * time.Second,
		},
		DemandCPU:    sim.Constant{Value: 0.05},
		NewArrivals:  arrivalsOf(evenArrivals{period: 100 * time.Millisecond}),
		LoadBalancer: LoadBalancerConfig{Algorithm: RoundRobin, PropagationDelay: time.Second},
	}
}

// steps is a policy that asks for n[k] replicas from at[k] on.
type steps []struct {
	at time.Duration
	n  int
}

func (s steps) Name() string { return "steps" }
func (s steps) Recommend(now sim.Time, o policies.Observation) policies.Recommendation {
	n := o.Current
	for _, st := range s {
		if now >= sim.At(st.at) {
			n = st.n
		}
	}
	return policies.Recommendation{Valid: true, Desired: n, Raw: n, Reason: "steps"}
}

func withSteps(s ServiceConfig, st steps) ServiceConfig {
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(st), Interval: 10 * time.Second}
	return s
}

// zoneCounts counts the service's instances per zone the way topology
// spread does: those with a node, not draining.
func zoneCounts(s *Service) map[string]int {
	c := map[string]int{}
	for _, inst := range s.Instances() {
		if z := inst.Zone(); z != "" && inst.State() != Draining {
			c[z]++
		}
	}
	return c
}

func hasPrefix(e Event, kind, detail string) bool {
	return string(e.Kind) == kind && strings.HasPrefix(e.Detail, detail)
}

// policyOf is the factory of a test's policy, a value: each world gets a
// copy.
func policyOf(p policies.Policy) func() policies.Policy {
	return func() policies.Policy { return p }
}

// arrivalsOf is the factory of a test's arrival process, a value with no
// state of its own (its next arrival depends on now only).
func arrivalsOf(a ArrivalProcess) func() ArrivalProcess {
	return func() ArrivalProcess { return a }
}
