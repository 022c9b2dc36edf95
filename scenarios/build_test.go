package scenarios

import (
	"strings"
	"testing"

	"github.com/scalesim/scalesim/cluster"
)

// Every built-in scenario either builds and runs with conservation intact,
// or is refused for a feature not simulated yet, with the feature named.
func TestLibraryBuilds(t *testing.T) {
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		sc, err := Parse("builtin:"+e.Name, data)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		cfg, err := Build(sc)
		if err != nil {
			if !strings.Contains(err.Error(), "not simulated yet") {
				t.Errorf("%s: %v", e.Name, err)
			}
			continue
		}
		if len(cfg.Services) != len(sc.Services) {
			t.Errorf("%s: %d services built, want %d", e.Name, len(cfg.Services), len(sc.Services))
		}
	}
}

func TestBuildMapsUnlimitedAndPolicy(t *testing.T) {
	sc, err := Parse("x.yaml", []byte(`
name: x
duration: 1m
services:
  web:
    demand: {cpu: 10ms}
    instance: {queue_limit: 0}
    autoscaler: {policy: latency, target: 200ms, percentile: 90}
traffic:
  web: {rate: 10, timeout: 2s}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.Instance.Concurrency != 0 || s.Instance.QueueLimit != 0 {
		t.Errorf("concurrency %d (want 0 = unlimited), queue limit %d (want 0 = no queue)", s.Instance.Concurrency, s.Instance.QueueLimit)
	}
	if s.Autoscaler.Policy.Name() != "latency" || s.Autoscaler.LatencyPercentile != 90 {
		t.Errorf("policy %s with percentile %v, want latency at 90", s.Autoscaler.Policy.Name(), s.Autoscaler.LatencyPercentile)
	}
	if s.Timeout.Seconds() != 2 || s.Arrivals == nil {
		t.Errorf("timeout %v, arrivals %v", s.Timeout, s.Arrivals)
	}
	if _, err := cluster.New(cfg, nil); err != nil {
		t.Errorf("cluster refused the built config: %v", err)
	}
}

func TestBuildRefusesWhatIsNotSimulated(t *testing.T) {
	sc, err := Parse("f.yaml", []byte(`
name: f
duration: 1m
services:
  web:
    demand: {cpu: 10ms}
traffic:
  web: {rate: 10}
faults:
  - {at: 10s, type: instance-crash, service: web}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(sc)
	if err == nil || !strings.Contains(err.Error(), "f.yaml:10:") || !strings.Contains(err.Error(), "faults.0") {
		t.Errorf("got %v, want an error at f.yaml:10 naming faults.0", err)
	}
}
