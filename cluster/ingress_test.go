package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// ingressWorld: 3 instances behind round-robin, a request every 100 ms
// needing 50 ms of CPU, 100 s.
func ingressWorld(ing *IngressConfig) Config {
	s := webService()
	s.Ingress = ing
	return Config{Seed: 1, Duration: 100 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}
}

// The hop's latency is added to every response the client gets: 50 ms of
// CPU (never contending: one request at a time per instance) plus 7 ms.
func TestIngressLatency(t *testing.T) {
	l := &log{}
	run(t, ingressWorld(&IngressConfig{Latency: 7 * time.Millisecond}), l)
	if l.ended[Completed] == 0 {
		t.Fatal("nothing completed")
	}
	for _, e := range l.ends {
		if d := e.now.Sub(e.arrived); e.o == Completed && d != 57*time.Millisecond {
			t.Fatalf("a response took %v, want 57ms", d)
		}
	}
}

// proxy_read_timeout: each request needs 50 ms of CPU then 2 s of waiting;
// the ingress gives up after 1 s: every request ends with a 504 (failed)
// 1 s after it was passed upstream, counted, and the instances keep the
// work (they finish it: no CPU is saved).
func TestIngressReadTimeoutIs504(t *testing.T) {
	cfg := ingressWorld(&IngressConfig{ReadTimeout: time.Second})
	cfg.Services[0].DemandWait = sim.Constant{Value: 2}
	l := &log{}
	w := run(t, cfg, l)
	timeouts, _ := w.Services()[0].IngressTotals()
	if l.ended[Completed] != 0 || l.ended[Failed] == 0 || l.ended[Failed] != timeouts {
		t.Fatalf("outcomes %v, %d 504s: want every ended request a 504", l.ended, timeouts)
	}
	for _, e := range l.ends {
		if d := e.now.Sub(e.arrived); d != time.Second {
			t.Fatalf("a 504 after %v, want 1s", d)
		}
	}
	// A client timeout shorter than the read timeout wins: timed out,
	// not a 504.
	cfg.Services[0].Timeout = 500 * time.Millisecond
	l = &log{}
	w = run(t, cfg, l)
	if timeouts, _ := w.Services()[0].IngressTotals(); timeouts != 0 || l.ended[TimedOut] == 0 || l.ended[Failed] != 0 {
		t.Errorf("client timeout 500ms, read timeout 1s: outcomes %v, %d 504s; want only timeouts", l.ended, timeouts)
	}
}

// proxy_next_upstream hides a drain race: a scale-in from 3 to 1 at 60 s
// (before that instant's arrival) without preStop; the load balancer keeps
// routing to the stopped web-1 and web-2 for its propagation delay, until
// 61 s, before that instant's arrival. The k-th arrival at 0.1k s goes
// round-robin to web-((k-1) mod 3): of k = 600 ... 609, only 601, 604 and
// 607 reach web-0 and 7 are refused. Behind an ingress, each refused
// connection is passed to the next endpoint: k = 600 starts at web-2 (1
// retry, to web-0), and every later one starts just after web-0, at web-1
// (2 retries): 1 + 9 x 2 = 19 retries, nothing refused. With tries 1 (off)
// the 7 are refused as before.
func TestIngressNextUpstreamHidesDrainRace(t *testing.T) {
	base := scaleInWorld(ReplicaSet)
	base.Services[0].DemandWait = nil
	refused := func(ing *IngressConfig) (int64, int64) {
		cfg := base
		cfg.Services = []ServiceConfig{base.Services[0]}
		cfg.Services[0].Ingress = ing
		l := &log{}
		w := run(t, cfg, l)
		_, retried := w.Services()[0].IngressTotals()
		return l.ended[Rejected], retried
	}
	if r, _ := refused(nil); r != 7 {
		t.Fatalf("without an ingress %d refused, want 7", r)
	}
	if r, retried := refused(&IngressConfig{NextUpstreamTries: 3}); r != 0 || retried != 19 {
		t.Errorf("ingress with 3 tries: %d refused, %d retried; want 0 and 19", r, retried)
	}
	if r, retried := refused(&IngressConfig{NextUpstreamTries: 1}); r != 7 || retried != 0 {
		t.Errorf("ingress with 1 try: %d refused, %d retried; want 7 and 0", r, retried)
	}
}

// Behind an ingress the Service's sessionAffinity does not apply: one
// client whose Service says client-ip is balanced round-robin over the
// three instances; with the ingress's cookie affinity it sticks to one.
func TestIngressAffinity(t *testing.T) {
	busy := func(ing *IngressConfig) int {
		cfg := ingressWorld(ing)
		s := &cfg.Services[0]
		s.Clients = 1
		s.LoadBalancer.Algorithm, s.LoadBalancer.SessionAffinityTimeout = ClientIP, time.Hour
		w := run(t, cfg, &log{})
		n := 0
		for _, inst := range w.Services()[0].Instances() {
			if inst.cpuSeconds() > 0 {
				n++
			}
		}
		return n
	}
	if n := busy(nil); n != 1 {
		t.Fatalf("client-ip without an ingress: %d instances served the client, want 1", n)
	}
	if n := busy(&IngressConfig{}); n != 3 {
		t.Errorf("client-ip behind an ingress: %d instances served the client, want 3 (round-robin)", n)
	}
	if n := busy(&IngressConfig{CookieAffinity: true}); n != 1 {
		t.Errorf("cookie affinity: %d instances served the client, want 1", n)
	}
}
