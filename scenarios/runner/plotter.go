package runner

import (
	"errors"
	"fmt"

	"github.com/scalesim/scalesim/reports"
)

// Plotter draws the plots and report.html of results folders that the
// runner has written. The runner calls it only when an options struct has
// a Format, and refuses a Format without a Plotter. reports/plots.Writer
// is the one scalesim has (cmd/scalesim sets it):
//
//	runner.RunOptions{Format: reports.PNG, Plotter: plots.Writer{}}
//
// It is an option rather than an import so that the runner, like reports,
// does not link the plotting stack (gonum/plot and its fonts): a headless
// program that runs scenarios and reads their summaries leaves Format and
// Plotter unset and builds without it.
type Plotter interface {
	// RunPlots writes a run folder's plots and report.html.
	RunPlots(dir, format string, opts reports.HTMLOptions) error
	// ComparisonPlots writes a comparison folder's overlay plots.
	ComparisonPlots(dir, format string, c *reports.Comparison, opts reports.ComparisonPlotOptions) error
	// SweepPlots writes a sweep folder's plots.
	SweepPlots(dir, format string, res *reports.SweepResult) error
}

// plotting is the plot format and what draws it; the zero value draws
// nothing.
type plotting struct {
	format string
	p      Plotter
}

// plotsFor checks an options struct's Format and Plotter.
func plotsFor(format string, p Plotter) (plotting, error) {
	if format == "" {
		return plotting{}, nil
	}
	if format != reports.PNG && format != reports.SVG {
		return plotting{}, inputErr(fmt.Errorf("plot format %q: allowed are png and svg", format))
	}
	if p == nil {
		return plotting{}, errors.New("plot format " + format + " without a Plotter to draw it (set the options' Plotter, e.g. plots.Writer{})")
	}
	return plotting{format, p}, nil
}
