package policies_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// The cases in this file are ported from Kubernetes'
// pkg/controller/podautoscaler/horizontal_test.go (test names cited per
// table). Upstream's time.Now() is the fixed testNow here.

const testNow = sim.Time(time.Hour)

func ago(d time.Duration) sim.Time { return testNow.Add(-d) }

// generateScalingRules is upstream's helper: a Max-select rule with an
// optional Pods and an optional Percent policy (periods in seconds).
func generateScalingRules(pods, podsPeriod, percent, percentPeriod, window int) Rules {
	r := Rules{StabilizationWindow: time.Duration(window) * time.Second, SelectPolicy: SelectMax}
	if pods != 0 {
		r.Policies = append(r.Policies, RatePolicy{Type: PodsPolicy, Value: pods, Period: time.Duration(podsPeriod) * time.Second})
	}
	if percent != 0 {
		r.Policies = append(r.Policies, RatePolicy{Type: PercentPolicy, Value: percent, Period: time.Duration(percentPeriod) * time.Second})
	}
	return r
}

// generateEventsUniformDistribution is upstream's helper: events spread
// over the last periodSeconds, each in the middle of its segment.
func generateEventsUniformDistribution(raw []int, periodSeconds int) []ScaleEvent {
	events := make([]ScaleEvent, len(raw))
	seg := float64(periodSeconds) / float64(len(raw))
	for i, e := range raw {
		boundary := time.Duration(float64(periodSeconds) - seg*float64(i+1) + seg/2)
		events[i] = ScaleEvent{Change: e, At: ago(time.Second * boundary)}
	}
	return events
}

func limitName(l *Limit) string {
	if l == nil {
		return ""
	}
	return l.Name
}

// TestConvertDesiredReplicasWithRules ports upstream's table. Upstream's
// test binary sets scaleUpLimitFactor to 8; the last case uses the real
// factor 2, so its cap is max(2 x 3, 4) = 6 instead of 24.
func TestConvertDesiredReplicasWithRules(t *testing.T) {
	tests := []struct {
		name                          string
		current, desired, min, max    int
		wantReplicas                  int
		wantLimit                     string // "" = DesiredWithinRange
		wantFrom                      int
		wantDetailMentionsLimitNumber bool
	}{
		{name: "prenormalized desired replicas within range", current: 5, desired: 7, min: 3, max: 8, wantReplicas: 7},
		{name: "prenormalized desired replicas < minReplicas", current: 3, desired: 1, min: 2, max: 8, wantReplicas: 2, wantLimit: "min"},
		{name: "prenormalized desired zeroed replicas within range", current: 1, desired: 0, min: 0, max: 10, wantReplicas: 0},
		{name: "maxReplicas is the limit because maxReplicas < scaleUpLimit", current: 20, desired: 1000, min: 1, max: 10, wantReplicas: 10, wantLimit: "max"},
		{name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas", current: 3, desired: 1000, min: 1, max: 2000, wantReplicas: 6, wantLimit: "scale-up-limit"},
		{name: "scaleUpLimit minimum of 4 for a single replica", current: 1, desired: 1000, min: 1, max: 2000, wantReplicas: 4, wantLimit: "scale-up-limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, l := ConvertDesiredReplicasWithRules(tc.current, tc.desired, tc.min, tc.max)
			if got != tc.wantReplicas || limitName(l) != tc.wantLimit {
				t.Fatalf("got %d (%q), want %d (%q)", got, limitName(l), tc.wantReplicas, tc.wantLimit)
			}
			if l != nil && (l.From != tc.desired || l.To != got) {
				t.Errorf("limit from %d to %d, want from %d to %d", l.From, l.To, tc.desired, got)
			}
		})
	}
}

// TestCalculateScaleUpLimitWithScalingRules and
// TestCalculateScaleDownLimitWithBehaviors port upstream's two single cases
// (select Min), plus Max and Disabled for contrast.
func TestCalculateScaleLimits(t *testing.T) {
	rules := func(sel SelectPolicy) Rules {
		r := generateScalingRules(2, 60, 50, 60, 300)
		r.SelectPolicy = sel
		return r
	}
	tests := []struct {
		name    string
		up      bool
		current int
		sel     SelectPolicy
		want    int
	}{
		{"TestCalculateScaleUpLimitWithScalingRules: Min of +2 pods and +50% from 1", true, 1, SelectMin, 2},
		{"scale up Max of +2 pods and +50% from 1", true, 1, SelectMax, 3},
		{"scale up Disabled", true, 1, SelectDisabled, 1},
		{"TestCalculateScaleDownLimitWithBehaviors: Min of -2 pods and -50% from 5", false, 5, SelectMin, 3},
		{"scale down Max of -2 pods and -50% (truncated) from 5", false, 5, SelectMax, 2},
		{"scale down Disabled", false, 5, SelectDisabled, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got int
			if tc.up {
				got = CalculateScaleUpLimitWithScalingRules(testNow, tc.current, nil, nil, rules(tc.sel))
			} else {
				got = CalculateScaleDownLimitWithBehaviors(testNow, tc.current, nil, nil, rules(tc.sel))
			}
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestNormalizeDesiredReplicas ports upstream's test of the older path's
// stabilizeRecommendation (5 minute window).
func TestNormalizeDesiredReplicas(t *testing.T) {
	tests := []struct {
		name          string
		recs          []TimestampedRecommendation
		prenormalized int
		want          int
		wantLogLength int
	}{
		{"empty log", []TimestampedRecommendation{}, 5, 5, 1},
		{"stabilize", []TimestampedRecommendation{{4, ago(2 * time.Minute)}, {5, ago(time.Minute)}}, 3, 5, 3},
		{"no stabilize", []TimestampedRecommendation{{1, ago(2 * time.Minute)}, {2, ago(time.Minute)}}, 3, 3, 3},
		{"no stabilize - old recommendations", []TimestampedRecommendation{{10, ago(10 * time.Minute)}, {9, ago(9 * time.Minute)}}, 3, 3, 2},
		{"stabilize - old recommendations", []TimestampedRecommendation{{10, ago(10 * time.Minute)}, {4, ago(time.Minute)}, {5, ago(2 * time.Minute)}, {9, ago(9 * time.Minute)}}, 3, 5, 4},
		// Edge (not upstream's table): a recommendation exactly one window old
		// is not Before the cutoff, so the older path still counts it.
		{"edge: exactly 5m old still counts", []TimestampedRecommendation{{7, ago(5 * time.Minute)}}, 3, 7, 2},
		{"edge: 5m and 1ns old expired and reused", []TimestampedRecommendation{{7, ago(5*time.Minute + 1)}}, 3, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScaler(nil, 5*time.Minute)
			s.SetHistory(tc.recs, nil, nil)
			if got := s.StabilizeRecommendation(testNow, tc.prenormalized); got != tc.want {
				t.Errorf("got %d stabilized replicas, want %d", got, tc.want)
			}
			if recs, _, _ := s.History(); len(recs) != tc.wantLogLength {
				t.Errorf("log has %d entries, want %d", len(recs), tc.wantLogLength)
			}
		})
	}
}

// TestNormalizeDesiredReplicasWithBehavior ports upstream's test of
// stabilizeRecommendationWithBehaviors.
func TestNormalizeDesiredReplicasWithBehavior(t *testing.T) {
	tests := []struct {
		name                   string
		recs                   []TimestampedRecommendation
		current, prenormalized int
		want                   int
		wantRecs               []int // nil: not checked
		upWindowS, downWindowS int
	}{
		{name: "empty recommendations for scaling down", recs: []TimestampedRecommendation{}, current: 100, prenormalized: 5, want: 5, wantRecs: []int{5}},
		{name: "simple scale down stabilization", recs: []TimestampedRecommendation{{4, ago(2 * time.Minute)}, {5, ago(time.Minute)}},
			current: 100, prenormalized: 3, want: 5, wantRecs: []int{4, 5, 3}, downWindowS: 180},
		{name: "simple scale up stabilization", recs: []TimestampedRecommendation{{4, ago(2 * time.Minute)}, {5, ago(time.Minute)}},
			current: 1, prenormalized: 7, want: 4, wantRecs: []int{4, 5, 7}, upWindowS: 300},
		{name: "no scale down stabilization", recs: []TimestampedRecommendation{{1, ago(2 * time.Minute)}, {2, ago(time.Minute)}},
			current: 100, prenormalized: 3, want: 3, wantRecs: []int{1, 2, 3}, upWindowS: 300},
		{name: "no scale up stabilization", recs: []TimestampedRecommendation{{4, ago(2 * time.Minute)}, {5, ago(time.Minute)}},
			current: 1, prenormalized: 3, want: 3, wantRecs: []int{4, 5, 3}, downWindowS: 300},
		{name: "no scale down stabilization, reuse recommendation element", recs: []TimestampedRecommendation{{10, ago(10 * time.Minute)}, {9, ago(9 * time.Minute)}},
			current: 100, prenormalized: 3, want: 3, wantRecs: []int{10, 3}},
		{name: "no scale up stabilization, reuse recommendation element", recs: []TimestampedRecommendation{{10, ago(10 * time.Minute)}, {9, ago(9 * time.Minute)}},
			current: 1, prenormalized: 100, want: 100, wantRecs: []int{10, 100}},
		{name: "scale down stabilization, reuse one of obsolete recommendation element",
			recs:    []TimestampedRecommendation{{10, ago(10 * time.Minute)}, {4, ago(time.Minute)}, {5, ago(2 * time.Minute)}, {9, ago(9 * time.Minute)}},
			current: 100, prenormalized: 3, want: 5, wantRecs: []int{10, 4, 5, 3}, downWindowS: 180},
		{name: "scale up stabilization, reuse one of obsolete recommendation element",
			recs:    []TimestampedRecommendation{{10, ago(100 * time.Minute)}, {6, ago(time.Minute)}, {5, ago(2 * time.Minute)}, {9, ago(3 * time.Minute)}},
			current: 1, prenormalized: 100, want: 5, wantRecs: []int{100, 6, 5, 9}, upWindowS: 300},
		{name: "scale up and down stabilization, do not scale up when prenormalized rec goes down",
			recs:    []TimestampedRecommendation{{2, ago(100 * time.Minute)}, {3, ago(3 * time.Minute)}},
			current: 2, prenormalized: 1, want: 2, upWindowS: 300, downWindowS: 300},
		{name: "scale up and down stabilization, do not scale down when prenormalized rec goes up",
			recs:    []TimestampedRecommendation{{2, ago(100 * time.Minute)}, {1, ago(3 * time.Minute)}},
			current: 2, prenormalized: 3, want: 2, upWindowS: 300, downWindowS: 300},
		// Edges (not upstream's table): with a Behavior a recommendation counts
		// only while strictly After now - window.
		{name: "edge: exactly one window old no longer counts", recs: []TimestampedRecommendation{{9, ago(3 * time.Minute)}},
			current: 9, prenormalized: 3, want: 3, wantRecs: []int{9, 3}, downWindowS: 180},
		{name: "edge: one window old minus 1ns still counts", recs: []TimestampedRecommendation{{9, ago(3*time.Minute - 1)}},
			current: 9, prenormalized: 3, want: 9, wantRecs: []int{9, 3}, downWindowS: 180},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScaler(&Behavior{
				ScaleUp:   Rules{StabilizationWindow: time.Duration(tc.upWindowS) * time.Second},
				ScaleDown: Rules{StabilizationWindow: time.Duration(tc.downWindowS) * time.Second},
			}, 0)
			s.SetHistory(tc.recs, nil, nil)
			got := s.StabilizeRecommendationWithBehaviors(testNow, tc.current, tc.prenormalized)
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
			if tc.wantRecs != nil {
				var recs []int
				stored, _, _ := s.History()
				for _, r := range stored {
					recs = append(recs, r.Replicas)
				}
				if !equalInts(recs, tc.wantRecs) {
					t.Errorf("stored recommendations %v, want %v", recs, tc.wantRecs)
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestScalingWithRules ports upstream's table for
// convertDesiredReplicasWithBehaviorRate. Rules left nil upstream get the
// defaults (GenerateHPAScale{Up,Down}Rules), as withDefaults does here.
// Upstream's conditions map to limits: DesiredWithinRange = none,
// ScaleUpLimit/ScaleDownLimit = rate-policy, TooManyReplicas = max,
// TooFewReplicas = min.
func TestScalingWithRules(t *testing.T) {
	type tcase struct {
		name                   string
		upEvents, downEvents   []ScaleEvent
		min, max               int
		up, down               *Rules
		current, prenormalized int
		want                   int
		wantLimit              string
	}
	r := func(pods, podsPeriod, percent, percentPeriod, window int) *Rules {
		x := generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)
		return &x
	}
	ev := generateEventsUniformDistribution
	tests := []tcase{
		{name: "prenormalized desired replicas within range", current: 5, prenormalized: 7, min: 3, max: 8, want: 7},
		{name: "prenormalized desired replicas < minReplicas", current: 3, prenormalized: 1, min: 2, max: 8, want: 2, wantLimit: "min"},
		{name: "prenormalized desired replicas within range when minReplicas is 0", current: 1, prenormalized: 0, min: 0, max: 10, want: 0},
		{name: "maxReplicas is the limit because maxReplicas < scaleUpLimit", current: 20, prenormalized: 1000, min: 1, max: 10, want: 10, wantLimit: "max"},
		{name: "desired replica count is more than the maximum replica count", current: 100, prenormalized: 1000, min: 100, max: 150, want: 150, wantLimit: "max"},
		{name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", current: 3, prenormalized: 1000, min: 1, max: 2000, up: r(0, 0, 1, 60, 0), want: 4, wantLimit: "rate-policy"},
		// Skipped upstream (testThis), but it holds: 1000 - 20.
		{name: "scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies", current: 1000, prenormalized: 3, min: 3, max: 2000, down: r(20, 60, 0, 0, 0), want: 980, wantLimit: "rate-policy"},
		{name: "scaleUp with default behavior", min: 1, max: 1000, current: 10, prenormalized: 50, want: 20, wantLimit: "rate-policy"},
		{name: "scaleUp with pods policy larger than percent policy", min: 1, max: 1000, up: r(100, 60, 100, 60, 0), current: 10, prenormalized: 500, want: 110, wantLimit: "rate-policy"},
		{name: "scaleUp with percent policy larger than pods policy", min: 1, max: 1000, up: r(2, 60, 100, 60, 0), current: 10, prenormalized: 500, want: 20, wantLimit: "rate-policy"},
		{name: "scaleUp with spec MaxReplicas limitation with large pod policy", min: 1, max: 1000, up: r(100, 60, 0, 0, 0), current: 10, prenormalized: 50, want: 50},
		{name: "scaleUp with spec MaxReplicas limitation with large percent policy", min: 1, max: 1000, up: r(10000, 60, 0, 0, 0), current: 10, prenormalized: 50, want: 50},
		{name: "scaleUp with pod policy limitation", min: 1, max: 1000, up: r(30, 60, 0, 0, 0), current: 10, prenormalized: 50, want: 40, wantLimit: "rate-policy"},
		{name: "scaleUp with percent policy limitation", min: 1, max: 1000, up: r(0, 0, 200, 60, 0), current: 10, prenormalized: 50, want: 30, wantLimit: "rate-policy"},
		{name: "scaleDown with percent policy larger than pod policy", min: 1, max: 1000, down: r(20, 60, 1, 60, 300), current: 100, prenormalized: 2, want: 80, wantLimit: "rate-policy"},
		{name: "scaleDown with pod policy larger than percent policy", min: 1, max: 1000, down: r(2, 60, 1, 60, 300), current: 100, prenormalized: 2, want: 98, wantLimit: "rate-policy"},
		{name: "scaleDown with spec MinReplicas=nil limitation with large pod policy", min: 1, max: 1000, down: r(100, 60, 0, 0, 300), current: 10, prenormalized: 0, want: 1, wantLimit: "min"},
		{name: "scaleDown with spec MinReplicas limitation with large percent policy", min: 5, max: 1000, down: r(0, 0, 100, 60, 300), current: 10, prenormalized: 2, want: 5, wantLimit: "min"},
		{name: "scaleDown with pod policy limitation", min: 1, max: 1000, down: r(5, 60, 0, 0, 300), current: 10, prenormalized: 2, want: 5, wantLimit: "rate-policy"},
		{name: "scaleDown with percent policy limitation", min: 1, max: 1000, down: r(0, 0, 50, 60, 300), current: 10, prenormalized: 5, want: 5},
		{name: "scaleUp with spec MaxReplicas limitation with large pod policy and events", upEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 200,
			up: r(300, 60, 0, 0, 0), current: 100, prenormalized: 500, want: 200, wantLimit: "max"},
		{name: "scaleUp with spec MaxReplicas limitation with large percent policy and events", upEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 200,
			up: r(0, 0, 10000, 60, 0), current: 100, prenormalized: 500, want: 200, wantLimit: "max"},
		{name: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events", upEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000,
			up: r(5, 120, 0, 0, 0), current: 100, prenormalized: 500, want: 100, wantLimit: "rate-policy"},
		{name: "scaleUp with pod policy and previous scale up events", upEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000,
			up: r(150, 120, 0, 0, 0), current: 100, prenormalized: 500, want: 235, wantLimit: "rate-policy"},
		{name: "scaleUp with percent policy and previous scale up events", upEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000,
			up: r(0, 0, 200, 120, 0), current: 100, prenormalized: 500, want: 255, wantLimit: "rate-policy"},
		{name: "scaleUp with percent policy and previous scale up and down events", upEvents: ev([]int{4}, 120), downEvents: ev([]int{2}, 120), min: 1, max: 1000,
			up: r(0, 0, 300, 300, 0), current: 6, prenormalized: 24, want: 16, wantLimit: "rate-policy"},
		{name: "scaleDown with default policy and previous events", downEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000, current: 10, prenormalized: 5, want: 5},
		{name: "scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", downEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000,
			down: r(115, 120, 0, 0, 300), current: 100, prenormalized: 0, want: 1, wantLimit: "min"},
		{name: "scaleDown with spec MinReplicas limitation with large pod policy and previous events", downEvents: ev([]int{1, 5, 9}, 120), min: 5, max: 1000,
			down: r(130, 120, 0, 0, 300), current: 100, prenormalized: 0, want: 5, wantLimit: "min"},
		{name: "scaleDown with spec MinReplicas limitation with large percent policy and previous events", downEvents: ev([]int{1, 5, 9}, 120), min: 5, max: 1000,
			down: r(0, 0, 100, 120, 300), current: 100, prenormalized: 2, want: 5, wantLimit: "min"},
		{name: "scaleDown with pod policy limitation and previous events", downEvents: ev([]int{1, 5, 9}, 120), min: 1, max: 1000,
			down: r(5, 120, 0, 0, 300), current: 100, prenormalized: 2, want: 100, wantLimit: "rate-policy"},
		{name: "scaleDown with percent policy limitation and previous events", downEvents: ev([]int{2, 4, 6}, 120), min: 1, max: 1000,
			down: r(0, 0, 50, 120, 300), current: 100, prenormalized: 0, want: 56, wantLimit: "rate-policy"},
		{name: "scaleDown with percent policy and previous scale up and down events", upEvents: ev([]int{2}, 120), downEvents: ev([]int{4}, 120), min: 1, max: 1000,
			down: r(0, 0, 50, 180, 0), current: 10, prenormalized: 1, want: 6, wantLimit: "rate-policy"},
		{name: "scaleDown with previous events preventing further scale down", downEvents: ev([]int{10, 10, 10}, 120), min: 1, max: 1000,
			down: r(0, 0, 10, 120, 300), current: 100, prenormalized: 0, want: 100, wantLimit: "rate-policy"},
		{name: "scaleDown with with previous events still allowing more scale down", downEvents: ev([]int{10, 10, 10}, 120), min: 1, max: 1000,
			down: r(0, 0, 1000, 120, 300), current: 10, prenormalized: 5, want: 5},
		{name: "check 'outdated' flag for events for one behavior for up", upEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			up: r(1000, 60, 0, 0, 0), current: 100, prenormalized: 200, want: 200},
		{name: "check that events were not marked 'outdated' for two different policies in the behavior for up", upEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			up: r(1000, 120, 100, 60, 0), current: 100, prenormalized: 200, want: 200},
		{name: "check that events were marked 'outdated' for two different policies in the behavior for up", upEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			up: r(1000, 30, 100, 60, 0), current: 100, prenormalized: 200, want: 200},
		{name: "check 'outdated' flag for events for one behavior for down", downEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			down: r(1000, 60, 0, 0, 300), current: 100, prenormalized: 5, want: 5},
		{name: "check that events were not marked 'outdated' for two different policies in the behavior for down", downEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			down: r(1000, 120, 100, 60, 300), current: 100, prenormalized: 5, want: 5},
		{name: "check that events were marked 'outdated' for two different policies in the behavior for down", downEvents: ev([]int{8, 12, 9, 11}, 120), min: 1, max: 1000,
			down: r(1000, 30, 100, 60, 300), current: 100, prenormalized: 5, want: 5},
		// Not upstream's table: select Min and Disabled.
		{name: "scaleUp select Min of +4 pods and +100%", min: 1, max: 1000, up: &Rules{SelectPolicy: SelectMin, Policies: DefaultScaleUpRules().Policies},
			current: 10, prenormalized: 50, want: 14, wantLimit: "rate-policy"},
		{name: "scaleUp Disabled holds", min: 1, max: 1000, up: &Rules{SelectPolicy: SelectDisabled}, current: 10, prenormalized: 50, want: 10, wantLimit: "scale-up-disabled"},
		{name: "scaleDown Disabled holds", min: 1, max: 1000, down: &Rules{SelectPolicy: SelectDisabled}, current: 10, prenormalized: 2, want: 10, wantLimit: "scale-down-disabled"},
		{name: "scaleDown select Min of -2 pods and -50%", min: 1, max: 1000, down: withSelect(r(2, 60, 50, 60, 300), SelectMin), current: 10, prenormalized: 2, want: 8, wantLimit: "rate-policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Behavior{}
			if tc.up != nil {
				b.ScaleUp = *tc.up
			}
			if tc.down != nil {
				b.ScaleDown = *tc.down
			}
			s := NewScaler(&b, 0)
			s.SetHistory(nil, tc.upEvents, tc.downEvents)
			got, l := s.ConvertDesiredReplicasWithBehaviorRate(testNow, tc.current, tc.prenormalized, tc.min, tc.max)
			if got != tc.want || limitName(l) != tc.wantLimit {
				t.Errorf("got %d (%q), want %d (%q)", got, limitName(l), tc.want, tc.wantLimit)
			}
		})
	}
}

func withSelect(r *Rules, s SelectPolicy) *Rules {
	r.SelectPolicy = s
	return r
}

// TestStoreScaleEvents ports upstream's test: events are stored only with a
// behavior, replacing the last event older than the direction's longest
// policy period.
func TestStoreScaleEvents(t *testing.T) {
	type ev struct {
		change   int
		outdated bool
	}
	tests := []struct {
		name       string
		prev       []ScaleEvent
		rules      *Rules
		wantNew    []ev
		wantChange int
	}{
		{name: "empty entries with default behavior", prev: []ScaleEvent{}, wantNew: nil, wantChange: 0},
		{name: "empty entries with two-policy-behavior", prev: []ScaleEvent{}, rules: ptr(generateScalingRules(10, 60, 100, 60, 0)), wantNew: []ev{{5, false}}, wantChange: 0},
		{name: "one outdated entry to be kept untouched without behavior", prev: []ScaleEvent{{Change: 7, At: ago(61 * time.Second)}}, wantNew: []ev{{7, false}}, wantChange: 0},
		{name: "one outdated entry to be replaced with behavior", prev: []ScaleEvent{{Change: 7, At: ago(61 * time.Second)}},
			rules: ptr(generateScalingRules(10, 60, 100, 60, 0)), wantNew: []ev{{5, false}}, wantChange: 0},
		{name: "one actual entry to be not touched with behavior", prev: []ScaleEvent{{Change: 7, At: ago(58 * time.Second)}},
			rules: ptr(generateScalingRules(10, 60, 100, 60, 0)), wantNew: []ev{{7, false}, {5, false}}, wantChange: 7},
		{name: "two entries, one of them to be replaced", prev: []ScaleEvent{{Change: 7, At: ago(61 * time.Second)}, {Change: 6, At: ago(59 * time.Second)}},
			rules: ptr(generateScalingRules(10, 60, 0, 0, 0)), wantNew: []ev{{5, false}, {6, false}}, wantChange: 6},
		{name: "replace one entry, use policies with different periods",
			prev:  []ScaleEvent{{Change: 8, At: ago(29 * time.Second)}, {Change: 6, At: ago(59 * time.Second)}, {Change: 7, At: ago(61 * time.Second)}, {Change: 9, At: ago(61 * time.Second)}},
			rules: ptr(generateScalingRules(10, 60, 100, 30, 0)), wantNew: []ev{{8, false}, {6, false}, {7, true}, {5, false}}, wantChange: 14},
		{name: "two entries, both actual", prev: []ScaleEvent{{Change: 7, At: ago(58 * time.Second)}, {Change: 6, At: ago(59 * time.Second)}},
			rules: ptr(generateScalingRules(10, 120, 100, 30, 0)), wantNew: []ev{{7, false}, {6, false}, {5, false}}, wantChange: 13},
	}
	for _, tc := range tests {
		for _, up := range []bool{true, false} {
			name := tc.name + "/down"
			if up {
				name = tc.name + "/up"
			}
			t.Run(name, func(t *testing.T) {
				var b *Behavior
				if tc.rules != nil {
					b = &Behavior{ScaleUp: *tc.rules, ScaleDown: *tc.rules}
				}
				s := NewScaler(b, 0)
				prev := append([]ScaleEvent{}, tc.prev...)
				next := 10 - 5
				if up {
					next = 10 + 5
					s.SetHistory(nil, prev, nil)
				} else {
					s.SetHistory(nil, nil, prev)
				}
				if got := GetReplicasChangePerPeriod(testNow, time.Minute, prev); got != tc.wantChange {
					t.Errorf("change in the last 60s = %d, want %d", got, tc.wantChange)
				}
				s.StoreScaleEvent(testNow, 10, next)
				_, upEvents, downEvents := s.History()
				events := downEvents
				if up {
					events = upEvents
				}
				var got []ev
				for _, e := range events {
					got = append(got, ev{e.Change, e.Outdated})
				}
				if len(got) != len(tc.wantNew) {
					t.Fatalf("events %v, want %v", got, tc.wantNew)
				}
				for i := range got {
					if got[i] != tc.wantNew[i] {
						t.Errorf("events %v, want %v", got, tc.wantNew)
						break
					}
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestBehaviorDefaultsAndValidate(t *testing.T) {
	b := DefaultBehavior()
	if b.ScaleUp.StabilizationWindow != 0 || b.ScaleDown.StabilizationWindow != 300*time.Second {
		t.Errorf("default windows %s/%s, want 0s/5m0s", b.ScaleUp.StabilizationWindow, b.ScaleDown.StabilizationWindow)
	}
	if got := CalculateScaleUpLimitWithScalingRules(testNow, 3, nil, nil, b.ScaleUp); got != 7 {
		t.Errorf("default scale-up from 3 allows %d, want max(3+4, 6) = 7", got)
	}
	if got := CalculateScaleUpLimitWithScalingRules(testNow, 10, nil, nil, b.ScaleUp); got != 20 {
		t.Errorf("default scale-up from 10 allows %d, want max(14, 20) = 20", got)
	}
	if got := CalculateScaleDownLimitWithBehaviors(testNow, 10, nil, nil, b.ScaleDown); got != 0 {
		t.Errorf("default scale-down from 10 allows %d, want 0 (100%%)", got)
	}
	// Empty rules take the direction's default policies and Max.
	n := Behavior{}.WithDefaults()
	if n.ScaleUp.SelectPolicy != SelectMax || len(n.ScaleUp.Policies) != 2 || len(n.ScaleDown.Policies) != 1 {
		t.Errorf("normalized empty behavior = %+v", n)
	}
	if n.ScaleDown.StabilizationWindow != 0 {
		t.Errorf("an explicit zero window must stay zero, got %s", n.ScaleDown.StabilizationWindow)
	}
	if err := b.Validate(); err != nil {
		t.Errorf("default behavior invalid: %v", err)
	}
	bad := Behavior{ScaleUp: Rules{SelectPolicy: "Sometimes", Policies: []RatePolicy{{Type: "Pods", Value: 0, Period: time.Second}}},
		ScaleDown: Rules{StabilizationWindow: -time.Second, Policies: []RatePolicy{{Type: "Bytes", Value: 1}}}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid behavior accepted")
	}
	for _, want := range []string{"scale_up.select_policy", "scale_up.policies[0].value", "scale_down.stabilization_window", "scale_down.policies[0].type", "scale_down.policies[0].period"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
