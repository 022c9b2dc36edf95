package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// poissonArrivals is a homogeneous Poisson process, enough for the
// queueing tests (the scenario package has the general ones).
type poissonArrivals struct {
	rate float64
	rng  *rand.Rand
}

func (p *poissonArrivals) Next(now sim.Time) sim.Time {
	return now + sim.FromSeconds(p.rng.ExpFloat64()/p.rate)
}

// evenArrivals arrive every period, the first at one period.
type evenArrivals struct{ period time.Duration }

func (e evenArrivals) Next(now sim.Time) sim.Time { return now.Add(e.period) }

// batchObserver collects the mean response time and queue wait of completed
// requests in batches by arrival time, for batch-means standard errors.
type batchObserver struct {
	nopObserver
	batch            time.Duration
	latSum, waitSum  []float64
	count            []float64
	ended            [4]int64
	arrived          int64
	events, decision []string
}

func newBatchObserver(batch time.Duration, n int) *batchObserver {
	return &batchObserver{batch: batch, latSum: make([]float64, n), waitSum: make([]float64, n), count: make([]float64, n)}
}

func (b *batchObserver) RequestArrived(int, sim.Time) { b.arrived++ }

func (b *batchObserver) RequestEnded(_ int, o Outcome, arrived, now sim.Time, wait time.Duration) {
	b.ended[o]++
	if o != Completed {
		return
	}
	k := int(arrived.Duration() / b.batch)
	if k >= len(b.count) {
		return
	}
	b.latSum[k] += now.Sub(arrived).Seconds()
	b.waitSum[k] += wait.Seconds()
	b.count[k]++
}

// batchMeans returns the grand mean of per-batch means and its standard
// error, skipping the first batch as warm-up.
func batchMeans(sum, count []float64) (mean, se float64) {
	var xs []float64
	for k := 1; k < len(sum); k++ {
		xs = append(xs, sum[k]/count[k])
	}
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// erlangC is the probability that an arrival waits in an M/M/c queue with
// offered load a = lambda/mu Erlangs.
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 0.0 // a^k/k!
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(c) / (float64(c) - a)
	return top / (sum + top)
}

func singleService(lambda float64, cores float64, concurrency int, demand sim.Dist, seed uint64, d time.Duration) Config {
	return Config{
		Seed:           seed,
		Duration:       d,
		SampleInterval: time.Hour,
		Services: []ServiceConfig{{
			Name: "web", Initial: 1, Min: 1, Max: 1,
			Instance:  InstanceConfig{CPURequest: cores, CPULimit: cores, Concurrency: concurrency, QueueLimit: -1},
			DemandCPU: demand,
			NewArrivals: func() ArrivalProcess {
				return &poissonArrivals{rate: lambda, rng: sim.NewStreams(seed).Get("arrivals/web")}
			},
		}},
	}
}

// The simulator's mean queue wait matches Erlang C for M/M/c, c = 1, 4, 8.
// Tolerance: 4.5 batch-means standard errors (30 batches, each many times
// the queue's relaxation time, so the batch means are close to independent
// and normal); a false alarm has probability below 1e-4 per case.
func TestMMcMatchesErlangC(t *testing.T) {
	cases := []struct {
		c   int
		rho float64
		d   time.Duration
	}{
		{1, 0.8, 400000 * time.Second},
		{4, 0.85, 200000 * time.Second},
		{8, 0.9, 200000 * time.Second},
	}
	for _, tc := range cases {
		mu := 1.0
		lambda := tc.rho * float64(tc.c) * mu
		cfg := singleService(lambda, float64(tc.c), tc.c, sim.Exponential{Mean: 1 / mu}, 7, tc.d)
		const batches = 31
		obs := newBatchObserver(tc.d/batches, batches)
		w, err := New(cfg, obs)
		if err != nil {
			t.Fatal(err)
		}
		w.Run()
		want := erlangC(tc.c, lambda/mu) / (float64(tc.c)*mu - lambda)
		got, se := batchMeans(obs.waitSum, obs.count)
		t.Logf("M/M/%d rho=%.2f: mean wait %.4f s, Erlang C %.4f s, batch SE %.4f", tc.c, tc.rho, got, want, se)
		if se > 0.05*want {
			t.Errorf("M/M/%d: standard error %.4f is too large for the test to mean anything", tc.c, se)
		}
		if math.Abs(got-want) > 4.5*se {
			t.Errorf("M/M/%d rho=%.2f: mean queue wait %.4f s, Erlang C says %.4f s (|diff| > 4.5 SE = %.4f)", tc.c, tc.rho, got, want, 4.5*se)
		}
		// Response = wait + service: a check on the CPU model itself.
		lat, lse := batchMeans(obs.latSum, obs.count)
		if math.Abs(lat-(want+1/mu)) > 4.5*lse {
			t.Errorf("M/M/%d: mean response %.4f s, want %.4f s", tc.c, lat, want+1/mu)
		}
		checkConservation(t, w)
	}
}

// One core shared by every request (unlimited concurrency) is M/M/1-PS:
// mean response 1/(mu - lambda), whatever the demand distribution's shape
// beyond its mean (PS is insensitive), so check exponential and constant.
func TestProcessorSharingMeanResponse(t *testing.T) {
	for _, demand := range []sim.Dist{sim.Exponential{Mean: 1}, sim.Constant{Value: 1}} {
		lambda := 0.8
		d := 400000 * time.Second
		cfg := singleService(lambda, 1, 0, demand, 11, d)
		const batches = 31
		obs := newBatchObserver(d/batches, batches)
		w, err := New(cfg, obs)
		if err != nil {
			t.Fatal(err)
		}
		w.Run()
		want := 1 / (1 - lambda)
		got, se := batchMeans(obs.latSum, obs.count)
		t.Logf("M/%s/1-PS: mean response %.4f s, theory %.4f s, batch SE %.4f", demand, got, want, se)
		if se > 0.05*want {
			t.Errorf("standard error %.4f too large", se)
		}
		if math.Abs(got-want) > 4.5*se {
			t.Errorf("PS with %s: mean response %.4f s, theory %.4f s (|diff| > 4.5 SE = %.4f)", demand, got, want, 4.5*se)
		}
		checkConservation(t, w)
	}
}

func checkConservation(t *testing.T, w *World) {
	t.Helper()
	for _, s := range w.Services() {
		arrived, out, inFlight := s.Totals()
		sum := out[Completed] + out[Rejected] + out[Failed] + out[TimedOut] + int64(inFlight)
		if arrived != sum || inFlight < 0 {
			t.Errorf("%s: arrived %d != completed %d + rejected %d + failed %d + timed_out %d + in_flight %d",
				s.Name(), arrived, out[Completed], out[Rejected], out[Failed], out[TimedOut], inFlight)
		}
	}
}

// scripted is a policy that asks for n replicas from time at on.
type scripted struct {
	at sim.Time
	n  int
}

func (s scripted) Name() string { return "scripted" }
func (s scripted) Recommend(now sim.Time, o policies.Observation) policies.Recommendation {
	if now >= s.at {
		return policies.Recommendation{Valid: true, Desired: s.n, Raw: s.n, Reason: "scripted"}
	}
	return policies.Recommendation{Valid: true, Desired: o.Current, Raw: o.Current, Reason: "unchanged"}
}
