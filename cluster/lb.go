package cluster

import "math/rand/v2"

// loadBalancer routes a service's requests over the instances in its
// rotation. Instances join when they become ready and leave when their
// removal has propagated; a request finding the rotation empty is rejected.
type loadBalancer struct {
	alg     Algorithm
	members []*Instance // in the order they joined
	cursor  int
	rng     *rand.Rand
}

func (lb *loadBalancer) add(i *Instance) {
	if i.inLB {
		return
	}
	i.inLB = true
	lb.members = append(lb.members, i)
}

func (lb *loadBalancer) remove(i *Instance) {
	if !i.inLB {
		return
	}
	i.inLB = false
	for k, m := range lb.members {
		if m == i {
			lb.members = append(lb.members[:k], lb.members[k+1:]...)
			if k < lb.cursor {
				lb.cursor--
			}
			break
		}
	}
	if lb.cursor >= len(lb.members) {
		lb.cursor = 0
	}
}

// pick chooses the instance for the next request, or nil.
func (lb *loadBalancer) pick() *Instance {
	n := len(lb.members)
	if n == 0 {
		return nil
	}
	switch lb.alg {
	case Random:
		return lb.members[lb.rng.IntN(n)]
	case PowerOfTwo:
		if n == 1 {
			return lb.members[0]
		}
		a := lb.rng.IntN(n)
		b := lb.rng.IntN(n - 1)
		if b >= a {
			b++
		}
		if lb.members[b].held() < lb.members[a].held() {
			return lb.members[b]
		}
		return lb.members[a]
	case LeastRequests:
		// The fewest outstanding requests; ties go round-robin so equal
		// instances share the load.
		best := lb.members[lb.cursor]
		for k := 1; k < n; k++ {
			if m := lb.members[(lb.cursor+k)%n]; m.held() < best.held() {
				best = m
			}
		}
		lb.cursor = (lb.cursor + 1) % n
		return best
	default: // RoundRobin
		m := lb.members[lb.cursor]
		lb.cursor = (lb.cursor + 1) % n
		return m
	}
}
