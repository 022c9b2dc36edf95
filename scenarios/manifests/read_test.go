package manifests

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"
)

// values flattens a service's values into key -> the value in flow YAML.
func values(t *testing.T, s Service) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range s.Values {
		if _, dup := out[v.Key]; dup {
			t.Errorf("%s: key %s set twice", s.Name, v.Key)
		}
		if v.Node.Kind == yaml.ScalarNode {
			out[v.Key] = v.Node.Value
			continue
		}
		n := *v.Node
		setFlow(&n)
		b, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		out[v.Key] = strings.TrimSpace(string(b))
	}
	return out
}

func setFlow(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}

func read(t *testing.T, files map[string]string, entries []Entry, known ...string) (*Result, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return Read(fsys, entries, known)
}

func service(t *testing.T, r *Result, name string) Service {
	t.Helper()
	for _, s := range r.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %q in %v", name, r.Services)
	return Service{}
}

// wso2 reads the WSO2 Integrator guide's manifests as they are (the
// embedded copy of the built-in scenario; TestWSO2CopyUnmodified checks
// it is the guide's).
func wso2(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	dir := "../library/wso2-integrator"
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// The guide's values, read off its YAML by hand; the defaults are the
// API server's (probe timeout 1 s) and the reader's rules (HPA behavior
// select policy Max).
func TestWSO2Set(t *testing.T) {
	r, err := Read(wso2(t), []Entry{{Path: "k8s"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Services) != 1 {
		t.Fatalf("services %v, want one", r.Services)
	}
	got := values(t, service(t, r, "wso2-integrator-app"))
	want := map[string]string{
		"replicas.initial":                                    "3",
		"replicas.min":                                        "2",
		"replicas.max":                                        "10",
		"instance.cpu_request":                                "250m",
		"instance.memory_request":                             "256Mi",
		"instance.cpu_limit":                                  "500m",
		"instance.memory_limit":                               "512Mi",
		"instance.drain.grace_period":                         "60s",
		"instance.drain.pre_stop":                             "5s",
		"probes.readiness.initial_delay":                      "10s",
		"probes.readiness.period":                             "5s",
		"probes.readiness.timeout":                            "1s",
		"probes.readiness.failure_threshold":                  "3",
		"probes.readiness.success_threshold":                  "1",
		"probes.liveness.initial_delay":                       "15s",
		"probes.liveness.period":                              "10s",
		"probes.liveness.timeout":                             "1s",
		"probes.liveness.failure_threshold":                   "3",
		"probes.liveness.success_threshold":                   "1",
		"probes.startup.initial_delay":                        "5s",
		"probes.startup.period":                               "5s",
		"probes.startup.timeout":                              "1s",
		"probes.startup.failure_threshold":                    "30",
		"probes.startup.success_threshold":                    "1",
		"topology_spread.max_skew":                            "1",
		"topology_spread.when_unsatisfiable":                  "DoNotSchedule",
		"autoscaler.policy":                                   "hpa",
		"autoscaler.metrics":                                  "[{resource: cpu, target_utilization: 70}, {resource: memory, target_utilization: 80}]",
		"autoscaler.behavior.scale_up.stabilization_window":   "30s",
		"autoscaler.behavior.scale_up.select_policy":          "Max",
		"autoscaler.behavior.scale_up.policies":               "[{type: Pods, value: 2, period: 60s}]",
		"autoscaler.behavior.scale_down.stabilization_window": "300s",
		"autoscaler.behavior.scale_down.select_policy":        "Max",
		"autoscaler.behavior.scale_down.policies":             "[{type: Pods, value: 1, period: 60s}]",
		"disruption_budget.min_available":                     "2",
		"load_balancer.algorithm":                             "client-ip",
		"load_balancer.session_affinity_timeout":              "600s",
		"ingress.proxy_read_timeout":                          "60s",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %s = %s", k, got[k])
		}
	}
	// Everything the guide's manifests set is simulated now: its startup
	// probe, the probes' initial delays, the Ingress's read timeout.
	for _, d := range r.Ignored {
		t.Errorf("ignored: %v", d.Error())
	}
}

// The Cloud.toml of the guide, with the service named by the entry.
func TestWSO2CloudToml(t *testing.T) {
	r, err := Read(wso2(t), []Entry{{Path: "Cloud.toml", Service: "orders"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := values(t, service(t, r, "orders"))
	want := map[string]string{"autoscaler.policy": "cloud", "autoscaler.min_replicas": "2", "autoscaler.max_replicas": "10",
		"autoscaler.cpu_threshold": "70", "autoscaler.memory_threshold": "80"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	_, err = Read(wso2(t), []Entry{{Path: "Cloud.toml", File: "s.yaml", Line: 3, Col: 5, Field: "manifests.0"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "s.yaml:3:5: manifests.0: Cloud.toml is a Cloud.toml, which does not name its service; write the entry as {path: Cloud.toml, service: NAME}") {
		t.Errorf("a Cloud.toml without a service: %v", err)
	}
}

// Shapes that real repositories and clusters hold, each read into the
// settings derived by hand.
func TestRealWorldShapes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		entries []Entry
		service string
		want    map[string]string // keys checked (others may be set)
		absent  []string
		ignored []string // substrings of the ignored list
	}{{
		name: "multi-document file with a v1 HPA and comments",
		files: map[string]string{"app.yaml": `# the app
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:1
        resources: {requests: {cpu: 500m, memory: 1Gi}}
---
# scale it on CPU
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 12
  targetCPUUtilizationPercentage: 60
---
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config}
data: {LOG_LEVEL: info}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api-kn
  annotations: {autoscaling.knative.dev/target: "10"}
spec: {template: {spec: {containers: [{image: api}]}}}
---
`},
		entries: []Entry{{Path: "app.yaml"}},
		service: "api",
		ignored: []string{"app.yaml:26:1: kind: kind ConfigMap (v1) is not simulated; ignored",
			"app.yaml:31:1: kind: kind Service (serving.knative.dev/v1) is not simulated yet (its autoscaling annotations are not read yet: give the kpa policy's parameters in the scenario file); ignored"},
		want: map[string]string{
			// spec.replicas omitted: the HPA's minReplicas.
			"replicas.initial": "3", "replicas.min": "3", "replicas.max": "12",
			"autoscaler.policy": "hpa", "autoscaler.metrics": "[{resource: cpu, target_utilization: 60}]",
			"instance.cpu_request": "500m", "instance.memory_request": "1Gi",
			"instance.drain.grace_period": "30s", // the API's default
		},
		// v1 has no behavior, and none is defaulted: the controller's
		// older path, which the hpa policy runs without one.
		absent: []string{"instance.cpu_limit", "instance.drain.pre_stop", "probes.readiness.period",
			"autoscaler.behavior.scale_up.stabilization_window", "autoscaler.behavior.scale_down.policies"},
	}, {
		name: "kubectl get -o yaml output: a List with status and managedFields",
		files: map[string]string{"dump.yaml": `apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    annotations:
      deployment.kubernetes.io/revision: "2"
    creationTimestamp: "2024-05-01T10:00:00Z"
    generation: 2
    labels: {app: web}
    managedFields:
    - apiVersion: apps/v1
      fieldsType: FieldsV1
      fieldsV1: {f:spec: {f:replicas: {}}}
      manager: kubectl
      operation: Update
      time: "2024-05-01T10:00:00Z"
    name: web
    namespace: default
    resourceVersion: "1234"
    uid: 0b7c3d4e-1111-2222-3333-444455556666
  spec:
    progressDeadlineSeconds: 600
    replicas: 4
    revisionHistoryLimit: 10
    selector: {matchLabels: {app: web}}
    strategy:
      rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
      type: RollingUpdate
    template:
      metadata:
        creationTimestamp: null
        labels: {app: web}
      spec:
        containers:
        - image: nginx:1.27
          imagePullPolicy: IfNotPresent
          name: web
          ports: [{containerPort: 80, protocol: TCP}]
          readinessProbe:
            httpGet: {path: /, port: 80, scheme: HTTP}
            periodSeconds: 10
            successThreshold: 1
            failureThreshold: 3
            timeoutSeconds: 1
          resources:
            limits: {cpu: "1", memory: 512Mi}
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: File
        dnsPolicy: ClusterFirst
        restartPolicy: Always
        schedulerName: default-scheduler
        securityContext: {}
        terminationGracePeriodSeconds: 30
  status:
    availableReplicas: 4
    conditions:
    - lastTransitionTime: "2024-05-01T10:00:05Z"
      lastUpdateTime: "2024-05-01T10:00:05Z"
      message: Deployment has minimum availability.
      reason: MinimumReplicasAvailable
      status: "True"
      type: Available
    observedGeneration: 2
    readyReplicas: 4
    replicas: 4
    updatedReplicas: 4
kind: List
metadata:
  resourceVersion: ""
`},
		entries: []Entry{{Path: "dump.yaml"}},
		service: "web",
		want: map[string]string{
			"replicas.initial": "4",
			// Limits only: the API defaults the requests to them.
			"instance.cpu_request": "1", "instance.cpu_limit": "1",
			"instance.memory_request": "512Mi", "instance.memory_limit": "512Mi",
			"probes.readiness.period": "10s", "probes.readiness.timeout": "1s", "probes.readiness.failure_threshold": "3",
			// The strategy: what a rollout fault of the service uses.
			"rollout.max_surge": "25%", "rollout.max_unavailable": "25%",
		},
		absent: []string{"autoscaler.policy"},
	}, {
		name: "sidecars are summed, init containers left out, limits only when every container has one",
		files: map[string]string{"d.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      nodeSelector: {pool: general}
      affinity:
        podAntiAffinity: {}
      volumes: [{name: tmp, emptyDir: {}}]
      initContainers:
      - {name: migrate, image: m, resources: {requests: {cpu: "2", memory: 2Gi}}}
      containers:
      - name: app
        image: shop
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}
        lifecycle: {preStop: {sleep: {seconds: 10}}}
      - name: envoy
        image: envoy
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
        lifecycle: {preStop: {exec: {command: ["sh", "-c", "sleep 15"]}}}
`},
		entries: []Entry{{Path: "d.yaml"}},
		service: "shop",
		want: map[string]string{
			"instance.cpu_request": "350m", "instance.memory_request": "320Mi", "instance.memory_limit": "640Mi",
			"instance.drain.pre_stop": "15s", // the longer of the two hooks
		},
		absent: []string{"instance.cpu_limit"},
		ignored: []string{
			"d.yaml:10:7: spec.template.spec.nodeSelector: not simulated",
			"d.yaml:11:7: spec.template.spec.affinity: not simulated",
			"d.yaml:13:7: spec.template.spec.volumes: not simulated",
			"d.yaml:19:68: spec.template.spec.containers[0].resources.limits.cpu: only some containers have a cpu limit",
		},
	}, {
		name: "percent PDB, taken of the replicas and rounded up",
		files: map[string]string{"d.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: q}
spec:
  replicas: 3
  selector: {matchLabels: {app: q}}
  template:
    metadata: {labels: {app: q, tier: back}}
    spec:
      containers: [{name: q, image: q}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: q}
spec:
  minAvailable: 50%
  selector: {matchExpressions: [{key: tier, operator: In, values: [back]}]}
`},
		entries: []Entry{{Path: "d.yaml"}},
		service: "q",
		want:    map[string]string{"disruption_budget.min_available": "2"}, // ceil(0.5 x 3)
		ignored: []string{"spec.minAvailable: minAvailable 50% taken at the workload's 3 replicas: min_available 2"},
	}, {
		name: "maxUnavailable PDB",
		files: map[string]string{"d.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: q}
spec:
  replicas: 4
  selector: {matchLabels: {app: q}}
  template:
    metadata: {labels: {app: q}}
    spec:
      containers: [{name: q, image: q}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: q}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {app: q}}
`},
		entries: []Entry{{Path: "d.yaml"}},
		service: "q",
		want:    map[string]string{"disruption_budget.min_available": "3"}, // 4 - ceil(0.25 x 4)
	}, {
		name:    "Cloud.toml, c2c spelling, with resources and probes",
		files:   map[string]string{"Cloud.toml": "[container.image]\nname = \"hello\"\n\n[cloud.deployment]\nmin_memory = \"100Mi\"\nmax_memory = \"256Mi\"\nmin_cpu = \"200m\"\nmax_cpu = \"500m\"\n\n[cloud.deployment.autoscaling]\nmin_replicas = 1\nmax_replicas = 4\ncpu = 60\nmemory = 75\n\n[cloud.deployment.probes.readiness]\nport = 9091\npath = \"/readyz\"\n\n[cloud.deployment.storage.volumes]\nname = \"v\"\n"},
		entries: []Entry{{Path: "Cloud.toml", Service: "hello"}},
		service: "hello",
		want: map[string]string{
			"instance.cpu_request": "200m", "instance.cpu_limit": "500m", "instance.memory_request": "100Mi", "instance.memory_limit": "256Mi",
			"autoscaler.policy": "cloud", "autoscaler.min_replicas": "1", "autoscaler.max_replicas": "4",
			"autoscaler.cpu_threshold": "60", "autoscaler.memory_threshold": "75",
			"probes.readiness.period": "10s", "probes.readiness.failure_threshold": "3",
		},
		absent:  []string{"probes.liveness.period"},
		ignored: []string{"Cloud.toml:20:1: cloud.deployment.storage: not simulated"},
	}, {
		name:    "Cloud.toml, threshold spelling",
		files:   map[string]string{"Cloud.toml": "[cloud.deployment.autoscaling]\nmin_replicas = 2\nmax_replicas = 6\ncpu_threshold = 55\n"},
		entries: []Entry{{Path: "Cloud.toml", Service: "s"}},
		service: "s",
		want:    map[string]string{"autoscaler.cpu_threshold": "55", "autoscaler.max_replicas": "6"},
		absent:  []string{"autoscaler.memory_threshold"},
	}, {
		name: "a StatefulSet reads as a Deployment",
		files: map[string]string{"s.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 120
      topologySpreadConstraints:
      - {maxSkew: 2, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, minDomains: 3, nodeTaintsPolicy: Honor}
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}
      containers: [{name: db, image: pg, resources: {requests: {cpu: "2", memory: 4Gi}}}]
`},
		entries: []Entry{{Path: "s.yaml"}},
		service: "db",
		want: map[string]string{"replicas.initial": "2", "instance.cpu_request": "2", "instance.memory_request": "4Gi", "instance.drain.grace_period": "120s",
			"topology_spread.max_skew": "2", "topology_spread.min_domains": "3", "topology_spread.node_taints_policy": "Honor"},
		ignored: []string{`s.yaml:14:9: spec.template.spec.topologySpreadConstraints[1]: a spread over "kubernetes.io/hostname" is not simulated`},
	}, {
		name: "startup probe, initial delays and success thresholds; nodeAffinityPolicy still ignored",
		files: map[string]string{"d.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: slow}
spec:
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, nodeAffinityPolicy: Honor}
      containers:
      - name: app
        image: app
        startupProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5, failureThreshold: 60}
        readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 20, successThreshold: 2}
        livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 30, timeoutSeconds: 5}
`},
		entries: []Entry{{Path: "d.yaml"}},
		service: "slow",
		want: map[string]string{
			// SetDefaults_Probe fills what is not written: period 10 s,
			// timeout 1 s, failure 3, success 1; no initialDelaySeconds is 0.
			"probes.startup.period": "5s", "probes.startup.timeout": "1s", "probes.startup.failure_threshold": "60", "probes.startup.success_threshold": "1",
			"probes.readiness.initial_delay": "20s", "probes.readiness.period": "10s", "probes.readiness.success_threshold": "2",
			"probes.liveness.initial_delay": "30s", "probes.liveness.timeout": "5s", "probes.liveness.failure_threshold": "3",
			"topology_spread.when_unsatisfiable": "ScheduleAnyway",
		},
		absent:  []string{"probes.startup.initial_delay", "topology_spread.node_affinity_policy"},
		ignored: []string{"d.yaml:10:99: spec.template.spec.topologySpreadConstraints[0].nodeAffinityPolicy: read, but topology spread nodeAffinityPolicy is not simulated"},
	}, {
		name: "an Ingress's ingress-nginx annotations fill the service's ingress",
		files: map[string]string{"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-svc}
spec: {selector: {app: web}, sessionAffinity: ClientIP}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "120"
    nginx.ingress.kubernetes.io/proxy-send-timeout: "30"
    nginx.ingress.kubernetes.io/proxy-connect-timeout: "5"
    nginx.ingress.kubernetes.io/proxy-next-upstream: "error timeout http_502"
    nginx.ingress.kubernetes.io/proxy-next-upstream-tries: "5"
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/session-cookie-max-age: "3600"
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
    nginx.ingress.kubernetes.io/proxy-next-upstream-timeout: "10"
spec:
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web-svc, port: {number: 80}}}}]}
`},
		entries: []Entry{{Path: "app.yaml"}},
		service: "web",
		want: map[string]string{
			"ingress.proxy_read_timeout": "120s", "ingress.proxy_next_upstream": "error", "ingress.proxy_next_upstream_tries": "5",
			"ingress.affinity": "cookie", "ingress.session_cookie_max_age": "3600s",
			// Still read: behind the ingress it does not apply, which the
			// scenario's ingress-bypasses-service warning says.
			"load_balancer.algorithm": "client-ip", "load_balancer.session_affinity_timeout": "10800s",
		},
		absent: []string{"ingress"}, // the annotations' keys make the hop
		ignored: []string{
			"app.yaml:21:5: metadata.annotations.nginx.ingress.kubernetes.io/proxy-send-timeout: not simulated",
			"app.yaml:22:5: metadata.annotations.nginx.ingress.kubernetes.io/proxy-connect-timeout: not simulated",
			"app.yaml:23:5: metadata.annotations.nginx.ingress.kubernetes.io/proxy-next-upstream: timeout http_502 not simulated",
			"app.yaml:28:5: metadata.annotations.nginx.ingress.kubernetes.io/proxy-next-upstream-timeout: not simulated",
		},
	}, {
		name: "an Ingress without annotations is the hop with ingress-nginx's defaults; a bad annotation keeps its default",
		files: map[string]string{"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: b
  annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: 1m, nginx.ingress.kubernetes.io/affinity: header}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
`, "other.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {selector: {app: api}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: c
  annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: 1m, nginx.ingress.kubernetes.io/affinity: header}
spec: {defaultBackend: {service: {name: api, port: {number: 80}}}}
`},
		entries: []Entry{{Path: "app.yaml"}, {Path: "other.yaml"}},
		service: "api",
		want:    map[string]string{"ingress": "{}"},
		absent:  []string{"ingress.proxy_read_timeout", "ingress.affinity"},
		ignored: []string{
			"app.yaml:21:1: metadata.name: a second Ingress (b) in front of Deployment/web (app.yaml); scalesim's ingress is the first's (a)",
			`other.yaml:19:17: metadata.annotations.nginx.ingress.kubernetes.io/proxy-read-timeout: "1m" is not a whole number at least 0; ingress-nginx keeps its default`,
			`other.yaml:19:69: metadata.annotations.nginx.ingress.kubernetes.io/affinity: "header" is not "cookie", the one affinity ingress-nginx has`,
		},
	}, {
		name: "Pods, Object and External metrics the adapter serves; others listed",
		files: map[string]string{"hpa.yaml": `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: checkout}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: checkout}
  maxReplicas: 20
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 75}}
  - type: Pods
    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "50"}}
  - type: Object
    object:
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
      metric: {name: latency_p95_seconds}
      target: {type: Value, value: 300m}
  - type: External
    external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "30"}}
  - type: Pods
    pods: {metric: {name: http_requests_total}, target: {type: AverageValue, averageValue: "10"}}
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 1Gi}}
`},
		entries: []Entry{{Path: "hpa.yaml"}},
		service: "checkout",
		want: map[string]string{
			// In the manifest's order; 300m is 0.3 (resource.Quantity).
			"autoscaler.metrics": "[{resource: cpu, target_utilization: 75}, {type: pods, metric: requests_per_second, target_average_value: 50}, " +
				"{type: object, metric: latency_p95_seconds, target_value: 0.3}, {type: external, metric: queue_depth, target_average_value: 30}]",
		},
		ignored: []string{
			`hpa.yaml:20:21: spec.metrics[4].pods.metric.name: the pods metric "http_requests_total" is not one scalesim's metrics adapter serves (requests_per_second, requests_in_flight, queue_length,`,
			"hpa.yaml:21:5: spec.metrics[5]: read, but Resource metrics with an AverageValue target is not simulated",
		},
	}, {
		name: "a folder of HPAs alone, for a service of the scenario file",
		files: map[string]string{"hpa/a.yaml": `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: a}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: checkout}
  maxReplicas: 5
  behavior:
    scaleDown: {stabilizationWindowSeconds: 60}
`, "hpa/README.md": "not read"},
		entries: []Entry{{Path: "hpa"}},
		service: "checkout",
		want: map[string]string{
			"replicas.min": "1", "replicas.max": "5",
			"autoscaler.metrics": "[{resource: cpu, target_utilization: 80}]", // no metrics: CPU 80%
			"autoscaler.behavior.scale_down.stabilization_window": "60s",
			"autoscaler.behavior.scale_down.policies":             "[{type: Percent, value: 100, period: 15s}]",
		},
		absent: []string{"replicas.initial"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := read(t, tc.files, tc.entries, "checkout")
			if err != nil {
				t.Fatal(err)
			}
			got := values(t, service(t, r, tc.service))
			for k, w := range tc.want {
				if got[k] != w {
					t.Errorf("%s = %q, want %q", k, got[k], w)
				}
			}
			for _, k := range tc.absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %q, want it absent", k, v)
				}
			}
			var ignored []string
			for _, d := range r.Ignored {
				ignored = append(ignored, d.Error())
			}
			all := strings.Join(ignored, "\n")
			for _, w := range tc.ignored {
				if !strings.Contains(all, w) {
					t.Errorf("ignored list lacks %q; it is:\n%s", w, all)
				}
			}
		})
	}
}

// Problems name the manifest file, the line and column, and the
// Kubernetes field path.
func TestErrors(t *testing.T) {
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
`
	for _, tc := range []struct {
		name  string
		files map[string]string
		entry Entry
		want  string
	}{{
		name: "a wrong type deep in the behavior",
		files: map[string]string{"k8s/hpa.yaml": `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: checkout}
  maxReplicas: 5
  behavior:
    scaleDown:
      policies:
      - type: Pods
        value: 1
        periodSeconds: 1m
`},
		entry: Entry{Path: "k8s/hpa.yaml"},
		want:  `k8s/hpa.yaml:12:24: spec.behavior.scaleDown.policies[0].periodSeconds: expected a whole number; got "1m"`,
	}, {
		name:  "an unknown field, with a suggestion",
		files: map[string]string{"d.yaml": strings.Replace(deploy, "spec:\n  selector", "spec:\n  replica: 3\n  selector", 1)},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:5:3: spec.replica: unknown field "replica" in DeploymentSpec; did you mean "replicas"?`,
	}, {
		name:  "a bad quantity",
		files: map[string]string{"d.yaml": strings.Replace(deploy, "image: web}", "image: web, resources: {requests: {cpu: 250mc}}}", 1)},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:9:72: spec.template.spec.containers[0].resources.requests.cpu: "250mc" is not a Kubernetes quantity`,
	}, {
		name:  "a number where the API wants a string",
		files: map[string]string{"d.yaml": strings.Replace(deploy, "image: web}", "image: web, lifecycle: {preStop: {exec: {command: [sleep, 5]}}}}", 1)},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:9:90: spec.template.spec.containers[0].lifecycle.preStop.exec.command[1]: expected a string; got the number 5 (quote it: "5")`,
	}, {
		name: "an HPA whose target matches nothing",
		files: map[string]string{"d.yaml": deploy + `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 5
`},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:15:65: spec.scaleTargetRef.name: the HorizontalPodAutoscaler api targets Deployment "api", which matches nothing: the manifests have Deployments web and the scenario file services checkout`,
	}, {
		name: "a PDB matching nothing",
		files: map[string]string{"d.yaml": deploy + `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: api}}
`},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:16:13: spec.selector: the PodDisruptionBudget p selects no pods: its selector app=api matches the pod labels of no workload (the manifests have Deployments web and the scenario file services checkout)`,
	}, {
		name: "a Service matching nothing",
		files: map[string]string{"d.yaml": deploy + `---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  selector: {app: api}
`},
		entry: Entry{Path: "d.yaml"},
		want:  `d.yaml:15:13: spec.selector: the Service s selects no pods: its selector app=api matches the pod labels of no workload`,
	}, {
		name:  "a retired API version",
		files: map[string]string{"h.yaml": "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"},
		entry: Entry{Path: "h.yaml"},
		want:  `h.yaml:1:13: apiVersion: HorizontalPodAutoscaler autoscaling/v2beta2 is not read; use autoscaling/v1 or autoscaling/v2`,
	}, {
		name:  "Cloud.toml with both spellings",
		files: map[string]string{"Cloud.toml": "[cloud.deployment.autoscaling]\ncpu = 50\ncpu_threshold = 70\n"},
		entry: Entry{Path: "Cloud.toml", Service: "s"},
		want:  `Cloud.toml:3:17: cloud.deployment.autoscaling.cpu_threshold: both cpu and cpu_threshold are given; they are two spellings of one setting: keep one`,
	}, {
		name:  "Cloud.toml with a wrong type",
		files: map[string]string{"Cloud.toml": "[cloud.deployment.autoscaling]\nmax_replicas = \"ten\"\n"},
		entry: Entry{Path: "Cloud.toml", Service: "s"},
		want:  `Cloud.toml:2:16: cloud.deployment.autoscaling.max_replicas: expected a whole number; got "ten"`,
	}, {
		name:  "a missing file",
		files: map[string]string{},
		entry: Entry{Path: "k8s", File: "s.yaml", Line: 4, Col: 5, Field: "manifests.0"},
		want:  `s.yaml:4:5: manifests.0: cannot read k8s: file does not exist`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := read(t, tc.files, []Entry{tc.entry}, "checkout")
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if !strings.HasPrefix(me.Diags[0].Error(), tc.want) {
				t.Errorf("got  %s\nwant %s", me.Diags[0].Error(), tc.want)
			}
		})
	}
}
