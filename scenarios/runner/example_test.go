package runner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/runner"
)

// Compare the HPA's cpu policy with a fixed fleet on the built-in minimal
// scenario, cut to ten minutes: the same arrivals, other costs.
func ExampleCompare() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	src, _ := scenarios.Resolve("minimal")
	variants := []runner.Variant{runner.PolicyVariant("cpu"), runner.PolicyVariant("static")}
	opts := runner.CompareOptions{Sets: []string{"duration=10m", "services.web.replicas.initial=6"}, Out: filepath.Join(dir, "cmp")}
	res, err := runner.Compare(context.Background(), src, variants, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Comparison.Runs {
		web := r.Summary.Services["web"]
		fmt.Printf("%-6s arrived %d  replicas max %d  cost $%.3f\n", r.Label, web.Requests.Arrived, web.Replicas.Max, web.Cost.USD)
	}
	// Output:
	// cpu    arrived 59516  replicas max 7  cost $0.048
	// static arrived 59516  replicas max 6  cost $0.042
}
