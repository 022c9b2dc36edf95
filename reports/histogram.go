package reports

import "math"

// Histogram is a streaming distribution of non-negative values (latencies
// and queue waits in seconds) in fixed memory, with quantiles to a bounded
// relative error.
//
// Layout. Buckets are log-linear, as in HdrHistogram: every power-of-two
// range [2^e, 2^(e+1)) is cut into 64 equal sub-buckets. The bucket of a value
// is read straight off its float64 bits (exponent and the top 6 mantissa
// bits), so Add costs a shift, two compares and an increment, and never
// allocates. A bucket [lo, hi) has hi-lo <= lo/64.
//
// Range. Buckets cover [HistogramMin, HistogramMax) = [2^-20, 2^17) seconds,
// about 0.95 µs to 36.4 h, in 37 x 64 = 2368 buckets, plus three special ones:
//   - zero: exactly 0 (and negative or NaN values, which are counted as 0);
//   - underflow: (0, HistogramMin);
//   - overflow: [HistogramMax, +Inf].
//
// Values outside the range are clamped into the underflow and overflow
// buckets for quantiles only: Count, Mean (from an exact running sum), Min and
// Max always use the values as given.
//
// Quantile error. Quantile(q) returns the midpoint of the bucket that holds
// the value of rank ceil(q*n) (the nearest-rank definition), clamped to
// [Min, Max]. For a true quantile x in range the result is within
// HistogramRelativeError = 1/128 (0.78%) of x. In the underflow bucket the
// error is below HistogramMin in absolute terms; in the overflow bucket the
// result is Max, an upper bound. Quantile(0) is Min and Quantile(1) is Max,
// exactly.
//
// The zero value is an empty histogram ready to use. A Histogram is about
// 19 KiB; pass it by pointer.
type Histogram struct {
	// The header comes first, so that it shares a cache line with what
	// precedes a Histogram in a struct (the Collector's counters).
	n      uint64
	sum    float64
	min    float64
	max    float64
	counts [histBuckets]uint64
}

const (
	// HistogramMin is the smallest value with a relative error bound:
	// 2^-20 s, about 0.95 µs.
	HistogramMin = 1.0 / (1 << 20)
	// HistogramMax is the end of the bucketed range: 2^17 s, about 36.4 h.
	HistogramMax = 1 << 17
	// HistogramRelativeError bounds the relative error of Quantile for values
	// in [HistogramMin, HistogramMax).
	HistogramRelativeError = 1.0 / 128

	histSubBits = 6 // 64 sub-buckets per power of two
	histMinExp  = -20
	histMaxExp  = 17 // exclusive
	histShift   = 52 - histSubBits
	// histLowKey and histHighKey are float64 bits >> histShift of
	// HistogramMin and HistogramMax: keys are monotone in the value.
	histLowKey  = (1023 + histMinExp) << histSubBits
	histHighKey = (1023 + histMaxExp) << histSubBits
	histRegular = histHighKey - histLowKey // 2368

	histZero      = 0
	histUnderflow = 1
	histFirst     = 2 // first regular bucket
	histOverflow  = histFirst + histRegular
	histBuckets   = histOverflow + 1
)

// bucketOf returns the bucket index of v, which must be >= 0 and not NaN.
func bucketOf(v float64) int {
	if v == 0 {
		return histZero
	}
	key := int(math.Float64bits(v) >> histShift)
	switch {
	case key < histLowKey:
		return histUnderflow
	case key >= histHighKey:
		return histOverflow
	}
	return key - histLowKey + histFirst
}

// Add records v. Negative values and NaN are recorded as 0.
func (h *Histogram) Add(v float64) {
	v = recorded(v)
	h.counts[bucketOf(v)]++
	if h.n == 0 {
		h.min, h.max = v, v
	} else if v < h.min {
		h.min = v
	} else if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += v
}

// recorded is the value Add records for v: v, or 0 when it is negative
// or NaN.
func recorded(v float64) float64 {
	if !(v >= 0) {
		return 0
	}
	return v
}

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Sum returns the exact sum of the values recorded.
func (h *Histogram) Sum() float64 { return h.sum }

// Mean returns the exact mean, or 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Min returns the smallest value recorded, or 0 when empty.
func (h *Histogram) Min() float64 { return h.min }

// Max returns the largest value recorded, or 0 when empty.
func (h *Histogram) Max() float64 { return h.max }

// Quantile returns the q-quantile (q in [0, 1], clamped; 0.99 is the 99th
// percentile) to within HistogramRelativeError, or 0 when empty. See the type
// documentation for the definition and the bound.
func (h *Histogram) Quantile(q float64) float64 {
	if v, edge := h.quantileEdge(q); edge {
		return v
	}
	return h.rank(nearestRank(q, h.n))
}

// quantileEdge is Quantile(q) where no bucket need be read (h is empty, or
// q is at or outside [0, 1]) and reports whether it was one of those.
func (h *Histogram) quantileEdge(q float64) (float64, bool) {
	switch {
	case h.n == 0:
		return 0, true
	case !(q > 0): // also NaN
		return h.min, true
	case q >= 1:
		return h.max, true
	}
	return 0, false
}

// nearestRank is the rank of the q-quantile of n values (0 < q < 1):
// ceil(q*n), within [1, n].
func nearestRank(q float64, n uint64) uint64 {
	rank := uint64(math.Ceil(q * float64(n)))
	return min(max(rank, 1), n)
}

// QuantileAmong returns the q-quantile of total values: the ones recorded
// in h and total - Count() more that are larger than every one of them (the
// requests that did not complete, slower than any latency). It is
// Quantile's value when the rank ceil(q*total) falls among the recorded
// values, and +Inf when it falls among the others. With total <= Count()
// it is Quantile(q); it is 0 when total is 0.
func (h *Histogram) QuantileAmong(q float64, total uint64) float64 {
	w := h.walk()
	return w.quantileAmong(q, total)
}

// QuantilesAmong sets out[i] to QuantileAmong(qs[i], total) for every i
// (out is at least as long as qs). With qs ascending it walks the buckets
// once for all of them, where QuantileAmong walks them at every call.
func (h *Histogram) QuantilesAmong(qs []float64, total uint64, out []float64) {
	w := h.walk()
	for i := len(qs) - 1; i >= 0; i-- { // descending ranks: one walk down
		out[i] = w.quantileAmong(qs[i], total)
	}
}

// quantileAmong is QuantileAmong(q, total) of w's histogram.
func (w *rankWalk) quantileAmong(q float64, total uint64) float64 {
	h := w.h
	if total <= h.n {
		return w.quantile(q)
	}
	if math.IsNaN(q) {
		q = 0
	}
	if q <= 0 && h.n > 0 {
		return h.min
	}
	if q >= 1 || nearestRank(q, total) > h.n {
		return math.Inf(1)
	}
	return w.value(nearestRank(q, total))
}

// quantile is Quantile(q) of w's histogram.
func (w *rankWalk) quantile(q float64) float64 {
	if v, edge := w.h.quantileEdge(q); edge {
		return v
	}
	return w.value(nearestRank(q, w.h.n))
}

// rank returns the value of rank rank (1 <= rank <= Count()), to within
// HistogramRelativeError.
func (h *Histogram) rank(rank uint64) float64 {
	w := h.walk()
	return w.value(rank)
}

// rankWalk finds the buckets of ranks in one downward pass over h's
// buckets when the ranks come in descending order (and starts over at the
// top when one does not). It walks down from the maximum because the
// values that a histogram of latencies holds are spread thinner over its
// lower buckets, in a long tail towards zero: from the top, a high
// quantile is a few buckets away, the median nearer than from the bottom.
type rankWalk struct {
	h      *Histogram
	lo, hi int    // the buckets of min and max: occupied buckets lie between
	i      int    // the bucket reached
	above  uint64 // the values in the buckets above i
	last   uint64 // the previous rank looked up
}

func (h *Histogram) walk() rankWalk {
	lo, hi := bucketOf(h.min), bucketOf(h.max)
	return rankWalk{h: h, lo: lo, hi: hi, i: hi, last: math.MaxUint64}
}

// value returns the value of rank rank (1 <= rank <= Count()), to within
// HistogramRelativeError: the midpoint of the first bucket from the
// bottom where the count reaches rank, clamped to [Min, Max].
func (w *rankWalk) value(rank uint64) float64 {
	if rank > w.last {
		w.i, w.above = w.hi, 0
	}
	w.last = rank
	h := w.h
	// The count up to bucket i is n - above, at least rank; go down while
	// the count up to the bucket below still reaches it.
	for w.i > w.lo && h.n-w.above-h.counts[w.i] >= rank {
		w.above += h.counts[w.i]
		w.i--
	}
	var v float64
	switch i := w.i; i {
	case histZero:
		return 0
	case histUnderflow:
		v = HistogramMin / 2
	case histOverflow:
		return h.max
	default:
		key := uint64(i - histFirst + histLowKey)
		b0 := math.Float64frombits(key << histShift)
		b1 := math.Float64frombits((key + 1) << histShift)
		v = (b0 + b1) / 2
	}
	return min(max(v, h.min), h.max)
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	h.mergeAllButSum(o)
	h.sum += o.sum
}

// addToSum adds to h's sum what Add(v) adds, and nothing else: with
// mergeAllButSum, a histogram whose buckets arrive in bulk keeps the sum
// that adding its values one by one, in their order, would give.
func (h *Histogram) addToSum(v float64) { h.sum += recorded(v) }

// mergeAllButSum adds o's buckets, count, minimum and maximum to h, but
// not its sum (see addToSum). It visits only the buckets between those of
// o's minimum and maximum.
func (h *Histogram) mergeAllButSum(o *Histogram) {
	if o.n == 0 {
		return
	}
	lo, hi := bucketOf(o.min), bucketOf(o.max)
	for i := lo; i <= hi; i++ {
		h.counts[i] += o.counts[i]
	}
	h.mergeCountAndExtremes(o)
}

// mergeCountAndExtremes adds o's count, minimum and maximum to h's.
func (h *Histogram) mergeCountAndExtremes(o *Histogram) {
	if h.n == 0 {
		h.min, h.max = o.min, o.max
	} else {
		h.min = min(h.min, o.min)
		h.max = max(h.max, o.max)
	}
	h.n += o.n
}

// takeAllButSum moves o into h, all but its sum: it does what
// mergeAllButSum(o) and then o.Reset() do, in one pass over o's buckets.
func (h *Histogram) takeAllButSum(o *Histogram) {
	if o.n == 0 {
		return
	}
	lo, hi := bucketOf(o.min), bucketOf(o.max)
	// Slices of the same length, so the loop has no bounds checks.
	from := o.counts[lo : hi+1]
	to := h.counts[lo : hi+1]
	for i, c := range from {
		to[i] += c
		from[i] = 0
	}
	h.mergeCountAndExtremes(o)
	o.n, o.sum, o.min, o.max = 0, 0, 0, 0
}

// Reset empties h. It clears only the buckets between those of the minimum
// and the maximum, so resetting a histogram that saw a narrow range is cheap.
func (h *Histogram) Reset() {
	if h.n == 0 {
		return
	}
	clear(h.counts[bucketOf(h.min) : bucketOf(h.max)+1])
	h.n, h.sum, h.min, h.max = 0, 0, 0, 0
}
