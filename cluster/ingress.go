package cluster

import (
	"math"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// IngressConfig is an ingress-nginx hop in front of a service (see the
// package documentation, "Ingress"). The defaults the scenarios package
// fills are ingress-nginx's (internal/ingress/controller/config/config.go,
// NewDefault: proxy-read-timeout 60, proxy-next-upstream "error timeout",
// proxy-next-upstream-tries 3).
type IngressConfig struct {
	// Latency is what the hop adds to every request (there and back).
	Latency time.Duration
	// ReadTimeout is proxy_read_timeout: a request whose response has not
	// come this long after the ingress passed it upstream ends with a 504
	// (Failed, counted by IngressTotals); the instance keeps the work,
	// as after a client timeout. 0: none.
	ReadTimeout time.Duration
	// NextUpstreamTries is proxy_next_upstream_tries with
	// proxy_next_upstream "error": a request whose connection fails (the
	// instance refuses it, or is gone) is passed to the next endpoint, up
	// to this many tries in all; 1 retries nothing, 0 tries every endpoint
	// once.
	NextUpstreamTries int
	// CookieAffinity is nginx.ingress.kubernetes.io/affinity: cookie: a
	// client sticks to the endpoint that served its first request, while
	// it is in rotation and until the cookie is CookieMaxAge old (0: a
	// session cookie, for the whole run). Without it the ingress balances
	// round-robin.
	CookieAffinity bool
	CookieMaxAge   time.Duration
}

// ingressBalancing is the balancing behind an ingress: straight to the
// endpoints, bypassing the Service's virtual IP, so the Service's
// sessionAffinity (client-ip) and the load balancer's algorithm do not
// apply: round-robin, or sticky sessions by cookie.
func ingressBalancing(ing *IngressConfig) (Algorithm, time.Duration) {
	if !ing.CookieAffinity {
		return RoundRobin, 0
	}
	if ing.CookieMaxAge > 0 {
		return ClientIP, ing.CookieMaxAge
	}
	return ClientIP, time.Duration(math.MaxInt64)
}

// sentAt is when the client sent a request that reaches the service's
// load balancer now: the ingress hop's latency earlier.
func (s *Service) sentAt(now sim.Time) sim.Time {
	if ing := s.cfg.Ingress; ing != nil && ing.Latency > 0 {
		return now.Add(-ing.Latency)
	}
	return now
}

// requestTimeout is the one deadline every request of sc gets, a fixed
// length from when the load balancer takes it (so one sim.Timers ring
// holds them all): its client's timeout, less the ingress hop's latency
// spent before, or, if shorter, the ingress's proxy_read_timeout (then
// is504). ok is false when there is neither.
func requestTimeout(sc ServiceConfig) (d time.Duration, is504, ok bool) {
	if sc.Timeout > 0 {
		d, ok = sc.Timeout, true
		if ing := sc.Ingress; ing != nil {
			d = max(d-ing.Latency, 0)
		}
	}
	if ing := sc.Ingress; ing != nil && ing.ReadTimeout > 0 && (!ok || ing.ReadTimeout < d) {
		d, is504, ok = ing.ReadTimeout, true, true
	}
	return d, is504, ok
}

// nextUpstream returns the endpoint the ingress tries after a connection
// to inst failed, or nil when it tries no more: the next one round-robin
// (the sticky session, if any, moves to it).
func (s *Service) nextUpstream(r *request, inst *Instance, tries int, now sim.Time) *Instance {
	ing := s.cfg.Ingress
	lb := &s.lb
	n := len(lb.members)
	if ing == nil || n == 0 || (inst.accepting() && !inst.lost()) {
		return nil
	}
	if limit := ing.NextUpstreamTries; (limit > 0 && tries >= limit) || (limit == 0 && tries >= n) {
		return nil
	}
	if lb.cursor >= n {
		lb.cursor = 0
	}
	next := lb.members[lb.cursor]
	lb.cursor = (lb.cursor + 1) % n
	if lb.sessions != nil {
		*lb.sessions.at(r.client) = session{inst: next, epoch: next.lbEpoch, last: now}
	}
	s.ingressRetries++
	return next
}

// IngressTotals returns how many requests ended with the ingress's 504
// (proxy_read_timeout), and how many connection errors it retried on the
// next endpoint (proxy_next_upstream); Sample carries them too
// (GatewayTimeouts, IngressRetries).
func (s *Service) IngressTotals() (timeouts, retried int64) {
	return s.gatewayTimeouts, s.ingressRetries
}
