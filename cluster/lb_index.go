package cluster

import "math"

// leastIndex is least-requests' index of the rotation: a min segment tree
// over slots in join order, each slot holding its member's outstanding
// requests (Instance.held), or emptySlot. It answers "the first member at
// or after the cursor, cyclically, among those with the fewest
// outstanding requests" in O(log n), the same member the linear scan
// picks, so results do not change; a change of a member's count costs
// O(log n). Slots are handed out in join order and never reused until a
// rebuild, which packs the members into the first slots in their order
// (or doubles the tree): amortized O(1) per join.
type leastIndex struct {
	size  int         // leaves: a power of two
	v     []int32     // v[1] is the root; v[size+k] is slot k
	inst  []*Instance // the member in each slot, nil if none
	next  int         // the next free slot
	count int         // members indexed
}

const emptySlot = math.MaxInt32

// add indexes i, the newest member, with its current count.
func (x *leastIndex) add(i *Instance, members []*Instance) {
	if x.next == x.size {
		x.rebuild(members, i)
		return
	}
	i.lbSlot = int32(x.next)
	x.inst[x.next] = i
	x.next++
	x.count++
	x.set(i)
}

// remove drops i from the index.
func (x *leastIndex) remove(i *Instance) {
	k := int(i.lbSlot)
	x.inst[k] = nil
	x.count--
	x.put(k, emptySlot)
}

// set records i's current count.
func (x *leastIndex) set(i *Instance) {
	x.put(int(i.lbSlot), int32(min(i.held(), emptySlot-1)))
}

func (x *leastIndex) put(k int, v int32) {
	j := x.size + k
	if x.v[j] == v {
		return
	}
	x.v[j] = v
	for j > 1 {
		j >>= 1
		m := min(x.v[2*j], x.v[2*j+1])
		if x.v[j] == m {
			return
		}
		x.v[j] = m
	}
}

// rebuild packs members (in join order, before the newcomer extra) into
// the first slots of a tree with room for twice as many, and adds extra.
func (x *leastIndex) rebuild(members []*Instance, extra *Instance) {
	n := len(members) + 1
	size := 16
	for size < 2*n {
		size *= 2
	}
	x.size, x.next, x.count = size, 0, 0
	x.v = make([]int32, 2*size)
	for k := range x.v {
		x.v[k] = emptySlot
	}
	x.inst = make([]*Instance, size)
	for _, m := range members {
		if m != extra {
			m.lbSlot = int32(x.next)
			x.inst[x.next] = m
			x.v[size+x.next] = int32(min(m.held(), emptySlot-1))
			x.next++
			x.count++
		}
	}
	for j := size - 1; j >= 1; j-- {
		x.v[j] = min(x.v[2*j], x.v[2*j+1])
	}
	extra.lbSlot = int32(x.next)
	x.inst[x.next] = extra
	x.next++
	x.count++
	x.set(extra)
}

// pick returns the first member at or after from's slot, cyclically, with
// the fewest outstanding requests.
func (x *leastIndex) pick(from *Instance) *Instance {
	least := x.v[1]
	if k := x.first(int(from.lbSlot), least); k >= 0 {
		return x.inst[k]
	}
	return x.inst[x.first(0, least)]
}

// first returns the first slot >= lo whose count is at most v, or -1.
func (x *leastIndex) first(lo int, v int32) int {
	// Walk up from the leaf lo: at each level where the range so far is
	// a left child, look at its right sibling; the first subtree found
	// holding a count <= v is descended to its leftmost such leaf.
	j := x.size + lo
	if x.v[j] <= v {
		return lo
	}
	for j > 1 {
		if j&1 == 0 && x.v[j+1] <= v {
			j++
			for j < x.size {
				if x.v[2*j] <= v {
					j = 2 * j
				} else {
					j = 2*j + 1
				}
			}
			return j - x.size
		}
		j >>= 1
	}
	return -1
}
