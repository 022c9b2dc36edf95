package policies_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

func latencyObs(current, ready, starting int, seconds float64, count int) Observation {
	pods := readyPods(ready, 50, 0)
	for i := range starting {
		pods = append(pods, Pod{ID: ready + i, Phase: PhaseRunning})
	}
	return Observation{Current: current, Min: 1, Max: 20, Pods: pods,
		Latency: LatencyMetric{Percentile: 95, Seconds: seconds, Count: count}}
}

func newTestLatency(t *testing.T, target time.Duration) *Latency {
	t.Helper()
	cfg := DefaultLatencyConfig()
	cfg.Target = target
	return must(NewLatency(cfg))
}

func TestLatencyRecommend(t *testing.T) {
	tests := []struct {
		name        string
		o           Observation
		wantValid   bool
		wantDesired int
		wantRaw     int
		wantReason  Reason
	}{
		{name: "twice the target doubles the ready pods", o: latencyObs(4, 4, 0, 1.0, 500), wantValid: true, wantDesired: 8, wantRaw: 8, wantReason: "scale-up"},
		{name: "the default rate policy caps the step", o: latencyObs(4, 4, 0, 5.0, 500), wantValid: true, wantDesired: 8, wantRaw: 40, wantReason: "scale-up"},
		{name: "within tolerance", o: latencyObs(4, 4, 0, 0.52, 500), wantValid: true, wantDesired: 4, wantRaw: 5, wantReason: "within-tolerance"},
		{name: "starting pods count toward the scale-up", o: latencyObs(4, 2, 2, 1.0, 500), wantValid: true, wantDesired: 4, wantRaw: 4, wantReason: "unchanged"},
		{name: "no scale-down from high latency while pods start", o: latencyObs(4, 2, 2, 0.75, 500), wantValid: true, wantDesired: 4, wantRaw: 3, wantReason: "direction-change"},
		{name: "below target: one step, held by the 300 s window at first", o: latencyObs(4, 4, 0, 0.1, 500), wantValid: true, wantDesired: 4, wantRaw: 3, wantReason: "stabilized"},
		{name: "below target with pods starting: hold", o: latencyObs(4, 3, 1, 0.1, 500), wantValid: true, wantDesired: 4, wantRaw: 2, wantReason: "pending-instance"},
		{name: "too few samples", o: latencyObs(4, 4, 0, 5.0, 19), wantValid: false, wantDesired: 4, wantRaw: 4, wantReason: "too-few-samples"},
		{name: "no ready pods", o: latencyObs(2, 0, 2, 5.0, 500), wantValid: false, wantDesired: 2, wantRaw: 2, wantReason: "no-ready-pods"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLatency(t, 500*time.Millisecond)
			r := l.Recommend(testNow, tc.o)
			if r.Valid != tc.wantValid || r.Desired != tc.wantDesired || r.Raw != tc.wantRaw || r.Reason != tc.wantReason {
				t.Errorf("got valid=%v desired=%d raw=%d reason=%q, want %v %d %d %q\n%s",
					r.Valid, r.Desired, r.Raw, r.Reason, tc.wantValid, tc.wantDesired, tc.wantRaw, tc.wantReason, r.Explanation)
			}
			checkLimitChain(t, r)
		})
	}
}

func TestLatencyPercentileMismatch(t *testing.T) {
	l := newTestLatency(t, time.Second)
	o := latencyObs(4, 4, 0, 5, 500)
	o.Latency.Percentile = 99
	if r := l.Recommend(testNow, o); r.Valid || r.Reason != "no-metrics" || !strings.Contains(r.Explanation, "p99") {
		t.Errorf("got %+v", r)
	}
	if l.Percentile() != 95 || l.Name() != "latency" {
		t.Errorf("percentile %g name %q", l.Percentile(), l.Name())
	}
}

// TestLatencyScaleDownSteps: under steadily low latency, stepped every 15 s,
// the count falls by one each time the 300 s scale-down window has seen
// nothing but the lower recommendation.
func TestLatencyScaleDownSteps(t *testing.T) {
	l := newTestLatency(t, 500*time.Millisecond)
	current := 4
	var changes []time.Duration
	for at := time.Duration(0); at <= 620*time.Second; at += 15 * time.Second {
		r := l.Recommend(testNow.Add(at), latencyObs(current, current, 0, 0.05, 500))
		if r.Desired != current {
			if r.Desired != current-1 {
				t.Fatalf("at %s: %d -> %d, want one step", at, current, r.Desired)
			}
			changes = append(changes, at)
			current = r.Desired
		}
	}
	// 0..300: the initial count (4) and the first recommendations (3)
	// recorded at t=0 leave the window exactly at t=300; the t=300..585
	// recommendations of 3 hold 3 until t=600.
	if want := []time.Duration{300 * time.Second, 600 * time.Second}; len(changes) != 2 || changes[0] != want[0] || changes[1] != want[1] {
		t.Errorf("scale-downs at %v, want %v", changes, want)
	}
}

func TestLatencyValidation(t *testing.T) {
	cfg := LatencyConfig{Percentile: 100, Tolerance: -1}
	_, err := NewLatency(cfg)
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, w := range []string{"target", "percentile", "tolerance", "min_samples", "scale_down_step"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
}

func TestStatic(t *testing.T) {
	tests := []struct {
		replicas, current, min, max int
		want                        int
		reason                      Reason
		limit                       string
	}{
		{replicas: 3, current: 3, min: 1, max: 5, want: 3, reason: "unchanged"},
		{replicas: 3, current: 2, min: 1, max: 5, want: 3, reason: "scale-up"},
		{replicas: 10, current: 5, min: 1, max: 5, want: 5, reason: "at-max", limit: "max"},
		{replicas: 0, current: 1, min: 2, max: 5, want: 2, reason: "scale-up", limit: "min"},
	}
	for _, tc := range tests {
		s := must(NewStatic(StaticConfig{Replicas: tc.replicas}))
		r := s.Recommend(sim.Time(0), Observation{Current: tc.current, Min: tc.min, Max: tc.max})
		var limit string
		if len(r.Limits) > 0 {
			limit = r.Limits[0].Name
		}
		if !r.Valid || r.Desired != tc.want || r.Raw != tc.replicas || r.Reason != tc.reason || limit != tc.limit {
			t.Errorf("static %d in [%d,%d] from %d: got %d %q %q, want %d %q %q", tc.replicas, tc.min, tc.max, tc.current, r.Desired, r.Reason, limit, tc.want, tc.reason, tc.limit)
		}
		checkLimitChain(t, r)
	}
	if _, err := NewStatic(StaticConfig{Replicas: -1}); err == nil {
		t.Error("negative replicas accepted")
	}
	if s := must(NewStatic(StaticConfig{Replicas: 1})); s.Name() != "static" {
		t.Errorf("name %q", s.Name())
	}
}
