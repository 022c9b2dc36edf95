package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scalesim/scalesim/scenarios/runner"
)

// Exit codes, as SPEC.md fixes them.
const (
	exitOK      = 0
	exitRuntime = 1 // the run failed
	exitUsage   = 2 // bad usage or an invalid scenario
	exitSLO     = 3 // --fail-on-slo and an SLO missed, or a --require no point meets
)

// exitError carries the exit code an error maps to. Errors are mapped to
// codes only here, at the top; everything below returns ordinary wrapped
// errors, or the runner's typed ones.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad usage or bad input (exit 2); nil stays nil.
func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// exitCode maps an error to its exit code and prints it on w, one error
// per line as it came.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return exitOK
	}
	var pe *runner.PanicError
	if errors.As(err, &pe) {
		// A bug: one line, never a stack dump.
		v := strings.Join(strings.Fields(fmt.Sprint(pe.Value)), " ")
		fmt.Fprintf(w, "scalesim: internal error: %s (please report it with the command line and scenario)\n", v)
		return exitRuntime
	}
	fmt.Fprintln(w, "scalesim:", err)
	var e *exitError
	var ie *interruptedError
	var in *runner.InputError
	var slo *runner.SLOError
	var req *runner.RequirementError
	switch {
	case errors.As(err, &e):
		return e.code
	case errors.As(err, &ie):
		return 128 + int(ie.sig)
	case errors.As(err, &in):
		return exitUsage
	case errors.As(err, &slo), errors.As(err, &req):
		return exitSLO
	}
	return exitRuntime
}
