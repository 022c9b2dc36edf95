// Package deploy holds the recipes that run scalesim sweeps on a cluster
// (kubernetes/) and on Slurm (slurm/); this test decodes the Kubernetes
// ones strictly with the API's own types (k8s.io/api), as `kubectl apply
// --validate=strict` would on the client side. cmd/scalesim's
// sweep_deploy_test.go checks that their command lines parse.
package deploy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func strict(t *testing.T, name string, obj any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("kubernetes", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), "\n---") > 0 {
		t.Fatalf("%s: one document expected", name)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func arg(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func TestKubernetesRecipesDecodeStrictly(t *testing.T) {
	var sweep, merge batchv1.Job
	var pvc corev1.PersistentVolumeClaim
	strict(t, "sweep-job.yaml", &sweep)
	strict(t, "merge-job.yaml", &merge)
	strict(t, "results-pvc.yaml", &pvc)

	if sweep.APIVersion != "batch/v1" || sweep.Kind != "Job" || merge.Kind != "Job" || pvc.Kind != "PersistentVolumeClaim" {
		t.Fatalf("kinds %s %s %s", sweep.Kind, merge.Kind, pvc.Kind)
	}
	s := sweep.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("the sweep is not an Indexed Job: %v", s.CompletionMode)
	}
	c := s.Template.Spec.Containers[0]
	// --shard auto/N reads JOB_COMPLETION_INDEX: N must be completions.
	shard := arg(c.Args, "--shard")
	if s.Completions == nil || shard != "auto/"+itoa(*s.Completions) {
		t.Errorf("--shard %s with completions %v", shard, s.Completions)
	}
	// backoffLimitPerIndex needs restartPolicy Never (the API refuses
	// OnFailure with it).
	if s.BackoffLimitPerIndex != nil && s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("backoffLimitPerIndex with restartPolicy %s", s.Template.Spec.RestartPolicy)
	}
	// --parallel is the CPU limit: each run is single-threaded.
	if lim := c.Resources.Limits[corev1.ResourceCPU]; arg(c.Args, "--parallel") != lim.String() {
		t.Errorf("--parallel %s, CPU limit %s", arg(c.Args, "--parallel"), lim.String())
	}
	// Both Jobs mount the claim, at the folder the sweep writes.
	for _, j := range []*batchv1.Job{&sweep, &merge} {
		ps := j.Spec.Template.Spec
		if len(ps.Volumes) != 1 || ps.Volumes[0].PersistentVolumeClaim == nil || ps.Volumes[0].PersistentVolumeClaim.ClaimName != pvc.Name {
			t.Errorf("%s does not mount the claim %s", j.Name, pvc.Name)
		}
		if m := ps.Containers[0].VolumeMounts; len(m) != 1 || !strings.HasPrefix(arg(c.Args, "--out"), m[0].MountPath+"/") {
			t.Errorf("%s mounts %v; the sweep writes %s", j.Name, m, arg(c.Args, "--out"))
		}
	}
	if got := merge.Spec.Template.Spec.Containers[0].Args; len(got) != 2 || got[0] != "merge" || got[1] != arg(c.Args, "--out") {
		t.Errorf("merge args %v, want merge %s", got, arg(c.Args, "--out"))
	}
	if len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != corev1.ReadWriteMany {
		t.Errorf("the shards run on several nodes: the claim must be ReadWriteMany, not %v", pvc.Spec.AccessModes)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
