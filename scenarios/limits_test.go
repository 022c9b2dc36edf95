package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// base is a valid scenario that the cases below break with overrides.
const base = `name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler: {policy: cpu, target_utilization: 70}
traffic:
  web: {rate: 100}
slo:
  web: {latency: 250ms}
`

// TestLimits: what cannot be meaningful (and would exhaust memory or
// never finish) is refused at its position, with the limit (issue #9,
// items 3 and 5).
func TestLimits(t *testing.T) {
	tests := []struct {
		set, want string
	}{
		{"traffic.web.rate=1e7", "--set traffic.web.rate=1e7: 10000000 requests per second is more than the 1000000 allowed per service"},
		{"services.web.replicas.initial=1e7", "--set services.web.replicas.initial=1e7: 10000000 is more than the 100000 replicas allowed"},
		{"services.web.replicas.max=200000", "--set services.web.replicas.max=200000: 200000 is more than the 100000 replicas allowed"},
		{"traffic.web.clients=1e9", "--set traffic.web.clients=1e9: 1000000000 is more than the 1000000 clients allowed"},
		{"services.web.autoscaler.rounds=1e9", "--set services.web.autoscaler.rounds=1e9: 1000000000 is more than the 10000 rounds allowed"},
		{"services.web.autoscaler.instances_per_scale_up=1e9", "--set services.web.autoscaler.instances_per_scale_up=1e9: 1000000000 is more than the 1000 allowed per scale-up"},
		{"traffic.web.rate=null --set traffic.web.pattern=[{type: constant, rps: 1}, {type: spike, at: 1m, duration: 1m, factor: 1e300}]", "traffic.web.pattern.1.factor: 1e+300 is more than the largest factor allowed, 1000"},
		{"traffic.web.rate=null --set traffic.web.pattern=[{type: constant, rps: 10000}, {type: spike, at: 1m, duration: 1m, factor: 200}]", "the rate reaches 2000000 requests per second, more than the 1000000 allowed per service"},
		{"sample_interval=1ns", "--set sample_interval=1ns: 1ns is too short; it must be at least 1ms"},
		{"sample_interval=1ms", "--set sample_interval=1ms: 1ms gives 3600000 samples over the duration 1h0m0s, more than the 1000000 allowed; write at least 4ms"},
		{"services.web.autoscaler.interval=1ns", "--set services.web.autoscaler.interval=1ns: 1ns is too short; it must be at least 1ms"},
		{"services.web.autoscaler.metrics.scrape_interval=1ns", "--set services.web.autoscaler.metrics.scrape_interval=1ns: 1ns is too short; it must be at least 1ms"},
		{"services.web.probes.readiness.period=1ns", "--set services.web.probes.readiness.period=1ns: 1ns is too short; it must be at least 1ms"},
		{"traffic.web.retries=1001", "--set traffic.web.retries=1001: 1001 is more than the 1000 retries allowed"},
		{"duration=10000000h", "--set duration=10000000h: 10000000h is too long: the longest duration is 2562047h"},
		{"services.web.demand=null", "--set services.web.demand=null: is required and has no default, so null cannot remove it; give a value"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			lines := parseErrors(t, base, strings.Split(tt.set, " --set ")...)
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) || strings.Contains(l, tt.want) {
					return
				}
			}
			t.Errorf("want a line with\n  %s\ngot\n  %s", tt.want, strings.Join(lines, "\n  "))
		})
	}
	// At the limits, the scenario is valid.
	mustParse(t, base, "traffic.web.rate=1e6", "services.web.replicas.max=100000", "traffic.web.retries=1000",
		"sample_interval=1s", "services.web.autoscaler.interval=1ms", "traffic.web.clients=1000000")
}

// Percentages written as fractions are refused with a hint wherever a
// percentage is read (issue #9, item 6); a percent sign makes a small
// percentage explicit.
func TestPercentagesAsFractions(t *testing.T) {
	tests := []struct {
		set, want string
	}{
		{"slo.web.percentile=0.99", "--set slo.web.percentile=0.99: 0.99 is a fraction, but this is a percentage: write 99, not 0.99"},
		{"slo.web.percentile=1", "--set slo.web.percentile=1: 1 is a fraction, but this is a percentage: write 100, not 1"},
		{"services.web.autoscaler.target_utilization=0.7", "write 70, not 0.7"},
		{"services.web.autoscaler.cpu_threshold=0.7", "--set services.web.autoscaler.cpu_threshold=0.7: 0.7 is a fraction, but this is a percentage: write 70, not 0.7"},
		{"services.web.autoscaler.memory_threshold=0.8", "write 80, not 0.8"},
		{"services.web.autoscaler.percentile=0.95", "write 95, not 0.95"},
		{"services.web.autoscaler.policy=hpa --set services.web.autoscaler.metrics=[{resource: cpu, target_utilization: 0.07}]", "write 7, not 0.07"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			lines := parseErrors(t, base, strings.Split(tt.set, " --set ")...)
			if !strings.Contains(strings.Join(lines, "\n"), tt.want) {
				t.Errorf("want %q in\n  %s", tt.want, strings.Join(lines, "\n  "))
			}
		})
	}
	s := mustParse(t, base, `slo.web.percentile="0.5%"`, "services.web.autoscaler.memory_threshold=0", `services.web.autoscaler.cpu_threshold="1%"`)
	if s.SLOs[0].Percentile != 0.5 {
		t.Errorf("percentile %g, want 0.5", s.SLOs[0].Percentile)
	}
}

// A run shorter than 100 s gets a tenth of its duration as the default
// sample interval, instead of an error about a 10 s it never wrote.
func TestDefaultSampleIntervalShortRun(t *testing.T) {
	for _, tt := range []struct {
		duration string
		want     time.Duration
	}{{"5s", 500 * time.Millisecond}, {"1s", 100 * time.Millisecond}, {"5ms", time.Millisecond}, {"100s", 10 * time.Second}, {"1h", 10 * time.Second}, {"5000h", 18 * time.Second}} {
		s := mustParse(t, base, "duration="+tt.duration)
		if s.SampleInterval != tt.want {
			t.Errorf("duration %s: sample interval %v, want %v", tt.duration, s.SampleInterval, tt.want)
		}
	}
	if lines := parseErrors(t, base, "duration=5s", "sample_interval=10s"); !strings.Contains(lines[0], "sample_interval: 10s is longer than the duration 5s") {
		t.Errorf("an explicit interval longer than the run: %v", lines)
	}
}

// YAML problems are reported at their own line (issue #9, item 5).
func TestYAMLProblemsPositioned(t *testing.T) {
	lines := parseErrors(t, "name: x\nduration: 1h\nservices:\n  web:\n    demand: {cpu: 50ms}\n\n    replicas: *nope\n")
	if want := "bad.yaml:7:15: invalid YAML: unknown alias *nope"; !strings.HasPrefix(lines[0], want) {
		t.Errorf("got %s, want %s...", lines[0], want)
	}
	lines = parseErrors(t, "duration: 1h\nservices:\n  web:\n    <<: 5\n    demand: {cpu: 50ms}\n")
	if want := "bad.yaml:4:5: services.web: << must merge a mapping or a list of mappings (an alias such as <<: *defaults); got the number 5"; lines[0] != want {
		t.Errorf("got %s, want %s", lines[0], want)
	}
}

// A bad trace row names the scenario's field and the trace's own line.
func TestTraceErrorNamesBoth(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trace.csv"), []byte("time_s,rps\n0,10\n60,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(file, []byte("duration: 1h\nservices:\n  web: {demand: {cpu: 50ms}}\ntraffic:\n  web:\n    pattern:\n      - {type: trace, file: trace.csv}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(file)
	want := file + ":7:29: traffic.web.pattern.0.file: " + filepath.Join(dir, "trace.csv") + `:3:4: rps "abc" is not a number`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
