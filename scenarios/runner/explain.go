package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/scalesim/scalesim/reports"
)

// Explain renders a results folder's decisions.jsonl as the decision
// timeline in words: a heading, then one line per decision with the
// clock, the service, the policy, its explanation and [before -> after]
// when the count changed.
func Explain(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, reports.DecisionsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := reports.ReadDecisions(f)
	if err != nil {
		return nil, err
	}
	lines := []string{"", "decisions:"}
	if len(recs) == 0 {
		lines = append(lines, "  (none: no evaluation changed or held back the replica count)")
	}
	for _, d := range recs {
		text := d.Explanation
		if text == "" {
			text = d.Reason
		}
		change := ""
		if d.After != d.Before {
			change = fmt.Sprintf(" [%d -> %d]", d.Before, d.After)
		}
		lines = append(lines, fmt.Sprintf("  %s %s %s: %s%s", Clock(d.TimeS), d.Service, d.Policy, text, change))
	}
	return lines, nil
}

// Clock formats seconds since the start as hh:mm:ss.
func Clock(s float64) string {
	t := int64(s)
	return fmt.Sprintf("%02d:%02d:%02d", t/3600, t/60%60, t%60)
}
