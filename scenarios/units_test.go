package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestParseCPU(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"2", 2, ""},
		{"0.5", 0.5, ""},
		{".5", 0.5, ""},
		{"250m", 0.25, ""},
		{"1500m", 1.5, ""},
		{"100m", 0.1, ""},
		{"1e3", 1000, ""},
		{"5e-1", 0.5, ""},
		{"500000u", 0.5, ""},
		{"100000000n", 0.1, ""},
		{"0", 0, ""},
		{"2Gi", 0, "is a memory suffix"},
		{"2 cores", 0, "not a CPU quantity"},
		{"m", 0, "must start with a number"},
		{"-1", 0, "negative"},
		{"1.2.3", 0, "must start with a number"},
		{"", 0, "must start with a number"},
	}
	for _, tt := range tests {
		got, err := ParseCPU(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseCPU(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseCPU(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseCPU(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"256Mi", 256 << 20, ""},
		{"1Gi", 1 << 30, ""},
		{"1.5Gi", 3 << 29, ""},
		{"512Ki", 512 << 10, ""},
		{"2Ti", 2 << 40, ""},
		{"1G", 1e9, ""},
		{"500M", 500e6, ""},
		{"1k", 1000, ""},
		{"1e3", 1000, ""},
		{"1E9", 1e9, ""},
		{"1E", 1e18, ""},
		{"134217728", 134217728, ""},
		{"128m", 0, "did you mean 128Mi or 128M?"},
		{"1GB", 0, "did you mean 1G (10^x bytes) or 1Gi (2^x bytes)?"},
		{"1GiB", 0, "did you mean 1Gi?"},
		{"1gi", 0, "did you mean 1Gi?"},
		{"1 lots", 0, "use bytes with a Kubernetes suffix"},
		{"-1Gi", 0, "negative"},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseBytes(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseBytes(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseBytes(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"500ms", 500 * time.Millisecond, ""},
		{"30s", 30 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1.5h", 90 * time.Minute, ""},
		{"250us", 250 * time.Microsecond, ""},
		{"0", 0, ""},
		{"0s", 0, ""},
		{"30", 0, "30 has no unit; write a Go duration, e.g. 30s or 30ms"},
		{"0.5", 0, "has no unit"},
		{"1d", 0, "Go durations have no d unit; write 24h"},
		{"-5s", 0, "negative"},
		{"five seconds", 0, "is not a duration; use Go syntax"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseDuration(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	allowed := []string{"autoscaler", "replicas", "instance", "web", "interpolation"}
	for in, want := range map[string]string{
		"autscaler":  "autoscaler",
		"Autoscaler": "autoscaler",
		"replica":    "replicas",
		"wbe":        "web",
		"interp":     "interpolation",
		"zzz":        "",
		"x":          "",
	} {
		if got := suggest(in, allowed); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
