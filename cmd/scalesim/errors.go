package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes, as SPEC.md fixes them.
const (
	exitOK      = 0
	exitRuntime = 1 // the run failed
	exitUsage   = 2 // bad usage or an invalid scenario
	exitSLO     = 3 // --fail-on-slo was given and an SLO was missed
)

// exitError carries the exit code an error maps to. Errors are mapped to
// codes only here, at the top; everything below returns ordinary wrapped
// errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad usage or bad input (exit 2).
func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// sloErr is returned when --fail-on-slo is set and an SLO was missed.
func sloErr(err error) error { return &exitError{code: exitSLO, err: err} }

// exitCode maps an error to its exit code and prints it on w, one error
// per line as it came.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(w, "scalesim:", err)
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	var ie *interruptedError
	if errors.As(err, &ie) {
		return 128 + int(ie.sig)
	}
	return exitRuntime
}
