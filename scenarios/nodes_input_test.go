package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/cluster"
)

// Bad input to the control plane, topology spread, rollout and
// node-upgrade keys: one line each, with the position of the value at
// fault (parseErrors parses as bad.yaml).
func TestNodesBadInput(t *testing.T) {
	const head = `name: x
duration: 1h
zones: [a, b]
nodes:
  - {pool: general, cpu: 2}
services:
  web: {demand: {cpu: 50ms}, topology_spread: {max_skew: 1}}
`
	tests := []struct{ name, yaml, want string }{
		{"rollout of an unknown service", head + `faults:
  - {at: 1m, type: rollout, service: wbe}
`, `bad.yaml:9:38: faults.0.service: unknown service "wbe"; did you mean "web"?`},
		{"surge and unavailable both 0", head + `faults:
  - {at: 1m, type: rollout, service: web, max_surge: 0%, max_unavailable: 0}
`, `bad.yaml:9:58: faults.0.max_unavailable: max_surge and max_unavailable are both 0, so the rollout could never proceed`},
		{"surge not a count", head + `faults:
  - {at: 1m, type: rollout, service: web, max_surge: lots}
`, `bad.yaml:9:54: faults.0.max_surge: "lots" is neither a number of instances (1) nor a percentage of the replicas ("25%")`},
		{"unavailable over 100%", head + `faults:
  - {at: 1m, type: rollout, service: web, max_unavailable: 150%}
`, `bad.yaml:9:60: faults.0.max_unavailable: 150% is out of range: give 0% to 100%`},
		{"min ready out of range", head + `faults:
  - {at: 1m, type: rollout, service: web, min_ready_seconds: 7200}
`, `bad.yaml:9:62: faults.0.min_ready_seconds: 7200 is out of range: give 0 to 3600 seconds`},
		{"node surge 0", head + `faults:
  - {at: 1m, type: node-upgrade, pool: general, max_surge: 0}
`, `bad.yaml:9:60: faults.0.max_surge: "0" is not a number of nodes from 1 to 10000`},
		{"rollout key on another fault", head + `faults:
  - {at: 1m, type: instance-crash, service: web, max_surge: 1}
`, `bad.yaml:9:50: faults.0.max_surge: not a field of type "instance-crash"`},
		{"negative toleration", head + `control_plane: {unreachable_toleration: -5s}
`, `bad.yaml:8:41: control_plane.unreachable_toleration: -5s is negative; durations must be at least 0`},
		{"grace period too long", head + `control_plane: {node_monitor_grace_period: 25h}
`, `bad.yaml:8:44: control_plane.node_monitor_grace_period: 25h0m0s is out of range: give 0s to 24h0m0s (Kubernetes' default is 50s)`},
		{"unknown taints policy", strings.Replace(head, "{max_skew: 1}", "{max_skew: 1, node_taints_policy: honour}", 1),
			`bad.yaml:7:81: services.web.topology_spread.node_taints_policy: unknown value "honour"; allowed: Ignore, Honor; did you mean "Honor"?`},
		{"min domains with ScheduleAnyway", strings.Replace(head, "{max_skew: 1}", "{max_skew: 1, when_unsatisfiable: ScheduleAnyway, min_domains: 2}", 1),
			`bad.yaml:7:97: services.web.topology_spread.min_domains: applies only with when_unsatisfiable: DoNotSchedule (Kubernetes refuses it with ScheduleAnyway)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := parseErrors(t, tt.yaml)
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) {
					return
				}
			}
			t.Errorf("want a line starting with\n  %s\ngot\n  %s", tt.want, strings.Join(lines, "\n  "))
		})
	}
}

// The defaults: Kubernetes' control plane, a Deployment's 25%/25%, one
// surge node; and what Build makes of them.
func TestNodesDefaults(t *testing.T) {
	s := mustParse(t, `name: x
duration: 1h
nodes:
  - {pool: general}
services:
  web: {demand: {cpu: 50ms}, topology_spread: {}}
faults:
  - {at: 1m, type: rollout, service: web}
  - {at: 2m, type: node-upgrade, pool: general}
  - {at: 3m, type: rollout, service: web, max_surge: 2, max_unavailable: 0, min_ready_seconds: 10}
`)
	if cp := s.ControlPlane; cp.NodeMonitorGracePeriod != 50*time.Second || cp.UnreachableToleration != 300*time.Second || cp.NotReadyToleration != 300*time.Second {
		t.Errorf("control plane %+v", cp)
	}
	if ts := *s.Services[0].TopologySpread; ts != (TopologySpread{1, DoNotSchedule, 1, PolicyIgnore}) {
		t.Errorf("spread %+v", ts)
	}
	cfg, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	pct := func(v int) cluster.IntOrPercent { return cluster.IntOrPercent{Value: v, Percent: true} }
	f := cfg.Faults
	if f[0].MaxSurge != pct(25) || f[0].MaxUnavailable != pct(25) || f[0].MinReady != 0 || f[1].NodeSurge != 1 ||
		f[2].MaxSurge != (cluster.IntOrPercent{Value: 2}) || f[2].MaxUnavailable != (cluster.IntOrPercent{}) || f[2].MinReady != 10*time.Second {
		t.Errorf("faults %+v", f)
	}
	if cfg.ControlPlane.NodeMonitorGracePeriod != 50*time.Second || cfg.Services[0].TopologySpread.HonorTaints {
		t.Errorf("config %+v %+v", cfg.ControlPlane, cfg.Services[0].TopologySpread)
	}
}
