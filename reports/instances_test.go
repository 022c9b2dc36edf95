package reports

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// TestInstanceGrid: a 60 s run sampled every 10 s has 6 columns of 10 s.
// Hand-built samples: web-0 holds 2 then 4 requests (one sample per
// column), uses 5 core-seconds over each 10 s interval at a request of 1
// core (50%); web-1 appears at 30 s, created at 25 s, having used 1
// core-second (20% over its 5 s), then drains. Both on node n1 (4 cores).
func TestInstanceGrid(t *testing.T) {
	var buf bytes.Buffer
	c, err := New(Config{Duration: time.Minute, SampleInterval: 10 * time.Second, Services: []ServiceConfig{{Name: "web"}}},
		Outputs{Instances: &buf})
	if err != nil {
		t.Fatal(err)
	}
	node := []NodeSample{{Name: "n1", Pool: "p", Zone: "a", Ready: true, CPUCores: 4, MemoryBytes: 8e9, CPURequested: 1, MemoryRequested: 1e9}}
	for i := 1; i <= 6; i++ {
		now := sim.At(time.Duration(i) * 10 * time.Second)
		insts := []InstanceSample{{Name: "web-0", Node: "n1", State: StateReady, Held: 2 * (1 + i%2), CPUSeconds: 5 * float64(i), CPURequest: 1, MemoryBytes: 100}}
		if i >= 3 {
			insts = append(insts, InstanceSample{Name: "web-1", Node: "n1", State: StateDraining, Held: 1,
				Created: sim.At(25 * time.Second), CPUSeconds: 1 + float64(i-3), CPURequest: 1, MemoryBytes: 50})
		}
		c.InstanceSample(now, insts, node)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := ReadInstances(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Columns != 6 || rec.ColumnS != 10 || len(rec.Instances) != 2 || len(rec.Nodes) != 1 {
		t.Fatalf("%d x %v s, %d instances, %d nodes", rec.Columns, rec.ColumnS, len(rec.Instances), len(rec.Nodes))
	}
	f := func(xs []JSONFloat) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = math.Round(float64(x)*1000) / 1000
		}
		return out
	}
	nan := math.NaN()
	eq := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	w0, w1, n := rec.Instances[0], rec.Instances[1], rec.Nodes[0]
	// The sample at 10 s is in column 1; the interval (0, 10] it closes
	// has its middle in column 0. The last sample (60 s) is clamped into
	// column 5 along with the one at 50 s.
	eq("web-0 in flight", f(w0.InFlight), []float64{nan, 4, 2, 4, 2, 3})
	eq("web-0 CPU", f(w0.CPUUtilization), []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5})
	eq("web-1 in flight", f(w1.InFlight), []float64{nan, nan, nan, 1, 1, 1})
	// (25, 30] has its middle in column 2: 1 core-second over 5 s; then
	// 1 core-second per 10 s.
	eq("web-1 CPU", f(w1.CPUUtilization), []float64{nan, nan, 0.2, 0.1, 0.1, 0.1})
	if w1.State[2] != "" || w1.State[3] != "draining" || w0.State[1] != "ready" || w0.Node != "n1" {
		t.Errorf("states %q %q, node %q", w0.State, w1.State, w0.Node)
	}
	eq("n1 CPU", f(n.CPUUsedCores), []float64{0.5, 0.5, 0.6, 0.6, 0.6, 0.6})
	eq("n1 memory", f(n.MemoryUsedBytes), []float64{nan, 100, 100, 150, 150, 150})
}

// TestInstanceGridBounded: the rows stop at MaxHeatmapInstances, the rest
// are counted; without an Instances writer nothing is gathered.
func TestInstanceGridBounded(t *testing.T) {
	var buf bytes.Buffer
	c, err := New(Config{Duration: time.Hour, Services: []ServiceConfig{{Name: "web"}}}, Outputs{Instances: &buf})
	if err != nil {
		t.Fatal(err)
	}
	// One new instance a second, created just before its first sample;
	// the last 7 (beyond the cap) are sampled again at the next second
	// alongside the next one, and counted once.
	name := func(i int) string { return "web-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) }
	for i := range MaxHeatmapInstances + 7 {
		now := sim.At(time.Duration(i+1) * time.Second)
		insts := []InstanceSample{{Name: name(i), Created: now - 1, CPURequest: 1}}
		if i > MaxHeatmapInstances {
			insts = append(insts, InstanceSample{Name: name(i - 1), Created: now - 1e9 - 1, CPURequest: 1})
		}
		c.InstanceSample(now, insts, nil)
	}
	c.Close()
	rec, err := ReadInstances(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Instances) != MaxHeatmapInstances || rec.InstancesLeftOut != 7 || rec.Columns != HeatmapColumns {
		t.Errorf("%d rows, %d left out, %d columns", len(rec.Instances), rec.InstancesLeftOut, rec.Columns)
	}
	c, _ = New(Config{Duration: time.Hour, Services: []ServiceConfig{{Name: "web"}}}, Outputs{})
	c.InstanceSample(0, []InstanceSample{{Name: "web-0"}}, nil)
	if c.grid != nil {
		t.Errorf("a grid without a writer")
	}
}
