package scenarios

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func warningCodes(ws []Warning) string {
	var c []string
	for _, w := range ws {
		c = append(c, w.Service+":"+w.Code)
	}
	return strings.Join(c, ",")
}

// minimal at 1000 req/s needs 50 cores; 10 replicas of 1 core serve 200
// req/s. The built-in as is, at 100 req/s, needs 5.
func TestWarningsOverload(t *testing.T) {
	data, _ := Builtin("minimal")
	minimal := string(data)
	sc := mustParse(t, minimal)
	if ws := Warnings(sc); len(ws) != 0 {
		t.Errorf("minimal at 100 req/s: %v", ws)
	}
	if got := MaxThroughput(sc, &sc.Services[0]); math.Abs(got-20) > 1e-9 {
		t.Errorf("max throughput %v, want 20 req/s (1 core / 50ms)", got)
	}
	sc = mustParse(t, minimal, "traffic.web.rate=1000")
	ws := Warnings(sc)
	if warningCodes(ws) != "web:"+WarnOverload {
		t.Fatalf("minimal at 1000 req/s: %v", ws)
	}
	for _, want := range []string{"1000 req/s", "50 cores", "200 req/s", "replicas.max = 10", "1h0m0s"} {
		if !strings.Contains(ws[0].Message, want) {
			t.Errorf("message %q lacks %q", ws[0].Message, want)
		}
	}
	// 200 req/s exactly is at capacity, not above it.
	if ws := Warnings(mustParse(t, minimal, "traffic.web.rate=200")); len(ws) != 0 {
		t.Errorf("at capacity: %v", ws)
	}
	// A 10 s spike above capacity is still an overload: the peak counts.
	spiky := strings.Replace(minimal, "web: {rate: 100}",
		"web: {pattern: [{type: constant, rps: 100}, {type: spike, at: 30m, duration: 10s, factor: 3}]}", 1)
	if ws := Warnings(mustParse(t, spiky)); warningCodes(ws) != "web:"+WarnOverload || !strings.Contains(ws[0].Message, "300 req/s at 30m0s") {
		t.Errorf("spike: %v", ws)
	}
	// Concurrency bounds it too: 2 slots held 50ms + 150ms wait = 10 req/s
	// an instance, 100 for ten.
	conc := strings.Replace(minimal, "demand: {cpu: 50ms}", "demand: {cpu: 50ms, wait: 150ms}\n    instance: {concurrency: 2}", 1)
	if ws := Warnings(mustParse(t, conc, "traffic.web.rate=150")); warningCodes(ws) != "web:"+WarnOverload {
		t.Errorf("concurrency-bound: %v", ws)
	}
	if ws := Warnings(mustParse(t, conc, "traffic.web.rate=90")); len(ws) != 0 {
		t.Errorf("concurrency-bound below capacity: %v", ws)
	}
}

func TestWarningsTrace(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scenario := func(trace string) *Scenario {
		t.Helper()
		p := write("s.yaml", `
name: traced
duration: 1h
services:
  web:
    demand: {cpu: 10ms}
    autoscaler: {policy: cpu, target_utilization: 70}
traffic:
  web: {pattern: [{type: trace, file: `+trace+`}]}
`)
		sc, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	write("unix.csv", "time_s,rps\n1733000000,50\n1733001800,80\n1733003600,60\n")
	write("short.csv", "0,50\n600,80\n")
	write("whole.csv", "0,50\n1800,80\n3400,60\n")
	if ws := Warnings(scenario("unix.csv")); warningCodes(ws) != "web:"+WarnTraceOutsideRun ||
		!strings.Contains(ws[0].Message, "constant 50 req/s") {
		t.Errorf("Unix timestamps: %v", ws)
	}
	if ws := Warnings(scenario("short.csv")); warningCodes(ws) != "web:"+WarnTracePartial ||
		!strings.Contains(ws[0].Message, "17%") {
		t.Errorf("a 10-minute trace in an hour: %v", ws)
	}
	if ws := Warnings(scenario("whole.csv")); len(ws) != 0 {
		t.Errorf("a trace over 94%% of the run: %v", ws)
	}
}

// No built-in scenario warns: each is meant as it is; but ingress and
// wso2-integrator, which show the WSO2 Integrator guide's trap (a
// Service's ClientIP affinity behind ingress-nginx) and must warn about
// it. A field of a guide's manifests (kept unmodified) that scalesim reads
// but does not simulate would be listed as ignored-manifest-field; every
// field of the guide's set is simulated now (the startup probe, the
// probes' initial delays, the Ingress's proxy-read-timeout), so none is
// let through: one that shows up again is a field unwired or a guide's
// file changed.
func TestWarningsBuiltins(t *testing.T) {
	want := map[string]string{
		"ingress":         "behind-ingress:" + WarnIngressBypass,
		"wso2-integrator": "wso2-integrator-app:" + WarnIngressBypass,
	}
	for _, e := range Library() {
		sc, err := Open(e.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws := Warnings(sc)
		if got := warningCodes(ws); got != want[e.Name] {
			t.Errorf("%s: warnings %q, want %q (%+v)", e.Name, got, want[e.Name], ws)
		}
	}
}

// Behind an ingress, a load-balancer algorithm other than round-robin does
// not apply, and says so; round-robin, or no ingress, is silent.
func TestWarningsIngressBypass(t *testing.T) {
	data, _ := Builtin("minimal")
	minimal := string(data)
	for _, c := range []struct {
		sets []string
		want string
	}{
		{nil, ""},
		{[]string{"services.web.load_balancer.algorithm=client-ip"}, ""},
		{[]string{"services.web.ingress.latency=1ms"}, ""},
		{[]string{"services.web.ingress.latency=1ms", "services.web.load_balancer.algorithm=round-robin"}, ""},
		{[]string{"services.web.ingress.latency=1ms", "services.web.load_balancer.algorithm=client-ip"}, "web:" + WarnIngressBypass},
		{[]string{"services.web.ingress.affinity=cookie", "services.web.load_balancer.algorithm=least-requests"}, "web:" + WarnIngressBypass},
	} {
		ws := Warnings(mustParse(t, minimal, c.sets...))
		if got := warningCodes(ws); got != c.want {
			t.Errorf("%v: warnings %q, want %q", c.sets, got, c.want)
		}
		if c.want != "" && !strings.Contains(ws[0].Message, "does not apply behind the ingress") {
			t.Errorf("%v: message %q", c.sets, ws[0].Message)
		}
	}
}

// A liveness probe that gives up before the boot is over warns; a startup
// probe with room for it does not (the slow-boot timeline's two cases).
func TestWarningsProbeKillsBoot(t *testing.T) {
	text := `name: x
duration: 1h
services:
  web:
    instance: {readiness_delay: 60s}
    demand: {cpu: 10ms}
    probes:
      liveness: {initial_delay: 15s, period: 10s, failure_threshold: 3}
`
	ws := Warnings(mustParse(t, text))
	want := "the liveness probe gives up 35s after the container starts (initial_delay 15s + (failure_threshold 3 - 1) x period 10s), before the application has booted (readiness_delay 1m0s on average)"
	if len(ws) != 1 || ws[0].Code != WarnProbeKillsBoot || !strings.HasPrefix(ws[0].Message, want) {
		t.Errorf("warnings %v, want one beginning %q", ws, want)
	}
	// 15 + 4 x 10 = 55 s, still before 60 s; 15 + 5 x 10 = 65 s is not.
	if ws := Warnings(mustParse(t, text, "services.web.probes.liveness.failure_threshold=5")); len(ws) != 1 {
		t.Errorf("threshold 5: %v", ws)
	}
	if ws := Warnings(mustParse(t, text, "services.web.probes.liveness.failure_threshold=6")); len(ws) != 0 {
		t.Errorf("threshold 6: %v", ws)
	}
	if ws := Warnings(mustParse(t, text, "services.web.probes.startup={period: 5s, failure_threshold: 30}")); len(ws) != 0 {
		t.Errorf("with the guide's startup probe: %v", ws)
	}
	ws = Warnings(mustParse(t, text, "services.web.probes.startup={period: 5s, failure_threshold: 3}"))
	if len(ws) != 1 || !strings.HasPrefix(ws[0].Message, "the startup probe gives up 10s") {
		t.Errorf("a short startup probe: %v", ws)
	}
}
