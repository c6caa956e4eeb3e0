package alipayplus

import (
	"errors"
	"strconv"
	"strings"

	"github.com/instorepay/instore"
)

// Causes of a failed call, matched with errors.Is. A call error is an *Error
// (or an *UnverifiedResultError) wrapping one of these; where the request may
// have been processed it also matches [instore.ErrOutcomeUnknown].
var (
	// ErrInvalidRequest: the request was refused before anything was sent.
	// The error is a *ValidationError naming the field.
	ErrInvalidRequest = errors.New("alipayplus: invalid request")
	// ErrInvalidSignature: the response carried a Signature header that does
	// not verify with the Alipay public key, or its Client-Id or
	// Response-Time header was missing or wrong. The response is ignored.
	ErrInvalidSignature = errors.New("alipayplus: invalid response signature")
	// ErrUnsignedResponse: the response carried no signature. An unsigned
	// S result is never trusted; an unsigned F or U result comes as an
	// *UnverifiedResultError.
	ErrUnsignedResponse = errors.New("alipayplus: unsigned response")
	// ErrMalformedResponse: the body is not the JSON envelope of the call,
	// or its result status is not S, F or U.
	ErrMalformedResponse = errors.New("alipayplus: malformed response")
	// ErrUnexpectedStatus: a non-2xx HTTP status without a result that can
	// be read (a proxy's error page, an empty 502).
	ErrUnexpectedStatus = errors.New("alipayplus: unexpected HTTP status")
	// ErrMismatchedResponse: a signed response names another
	// paymentRequestId than the one sent.
	ErrMismatchedResponse = errors.New("alipayplus: response names another request")
)

const outcomeUnknownNote = " (outcome unknown: the request may have been processed)"

// Error is a call that returned no result that can be trusted: the network
// failed, the gateway answered with a non-2xx status and no signed result,
// the signature was wrong, or the body could not be read. Err is the cause
// (one of the sentinels above, a network error or the context's error).
//
// When OutcomeUnknown is true the error also matches
// [instore.ErrOutcomeUnknown]: the gateway may have acted on the request, so
// the payment must be looked up (InquiryPayment) or the call repeated with
// the same request id, never sent again under a new one.
type Error struct {
	// Op is the call: "pay", "inquiryPayment", "cancel" or "refund".
	Op string
	// StatusCode is the HTTP status of the last response, 0 if none was read.
	StatusCode int
	// Attempts counts the HTTP attempts made.
	Attempts int
	// OutcomeUnknown reports that a state-changing request may have been
	// processed. It is never set for InquiryPayment.
	OutcomeUnknown bool
	Err            error
}

// Error describes the failure without a key, a signature, a body or a
// payment code.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("alipayplus: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Err != nil {
		msg := strings.TrimPrefix(e.Err.Error(), "alipayplus: ")
		b.WriteString(strings.TrimPrefix(msg, "instore: "))
	} else {
		b.WriteString("failed")
	}
	if e.StatusCode != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
	}
	if e.OutcomeUnknown {
		b.WriteString(outcomeUnknownNote)
	}
	return b.String()
}

// Unwrap returns the cause and, when the outcome is unknown,
// instore.ErrOutcomeUnknown.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.OutcomeUnknown {
		errs = append(errs, instore.ErrOutcomeUnknown)
	}
	return errs
}

// UnverifiedResultError is an F or U result that came back without a valid
// signature. Gateways send some errors unsigned (INVALID_SIGNATURE,
// KEY_NOT_FOUND, rate limits), but an unsigned body may also come from
// anything between the client and the gateway, so it is never taken as
// final: for Pay, Cancel and Refund the outcome is unknown. Result is kept
// for diagnostics only (a wrong key shows up here as SIGNATURE_INVALID).
//
// It matches ErrUnsignedResponse and, when OutcomeUnknown is set,
// [instore.ErrOutcomeUnknown].
type UnverifiedResultError struct {
	Op             string
	StatusCode     int
	Result         Result
	OutcomeUnknown bool
}

// Error names the unsigned status and, if it looks like one, the code.
func (e *UnverifiedResultError) Error() string {
	var b strings.Builder
	b.WriteString("alipayplus: ")
	b.WriteString(e.Op)
	b.WriteString(": unsigned ")
	b.WriteString(string(e.Result.ResultStatus))
	b.WriteString(" result ")
	b.WriteString(printableCode(e.Result.ResultCode))
	b.WriteString(", not trusted as final")
	if e.StatusCode != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
	}
	if e.OutcomeUnknown {
		b.WriteString(outcomeUnknownNote)
	}
	return b.String()
}

// Unwrap returns ErrUnsignedResponse and, when the outcome is unknown,
// instore.ErrOutcomeUnknown.
func (e *UnverifiedResultError) Unwrap() []error {
	if e.OutcomeUnknown {
		return []error{ErrUnsignedResponse, instore.ErrOutcomeUnknown}
	}
	return []error{ErrUnsignedResponse}
}

// printableCode returns a result code fit for an error string. An unsigned
// body is anyone's text (it could echo a payment code), so only what looks
// like a documented code is quoted: upper-case letters and underscores, at
// most 64 of them.
func printableCode(c ResultCode) string {
	if c == "" {
		return "(no code)"
	}
	if len(c) > 64 {
		return "(invalid code)"
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; (ch < 'A' || ch > 'Z') && ch != '_' {
			return "(invalid code)"
		}
	}
	return string(c)
}

// ValidationError is a request refused before it was sent. Field is the Go
// field path (PaymentRequestID, Order.Merchant.MCC); the value itself is
// never quoted, since it may be a payment code.
type ValidationError struct {
	Op     string
	Field  string
	Reason string
}

// Error names the field and the reason, never the value.
func (e *ValidationError) Error() string {
	return "alipayplus: " + e.Op + ": invalid request: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidRequest.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }
