package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// listArrivals brings one request at each of the given times, then none.
type listArrivals struct {
	at   []time.Duration
	sent int
}

func (a *listArrivals) Next(sim.Time) sim.Time {
	if a.sent >= len(a.at) {
		return sim.Never
	}
	a.sent++
	return sim.At(a.at[a.sent-1])
}

// periodsLog records Sample.CPUPeriods of the one instance at every sample.
type periodsLog struct {
	log
	periods []int64
}

func (l *periodsLog) Sample(now sim.Time, rows []Sample) {
	l.periods = append(l.periods, rows[0].CPUPeriods)
	l.log.Sample(now, rows)
}

// The periods with work to run are counted per busy interval, and a sample
// taken while the instance is busy counts the interval up to its moment.
// One bounded instance (concurrency 1 = a 1-core limit, 100 ms periods)
// serves 250 ms requests arriving at 0.95 s, twice at 2 s, and at 3.05 and
// 3.1 s: busy [0.95, 1.2) in periods 9-11 (3), [2, 2.5) in 20-24 (5; the
// second request starts as the first ends, on a period boundary), and
// [3.05, 3.55) in 30-35 (6). Sampled every 300 ms up to 3.9 s; by hand:
// at 1.2 s the 3 of the first interval, at 2.1 s one more (period 20), at
// 2.4 s 20-23, at 3.3 s 8 + 30-32.
func TestCFSPeriodsPerBusyInterval(t *testing.T) {
	s := cpuService("web", 1, 1, 0.25, arrivalsOf(&listArrivals{at: []time.Duration{
		950 * time.Millisecond, 2 * time.Second, 2 * time.Second, 3050 * time.Millisecond, 3100 * time.Millisecond}}))
	s.Instance.Concurrency = 1
	s.Instance.CPUPeriod = 100 * time.Millisecond
	l := &periodsLog{}
	w, err := New(Config{Seed: 1, Duration: 3900 * time.Millisecond, SampleInterval: 300 * time.Millisecond,
		Services: []ServiceConfig{s}}, l)
	if err != nil {
		t.Fatal(err)
	}
	w.Run()
	if !w.services[0].instances[0].cfs.bounded {
		t.Fatal("the instance is not bounded by its limit")
	}
	want := []int64{0, 0, 0, 3, 3, 3, 4, 7, 8, 8, 11, 14, 14} // at 0.3 s, 0.6 s, ... 3.9 s
	if !slices.Equal(l.periods, want) {
		t.Errorf("periods with work at each sample %v, want %v", l.periods, want)
	}
	if got := l.rows[0].CPUSeconds; got != 1.25 {
		t.Errorf("CPU used %v s, want exactly 1.25 (five 250 ms requests)", got)
	}
}

// seconds is Duration.Seconds, bit for bit.
func TestSecondsIsDurationSeconds(t *testing.T) {
	rng := rand.New(sim.NewStreams(1).Get("test"))
	ds := []time.Duration{0, 1, -1, time.Second - 1, time.Second, -time.Second, time.Second + 1, 1<<62 + 12345}
	for range 100000 {
		ds = append(ds, time.Duration(rng.Int64N(int64(2*time.Second)))-time.Second)
	}
	for _, d := range ds {
		if got, want := seconds(d), d.Seconds(); got != want {
			t.Fatalf("seconds(%d) = %v, want %v", int64(d), got, want)
		}
	}
}

// cfsSchedule's shortcut for a falling rate changes nothing: instances
// under a 2-core quota they often spend (processor sharing, and fast mode
// above the limit), three on a 4-core node, Poisson load of 0.8 cores
// each, run with
// and without it, end every request at the same moment, report the same
// CPU and throttling, and fire the same number of events.
func TestCFSFallingRateShortcut(t *testing.T) {
	for _, concurrency := range []int{0, 4} {
		runWith := func(skip bool) (*World, *log) {
			old := skipFallingRate
			skipFallingRate = skip
			defer func() { skipFallingRate = old }()
			cfg := singleService(8, 1, concurrency, sim.Exponential{Mean: 0.3}, 7, 1000*time.Second)
			s := &cfg.Services[0]
			s.Initial, s.Min, s.Max = 3, 3, 3
			s.Instance.CPULimit = 2
			s.Instance.CPUPeriod = 50 * time.Millisecond
			cfg.SampleInterval = 10 * time.Second
			l := &log{}
			return run(t, cfg, l), l
		}
		w1, l1 := runWith(true)
		w2, l2 := runWith(false)
		if !slices.Equal(l1.ends, l2.ends) || !slices.Equal(l1.rows, l2.rows) || w1.eng.Fired() != w2.eng.Fired() {
			t.Errorf("concurrency %d: the shortcut changed the run (%d vs %d events)", concurrency, w1.eng.Fired(), w2.eng.Fired())
		}
		if row := l1.rows[0]; row.CPUThrottledPeriods < 100 {
			t.Errorf("concurrency %d: %d throttled periods of %d; the case should throttle often", concurrency, row.CPUThrottledPeriods, row.CPUPeriods)
		}
	}
}

// The fast-mode CPU account is exact integer core-nanoseconds until it
// would overflow; past 2^63 (292 core-years) it carries on in floating
// point instead of wrapping around to a negative CPU time.
func TestFastCPUAccountNeverOverflows(t *testing.T) {
	i := &Instance{ps: make([]*request, 64)}
	year := sim.Time(365 * 24 * time.Hour)
	i.advance(year)
	if want := int64(64 * year); i.cpuFast != want || i.cpuShared != 0 {
		t.Fatalf("after a year: cpuFast %d cpuShared %v, want %d and 0", i.cpuFast, i.cpuShared, want)
	}
	i.advance(6 * year) // 384 core-years in all
	want := 64 * 6 * year.Seconds()
	if got := i.cpuSeconds(); got <= 0 || math.Abs(got-want)/want > 1e-12 {
		t.Errorf("after six years: %v core-seconds, want %v", got, want)
	}
}
