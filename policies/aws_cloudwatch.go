package policies

import (
	"fmt"
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// This file is what the AWS policies (aws_target_tracking.go,
// aws_step.go) share: a CloudWatch-like metric pipeline of one datapoint
// per period, alarms that need N of the last M datapoints, and the instance
// warm-up of EC2 Auto Scaling. The rules followed, each from AWS's
// documentation:
//
//   - CloudWatch alarms: an alarm goes to ALARM when DatapointsToAlarm (N)
//     of the last EvaluationPeriods (M) datapoints breach its threshold
//     ("Evaluating an alarm", docs.aws.amazon.com/AmazonCloudWatch/latest/
//     monitoring/AlarmThatSendsEmail.html). A missing datapoint is treated as
//     not breaching here (treatMissingData: notBreaching; target tracking's
//     own alarms leave it "missing", which keeps the state: the difference
//     matters only when the group has no instance to measure).
//   - The datapoint period is 1 minute: target tracking needs 1-minute
//     metrics ("Create a target tracking scaling policy", docs.aws.amazon.com/
//     autoscaling/ec2/userguide/policy_creating.html: "confirm that your
//     preferred metric is available at 1-minute intervals").
//   - Instance warm-up ("Set the default instance warmup", docs.aws.amazon.com/
//     autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html):
//     an instance contributes to the group's aggregated metrics only once it
//     has been in service for the warm-up; while instances warm up, a
//     policy scales out only when the metric of the others breaches, counts
//     the warming instances as part of the current capacity (so repeated
//     breaches of one size make one scaling activity), and does not scale
//     in until the warm-up is over.
//
// In the simulator an instance is in service when it is ready; one not yet
// ready (pending, starting) is part of the desired capacity and warming.

// AWSMetric names what an AWS policy's alarms watch.
type AWSMetric string

const (
	// AWSCPUUtilization is the group's average CPU utilization in percent
	// of each instance's CPU request (ECSServiceAverageCPUUtilization;
	// ASGAverageCPUUtilization with the request as the instance's size).
	AWSCPUUtilization AWSMetric = "cpu"
	// AWSRequestCountPerTarget is the requests of one period per in-service
	// target (ALBRequestCountPerTarget: the load balancer's RequestCount Sum
	// over the period divided by the healthy targets).
	AWSRequestCountPerTarget AWSMetric = "request_count_per_target"
)

// AWSDatapointPeriod is CloudWatch's period for the scaling metrics: 1
// minute.
const AWSDatapointPeriod = time.Minute

// AWSAlarm is an alarm's evaluation: N (datapoints) breaching of the last
// M (periods).
type AWSAlarm struct {
	Datapoints, Periods int
}

// Validate checks 1 <= datapoints <= periods <= 1440 (CloudWatch's limit
// of one day of 1-minute periods is not enforced beyond that).
func (a AWSAlarm) validate(field string) []error {
	switch {
	case a.Periods < 1 || a.Periods > 1440:
		return []error{fieldErr(field+"_periods", "%d must be between 1 and 1440", a.Periods)}
	case a.Datapoints < 1 || a.Datapoints > a.Periods:
		return []error{fieldErr(field+"_datapoints", "%d must be between 1 and the %d periods", a.Datapoints, a.Periods)}
	}
	return nil
}

// AWSAlarmBreaching counts the breaching datapoints among the last periods
// of the history (oldest first); missing datapoints are in history as
// false.
func AWSAlarmBreaching(history []bool, periods int) int {
	n := 0
	for _, b := range history[max(0, len(history)-periods):] {
		if b {
			n++
		}
	}
	return n
}

// awsAlarmRing is an alarm's recent datapoints, breaching or not, in a
// ring of its evaluation periods.
type awsAlarmRing struct {
	spec   AWSAlarm
	breach []bool
	head   int // next slot
	n      int // datapoints kept
	count  int // breaching among them
}

func newAWSAlarmRing(a AWSAlarm) *awsAlarmRing {
	return &awsAlarmRing{spec: a, breach: make([]bool, a.Periods)}
}

// add records one datapoint.
func (r *awsAlarmRing) add(breaching bool) {
	if r.n == len(r.breach) {
		if r.breach[r.head] {
			r.count--
		}
	} else {
		r.n++
	}
	r.breach[r.head] = breaching
	if breaching {
		r.count++
	}
	r.head = (r.head + 1) % len(r.breach)
}

// inAlarm is the alarm's state: ALARM when N of the last M breach.
func (r *awsAlarmRing) inAlarm() bool { return r.count >= r.spec.Datapoints }

// awsGroup is what the AWS policies read of the group at one evaluation.
type awsGroup struct {
	inService int // ready instances
	warm      int // in service for at least the warm-up: they make the metric
	warming   int // desired instances not yet warm (not ready, or in warm-up)
	// cpu is the average utilization (percent of request) of the measured
	// instances: warm, with a CPU metric; cpuOK is false when none is.
	cpu      float64
	cpuOK    bool
	measured int
}

// capacity is the capacity the metric is the measure of: for CPU the
// instances averaged, for requests per target the targets in service.
func (g awsGroup) capacity(m AWSMetric) int {
	if m == AWSRequestCountPerTarget {
		return g.inService
	}
	return g.measured
}

func readAWSGroup(now sim.Time, o Observation, warmup time.Duration) awsGroup {
	var g awsGroup
	var sum float64
	n := 0
	for _, p := range o.Pods {
		if !p.Ready {
			continue
		}
		g.inService++
		if now.Sub(p.ReadyChanged) < warmup {
			continue
		}
		g.warm++
		if p.CPU.OK && p.CPURequest > 0 {
			sum += float64(p.CPU.Value / p.CPURequest * 100)
			n++
		}
	}
	g.warming = max(0, o.Current-g.warm)
	if n > 0 {
		g.cpu, g.cpuOK, g.measured = sum/float64(n), true, n
	}
	return g
}

// awsMetricSource turns observations into one datapoint per evaluation:
// the CPU average of the warm instances as the pipeline last scraped it
// (the pipeline's 1-minute window, one period old), or the requests of the
// previous period per in-service target (one period old likewise: a
// CloudWatch datapoint is published after its period ends).
type awsMetricSource struct {
	metric   AWSMetric
	requests float64 // requests in the period being collected
	prev     float64 // requests of the previous period
	prevN    int     // in-service targets at the end of the previous period
	started  bool
}

// datapoint returns the metric's value for this evaluation, or false when
// there is none (no instance to measure, or the first period).
func (m *awsMetricSource) datapoint(o Observation, g awsGroup) (float64, bool) {
	if m.metric != AWSRequestCountPerTarget {
		return g.cpu, g.cpuOK
	}
	for _, s := range o.Concurrency.Stats {
		m.requests += s.Requests
	}
	v, n, ok := m.prev, m.prevN, m.started
	m.prev, m.prevN, m.started = m.requests, g.inService, true
	m.requests = 0
	if !ok || n == 0 {
		return 0, false
	}
	return v / float64(n), true
}

// awsCeil is ceil with a tolerance for the float error of a product that
// should be whole (4 x 75 / 50).
func awsCeil(x float64) int { return int(math.Ceil(x - 1e-9)) }

func (m AWSMetric) valid() error {
	if m != AWSCPUUtilization && m != AWSRequestCountPerTarget {
		return fieldErr("metric", "%q must be %q or %q", m, AWSCPUUtilization, AWSRequestCountPerTarget)
	}
	return nil
}

func (m AWSMetric) unit() string {
	if m == AWSRequestCountPerTarget {
		return " requests per target"
	}
	return "%"
}

func awsValue(m AWSMetric, v float64) string { return fmt.Sprintf("%.4g%s", v, m.unit()) }
