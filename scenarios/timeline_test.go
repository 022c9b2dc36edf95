package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/policies"
	"github.com/scalesim/scalesim/sim"
)

// TestTimelines runs the scripts in testdata/timelines: end-to-end policy
// scenarios whose every evaluation and lifecycle event is the expected
// output. The load in them is deterministic, so each count and instant
// follows from the algorithms by hand; each script carries its derivation
// as comments. Regenerate with
//
//	go test ./scenarios -run TestTimelines -rewrite
//
// and check the diff against the derivations.
//
// Directives:
//
//	scenario [set=path=value ...]   the input is a YAML scenario; prints its services
//	builtin name=NAME [set=...]     a built-in scenario instead
//	run [until=DURATION] [trace=full|decisions|changes|events] [label=L] [same-as=L]
//	    runs the world (built on the first run) up to until (default: the
//	    end) and prints what happened since the previous run: every
//	    decision with its inputs, limits and explanation, and every
//	    lifecycle event (full, the default); each decision's first line and
//	    limits (decisions); only the decisions that changed the count
//	    (changes); or only the lifecycle events (events). label names
//	    the full trace of this run; same-as fails unless this run's full
//	    trace, policy names aside, is identical to the one labelled.
//	evaluate cpu=PERCENT [times=N] [every=DURATION]
//	    drives the first service's policy directly, without the cluster
//	    (what policies' stepper helper did): N evaluations (default 1)
//	    every DURATION (default the autoscaler's interval), each on
//	    Current ready, long-running pods using PERCENT of a 1-core request,
//	    applying each valid recommendation at once (new pods ready at
//	    once). Evaluation k runs at 1h + k x every (the pods started at 0,
//	    past the CPU initialization period) and is printed at k x every.
//	    Successive evaluate directives continue the same policy.
//	totals
//	    prints each service's requests so far by outcome (arrived =
//	    completed + rejected + failed + timed_out + in flight), and the
//	    extremes of its counts over the events after time 0: the fewest
//	    Ready, the most not terminating (pending + starting + ready) and
//	    the most alive (draining too); with node pools, the fewest and
//	    the most schedulable nodes (ready, not cordoned) after time 0.
func TestTimelines(t *testing.T) {
	runScripts(t, "testdata/timelines/*.txt", func() *timeline { return &timeline{labels: map[string]string{}} }, (*timeline).do)
}

// timeline is a script's state: the scenario and the world running it.
type timeline struct {
	sc     *Scenario
	w      *cluster.World
	tr     *trace
	seen   int // decisions already printed
	seenEv int // events already printed
	labels map[string]string
	// The policy evaluate drives, its observation and its next step.
	pol   policies.Policy
	obs   policies.Observation
	steps int
}

func (tl *timeline) do(t *testing.T, d *directive) string {
	t.Helper()
	switch d.cmd {
	case "scenario", "builtin":
		var sc *Scenario
		var err error
		if d.cmd == "builtin" {
			name, _ := d.arg("name")
			sc, err = Open(name, d.all("set"))
		} else {
			sc, err = ParseWithOverrides(d.file, []byte(d.input), d.all("set"))
		}
		if err != nil {
			t.Fatalf("%s: %v", d.pos(), err)
		}
		*tl = timeline{sc: sc, labels: tl.labels}
		var b strings.Builder
		for _, s := range sc.Services {
			a := s.Autoscaler
			fmt.Fprintf(&b, "%s: policy %s every %s, replicas initial %d min %d max %d\n", s.Name, a.Policy, a.Interval, s.Replicas.Initial, s.Replicas.Min, s.Replicas.Max)
		}
		return b.String()
	case "run":
		if tl.sc == nil {
			t.Fatalf("%s: run before a scenario", d.pos())
		}
		if tl.w == nil {
			cfg, err := Build(tl.sc)
			if err != nil {
				t.Fatalf("%s: %v", d.pos(), err)
			}
			tl.tr = &trace{}
			if tl.w, err = cluster.New(cfg, tl.tr); err != nil {
				t.Fatalf("%s: %v", d.pos(), err)
			}
			tl.w.Start()
		}
		until := tl.w.End()
		if v, ok := d.arg("until"); ok {
			dur, err := time.ParseDuration(v)
			if err != nil {
				t.Fatalf("%s: until=%s: %v", d.pos(), v, err)
			}
			until = min(sim.At(dur), until)
		}
		tl.w.Engine().RunUntil(until)
		mode, _ := d.arg("trace")
		decs, evs := tl.tr.decisions[tl.seen:], tl.tr.events[tl.seenEv:]
		tl.seen, tl.seenEv = len(tl.tr.decisions), len(tl.tr.events)
		// Compared traces leave out the policy's name: the cloud shorthand
		// is named hpa or cpu, and the decisions are what must agree.
		out, full := tl.print(decs, evs, mode), tl.print(decs, evs, "same")
		if l, ok := d.arg("label"); ok {
			tl.labels[l] = full
		}
		if l, ok := d.arg("same-as"); ok {
			want, found := tl.labels[l]
			switch {
			case !found:
				t.Errorf("%s: no output labelled %s", d.pos(), l)
			case want != full:
				t.Errorf("%s: full trace differs from the one labelled %s (-%s +here):\n%s", d.pos(), l, l, lineDiff(want, full))
			}
		}
		return out
	case "evaluate":
		return tl.evaluate(t, d)
	case "totals":
		if tl.w == nil {
			t.Fatalf("%s: totals before a run", d.pos())
		}
		return tl.totals()
	}
	t.Fatalf("%s: unknown directive %q", d.pos(), d.cmd)
	return ""
}

func (tl *timeline) totals() string {
	var b strings.Builder
	for k, s := range tl.w.Services() {
		arrived, out, inFlight := s.Totals()
		fmt.Fprintf(&b, "%s: arrived %d completed %d rejected %d failed %d timed_out %d in_flight %d\n", s.Name(), arrived,
			out[cluster.Completed], out[cluster.Rejected], out[cluster.Failed], out[cluster.TimedOut], inFlight)
		minReady, maxUp, maxAlive, seen := 0, 0, 0, false
		for _, e := range tl.tr.events {
			if e.Service != k || e.Time == 0 {
				continue
			}
			c := e.Counts
			if !seen || c.Ready < minReady {
				minReady = c.Ready
			}
			maxUp, maxAlive, seen = max(maxUp, c.Pending+c.Starting+c.Ready), max(maxAlive, c.Alive()), true
		}
		if seen {
			fmt.Fprintf(&b, "%s: ready at least %d, not terminating at most %d, alive at most %d\n", s.Name(), minReady, maxUp, maxAlive)
		}
	}
	// Schedulable nodes, from the node events.
	sched := map[string]bool{}
	lo, hi, seen := 0, 0, false
	for _, e := range tl.tr.events {
		if e.Service != -1 || !strings.HasPrefix(string(e.Kind), "node-") {
			continue
		}
		name, _, _ := strings.Cut(e.Detail, " ")
		switch e.Kind {
		case cluster.KindNodeReady:
			sched[name] = true
		case cluster.KindNodeCordoned, cluster.KindNodeDown, cluster.KindNodeRemoved:
			delete(sched, name)
		}
		if e.Time > 0 {
			if !seen || len(sched) < lo {
				lo = len(sched)
			}
			hi, seen = max(hi, len(sched)), true
		}
	}
	if seen {
		fmt.Fprintf(&b, "nodes: schedulable at least %d, at most %d\n", lo, hi)
	}
	return b.String()
}

// print writes decisions and events in time order (at one instant,
// decisions first).
func (tl *timeline) print(decs []cluster.Decision, evs []cluster.Event, mode string) string {
	var b strings.Builder
	names := map[int]string{}
	for i, s := range tl.sc.Services {
		names[i] = s.Name
	}
	i, j := 0, 0
	for i < len(decs) || j < len(evs) {
		if i < len(decs) && (j == len(evs) || decs[i].Time <= evs[j].Time) {
			if mode != "events" {
				writeDecision(&b, decs[i], names[decs[i].Service], mode)
			}
			i++
			continue
		}
		if mode == "" || mode == "full" || mode == "same" || mode == "events" {
			writeEvent(&b, evs[j])
		}
		j++
	}
	return b.String()
}

func simSeconds(t sim.Time) string { return strconv.FormatFloat(t.Seconds(), 'g', -1, 64) + "s" }

func tlNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func writeDecision(b *strings.Builder, d cluster.Decision, svc, mode string) {
	r := d.Recommendation
	if mode == "changes" && d.After == d.Before {
		return
	}
	if mode == "same" {
		fmt.Fprintf(b, "%s %s: ", simSeconds(d.Time), svc)
		mode = "full"
	} else {
		fmt.Fprintf(b, "%s %s %s: ", simSeconds(d.Time), svc, d.Policy)
	}
	if r.Valid {
		fmt.Fprintf(b, "%d -> %d %s (raw %d)\n", d.Before, d.After, r.Reason, r.Raw)
	} else {
		fmt.Fprintf(b, "%d, no decision: %s\n", d.Before, r.Reason)
	}
	if mode == "changes" {
		return
	}
	if mode == "" || mode == "full" {
		b.WriteString("  in")
		for _, in := range r.Inputs {
			fmt.Fprintf(b, " %s=%s", in.Name, tlNum(in.Value))
		}
		b.WriteString("\n")
	}
	for _, l := range r.Limits {
		fmt.Fprintf(b, "  limit %s %d -> %d\n", l.Name, l.From, l.To)
	}
	if len(r.Terminate) > 0 {
		fmt.Fprintf(b, "  terminate %v\n", r.Terminate)
	}
	if mode == "" || mode == "full" {
		fmt.Fprintf(b, "  why %s\n", r.Explanation)
	}
}

func writeEvent(b *strings.Builder, e cluster.Event) {
	c := e.Counts
	fmt.Fprintf(b, "%s %s %s", simSeconds(e.Time), e.Instance, e.Kind)
	if e.Detail != "" {
		fmt.Fprintf(b, " (%s)", e.Detail)
	}
	if e.Service >= 0 {
		fmt.Fprintf(b, " [desired %d: pending %d starting %d ready %d draining %d]", c.Desired, c.Pending, c.Starting, c.Ready, c.Draining)
	}
	b.WriteString("\n")
}

func (tl *timeline) evaluate(t *testing.T, d *directive) string {
	t.Helper()
	if tl.sc == nil {
		t.Fatalf("%s: evaluate before a scenario", d.pos())
	}
	svc := tl.sc.Services[0]
	if tl.pol == nil {
		cfg, err := Build(tl.sc)
		if err != nil {
			t.Fatalf("%s: %v", d.pos(), err)
		}
		tl.pol = cfg.Services[0].Autoscaler.NewPolicy()
		tl.obs = policies.Observation{Current: svc.Replicas.Initial, Min: svc.Replicas.Min, Max: svc.Replicas.Max}
	}
	every := svc.Autoscaler.Interval
	if v, ok := d.arg("every"); ok {
		var err error
		if every, err = time.ParseDuration(v); err != nil {
			t.Fatalf("%s: every=%s: %v", d.pos(), v, err)
		}
	}
	times := 1
	if v, ok := d.arg("times"); ok {
		var err error
		if times, err = strconv.Atoi(v); err != nil {
			t.Fatalf("%s: times=%s: %v", d.pos(), v, err)
		}
	}
	v, _ := d.arg("cpu")
	cpu, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s: cpu=%s: %v", d.pos(), v, err)
	}
	var b strings.Builder
	for range times {
		at := time.Duration(tl.steps) * every
		tl.steps++
		pods := make([]policies.Pod, tl.obs.Current)
		for i := range pods {
			pods[i] = policies.Pod{ID: i, Phase: policies.PhaseRunning, Ready: true, CPURequest: 1,
				CPU: policies.Metric{OK: true, Value: cpu / 100, Window: 30 * time.Second}}
		}
		tl.obs.Pods = pods
		r := tl.pol.Recommend(sim.At(time.Hour+at), tl.obs)
		before := tl.obs.Current
		if r.Valid {
			tl.obs.Current = r.Desired
		}
		writeDecision(&b, cluster.Decision{Time: sim.At(at), Policy: tl.pol.Name(), Recommendation: r, Before: before, After: tl.obs.Current}, svc.Name, "decisions")
	}
	return b.String()
}
