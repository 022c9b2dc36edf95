package plots

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/scalesim/scalesim/reports"
)

// The predictive policy's forecast, drawn on the load plot: every decision
// of decisions.jsonl with a forecast (inputs forecast_rps, and
// forecast_seasons > 0) is a point (time, forecast requests per second).
// decisions.jsonl keeps only the evaluations that changed or held
// something, so the line breaks where decisions are missing rather than
// bridging the gap.

type forecastPoint struct{ t, rps float64 }

// readForecasts reads the forecast points of every service from
// dir/decisions.jsonl; none when the file is absent. Lines without a
// forecast are skipped without being decoded.
func readForecasts(dir string) (map[string][]forecastPoint, error) {
	f, err := os.Open(filepath.Join(dir, reports.DecisionsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]forecastPoint{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	key := []byte(`"forecast_rps"`)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, key) {
			continue
		}
		var d struct {
			TimeS   float64 `json:"time_s"`
			Service string  `json:"service"`
			Inputs  []struct {
				Name  string   `json:"name"`
				Value *float64 `json:"value"`
			} `json:"inputs"`
		}
		if err := json.Unmarshal(line, &d); err != nil {
			return nil, err
		}
		rps, seasons := math.NaN(), 0.0
		for _, in := range d.Inputs {
			switch {
			case in.Value == nil:
			case in.Name == "forecast_rps":
				rps = *in.Value
			case in.Name == "forecast_seasons":
				seasons = *in.Value
			}
		}
		if seasons > 0 && finite(rps) {
			out[d.Service] = append(out[d.Service], forecastPoint{d.TimeS, rps})
		}
	}
	return out, sc.Err()
}

// forecastSeries is the points in axis units, broken (NaN) wherever two
// consecutive points are further apart than 1.5 times the smallest gap
// (the evaluation interval): a missing stretch is not drawn as a line.
func forecastSeries(pts []forecastPoint, unit float64) (xs, ys []float64) {
	gap := math.Inf(1)
	for k := 1; k < len(pts); k++ {
		if d := pts[k].t - pts[k-1].t; d > 0 {
			gap = min(gap, d)
		}
	}
	for k, p := range pts {
		if k > 0 && p.t-pts[k-1].t > 1.5*gap {
			xs, ys = append(xs, (pts[k-1].t+p.t)/2/unit), append(ys, math.NaN())
		}
		xs, ys = append(xs, p.t/unit), append(ys, p.rps)
	}
	return xs, ys
}
