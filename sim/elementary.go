package sim

import "math"

// Exp, Log and Pow are the elementary functions the simulator samples and
// decays with, computed the same way, to the bit, on every CPU and
// architecture. The math package's are not: on amd64 math.Exp runs
// assembly that takes another path (with fused multiply-adds) when the CPU
// has FMA, and on arm64 another algorithm altogether, while math.Log is
// assembly on amd64 and Go elsewhere. A last-bit difference in one
// lognormal demand moves every later event, so a scenario's results would
// depend on the machine that ran it; with these they depend only on the
// scenario and the seed.
//
// Each is a Go transcription of what math computes on an amd64 CPU with
// FMA (the machines the built-in results were recorded on), so results
// there are unchanged: Exp is math's amd64 assembly's FMA path (Shibata's
// method, from SLEEF), with math.FMA, which the Go specification makes
// exact everywhere; Log is math's portable log (FreeBSD's e_log.c), which
// the amd64 assembly computes operation for operation; Pow is math's
// portable pow over these two. TestElementaryMatchesMath checks them
// against math on machines where math agrees, TestElementaryValues on
// every machine against recorded bits.

// Exp returns e**x. Special cases are as for math.Exp: Exp(+Inf) = +Inf,
// Exp(-Inf) = 0, Exp(NaN) = NaN, and very large (small) x give +Inf (0).
func Exp(x float64) float64 {
	const (
		log2e    = 1.4426950408889634073599246810018920 // 1/ln 2
		ln2u     = 0.69314718055966295651160180568695068359375
		ln2l     = 0.28235290563031577122588448175013436025525412068e-12
		overflow = 7.09782712893384e+02
		posInf   = 0x7FF0000000000000
		negInf   = 0xFFF0000000000000
	)
	b := math.Float64bits(x)
	if b&^(1<<63) >= posInf {
		if b == negInf {
			return 0
		}
		return x // NaN or +Inf
	}
	if x > overflow {
		return math.Inf(1)
	}
	// The exponent, rounded to nearest even as CVTSD2SL rounds; below
	// int32's range the assembly gets 0x80000000, and so 0.
	ef := math.RoundToEven(log2e * x)
	if ef < math.MinInt32 {
		return 0
	}
	e := int64(ef)
	// Reduce: r = (x - e ln 2) / 16, with ln 2 in two parts.
	r := math.FMA(-ef, ln2l, math.FMA(-ef, ln2u, x)) * 0.0625
	// Taylor series of e**r - 1, then squared back up four times:
	// (e**r - 1)(e**r + 1) = e**2r - 1.
	p := math.FMA(2.4801587301587301587e-5, r, 1.9841269841269841270e-4)
	p = math.FMA(p, r, 1.3888888888888888889e-3)
	p = math.FMA(p, r, 8.3333333333333333333e-3)
	p = math.FMA(p, r, 4.1666666666666666667e-2)
	p = math.FMA(p, r, 1.6666666666666666667e-1)
	p = math.FMA(p, r, 0.5)
	p = math.FMA(p, r, 1.0)
	r = float64(r * p)
	r = float64(r * (r + 2))
	r = float64(r * (r + 2))
	r = float64(r * (r + 2))
	r = math.FMA(r, r+2, 1)
	// r * 2**e, in two steps for a subnormal result.
	switch biased := e + 0x3FF; {
	case biased >= 0x7FF:
		return math.Inf(1)
	case biased > 0:
		return r * math.Float64frombits(uint64(biased)<<52)
	case biased < -52:
		return 0
	default:
		r *= math.Float64frombits(uint64(biased+0x3FE) << 52)
		return r * math.Float64frombits(1<<52)
	}
}

// Log returns the natural logarithm of x. Special cases are as for
// math.Log: Log(+Inf) = +Inf, Log(0) = -Inf, Log(x < 0) = NaN, Log(NaN) =
// NaN.
func Log(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // 3fe62e42 fee00000
		ln2Lo = 1.90821492927058770002e-10 // 3dea39ef 35793c76
		l1    = 6.666666666666735130e-01   // 3FE55555 55555593
		l2    = 3.999999999940941908e-01   // 3FD99999 9997FA04
		l3    = 2.857142874366239149e-01   // 3FD24924 94229359
		l4    = 2.222219843214978396e-01   // 3FCC71C5 1D8E78AF
		l5    = 1.818357216161805012e-01   // 3FC74664 96CB03DE
		l6    = 1.531383769920937332e-01   // 3FC39A09 D078C69F
		l7    = 1.479819860511658591e-01   // 3FC2F112 DF3E5244
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Pow returns x**y, with math.Pow's special cases.
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == math.IsInf(y, 1):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if math.IsInf(x, -1) {
			return Pow(1/x, -y) // Pow(-0, -y)
		}
		switch {
		case y < 0:
			return 0
		case y > 0:
			return math.Inf(1)
		}
	case y == 0.5:
		return math.Sqrt(x)
	case y == -0.5:
		return 1 / math.Sqrt(x)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf != 0 && x < 0 {
		return math.NaN()
	}
	if yi >= 1<<63 {
		// A large even integer: overflow (or underflow to 0) for every x
		// but -1 (x == 1 was handled above).
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == (y > 0):
			return 0
		default:
			return math.Inf(1)
		}
	}
	// ans = a1 * 2**ae, first x**yf, then x**yi by successive squarings,
	// the powers of two kept apart in ae.
	a1 := 1.0
	ae := 0
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(yf * Log(x))
	}
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			// ae will pass a float64's exponent range: Ldexp gives 0
			// or Inf.
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1)
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// isOddInt reports whether x is an odd integer.
func isOddInt(x float64) bool {
	if math.Abs(x) >= 1<<53 {
		return false // beyond 2**53 every float64 is an even integer
	}
	xi, xf := math.Modf(x)
	return xf == 0 && int64(xi)&1 == 1
}
