package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/scalesim/scalesim/reports"
)

// Explain renders a results folder's decisions.jsonl as the decision
// timeline in words: a heading, then one line per entry with the clock,
// the service, the policy, its explanation and [before -> after] when the
// count changed.
//
// Without all, the lines are the decisions that matter, as report.html's
// timeline shows them (reports.Timeline): every change of the count, and
// every run of decisions held back by a limit (stabilization, rate policy,
// bounds, pending instances) as one line saying how many times and until
// when it held. With all, every line of decisions.jsonl, one each.
func Explain(dir string, all bool) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, reports.DecisionsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if all {
		recs, err := reports.ReadDecisions(f)
		if err != nil {
			return nil, err
		}
		lines := []string{"", "decisions (all):"}
		if len(recs) == 0 {
			lines = append(lines, "  (none: no evaluation changed or held back the replica count)")
		}
		for i := range recs {
			e := reports.TimelineEntry{First: recs[i], Last: recs[i], Count: 1}
			lines = append(lines, explainLine(&e))
		}
		return lines, nil
	}
	tl, err := reports.ReadTimeline(f)
	if err != nil {
		return nil, err
	}
	lines := []string{"", fmt.Sprintf("decisions that changed or held the count (%d of %d; --explain=all lists every one):", tl.Mattering, tl.Total)}
	if len(tl.Entries) == 0 {
		lines = append(lines, "  (none: no evaluation changed the replica count or was held back by a limit)")
	}
	for i := range tl.Entries {
		lines = append(lines, explainLine(&tl.Entries[i]))
	}
	return lines, nil
}

func explainLine(e *reports.TimelineEntry) string {
	d := &e.First
	change := ""
	if d.After != d.Before {
		change = fmt.Sprintf(" [%d -> %d]", d.Before, d.After)
	}
	return fmt.Sprintf("  %s %s %s: %s%s", Clock(d.TimeS), d.Service, d.Policy, e.Text(), change)
}

// Clock formats seconds since the start as hh:mm:ss.
func Clock(s float64) string { return reports.Clock(s) }
