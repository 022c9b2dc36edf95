package sim

import (
	"hash/fnv"
)

// Streams derives independent random streams from one root seed. Each
// component draws from its own named stream ("arrivals/web", "demand/web",
// "placement", "faults", ...), so changing how many numbers one component
// draws never shifts another component's draws: switching the autoscaling
// policy leaves the arrival sequence and every request's demand unchanged.
//
// Streams holds no global state; the same seed and name always give the same
// sequence.
type Streams struct {
	seed uint64
}

// NewStreams returns the stream factory for one run.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the root seed.
func (s Streams) Seed() uint64 { return s.seed }

// Get returns a new generator for the named stream. Two calls with the same
// name return generators that produce the same sequence; callers keep the
// one they get.
func (s Streams) Get(name string) *Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	k := h.Sum64()
	// Both halves of the generator's state depend on the seed and the name,
	// so no two (seed, name) pairs share either half by construction.
	a := splitmix64(s.seed ^ splitmix64(k))
	b := splitmix64(k ^ splitmix64(s.seed^0x9e3779b97f4a7c15))
	return NewRand(a, b)
}

// splitmix64 is Vigna's finalizer: it spreads nearby seeds (1, 2, 3) into
// unrelated generator states.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
