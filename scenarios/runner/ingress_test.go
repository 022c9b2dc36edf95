package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// summary.json's ingress figures come from the cluster through the
// observer: the scenario of scenarios/testdata/timelines/ingress.txt,
// whose header derives 4 connection errors retried (web-0 crashed at 20 s,
// still in rotation until 21 s) and 50 504s (the requests of [40, 45) s,
// slowed past the 1 s proxy_read_timeout), among 51 failed. A service
// without an ingress has no "ingress" key.
func TestSummaryIngress(t *testing.T) {
	sc, err := scenarios.Parse("ingress.yaml", []byte(`name: ingress
duration: 60s
services:
  web:
    replicas: {initial: 3, min: 3, max: 3}
    demand: {cpu: 1ms, wait: 300ms}
    ingress: {latency: 2ms, proxy_read_timeout: 1s}
traffic:
  web: {arrivals: constant, rate: 10}
faults:
  - {at: 20s, type: instance-crash, service: web}
  - {at: 40s, type: dependency-outage, service: web, duration: 5s, mode: slow, delay: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, RunOptions{Out: filepath.Join(t.TempDir(), "out")})
	if err != nil {
		t.Fatal(err)
	}
	web := res.Summary.Services["web"]
	if want := (reports.IngressSummary{GatewayTimeouts: 50, Retries: 4}); web.Ingress == nil || *web.Ingress != want {
		t.Errorf("web: ingress %+v, want %+v", web.Ingress, want)
	}
	if web.Requests.Failed != 51 {
		t.Errorf("web: %d failed, want 51 (the crash's 1 and the 50 504s)", web.Requests.Failed)
	}
	b, err := os.ReadFile(filepath.Join(res.Out, reports.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"ingress": {
        "gateway_timeouts": 50,
        "retries": 4
      }`) {
		t.Errorf("summary.json lacks web's ingress:\n%s", b)
	}

	direct, err := Run(context.Background(), tiny(t), RunOptions{Out: filepath.Join(t.TempDir(), "out")})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range direct.Summary.Services {
		if s.Ingress != nil {
			t.Errorf("%s, without an ingress: ingress %+v, want none", name, s.Ingress)
		}
	}
}
