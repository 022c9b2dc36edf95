package runner

import (
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/scalesim/scalesim/cluster"
	"github.com/scalesim/scalesim/reports"
	"github.com/scalesim/scalesim/sim"
)

// The observer converts cluster's enums to reports' by value.
func TestOutcomesAgree(t *testing.T) {
	for _, o := range []cluster.Outcome{cluster.Completed, cluster.Rejected, cluster.Failed, cluster.TimedOut} {
		if got, want := reports.Outcome(o).String(), o.String(); got != want {
			t.Errorf("outcome %d: reports says %q, cluster %q", o, got, want)
		}
	}
	for r := range cluster.NumReasons {
		if got, want := reports.PlacementReason(r).String(), r.String(); got != want {
			t.Errorf("placement reason %d: reports says %q, cluster %q", r, got, want)
		}
	}
	for st := cluster.Pending; st <= cluster.Terminated; st++ {
		if got, want := reports.InstanceState(st).String(), st.String(); got != want {
			t.Errorf("instance state %d: reports says %q, cluster %q", st, got, want)
		}
	}
	for got, want := range map[string]cluster.EventKind{reports.FaultStartKind: cluster.KindFaultStart,
		reports.FaultEndKind: cluster.KindFaultEnd, reports.FaultKind: cluster.KindFault} {
		if got != string(want) {
			t.Errorf("fault kind: reports says %q, cluster %q", got, want)
		}
	}
}

// One RequestArrived and one RequestEnded per request: the hot path
// allocates nothing.
func TestObserverRequestsAllocateNothing(t *testing.T) {
	c, err := reports.New(reports.Config{Duration: 1e9, Services: []reports.ServiceConfig{{Name: "web"}}}, reports.Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	var o cluster.Observer = &observer{c: c}
	now := sim.Time(0)
	if n := testing.AllocsPerRun(1000, func() {
		now++
		o.RequestArrived(0, now)
		o.RequestEnded(0, cluster.Completed, now, now+1000, 0)
	}); n != 0 {
		t.Errorf("%v allocations per request, want 0", n)
	}
}

// reports depends on no simulator package: what it reads comes through
// its own types (the observer converts).
func TestReportsApartFromTheWorld(t *testing.T) {
	deps := goListDeps(t, "github.com/scalesim/scalesim/reports")
	for _, p := range []string{"github.com/scalesim/scalesim/cluster", "github.com/scalesim/scalesim/policies",
		"github.com/scalesim/scalesim/scenarios"} {
		if deps[p] {
			t.Errorf("reports depends on %s", p)
		}
	}
}

// Neither reports nor the runner links the plotting stack: plots are
// drawn by a Plotter the caller passes (cmd/scalesim: plots.Writer).
func TestHeadlessWithoutPlotStack(t *testing.T) {
	for _, pkg := range []string{"github.com/scalesim/scalesim/reports", "github.com/scalesim/scalesim/scenarios/runner"} {
		for dep := range goListDeps(t, pkg) {
			if strings.HasPrefix(dep, "gonum.org/v1/plot") || dep == "github.com/scalesim/scalesim/reports/plots" {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// A Format needs a Plotter; a bad Format is bad input.
func TestFormatNeedsPlotter(t *testing.T) {
	if _, err := plotsFor(reports.PNG, nil); err == nil || !strings.Contains(err.Error(), "Plotter") {
		t.Errorf("png without a Plotter: %v", err)
	}
	var ie *InputError
	if _, err := plotsFor("gif", nil); !errors.As(err, &ie) {
		t.Errorf("gif: %v, want an *InputError", err)
	}
	if pl, err := plotsFor("", nil); err != nil || pl.format != "" {
		t.Errorf("no format: %v, %+v", err, pl)
	}
}

// goListDeps returns the packages pkg depends on (tests excluded).
func goListDeps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	return deps
}

// Only a collector that gathers instances.json gets the per-instance rows:
// a sweep's runs (no files) spare the world building them.
func TestObserverInstancesOnlyWhenWanted(t *testing.T) {
	cfg := reports.Config{Duration: 1e9, Services: []reports.ServiceConfig{{Name: "web"}}}
	c, err := reports.New(cfg, reports.Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := newObserver(c).(cluster.InstanceObserver); ok {
		t.Errorf("an observer without instances.json takes instance samples")
	}
	c, err = reports.New(cfg, reports.Outputs{Instances: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := newObserver(c).(cluster.InstanceObserver); !ok {
		t.Errorf("an observer with instances.json does not take instance samples")
	}
}
