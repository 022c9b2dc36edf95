package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestForecastSeries: the forecast points of decisions.jsonl (those with
// forecast_seasons > 0), a line broken where decisions are missing.
func TestForecastSeries(t *testing.T) {
	dir := t.TempDir()
	lines := `{"time_s":60,"service":"web","inputs":[{"name":"forecast_rps","value":0},{"name":"forecast_seasons","value":0}]}
{"time_s":120,"service":"web","inputs":[{"name":"forecast_rps","value":20},{"name":"forecast_seasons","value":1}]}
{"time_s":180,"service":"web","inputs":[{"name":"forecast_rps","value":20},{"name":"forecast_seasons","value":1}]}
{"time_s":600,"service":"web","inputs":[{"name":"forecast_rps","value":2},{"name":"forecast_seasons","value":1}]}
{"time_s":600,"service":"api","inputs":[{"name":"cpu_utilization_pct","value":50}]}
`
	if err := os.WriteFile(filepath.Join(dir, "decisions.jsonl"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := readForecasts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1 || len(f["web"]) != 3 {
		t.Fatalf("forecasts %v, want 3 points of web", f)
	}
	xs, ys := forecastSeries(f["web"], 60)
	wantX := []float64{2, 3, 6.5, 10}
	wantY := []float64{20, 20, math.NaN(), 2}
	if len(xs) != len(wantX) {
		t.Fatalf("series %v %v, want %v %v", xs, ys, wantX, wantY)
	}
	for k := range xs {
		if xs[k] != wantX[k] || !(ys[k] == wantY[k] || math.IsNaN(ys[k]) && math.IsNaN(wantY[k])) {
			t.Errorf("point %d: (%g, %g), want (%g, %g)", k, xs[k], ys[k], wantX[k], wantY[k])
		}
	}
	if f, err := readForecasts(t.TempDir()); err != nil || f != nil {
		t.Errorf("no decisions.jsonl: %v, %v; want none", f, err)
	}
}
