package export_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/manifests/export"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// Two services with what the container and ingress keys can say in a
// manifest: a slow boot under a startup probe, probes with initial delays
// and a success threshold, and an Ingress in front of each (one with
// every annotation the reader takes, one with ingress-nginx's defaults).
const probesIngressOriginal = `name: trip-probes
duration: 15m
services:
  web:
    demand: {cpu: {dist: exponential, mean: 40ms}}
    instance: {cpu_request: 500m, memory_request: 512Mi, concurrency: 8, readiness_delay: 20s}
    replicas: {initial: 2, min: 2, max: 8}
    probes:
      startup: {initial_delay: 5s, period: 5s, failure_threshold: 12}
      readiness: {initial_delay: 10s, period: 5s, success_threshold: 2}
      liveness: {initial_delay: 15s, period: 10s, timeout: 2s}
    ingress: {proxy_read_timeout: 2s, proxy_next_upstream: off, proxy_next_upstream_tries: 2, affinity: cookie, session_cookie_max_age: 5m}
    autoscaler:
      policy: hpa
      metrics:
        - {resource: cpu, target_utilization: 60}
        - {type: pods, metric: requests_per_second, target_average_value: 15}
        - {type: object, metric: latency_p95_seconds, target_value: 0.25}
      # No behavior: the controller's older path, both here and for the
      # exported HPA, which has no spec.behavior (the runner's export
      # test round-trips a behavior).
  api:
    demand: {cpu: 10ms}
    instance: {cpu_request: 250m, memory_request: 256Mi}
    replicas: {initial: 2}
    probes:
      readiness: {period: 3s}
    ingress: {}
    autoscaler: {policy: static}
traffic:
  web:
    pattern:
      - {type: constant, rps: 20}
      - {type: spike, at: 4m, duration: 4m, factor: 3}
  api: {rate: 30}
`

// What manifests cannot say.
const probesIngressOverlay = `name: trip-probes
duration: 15m
manifests: [k8s/]
services:
  web:
    demand: {cpu: {dist: exponential, mean: 40ms}}
    instance: {concurrency: 8, readiness_delay: 20s}
  api:
    demand: {cpu: 10ms}
    autoscaler: {policy: static}
traffic:
  web:
    pattern:
      - {type: constant, rps: 20}
      - {type: spike, at: 4m, duration: 4m, factor: 3}
  api: {rate: 30}
`

var wallS = regexp.MustCompile(`"wall_s": [0-9.e+-]+`)

func run(t *testing.T, sc *scenarios.Scenario, out string) map[string][]byte {
	t.Helper()
	if _, err := runner.Run(context.Background(), sc, runner.RunOptions{Out: out}); err != nil {
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

// Export, import with the overlay: the probes (startup included) and the
// ingress come back as they were, nothing is listed as ignored, and the
// run is byte for byte the same.
func TestExportRoundTripProbesIngress(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.yaml")
	os.WriteFile(orig, []byte(probesIngressOriginal), 0o644)
	sc, err := scenarios.Load(orig)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Export(sc, filepath.Join(dir, "k8s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Files, " ") != "api.yaml web.yaml" || len(res.Notes) != 0 {
		t.Fatalf("exported %v, notes %v", res.Files, res.Notes)
	}
	web, _ := os.ReadFile(filepath.Join(dir, "k8s", "web.yaml"))
	for _, want := range []string{"startupProbe:", "initialDelaySeconds: 10", "successThreshold: 2", "kind: Ingress",
		`nginx.ingress.kubernetes.io/proxy-read-timeout: "2"`, "nginx.ingress.kubernetes.io/proxy-next-upstream: \"off\"",
		`nginx.ingress.kubernetes.io/proxy-next-upstream-tries: "2"`, "nginx.ingress.kubernetes.io/affinity: cookie",
		`nginx.ingress.kubernetes.io/session-cookie-max-age: "300"`,
		"name: requests_per_second", "averageValue: \"15\"", "name: latency_p95_seconds", "value: 250m"} {
		if !strings.Contains(string(web), want) {
			t.Errorf("web.yaml lacks %q:\n%s", want, web)
		}
	}
	if kinds := strings.Join(export.StrictDecode(t, web), " "); kinds != "Deployment HorizontalPodAutoscaler Service Ingress" {
		t.Errorf("web.yaml holds %s", kinds)
	}
	api, _ := os.ReadFile(filepath.Join(dir, "k8s", "api.yaml"))
	if !strings.Contains(string(api), "kind: Ingress") || strings.Contains(string(api), "nginx.ingress.kubernetes.io/") {
		t.Errorf("api.yaml: want an Ingress with ingress-nginx's defaults (no annotations):\n%s", api)
	}
	overlay := filepath.Join(dir, "overlay.yaml")
	os.WriteFile(overlay, []byte(probesIngressOverlay), 0o644)
	back, err := scenarios.Load(overlay)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.ManifestIgnored) != 0 {
		t.Errorf("the exported manifests have fields read but not simulated: %v", back.ManifestIgnored)
	}
	for _, name := range []string{"web", "api"} {
		a, b := sc.Service(name), back.Service(name)
		for _, p := range []struct {
			what string
			a, b *scenarios.Probe
		}{{"startup", a.Probes.Startup, b.Probes.Startup}, {"readiness", a.Probes.Readiness, b.Probes.Readiness}, {"liveness", a.Probes.Liveness, b.Probes.Liveness}} {
			if (p.a == nil) != (p.b == nil) || p.a != nil && *p.a != *p.b {
				t.Errorf("%s %s probe %+v, read back %+v", name, p.what, p.a, p.b)
			}
		}
		if x, y := fmt.Sprint(a.Autoscaler.Metrics), fmt.Sprint(b.Autoscaler.Metrics); x != y {
			t.Errorf("%s metrics %s, read back %s", name, x, y)
		}
		if a.Ingress == nil || b.Ingress == nil || *a.Ingress != *b.Ingress {
			t.Errorf("%s ingress %+v, read back %+v", name, a.Ingress, b.Ingress)
		}
	}
	ra := run(t, sc, filepath.Join(dir, "a"))
	rb := run(t, back, filepath.Join(dir, "b"))
	for f := range ra {
		if !bytes.Equal(ra[f], rb[f]) {
			t.Errorf("%s differs after the round trip", f)
		}
	}
	if !strings.Contains(string(ra["decisions.jsonl"]), `"changed":true`) {
		t.Errorf("web never scaled: the probes of new pods were not exercised")
	}
}
