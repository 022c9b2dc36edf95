package runner

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSetList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		path string
		vals []string
		err  string
	}{
		{in: "a.b=1,2,3", path: "a.b", vals: []string{"1", "2", "3"}},
		{in: "a=70", path: "a", vals: []string{"70"}},
		{in: "a=", path: "a", vals: []string{""}},
		{in: "a= 1 , 2", path: "a", vals: []string{"1", "2"}},
		{in: "a=[1, 2],[3]", path: "a", vals: []string{"[1, 2]", "[3]"}},
		{in: "d={cpu: 50ms, wait: 5ms},{cpu: 20ms}", path: "d", vals: []string{"{cpu: 50ms, wait: 5ms}", "{cpu: 20ms}"}},
		{in: `s="a, b",'c, ''d''',e`, path: "s", vals: []string{`"a, b"`, `'c, ''d'''`, "e"}},
		{in: `s="x\", y",z`, path: "s", vals: []string{`"x\", y"`, "z"}},
		{in: "a=1,,2", err: "empty"},
		{in: "a=[1,2", err: "unclosed"},
		{in: "a=1]", err: "unbalanced"},
		{in: `a="x`, err: "unclosed"},
		{in: "=1,2", err: "path=value"},
		{in: "nothing", err: "path=value"},
		{in: "seed=1,2", err: "--seeds"},
	} {
		p, err := parseSetList(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseSetList(%q) = %v, %v; want an error with %q", tc.in, p, err, tc.err)
			}
			continue
		}
		if err != nil || p.Path != tc.path || !slices.Equal(p.Values, tc.vals) {
			t.Errorf("parseSetList(%q) = %q %q, %v; want %q %q", tc.in, p.Path, p.Values, err, tc.path, tc.vals)
		}
	}
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		in       string
		env      func(string) string
		idx, n   int
		err      string
		ownsRun7 bool
	}{
		{in: "", env: env(), ownsRun7: true},
		{in: "0/1", env: env(), idx: 0, n: 1, ownsRun7: true},
		{in: "3/4", env: env(), idx: 3, n: 4, ownsRun7: true},
		{in: "2/4", env: env(), idx: 2, n: 4},
		{in: "4/4", env: env(), err: "0-based"},
		{in: "0/0", env: env(), err: "from 1"},
		{in: "auto/4", env: env("JOB_COMPLETION_INDEX", "3"), idx: 3, n: 4, ownsRun7: true},
		{in: "auto/4", env: env("JOB_COMPLETION_INDEX", "1", "SLURM_ARRAY_TASK_ID", "3"), idx: 1, n: 4},
		{in: "auto/4", env: env("JOB_COMPLETION_INDEX", "4"), err: "outside 0 to 3"},
		{in: "auto/4", env: env("JOB_COMPLETION_INDEX", "x"), err: "not an integer"},
		{in: "auto/4", env: env("SLURM_ARRAY_TASK_ID", "2"), idx: 2, n: 4},
		// --array=1-4: shards 0 to 3.
		{in: "auto/4", env: env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "4"), idx: 3, n: 4, ownsRun7: true},
		{in: "auto/4", env: env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_COUNT", "8"), err: "8 tasks"},
		{in: "auto/4", env: env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_STEP", "2"), err: "step 2"},
		{in: "auto/4", env: env(), err: "neither JOB_COMPLETION_INDEX"},
	} {
		s, err := parseShard(tc.in, tc.env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseShard(%q) = %+v, %v; want an error with %q", tc.in, s, err, tc.err)
			}
			continue
		}
		if err != nil || s.Index != tc.idx || s.Count != tc.n || s.owns(7) != tc.ownsRun7 {
			t.Errorf("parseShard(%q) = %+v, %v; want %d/%d", tc.in, s, err, tc.idx, tc.n)
		}
	}
}
