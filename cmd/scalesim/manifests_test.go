package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeWSO2 writes a few of the guide's manifests (HPA and Cloud.toml)
// into dir/k8s and dir.
func writeWSO2(t *testing.T, dir string) {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "k8s"), 0o755)
	for _, f := range []string{"k8s/deployment.yaml", "k8s/hpa.yaml", "Cloud.toml"} {
		data, err := os.ReadFile(filepath.Join("../../scenarios/library/wso2-integrator", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
}

// A manifest where a scenario is expected says what it is and how to use it.
func TestManifestWhereAScenarioIsExpected(t *testing.T) {
	dir := t.TempDir()
	writeWSO2(t, dir)
	hpa := filepath.Join(dir, "k8s", "hpa.yaml")
	code, _, stderr := scalesim(t, "validate", hpa)
	if code != 2 || !strings.Contains(stderr, hpa+":1:1: this is a Kubernetes HorizontalPodAutoscaler (autoscaling/v2), not a scenario; list it under `manifests:`") ||
		!strings.Contains(stderr, "scalesim init --from "+filepath.Join(dir, "k8s")+"/") {
		t.Errorf("validate hpa.yaml: exit %d, stderr:\n%s", code, stderr)
	}
	toml := filepath.Join(dir, "Cloud.toml")
	out := filepath.Join(dir, "out")
	code, _, stderr = scalesim(t, "run", toml, "-o", out)
	if code != 2 || !strings.Contains(stderr, "this is a Ballerina Cloud.toml, not a scenario; list it under `manifests:` in a scenario as {path: Cloud.toml, service: NAME}") {
		t.Errorf("run Cloud.toml: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("run of a Cloud.toml wrote a results folder")
	}
}

// init writes a starter that runs as it is, and never overwrites.
func TestInitFromManifests(t *testing.T) {
	dir := t.TempDir()
	writeWSO2(t, dir)
	s := filepath.Join(dir, "s.yaml")
	code, stdout, stderr := scalesim(t, "init", "--from", filepath.Join(dir, "k8s"), "-o", s)
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(s)
	for _, want := range []string{"manifests:\n  - k8s/\n", "  # Deployment/wso2-integrator-app (", "  # HorizontalPodAutoscaler/wso2-integrator-app-hpa (", "  wso2-integrator-app:\n    demand: {cpu: 50ms}   # TODO", "  wso2-integrator-app: {rate: 10}   # TODO"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("starter lacks %q:\n%s", want, data)
		}
	}
	if !strings.Contains(stdout, "wrote "+s) {
		t.Errorf("stdout %q", stdout)
	}
	if code, _, stderr := scalesim(t, "validate", s); code != 0 {
		t.Errorf("the starter does not validate: %s", stderr)
	}
	code, _, stderr = scalesim(t, "init", "--from", filepath.Join(dir, "k8s"), "-o", s)
	if again, _ := os.ReadFile(s); code != 2 || string(again) != string(data) || !strings.Contains(stderr, "never overwrites") {
		t.Errorf("init over an existing file: exit %d, %s", code, stderr)
	}
	// A Cloud.toml needs its service named.
	c := filepath.Join(dir, "c.yaml")
	if code, _, stderr := scalesim(t, "init", "--from", filepath.Join(dir, "Cloud.toml"), "-o", c); code != 2 || !strings.Contains(stderr, "does not name its service") {
		t.Errorf("init from a Cloud.toml without --service: exit %d, %s", code, stderr)
	}
	if code, _, stderr := scalesim(t, "init", "--from", filepath.Join(dir, "Cloud.toml"), "--service", "orders", "-o", c); code != 0 {
		t.Errorf("init --service: exit %d, %s", code, stderr)
	}
	if data, _ := os.ReadFile(c); !strings.Contains(string(data), "  - {path: Cloud.toml, service: orders}\n") {
		t.Errorf("starter:\n%s", data)
	}
}

func TestExportCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	code, stdout, stderr := scalesim(t, "export", "k8s-hpa", "-o", out)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != filepath.Join(out, "web.yaml") {
		t.Errorf("stdout %q", stdout)
	}
	// An invalid scenario: exit 2, nothing written.
	out2 := filepath.Join(t.TempDir(), "n")
	if code, _, _ := scalesim(t, "export", "k8s-hpa", "--set", "services.web.replicas.max=x", "-o", out2); code != 2 {
		t.Errorf("export of an invalid scenario: exit %d", code)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("export of an invalid scenario wrote its folder")
	}
}

// sweep and compare write the best point's manifests, a file to apply.
func TestBestManifests(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s")
	// Cheapest meeting a nearly empty requirement: the higher target,
	// 70, needs fewer replicas.
	mustMain(t, withArgs(tinySweep, "-o", out)...)
	data, err := os.ReadFile(filepath.Join(out, "best", "manifests", "web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "kind: HorizontalPodAutoscaler") || !strings.Contains(string(data), "averageUtilization: 70\n") {
		t.Errorf("best/manifests/web.yaml is not the HPA at 70%%:\n%s", data)
	}
	cmp := filepath.Join(t.TempDir(), "cmp")
	code, _, stderr := scalesim(t, "compare", "testdata/compare.yaml", "--no-plots", "-q", "-o", cmp, "--policy", "static", "--policy", "latency")
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	// latency meets the SLO (TestCompare): its manifests, no HPA.
	data, err = os.ReadFile(filepath.Join(cmp, "best", "manifests", "web.yaml"))
	if err != nil || !strings.Contains(string(data), "kind: Deployment") || strings.Contains(string(data), "HorizontalPodAutoscaler") {
		t.Errorf("compare's best/manifests/web.yaml (%v):\n%s", err, data)
	}
}
