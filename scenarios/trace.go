package scenarios

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// loadTrace reads a trace file: CSV rows "time_s,rps", time in seconds from
// the start of the run, strictly increasing, rps at least 0. A first row
// that is not numeric is a header; blank lines and lines starting with '#'
// are skipped. Problems are reported at the scenario's file field, each
// naming the trace's own line: "s.yaml:9:29: traffic.web.pattern.0.file:
// trace.csv:7:4: rps "x" is not a number".
func loadTrace(dir, file string, m *sourceMap, path string) ([]TracePoint, []Error) {
	name := file
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, []Error{m.valErr(path, fmt.Sprintf("cannot read the trace: %v (relative paths start at the scenario file's folder)", err))}
	}
	var pts []TracePoint
	var errs []Error
	// A problem in the trace names both places: the scenario's file field
	// (where the trace is chosen) and the trace's own line and column.
	bad := func(line, col int, format string, args ...any) {
		errs = append(errs, m.valErr(path, fmt.Sprintf("%s:%d:%d: %s", name, line, col, fmt.Sprintf(format, args...))))
	}
	first := true
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		header := first
		first = false
		if len(fields) != 2 {
			if header && !numeric(fields[0]) {
				continue
			}
			bad(i+1, 1, "expected two columns time_s,rps; got %d", len(fields))
			continue
		}
		ts, rs := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1])
		t, terr := strconv.ParseFloat(ts, 64)
		r, rerr := strconv.ParseFloat(rs, 64)
		if header && (terr != nil || rerr != nil) {
			continue
		}
		col2 := strings.IndexByte(raw, ',') + 2
		switch {
		case terr != nil || math.IsNaN(t) || math.IsInf(t, 0):
			bad(i+1, 1, "time_s %q is not a number of seconds", ts)
		case t < 0:
			bad(i+1, 1, "time_s %s is negative", ts)
		case len(pts) > 0 && time.Duration(float64(t*1e9)+0.5) <= pts[len(pts)-1].At:
			bad(i+1, 1, "time_s %s is not after the previous row's %g; rows must be in increasing time order", ts, pts[len(pts)-1].At.Seconds())
		case rerr != nil || math.IsNaN(r) || math.IsInf(r, 0):
			bad(i+1, col2, "rps %q is not a number", rs)
		case r < 0:
			bad(i+1, col2, "rps %s is negative; a rate is at least 0", rs)
		default:
			pts = append(pts, TracePoint{At: time.Duration(float64(t*1e9) + 0.5), RPS: r})
		}
	}
	if len(errs) == 0 && len(pts) == 0 {
		errs = append(errs, m.valErr(path, fmt.Sprintf("the trace %s has no rows; expected lines time_s,rps such as 0,120", name)))
	}
	return pts, errs
}

func numeric(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}
