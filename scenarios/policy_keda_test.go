package scenarios

import (
	"strings"
	"testing"
	"time"
)

const kedaHead = `
name: k
duration: 1h
services:
  worker:
    replicas: {initial: 0, min: 0, max: 10}
    instance: {concurrency: 2}
    demand: {cpu: 10ms}
    autoscaler:
      policy: keda
`

const kedaTraffic = `traffic:
  worker: {kind: queue, rate: 1}
`

func TestKEDAScenario(t *testing.T) {
	s := mustParse(t, kedaHead+`      triggers: [{type: queue, metric: queue_depth, threshold: 20}]
      cooldown_period: 2m
`+kedaTraffic)
	a := s.Service("worker").Autoscaler
	if a.KEDA.PollingInterval != 30*time.Second || a.KEDA.CooldownPeriod != 2*time.Minute || a.KEDA.IdleReplicaCount != -1 || a.KEDA.Fallback != nil {
		t.Errorf("keda params %+v", a.KEDA)
	}
	cfg, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Services[0]
	// gcd(30 s poll, 15 s HPA) = 15 s; the adapter runs (Observation.Metrics).
	if c.Autoscaler.Interval != 15*time.Second || c.Autoscaler.Adapter == nil || !c.Queue {
		t.Errorf("cluster config: interval %v adapter %v queue %v", c.Autoscaler.Interval, c.Autoscaler.Adapter, c.Queue)
	}
	s = mustParse(t, kedaHead+`      triggers: [{type: queue, metric: queue_depth, threshold: 20}]
      polling_interval: 20s
      interval: 15s
`+kedaTraffic)
	if cfg, _ := Build(s); cfg.Services[0].Autoscaler.Interval != 5*time.Second {
		t.Errorf("gcd(20s, 15s): %v", cfg.Services[0].Autoscaler.Interval)
	}
}

func TestKEDAScenarioErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"no triggers", ``, "bad.yaml:9:5: services.worker.autoscaler.triggers: give at least one trigger (KEDA has no default), e.g. [{type: prometheus, metric: requests_per_second, threshold: 40}] for requests or [{type: queue, metric: queue_depth, threshold: 20}] for a message queue"},
		{"bad trigger metric", `      triggers: [{type: queue, metric: queue_length, threshold: 20}]`,
			"bad.yaml:11:40: services.worker.autoscaler.triggers.0.metric: \"queue_length\" is not a queue trigger metric; allowed: queue_depth, queue_message_age_seconds"},
		{"missing threshold", `      triggers: [{type: queue, metric: queue_depth}]`,
			"bad.yaml:11:18: services.worker.autoscaler.triggers.0.threshold: is required: the value per replica the HPA keeps, e.g. 20"},
		{"idle above min", `      triggers: [{type: queue, metric: queue_depth, threshold: 20}]
      idle_replica_count: 1`,
			"bad.yaml:12:27: services.worker.autoscaler.idle_replica_count: 1 must be at least 0 and below replicas.min (0), as KEDA requires"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := parseErrors(t, kedaHead+tc.body+"\n"+kedaTraffic)
			if len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), tc.want)
			}
		})
	}
}

// A queue trigger, or an HPA external queue metric, on a service whose
// traffic is requests: there is no queue to read.
func TestQueueReadersNeedAQueue(t *testing.T) {
	lines := parseErrors(t, kedaHead+`      triggers: [{type: queue, metric: queue_depth, threshold: 20}]
traffic:
  worker: {rate: 1}
`)
	want := "bad.yaml:11:19: services.worker.autoscaler.triggers.0.type: a queue trigger reads the service's message queue, which it has none of: give traffic.worker kind: queue"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), want)
	}
	lines = parseErrors(t, hpaMetricsHead+`      metrics: [{type: external, metric: queue_depth, target_average_value: 5}]
traffic:
  web: {rate: 1}
`)
	want = "bad.yaml:9:34: services.web.autoscaler.metrics.0.metric: queue_depth reads the service's message queue, which it has none of: give traffic.web kind: queue"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), want)
	}
}
