package sim

// Exponential and normal draws by Marsaglia and Tsang's ziggurat ("The
// Ziggurat Method for Generating Random Variables", 2000), as math/rand/v2
// draws them (exp.go, normal.go), with its tables (ziggurat_tables.go). A
// draw takes one 64-bit value: 32 bits (signed for the normal) scaled by
// the width of one of 256 (128) strips, chosen by 8 (7) more bits, is
// the result when it falls inside the strip's rectangle. Only otherwise,
// about once in a hundred draws, does the draw go on to the strip's wedge
// or the base strip's tail, which take more values. Those steps are
// apart, so that the common case's code is short.

const (
	zigExpR  = 7.69711747013104972 // where the exponential's base strip's tail begins
	zigNormR = 3.442619855899      // where the normal's base strip's tail begins
)

// ExpFloat64 returns an exponentially distributed value with rate 1 (mean
// 1), in (0, +MaxFloat64]. For a mean m, multiply it by m.
func (r *Rand) ExpFloat64() float64 {
	u := r.Uint64()
	j, i := uint32(u), uint8(u>>32)
	if j < ke[i] {
		return float64(j) * float64(we[i])
	}
	return r.expBeyond(j, i)
}

// expBeyond goes on with a draw whose value j fell beyond the rectangle
// of strip i.
func (r *Rand) expBeyond(j uint32, i uint8) float64 {
	for {
		x := float64(j) * float64(we[i])
		if j < ke[i] {
			return x
		}
		if i == 0 {
			return zigExpR - Log(r.Float64())
		}
		// Every product rounded, so that no CPU fuses it with the sum.
		if fe[i]+float32(float32(r.Float64())*(fe[i-1]-fe[i])) < float32(Exp(-x)) {
			return x
		}
		u := r.Uint64()
		j, i = uint32(u), uint8(u>>32)
	}
}

// NormFloat64 returns a normally distributed value with mean 0 and
// standard deviation 1. For mean m and deviation s, compute
// m + float64(s*x) (the product rounded: see the package documentation).
func (r *Rand) NormFloat64() float64 {
	u := r.Uint64()
	j, i := int32(u), uint32(u>>32)&0x7F
	if absInt32(j) < kn[i] {
		return float64(j) * float64(wn[i])
	}
	return r.normBeyond(j, i)
}

// normBeyond goes on with a draw whose value j fell beyond the rectangle
// of strip i.
func (r *Rand) normBeyond(j int32, i uint32) float64 {
	for {
		x := float64(j) * float64(wn[i])
		if absInt32(j) < kn[i] {
			return x
		}
		if i == 0 {
			// The tail beyond zigNormR, by Marsaglia's method.
			for {
				x = float64(-Log(r.Float64()) * (1.0 / zigNormR)) // rounded: it is added below
				y := -Log(r.Float64())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigNormR + x
			}
			return -zigNormR - x
		}
		if fn[i]+float32(float32(r.Float64())*(fn[i-1]-fn[i])) < float32(Exp(-.5*x*x)) {
			return x
		}
		u := r.Uint64()
		j, i = int32(u), uint32(u>>32)&0x7F
	}
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}
