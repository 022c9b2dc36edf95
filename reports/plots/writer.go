package plots

import (
	"fmt"

	"github.com/scalesim/scalesim/reports"
)

// Writer draws every results folder's plots: set it as the runner's
// Plotter (runner.RunOptions.Plotter and the like), which it implements
// without this package importing the runner.
type Writer struct{}

// RunPlots writes a run folder's plots (WritePlots) and report.html
// (WriteHTML).
func (Writer) RunPlots(dir, format string, opts reports.HTMLOptions) error {
	if _, err := WritePlots(dir, format, opts.Plot); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	if err := WriteHTML(dir, opts); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	return nil
}

// ComparisonPlots writes a comparison folder's overlay plots
// (WriteComparisonPlots) and report.html (WriteComparisonHTML).
func (Writer) ComparisonPlots(dir, format string, c *reports.Comparison, opts reports.ComparisonPlotOptions) error {
	if _, err := WriteComparisonPlots(dir, format, c, opts); err != nil {
		return err
	}
	if err := WriteComparisonHTML(dir, c, opts); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	return nil
}

// SweepPlots writes a sweep folder's plots (WriteSweepPlots) and
// report.html (WriteSweepHTML).
func (Writer) SweepPlots(dir, format string, res *reports.SweepResult) error {
	if _, err := WriteSweepPlots(dir, format, res); err != nil {
		return err
	}
	if err := WriteSweepHTML(dir, res); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	return nil
}
