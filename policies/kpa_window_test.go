package policies

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/scalesim/scalesim/sim"
)

// The cases of knative/serving pkg/autoscaler/aggregation/bucketing_test.go
// and aggregation/max/{window,timewindow}_test.go at commit 98e5ef90aa70,
// each named after its upstream test. Upstream starts at time.Now(), not
// aligned to a bucket; here kpaW0 is 0.3 s into a bucket. The ResizeWindow
// parts are not ported (windows are fixed here).

var kpaW0 = sim.At(1000*time.Second + 300*time.Millisecond)

// forEachBucket is upstream's test helper: the buckets from the last write
// back, as many as still fall in the window at now.
func (b *KPABuckets) forEachBucket(now sim.Time, acc func(t sim.Time, v float64)) {
	now = b.truncate(now)
	n := int64(len(b.buckets)) - int64(now.Sub(b.lastWrite)/b.granularity)
	bt := b.lastWrite
	si := kpaIndex(bt, b.granularity)
	for range n {
		acc(bt, b.buckets[b.slot(si)])
		si--
		bt = bt.Add(-b.granularity)
	}
}

func (b *KPABuckets) sum(now sim.Time) float64 {
	s := 0.
	b.forEachBucket(now, func(_ sim.Time, v float64) { s += v })
	return s
}

// TestComputeDecayMultiplier (upstream's tolerance is 0.9999, which checks
// nothing; here 1e-5).
func TestKPASmoothingCoeff(t *testing.T) {
	for _, tc := range []struct{ nb, want float64 }{{100, 0.2}, {60, 0.2}, {40, 0.20567}, {6, 0.78456}} {
		if got := KPASmoothingCoeff(tc.nb); math.Abs(got-tc.want) > 1e-5 {
			t.Errorf("nb=%g: %v, want %v", tc.nb, got, tc.want)
		}
	}
}

// TestTimedFloat64BucketsSimple
func TestKPABucketsSimple(t *testing.T) {
	trunc1 := sim.At(1000 * time.Second)
	trunc5 := sim.At(1000 * time.Second)
	type rec struct {
		at sim.Time
		v  float64
	}
	tests := []struct {
		name        string
		granularity time.Duration
		stats       []rec
		want        map[sim.Time]float64
	}{{
		name: "granularity = 1s", granularity: time.Second,
		stats: []rec{{trunc1, 1}, {trunc1.Add(100 * time.Millisecond), 10}, {trunc1.Add(time.Second), 1}, {trunc1.Add(3 * time.Second), 1}},
		want:  map[sim.Time]float64{trunc1: 11, trunc1.Add(time.Second): 1, trunc1.Add(3 * time.Second): 1},
	}, {
		name: "granularity = 5s", granularity: 5 * time.Second,
		stats: []rec{{trunc5, 1}, {trunc5.Add(3 * time.Second), 11}, {trunc5.Add(6 * time.Second), 1}},
		want:  map[sim.Time]float64{trunc5: 12, trunc5.Add(5 * time.Second): 1},
	}, {
		name: "empty", granularity: time.Second, want: map[sim.Time]float64{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewKPABuckets(2*time.Minute, tt.granularity)
			if !b.IsEmpty(trunc1) {
				t.Error("new buckets not empty")
			}
			for _, s := range tt.stats {
				b.Record(s.at, s.v)
			}
			got := map[sim.Time]float64{}
			if b.written {
				b.forEachBucket(trunc1.Add(time.Minute), func(at sim.Time, v float64) {
					if v > 0 {
						got[at] = v
					}
				})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("buckets = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTimedFloat64BucketsManyReps and
// TestTimedFloat64BucketsManyRepsWithNonMonotonicalOrder
func TestKPABucketsManyReps(t *testing.T) {
	for _, order := range [][]int{{1, 2, 3, 4, 5}, {0, 3, 2, 1, 4}} {
		start := sim.At(1000 * time.Second)
		b := NewKPABuckets(time.Minute, time.Second)
		end := start
		for p := range 5 {
			end = start.Add(time.Duration(order[p]) * time.Second)
			for k := range 5 {
				b.Record(end, float64(p+k))
			}
		}
		if got := b.sum(end); got != 100 {
			t.Errorf("order %v: sum = %v, want 100", order, got)
		}
		if got := b.sum(end); got != 100 {
			t.Errorf("order %v: second sum = %v, want 100", order, got)
		}
	}
}

// TestTimedFloat64BucketsWeightedAverage
func TestKPABucketsWeightedAverage(t *testing.T) {
	now := kpaW0
	b := NewKPAWeightedBuckets(5*time.Second, time.Second)
	b.Record(now, 2)
	want := 2 * b.smoothing
	if got := b.WindowAverage(now); got != want {
		t.Errorf("one value: %v, want %v", got, want)
	}
	// one second later, no write.
	want *= 1 - b.smoothing
	if got := b.WindowAverage(now.Add(time.Second)); got != want {
		t.Errorf("a second later: %v, want %v", got, want)
	}
	b.Record(now.Add(time.Second), 2)
	want += 2 * b.smoothing
	if got := b.WindowAverage(now.Add(time.Second)); got != want {
		t.Errorf("second value: %v, want %v", got, want)
	}
	// fill the window with [2, 3, 4, 5, 6].
	for i := range 5 {
		b.Record(now.Add(time.Duration(2+i)*time.Second), float64(i+2))
	}
	m := b.smoothing
	want = 6*m + 5*m*(1-m) + 4*m*(1-m)*(1-m) + 3*m*(1-m)*(1-m)*(1-m) + 2*m*(1-m)*(1-m)*(1-m)*(1-m)
	if got := b.WindowAverage(now.Add(6 * time.Second)); math.Abs(got-want) > 1e-12 {
		t.Errorf("full window: %v, want %v", got, want)
	}
	if got := b.WindowAverage(now.Add(16 * time.Second)); got != 0 {
		t.Errorf("empty window: %v, want 0", got)
	}
}

// TestTimedFloat64BucketsWindowAverage
func TestKPABucketsWindowAverage(t *testing.T) {
	now := kpaW0
	b := NewKPABuckets(5*time.Second, time.Second)
	check := func(what string, at sim.Time, want float64) {
		t.Helper()
		if got := b.WindowAverage(at); got != want {
			t.Errorf("%s: WindowAverage = %v, want %v", what, got, want)
		}
	}
	// firstWrite bounds the average (else 0.2).
	b.Record(now, 1)
	check("one write", now, 1)
	for i := 1; i < 5; i++ {
		b.Record(now.Add(time.Duration(i)*time.Second), float64(i+1))
	}
	check("full", now.Add(4*time.Second), 15./5)
	check("now lags behind", now.Add(3600*time.Millisecond), 15./5)
	check("short hole", now.Add(6*time.Second), (15.-1-2)/(5-2))
	check("long hole", now.Add(10*time.Second), 0)
	b.Record(now.Add(6*time.Second), 91)
	check("write with holes", now.Add(6*time.Second), (15.-1-2+91)/5)
	now = now.Add(time.Minute)
	b.Record(now, 1984)
	check("much later", now, 1984)
	b.Record(now.Add(-3*time.Second), 4)
	check("an earlier time", now, (4.+1984)/4)
	now = now.Add(time.Second)
	b.Record(now, 5)
	check("one more second", now, (4.+1984+5)/5)
	b.Record(now.Add(-3*time.Second), 10)
	check("an earlier time again", now, (4.+10+1984+5)/5)
	b.Record(now.Add(-6*time.Second), 10)
	check("too early, ignored", now, (4.+10+1984+5)/5)
	b.Record(now.Add(-5*time.Second), 10)
	check("exactly a window early, ignored", now, (4.+10+1984+5)/5)
	b.Record(now.Add(5*time.Second), 10)
	check("exactly a window without data: afresh", now.Add(5*time.Second), 10)
}

// TestDescendingRecord
func TestKPABucketsDescendingRecord(t *testing.T) {
	b := NewKPABuckets(5*time.Second, time.Second)
	for i := 8 * time.Second; i >= 0; i -= time.Second {
		b.Record(kpaW0.Add(i), 5)
	}
	if got := b.WindowAverage(kpaW0.Add(5 * time.Second)); got != 5 {
		t.Errorf("WindowAverage = %v, want 5", got)
	}
}

// TestTimedFloat64BucketsHoles
func TestKPABucketsHoles(t *testing.T) {
	b := NewKPABuckets(5*time.Second, time.Second)
	for i := range 5 {
		b.Record(kpaW0.Add(time.Duration(i)*time.Second), float64(i+1))
	}
	if got := b.sum(kpaW0.Add(4 * time.Second)); got != 15 {
		t.Errorf("sum = %v, want 15", got)
	}
	if got := b.WindowAverage(kpaW0.Add(4 * time.Second)); got != 3 {
		t.Errorf("average = %v, want 3", got)
	}
	// a write at +8 s zeroes +5, +6, +7: left are 5 (at +4) and 2.
	b.Record(kpaW0.Add(8*time.Second), 2)
	if got := b.sum(kpaW0.Add(8 * time.Second)); got != 7 {
		t.Errorf("sum = %v, want 7", got)
	}
}

// The parts of TestWeightedFloat64BucketsResizeWindow,
// TestTimedFloat64BucketsResizeWindow, TestTimedFloat64BucketsWindowUpdate3sGranularity
// and TestTimedFloat64BucketsWindowUpdateNoOp before their resize.
func TestKPABucketsBeforeResize(t *testing.T) {
	for _, weighted := range []bool{false, true} {
		b := NewKPABuckets(5*time.Second, time.Second)
		if weighted {
			b = NewKPAWeightedBuckets(5*time.Second, time.Second)
		}
		for i := range 6 { // rolls over: 1 is overwritten
			b.Record(kpaW0.Add(time.Duration(i)*time.Second), float64(i+1))
		}
		now := kpaW0.Add(5 * time.Second)
		if got := b.sum(now); got != 20 {
			t.Errorf("weighted %v: sum = %v, want 20", weighted, got)
		}
		want := 4.
		got := b.WindowAverage(now)
		if weighted {
			want, got = 5.812, kpaRoundToNDigits(3, got) // computed a mano upstream
		}
		if got != want {
			t.Errorf("weighted %v: average = %v, want %v", weighted, got, want)
		}
	}

	// 3 s granularity: ceil(5/3) = 2 buckets.
	start := sim.At(999 * time.Second)
	b := NewKPABuckets(5*time.Second, 3*time.Second)
	if len(b.buckets) != 2 {
		t.Fatalf("buckets = %d, want 2", len(b.buckets))
	}
	for i, v := range []float64{10, 2, 3, 4, 5, 6, 7} { // the 7 overwrites 10+2+3
		b.Record(start.Add(time.Duration(i)*time.Second), v)
	}
	if got := b.sum(start.Add(6 * time.Second)); got != 4+5+6+7 {
		t.Errorf("3s granularity: sum = %v, want 22", got)
	}

	b = NewKPABuckets(5*time.Second, time.Second)
	b.Record(kpaW0, 19.82)
	if b.firstWrite != b.lastWrite {
		t.Errorf("firstWrite %s, want lastWrite %s", b.firstWrite, b.lastWrite)
	}
}

// TestRoundToNDigits
func TestKPARoundToNDigits(t *testing.T) {
	for _, tc := range []struct {
		n       int
		f, want float64
	}{{6, 3.6e-17, 0}, {3, -3.6e-17, 0}, {3, 0.0004, 0}, {3, 1.2345, 1.235}, {4, 1.2345, 1.2345}, {6, 12345, 12345}} {
		if got := kpaRoundToNDigits(tc.n, tc.f); got != tc.want {
			t.Errorf("round(%d, %v) = %v, want %v", tc.n, tc.f, got, tc.want)
		}
	}
}

// TestWindowMax (max/window_test.go): a window of 5 indices.
func TestKPAMaxWindow(t *testing.T) {
	gaps := func(i int) int64 {
		if i >= 3 {
			return int64(i + 3)
		}
		return int64(i)
	}
	same := func(int) int64 { return 1 }
	tests := []struct {
		name   string
		values []int
		index  func(int) int64
		expect []int
	}{
		{"single value", []int{1}, nil, []int{1}},
		{"ascending values", []int{1, 2}, nil, []int{1, 2}},
		{"descending values", []int{2, 1}, nil, []int{2, 2}},
		{"up, down, up", []int{1, 2, 1}, nil, []int{1, 2, 2}},
		{"windowing out", []int{5, 6, 5, 5, 5, 5, 5}, nil, []int{5, 6, 6, 6, 6, 6, 5}},
		{"windowing out with gaps", []int{6, 5, 2, 1}, gaps, []int{6, 6, 6, 2}},
		{"windowing out 2", []int{5, 6, 5, 7, 5, 5, 1}, nil, []int{5, 6, 6, 7, 7, 7, 7}},
		{"windowing out 3", []int{5, 8, 5, 7, 5, 5}, nil, []int{5, 8, 8, 8, 8, 8}},
		{"windowing out 4", []int{5, 8, 5, 7, 5, 5, 1}, nil, []int{5, 8, 8, 8, 8, 8, 7}},
		{"windowing out 5", []int{5, 8, 5, 7, 5, 5, 1, 4, 4, 4}, nil, []int{5, 8, 8, 8, 8, 8, 7, 7, 5, 5}},
		{"windowing out 6", []int{5, 8, 5, 7, 5, 5, 1, 4, 4, 4, 4}, nil, []int{5, 8, 8, 8, 8, 8, 7, 7, 5, 5, 4}},
		{"windowing out 7", []int{5, 8, 5, 7, 5, 5, 1, 4, 4, 4, 4, 9}, nil, []int{5, 8, 8, 8, 8, 8, 7, 7, 5, 5, 4, 9}},
		{"windowing out 8", []int{5, 8, 5, 7, 5, 5, 1, 4, 4, 4, 4, 9, 3, 4, 2, 1, 0}, nil, []int{5, 8, 8, 8, 8, 8, 7, 7, 5, 5, 4, 9, 9, 9, 9, 9, 4}},
		{"multiple with same index, ascending", []int{1, 2, 3, 4, 5, 6, 7}, same, []int{1, 2, 3, 4, 5, 6, 7}},
		{"multiple with same index, descending", []int{7, 6, 5, 4, 3, 2, 1}, same, []int{7, 7, 7, 7, 7, 7, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newKPAMaxWindowBuckets(5, time.Second)
			var got []int
			for i, v := range tt.values {
				idx := int64(i)
				if tt.index != nil {
					idx = tt.index(i)
				}
				m.Record(idx, v)
				got = append(got, m.Current())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.expect) {
				t.Errorf("Current() = %v, want %v", got, tt.expect)
			}
		})
	}
}

// TestTimedWindowMax (max/timewindow_test.go): 5 s in 1 s buckets.
func TestKPATimedMaxWindow(t *testing.T) {
	type rec struct {
		d time.Duration
		v int
	}
	tests := []struct {
		name   string
		values []rec
		expect int
	}{
		{"single value", []rec{{0, 5}}, 5},
		{"two values in same second", []rec{{0, 6}, {500 * time.Millisecond, 5}}, 6},
		{"two values", []rec{{0, 5}, {time.Second, 8}}, 8},
		{"time gap", []rec{{0, 5}, {6 * time.Second, 4}}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newKPAMaxWindow(5*time.Second, time.Second)
			for _, r := range tt.values {
				m.RecordAt(sim.At(1000*time.Second).Add(r.d), r.v)
			}
			if got := m.Current(); got != tt.expect {
				t.Errorf("Current() = %d, want %d", got, tt.expect)
			}
		})
	}
}
