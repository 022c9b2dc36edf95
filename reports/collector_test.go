package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func at(s float64) sim.Time { return sim.FromSeconds(s) }

func secs(s float64) time.Duration { return time.Duration(sim.FromSeconds(s)) }

const (
	web = 0
	db  = 1
)

func tinyConfig() Config {
	return Config{
		Scenario: "tiny",
		Seed:     7,
		Duration: 100 * time.Second,
		Warmup:   20 * time.Second,
		Services: []ServiceConfig{
			{Name: "web", Policy: "cpu", PricePerHour: 0.36,
				SLO: &SLO{Latency: 500 * time.Millisecond, Percentile: 90}},
			{Name: "db", Policy: "static", PricePerHour: 1},
		},
	}
}

// tinyTrace drives c through a hand-made run of 100 s with a 20 s warmup and
// a sample every 20 s. The expected figures are worked out in
// TestCollectorTinyTrace. Request names: A* arrive before warmup, B* after
// (web), C* (db).
func tinyTrace(c *Collector) {
	ev := func(t float64, svc int, kind, inst string, k Counts) {
		c.Lifecycle(Event{Time: at(t), Service: svc, Kind: kind, Instance: inst, Counts: k})
	}
	req := func(svc int, arrive, end float64, o Outcome, wait float64) {
		// Not interleaved with other calls: the trace below places every
		// request so that nothing else happens between its arrival and end.
		c.RequestArrived(svc, at(arrive))
		c.RequestEnded(svc, o, at(arrive), at(end), secs(wait))
	}
	decide := func(t float64, before, after int, r rec) {
		// Pods as the autoscaler saw them: the first one still starting when
		// the count was just raised, otherwise all ready.
		pods := PodsRecord{Current: before, Ready: before}
		if t == 30 && before > 2 {
			pods.Ready, pods.Starting = before-1, 1 // web-3 just became ready at 15: say it is not, for the pods summary
		}
		if t == 75 {
			pods.Pending = 1
		}
		c.Decision(&Decision{Time: at(t), Service: web, Policy: "cpu", Before: before, After: after,
			Valid: r.Valid, Reason: r.Reason, Raw: r.Raw, Desired: r.Desired, Min: 1, Max: 5, Pods: pods,
			InFlight: float64(before) / 2, Inputs: r.Inputs, Limits: r.Limits, Terminate: r.Terminate,
			Explanation: r.Explanation})
	}
	const mib = 1 << 20
	sample := func(t float64, wk Counts, wInFlight int, wCum [3]float64, dCum [3]float64) {
		c.Sample(at(t), []Sample{
			{Service: web, Counts: wk, InFlight: wInFlight, CPUSeconds: wCum[0], CPURequestSeconds: wCum[1],
				InstanceSeconds: wCum[2], MemoryBytes: float64(wk.Alive()) * 128 * mib},
			{Service: db, Counts: Counts{Desired: 1, Ready: 1}, CPUSeconds: dCum[0], CPURequestSeconds: dCum[1],
				InstanceSeconds: dCum[2], MemoryBytes: 256 * mib},
		})
	}

	// t=0: two web instances and one db instance ready.
	ev(0, web, "instance-ready", "web-1", Counts{Desired: 2, Ready: 1})
	ev(0, web, "instance-ready", "web-2", Counts{Desired: 2, Ready: 2})
	ev(0, db, "instance-ready", "db-1", Counts{Desired: 1, Ready: 1})
	sample(0, Counts{Desired: 2, Ready: 2}, 0, [3]float64{}, [3]float64{}) // writes no row
	req(web, 5, 5.2, Completed, 0)                                         // A1
	// Warmup: a scale-up that is not a counted scaling action.
	decide(10, 2, 3, rec{Valid: true, Raw: 3, Desired: 3, Reason: "scale-up",
		Inputs:      []InputRecord{{Name: "utilization", Value: 0.9}, {Name: "ratio", Value: JSONFloat(math.Inf(1))}},
		Explanation: "utilization 90% vs target 70% -> ceil(2 x 1.29) = 3"})
	ev(10, web, "instance-pending", "web-3", Counts{Desired: 3, Pending: 1, Ready: 2})
	ev(12, web, "instance-starting", "web-3", Counts{Desired: 3, Starting: 1, Ready: 2})
	ev(15, web, "instance-ready", "web-3", Counts{Desired: 3, Ready: 3})
	c.RequestArrived(web, at(19.9)) // A2: arrives in warmup, ends after it
	c.RequestArrived(web, at(20))   // B1: arrives at warmup exactly: counted
	sample(20, Counts{Desired: 3, Ready: 3}, 2, [3]float64{10, 25, 50}, [3]float64{1, 20, 20})
	c.RequestEnded(web, Completed, at(20), at(20.1), 0)            // B1
	c.RequestEnded(web, Completed, at(19.9), at(20.3), secs(0.05)) // A2
	req(web, 21, 21.3, Completed, 0.1)                             // B2
	req(web, 22, 22.5, Completed, 0.2)                             // B3: latency = target: good
	req(web, 23, 24, Completed, 0.6)                               // B4
	decide(30, 3, 3, rec{Valid: true, Raw: 3, Desired: 3, Reason: "within-tolerance",
		Inputs: []InputRecord{{Name: "utilization", Value: 0.72}}, Explanation: "utilization 72% vs target 70%: within tolerance"})
	req(db, 30, 30.05, Completed, 0) // C1
	sample(40, Counts{Desired: 3, Ready: 3}, 0, [3]float64{20, 55, 110}, [3]float64{3, 40, 40})
	req(web, 41, 41, Rejected, 0) // B5
	req(web, 42, 43, Failed, 0)   // B6
	// Same reason, nothing held: not in decisions.jsonl.
	decide(45, 3, 3, rec{Valid: true, Raw: 3, Desired: 3, Reason: "within-tolerance",
		Inputs: []InputRecord{{Name: "utilization", Value: 0.75}}})
	decide(50, 3, 5, rec{Valid: true, Raw: 6, Desired: 5, Reason: "scale-up",
		Inputs:      []InputRecord{{Name: "utilization", Value: 1.4}},
		Limits:      []Limit{{Name: "max", From: 6, To: 5, Detail: "replicas.max is 5"}},
		Explanation: "utilization 140% vs target 70% -> ceil(3 x 2) = 6; max 5 -> 5"})
	// Two instances created at the same instant: 4 alive for zero time.
	ev(50, web, "instance-pending", "web-4", Counts{Desired: 5, Pending: 1, Ready: 3})
	ev(50, web, "instance-pending", "web-5", Counts{Desired: 5, Pending: 2, Ready: 3})
	ev(55, web, "instance-starting", "web-4", Counts{Desired: 5, Pending: 1, Starting: 1, Ready: 3})
	ev(55, web, "instance-starting", "web-5", Counts{Desired: 5, Starting: 2, Ready: 3})
	ev(60, web, "instance-ready", "web-4", Counts{Desired: 5, Starting: 1, Ready: 4})
	ev(60, web, "instance-ready", "web-5", Counts{Desired: 5, Ready: 5})
	sample(60, Counts{Desired: 5, Ready: 5}, 0, [3]float64{35, 90, 190}, [3]float64{4, 60, 60})
	c.RequestArrived(web, at(61))                    // B7
	req(web, 62, 62.2, Completed, 0.05)              // B8
	c.RequestEnded(web, TimedOut, at(61), at(66), 0) // B7
	c.Lifecycle(Event{Time: at(70), Service: -1, Kind: "zone-outage", Detail: "zone b for 5m"})
	decide(75, 5, 5, rec{Valid: true, Raw: 3, Desired: 5, Reason: "stabilized",
		Inputs: []InputRecord{{Name: "utilization", Value: 0.4}},
		Limits: []Limit{{Name: "stabilization", From: 3, To: 5, Detail: "highest recommendation in the last 300s"}}})
	sample(80, Counts{Desired: 5, Ready: 5}, 0, [3]float64{55, 140, 290}, [3]float64{6, 80, 80})
	decide(80, 5, 4, rec{Valid: true, Raw: 4, Desired: 4, Reason: "scale-down"})
	ev(80, web, "instance-draining", "web-5", Counts{Desired: 4, Ready: 4, Draining: 1})
	req(web, 81, 81.4, Completed, 0.2) // B10
	ev(90, web, "instance-terminated", "web-5", Counts{Desired: 4, Ready: 4})
	// Two crashes and their replacements at one instant: 2 and 3 alive for
	// zero time, below the true minimum of 3.
	ev(95, web, "instance-terminated", "web-1", Counts{Desired: 4, Ready: 3})
	ev(95, web, "instance-terminated", "web-2", Counts{Desired: 4, Ready: 2})
	ev(95, web, "instance-pending", "web-6", Counts{Desired: 4, Pending: 1, Ready: 2})
	ev(95, web, "instance-pending", "web-7", Counts{Desired: 4, Pending: 2, Ready: 2})
	c.RequestArrived(web, at(99.5)) // B9: still in flight at the end
	sample(100, Counts{Desired: 4, Pending: 2, Ready: 2}, 1, [3]float64{70, 185, 380}, [3]float64{8, 100, 100})
}

type tinyOutput struct {
	summary                       Summary
	timeseries, events, decisions []byte
	summaryJSON, table            []byte
}

func runTiny(t *testing.T) tinyOutput {
	t.Helper()
	var ts, ev, dec bytes.Buffer
	c, err := New(tinyConfig(), Outputs{Timeseries: &ts, Events: &ev, Decisions: &dec})
	if err != nil {
		t.Fatal(err)
	}
	tinyTrace(c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	s := c.Summary(12345, 1234567*time.Microsecond)
	var sj, table bytes.Buffer
	if err := WriteSummary(&sj, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteTable(&table, s); err != nil {
		t.Fatal(err)
	}
	return tinyOutput{s, ts.Bytes(), ev.Bytes(), dec.Bytes(), sj.Bytes(), table.Bytes()}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestCollectorTinyTrace checks every summary figure of the tiny trace
// against values worked out by hand.
func TestCollectorTinyTrace(t *testing.T) {
	s := runTiny(t).summary
	if s.Scenario != "tiny" || s.Seed != 7 || s.DurationS != 100 || s.Events != 12345 || s.WallS != 1.235 {
		t.Errorf("header: %+v", s)
	}
	w, d := s.Services["web"], s.Services["db"]
	if len(s.Services) != 2 {
		t.Fatalf("services: %v", s.Services)
	}

	// web: B1..B10 arrived at or after warmup (A1, A2 arrived before it and
	// count nowhere, although A2 ends after warmup). Completed B1 B2 B3 B4
	// B8 B10; rejected B5; failed B6; timed out B7; B9 in flight.
	wantReq := Requests{Arrived: 10, Completed: 6, Rejected: 1, Failed: 1, TimedOut: 1, InFlightAtEnd: 1}
	if w.Requests != wantReq {
		t.Errorf("web requests %+v, want %+v", w.Requests, wantReq)
	}
	r := w.Requests
	if r.Arrived != r.Completed+r.Rejected+r.Failed+r.TimedOut+r.InFlightAtEnd {
		t.Errorf("conservation broken: %+v", r)
	}
	// Latencies 0.1 0.3 0.5 1.0 0.2 0.4: mean 2.5/6. p50 is rank 3 = 0.3,
	// in bucket [0.296875, 0.30078125) -> midpoint 0.298828125. p90 and
	// above are rank 6 = 1.0, whose bucket midpoint 1.0078125 is clamped to
	// the max: exactly 1.
	wantLat := Latency{Mean: 2.5 / 6, P50: 0.298828125, P90: 1, P95: 1, P99: 1, P999: 1, Max: 1}
	if !near(w.LatencyS.Mean, wantLat.Mean) {
		t.Errorf("web latency mean %v, want %v", w.LatencyS.Mean, wantLat.Mean)
	}
	w.LatencyS.Mean, w.LatencyCompletedS.Mean = wantLat.Mean, wantLat.Mean
	if w.LatencyCompletedS != wantLat {
		t.Errorf("web latency of the completed %+v, want %+v", w.LatencyCompletedS, wantLat)
	}
	// latency_s ranks the 10 arrived: the 4 that did not complete (B5,
	// B6, B7, B9) above the 6 latencies. p50 is rank 5 = 0.5, in bucket
	// [0.5, 0.5078125) -> 0.50390625; p90 is rank 9 > 6: beyond.
	inf := math.Inf(1)
	wantAll := Latency{Mean: wantLat.Mean, P50: 0.50390625, P90: inf, P95: inf, P99: inf, P999: inf, Max: 1, NotCompleted: 0.4}
	if w.LatencyS != wantAll {
		t.Errorf("web latency %+v, want %+v", w.LatencyS, wantAll)
	}
	if math.Abs(0.298828125-0.3)/0.3 > HistogramRelativeError {
		t.Errorf("hand-computed p50 outside the error bound")
	}
	// Queue waits of the completed: 0 0.1 0.2 0.6 0.05 0.2.
	if want := 1.15 / 6; !near(w.QueueWaitS.Mean, want) {
		t.Errorf("web queue wait %v, want %v", w.QueueWaitS.Mean, want)
	}
	// Alive: 3 over [20,50], 5 over [50,90] (the draining one counts), 4
	// over [90,100]: (90+200+40)/80. The zero-length 2, 3 and 4 at t=50 and
	// t=95 are not minima.
	if want := (Replicas{Min: 3, Mean: 330.0 / 80, Max: 5}); w.Replicas != want {
		t.Errorf("web replicas %+v, want %+v", w.Replicas, want)
	}
	// t=10 is in warmup; t=30, 45, 75 changed nothing.
	if want := (ScalingActions{Up: 1, Down: 1}); w.ScalingActions != want {
		t.Errorf("web scaling actions %+v, want %+v", w.ScalingActions, want)
	}
	// (70-10) / (185-25).
	if want := 60.0 / 160; !near(w.CPUUtilizationMean, want) {
		t.Errorf("web cpu utilization %v, want %v", w.CPUUtilizationMean, want)
	}
	// (380-50) instance-seconds = the replica integral above.
	if want := 330.0 / 3600; !near(w.Cost.InstanceHours, want) || !near(w.Cost.USD, want*0.36) {
		t.Errorf("web cost %+v, want %v h, $%v", w.Cost, want, want*0.36)
	}
	if !near(w.Replicas.Mean*80/3600, w.Cost.InstanceHours) {
		t.Errorf("replica mean and instance hours disagree")
	}
	// Good: B1 B2 B3 (exactly 0.5) B8 B10 = 5 of 10 arrived; objective 0.9.
	if want := (SLOResult{Met: false, LatencyTargetS: 0.5, Percentile: 90, Objective: 0.9, Attainment: 0.5}); w.SLO == nil || *w.SLO != want {
		t.Errorf("web slo %+v, want %+v", w.SLO, want)
	}

	wantDB := ServiceSummary{
		Policy:             "static",
		Requests:           Requests{Arrived: 1, Completed: 1},
		LatencyS:           Latency{Mean: 0.05, P50: 0.05, P90: 0.05, P95: 0.05, P99: 0.05, P999: 0.05, Max: 0.05},
		LatencyCompletedS:  Latency{Mean: 0.05, P50: 0.05, P90: 0.05, P95: 0.05, P99: 0.05, P999: 0.05, Max: 0.05},
		Replicas:           Replicas{Min: 1, Mean: 1, Max: 1},
		CPUUtilizationMean: 7.0 / 80,
		Cost:               Cost{InstanceHours: 0.0222222222222, USD: 0.0222222222222}, // 80/3600 to 12 digits
	}
	if !reflect.DeepEqual(d, wantDB) {
		t.Errorf("db summary %+v, want %+v", d, wantDB)
	}
}

func TestCollectorGolden(t *testing.T) {
	out := runTiny(t)
	// What was checked by hand before freezing (see tinyTrace):
	//   timeseries.csv: every web row. arrival_rps = arrivals/20 s (row 20:
	//   A1 A2 B1 -> 0.15; row 40: B2 B3 B4 -> 0.15; 60: B5 B6 -> 0.1; 80: B7
	//   B8; 100: B10 B9); cpu_utilization = dCPU/dRequest (10/25 = 0.4,
	//   10/30, 15/35, 20/50, 15/45); cpu_cores = dCPU/20; row 40's
	//   percentiles over B1 A2 B2 B3 B4 (0.1 0.4 0.3 0.5 1.0): p50 rank 3 =
	//   0.4 -> bucket midpoint 0.400390625 -> 0.400391, p95/p99 = max 1;
	//   mean 2.3/5 = 0.46; queue wait 0.95/5 = 0.19; row 60 has no
	//   completions (empty latency cells) and errors 2; row 100 shows the
	//   pending replacements and B9 in flight. No row at t=0. db rows:
	//   cpu 1/20, 2/20, 1/20, 2/20, 2/20; C1's 0.05 s in row 40.
	//   summary.json: the figures asserted in TestCollectorTinyTrace; db
	//   has no "slo" key; wall_s 1.235.
	//   events.jsonl: 19 lines, the zone outage without service or counts.
	//   decisions.jsonl: t=10 (changed), 30 (new reason), 50 (changed,
	//   limited by max), 75 (held by stabilization), 80 (changed); not 45;
	//   the +Inf input is null.
	//   table.txt: web 10 arrived, 6 completed, 3 errors (30.0%), p50 298.8ms,
	//   p95/p99 1.00s, replicas 4.12/5, cpu 38%, $0.03, SLO missed at 50.0%.
	for name, got := range map[string][]byte{
		"timeseries.csv":  out.timeseries,
		"events.jsonl":    out.events,
		"decisions.jsonl": out.decisions,
		"summary.json":    out.summaryJSON,
		"table.txt":       out.table,
	} {
		path := filepath.Join("testdata", "tiny", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./reports -run Golden -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (go test ./reports -run Golden -update rewrites it):\n--- got\n%s\n--- want\n%s",
				name, path, got, want)
		}
	}
}

func TestCollectorDeterministic(t *testing.T) {
	a, b := runTiny(t), runTiny(t)
	for _, pair := range [][2][]byte{
		{a.timeseries, b.timeseries}, {a.events, b.events}, {a.decisions, b.decisions},
		{a.summaryJSON, b.summaryJSON}, {a.table, b.table},
	} {
		if !bytes.Equal(pair[0], pair[1]) {
			t.Fatalf("two identical runs differ:\n%s\n---\n%s", pair[0], pair[1])
		}
	}
}

func TestTimeseriesHeader(t *testing.T) {
	const spec = "time_s,service,arrival_rps,replicas_desired,replicas_ready,replicas_starting,replicas_draining," +
		"in_flight,cpu_utilization,latency_p50_s,latency_p95_s,latency_p99_s,errors"
	if !strings.HasPrefix(TimeseriesHeader, spec+",") {
		t.Fatalf("header does not begin with the docs/reference.md columns")
	}
	var names []string
	for _, c := range tsColumns {
		names = append(names, c.name)
	}
	if got := strings.Join(names, ","); got != TimeseriesHeader {
		t.Fatalf("the column table gives\n%s\nTimeseriesHeader is\n%s", got, TimeseriesHeader)
	}
	out := runTiny(t)
	lines := strings.Split(strings.TrimSuffix(string(out.timeseries), "\n"), "\n")
	cols := strings.Count(TimeseriesHeader, ",")
	for _, l := range lines {
		if strings.Count(l, ",") != cols {
			t.Errorf("row with %d commas, header has %d: %s", strings.Count(l, ","), cols, l)
		}
	}
	if len(lines) != 1+5*2 {
		t.Errorf("%d lines, want a header and 5 rows for each of 2 services", len(lines))
	}
}

// TestWarmupBetweenSamples: the cumulative values at warmup are
// interpolated between the samples around it.
func TestWarmupBetweenSamples(t *testing.T) {
	cfg := Config{Scenario: "w", Duration: 60 * time.Second, Warmup: 30 * time.Second,
		Services: []ServiceConfig{{Name: "s", Policy: "static", PricePerHour: 2}}}
	c, err := New(cfg, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	k := Counts{Desired: 2, Ready: 2}
	c.Lifecycle(Event{Time: 0, Service: 0, Kind: "instance-ready", Counts: k})
	for i, row := range []Sample{
		{CPUSeconds: 10, CPURequestSeconds: 20, InstanceSeconds: 40, Counts: k},  // t=20
		{CPUSeconds: 30, CPURequestSeconds: 40, InstanceSeconds: 80, Counts: k},  // t=40: base = (20, 30, 60)
		{CPUSeconds: 50, CPURequestSeconds: 60, InstanceSeconds: 120, Counts: k}, // t=60
	} {
		c.Sample(at(float64(20*(i+1))), []Sample{row})
	}
	s := c.Summary(0, 0).Services["s"]
	if want := 30.0 / 30; !near(s.CPUUtilizationMean, want) {
		t.Errorf("utilization %v, want %v", s.CPUUtilizationMean, want)
	}
	if want := 60.0 / 3600; !near(s.Cost.InstanceHours, want) || !near(s.Cost.USD, 2*want) {
		t.Errorf("cost %+v, want %v h", s.Cost, want)
	}
	if want := (Replicas{Min: 2, Mean: 2, Max: 2}); s.Replicas != want {
		t.Errorf("replicas %+v, want %+v", s.Replicas, want)
	}
	if s.SLO != nil {
		t.Errorf("slo %+v for a service without one", s.SLO)
	}
	// Nothing arrived: everything zero, nothing NaN.
	if s.LatencyS != (Latency{}) || s.QueueWaitS != (QueueWait{}) || s.Requests != (Requests{}) {
		t.Errorf("empty service: %+v", s)
	}
}

func TestSLO(t *testing.T) {
	cases := []struct {
		name       string
		slo        SLO
		good, bad  int // completed within / beyond the target
		rejected   int
		wantAttain float64
		wantMet    bool
	}{
		{"percentile met", SLO{Latency: time.Second, Percentile: 90}, 9, 1, 0, 0.9, true},
		{"percentile missed", SLO{Latency: time.Second, Percentile: 95}, 9, 1, 0, 0.9, false},
		// Errors count as infinitely slow: 90 fast completions and 10
		// rejections are exactly 90% good: enough for p90, not for p99.
		{"errors are not good", SLO{Latency: time.Second, Percentile: 90}, 90, 0, 10, 0.9, true},
		{"errors miss", SLO{Latency: time.Second, Percentile: 99}, 90, 0, 10, 0.9, false},
		{"availability met", SLO{Latency: time.Second, Percentile: 99, Availability: 0.999}, 999, 0, 1, 0.999, true},
		{"availability missed", SLO{Latency: time.Second, Percentile: 50, Availability: 0.9}, 8, 2, 0, 0.8, false},
		{"nothing arrived", SLO{Latency: time.Second, Percentile: 99}, 0, 0, 0, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slo := tc.slo
			c, err := New(Config{Duration: time.Hour, Services: []ServiceConfig{{Name: "s", SLO: &slo}}}, Outputs{})
			if err != nil {
				t.Fatal(err)
			}
			now := at(1)
			for range tc.good {
				c.RequestArrived(0, now)
				c.RequestEnded(0, Completed, now, now.Add(time.Second), 0) // = target: good
			}
			for range tc.bad {
				c.RequestArrived(0, now)
				c.RequestEnded(0, Completed, now, now.Add(time.Second+1), 0)
			}
			for range tc.rejected {
				c.RequestArrived(0, now)
				c.RequestEnded(0, Rejected, now, now, 0)
			}
			got := c.Summary(0, 0).Services["s"].SLO
			if got == nil || got.Attainment != tc.wantAttain || got.Met != tc.wantMet {
				t.Errorf("slo %+v, want attainment %v met %v", got, tc.wantAttain, tc.wantMet)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	cfg := Config{Duration: time.Minute, Warmup: 2 * time.Minute, Services: []ServiceConfig{
		{Name: "a", PricePerHour: -1},
		{Name: "a", PricePerHour: math.NaN(), SLO: &SLO{Latency: 0, Percentile: 120, Availability: 99.9}},
		{Name: ""},
	}}
	_, err := New(cfg, Outputs{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"warmup", `"a": price`, "duplicate", "SLO latency", "percentile", "availability", "empty name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestCreateWritesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run.tmp")
	c, err := Create(dir, tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	tinyTrace(c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := WriteSummaryFile(filepath.Join(dir, SummaryFile), c.Summary(12345, 1234567*time.Microsecond)); err != nil {
		t.Fatal(err)
	}
	want := runTiny(t)
	for name, w := range map[string][]byte{TimeseriesFile: want.timeseries, EventsFile: want.events,
		DecisionsFile: want.decisions, SummaryFile: want.summaryJSON} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s differs from the in-memory run", name)
		}
	}
}

// TestCheck: the diagnostic notices a Sample whose InFlight disagrees
// with the arrivals and ends seen.
func TestCheck(t *testing.T) {
	c, err := New(Config{Duration: time.Hour, Services: []ServiceConfig{{Name: "s"}}}, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	c.RequestArrived(0, at(1))
	c.Sample(at(2), []Sample{{InFlight: 1}})
	if err := c.Check(); err != nil {
		t.Fatalf("consistent calls: %v", err)
	}
	c.Sample(at(3), []Sample{{InFlight: 0}})
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "InFlight is 0") {
		t.Fatalf("Check = %v", err)
	}
}

func TestRequestPathDoesNotAllocate(t *testing.T) {
	c, err := New(tinyConfig(), Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	now := at(30)
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Millisecond)
		c.RequestArrived(web, now)
		c.RequestEnded(web, Completed, now, now.Add(80*time.Millisecond), time.Millisecond)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
}

func BenchmarkRequest(b *testing.B) {
	c, err := New(tinyConfig(), Outputs{})
	if err != nil {
		b.Fatal(err)
	}
	now := at(30)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		c.RequestArrived(web, now)
		c.RequestEnded(web, Completed, now, now.Add(80*time.Millisecond), time.Millisecond)
	}
}

// BenchmarkRequestSpread is a request as mm8 makes it: latencies and
// queue waits spread over many buckets (exponential, mean 1 s and 0.3 s),
// a row every 432 requests (a minute at 7.2 requests per second), so that
// what a row costs the histograms is counted too.
func BenchmarkRequestSpread(b *testing.B) {
	c, err := New(tinyConfig(), Outputs{})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	lat := make([]time.Duration, 4096)
	wait := make([]time.Duration, len(lat))
	for i := range lat {
		lat[i] = time.Duration(r.ExpFloat64() * 1e9)
		wait[i] = time.Duration(r.ExpFloat64() * 0.3e9)
	}
	rows := []Sample{{Service: web, Counts: Counts{Ready: 1}}}
	now := at(30)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		c.RequestArrived(web, now)
		j := i & 4095
		c.RequestEnded(web, Completed, now, now.Add(lat[j]), wait[j])
		if i%432 == 431 {
			c.Sample(now, rows)
		}
	}
}

// TestSampleDoesNotAllocate: in steady state a sample row costs no
// allocation, so the Collector's memory does not grow with the run.
func TestSampleDoesNotAllocate(t *testing.T) {
	c, err := New(tinyConfig(), Outputs{Timeseries: io.Discard, Events: io.Discard, Decisions: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	now := at(0)
	rows := []Sample{{Service: web, Counts: Counts{Ready: 3}}, {Service: db, Counts: Counts{Ready: 1}}}
	allocs := testing.AllocsPerRun(1000, func() {
		for range 10 {
			now = now.Add(10 * time.Millisecond)
			c.RequestArrived(web, now)
			c.RequestEnded(web, Completed, now, now.Add(5*time.Millisecond), 0)
		}
		rows[0].CPUSeconds += 1
		rows[0].CPURequestSeconds += 2
		c.Sample(now.Add(time.Second), rows)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per sample", allocs)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCloseReportsWriteErrors(t *testing.T) {
	c, err := New(tinyConfig(), Outputs{Timeseries: failingWriter{}, Events: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	tinyTrace(c)
	err = c.Close()
	if err == nil || !strings.Contains(err.Error(), "disk full") || strings.Count(err.Error(), "disk full") != 1 {
		t.Fatalf("Close = %v, want one disk full", err)
	}
}

// TestCollectorRandomTrace compares the summary of a long random trace with
// figures computed directly from the requests kept in a slice.
func TestCollectorRandomTrace(t *testing.T) {
	cfg := Config{Scenario: "random", Duration: time.Hour, Warmup: 10 * time.Minute,
		Services: []ServiceConfig{{Name: "s", Policy: "cpu", SLO: &SLO{Latency: 200 * time.Millisecond, Percentile: 99}}}}
	c, err := New(cfg, Outputs{Timeseries: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	type req struct {
		arrive, end sim.Time
		o           Outcome
	}
	var kept []req
	var lat []float64
	var good, arrived int
	now := sim.Time(0)
	end := sim.At(cfg.Duration)
	// Requests end in arrival order here, which is all the collector
	// needs: it never pairs an end with its arrival.
	for {
		now = now.Add(time.Duration(r.ExpFloat64() * 50e6)) // 20 rps
		if now >= end {
			break
		}
		d := sim.Time(r.ExpFloat64() * 80e6)
		o := Outcome(0)
		if u := r.Float64(); u < 0.01 {
			o = Rejected
		} else if u < 0.015 {
			o = TimedOut
		}
		c.RequestArrived(0, now)
		if now+d >= end { // still in flight at the end
			continue
		}
		c.RequestEnded(0, o, now, now+d, 0)
		if now >= sim.At(cfg.Warmup) {
			kept = append(kept, req{now, now + d, o})
		}
	}
	for _, q := range kept {
		if q.o == Completed {
			lat = append(lat, (q.end - q.arrive).Seconds())
			if q.end-q.arrive <= sim.At(200*time.Millisecond) {
				good++
			}
		}
	}
	c.Sample(end, []Sample{{InFlight: 0}})
	s := c.Summary(0, 0).Services["s"]
	rq := s.Requests
	arrived = int(rq.Arrived)
	if rq.Arrived != rq.Completed+rq.Errors()+rq.InFlightAtEnd || rq.Completed != uint64(len(lat)) ||
		int(rq.Arrived-rq.InFlightAtEnd) != len(kept) {
		t.Fatalf("requests %+v, %d kept, %d completed", rq, len(kept), len(lat))
	}
	slices.Sort(lat)
	c99 := s.LatencyCompletedS
	for _, p := range []struct {
		q   float64
		got float64
	}{{0.5, c99.P50}, {0.9, c99.P90}, {0.95, c99.P95}, {0.99, c99.P99}, {0.999, c99.P999}} {
		want := exactQuantile(lat, p.q)
		if math.Abs(p.got-want)/want > HistogramRelativeError {
			t.Errorf("completed p%v = %v, exact %v", 100*p.q, p.got, want)
		}
	}
	// latency_s ranks every arrival, the ones that did not complete above
	// every latency.
	all := slices.Clone(lat)
	for range rq.Arrived - rq.Completed {
		all = append(all, math.Inf(1))
	}
	for _, p := range []struct {
		q   float64
		got float64
	}{{0.5, s.LatencyS.P50}, {0.9, s.LatencyS.P90}, {0.95, s.LatencyS.P95}, {0.99, s.LatencyS.P99}, {0.999, s.LatencyS.P999}} {
		want := exactQuantile(all, p.q)
		if Beyond(want) != Beyond(p.got) || !Beyond(want) && math.Abs(p.got-want)/want > HistogramRelativeError {
			t.Errorf("p%v = %v, exact %v", 100*p.q, p.got, want)
		}
	}
	if !Beyond(s.LatencyS.P99) || Beyond(s.LatencyS.P95) {
		t.Errorf("with 1.5%% errors p95 %v should be finite and p99 %v beyond", s.LatencyS.P95, s.LatencyS.P99)
	}
	if want := float64(rq.Arrived-rq.Completed) / float64(rq.Arrived); !near(s.LatencyS.NotCompleted, want) {
		t.Errorf("not_completed %v, want %v", s.LatencyS.NotCompleted, want)
	}
	if s.LatencyS.Max != lat[len(lat)-1] {
		t.Errorf("max %v, want %v", s.LatencyS.Max, lat[len(lat)-1])
	}
	if want := float64(good) / float64(arrived); !near(s.SLO.Attainment, want) || s.SLO.Met != (want >= 0.99) {
		t.Errorf("slo %+v, want attainment %v", s.SLO, want)
	}
}

// With node pools the simulator's cost is the cost, even at zero; placement
// failures after warmup are counted by reason, those before it are not.
func TestCollectorNodeCostAndPlacementFailures(t *testing.T) {
	cfg := Config{Scenario: "n", Seed: 1, Duration: 100 * time.Second, Warmup: 10 * time.Second,
		Services: []ServiceConfig{{Name: "web", Policy: "static", PricePerHour: 3600, NodeCost: true}}}
	c, err := New(cfg, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	row := func(now time.Duration, cost float64, cpu, spread int64) {
		s := Sample{Service: 0, Counts: Counts{Ready: 1}, InstanceSeconds: now.Seconds(), CostUSD: cost}
		s.PlacementFailures[PlacementCPU] = cpu
		s.PlacementFailures[PlacementSpread] = spread
		c.Sample(sim.At(now), []Sample{s})
	}
	row(0, 0, 0, 0)
	row(10*time.Second, 0, 4, 0) // 4 cpu failures up to warmup: left out
	row(50*time.Second, 0, 6, 3)
	row(100*time.Second, 0, 7, 3)
	sum := c.Summary(0, 0).Services["web"]
	if sum.Cost.USD != 0 {
		t.Errorf("cost %v, want the node cost 0 (not instance hours x price)", sum.Cost.USD)
	}
	if want := map[string]int64{"cpu": 3, "spread": 3}; !reflect.DeepEqual(sum.PlacementFailures, want) {
		t.Errorf("placement failures %v, want %v", sum.PlacementFailures, want)
	}
}

// rec is the part of a Decision that a policy's recommendation carries.
type rec struct {
	Valid        bool
	Raw, Desired int
	Reason       string
	Inputs       []InputRecord
	Limits       []Limit
	Terminate    []int
	Explanation  string
}

// Container restarts and OOM kills: per interval in timeseries.csv, and
// from warmup on in summary.json (those counted up to the last sample at
// or before warmup are left out, as placement failures are).
func TestCollectorRestartsAndOOMKills(t *testing.T) {
	cfg := Config{Scenario: "r", Seed: 1, Duration: 100 * time.Second, Warmup: 10 * time.Second,
		Services: []ServiceConfig{{Name: "web", Policy: "static"}}}
	var ts bytes.Buffer
	c, err := New(cfg, Outputs{Timeseries: &ts})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		now           time.Duration
		restarts, oom int64
	}{{0, 0, 0}, {10 * time.Second, 2, 1}, {50 * time.Second, 5, 3}, {100 * time.Second, 9, 3}} {
		c.Sample(sim.At(r.now), []Sample{{Service: 0, Counts: Counts{Ready: 1}, Restarts: r.restarts, OOMKills: r.oom}})
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	sum := c.Summary(0, 0).Services["web"]
	if sum.Restarts != 7 || sum.OOMKills != 2 {
		t.Errorf("summary restarts %d oom_kills %d, want 7 and 2", sum.Restarts, sum.OOMKills)
	}
	lines := strings.Split(strings.TrimSpace(ts.String()), "\n")
	col := map[string]int{}
	for k, name := range strings.Split(lines[0], ",") {
		col[name] = k
	}
	var got []string
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		got = append(got, f[0]+":"+f[col["restarts"]]+"/"+f[col["oom_kills"]])
	}
	if want := "10:2/1 50:3/2 100:4/0"; strings.Join(got, " ") != want {
		t.Errorf("timeseries restarts/oom_kills %s, want %s", strings.Join(got, " "), want)
	}
}

// An ingress's 504s and retried connection errors: in summary.json from
// warmup on (those counted up to the last sample at or before warmup are
// left out, as restarts are), and only for a service behind an ingress.
func TestCollectorIngress(t *testing.T) {
	cfg := Config{Scenario: "i", Seed: 1, Duration: 100 * time.Second, Warmup: 15 * time.Second,
		Services: []ServiceConfig{{Name: "edge", Policy: "static", Ingress: true}, {Name: "direct", Policy: "static"}}}
	c, err := New(cfg, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		now               time.Duration
		timeouts, retried int64
	}{{0, 0, 0}, {10 * time.Second, 2, 1}, {20 * time.Second, 5, 4}, {100 * time.Second, 12, 6}} {
		c.Sample(sim.At(r.now), []Sample{
			{Service: 0, Counts: Counts{Ready: 1}, GatewayTimeouts: r.timeouts, IngressRetries: r.retried},
			{Service: 1, Counts: Counts{Ready: 1}},
		})
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	sum := c.Summary(0, 0)
	// From the sample at 10 s (the last at or before the 15 s warmup):
	// 12 - 2 504s, 6 - 1 retries.
	if got, want := sum.Services["edge"].Ingress, (IngressSummary{GatewayTimeouts: 10, Retries: 5}); got == nil || *got != want {
		t.Errorf("edge: ingress %+v, want %+v", got, want)
	}
	if got := sum.Services["direct"].Ingress; got != nil {
		t.Errorf("direct (no ingress): ingress %+v, want none", got)
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, sum); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Services map[string]map[string]json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if got := string(back.Services["edge"]["ingress"]); strings.Join(strings.Fields(got), "") != `{"gateway_timeouts":10,"retries":5}` {
		t.Errorf("edge: summary.json ingress %s", got)
	}
	if _, ok := back.Services["direct"]["ingress"]; ok {
		t.Error("direct: summary.json has an ingress key")
	}
}

// The run's latency histogram, which takes each row's latencies in bulk
// when the row closes, is at every moment exactly the histogram of adding
// the latency of every completed request that arrived at or after warmup,
// one by one: same buckets, count, minimum, maximum and sum (so the same
// mean, bit for bit). The trace has requests that arrive before warmup and
// end after it, in rows of their own and mixed with later ones, rows
// without completions, and Samples at a row's instant (which close no
// row).
func TestRunLatencyIsOneByOne(t *testing.T) {
	c, err := New(tinyConfig(), Outputs{}) // warmup 20 s
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	var want Histogram
	rows := []Sample{{Service: web, Counts: Counts{Ready: 1}}}
	type req struct{ arrived, ends sim.Time }
	var open []req
	now, lastSample := sim.Time(0), sim.Time(0)
	for step := range 20_000 {
		now += sim.Time(r.ExpFloat64() * 5e6) // 200 events a second
		switch k := r.IntN(10); {
		case k < 5:
			c.RequestArrived(web, now)
			// Mostly short, now and then far beyond warmup and rows.
			lat := sim.Time(r.ExpFloat64() * 0.05e9)
			if r.IntN(50) == 0 {
				lat = sim.Time(r.ExpFloat64() * 30e9)
			}
			open = append(open, req{now, now + lat})
		case k < 9 && len(open) > 0:
			// End the open request that ends first (or any, now and then).
			i := 0
			for j := range open {
				if open[j].ends < open[i].ends {
					i = j
				}
			}
			if r.IntN(4) == 0 {
				i = r.IntN(len(open))
			}
			q := open[i]
			open = slices.Delete(open, i, i+1)
			end := max(q.ends, now)
			c.RequestEnded(web, Completed, q.arrived, end, 0)
			if q.arrived >= c.warmup {
				want.Add((end - q.arrived).Seconds())
			}
		case k == 9:
			if r.IntN(3) == 0 {
				now = lastSample // a second Sample at the row's instant
			}
			c.Sample(now, rows)
			lastSample = now
		}
		if got := c.svcs[web].runLatency(); step%97 == 0 && *got != want {
			t.Fatalf("step %d at %v: run histogram (n %d, sum %v, min %v, max %v) is not the one-by-one one (n %d, sum %v, min %v, max %v)",
				step, now, got.Count(), got.Sum(), got.Min(), got.Max(), want.Count(), want.Sum(), want.Min(), want.Max())
		}
	}
	if got := c.svcs[web].runLatency(); *got != want {
		t.Fatalf("at the end: run histogram (n %d, sum %v) differs from the one-by-one one (n %d, sum %v)", got.Count(), got.Sum(), want.Count(), want.Sum())
	}
	if want.Count() < 5000 {
		t.Fatalf("only %d completions counted: the trace should have many more", want.Count())
	}
}
