package sim

import (
	"math"
	"testing"
	"time"
)

func TestTimeConversions(t *testing.T) {
	at := At(90 * time.Minute)
	if at != Time(5400e9) {
		t.Errorf("At(90m) = %d", at)
	}
	if at.Seconds() != 5400 {
		t.Errorf("Seconds() = %g, want 5400", at.Seconds())
	}
	if at.Duration() != 90*time.Minute {
		t.Errorf("Duration() = %v", at.Duration())
	}
	if d := at.Sub(At(time.Hour)); d != 30*time.Minute {
		t.Errorf("Sub = %v, want 30m", d)
	}
	if got := At(time.Second).Add(500 * time.Millisecond); got != At(1500*time.Millisecond) {
		t.Errorf("Add = %v", got)
	}
	if got := At(time.Second).Add(-time.Second); got != 0 {
		t.Errorf("Add(-1s) = %v", got)
	}
}

func TestAddSaturates(t *testing.T) {
	if got := At(time.Hour).Add(math.MaxInt64); got != Never {
		t.Errorf("Add(MaxInt64) = %d, want Never", got)
	}
	if got := Never.Add(1); got != Never {
		t.Errorf("Never.Add(1) = %d, want Never", got)
	}
	if got := Time(-5).Add(math.MinInt64); got != math.MinInt64 {
		t.Errorf("Add(MinInt64) = %d, want MinInt64", got)
	}
}

func TestFromSeconds(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want Time
	}{
		{0, 0},
		{1.5, 1_500_000_000},
		{0.05, 50_000_000},
		{6.5e-5, 65_000}, // 6.5e-5*1e9 is 64999.99999999999: must round, not truncate
		{1.4e-9, 1},
		{1.6e-9, 2},
		{-1.6e-9, -2}, // halves away from zero, symmetric
		{-0.05, -50_000_000},
		{1e10, Never},
		{math.Inf(1), Never},
		{math.Inf(-1), math.MinInt64},
		{math.NaN(), 0},
	} {
		if got := FromSeconds(c.s); got != c.want {
			t.Errorf("FromSeconds(%g) = %d, want %d", c.s, got, c.want)
		}
	}
	// Round trip for whole milliseconds over a long run.
	for ms := int64(0); ms < 10_000_000; ms += 7919 {
		at := At(time.Duration(ms) * time.Millisecond)
		if got := FromSeconds(at.Seconds()); got != at {
			t.Fatalf("FromSeconds(%v.Seconds()) = %v", at, got)
		}
	}
}

func TestTimeStrings(t *testing.T) {
	for _, c := range []struct {
		t          Time
		str, clock string
	}{
		{0, "0s", "00:00:00"},
		{At(1500 * time.Millisecond), "1.5s", "00:00:01"},
		{At(time.Hour + 2*time.Minute + 3*time.Second), "1h2m3s", "01:02:03"},
		{At(49*time.Hour + 59*time.Second), "49h0m59s", "49:00:59"},
	} {
		if got := c.t.String(); got != c.str {
			t.Errorf("String() = %q, want %q", got, c.str)
		}
		if got := c.t.Clock(); got != c.clock {
			t.Errorf("Clock() = %q, want %q", got, c.clock)
		}
	}
	if Never.String() != "never" {
		t.Errorf("Never.String() = %q", Never.String())
	}
}
