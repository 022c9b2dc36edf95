package cluster

import (
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Four single-core instances at utilization 0.8 behind each algorithm,
// checked against queueing theory where it is exact:
//   - random splitting of a Poisson stream gives each instance an
//     independent Poisson stream of rate lambda/4: M/M/1, mean wait
//     rho/(mu - lambda/4) = 4 s;
//   - round-robin gives each instance every 4th arrival: Erlang-4
//     interarrivals, E4/M/1, mean wait sigma/(mu(1-sigma)) where sigma
//     solves sigma = A*(mu(1-sigma)), A* the interarrival transform
//     (sigma ~ 0.694, wait ~ 2.27 s);
//
// each within 4.5 batch-means standard errors. Least requests (join the
// shortest queue) and power of two choices use the queue lengths and must
// wait markedly less than random: under 75% of its wait.
func TestLoadBalancingAlgorithms(t *testing.T) {
	const mu, rho, n = 1.0, 0.8, 4
	lambda := rho * mu * n
	d := 200000 * time.Second
	wait := map[Algorithm]float64{}
	for _, alg := range []Algorithm{Random, RoundRobin, LeastRequests, PowerOfTwo} {
		cfg := singleService(lambda, 1, 1, sim.Exponential{Mean: 1 / mu}, 5, d)
		cfg.Services[0].Initial, cfg.Services[0].Max = n, n
		cfg.Services[0].LoadBalancer.Algorithm = alg
		const batches = 31
		obs := newBatchObserver(d/batches, batches)
		w, err := New(cfg, obs)
		if err != nil {
			t.Fatal(err)
		}
		w.Run()
		checkConservation(t, w)
		got, se := batchMeans(obs.waitSum, obs.count)
		wait[alg] = got
		t.Logf("%-14s mean wait %.3f s (batch SE %.3f)", alg, got, se)
		var want float64
		switch alg {
		case Random:
			want = rho / (mu - lambda/n)
		case RoundRobin:
			want = erlangKWait(n, lambda/n, mu)
		default:
			continue
		}
		if math.Abs(got-want) > 4.5*se {
			t.Errorf("%s: mean wait %.3f s, theory says %.3f s (|diff| > 4.5 SE = %.3f)", alg, got, want, 4.5*se)
		}
	}
	for _, alg := range []Algorithm{RoundRobin, LeastRequests, PowerOfTwo} {
		if wait[alg] > 0.75*wait[Random] {
			t.Errorf("%s: mean wait %.3f s, not clearly below random's %.3f s", alg, wait[alg], wait[Random])
		}
	}
	if wait[LeastRequests] > wait[RoundRobin] {
		t.Errorf("least-requests (%.3f s) waits longer than round-robin (%.3f s)", wait[LeastRequests], wait[RoundRobin])
	}
}

// erlangKWait is the mean wait of an E_k/M/1 queue with arrival rate lambda
// and service rate mu: sigma/(mu(1-sigma)), with sigma the root in (0, 1)
// of sigma = (k lambda / (k lambda + mu(1-sigma)))^k, found by fixed-point
// iteration (a contraction there).
func erlangKWait(k int, lambda, mu float64) float64 {
	sigma := 0.5
	for range 1000 {
		sigma = math.Pow(float64(k)*lambda/(float64(k)*lambda+mu*(1-sigma)), float64(k))
	}
	return sigma / (mu * (1 - sigma))
}

// A billion possible clients cost only the ones seen: sessions are kept
// per client that sent a request, not allocated up front.
func TestClientIPSessionsLazy(t *testing.T) {
	s := webService()
	s.Clients = 1e9
	s.LoadBalancer.Algorithm = ClientIP
	s.LoadBalancer.SessionAffinityTimeout = time.Hour
	s = withSteps(s, steps{{0, 3}})
	l := &log{}
	w := run(t, Config{Seed: 1, Duration: 10 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}, l)
	if n := w.services[0].lb.sessions.n; n == 0 || int64(n) > l.arrived {
		t.Errorf("%d sessions for %d arrivals", n, l.arrived)
	}
}

// The least-requests index picks what a scan from the cursor picks: the
// first member, cyclically from the cursor in join order, with the fewest
// outstanding requests. Random joins, departures, count changes and
// picks (fixed seed), against that scan, through several rebuilds.
func TestLeastRequestsIndexMatchesScan(t *testing.T) {
	rng := sim.NewStreams(7).Get("test")
	lb := &loadBalancer{alg: LeastRequests, least: &leastIndex{}}
	var all []*Instance
	scan := func() *Instance {
		n := len(lb.members)
		best := lb.members[lb.cursor]
		for k := 1; k < n; k++ {
			if m := lb.members[(lb.cursor+k)%n]; m.held() < best.held() {
				best = m
			}
		}
		return best
	}
	for step := 0; step < 100000; step++ {
		switch op := rng.IntN(100); {
		case op < 3 || len(lb.members) == 0:
			i := &Instance{ID: len(all), busy: rng.IntN(3)}
			all = append(all, i)
			lb.add(i)
		case op < 5:
			lb.remove(lb.members[rng.IntN(len(lb.members))])
		case op < 50:
			m := lb.members[rng.IntN(len(lb.members))]
			if m.busy > 0 && rng.IntN(2) == 0 {
				m.busy--
			} else {
				m.busy++
			}
			lb.heldChanged(m)
		default:
			want := scan()
			if got := lb.pick(&request{}, 0); got != want {
				t.Fatalf("step %d: picked instance %d (held %d), the scan picks %d (held %d)", step, got.ID, got.held(), want.ID, want.held())
			}
		}
	}
	if len(all) < 1000 {
		t.Fatalf("only %d members joined: too few rebuilds", len(all))
	}
}
