package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// restartTrace runs one service whose initial replica crashes at 10 s, so
// that its replacement's container starts at 10 s (no startup delay), and
// returns its events from then on.
func restartTrace(t *testing.T, s ServiceConfig, d time.Duration) []string {
	t.Helper()
	s.Initial, s.Min, s.Max = 1, 1, 1
	s.Instance.StartupDelay = nil
	s.NewArrivals = nil
	cfg := Config{Seed: 1, Duration: d, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s},
		Faults: []FaultConfig{{At: 10 * time.Second, Type: InstanceCrash, Service: "web"}}}
	l := &log{}
	run(t, cfg, l)
	var got []string
	for _, e := range l.events {
		if e.Instance == "web-1" {
			got = append(got, fmt.Sprintf("%v %s %s", e.Time, e.Kind, e.Detail))
		}
	}
	return got
}

// A startup probe that gives up before the boot is over (3 failures 5 s
// apart, a 60 s boot) has the container killed at 20 s (checks at 10, 15,
// 20 s), restarted at once; killed again at 30 s, restarted after 10 s at
// 40 s; killed at 50 s, restarted after 20 s at 70 s.
func TestStartupProbeKillsASlowBoot(t *testing.T) {
	s := webService()
	s.Instance.ReadinessDelay = sim.Constant{Value: 60}
	s.Probes.Startup = &ProbeConfig{Period: 5 * time.Second, FailureThreshold: 3, Timeout: time.Second}
	got := restartTrace(t, s, 75*time.Second)
	want := []string{
		"10s instance-pending ",
		"10s instance-starting ",
		"20s instance-starting startup probe failed 3 times",
		"20s container-restarted restart 1, back-off 0s",
		"30s instance-starting startup probe failed 3 times",
		"40s container-restarted restart 2, back-off 10s",
		"50s instance-starting startup probe failed 3 times",
		"1m10s container-restarted restart 3, back-off 20s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A readiness probe with success_threshold 3 (period 10 s, from the
// container's start at 10 s): the check at 10 s fails (booting until
// 15 s), those at 20, 30 and 40 s pass: Ready at 40 s. With an initial
// delay of 25 s the checks are at 35, 45, 55 s: Ready at 55 s.
func TestReadinessSuccessThreshold(t *testing.T) {
	for _, c := range []struct {
		delay time.Duration
		ready string
	}{{0, "40s"}, {25 * time.Second, "55s"}} {
		s := webService()
		s.Probes.Readiness = &ProbeConfig{InitialDelay: c.delay, Period: 10 * time.Second, FailureThreshold: 3, SuccessThreshold: 3, Timeout: time.Second}
		got := restartTrace(t, s, time.Minute)
		want := []string{"10s instance-pending ", "10s instance-starting ", c.ready + " instance-ready readiness probe passed"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("initial delay %v: events:\n%s\nwant:\n%s", c.delay, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// A liveness kill runs the pre-stop hook first: with a 3 s pre_stop and a
// liveness probe that gives up at its first check (threshold 1, at each
// container start), the container started at 10 s is killed at 10 s and
// exits at 13 s, restarts at once; killed at 13 s, exits at 16 s, restarts
// after 10 s at 26 s; killed at 26 s, exits at 29 s, restarts after 20 s
// at 49 s; killed at 49 s.
func TestLivenessKillRunsPreStop(t *testing.T) {
	s := webService()
	s.Instance.ReadinessDelay = sim.Constant{Value: 60}
	s.Instance.PreStop = 3 * time.Second
	s.Probes.Liveness = &ProbeConfig{Period: 10 * time.Second, FailureThreshold: 1, Timeout: time.Second}
	got := restartTrace(t, s, time.Minute)
	want := []string{
		"10s instance-pending ",
		"10s instance-starting ",
		"10s instance-starting liveness probe failed 1 times",
		"13s container-restarted restart 1, back-off 0s",
		"13s instance-starting liveness probe failed 1 times",
		"26s container-restarted restart 2, back-off 10s",
		"26s instance-starting liveness probe failed 1 times",
		"49s container-restarted restart 3, back-off 20s",
		"49s instance-starting liveness probe failed 1 times",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
