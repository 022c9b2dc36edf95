package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The CFS figures: summary.json counts them from warmup to the end
// (interpolated at warmup, as CPU is), each timeseries.csv row the
// interval's periods, throttled periods and seconds.
func TestCPUThrottlingFigures(t *testing.T) {
	cfg := Config{Scenario: "w", Duration: 60 * time.Second, Warmup: 30 * time.Second,
		Services: []ServiceConfig{{Name: "s", Policy: "static", PricePerHour: 1}}}
	var ts bytes.Buffer
	c, err := New(cfg, Outputs{Timeseries: &ts})
	if err != nil {
		t.Fatal(err)
	}
	k := Counts{Desired: 1, Ready: 1}
	c.Lifecycle(Event{Time: 0, Service: 0, Kind: "instance-ready", Counts: k})
	for i := 1; i <= 3; i++ {
		// 10 periods a second, one in ten throttled, for 0.1 s a second.
		n := int64(200 * i)
		c.Sample(at(float64(20*i)), []Sample{{Counts: k, CPUSeconds: float64(10 * i), CPURequestSeconds: float64(20 * i),
			InstanceSeconds: float64(20 * i), CPUPeriods: n, CPUThrottledPeriods: n / 10, CPUThrottledSeconds: float64(n) / 100}})
	}
	// Base at 30 s: 300 periods, 30 throttled, 3 s; end: 600, 60, 6 s.
	got := c.Summary(0, 0).Services["s"].CPUThrottling
	if want := (CPUThrottling{Periods: 300, ThrottledPeriods: 30, ThrottledSeconds: 3}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(ts.String()), "\n")
	if !strings.HasSuffix(lines[0], ",cpu_periods,cpu_throttled_periods,cpu_throttled_seconds") {
		t.Fatalf("header %q does not end with the throttling columns", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasSuffix(l, ",200,20,2") {
			t.Errorf("row %q: want 200 periods, 20 throttled and 2 s in each 20 s interval", l)
		}
	}
}
