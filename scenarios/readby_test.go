package scenarios

import (
	"reflect"
	"slices"
	"testing"
)

// The decoder's readby= tags on the autoscaler's keys (which policies a
// "did you mean" may point a key at) say what the policy registry says:
// the policies that read a key are exactly those whose definition reads
// it. A key every policy reads carries no tag.
func TestReadByTagsMatchTheRegistry(t *testing.T) {
	si := infoOf(reflect.TypeFor[Autoscaler]())
	all := PolicyNames()
	checked := 0
	for _, f := range si.fields {
		if f.selector || f.key == "" {
			continue
		}
		want := PoliciesReading(f.key)
		if len(want) == len(all) {
			want = nil
		}
		got := slices.Clone(f.readBy)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("autoscaler.%s: readby tag %v, the registry says %v", f.key, got, want)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("checked only %d autoscaler keys", checked)
	}
}
