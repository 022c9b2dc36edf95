package scenarios

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Tolerances: the number of Poisson arrivals in a window has variance
// equal to its mean, so a count within 5 standard deviations of the
// integral of the rate fails by chance with probability below 1e-6 per
// check. The seeds are fixed, so the tests are deterministic anyway.

func pattern(t *testing.T, yaml string) *Profile {
	t.Helper()
	s := mustParse(t, "name: x\nduration: 10h\nservices:\n  web: {demand: {cpu: 1ms}}\ntraffic:\n  web:\n"+yaml)
	return s.Traffic[0].Profile()
}

func rng(seed uint64) *sim.Rand { return sim.NewStreams(seed).Get("arrivals/web") }

func sec(s float64) sim.Time { return sim.FromSeconds(s) }

// counts runs the process to the end and counts arrivals per bin.
func counts(t *testing.T, a *Arrivals, end sim.Time, bin time.Duration) []float64 {
	t.Helper()
	c := make([]float64, int((end.Duration()+bin-1)/bin))
	prev := sim.Time(0)
	for now := a.Next(0); now != sim.Never; now = a.Next(now) {
		if now < prev || now >= end {
			t.Fatalf("arrival at %v after %v (end %v)", now, prev, end)
		}
		prev = now
		c[int(now.Duration()/bin)]++
	}
	return c
}

// checkBins compares Poisson counts per bin with the integral of the rate.
func checkBins(t *testing.T, p *Profile, c []float64, bin time.Duration) {
	t.Helper()
	for i, got := range c {
		from := sim.At(time.Duration(i) * bin)
		want := p.Integral(from, from.Add(bin))
		if math.Abs(got-want) > 5*math.Sqrt(want)+1e-9 {
			t.Errorf("bin %d (%v): %g arrivals, expected %.1f ± %.1f", i, from, got, want, 5*math.Sqrt(want))
		}
	}
}

func TestConstantRatePoisson(t *testing.T) {
	p := pattern(t, "    rate: 50\n")
	end := sim.At(2 * time.Hour)
	c := counts(t, NewArrivals(p, ArrivalsPoisson, rng(1), end), end, 2*time.Hour)
	mean := 50 * 7200.0
	if math.Abs(c[0]-mean) > 5*math.Sqrt(mean) {
		t.Errorf("%g arrivals, expected %g ± %g", c[0], mean, 5*math.Sqrt(mean))
	}
	if got := p.Integral(0, end); got != mean {
		t.Errorf("integral %g, want %g", got, mean)
	}
}

// The gaps of a constant-rate Poisson process are exponential: their mean
// and their coefficient of variation (1) match.
func TestPoissonGaps(t *testing.T) {
	p := pattern(t, "    rate: 10\n")
	a := NewArrivals(p, ArrivalsPoisson, rng(2), sim.At(10*time.Hour))
	var n, sum, sumSq float64
	prev := sim.Time(0)
	for now := a.Next(0); now != sim.Never; now = a.Next(now) {
		g := (now - prev).Seconds()
		n, sum, sumSq = n+1, sum+g, sumSq+g*g
		prev = now
	}
	mean := sum / n
	sd := math.Sqrt(sumSq/n - mean*mean)
	if math.Abs(mean-0.1) > 5*0.1/math.Sqrt(n) {
		t.Errorf("mean gap %g, want 0.1", mean)
	}
	if cv := sd / mean; math.Abs(cv-1) > 0.01 {
		t.Errorf("coefficient of variation %g, want 1", cv)
	}
}

func TestRampPoisson(t *testing.T) {
	p := pattern(t, "    pattern: [{type: ramp, from: 10, to: 200, start: 10m, end: 1h10m}]\n")
	for at, want := range map[time.Duration]float64{0: 10, 10 * time.Minute: 10, 40 * time.Minute: 105, 70 * time.Minute: 200, 2 * time.Hour: 200} {
		if got := p.Rate(sim.At(at)); math.Abs(got-want) > 1e-9 {
			t.Errorf("rate at %v = %g, want %g", at, got, want)
		}
	}
	// The integral over the ramp is its trapezoid.
	if got, want := p.Integral(sim.At(10*time.Minute), sim.At(70*time.Minute)), (10+200)/2.0*3600; math.Abs(got-want) > 1e-6 {
		t.Errorf("integral %g, want %g", got, want)
	}
	end := sim.At(90 * time.Minute)
	bin := 5 * time.Minute
	checkBins(t, p, counts(t, NewArrivals(p, ArrivalsPoisson, rng(3), end), end, bin), bin)
}

func TestDiurnalPoisson(t *testing.T) {
	p := pattern(t, "    pattern: [{type: diurnal, mean: 60, amplitude: 50, period: 1h, peak_at: 15m}]\n")
	if got := p.Rate(sim.At(15 * time.Minute)); math.Abs(got-110) > 1e-9 {
		t.Errorf("peak rate %g", got)
	}
	if got := p.Rate(sim.At(45 * time.Minute)); math.Abs(got-10) > 1e-9 {
		t.Errorf("trough rate %g", got)
	}
	// Over whole periods the integral is mean x time.
	if got := p.Integral(0, sim.At(2*time.Hour)); math.Abs(got-60*7200) > 1e-6 {
		t.Errorf("integral %g, want %g", got, 60*7200.0)
	}
	end := sim.At(2 * time.Hour)
	bin := 3 * time.Minute
	checkBins(t, p, counts(t, NewArrivals(p, ArrivalsPoisson, rng(4), end), end, bin), bin)
}

// A diurnal whose amplitude exceeds its mean is floored at zero.
func TestDiurnalFloor(t *testing.T) {
	p := pattern(t, "    pattern: [{type: diurnal, mean: 20, amplitude: 40, period: 1h, peak_at: 0s}]\n")
	if got := p.Rate(sim.At(30 * time.Minute)); got != 0 {
		t.Errorf("rate at the trough %g, want 0", got)
	}
	end := sim.At(3 * time.Hour)
	bin := 5 * time.Minute
	c := counts(t, NewArrivals(p, ArrivalsPoisson, rng(5), end), end, bin)
	checkBins(t, p, c, bin)
	if c[6] != 0 { // 30m-35m: the rate is 0 throughout
		t.Errorf("%g arrivals while the rate is 0", c[6])
	}
}

func TestStepAdds(t *testing.T) {
	p := pattern(t, `    pattern:
      - {type: constant, rps: 20}
      - {type: step, at: 10m, rps: 30}
      - {type: step, at: 20m, rps: -45}
      - {type: step, at: 30m, rps: -10}
`)
	for at, want := range map[time.Duration]float64{0: 20, 10*time.Minute - 1: 20, 10 * time.Minute: 50, 25 * time.Minute: 5, 35 * time.Minute: 0} {
		if got := p.Rate(sim.At(at)); got != want {
			t.Errorf("rate at %v = %g, want %g", at, got, want)
		}
	}
	end := sim.At(40 * time.Minute)
	bin := 10 * time.Minute
	c := counts(t, NewArrivals(p, ArrivalsPoisson, rng(6), end), end, bin)
	checkBins(t, p, c, bin)
	if c[3] != 0 {
		t.Errorf("%g arrivals after the rate dropped to 0", c[3])
	}
}

func TestSpikeMultiplies(t *testing.T) {
	p := pattern(t, `    pattern:
      - {type: constant, rps: 10}
      - {type: ramp, from: 0, to: 60, start: 0s, end: 1h}
      - {type: spike, at: 20m, duration: 10m, factor: 3}
      - {type: spike, at: 25m, duration: 10m, factor: 2}
      - {type: spike, at: 40m, duration: 5m, factor: 0.5}
`)
	for at, want := range map[time.Duration]float64{
		19 * time.Minute: 10 + 19,
		20 * time.Minute: 3 * (10 + 20),
		27 * time.Minute: 6 * (10 + 27),
		32 * time.Minute: 2 * (10 + 32),
		35 * time.Minute: 10 + 35,
		42 * time.Minute: 0.5 * (10 + 42),
	} {
		if got := p.Rate(sim.At(at)); math.Abs(got-want) > 1e-9 {
			t.Errorf("rate at %v = %g, want %g", at, got, want)
		}
	}
	end := sim.At(time.Hour)
	bin := time.Minute
	checkBins(t, p, counts(t, NewArrivals(p, ArrivalsPoisson, rng(7), end), end, bin), bin)
}

func TestTracePattern(t *testing.T) {
	p := NewProfile([]Component{
		{Type: ComponentTrace, Interpolation: "linear", Scale: 1, Points: []TracePoint{{10 * time.Second, 10}, {20 * time.Second, 30}, {30 * time.Second, 0}}},
		{Type: ComponentTrace, Interpolation: "step", Scale: 2, Points: []TracePoint{{0, 1}, {15 * time.Second, 2}}},
	})
	for at, want := range map[float64]float64{0: 10 + 2, 10: 10 + 2, 15: 20 + 4, 25: 15 + 4, 40: 0 + 4} {
		if got := p.Rate(sec(at)); math.Abs(got-want) > 1e-9 {
			t.Errorf("rate at %gs = %g, want %g", at, got, want)
		}
	}
	if got, want := p.Integral(0, sec(40)), 10*10+10*20+10*15+0+15*2+25*4.0; math.Abs(got-want) > 1e-6 {
		t.Errorf("integral %g, want %g", got, want)
	}
	end := sec(3600)
	bin := 10 * time.Second
	checkBins(t, p, counts(t, NewArrivals(p, ArrivalsPoisson, rng(8), end), end, bin), bin)
}

// Bound is an upper bound of Rate on every interval.
func TestBoundIsAnUpperBound(t *testing.T) {
	p := pattern(t, `    pattern:
      - {type: diurnal, mean: 50, amplitude: 30, period: 2h, peak_at: 30m}
      - {type: ramp, from: 40, to: 0, start: 1h, end: 3h}
      - {type: step, at: 2h, rps: -60}
      - {type: spike, at: 90m, duration: 20m, factor: 1.7}
      - {type: spike, at: 4h, duration: 20m, factor: 0.2}
`)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a := sim.Time(r.Int64N(int64(6 * time.Hour)))
		b := a + sim.Time(r.Int64N(int64(30*time.Minute)))
		bound := p.Bound(a, b)
		for k := range 50 {
			at := a + sim.Time(float64(b-a)*float64(k)/49)
			if got := p.Rate(at); got > bound*(1+1e-12) {
				t.Fatalf("Rate(%v) = %g exceeds Bound(%v, %v) = %g", at, got, a, b, bound)
			}
		}
	}
}

func TestPoissonDeterministic(t *testing.T) {
	p := pattern(t, "    pattern: [{type: diurnal, mean: 30, amplitude: 20, period: 1h}]\n")
	end := sim.At(time.Hour)
	a, b := NewArrivals(p, ArrivalsPoisson, rng(9), end), NewArrivals(p, ArrivalsPoisson, rng(9), end)
	c := NewArrivals(p, ArrivalsPoisson, rng(10), end)
	same := true
	ta, tb, tc := sim.Time(0), sim.Time(0), sim.Time(0)
	for range 10000 {
		ta, tb, tc = a.Next(ta), b.Next(tb), c.Next(tc)
		if ta != tb {
			t.Fatalf("same seed, different arrivals: %v vs %v", ta, tb)
		}
		same = same && ta == tc
	}
	if same {
		t.Error("different seeds gave the same arrivals")
	}
}

func TestConstantArrivalsEvenlySpaced(t *testing.T) {
	for _, rate := range []float64{4, 3, 7.2, 1000} {
		p := NewProfile([]Component{{Type: ComponentConstant, RPS: rate}})
		end := sim.At(10 * time.Minute)
		a := NewArrivals(p, ArrivalsConstant, nil, end)
		k := 0
		for now := a.Next(0); now != sim.Never; now = a.Next(now) {
			k++
			if want := sim.FromSeconds(float64(k) / rate); now != want {
				t.Fatalf("rate %g: arrival %d at %v, want %v", rate, k, now, want)
			}
		}
		if want := int(math.Floor(rate * 600)); k != want && k != want-1 {
			t.Errorf("rate %g: %d arrivals, want %d", rate, k, want)
		}
	}
	// Exactly 4/s: arrival k at k x 250ms.
	a := NewArrivals(NewProfile([]Component{{Type: ComponentConstant, RPS: 4}}), ArrivalsConstant, nil, sim.At(time.Hour))
	now := sim.Time(0)
	for k := 1; k <= 14399; k++ {
		now = a.Next(now)
		if now != sim.At(time.Duration(k)*250*time.Millisecond) {
			t.Fatalf("arrival %d at %v", k, now)
		}
	}
	if a.Next(now) != sim.Never {
		t.Error("an arrival at the end")
	}
}

// Constant arrivals follow a time-varying rate: the k-th arrival is where
// the integral of the rate reaches k, across steps and along ramps.
func TestConstantArrivalsFollowRate(t *testing.T) {
	// 2/s for 10 s, then 4/s: arrivals every 0.5 s, then every 0.25 s.
	p := NewProfile([]Component{{Type: ComponentConstant, RPS: 2}, {Type: ComponentStep, At: 10 * time.Second, RPS: 2}})
	a := NewArrivals(p, ArrivalsConstant, nil, sec(12))
	var got []float64
	for now := a.Next(0); now != sim.Never; now = a.Next(now) {
		got = append(got, now.Seconds())
	}
	if len(got) != 27 || got[19] != 10 || got[20] != 10.25 || got[26] != 11.75 {
		t.Errorf("arrivals %v", got)
	}

	for _, yaml := range []string{
		"    pattern: [{type: ramp, from: 0, to: 100, start: 0s, end: 10m}]\n",
		"    pattern: [{type: diurnal, mean: 50, amplitude: 45, period: 20m}]\n",
	} {
		p := pattern(t, yaml)
		end := sim.At(30 * time.Minute)
		a := NewArrivals(p, ArrivalsConstant, nil, end)
		k := 0
		for now := a.Next(0); now != sim.Never; now = a.Next(now) {
			k++
			if k%997 == 0 {
				if got := p.Integral(0, now); math.Abs(got-float64(k)) > 1e-3 {
					t.Fatalf("%s: arrival %d at %v where the integral is %g", yaml, k, now, got)
				}
			}
		}
		if want := p.Integral(0, end); math.Abs(float64(k)-want) > 1 {
			t.Errorf("%s: %d arrivals, integral %g", yaml, k, want)
		}
	}
}

func TestNoArrivals(t *testing.T) {
	end := sim.At(time.Hour)
	for _, kind := range []string{ArrivalsPoisson, ArrivalsConstant} {
		a := NewArrivals(NewProfile(nil), kind, rng(1), end)
		if got := a.Next(0); got != sim.Never {
			t.Errorf("%s: arrival at %v with no traffic", kind, got)
		}
		z := NewArrivals(NewProfile([]Component{{Type: ComponentConstant, RPS: 0}}), kind, rng(1), end)
		if got := z.Next(0); got != sim.Never {
			t.Errorf("%s: arrival at %v at rate 0", kind, got)
		}
	}
}

func TestArrivalsDoNotAllocate(t *testing.T) {
	p := pattern(t, `    pattern:
      - {type: diurnal, mean: 30, amplitude: 20, period: 1h}
      - {type: spike, at: 5m, duration: 1m, factor: 2}
`)
	for _, kind := range []string{ArrivalsPoisson, ArrivalsConstant} {
		a := NewArrivals(p, kind, rng(1), sim.At(10*time.Hour))
		now := sim.Time(0)
		allocs := testing.AllocsPerRun(10000, func() { now = a.Next(now) })
		if allocs != 0 {
			t.Errorf("%s: %g allocations per arrival", kind, allocs)
		}
	}
}

func BenchmarkPoissonConstantRate(b *testing.B) {
	p := NewProfile([]Component{{Type: ComponentConstant, RPS: 7.2}})
	a := NewArrivals(p, ArrivalsPoisson, rng(1), sim.Never-1)
	now := sim.Time(0)
	for b.Loop() {
		now = a.Next(now)
	}
}

func BenchmarkPoissonDiurnal(b *testing.B) {
	p := NewProfile([]Component{{Type: ComponentDiurnal, Mean: 50, Amplitude: 40, Period: 24 * time.Hour, PeakAt: 12 * time.Hour}})
	a := NewArrivals(p, ArrivalsPoisson, rng(1), sim.Never-1)
	now := sim.Time(0)
	for b.Loop() {
		now = a.Next(now)
	}
}

// A long run folded onto one period of a fast diurnal pattern: each
// phase bin gathers 60 periods, so a rate that lagged behind the truth by
// a few seconds (as one changed only at sample boundaries would) shows.
func TestDiurnalPhaseFolded(t *testing.T) {
	p := pattern(t, "    pattern: [{type: diurnal, mean: 100, amplitude: 80, period: 10m}]\n")
	end := sim.At(10 * time.Hour)
	const bins = 20
	period := sim.At(10 * time.Minute)
	var got [bins]float64
	a := NewArrivals(p, ArrivalsPoisson, rng(11), end)
	for now := a.Next(0); now != sim.Never; now = a.Next(now) {
		got[int((now%period)*bins/period)]++
	}
	for i := range bins {
		from := period * sim.Time(i) / bins
		want := 60 * p.Integral(from, from+period/bins)
		if math.Abs(got[i]-want) > 5*math.Sqrt(want) {
			t.Errorf("phase bin %d: %g arrivals, expected %.0f ± %.0f", i, got[i], want, 5*math.Sqrt(want))
		}
	}
}

// Next's fast path for a stretch of constant rate returns exactly what the
// general loop (poisson) returns from the same draws: the same arrival
// times, and afterwards the same random stream. The pattern has constant
// stretches ended by steps and spike edges, a zero-rate lead-in, a ramp
// (thinned) and a second at 900,000 requests per second.
func TestPoissonFastPathMatchesGeneralLoop(t *testing.T) {
	p := pattern(t, "    pattern:\n"+
		"      - {type: step, at: 10s, rps: 3}\n"+
		"      - {type: step, at: 1m, rps: 900000}\n"+
		"      - {type: step, at: 1m1s, rps: -899000}\n"+
		"      - {type: spike, at: 5m, duration: 2m, factor: 7}\n"+
		"      - {type: ramp, start: 20m, end: 30m, from: 0, to: 50}\n")
	end := sim.At(40 * time.Minute)
	fast := NewArrivals(p, ArrivalsPoisson, rng(3), end)
	general := NewArrivals(p, ArrivalsPoisson, rng(3), end)
	n := 0
	for now := sim.Time(0); ; n++ {
		got, want := fast.Next(now), general.poisson(now)
		if got != want {
			t.Fatalf("arrival %d after %v: fast path %v, general loop %v", n, now, got, want)
		}
		if got == sim.Never {
			break
		}
		now = got
	}
	if n < 900_000 {
		t.Fatalf("only %d arrivals: the pattern should give over 900,000", n)
	}
	if a, b := fast.rng.Uint64(), general.rng.Uint64(); a != b {
		t.Errorf("the streams parted: next draws %d and %d", a, b)
	}
}
