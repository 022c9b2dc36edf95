package cluster

import (
	"math"
	"strconv"

	"github.com/scalesim/scalesim/sim"
)

// IntOrPercent is a Deployment's maxSurge or maxUnavailable: a number of
// instances, or a percentage of the desired count.
type IntOrPercent struct {
	Value   int
	Percent bool
}

// resolve is the value for total desired instances, a percentage rounded
// up or down (GetScaledValueFromIntOrPercent).
func (v IntOrPercent) resolve(total int, roundUp bool) int {
	if !v.Percent {
		return v.Value
	}
	x := float64(v.Value) * float64(total) / 100
	if roundUp {
		return int(math.Ceil(x))
	}
	return int(math.Floor(x))
}

func (v IntOrPercent) String() string {
	if v.Percent {
		return strconv.Itoa(v.Value) + "%"
	}
	return strconv.Itoa(v.Value)
}

// rollout is a Deployment's rolling update of a service to a new version,
// run as the Deployment controller runs it (pkg/controller/deployment:
// rolling.go and sync.go); see the package documentation, "Rolling
// updates". The old and the new ReplicaSet are the instances of the old
// versions and of the new one; newWant and oldWant their spec.replicas.
type rollout struct {
	f        *fault
	s        *Service
	version  int // the new version
	from     int // the version old replacements are created at
	desired  int // the Deployment's replicas the ReplicaSets were last scaled for
	annotate int // their max-replicas annotation: desired + maxSurge then
	newWant  int
	oldWant  int
	queued   bool        // a step is due at this instant
	wake     sim.EventID // a step when an instance becomes available (minReadySeconds)
	wakeAt   sim.Time
	scratch  []*Instance
}

// Event arguments for rollout events.
const (
	rolloutStep uint64 = iota
)

// fenceposts resolves maxSurge (rounded up) and maxUnavailable (rounded
// down) for d desired instances; if both come to 0, maxUnavailable is 1
// (ResolveFenceposts in pkg/controller/deployment/util).
func (r *rollout) fenceposts(d int) (surge, unavailable int) {
	surge = r.f.cfg.MaxSurge.resolve(d, true)
	unavailable = r.f.cfg.MaxUnavailable.resolve(d, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// beginRollout starts the fault's rolling update of its service. A
// rollout under way is superseded: everything it ran becomes old.
func (f *fault) beginRollout(now sim.Time) {
	s := f.svc
	r := &rollout{f: f, s: s, from: s.version, desired: s.counts.Desired}
	if p := s.ro; p != nil {
		r.from = p.version
		r.oldWant = p.newWant + p.oldWant
		p.end(now)
	} else {
		r.oldWant = s.counts.Desired
	}
	s.nextVersion++
	r.version = s.nextVersion
	surge, _ := r.fenceposts(r.desired)
	r.annotate = r.desired + surge
	s.ro = r
	s.event(KindFaultStart, f.detail, now)
	r.step(now)
}

// end closes the rollout's span: its instances are the service's current
// version (or a superseding rollout's old ones).
func (r *rollout) end(now sim.Time) {
	s := r.s
	if !r.wake.IsZero() {
		s.w.eng.Cancel(r.wake)
		r.wake = sim.EventID{}
	}
	s.ro = nil
	s.version = r.version
	s.event(KindFaultEnd, r.f.detail, now)
}

// poke asks for a step at this instant: something changed (an instance
// moved, one was lost, the desired count changed).
func (r *rollout) poke(now sim.Time) {
	if r.queued {
		return
	}
	r.queued = true
	r.s.w.eng.Schedule(now, r, rolloutStep)
}

// Fire handles the rollout's steps.
func (r *rollout) Fire(now sim.Time, arg uint64) {
	if arg == rolloutStep {
		r.queued = false
		if r.s.ro == r {
			r.step(now)
		}
	}
}

// wakeUp is the step when an instance becomes available.
type wakeUp struct{ r *rollout }

func (u wakeUp) Fire(now sim.Time, _ uint64) {
	u.r.wake = sim.EventID{}
	if u.r.s.ro == u.r {
		u.r.step(now)
	}
}

// isNew reports whether inst belongs to the new ReplicaSet.
func (r *rollout) isNew(inst *Instance) bool { return inst.version == r.version }

// available reports whether inst counts as available: Ready for at least
// minReadySeconds.
func (r *rollout) available(inst *Instance, now sim.Time) bool {
	return inst.phase == readyServing && now >= inst.readyChanged.Add(r.f.cfg.MinReady)
}

// count returns, for the new (isNew) or the old ReplicaSet, its
// instances not terminating (stranded ones included: their pods exist)
// and the available ones.
func (r *rollout) count(isNew bool, now sim.Time) (live, avail int) {
	for _, inst := range r.s.instances {
		if inst.State() == Draining || r.isNew(inst) != isNew {
			continue
		}
		live++
		if r.available(inst, now) {
			avail++
		}
	}
	for _, n := range r.s.w.nodes {
		for _, p := range n.life.pods {
			if p.inst.svc == r.s && p.rs && r.isNew(p.inst) == isNew {
				live++
			}
		}
	}
	return live, avail
}

// step is one sync of the Deployment controller, then of the two
// ReplicaSet controllers: scale proportionally if the desired count
// changed, scale the new ReplicaSet up within maxSurge
// (reconcileNewReplicaSet), scale the old one down within maxUnavailable,
// unavailable instances first (reconcileOldReplicaSets,
// cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate);
// then create or drain instances to match, and end when the new
// ReplicaSet has every instance available and the old one none.
func (r *rollout) step(now sim.Time) {
	s := r.s
	d := s.counts.Desired
	changed := false
	if d != r.desired {
		nw, ow := r.newWant, r.oldWant
		r.scale(d)
		changed = nw != r.newWant || ow != r.oldWant
	}
	surge, unavailable := r.fenceposts(d)
	// reconcileNewReplicaSet.
	switch {
	case r.newWant > d:
		r.newWant, changed = d, true
	case r.newWant < d:
		if total := r.newWant + r.oldWant; total < d+surge {
			r.newWant += min(d+surge-total, d-r.newWant)
			changed = true
		}
	}
	// reconcileOldReplicaSets.
	_, newAvail := r.count(true, now)
	_, oldAvail := r.count(false, now)
	if r.oldWant > 0 {
		minAvailable := d - unavailable
		maxScaledDown := r.newWant + r.oldWant - minAvailable - (r.newWant - newAvail)
		if maxScaledDown > 0 {
			// The old instances that are not available go first.
			if k := min(maxScaledDown, max(r.oldWant-oldAvail, 0)); k > 0 {
				r.oldWant -= k
				changed = true
			}
			if k := min(newAvail+oldAvail-minAvailable, r.oldWant); k > 0 {
				r.oldWant -= k
				changed = true
			}
		}
	}
	r.desired, r.annotate = d, d+surge
	if changed {
		s.event(KindRolloutStep, r.f.detail+": new "+strconv.Itoa(r.newWant)+", old "+strconv.Itoa(r.oldWant)+
			" (surge "+strconv.Itoa(surge)+", unavailable "+strconv.Itoa(unavailable)+")", now)
	}
	r.realize(now)
	if s.ro != r {
		return
	}
	_, newAvail = r.count(true, now)
	if r.newWant == d && r.oldWant == 0 && newAvail >= d {
		r.end(now)
		return
	}
	r.armWake(now)
}

// scale is the Deployment controller's proportional scaling of both
// ReplicaSets when the desired count changes during a rollout (scale and
// getProportion in pkg/controller/deployment/sync.go and util): each
// ReplicaSet gets its share of the instances to add or remove, in
// proportion to its size over the max-replicas annotation, the largest
// taking the rounding leftover.
func (r *rollout) scale(d int) {
	switch {
	case r.newWant > 0 && r.oldWant == 0, r.newWant == 0 && r.oldWant == 0:
		r.newWant = d // the one active ReplicaSet (or the newest) takes it all
		return
	case r.newWant == 0:
		r.oldWant = d
		return
	}
	surge, _ := r.fenceposts(d)
	allowed := 0
	if d > 0 {
		allowed = d + surge
	}
	toAdd := allowed - r.newWant - r.oldWant
	if toAdd == 0 {
		return
	}
	// The order: larger first; ties newer first when adding, older first
	// when removing.
	sizes := []*int{&r.newWant, &r.oldWant}
	if r.oldWant > r.newWant || (r.oldWant == r.newWant && toAdd < 0) {
		sizes[0], sizes[1] = sizes[1], sizes[0]
	}
	added := 0
	next := make([]int, 2)
	for k, p := range sizes {
		prop := 0
		if *p > 0 && toAdd != added {
			frac := -*p
			if d > 0 {
				frac = int(math.Round(float64(*p)*float64(allowed)/float64(r.annotate))) - *p
			}
			if toAdd > 0 {
				prop = min(frac, toAdd-added)
			} else {
				prop = max(frac, toAdd-added)
			}
		}
		next[k] = *p + prop
		added += prop
	}
	next[0] = max(next[0]+toAdd-added, 0)
	*sizes[0], *sizes[1] = next[0], next[1]
}

// realize is the ReplicaSet controllers: each ReplicaSet's instances not
// terminating are brought to its spec, creating instances (the old
// ReplicaSet replaces what it loses too) or draining them, not ready
// ones first and the newest first, as a ReplicaSet chooses. A rollout
// does not consult disruption budgets: they gate evictions, not
// ReplicaSet scale-downs.
func (r *rollout) realize(now sim.Time) {
	s := r.s
	for _, isNew := range [...]bool{true, false} {
		want, version, why := r.newWant, r.version, "rollout: new version "+strconv.Itoa(r.version)
		if !isNew {
			want, version, why = r.oldWant, r.from, "rollout: replaced by version "+strconv.Itoa(r.version)
		}
		live, _ := r.count(isNew, now)
		for ; live < want; live++ {
			inst := s.newInstance(now, false)
			inst.version = version
		}
		for ; live > want; live-- {
			if s.stranded > 0 && s.w.dropStranded(s, now, func(i *Instance) bool { return r.isNew(i) == isNew }) {
				continue
			}
			r.victim(isNew).beginDrain(now, why)
		}
	}
}

// victim chooses the instance of the new or old ReplicaSet to remove, as
// Service.pickVictim does.
func (r *rollout) victim(isNew bool) *Instance {
	var best *Instance
	for _, inst := range r.s.instances {
		if inst.State() == Draining || r.isNew(inst) != isNew {
			continue
		}
		if best == nil || inst.State() < best.State() || (inst.State() == best.State() && inst.created >= best.created) {
			best = inst
		}
	}
	return best
}

// armWake schedules a step for when the next Ready instance becomes
// available (minReadySeconds after it became Ready).
func (r *rollout) armWake(now sim.Time) {
	mr := r.f.cfg.MinReady
	if mr <= 0 {
		return
	}
	next := sim.Never
	for _, inst := range r.s.instances {
		if inst.phase == readyServing && !r.available(inst, now) {
			next = min(next, inst.readyChanged.Add(mr))
		}
	}
	if !r.wake.IsZero() && r.wakeAt == next {
		return
	}
	if !r.wake.IsZero() {
		r.s.w.eng.Cancel(r.wake)
		r.wake = sim.EventID{}
	}
	if next != sim.Never {
		r.wake, r.wakeAt = r.s.w.eng.Schedule(next, wakeUp{r}, 0), next
	}
}
