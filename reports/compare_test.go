package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// run is a one-service ComparedRun: web costing usd, with an SLO met or
// missed (slo "met", "missed") or none (slo "").
func compareRunFixture(label string, usd float64, slo string) ComparedRun {
	s := ServiceSummary{Policy: label, Requests: Requests{Arrived: 1000, Completed: 990, Rejected: 10},
		Cost: Cost{USD: usd, InstanceHours: usd * 10}}
	if slo != "" {
		s.SLO = &SLOResult{Met: slo == "met", LatencyTargetS: 0.5, Percentile: 99, Objective: 0.99, Attainment: 0.995}
		if slo == "missed" {
			s.SLO.Attainment = 0.95
		}
	}
	return ComparedRun{Label: label, Source: label, Folder: label,
		Summary: Summary{Scenario: "s", Seed: 1, DurationS: 600, Services: map[string]ServiceSummary{"web": s}}}
}

// withAttainment sets r's web SLO attainment.
func withAttainment(r ComparedRun, a float64) ComparedRun {
	s := r.Summary.Services["web"]
	slo := *s.SLO
	slo.Attainment = a
	s.SLO = &slo
	r.Summary.Services["web"] = s
	return r
}

func TestComparisonVerdict(t *testing.T) {
	cases := []struct {
		name string
		runs []ComparedRun
		want string // Verdict.String()
		meet string // CheapestMeetingSLO
	}{
		{"cheapest that meets", []ComparedRun{
			compareRunFixture("a", 3, "met"), compareRunFixture("b", 1, "missed"), compareRunFixture("c", 2, "met")},
			"the cheapest policy that meets the SLO is c ($2.00)", "c"},
		{"none meets", []ComparedRun{
			compareRunFixture("a", 3, "missed"), compareRunFixture("b", 0.5, "missed")},
			"no policy met the SLO; closest: b at 95.0% within 500.0ms (target 99.0%), $0.5000", ""},
		// The flash-crowd case: the cheapest policy times out most requests;
		// the verdict names the closest and says how far the cheapest is.
		{"cheapest is worst", []ComparedRun{
			compareRunFixture("cpu", 0.49, "missed"), withAttainment(compareRunFixture("rif", 0.25, "missed"), 0.299),
			withAttainment(compareRunFixture("latency", 1.15, "missed"), 0.882)},
			"no policy met the SLO; closest: cpu at 95.0% within 500.0ms (target 99.0%), $0.4900; " +
				"the cheapest, rif ($0.2500), misses it at 29.9%", ""},
		{"no SLO", []ComparedRun{
			compareRunFixture("a", 3, ""), compareRunFixture("b", 4, "")},
			"no service has an SLO, so this is on cost alone: the cheapest policy is a ($3.00), but 1.0% of its requests did not complete", ""},
		// Equal costs go to the policy given first.
		{"tie", []ComparedRun{
			compareRunFixture("x", 2, "met"), compareRunFixture("y", 2, "met")},
			"the cheapest policy that meets the SLO is x ($2.00)", "x"},
		{"nothing", nil, "nothing was compared", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Comparison{Runs: tc.runs}
			v := c.Verdict()
			if got := v.String(); got != tc.want {
				t.Errorf("verdict %q, want %q", got, tc.want)
			}
			if v.CheapestMeetingSLO != tc.meet {
				t.Errorf("cheapest meeting the SLO %q, want %q", v.CheapestMeetingSLO, tc.meet)
			}
			j := c.JSON()
			if (j.CheapestMeetingSLO == nil) != (tc.meet == "") || (j.CheapestMeetingSLO != nil && *j.CheapestMeetingSLO != tc.meet) {
				t.Errorf("comparison.json cheapest_meeting_slo %v, want %q", j.CheapestMeetingSLO, tc.meet)
			}
		})
	}
}

// A policy meets the SLO only when every service with one meets it, and
// costs what all its services cost.
func TestComparisonTwoServices(t *testing.T) {
	a := compareRunFixture("a", 1, "met")
	a.Summary.Services["db"] = ServiceSummary{Policy: "static", Cost: Cost{USD: 5, InstanceHours: 50},
		SLO: &SLOResult{Met: false, Attainment: 0.5, Percentile: 99, LatencyTargetS: 0.1}}
	b := compareRunFixture("b", 2, "met")
	b.Summary.Services["db"] = ServiceSummary{Policy: "static", Cost: Cost{USD: 5, InstanceHours: 50},
		SLO: &SLOResult{Met: true, Attainment: 0.995, Percentile: 99, LatencyTargetS: 0.1}}
	c := &Comparison{Scenario: "s", Seed: 1, DurationS: 600, Compared: []string{"web"}, Runs: []ComparedRun{a, b}}
	if usd, hours := a.Cost(); usd != 6 || hours != 60 {
		t.Errorf("a costs %v USD, %v h; want 6, 60", usd, hours)
	}
	if v := c.Verdict(); v.CheapestMeetingSLO != "b" || v.Cheapest != "a" {
		t.Errorf("verdict %+v, want b meeting, a cheapest", v)
	}
	var out bytes.Buffer
	if err := WriteComparisonTable(&out, c); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// web (compared) before db; a total per policy; the verdict.
	for _, want := range []string{"web      a ", "db       a (static)", "a       $6.00       60.00       missed by db",
		"b       $7.00       70.00       met", "the cheapest policy that meets the SLO is b ($7.00)"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "web      a") > strings.Index(got, "db       a") {
		t.Errorf("the compared service is not first:\n%s", got)
	}
}

func TestWriteComparisonCSVAndJSON(t *testing.T) {
	a := compareRunFixture("cpu", 0.25, "met")
	b := compareRunFixture("mine", 0.125, "missed")
	b.Source = "policies/mine, v2.yaml" // quoted in the CSV
	b.Summary.Services["web"] = func(s ServiceSummary) ServiceSummary {
		s.Policy = "latency"
		s.Replicas = Replicas{Min: 1, Mean: 2.5, Max: 4}
		s.LatencyS = Latency{P95: 0.2, P99: math.Inf(1), Max: 0.75} // beyond: inf in the CSV, null in the JSON
		s.ScalingActions = ScalingActions{Up: 3, Down: 1}
		return s
	}(b.Summary.Services["web"])
	a.Summary.Services["db"] = ServiceSummary{Policy: "static", Requests: Requests{Arrived: 7, Completed: 6, InFlightAtEnd: 1}}
	b.Summary.Services["db"] = a.Summary.Services["db"]
	c := &Comparison{Scenario: "s", Seed: 9, DurationS: 600, Compared: []string{"web"}, Runs: []ComparedRun{a, b}}
	var out bytes.Buffer
	if err := WriteComparisonCSV(&out, c); err != nil {
		t.Fatal(err)
	}
	want := ComparisonHeader + "\n" +
		"cpu,cpu,db,static,7,6,0,0,0,1,0,0,0,0,0,0,,,0,0\n" +
		"cpu,cpu,web,cpu,1000,990,10,0,0,0,0.25,2.5,0,0,0,0,0.995,true,0,0\n" +
		"mine,\"policies/mine, v2.yaml\",db,static,7,6,0,0,0,1,0,0,0,0,0,0,,,0,0\n" +
		"mine,\"policies/mine, v2.yaml\",web,latency,1000,990,10,0,0,0,0.125,1.25,2.5,4,0.2,inf,0.95,false,3,1\n"
	if out.String() != want {
		t.Errorf("comparison.csv:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	if err := WriteComparisonJSON(&out, c); err != nil {
		t.Fatal(err)
	}
	var j ComparisonJSON
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Policies) != 2 || j.Policies[1].Label != "mine" || j.Policies[1].CostUSD != 0.125 ||
		*j.Policies[1].SLOMet || !*j.Policies[0].SLOMet || j.Policies[0].Services["db"].SLOMet != nil ||
		j.Policies[1].Services["web"].ScalingUp != 3 || j.Cheapest != "mine" || *j.CheapestMeetingSLO != "cpu" ||
		j.Verdict != "the cheapest policy that meets the SLO is cpu ($0.2500)" || !slices.Equal(j.ComparedServices, []string{"web"}) {
		t.Errorf("comparison.json:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `"latency_p99_s": null`) || !Beyond(float64(j.Policies[1].Services["web"].LatencyP99S)) {
		t.Errorf("comparison.json: a p99 beyond every latency is not null:\n%s", out.String())
	}
	// Services without an SLO give null, not a made-up attainment.
	if !strings.Contains(out.String(), `"slo_attainment": null`) {
		t.Errorf("comparison.json: no null slo_attainment for db:\n%s", out.String())
	}
}

func TestArrivalsDiffer(t *testing.T) {
	a, b := compareRunFixture("a", 1, ""), compareRunFixture("b", 1, "")
	c := &Comparison{Runs: []ComparedRun{a, b}}
	if d := c.ArrivalsDiffer(); d != nil {
		t.Errorf("ArrivalsDiffer %v on identical runs", d)
	}
	s := b.Summary.Services["web"]
	s.Requests.Arrived++
	b.Summary.Services["web"] = s
	c.Runs[1] = b
	if d := c.ArrivalsDiffer(); !slices.Equal(d, []string{"web"}) {
		t.Errorf("ArrivalsDiffer %v, want [web]", d)
	}
	var out bytes.Buffer
	WriteComparisonTable(&out, c)
	if !strings.Contains(out.String(), "note: arrivals differ between policies for web") {
		t.Errorf("the table does not say so:\n%s", out.String())
	}
}
