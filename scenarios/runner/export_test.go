package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/scenarios"
)

// What manifests can say, given in the scenario file; the round trip
// writes it out and reads it back.
const exportOriginal = `name: trip
duration: 20m
zones: [a, b, c]
nodes:
  - {pool: general, per_zone: 2, cpu: 4}
services:
  web:
    demand: {cpu: {dist: exponential, mean: 40ms}}
    instance:
      concurrency: 8
      cpu_request: 500m
      cpu_limit: "1"
      memory_request: 512Mi
      memory_limit: 1Gi
      drain: {pre_stop: 5s, grace_period: 45s}
    replicas: {initial: 3, min: 2, max: 12}
    probes:
      readiness: {period: 5s, failure_threshold: 2, timeout: 1s}
      liveness: {period: 10s, failure_threshold: 3, timeout: 2s}
    topology_spread: {max_skew: 1, when_unsatisfiable: DoNotSchedule, min_domains: 3, node_taints_policy: Honor}
    disruption_budget: {min_available: 2}
    load_balancer: {algorithm: client-ip, session_affinity_timeout: 10m}
    autoscaler:
      policy: hpa
      metrics: [{resource: cpu, target_utilization: 60}, {resource: memory, target_utilization: 85}]
      behavior:
        scale_up: {stabilization_window: 30s, policies: [{type: Pods, value: 2, period: 60s}]}
        scale_down: {stabilization_window: 120s, select_policy: Min, policies: [{type: Percent, value: 50, period: 30s}, {type: Pods, value: 1, period: 60s}]}
traffic:
  web:
    pattern:
      - {type: constant, rps: 40}
      - {type: spike, at: 5m, duration: 5m, factor: 3}
faults:
  - {at: 12m, type: node-upgrade, pool: general}
slo:
  web: {latency: 200ms}
`

// What manifests cannot say: the overlay of the round trip.
const exportOverlay = `name: trip
duration: 20m
zones: [a, b, c]
nodes:
  - {pool: general, per_zone: 2, cpu: 4}
manifests: [k8s/]
services:
  web:
    demand: {cpu: {dist: exponential, mean: 40ms}}
    instance: {concurrency: 8}
traffic:
  web:
    pattern:
      - {type: constant, rps: 40}
      - {type: spike, at: 5m, duration: 5m, factor: 3}
faults:
  - {at: 12m, type: node-upgrade, pool: general}
slo:
  web: {latency: 200ms}
`

var wallS = regexp.MustCompile(`"wall_s": [0-9.e+-]+`)

func runFiles(t *testing.T, sc *scenarios.Scenario, out string) map[string][]byte {
	t.Helper()
	if _, err := Run(context.Background(), sc, RunOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range []string{"summary.json", "timeseries.csv", "decisions.jsonl", "events.jsonl"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = wallS.ReplaceAll(b, []byte(`"wall_s": 0`))
	}
	return m
}

// Export, then import with the overlay of what manifests cannot say: the
// run is byte for byte the same.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.yaml")
	os.WriteFile(orig, []byte(exportOriginal), 0o644)
	sc, err := scenarios.Load(orig)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Export(sc, filepath.Join(dir, "k8s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0] != "web.yaml" || len(res.Notes) != 0 {
		t.Fatalf("exported %v, notes %v", res.Files, res.Notes)
	}
	overlay := filepath.Join(dir, "overlay.yaml")
	os.WriteFile(overlay, []byte(exportOverlay), 0o644)
	back, err := scenarios.Load(overlay)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.ManifestIgnored) != 0 {
		t.Errorf("the exported manifests have fields read but not simulated: %v", back.ManifestIgnored)
	}
	a := runFiles(t, sc, filepath.Join(dir, "a"))
	b := runFiles(t, back, filepath.Join(dir, "b"))
	for f := range a {
		if !bytes.Equal(a[f], b[f]) {
			t.Errorf("%s differs after the round trip", f)
		}
	}
	if !strings.Contains(string(a["decisions.jsonl"]), "scale") {
		t.Errorf("the run made no decisions: the round trip proves little")
	}
	// The folder is scalesim's: exporting again replaces it; a folder of
	// other files is refused and left alone.
	if _, err := Export(sc, filepath.Join(dir, "k8s"), nil); err != nil {
		t.Errorf("export over its own folder: %v", err)
	}
	other := filepath.Join(dir, "mine")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "deployment.yaml"), []byte("x"), 0o644)
	if _, err := Export(sc, other, nil); err == nil {
		t.Error("export replaced a folder scalesim did not write")
	}
	if data, _ := os.ReadFile(filepath.Join(other, "deployment.yaml")); string(data) != "x" {
		t.Error("the user's file was touched")
	}
}

// The cloud policy goes out as a Deployment and a Cloud.toml block, and
// comes back the same.
func TestExportRoundTripCloud(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.yaml")
	os.WriteFile(orig, []byte(`name: trip
duration: 20m
services:
  web:
    demand: {cpu: {dist: exponential, mean: 20ms}}
    instance: {cpu_request: 250m, cpu_limit: 500m, memory_request: 256Mi, memory_limit: 512Mi, concurrency: 16}
    replicas: {initial: 2}
    autoscaler: {policy: cloud, min_replicas: 2, max_replicas: 8, cpu_threshold: 60, memory_threshold: 90}
traffic:
  web:
    pattern: [{type: ramp, from: 10, to: 60, start: 2m, end: 12m}]
`), 0o644)
	sc, err := scenarios.Load(orig)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Export(sc, filepath.Join(dir, "k8s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Files, " ") != "web.Cloud.toml web.yaml" {
		t.Fatalf("exported %v", res.Files)
	}
	overlay := filepath.Join(dir, "overlay.yaml")
	os.WriteFile(overlay, []byte(`name: trip
duration: 20m
manifests: [k8s/web.yaml, {path: k8s/web.Cloud.toml, service: web}]
services:
  web:
    demand: {cpu: {dist: exponential, mean: 20ms}}
    instance: {concurrency: 16}
traffic:
  web:
    pattern: [{type: ramp, from: 10, to: 60, start: 2m, end: 12m}]
`), 0o644)
	back, err := scenarios.Load(overlay)
	if err != nil {
		t.Fatal(err)
	}
	a := runFiles(t, sc, filepath.Join(dir, "a"))
	b := runFiles(t, back, filepath.Join(dir, "b"))
	for f := range a {
		if !bytes.Equal(a[f], b[f]) {
			t.Errorf("%s differs after the round trip", f)
		}
	}
}
