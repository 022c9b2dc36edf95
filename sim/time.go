package sim

import (
	"strconv"
	"time"
)

// Time is a point in virtual time: integer nanoseconds since the start of the
// run. It is never read from the wall clock. Integer time makes every
// comparison exact, so two events at "the same" moment really are at the same
// moment and their order is decided by insertion sequence alone.
//
// Durations between Times are ordinary time.Duration values (also int64 ns).
type Time int64

// Never is a Time later than any event a run can schedule.
const Never Time = 1<<63 - 1

// At converts a duration since the start of the run into a Time.
func At(d time.Duration) Time { return Time(d) }

// Add returns t+d, saturating instead of wrapping around: a sum beyond
// Never is Never (so "now plus a practically infinite timeout" stays in
// the future), and one below the smallest Time is the smallest Time.
func (t Time) Add(d time.Duration) Time {
	s := t + Time(d)
	if d > 0 && s < t {
		return Never
	}
	if d < 0 && s > t {
		return -Never - 1
	}
	return s
}

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t as floating-point seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Duration returns t as the duration since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// FromSeconds converts floating-point seconds since the start into a Time,
// rounding to the nearest nanosecond (halves away from zero). Values beyond
// the range of Time saturate (+Inf gives Never); NaN gives 0.
func FromSeconds(s float64) Time {
	ns := float64(s * 1e9)
	switch {
	case ns != ns: // NaN
		return 0
	case ns >= 0:
		ns += 0.5
		if ns >= 1<<63 {
			return Never
		}
	default:
		ns -= 0.5
		if ns <= -(1 << 63) {
			return -Never - 1
		}
	}
	return Time(ns)
}

// String formats t as a duration since the start, e.g. "1h2m3.5s".
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}

// Clock formats t as hh:mm:ss since the start of the run, the way the
// decision timeline prints it.
func (t Time) Clock() string {
	s := int64(t / Time(time.Second))
	h, m, sec := s/3600, (s/60)%60, s%60
	pad := func(v int64) string {
		if v < 10 {
			return "0" + strconv.FormatInt(v, 10)
		}
		return strconv.FormatInt(v, 10)
	}
	return pad(h) + ":" + pad(m) + ":" + pad(sec)
}
