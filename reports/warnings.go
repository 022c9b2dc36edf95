package reports

import (
	"fmt"
	"io"
	"strings"
)

// Warning is something about a run a user would want told: the run is
// valid and its figures are right, but they may not answer the question
// asked. summary.json lists them under "warnings" (an empty list when
// none), the command prints them on stderr and report.html at the top.
//
// Codes, fixed (messages may be reworded):
//
//   - "overload" (static): the peak offered CPU load is above what the
//     service's maximum replicas can serve;
//   - "trace-outside-run", "trace-partial" (static): a trace's times do
//     not cover the run (Unix timestamps run as the first row's constant
//     rate);
//   - "probe-kills-boot" (static): a liveness or startup probe gives up
//     before the application has booted, so its container is killed on
//     every start;
//   - "backlog-at-end" (from the run): more than BacklogWarnFraction of
//     the requests that arrived are still in flight at the end, counted
//     neither as completed nor as errors;
//   - "errors" (from the run): more than ErrorWarnFraction of the
//     requests that arrived were rejected, failed or timed out.
//
// Static warnings come from the scenario alone (scenarios.Warnings) and
// are handed to the Collector in Config.Warnings; the others come from
// the Collector's counts when the Summary is taken.
type Warning struct {
	Code string `json:"code"`
	// Service is the service concerned; absent for the whole scenario.
	Service string `json:"service,omitempty"`
	Message string `json:"message"`
}

// String is "warning: SERVICE: MESSAGE" (without the service when empty).
func (w Warning) String() string {
	if w.Service == "" {
		return "warning: " + w.Message
	}
	return "warning: " + w.Service + ": " + w.Message
}

// Thresholds of the warnings from the run.
const (
	// BacklogWarnFraction: backlog-at-end when in_flight_at_end >
	// BacklogWarnFraction x arrived.
	BacklogWarnFraction = 0.01
	// ErrorWarnFraction: errors when rejected + failed + timed_out >
	// ErrorWarnFraction x arrived.
	ErrorWarnFraction = 0.01
)

// Warning codes.
const (
	WarnOverload        = "overload"
	WarnTraceOutsideRun = "trace-outside-run"
	WarnTracePartial    = "trace-partial"
	WarnProbeKillsBoot  = "probe-kills-boot"
	WarnBacklogAtEnd    = "backlog-at-end"
	WarnErrors          = "errors"
)

// runWarnings are the warnings service name's figures call for.
func runWarnings(name string, v *ServiceSummary) []Warning {
	var out []Warning
	r := v.Requests
	if r.Arrived == 0 {
		return nil
	}
	frac := func(n uint64) string { return share(float64(n) / float64(r.Arrived)) }
	if float64(r.InFlightAtEnd) > BacklogWarnFraction*float64(r.Arrived) {
		out = append(out, Warning{Code: WarnBacklogAtEnd, Service: name, Message: fmt.Sprintf(
			"%d of %d requests (%s) are still in flight at the end of the run: they count neither as completed nor as errors, "+
				"and the latency percentiles rank them above every latency; the service is falling behind (see the overload warning, "+
				"replicas.max, the traffic or a client timeout)", r.InFlightAtEnd, r.Arrived, frac(r.InFlightAtEnd))})
	}
	if e := r.Errors(); float64(e) > ErrorWarnFraction*float64(r.Arrived) {
		out = append(out, Warning{Code: WarnErrors, Service: name, Message: fmt.Sprintf(
			"%d of %d requests (%s) did not complete: %d rejected, %d failed, %d timed out", e, r.Arrived, frac(e),
			r.Rejected, r.Failed, r.TimedOut)})
	}
	return out
}

// WriteWarnings writes s's warnings, one line each ("warning: ..."), and
// nothing when there are none.
func WriteWarnings(w io.Writer, s Summary) error {
	return writeWarnings(w, "", s.Warnings)
}

func writeWarnings(w io.Writer, prefix string, ws []Warning) error {
	var b strings.Builder
	for _, x := range ws {
		b.WriteString(prefix + x.String() + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteComparisonWarnings writes the warnings of every run of c, each
// line prefixed with the run's label: "LABEL: warning: ...". A warning
// every run has (a static one, from the scenario) is written once,
// without a label.
func WriteComparisonWarnings(w io.Writer, c *Comparison) error {
	count := map[Warning]int{}
	for i := range c.Runs {
		for _, x := range c.Runs[i].Summary.Warnings {
			count[x]++
		}
	}
	var common []Warning
	if len(c.Runs) > 0 {
		for _, x := range c.Runs[0].Summary.Warnings {
			if count[x] == len(c.Runs) {
				common = append(common, x)
			}
		}
	}
	if err := writeWarnings(w, "", common); err != nil {
		return err
	}
	for i := range c.Runs {
		var own []Warning
		for _, x := range c.Runs[i].Summary.Warnings {
			if count[x] < len(c.Runs) {
				own = append(own, x)
			}
		}
		if err := writeWarnings(w, c.Runs[i].Label+": ", own); err != nil {
			return err
		}
	}
	return nil
}
