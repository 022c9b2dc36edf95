// Package manifests reads the Kubernetes manifests and Ballerina Cloud.toml
// files a scenario's `manifests:` list names, and translates them into
// scenario keys (services.<name>.replicas.initial, instance.cpu_request,
// autoscaler.behavior, ...), each positioned at the manifest field it
// comes from. The scenarios package puts them under services.<name> before
// decoding, so they are defaulted and validated like keys of the file, and
// the file's own keys overlay them (manifests_load.go there).
//
// Reading is in three steps:
//
//  1. read.go: files and folders, multi-document YAML, `kind: List`; each
//     object is decoded strictly (decode.go): its yaml.Node tree is walked
//     against the k8s.io/api type of its kind, so an unknown field or a
//     wrong type is reported at its line, column and Kubernetes field path
//     (spec.behavior.scaleDown.policies[0].periodSeconds), then converted to
//     JSON and unmarshalled into the typed object. Every field present is
//     classified by the kind's table (fields.go): read, skipped (identity
//     and packaging) or ignored (listed once as not simulated).
//  2. kinds.go, cloudtoml.go, validate.go: each object is checked as the
//     API server validates the fields read, and translated with the API
//     server's defaults (SetDefaults_Probe, SetDefaults_PodSpec,
//     SetDefaults_Deployment, SetDefaults_HorizontalPodAutoscaler,
//     GenerateHPAScaleUpRules / GenerateHPAScaleDownRules, SetDefaults_Service
//     in kubernetes pkg/apis/*/v1*/defaults.go).
//  3. link.go: HPAs attach to their scaleTargetRef, PDBs and Services to
//     the pod templates their selectors match, Ingresses to their backend
//     Services' workloads, a Cloud.toml to its entry's service; what matches
//     nothing is an error naming both sides. Values for scenario keys that
//     the schema does not have yet (NotYetModelled, pending.go) become
//     ignored-field warnings instead.
//
// This package and its export subpackage are the only ones that import
// k8s.io/api, k8s.io/apimachinery and the TOML library; sim, policies and
// cluster never see them.
package manifests
