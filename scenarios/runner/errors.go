package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// InputError is bad input: an invalid scenario or variant, a bad option, a
// folder that is not scalesim's or holds another sweep. Nothing was
// written. The command line exits 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// inputErr marks err as bad input; nil stays nil.
func inputErr(err error) error {
	if err == nil {
		return nil
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	return &InputError{Err: err}
}

// SLOError is returned by Run with RunOptions.FailOnSLO when a service
// missed its SLO; the results were written. The command line exits 3.
type SLOError struct {
	Services []string // the services that missed their SLO, sorted
	Summary  string   // the summary.json that says so
}

func (e *SLOError) Error() string {
	return "SLO missed by " + strings.Join(e.Services, ", ") + " (see " + e.Summary + ")"
}

// RequirementError is returned by Sweep and Merge when the analysis has
// requirements (--require) and no grid point meets them; the results were
// written. The command line exits 3, as for a missed SLO.
type RequirementError struct {
	Err    error  // which requirements no point meets
	Points string // the points.csv that shows every point
}

func (e *RequirementError) Error() string { return e.Err.Error() + " (see " + e.Points + ")" }
func (e *RequirementError) Unwrap() error { return e.Err }

// cancelled is the error a run returns when ctx was cancelled: the cause
// of the cancellation (the command line's signal, which maps to 130 or
// 143), or nil while ctx runs.
func cancelled(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// PanicError is a panic recovered in one of the runner's worker
// goroutines (a sweep's runs, a comparison's), returned as an error: a
// panic there would otherwise end the process past any recover of the
// caller. It is a bug in scalesim; the command line exits 1.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack where it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// protect runs f and returns a panic in it as a *PanicError.
func protect(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}
