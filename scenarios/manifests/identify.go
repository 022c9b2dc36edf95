package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/scalesim/scalesim/scenarios/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// Identify says what a file given where a scenario was expected is, when
// it is a Kubernetes manifest or a Cloud.toml: "a Kubernetes
// HorizontalPodAutoscaler (autoscaling/v2)", "Kubernetes manifests
// (Deployment, Service)", "a Ballerina Cloud.toml". ok is false for
// anything else (a scenario, or a broken one: its own errors say more).
func Identify(name string, data []byte) (what string, ok bool) {
	if strings.EqualFold(path.Ext(name), ".toml") || strings.EqualFold(path.Base(name), "Cloud.toml") {
		var m map[string]any
		if _, err := toml.Decode(string(data), &m); err == nil {
			if _, cloud := m["cloud"]; cloud {
				return "a Ballerina Cloud.toml", true
			}
			if _, c := m["container"]; c {
				return "a Ballerina Cloud.toml", true
			}
		}
		return "a TOML file", true
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var kindsSeen []string
	first := ""
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false
		}
		root := yamlnode.Deref(&doc)
		if root == nil || root.Tag == "!!null" {
			continue
		}
		kind, apiVersion := scalar(root, "kind"), scalar(root, "apiVersion")
		if kind == "" || apiVersion == "" {
			return "", false
		}
		if first == "" {
			first = fmt.Sprintf("%s (%s)", kind, apiVersion)
		}
		if !contains(kindsSeen, kind) {
			kindsSeen = append(kindsSeen, kind)
		}
	}
	switch len(kindsSeen) {
	case 0:
		return "", false
	case 1:
		if first != "" && !strings.HasSuffix(kindsSeen[0], "List") {
			return "a Kubernetes " + first, true
		}
	}
	return "Kubernetes manifests (" + strings.Join(kindsSeen, ", ") + ")", true
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
