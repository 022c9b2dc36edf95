package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ResultsMark is the file scalesim puts in every results folder it writes
// (run and compare). A folder is replaced only when it carries the mark, or
// holds nothing at all: a folder of someone else's files is never deleted.
const ResultsMark = ".scalesim-results"

// TempPrefix starts the name of the temporary folder a run fills before it
// is renamed into place. The temporary folder holds a ResultsMark with the
// writer's process id, so a later command can tell a folder left by a
// killed run from one that another run is still filling.
const TempPrefix = ".scalesim-tmp-"

// markText is the content of ResultsMark.
func markText() []byte {
	return []byte("scalesim results; this folder is replaced by the next run written here\npid " + strconv.Itoa(os.Getpid()) + "\n")
}

// writeAtomically fills a new temporary folder next to out, then renames it
// into place, so a reader of out sees either the previous results or the
// complete new ones, and a failed or interrupted run leaves nothing half
// written. An existing out is replaced only when it is scalesim's own
// results folder or an empty folder; anything else (a plain file, a link,
// a folder with other files) is refused with a usage error before anything
// is written. Temporary folders left by killed runs next to out are removed
// and named in the returned notes.
func writeAtomically(out string, fill func(dir string) error) (notes []string, err error) {
	if err := checkReplaceable(out); err != nil {
		return nil, inputErr(err)
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("results folder: %w", err)
	}
	notes = removeStaleTemps(parent)
	tmp, err := os.MkdirTemp(parent, TempPrefix)
	if err != nil {
		return notes, fmt.Errorf("results folder: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ResultsMark), markText(), 0o644); err != nil {
		os.RemoveAll(tmp)
		return notes, fmt.Errorf("results folder: %w", err)
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return notes, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return notes, fmt.Errorf("results folder: %w", err)
	}
	// Checked again: another program may have written into out meanwhile.
	if err := checkReplaceable(out); err != nil {
		os.RemoveAll(tmp)
		return notes, inputErr(err)
	}
	var old string
	if _, err := os.Lstat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			os.RemoveAll(tmp)
			return notes, fmt.Errorf("results folder: cannot replace %s: %w", out, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		os.RemoveAll(tmp)
		return notes, fmt.Errorf("results folder: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return notes, nil
}

// checkReplaceable returns nil when out does not exist, is an empty
// folder, or is a results folder scalesim wrote (it carries ResultsMark).
func checkReplaceable(out string) error {
	st, err := os.Lstat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("results folder %s: %w", out, err)
	}
	if st.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("results folder %s is a symbolic link; scalesim replaces only folders it wrote: give -o the folder itself, or a new path", out)
	}
	if !st.IsDir() {
		return fmt.Errorf("results folder %s is a file, not a folder; scalesim does not replace it: choose another -o", out)
	}
	if m, err := os.Lstat(filepath.Join(out, ResultsMark)); err == nil && m.Mode().IsRegular() {
		return nil
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("results folder %s: %w", out, err)
	}
	if len(entries) == 0 {
		return nil
	}
	return fmt.Errorf("results folder %s already exists and holds files scalesim did not write (it has no %s); scalesim replaces only its own results folders: choose another -o, or empty the folder yourself", out, ResultsMark)
}

// removeStaleTemps removes the temporary folders in parent that a killed
// scalesim left behind: those whose writer's process is gone. A folder
// whose writer still runs, or that scalesim cannot tell is its own, is
// kept.
func removeStaleTemps(parent string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var notes []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), TempPrefix) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		pid, ok := tempWriter(dir)
		if !ok || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(dir); err == nil {
			notes = append(notes, fmt.Sprintf("removed %s, left by an interrupted scalesim (process %d)", dir, pid))
		}
	}
	return notes
}

// tempWriter reads the writer's process id from a temporary folder's mark
// (also from a folder being swapped out, "<tmp>.old", which has the
// previous run's mark). ok is false when the folder has no readable mark.
func tempWriter(dir string) (pid int, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, ResultsMark))
	if err != nil || !strings.HasPrefix(string(b), "scalesim results") {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, found := strings.CutPrefix(line, "pid "); found {
			if n, err := strconv.Atoi(rest); err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// processAlive reports whether a process with this id exists (signal 0
// checks without sending anything). A process of another user answers
// EPERM, and counts as alive.
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
