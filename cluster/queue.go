package cluster

import (
	"time"

	"github.com/scalesim/scalesim/sim"
)

// Asynchronous work (a service whose ServiceConfig.Queue is set): each
// arrival is a message put on the service's queue instead of a request sent
// through its load balancer. The instances consume it: an instance that is
// Ready (or running its pre-stop hook) takes the oldest message whenever it
// has a free concurrency slot, and processes it with the service's demand
// like a request; when it is done the message is acknowledged (completed)
// and it takes the next. So messages wait, in order, while there is no
// consumer (0 replicas, none ready yet) or every consumer is busy, and
// nothing is rejected or times out. A message lost with its instance
// (crash, killed at the end of its drain) is failed: there is no
// redelivery. Conservation covers messages: arrived = completed + failed +
// in flight (waiting on the queue or being processed).

// messageQueue is a service's queue of messages.
type messageQueue struct {
	q         fifo
	consuming bool // consume is running (a message with no demand ends inside it)
}

// depth is the number of messages waiting.
func (m *messageQueue) depth() int { return m.q.len() }

// messageAge is the age of the oldest waiting message (0 when none waits).
func (m *messageQueue) messageAge(now sim.Time) time.Duration {
	if m.q.len() == 0 {
		return 0
	}
	return now.Sub(m.q.peek().arrived)
}

// enqueue counts r as an arrival and puts it on the queue.
func (s *Service) enqueue(r *request, now sim.Time) {
	s.arrived++
	s.obs.RequestArrived(s.index, now)
	s.inFlight++
	s.mq.q.push(r, now)
	s.consume(now)
}

// consume hands waiting messages to consumers with a free slot, oldest
// message first, each to the first such instance in creation order.
func (s *Service) consume(now sim.Time) {
	m := s.mq
	if m.consuming {
		return
	}
	m.consuming = true
	for m.q.len() > 0 {
		inst := s.freeConsumer()
		if inst == nil {
			break
		}
		e := m.q.pop()
		if !inst.accept(e.r, now) {
			panic("cluster: a consumer with a free slot refused a message")
		}
	}
	m.consuming = false
}

// freeConsumer is the first instance that consumes and has a free slot.
func (s *Service) freeConsumer() *Instance {
	c := s.cfg.Instance.Concurrency
	for _, inst := range s.instances {
		if (inst.phase == readyServing || inst.phase == drainingPreStop) && (c == 0 || inst.busy < c) {
			return inst
		}
	}
	return nil
}

// QueueDepth returns the messages waiting and the oldest one's age; zero
// for a service without a queue.
func (s *Service) QueueDepth(now sim.Time) (int, time.Duration) {
	if s.mq == nil {
		return 0, 0
	}
	return s.mq.depth(), s.mq.messageAge(now)
}
