package scenarios

import (
	"strings"
	"testing"
)

// "Did you mean" never points at a key that the chosen policy ignores, and
// a key of another policy names the policy that reads it (issue #9,
// item 7).
func TestPolicyKeys(t *testing.T) {
	const file = `name: x
duration: 1h
services:
  web:
    demand: {cpu: 50ms}
    autoscaler:
      policy: hpa
      %s
`
	errs := []struct{ line, want string }{
		{"minReplicas: 3", `bad.yaml:8:7: services.web.autoscaler.minReplicas: unknown field; "min_replicas" is close, but only the cloud policy reads it (this autoscaler is hpa); use replicas.min`},
		{"max_replicas: 3", `bad.yaml:8:7: services.web.autoscaler.max_replicas: only the cloud policy reads this (this autoscaler is hpa); use replicas.max`},
		{"round: 3", `bad.yaml:8:7: services.web.autoscaler.round: unknown field; "rounds" is close, but only the requests-in-flight policy reads it (this autoscaler is hpa)`},
		{"tolerence: 0.2", `bad.yaml:8:7: services.web.autoscaler.tolerence: unknown field; did you mean "tolerance"?`},
	}
	for _, tt := range errs {
		lines := parseErrors(t, strings.Replace(file, "%s", tt.line, 1))
		if lines[0] != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.line, lines[0], tt.want)
		}
	}
	// Under cloud the same keys are its own.
	if lines := parseErrors(t, strings.Replace(strings.Replace(file, "hpa", "cloud", 1), "%s", "minReplicas: 3", 1)); !strings.HasSuffix(lines[0], `unknown field; did you mean "min_replicas"?`) {
		t.Errorf("cloud: %s", lines[0])
	}
	s := mustParse(t, strings.Replace(strings.Replace(file, "hpa", "cloud", 1), "%s", "max_replicas: 3", 1))
	if s.Services[0].Replicas.Max != 3 || len(s.Warnings) != 0 {
		t.Errorf("cloud: max %d, warnings %v", s.Services[0].Replicas.Max, s.Warnings)
	}

	// Another policy's tuning parameter is kept (for compare --policy) with
	// a warning that names the policy reading it.
	s = mustParse(t, strings.Replace(file, "%s", "", 1), "services.web.autoscaler.rounds=5")
	want := "--set services.web.autoscaler.rounds=5: only the requests-in-flight policy reads this (this autoscaler is hpa); ignored unless the policy changes (scalesim compare --policy requests-in-flight)"
	if len(s.Warnings) != 1 || s.Warnings[0].Error() != want {
		t.Errorf("warnings %v\nwant %s", s.Warnings, want)
	}
	s = mustParse(t, strings.Replace(file, "%s", "target: 200ms", 1))
	want = "test.yaml:8:7: services.web.autoscaler.target: only the latency policy reads this (this autoscaler is hpa); ignored unless the policy changes (scalesim compare --policy latency)"
	if len(s.Warnings) != 1 || s.Warnings[0].Error() != want {
		t.Errorf("warnings %v\nwant %s", s.Warnings, want)
	}
	if s = mustParse(t, strings.Replace(file, "%s", "target_utilization: 60", 1)); len(s.Warnings) != 0 {
		t.Errorf("hpa reads target_utilization: %v", s.Warnings)
	}
}
