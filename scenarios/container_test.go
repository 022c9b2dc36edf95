package scenarios

import (
	"strings"
	"testing"
	"time"
)

// Bad probe timings, a memory limit below the base memory and a retention
// out of range are refused at their position in the file.
func TestContainerInputErrors(t *testing.T) {
	head := `name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
`
	tests := []struct{ body, want string }{
		{"    probes: {startup: {period: 5s, failure_threshold: 0}}\n",
			"bad.yaml:6:55: services.web.probes.startup.failure_threshold: must be at least 1"},
		{"    probes: {liveness: {initial_delay: -5s}}\n",
			"bad.yaml:6:40: services.web.probes.liveness.initial_delay: -5s is negative; durations must be at least 0"},
		{"    probes: {liveness: {success_threshold: 2}}\n",
			"bad.yaml:6:44: services.web.probes.liveness.success_threshold: must be 1 for a liveness probe (Kubernetes allows no other)"},
		{"    probes: {readiness: {timeout: 2h}}\n",
			"bad.yaml:6:35: services.web.probes.readiness.timeout: 2h0m0s is more than the 1h0m0s allowed"},
		{"    probes: {startup: {period: 0s}}\n",
			"bad.yaml:6:32: services.web.probes.startup.period: 0s is too short; it must be at least 1ms"},
		{"    instance: {memory_request: 256Mi, base_memory: 300Mi, memory_limit: 280Mi}\n",
			"bad.yaml:6:59: services.web.instance.memory_limit: 280Mi is less than base_memory 300Mi: every container would be OOM-killed as it starts; raise the limit or lower base_memory"},
		{"    instance: {memory_retention: 48h}\n",
			`bad.yaml:6:34: services.web.instance.memory_retention: 48h0m0s is out of range: give a release time constant from 0 (release at once) to 24h0m0s, or "forever" (keep the high-water mark)`},
		{"    instance: {memory_retention: always}\n",
			`bad.yaml:6:34: services.web.instance.memory_retention: "always" is not a duration; use Go syntax like 500ms, 30s, 5m, 1h30m, or "forever"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			lines := parseErrors(t, head+tt.body)
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) {
					return
				}
			}
			t.Errorf("want a line beginning\n  %s\ngot\n  %s", tt.want, strings.Join(lines, "\n  "))
		})
	}
}

// Probe keys take Kubernetes' defaults; retention takes a duration or
// "forever", which builds the cluster's RetainForever.
func TestContainerKeys(t *testing.T) {
	s := mustParse(t, `name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    instance: {memory_limit: 512Mi, memory_retention: forever}
    probes:
      startup: {period: 5s, failure_threshold: 30}
      readiness: {initial_delay: 3s, success_threshold: 2}
`)
	w := s.Service("web")
	if got := *w.Probes.Startup; got != (Probe{Period: 5 * time.Second, Timeout: time.Second, FailureThreshold: 30, SuccessThreshold: 1}) {
		t.Errorf("startup %+v", got)
	}
	if got := *w.Probes.Readiness; got != (Probe{InitialDelay: 3 * time.Second, Period: 10 * time.Second, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 2}) {
		t.Errorf("readiness %+v", got)
	}
	cfg, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	in := cfg.Services[0].Instance
	if in.MemoryLimit != 512<<20 || in.MemoryRetention != -1 || cfg.Services[0].Probes.Startup.FailureThreshold != 30 {
		t.Errorf("built %+v, startup %+v", in, cfg.Services[0].Probes.Startup)
	}
}
