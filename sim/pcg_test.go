package sim

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Rand draws what math/rand/v2 over rand.NewPCG draws, value for value,
// from every seed: the uniform draws everywhere, and the exponential and
// normal ones too wherever math.Exp and math.Log compute what Exp and Log
// do (amd64 with FMA; see TestElementaryMatchesMath). The draws are
// interleaved, as a simulation's are, so that a draw taking one value
// more or fewer than math/rand/v2's shifts every later one.
func TestRandDrawsWhatMathRandDraws(t *testing.T) {
	const probe = -3.29 // as TestElementaryMatchesMath
	ziggurat := runtime.GOARCH == "amd64" && sameFloat(math.Exp(probe), Exp(probe))
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	beyond := 0 // exponential and normal draws that left the first rectangle
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {0x9e3779b97f4a7c15, 42}, {math.MaxUint64, math.MaxUint64}} {
		ours, theirs := NewRand(seed[0], seed[1]), rand.New(rand.NewPCG(seed[0], seed[1]))
		for k := range n {
			var a, b float64
			switch k % 6 {
			case 0:
				a, b = float64(ours.Uint64()>>11), float64(theirs.Uint64()>>11)
			case 1:
				a, b = ours.Float64(), theirs.Float64()
			case 2:
				// 3, 7, ... , and at times a bound whose rejection
				// zone is wide (2^63+1 rejects nearly half of all
				// values).
				m := 3 + 4*(k%1000)
				if k%5 == 0 {
					m = 1<<62 + 1
				}
				a, b = float64(ours.IntN(m)), float64(theirs.IntN(m))
			case 3:
				a, b = float64(ours.IntN(1<<20)), float64(theirs.IntN(1<<20)) // a power of two: masked
			case 4:
				if !ziggurat {
					continue
				}
				if u := *ours; u.exitsRectangle(false) {
					beyond++
				}
				a, b = ours.ExpFloat64(), theirs.ExpFloat64()
			default:
				if !ziggurat {
					continue
				}
				if u := *ours; u.exitsRectangle(true) {
					beyond++
				}
				a, b = ours.NormFloat64(), theirs.NormFloat64()
			}
			if !sameFloat(a, b) {
				t.Fatalf("seed %v, draw %d (kind %d): Rand %v, math/rand/v2 %v", seed, k, k%6, a, b)
			}
		}
	}
	// About 1% of the draws go on beyond the rectangle (Marsaglia and
	// Tsang: 98.9% of exponential and 99.3% of normal draws stay): the
	// comparison covered the wedges and tails.
	if want := n / 3 * 4 / 1000; ziggurat && beyond < want {
		t.Errorf("only %d of the ziggurat draws left the first rectangle, want at least %d", beyond, want)
	}
	if !ziggurat {
		t.Log("math here is not amd64's with FMA: the exponential and normal draws were not compared")
	}
}

// exitsRectangle reports whether the next exponential (normal) draw goes
// on beyond its strip's rectangle.
func (r *Rand) exitsRectangle(normal bool) bool {
	u := r.Uint64()
	if normal {
		return absInt32(int32(u)) >= kn[u>>32&0x7F]
	}
	return uint32(u) >= ke[uint8(u>>32)]
}

func BenchmarkRandExpFloat64(b *testing.B) {
	r := NewRand(1, 2)
	var s float64
	for b.Loop() {
		s += r.ExpFloat64()
	}
	_ = s
}

func BenchmarkMathRandExpFloat64(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var s float64
	for b.Loop() {
		s += r.ExpFloat64()
	}
	_ = s
}

// The exponential and normal streams are the same on every CPU, wedges and
// tails included: 10^6 draws of each from a fixed seed hash to the value
// recorded on an amd64 CPU with FMA, where they are math/rand/v2's (the
// test above). Where the comparison with math/rand/v2 is skipped (an amd64
// CPU without FMA, arm64), this still holds: checked under qemu-x86_64
// -cpu Nehalem and qemu-aarch64. math/rand/v2's own draws from the same
// seed hash to 0xb1ea77f2ba1593a1 on arm64 (qemu-aarch64): its wedges
// fuse a multiply-add there, and its math.Exp computes other last bits.
func TestZigguratStreamsSameOnEveryCPU(t *testing.T) {
	r := NewRand(3, 4)
	h := fnv.New64a()
	var b [8]byte
	for range 1_000_000 {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(r.ExpFloat64()))
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(r.NormFloat64()))
		h.Write(b[:])
	}
	if got, want := h.Sum64(), uint64(0x370e189904b53f5e); got != want {
		t.Errorf("ziggurat streams hash %#x, want %#x", got, want)
	}
}
