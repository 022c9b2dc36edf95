package policies

import "fmt"

// FieldError is a problem with one field of a policy's configuration. The
// configs' Validate methods return them (joined), so that a caller that
// knows where each field came from, such as the scenario loader, points at
// the field itself rather than at the whole configuration.
type FieldError struct {
	// Field is the field's name as a scenario file spells it, relative to
	// the autoscaler block: "rounds", "metrics[0].target_utilization",
	// "behavior.scale_up.policies[1].period".
	Field string
	// Problem says what is wrong, e.g. "0 must be greater than 0".
	Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// FieldErrors lists the field errors in err: err itself, or those joined
// or wrapped in it, in order. Errors that are not about a field are left
// out.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *FieldError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// nested returns err's field errors with prefix put before their fields
// ("behavior" + "scale_up.tolerance" = "behavior.scale_up.tolerance").
func nested(prefix string, err error) []error {
	var out []error
	for _, e := range FieldErrors(err) {
		out = append(out, &FieldError{Field: prefix + "." + e.Field, Problem: e.Problem})
	}
	return out
}
