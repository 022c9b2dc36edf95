package export

import (
	"bytes"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/scalesim/scalesim/scenarios"
)

// StrictDecode decodes every document of a multi-document manifest into
// its k8s.io/api type, refusing unknown fields (what kubectl apply
// --validate=strict checks on the client side), and returns the kinds.
func StrictDecode(t *testing.T, data []byte) []string {
	t.Helper()
	var kinds []string
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "autoscaling/v2 HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		case "policy/v1 PodDisruptionBudget":
			obj = &policyv1.PodDisruptionBudget{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "networking.k8s.io/v1 Ingress":
			obj = &networkingv1.Ingress{}
		default:
			t.Fatalf("unexpected object %s %s", meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			t.Errorf("%s: %v", meta.Kind, err)
		}
		kinds = append(kinds, meta.Kind)
	}
	return kinds
}

func TestExportStrictDecodes(t *testing.T) {
	for _, tc := range []struct {
		name, scenario string
		kinds          string
		cloud          string
	}{
		{"k8s-hpa", "", "Deployment HorizontalPodAutoscaler Service", ""},
		{"minimal", "", "Deployment HorizontalPodAutoscaler Service", ""}, // policy cpu
		{"node-upgrade", "", "", ""},
		{"cloud", `duration: 1h
services:
  web:
    demand: {cpu: 20ms}
    instance: {cpu_request: 250m, memory_request: 256Mi, memory_limit: 512Mi}
    autoscaler: {policy: cloud, min_replicas: 2, max_replicas: 10, cpu_threshold: 70, memory_threshold: 80}
    disruption_budget: {min_available: 1}
`, "Deployment PodDisruptionBudget Service", "[cloud.deployment]\nmin_cpu = \"250m\"\nmin_memory = \"256Mi\"\nmax_memory = \"512Mi\"\n\n[cloud.deployment.autoscaling]\nmin_replicas = 2\nmax_replicas = 10\ncpu = 70\nmemory = 80\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc *scenarios.Scenario
			var err error
			if tc.scenario != "" {
				sc, err = scenarios.Parse("cloud.yaml", []byte(tc.scenario))
			} else {
				sc, err = scenarios.Open(tc.name, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			files, _, err := Files(sc)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if strings.HasSuffix(f.Name, ".Cloud.toml") {
					if tc.cloud == "" || !strings.HasSuffix(string(f.Data), tc.cloud) {
						t.Errorf("%s:\n%s\nwant it to end with\n%s", f.Name, f.Data, tc.cloud)
					}
					continue
				}
				kinds := strings.Join(StrictDecode(t, f.Data), " ")
				if tc.kinds != "" && kinds != tc.kinds {
					t.Errorf("%s holds %s, want %s", f.Name, kinds, tc.kinds)
				}
			}
		})
	}
}
