package policies

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// kpaRun drives a KPA every 2 s from 2 s to until, with one stat a second
// of concurrency conc(t) (t the stat's time), one pod per replica, all
// ready: it returns the times the count changed and to what.
func kpaRun(t *testing.T, cfg KPAPolicyConfig, replicas int, until time.Duration, conc func(sec int) float64) (times []time.Duration, counts []int, k *KPA) {
	t.Helper()
	k, err := NewKPA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cur := replicas
	for now := 2 * time.Second; now <= until; now += 2 * time.Second {
		var stats []ConcurrencyStat
		for s := int((now-2*time.Second)/time.Second) + 1; s <= int(now/time.Second); s++ {
			stats = append(stats, ConcurrencyStat{Time: sim.At(time.Duration(s) * time.Second), Concurrency: conc(s)})
		}
		o := Observation{Current: cur, Min: 0, Max: 10, Concurrency: Concurrency{Stats: stats}}
		for i := range cur {
			o.Pods = append(o.Pods, Pod{ID: i, Phase: PhaseRunning, Ready: true})
		}
		rec := k.Recommend(sim.At(now), o)
		if rec.Valid && rec.Desired != cur {
			times, counts = append(times, now), append(counts, rec.Desired)
			cur = rec.Desired
		}
	}
	return times, counts, k
}

// TestKPAScaleToZero: 10 in flight for the first 60 s, then nothing. The
// stable window (60 one-second buckets) holds a non-zero bucket until the
// stat of second 60 leaves it: at 120 s the decider wants 0. The revision
// has been active since 2 s, longer than the stable window, so it is
// marked inactive and keeps its pod (upstream's (0, false)). With the
// default burst capacity of 211 one pod (100 concurrency) never covers it,
// so the activator has been in the path all along, longer than the 30 s
// grace period: the next tick, 122 s, scales to zero. With a burst capacity
// of 0 the activator joins the path only at 120 s, and the pod goes at
// 120 + 30 = 150 s. With a pod retention period of 45 s, at the first tick at or after
// 120 + 45 = 165 s: 166 s.
func TestKPAScaleToZero(t *testing.T) {
	conc := func(s int) float64 {
		if s <= 60 {
			return 10
		}
		return 0
	}
	for _, tt := range []struct {
		name      string
		tbc       float64
		retention time.Duration
		want      time.Duration
	}{
		{"activator in the path (tbc 211)", 211, 0, 122 * time.Second},
		{"grace period (tbc 0)", 0, 0, 150 * time.Second},
		{"pod retention 45s", 211, 45 * time.Second, 166 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultKPAPolicyConfig()
			cfg.TargetBurstCapacity = tt.tbc
			cfg.ScaleToZeroPodRetentionPeriod = tt.retention
			times, counts, _ := kpaRun(t, cfg, 1, 300*time.Second, conc)
			if len(times) != 1 || times[0] != tt.want || counts[0] != 0 {
				t.Errorf("changes at %v to %v, want one to 0 at %s", times, counts, tt.want)
			}
		})
	}
}

// TestKPAScaleToZeroDisabled: without scale to zero the last pod stays.
func TestKPAScaleToZeroDisabled(t *testing.T) {
	cfg := DefaultKPAPolicyConfig()
	cfg.EnableScaleToZero = false
	times, counts, _ := kpaRun(t, cfg, 1, 300*time.Second, func(s int) float64 { return 0 })
	if len(times) != 0 {
		t.Errorf("changes at %v to %v, want none", times, counts)
	}
}

// TestKPAActivation: at zero, the first stat with a request in flight (the
// activator's) makes the decider want ceil(1 / 70) = 1 pod at once.
func TestKPAActivation(t *testing.T) {
	k, err := NewKPA(DefaultKPAPolicyConfig())
	if err != nil {
		t.Fatal(err)
	}
	o := Observation{Current: 0, Max: 10, Concurrency: Concurrency{Held: 1, Stats: []ConcurrencyStat{{Time: sim.At(10 * time.Second), Concurrency: 1, Requests: 1}}}}
	rec := k.Recommend(sim.At(10*time.Second), o)
	if !rec.Valid || rec.Desired != 1 || rec.Reason != ReasonScaleUp {
		t.Fatalf("Recommend at zero with one held request = %+v, want scale-up to 1", rec)
	}
	if act, proxy, _ := k.State(); act != "activating" || !proxy {
		t.Errorf("state = %s, proxy %v; want activating behind the activator", act, proxy)
	}
	// The pod is not ready yet: no scale to zero while activating, even
	// when the stat goes back to 0 (the request timed out).
	o = Observation{Current: 1, Max: 10, Pods: []Pod{{Phase: PhasePending}}}
	for now := 12 * time.Second; now < 200*time.Second; now += 2 * time.Second {
		o.Concurrency.Stats = []ConcurrencyStat{{Time: sim.At(now - time.Second)}, {Time: sim.At(now)}}
		if rec := k.Recommend(sim.At(now), o); rec.Valid && rec.Desired != 1 {
			t.Fatalf("at %s while activating: %+v", now, rec)
		}
	}
}

// TestKPAPanicEnterLeave: one pod at the target (70) for 60 s, then 300
// from second 61 on. The panic window is 6 s: at 62 s it averages
// (2 x 300 + 4 x 70) / 6 = 146.7, ceil(146.7 / 70) = 3 pods over 1 ready
// is above the threshold 2: panic, 3 pods. Scaled out (the pods become
// ready at once here) it stays in panic while the panic count over the
// ready pods reaches 2; at 300 on 5 pods ceil(300/70) = 5 < 10, so the
// panic was last triggered at the last tick where it was, and ends at the
// first tick more than 60 s later.
func TestKPAPanicEnterLeave(t *testing.T) {
	conc := func(s int) float64 {
		if s <= 60 {
			return 70
		}
		return 300
	}
	k, err := NewKPA(DefaultKPAPolicyConfig())
	if err != nil {
		t.Fatal(err)
	}
	cur := 1
	var entered, left, lastOver time.Duration
	for now := 2 * time.Second; now <= 240*time.Second; now += 2 * time.Second {
		o := Observation{Current: cur, Max: 100, Concurrency: Concurrency{Stats: []ConcurrencyStat{
			{Time: sim.At(now - time.Second), Concurrency: conc(int(now/time.Second) - 1)},
			{Time: sim.At(now), Concurrency: conc(int(now / time.Second))}}}}
		for i := range cur {
			o.Pods = append(o.Pods, Pod{ID: i, Phase: PhaseRunning, Ready: true})
		}
		before, _ := k.decider0()
		rec := k.Recommend(sim.At(now), o)
		_, _, p := k.State()
		_, at := k.decider.Panicking()
		if p && at == sim.At(now) {
			lastOver = now
		}
		switch {
		case p && !before && entered == 0:
			entered = now
			if rec.Desired != 3 {
				t.Errorf("entering panic at %s: %d pods, want 3", now, rec.Desired)
			}
		case !p && before && entered != 0 && left == 0:
			left = now
		}
		cur = rec.Desired
	}
	if entered != 62*time.Second {
		t.Errorf("entered panic at %s, want 62s", entered)
	}
	if left == 0 || left != lastOver+62*time.Second {
		t.Errorf("left panic at %s, want the first tick more than 60s after %s", left, lastOver)
	}
}

// decider0 is whether the decider panics before a call (false before it
// exists).
func (k *KPA) decider0() (bool, sim.Time) {
	if k.decider == nil {
		return false, 0
	}
	return k.decider.Panicking()
}
