package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a scenario, located where the user can fix it.
//
// Its text is "FILE:LINE:COL: field.path: what is wrong and what is
// allowed". A problem that comes from a --set override is located at the
// override instead: "--set services.web.replicas.max=x: ...".
type Error struct {
	// File is the scenario file (or the trace CSV file) the problem is in.
	File string
	// Line and Col are 1-based; 0 when the problem has no position (a
	// scenario built in Go, or one given by an override).
	Line, Col int
	// Override is the --set argument the problem comes from, if any.
	Override string
	// Path is the field's dotted path, e.g. "services.web.replicas.min";
	// list items are numbered from 0 ("faults.2.at").
	Path string
	// Msg says what is wrong and what is allowed.
	Msg string

	order int // position of the override among the --set arguments
}

func (e Error) Error() string {
	var b strings.Builder
	switch {
	case e.Override != "":
		b.WriteString("--set ")
		b.WriteString(e.Override)
		b.WriteString(": ")
		// "--set p=v: p: msg" repeats the path; drop it.
		if e.Path != "" && !strings.HasPrefix(e.Override, e.Path+"=") {
			b.WriteString(e.Path)
			b.WriteString(": ")
		}
		b.WriteString(e.Msg)
		return b.String()
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Col)
	case e.File != "":
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ValidationError holds every problem found in a scenario, sorted by
// position: the scenario file first, line by line, then other files it
// names (traces), then the --set overrides in the order given.
type ValidationError struct {
	Errors []Error
}

// Error prints one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, x := range e.Errors {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual problems, so errors.As finds an Error.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, x := range e.Errors {
		out[i] = x
	}
	return out
}

// newValidationError sorts and deduplicates errs; nil when there are none.
func newValidationError(main string, errs []Error) error {
	if len(errs) == 0 {
		return nil
	}
	group := func(e Error) int {
		switch {
		case e.Override != "":
			return 2
		case e.File == main:
			return 0
		default:
			return 1
		}
	}
	errs = slices.Clone(errs)
	slices.SortStableFunc(errs, func(a, b Error) int {
		return cmp.Or(
			cmp.Compare(group(a), group(b)),
			cmp.Compare(a.order, b.order),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	errs = slices.CompactFunc(errs, func(a, b Error) bool { return a == b })
	return &ValidationError{Errors: errs}
}
