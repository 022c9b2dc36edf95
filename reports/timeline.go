package reports

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The decisions that matter: which autoscaler evaluations a reader of
// report.html and of `scalesim run --explain` is shown first.
//
// An evaluation matters when it changed the count (After != Before), or
// when a limit held the count back: a Limit with From != To other than
// the calculator's own dead bands ("tolerance", "direction-change", which
// say the metric did not ask for a change). The limits that hold are the
// stabilization window ("stabilization"), the rate policies
// ("rate-policy", "scale-up-limit", "scale-up-disabled",
// "scale-down-disabled"), the bounds ("min", "max") and the pending
// instances ("pending", "startup-timeout"), and any other name a policy
// adds: a rule is a hold unless it is a dead band.

// deadBands are the limits that are the calculator's decision that no
// change is needed, not a rule holding back one it asked for.
var deadBands = map[string]bool{"tolerance": true, "direction-change": true}

// HeldBy returns the first limit that held d's count back, or nil: the
// first of d.Limits with From != To that is not a dead band (see
// DecisionsThatMatter).
func (d *DecisionRecord) HeldBy() *Limit {
	for i := range d.Limits {
		l := &d.Limits[i]
		if l.From != l.To && !deadBands[l.Name] {
			return l
		}
	}
	return nil
}

// Matters says whether d changed the count or a limit held it back.
func (d *DecisionRecord) Matters() bool { return d.After != d.Before || d.HeldBy() != nil }

// TimelineEntry is one line of the decisions timeline: a decision that
// changed the count, or a run of consecutive decisions of one service held
// by the same limit at the same count (a stabilization window that holds
// for five minutes is one entry, not twenty).
type TimelineEntry struct {
	// First is the run's first decision, the one whose explanation is
	// shown; Last its last (First itself when Count is 1).
	First, Last DecisionRecord
	// Count is how many decisions the entry stands for.
	Count int
	// Held names the limit that held the count ("" for a change).
	Held string
}

// Change is "up", "down" or "held".
func (e *TimelineEntry) Change() string {
	switch {
	case e.First.After > e.First.Before:
		return "up"
	case e.First.After < e.First.Before:
		return "down"
	}
	return "held"
}

// Reason is the entry's filter word: the limit that held it, or the
// decision's reason for a change ("scale-up", ...).
func (e *TimelineEntry) Reason() string {
	if e.Held != "" {
		return e.Held
	}
	return e.First.Reason
}

// Timeline groups the decisions that matter into entries, in order. A held
// decision joins the service's open run when that run is held by the same
// limit at the same Before, the service's previous decision was in that
// run, and it came at most 1.5 Intervals after it; anything else that matters starts an entry, and a decision that does
// not matter is left out and ends the service's run. Memory is one entry per
// change or held run, not one per decision.
type Timeline struct {
	Entries []TimelineEntry
	// Total is how many decisions were read, Mattering how many of them
	// matter.
	Total, Mattering int
	// open is the index in Entries of each service's open held run.
	open map[string]int
	// last is each service's previous decision time, step the smallest
	// positive gap between two of its decisions.
	last, step map[string]float64
}

// Interval is the smallest positive time between two consecutive
// decisions of service, in seconds: the autoscaler's evaluation interval
// when two evaluations in a row were recorded, 0 with fewer than two
// decisions. A held entry is drawn as holding from its first decision to
// one Interval after its last.
func (t *Timeline) Interval(service string) float64 { return t.step[service] }

// Add takes the next decision of the file.
func (t *Timeline) Add(d *DecisionRecord) {
	t.Total++
	if t.last == nil {
		t.last, t.step = map[string]float64{}, map[string]float64{}
	}
	if prev, ok := t.last[d.Service]; ok {
		if gap := d.TimeS - prev; gap > 0 && (t.step[d.Service] == 0 || gap < t.step[d.Service]) {
			t.step[d.Service] = gap
		}
	}
	t.last[d.Service] = d.TimeS
	if !d.Matters() {
		delete(t.open, d.Service)
		return
	}
	t.Mattering++
	if t.open == nil {
		t.open = map[string]int{}
	}
	held := ""
	if d.After == d.Before {
		held = d.HeldBy().Name
	}
	if i, ok := t.open[d.Service]; ok && held != "" {
		e := &t.Entries[i]
		// A gap of more than one and a half evaluation intervals means
		// evaluations went unrecorded in between: the run ended.
		step := t.step[d.Service]
		if e.Held == held && e.First.Before == d.Before && d.TimeS-e.Last.TimeS <= 1.5*step {
			e.Last, e.Count = *d, e.Count+1
			return
		}
	}
	delete(t.open, d.Service)
	t.Entries = append(t.Entries, TimelineEntry{First: *d, Last: *d, Count: 1, Held: held})
	if held != "" {
		t.open[d.Service] = len(t.Entries) - 1
	}
}

// ReadTimeline reads decisions.jsonl one record at a time into a Timeline.
func ReadTimeline(r io.Reader) (*Timeline, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	t := &Timeline{}
	for {
		var d DecisionRecord
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reports: reading %s record %d: %w", DecisionsFile, t.Total+1, err)
		}
		t.Add(&d)
	}
}

// Text is the entry's explanation: the first decision's, or its reason
// when it has none, followed for a held run by how long it held.
func (e *TimelineEntry) Text() string {
	text := e.First.Explanation
	if text == "" {
		text = e.First.Reason
	}
	if e.Count > 1 {
		text += fmt.Sprintf(" (held by %s %d times, until %s)", e.Held, e.Count, Clock(e.Last.TimeS))
	}
	return text
}

// Clock formats seconds since the start as hh:mm:ss.
func Clock(s float64) string {
	t := int64(s)
	return fmt.Sprintf("%02d:%02d:%02d", t/3600, t/60%60, t%60)
}
