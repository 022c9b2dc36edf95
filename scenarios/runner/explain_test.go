package runner

import "testing"

func TestClock(t *testing.T) {
	for s, want := range map[float64]string{0: "00:00:00", 15: "00:00:15", 59.9: "00:00:59", 3600 + 61: "01:01:01", 100 * 3600: "100:00:00"} {
		if got := Clock(s); got != want {
			t.Errorf("Clock(%v) = %q, want %q", s, got, want)
		}
	}
}
