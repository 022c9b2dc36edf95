package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Sweeps: a grid of overrides times seeds, summarized with confidence
// intervals. The command runs the grid and hands the run summaries here;
// everything written from them (runs.csv, points.csv, best.json, the sweep
// plots) depends on the summaries and the grid only, in a fixed order, so a
// sweep run in one process and the same sweep run in shards and merged
// write the same bytes.

// The files of a sweep folder that this package writes.
const (
	SweepRunsFile   = "runs.csv"
	SweepPointsFile = "points.csv"
	SweepBestFile   = "best.json"
)

// SweepParam is one dimension of a sweep's grid: a scenario field (a --set
// path) and the values it takes, each as given (YAML text).
type SweepParam struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// SweepGrid is a sweep's runs: the grid points, the product of the params'
// values in row-major order (the last param varies fastest), times Seeds
// replicates. Run r is replicate r % Seeds of point r / Seeds and uses seed
// BaseSeed + replicate, the same seeds at every point (common random
// numbers), so that differences between points are not noise between
// seeds.
type SweepGrid struct {
	Params   []SweepParam `json:"params"`
	Seeds    int          `json:"seeds"`
	BaseSeed uint64       `json:"base_seed"`
}

// Points is the number of grid points (1 with no params).
func (g *SweepGrid) Points() int {
	n := 1
	for _, p := range g.Params {
		n *= len(p.Values)
	}
	return n
}

// Runs is the number of runs: Points() x Seeds.
func (g *SweepGrid) Runs() int { return g.Points() * g.Seeds }

// Values returns the value of each param at grid point point.
func (g *SweepGrid) Values(point int) []string {
	vals := make([]string, len(g.Params))
	for i := len(g.Params) - 1; i >= 0; i-- {
		n := len(g.Params[i].Values)
		vals[i] = g.Params[i].Values[point%n]
		point /= n
	}
	return vals
}

// Run returns the grid point, the replicate and the seed of run r.
func (g *SweepGrid) Run(r int) (point, replicate int, seed uint64) {
	point, replicate = r/g.Seeds, r%g.Seeds
	return point, replicate, g.BaseSeed + uint64(replicate)
}

// Varied returns the indices of the params that take more than one value.
func (g *SweepGrid) Varied() []int {
	var idx []int
	for i, p := range g.Params {
		if len(p.Values) > 1 {
			idx = append(idx, i)
		}
	}
	return idx
}

// Describe names a grid point for people: "a=1 b=2", or "(the scenario as
// is)" when there are no params.
func (g *SweepGrid) Describe(point int) string {
	if len(g.Params) == 0 {
		return "(the scenario as is)"
	}
	vals := g.Values(point)
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = g.Params[i].Path + "=" + v
	}
	return strings.Join(parts, " ")
}

// A sweep figure is one column of runs.csv, computed from a run's summary.
// The scenario-wide figures come first; with more than one service, every
// service's own figures follow as SERVICE.FIGURE.
//
//   - cost_usd, instance_hours, replicas_mean: summed over the services.
//   - latency_p50_s, latency_p95_s, latency_p99_s: the largest over the
//     services (the worst service's), the service's own with one service.
//   - slo_attainment: the smallest over the services with an SLO; slo_met:
//     whether every service met its SLO. Both empty without any SLO.
//   - arrived, completed, rejected, failed, timed_out: summed; errors is
//     rejected + failed + timed_out and error_rate is errors / arrived.
//   - events: the simulation events fired (scenario-wide only).
type sweepFigure struct {
	name    string
	label   string // axis label
	stat    bool   // in points.csv with a mean and a CI, plotted
	integer bool   // printed as an integer
	boolean bool   // 1 or 0, printed true or false
	get     func(Summary) (float64, bool)
}

// The figures with statistics in points.csv, in order; with more than one
// service each also exists as SERVICE.NAME.
var sweepStatFigures = []string{
	"cost_usd", "instance_hours", "replicas_mean", "latency_p50_s", "latency_p95_s",
	"latency_p99_s", "slo_attainment", "errors", "error_rate",
}

// SloMetFraction is the points.csv figure "fraction of the runs that met
// every SLO"; it has no confidence interval.
const SloMetFraction = "slo_met_fraction"

// sweepFigures returns the figures of summaries of services names.
func sweepFigures(names []string) []sweepFigure {
	// per builds the figures of the services in svcs.
	per := func(prefix string, svcs []string, events bool) []sweepFigure {
		sum := func(f func(ServiceSummary) float64) func(Summary) (float64, bool) {
			return func(s Summary) (float64, bool) {
				t := 0.0
				for _, n := range svcs {
					t += f(s.Services[n])
				}
				return t, true
			}
		}
		worst := func(f func(ServiceSummary) float64) func(Summary) (float64, bool) {
			return func(s Summary) (float64, bool) {
				m := 0.0
				for _, n := range svcs {
					m = max(m, f(s.Services[n]))
				}
				return m, true
			}
		}
		count := func(f func(Requests) uint64) func(Summary) (float64, bool) {
			return sum(func(v ServiceSummary) float64 { return float64(f(v.Requests)) })
		}
		figs := []sweepFigure{
			{name: "cost_usd", label: "cost (USD)", stat: true, get: sum(func(v ServiceSummary) float64 { return v.Cost.USD })},
			{name: "instance_hours", label: "instance hours", stat: true, get: sum(func(v ServiceSummary) float64 { return v.Cost.InstanceHours })},
			{name: "replicas_mean", label: "mean replicas", stat: true, get: sum(func(v ServiceSummary) float64 { return v.Replicas.Mean })},
			{name: "latency_p50_s", label: "latency p50 (s)", stat: true, get: worst(func(v ServiceSummary) float64 { return v.LatencyS.P50 })},
			{name: "latency_p95_s", label: "latency p95 (s)", stat: true, get: worst(func(v ServiceSummary) float64 { return v.LatencyS.P95 })},
			{name: "latency_p99_s", label: "latency p99 (s)", stat: true, get: worst(func(v ServiceSummary) float64 { return v.LatencyS.P99 })},
			{name: "slo_attainment", label: "SLO attainment", stat: true, get: func(s Summary) (float64, bool) {
				m, ok := 1.0, false
				for _, n := range svcs {
					if slo := s.Services[n].SLO; slo != nil {
						m, ok = min(m, slo.Attainment), true
					}
				}
				return m, ok
			}},
			{name: "slo_met", boolean: true, get: func(s Summary) (float64, bool) {
				met, ok := 1.0, false
				for _, n := range svcs {
					if slo := s.Services[n].SLO; slo != nil {
						ok = true
						if !slo.Met {
							met = 0
						}
					}
				}
				return met, ok
			}},
			{name: "arrived", integer: true, get: count(func(r Requests) uint64 { return r.Arrived })},
			{name: "completed", integer: true, get: count(func(r Requests) uint64 { return r.Completed })},
			{name: "rejected", integer: true, get: count(func(r Requests) uint64 { return r.Rejected })},
			{name: "failed", integer: true, get: count(func(r Requests) uint64 { return r.Failed })},
			{name: "timed_out", integer: true, get: count(func(r Requests) uint64 { return r.TimedOut })},
			{name: "errors", label: "errors (rejected + failed + timed out)", stat: true, integer: true,
				get: count(func(r Requests) uint64 { return r.Errors() })},
			{name: "error_rate", label: "error rate (errors / arrived)", stat: true, get: func(s Summary) (float64, bool) {
				var errs, arrived uint64
				for _, n := range svcs {
					errs += s.Services[n].Requests.Errors()
					arrived += s.Services[n].Requests.Arrived
				}
				if arrived == 0 {
					return 0, true
				}
				return float64(errs) / float64(arrived), true
			}},
		}
		if events {
			figs = append(figs, sweepFigure{name: "events", integer: true, get: func(s Summary) (float64, bool) { return float64(s.Events), true }})
		}
		for i := range figs {
			figs[i].name = prefix + figs[i].name
			if figs[i].label == "" {
				figs[i].label = figs[i].name
			} else if prefix != "" {
				figs[i].label = prefix + figs[i].label
			}
		}
		return figs
	}
	figs := per("", names, true)
	if len(names) > 1 {
		for _, n := range names {
			figs = append(figs, per(n+".", []string{n}, false)...)
		}
	}
	return figs
}

// Requirement is one --require: FIGURE OP NUMBER, e.g.
// slo_attainment>=0.999. It holds at a grid point when the end of the
// figure's confidence interval on the unfavourable side satisfies it: the
// lower end for >= and >, the upper end for <= and <. A figure without an
// interval (slo_met_fraction, or one seed) is checked on its mean.
type Requirement struct {
	Figure string
	Op     string // >=, >, <=, <
	Value  float64
}

// String is the requirement in its normal form, e.g. slo_attainment>=0.999.
func (r Requirement) String() string {
	return r.Figure + r.Op + strconv.FormatFloat(r.Value, 'g', -1, 64)
}

// holds reports whether the figure with interval [lo, hi] meets r.
func (r Requirement) holds(lo, hi float64) bool {
	switch r.Op {
	case ">=":
		return lo >= r.Value
	case ">":
		return lo > r.Value
	case "<=":
		return hi <= r.Value
	default:
		return hi < r.Value
	}
}

var requirementRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=|>|<)\s*(\S+?)\s*(%?)\s*$`)

// figureAliases are short names accepted by --require and --objective.
var figureAliases = map[string]string{
	"cost":     "cost_usd",
	"hours":    "instance_hours",
	"replicas": "replicas_mean",
	"p50":      "latency_p50_s",
	"p95":      "latency_p95_s",
	"p99":      "latency_p99_s",
	"slo":      "slo_attainment",
}

// canonicalFigure resolves aliases, also after a SERVICE. prefix.
func canonicalFigure(name string) string {
	if a, ok := figureAliases[name]; ok {
		return a
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if a, ok := figureAliases[name[i+1:]]; ok {
			return name[:i+1] + a
		}
	}
	return name
}

// ParseRequirement parses FIGURE OP NUMBER: FIGURE is a points.csv figure
// (cost_usd, latency_p99_s, slo_attainment, errors, error_rate,
// slo_met_fraction, ..., SERVICE.FIGURE with several services, or an
// alias: cost, p95, p99, slo, ...), OP one of >= > <= <, NUMBER a decimal
// number, optionally followed by % (99.9% is 0.999). Spaces are allowed
// around OP. The figure is checked against the scenario by
// SweepAnalysis.Check.
func ParseRequirement(s string) (Requirement, error) {
	m := requirementRE.FindStringSubmatch(s)
	if m == nil {
		return Requirement{}, fmt.Errorf("requirement %q: want FIGURE OP NUMBER with OP one of >= > <= <, e.g. 'slo_attainment>=0.999'", s)
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Requirement{}, fmt.Errorf("requirement %q: %q is not a number", s, m[3])
	}
	if m[4] == "%" {
		// 99.9% is 0.999, not 0.9990000000000001.
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v/100, 'g', 15, 64), 64)
	}
	return Requirement{Figure: canonicalFigure(m[1]), Op: m[2], Value: v}, nil
}

// SweepAnalysis says which grid point is best: the one with the smallest
// (or, with Maximize, the largest) mean of Objective among those that meet
// every requirement at Confidence; ties go to the lower point index.
type SweepAnalysis struct {
	Objective  string
	Maximize   bool
	Require    []Requirement
	Confidence float64 // of the intervals, e.g. 0.95
}

// ParseObjective parses --objective: FIGURE (minimized), min:FIGURE or
// max:FIGURE, with the aliases of ParseRequirement.
func ParseObjective(s string) (figure string, maximize bool, err error) {
	f := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(f, "max:"); ok {
		f, maximize = rest, true
	} else if rest, ok := strings.CutPrefix(f, "min:"); ok {
		f = rest
	}
	f = strings.TrimSpace(f)
	if f == "" || strings.ContainsAny(f, " <>=") {
		return "", false, fmt.Errorf("objective %q: want a figure, e.g. cost, or max:slo_attainment", s)
	}
	return canonicalFigure(f), maximize, nil
}

// statFigureNames lists the points.csv figures of a sweep over services
// names; hasSLO says whether any service has an SLO.
func statFigureNames(names []string, hasSLO map[string]bool) []string {
	anySLO := false
	for _, n := range names {
		anySLO = anySLO || hasSLO[n]
	}
	var out []string
	add := func(prefix string, slo bool) {
		for _, f := range sweepStatFigures {
			if f != "slo_attainment" || slo {
				out = append(out, prefix+f)
			}
		}
		if slo {
			out = append(out, prefix+SloMetFraction)
		}
	}
	add("", anySLO)
	if len(names) > 1 {
		for _, n := range names {
			add(n+".", hasSLO[n])
		}
	}
	return out
}

// Check reports whether the objective and the requirements name figures a
// sweep over these services has: services maps each service's name to
// whether it has an SLO.
func (a *SweepAnalysis) Check(services map[string]bool) error {
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	slices.Sort(names)
	known := statFigureNames(names, services)
	check := func(what, f string) error {
		if slices.Contains(known, f) {
			return nil
		}
		msg := fmt.Sprintf("%s: no figure %q in this sweep; the figures are %s", what, f, strings.Join(known, ", "))
		if strings.Contains(f, "slo") && !slices.Contains(known, "slo_attainment") {
			msg += " (the scenario has no SLO: add one, e.g. --set slo.SERVICE.latency=500ms)"
		}
		return fmt.Errorf("%s", msg)
	}
	if err := check("--objective", a.Objective); err != nil {
		return err
	}
	for _, r := range a.Require {
		if err := check("--require "+r.String(), r.Figure); err != nil {
			return err
		}
	}
	if !(a.Confidence > 0 && a.Confidence < 1) {
		return fmt.Errorf("confidence %v: must be between 0 and 1, e.g. 0.95", a.Confidence)
	}
	return nil
}

// MeanCI returns the mean of xs and the two-sided Student-t confidence
// interval of the mean at level confidence (e.g. 0.95):
// mean ± t(1-(1-confidence)/2, n-1) × s/√n, with s the sample standard
// deviation (n-1 in the denominator). With fewer than two values the
// interval is undefined: lo and hi are NaN (and the mean too with none).
func MeanCI(xs []float64, confidence float64) (mean, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	mean = stat.Mean(xs, nil)
	if n < 2 {
		return mean, math.NaN(), math.NaN()
	}
	se := stat.StdDev(xs, nil) / math.Sqrt(float64(n))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - float64((1-confidence)/2))
	return mean, mean - float64(t*se), mean + float64(t*se)
}

// SweepStat is one figure at one grid point.
type SweepStat struct {
	Mean, Lo, Hi float64 // Lo and Hi are NaN without an interval
	N            int     // runs that had the figure
}

// bounds is the interval to check requirements on: the CI, or the mean
// when there is none.
func (s SweepStat) bounds() (lo, hi float64) {
	if math.IsNaN(s.Lo) {
		return s.Mean, s.Mean
	}
	return s.Lo, s.Hi
}

// SweepPoint is one grid point's statistics.
type SweepPoint struct {
	Index  int
	Values []string
	Stats  map[string]SweepStat // by points.csv figure
	Pareto bool                 // on the cost / SLO attainment Pareto front
	Meets  bool                 // meets every requirement
}

// SweepResult is a whole sweep, ready to be written.
type SweepResult struct {
	Grid     SweepGrid
	Analysis SweepAnalysis
	figures  []sweepFigure // runs.csv figure columns
	stats    []string      // points.csv figures, in order
	runs     [][]float64   // [run][figure], NaN when missing
	Points   []SweepPoint
	Best     int // the best point, -1 when none meets the requirements
	// Met is whether some grid point meets every requirement (Best >= 0).
	// With --require and no such point the command exits 3, as run
	// --fail-on-slo does when an SLO is missed.
	Met bool
}

// SweepFigure is a figure the sweep plots draw against each varied param.
type SweepFigure struct {
	Name  string // its points.csv name, e.g. "cost_usd"
	Label string // its axis label
}

// PlottedFigures are the scenario-wide statistics figures that are
// plotted, in order (the per-service ones are in points.csv only).
func (res *SweepResult) PlottedFigures() []SweepFigure {
	var out []SweepFigure
	for _, f := range res.figures {
		if f.stat && !strings.Contains(f.name, ".") && slices.Contains(res.stats, f.name) {
			out = append(out, SweepFigure{Name: f.name, Label: f.label})
		}
	}
	return out
}

// RequireErr is nil when the sweep has no requirements or some point
// meets them all, and otherwise says that none does: the command maps it
// to exit code 3.
func (res *SweepResult) RequireErr() error {
	if len(res.Analysis.Require) == 0 || res.Met {
		return nil
	}
	var rs []string
	for _, r := range res.Analysis.Require {
		rs = append(rs, r.String())
	}
	return fmt.Errorf("no grid point meets %s", strings.Join(rs, " and "))
}

// AnalyzeSweep computes the sweep's statistics from summaries, the runs'
// summaries indexed by run (see SweepGrid.Run). Every run must have the
// same services.
func AnalyzeSweep(grid SweepGrid, summaries []Summary, a SweepAnalysis) (*SweepResult, error) {
	if len(summaries) != grid.Runs() {
		return nil, fmt.Errorf("reports: sweep of %d runs given %d summaries", grid.Runs(), len(summaries))
	}
	if len(summaries) == 0 {
		return nil, fmt.Errorf("reports: a sweep has at least one run")
	}
	var names []string
	hasSLO := map[string]bool{}
	for n, s := range summaries[0].Services {
		names = append(names, n)
		hasSLO[n] = s.SLO != nil
	}
	slices.Sort(names)
	for r, s := range summaries {
		if len(s.Services) != len(names) {
			return nil, fmt.Errorf("reports: run %d has services %v, run 0 %v", r, serviceNames(s), names)
		}
		for _, n := range names {
			if _, ok := s.Services[n]; !ok {
				return nil, fmt.Errorf("reports: run %d has services %v, run 0 %v", r, serviceNames(s), names)
			}
		}
	}
	if err := a.Check(hasSLO); err != nil {
		return nil, err
	}
	res := &SweepResult{Grid: grid, Analysis: a, figures: sweepFigures(names), stats: statFigureNames(names, hasSLO), Best: -1}
	res.runs = make([][]float64, len(summaries))
	for r, s := range summaries {
		row := make([]float64, len(res.figures))
		for i, f := range res.figures {
			v, ok := f.get(s)
			if !ok {
				v = math.NaN()
			}
			row[i] = v
		}
		res.runs[r] = row
	}
	col := map[string]int{}
	for i, f := range res.figures {
		col[f.name] = i
	}
	for p := range grid.Points() {
		pt := SweepPoint{Index: p, Values: grid.Values(p), Stats: map[string]SweepStat{}}
		for _, name := range res.stats {
			var xs []float64
			base, isFraction := strings.CutSuffix(name, SloMetFraction)
			src := name
			if isFraction {
				src = base + "slo_met"
			}
			for k := range grid.Seeds {
				if v := res.runs[p*grid.Seeds+k][col[src]]; !math.IsNaN(v) {
					xs = append(xs, v)
				}
			}
			st := SweepStat{N: len(xs)}
			if isFraction {
				st.Mean, st.Lo, st.Hi = math.NaN(), math.NaN(), math.NaN()
				if len(xs) > 0 {
					st.Mean = stat.Mean(xs, nil)
				}
			} else {
				st.Mean, st.Lo, st.Hi = MeanCI(xs, a.Confidence)
			}
			pt.Stats[name] = st
		}
		pt.Meets = true
		for _, r := range a.Require {
			st := pt.Stats[r.Figure]
			lo, hi := st.bounds()
			if math.IsNaN(lo) || !r.holds(lo, hi) {
				pt.Meets = false
			}
		}
		res.Points = append(res.Points, pt)
	}
	res.markPareto()
	for i := range res.Points {
		pt := &res.Points[i]
		v := pt.Stats[a.Objective].Mean
		if !pt.Meets || math.IsNaN(v) {
			continue
		}
		if res.Best < 0 {
			res.Best = i
			continue
		}
		b := res.Points[res.Best].Stats[a.Objective].Mean
		if a.Maximize && v > b || !a.Maximize && v < b {
			res.Best = i
		}
	}
	res.Met = res.Best >= 0
	return res, nil
}

func serviceNames(s Summary) []string {
	var n []string
	for k := range s.Services {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// HasSLO reports whether the sweep has SLO figures.
func (res *SweepResult) HasSLO() bool { return slices.Contains(res.stats, "slo_attainment") }

// markPareto marks the points no other point dominates on mean cost (lower
// is better) and mean SLO attainment (higher is better): a point is
// dominated when another is at least as good on both and better on one.
func (res *SweepResult) markPareto() {
	if !res.HasSLO() {
		return
	}
	for i := range res.Points {
		ci, ai := res.Points[i].Stats["cost_usd"].Mean, res.Points[i].Stats["slo_attainment"].Mean
		dominated := false
		for j := range res.Points {
			cj, aj := res.Points[j].Stats["cost_usd"].Mean, res.Points[j].Stats["slo_attainment"].Mean
			if j != i && cj <= ci && aj >= ai && (cj < ci || aj > ai) {
				dominated = true
				break
			}
		}
		res.Points[i].Pareto = !dominated
	}
}

// num formats a figure value: empty for NaN, inf for +Inf, 12 significant digits (so that
// binary noise does not show), integers as integers.
func num(v float64) string {
	if math.IsInf(v, 1) {
		return "inf" // a latency percentile beyond every latency
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if v == 0 {
		return "0" // not -0
	}
	return strconv.FormatFloat(v, 'g', 12, 64)
}

// round12 is clean for a value that may be NaN (which it keeps).
func round12(v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	return clean(v)
}

func (res *SweepResult) paramHeaders() []string {
	h := make([]string, len(res.Grid.Params))
	for i, p := range res.Grid.Params {
		h[i] = p.Path
	}
	return h
}

// WriteRunsCSV writes runs.csv: one row per run in run order with run,
// point, replicate, seed, the value of every param (a column named by its
// path) and the figures (see sweepFigure). An undefined figure is an empty
// cell; slo_met is true or false.
func (res *SweepResult) WriteRunsCSV(w io.Writer) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	head := append([]string{"run", "point", "replicate", "seed"}, res.paramHeaders()...)
	for _, f := range res.figures {
		head = append(head, f.name)
	}
	cw.Write(head)
	for r, row := range res.runs {
		p, k, seed := res.Grid.Run(r)
		rec := []string{strconv.Itoa(r), strconv.Itoa(p), strconv.Itoa(k), strconv.FormatUint(seed, 10)}
		rec = append(rec, res.Points[p].Values...)
		for i, f := range res.figures {
			v := row[i]
			switch {
			case math.IsNaN(v):
				rec = append(rec, "")
			case f.boolean:
				rec = append(rec, strconv.FormatBool(v != 0))
			case f.integer:
				rec = append(rec, strconv.FormatFloat(v, 'f', 0, 64))
			default:
				rec = append(rec, num(v))
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: %s: %w", SweepRunsFile, err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WritePointsCSV writes points.csv: one row per grid point with point, the
// param values, runs (the seeds), FIGURE_mean, FIGURE_ci_low and
// FIGURE_ci_high of every statistics figure (slo_met_fraction has only a
// mean; the interval cells are empty with one seed), then pareto (on the
// cost / SLO attainment front), meets (every --require holds) and best
// (the point --objective chose).
func (res *SweepResult) WritePointsCSV(w io.Writer) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	head := append([]string{"point"}, res.paramHeaders()...)
	head = append(head, "runs")
	for _, name := range res.stats {
		if strings.HasSuffix(name, SloMetFraction) {
			head = append(head, name)
			continue
		}
		head = append(head, name+"_mean", name+"_ci_low", name+"_ci_high")
	}
	head = append(head, "pareto", "meets", "best")
	cw.Write(head)
	for _, pt := range res.Points {
		rec := append([]string{strconv.Itoa(pt.Index)}, pt.Values...)
		rec = append(rec, strconv.Itoa(res.Grid.Seeds))
		for _, name := range res.stats {
			st := pt.Stats[name]
			rec = append(rec, num(st.Mean))
			if !strings.HasSuffix(name, SloMetFraction) {
				rec = append(rec, num(st.Lo), num(st.Hi))
			}
		}
		pareto := ""
		if res.HasSLO() {
			pareto = strconv.FormatBool(pt.Pareto)
		}
		rec = append(rec, pareto, strconv.FormatBool(pt.Meets), strconv.FormatBool(pt.Index == res.Best))
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: %s: %w", SweepPointsFile, err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// bestJSON is best.json.
type bestJSON struct {
	Objective  string     `json:"objective"`
	Direction  string     `json:"direction"`
	Require    []string   `json:"require"`
	Confidence float64    `json:"confidence"`
	Meeting    []int      `json:"points_meeting"`
	Best       *bestPoint `json:"best"`
}

type bestPoint struct {
	Point  int                  `json:"point"`
	Params []bestParam          `json:"params"`
	Runs   int                  `json:"runs"`
	Stats  map[string]bestStats `json:"figures"`
}

type bestParam struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

type bestStats struct {
	Mean  JSONFloat  `json:"mean"`
	CILow *JSONFloat `json:"ci_low,omitempty"`
	CIHi  *JSONFloat `json:"ci_high,omitempty"`
}

// WriteBestJSON writes best.json: the objective, the requirements, the
// points that meet them and the best point (null when none does) with its
// params and the mean and interval of every statistics figure.
func (res *SweepResult) WriteBestJSON(w io.Writer) error {
	a := res.Analysis
	out := bestJSON{Objective: a.Objective, Direction: "min", Require: []string{}, Confidence: a.Confidence, Meeting: []int{}}
	if a.Maximize {
		out.Direction = "max"
	}
	for _, r := range a.Require {
		out.Require = append(out.Require, r.String())
	}
	for _, pt := range res.Points {
		if pt.Meets {
			out.Meeting = append(out.Meeting, pt.Index)
		}
	}
	if res.Best >= 0 {
		pt := res.Points[res.Best]
		bp := &bestPoint{Point: pt.Index, Params: []bestParam{}, Runs: res.Grid.Seeds, Stats: map[string]bestStats{}}
		for i, p := range res.Grid.Params {
			bp.Params = append(bp.Params, bestParam{Path: p.Path, Value: pt.Values[i]})
		}
		for name, st := range pt.Stats {
			bs := bestStats{Mean: JSONFloat(round12(st.Mean))}
			if !math.IsNaN(st.Lo) {
				lo, hi := JSONFloat(round12(st.Lo)), JSONFloat(round12(st.Hi))
				bs.CILow, bs.CIHi = &lo, &hi
			}
			bp.Stats[name] = bs
		}
		out.Best = bp
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("reports: %s: %w", SweepBestFile, err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// sweepSeconds formats a mean latency percentile: ∞ when it is beyond every
// latency in some seed.
func sweepSeconds(v float64) string {
	if Beyond(v) {
		return "∞"
	}
	return seconds(v)
}

// level formats a confidence level: 95%, 99.5%.
func level(c float64) string { return strconv.FormatFloat(100*c, 'g', 6, 64) + "%" }

// WriteSweepTable writes the grid points as a table for people: the param
// values, mean cost, p99 latency and SLO attainment with their intervals,
// errors, and the points meeting the requirements; then the best point.
func (res *SweepResult) WriteSweepTable(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	head := []string{"POINT"}
	for _, i := range res.Grid.Varied() {
		head = append(head, res.Grid.Params[i].Path)
	}
	ci := fmt.Sprintf(" (%s CI)", level(res.Analysis.Confidence))
	head = append(head, "COST USD"+ci, "P99"+ci)
	if res.HasSLO() {
		head = append(head, "SLO ATTAINMENT"+ci)
	}
	head = append(head, "ERRORS")
	if len(res.Analysis.Require) > 0 {
		head = append(head, "MEETS")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	interval := func(st SweepStat, f func(float64) string) string {
		s := f(st.Mean)
		if !math.IsNaN(st.Lo) {
			s += " [" + f(st.Lo) + ", " + f(st.Hi) + "]"
		}
		return s
	}
	money := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	for _, pt := range res.Points {
		row := []string{strconv.Itoa(pt.Index)}
		for _, i := range res.Grid.Varied() {
			row = append(row, pt.Values[i])
		}
		row = append(row, interval(pt.Stats["cost_usd"], money), interval(pt.Stats["latency_p99_s"], sweepSeconds))
		if res.HasSLO() {
			row = append(row, interval(pt.Stats["slo_attainment"], percent))
		}
		row = append(row, strconv.FormatFloat(pt.Stats["errors"].Mean, 'g', 4, 64))
		if len(res.Analysis.Require) > 0 {
			m := "no"
			if pt.Meets {
				m = "yes"
			}
			if pt.Index == res.Best {
				m += " (best)"
			}
			row = append(row, m)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	dir := "smallest"
	if res.Analysis.Maximize {
		dir = "largest"
	}
	what := fmt.Sprintf("%s mean %s", dir, res.Analysis.Objective)
	if len(res.Analysis.Require) > 0 {
		var rs []string
		for _, r := range res.Analysis.Require {
			rs = append(rs, r.String())
		}
		what += fmt.Sprintf(" with %s at the %s CI's unfavourable end", strings.Join(rs, " and "), level(res.Analysis.Confidence))
	}
	if res.Best < 0 {
		fmt.Fprintf(&b, "\nbest (%s): no grid point meets the requirements\n", what)
	} else {
		pt := res.Points[res.Best]
		fmt.Fprintf(&b, "\nbest (%s): point %d: %s, %s %s\n", what, pt.Index, res.Grid.Describe(pt.Index),
			res.Analysis.Objective, interval(pt.Stats[res.Analysis.Objective], num))
		if len(res.Analysis.Require) == 0 {
			fmt.Fprintf(&b, "no --require was given, so it was picked on %s alone", res.Analysis.Objective)
			if res.HasSLO() {
				att := pt.Stats["slo_attainment"].Mean
				fmt.Fprintf(&b, ": its SLO attainment is %s, the SLO met in %s of the seeds", percent(att),
					share(pt.Stats[SloMetFraction].Mean))
			}
			if e := pt.Stats["error_rate"].Mean; e > 0 {
				fmt.Fprintf(&b, "; %s of its requests were errors", share(e))
			}
			b.WriteString(" (add e.g. --require 'slo_attainment>=0.99')\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
