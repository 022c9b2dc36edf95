package reports

import "testing"

// TestTimeline: hand-built decisions of two services. A change is an entry;
// consecutive holds of one service by the same limit at the same count are
// one entry (another service's decisions in between do not break it); a
// dead band (tolerance) is not a hold and ends the run; a hold by another
// limit starts a new entry.
func TestTimeline(t *testing.T) {
	lim := func(name string, from, to int) []Limit { return []Limit{{Name: name, From: from, To: to}} }
	recs := []DecisionRecord{
		{TimeS: 15, Service: "web", Reason: "scale-up", Before: 2, After: 4},                                        // change
		{TimeS: 30, Service: "web", Before: 4, After: 4, Limits: lim("stabilization", 3, 4)},                        // held
		{TimeS: 30, Service: "api", Before: 1, After: 1, Limits: lim("min", 0, 1)},                                  // held (api)
		{TimeS: 45, Service: "web", Before: 4, After: 4, Limits: lim("stabilization", 2, 4)},                        // same run
		{TimeS: 60, Service: "web", Before: 4, After: 4, Limits: lim("tolerance", 5, 4)},                            // dead band
		{TimeS: 75, Service: "web", Before: 4, After: 4, Limits: lim("stabilization", 3, 4)},                        // new run
		{TimeS: 90, Service: "web", Before: 4, After: 4, Limits: lim("rate-policy", 8, 4)},                          // another limit
		{TimeS: 105, Service: "web", Before: 4, After: 4, Limits: lim("stabilization", 4, 4)},                       // From == To: no hold
		{TimeS: 120, Service: "web", Reason: "scale-down", Before: 4, After: 3, Limits: lim("stabilization", 2, 3)}, // change
	}
	var tl Timeline
	for i := range recs {
		tl.Add(&recs[i])
	}
	type entry struct {
		first, last float64
		svc, change string
		count       int
		reason      string
	}
	want := []entry{
		{15, 15, "web", "up", 1, "scale-up"},
		{30, 45, "web", "held", 2, "stabilization"},
		{30, 30, "api", "held", 1, "min"},
		{75, 75, "web", "held", 1, "stabilization"},
		{90, 90, "web", "held", 1, "rate-policy"},
		{120, 120, "web", "down", 1, "scale-down"},
	}
	if tl.Total != len(recs) || tl.Mattering != 7 {
		t.Errorf("Total %d, Mattering %d; want %d and 7", tl.Total, tl.Mattering, len(recs))
	}
	if len(tl.Entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(tl.Entries), len(want), tl.Entries)
	}
	for i, w := range want {
		e := &tl.Entries[i]
		got := entry{e.First.TimeS, e.Last.TimeS, e.First.Service, e.Change(), e.Count, e.Reason()}
		if got != w {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
	}
	if got := tl.Interval("web"); got != 15 {
		t.Errorf("Interval(web) = %v, want 15", got)
	}
	if got := tl.Interval("api"); got != 0 {
		t.Errorf("Interval(api) = %v, want 0 (one decision)", got)
	}
	tl.Entries[1].First.Explanation = "window holds 4"
	if got, want := tl.Entries[1].Text(), "window holds 4 (held by stabilization 2 times, until 00:00:45)"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if got, want := tl.Entries[2].Text(), ""; got != want { // no explanation, no reason
		t.Errorf("Text() = %q, want %q", got, want)
	}
}
