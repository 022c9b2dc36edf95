package plots

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalesim/scalesim/reports"
	"gonum.org/v1/plot"
)

// synthetic describes the results folder writeSynthetic makes: a 2-hour
// run sampled every 10 s with two services. web follows a daily-like wave
// with a flash crowd at 40-50 min, scales with a lag, loses every
// instance in a zone outage at 60-66 min (no completions then: empty
// latency and CPU cells), has an instance crash at 30 min and a
// dependency outage from 110 min that is still on at the end. api has no
// SLO and a flat load.
type synthetic struct {
	durationS, intervalS float64
	decisions            int
}

var syntheticRun = synthetic{durationS: 7200, intervalS: 10, decisions: 620}

func (sy synthetic) write(t testing.TB, dir string) reports.Summary {
	t.Helper()
	nan := math.NaN()
	ts := []byte(reports.TimeseriesHeader + "\n")
	replicas := 3.0
	for i := 1; float64(i)*sy.intervalS <= sy.durationS; i++ {
		now := float64(i) * sy.intervalS
		min := now / 60
		rate := 120 + 60*math.Sin(2*math.Pi*now/sy.durationS)
		if min >= 40 && min < 50 {
			rate += 350
		}
		desired := math.Max(2, math.Ceil(rate/45))
		starting := 0.0
		switch {
		case replicas < desired:
			starting = math.Min(desired-replicas, 2)
			replicas += 1
		case replicas > desired:
			replicas -= 0.5
		}
		ready := math.Floor(replicas)
		draining := 0.0
		if ready > desired {
			draining = ready - desired
		}
		outage := min >= 60 && min < 66
		util := rate / (ready * 50)
		p50 := 0.02 * (1 + util)
		p95, p99 := p50*2.5, p50*4+0.1*math.Max(0, util-0.9)
		rejected, failed, timedOut := 0.0, 0.0, 0.0
		if util > 1.1 {
			timedOut = math.Round(3 * (util - 1.1) * 10)
		}
		if draining > 0 {
			failed = 1
		}
		if outage {
			ready, starting, util = 0, desired, nan
			p50, p95, p99 = nan, nan, nan
			rejected = math.Round(rate * sy.intervalS)
		}
		web := reports.TimeseriesRow{TimeS: now, Service: "web", ArrivalRPS: rate, ReplicasDesired: int64(desired),
			ReplicasReady: int64(ready), ReplicasStarting: int64(starting), ReplicasDraining: int64(draining),
			CPUUtilization: util, LatencyP50S: p50, LatencyP95S: p95, LatencyP99S: p99,
			Rejected: int64(rejected), Failed: int64(failed), TimedOut: int64(timedOut),
			Errors: int64(rejected + failed + timedOut), LatencyMeanS: p50, LatencyMaxS: p99, QueueWaitMeanS: nan,
			CPUCores: nan, MemoryBytes: nan}
		// Memory: 300 MiB a ready instance against 256 MiB requested and
		// 512 MiB of limit an alive one; at 45 min (in the flash crowd)
		// an OOM kill per interval for a minute, each restarted the next
		// interval. Throttling: 100 CFS periods per instance per 10 s, a
		// share of them throttled while utilization is above 90%.
		const mib = 1 << 20
		web.MemoryBytes = ready * 300 * mib
		web.MemoryRequestBytes = (ready + starting + draining) * 256 * mib
		web.MemoryLimitBytes = (ready + starting + draining) * 512 * mib
		if min >= 45 && min < 46 {
			web.OOMKills = 1
		}
		if min > 45+1.0/6 && min < 46+1.0/6 {
			web.Restarts = 1
		}
		if !outage {
			web.CPUPeriods = int64(ready) * 100
			web.CPUThrottledPeriods = int64(float64(web.CPUPeriods) * math.Min(1, math.Max(0, util-0.9)))
			web.CPUThrottledSeconds = float64(web.CPUThrottledPeriods) * 0.02
		}
		api := reports.TimeseriesRow{TimeS: now, Service: "api", ArrivalRPS: 20, ReplicasDesired: 2, ReplicasReady: 2,
			CPUUtilization: 0.35, LatencyP50S: 0.004, LatencyP95S: 0.009, LatencyP99S: 0.015,
			LatencyMeanS: 0.005, LatencyMaxS: 0.02, QueueWaitMeanS: 0, CPUCores: 0.7, MemoryBytes: 1 << 28}
		ts = reports.AppendTimeseriesRow(ts, &web)
		ts = reports.AppendTimeseriesRow(ts, &api)
	}
	writeTestFile(t, dir, reports.TimeseriesFile, ts)

	var ev bytes.Buffer
	enc := json.NewEncoder(&ev)
	for _, e := range []reports.EventRecord{
		{TimeS: 0, Service: "web", Kind: "instance-ready", Instance: "web-1", Counts: &reports.CountsRecord{Desired: 3, Ready: 1, Alive: 1}},
		{TimeS: 1800, Service: "web", Kind: reports.FaultKind, Detail: "instance-crash web x1", Counts: &reports.CountsRecord{Desired: 3, Ready: 2, Alive: 2}},
		{TimeS: 3600, Kind: reports.FaultStartKind, Detail: "zone-outage a"},
		{TimeS: 3700, Service: "web", Kind: "instance-terminated", Instance: "web-2", Counts: &reports.CountsRecord{}},
		{TimeS: 3960, Kind: reports.FaultEndKind, Detail: "zone-outage a"},
		{TimeS: 6600, Service: "web", Kind: reports.FaultStartKind, Detail: "dependency-outage web slow +200ms", Counts: &reports.CountsRecord{}},
	} {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, dir, reports.EventsFile, ev.Bytes())

	var dec bytes.Buffer
	enc = json.NewEncoder(&dec)
	// web, every 15 s: a change every tenth decision (3 -> 4, 4 -> 3, 5 -> 6,
	// 6 -> 5, ...), then four held by the stabilization window (one
	// timeline row), one within the tolerance (a dead band: no row), four
	// quiet. api, every 750 s: held at its max, then quiet, in turn.
	after := 3
	for i := range sy.decisions {
		d := reports.DecisionRecord{TimeS: float64(15 * (i + 1)), Service: "web", Policy: "cpu", Valid: true,
			Reason: "unchanged", Before: after, Raw: after, Desired: after, After: after,
			Min: 2, Max: 20, Inputs: []reports.InputRecord{{Name: "utilization", Value: 0.9}},
			Explanation: fmt.Sprintf("decision %d: utilization 92%% vs target 70%% -> ceil(4 x 1.31) = 6 <tag>", i)}
		switch k := i % 10; {
		case k == 0:
			d.Before = 3 + (i/10)%4
			d.After, d.Reason = d.Before+1, "scale-up"
			if (i/10)%2 == 1 {
				d.After, d.Reason = d.Before-1, "scale-down"
			}
			d.Raw, d.Desired, d.Changed = d.After, d.After, true
			after = d.After
		case k <= 4:
			d.Reason, d.Raw = "stabilized", after-1
			d.Limits = []reports.Limit{{Name: "stabilization", From: after - 1, To: after, Detail: "window"}}
		case k == 5:
			d.Reason, d.Raw = "within-tolerance", after+1
			d.Limits = []reports.Limit{{Name: "tolerance", From: after + 1, To: after}}
		}
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			a := reports.DecisionRecord{TimeS: d.TimeS, Service: "api", Policy: "static", Valid: true, Reason: "unchanged",
				Before: 2, Raw: 2, Desired: 2, After: 2, Min: 1, Max: 2, Explanation: fmt.Sprintf("api decision %d", i)}
			if i%100 == 0 {
				a.Reason, a.Raw = "max", 3
				a.Limits = []reports.Limit{{Name: "max", From: 3, To: 2, Detail: "max replicas 2"}}
			}
			if err := enc.Encode(a); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeTestFile(t, dir, reports.DecisionsFile, dec.Bytes())

	// instances.json: five web instances on two nodes over 120 columns of
	// 60 s; web-2 holds 30 requests and runs at 150% of its request, the
	// others 3 and 40%; web-4 starts at column 40 and is pending for 5.
	jnan := reports.JSONFloat(math.NaN())
	rec := reports.InstancesRecord{Columns: 120, ColumnS: sy.durationS / 120}
	for i := range 5 {
		row := reports.InstanceRow{Service: "web", Name: fmt.Sprintf("web-%d", i), Node: fmt.Sprintf("node-%d", i%2), CPURequest: 0.5}
		for k := range 120 {
			held, cpu, state := reports.JSONFloat(3), reports.JSONFloat(0.4), "ready"
			if i == 2 {
				held, cpu = 30, 1.5
			}
			switch {
			case i == 4 && k < 40:
				held, cpu, state = jnan, jnan, ""
			case i == 4 && k < 45:
				held, cpu, state = 0, 0, "pending"
			}
			row.InFlight = append(row.InFlight, held)
			row.CPUUtilization = append(row.CPUUtilization, cpu)
			row.MemoryBytes = append(row.MemoryBytes, 1<<28)
			row.State = append(row.State, state)
		}
		rec.Instances = append(rec.Instances, row)
	}
	for i := range 2 {
		n := reports.NodeRow{Name: fmt.Sprintf("node-%d", i), Pool: "general", Zone: "a", CPUCores: 4, MemoryBytes: 16 << 30}
		for range 120 {
			n.CPUUsedCores = append(n.CPUUsedCores, reports.JSONFloat(1+float64(i)))
			n.MemoryUsedBytes = append(n.MemoryUsedBytes, 1<<30)
			n.CPURequestedCores = append(n.CPURequestedCores, 1)
			n.MemoryRequestedBytes = append(n.MemoryRequestedBytes, 1<<30)
		}
		rec.Nodes = append(rec.Nodes, n)
	}
	ib, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dir, reports.InstancesFile, ib)

	s := reports.Summary{Scenario: "flash-crowd", Seed: 42, DurationS: sy.durationS, Events: 1234567, WallS: 0.812,
		Services: map[string]reports.ServiceSummary{
			"web": {Policy: "cpu",
				Requests: reports.Requests{Arrived: 987654, Completed: 975000, Rejected: 12000, Failed: 321, TimedOut: 300, InFlightAtEnd: 33},
				LatencyS: reports.Latency{Mean: 0.041, P50: 0.0379, P90: 0.081, P95: 0.0935, P99: math.Inf(1), P999: math.Inf(1), Max: 1.2,
					NotCompleted: 0.0128},
				LatencyCompletedS:  reports.Latency{Mean: 0.041, P50: 0.0375, P90: 0.08, P95: 0.0912, P99: 0.1834, P999: 0.35, Max: 1.2},
				Replicas:           reports.Replicas{Min: 0, Mean: 5.37, Max: 12},
				ScalingActions:     reports.ScalingActions{Up: 17, Down: 13},
				CPUUtilizationMean: 0.6421,
				Cost:               reports.Cost{InstanceHours: 10.74, USD: 3.87},
				SLO:                &reports.SLOResult{Met: false, LatencyTargetS: 0.25, Percentile: 99, Attainment: 0.9812}},
			"api": {Policy: "static",
				Requests:          reports.Requests{Arrived: 144000, Completed: 144000},
				LatencyS:          reports.Latency{Mean: 0.005, P50: 0.004, P90: 0.008, P95: 0.009, P99: 0.015, P999: 0.019, Max: 0.02},
				LatencyCompletedS: reports.Latency{Mean: 0.005, P50: 0.004, P90: 0.008, P95: 0.009, P99: 0.015, P999: 0.019, Max: 0.02},
				Replicas:          reports.Replicas{Min: 2, Mean: 2, Max: 2}, CPUUtilizationMean: 0.35,
				Cost: reports.Cost{InstanceHours: 4, USD: 1.44}},
		},
		Warnings: []reports.Warning{{Code: reports.WarnErrors, Service: "web", Message: "12621 of 987654 requests (1.3%) did not complete <b>"}}}
	if err := reports.WriteSummaryFile(filepath.Join(dir, reports.SummaryFile), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func writeTestFile(t testing.TB, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var syntheticPlotOptions = reports.PlotOptions{
	Warmup:   5 * time.Minute,
	Services: map[string]reports.ServicePlotOptions{"web": {TargetUtilization: 0.7}},
}

func TestWritePlotsPNG(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	files, err := WritePlots(dir, reports.PNG, syntheticPlotOptions)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, svc := range []string{"api", "web"} {
		for _, k := range reports.PlotKinds {
			want = append(want, k+"-"+svc+".png")
		}
	}
	// api has memory figures only; web also CPU throttling and the
	// instances; the nodes last.
	want = slices.Insert(want, 5, "memory-api.png")
	want = append(want, "memory-web.png", "throttling-web.png", "instances-web.png", "nodes.png")
	if !slices.Equal(files, want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for _, name := range files {
		cfg := pngConfig(t, filepath.Join(dir, name))
		minW, minH := 800, 450
		switch {
		case strings.HasPrefix(name, reports.PlotDashboard):
			minW, minH = 1600, 1000
		case name == "nodes.png": // two rows of two panels
			minH = 250
		}
		if cfg.Width < minW || cfg.Height < minH {
			t.Errorf("%s is %dx%d, want at least %dx%d", name, cfg.Width, cfg.Height, minW, minH)
		}
	}
	// The web CPU plot shows the fault shading: some pixels have its tint
	// over white, and the lines their colours.
	img := decodePNG(t, filepath.Join(dir, "cpu-web.png"))
	if n := countNear(img, blend(colFaultFill), 6); n < 2000 {
		t.Errorf("cpu-web.png: %d pixels of the fault shade, want many", n)
	}
	if n := countNear(img, colBlue, 40); n < 300 {
		t.Errorf("cpu-web.png: %d pixels of the utilization line, want many", n)
	}
}

func TestWritePlotsSVG(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	files, err := WritePlots(dir, reports.SVG, syntheticPlotOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*len(reports.PlotKinds)+5 {
		t.Fatalf("files %v", files)
	}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w, h := checkSVG(t, name, b)
		if name == "nodes.svg" {
			h *= 2
		}
		if w < 600 || h < 350 {
			t.Errorf("%s is %gx%g pt, want at least 600x350", name, w, h)
		}
		s := string(b)
		for _, text := range []string{"time (min)"} {
			if !strings.Contains(s, text) {
				t.Errorf("%s lacks %q", name, text)
			}
		}
	}
	web, err := os.ReadFile(filepath.Join(dir, "latency-web.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"web — latency percentiles", "latency (s, log scale)", "p50", "p95", "p99",
		"SLO: p99 ≤ 250 ms", "zone-outage a", "instance-crash web x1", "dependency-outage web slow +200ms",
		"warmup", "fault"} {
		if !strings.Contains(string(web), text) {
			t.Errorf("latency-web.svg lacks %q", text)
		}
	}
	api, err := os.ReadFile(filepath.Join(dir, "cpu-api.svg"))
	if err != nil {
		t.Fatal(err)
	}
	// The zone outage concerns every service; web's own faults only web.
	if s := string(api); !strings.Contains(s, "zone-outage a") || strings.Contains(s, "instance-crash") {
		t.Errorf("cpu-api.svg: wrong faults")
	}
}

// TestPlotsEdgeCases: an empty run, a single row, all-NaN columns, an
// unknown format, and a long run (decimated) all draw or fail cleanly.
func TestPlotsEdgeCases(t *testing.T) {
	if _, err := WritePlots(t.TempDir(), "gif", reports.PlotOptions{}); err == nil || !strings.Contains(err.Error(), "gif") {
		t.Errorf("format gif: err = %v", err)
	}
	if _, err := WritePlots(t.TempDir(), reports.PNG, reports.PlotOptions{}); err == nil || !strings.Contains(err.Error(), reports.SummaryFile) {
		t.Errorf("empty folder: err = %v", err)
	}

	for _, tc := range []struct {
		name string
		rows []reports.TimeseriesRow
		dur  float64
	}{
		{"no rows", nil, 60},
		{"one row", []reports.TimeseriesRow{{TimeS: 10, Service: "web", ArrivalRPS: 5, ReplicasReady: 1}}, 10},
		{"all NaN", func() []reports.TimeseriesRow {
			var rows []reports.TimeseriesRow
			for i := 1; i <= 30; i++ {
				nan := math.NaN()
				rows = append(rows, reports.TimeseriesRow{TimeS: float64(i), Service: "web", ArrivalRPS: nan,
					CPUUtilization: nan, LatencyP50S: nan, LatencyP95S: nan, LatencyP99S: nan})
			}
			return rows
		}(), 30},
		{"isolated points", func() []reports.TimeseriesRow {
			var rows []reports.TimeseriesRow
			for i := 1; i <= 30; i++ {
				v := math.NaN()
				if i%3 == 0 {
					v = 0.01 * float64(i)
				}
				rows = append(rows, reports.TimeseriesRow{TimeS: float64(60 * i), Service: "web", CPUUtilization: v,
					LatencyP50S: v, LatencyP95S: v, LatencyP99S: 0}) // 0 on a log axis: skipped
			}
			return rows
		}(), 1800},
		{"two days", func() []reports.TimeseriesRow {
			var rows []reports.TimeseriesRow
			for i := 1; i <= 17280; i++ {
				v := float64(i % 97)
				lat := 0.01 + v/1000
				if i%500 < 20 {
					lat = math.NaN()
				}
				rows = append(rows, reports.TimeseriesRow{TimeS: float64(10 * i), Service: "web", ArrivalRPS: v,
					ReplicasReady: int64(i % 7), CPUUtilization: v / 97, LatencyP50S: lat, LatencyP95S: 2 * lat,
					LatencyP99S: 3 * lat, Rejected: int64(i % 3)})
			}
			return rows
		}(), 172800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ts := []byte(reports.TimeseriesHeader + "\n")
			for i := range tc.rows {
				ts = reports.AppendTimeseriesRow(ts, &tc.rows[i])
			}
			writeTestFile(t, dir, reports.TimeseriesFile, ts)
			s := reports.Summary{Scenario: "edge", DurationS: tc.dur, Services: map[string]reports.ServiceSummary{"web": {Policy: "cpu",
				SLO: &reports.SLOResult{LatencyTargetS: 0.1, Percentile: 95}}}}
			if err := reports.WriteSummaryFile(filepath.Join(dir, reports.SummaryFile), s); err != nil {
				t.Fatal(err)
			}
			// A fault that starts after the end and one at the very end.
			writeTestFile(t, dir, reports.EventsFile, []byte(fmt.Sprintf(
				`{"time_s":%g,"kind":"fault-start","detail":"late"}`+"\n"+`{"time_s":%g,"kind":"fault","detail":"end"}`+"\n",
				tc.dur+100, tc.dur)))
			for _, format := range []string{reports.PNG, reports.SVG} {
				files, err := WritePlots(dir, format, reports.PlotOptions{Warmup: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				if len(files) != len(reports.PlotKinds) {
					t.Errorf("files %v", files)
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, "latency-web.svg"))
			if err != nil {
				t.Fatal(err)
			}
			checkSVG(t, "latency-web.svg", b)
			if tc.name == "two days" {
				if !bytes.Contains(b, []byte("time (h)")) {
					t.Errorf("a two-day run is not in hours")
				}
				if len(b) > 400<<10 {
					t.Errorf("latency-web.svg is %d bytes: not decimated?", len(b))
				}
			}
		})
	}
}

func TestNewSeriesDecimation(t *testing.T) {
	n := 10 * maxPoints
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], ys[i] = float64(i), float64(i%10)
	}
	ys[12345] = 1000 // a spike survives
	for i := 3000; i < 3100; i++ {
		ys[i] = math.NaN() // a gap over whole buckets survives
	}
	s := newSeries(xs, ys, solid(colBlue, 1), true)
	if len(s.xs) > maxPoints || s.step {
		t.Fatalf("%d points, step %v", len(s.xs), s.step)
	}
	if !slices.Contains(s.ys, 1000) {
		t.Errorf("spike lost")
	}
	if !slices.ContainsFunc(s.ys, math.IsNaN) {
		t.Errorf("gap lost")
	}
	if _, _, lo, hi := s.DataRange(); lo != 0 || hi != 1000 {
		t.Errorf("range %v..%v", lo, hi)
	}
	short := newSeries(xs[:10], ys[:10], solid(colBlue, 1), true)
	if len(short.xs) != 10 || !short.step || short.first != -1 {
		t.Errorf("short series changed: %+v", short)
	}
}

func TestTicks(t *testing.T) {
	labels := func(ts []plot.Tick) []string {
		var out []string
		for _, t := range ts {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return out
	}
	for _, tc := range []struct {
		end  float64
		want string
	}{
		{100, "0 10 20 30 40 50 60 70 80 90 100"},
		{3600, "0 10 20 30 40 50 60"},
		{7200, "0 15 30 45 60 75 90 105 120"},
		{86400, "0 3 6 9 12 15 18 21 24"},
		{4 * 3600, "0 0.5 1 1.5 2 2.5 3 3.5 4"},
	} {
		ta := newTimeAxis(tc.end)
		got := strings.Join(labels(stepTicks{steps: ta.steps}.Ticks(0, tc.end/ta.unit)), " ")
		if got != tc.want {
			t.Errorf("time axis for %gs: %q, want %q", tc.end, got, tc.want)
		}
	}
	for _, tc := range []struct {
		lo, hi  float64
		integer bool
		want    string
	}{
		{0, 2.2, true, "0 1 2"},
		{0, 13.4, true, "0 2 4 6 8 10 12"},
		{0, 560, false, "0 100 200 300 400 500"},
		{0, 230, false, "0 50 100 150 200"},
		{0, 1.12, false, "0 0.2 0.4 0.6 0.8 1"},
		{0, 0.3, false, "0 0.05 0.1 0.15 0.2 0.25 0.3"},
		{0, 12.5, false, "0 2 4 6 8 10 12"},
		{0, 1344, false, "0 200 400 600 800 1000 1200"},
	} {
		if got := strings.Join(labels(niceTicks{tc.integer}.Ticks(tc.lo, tc.hi)), " "); got != tc.want {
			t.Errorf("ticks %v..%v: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
	if got := strings.Join(labels(logTicks{}.Ticks(0.003, 2)), " "); got != "0.005 0.01 0.02 0.05 0.1 0.2 0.5 1 2" {
		t.Errorf("log ticks: %q", got)
	}
	if got := strings.Join(labels(logTicks{}.Ticks(1e-4, 100)), " "); got != "0.0001 0.001 0.01 0.1 1 10 100" {
		t.Errorf("wide log ticks: %q", got)
	}
}

func TestShortSeconds(t *testing.T) {
	for in, want := range map[float64]string{0.25: "250 ms", 0.0125: "12.5 ms", 10: "10 s", 5e-5: "50 µs", 300: "5 min", 7200: "2 h"} {
		if got := shortSeconds(in); got != want {
			t.Errorf("shortSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}

// checkSVG parses b as XML and returns the root's size in points.
func checkSVG(t *testing.T, name string, b []byte) (w, h float64) {
	t.Helper()
	var root struct {
		XMLName xml.Name
		Width   string `xml:"width,attr"`
		Height  string `xml:"height,attr"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("%s: root <%s>", name, root.XMLName.Local)
	}
	// Every element must parse, not just the root.
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: %v", name, err)
			}
			break
		}
	}
	w, _ = strconv.ParseFloat(strings.TrimSuffix(root.Width, "pt"), 64)
	h, _ = strconv.ParseFloat(strings.TrimSuffix(root.Height, "pt"), 64)
	return w, h
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// blend is c drawn over white.
func blend(c color.NRGBA) color.NRGBA {
	a := float64(c.A) / 255
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v)*a + 255*(1-a))) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 255}
}

// countNear counts the pixels of img within tol (per channel) of c.
func countNear(img image.Image, c color.NRGBA, tol int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if abs(int(p.R)-int(c.R)) <= tol && abs(int(p.G)-int(c.G)) <= tol && abs(int(p.B)-int(c.B)) <= tol {
				n++
			}
		}
	}
	return n
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestPlotsDeterministic: the same folder gives the same bytes.
func TestPlotsDeterministic(t *testing.T) {
	dir := t.TempDir()
	syntheticRun.write(t, dir)
	run := func() map[string][]byte {
		out := map[string][]byte{}
		for _, format := range []string{reports.PNG, reports.SVG} {
			files, err := WritePlots(dir, format, syntheticPlotOptions)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				out[f], err = os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		return out
	}
	first, second := run(), run()
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two identical calls", name)
		}
	}
}

// pngConfig decodes the header of the PNG file at path, failing the test
// if it is not one.
func pngConfig(t *testing.T, path string) image.Config {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || format != "png" {
		t.Fatalf("%s: %v (format %q)", filepath.Base(path), err, format)
	}
	return cfg
}
