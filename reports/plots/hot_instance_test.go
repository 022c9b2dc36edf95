package plots

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// TestHotInstanceIsHottestRow runs scenarios/runner/testdata/hot-instance
// end to end: four static instances behind client-ip affinity with one
// client, so that all the work goes to one instance. That instance, the
// only one that used any CPU, is the heatmap's row marked hottest, in the
// files and in report.html.
func TestHotInstanceIsHottestRow(t *testing.T) {
	sc, err := scenarios.Open(filepath.Join("..", "..", "scenarios", "runner", "testdata", "hot-instance.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r")
	if _, err := runner.Run(context.Background(), sc, runner.RunOptions{Out: out, Format: reports.SVG, Plotter: Writer{}}); err != nil {
		t.Fatal(err)
	}
	res, err := readResults(out)
	if err != nil {
		t.Fatal(err)
	}
	hot := ""
	for _, r := range res.instances.Instances {
		for _, v := range r.CPUUtilization {
			if x := float64(v); !math.IsNaN(x) && x > 0 {
				hot = r.Name
			}
		}
	}
	inflight, _, _ := instanceRows(res.instances, "web")
	h := hottest(inflight)
	if hot == "" || h < 0 || !strings.HasPrefix(inflight[h].label, hot+" @ ") {
		t.Fatalf("the instance that worked is %q; the hottest row is %d of %v", hot, h, inflight)
	}
	page, err := os.ReadFile(filepath.Join(out, reports.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), ">"+inflight[h].label+"<") || !strings.Contains(string(page), `<section id="nodes">`) {
		t.Errorf("report.html lacks the hottest row %q or the nodes", inflight[h].label)
	}
	if _, err := os.Stat(filepath.Join(out, "instances-web.svg")); err != nil {
		t.Error(err)
	}
}
