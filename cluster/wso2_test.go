package cluster

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The token ring by hand: tokens of one instant share a bucket; removing
// finds the request's instant; expiry drops every token at or before the
// cut; a token already expired or forgotten is not removed twice.
func TestLBTokens(t *testing.T) {
	var tk lbTokens
	at := func(s int) sim.Time { return sim.At(time.Duration(s) * time.Second) }
	for _, s := range []int{1, 1, 2, 5, 5, 5} {
		tk.add(at(s))
	}
	check := func(step string, want int) {
		t.Helper()
		if tk.count != want {
			t.Errorf("%s: %d tokens, want %d", step, tk.count, want)
		}
	}
	check("six added", 6)
	tk.remove(at(1))
	check("one of 1 s removed", 5)
	tk.remove(at(3)) // no request was admitted at 3 s
	check("none at 3 s", 5)
	tk.expire(at(1))
	check("1 s expired", 4)
	tk.remove(at(1)) // expired already
	check("1 s again", 4)
	tk.remove(at(5))
	tk.remove(at(2))
	check("2 s and one of 5 s removed", 2)
	tk.expire(at(4))
	check("nothing left at or before 4 s", 2)
	// Grow past the first buffer, spanning the ring's wrap-around.
	for s := 6; s < 106; s++ {
		tk.add(at(s))
	}
	check("100 more", 102)
	tk.expire(at(55))
	check("expired up to 55 s", 50)
	tk.remove(at(80))
	tk.remove(at(80))
	check("80 s removed once", 49)
	tk.reset()
	check("reset", 0)
	tk.remove(at(90))
	check("removed after the reset", 0)
	tk.add(at(200))
	check("a new token", 1)
}

// tokenWorld: one instance with no concurrency limit; a request every 10 s
// (the k-th at 10k s) holds the server 45 s (off-CPU) while its client
// gives up after 1 s; the policy is evaluated every 60 s up to the end
// (600 s), before that instant's arrival.
func tokenWorld(expiry time.Duration) Config {
	s := webService()
	s.Initial, s.Min, s.Max = 1, 1, 1
	s.Instance.Concurrency = 0
	s.DemandCPU = sim.Constant{Value: 0}
	s.DemandWait = sim.Constant{Value: 45}
	s.NewArrivals = arrivalsOf(evenArrivals{period: 10 * time.Second})
	s.Timeout = time.Second
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{}), Interval: time.Minute, RunsOn: OnLoadBalancer, Members: Launched, MessageExpiry: expiry}
	return Config{Seed: 1, Duration: 10 * time.Minute, SampleInterval: time.Minute, Services: []ServiceConfig{s}}
}

// The requests in flight a WSO2 policy reads are the load balancer's
// tokens: the server still holds the requests of T-40, T-30, T-20 and
// T-10 s at an evaluation at T, whose clients all gave up; tokens older
// than the message expiry are dropped at the task. Without tokens the
// count is the clients' (0).
func TestTokensOutliveClientTimeoutsUntilExpiry(t *testing.T) {
	for _, c := range []struct {
		expiry time.Duration
		want   float64
	}{
		{0, 0},                // the clients' view: every client gave up after 1 s
		{30 * time.Second, 2}, // T-20, T-10 (T-30 is 30 s old: expired)
		{time.Minute, 4},      // all four the server holds
	} {
		l := &log{}
		run(t, tokenWorld(c.expiry), l)
		if len(l.decisions) != 10 {
			t.Fatalf("expiry %v: %d decisions, want 10 (60 ... 600 s)", c.expiry, len(l.decisions))
		}
		for _, d := range l.decisions {
			if d.Observation.InFlight != c.want {
				t.Errorf("expiry %v: %v in flight at %v, want %v", c.expiry, d.Observation.InFlight, d.Time, c.want)
			}
		}
	}
}

// scaleInWorld: 3 instances, a request every 100 ms of 50 ms CPU plus 2 s
// waiting (each instance holds about 7), scaled to 1 at 60 s; the load
// balancer keeps routing 1 s after a drain begins (propagation) and the
// grace period is 1 s, shorter than the work held.
func scaleInWorld(m Members) Config {
	s := webService()
	s.DemandWait = sim.Constant{Value: 2}
	s.Instance.GracePeriod = time.Second
	s.Autoscaler = AutoscalerConfig{NewPolicy: policyOf(steps{{60 * time.Second, 1}}), Interval: 30 * time.Second, Members: m}
	return Config{Seed: 1, Duration: 120 * time.Second, SampleInterval: 10 * time.Second, Services: []ServiceConfig{s}}
}

// A Kubernetes drain without preStop loses requests both ways (routed to a
// member that stopped accepting, and killed at the grace period); WSO2's
// deregistration loses none, and its members end when their last request
// is done, 2.05 s after the last one routed to them.
func TestWSO2ScaleInLosesNothing(t *testing.T) {
	l := &log{}
	run(t, scaleInWorld(ReplicaSet), l)
	if l.ended[Rejected] == 0 || l.ended[Failed] == 0 {
		t.Fatalf("a ReplicaSet drain lost %v: the test cannot tell the two apart", l.ended)
	}
	l = &log{}
	run(t, scaleInWorld(Launched), l)
	if l.ended[Rejected] != 0 || l.ended[Failed] != 0 || l.ended[TimedOut] != 0 {
		t.Errorf("WSO2 scale-in lost %v", l.ended)
	}
	terminated := l.kinds("instance-terminated")
	if len(terminated) != 2 {
		t.Fatalf("%d terminated, want 2", len(terminated))
	}
	for _, e := range terminated {
		// Round-robin over 3: each victim's last request is one of
		// the three before the decision, 59.7, 59.8 or 59.9 s (60.0 s
		// comes after it), done 2.05 s later.
		switch e.Time {
		case sim.At(61750 * time.Millisecond), sim.At(61850 * time.Millisecond), sim.At(61950 * time.Millisecond):
		default:
			t.Errorf("%s terminated at %v, want 61.75, 61.85 or 61.95 s", e.Instance, e.Time)
		}
	}
}

// A crashed WSO2 member is not replaced: the desired count follows the
// members; a ReplicaSet replaces it at once.
func TestWSO2CrashIsNotReplaced(t *testing.T) {
	for _, m := range []Members{ReplicaSet, Launched} {
		cfg := scaleInWorld(m)
		cfg.Services[0].Autoscaler.NewPolicy = policyOf(steps{})
		cfg.Faults = []FaultConfig{{At: 30 * time.Second, Type: InstanceCrash, Service: "web"}}
		l := &log{}
		w := run(t, cfg, l)
		created, desired := len(w.Services()[0].Instances()), w.Services()[0].Counts().Desired
		switch {
		case m == ReplicaSet && (created != 3 || desired != 3):
			t.Errorf("ReplicaSet: %d instances, desired %d, want 3 and 3", created, desired)
		case m == Launched && (created != 2 || desired != 2):
			t.Errorf("WSO2: %d instances, desired %d, want 2 and 2", created, desired)
		}
	}
}
