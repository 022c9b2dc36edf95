package plots

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/scalesim/scalesim/reports"
)

// results is a finished results folder as the plots and the report read it
// back.
type results struct {
	summary reports.Summary
	names   []string                           // services, sorted
	rows    map[string][]reports.TimeseriesRow // by service, in time order
	faults  []reports.FaultSpan                // all of them, by start
	// forecasts are the predictive policy's forecasts by service (forecast.go).
	forecasts map[string][]forecastPoint
	endS      float64 // the run's length in seconds (> 0)
}

// readResults reads summary.json, timeseries.csv and (when present)
// events.jsonl from dir.
func readResults(dir string) (*results, error) {
	res := &results{rows: map[string][]reports.TimeseriesRow{}}
	if err := readFile(dir, reports.SummaryFile, func(r io.Reader) (err error) {
		res.summary, err = reports.ReadSummary(r)
		return err
	}); err != nil {
		return nil, err
	}
	if err := readFile(dir, reports.TimeseriesFile, func(r io.Reader) error {
		rows, err := reports.ReadTimeseries(r)
		for _, row := range rows {
			res.rows[row.Service] = append(res.rows[row.Service], row)
		}
		return err
	}); err != nil {
		return nil, err
	}
	err := readFile(dir, reports.EventsFile, func(r io.Reader) (err error) {
		res.faults, err = reports.ReadFaults(r)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if res.forecasts, err = readForecasts(dir); err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	for name := range res.summary.Services {
		seen[name] = true
	}
	for name, rows := range res.rows {
		seen[name] = true
		slices.SortStableFunc(rows, func(a, b reports.TimeseriesRow) int { return cmp.Compare(a.TimeS, b.TimeS) })
		if n := len(rows); n > 0 {
			res.endS = max(res.endS, rows[n-1].TimeS)
		}
	}
	for name := range seen {
		res.names = append(res.names, name)
	}
	slices.Sort(res.names)
	if res.summary.DurationS > 0 {
		res.endS = res.summary.DurationS
	}
	if !(res.endS > 0) {
		res.endS = 1
	}
	return res, nil
}

// readFile opens dir/name and passes it to read.
func readFile(dir, name string, read func(io.Reader) error) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer f.Close()
	return read(f)
}
