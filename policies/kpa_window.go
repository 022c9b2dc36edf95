package policies

import (
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is the windowed averaging of Knative Serving's metric collector
// and the scale-down-delay window of its decider, ported from knative/serving
// at commit 98e5ef90aa7033797aa0a61ef97f3ff7e49a3944 (knative-v1.23.0-5, the
// files last changed in 4a744332fc99), Apache-2.0:
//
//   - pkg/autoscaler/aggregation/bucketing.go: TimedFloat64Buckets (the
//     default, "linear") and WeightedFloat64Buckets ("weighted-exponential",
//     chosen per revision by the autoscaling.knative.dev/metric-aggregation-
//     algorithm annotation), as KPABuckets;
//   - pkg/autoscaler/aggregation/max/{window,timewindow}.go: the descending
//     maxima window the decider keeps the scale-down delay with, as
//     kpaMaxWindow.
//
// Upstream keys both by time.Time, treats the zero time as "never written",
// and reads time.Now() when a window is resized. Here time is a sim.Time
// argument (the start of the run, 0, is a valid time, so "never written" is a
// flag), and windows are fixed at construction (ResizeWindow is not ported:
// it serves a configuration change at run time). The ring buffer is allocated
// once; Record, IsEmpty and WindowAverage allocate nothing.

// KPAAggregation names the metric collector's averaging over a window.
type KPAAggregation string

const (
	// KPALinear is the plain average of the window's buckets (upstream's
	// default, TimedFloat64Buckets).
	KPALinear KPAAggregation = "linear"
	// KPAWeightedExponential weighs recent buckets more (upstream's
	// "weighted-exponential", WeightedFloat64Buckets).
	KPAWeightedExponential KPAAggregation = "weighted-exponential"
)

// KPABucketSize is the metric collector's bucket granularity (upstream
// config.BucketSize): 1 s.
const KPABucketSize = time.Second

// Upstream's constants of the weighted average (bucketing.go).
const (
	// kpaMinExponent is the minimal decay multiplier.
	kpaMinExponent = 0.2
	// kpaWeightPrecision is the least sum of weights over the window.
	kpaWeightPrecision = 0.9999
	// kpaPrecision is the number of decimal digits the linear average is
	// rounded to.
	kpaPrecision = 6
)

// KPABuckets is a time-bucketed average over a sliding window: upstream's
// TimedFloat64Buckets, or WeightedFloat64Buckets when made by
// NewKPAWeightedBuckets. Values recorded in the same bucket (granularity)
// add up; the average is over buckets.
type KPABuckets struct {
	// buckets is a ring indexed by kpaIndex(t) mod len(buckets).
	buckets []float64
	// firstWrite is the bucket time of the first write, reset when a write
	// comes after a whole window without one; it bounds the number of
	// buckets a young window averages over.
	firstWrite sim.Time
	// lastWrite is the bucket time of the latest write.
	lastWrite sim.Time
	// written is false until the first Record (upstream: lastWrite is the
	// zero time).
	written bool
	// granularity is the time one bucket covers, window the whole ring's.
	granularity, window time.Duration
	// windowTotal is the sum of every bucket in the ring, including stale
	// ones ahead of lastWrite (upstream keeps the same invariant).
	windowTotal float64
	// smoothing is the weighted average's decay coefficient; 0 for the
	// linear average.
	smoothing float64
}

// NewKPABuckets returns a linear average over window in buckets of
// granularity (ceil(window / granularity) buckets). Upstream's granularity is
// a whole number of seconds (it indexes by Unix seconds); any positive
// granularity works here and agrees with upstream on whole seconds.
func NewKPABuckets(window, granularity time.Duration) *KPABuckets {
	if granularity <= 0 || window <= 0 {
		panic(fmt.Sprintf("policies: KPA buckets need a positive window and granularity, got %s and %s", window, granularity))
	}
	nb := math.Ceil(float64(window) / float64(granularity))
	return &KPABuckets{
		buckets:     make([]float64, int(nb)),
		granularity: granularity,
		window:      window,
	}
}

// NewKPAWeightedBuckets returns a weighted-exponential average over window
// (upstream's NewWeightedFloat64Buckets).
func NewKPAWeightedBuckets(window, granularity time.Duration) *KPABuckets {
	b := NewKPABuckets(window, granularity)
	b.smoothing = KPASmoothingCoeff(float64(len(b.buckets)))
	return b
}

// NewKPAWindow returns the buckets of the named aggregation (an empty name is
// linear, upstream's default).
func NewKPAWindow(a KPAAggregation, window, granularity time.Duration) *KPABuckets {
	if a == KPAWeightedExponential {
		return NewKPAWeightedBuckets(window, granularity)
	}
	return NewKPABuckets(window, granularity)
}

// KPASmoothingCoeff is the weighted average's decay for nb buckets
// (upstream's computeSmoothingCoeff): the multiplier m such that the weights
// m, m(1-m), m(1-m)^2, ... of nb buckets sum to at least 0.9999, but at least
// 0.2 (so long windows do not decay into a plain average).
func KPASmoothingCoeff(nb float64) float64 {
	return math.Max(1-sim.Pow(1-kpaWeightPrecision, 1/nb), kpaMinExponent)
}

// Window returns the averaging window.
func (b *KPABuckets) Window() time.Duration { return b.window }

// Weighted reports whether b is the weighted-exponential average.
func (b *KPABuckets) Weighted() bool { return b.smoothing != 0 }

// truncate is upstream's now.Truncate(granularity): the start of now's
// bucket.
func (b *KPABuckets) truncate(now sim.Time) sim.Time {
	return sim.Time(kpaIndex(now, b.granularity) * int64(b.granularity))
}

// kpaIndex is upstream's timeToIndex: the number of whole granularities since
// the start (floored, so a negative time falls in the bucket before).
func kpaIndex(t sim.Time, g time.Duration) int64 {
	q := int64(t) / int64(g)
	if int64(t)%int64(g) < 0 {
		q--
	}
	return q
}

// slot maps an index to a ring position.
func (b *KPABuckets) slot(i int64) int {
	n := int64(len(b.buckets))
	s := i % n
	if s < 0 {
		s += n
	}
	return int(s)
}

// IsEmpty reports whether nothing was recorded in the window before now
// (strictly more than a window since the last write's bucket).
func (b *KPABuckets) IsEmpty(now sim.Time) bool {
	return b.isEmpty(b.truncate(now))
}

func (b *KPABuckets) isEmpty(now sim.Time) bool {
	return !b.written || now.Sub(b.lastWrite) > b.window
}

// Record adds value to now's bucket. A write after a gap zeroes the buckets
// in between; a write after a whole window without one starts afresh (and
// resets firstWrite); a write into an earlier bucket still within the window
// of the last write adds to it; an older one is ignored.
func (b *KPABuckets) Record(now sim.Time, value float64) {
	bucketTime := b.truncate(now)
	writeIdx := kpaIndex(now, b.granularity)

	switch {
	case !b.written:
		// Upstream's first write: lastWrite is the zero time, a window or
		// more before, so everything resets.
		b.reset(bucketTime)
	case b.lastWrite != bucketTime:
		if bucketTime.Add(b.window) <= b.lastWrite {
			// A window or more before the last write: ignored.
			return
		}
		if b.firstWrite > bucketTime {
			b.firstWrite = bucketTime
		}
		if bucketTime > b.lastWrite {
			if bucketTime.Sub(b.lastWrite) >= b.window {
				// No write for a whole window: start afresh.
				b.reset(bucketTime)
			} else {
				// Zero the buckets skipped since the last write.
				for i := kpaIndex(b.lastWrite, b.granularity) + 1; i <= writeIdx; i++ {
					s := b.slot(i)
					b.windowTotal -= b.buckets[s]
					b.buckets[s] = 0
				}
				b.lastWrite = bucketTime
			}
		}
		// Otherwise lastWrite - window < bucketTime < lastWrite: add to it.
	}
	b.buckets[b.slot(writeIdx)] += value
	b.windowTotal += value
}

// reset empties the ring and makes t its first and last write.
func (b *KPABuckets) reset(t sim.Time) {
	clear(b.buckets)
	b.windowTotal = 0
	b.firstWrite, b.lastWrite, b.written = t, t, true
}

// WindowAverage returns the average over the window ending at now's bucket:
// linear or weighted-exponential as b was made.
func (b *KPABuckets) WindowAverage(now sim.Time) float64 {
	if b.smoothing != 0 {
		return b.weightedAverage(b.truncate(now))
	}
	return b.linearAverage(b.truncate(now))
}

// linearAverage is TimedFloat64Buckets.WindowAverage. Over a young window
// (first write less than a window ago) the average is over the buckets since
// the first write; when the last write is older than now, the buckets after
// it are dropped and the average is over the rest; gaps shorter than a window
// between writes count as zeros. Nothing for a whole window: 0. Rounded to 6
// decimal digits.
func (b *KPABuckets) linearAverage(now sim.Time) float64 {
	if !b.written {
		return 0
	}
	switch d := now.Sub(b.lastWrite); {
	case d <= 0:
		numB := math.Min(
			float64(b.lastWrite.Sub(b.firstWrite)/b.granularity)+1, // the times are inclusive
			float64(len(b.buckets)))
		return kpaRoundToNDigits(kpaPrecision, b.windowTotal/numB)
	case d < b.window:
		stIdx := kpaIndex(b.lastWrite, b.granularity)
		eIdx := kpaIndex(now, b.granularity)
		ret := b.windowTotal
		for i := stIdx + 1; i <= eIdx; i++ {
			ret -= b.buckets[b.slot(i)]
		}
		numB := math.Min(
			float64(b.lastWrite.Sub(b.firstWrite)/b.granularity)+1,
			float64(int64(len(b.buckets))-(eIdx-stIdx)))
		return kpaRoundToNDigits(kpaPrecision, ret/numB)
	default:
		return 0
	}
}

// weightedAverage is WeightedFloat64Buckets.WindowAverage: the newest bucket
// weighs m, the one before m(1-m), and so on; the buckets between the last
// write and now count as zeros (and fall out of the window), so the weights
// start at m(1-m)^k for a last write k buckets ago.
func (b *KPABuckets) weightedAverage(now sim.Time) float64 {
	if b.isEmpty(now) {
		return 0
	}
	totalB := int64(len(b.buckets))
	numB := totalB
	multiplier := b.smoothing
	if now > b.lastWrite {
		numZ := now.Sub(b.lastWrite) / b.granularity
		multiplier *= sim.Pow(1-b.smoothing, float64(numZ))
		numB -= int64(numZ)
	}
	startIdx := kpaIndex(b.lastWrite, b.granularity)
	ret := 0.
	for i := range numB {
		// The conversion keeps the product rounded on its own (no fused
		// multiply-add on any platform), as upstream's v := ... on amd64.
		ret += float64(b.buckets[b.slot(startIdx-i)] * multiplier)
		multiplier *= 1 - b.smoothing
	}
	return ret
}

// kpaRoundToNDigits is upstream's roundToNDigits.
func kpaRoundToNDigits(n int, f float64) float64 {
	p := math.Pow10(n)
	return math.Round(f*p) / p
}

// kpaMaxWindow is upstream's max.TimeWindow over max.window: the largest
// value recorded in the last ceil(duration / granularity) buckets, by the
// descending-maxima algorithm, in a ring allocated once.
type kpaMaxWindow struct {
	maxima        []kpaMaxEntry
	first, length int
	granularity   time.Duration
}

type kpaMaxEntry struct {
	value int
	index int64
}

// newKPAMaxWindow is max.NewTimeWindow.
func newKPAMaxWindow(duration, granularity time.Duration) *kpaMaxWindow {
	n := int(math.Ceil(float64(duration) / float64(granularity)))
	return newKPAMaxWindowBuckets(n, granularity)
}

func newKPAMaxWindowBuckets(n int, granularity time.Duration) *kpaMaxWindow {
	if n < 1 {
		n = 1
	}
	return &kpaMaxWindow{maxima: make([]kpaMaxEntry, n), granularity: granularity}
}

// RecordAt is TimeWindow.Record: v in the bucket of now.
func (m *kpaMaxWindow) RecordAt(now sim.Time, v int) {
	m.Record(kpaIndex(now, m.granularity), v)
}

func (m *kpaMaxWindow) at(i int) int { return i % len(m.maxima) }

// Record is window.Record, for a non-decreasing index.
func (m *kpaMaxWindow) Record(index int64, v int) {
	// Drop every element not above v: it can never be the maximum again.
	for ; m.length > 0; m.length-- {
		if v < m.maxima[m.at(m.first+m.length-1)].value {
			break
		}
	}
	// Drop elements that have left the window, oldest first.
	for m.length > 0 && index-m.maxima[m.first].index >= int64(len(m.maxima)) {
		m.length--
		m.first++
		if m.first == len(m.maxima) {
			m.first = 0
		}
	}
	// Several values at the same index: keep the largest.
	if m.length > 0 {
		if last := m.maxima[m.at(m.first+m.length-1)]; last.index == index {
			if last.value > v {
				v = last.value
			}
			m.length--
		}
	}
	m.maxima[m.at(m.first+m.length)] = kpaMaxEntry{index: index, value: v}
	m.length++
}

// Current is the largest value in the window.
func (m *kpaMaxWindow) Current() int { return m.maxima[m.first].value }
