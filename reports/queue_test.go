package reports

import (
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// TestQueueSummary: the queue block takes the deepest queue and the oldest
// message over the samples at or after warmup (10 s), and the last depth;
// a service without a queue has none.
func TestQueueSummary(t *testing.T) {
	cfg := Config{Scenario: "q", Seed: 1, Duration: 40 * time.Second, Warmup: 10 * time.Second,
		Services: []ServiceConfig{{Name: "worker", Policy: "keda", Queue: true}, {Name: "web", Policy: "static"}}}
	c, err := New(cfg, Outputs{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		at    time.Duration
		depth int
		age   time.Duration
	}{
		{0, 900, 90 * time.Second}, // before warmup: not counted
		{10 * time.Second, 40, 8 * time.Second},
		{20 * time.Second, 70, 5 * time.Second},
		{40 * time.Second, 3, time.Second},
	} {
		c.Sample(sim.At(r.at), []Sample{{Service: 0, QueueDepth: r.depth, QueueAge: r.age}, {Service: 1}})
	}
	s := c.Summary(0, 0)
	want := QueueSummary{DepthMax: 70, DepthAtEnd: 3, MessageAgeMaxS: 8}
	if q := s.Services["worker"].Queue; q == nil || *q != want {
		t.Errorf("queue %+v, want %+v", q, want)
	}
	if q := s.Services["web"].Queue; q != nil {
		t.Errorf("a service without a queue has %+v", q)
	}
}
