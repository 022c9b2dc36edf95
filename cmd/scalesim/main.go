// Command scalesim simulates autoscaling strategies. See the README and
// shared/SPEC.md for the contract; every subcommand lives in its own file as
// Options + NewCmdX(io, runF) + xRun, so flag parsing and execution are
// tested apart and nothing here needs a terminal.
package main

import (
	"os"
)

func main() {
	io := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, ErrTTY: isTerminal(os.Stderr)}
	os.Exit(Main(os.Args[1:], io))
}

// isTerminal reports whether f is a character device (a terminal), the
// only case where a progress bar is drawn.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
