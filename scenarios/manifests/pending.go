package manifests

import "strings"

// NotYetModelled lists the scenario keys (under services.NAME) that the
// reader translates manifests into but that this scalesim's scenario
// schema does not have yet: they are named in SPEC.md and being added. A
// manifest field that would set one is listed as ignored, naming the key
// it will set. Wiring one, once the key exists, is deleting its line.
var NotYetModelled = map[string]string{
	"topology_spread.node_affinity_policy": "topology spread nodeAffinityPolicy",
	// HPA metrics the metrics list cannot say (a Pods metric with a Value
	// target, say); Pods, Object and External metrics of a name the
	// adapter serves are read (metricValues).
	"autoscaler.metrics.pods":               "Pods metrics",
	"autoscaler.metrics.object":             "Object metrics",
	"autoscaler.metrics.external":           "External metrics",
	"autoscaler.metrics.container_resource": "ContainerResource metrics",
	"autoscaler.metrics.average_value":      "Resource metrics with an AverageValue target",
	"autoscaler.tolerance.per_direction":    "a per-direction tolerance",
}

// pending returns the NotYetModelled key that key is or falls under.
func pending(key string) (string, bool) {
	for p := key; p != ""; p = parentKey(p) {
		if _, ok := NotYetModelled[p]; ok {
			return p, true
		}
	}
	return "", false
}

func parentKey(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}
