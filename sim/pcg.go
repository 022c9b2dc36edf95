package sim

import "math/bits"

// Rand is a random stream: the permuted congruential generator of
// math/rand/v2 (PCG, its 128-bit state and DXSM output), drawing exactly
// the values a math/rand/v2 Rand over rand.NewPCG(seed1, seed2) draws,
// number for number, with the draws the simulator makes (Uint64, Float64,
// IntN, ExpFloat64, NormFloat64).
//
// It is its own type rather than a rand.Rand for two reasons.
//
//   - Speed: a rand.Rand reaches its source through an interface, a
//     second call for every draw. Rand's methods are concrete: Uint64,
//     Float64 and IntN inline into their callers, and ExpFloat64 and
//     NormFloat64 are one call with the generator's step inlined and
//     their rare steps apart (past the ziggurat's first rectangle: 1.1%
//     of exponential and 0.7% of normal draws). An M/M/8 request's two
//     exponential draws cost about 15 instructions fewer (cachegrind).
//   - Reproducibility on every CPU: the ziggurat's rare cases call
//     math.Exp and math.Log, whose last bits depend on the CPU (see Exp),
//     and compare a sum of products that arm64 may fuse. Rand uses the
//     simulator's own Exp and Log, and rounds each product.
//
// A Rand is a math/rand/v2 Source too (its Uint64), so rand.New(r) has the
// rest of math/rand/v2's methods over the same stream. A Rand is not safe
// for concurrent use; the zero Rand is a valid stream (seeds 0, 0).
type Rand struct {
	hi, lo uint64
}

// NewRand returns the stream math/rand/v2 seeds with
// rand.NewPCG(seed1, seed2).
func NewRand(seed1, seed2 uint64) *Rand { return &Rand{hi: seed1, lo: seed2} }

// Uint64 returns a uniformly distributed 64-bit value: PCG's 128-bit
// multiply-add step, then the DXSM output permutation (math/rand/v2's
// PCG.Uint64, O'Neill's pcg-cpp).
func (r *Rand) Uint64() uint64 {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	// state = state*mul + inc, modulo 2^128
	hi, lo := bits.Mul64(r.lo, mulLo)
	hi += r.hi*mulLo + r.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	r.lo, r.hi = lo, hi
	// DXSM: "double xorshift multiply"
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}

// Float64 returns a uniformly distributed value in [0, 1): one of the 2^53
// multiples of 2^-53 there.
func (r *Rand) Float64() float64 { return float64(r.Uint64()<<11>>11) / (1 << 53) }

// IntN returns a uniformly distributed integer in [0, n), exactly (Lemire's
// multiply-shift with rejection, as math/rand/v2). It panics if n <= 0.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("sim: Rand.IntN of a count that is not positive")
	}
	return int(r.uint64n(uint64(n)))
}

func (r *Rand) uint64n(n uint64) uint64 {
	if n&(n-1) == 0 { // a power of two: mask
		return r.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}
