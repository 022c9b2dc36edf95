package scenarios

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyWSO2 writes the built-in's copy of the WSO2 Integrator manifests
// into dir (k8s/*.yaml and Cloud.toml), unmodified.
func copyWSO2(t *testing.T, dir string) {
	t.Helper()
	err := fs.WalkDir(libraryManifests, "library/wso2-integrator", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := libraryManifests.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dir, strings.TrimPrefix(p, "library/wso2-integrator/"))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The built-in's manifests are the guide's, byte for byte (when the
// shared folder with the guide's set is beside the checkout).
func TestWSO2CopyUnmodified(t *testing.T) {
	var guide string
	for _, d := range []string{"../../shared/manifests/wso2-integrator", "../../../shared/manifests/wso2-integrator"} {
		if _, err := os.Stat(d); err == nil {
			guide = d
			break
		}
	}
	if guide == "" {
		t.Skip("the guide's manifests (shared/manifests/wso2-integrator) are not beside this checkout")
	}
	n := 0
	err := fs.WalkDir(libraryManifests, "library/wso2-integrator", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ours, _ := libraryManifests.ReadFile(p)
		theirs, err := os.ReadFile(filepath.Join(guide, strings.TrimPrefix(p, "library/wso2-integrator/")))
		if err != nil {
			return err
		}
		if !bytes.Equal(ours, theirs) {
			t.Errorf("%s differs from the guide's", p)
		}
		n++
		return nil
	})
	if err != nil || n != 6 {
		t.Fatalf("compared %d files (want 6): %v", n, err)
	}
}

const wso2Scenario = `name: wso2
duration: 10m
manifests:
  - k8s/
services:
  wso2-integrator-app:
    demand: {cpu: 20ms}
traffic:
  wso2-integrator-app: {rate: 20}
`

// The guide's manifests, unmodified, parse into the settings they say.
func TestManifestsWSO2(t *testing.T) {
	dir := t.TempDir()
	copyWSO2(t, dir)
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(wso2Scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := sc.Service("wso2-integrator-app")
	if svc == nil || len(sc.Services) != 1 {
		t.Fatalf("services %+v", sc.Services)
	}
	if r := svc.Replicas; r != (Replicas{Initial: 3, Min: 2, Max: 10}) {
		t.Errorf("replicas %+v, want 3 in [2, 10]", r)
	}
	in := svc.Instance
	if in.CPURequest != 0.25 || in.CPULimit != 0.5 || in.MemoryRequest != 256<<20 || in.MemoryLimit != 512<<20 {
		t.Errorf("instance resources %v %v %v %v", in.CPURequest, in.CPULimit, in.MemoryRequest, in.MemoryLimit)
	}
	if in.Drain != (Drain{PreStop: 5 * time.Second, GracePeriod: 60 * time.Second}) {
		t.Errorf("drain %+v", in.Drain)
	}
	// The guide's probes as the kubelet runs them, SetDefaults_Probe's
	// timeout 1 s and success threshold 1 filled in.
	for _, c := range []struct {
		name string
		got  *Probe
		want Probe
	}{
		{"startup", svc.Probes.Startup, Probe{InitialDelay: 5 * time.Second, Period: 5 * time.Second, Timeout: time.Second, FailureThreshold: 30, SuccessThreshold: 1}},
		{"readiness", svc.Probes.Readiness, Probe{InitialDelay: 10 * time.Second, Period: 5 * time.Second, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 1}},
		{"liveness", svc.Probes.Liveness, Probe{InitialDelay: 15 * time.Second, Period: 10 * time.Second, Timeout: time.Second, FailureThreshold: 3, SuccessThreshold: 1}},
	} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s probe %+v, want %+v", c.name, c.got, c.want)
		}
	}
	// The Ingress in front of the Service: its proxy-read-timeout, the
	// rest ingress-nginx's defaults.
	if g := svc.Ingress; g == nil || *g != (Ingress{ProxyReadTimeout: 60 * time.Second, ProxyNextUpstream: "error", ProxyNextUpstreamTries: 3, Affinity: "none"}) {
		t.Errorf("ingress %+v", g)
	}
	if ts := svc.TopologySpread; ts == nil || *ts != (TopologySpread{MaxSkew: 1, WhenUnsatisfiable: DoNotSchedule, MinDomains: 1, NodeTaintsPolicy: "Ignore"}) {
		t.Errorf("topology spread %+v", ts)
	}
	a := svc.Autoscaler
	if a.Policy != "hpa" || len(a.Metrics) != 2 || !resourceTarget(a.Metrics[0], "cpu", 70) || !resourceTarget(a.Metrics[1], "memory", 80) {
		t.Errorf("autoscaler %s %+v", a.Policy, a.Metrics)
	}
	if b := a.Behavior; b == nil || b.ScaleDown.StabilizationWindow != 300*time.Second || b.ScaleUp.StabilizationWindow != 30*time.Second ||
		len(b.ScaleDown.Policies) != 1 || b.ScaleDown.Policies[0] != (ScalingPolicy{ScalingPods, 1, time.Minute}) ||
		len(b.ScaleUp.Policies) != 1 || b.ScaleUp.Policies[0] != (ScalingPolicy{ScalingPods, 2, time.Minute}) {
		t.Errorf("behavior %+v", a.Behavior)
	}
	if svc.DisruptionBudget.MinAvailable != 2 {
		t.Errorf("disruption budget %+v", svc.DisruptionBudget)
	}
	if lb := svc.LoadBalancer; lb.Algorithm != ClientIP || lb.SessionAffinityTimeout != 600*time.Second {
		t.Errorf("load balancer %+v", lb)
	}
	if _, err := Build(sc); err != nil {
		t.Errorf("build: %v", err)
	}
	// Every field of the guide's set is simulated now; what remains is the
	// guide's trap: the Service's ClientIP affinity does not apply behind
	// the Ingress, which balances straight to the endpoints.
	ws := Warnings(sc)
	if len(ws) != 1 || ws[0].Code != WarnIngressBypass || !strings.Contains(ws[0].Message, "client-ip does not apply behind the ingress") {
		t.Errorf("warnings %+v, want only %s", ws, WarnIngressBypass)
	}
}

// The scenario file overlays the manifests key by key; an autoscaler
// with another policy replaces theirs whole.
func TestManifestsOverlay(t *testing.T) {
	dir := t.TempDir()
	copyWSO2(t, dir)
	text := strings.Replace(wso2Scenario, "    demand: {cpu: 20ms}\n", `    demand: {cpu: 20ms}
    replicas: {max: 20}
    instance: {cpu_request: 400m}
    autoscaler: {policy: requests-in-flight}
`, 1)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte(text), 0o644)
	sc, err := LoadWithOverrides(path, []string{"services.wso2-integrator-app.replicas.min=4"})
	if err != nil {
		t.Fatal(err)
	}
	svc := sc.Service("wso2-integrator-app")
	// --set's min 4 and the file's max 20 win over the HPA's 2 and 10;
	// the Deployment's 3 replicas are brought up to the min.
	if svc.Replicas != (Replicas{Initial: 4, Min: 4, Max: 20}) {
		t.Errorf("replicas %+v, want 4 in [4, 20]", svc.Replicas)
	}
	if svc.Instance.CPURequest != 0.4 || svc.Instance.CPULimit != 0.5 {
		t.Errorf("cpu request %v (file: 0.4), limit %v (manifest: 0.5)", svc.Instance.CPURequest, svc.Instance.CPULimit)
	}
	if svc.Autoscaler.Policy != "requests-in-flight" {
		t.Errorf("policy %s", svc.Autoscaler.Policy)
	}
	for _, w := range Warnings(sc) {
		if w.Code == WarnIgnoredParameter {
			t.Errorf("the manifests' HPA leaked into the file's autoscaler: %s", w.Message)
		}
	}
}

// Problems in what the manifests say are reported in the manifest; a
// service the manifests alone describe lacks its demand at the entry.
func TestManifestsErrors(t *testing.T) {
	dir := t.TempDir()
	copyWSO2(t, dir)
	hpa := filepath.Join(dir, "k8s/hpa.yaml")
	data, _ := os.ReadFile(hpa)
	os.WriteFile(hpa, bytes.Replace(data, []byte("periodSeconds: 60\n    scaleUp"), []byte("periodSeconds: -60\n    scaleUp"), 1), 0o644)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte("duration: 1h\nmanifests:\n  - k8s\n"), 0o644)
	_, err := Load(path)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	if want := hpa + ":33:26: spec.behavior.scaleDown.policies[0].periodSeconds: must be greater than 0 and at most 1800 (30 minutes); got -60"; ve.Error() != want {
		t.Errorf("got  %s\nwant %s", ve.Error(), want)
	}
	os.WriteFile(hpa, data, 0o644)
	_, err = Load(path)
	if want := path + `:3:5: services.wso2-integrator-app: missing required field "demand"`; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	// A conflict between the file and a manifest is reported at the
	// manifest's value (as one with an override blames the override).
	os.WriteFile(path, []byte("duration: 1h\nmanifests:\n  - k8s\nservices:\n  wso2-integrator-app:\n    demand: {cpu: 10ms}\n    instance: {cpu_limit: 100m}\n"), 0o644)
	_, err = Load(path)
	if want := filepath.Join(dir, "k8s/deployment.yaml") + ":32:20: services.wso2-integrator-app.instance.cpu_limit: 100m is less than cpu_request 250m"; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// A rollout fault of a service takes the Deployment's strategy for what
// the fault does not give; the fault's own keys win.
func TestManifestsRolloutStrategy(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "d.yaml"), []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  minReadySeconds: 10
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`), 0o644)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte(`duration: 1h
manifests: [d.yaml]
services:
  web: {demand: {cpu: 10ms}}
faults:
  - {at: 10m, type: rollout, service: web}
  - {at: 30m, type: rollout, service: web, max_surge: 50%}
`), 0o644)
	sc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f0, f1 := sc.Faults[0], sc.Faults[1]
	if f0.MaxSurge != "1" || f0.MaxUnavailable != "0" || f0.MinReadySeconds != 10 {
		t.Errorf("first rollout: surge %q unavailable %q min ready %d, want the strategy's 1, 0, 10", f0.MaxSurge, f0.MaxUnavailable, f0.MinReadySeconds)
	}
	if f1.MaxSurge != "50%" || f1.MaxUnavailable != "0" {
		t.Errorf("second rollout: surge %q unavailable %q, want the fault's 50%% and the strategy's 0", f1.MaxSurge, f1.MaxUnavailable)
	}
}

// resourceTarget reports whether m is the Resource metric target
// {resource, target_utilization: pct}.
func resourceTarget(m MetricTarget, resource string, pct float64) bool {
	return (m.Type == "" || m.Type == "resource") && m.Resource == resource && m.TargetUtilization == pct
}
