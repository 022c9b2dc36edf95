package runner

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// burst is a 250m service without nodes (its default node has 4 cores)
// serving constant 10 ms requests arriving every 1/rate s.
const burst = `
name: burst
duration: 10m
services:
  web:
    replicas: {initial: 1, min: 1, max: 1}
    instance: {cpu_request: 250m}
    demand: {cpu: 10ms}
    autoscaler: {policy: static}
traffic:
  web: {rate: 5, arrivals: constant}
`

func runBurst(t *testing.T, sets ...string) reports.ServiceSummary {
	t.Helper()
	sc, err := scenarios.ParseWithOverrides("burst.yaml", []byte(burst), sets)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, RunOptions{Out: filepath.Join(t.TempDir(), "out")})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary.Services["web"]
	if r := s.Requests; r.Arrived != r.Completed+r.Rejected+r.Failed+r.TimedOut+r.InFlightAtEnd {
		t.Fatalf("requests do not add up: %+v", r)
	}
	return s
}

// Through the scenario file, the runner and the summary: no limit, light
// load on an idle 4-core node, a 10 ms request takes 10 ms (p50 within the
// histogram's error), not the 40 ms a 250m share would give it; 0.5 cores
// of load is 200% of the request.
func TestBurstingThroughTheRunner(t *testing.T) {
	s := runBurst(t)
	if p := s.LatencyS.P50; math.Abs(p-0.010) > 0.010*reports.HistogramRelativeError {
		t.Errorf("p50 %v s, want 10 ms", p)
	}
	// 50 requests a second of 10 ms: half a core, 2x the 250m request.
	s = runBurst(t, "traffic.web.rate=50")
	if u := s.CPUUtilizationMean; math.Abs(u-2) > 0.01 {
		t.Errorf("utilization %v, want 2 (200%%)", u)
	}
	if s.CPUThrottling != (reports.CPUThrottling{}) {
		t.Errorf("throttling %+v without a limit", s.CPUThrottling)
	}
}

// cpu_limit and cpu_cfs_period from the file: 50 requests a second of
// 10 ms (one every 20 ms, at a period's start) under a 500m limit with a
// 10 ms period (5 ms of quota): each runs 5 ms at a full core, is
// throttled for the 5 ms left of its period, and runs 5 ms more in the
// next: 15 ms.
func TestQuotaThroughTheRunner(t *testing.T) {
	s := runBurst(t, "traffic.web.rate=50", "services.web.instance.cpu_limit=500m", "services.web.instance.cpu_cfs_period=10ms")
	th := s.CPUThrottling
	// 50/s for 600 s: 29999 arrivals (at 20 ms, 40 ms, ...), each with two
	// periods of work, the first throttled for 5 ms.
	if want := (reports.CPUThrottling{Periods: 59998, ThrottledPeriods: 29999}); th.Periods != want.Periods ||
		th.ThrottledPeriods != want.ThrottledPeriods || math.Abs(th.ThrottledSeconds-29999*0.005) > 1e-6 {
		t.Errorf("throttling %+v, want %d periods, %d throttled for 5 ms each", th, want.Periods, want.ThrottledPeriods)
	}
	if p := s.LatencyS.P50; math.Abs(p-0.015) > 0.015*reports.HistogramRelativeError {
		t.Errorf("p50 %v s, want 15 ms (5 ms, throttled 5 ms, 5 ms)", p)
	}
}
