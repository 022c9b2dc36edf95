package sim

import "testing"

// sameTrace fails the test at the first line where the trace got differs
// from the reference trace want (what plain events do), naming the run
// and the reference.
func sameTrace(t *testing.T, run, reference string, got, want []string) {
	t.Helper()
	for k := range min(len(want), len(got)) {
		if want[k] != got[k] {
			t.Fatalf("%s: line %d is %q, with %s %q", run, k, got[k], reference, want[k])
		}
	}
	if len(want) != len(got) {
		t.Fatalf("%s: %d lines, with %s %d", run, len(got), reference, len(want))
	}
}
