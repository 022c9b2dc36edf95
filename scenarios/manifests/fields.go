package manifests

import "strings"

// How a manifest field is treated (the tables below, per kind).
type mode int

const (
	// modeRead: translated into a scenario key (or into NotYetModelled).
	modeRead mode = iota + 1
	// modeSkip: identity and packaging (names, labels, images, ports,
	// environment, status): nothing scalesim simulates depends on it, so
	// it is accepted without a word. docs/reference.md lists these.
	modeSkip
	// modeIgnored: it changes how a real cluster behaves, but scalesim
	// does not simulate it: listed once as ignored.
	modeIgnored
)

// fieldTable maps normalized field paths (list indexes as []) to their
// treatment; a path's treatment covers everything beneath it. A present
// field that neither it nor anything beneath it is in the table is
// ignored (listed once).
type fieldTable map[string]mode

func parentOf(p string) string {
	if strings.HasSuffix(p, "[]") {
		return p[:len(p)-2]
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func (t fieldTable) below(p string) bool {
	for k := range t {
		if strings.HasPrefix(k, p+".") || strings.HasPrefix(k, p+"[]") {
			return true
		}
	}
	return false
}

// classify says how the field at norm is treated; ok is false when the
// field itself is not to be reported (it is read, skipped, holds read
// fields, or an enclosing field is already reported).
func classify(t fieldTable, norm string) (mode, bool) {
	for p := norm; p != ""; p = parentOf(p) {
		if m, ok := t[p]; ok {
			return m, p == norm && m == modeIgnored
		}
	}
	if t.below(norm) {
		return modeRead, false
	}
	if parent := parentOf(norm); parent == "" || t.below(parent) {
		return modeIgnored, true
	}
	return modeIgnored, false
}

func why(t fieldTable, norm string) string {
	i := strings.LastIndexAny(norm, ".]")
	return "field " + norm[i+1:]
}

var objectMeta = fieldTable{
	"apiVersion": modeSkip,
	"kind":       modeSkip,
	"metadata":   modeSkip, // name (read), namespace, labels, annotations (some read), uid, managedFields, ...
	"status":     modeSkip, // what `kubectl get -o yaml` adds
}

func merge(ts ...fieldTable) fieldTable {
	out := fieldTable{}
	for _, t := range ts {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}

// podFields are a pod template's fields (under spec.template).
func podFields(p string) fieldTable {
	c := p + ".spec.containers[]."
	t := fieldTable{
		p + ".metadata": modeSkip,
		p + ".spec.terminationGracePeriodSeconds": modeRead,
		p + ".spec.topologySpreadConstraints":     modeRead,
		p + ".spec.initContainers":                modeSkip, // they run before the pod is ready; the startup delay covers them
		p + ".spec.restartPolicy":                 modeSkip, // Always for a Deployment
		p + ".spec.dnsPolicy":                     modeSkip,
		p + ".spec.schedulerName":                 modeSkip,
		p + ".spec.securityContext":               modeSkip,
		p + ".spec.serviceAccountName":            modeSkip,
		p + ".spec.serviceAccount":                modeSkip,
		p + ".spec.automountServiceAccountToken":  modeSkip,
		p + ".spec.imagePullSecrets":              modeSkip,
		p + ".spec.enableServiceLinks":            modeSkip,
		p + ".spec.hostname":                      modeSkip,
		p + ".spec.subdomain":                     modeSkip,
		c + "name":                                modeSkip,
		c + "image":                               modeSkip,
		c + "imagePullPolicy":                     modeSkip,
		c + "ports":                               modeSkip,
		c + "env":                                 modeSkip,
		c + "envFrom":                             modeSkip,
		c + "command":                             modeSkip,
		c + "args":                                modeSkip,
		c + "workingDir":                          modeSkip,
		c + "securityContext":                     modeSkip,
		c + "terminationMessagePath":              modeSkip,
		c + "terminationMessagePolicy":            modeSkip,
		c + "stdin":                               modeSkip,
		c + "tty":                                 modeSkip,
		c + "resources.requests.cpu":              modeRead,
		c + "resources.requests.memory":           modeRead,
		c + "resources.limits.cpu":                modeRead,
		c + "resources.limits.memory":             modeRead,
		c + "readinessProbe":                      modeRead,
		c + "livenessProbe":                       modeRead,
		c + "startupProbe":                        modeRead,
		c + "lifecycle.preStop":                   modeRead,
	}
	return t
}

var deploymentFields = merge(objectMeta, podFields("spec.template"), fieldTable{
	"spec.replicas":                modeRead,
	"spec.selector":                modeSkip, // matched against the template's labels by the API server
	"spec.strategy":                modeRead,
	"spec.minReadySeconds":         modeRead,
	"spec.revisionHistoryLimit":    modeSkip,
	"spec.progressDeadlineSeconds": modeSkip,
	"spec.paused":                  modeIgnored,
})

var statefulSetFields = merge(objectMeta, podFields("spec.template"), fieldTable{
	"spec.replicas":             modeRead,
	"spec.selector":             modeSkip,
	"spec.serviceName":          modeSkip,
	"spec.minReadySeconds":      modeRead,
	"spec.revisionHistoryLimit": modeSkip,
	"spec.updateStrategy":       modeRead,
})

var hpaFields = merge(objectMeta, fieldTable{
	"spec.scaleTargetRef":                 modeRead,
	"spec.minReplicas":                    modeRead,
	"spec.maxReplicas":                    modeRead,
	"spec.metrics":                        modeRead,
	"spec.behavior":                       modeRead,
	"spec.targetCPUUtilizationPercentage": modeRead, // autoscaling/v1
})

var pdbFields = merge(objectMeta, fieldTable{
	"spec.selector":       modeRead,
	"spec.minAvailable":   modeRead,
	"spec.maxUnavailable": modeRead,
})

var serviceFields = merge(objectMeta, fieldTable{
	"spec.selector":              modeRead,
	"spec.sessionAffinity":       modeRead,
	"spec.sessionAffinityConfig": modeRead,
	"spec.type":                  modeSkip,
	"spec.ports":                 modeSkip,
	"spec.clusterIP":             modeSkip,
	"spec.clusterIPs":            modeSkip,
	"spec.ipFamilies":            modeSkip,
	"spec.ipFamilyPolicy":        modeSkip,
	"spec.internalTrafficPolicy": modeSkip,
})

var ingressFields = merge(objectMeta, fieldTable{
	"spec.ingressClassName":              modeSkip,
	"spec.tls":                           modeSkip,
	"spec.defaultBackend":                modeRead,
	"spec.rules[].host":                  modeSkip,
	"spec.rules[].http.paths[].path":     modeSkip,
	"spec.rules[].http.paths[].pathType": modeSkip,
	"spec.rules[].http.paths[].backend":  modeRead,
})
