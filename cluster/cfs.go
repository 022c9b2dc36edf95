package cluster

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// A CPU limit is CFS bandwidth control, as the kernel enforces it
// (Documentation/scheduler/sched-bwc.rst): the container may use quota =
// limit x period of CPU time in each period (the kubelet writes
// cpu.cfs_quota_us = limit millicores x period / 1000, kubernetes
// pkg/kubelet/cm/helpers_linux.go MilliCPUToQuota), at whatever speed its
// node gives it; once the quota is spent with work left, it is throttled
// (runs nothing) until the period ends and the quota is refilled. Periods
// are a fixed grid from time 0 (the kernel's period timer keeps its phase
// across idle periods: hrtimer_forward_now in start_cfs_bandwidth).
//
// Events: only an instance that can run out has one. Running at rate r
// with q of its quota left and R of the period, it is throttled at
// now + q/r if that is before the period's end; otherwise, if r x period
// exceeds the quota, it will run out in the next period, so the period's
// end is an event; otherwise there is none. A throttled instance has one
// event, at its period's end. An instance that spends its quota exactly as
// its last CPU phase ends is not throttled: nothing was left to run.
//
// Accounting is cAdvisor's (container_cpu_cfs_periods_total,
// _throttled_periods_total, _throttled_seconds_total, from cpu.stat's
// nr_periods, nr_throttled and throttled_time): periods counts the periods
// in which the instance had work to run, throttled periods those in which
// it was throttled, and throttled seconds the time it spent throttled (wall
// time: the kernel adds it up per CPU run queue, so its figure can be up to
// the number of CPUs with the container's work queued times larger).
// The periods are counted per busy interval (cfsBusy, cfsIdle), not per
// event, so a bounded instance (one that can never spend its quota early,
// as in M/M/c) has no per-event CFS work at all.

// cfs is an instance's bandwidth-control state; quota 0 means no limit.
type cfs struct {
	quota         float64 // CPU-seconds per period
	period        time.Duration
	periodSeconds float64 // period.Seconds()

	// The period cursor: the period that used is of (the one of the
	// instance's last advance; for a bounded instance, of its last busy
	// or idle transition), and its end, the next period's start.
	idx  int64
	end  sim.Time
	used float64 // CPU-seconds used in it

	// bounded: the instance can never run faster than its limit (its
	// concurrency is at most the limit, and a request runs on at most one
	// core), so it never spends its quota early and needs no events.
	bounded bool

	throttled   bool
	throttledAt sim.Time
	// The throttle or period end, if set. It moves at most changes of
	// the rate, later about as often as earlier: an alarm touches the
	// engine's queue only when it comes earlier (sim.Alarm).
	alarm sim.Alarm // initialised with the instance when it has a quota
	// calmRate: the last decision found no event needed at this rate,
	// which follows the rate down since then (cfsSchedule); -1 if it
	// found one needed, or is to be made.
	calmRate float64

	busyFrom         sim.Time // the start of the busy interval under way, if any
	busyPeriod       int64    // its period
	counted          int64    // the last period counted in periods
	periods          int64
	throttledPeriods int64
	throttledSeconds float64
}

func (c *cfs) init(limit float64, period time.Duration, concurrency int) {
	if limit <= 0 {
		return
	}
	c.bounded = concurrency > 0 && float64(concurrency) <= limit
	if period <= 0 {
		period = DefaultCFSPeriod
	}
	c.period = period
	c.periodSeconds = period.Seconds()
	c.quota = limit * c.periodSeconds
	c.counted = -1
	c.end = c.start(1)
	c.calmRate = -1
}

// DefaultCFSPeriod is the kernel's default cpu.cfs_period_us, 100 ms;
// MinCFSPeriod and MaxCFSPeriod are the range the kernel accepts (1 ms to
// 1 s, sched-bwc.rst).
const (
	DefaultCFSPeriod = 100 * time.Millisecond
	MinCFSPeriod     = time.Millisecond
	MaxCFSPeriod     = time.Second
)

func (c *cfs) periodOf(t sim.Time) int64 { return int64(t) / int64(c.period) }

func (c *cfs) start(k int64) sim.Time { return sim.Time(k * int64(c.period)) }

// cfsAdvance accounts the quota used in the current period over [last,
// now), at the instance's rate. Only an instance that can spend its quota
// early (not bounded) keeps this account; the periods with work to run
// are counted apart, from the instance's busy intervals (cfsBusy).
func (i *Instance) cfsAdvance(now sim.Time) {
	c := &i.cfs
	if now < c.end {
		// Within the period of the last advance (an idle instance, at rate
		// 0, adds nothing).
		if i.rate != 0 {
			c.used += float64(i.rate * seconds(now.Sub(i.last)))
		}
		return
	}
	// A new period (the rate has not changed since last, and a rate that
	// would have spent a whole quota had an event at each period's end):
	// what was used since it began.
	c.roll(now)
	c.used = i.rate * seconds(now.Sub(c.start(c.idx)))
}

// roll moves the period cursor (idx, end) on to the period of now, at or
// after the cursor's end: most often the next one, found without a
// division. It is kept out of line so that cfsPeriod, which calls it
// once a period, inlines into the busy-interval code.
//
//go:noinline
func (c *cfs) roll(now sim.Time) {
	k := c.idx + 1
	if now >= c.end.Add(c.period) {
		k = c.periodOf(now)
	}
	c.idx = k
	c.end = c.start(k + 1)
}

// cfsPeriod returns the period of now, the time the caller has just
// advanced the instance to: the cursor, which cfsAdvance keeps there for
// an instance that is not bounded, and which moves only here for one that
// is (it has no quota account to keep).
func (i *Instance) cfsPeriod(now sim.Time) int64 {
	c := &i.cfs
	if c.bounded && now >= c.end {
		c.roll(now)
	}
	return c.idx
}

// Periods with work to run are counted per busy interval (the instance has
// requests in their CPU phase, throttled or not), not per event: a busy
// interval [from, to) has work to run in the periods of from through
// to - 1 (just from's if it is empty), and periods already counted by an
// earlier interval are not counted again.

// cfsBusy marks the start of a busy interval: the instance's first request
// in its CPU phase begins now (the caller has advanced the instance).
func (i *Instance) cfsBusy(now sim.Time) {
	c := &i.cfs
	c.busyFrom, c.busyPeriod = now, i.cfsPeriod(now)
}

// cfsIdle closes the busy interval: its last CPU phase ended now (the
// caller has advanced the instance).
func (i *Instance) cfsIdle(now sim.Time) {
	c := &i.cfs
	last := c.busyPeriod
	if now > c.busyFrom {
		// The period of now - 1: now's, or the one before if now begins
		// it.
		if last = i.cfsPeriod(now); now.Sub(c.end) == -c.period {
			last--
		}
	}
	c.periods, c.counted = c.countTo(last)
}

// periodsTo returns the periods counted, and the last counted, with the
// busy interval under way counted up to now.
func (c *cfs) periodsTo(now sim.Time) (periods, counted int64) {
	last := c.busyPeriod
	if now > c.busyFrom {
		last = c.periodOf(now - 1)
	}
	return c.countTo(last)
}

// countTo returns the periods counted, and the last counted, with the busy
// interval under way counted through period last.
func (c *cfs) countTo(last int64) (periods, counted int64) {
	from := max(c.busyPeriod, c.counted+1)
	if last < from {
		return c.periods, c.counted
	}
	return c.periods + last - from + 1, last
}

// Event arguments of the quota (instance events).
const (
	instQuotaSpent uint64 = 100 + iota
	instPeriodEnd
)

// skipFallingRate enables cfsSchedule's shortcut for a falling rate (off
// only in the test that compares it with the full computation).
var skipFallingRate = true

// cfsSchedule arms the quota's next event, if any, for the current rate.
//
// A rate that falls from one that needed no event needs none either:
// since that decision the quota has been used at the higher rate r0, at
// which it lasted to the period's end and a whole period at r0 did not
// spend it; at a lower rate, the rest of this period uses less, and so
// does the next. Every change of rate comes here, so calm (no event
// needed at calmRate, and none set) stands until the rate rises:
// one comparison, as a rate is never negative and calmRate is -1 while
// the instance is not calm.
// That skips the computation for about half the calls.
//
// The shortcut is small enough to be inlined where the rate changes; the
// computation is cfsDecide's.
func (i *Instance) cfsSchedule(now sim.Time) {
	if c := &i.cfs; i.rate <= c.calmRate {
		c.calmRate = i.rate
	} else {
		i.cfsDecide(now)
	}
}

// cfsDecide is cfsSchedule without its shortcut.
func (i *Instance) cfsDecide(now sim.Time) {
	c := &i.cfs
	c.calmRate = -1
	at, arg := sim.Time(-1), uint64(0)
	end := c.end
	switch {
	case c.throttled:
		at, arg = end, instPeriodEnd
	case i.rate <= 0 || len(i.ps) == 0:
	default:
		left := c.quota - c.used
		if left < float64(i.rate*seconds(end.Sub(now)))-cpuEpsilon {
			at, arg = now.Add(max(nsCeil(left/i.rate), 0)), instQuotaSpent
		} else if i.rate*c.periodSeconds > c.quota+cpuEpsilon {
			at, arg = end, instPeriodEnd
		} else if skipFallingRate {
			c.calmRate = i.rate
		}
	}
	if at < 0 || at >= i.svc.w.end {
		// No event, or none due within the run.
		c.alarm.Stop()
		return
	}
	// An event at the same time for the same reason keeps its place
	// among the events due then; any other fires as one scheduled now
	// would (after those already due then).
	c.alarm.Set(at, arg)
}

// quotaSpent throttles the instance: its quota for the period is spent.
// CPU phases that end at this very moment end first; if none is left to
// run, it is not throttled.
func (i *Instance) quotaSpent(now sim.Time) {
	c := &i.cfs
	i.advance(now)
	if over := c.used - c.quota; over > 0 {
		// The event is rounded up to the nanosecond: what ran past the
		// quota in that fraction of a nanosecond is rounding, not CPU
		// time (without this, a minute of throttled periods would read
		// a few millionths above the limit).
		i.cpuShared -= over
		c.used = c.quota
	}
	i.dispatch = true
	i.completeDue(now)
	i.dispatch = false
	if len(i.ps) > 0 {
		c.throttled = true
		c.throttledAt = now
		c.throttledPeriods++
	}
	i.cpuChanged(now)
	i.cfsSchedule(now)
}

// periodEnd refills the quota: a throttled instance runs again, and one
// that will spend its quota in this period gets its event.
func (i *Instance) periodEnd(now sim.Time) {
	c := &i.cfs
	i.advance(now)
	if c.throttled {
		c.throttled = false
		c.throttledSeconds += now.Sub(c.throttledAt).Seconds()
		i.cpuChanged(now)
	}
	i.cfsSchedule(now)
}

// cpuStop ends the instance's CPU use for good (it is terminated): it
// leaves its node's sharing, and a throttle under way ends now.
func (i *Instance) cpuStop(now sim.Time) {
	i.advance(now)
	c := &i.cfs
	if c.throttled {
		c.throttled = false
		c.throttledSeconds += now.Sub(c.throttledAt).Seconds()
	}
	c.alarm.Stop()
	i.cpuChanged(now)
}

// throttling returns the instance's cumulative CFS figures up to now.
func (i *Instance) throttling(now sim.Time) (periods, throttled int64, seconds float64) {
	c := &i.cfs
	seconds = c.throttledSeconds
	if c.throttled {
		seconds += now.Sub(c.throttledAt).Seconds()
	}
	periods = c.periods
	if c.quota > 0 && len(i.ps) > 0 {
		periods, _ = c.periodsTo(now)
	}
	return periods, c.throttledPeriods, seconds
}
