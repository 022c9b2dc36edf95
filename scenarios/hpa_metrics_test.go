package scenarios

import (
	"strings"
	"testing"
	"time"
)

const hpaMetricsHead = `
name: x
duration: 1h
services:
  web:
    demand: {cpu: 10ms}
    autoscaler:
      policy: hpa
`

// TestHPAMetricEntries: pods, object and external entries beside a
// resource one, the adapter's defaults, and the cluster config asking for
// the adapter.
func TestHPAMetricEntries(t *testing.T) {
	s := mustParse(t, hpaMetricsHead+`      metrics:
        - {resource: cpu, target_utilization: 70}
        - {type: pods, metric: requests_per_second, target_average_value: 50}
        - {type: object, metric: latency_p95_seconds, target_value: 0.25}
        - {type: external, metric: requests_per_second, target_average_value: 40}
`)
	a := s.Service("web").Autoscaler
	want := []MetricTarget{
		{Resource: "cpu", TargetUtilization: 70},
		{Type: "pods", Metric: "requests_per_second", TargetAverageValue: 50},
		{Type: "object", Metric: "latency_p95_seconds", TargetValue: 0.25},
		{Type: "external", Metric: "requests_per_second", TargetAverageValue: 40},
	}
	if len(a.Metrics) != len(want) {
		t.Fatalf("metrics %+v", a.Metrics)
	}
	for i := range want {
		if a.Metrics[i] != want[i] {
			t.Errorf("metrics[%d] = %+v, want %+v", i, a.Metrics[i], want[i])
		}
	}
	if a.Adapter != (MetricsAdapter{ScrapeInterval: 30 * time.Second, RateWindow: 2 * time.Minute}) {
		t.Errorf("adapter defaults %+v", a.Adapter)
	}
	cfg, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if ad := cfg.Services[0].Autoscaler.Adapter; ad == nil || ad.ScrapeInterval != 30*time.Second || ad.RateWindow != 2*time.Minute {
		t.Errorf("cluster adapter %+v", ad)
	}
	// Resource metrics alone run no adapter (and move no existing run).
	s = mustParse(t, hpaMetricsHead+`      metrics: [{resource: cpu, target_utilization: 70}]
`)
	cfg, err = Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if ad := cfg.Services[0].Autoscaler.Adapter; ad != nil {
		t.Errorf("adapter without custom metrics: %+v", ad)
	}
}

// TestHPAMetricEntryErrors: each mistake is one line at its field.
func TestHPAMetricEntryErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"unknown pods metric", `      metrics: [{type: pods, metric: cpu_seconds, target_average_value: 1}]`,
			`bad.yaml:9:38: services.web.autoscaler.metrics.0.metric: "cpu_seconds" is not a pods metric; allowed: requests_per_second, requests_in_flight, queue_length, latency_p50_seconds, latency_p90_seconds, latency_p95_seconds, latency_p99_seconds`},
		{"pods with a value target", `      metrics: [{type: pods, metric: queue_length, target_value: 3}]`,
			`bad.yaml:9:66: services.web.autoscaler.metrics.0.target_value: a pods metric takes target_average_value (autoscaling/v2 allows only AverageValue for Pods)`},
		{"object without a target", `      metrics: [{type: object, metric: requests_in_flight}]`,
			`bad.yaml:9:17: services.web.autoscaler.metrics.0.target_value: is required for object metrics (or target_average_value), e.g. 100`},
		{"metric without a type", `      metrics: [{metric: requests_per_second, target_average_value: 50}]`,
			`bad.yaml:9:18: services.web.autoscaler.metrics.0.metric: is for pods, object and external metrics; add type: pods (or object, external), or use resource and target_utilization`},
		{"unknown type", `      metrics: [{type: prometheus, metric: requests_per_second, target_value: 5}]`,
			`bad.yaml:9:24: services.web.autoscaler.metrics.0.type: unknown value "prometheus"; allowed: resource, pods, object, external`},
		{"rate window under two scrapes", `      metrics: [{type: pods, metric: requests_per_second, target_average_value: 50}]
      adapter: {scrape_interval: 1m, rate_window: 90s}`,
			`bad.yaml:10:51: services.web.autoscaler.adapter.rate_window: 1m30s holds fewer than two scrapes of 1m0s: rate() would have no value; use at least 2m0s`},
		{"listed twice", `      metrics:
        - {type: pods, metric: requests_per_second, target_average_value: 50}
        - {type: pods, metric: requests_per_second, target_average_value: 60}`,
			`bad.yaml:11:11: services.web.autoscaler.metrics.1: pods metric requests_per_second is listed twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := parseErrors(t, hpaMetricsHead+tc.body+"\n")
			if len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), tc.want)
			}
		})
	}
}
