package policies

import (
	"fmt"
	"testing"
	"time"
)

// Every problem a config reports names its field, nested ones with their
// prefix, so that the scenario loader can point at the field.
func TestFieldErrors(t *testing.T) {
	cfg := DefaultLatencyConfig()
	cfg.Percentile = 100
	cfg.Behavior.ScaleUp.Policies[0].Period = 0
	err := fmt.Errorf("latency: %w", cfg.Validate())
	var got []string
	for _, e := range FieldErrors(err) {
		got = append(got, e.Field)
	}
	want := []string{"target", "percentile", "behavior.scale_up.policies[0].period"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	r := DefaultRequestsInFlightConfig()
	r.AlarmingLowerRate = 0
	r.Interval = time.Second
	fe := FieldErrors(r.Validate())
	if len(fe) != 1 || fe[0].Field != "alarming_lower_rate" || fe[0].Problem != "0 must be greater than 0" {
		t.Errorf("requests-in-flight: %v", fe)
	}
	if FieldErrors(nil) != nil || len(FieldErrors(fmt.Errorf("plain"))) != 0 {
		t.Error("no field errors expected")
	}
}
