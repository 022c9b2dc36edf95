package policies

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Predictive scaling after AWS's (EC2 Auto Scaling predictive scaling,
// docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-predictive-scaling.html
// and the API's PredictiveScalingConfiguration):
//
//   - the forecast is made from the group's own load history: AWS uses up
//     to the last 14 days and needs at least 24 hours; here the load is the
//     requests per second the service received, kept per forecast bucket
//     (AWS: hourly) for HistorySeasons seasons (days) in a ring keyed by
//     simulated time;
//   - assumed (AWS publishes its model only as "machine learning"): the
//     forecast of a bucket is the mean of the same bucket of the seasons
//     before it, a seasonal naive average; it is made once a whole season
//     has been seen;
//   - the capacity forecast is the load forecast over the load one
//     instance carries at the target (AWS derives it from the load and
//     scaling metric pair; here TargetPerInstance, requests per second);
//   - SchedulingBufferTime: instances are launched this long before the
//     forecast time, so they are ready when the load comes (by default the
//     scenario sets it to the instance's startup and readiness delays);
//   - "If you use predictive scaling with dynamic scaling, the Auto Scaling
//     group scales to the higher of the two": the reactive policy runs at
//     every evaluation, and the desired count is the larger of its count
//     and the forecast capacity, within min and max.

// PredictiveConfig is a predictive scaling policy.
type PredictiveConfig struct {
	// TargetPerInstance is the load, in requests per second, one instance
	// carries at the target.
	TargetPerInstance float64
	// Season is the period of the load (a day).
	Season time.Duration
	// Granularity is the forecast bucket: 1h, as AWS's hourly forecasts.
	Granularity time.Duration
	// HistorySeasons is how many seasons of history the forecast averages:
	// 2 (AWS: up to 14 days).
	HistorySeasons int
	// SchedulingBuffer launches the forecast capacity this early.
	SchedulingBuffer time.Duration
	// ForecastOnly: forecast but do not scale on it (AWS's ForecastOnly
	// mode): the reactive policy alone decides.
	ForecastOnly bool
}

// DefaultPredictiveConfig returns daily seasons in hourly buckets, two days
// of history, no buffer.
func DefaultPredictiveConfig() PredictiveConfig {
	return PredictiveConfig{Season: 24 * time.Hour, Granularity: time.Hour, HistorySeasons: 2}
}

// MaxPredictiveBuckets bounds the history ring.
const MaxPredictiveBuckets = 1 << 16

// Validate reports every problem, joined, as *FieldErrors.
func (c PredictiveConfig) Validate() error {
	var errs []error
	if !(c.TargetPerInstance > 0) {
		errs = append(errs, fieldErr("target_per_instance", "%g must be greater than 0 (requests per second one instance carries at the target)", c.TargetPerInstance))
	}
	switch {
	case c.Granularity <= 0:
		errs = append(errs, fieldErr("forecast_granularity", "%s must be greater than 0", c.Granularity))
	case c.Season < c.Granularity || c.Season%c.Granularity != 0:
		errs = append(errs, fieldErr("season", "%s must be a whole number of forecast_granularity (%s)", c.Season, c.Granularity))
	case c.HistorySeasons >= 1 && int64(c.HistorySeasons)*int64(c.Season/c.Granularity) > MaxPredictiveBuckets:
		errs = append(errs, fieldErr("history_seasons", "%d seasons of %s buckets are more than the %d buckets allowed", c.HistorySeasons, c.Granularity, MaxPredictiveBuckets))
	}
	if c.HistorySeasons < 1 || c.HistorySeasons > 14 {
		errs = append(errs, fieldErr("history_seasons", "%d must be between 1 and 14 (AWS uses up to 14 days)", c.HistorySeasons))
	}
	if c.SchedulingBuffer < 0 || c.SchedulingBuffer >= c.Season && c.Season > 0 {
		errs = append(errs, fieldErr("scheduling_buffer", "%s must be at least 0 and shorter than the season", c.SchedulingBuffer))
	}
	return errors.Join(errs...)
}

// predictiveHistory is the load per bucket for the last seasons: a ring
// indexed by bucket number mod its length, each slot stamped with its
// bucket number.
type predictiveHistory struct {
	g       time.Duration
	perSeas int64
	sum     []float64 // requests in the bucket
	stamp   []int64   // bucket number + 1; 0 never written
	first   int64     // the first bucket seen (partial: left out)
	started bool
}

func (h *predictiveHistory) bucket(t sim.Time) int64 { return int64(t) / int64(h.g) }

func (h *predictiveHistory) add(t sim.Time, requests float64) {
	b := h.bucket(t)
	if !h.started {
		h.first, h.started = b, true
	}
	k := b % int64(len(h.sum))
	if h.stamp[k] != b+1 {
		h.stamp[k], h.sum[k] = b+1, 0
	}
	h.sum[k] += requests
}

// rate is the requests per second of bucket b if it is complete and kept.
func (h *predictiveHistory) rate(b, current int64) (float64, bool) {
	if b < 0 || b <= h.first || b >= current {
		return 0, false
	}
	k := b % int64(len(h.sum))
	if h.stamp[k] != b+1 {
		return 0, false
	}
	return h.sum[k] / h.g.Seconds(), true
}

// forecast is the load forecast for time t: the mean of t's bucket in the
// seasons before, as known at now.
func (h *predictiveHistory) forecast(t, now sim.Time, seasons int) (float64, int) {
	b, cur := h.bucket(t), h.bucket(now)
	s, n := 0.0, 0
	for d := int64(1); d <= int64(seasons); d++ {
		if v, ok := h.rate(b-d*h.perSeas, cur); ok {
			s += v
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return s / float64(n), n
}

// Predictive is a predictive policy combined with a reactive one.
type Predictive struct {
	cfg      PredictiveConfig
	reactive Policy
	hist     predictiveHistory
}

// NewPredictive returns the policy over reactive, with no history.
func NewPredictive(cfg PredictiveConfig, reactive Policy) (*Predictive, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("predictive: %w", err)
	}
	if reactive == nil {
		return nil, errors.New("predictive: no reactive policy")
	}
	per := int64(cfg.Season / cfg.Granularity)
	n := per * int64(cfg.HistorySeasons+1)
	return &Predictive{cfg: cfg, reactive: reactive, hist: predictiveHistory{
		g: cfg.Granularity, perSeas: per, sum: make([]float64, n), stamp: make([]int64, n)}}, nil
}

// Name is "predictive".
func (*Predictive) Name() string { return "predictive" }

// Forecast returns the load forecast (requests per second) and the
// capacity forecast for time t as known at now, and how many seasons the
// forecast averages (0: none yet).
func (p *Predictive) Forecast(t, now sim.Time) (rps float64, capacity, seasons int) {
	rps, seasons = p.hist.forecast(t, now, p.cfg.HistorySeasons)
	if seasons == 0 {
		return 0, 0, 0
	}
	return rps, int(math.Ceil(rps/p.cfg.TargetPerInstance - 1e-9)), seasons
}

// Recommend records the load, runs the reactive policy and takes the
// larger of its count and the forecast capacity of now + the scheduling
// buffer.
func (p *Predictive) Recommend(now sim.Time, o Observation) Recommendation {
	for _, s := range o.Concurrency.Stats {
		p.hist.add(s.Time-1, s.Requests) // a stat at T covers the second before T
	}
	rec := p.reactive.Recommend(now, o)
	at := now.Add(p.cfg.SchedulingBuffer)
	rps, capacity, seasons := p.Forecast(at, now)
	rec.Inputs = append(rec.Inputs,
		Input{Name: "forecast_rps", Value: rps},
		Input{Name: "forecast_capacity", Value: float64(capacity)},
		Input{Name: "forecast_seasons", Value: float64(seasons)})
	if seasons == 0 {
		rec.Explanation += "; no forecast yet (less than a season of history)"
		return rec
	}
	head := fmt.Sprintf("; forecast for %s: %.4g requests/s over %d seasons -> ceil(%.4g / %.4g) = %d",
		simT(at), rps, seasons, rps, p.cfg.TargetPerInstance, capacity)
	if p.cfg.ForecastOnly {
		rec.Explanation += head + " (forecast only)"
		return rec
	}
	reactive := o.Current
	if rec.Valid {
		reactive = rec.Desired
	}
	if capacity <= reactive {
		rec.Explanation += head + fmt.Sprintf(", the reactive %d is larger", reactive)
		return rec
	}
	d := capacity
	if o.Max > 0 && d > o.Max {
		d = o.Max
	}
	rec.Explanation += head + fmt.Sprintf(", above the reactive %d -> %d", reactive, d)
	if !rec.Valid {
		rec.Raw = capacity
	}
	rec.Limits = append(rec.Limits, Limit{Name: "forecast", From: reactive, To: d,
		Detail: fmt.Sprintf("forecast capacity %d for %s", capacity, simT(at))})
	rec.Valid, rec.Desired = true, d
	switch {
	case d > o.Current:
		rec.Reason = ReasonScaleUp
	case d < o.Current:
		rec.Reason = ReasonScaleDown
	default:
		rec.Reason = ReasonForecast
	}
	return rec
}

// ReasonForecast: the forecast capacity held the count.
const ReasonForecast Reason = "forecast"
