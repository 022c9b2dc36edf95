package policies_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// WSO2's sources carry no unit tests for ServiceRequestsInFlightAutoscaler;
// these cases follow its code path by path (autoscale, scaleUp, scaleDown,
// appNodesSanityCheck, computeRunningAndPendingInstances,
// AppDomainContext.getAverageRequestsInFlight). With the defaults
// maxHandleable = 100 x 30 x 0.7 = 2100 and minHandleable = 100 x 30 x 0.2
// x 0.25 = 150 requests per instance.

// rifPods returns ready pods, then pending (not yet started) pods, then
// started-but-not-joined pods that started at `started`.
func rifPods(ready, pending, joining int, started sim.Time) []Pod {
	var pods []Pod
	id := 0
	add := func(n int, p Pod) {
		for range n {
			p.ID = id
			id++
			pods = append(pods, p)
		}
	}
	add(ready, Pod{Phase: PhaseRunning, Ready: true})
	add(pending, Pod{Phase: PhasePending, Created: started})
	add(joining, Pod{Phase: PhaseRunning, Created: started, Started: started})
	return pods
}

func rifObs(current, minR, maxR int, pods []Pod, inFlight float64) Observation {
	return Observation{Current: current, Min: minR, Max: maxR, Pods: pods, InFlight: inFlight}
}

// feed runs one task per sample (30 s apart, from testNow) with o, the
// samples as requests in flight, and returns the last recommendation.
func feed(p *RequestsInFlight, o Observation, samples ...float64) Recommendation {
	var r Recommendation
	now := testNow
	for _, s := range samples {
		o.InFlight = s
		r = p.Recommend(now, o)
		now = now.Add(30 * time.Second)
	}
	return r
}

func repeat(v float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestRIFNoDecisionUntilWindowFull(t *testing.T) {
	p := must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	o := rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0)
	for i := 1; i <= 9; i++ {
		r := feed(p, o, 1e6)
		if r.Valid || r.Reason != "window-not-full" || r.Desired != 1 {
			t.Fatalf("round %d: valid=%v reason=%q desired=%d, want no decision", i, r.Valid, r.Reason, r.Desired)
		}
	}
	r := feed(p, o, 1e6)
	if !r.Valid || r.Desired != 2 || r.Reason != "scale-up" {
		t.Fatalf("round 10: %+v", r)
	}
	// The window slides: ten more rounds of zero bring the average to zero.
	r = feed(p, rifObs(2, 1, 5, rifPods(2, 0, 0, 0), 0), repeat(0, 10)...)
	if !hasInput(r, "avg_in_flight", 0) || r.Desired != 1 {
		t.Errorf("after sliding: %s", r.Explanation)
	}
}

func TestRIFDecision(t *testing.T) {
	def := DefaultRequestsInFlightConfig()
	tests := []struct {
		name        string
		cfg         func(*RequestsInFlightConfig)
		o           Observation
		samples     []float64
		wantDesired int
		wantReason  Reason
		wantLimit   string
	}{
		{name: "scale up above running x maxHandleable", o: rifObs(2, 1, 5, rifPods(2, 0, 0, 0), 0), samples: repeat(4201, 10), wantDesired: 3, wantReason: "scale-up"},
		{name: "no change at running x maxHandleable", o: rifObs(2, 1, 5, rifPods(2, 0, 0, 0), 0), samples: repeat(4200, 10), wantDesired: 2, wantReason: "unchanged"},
		{name: "scale down below (running-1) x minHandleable", o: rifObs(3, 1, 5, rifPods(3, 0, 0, 0), 0), samples: repeat(299, 10), wantDesired: 2, wantReason: "scale-down"},
		{name: "no change at (running-1) x minHandleable", o: rifObs(3, 1, 5, rifPods(3, 0, 0, 0), 0), samples: repeat(300, 10), wantDesired: 3, wantReason: "unchanged"},
		{name: "one running instance never scales down: 0 < 0 is false", o: rifObs(1, 0, 5, rifPods(1, 0, 0, 0), 0), samples: repeat(0, 10), wantDesired: 1, wantReason: "unchanged"},
		{name: "no scale-down at min", o: rifObs(2, 2, 5, rifPods(2, 0, 0, 0), 0), samples: repeat(0, 10), wantDesired: 2, wantReason: "at-min", wantLimit: "min"},
		{name: "average is an integer: 2100.9 is 2100, no scale-up", o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: append(repeat(2100, 9), 2109), wantDesired: 1, wantReason: "unchanged"},
		{name: "average is an integer: 2101 scales up", o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: append(repeat(2100, 9), 2110), wantDesired: 2, wantReason: "scale-up"},
		{name: "average of the window, not the last sample", o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: append(repeat(0, 9), 21000), wantDesired: 1, wantReason: "unchanged"},
		{name: "never scale up while an instance is pending", o: rifObs(3, 1, 5, rifPods(2, 1, 0, 0), 0), samples: repeat(1e5, 10), wantDesired: 3, wantReason: "pending-instance", wantLimit: "pending"},
		{name: "never scale up while an instance is joining", o: rifObs(3, 1, 5, rifPods(2, 0, 1, testNow.Add(9*30*time.Second)), 0), samples: repeat(1e5, 10), wantDesired: 3, wantReason: "pending-instance", wantLimit: "pending"},
		{name: "pending does not block a scale-down", o: rifObs(4, 1, 5, rifPods(3, 1, 0, 0), 0), samples: repeat(0, 10), wantDesired: 3, wantReason: "scale-down"},
		// WSO2 counts the members of the cluster group and has no readiness
		// probe: an instance that joined stays running when its probe takes
		// it out of rotation (3000 < 2 x 2100), and is not pending either.
		{name: "a member out of rotation still counts as running", o: rifObs(2, 1, 5, append(rifPods(1, 0, 0, 0),
			Pod{ID: 1, Phase: PhaseRunning, Started: ago(time.Hour), ReadyChanged: ago(time.Minute)}), 0), samples: repeat(3000, 10), wantDesired: 2, wantReason: "unchanged"},
		{name: "no scale-up at max", o: rifObs(3, 1, 3, rifPods(3, 0, 0, 0), 0), samples: repeat(1e5, 10), wantDesired: 3, wantReason: "at-max", wantLimit: "max"},
		{name: "instances_per_scale_up may overshoot max, as in WSO2", cfg: func(c *RequestsInFlightConfig) { c.InstancesPerScaleUp = 3 },
			o: rifObs(4, 1, 5, rifPods(4, 0, 0, 0), 0), samples: repeat(1e5, 10), wantDesired: 7, wantReason: "scale-up"},
		{name: "interval counts in whole seconds: 30.9s is 30s", cfg: func(c *RequestsInFlightConfig) { c.Interval = 30900 * time.Millisecond },
			o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: repeat(2150, 10), wantDesired: 2, wantReason: "scale-up"}, // 2150 > 2100, not > 2163
		{name: "a shorter interval lowers the thresholds", cfg: func(c *RequestsInFlightConfig) { c.Interval = 15 * time.Second },
			o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: repeat(1051, 10), wantDesired: 2, wantReason: "scale-up"},
		{name: "fewer rounds decide sooner", cfg: func(c *RequestsInFlightConfig) { c.Rounds = 2 },
			o: rifObs(1, 1, 5, rifPods(1, 0, 0, 0), 0), samples: repeat(5000, 2), wantDesired: 2, wantReason: "scale-up"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := def
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			p := must(NewRequestsInFlight(cfg))
			r := feed(p, tc.o, tc.samples...)
			if !r.Valid || r.Desired != tc.wantDesired || r.Reason != tc.wantReason {
				t.Fatalf("got valid=%v desired=%d reason=%q, want %d %q\n%s", r.Valid, r.Desired, r.Reason, tc.wantDesired, tc.wantReason, r.Explanation)
			}
			var last string
			if len(r.Limits) > 0 {
				last = r.Limits[len(r.Limits)-1].Name
			}
			if last != tc.wantLimit {
				t.Errorf("last limit %q, want %q (%+v)", last, tc.wantLimit, r.Limits)
			}
			checkLimitChain(t, r)
		})
	}
}

func TestRIFHandleable(t *testing.T) {
	p := must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	if hi, lo := p.Handleable(); hi != 2100 || lo != 150 {
		t.Errorf("handleable %g/%g, want 2100/150", hi, lo)
	}
}

// TestRIFOneStepAtATime drives the policy against a small cluster model: a
// launched instance is pending for two tasks, then ready. Under a load far
// above every threshold the count grows by one, and only after the previous
// instance joined.
func TestRIFOneStepAtATime(t *testing.T) {
	p := must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	type inst struct{ readyAt int }
	insts := []inst{{0}}
	var got []int
	for task := 0; task < 20; task++ {
		var pods []Pod
		for i, in := range insts {
			if task >= in.readyAt {
				pods = append(pods, Pod{ID: i, Phase: PhaseRunning, Ready: true})
			} else {
				pods = append(pods, Pod{ID: i, Phase: PhasePending})
			}
		}
		r := p.Recommend(testNow.Add(time.Duration(task)*30*time.Second), rifObs(len(insts), 1, 4, pods, 1e6))
		if r.Valid {
			for len(insts) < r.Desired {
				insts = append(insts, inst{task + 3})
			}
		}
		got = append(got, len(insts))
	}
	// Tasks 0-8 fill the window; task 9 launches #2 (ready at 12); 10 and 11
	// wait for it; 12 launches #3 (ready at 15); 15 launches #4; then max.
	want := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4}
	if !equalInts(got, want) {
		t.Errorf("instances per task %v, want %v", got, want)
	}
}

func TestRIFMinEnforcement(t *testing.T) {
	p := must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	// 1 running + 1 pending < min 3: launch 1, even before the window fills.
	r := p.Recommend(testNow, rifObs(2, 3, 5, rifPods(1, 1, 0, 0), 0))
	if !r.Valid || r.Desired != 3 || r.Reason != "scale-up" || r.Limits[0].Name != "min" {
		t.Fatalf("min enforcement: %+v", r)
	}
	// Running + pending already at min: nothing to do.
	p = must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	if r := p.Recommend(testNow, rifObs(3, 3, 5, rifPods(1, 2, 0, 0), 0)); r.Valid || r.Reason != "window-not-full" || len(r.Limits) != 0 {
		t.Fatalf("at min: %+v", r)
	}
	// With a full window and high load, the instances launched for min count
	// as pending, so the same task does not also scale up.
	p = must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	r = feed(p, rifObs(1, 2, 5, rifPods(1, 0, 0, 0), 0), repeat(1e5, 10)...)
	if r.Desired != 2 || r.Reason != "scale-up" || r.Limits[len(r.Limits)-1].Name != "pending" {
		t.Fatalf("min then scale-up in one task: desired %d reason %q: %s", r.Desired, r.Reason, r.Explanation)
	}
}

func TestRIFStartupTimeout(t *testing.T) {
	cfg := DefaultRequestsInFlightConfig()
	tests := []struct {
		name          string
		pods          []Pod
		current, min  int
		wantTerminate []int
		wantDesired   int
		wantValid     bool
		wantReason    Reason
	}{
		{name: "joined within the delay", pods: rifPods(2, 0, 1, ago(59*time.Second)), current: 3, min: 1, wantDesired: 3, wantReason: "window-not-full"},
		{name: "not joined server_startup_delay after starting", pods: rifPods(2, 0, 1, ago(60*time.Second)), current: 3, min: 1,
			wantTerminate: []int{2}, wantDesired: 2, wantValid: true, wantReason: "startup-timeout"},
		{name: "still booting (pending) is never terminated", pods: rifPods(2, 1, 0, ago(time.Hour)), current: 3, min: 1, wantDesired: 3, wantReason: "window-not-full"},
		{name: "terminated, then relaunched to keep min", pods: rifPods(1, 0, 2, ago(2*time.Minute)), current: 3, min: 3,
			wantTerminate: []int{1, 2}, wantDesired: 3, wantValid: true, wantReason: "startup-timeout"},
		// An instance that joined an hour ago and has just left the rotation
		// (a failing readiness probe, a liveness restart) is no late starter:
		// WSO2 terminates only an instance that went from pending to running
		// and never joined.
		{name: "joined, then left the rotation, is not terminated", pods: append(rifPods(2, 0, 0, 0),
			Pod{ID: 2, Phase: PhaseRunning, Created: ago(time.Hour), Started: ago(time.Hour), ReadyChanged: ago(10 * time.Second)}),
			current: 3, min: 3, wantDesired: 3, wantReason: "window-not-full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := must(NewRequestsInFlight(cfg))
			r := p.Recommend(testNow, rifObs(tc.current, tc.min, 5, tc.pods, 0))
			if !equalInts(r.Terminate, tc.wantTerminate) || r.Desired != tc.wantDesired || r.Valid != tc.wantValid || r.Reason != tc.wantReason {
				t.Errorf("terminate %v desired %d valid %v reason %q, want %v %d %v %q\n%s",
					r.Terminate, r.Desired, r.Valid, r.Reason, tc.wantTerminate, tc.wantDesired, tc.wantValid, tc.wantReason, r.Explanation)
			}
		})
	}
}

func TestRIFExplanationAndValidation(t *testing.T) {
	p := must(NewRequestsInFlight(DefaultRequestsInFlightConfig()))
	if p.Name() != "requests-in-flight" {
		t.Errorf("name %q", p.Name())
	}
	r := feed(p, rifObs(2, 1, 5, rifPods(2, 0, 0, 0), 0), repeat(5000, 10)...)
	want := "avg in flight 5000 over 10 rounds > 2 running x 2100 handleable (100 rps x 30 s x 0.7) = 4200 -> +1 = 3"
	if r.Explanation != want {
		t.Errorf("explanation %q, want %q", r.Explanation, want)
	}
	bad := RequestsInFlightConfig{Interval: 500 * time.Millisecond, AlarmingUpperRate: -1}
	_, err := NewRequestsInFlight(bad)
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, w := range []string{"interval", "rounds", "max_requests_per_second", "alarming_upper_rate", "alarming_lower_rate", "scale_down_factor", "instances_per_scale_up"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
}

// TestRIFScaleStep runs the decision rule alone, with the defaults
// (maxHandleable 2100, minHandleable 150 per instance).
func TestRIFScaleStep(t *testing.T) {
	c := DefaultRequestsInFlightConfig()
	if maxH, minH := c.Handleable(); maxH != 2100 || minH != 150 {
		t.Fatalf("handleable %g/%g, want 2100/150", maxH, minH)
	}
	tests := []struct {
		name                         string
		avg                          int64
		running, pending, minR, maxR int
		wantProposed, wantChange     int
		wantHeld                     string
	}{
		{"above 2 x 2100: +1", 4201, 2, 0, 1, 5, 1, 1, ""},
		{"exactly 2 x 2100 is not above", 4200, 2, 0, 1, 5, 0, 0, ""},
		{"held while an instance is pending", 4201, 2, 1, 1, 5, 1, 0, "pending"},
		{"held at max", 1e6, 5, 0, 1, 5, 1, 0, "max"},
		{"below (3 - 1) x 150: -1", 299, 3, 0, 1, 5, -1, -1, ""},
		{"exactly (3 - 1) x 150 is not below", 300, 3, 0, 1, 5, 0, 0, ""},
		{"held at min", 0, 2, 0, 2, 5, -1, 0, "min"},
		{"one running never goes below 0 < 0", 0, 1, 0, 0, 5, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.ScaleStep(tc.avg, tc.running, tc.pending, tc.minR, tc.maxR)
			if want := (RequestsInFlightStep{Proposed: tc.wantProposed, Change: tc.wantChange, Held: tc.wantHeld}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}
