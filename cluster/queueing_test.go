package cluster

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// poissonArrivals is a homogeneous Poisson process, enough for the
// queueing tests (the scenario package has the general ones).
type poissonArrivals struct {
	rate float64
	rng  *sim.Rand
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

// The queueing checks: the simulator's mean queue wait and mean response
// time against their formulas, each within relTol of the theory.
//
// # How strict, and why the runs are as long as they are
//
// A correct simulator's estimate differs from the theory by its own noise:
// a customer average over n requests of a stationary queue has variance
// kappa/n + o(1/n), kappa the estimator's asymptotic variance constant
// (Whitt, "Planning queueing simulations", Management Science 35, 1989).
// Each case runs long enough that relTol is at least minSDs = 4 standard
// deviations sqrt(kappa/n): a correct simulator then fails a check with
// probability P(|Z| > 4) = 6.3e-5, under 1e-4, and a simulator biased by
// relTol + 4 SD (2% + 0.5% at most) fails it with probability above
// 1 - 3e-5. The seeds are fixed, so the outcome is reproducible.
// TestTheoryCheckCatchesBias shows that a service rate 2% off fails every
// check by a wide margin.
//
// kappa comes from theory, not from the run (mmcKappa below): in M/M/c the
// number in system N(t) is a birth-death process, every request is counted
// by f(N) = (N-c)+ while it waits and by f(N) = N while it is in the
// system, so the sum of the waits (responses) of the requests arriving in
// [0, T] is A(T) = integral of f(N(t)) dt up to O(1), and the estimate is
// A(T)/K(T), K(T) the arrivals. With pi the stationary law, m = E f(N) =
// lambda W (Little), birth rate lambda, death rates mu_j = mu min(j, c):
//
//   - the Poisson equation Qg = -(f - m) of the chain has differences
//     D_j = g(j+1) - g(j) = G_j/(lambda pi_j), G_j = sum_{i>j} pi_i (f(i) - m)
//     (multiply row j by pi_j and use detailed balance
//     lambda pi_j = mu_{j+1} pi_{j+1});
//   - so A(T) - mT = M(T) + O(1), M a martingale that jumps by D_j at an
//     arrival in state j and by -D_{j-1} at a departure from it, and
//     K(T) - lambda T is a martingale that jumps by 1 at arrivals. Per unit
//     time their variances and covariance are
//     s_AA = sum_j pi_j (lambda D_j^2 + mu_j D_{j-1}^2) = 2 sum_j G_j^2/(lambda pi_j),
//     s_AK = sum_j lambda pi_j D_j = sum_j G_j, s_KK = lambda
//     (s_AA is Whitt's formula for birth-death processes, "Asymptotic
//     formulas for Markov processes with applications to simulation",
//     Operations Research 40, 1992);
//   - the delta method on A/K: T Var(A/K) -> (s_AA - 2 W s_AK + W^2 lambda)/lambda^2,
//     so per request (n = lambda T) kappa = (s_AA - 2 W s_AK + W^2 lambda)/lambda.
//
// For M/M/1 this gives Daley's (1968) kappa of the mean wait,
// rho(2 + 5 rho - 4 rho^2 + rho^3)/(mu^2 (1 - rho)^4), and s_AA of the number
// in system is 2 rho(1 + rho)/(mu (1 - rho)^4) (Whitt 1989):
// TestQueueingKappa checks both. Under processor sharing with exponential
// demand N(t) is the same birth-death process as M/M/1's and a request's
// response is the time it is counted in N, so the M/M/1 kappa of the
// response is exact. With constant demand N(t) is not Markov; heavy-traffic
// theory (the workload a reflected Brownian motion of variance lambda E[S^2],
// and N ~ workload/E[S_e] under PS, Gromoll, Ann. Appl. Probab. 14, 2004)
// puts its kappa at (1 + cs^2)/2 = 1/2 of the exponential one: the test
// uses the exponential kappa, which overstates that case's SD.
//
// The cases, mu = 1, the SD as a share of the theory (tolerance / SD):
//
//	case          theory wait / resp   kappa wait / resp  requests  SD wait / resp  tolerance
//	M/M/1 .80     4.0000 / 5.0000 s    1976 / 2025        5.4M      0.48% / 0.39%   4.2 / 5.2 SD
//	M/M/4 .85     1.1489 / 2.1489 s     397 /  419        13M       0.48% / 0.26%   4.2 / 7.6 SD
//	M/M/8 .90     0.8769 / 1.8769 s     534 /  558        30M       0.48% / 0.23%   4.2 / 8.7 SD
//	M/M/1-PS .80  resp 5.0000 s        2025               3.6M      0.47%           4.2 SD
//	M/D/1-PS .80  resp 5.0000 s        <= 2025            3.6M      <= 0.47%        >= 4.2 SD
//
// (55M simulated requests in all, about 14 s of CPU; the subtests run in
// parallel. With -short, as in CI's race run, M/M/4 and M/M/8 are skipped:
// under the race detector they would take minutes, and the simulator is
// single-threaded, so they would find no race that M/M/1 does not.)
// TestQueueingTheory logs each case's figures; the requests counted are
// those arriving in a window after a warm-up of 5000 s (over 50 relaxation
// times 1/(sqrt(c mu) - sqrt(lambda))^2, at most 90 s here) and before the
// last 1000 s (so that every one has completed: a wait that long has
// probability e^-200).
const (
	relTol = 0.02 // a simulated mean within 2% of its theory
	minSDs = 4    // and 2% is at least 4 SDs of its estimator
)

// expectation is one quantity a queueing case predicts: its mean and the
// asymptotic variance constant of its customer-average estimator.
type expectation struct {
	what        string
	mean, kappa float64
}

// queueingCase is one single-instance queue with mu = 1: c cores, and
// concurrency c (M/M/c, FIFO) or unlimited (processor sharing, c = 1).
type queueingCase struct {
	name     string
	c        int
	ps       bool
	rho      float64 // lambda/(c mu)
	demand   sim.Dist
	requests float64 // expected requests measured: lambda times the window
	seed     uint64
}

var queueingCases = []queueingCase{
	{"M/M/1", 1, false, 0.8, sim.Exponential{Mean: 1}, 5.4e6, 7},
	{"M/M/4", 4, false, 0.85, sim.Exponential{Mean: 1}, 13e6, 7},
	{"M/M/8", 8, false, 0.9, sim.Exponential{Mean: 1}, 30e6, 7},
	{"M/M/1-PS", 1, true, 0.8, sim.Exponential{Mean: 1}, 3.6e6, 11},
	{"M/D/1-PS", 1, true, 0.8, sim.Constant{Value: 1}, 3.6e6, 11},
}

func (q queueingCase) lambda() float64 { return q.rho * float64(q.c) }

// theory is what the case predicts with service rate mu (the simulator
// runs mu = 1; TestTheoryCheckCatchesBias asks for another).
func (q queueingCase) theory(mu float64) []expectation {
	lambda := q.lambda()
	if q.ps {
		_, k := mmcKappa(1, lambda, mu, func(j int) float64 { return float64(j) })
		return []expectation{{"mean response", 1 / (mu - lambda), k}}
	}
	wq := erlangC(q.c, lambda/mu) / (float64(q.c)*mu - lambda)
	_, kw := mmcKappa(q.c, lambda, mu, func(j int) float64 { return float64(max(j-q.c, 0)) })
	_, kr := mmcKappa(q.c, lambda, mu, func(j int) float64 { return float64(j) })
	return []expectation{{"mean wait", wq, kw}, {"mean response", wq + 1/mu, kr}}
}

// mmcKappa returns, for M/M/c with arrival rate lambda and service rate mu
// per server, the asymptotic variances per unit time of the time average of
// f(N), sAA, and per request of the customer average A(T)/K(T), kappa (see
// the derivation above). The state space is cut where pi_j < 1e-200.
func mmcKappa(c int, lambda, mu float64, f func(int) float64) (sAA, kappa float64) {
	pi := []float64{1}
	for j := 1; pi[j-1] > 1e-200; j++ {
		pi = append(pi, pi[j-1]*lambda/(mu*float64(min(j, c))))
	}
	var total, m float64
	for _, p := range pi {
		total += p
	}
	for j := range pi {
		pi[j] /= total
		m += pi[j] * f(j)
	}
	var g, sAK float64 // g = G_j, summed from the top
	for j := len(pi) - 1; j >= 0; j-- {
		sAA += 2 * g * g / (lambda * pi[j])
		sAK += g
		g += pi[j] * (f(j) - m)
	}
	w := m / lambda
	return sAA, (sAA - 2*w*sAK + w*w*lambda) / lambda
}

// theoryCheck compares a simulated mean with its theory, given the
// estimator's standard deviation.
type theoryCheck struct {
	what      string
	got, want float64
	sd        float64
}

// err says why the check fails: the run is too short for relTol to be
// minSDs standard deviations, or the mean is more than relTol off.
func (c theoryCheck) err() error {
	if minSDs*c.sd > relTol*c.want {
		return fmt.Errorf("%s: the estimator's SD %.4g is %.2f%% of the theory %.4g: %.0f%% is under %d SDs; run longer",
			c.what, c.sd, 100*c.sd/c.want, c.want, 100*relTol, minSDs)
	}
	if d := c.got - c.want; math.Abs(d) > relTol*c.want {
		return fmt.Errorf("%s: %.4f s, theory %.4f s: %+.2f%% (%+.1f SD), over %.0f%%",
			c.what, c.got, c.want, 100*d/c.want, d/c.sd, 100*relTol)
	}
	return nil
}

// windowObserver sums the queue waits and responses of the requests that
// arrive in [from, to) and complete, and counts their arrivals; and keeps
// the same in batches by arrival time, for a batch-means standard error to
// log beside the theory's.
type windowObserver struct {
	nopObserver
	from, to          sim.Time
	arrived, complete int64
	wait, resp        float64
	batch             sim.Time
	bWait, bResp, bN  []float64
}

func newWindowObserver(from, to sim.Time, batches int) *windowObserver {
	return &windowObserver{from: from, to: to, batch: (to - from) / sim.Time(batches),
		bWait: make([]float64, batches), bResp: make([]float64, batches), bN: make([]float64, batches)}
}

func (o *windowObserver) RequestArrived(_ int, now sim.Time) {
	if now >= o.from && now < o.to {
		o.arrived++
	}
}

func (o *windowObserver) RequestEnded(_ int, out Outcome, arrived, now sim.Time, wait time.Duration) {
	if out != Completed || arrived < o.from || arrived >= o.to {
		return
	}
	w, r := wait.Seconds(), now.Sub(arrived).Seconds()
	o.complete++
	o.wait += w
	o.resp += r
	if k := int((arrived - o.from) / o.batch); k < len(o.bN) {
		o.bWait[k] += w
		o.bResp[k] += r
		o.bN[k]++
	}
}

// The simulator's mean queue wait matches Erlang C for M/M/c (c = 1, 4,
// 8), its mean response the wait plus the mean demand, and processor
// sharing's mean response 1/(mu - lambda) for exponential and constant
// demand (PS is insensitive to the demand's shape beyond its mean); each
// within relTol, at least minSDs of its estimator's SD (see above).
func TestQueueingTheory(t *testing.T) {
	const warmup, tail = 5000 * time.Second, 1000 * time.Second
	for _, q := range queueingCases {
		t.Run(q.name, func(t *testing.T) {
			if testing.Short() && q.requests > 10e6 {
				t.Skipf("-short: %.0fM simulated requests (CI's race run skips it; its plain run does not)", q.requests/1e6)
			}
			t.Parallel()
			lambda := q.lambda()
			window := time.Duration(q.requests / lambda * float64(time.Second))
			concurrency := q.c
			if q.ps {
				concurrency = 0
			}
			cfg := singleService(lambda, float64(q.c), concurrency, q.demand, q.seed, warmup+window+tail)
			obs := newWindowObserver(sim.At(warmup), sim.At(warmup+window), 30)
			w, err := New(cfg, obs)
			if err != nil {
				t.Fatal(err)
			}
			w.Run()
			checkConservation(t, w)
			if obs.complete != obs.arrived {
				t.Fatalf("%d requests arrived in the window, %d of them completed", obs.arrived, obs.complete)
			}
			n := float64(obs.complete)
			if q.ps && obs.wait != 0 {
				t.Errorf("processor sharing queued requests: total wait %.3f s", obs.wait)
			}
			for _, e := range q.theory(1) {
				sum, bsum := obs.resp, obs.bResp
				if e.what == "mean wait" {
					sum, bsum = obs.wait, obs.bWait
				}
				c := theoryCheck{what: q.name + " " + e.what, got: sum / n, want: e.mean, sd: math.Sqrt(e.kappa / n)}
				_, bse := batchMeans(bsum, obs.bN)
				t.Logf("%s rho=%.2f %s: %.4f s, theory %.4f s, %+.2f%%; SD %.4f s (%.2f%%; batch-means SE %.4f s), %.0f requests",
					q.name, q.rho, e.what, c.got, c.want, 100*(c.got-c.want)/c.want, c.sd, 100*c.sd/c.want, bse, n)
				if err := c.err(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// The check is strict enough to mean something: a simulator whose service
// rate is 2% off fails every case's every check, even when its run is
// lucky by minSDs standard deviations; and the check's edges are where
// relTol and minSDs put them.
func TestTheoryCheckCatchesBias(t *testing.T) {
	for _, q := range queueingCases {
		right, wrong := q.theory(1), q.theory(0.98)
		for k, e := range right {
			sd := math.Sqrt(e.kappa / q.requests)
			biased := wrong[k].mean
			lucky := biased - minSDs*sd*math.Copysign(1, biased-e.mean)
			if err := (theoryCheck{e.what, lucky, e.mean, sd}).err(); err == nil {
				t.Errorf("%s %s: service rate 2%% off predicts %.4f s (%.4f s when lucky), theory %.4f s: the check passes",
					q.name, e.what, biased, lucky, e.mean)
			}
			if err := (theoryCheck{e.what, e.mean, e.mean, sd}).err(); err != nil {
				t.Errorf("%s: the planned run is too short: %v", q.name, err)
			}
		}
	}
	for _, tc := range []struct {
		got, sd float64
		ok      bool
	}{
		{1.0199, 0.0049, true}, {0.9801, 0.0049, true}, {1.0201, 0.0049, false}, {0.9799, 0.0049, false},
		{1, 0.00501, false}, // 2% would be under 4 SDs
	} {
		if err := (theoryCheck{"x", tc.got, 1, tc.sd}).err(); (err == nil) != tc.ok {
			t.Errorf("got %v, sd %v: err %v, want ok %v", tc.got, tc.sd, err, tc.ok)
		}
	}
}

// mmcKappa reproduces the closed forms for M/M/1: Daley's kappa of the
// mean wait, and Whitt's asymptotic variance of the time-average number in
// system.
func TestQueueingKappa(t *testing.T) {
	for _, rho := range []float64{0.5, 0.8, 0.9} {
		_, kw := mmcKappa(1, rho, 1, func(j int) float64 { return float64(max(j-1, 0)) })
		sN, _ := mmcKappa(1, rho, 1, func(j int) float64 { return float64(j) })
		daley := rho * (2 + 5*rho - 4*rho*rho + rho*rho*rho) / math.Pow(1-rho, 4)
		whitt := 2 * rho * (1 + rho) / math.Pow(1-rho, 4)
		if math.Abs(kw/daley-1) > 1e-9 || math.Abs(sN/whitt-1) > 1e-9 {
			t.Errorf("rho %v: kappa of the wait %v (Daley %v), variance of N %v (Whitt %v)", rho, kw, daley, sN, whitt)
		}
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
