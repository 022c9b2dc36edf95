package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestReadTimeseriesRoundTrip: reading the tiny run's CSV and writing the
// rows again gives the same bytes, and the values read are the ones the
// golden test checks by hand.
func TestReadTimeseriesRoundTrip(t *testing.T) {
	out := runTiny(t)
	rows, err := ReadTimeseries(bytes.NewReader(out.timeseries))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 10", len(rows))
	}
	b := []byte(TimeseriesHeader + "\n")
	for i := range rows {
		b = AppendTimeseriesRow(b, &rows[i])
	}
	if !bytes.Equal(b, out.timeseries) {
		t.Fatalf("round trip differs:\n%s\n---\n%s", b, out.timeseries)
	}
	r := rows[4] // t=60, web: no completions, two errors: percentiles beyond every latency
	if r.TimeS != 60 || r.Service != "web" || r.Errors != 2 || r.ReplicasReady != 5 || !math.IsInf(r.LatencyP99S, 1) ||
		!math.IsNaN(r.LatencyMeanS) ||
		r.CPUUtilization != 0.4286 {
		t.Errorf("row t=60 web: %+v", r)
	}
}

func TestReadTimeseriesColumns(t *testing.T) {
	// Columns found by name: reordered, unknown and missing extras are fine.
	in := "service,time_s,arrival_rps,replicas_desired,replicas_ready,replicas_starting,replicas_draining,in_flight," +
		"cpu_utilization,latency_p50_s,latency_p95_s,latency_p99_s,errors,future_column\n" +
		"\"a,b\",1.5,2,3,3,0,0,1,,0.1,0.2,0.3,4,x\n"
	rows, err := ReadTimeseries(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Service != "a,b" || rows[0].TimeS != 1.5 || rows[0].Errors != 4 ||
		!math.IsNaN(rows[0].CPUUtilization) || !math.IsNaN(rows[0].MemoryBytes) || rows[0].Arrived != 0 {
		t.Errorf("rows %+v", rows)
	}
	if _, err := ReadTimeseries(strings.NewReader("time_s,service\n1,a\n")); err == nil ||
		!strings.Contains(err.Error(), "arrival_rps") {
		t.Errorf("missing SPEC column: err = %v", err)
	}
	// A service name that needs quoting is written quoted.
	row := TimeseriesRow{Service: `we"b,1`}
	if got := string(AppendTimeseriesRow(nil, &row)); !strings.HasPrefix(got, `0,"we""b,1",`) {
		t.Errorf("quoted row: %s", got)
	}
}

func TestReadJSONLRoundTrip(t *testing.T) {
	out := runTiny(t)
	events, err := ReadEvents(bytes.NewReader(out.events))
	if err != nil {
		t.Fatal(err)
	}
	decisions, err := ReadDecisions(bytes.NewReader(out.decisions))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 19 || len(decisions) != 5 {
		t.Fatalf("%d events, %d decisions; want 19, 5", len(events), len(decisions))
	}
	if e := events[12]; e.Kind != "zone-outage" || e.Service != "" || e.Counts != nil {
		t.Errorf("service-less event %+v", e)
	}
	if v := decisions[0].Inputs[1].Value; !math.IsNaN(float64(v)) {
		t.Errorf("null input read as %v, want NaN", v)
	}
	for name, pair := range map[string][2]any{"events": {events, out.events}, "decisions": {decisions, out.decisions}} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		switch recs := pair[0].(type) {
		case []EventRecord:
			for _, r := range recs {
				enc.Encode(r)
			}
		case []DecisionRecord:
			for _, r := range recs {
				enc.Encode(r)
			}
		}
		if !bytes.Equal(b.Bytes(), pair[1].([]byte)) {
			t.Errorf("%s round trip differs:\n%s\n---\n%s", name, b.Bytes(), pair[1])
		}
	}
}

// appendFixed's whole-number path writes what formatting with strconv and
// trimming writes: checked for every precision the columns use, on whole
// numbers up to and beyond 2^52, negative ones and -0, and on their
// neighbours.
func TestAppendFixedWholeNumbers(t *testing.T) {
	viaStrconv := func(v float64, prec int) string {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if prec > 0 {
			s = strings.TrimRight(s, "0")
			s = strings.TrimSuffix(s, ".")
		}
		if s == "-0" {
			s = "0"
		}
		return s
	}
	r := rand.New(rand.NewPCG(15, 16))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 60, 1 << 52, 1<<52 - 1, -(1<<52 - 1), 1 << 53, 1e21, 0.5, 1.5, 2.5, -0.5}
	for range 20_000 {
		w := math.Trunc(math.Ldexp(r.Float64(), r.IntN(60)))
		if r.IntN(2) == 0 {
			w = -w
		}
		values = append(values, w, math.Nextafter(w, math.Inf(1)), math.Nextafter(w, math.Inf(-1)))
	}
	for _, v := range values {
		for _, prec := range []int{-1, 0, 4, 6} {
			if got, want := string(appendFixed(nil, v, prec)), viaStrconv(v, prec); got != want {
				t.Fatalf("appendFixed(%v, %d) = %q, strconv gives %q", v, prec, got, want)
			}
		}
	}
}
