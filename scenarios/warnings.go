package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Warning is something about a valid scenario that a user would want told
// before trusting its results: the run is what the file says, but
// probably not what was meant. The reports package carries these into
// summary.json with the same Code, Service and Message.
type Warning struct {
	Code    string
	Service string // "" for the whole scenario
	Message string
}

// Warning codes of Warnings.
const (
	// WarnOverload: the peak offered load is above the most the service's
	// replicas.max instances can serve (see MaxThroughput).
	WarnOverload = "overload"
	// WarnTraceOutsideRun: a trace starts at or after the end of the run,
	// so the run sees its first row's rate as a constant (the usual cause:
	// Unix timestamps, where time_s counts from the start of the run).
	WarnTraceOutsideRun = "trace-outside-run"
	// WarnTracePartial: a trace's rows span less than 90% of the run; its
	// first rate holds before them and its last after.
	WarnTracePartial = "trace-partial"
	// WarnIgnoredParameter: the file gives a parameter that the service's
	// policy does not read (it belongs to another policy; see
	// Scenario.Warnings, which holds its position).
	WarnIgnoredParameter = "ignored-parameter"
	// WarnProbeKillsBoot: a liveness probe (without a startup probe) or a
	// startup probe gives up before the application has booted: the
	// kubelet kills the container on every start (CrashLoopBackOff).
	WarnProbeKillsBoot = "probe-kills-boot"
	// WarnIngressBypass: a service behind an ingress names a
	// load_balancer.algorithm other than round-robin; the ingress
	// balances straight to the endpoints, so it does not apply (the
	// WSO2 Integrator guide's ClientIP affinity behind ingress-nginx).
	WarnIngressBypass = "ingress-bypasses-service"
)

// traceCoverage is the least fraction of the run a trace must span.
const traceCoverage = 0.9

// MaxThroughput is the most requests per second one instance of svc can
// complete in the steady state, from the mean demand:
//
//	min(cores / E[cpu], concurrency / (E[cpu] + E[wait]))
//
// where cores is cpu_limit when set, else cpu_request without node pools
// (what each of replicas.max instances is sure of on the default nodes they
// pack onto, a bound on the low side: idle node CPU may serve more), else
// the largest node's CPU (an instance without a limit may burst onto its
// node's idle CPU). A request runs on at most one core and holds a
// concurrency slot for its CPU time and its wait. +Inf when neither bounds
// it (no CPU demand and unlimited concurrency).
func MaxThroughput(sc *Scenario, svc *Service) float64 {
	cpu, wait := avg(svc.Demand.CPU), avg(svc.Demand.Wait)
	cores := svc.Instance.CPU()
	if svc.Instance.CPULimit <= 0 && len(sc.Nodes) > 0 {
		for _, p := range sc.Nodes {
			cores = max(cores, p.CPU)
		}
	}
	out := math.Inf(1)
	if cpu > 0 {
		out = cores / cpu
	}
	if c := svc.Instance.Concurrency; c > 0 && c < Unlimited && cpu+wait > 0 {
		out = min(out, float64(c)/(cpu+wait))
	}
	return out
}

func avg(d sim.Dist) float64 {
	if d == nil {
		return 0
	}
	return max(d.Average(), 0)
}

// Warnings returns the warnings of a valid scenario, in service order: a
// pure function of the scenario.
//
//   - overload: the peak arrival rate of a service's traffic (its
//     pattern's Rate, over the run) times its mean CPU demand is above
//     replicas.max x MaxThroughput: no autoscaler can keep up, requests
//     queue, time out or stay in flight at the end.
//   - trace-outside-run, trace-partial: see the codes.
//   - probe-kills-boot: the last check a liveness probe (with no startup
//     probe) or a startup probe makes before it gives up, initial_delay +
//     (failure_threshold - 1) x period after the container starts, comes
//     before the mean readiness_delay (the boot): a booting application
//     answers no probe, so the container is killed on every start.
//   - ignored-parameter: first, each of Scenario.Warnings (a parameter of
//     another policy), its message with the file position.
//   - ingress-bypasses-service: see the code.
func Warnings(sc *Scenario) []Warning {
	var out []Warning
	for _, e := range sc.Warnings {
		svc, _, _ := strings.Cut(strings.TrimPrefix(e.Path, "services."), ".")
		if !strings.HasPrefix(e.Path, "services.") {
			svc = ""
		}
		out = append(out, Warning{Code: WarnIgnoredParameter, Service: svc, Message: e.Error()})
	}
	for _, e := range sc.ManifestIgnored {
		out = append(out, Warning{Code: WarnIgnoredManifestField, Message: e.Error()})
	}
	end := sim.At(sc.Duration)
	for i := range sc.Services {
		svc := &sc.Services[i]
		if w, ok := probeKillsBoot(svc); ok {
			out = append(out, w)
		}
		tr := sc.TrafficFor(svc.Name)
		if tr == nil {
			continue
		}
		if w, ok := overload(sc, svc, tr, end); ok {
			out = append(out, w)
		}
		if g := svc.Ingress; g != nil && svc.LoadBalancer.Algorithm != "" && svc.LoadBalancer.Algorithm != "round-robin" {
			fix := "ingress.affinity: cookie makes clients stick"
			if g.Affinity == "cookie" {
				fix = "its cookie affinity (ingress.affinity) is what makes clients stick"
			}
			out = append(out, Warning{Code: WarnIngressBypass, Service: svc.Name, Message: fmt.Sprintf(
				"load_balancer.algorithm %s does not apply behind the ingress: ingress-nginx balances straight to the endpoints, "+
					"round-robin, bypassing the Service (its sessionAffinity too); %s", svc.LoadBalancer.Algorithm, fix)})
		}
		for _, c := range tr.Pattern {
			if c.Type != ComponentTrace || len(c.Points) == 0 {
				continue
			}
			first, last := c.Points[0].At, c.Points[len(c.Points)-1].At
			switch {
			case first >= sc.Duration:
				out = append(out, Warning{Code: WarnTraceOutsideRun, Service: svc.Name, Message: fmt.Sprintf(
					"the trace %s starts at time_s %s, after the end of the %v run, so the run sees only its first rate, a constant %g req/s; "+
						"time_s counts seconds from the start of the run (Unix timestamps must be shifted to start at 0)",
					c.File, seconds(first), sc.Duration, c.Points[0].RPS*c.Scale)})
			case float64(min(last, sc.Duration)-first) < traceCoverage*float64(sc.Duration):
				out = append(out, Warning{Code: WarnTracePartial, Service: svc.Name, Message: fmt.Sprintf(
					"the trace %s spans %s to %s, %.0f%% of the %v run; its first rate holds before and its last (%g req/s) after",
					c.File, seconds(first), seconds(last), 100*float64(min(last, sc.Duration)-first)/float64(sc.Duration),
					sc.Duration, c.Points[len(c.Points)-1].RPS*c.Scale)})
			}
		}
	}
	return out
}

func seconds(d time.Duration) string { return fmt.Sprintf("%gs", d.Seconds()) }

// probeKillsBoot is the probe-kills-boot warning of svc, if it has one.
func probeKillsBoot(svc *Service) (Warning, bool) {
	name, p := "startup", svc.Probes.Startup
	if p == nil {
		name, p = "liveness", svc.Probes.Liveness
	}
	boot := time.Duration(avg(svc.Instance.ReadinessDelay) * 1e9)
	if p == nil {
		return Warning{}, false
	}
	last := p.InitialDelay + time.Duration(p.FailureThreshold-1)*p.Period
	if last >= boot {
		return Warning{}, false
	}
	fix := "add a startup probe with room for the boot (the WSO2 Integrator guide's {period: 5s, failure_threshold: 30} allows 145s)"
	if name == "startup" {
		fix = "raise its failure_threshold or period"
	}
	return Warning{Code: WarnProbeKillsBoot, Service: svc.Name, Message: fmt.Sprintf(
		"the %s probe gives up %v after the container starts (initial_delay %v + (failure_threshold %d - 1) x period %v), "+
			"before the application has booted (readiness_delay %v on average), and a booting application answers no probe: "+
			"the kubelet kills the container on every start (CrashLoopBackOff); %s",
		name, last, p.InitialDelay, p.FailureThreshold, p.Period, boot, fix)}, true
}

// overloadSamples is how many instants the rate is looked at, besides the
// pattern's breakpoints.
const overloadSamples = 20000

func overload(sc *Scenario, svc *Service, tr *Traffic, end sim.Time) (Warning, bool) {
	perInstance := MaxThroughput(sc, svc)
	if math.IsInf(perInstance, 1) || svc.Replicas.Max <= 0 || end <= 0 {
		return Warning{}, false
	}
	capacity := float64(svc.Replicas.Max) * perInstance
	p := tr.Profile()
	step := max(end/overloadSamples, 1)
	var peak float64
	var peakAt, above sim.Time
	look := func(t sim.Time, weight sim.Time) {
		r := p.Rate(t)
		if r > peak {
			peak, peakAt = r, t
		}
		if r > capacity {
			above += weight
		}
	}
	for t := sim.Time(0); t < end; t += step {
		look(t, min(step, end-t))
	}
	for _, b := range p.breaks {
		if b >= 0 && b < end {
			look(b, 0)
		}
	}
	if peak <= capacity*(1+1e-9) {
		return Warning{}, false
	}
	cpu := avg(svc.Demand.CPU)
	return Warning{Code: WarnOverload, Service: svc.Name, Message: fmt.Sprintf(
		"the offered load peaks at %.4g req/s at %v (%.4g cores of CPU demand at %v a request), above the %.4g req/s "+
			"that replicas.max = %d instances can serve (%.4g req/s each: min(cores / cpu, concurrency / (cpu + wait))), "+
			"for about %v of the run: requests will queue, time out or still be in flight at the end; raise replicas.max "+
			"or lower the traffic",
		peak, time.Duration(peakAt), peak*cpu, time.Duration(cpu*1e9).Round(time.Microsecond), capacity,
		svc.Replicas.Max, perInstance, time.Duration(above).Round(time.Second))}, true
}
