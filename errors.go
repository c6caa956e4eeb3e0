package instore

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/instorepay/instore/internal/redact"
	"github.com/instorepay/instore/internal/transport"
)

// ErrOutcomeUnknown reports that a request which may change state (creating a
// charge, paying) may have been processed, but no answer that can be trusted
// came back: the connection dropped after the request was written, an attempt
// timed out, the server failed with a 5xx, or an earlier attempt of a retried
// call may have reached the server whatever the last one got. The caller must
// look the payment up, never send it again blindly.
var ErrOutcomeUnknown = transport.ErrOutcomeUnknown

// ErrBodyTooLarge reports a response body over the client's cap (1 MiB). The
// body is never read whole; on a state-changing call the error also matches
// ErrOutcomeUnknown, since the server did answer.
var ErrBodyTooLarge = transport.ErrBodyTooLarge

// Sentinels matched by an *APIError with errors.Is, by the Omise error code
// in the response body. A non-JSON error body (a proxy's HTML page) carries
// no code and matches none of them: a 404 page from a misconfigured proxy
// must not read as "this charge does not exist".
var (
	// ErrNotFound matches the code not_found: the object does not exist, or
	// not under the key used.
	ErrNotFound = errors.New("instore: not found")
	// ErrAuthentication matches the code authentication_failure: the key is
	// wrong, revoked, or of the wrong mode (test versus live).
	ErrAuthentication = errors.New("instore: authentication failed")
	// ErrInvalidRequest matches the code bad_request and every invalid_*
	// code (invalid_charge, invalid_amount, ...), and the SDK's own checks
	// of params and ids, made before anything is sent. Such a request must
	// be fixed, not retried. The errors of packages alipayplus and ppro
	// match it (and the other sentinels here) where they mean the same, so
	// that one errors.Is classifies an error from any acquirer.
	ErrInvalidRequest = errors.New("instore: invalid request")
	// ErrRateLimited matches an HTTP 429 answer that was still refused
	// after the client's retries. When a POST was sent more than once, the
	// error also matches ErrOutcomeUnknown: a 429 the client retried past
	// is not taken as proof that the earlier attempt did nothing.
	ErrRateLimited = errors.New("instore: rate limited")
)

// ErrInvalidParams reports params or options the SDK refused before sending
// anything. Such errors also match ErrInvalidRequest.
var ErrInvalidParams = errors.New("instore: invalid params")

// ErrInvalidConfig reports a bad key or option given to NewClient, or a
// configuration an acquirer's constructor refused (NewOmiseAcquirer,
// alipayplus.NewAcquirer, ppro.NewAcquirer and their clients').
var ErrInvalidConfig = errors.New("instore: invalid configuration")

// APIError is a non-2xx answer from the Omise API. Code, Message and Location
// come from Omise's error body ({"object":"error","code":...}); when the body
// is not an Omise error (a proxy's HTML 502), Code is empty and Message holds
// a short, sanitised snippet of it. Keys and payment codes are removed from
// every field.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Omise's error code, such as "not_found" or "failed_expire".
	Code string
	// Message is Omise's human-readable message.
	Message string
	// Location is Omise's link to the error's documentation.
	Location string
	// RequestID is the server's request id (header X-Request-Id) when it
	// sent one; quote it to Omise support.
	RequestID string
	// OutcomeUnknown is true when the call could have changed state (a POST)
	// and the server failed with a 5xx, or an earlier attempt may have
	// reached the server (the client retried after a 429): the charge or
	// refund may exist. The error then also matches ErrOutcomeUnknown.
	OutcomeUnknown bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("instore: omise: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.OutcomeUnknown {
		b.WriteString(" (outcome unknown: the request may have been processed)")
	}
	return b.String()
}

// Is reports whether e matches one of the sentinels above, or
// ErrOutcomeUnknown when OutcomeUnknown is set.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == "not_found"
	case ErrAuthentication:
		return e.Code == "authentication_failure"
	case ErrInvalidRequest:
		return e.Code == "bad_request" || strings.HasPrefix(e.Code, "invalid_")
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrOutcomeUnknown:
		return e.OutcomeUnknown
	}
	return false
}

// DecodeError is a 2xx answer whose body is not the object asked for:
// truncated or invalid JSON, or JSON without an id. It never comes with a
// half-filled result. On a state-changing call (a POST) OutcomeUnknown is set
// and the error matches ErrOutcomeUnknown: the server accepted the request,
// so the charge or refund exists, but it could not be read.
type DecodeError struct {
	StatusCode int
	// RequestID is the server's request id (header X-Request-Id), if any.
	RequestID      string
	OutcomeUnknown bool
	// Err is the decoding failure.
	Err error
}

func (e *DecodeError) Error() string {
	msg := "instore: omise: decoding the " + strconv.Itoa(e.StatusCode) + " response: " + e.Err.Error()
	if e.OutcomeUnknown {
		msg += " (outcome unknown: the request may have been processed)"
	}
	return msg
}

// Unwrap returns the decoding failure and, when the outcome is unknown,
// ErrOutcomeUnknown.
func (e *DecodeError) Unwrap() []error {
	if e.OutcomeUnknown {
		return []error{e.Err, ErrOutcomeUnknown}
	}
	return []error{e.Err}
}

// paramsError is a request the SDK refused to send.
type paramsError struct{ reason string }

func (e *paramsError) Error() string { return "instore: invalid params: " + e.reason }

func (e *paramsError) Is(target error) bool {
	return target == ErrInvalidParams || target == ErrInvalidRequest
}

func invalidParams(reason string) error { return &paramsError{reason: reason} }

// configError is a key or option NewClient refused.
func configError(reason string) error {
	return &wrapError{msg: "instore: invalid configuration: " + reason, err: ErrInvalidConfig}
}

// asConfigError makes a constructor's refusal match ErrInvalidConfig,
// keeping its message.
func asConfigError(err error) error {
	if errors.Is(err, ErrInvalidConfig) {
		return err
	}
	return &wrapError{msg: err.Error(), err: ErrInvalidConfig}
}

// wrapError is an error with its own message that matches err.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }

func (e *wrapError) Unwrap() error { return e.err }

// requestIDHeader names the response header read into RequestID. Omise does
// not document one; its API is a Rails application, and Rails answers every
// request with X-Request-Id unless it is switched off. Unverified: an empty
// RequestID only means the header was absent.
const requestIDHeader = "X-Request-Id"

// Limits on text taken from an error response.
const (
	maxMessageLen = redact.MaxMessage // Omise's own message
	maxSnippetLen = 160               // a snippet of a body that is not an Omise error
)

// omiseError is Omise's error body.
type omiseError struct {
	Object   string `json:"object"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location"`
}

// decodeAPIError builds the *APIError for a non-2xx response. It never fails
// and never panics, whatever the body: an Omise error body gives its code and
// message, anything else a short snippet. Every text field is sanitised, and
// the secrets (keys, payment codes) are cut out.
func decodeAPIError(status int, header http.Header, body []byte, secrets []string) *APIError {
	e := &APIError{StatusCode: status}
	if header != nil {
		e.RequestID = sanitize(header.Get(requestIDHeader), 128, secrets)
	}
	var oe omiseError
	if json.Unmarshal(body, &oe) == nil && (oe.Object == "error" || oe.Code != "") {
		e.Code = sanitize(oe.Code, 64, secrets)
		e.Message = sanitize(oe.Message, maxMessageLen, secrets)
		e.Location = sanitize(oe.Location, 256, secrets)
		return e
	}
	e.Message = snippet(body, secrets)
	return e
}

// snippet is a short, printable extract of a body that is not an Omise
// error: markup tags are dropped (a proxy's HTML page reads as its text),
// then the text is sanitised.
func snippet(body []byte, secrets []string) string {
	if len(body) > 4*maxSnippetLen+1024 {
		body = body[:4*maxSnippetLen+1024]
	}
	s := string(body)
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "<") {
		s = stripTags(t)
	}
	return sanitize(s, maxSnippetLen, secrets)
}

// stripTags removes everything between '<' and '>'. It is no HTML parser; it
// only has to make a proxy's error page readable in one line.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	in := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			in = true
		case c == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}
