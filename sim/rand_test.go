package sim

import (
	"math"
	"testing"
)

func draw(r *Rand, n int) []uint64 {
	xs := make([]uint64, n)
	for i := range xs {
		xs[i] = r.Uint64()
	}
	return xs
}

// matches counts the positions where a and b agree. For independent streams
// of 64-bit values it is 0 except with negligible probability.
func matches(a, b []uint64) int {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

func TestStreamsSameNameSameSequence(t *testing.T) {
	a := draw(NewStreams(42).Get("arrivals/web"), 1000)
	b := draw(NewStreams(42).Get("arrivals/web"), 1000)
	if matches(a, b) != len(a) {
		t.Fatal("the same seed and name gave different sequences")
	}
	// Each Get starts the stream afresh; generators do not share state.
	s := NewStreams(42)
	g := s.Get("x")
	draw(g, 2)
	if x, y := draw(g, 10), draw(s.Get("x"), 12)[2:]; matches(x, y) != 10 {
		t.Error("a second Get for the same name does not replay the stream from its start")
	}
	if NewStreams(42).Seed() != 42 {
		t.Error("Seed() does not return the root seed")
	}
}

func TestStreamsDiffer(t *testing.T) {
	s := NewStreams(1)
	names := []string{"arrivals/web", "arrivals/api", "demand/web", "placement", "faults", "", "a", "b"}
	seqs := map[string][]uint64{}
	for _, n := range names {
		seqs[n] = draw(s.Get(n), 100)
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if m := matches(seqs[a], seqs[b]); m > 0 {
				t.Errorf("streams %q and %q agree at %d of 100 draws", a, b, m)
			}
		}
	}
	// Nearby seeds give unrelated sequences for the same name.
	first := map[uint64]uint64{}
	for seed := range uint64(1000) {
		x := NewStreams(seed).Get("arrivals/web").Uint64()
		if prev, dup := first[x]; dup {
			t.Fatalf("seeds %d and %d start identically", prev, seed)
		}
		first[x] = seed
	}
	if m := matches(draw(NewStreams(1).Get("w"), 100), draw(NewStreams(2).Get("w"), 100)); m > 0 {
		t.Errorf("seeds 1 and 2 agree at %d of 100 draws", m)
	}
}

func TestStreamsIndependentOfOtherDraws(t *testing.T) {
	// Drawing heavily from one stream, or creating streams in another
	// order, must not shift another stream.
	s := NewStreams(7)
	ref := draw(s.Get("demand/web"), 50)

	s2 := NewStreams(7)
	busy := s2.Get("arrivals/web")
	s2.Get("placement")
	draw(busy, 100_000)
	demand := s2.Get("demand/web")
	draw(busy, 10)
	if matches(draw(demand, 50), ref) != 50 {
		t.Error("drawing from one stream shifted another")
	}
}

func TestStreamsUncorrelated(t *testing.T) {
	// Pearson correlation of paired uniform draws from two streams, and of
	// one stream with itself shifted by one (lag-1). For independent
	// uniforms the sample correlation has standard error 1/sqrt(n); allow
	// 5 standard errors.
	const n = 100_000
	corr := func(x, y []float64) float64 {
		var sx, sy, sxx, syy, sxy float64
		for i := range x {
			sx += x[i]
			sy += y[i]
			sxx += x[i] * x[i]
			syy += y[i] * y[i]
			sxy += x[i] * y[i]
		}
		cov := sxy/n - sx/n*sy/n
		return cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
	}
	floats := func(r *Rand, k int) []float64 {
		xs := make([]float64, k)
		for i := range xs {
			xs[i] = r.Float64()
		}
		return xs
	}
	limit := 5 / math.Sqrt(n)
	for _, pair := range [][2]string{{"arrivals/web", "demand/web"}, {"a", "b"}, {"faults", "placement"}} {
		s := NewStreams(3)
		x, y := floats(s.Get(pair[0]), n), floats(s.Get(pair[1]), n)
		if c := corr(x, y); math.Abs(c) > limit {
			t.Errorf("streams %q and %q: correlation %.4f, want |c| < %.4f", pair[0], pair[1], c, limit)
		}
	}
	for _, seeds := range [][2]uint64{{1, 2}, {0, 1 << 63}} {
		x := floats(NewStreams(seeds[0]).Get("w"), n)
		y := floats(NewStreams(seeds[1]).Get("w"), n)
		if c := corr(x, y); math.Abs(c) > limit {
			t.Errorf("seeds %d and %d: correlation %.4f, want |c| < %.4f", seeds[0], seeds[1], c, limit)
		}
	}
	x := floats(NewStreams(3).Get("w"), n+1)
	if c := corr(x[:n], x[1:]); math.Abs(c) > limit {
		t.Errorf("lag-1 autocorrelation %.4f, want |c| < %.4f", c, limit)
	}
}
