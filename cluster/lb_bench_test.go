package cluster

import (
	"strconv"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// BenchmarkBalance runs a whole world per algorithm and fleet size n, for
// lbRequests requests per op whatever n, so ns/op compares the cost per
// request across algorithms and sizes (building the world is not timed).
// Single-core instances serve one request at a time (exponential demand of
// mean 100 ms), with Poisson arrivals:
//
//   - load=fixed: 50 per second whatever n (utilization 0.5 at n = 10):
//     the event heap stays small, so what grows with n is the balancer's
//     work (and the cache misses of a larger fleet). The bounds
//     are on these: least-requests at most 1.3x round-robin at 5000, no
//     algorithm more than 2x at 5000 than at 10.
//   - load=fleet: 5 per second per instance (utilization 0.5 each): the
//     engine's heap holds an event per busy instance and grows with n too.
//
// cpu-ns/request is the process's CPU time per request, which the load of
// other processes on a shared machine inflates less than wall time.
// Compare with benchstat:
//
//	go test ./cluster -run '^$' -bench Balance -benchtime 3x -count 6 > lb.txt
//	benchstat -col /alg -filter .unit:cpu-ns/request lb.txt  # against round-robin
//	benchstat -col /n -filter .unit:cpu-ns/request lb.txt    # 5000 against 10
//
// -count runs each sub-benchmark's repetitions back to back; where other
// work shares the machine, interleave the algorithms instead (a loop of
// -count 1 runs, one -bench pattern per algorithm) so a change of load
// does not fall on one of them.
func BenchmarkBalance(b *testing.B) {
	const lbRequests = 200000
	for _, load := range []string{"fixed", "fleet"} {
		for _, alg := range []Algorithm{RoundRobin, LeastRequests, Random, PowerOfTwo, ClientIP} {
			for _, n := range []int{10, 5000} {
				b.Run("load="+load+"/alg="+alg.String()+"/n="+strconv.Itoa(n), func(b *testing.B) {
					rate := 50.0
					if load == "fleet" {
						rate = 5 * float64(n)
					}
					d := time.Duration(lbRequests / rate * float64(time.Second))
					b.ReportAllocs()
					var total int64
					var cpu time.Duration
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						cfg := singleService(rate, 1, 1, sim.Exponential{Mean: 0.1}, 1, d)
						s := &cfg.Services[0]
						s.Initial, s.Max = n, n
						s.LoadBalancer = LoadBalancerConfig{Algorithm: alg, SessionAffinityTimeout: 10 * time.Second}
						s.Clients = 1000 // fixed load: the same clients whatever the fleet
						if load == "fleet" {
							s.Clients = 10 * n // enough that client-ip sessions do not overload a few instances
						}
						w, err := New(cfg, nil)
						if err != nil {
							b.Fatal(err)
						}
						w.Start()
						c0 := processCPU()
						b.StartTimer()
						w.Run()
						b.StopTimer()
						cpu += processCPU() - c0
						b.StartTimer()
						arrived, _, _ := w.Services()[0].Totals()
						total += arrived
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/request")
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(total), "cpu-ns/request")
				})
			}
		}
	}
}
