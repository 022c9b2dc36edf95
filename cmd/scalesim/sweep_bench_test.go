package main

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkSweep times a 40-run sweep (4 grid points x 10 seeds of half an
// hour of the minimal scenario, tens of milliseconds a run) with one and
// with two workers. On two idle cores parallel=2 should take at most 0.6x
// the time of parallel=1:
//
//	go test ./cmd/scalesim -run '^$' -bench BenchmarkSweep -count 8 | tee bench.txt
//	benchstat -col /parallel bench.txt
func BenchmarkSweep(b *testing.B) {
	for _, p := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallel=%d", p), func(b *testing.B) {
			tmp := b.TempDir()
			for i := range b.N {
				args := []string{"sweep", "minimal", "--set", "duration=30m",
					"--set", "services.web.autoscaler.target_utilization=50,60,70,80", "--seeds", "10",
					"--parallel", fmt.Sprint(p), "--no-plots", "-q", "-o", filepath.Join(tmp, fmt.Sprint(i))}
				if code, _, errOut := runMain(b, args...); code != 0 {
					b.Fatalf("exit %d: %s", code, errOut)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/40, "ms/run")
		})
	}
}
