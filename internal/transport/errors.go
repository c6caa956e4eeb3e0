package transport

import (
	"errors"
	"net/url"
)

// ErrOutcomeUnknown reports that a request that may change state may have
// been processed, but no answer came back that can be trusted. It is
// re-exported as instore.ErrOutcomeUnknown.
var ErrOutcomeUnknown = errors.New("instore: outcome unknown: the request may have been processed")

// ErrBodyTooLarge reports a response body over the configured cap.
var ErrBodyTooLarge = errors.New("instore: response body too large")

// errInvalidRequest is a request net/http refuses to build (a bad method or
// URL). The URL is not quoted: it may carry ids a log should not hold.
var errInvalidRequest = errors.New("instore: invalid request")

// Error is a call that got no response to read. It names the method and the
// path, never the query, a header or a body.
type Error struct {
	Method string
	Path   string
	// Attempts counts the attempts made.
	Attempts int
	// OutcomeUnknown is true when a state-changing request may have reached
	// the server; the error then also matches ErrOutcomeUnknown.
	OutcomeUnknown bool
	// Err is the last attempt's failure (network, timeout, body cap) or the
	// context's error.
	Err error
}

func (e *Error) Error() string {
	msg := "instore: " + e.Method + " " + e.Path + ": " + e.Err.Error()
	if e.OutcomeUnknown {
		msg += " (outcome unknown: the request may have been processed)"
	}
	return msg
}

// Unwrap returns the cause and, when the outcome is unknown, ErrOutcomeUnknown.
func (e *Error) Unwrap() []error {
	if e.OutcomeUnknown {
		return []error{e.Err, ErrOutcomeUnknown}
	}
	return []error{e.Err}
}

// unwrapURLError drops the *url.Error layer, whose message quotes the whole
// URL; what is under it is the useful part.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// logPath is the URL's path alone, for logs and errors.
func logPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}
