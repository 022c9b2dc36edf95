package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// interruptedError is the cause of a context cancelled by SIGINT or
// SIGTERM. Its exit code is the shell's 128 + the signal's number: 130 for
// SIGINT (Ctrl-C), 143 for SIGTERM.
type interruptedError struct{ sig syscall.Signal }

func (e *interruptedError) Error() string {
	return fmt.Sprintf("interrupted by %s", signalName(e.sig))
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// notifySignals returns a context that SIGINT or SIGTERM cancels with an
// *interruptedError as its cause, and the function that stops listening.
// A second signal is left to Go's default (the process dies), so a run that
// does not stop can still be killed from the keyboard.
func notifySignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(&interruptedError{sig: sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}
