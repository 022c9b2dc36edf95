package sim

import (
	"fmt"
	"math"
	"time"
)

// Dist is a probability distribution over non-negative reals. Its unit is
// the caller's: the scenario format uses seconds for durations. Values are
// small value types with the random source passed to Sample explicitly (as
// gonum's distuv does), so a distribution holds no hidden state.
type Dist interface {
	// Sample draws one value using r.
	Sample(r *Rand) float64
	// Average is the distribution's expected value.
	Average() float64
	// String describes the distribution and its parameters.
	String() string
}

// Prepare returns a distribution that draws exactly the values d draws,
// from the same source, with whatever d derives from its parameters
// computed once instead of at every draw. The prepared distributions are
// pointers with pointer-receiver Sample methods: a call through the Dist
// interface reaches their Sample directly, where a value's goes through a
// wrapper that copies the value first. A simulation prepares its
// distributions when it is built; d itself stays a plain value.
func Prepare(d Dist) Dist {
	if p, ok := d.(interface{ prepared() Dist }); ok {
		return p.prepared()
	}
	return d
}

// SampleDuration draws from d, read in seconds, as a duration rounded to
// the nearest nanosecond. Negative and NaN draws are clamped to zero, and
// draws beyond the largest Duration (about 292 years, which a heavy-tailed
// Pareto can produce) to the largest Duration, so the result is always a
// valid delay for Engine.After.
func SampleDuration(d Dist, r *Rand) time.Duration {
	return secondsToDuration(d.Sample(r))
}

// secondsToDuration rounds s seconds to the nearest nanosecond, clamping as
// SampleDuration describes. (Converting an out-of-range float to an integer
// is implementation-defined in Go; on amd64 it gives the most negative
// int64, which would be a delay in the past.)
func secondsToDuration(s float64) time.Duration {
	if !(s > 0) { // also NaN
		return 0
	}
	ns := float64(s*1e9) + 0.5
	if ns >= 1<<63 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// Constant always returns Value. It draws nothing from the source.
type Constant struct{ Value float64 }

func (d Constant) Sample(*Rand) float64 { return d.Value }
func (d Constant) Average() float64     { return d.Value }
func (d Constant) String() string       { return fmt.Sprintf("constant(%g)", d.Value) }

// Exponential has the given mean (rate 1/Mean).
type Exponential struct{ Mean float64 }

func (d Exponential) Sample(r *Rand) float64 { return r.ExpFloat64() * d.Mean }
func (d Exponential) Average() float64       { return d.Mean }
func (d Exponential) String() string         { return fmt.Sprintf("exponential(mean=%g)", d.Mean) }

// prepared is d behind a pointer (see Prepare).
func (d Exponential) prepared() Dist { return &preparedExponential{d} }

type preparedExponential struct{ Exponential }

func (d *preparedExponential) Sample(r *Rand) float64 { return r.ExpFloat64() * d.Mean }

// LogNormal is parameterised by its own mean and standard deviation (not
// those of the underlying normal), which is how people describe service
// times: "mean 50 ms, stddev 30 ms".
type LogNormal struct{ Mean, StdDev float64 }

func (d LogNormal) params() (mu, sigma float64) {
	v := math.Log1p((d.StdDev * d.StdDev) / (d.Mean * d.Mean))
	return Log(d.Mean) - float64(v/2), math.Sqrt(v)
}

func (d LogNormal) Sample(r *Rand) float64 {
	mu, sigma := d.params()
	return Exp(mu + float64(sigma*r.NormFloat64()))
}

// prepared is d with mu and sigma computed once, behind a pointer (see
// Prepare).
func (d LogNormal) prepared() Dist {
	mu, sigma := d.params()
	return &preparedLogNormal{LogNormal: d, mu: mu, sigma: sigma}
}

// preparedLogNormal samples exactly as its LogNormal does, without
// computing its parameters (a Log1p, a Log and a Sqrt) at every draw.
type preparedLogNormal struct {
	LogNormal
	mu, sigma float64
}

func (d *preparedLogNormal) Sample(r *Rand) float64 {
	return Exp(d.mu + float64(d.sigma*r.NormFloat64()))
}
func (d LogNormal) Average() float64 { return d.Mean }
func (d LogNormal) String() string {
	return fmt.Sprintf("lognormal(mean=%g, stddev=%g)", d.Mean, d.StdDev)
}

// Uniform is uniform on [Min, Max).
type Uniform struct{ Min, Max float64 }

func (d Uniform) Sample(r *Rand) float64 { return d.Min + float64((d.Max-d.Min)*r.Float64()) }
func (d Uniform) Average() float64       { return (d.Min + d.Max) / 2 }
func (d Uniform) String() string         { return fmt.Sprintf("uniform(%g, %g)", d.Min, d.Max) }

// Pareto is the Pareto (type I) distribution with the given mean and shape
// alpha > 1; its scale (minimum) is Mean*(Shape-1)/Shape. Shapes near 1
// give the heavy tails seen in real request sizes; the variance is infinite
// for Shape <= 2.
type Pareto struct{ Mean, Shape float64 }

// Scale is the distribution's minimum value x_m.
func (d Pareto) Scale() float64 { return d.Mean * (d.Shape - 1) / d.Shape }

func (d Pareto) Sample(r *Rand) float64 {
	// 1-Float64() lies in (0, 1], so the power is finite.
	return d.Scale() / Pow(1-float64(r.Float64()), 1/d.Shape)
}

// prepared is d with its scale and exponent computed once, behind a
// pointer (see Prepare).
func (d Pareto) prepared() Dist {
	return &preparedPareto{Pareto: d, scale: d.Scale(), exp: 1 / d.Shape}
}

type preparedPareto struct {
	Pareto
	scale, exp float64
}

func (d *preparedPareto) Sample(r *Rand) float64 {
	return d.scale / Pow(1-float64(r.Float64()), d.exp)
}
func (d Pareto) Average() float64 { return d.Mean }
func (d Pareto) String() string {
	return fmt.Sprintf("pareto(mean=%g, shape=%g)", d.Mean, d.Shape)
}
