package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scalesim/scalesim/scenarios/runner"
)

// The deploy/ recipes are checked without a cluster: the manifests are
// well-formed Jobs whose container command line parses with the real
// commands and agrees with the Job (shards = completions, the output on the
// shared volume, --parallel = the CPU limit).

// k8sObject is the part of a Kubernetes object the tests read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode       string   `yaml:"completionMode"`
		Completions          *int     `yaml:"completions"`
		Parallelism          *int     `yaml:"parallelism"`
		BackoffLimitPerIndex *int     `yaml:"backoffLimitPerIndex"`
		AccessModes          []string `yaml:"accessModes"`
		Template             struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Name      string   `yaml:"name"`
					Image     string   `yaml:"image"`
					Command   []string `yaml:"command"`
					Args      []string `yaml:"args"`
					Resources struct {
						Limits map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// readManifests decodes every YAML document of deploy/kubernetes/name.
func readManifests(t *testing.T, name string) []k8sObject {
	t.Helper()
	data := read(t, filepath.Join("..", "..", "deploy", "kubernetes", name))
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var objs []k8sObject
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s: %v", name, err)
		}
		objs = append(objs, o)
	}
	if len(objs) != 1 {
		t.Fatalf("%s: %d documents, want 1", name, len(objs))
	}
	return objs
}

// jobCommand checks a Job's pod and returns its one container's command
// line without the binary, and the mount path of the PVC claim.
func jobCommand(t *testing.T, name string, job k8sObject, claim string) (args []string, mount string, cpu string) {
	t.Helper()
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Fatalf("%s: %s %s, want batch/v1 Job", name, job.APIVersion, job.Kind)
	}
	pod := job.Spec.Template.Spec
	if pod.RestartPolicy != "Never" {
		t.Errorf("%s: restartPolicy %q, want Never", name, pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Command) != 1 || filepath.Base(c.Command[0]) != "scalesim" {
		t.Errorf("%s: command %q, want the scalesim binary", name, c.Command)
	}
	var vol string
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			vol = v.Name
		}
	}
	for _, m := range c.VolumeMounts {
		if m.Name == vol && vol != "" {
			mount = m.MountPath
		}
	}
	if mount == "" {
		t.Errorf("%s: no volume of the claim %s mounted", name, claim)
	}
	return c.Args, mount, c.Resources.Limits["cpu"]
}

// under reports whether path is in folder dir.
func under(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}

func TestKubernetesManifests(t *testing.T) {
	pvc := readManifests(t, "results-pvc.yaml")[0]
	if pvc.APIVersion != "v1" || pvc.Kind != "PersistentVolumeClaim" || !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
		t.Errorf("results-pvc.yaml: %s %s %v, want a ReadWriteMany v1 PersistentVolumeClaim", pvc.APIVersion, pvc.Kind, pvc.Spec.AccessModes)
	}
	claim := pvc.Metadata.Name

	job := readManifests(t, "sweep-job.yaml")[0]
	args, mount, cpu := jobCommand(t, "sweep-job.yaml", job, claim)
	if job.Spec.CompletionMode != "Indexed" {
		t.Errorf("sweep-job.yaml: completionMode %q, want Indexed", job.Spec.CompletionMode)
	}
	if job.Spec.Completions == nil || job.Spec.Parallelism == nil || *job.Spec.Parallelism < 1 || *job.Spec.Parallelism > *job.Spec.Completions {
		t.Fatalf("sweep-job.yaml: completions %v, parallelism %v", job.Spec.Completions, job.Spec.Parallelism)
	}
	n := *job.Spec.Completions

	// The real command tree finds `sweep` and its flags parse.
	streams := &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	sub, rest, err := newCmdRoot(streams).Find(args)
	if err != nil || sub.Name() != "sweep" {
		t.Fatalf("sweep-job.yaml: args %q do not name the sweep command: %v", args, err)
	}
	if err := sub.ParseFlags(rest); err != nil {
		t.Fatalf("sweep-job.yaml: %v", err)
	}

	// Every completion index gets its shard, in range, of the same plan.
	var out string
	for i := range n {
		var plan *runner.SweepPlan
		cmd := newCmdSweep(streams, func(o *SweepOptions) error {
			o.Getenv = func(k string) string {
				if k == "JOB_COMPLETION_INDEX" {
					return strconv.Itoa(i)
				}
				return ""
			}
			var err error
			plan, err = o.plan(nil)
			return err
		})
		cmd.SetArgs(args[1:])
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err != nil {
			t.Fatalf("sweep-job.yaml, index %d: %v", i, err)
		}
		if plan.Shard.Count != n || plan.Shard.Index != i || plan.Shard.From != "JOB_COMPLETION_INDEX" {
			t.Errorf("sweep-job.yaml, index %d: shard %+v, want %d/%d from JOB_COMPLETION_INDEX", i, plan.Shard, i, n)
		}
		if c, err := strconv.Atoi(cpu); err != nil || plan.Parallel != c {
			t.Errorf("sweep-job.yaml: --parallel %d, CPU limit %q: one run per CPU", plan.Parallel, cpu)
		}
		out = plan.Out
	}
	if !under(out, mount) {
		t.Errorf("sweep-job.yaml: --out %s is not on the shared volume at %s", out, mount)
	}

	merge := readManifests(t, "merge-job.yaml")[0]
	margs, mmount, _ := jobCommand(t, "merge-job.yaml", merge, claim)
	if merge.Spec.CompletionMode == "Indexed" {
		t.Errorf("merge-job.yaml: the merge is one pod")
	}
	var mo *MergeOptions
	cmd := newCmdMerge(streams, func(o *MergeOptions) error { mo = o; return nil })
	if len(margs) == 0 || margs[0] != "merge" {
		t.Fatalf("merge-job.yaml: args %q", margs)
	}
	cmd.SetArgs(margs[1:])
	if err := cmd.Execute(); err != nil {
		t.Fatalf("merge-job.yaml: %v", err)
	}
	if mmount != mount || !slices.Equal(mo.Dirs, []string{out}) {
		t.Errorf("merge-job.yaml merges %q at %s; the sweep writes %s at %s", mo.Dirs, mmount, out, mount)
	}
}

// TestSlurmScripts: the array has as many tasks as the shards.
func TestSlurmScripts(t *testing.T) {
	sweep := string(read(t, filepath.Join("..", "..", "deploy", "slurm", "sweep.sbatch")))
	arr := regexp.MustCompile(`(?m)^#SBATCH --array=(\d+)-(\d+)$`).FindStringSubmatch(sweep)
	shard := regexp.MustCompile(`--shard auto/(\d+)`).FindStringSubmatch(sweep)
	if arr == nil || shard == nil {
		t.Fatalf("sweep.sbatch: no #SBATCH --array=A-B or no --shard auto/N")
	}
	lo, _ := strconv.Atoi(arr[1])
	hi, _ := strconv.Atoi(arr[2])
	if n, _ := strconv.Atoi(shard[1]); hi-lo+1 != n {
		t.Errorf("sweep.sbatch: --array=%d-%d has %d tasks, --shard auto/%d", lo, hi, hi-lo+1, n)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "deploy", "slurm", "merge.sbatch")); err != nil {
		t.Error(err)
	}
}
