package reports

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactQuantile is the nearest-rank quantile of sorted values, the
// definition Histogram.Quantile approximates.
func exactQuantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	if q <= 0 {
		return sorted[0]
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

var testQuantiles = []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1}

func checkQuantiles(t *testing.T, name string, values []float64) {
	t.Helper()
	var h Histogram
	for _, v := range values {
		h.Add(v)
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	for _, q := range testQuantiles {
		want := exactQuantile(sorted, q)
		got := h.Quantile(q)
		if want == 0 {
			if got != 0 {
				t.Errorf("%s: Quantile(%v) = %v, want 0", name, q, got)
			}
			continue
		}
		if rel := math.Abs(got-want) / want; rel > HistogramRelativeError {
			t.Errorf("%s: Quantile(%v) = %v, want %v (relative error %.4f > %.4f)",
				name, q, got, want, rel, HistogramRelativeError)
		}
	}
	if h.Count() != uint64(len(values)) {
		t.Errorf("%s: Count = %d, want %d", name, h.Count(), len(values))
	}
	if h.Min() != sorted[0] || h.Max() != sorted[len(sorted)-1] {
		t.Errorf("%s: Min, Max = %v, %v, want %v, %v", name, h.Min(), h.Max(), sorted[0], sorted[len(sorted)-1])
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	if mean := sum / float64(len(values)); h.Mean() != mean {
		t.Errorf("%s: Mean = %v, want %v", name, h.Mean(), mean)
	}
}

func TestHistogramKnownDistributions(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 100_000
	gen := map[string]func() float64{
		"exponential(0.1)": func() float64 { return r.ExpFloat64() * 0.1 },
		"uniform(0,2)":     func() float64 { return 2 * r.Float64() },
		"lognormal":        func() float64 { return math.Exp(r.NormFloat64()*1.5 - 3) },
		"pareto(1.5)":      func() float64 { return 0.01 / math.Pow(1-r.Float64(), 1/1.5) },
		"constant(0.25)":   func() float64 { return 0.25 },
		"bimodal":          func() float64 { return []float64{0.001, 3}[r.IntN(2)] * (1 + r.Float64()/10) },
	}
	for _, name := range []string{"exponential(0.1)", "uniform(0,2)", "lognormal", "pareto(1.5)", "constant(0.25)", "bimodal"} {
		values := make([]float64, n)
		for i := range values {
			values[i] = gen[name]()
		}
		checkQuantiles(t, name, values)
	}
}

// TestHistogramEveryBucketEdge puts single values on and just below every
// bucket boundary, the worst case for the midpoint estimate.
func TestHistogramEveryBucketEdge(t *testing.T) {
	for key := uint64(histLowKey); key < histHighKey; key++ {
		lo := math.Float64frombits(key << histShift)
		for _, v := range []float64{lo, math.Nextafter(math.Float64frombits((key+1)<<histShift), 0)} {
			var h Histogram
			h.Add(v)
			h.Add(2 * HistogramMax) // keeps clamping to Max out of play
			got := h.Quantile(0.5)
			if rel := math.Abs(got-v) / v; rel > HistogramRelativeError {
				t.Fatalf("value %v: Quantile(0.5) = %v, relative error %v", v, got, rel)
			}
		}
	}
}

func TestHistogramEdgeCases(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		var h Histogram
		for _, q := range testQuantiles {
			if got := h.Quantile(q); got != 0 {
				t.Errorf("Quantile(%v) = %v, want 0", q, got)
			}
		}
		if h.Count() != 0 || h.Mean() != 0 || h.Min() != 0 || h.Max() != 0 {
			t.Errorf("empty: Count %d Mean %v Min %v Max %v", h.Count(), h.Mean(), h.Min(), h.Max())
		}
	})
	t.Run("one value", func(t *testing.T) {
		var h Histogram
		h.Add(0.123)
		for _, q := range testQuantiles {
			// Clamping to [Min, Max] makes a single value exact.
			if got := h.Quantile(q); got != 0.123 {
				t.Errorf("Quantile(%v) = %v, want 0.123", q, got)
			}
		}
	})
	t.Run("zeros", func(t *testing.T) {
		var h Histogram
		for range 10 {
			h.Add(0)
		}
		h.Add(-1)         // counted as 0
		h.Add(math.NaN()) // counted as 0
		h.Add(1)
		if got := h.Quantile(0.9); got != 0 {
			t.Errorf("Quantile(0.9) = %v, want 0", got)
		}
		if got := h.Quantile(0.99); got != 1 {
			t.Errorf("Quantile(0.99) = %v, want 1", got)
		}
		if h.Count() != 13 || h.Mean() != 1.0/13 || h.Min() != 0 {
			t.Errorf("Count %d Mean %v Min %v", h.Count(), h.Mean(), h.Min())
		}
	})
	t.Run("below range", func(t *testing.T) {
		var h Histogram
		h.Add(1e-9)
		h.Add(2e-9)
		h.Add(1e-3)
		// Rank 1 and 2 fall in the underflow bucket: the estimate is
		// within HistogramMin in absolute terms and clamped to [Min, Max].
		if got := h.Quantile(0.5); got < 1e-9 || got > HistogramMin {
			t.Errorf("Quantile(0.5) = %v, want in [1e-9, %v]", got, HistogramMin)
		}
		if h.Min() != 1e-9 {
			t.Errorf("Min = %v", h.Min())
		}
	})
	t.Run("above range", func(t *testing.T) {
		var h Histogram
		h.Add(1)
		h.Add(1e6)
		h.Add(2e6)
		h.Add(math.Inf(1))
		// The overflow bucket reports Max: an upper bound.
		if got := h.Quantile(0.5); !math.IsInf(got, 1) {
			t.Errorf("Quantile(0.5) = %v, want Max +Inf", got)
		}
		h.Reset()
		h.Add(1e6)
		h.Add(3e6)
		if got := h.Quantile(0.5); got != 3e6 {
			t.Errorf("Quantile(0.5) = %v, want Max 3e6", got)
		}
		if h.Mean() != 2e6 {
			t.Errorf("Mean = %v, want exact 2e6", h.Mean())
		}
	})
	t.Run("range ends", func(t *testing.T) {
		if b := bucketOf(HistogramMin); b != histFirst {
			t.Errorf("bucketOf(HistogramMin) = %d", b)
		}
		if b := bucketOf(math.Nextafter(HistogramMin, 0)); b != histUnderflow {
			t.Errorf("bucketOf(below HistogramMin) = %d", b)
		}
		if b := bucketOf(HistogramMax); b != histOverflow {
			t.Errorf("bucketOf(HistogramMax) = %d", b)
		}
		if b := bucketOf(math.Nextafter(HistogramMax, 0)); b != histOverflow-1 {
			t.Errorf("bucketOf(below HistogramMax) = %d", b)
		}
		if b := bucketOf(math.SmallestNonzeroFloat64); b != histUnderflow {
			t.Errorf("bucketOf(subnormal) = %d", b)
		}
	})
}

func TestHistogramMergeReset(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a, b, all Histogram
	for i := range 10_000 {
		v := r.ExpFloat64()
		if i%3 == 0 {
			a.Add(v)
		} else {
			b.Add(v * 10)
			v *= 10
		}
		all.Add(v)
	}
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	m.Merge(&Histogram{}) // empty: no effect
	if m.counts != all.counts || m.Count() != all.Count() || m.Min() != all.Min() || m.Max() != all.Max() {
		t.Fatalf("merge differs from adding everything to one histogram")
	}
	if math.Abs(m.Sum()-all.Sum()) > 1e-9*all.Sum() {
		t.Fatalf("merged sum %v, want %v", m.Sum(), all.Sum())
	}
	for _, q := range testQuantiles {
		if m.Quantile(q) != all.Quantile(q) {
			t.Errorf("Quantile(%v): merged %v, direct %v", q, m.Quantile(q), all.Quantile(q))
		}
	}
	m.Reset()
	if m != (Histogram{}) {
		t.Fatalf("Reset left state behind")
	}
	m.Add(5)
	if m.Quantile(0.5) != 5 || m.Count() != 1 {
		t.Fatalf("after Reset: Quantile %v Count %d", m.Quantile(0.5), m.Count())
	}
}

func TestHistogramAddDoesNotAllocate(t *testing.T) {
	var h Histogram
	v := 0.0
	if n := testing.AllocsPerRun(1000, func() { v += 0.001; h.Add(v) }); n != 0 {
		t.Fatalf("Add allocates %v times per call", n)
	}
}

func BenchmarkHistogramAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, 4096)
	for i := range values {
		values[i] = r.ExpFloat64() * 0.1
	}
	var h Histogram
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		h.Add(values[i&4095])
	}
}

func BenchmarkHistogramQuantile(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	var h Histogram
	for range 100_000 {
		h.Add(r.ExpFloat64() * 0.1)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.Quantile(0.99)
	}
}

// QuantilesAmong gives, for each q, exactly QuantileAmong's value: with
// the qs ascending (one walk), in any order (the walk starts over), with
// totals below, at and above the count, and for an empty histogram.
func TestQuantilesAmongIsQuantileAmong(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	specials := []float64{0, 1, math.NaN(), -0.5, 1.5, 1e-9, 0.999999}
	for trial := range 300 {
		var h Histogram
		for range r.IntN(3) * r.IntN(500) {
			switch r.IntN(20) {
			case 0:
				h.Add(0)
			case 1:
				h.Add(HistogramMin / 3)
			case 2:
				h.Add(HistogramMax * 2)
			default:
				h.Add(r.ExpFloat64() * 0.2)
			}
		}
		qs := make([]float64, 1+r.IntN(8))
		for i := range qs {
			qs[i] = r.Float64()
			if r.IntN(5) == 0 {
				qs[i] = specials[r.IntN(len(specials))]
			}
		}
		if trial%2 == 0 {
			slices.Sort(qs) // NaN first
		}
		total := h.Count() + uint64(r.IntN(3))*uint64(r.IntN(50))
		if trial%7 == 0 && total > 0 {
			total = uint64(r.IntN(int(total)))
		}
		got := make([]float64, len(qs))
		h.QuantilesAmong(qs, total, got)
		for i, q := range qs {
			want := h.QuantileAmong(q, total)
			if math.Float64bits(got[i]) != math.Float64bits(want) {
				t.Fatalf("trial %d: %d values, total %d, qs %v: QuantilesAmong gives %v for q=%v, QuantileAmong %v",
					trial, h.Count(), total, qs, got[i], q, want)
			}
		}
	}
}

// rank, found by rankWalk, is the first bucket from the bottom where the
// count reaches the rank (the bucket of max at most): checked for every
// rank against a plain scan.
func TestRankIsFirstBucketReachingIt(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var h Histogram
	for range 3000 {
		h.Add(r.ExpFloat64() * 0.01 * float64(1+r.IntN(100)))
	}
	h.Add(0)
	h.Add(HistogramMin / 4)
	lo, hi := bucketOf(h.Min()), bucketOf(h.Max())
	for rank := uint64(1); rank <= h.Count(); rank++ {
		i, seen := lo, uint64(0)
		for ; i < hi; i++ {
			if seen += h.counts[i]; seen >= rank {
				break
			}
		}
		w := Histogram{n: 1, min: h.min, max: h.max}
		w.counts[i] = 1 // a histogram whose only bucket is i
		want := w.rank(1)
		if got := h.rank(rank); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("rank %d: %v, the first bucket reaching it (%d) gives %v", rank, got, i, want)
		}
	}
}
