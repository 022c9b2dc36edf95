package scenarios

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Profile is the arrival rate of one service's traffic over time, in
// requests per second: the sum of the pattern's additive components
// (constant, ramp, step, diurnal, trace), times the product of the spike
// factors active at that moment, floored at 0.
//
// Between consecutive breakpoints (a ramp's start and end, a step, a
// spike's edges, a trace's rows) every component is smooth, so the
// arrival processes below handle the time line piece by piece: exactly
// where the rate is constant, by thinning or numerical integration where
// it is not. A Profile is immutable and safe to share.
type Profile struct {
	terms  []term
	spikes []spike
	breaks []sim.Time // sorted, distinct
	window sim.Time   // longest stretch over which a smooth rate is bounded at once
}

type termKind uint8

const (
	termConstant termKind = iota
	termRamp
	termStep
	termDiurnal
	termTrace
)

type term struct {
	kind   termKind
	a, b   float64  // constant, step: rps a; ramp: from a to b; diurnal: mean a, amplitude b
	t0, t1 sim.Time // ramp: start, end; step: at; diurnal: peak, period
	omega  float64  // diurnal: radians per nanosecond
	pts    []point  // trace
	step   bool     // trace: step interpolation
}

type point struct {
	t sim.Time
	r float64
}

type spike struct {
	from, to sim.Time // active on [from, to)
	f        float64
}

// thinningWindow bounds how far ahead one rate bound is taken for a smooth
// (non-constant) stretch: short enough that the bound stays tight, so few
// candidates are thinned away.
const thinningWindow = sim.Time(time.Minute)

// NewProfile compiles a validated traffic pattern.
func NewProfile(pattern []Component) *Profile {
	p := &Profile{window: thinningWindow}
	for _, c := range pattern {
		if d := lookupComponent(c.Type); d != nil {
			d.compile(p, c)
		}
	}
	slices.Sort(p.breaks)
	p.breaks = slices.Compact(p.breaks)
	return p
}

// The components' contributions to a Profile (ComponentDef.compile).

func at(d time.Duration) sim.Time { return sim.At(d) }

func compileConstant(p *Profile, c Component) {
	p.terms = append(p.terms, term{kind: termConstant, a: c.RPS})
}

func compileStep(p *Profile, c Component) {
	p.terms = append(p.terms, term{kind: termStep, a: c.RPS, t0: at(c.At)})
	p.breaks = append(p.breaks, at(c.At))
}

func compileRamp(p *Profile, c Component) {
	p.terms = append(p.terms, term{kind: termRamp, a: c.From, b: c.To, t0: at(c.Start), t1: at(c.End)})
	p.breaks = append(p.breaks, at(c.Start), at(c.End))
}

func compileDiurnal(p *Profile, c Component) {
	period := at(c.Period)
	if period <= 0 { // not validated: the mean alone
		p.terms = append(p.terms, term{kind: termConstant, a: c.Mean})
		return
	}
	p.terms = append(p.terms, term{kind: termDiurnal, a: c.Mean, b: c.Amplitude,
		t0: at(c.PeakAt) % period, t1: period, omega: 2 * math.Pi / float64(period)})
	if c.Amplitude != 0 {
		p.window = max(min(p.window, period/64), sim.Time(time.Millisecond))
	}
}

func compileSpike(p *Profile, c Component) {
	p.spikes = append(p.spikes, spike{from: at(c.At), to: at(c.At + c.Duration), f: c.Factor})
	p.breaks = append(p.breaks, at(c.At), at(c.At+c.Duration))
}

func compileTrace(p *Profile, c Component) {
	t := term{kind: termTrace, step: c.Interpolation == "step"}
	for _, x := range c.Points {
		t.pts = append(t.pts, point{t: at(x.At), r: x.RPS * c.Scale})
		p.breaks = append(p.breaks, at(x.At))
	}
	if len(t.pts) > 0 {
		p.terms = append(p.terms, t)
	}
}

// Profile returns the traffic's rate function.
func (t *Traffic) Profile() *Profile { return NewProfile(t.Pattern) }

// PeakRate is an upper bound of p's rate over a run of the given duration,
// in requests per second: the largest Bound over the stretches between
// spike edges, so spikes that do not overlap are not multiplied together.
// It is exact for constant, step, ramp, diurnal and trace components.
func PeakRate(p *Profile, duration time.Duration) float64 {
	end := sim.At(duration)
	if end <= 0 {
		return 0
	}
	edges := []sim.Time{0, end}
	for _, s := range p.spikes {
		for _, t := range []sim.Time{s.from, s.to} {
			if t > 0 && t < end {
				edges = append(edges, t)
			}
		}
	}
	slices.Sort(edges)
	edges = slices.Compact(edges)
	peak := 0.0
	for i := 0; i+1 < len(edges); i++ {
		peak = max(peak, p.Bound(edges[i], edges[i+1]-1))
	}
	return peak
}

// Rate is the arrival rate at t, in requests per second.
func (p *Profile) Rate(t sim.Time) float64 {
	sum := 0.0
	for i := range p.terms {
		sum += p.terms[i].value(t)
	}
	if sum <= 0 {
		return 0
	}
	for _, s := range p.spikes {
		if t >= s.from && t < s.to {
			sum *= s.f
		}
	}
	return sum
}

// Bound is an upper bound of Rate over [from, to], tight when the interval
// holds no breakpoint: every component is then monotone or has a known
// maximum there.
func (p *Profile) Bound(from, to sim.Time) float64 {
	sum := 0.0
	for i := range p.terms {
		sum += p.terms[i].bound(from, to)
	}
	if sum <= 0 {
		return 0
	}
	for _, s := range p.spikes {
		switch {
		case from >= s.from && to < s.to: // inside the spike throughout
			sum *= s.f
		case from < s.to && to >= s.from: // partly
			sum *= max(s.f, 1)
		}
	}
	return sum
}

// Integral is the expected number of arrivals in [from, to): the integral
// of the rate, exact on constant and linear stretches and accurate to
// about 1e-12 relative on diurnal ones.
func (p *Profile) Integral(from, to sim.Time) float64 {
	sum := 0.0
	for t := from; t < to; {
		pe := min(p.nextBreak(t), to)
		if p.constantOn(t, pe) {
			sum += p.Rate(t) * float64(pe-t) / 1e9
		} else {
			for a := t; a < pe; {
				b := min(a+p.window, pe)
				sum += p.gauss(float64(a), float64(b))
				a = b
			}
		}
		t = pe
	}
	return sum
}

// nextBreak returns the first breakpoint after t, or sim.Never.
func (p *Profile) nextBreak(t sim.Time) sim.Time {
	i := sort.Search(len(p.breaks), func(i int) bool { return p.breaks[i] > t })
	if i == len(p.breaks) {
		return sim.Never
	}
	return p.breaks[i]
}

// constantOn reports whether the rate is constant on [a, b), an interval
// without breakpoints inside.
func (p *Profile) constantOn(a, b sim.Time) bool {
	for i := range p.terms {
		t := &p.terms[i]
		switch t.kind {
		case termDiurnal:
			if t.b != 0 {
				return false
			}
		case termRamp:
			if t.a != t.b && a < t.t1 && b > t.t0 {
				return false
			}
		case termTrace:
			if !t.step {
				j := sort.Search(len(t.pts), func(j int) bool { return t.pts[j].t > a })
				if j > 0 && j < len(t.pts) && t.pts[j-1].r != t.pts[j].r {
					return false
				}
			}
		}
	}
	return true
}

// Gauss-Legendre nodes and weights on [-1, 1], 5 points: exact for
// polynomials up to degree 9.
var (
	glX = [5]float64{-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640}
	glW = [5]float64{0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891}
)

// gauss integrates the rate over [a, b] (nanoseconds, within one piece),
// giving the expected number of arrivals.
func (p *Profile) gauss(a, b float64) float64 {
	mid, half := float64((a+b)/2), float64((b-a)/2)
	s := 0.0
	for i, x := range glX {
		s += float64(glW[i] * p.Rate(sim.Time(math.Round(mid+float64(half*x)))))
	}
	return s * half / 1e9
}

func (t *term) value(at sim.Time) float64 {
	switch t.kind {
	case termConstant:
		return t.a
	case termStep:
		if at >= t.t0 {
			return t.a
		}
		return 0
	case termRamp:
		switch {
		case at < t.t0:
			return t.a
		case at >= t.t1:
			return t.b
		}
		return t.a + (t.b-t.a)*float64(at-t.t0)/float64(t.t1-t.t0)
	case termDiurnal:
		d := (at - t.t0) % t.t1
		return t.a + float64(t.b*math.Cos(t.omega*float64(d)))
	case termTrace:
		j := sort.Search(len(t.pts), func(j int) bool { return t.pts[j].t > at })
		switch {
		case j == 0:
			return t.pts[0].r
		case j == len(t.pts) || t.step:
			return t.pts[j-1].r
		}
		p, q := t.pts[j-1], t.pts[j]
		return p.r + (q.r-p.r)*float64(at-p.t)/float64(q.t-p.t)
	}
	return 0
}

func (t *term) bound(from, to sim.Time) float64 {
	switch t.kind {
	case termStep:
		switch {
		case from >= t.t0:
			return t.a
		case to < t.t0:
			return 0
		}
		return max(t.a, 0)
	case termDiurnal:
		if to-from >= t.t1 {
			return t.a + t.b
		}
		// The first peak at or after from.
		next := from + ((t.t0-from)%t.t1+t.t1)%t.t1
		if next <= to {
			return t.a + t.b
		}
	case termTrace:
		m := max(t.value(from), t.value(to))
		j := sort.Search(len(t.pts), func(j int) bool { return t.pts[j].t > from })
		for ; j < len(t.pts) && t.pts[j].t <= to; j++ {
			m = max(m, t.pts[j].r)
		}
		return m
	}
	// Constant and ramp are monotone; a diurnal stretch without a peak
	// has its maximum at an end.
	return max(t.value(from), t.value(to))
}

// Arrivals generates the arrival times of one service's requests. It does
// not allocate after construction.
type Arrivals struct {
	p    *Profile
	rng  *sim.Rand
	end  sim.Time
	even bool

	// Poisson: the stretch [segStart, segEnd) and the rate bound over it.
	segStart, segEnd sim.Time
	segEndF          float64 // float64(segEnd), compared with every gap
	lamSec           float64 // bound, per second
	lamNs            float64 // bound, per nanosecond
	exact            bool    // the rate is constant on the stretch: no thinning
	// steady: exact with a positive rate, so that an arrival inside the
	// stretch costs one exponential gap and an add (Next's fast path).
	steady bool

	// Constant (evenly spaced): the next arrival is where the integral of
	// the rate from pos reaches need.
	pos, need float64 // nanoseconds, arrivals
	// On a piece of constant rate, arrival j is at
	// cStart + (cNeed+j)/cRate, computed afresh each time so that no
	// rounding error accumulates.
	inConst      bool
	cStart, cEnd float64
	cNeed, cRate float64
	cJ           float64
}

// NewArrivals returns the arrival process of the given kind (ArrivalsPoisson
// or ArrivalsConstant) for rate function p, drawing from r, with no
// arrival at or after end.
//
//   - poisson: a non-homogeneous Poisson process, exact: on a stretch of
//     constant rate, exponential gaps; elsewhere Lewis-Shedler thinning
//     against the rate's bound over the next minute or up to the next
//     breakpoint, whichever is nearer (the process is memoryless, so
//     starting over at the end of a stretch is exact).
//   - constant: deterministic, evenly spaced in the integrated rate: the
//     k-th arrival is at the time the integral of the rate from 0 reaches
//     k. With a constant rate r the arrivals are at 1/r, 2/r, 3/r, ...
//     (the first one a full gap after the start, so that a run of length T
//     gets floor(rT) of them). It draws nothing from r.
func NewArrivals(p *Profile, kind string, r *sim.Rand, end sim.Time) *Arrivals {
	return &Arrivals{p: p, rng: r, end: end, even: kind == ArrivalsConstant, segStart: -1, segEnd: -1, need: 1}
}

// Process returns the traffic's arrival process until end.
func (t *Traffic) Process(r *sim.Rand, end sim.Time) *Arrivals {
	return NewArrivals(t.Profile(), t.Arrivals, r, end)
}

// Next returns the next arrival time, or sim.Never when there is none
// before the end. now is the time of the previous arrival (or the start,
// on the first call): the Poisson process draws the next arrival after
// now; the constant process keeps its own phase and skips arrivals before
// now. Arrival times never decrease; two arrivals may share a nanosecond.
func (a *Arrivals) Next(now sim.Time) sim.Time {
	if a.even {
		for {
			t := a.evenStep()
			if t >= now || t == sim.Never {
				return t
			}
		}
	}
	if a.steady && now >= a.segStart && now < a.segEnd {
		// The common case, a constant rate: the first iteration of
		// poisson's loop with everything it checks known to hold, and
		// the same draw.
		dt := a.rng.ExpFloat64() / a.lamNs
		if float64(now)+dt < a.segEndF {
			if next := now + sim.Time(dt+0.5); next < a.segEnd {
				return next
			}
		}
		return a.poisson(a.segEnd) // memoryless: start over at the next stretch
	}
	return a.poisson(now)
}

// poisson draws the next arrival after now, stretch by stretch.
func (a *Arrivals) poisson(now sim.Time) sim.Time {
	t := max(now, 0)
	for t < a.end {
		if t < a.segStart || t >= a.segEnd {
			a.segment(t)
		}
		if a.lamNs <= 0 {
			t = a.segEnd
			continue
		}
		dt := a.rng.ExpFloat64() / a.lamNs
		if float64(t)+dt >= a.segEndF {
			t = a.segEnd // memoryless: start over with the next stretch's bound
			continue
		}
		next := t + sim.Time(dt+0.5)
		if next >= a.segEnd {
			t = a.segEnd
			continue
		}
		if a.exact || a.rng.Float64()*a.lamSec <= a.p.Rate(next) {
			return next
		}
		t = next
	}
	return sim.Never
}

// segment sets up the stretch that starts at t.
func (a *Arrivals) segment(t sim.Time) {
	pe := min(a.p.nextBreak(t), a.end)
	a.segStart = t
	if a.p.constantOn(t, pe) {
		a.segEnd, a.exact = pe, true
		a.lamSec = a.p.Rate(t)
	} else {
		a.segEnd, a.exact = min(t+a.p.window, pe), false
		a.lamSec = a.p.Bound(t, a.segEnd)
	}
	a.lamNs = a.lamSec / 1e9
	a.segEndF = float64(a.segEnd)
	a.steady = a.exact && a.lamNs > 0
}

func (a *Arrivals) evenStep() sim.Time {
	endF := float64(a.end)
	for {
		if a.inConst {
			t := a.cStart + (a.cNeed+a.cJ)/a.cRate
			if t < a.cEnd {
				a.cJ++
				a.pos = t
				if at := sim.Time(math.Round(t)); at < a.end {
					return at
				}
				return sim.Never
			}
			a.need = max(a.cNeed+a.cJ-float64((a.cEnd-a.cStart)*a.cRate), 0)
			a.pos, a.inConst = a.cEnd, false
			continue
		}
		if a.pos >= endF {
			return sim.Never
		}
		ti := sim.Time(math.Floor(a.pos))
		pe := min(a.p.nextBreak(ti), a.end)
		peF := float64(pe)
		if a.p.constantOn(ti, pe) {
			r := a.p.Rate(ti) / 1e9
			if r <= 0 {
				a.pos = peF
				continue
			}
			a.inConst, a.cStart, a.cEnd, a.cNeed, a.cRate, a.cJ = true, a.pos, peF, a.need, r, 0
			continue
		}
		// A smooth piece: integrate ahead a little at a time (about two
		// gaps, at most one window) until the integral reaches need.
		h := float64(a.p.window)
		if r0 := a.p.Rate(ti) / 1e9; r0 > 0 {
			h = min(h, max(2*a.need/r0, 1e6))
		}
		b := min(a.pos+h, peF)
		in := a.p.gauss(a.pos, b)
		if in < a.need {
			a.need -= in
			a.pos = b
			continue
		}
		t := a.p.solve(a.pos, b, a.need, in)
		a.pos, a.need = t, 1
		if at := sim.Time(math.Round(t)); at < a.end {
			return at
		}
		return sim.Never
	}
}

// solve finds t in (a, b] where the integral of the rate from a reaches
// need, given that it is total at b; Newton's method kept inside a
// shrinking bracket.
func (p *Profile) solve(a, b, need, total float64) float64 {
	lo, hi := a, b
	t := a + (b-a)*need/total
	for range 100 {
		f := p.gauss(a, t) - need
		if math.Abs(f) < 1e-12 {
			break
		}
		if f > 0 {
			hi = t
		} else {
			lo = t
		}
		r := p.Rate(sim.Time(math.Round(t))) / 1e9
		next := (lo + hi) / 2
		if r > 0 {
			if n := t - f/r; n > lo && n < hi {
				next = n
			}
		}
		if math.Abs(next-t) < 1e-3 || hi-lo < 1e-3 {
			return next
		}
		t = next
	}
	return t
}
