package cluster

import (
	"fmt"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// In-place container restarts, as the kubelet does them: a failed liveness
// or startup probe kills the container (its pre-stop hook, then what it
// still holds until the grace period), an OOM kill ends it at once; either
// way the pod stays where it is (same instance, same node) and its
// container starts again after the CrashLoopBackOff, restart count +1,
// through boot, startup and readiness again. See the package
// documentation, "Container restarts".

// The kubelet's container back-off (pkg/kubelet/kubelet.go: backOffPeriod
// and MaxContainerBackOff, the flowcontrol.Backoff the kubelet gives
// kuberuntime's SyncPod).
const (
	CrashBackOffInitial = 10 * time.Second
	CrashBackOffMax     = 300 * time.Second
)

// crashBackOff is the kubelet's back-off entry for one container
// (k8s.io/client-go/util/flowcontrol/backoff.go, used by
// kubeGenericRuntimeManager.doBackOff in pkg/kubelet/kuberuntime):
//
//   - at an exit, with no entry yet or one not updated for more than
//     2 x CrashBackOffMax (hasExpired: "consider stable if it's ok for
//     twice the maxDuration", i.e. 10 minutes running), the container
//     starts again at once and the entry is (re)set to CrashBackOffInitial;
//   - otherwise it waits the entry's back-off from its exit
//     (IsInBackOffSince), and when it starts the back-off doubles, at most
//     CrashBackOffMax (Next), the entry updated then.
//
// So a container that keeps failing restarts after 0, 10, 20, 40, 80,
// 160, 300, 300 ... seconds.
type crashBackOff struct {
	set  bool
	d    time.Duration
	last sim.Time // the entry's lastUpdate
}

// exited returns how long the container that exited at e waits.
func (b *crashBackOff) exited(e sim.Time) time.Duration {
	if !b.set || e.Sub(b.last) > 2*CrashBackOffMax {
		*b = crashBackOff{set: true, d: CrashBackOffInitial, last: e}
		return 0
	}
	return b.d
}

// restarted records that the container starts again at t after waiting
// its back-off.
func (b *crashBackOff) restarted(t sim.Time) {
	b.d = min(2*b.d, CrashBackOffMax)
	b.last = t
}

// startContainer starts the instance's container on its node: the
// application boots for its readiness delay and its probes begin.
func (i *Instance) startContainer(now sim.Time) {
	i.containerStart = now
	i.last = now
	i.transition(startingBoot, now, "")
	i.memStart(now)
	i.lifecycle = i.svc.w.eng.Schedule(now.Add(i.svc.readinessDelay()), i, instBooted)
	i.armProbes(now)
	if n := i.node; n != nil && n.pool != nil && i.svc.cfg.Instance.BaseMemory > 0 {
		// Its base may be more than its node has left (a base above the
		// memory request: the scheduler placed it by its request).
		i.svc.w.memoryPressure(n, now)
	}
}

// booted: the application is up. Without probes still to pass it is
// Ready; otherwise it waits for them, out of rotation.
func (i *Instance) booted(now sim.Time) {
	i.transition(startingProbing, now, "")
	if i.startupDone && i.svc.cfg.Probes.Readiness == nil {
		i.becomeReady(now, "")
	}
}

// killContainer has the kubelet kill the container after a failed
// liveness or startup probe: it leaves the rotation and refuses new
// connections, runs its pre-stop hook, then ends when it holds nothing,
// or at the grace period with what it still holds failing. Then it waits
// for its back-off.
func (i *Instance) killContainer(now sim.Time, why string) {
	eng := i.svc.w.eng
	i.stopProbes()
	if !i.lifecycle.IsZero() {
		eng.Cancel(i.lifecycle) // its boot
		i.lifecycle = sim.EventID{}
	}
	if i.phase == readyServing {
		i.readyChanged = now
	}
	i.transition(startingKilling, now, why)
	i.leaveLB(now)
	i.preStopped = false
	i.grace = eng.Schedule(now.Add(i.svc.cfg.Instance.GracePeriod), i, instGraceOver)
	if d := i.svc.cfg.Instance.PreStop; d > 0 {
		i.lifecycle = eng.Schedule(now.Add(d), i, instPreStopDone)
		return
	}
	i.killPreStopDone(now)
}

// killPreStopDone: the pre-stop hook of a container being killed is over;
// it ends as soon as it holds nothing.
func (i *Instance) killPreStopDone(now sim.Time) {
	i.preStopped = true
	if i.held() == 0 {
		i.containerExited(now, "")
	}
}

// containerExited ends the instance's container (killed, OOM-killed):
// what it still holds fails, and it starts again after its back-off. why
// is the Detail of the move to the back-off (reported unless the
// container was being killed, which was reported then).
func (i *Instance) containerExited(now sim.Time, why string) {
	eng := i.svc.w.eng
	for _, id := range [...]*sim.EventID{&i.lifecycle, &i.grace} {
		if !id.IsZero() {
			eng.Cancel(*id)
			*id = sim.EventID{}
		}
	}
	i.stopProbes()
	i.dropAll(now)
	i.leaveLB(now)
	i.memStop(now)
	i.cold = true
	if i.phase == readyServing {
		i.readyChanged = now
	}
	i.backOffWait = i.backoff.exited(now)
	i.transition(startingBackOff, now, why)
	if i.backOffWait == 0 {
		i.restartContainer(now)
		return
	}
	i.lifecycle = eng.Schedule(now.Add(i.backOffWait), i, instRestart)
}

// restartContainer starts the container again, restart count +1.
func (i *Instance) restartContainer(now sim.Time) {
	if i.backOffWait > 0 {
		i.backoff.restarted(now)
	}
	i.restarts++
	s := i.svc
	s.restarts++
	s.w.obs.Lifecycle(Event{Time: now, Service: s.index, Kind: KindContainerRestarted, Instance: i.Name,
		Detail: fmt.Sprintf("restart %d, back-off %v", i.restarts, i.backOffWait), Counts: s.counts})
	i.startContainer(now)
}

// endIfIdle ends an instance that was only finishing what it held: a
// stopped drain terminates, a killed container exits.
func (i *Instance) endIfIdle(now sim.Time) {
	if i.held() != 0 {
		return
	}
	switch {
	case i.phase == drainingStopped || i.phase == drainingPreStopClosed:
		i.svc.terminate(i, now)
	case i.phase == startingKilling && i.preStopped:
		i.containerExited(now, "")
	}
}
