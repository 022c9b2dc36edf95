package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// rolloutWorld: 4 replicas of 1 core, 40 requests per second evenly
// spaced, a pre_stop sleep longer than the 1 s propagation, and a rollout
// at 60 s with 25% / 25%; the policy asks for the counts in scale.
func rolloutWorld(scale steps) Config {
	s := webService()
	s.Initial, s.Min, s.Max = 4, 1, 40
	s.NewArrivals = arrivalsOf(evenArrivals{period: 25 * time.Millisecond})
	s.Instance.PreStop = 5 * time.Second
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(scale), Interval: 5 * time.Second}
	pct := func(v int) IntOrPercent { return IntOrPercent{Value: v, Percent: true} }
	return Config{
		Seed: 1, Duration: 300 * time.Second, SampleInterval: 10 * time.Second,
		Services: []ServiceConfig{s},
		Faults:   []FaultConfig{{At: 60 * time.Second, Type: Rollout, Service: "web", MaxSurge: pct(25), MaxUnavailable: pct(25)}},
	}
}

func rolloutSteps(l *log) []string {
	var got []string
	for _, e := range l.kinds("rollout-step") {
		got = append(got, e.Time.String()+" "+strings.TrimPrefix(e.Detail, "rollout web: "))
	}
	return got
}

// The autoscaler doubles the count to 8 at 65 s, mid-rollout: the new
// ReplicaSet has 2, the old 3, their max-replicas annotation is 4 + 1 = 5.
// For 8 the surge is 2, so 10 are allowed and 5 are added in proportion
// (getProportion), the larger (old) first: old round(3 x 10 / 5) - 3 = +3
// -> 6, new round(2 x 10 / 5) - 2 = +2 -> 4. The rollout then goes on with
// surge 2, unavailable 2, and ends with 8 new instances. A disruption
// budget of all 4 does not hold it back.
func TestRolloutProportionalScaling(t *testing.T) {
	cfg := rolloutWorld(steps{{65 * time.Second, 8}})
	cfg.Services[0].MinAvailable = 4
	l := &log{}
	w := run(t, cfg, l)
	got := rolloutSteps(l)
	if len(got) < 3 || got[0] != "1m0s new 1, old 3 (surge 1, unavailable 1)" || got[1] != "1m0s new 2, old 3 (surge 1, unavailable 1)" ||
		got[2] != "1m5s new 4, old 6 (surge 2, unavailable 2)" || got[len(got)-1] != got[len(got)-1][:strings.Index(got[len(got)-1], " ")]+" new 8, old 0 (surge 2, unavailable 2)" {
		t.Errorf("rollout steps:\n%s", strings.Join(got, "\n"))
	}
	ends := l.kinds("fault-end")
	if len(ends) != 1 || ends[0].Detail != "rollout web" {
		t.Fatalf("the rollout did not end: %+v", ends)
	}
	s := w.Services()[0]
	if len(s.Instances()) != 8 {
		t.Errorf("%d instances at the end, want 8", len(s.Instances()))
	}
	for _, inst := range s.Instances() {
		if inst.version != 1 || inst.State() != Ready {
			t.Errorf("%s: version %d, %v at the end", inst.Name, inst.version, inst.State())
		}
	}
	if l.ended[Rejected]+l.ended[Failed] != 0 {
		t.Errorf("rejected %d, failed %d, want none", l.ended[Rejected], l.ended[Failed])
	}
	// Available never below desired - unavailable: 3 before the scale
	// (Ready counts; min_ready_seconds is 0).
	for _, e := range l.events {
		if e.Service == 0 && e.Time >= sim.At(60*time.Second) && e.Time < sim.At(65*time.Second) && e.Counts.Ready < 3 {
			t.Errorf("%v: %+v, Ready below 3", e.Time, e.Counts)
		}
	}
}

// min_ready_seconds 10: a new instance counts as available 10 s after it
// is Ready, so the old ones wait that much longer: web-4 and web-5 are
// Ready at 70 s and available at 80 s, when the next step comes.
func TestRolloutMinReady(t *testing.T) {
	cfg := rolloutWorld(steps{})
	cfg.Faults[0].MinReady = 10 * time.Second
	l := &log{}
	run(t, cfg, l)
	got := rolloutSteps(l)
	want := []string{
		"1m0s new 1, old 3 (surge 1, unavailable 1)",
		"1m0s new 2, old 3 (surge 1, unavailable 1)",
		"1m20s new 2, old 1 (surge 1, unavailable 1)",
		"1m20s new 4, old 1 (surge 1, unavailable 1)",
		"1m40s new 4, old 0 (surge 1, unavailable 1)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rollout steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ends := l.kinds("fault-end"); len(ends) != 1 || ends[0].Time != sim.At(100*time.Second) {
		t.Errorf("fault-end %+v, want at 100 s (the last two available)", ends)
	}
}

// Both fenceposts resolving to 0 (0 surge, 10% of 4 unavailable rounds
// down to 0): max unavailable is 1, as ResolveFenceposts makes it.
func TestRolloutFencepostFallback(t *testing.T) {
	cfg := rolloutWorld(steps{})
	cfg.Faults[0].MaxSurge = IntOrPercent{}
	cfg.Faults[0].MaxUnavailable = IntOrPercent{Value: 10, Percent: true}
	l := &log{}
	run(t, cfg, l)
	if got := rolloutSteps(l); len(got) == 0 || got[0] != "1m0s new 0, old 3 (surge 0, unavailable 1)" {
		t.Errorf("rollout steps:\n%s", strings.Join(got, "\n"))
	}
	if len(l.kinds("fault-end")) != 1 {
		t.Error("the rollout did not end")
	}
}

// A second rollout while the first is under way supersedes it: the
// first's span ends, every instance not of the newest version is old, and
// the run ends with all 4 at version 2.
func TestRolloutSuperseded(t *testing.T) {
	cfg := rolloutWorld(steps{})
	second := cfg.Faults[0]
	second.At = 65 * time.Second
	cfg.Faults = append(cfg.Faults, second)
	l := &log{}
	w := run(t, cfg, l)
	starts, ends := l.kinds("fault-start"), l.kinds("fault-end")
	if len(starts) != 2 || len(ends) != 2 || ends[0].Time != sim.At(65*time.Second) {
		t.Fatalf("fault spans %+v %+v, want the first to end at 65 s", starts, ends)
	}
	s := w.Services()[0]
	if len(s.Instances()) != 4 {
		t.Errorf("%d instances at the end, want 4", len(s.Instances()))
	}
	for _, inst := range s.Instances() {
		if inst.version != 2 || inst.State() != Ready {
			t.Errorf("%s: version %d, %v at the end", inst.Name, inst.version, inst.State())
		}
	}
	if l.ended[Rejected]+l.ended[Failed] != 0 {
		t.Errorf("rejected %d, failed %d, want none", l.ended[Rejected], l.ended[Failed])
	}
}
