package policies

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// atMin is a reactive stand-in that always wants the minimum.
type atMin struct{}

func (atMin) Name() string { return "at-min" }
func (atMin) Recommend(_ sim.Time, o Observation) Recommendation {
	return Recommendation{Valid: true, Desired: o.Min, Raw: o.Min, Reason: ReasonAtMin}
}

// TestPredictiveScalesAheadOfDailyPeak: 10 requests a second all day but
// 100 from 12:00 to 14:00, one instance carrying 10 at the target, hourly
// buckets, a 10 minute scheduling buffer, evaluated every minute for three
// days. The first day has no forecast (the reactive policy's 1). From the
// second, the forecast for 12:00 (the mean of 12:00-13:00 in the days
// before) is 100 / 10 = 10 instances: they are asked for at 11:50, 10
// minutes before the peak, and released at 13:50, when the forecast for
// 14:00 is 1. The forecast averages one day on the second day, two on the
// third.
func TestPredictiveScalesAheadOfDailyPeak(t *testing.T) {
	cfg := DefaultPredictiveConfig()
	cfg.TargetPerInstance = 10
	cfg.SchedulingBuffer = 10 * time.Minute
	p, err := NewPredictive(cfg, atMin{})
	if err != nil {
		t.Fatal(err)
	}
	rate := func(t time.Duration) float64 {
		if h := (t % (24 * time.Hour)) / time.Hour; h == 12 || h == 13 {
			return 100
		}
		return 10
	}
	cur := 1
	type change struct {
		at time.Duration
		to int
	}
	var got []change
	for m := time.Minute; m <= 72*time.Hour; m += time.Minute {
		o := Observation{Current: cur, Min: 1, Max: 50,
			Concurrency: Concurrency{Stats: []ConcurrencyStat{{Time: sim.At(m), Requests: 60 * rate(m-time.Minute)}}}}
		rec := p.Recommend(sim.At(m), o)
		if rec.Desired != cur {
			got = append(got, change{m, rec.Desired})
			cur = rec.Desired
		}
	}
	want := []change{
		{24*time.Hour + 11*time.Hour + 50*time.Minute, 10}, {24*time.Hour + 13*time.Hour + 50*time.Minute, 1},
		{48*time.Hour + 11*time.Hour + 50*time.Minute, 10}, {48*time.Hour + 13*time.Hour + 50*time.Minute, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("change %d: %v, want %v", k, got[k], want[k])
		}
	}
	if rps, c, n := p.Forecast(sim.At(72*time.Hour+12*time.Hour), sim.At(72*time.Hour)); rps != 100 || c != 10 || n != 2 {
		t.Errorf("forecast for day 4 at 12:00 = %g rps, %d instances over %d days; want 100, 10, 2", rps, c, n)
	}
}

// TestPredictiveForecastOnly: the forecast is reported, the reactive count
// kept.
func TestPredictiveForecastOnly(t *testing.T) {
	cfg := DefaultPredictiveConfig()
	cfg.TargetPerInstance, cfg.ForecastOnly = 1, true
	cfg.Season, cfg.Granularity = time.Hour, time.Minute
	p, _ := NewPredictive(cfg, atMin{})
	var rec Recommendation
	for m := time.Minute; m <= 3*time.Hour; m += time.Minute {
		rec = p.Recommend(sim.At(m), Observation{Current: 1, Min: 1, Max: 50,
			Concurrency: Concurrency{Stats: []ConcurrencyStat{{Time: sim.At(m), Requests: 600}}}})
		if rec.Desired != 1 {
			t.Fatalf("at %s: %d, want the reactive 1", m, rec.Desired)
		}
	}
	if f := rec.Inputs[len(rec.Inputs)-2]; f.Name != "forecast_capacity" || f.Value != 10 {
		t.Errorf("last input %+v, want forecast_capacity 10", f)
	}
}

func TestPredictiveValidate(t *testing.T) {
	c := DefaultPredictiveConfig()
	c.Season, c.HistorySeasons, c.SchedulingBuffer = 90*time.Minute, 15, -time.Second
	got := map[string]bool{}
	for _, e := range FieldErrors(c.Validate()) {
		got[e.Field] = true
	}
	for _, f := range []string{"target_per_instance", "season", "history_seasons", "scheduling_buffer"} {
		if !got[f] {
			t.Errorf("no error for %s (got %v)", f, got)
		}
	}
}
