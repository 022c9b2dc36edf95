package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scalesim/scalesim/reports"
)

// The pieces of a sweep that are not the running: the grammar of the --set
// lists and of --shard, the sweep.json manifest and the per-run records.

// maxSweepRuns bounds a grid: far beyond any useful sweep, well within int.
const maxSweepRuns = 10_000_000

// parseSetList parses one sweep --set: PATH=V1,V2,... Values are separated
// by commas outside quotes ('...', "...") and brackets ([...], {...}), so
// each value is YAML exactly as `run --set` takes it: a list [a, b] or a
// mapping {cpu: 50ms, wait: 5ms} is one value, and a string with a comma is
// quoted: "a, b". Spaces around a value are dropped. A single value (no
// comma) is a fixed override, as with run.
func parseSetList(set string) (reports.SweepParam, error) {
	path, value, ok := strings.Cut(set, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return reports.SweepParam{}, fmt.Errorf("--set %q: expected path=value or path=v1,v2,..., e.g. services.web.autoscaler.target_utilization=50,60,70", set)
	}
	if path == "seed" {
		return reports.SweepParam{}, fmt.Errorf("--set %q: a sweep sets the seed of each run itself; use --seed for the first seed and --seeds for how many", set)
	}
	values, err := splitValues(value)
	if err != nil {
		return reports.SweepParam{}, fmt.Errorf("--set %q: %w", set, err)
	}
	for i, v := range values {
		if len(values) > 1 && v == "" {
			return reports.SweepParam{}, fmt.Errorf("--set %q: value %d of the list is empty", set, i+1)
		}
		if slices.Index(values, v) < i {
			return reports.SweepParam{}, fmt.Errorf("--set %q: value %q is given twice", set, v)
		}
	}
	return reports.SweepParam{Path: path, Values: values}, nil
}

// splitValues splits s at the commas outside quotes and brackets.
func splitValues(s string) ([]string, error) {
	var (
		out   []string
		depth []byte // the closing brackets expected, innermost last
		quote byte   // the quote we are in, or 0
		start int
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '\\':
			i++ // an escape: skip the next byte
		case quote != 0:
			if c == quote {
				quote = 0 // YAML's '' inside '...' closes and reopens: same split
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth = append(depth, ']')
		case c == '{':
			depth = append(depth, '}')
		case c == ']' || c == '}':
			if len(depth) == 0 || depth[len(depth)-1] != c {
				return nil, fmt.Errorf("unbalanced %q at byte %d of %q", c, i+1, s)
			}
			depth = depth[:len(depth)-1]
		case c == ',' && len(depth) == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote in %q", quote, s)
	}
	if len(depth) > 0 {
		return nil, fmt.Errorf("unclosed %q in %q", depth[0], s)
	}
	return append(out, strings.TrimSpace(s[start:])), nil
}

// Shard is --shard i/n: this process runs the runs r with r % n == i.
// n = 0: no sharding, every run.
type Shard struct {
	Index, Count int
	From         string // where the index came from (for messages)
}

func (s Shard) owns(run int) bool { return s.Count == 0 || run%s.Count == s.Index }

func (s Shard) String() string {
	if s.Count == 0 {
		return "all runs"
	}
	return fmt.Sprintf("shard %d/%d", s.Index, s.Count)
}

var shardRE = regexp.MustCompile(`^\s*(auto|\d+)\s*/\s*(\d+)\s*$`)

// parseShard parses --shard i/n (0 <= i < n) or auto/n, where auto reads
// the index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job: 0 to n-1)
// or, failing that, from SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (a
// Slurm job array, so --array=0-7 and --array=1-8 both give shards 0 to 7;
// the array's step must be 1 and, when Slurm says, its size n).
func parseShard(s string, getenv func(string) string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	m := shardRE.FindStringSubmatch(s)
	if m == nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/n with 0 <= i < n (e.g. 0/8), or auto/n", s)
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n < 1 || n > maxSweepRuns {
		return Shard{}, fmt.Errorf("--shard %q: the number of shards must be from 1 to %d", s, maxSweepRuns)
	}
	spec := Shard{Count: n}
	if m[1] != "auto" {
		spec.Index, _ = strconv.Atoi(m[1])
		if spec.Index >= n {
			return Shard{}, fmt.Errorf("--shard %q: the index is 0-based: 0 to %d", s, n-1)
		}
		return spec, nil
	}
	envInt := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("--shard %s: %s=%q is not an integer", s, name, v)
		}
		return i, true, nil
	}
	if i, ok, err := envInt("JOB_COMPLETION_INDEX"); err != nil {
		return Shard{}, err
	} else if ok {
		spec.Index, spec.From = i, "JOB_COMPLETION_INDEX"
	} else if id, ok, err := envInt("SLURM_ARRAY_TASK_ID"); err != nil {
		return Shard{}, err
	} else if ok {
		lo, _, err := envInt("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return Shard{}, err
		}
		if step, ok, err := envInt("SLURM_ARRAY_TASK_STEP"); err != nil {
			return Shard{}, err
		} else if ok && step != 1 {
			return Shard{}, fmt.Errorf("--shard %s: the Slurm array has step %d; use a contiguous array, e.g. --array=0-%d", s, step, n-1)
		}
		if cnt, ok, err := envInt("SLURM_ARRAY_TASK_COUNT"); err != nil {
			return Shard{}, err
		} else if ok && cnt != n {
			return Shard{}, fmt.Errorf("--shard %s: the Slurm array has %d tasks, not %d; use --array=0-%d or --shard auto/%d", s, cnt, n, n-1, cnt)
		}
		spec.Index, spec.From = id-lo, "SLURM_ARRAY_TASK_ID"
	} else {
		return Shard{}, fmt.Errorf("--shard %s: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (a Slurm job array) is set; give the index yourself: --shard i/%d with i from 0 to %d", s, n, n-1)
	}
	if spec.Index < 0 || spec.Index >= n {
		return Shard{}, fmt.Errorf("--shard %s: %s gives shard %d, outside 0 to %d (does the job's completions or array size match %d?)", s, spec.From, spec.Index, n-1, n)
	}
	return spec, nil
}

// The files of a sweep folder besides reports' ones.
const (
	SweepManifestFile = "sweep.json"
	SweepRunsDir      = "runs"
)

// sweepManifest is sweep.json: what the sweep is. The scenario's hash, the
// grid, the seeds and the base seed identify it: a folder with another
// sweep's manifest is refused, so resuming never mixes two sweeps. The
// analysis (objective, requirements, confidence) can change between
// invocations; it is what merge uses by default.
type sweepManifest struct {
	Format   int    `json:"format"`
	Scenario string `json:"scenario"` // as given: a path, or builtin:NAME
	Name     string `json:"name"`
	SHA256   string `json:"scenario_sha256"` // of the scenario file's bytes
	reports.SweepGrid
	NumPoints  int      `json:"points"`
	NumRuns    int      `json:"runs"`
	Objective  string   `json:"objective"`
	Require    []string `json:"require"`
	Confidence float64  `json:"confidence"`
}

const sweepFormat = 1

func scenarioHash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// sameSweep returns nil when a and b describe the same runs, or what
// differs.
func sameSweep(a, b *sweepManifest) error {
	var diffs []string
	if a.Format != b.Format {
		diffs = append(diffs, fmt.Sprintf("format %d, not %d", a.Format, b.Format))
	}
	if a.SHA256 != b.SHA256 {
		diffs = append(diffs, fmt.Sprintf("scenario %s (sha256 %.12s...), not %s (sha256 %.12s...)", a.Scenario, a.SHA256, b.Scenario, b.SHA256))
	}
	if !reflect.DeepEqual(a.Params, b.Params) {
		diffs = append(diffs, fmt.Sprintf("grid %s, not %s", describeParams(a.Params), describeParams(b.Params)))
	}
	if a.Seeds != b.Seeds {
		diffs = append(diffs, fmt.Sprintf("--seeds %d, not %d", a.Seeds, b.Seeds))
	}
	if a.BaseSeed != b.BaseSeed {
		diffs = append(diffs, fmt.Sprintf("--seed %d, not %d", a.BaseSeed, b.BaseSeed))
	}
	if len(diffs) == 0 {
		return nil
	}
	return errors.New(strings.Join(diffs, "; "))
}

func describeParams(ps []reports.SweepParam) string {
	if len(ps) == 0 {
		return "(no --set)"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, "--set "+p.Path+"="+strings.Join(p.Values, ","))
	}
	return strings.Join(parts, " ")
}

// readManifest reads dir/sweep.json; ok is false when there is none.
func readManifest(dir string) (m *sweepManifest, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, SweepManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	m = &sweepManifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, true, fmt.Errorf("%s: %w", filepath.Join(dir, SweepManifestFile), err)
	}
	if m.Seeds < 1 || m.NumRuns != m.Runs() || m.NumPoints != m.Points() {
		return nil, true, fmt.Errorf("%s: inconsistent: %d seeds, %d runs for a grid of %d points", filepath.Join(dir, SweepManifestFile), m.Seeds, m.NumRuns, m.NumPoints)
	}
	return m, true, nil
}

func writeManifest(dir string, m *sweepManifest) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	return reports.WriteFileAtomically(filepath.Join(dir, SweepManifestFile), b.Bytes())
}

// analysis returns the manifest's analysis, parsed.
func (m *sweepManifest) analysis() (reports.SweepAnalysis, error) {
	a := reports.SweepAnalysis{Objective: m.Objective, Confidence: m.Confidence}
	if rest, ok := strings.CutPrefix(m.Objective, "max:"); ok {
		a.Objective, a.Maximize = rest, true
	}
	for _, s := range m.Require {
		r, err := reports.ParseRequirement(s)
		if err != nil {
			return a, err
		}
		a.Require = append(a.Require, r)
	}
	return a, nil
}

// setAnalysis stores a in the manifest.
func (m *sweepManifest) setAnalysis(a reports.SweepAnalysis) {
	m.Objective = a.Objective
	if a.Maximize {
		m.Objective = "max:" + a.Objective
	}
	m.Require = []string{}
	for _, r := range a.Require {
		m.Require = append(m.Require, r.String())
	}
	m.Confidence = a.Confidence
}

// A run's record is runs/ID.json: the run's summary.json, written to a
// temporary file (a dot file, ignored by readers) and renamed into place,
// so a record that exists is complete. ID is the run index, zero-padded to
// at least 6 digits.

// RecordName is the file name of run of a sweep of runs runs.
func RecordName(run, runs int) string {
	width := max(6, len(strconv.Itoa(runs-1)))
	return fmt.Sprintf("%0*d.json", width, run)
}

var recordRE = regexp.MustCompile(`^(\d+)\.json$`)

// scanRecords lists the run records in dir/runs: run index to file path.
// A name that is not a run of this sweep is an error.
func scanRecords(dir string, runs int) (map[int]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, SweepRunsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return map[int]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	found := make(map[int]string, len(entries))
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue // temporary files of runs being written
		}
		m := recordRE.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		r, err := strconv.Atoi(m[1])
		if err != nil || r >= runs || name != RecordName(r, runs) {
			return nil, fmt.Errorf("%s: not a run of this sweep of %d runs", filepath.Join(dir, SweepRunsDir, name), runs)
		}
		found[r] = filepath.Join(dir, SweepRunsDir, name)
	}
	return found, nil
}

// readRecord reads a run record and checks that it is run r of m.
func readRecord(path string, m *sweepManifest, r int) (reports.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return reports.Summary{}, err
	}
	defer f.Close()
	s, err := reports.ReadSummary(f)
	if err != nil {
		return reports.Summary{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, _, seed := m.Run(r); s.Seed != seed || s.Scenario != m.Name {
		return reports.Summary{}, fmt.Errorf("%s: holds scenario %q seed %d, but run %d is scenario %q seed %d", path, s.Scenario, s.Seed, r, m.Name, seed)
	}
	if len(s.Services) == 0 {
		return reports.Summary{}, fmt.Errorf("%s: holds no services; the record is damaged", path)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		q := s.Services[name].Requests
		if q.Arrived != q.Completed+q.Rejected+q.Failed+q.TimedOut+q.InFlightAtEnd {
			return reports.Summary{}, fmt.Errorf("%s: service %s: %d arrived, but %d completed + %d rejected + %d failed + %d timed out + %d in flight = %d; the record is damaged (run the shard again)",
				path, name, q.Arrived, q.Completed, q.Rejected, q.Failed, q.TimedOut, q.InFlightAtEnd, q.Completed+q.Rejected+q.Failed+q.TimedOut+q.InFlightAtEnd)
		}
	}
	return s, nil
}

// describeRuns lists runs for a message: at most 10, each with its point,
// replicate and seed.
func describeRuns(m *sweepManifest, runs []int) string {
	var parts []string
	for i, r := range runs {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(runs)-10))
			break
		}
		p, k, seed := m.Run(r)
		parts = append(parts, fmt.Sprintf("run %d (point %d: %s, replicate %d, seed %d)", r, p, m.Describe(p), k, seed))
	}
	return strings.Join(parts, "; ")
}
