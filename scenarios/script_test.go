package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small runner for data-driven test scripts, in the style of
// cockroachdb/datadriven and etcd raft's testdata/*.txt. A script is a
// sequence of directives:
//
//	# comment lines and blank lines between directives are kept as they are
//	cmd key=value key=value
//	input lines (optional)
//	----
//	expected output lines, up to the next blank line or the end of the file
//
// The output of a directive must contain no blank line. With -rewrite the
// expected blocks are replaced by what the directives print now; review the
// change with git diff.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output blocks of testdata scripts")

// scriptArg is one key=value (or bare key) on a directive line.
type scriptArg struct{ key, val string }

// directive is one command of a script.
type directive struct {
	file  string
	line  int // 1-based line of the command
	cmd   string
	args  []scriptArg
	input string
	// out is the expected output; [outStart, outEnd) its lines in the file.
	out              string
	outStart, outEnd int
}

func (d *directive) pos() string { return fmt.Sprintf("%s:%d", d.file, d.line) }

// arg returns the last value given for key.
func (d *directive) arg(key string) (string, bool) {
	v, ok := "", false
	for _, a := range d.args {
		if a.key == key {
			v, ok = a.val, true
		}
	}
	return v, ok
}

// all returns every value given for key, in order.
func (d *directive) all(key string) []string {
	var vs []string
	for _, a := range d.args {
		if a.key == key {
			vs = append(vs, a.val)
		}
	}
	return vs
}

func parseScript(file string, lines []string) ([]*directive, error) {
	var ds []*directive
	for i := 0; i < len(lines); {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		d := &directive{file: file, line: i + 1}
		f := strings.Fields(l)
		d.cmd = f[0]
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			d.args = append(d.args, scriptArg{k, v})
		}
		i++
		var in []string
		for ; i < len(lines) && lines[i] != "----"; i++ {
			in = append(in, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s: %s has no ---- separator", d.pos(), d.cmd)
		}
		d.input = strings.Join(in, "\n")
		i++
		d.outStart = i
		var out []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		d.outEnd = i
		d.out = strings.Join(out, "\n")
		ds = append(ds, d)
	}
	return ds, nil
}

// runScripts runs every file matching glob, each in a fresh state made by
// newState, calling do for each directive; do returns the directive's
// output, or fails the test.
func runScripts[S any](t *testing.T, glob string, newState func() S, do func(s S, t *testing.T, d *directive) string) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts match %s (%v)", glob, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			ds, err := parseScript(file, lines)
			if err != nil {
				t.Fatal(err)
			}
			s := newState()
			got := make([]string, len(ds))
			for k, d := range ds {
				out := strings.TrimRight(do(s, t, d), "\n")
				if strings.Contains(out, "\n\n") {
					t.Fatalf("%s: %s printed a blank line, which would end its block", d.pos(), d.cmd)
				}
				got[k] = out
				if !*rewrite && out != d.out {
					t.Errorf("%s: %s: output differs (-want +got):\n%s", d.pos(), d.cmd, lineDiff(d.out, out))
				}
			}
			if !*rewrite {
				return
			}
			var b strings.Builder
			last := 0
			for k, d := range ds {
				for _, l := range lines[last:d.outStart] {
					b.WriteString(l + "\n")
				}
				if got[k] != "" {
					b.WriteString(got[k] + "\n")
				}
				last = d.outEnd
			}
			for _, l := range lines[last:] {
				b.WriteString(l + "\n")
			}
			if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// lineDiff is a line diff of want and got (longest common subsequence),
// with two lines of context around each change.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		c byte
		s string
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	const ctx = 2
	var sb strings.Builder
	shown := -1
	for k, o := range ops {
		near := false
		for q := max(0, k-ctx); q <= min(len(ops)-1, k+ctx); q++ {
			if ops[q].c != ' ' {
				near = true
				break
			}
		}
		if !near {
			continue
		}
		if shown >= 0 && k > shown+1 {
			sb.WriteString("...\n")
		}
		fmt.Fprintf(&sb, "%c %s\n", o.c, o.s)
		shown = k
	}
	return sb.String()
}
