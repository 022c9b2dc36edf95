package reports

import "time"

// What the plots and report.html are called and what they are told: the
// names of their files and their options. Drawing them is the work of
// reports/plots (gonum/plot and its fonts), which this package does not
// import, so that a program that only runs and summarizes does not link
// the plotting stack.

// Plot file formats.
const (
	PNG = "png"
	SVG = "svg"
)

// Plot kinds: the first part of a plot's file name, KIND-SERVICE.FORMAT.
const (
	PlotLoad      = "load"      // arrival rate over ready, starting, draining and desired replicas
	PlotLatency   = "latency"   // latency p50, p95, p99 and the SLO target
	PlotCPU       = "cpu"       // CPU utilization and the policy's target
	PlotErrors    = "errors"    // rejected, failed and timed-out requests per second
	PlotDashboard = "dashboard" // the four above in one image
)

// The resource plots, drawn only for a service whose data is not all
// zero: memory-SERVICE.FORMAT (the working set against the memory
// requests and limits, OOM kills and restarts marked) and
// throttling-SERVICE.FORMAT (CFS throttling: the share of periods
// throttled and the time throttled per second).
const (
	PlotMemory     = "memory"
	PlotThrottling = "throttling"
)

// The per-instance and per-node heatmaps, drawn from instances.json when
// the run has one: instances-SERVICE.FORMAT (requests in flight, CPU and
// state per instance over time) and, with node pools, nodes.FORMAT (CPU
// and memory used per node). They are in report.html too.
const (
	PlotInstances = "instances"
	PlotNodes     = "nodes"
)

// PlotKinds are the plots plots.WritePlots draws for each service, in order.
var PlotKinds = []string{PlotLoad, PlotLatency, PlotCPU, PlotErrors, PlotDashboard}

// PlotOptions are what the plots show that the results files do not hold.
type PlotOptions struct {
	// Warmup, when positive, is shaded and labelled "warmup".
	Warmup time.Duration
	// Services holds per-service extras by service name; a service absent
	// from it gets the zero ServicePlotOptions.
	Services map[string]ServicePlotOptions
}

// ServicePlotOptions are one service's extras.
type ServicePlotOptions struct {
	// TargetUtilization is the policy's CPU target as a fraction (0.7 for
	// 70%), drawn on the CPU plot; 0 draws none.
	TargetUtilization float64
	// SLOLatency, when positive, replaces summary.json's
	// slo.latency_target_s as the line on the latency plot.
	SLOLatency time.Duration
}

// PlotFileName is the file name of a service's plot: KIND-SERVICE.FORMAT,
// e.g. "load-web.png", with the service name even when there is only one
// service. Characters other than ASCII letters, digits, '.', '_' and '-'
// become '_' (scenario service names never have any).
func PlotFileName(kind, service, format string) string {
	safe := []byte(service)
	for i, c := range safe {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			safe[i] = '_'
		}
	}
	return kind + "-" + string(safe) + "." + format
}

// Plot kinds of a comparison folder: KIND-SERVICE.FORMAT, beside the
// runs' folders.
const (
	// PlotCompareReplicas: the arrival rate (the same in every run, drawn
	// once) over each policy's alive replicas, one line per policy.
	PlotCompareReplicas = "replicas"
	// PlotCompareP99: each policy's p99 latency per sample interval (log
	// scale), with the SLO's latency target; a p99 beyond every latency
	// (errors) runs along a labelled ceiling, so no policy vanishes.
	PlotCompareP99 = "p99"
	// PlotCostSLO: each policy's cost for the service against its SLO
	// attainment, a labelled point per policy (filled when the SLO is met),
	// with the objective. Only for services that have an SLO.
	PlotCostSLO = "cost-slo"
)

// ComparisonPlotOptions are what the comparison plots show that the
// results files do not hold.
type ComparisonPlotOptions struct {
	// Warmup, when positive, is shaded and labelled "warmup".
	Warmup time.Duration
	// Objectives are the services' SLO objectives as fractions (0.99),
	// drawn on the cost-slo plots; a service absent from it gets no line.
	Objectives map[string]float64
}

// SweepParetoPlot is the file name (without the format) of the cost
// against SLO attainment chart.
const SweepParetoPlot = "sweep-pareto"

// SweepPlotName is the file name of the plot of figure against param:
// sweep-FIGURE-vs-PARAM.FORMAT, with characters other than ASCII letters,
// digits, '.', '_' and '-' in the param's path replaced by '_'.
func SweepPlotName(figure, param, format string) string {
	return "sweep-" + safeName(figure) + "-vs-" + safeName(param) + "." + format
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// ReportFile is the HTML report's file name in a results folder.
const ReportFile = "report.html"

// DefaultMaxDecisions is how many timeline rows report.html lists when
// HTMLOptions.MaxDecisions is 0.
const DefaultMaxDecisions = 500

// HTMLOptions are what report.html shows that the results files do not
// hold.
type HTMLOptions struct {
	// Description is the scenario's description, shown under its name;
	// line breaks are kept.
	Description string
	// Plot is passed to the plots (warmup, targets, SLO overrides).
	Plot PlotOptions
	// MaxDecisions caps the decisions timeline's rows (reports.Timeline
	// entries; DefaultMaxDecisions when 0); the page says how many were
	// left out.
	MaxDecisions int
}
