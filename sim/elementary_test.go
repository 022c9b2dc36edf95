package sim

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// sameFloat reports whether a and b are the same float64, bit for bit,
// or both NaN.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// The bits below were recorded from math on an amd64 CPU with FMA, except
// Log of subnormal numbers, where math's amd64 assembly is wrong (it
// gives Log(2.5e-309) = -708.99..., the logarithm of a number 2^52
// times larger) and these functions, like math's portable code, are right.
// They hold on every machine: that is the point of the functions.
var expCases = []struct {
	x    float64
	bits uint64
}{
	{0, 0x3ff0000000000000},
	{math.Copysign(0, -1), 0x3ff0000000000000},
	{1, 0x4005bf0a8b145769},
	{-1, 0x3fd78b56362cef38},
	{0.5, 0x3ffa61298e1e069c},
	{1e-300, 0x3ff0000000000000},
	{-1e-300, 0x3ff0000000000000},
	{1e-10, 0x3ff000000006df38},
	{-3.5, 0x3f9eec1018e4ff66},
	{-3.2188758248682006, 0x3fa47ae147ae147c},
	{2.302585092994046, 0x4024000000000001},
	{10, 0x40d5829dcf950560},
	{-10, 0x3f07cd79b5647c9b},
	{100, 0x48f3494a9b171bf5},
	{-100, 0x36ea8c1f14e2af5d},
	{700, 0x7f0d945df4f8ec8e},
	{709.7, 0x7ff0000000000000},
	{709.782712893384, 0x7ff0000000000000},
	{709.79, 0x7ff0000000000000},
	{-700, 0xd14f2b0fb9307f},
	{-708.4, 0xff15b469edf89},
	{-709, 0x8bfe55de02338},
	{-720, 0x993b4dc95},
	{-744, 0x2},
	{-745.1, 0x1},
	{-745.2, 0x0},
	{-746, 0x0},
	{-1000, 0x0},
	{-1e+300, 0x0},
	{1e+300, 0x7ff0000000000000},
	{math.Inf(1), 0x7ff0000000000000},
	{math.Inf(-1), 0x0},
	{0.1, 0x3ff1aec7b35a00d4},
	{0.6931471805599453, 0x4000000000000000},
	{-0.6931471805599453, 0x3fe0000000000000},
	{3.14159, 0x4037240068789163},
	{37.5, 0x4351293919c201e5},
	{-37.5, 0x3c8dd5c566301ec7},
	{0.0001, 0x3ff00068dce3484e},
	{-0.0001, 0x3fefff2e4b97d31d},
}

var logCases = []struct {
	x    float64
	bits uint64
}{
	{1, 0x0},
	{2, 0x3fe62e42fefa39ef},
	{0.5, 0xbfe62e42fefa39ef},
	{10, 0x40026bb1bbb55516},
	{0.1, 0xc0026bb1bbb55515},
	{1e-300, 0xc085963447f87fb5},
	{1e+300, 0x4085963447f87fb5},
	{2.5e-309, 0xc08634a8f755a77b},
	{5e-324, 0xc0874385446d71c3},
	{1.7976931348623157e+308, 0x40862e42fefa39ef},
	{0.04, 0xc009c041f7ed8d33},
	{0.03, 0xc00c0d6e3a1428a6},
	{1.0000001, 0x3e7ad7f2847b6492},
	{0.9999999, 0xbe7ad7f2b1049b9f},
	{1234.5678, 0x401c7951d51791d7},
	{2.718281828459045, 0x3ff0000000000000},
	{0.7071067811865476, 0xbfd62e42fefa39ee},
	{3, 0x3ff193ea7aad030a},
	{7.2, 0x3fff95d5fc66b2d1},
	{1e-09, 0xc034b927f32bffb8},
	{0, 0xfff0000000000000},
	{math.Inf(1), 0x7ff0000000000000},
	{-1, 0x7ff8000000000001},
}

var powCases = []struct {
	x, y float64
	bits uint64
}{
	{2, 10, 0x4090000000000000},
	{2, 0.5, 0x3ff6a09e667f3bcd},
	{2, -0.5, 0x3fe6a09e667f3bcc},
	{0.25, 0.3333333333333333, 0x3fe428a2f98d728b},
	{0.999, 0.6666666666666666, 0x3feffa89aa613b97},
	{1e-10, 0.4, 0x3f1a36e2eb1c4326},
	{0.5, -0.9, 0x3ffddb680117ab12},
	{3, 1.7, 0x4019e45c2acce59e},
	{10, -3.3, 0x3f406c4363887512},
	{7.2, 2.5, 0x4061633dfc9ceabc},
	{1e-300, 1.2, 0x0},
	{-2, 3, 0xc020000000000000},
	{-2, 0.5, 0xfff8000000000000},
	{0, -1, 0x7ff0000000000000},
	{math.Copysign(0, -1), -3, 0xfff0000000000000},
	{1.5, 1e+06, 0x7ff0000000000000},
	{0.97, 33.25, 0x3fd73edd75a69525},
	{2.5e-309, 0.486, 0x20cb6223948885a3},
}

func TestElementaryValues(t *testing.T) {
	for _, c := range expCases {
		if got := Exp(c.x); !sameFloat(got, math.Float64frombits(c.bits)) {
			t.Errorf("Exp(%v) = %v (%#x), want %v (%#x)", c.x, got, math.Float64bits(got), math.Float64frombits(c.bits), c.bits)
		}
	}
	for _, c := range logCases {
		if got := Log(c.x); !sameFloat(got, math.Float64frombits(c.bits)) {
			t.Errorf("Log(%v) = %v (%#x), want %v (%#x)", c.x, got, math.Float64bits(got), math.Float64frombits(c.bits), c.bits)
		}
	}
	for _, c := range powCases {
		if got := Pow(c.x, c.y); !sameFloat(got, math.Float64frombits(c.bits)) {
			t.Errorf("Pow(%v, %v) = %v (%#x), want %v (%#x)", c.x, c.y, got, math.Float64bits(got), math.Float64frombits(c.bits), c.bits)
		}
	}
}

// The functions are within an ulp or two of the true values (math's
// portable code is the reference for accuracy here, whatever the machine).
func TestElementaryAccurate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100_000 {
		x := (r.Float64() - 0.5) * 1400
		y := r.ExpFloat64() * 100
		if e, m := Exp(x), math.Exp(x); math.Abs(e-m) > 4e-16*m {
			t.Fatalf("Exp(%v) = %v, math %v", x, e, m)
		}
		if l, m := Log(y), math.Log(y); math.Abs(l-m) > 4e-16*math.Abs(m) {
			t.Fatalf("Log(%v) = %v, math %v", y, l, m)
		}
	}
}

// On an amd64 CPU with FMA, math computes what these functions do, bit for
// bit, for every normal input: the built-in scenarios' recorded results
// do not move. Elsewhere math takes other paths, which is why the
// simulator does not use it; the test then has nothing to compare.
func TestElementaryMatchesMath(t *testing.T) {
	// math.Exp's path without FMA gives this x another last bit (as it
	// does 8 of every 100 x from -3.5 to -2.5, steps of 0.01).
	const probe = -3.29
	if runtime.GOARCH != "amd64" || !sameFloat(math.Exp(probe), Exp(probe)) {
		t.Skip("math here is not amd64's with FMA")
	}
	n := 3_000_000
	if testing.Short() {
		n = 300_000
	}
	r := rand.New(rand.NewPCG(9, 9))
	for i := range n {
		var x float64
		switch i % 4 {
		case 0:
			x = -3.5 + 0.7*r.NormFloat64() // a lognormal demand's exponent
		case 1:
			x = (r.Float64() - 0.5) * 1600
		case 2:
			x = math.Float64frombits(r.Uint64())
		default:
			x = r.ExpFloat64() * 10
		}
		if !sameFloat(Exp(x), math.Exp(x)) {
			t.Fatalf("Exp(%v) = %v, math.Exp %v", x, Exp(x), math.Exp(x))
		}
		ax := math.Abs(x)
		if ax < 0x1p-1022 {
			continue // subnormal: amd64's math.Log is wrong there
		}
		y := (r.Float64() - 0.5) * 8
		if !sameFloat(Log(ax), math.Log(ax)) {
			t.Fatalf("Log(%v) = %v, math.Log %v", ax, Log(ax), math.Log(ax))
		}
		if !sameFloat(Pow(ax, y), math.Pow(ax, y)) {
			t.Fatalf("Pow(%v, %v) = %v, math.Pow %v", ax, y, Pow(ax, y), math.Pow(ax, y))
		}
	}
}

// A lognormal demand stream is the same on every CPU: 100,000 draws from a
// fixed seed hash to the value recorded on an amd64 CPU with FMA. With
// math.Exp, an amd64 CPU without FMA (qemu-x86_64 -cpu Nehalem) drew
// another stream (hash 0xd5452cd75d06023c).
func TestLogNormalStreamSameOnEveryCPU(t *testing.T) {
	d := Prepare(LogNormal{Mean: 0.04, StdDev: 0.03})
	r := NewRand(1, 2)
	h := fnv.New64a()
	var b [8]byte
	for range 100_000 {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(d.Sample(r)))
		h.Write(b[:])
	}
	if got, want := h.Sum64(), uint64(0x4a4e33b42e1f57c0); got != want {
		t.Errorf("lognormal stream hash %#x, want %#x", got, want)
	}
}
