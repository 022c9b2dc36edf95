package cluster

import (
	"fmt"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// World is the whole simulated system of one run.
type World struct {
	eng      *sim.Engine
	cfg      Config
	services []*Service
	obs      Observer
	pool     requestPool
	end      sim.Time
	rows     []Sample // reused by every Sample call
	// instObs is obs when it takes per-instance samples; its rows are
	// reused by every call.
	instObs  InstanceObserver
	instRows []InstanceSample
	nodeRows []NodeSample
	ran      bool

	// The cluster: zones sorted by name, node pools, the nodes not
	// removed in creation order, and the instances no node could take, in
	// the order they were created.
	zones       []zone
	pools       []*pool
	nodes       []*node
	unscheduled []*Instance
	spare       []*Instance // retryPending's other buffer
	retrying    bool
	att         attempt // the scheduler's scratch
	dom         []bool  // the scheduler's scratch: the zones that are spread domains
	cnt         []int   // the scheduler's scratch: the instances per zone it counts
	placement   *sim.Rand
	defaultNext []int // per zone: the number of the last default node
	// placementEvents: instance-scheduled events are worth reporting
	// (there are node pools or several zones).
	placementEvents bool
	// The nodes' cost: USD per second of the nodes billed now, integrated
	// into the services' shares up to costAt.
	billRate float64
	costAt   sim.Time

	faults []*fault
}

// New builds a world; obs may be nil. Nothing happens until Run.
func New(cfg Config, obs Observer) (*World, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if obs == nil {
		obs = nopObserver{}
	}
	w := &World{eng: sim.NewEngine(), cfg: cfg, obs: obs, end: sim.At(cfg.Duration)}
	w.instObs, _ = obs.(InstanceObserver)
	streams := sim.NewStreams(cfg.Seed)
	w.placement = streams.Get("placement")
	w.buildTopology()
	w.placementEvents = len(w.pools) > 0 || len(w.zones) > 1
	for k, sc := range cfg.Services {
		sc.prepare()
		lbc := sc.LoadBalancer
		timeout, is504, timed := requestTimeout(sc)
		if sc.Ingress != nil {
			lbc.Algorithm, lbc.SessionAffinityTimeout = ingressBalancing(sc.Ingress)
		}
		s := &Service{
			w:         w,
			eng:       w.eng,
			obs:       obs,
			pool:      &w.pool,
			end:       w.end,
			index:     k,
			cfg:       sc,
			demand:    streams.Get("demand/" + sc.Name),
			backlog:   streams.Get("backlog/" + sc.Name),
			timeouts:  sim.NewTimers(w.eng, timeout),
			lifecycle: streams.Get("lifecycle/" + sc.Name),
			lb: loadBalancer{
				alg:      lbc.Algorithm,
				rng:      streams.Get("lb/" + sc.Name),
				affinity: lbc.SessionAffinityTimeout,
				replicas: max(lbc.Replicas, 1),
				alive:    max(lbc.Replicas, 1),
			},
			timed:        timed,
			timeoutIs504: is504,
		}
		// A Config is a description: this world's policy and arrivals are
		// its own, made fresh.
		if sc.Autoscaler.NewPolicy != nil {
			s.policy = sc.Autoscaler.NewPolicy()
		}
		if sc.NewArrivals != nil {
			s.arrivals = sc.NewArrivals()
		}
		s.directDelivery = !s.countsTokens() && sc.Ingress == nil
		for k, p := range [numProbes]*ProbeConfig{probeStartup: sc.Probes.Startup, probeReadiness: sc.Probes.Readiness, probeLiveness: sc.Probes.Liveness} {
			if p != nil {
				s.probeRings[k] = sim.NewTimers(w.eng, p.Period)
			}
		}
		if lbc.Algorithm == LeastRequests {
			s.lb.least = &leastIndex{}
		}
		if lbc.Algorithm == ClientIP {
			s.clients = streams.Get("clients/" + sc.Name)
			s.lb.clients = max(sc.Clients, 1)
			s.lb.sessions = newSessionTable(s.lb.clients)
			s.lb.cookie = sc.Ingress != nil
		}
		s.initRequests(len(w.zones))
		s.metrics.init(sc.Autoscaler)
		s.act.init(sc.Autoscaler)
		if sc.Queue {
			s.mq = &messageQueue{}
		}
		if a := sc.Autoscaler.Adapter; a != nil {
			if a.ScrapeInterval <= 0 || a.RateWindow <= 0 {
				return nil, fmt.Errorf("service %s: metrics adapter needs a positive scrape interval and rate window", sc.Name)
			}
			s.adapter = newServiceAdapter(*a)
		}
		w.services = append(w.services, s)
	}
	for k, fc := range cfg.Faults {
		w.faults = append(w.faults, w.newFault(k, fc, streams))
	}
	return w, nil
}

// Engine returns the world's event engine.
func (w *World) Engine() *sim.Engine { return w.eng }

// Services returns the services in configuration order.
func (w *World) Services() []*Service { return w.services }

// Event arguments for world events.
const worldSample uint64 = 0

// Fire handles the periodic sample.
func (w *World) Fire(now sim.Time, _ uint64) {
	w.sample(now)
	if next := now.Add(w.cfg.SampleInterval); next < w.end {
		w.eng.Schedule(next, w, worldSample)
	}
}

func (w *World) sample(now sim.Time) {
	w.rows = w.rows[:0]
	for _, s := range w.services {
		w.rows = append(w.rows, s.sample(now))
	}
	w.obs.Sample(now, w.rows)
	if w.instObs != nil {
		w.instanceSample(now, w.instObs)
	}
}

// Start creates the initial instances and schedules the first events. Run
// calls it; tests that drive the engine step by step call it themselves.
func (w *World) Start() {
	if w.ran {
		return
	}
	w.ran = true
	w.startNodes()
	for _, s := range w.services {
		s.counts.Desired = s.cfg.Initial
		for k := 0; k < s.cfg.Initial; k++ {
			s.newInstance(0, true)
		}
		a := s.cfg.Autoscaler
		if s.policy != nil && a.ScrapeInterval > 0 {
			w.eng.Schedule(0, s, svcScrape)
		}
		if s.policy != nil {
			w.eng.Schedule(sim.At(a.Interval), s, svcEvaluate)
		}
		if s.act.collect && s.act.next < w.end {
			w.eng.Schedule(s.act.next, s, svcCollect)
		}
		if s.policy != nil && s.adapter != nil {
			w.eng.Schedule(0, s, svcAdapterScrape)
		}
		s.scheduleArrival(0)
	}
	for _, f := range w.faults {
		w.eng.Schedule(sim.At(f.cfg.At), f, faultBegin)
	}
	if first := sim.At(w.cfg.SampleInterval); first < w.end {
		w.eng.Schedule(first, w, worldSample)
	}
}

// Run runs the world to its end and takes the final sample there.
func (w *World) Run() { w.RunWithProgress(nil) }

// RunWithProgress is Run, calling progress (if not nil) with the fraction
// of simulated time done, 0 to 1, a hundred times along the way. Progress
// reporting never changes the result.
func (w *World) RunWithProgress(progress func(done float64)) {
	_ = w.RunChecked(progress, nil)
}

// CheckEvery is how many events RunChecked fires between two calls of its
// check: rare enough to cost nothing per event, often enough that a run
// with millions of events a second answers a cancellation or a budget
// within milliseconds.
const CheckEvery = 1 << 16

// RunChecked is RunWithProgress that calls check (if not nil) with the
// number of events fired so far every CheckEvery events and at every
// hundredth of the run. A non-nil error from check stops the run where it
// is and is returned; the world is then left part-way and its results are
// not to be used. Checking never changes the result of a run that it lets
// finish: the engine fires the same events in the same order however the
// run is cut.
func (w *World) RunChecked(progress func(done float64), check func(fired uint64) error) error {
	w.Start()
	for k := 1; k <= 100; k++ {
		t := w.end / 100 * sim.Time(k)
		if k == 100 {
			t = w.end
		}
		for !w.eng.RunUntilAtMost(t, CheckEvery) {
			if check != nil {
				if err := check(w.eng.Fired()); err != nil {
					return err
				}
			}
		}
		if check != nil {
			if err := check(w.eng.Fired()); err != nil {
				return err
			}
		}
		if progress != nil && k < 100 {
			progress(float64(k) / 100)
		}
	}
	w.sample(w.end)
	if progress != nil {
		progress(1)
	}
	return nil
}

// End is when the run stops.
func (w *World) End() sim.Time { return w.end }

// nopObserver discards everything.
type nopObserver struct{}

func (nopObserver) RequestArrived(int, sim.Time)                                 {}
func (nopObserver) RequestEnded(int, Outcome, sim.Time, sim.Time, time.Duration) {}
func (nopObserver) Lifecycle(Event)                                              {}
func (nopObserver) Decision(Decision)                                            {}
func (nopObserver) Sample(sim.Time, []Sample)                                    {}
