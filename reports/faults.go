package reports

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Event kinds that mark faults in events.jsonl (see the package
// documentation, "Faults in events.jsonl").
const (
	// FaultStartKind begins a fault that lasts; a FaultEndKind event with
	// the same Service and Detail ends it.
	FaultStartKind = "fault-start"
	// FaultEndKind ends the earliest open fault with the same Service and
	// Detail.
	FaultEndKind = "fault-end"
	// FaultKind is a fault that happens at one instant (an instance crash).
	FaultKind = "fault"
)

// FaultSpan is one fault as the plots and the report show it.
type FaultSpan struct {
	StartS float64 // seconds since the start of the run
	// EndS is when the fault ended: StartS for an instantaneous fault,
	// +Inf when it was still active at the end of the run.
	EndS float64
	// Service is the one service the fault concerns, or "" when it
	// concerns the cluster (it is then drawn on every service's plots).
	Service string
	// Label is the event's Detail, or "fault" when that is empty.
	Label string
}

// Ongoing reports whether the fault was still active at the end of the run.
func (f FaultSpan) Ongoing() bool { return math.IsInf(f.EndS, 1) }

// Concerns reports whether the fault belongs on service's plots.
func (f FaultSpan) Concerns(service string) bool { return f.Service == "" || f.Service == service }

// ReadFaults reads an events.jsonl and returns its faults ordered by start
// time (file order among equal starts), pairing FaultStartKind and
// FaultEndKind events as the package documentation describes. Events of
// other kinds are decoded one at a time and dropped, so memory grows with
// the number of faults, not of events. A FaultEndKind event that matches
// no open fault is ignored.
func ReadFaults(r io.Reader) ([]FaultSpan, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	var spans []FaultSpan
	type key struct{ service, detail string }
	open := map[key][]int{} // indices into spans, oldest first
	for n := 1; ; n++ {
		var e EventRecord
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reports: reading %s record %d: %w", EventsFile, n, err)
		}
		if !strings.HasPrefix(e.Kind, FaultKind) {
			continue
		}
		label := e.Detail
		if label == "" {
			label = "fault"
		}
		k := key{e.Service, e.Detail}
		switch e.Kind {
		case FaultKind:
			spans = append(spans, FaultSpan{StartS: e.TimeS, EndS: e.TimeS, Service: e.Service, Label: label})
		case FaultStartKind:
			open[k] = append(open[k], len(spans))
			spans = append(spans, FaultSpan{StartS: e.TimeS, EndS: math.Inf(1), Service: e.Service, Label: label})
		case FaultEndKind:
			if q := open[k]; len(q) > 0 {
				spans[q[0]].EndS = max(e.TimeS, spans[q[0]].StartS)
				open[k] = q[1:]
			}
		}
	}
	slices.SortStableFunc(spans, func(a, b FaultSpan) int { return cmp.Compare(a.StartS, b.StartS) })
	return spans, nil
}
