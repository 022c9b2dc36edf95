package runner

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/scenarios"
)

// TestHotInstance runs testdata/hot-instance.yaml: four static instances
// behind client-ip affinity with one client, so every request goes to the
// one instance the client's first request picked. instances.json must show
// exactly that: one row with requests in flight and CPU, the other three
// with none at all (not merely less), each on a node of the pool; and each
// node's CPU is the sum of its instances', the total the service's CPU from
// timeseries.csv.
func TestHotInstance(t *testing.T) {
	sc, err := scenarios.Open("testdata/hot-instance.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r")
	if _, err := Run(context.Background(), sc, RunOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, reports.InstancesFile))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := reports.ReadInstances(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// 10 minutes sampled every 15 s: 40 columns of one interval each.
	if rec.Columns != 40 || rec.ColumnS != 15 {
		t.Errorf("grid %d x %v s, want 40 x 15 s", rec.Columns, rec.ColumnS)
	}
	if len(rec.Instances) != 4 || len(rec.Nodes) != 2 {
		t.Fatalf("%d instances on %d nodes, want 4 on 2", len(rec.Instances), len(rec.Nodes))
	}
	sum := func(xs []reports.JSONFloat) float64 {
		s := 0.0
		for _, x := range xs {
			if v := float64(x); !math.IsNaN(v) {
				s += v
			}
		}
		return s
	}
	hot := 0
	nodeCPU := map[string]float64{}
	for _, r := range rec.Instances {
		if r.Node == "" {
			t.Errorf("%s is on no node", r.Name)
		}
		inflight, cpu := sum(r.InFlight), sum(r.CPUUtilization)
		nodeCPU[r.Node] += cpu * r.CPURequest * rec.ColumnS
		switch {
		case inflight > 0 && cpu > 0:
			hot++
		case inflight != 0 || cpu != 0:
			t.Errorf("%s: in flight %v, CPU %v: an instance the client never reached worked", r.Name, inflight, cpu)
		}
		if r.State[len(r.State)-1] != "ready" {
			t.Errorf("%s ends %q", r.Name, r.State[len(r.State)-1])
		}
	}
	if hot != 1 {
		t.Errorf("%d hot instances, want 1", hot)
	}
	total := 0.0
	for _, n := range rec.Nodes {
		used := sum(n.CPUUsedCores) * rec.ColumnS
		total += used
		if math.Abs(used-nodeCPU[n.Name]) > 1e-3*max(used, 1) {
			t.Errorf("node %s used %v core-seconds, its instances %v", n.Name, used, nodeCPU[n.Name])
		}
		if n.CPUCores != 2 || n.MemoryBytes != 8<<30 || n.Pool != "general" || n.Zone != "a" {
			t.Errorf("node %+v", n)
		}
	}
	tf, err := os.Open(filepath.Join(out, reports.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := reports.ReadTimeseries(tf)
	tf.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, prev := 0.0, 0.0
	for _, r := range rows {
		want += r.CPUCores * (r.TimeS - prev)
		prev = r.TimeS
	}
	if math.Abs(total-want) > 1e-3*want {
		t.Errorf("the nodes used %v core-seconds, the service %v", total, want)
	}
}
