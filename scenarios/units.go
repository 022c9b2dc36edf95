package scenarios

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseCPU parses a Kubernetes CPU quantity into cores: "2", "0.5", "250m"
// (millicores), "1e3", "500000u", "100000000n". Binary suffixes (Ki, Mi,
// ...) are refused: they are for memory. The value is computed exactly and
// rounded once to the nearest float64.
func ParseCPU(s string) (float64, error) {
	num, suffix, err := splitQuantity(s)
	if err != nil {
		return 0, err
	}
	factor, ok := decimalSuffix(suffix)
	if !ok {
		if _, bin := binarySuffixes[suffix]; bin {
			return 0, fmt.Errorf("%q is not a CPU quantity: %s is a memory suffix; CPU is in cores (2, 0.5) or millicores (250m)", s, suffix)
		}
		return 0, fmt.Errorf("%q is not a CPU quantity; use cores (2, 0.5) or millicores (250m)", s)
	}
	return finish(s, num, factor)
}

// ParseBytes parses a Kubernetes memory quantity into bytes: "256Mi",
// "1Gi", "1G", "500M", "1e9", "134217728". The suffix "m" (milli) is
// refused even though Kubernetes accepts it, because "128m" almost always
// means 128Mi and not 0.128 bytes.
func ParseBytes(s string) (float64, error) {
	num, suffix, err := splitQuantity(s)
	if err != nil {
		return 0, err
	}
	if f, ok := binarySuffixes[suffix]; ok {
		return finish(s, num, f)
	}
	switch suffix {
	case "m", "u", "n":
		return 0, fmt.Errorf("%q would be a fraction of a byte (%s is a fractional suffix); did you mean %sMi or %sM?", s, suffix, num.RatString(), num.RatString())
	}
	if f, ok := decimalSuffix(suffix); ok {
		return finish(s, num, f)
	}
	up := strings.ToUpper(suffix)
	hint := ""
	switch {
	case len(up) == 2 && up[1] == 'B' && strings.Contains("KMGTPE", up[:1]):
		hint = fmt.Sprintf("; did you mean %s%s (10^x bytes) or %s%si (2^x bytes)?", num.RatString(), decimalName(up[:1]), num.RatString(), up[:1])
	case len(up) == 3 && strings.HasSuffix(up, "IB") && strings.Contains("KMGTPE", up[:1]):
		hint = fmt.Sprintf("; did you mean %s%si?", num.RatString(), up[:1])
	case len(up) == 2 && up[1] == 'I' && strings.Contains("KMGTPE", up[:1]):
		hint = fmt.Sprintf("; did you mean %s%si?", num.RatString(), up[:1])
	default:
		hint = "; use bytes with a Kubernetes suffix, e.g. 256Mi, 1Gi, 500M, 1G"
	}
	return 0, fmt.Errorf("%q is not a memory quantity%s", s, hint)
}

func decimalName(u string) string {
	if u == "K" {
		return "k"
	}
	return u
}

func finish(s string, num, factor *big.Rat) (float64, error) {
	v, _ := new(big.Rat).Mul(num, factor).Float64()
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q is negative; quantities must be at least 0", s)
	}
	return v, nil
}

var binarySuffixes = map[string]*big.Rat{
	"Ki": pow(2, 10), "Mi": pow(2, 20), "Gi": pow(2, 30),
	"Ti": pow(2, 40), "Pi": pow(2, 50), "Ei": pow(2, 60),
}

var decimalSuffixes = map[string]*big.Rat{
	"n": pow(10, -9), "u": pow(10, -6), "m": pow(10, -3), "": pow(10, 0),
	"k": pow(10, 3), "M": pow(10, 6), "G": pow(10, 9),
	"T": pow(10, 12), "P": pow(10, 15), "E": pow(10, 18),
}

// decimalSuffix returns the factor of an SI suffix or of a decimal exponent
// ("e3", "E-2").
func decimalSuffix(s string) (*big.Rat, bool) {
	if f, ok := decimalSuffixes[s]; ok {
		return f, true
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		e, err := strconv.Atoi(s[1:])
		if err == nil && e >= -30 && e <= 30 {
			return pow(10, e), true
		}
	}
	return nil, false
}

func pow(base int64, exp int) *big.Rat {
	r := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(base), big.NewInt(int64(abs(exp))), nil))
	if exp < 0 {
		r.Inv(r)
	}
	return r
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// splitQuantity splits "1.5Gi" into the exact number 3/2 and "Gi".
func splitQuantity(s string) (*big.Rat, string, error) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		if s[i] != '.' {
			digits++
		}
		i++
	}
	if digits == 0 {
		return nil, "", fmt.Errorf("%q is not a quantity; it must start with a number, e.g. 250m, 2, 256Mi", s)
	}
	num, ok := new(big.Rat).SetString(s[:i])
	if !ok || strings.Count(s[:i], ".") > 1 {
		return nil, "", fmt.Errorf("%q is not a quantity; it must start with a number, e.g. 250m, 2, 256Mi", s)
	}
	if num.Sign() < 0 {
		return nil, "", fmt.Errorf("%q is negative; quantities must be at least 0", s)
	}
	return num, strings.TrimSpace(s[i:]), nil
}

// durationSyntaxRE matches what time.ParseDuration accepts, whatever the
// range.
var durationSyntaxRE = regexp.MustCompile(`^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)

// ParseDuration parses a Go duration ("500ms", "30s", "1h30m"). Negative
// durations are refused. A bare number is refused with a hint, except 0,
// which needs no unit.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err == nil {
		if d < 0 {
			return 0, fmt.Errorf("%s is negative; durations must be at least 0", s)
		}
		return d, nil
	}
	if f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64); ferr == nil {
		if f == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("%s has no unit; write a Go duration, e.g. %ss or %sms", s, s, s)
	}
	t := strings.TrimSpace(s)
	if durationSyntaxRE.MatchString(t) {
		// Well formed, so time.ParseDuration failed on the range.
		return 0, fmt.Errorf("%s is too long: the longest duration is %dh (about 292 years)", t, int64(math.MaxInt64/time.Hour))
	}
	if n, ok := strings.CutSuffix(t, "d"); ok {
		if f, ferr := strconv.ParseFloat(n, 64); ferr == nil {
			return 0, fmt.Errorf("%q is not a duration: Go durations have no d unit; write %gh", s, f*24)
		}
	}
	return 0, fmt.Errorf("%q is not a duration; use Go syntax like 500ms, 30s, 5m, 1h30m", s)
}
