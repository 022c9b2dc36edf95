package scenarios

import (
	"fmt"
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/sim"
)

// The exact-time policy scenarios are scripts in testdata/timelines (see
// TestTimelines). This file keeps the checks that are not exact-time: the
// built-in scenarios' configuration and the rules a noisy run must obey.

// trace records what the world reports.
type trace struct {
	decisions []cluster.Decision
	events    []cluster.Event
	w         *cluster.World // set by runParsed
}

func (*trace) RequestArrived(int, sim.Time)                                         {}
func (*trace) RequestEnded(int, cluster.Outcome, sim.Time, sim.Time, time.Duration) {}
func (*trace) Sample(sim.Time, []cluster.Sample)                                    {}
func (r *trace) Lifecycle(e cluster.Event)                                          { r.events = append(r.events, e) }
func (r *trace) Decision(d cluster.Decision)                                        { r.decisions = append(r.decisions, d) }

// runParsed builds and runs sc, recording its trace.
func runParsed(t *testing.T, sc *Scenario) *trace {
	t.Helper()
	cfg, err := Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trace{}
	w, err := cluster.New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	w.Run()
	tr.w = w
	return tr
}

// final is the desired count after the last evaluation.
func (r *trace) final() int { return r.decisions[len(r.decisions)-1].After }

func input(d cluster.Decision, name string) (float64, bool) {
	for _, in := range d.Recommendation.Inputs {
		if in.Name == name {
			return in.Value, true
		}
	}
	return 0, false
}

// The built-in k8s-hpa is the HPA, exactly.
func TestBuiltinK8sHPAConfiguration(t *testing.T) {
	sc, err := Open("k8s-hpa", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	a := s.Autoscaler
	in := s.Instance
	const mi = 1 << 20
	if s.Replicas.Min != 2 || s.Replicas.Max != 10 || a.Policy != PolicyHPA {
		t.Errorf("replicas %+v policy %s, want hpa with min 2 max 10", s.Replicas, a.Policy)
	}
	if len(a.Metrics) != 2 || a.Metrics[0] != (MetricTarget{Resource: "cpu", TargetUtilization: 70}) || a.Metrics[1] != (MetricTarget{Resource: "memory", TargetUtilization: 80}) {
		t.Errorf("metrics %+v, want cpu 70%% and memory 80%%", a.Metrics)
	}
	if in.CPURequest != 0.25 || in.CPULimit != 0.5 || in.MemoryRequest != 256*mi || in.MemoryLimit != 512*mi {
		t.Errorf("instance %g/%g cores, %g/%g bytes; want 250m/500m, 256Mi/512Mi", in.CPURequest, in.CPULimit, in.MemoryRequest, in.MemoryLimit)
	}
	b := a.Behavior
	up := ScalingRules{StabilizationWindow: 30 * time.Second, SelectPolicy: SelectMax, Policies: []ScalingPolicy{{ScalingPods, 2, time.Minute}}}
	down := ScalingRules{StabilizationWindow: 300 * time.Second, SelectPolicy: SelectMax, Policies: []ScalingPolicy{{ScalingPods, 1, time.Minute}}}
	if b == nil || fmt.Sprint(b.ScaleUp) != fmt.Sprint(up) || fmt.Sprint(b.ScaleDown) != fmt.Sprint(down) {
		t.Errorf("behavior %+v, want scale-up %+v and scale-down %+v", b, up, down)
	}
}

// Running wso2-elb: 40 requests per second, 240 from 30 to 50 min, on
// instances serving 100 per second; tokens expire after 60 s.
//
//   - No decision before the 10th round, 300 s.
//   - The queue grows by 240 - 100 = 140 per second: the samples at 1830,
//     1860, 1890 s hold about 4200, 8400, 12600 requests in flight, so the
//     10-round average passes 2100 at 1890 s (2520): +1.
//   - A new instance joins 60 + 10 s after it is launched; the task sees it
//     at the third run after: scale-ups at least 90 s apart, each +1, none
//     while an instance is pending.
//   - Once the queue has drained, a healthy instance has a few requests in
//     flight, far below 150 per instance: it scales down while the crowd
//     is still there (the quirk the docs explain).
//   - A scale-in deregisters the member at once and terminates it once it
//     has served what it holds: nothing is rejected or failed (only the
//     clients' 60 s timeouts in the crowd).
func TestBuiltinWSO2ELBRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a built-in for hours of simulated time; single-threaded, so -race adds nothing")
	}
	sc, err := Open("wso2-elb", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := sc.Services[0].Autoscaler; a.Policy != PolicyRequestsInFlight || a.Interval != 30*time.Second ||
		a.RequestsInFlight.Rounds != 10 || a.RequestsInFlight.MaxRequestsPerSecond != 100 ||
		a.RequestsInFlight.AlarmingUpperRate != 0.7 || a.RequestsInFlight.AlarmingLowerRate != 0.2 ||
		a.RequestsInFlight.ScaleDownFactor != 0.25 || a.RequestsInFlight.InstancesPerScaleUp != 1 {
		t.Errorf("autoscaler %+v, want requests-in-flight with WSO2's defaults", a)
	}
	r := runParsed(t, sc)
	var ups []float64
	downInCrowd := false
	for _, d := range r.decisions {
		s := d.Time.Seconds()
		rec := d.Recommendation
		if s < 300 && rec.Valid {
			t.Errorf("%gs: a decision before the window is full", s)
		}
		if d.After-d.Before > 1 || d.Before-d.After > 1 {
			t.Errorf("%gs: %d -> %d, want one step at a time", s, d.Before, d.After)
		}
		if d.After > d.Before {
			for _, p := range d.Observation.Pods {
				if !p.Ready {
					t.Errorf("%gs: scaled up while instance %d was pending", s, p.ID)
				}
			}
			running, _ := input(d, "running")
			if avg, _ := input(d, "avg_in_flight"); avg <= running*2100 {
				t.Errorf("%gs: scaled up at avg %g in flight with %g running, want above %g", s, avg, running, running*2100)
			}
			if len(ups) > 0 && s-ups[len(ups)-1] < 90 {
				t.Errorf("%gs: scale-up %g s after the previous one, want >= 90 s (join after 70 s)", s, s-ups[len(ups)-1])
			}
			ups = append(ups, s)
		}
		if d.After < d.Before && s > 1800 && s < 3000 {
			downInCrowd = true
		}
	}
	if len(ups) < 3 || ups[0] != 1890 {
		t.Log((&timeline{sc: sc}).print(r.decisions, nil, "decisions"))
		t.Fatalf("scale-ups at %v, want the first at 1890 s and several during the crowd", ups)
	}
	if !downInCrowd {
		t.Errorf("no scale-down during the crowd: the requests-in-flight quirk should show")
	}
	if r.final() != 1 {
		t.Errorf("ends at %d replicas, want min 1", r.final())
	}
	if _, o, _ := r.w.Services()[0].Totals(); o[cluster.Rejected] != 0 || o[cluster.Failed] != 0 || o[cluster.TimedOut] == 0 {
		t.Errorf("outcomes %v, want none rejected or failed, some timed out", o)
	}
	deregistered := 0
	for _, e := range r.events {
		if e.Kind == cluster.KindInstanceDraining && e.Detail == "deregistered from the load balancer" {
			deregistered++
		}
	}
	if deregistered == 0 {
		t.Errorf("no member deregistered: the run does not exercise WSO2's scale-in")
	}
}

// The built-in ingress: the same Service reached directly (ClientIP
// affinity) and behind an ingress-nginx Ingress. Directly, the scale-ins
// without preStop lose requests; behind the Ingress the refused
// connections are retried on the next endpoint and nothing is lost, and
// the Service's affinity does not apply there.
func TestBuiltinIngressRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a built-in for hours of simulated time; single-threaded, so -race adds nothing")
	}
	sc, err := Open("ingress", nil)
	if err != nil {
		t.Fatal(err)
	}
	direct, behind := sc.Service("direct"), sc.Service("behind-ingress")
	if direct.Ingress != nil || behind.Ingress == nil || behind.Ingress.ProxyReadTimeout != time.Minute ||
		behind.Ingress.ProxyNextUpstream != "error" || behind.Ingress.ProxyNextUpstreamTries != 3 ||
		behind.LoadBalancer.Algorithm != "client-ip" || behind.LoadBalancer.SessionAffinityTimeout != 600*time.Second {
		t.Fatalf("services %+v and %+v, want the guide's pair with ingress-nginx's defaults", direct, behind)
	}
	r := runParsed(t, sc)
	for _, s := range r.w.Services() {
		_, o, _ := s.Totals()
		_, retried := s.IngressTotals()
		lost := o[cluster.Rejected] + o[cluster.Failed] + o[cluster.TimedOut]
		switch s.Name() {
		case "direct":
			if lost == 0 || retried != 0 {
				t.Errorf("direct: %v, %d retried; want requests lost at the scale-ins, none retried", o, retried)
			}
		case "behind-ingress":
			if lost != 0 || retried == 0 {
				t.Errorf("behind the ingress: %v, %d retried; want nothing lost, the drain races retried", o, retried)
			}
		}
	}
}
