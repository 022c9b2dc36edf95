package sim

import (
	"math"
	"testing"
	"time"
)

// The statistical tests compare sample moments with theory. A sample mean
// of n draws has standard error sqrt(Var/n), and a sample variance has
// standard error sqrt((mu4 - Var^2)/n) to first order, where mu4 is the
// fourth central moment. A check passes within 5 standard errors, which a
// correct sampler misses with probability below 1e-6; the seeds are fixed,
// so the outcome is reproducible either way. A wrong formula (say, a
// lognormal parameterised by the underlying normal's mean) is off by many
// standard errors and fails.

const nSamples = 200_000

// moments holds a distribution's theoretical mean, variance and fourth
// central moment.
type moments struct{ mean, variance, mu4 float64 }

// centralFromRaw turns raw moments E[X], E[X^2], E[X^3], E[X^4] into
// moments.
func centralFromRaw(m1, m2, m3, m4 float64) moments {
	return moments{
		mean:     m1,
		variance: m2 - m1*m1,
		mu4:      m4 - 4*m1*m3 + 6*m1*m1*m2 - 3*m1*m1*m1*m1,
	}
}

func checkMoments(t *testing.T, d Dist, want moments, seed uint64) {
	t.Helper()
	r := NewRand(seed, 99)
	var sum float64
	xs := make([]float64, nSamples)
	for i := range xs {
		xs[i] = d.Sample(r)
		sum += xs[i]
	}
	n := float64(nSamples)
	mean := sum / n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	variance := ss / (n - 1)

	if se := math.Sqrt(want.variance / n); math.Abs(mean-want.mean) > 5*se {
		t.Errorf("%v: sample mean %.6g, want %.6g ± %.3g (5 standard errors)", d, mean, want.mean, 5*se)
	}
	if se := math.Sqrt((want.mu4 - want.variance*want.variance) / n); math.Abs(variance-want.variance) > 5*se {
		t.Errorf("%v: sample variance %.6g, want %.6g ± %.3g (5 standard errors)", d, variance, want.variance, 5*se)
	}
	if d.Average() != want.mean {
		t.Errorf("%v: Average() = %g, want %g", d, d.Average(), want.mean)
	}
}

func TestExponentialMoments(t *testing.T) {
	for _, mean := range []float64{0.05, 1, 30} {
		// Var = mean^2, mu4 = 9 mean^4.
		checkMoments(t, Exponential{Mean: mean}, moments{mean, mean * mean, 9 * math.Pow(mean, 4)}, 1)
	}
}

func TestUniformMoments(t *testing.T) {
	for _, d := range []Uniform{{0, 1}, {0.02, 0.08}, {5, 6}} {
		w := d.Max - d.Min
		// Var = w^2/12, mu4 = w^4/80.
		checkMoments(t, d, moments{(d.Min + d.Max) / 2, w * w / 12, math.Pow(w, 4) / 80}, 2)
	}
	r := NewRand(3, 3)
	d := Uniform{Min: 2, Max: 3}
	for range 10000 {
		if x := d.Sample(r); x < 2 || x >= 3 {
			t.Fatalf("%v drew %g", d, x)
		}
	}
}

func TestLogNormalMoments(t *testing.T) {
	for _, d := range []LogNormal{{Mean: 0.05, StdDev: 0.03}, {Mean: 1, StdDev: 0.5}, {Mean: 2, StdDev: 2}} {
		// X = exp(N(mu, sigma^2)) has E[X^k] = exp(k mu + k^2 sigma^2 / 2).
		// mu and sigma are derived here independently of params().
		s2 := math.Log(1 + d.StdDev*d.StdDev/(d.Mean*d.Mean))
		mu := math.Log(d.Mean) - s2/2
		raw := func(k float64) float64 { return math.Exp(k*mu + k*k*s2/2) }
		want := centralFromRaw(raw(1), raw(2), raw(3), raw(4))
		if math.Abs(want.mean-d.Mean) > 1e-12*d.Mean || math.Abs(math.Sqrt(want.variance)-d.StdDev) > 1e-9*d.StdDev {
			t.Fatalf("test bug: theoretical moments %+v for %v", want, d)
		}
		checkMoments(t, d, want, 4)

		// The median is exp(mu): half the draws fall below it (binomial
		// standard error sqrt(0.25/n)).
		r := NewRand(5, 5)
		below := 0
		for range nSamples {
			if d.Sample(r) < math.Exp(mu) {
				below++
			}
		}
		if p, se := float64(below)/nSamples, math.Sqrt(0.25/nSamples); math.Abs(p-0.5) > 5*se {
			t.Errorf("%v: %.4f of draws below the median, want 0.5 ± %.4f", d, p, 5*se)
		}
	}
}

func TestParetoMoments(t *testing.T) {
	// The fourth moment is finite only for Shape > 4, so the variance check
	// needs a thin tail; heavy tails are checked through the CDF below.
	for _, d := range []Pareto{{Mean: 1, Shape: 6}, {Mean: 0.2, Shape: 9}} {
		xm, a := d.Scale(), d.Shape
		// E[X^k] = a xm^k / (a - k) for k < a.
		raw := func(k float64) float64 { return a * math.Pow(xm, k) / (a - k) }
		want := centralFromRaw(raw(1), raw(2), raw(3), raw(4))
		if math.Abs(want.mean-d.Mean) > 1e-12 {
			t.Fatalf("test bug: theoretical mean %g for %v", want.mean, d)
		}
		checkMoments(t, d, want, 6)
	}
}

func TestParetoScaleAndTail(t *testing.T) {
	for _, d := range []Pareto{{Mean: 1, Shape: 1.5}, {Mean: 0.1, Shape: 3}} {
		if want := d.Mean * (d.Shape - 1) / d.Shape; d.Scale() != want {
			t.Errorf("%v: Scale() = %g, want %g", d, d.Scale(), want)
		}
		r := NewRand(7, 7)
		lo := math.Inf(1)
		over := 0 // draws above 2 Scale: P = 2^-Shape
		for range nSamples {
			x := d.Sample(r)
			if math.IsInf(x, 0) || math.IsNaN(x) {
				t.Fatalf("%v drew %g", d, x)
			}
			lo = min(lo, x)
			if x > 2*d.Scale() {
				over++
			}
		}
		// The minimum is Scale: no draw below it, and with this many draws
		// one lands within 0.1% of it (missing has probability
		// 1.001^(-Shape*n) < e^-300).
		if lo < d.Scale() || lo > d.Scale()*1.001 {
			t.Errorf("%v: smallest draw %g, want just above Scale = %g", d, lo, d.Scale())
		}
		p := math.Pow(2, -d.Shape)
		if got, se := float64(over)/nSamples, math.Sqrt(p*(1-p)/nSamples); math.Abs(got-p) > 5*se {
			t.Errorf("%v: P(X > 2 Scale) = %.4f, want %.4f ± %.4f", d, got, p, 5*se)
		}
	}
}

func TestConstantDrawsNothing(t *testing.T) {
	r1 := NewRand(8, 8)
	r2 := NewRand(8, 8)
	d := Constant{Value: 0.25}
	for range 10 {
		if x := d.Sample(r1); x != 0.25 {
			t.Fatalf("%v drew %g", d, x)
		}
	}
	if r1.Uint64() != r2.Uint64() {
		t.Error("Constant consumed random numbers")
	}
	if d.Average() != 0.25 {
		t.Errorf("Average() = %g", d.Average())
	}
}

func TestDistStrings(t *testing.T) {
	for d, want := range map[Dist]string{
		Constant{0.5}:             "constant(0.5)",
		Exponential{0.05}:         "exponential(mean=0.05)",
		LogNormal{0.05, 0.03}:     "lognormal(mean=0.05, stddev=0.03)",
		Uniform{1, 2}:             "uniform(1, 2)",
		Pareto{Mean: 1, Shape: 2}: "pareto(mean=1, shape=2)",
	} {
		if got := d.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestSampleDuration(t *testing.T) {
	r := NewRand(1, 1)
	for _, c := range []struct {
		seconds float64
		want    time.Duration
	}{
		{1.5, 1500 * time.Millisecond},
		{0.050, 50 * time.Millisecond},
		{6.5e-5, 65 * time.Microsecond}, // 6.5e-5*1e9 is 64999.99999999999: must round
		{1.4e-9, 1},                     // rounds down
		{1.6e-9, 2},                     // rounds up
		{0.4e-9, 0},                     // rounds to zero
		{0, 0},                          // zero
		{-3, 0},                         // negative: clamped
		{math.NaN(), 0},                 // NaN: clamped
		{math.Inf(-1), 0},               // -Inf: clamped
		{1e10, math.MaxInt64},           // 1e19 ns: just beyond Duration (but below 2^64)
		{1e12, math.MaxInt64},           // ~31700 years
		{math.Inf(1), math.MaxInt64},
		{9.2e9, time.Duration(9.2e18)}, // just inside the range
	} {
		if got := SampleDuration(Constant{c.seconds}, r); got != c.want {
			t.Errorf("SampleDuration(constant(%g)) = %v (%d ns), want %d ns", c.seconds, got, int64(got), int64(c.want))
		}
	}

	// A heavy-tailed draw must never come back negative.
	d := Pareto{Mean: 1, Shape: 1.05}
	for range 100_000 {
		if got := SampleDuration(d, r); got < 0 {
			t.Fatalf("SampleDuration(%v) = %d", d, got)
		}
	}
}

// A prepared distribution draws exactly the values of the one it
// prepares, from the same source, and describes itself the same way.
func TestPrepareDrawsTheSameValues(t *testing.T) {
	for _, d := range []Dist{
		LogNormal{Mean: 0.025, StdDev: 0.02}, LogNormal{Mean: 3, StdDev: 10},
		Pareto{Mean: 1, Shape: 1.5}, Pareto{Mean: 0.2, Shape: 3},
		Exponential{Mean: 2}, Constant{Value: 1},
	} {
		p := Prepare(d)
		a, b := NewStreams(7).Get("x"), NewStreams(7).Get("x")
		for k := 0; k < 10000; k++ {
			if x, y := d.Sample(a), p.Sample(b); x != y {
				t.Fatalf("%v: draw %d is %v, prepared %v", d, k, x, y)
			}
		}
		if p.String() != d.String() || p.Average() != d.Average() {
			t.Errorf("%v: prepared describes itself as %v, mean %v", d, p, p.Average())
		}
	}
}

var sinkSample float64

// BenchmarkPreparedSample draws from prepared distributions through the
// Dist interface, as the cluster draws a request's demand.
func BenchmarkPreparedSample(b *testing.B) {
	for _, d := range []Dist{Exponential{Mean: 1}, LogNormal{Mean: 0.04, StdDev: 0.03}} {
		b.Run(d.String(), func(b *testing.B) {
			p, r := Prepare(d), NewStreams(1).Get("x")
			s := 0.0
			for b.Loop() {
				s += p.Sample(r)
			}
			sinkSample = s
		})
	}
}
