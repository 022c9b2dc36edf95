package scenarios

import (
	"strings"
	"testing"
)

const queueHead = `
name: q
duration: 1h
services:
  worker:
    instance: {concurrency: 4}
    demand: {cpu: 10ms}
traffic:
  worker:
    kind: queue
    rate: 5
`

func TestQueueTraffic(t *testing.T) {
	s := mustParse(t, queueHead)
	cfg, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Services[0].Queue {
		t.Error("kind: queue did not make a queue")
	}
	s = mustParse(t, strings.Replace(queueHead, "    kind: queue\n", "", 1))
	if cfg, _ := Build(s); cfg.Services[0].Queue || s.TrafficFor("worker").Kind != KindRequests {
		t.Error("the default kind is not requests")
	}
}

func TestQueueTrafficErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"timeout", queueHead + "    timeout: 5s\n",
			"bad.yaml:12:5: traffic.worker.timeout: does not apply to kind: queue (messages wait on the queue until a consumer takes them; there is no client)"},
		{"no concurrency", strings.Replace(queueHead, "    instance: {concurrency: 4}\n", "", 1),
			"bad.yaml:5:3: services.worker.instance.concurrency: must be set for kind: queue: it is how many messages an instance processes at once, e.g. 4"},
		{"unknown kind", strings.Replace(queueHead, "kind: queue", "kind: stream", 1),
			`bad.yaml:10:11: traffic.worker.kind: unknown value "stream"; allowed: requests, queue`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := parseErrors(t, tc.text)
			if len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), tc.want)
			}
		})
	}
}
