package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scalesim/scalesim/scenarios/manifests"
)

// StarterScenario writes the text of a scenario for the manifests at
// from (a file or folder; service names the service of a Cloud.toml),
// to be saved at out: it references the manifests relative to out's
// folder, and gives each service placeholder demand and traffic, marked
// TODO for the user to fill in. The text is checked to parse, so the
// starter runs as it is.
func StarterScenario(out, from, service string) ([]byte, error) {
	rel, err := filepath.Rel(filepath.Dir(out), from)
	if err != nil {
		rel = from
	}
	rel = filepath.ToSlash(rel)
	if st, err := os.Stat(from); err == nil && st.IsDir() && !strings.HasSuffix(rel, "/") {
		rel += "/"
	}
	res, err := manifests.Read(manifests.OSFS{}, []manifests.Entry{{Path: from, Service: service, Field: "--from"}}, nil)
	if err != nil {
		return nil, err
	}
	if len(res.Services) == 0 {
		return nil, errors.New(from + " describes no workload (a Deployment, a StatefulSet or, with --service, a Cloud.toml): nothing to simulate")
	}
	name := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
	var b strings.Builder
	fmt.Fprintf(&b, "# A scenario for the manifests in %s, written by `scalesim init --from %s`.\n", rel, from)
	b.WriteString("# The manifests give each service its replicas, resources, probes, drain, spread,\n")
	b.WriteString("# disruption budget, load balancing and autoscaler; a key under services.<name>\n")
	b.WriteString("# here overrides theirs. What manifests cannot say is marked TODO: fill it in.\n")
	fmt.Fprintf(&b, "name: %s\nduration: 1h\nmanifests:\n", name)
	if service != "" {
		fmt.Fprintf(&b, "  - {path: %s, service: %s}\n", rel, service)
	} else {
		fmt.Fprintf(&b, "  - %s\n", rel)
	}
	b.WriteString("services:\n")
	for _, s := range res.Services {
		for _, src := range s.Sources {
			fmt.Fprintf(&b, "  # %s\n", src)
		}
		fmt.Fprintf(&b, "  %s:\n", s.Name)
		b.WriteString("    demand: {cpu: 50ms}   # TODO: the CPU time one request needs (CPU seconds used / requests served)\n")
	}
	b.WriteString("traffic:\n")
	for _, s := range res.Services {
		fmt.Fprintf(&b, "  %s: {rate: 10}   # TODO: requests per second, or a pattern (diurnal, spike, a trace CSV)\n", s.Name)
	}
	data := []byte(b.String())
	if _, err := Parse(out, data); err != nil {
		return nil, fmt.Errorf("the starter scenario does not parse (please report it): %w", err)
	}
	return data, nil
}
