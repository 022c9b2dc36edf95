package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeAtomically fills a new temporary folder next to out, then renames it
// into place, so a reader of out sees either the previous results or the
// complete new ones, and a failed run leaves nothing half written. An
// existing out is replaced.
func writeAtomically(out string, fill func(dir string) error) error {
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("results folder: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".scalesim-tmp-")
	if err != nil {
		return fmt.Errorf("results folder: %w", err)
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("results folder: %w", err)
	}
	var old string
	if _, err := os.Stat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("results folder: cannot replace %s: %w", out, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("results folder: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
