// Package acqerr holds the error plumbing that packages alipayplus and ppro
// share, so that both speak the root package's vocabulary the same way and
// word their errors alike: a package sentinel that also matches the root
// sentinels it stands for, a constructor's refusal that keeps its own
// message and matches the package's ErrInvalidConfig, and the message of a
// failed call.
//
// It imports the standard library alone and never the root package: the
// root sentinels come in as arguments, so that the root package could use
// it too without an import cycle.
package acqerr

import (
	"errors"
	"strconv"
	"strings"
)

// sentinel is a package sentinel that also matches the root package's
// sentinels it stands for.
type sentinel struct {
	msg   string
	roots []error
}

// Sentinel returns an error with message msg that errors.Is matches to
// itself and to each of roots.
func Sentinel(msg string, roots ...error) error { return &sentinel{msg: msg, roots: roots} }

func (e *sentinel) Error() string { return e.msg }

// Unwrap returns the root sentinels e matches.
func (e *sentinel) Unwrap() []error { return e.roots }

// matching is an error with err's message that matches both err and also.
type matching struct{ err, also error }

// Matching returns err made to match also as well, with err's message and
// err still in its chain. nil, and an error that matches also already, are
// returned as they are, so that wrapping twice adds nothing.
func Matching(err, also error) error {
	if err == nil || errors.Is(err, also) {
		return err
	}
	return &matching{err: err, also: also}
}

func (e *matching) Error() string { return e.err.Error() }

// Unwrap returns the error and the sentinel it was made to match.
func (e *matching) Unwrap() []error { return []error{e.err, e.also} }

// outcomeUnknownNote ends the message of an error whose request may have
// been processed.
const outcomeUnknownNote = " (outcome unknown: the request may have been processed)"

// CallMessage is the message of a call of package pkg ("alipayplus",
// "ppro") that failed with cause: "pkg: op: cause", then Tail. The cause's
// own "pkg: " or "instore: " prefix is dropped, since it would repeat; a
// nil cause reads "failed".
func CallMessage(pkg, op string, cause error, status int, outcomeUnknown bool) string {
	var b strings.Builder
	b.WriteString(pkg)
	b.WriteString(": ")
	b.WriteString(op)
	b.WriteString(": ")
	if cause != nil {
		msg := strings.TrimPrefix(cause.Error(), pkg+": ")
		b.WriteString(strings.TrimPrefix(msg, "instore: "))
	} else {
		b.WriteString("failed")
	}
	b.WriteString(Tail(status, outcomeUnknown))
	return b.String()
}

// Tail ends a call error's message: " (HTTP status)" when an answer was
// read (status is not 0), and a note that the outcome is unknown when the
// request may have been processed.
func Tail(status int, outcomeUnknown bool) string {
	var tail string
	if status != 0 {
		tail = " (HTTP " + strconv.Itoa(status) + ")"
	}
	if outcomeUnknown {
		tail += outcomeUnknownNote
	}
	return tail
}
