package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// A comparison is one scenario run once per autoscaler setting on the same
// traffic (`scalesim compare`). Its folder holds one results folder per
// setting, as `run` writes it, and beside them:
//
//   - comparison.csv: one row per setting and service (services sorted by
//     name within a setting, settings in the order given), the columns of
//     ComparisonHeader;
//   - comparison.json: the same figures grouped by setting, each setting's
//     total cost over all services and whether it meets every SLO, and the
//     verdict: the cheapest setting that meets the SLO;
//   - the overlay plots (see WriteComparisonPlots).
//
// A setting meets the SLO when every service that has an SLO met it; its
// cost is the sum of every service's cost. Ties in cost go to the setting
// given first. Both files are byte-deterministic (wall time is left out).

// Files of a comparison folder.
const (
	ComparisonCSVFile  = "comparison.csv"
	ComparisonJSONFile = "comparison.json"
)

// ComparedRun is one autoscaler setting's run.
type ComparedRun struct {
	// Label names the setting in the table, the files and the plots.
	Label string
	// Source is where the setting came from: a policy name, or the file
	// holding an autoscaler block.
	Source string
	// Folder is the run's results folder, relative to the comparison's.
	Folder string
	// Summary is the run's summary.json.
	Summary Summary
}

// Comparison is a finished comparison: the runs in the order given.
type Comparison struct {
	Scenario  string
	Seed      uint64
	DurationS float64
	// Compared are the services whose autoscaler the settings replace,
	// sorted. The others run as the scenario says in every run.
	Compared []string
	Runs     []ComparedRun
}

// ComparedService is one service's figures in one run: a row of
// comparison.csv, and an entry of comparison.json.
type ComparedService struct {
	// Policy is the autoscaling policy the service ran under.
	Policy        string  `json:"policy"`
	Arrived       uint64  `json:"arrived"`
	Completed     uint64  `json:"completed"`
	Rejected      uint64  `json:"rejected"`
	Failed        uint64  `json:"failed"`
	TimedOut      uint64  `json:"timed_out"`
	InFlightAtEnd uint64  `json:"in_flight_at_end"`
	CostUSD       float64 `json:"cost_usd"`
	InstanceHours float64 `json:"instance_hours"`
	ReplicasMean  float64 `json:"replicas_mean"`
	ReplicasMax   int     `json:"replicas_max"`
	// LatencyP95S and LatencyP99S are summary.json's latency_s: null
	// (+Inf) when beyond every latency, the requests that did not
	// complete ranked above the slowest completed one (LatencyMaxS).
	LatencyP95S LatencyFloat `json:"latency_p95_s"`
	LatencyP99S LatencyFloat `json:"latency_p99_s"`
	LatencyMaxS float64      `json:"latency_max_s"`
	// SLOAttainment and SLOMet are null when the service has no SLO.
	SLOAttainment *float64 `json:"slo_attainment"`
	SLOMet        *bool    `json:"slo_met"`
	ScalingUp     int      `json:"scaling_up"`
	ScalingDown   int      `json:"scaling_down"`
}

func comparedService(s ServiceSummary) ComparedService {
	out := ComparedService{
		Policy:        s.Policy,
		Arrived:       s.Requests.Arrived,
		Completed:     s.Requests.Completed,
		Rejected:      s.Requests.Rejected,
		Failed:        s.Requests.Failed,
		TimedOut:      s.Requests.TimedOut,
		InFlightAtEnd: s.Requests.InFlightAtEnd,
		CostUSD:       s.Cost.USD,
		InstanceHours: s.Cost.InstanceHours,
		ReplicasMean:  s.Replicas.Mean,
		ReplicasMax:   s.Replicas.Max,
		LatencyP95S:   LatencyFloat(s.LatencyS.P95),
		LatencyP99S:   LatencyFloat(s.LatencyS.P99),
		LatencyMaxS:   s.LatencyS.Max,
		ScalingUp:     s.ScalingActions.Up,
		ScalingDown:   s.ScalingActions.Down,
	}
	if s.SLO != nil {
		a, m := s.SLO.Attainment, s.SLO.Met
		out.SLOAttainment, out.SLOMet = &a, &m
	}
	return out
}

// services returns the run's service names, sorted.
func (r *ComparedRun) services() []string {
	names := make([]string, 0, len(r.Summary.Services))
	for name := range r.Summary.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Cost is the run's cost over all services, in USD and instance hours.
func (r *ComparedRun) Cost() (usd, instanceHours float64) {
	for _, name := range r.services() {
		c := r.Summary.Services[name].Cost
		usd += c.USD
		instanceHours += c.InstanceHours
	}
	return clean(usd), clean(instanceHours)
}

// SLOMet reports whether every service with an SLO met it; has is false
// when no service has one.
func (r *ComparedRun) SLOMet() (met, has bool) {
	met = true
	for _, s := range r.Summary.Services {
		if s.SLO != nil {
			has = true
			met = met && s.SLO.Met
		}
	}
	return met, has
}

// Verdict is what a comparison concludes. It never names a policy without
// saying whether it meets the SLO, and by how much it misses it.
type Verdict struct {
	// HasSLO is false when no service has an SLO.
	HasSLO bool
	// Cheapest is the label of the run with the lowest total cost.
	Cheapest string
	// CheapestMeetingSLO is the label of the cheapest run that meets every
	// SLO; "" when none does (or there is no SLO).
	CheapestMeetingSLO string
	// Closest, when no run meets every SLO, is the label of the run that
	// comes closest: the smallest shortfall (objective minus attainment)
	// of its worst service; ties go to the cheaper run, then the one
	// given first. "" when some run meets the SLO or there is none.
	Closest string

	cheapestUSD, meetingUSD, closestUSD float64
	cheapestRun, closestRun             *ComparedRun
}

// worstSLO returns the service of r whose SLO falls shortest (the largest
// objective minus attainment), its result and the shortfall; ok is false
// when no service has an SLO.
func (r *ComparedRun) worstSLO() (name string, res *SLOResult, shortfall float64, ok bool) {
	for _, n := range r.services() {
		if slo := r.Summary.Services[n].SLO; slo != nil {
			if d := slo.Target() - slo.Attainment; !ok || d > shortfall {
				name, res, shortfall, ok = n, slo, d, true
			}
		}
	}
	return name, res, shortfall, ok
}

// notCompleted is the fraction of r's requests, over all services, that
// did not complete.
func (r *ComparedRun) notCompleted() float64 {
	var arrived, completed uint64
	for _, s := range r.Summary.Services {
		arrived += s.Requests.Arrived
		completed += s.Requests.Completed
	}
	if arrived == 0 {
		return 0
	}
	return float64(arrived-completed) / float64(arrived)
}

// Verdict names the cheapest run, the cheapest that meets the SLO, and
// when none does the closest. Equal costs go to the run given first.
func (c *Comparison) Verdict() Verdict {
	var v Verdict
	closest := math.Inf(1)
	for i := range c.Runs {
		r := &c.Runs[i]
		usd, _ := r.Cost()
		if v.Cheapest == "" || usd < v.cheapestUSD {
			v.Cheapest, v.cheapestUSD, v.cheapestRun = r.Label, usd, r
		}
		met, has := r.SLOMet()
		v.HasSLO = v.HasSLO || has
		if has && met && (v.CheapestMeetingSLO == "" || usd < v.meetingUSD) {
			v.CheapestMeetingSLO, v.meetingUSD = r.Label, usd
		}
		if _, _, d, ok := r.worstSLO(); ok && (d < closest || d == closest && usd < v.closestUSD) {
			closest, v.Closest, v.closestUSD, v.closestRun = d, r.Label, usd, r
		}
	}
	if v.CheapestMeetingSLO != "" {
		v.Closest, v.closestRun = "", nil
	}
	return v
}

// String says the verdict in one sentence.
func (v Verdict) String() string {
	switch {
	case v.Cheapest == "":
		return "nothing was compared"
	case !v.HasSLO:
		s := fmt.Sprintf("no service has an SLO, so this is on cost alone: the cheapest policy is %s (%s)", v.Cheapest, usd(v.cheapestUSD))
		if f := v.cheapestRun.notCompleted(); f > 0 {
			s += fmt.Sprintf(", but %s of its requests did not complete", share(f))
		}
		return s
	case v.CheapestMeetingSLO != "":
		return fmt.Sprintf("the cheapest policy that meets the SLO is %s (%s)", v.CheapestMeetingSLO, usd(v.meetingUSD))
	}
	s := "no policy met the SLO"
	if v.closestRun != nil {
		name, slo, _, _ := v.closestRun.worstSLO()
		s += fmt.Sprintf("; closest: %s at %s within %s", v.Closest, percent(slo.Attainment), seconds(slo.LatencyTargetS))
		if len(v.closestRun.Summary.Services) > 1 {
			s += " for " + name
		}
		s += fmt.Sprintf(" (target %s), %s", percent(slo.Target()), usd(v.closestUSD))
	}
	if v.Cheapest != v.Closest {
		s += fmt.Sprintf("; the cheapest, %s (%s), misses it", v.Cheapest, usd(v.cheapestUSD))
		if _, slo, _, ok := v.cheapestRun.worstSLO(); ok {
			s += fmt.Sprintf(" at %s", percent(slo.Attainment))
		}
	}
	return s
}

// usd formats a cost: cents above a dollar, four decimals below, so that
// the small costs of short runs still differ in print.
func usd(v float64) string {
	if v >= 1 || v == 0 {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("$%.4f", v)
}

// ArrivalsDiffer names the services whose arrived count is not the same
// in every run. With open-loop traffic (no retries, no clients) it is
// empty: arrivals come from their own random streams, which the policy
// does not touch. Retries and closed-loop clients make arrivals depend on
// how requests fare.
func (c *Comparison) ArrivalsDiffer() []string {
	var names []string
	if len(c.Runs) == 0 {
		return nil
	}
	for _, name := range c.Runs[0].services() {
		want := c.Runs[0].Summary.Services[name].Requests.Arrived
		for _, r := range c.Runs[1:] {
			if s, ok := r.Summary.Services[name]; !ok || s.Requests.Arrived != want {
				names = append(names, name)
				break
			}
		}
	}
	return names
}

// ComparisonHeader is the first line of comparison.csv. Numbers are as in
// summary.json; slo_attainment and slo_met are empty for a service
// without an SLO.
const ComparisonHeader = "policy,source,service,autoscaler,arrived,completed,rejected,failed,timed_out," +
	"in_flight_at_end,cost_usd,instance_hours,replicas_mean,replicas_max,latency_p95_s,latency_p99_s," +
	"slo_attainment,slo_met,scaling_up,scaling_down"

// WriteComparisonCSV writes comparison.csv.
func WriteComparisonCSV(w io.Writer, c *Comparison) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(strings.Split(ComparisonHeader, ","))
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	lf := func(v LatencyFloat) string {
		if Beyond(float64(v)) {
			return "inf"
		}
		return f(float64(v))
	}
	for i := range c.Runs {
		r := &c.Runs[i]
		for _, name := range r.services() {
			s := comparedService(r.Summary.Services[name])
			att, met := "", ""
			if s.SLOAttainment != nil {
				att, met = f(*s.SLOAttainment), strconv.FormatBool(*s.SLOMet)
			}
			cw.Write([]string{r.Label, r.Source, name, s.Policy, u(s.Arrived), u(s.Completed), u(s.Rejected),
				u(s.Failed), u(s.TimedOut), u(s.InFlightAtEnd), f(s.CostUSD), f(s.InstanceHours), f(s.ReplicasMean),
				strconv.Itoa(s.ReplicasMax), lf(s.LatencyP95S), lf(s.LatencyP99S), att, met,
				strconv.Itoa(s.ScalingUp), strconv.Itoa(s.ScalingDown)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: %s: %w", ComparisonCSVFile, err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("reports: writing %s: %w", ComparisonCSVFile, err)
	}
	return nil
}

// ComparisonJSON is comparison.json.
type ComparisonJSON struct {
	Scenario  string  `json:"scenario"`
	Seed      uint64  `json:"seed"`
	DurationS float64 `json:"duration_s"`
	// CompareServices are the services whose autoscaler varies.
	ComparedServices []string         `json:"compared_services"`
	Policies         []ComparedPolicy `json:"policies"`
	// Cheapest is the label of the cheapest policy overall.
	Cheapest string `json:"cheapest"`
	// CheapestMeetingSLO is null when no policy meets the SLO or no
	// service has one.
	CheapestMeetingSLO *string `json:"cheapest_meeting_slo"`
	// ClosestToSLO is, when no policy meets the SLO, the one that comes
	// closest (see Verdict.Closest); null otherwise.
	ClosestToSLO *string `json:"closest_to_slo"`
	// Verdict is Verdict.String(), as printed.
	Verdict string `json:"verdict"`
}

// ComparedPolicy is one autoscaler setting in comparison.json.
type ComparedPolicy struct {
	Label  string `json:"label"`
	Source string `json:"source"`
	// Folder holds the run's results, relative to comparison.json.
	Folder        string  `json:"folder"`
	CostUSD       float64 `json:"cost_usd"`
	InstanceHours float64 `json:"instance_hours"`
	// SLOMet is whether every service with an SLO met it; null when none
	// has one.
	SLOMet   *bool                      `json:"slo_met"`
	Services map[string]ComparedService `json:"services"`
}

// JSON returns the comparison as comparison.json holds it.
func (c *Comparison) JSON() ComparisonJSON {
	v := c.Verdict()
	out := ComparisonJSON{Scenario: c.Scenario, Seed: c.Seed, DurationS: c.DurationS,
		ComparedServices: append([]string{}, c.Compared...), Policies: []ComparedPolicy{},
		Cheapest: v.Cheapest, Verdict: v.String()}
	if v.CheapestMeetingSLO != "" {
		out.CheapestMeetingSLO = &v.CheapestMeetingSLO
	}
	if v.Closest != "" {
		out.ClosestToSLO = &v.Closest
	}
	for i := range c.Runs {
		r := &c.Runs[i]
		p := ComparedPolicy{Label: r.Label, Source: r.Source, Folder: r.Folder, Services: map[string]ComparedService{}}
		p.CostUSD, p.InstanceHours = r.Cost()
		if met, has := r.SLOMet(); has {
			p.SLOMet = &met
		}
		for name, s := range r.Summary.Services {
			p.Services[name] = comparedService(s)
		}
		out.Policies = append(out.Policies, p)
	}
	return out
}

// WriteComparisonJSON writes comparison.json: indented, map keys sorted,
// a final newline.
func WriteComparisonJSON(w io.Writer, c *Comparison) error {
	b, err := json.MarshalIndent(c.JSON(), "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encoding %s: %w", ComparisonJSONFile, err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("reports: writing %s: %w", ComparisonJSONFile, err)
	}
	return nil
}

// WriteComparisonTable writes the side-by-side table: a line about the
// runs, one row per service and policy (the compared services first, each
// service's rows together), with more than one service each policy's
// total cost and SLO outcome, and the verdict. A policy is printed as its
// label, followed by the service's own policy in brackets when that
// differs (a FILE's label, or a service that is not compared).
func WriteComparisonTable(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  seed %d  %v simulated  %d policies", c.Scenario, c.Seed,
		time.Duration(c.DurationS*1e9).Round(time.Millisecond), len(c.Runs))
	if differ := c.ArrivalsDiffer(); len(differ) > 0 {
		fmt.Fprintf(&b, "\nnote: arrivals differ between policies for %s (retries or closed-loop clients make them depend on the policy)\n",
			strings.Join(differ, ", "))
	} else {
		b.WriteString(" on identical arrivals\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPOLICY\tARRIVED\tCOST\tINSTANCE-H\tREPLICAS mean/max\tP95\tP99\tSLO\tREJECTED/FAILED/TIMED-OUT/IN-FLIGHT\tSCALING up/down")
	for _, name := range c.serviceOrder() {
		for i := range c.Runs {
			r := &c.Runs[i]
			ss, ok := r.Summary.Services[name]
			if !ok {
				continue
			}
			s := comparedService(ss)
			label := r.Label
			if s.Policy != r.Label {
				label += " (" + s.Policy + ")"
			}
			slo := "-"
			if s.SLOMet != nil {
				slo = "missed"
				if *s.SLOMet {
					slo = "met"
				}
				slo += " (" + percent(*s.SLOAttainment) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.2f\t%.2f / %d\t%s\t%s\t%s\t%d / %d / %d / %d\t%d / %d\n",
				name, label, s.Arrived, usd(s.CostUSD), s.InstanceHours, s.ReplicasMean, s.ReplicasMax,
				pctl(float64(s.LatencyP95S), s.LatencyMaxS), pctl(float64(s.LatencyP99S), s.LatencyMaxS), slo, s.Rejected, s.Failed, s.TimedOut, s.InFlightAtEnd,
				s.ScalingUp, s.ScalingDown)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.serviceOrder()) > 1 {
		b.WriteString("\n")
		fmt.Fprintln(tw, "POLICY\tTOTAL COST\tINSTANCE-H\tSLO")
		for i := range c.Runs {
			r := &c.Runs[i]
			cost, hours := r.Cost()
			slo := "-"
			if met, has := r.SLOMet(); has && met {
				slo = "met"
			} else if has {
				slo = "missed by " + strings.Join(r.sloMissed(), ", ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\n", r.Label, usd(cost), hours, slo)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(&b, "\n%s\n", c.Verdict())
	_, err := io.WriteString(w, b.String())
	return err
}

// serviceOrder is the compared services, then the others, each sorted.
func (c *Comparison) serviceOrder() []string {
	names := slices.Clone(c.Compared)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	var others []string
	for i := range c.Runs {
		for _, n := range c.Runs[i].services() {
			if !seen[n] {
				seen[n] = true
				others = append(others, n)
			}
		}
	}
	slices.Sort(others)
	return append(names, others...)
}

// sloMissed names the services that missed their SLO, sorted.
func (r *ComparedRun) sloMissed() []string {
	var names []string
	for _, n := range r.services() {
		if s := r.Summary.Services[n].SLO; s != nil && !s.Met {
			names = append(names, n)
		}
	}
	return names
}
