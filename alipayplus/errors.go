package alipayplus

import (
	"errors"
	"net/http"
	"strings"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/acqerr"
)

// One vocabulary: every error of this package that has a counterpart in
// package instore matches it too, so that a caller classifies any error of
// a Checkout with the root package alone (errors.Is(err,
// instore.ErrInvalidRequest)), and the sentinels here stay for those who
// want the detail:
//
//   - ErrInvalidRequest (a *ValidationError) matches
//     [instore.ErrInvalidRequest] and [instore.ErrInvalidParams]: refused
//     before anything was sent.
//   - ErrInvalidConfig and ErrInvalidKey match [instore.ErrInvalidConfig].
//   - A *RefusedError matches [instore.ErrInvalidRequest], or
//     [instore.ErrAuthentication] for the key and client codes.
//   - An *Error whose last answer was HTTP 429, and an
//     *UnverifiedResultError with REQUEST_TRAFFIC_EXCEED_LIMIT, match
//     [instore.ErrRateLimited].
//   - Errors that may have been processed match [instore.ErrOutcomeUnknown].

// Causes of a failed call, matched with errors.Is. A call error is an *Error
// (or an *UnverifiedResultError) wrapping one of these; where the request may
// have been processed it also matches [instore.ErrOutcomeUnknown].
var (
	// ErrInvalidRequest: the request was refused before anything was sent.
	// The error is a *ValidationError naming the field. It matches
	// instore.ErrInvalidRequest and instore.ErrInvalidParams.
	ErrInvalidRequest = acqerr.Sentinel("alipayplus: invalid request", instore.ErrInvalidRequest, instore.ErrInvalidParams)
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

// ErrInvalidConfig reports a client id, an option or an acquirer
// configuration that NewClient or NewAcquirer refused. It matches
// instore.ErrInvalidConfig.
var ErrInvalidConfig = acqerr.Sentinel("alipayplus: invalid configuration", instore.ErrInvalidConfig)

// invalidConfig wraps a constructor's refusal so that it keeps its own
// message and matches ErrInvalidConfig (and, through it,
// instore.ErrInvalidConfig); an error that matches it already is
// returned as is.
func invalidConfig(err error) error { return acqerr.Matching(err, ErrInvalidConfig) }

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
	return acqerr.CallMessage("alipayplus", e.Op, e.Err, e.StatusCode, e.OutcomeUnknown)
}

// Is makes an error whose last answer was HTTP 429 (still refused after
// the client's retries) match instore.ErrRateLimited.
func (e *Error) Is(target error) bool {
	return target == instore.ErrRateLimited && e.StatusCode == http.StatusTooManyRequests
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
	b.WriteString(acqerr.Tail(e.StatusCode, e.OutcomeUnknown))
	return b.String()
}

// Is makes a rate-limit answer (HTTP 429, or REQUEST_TRAFFIC_EXCEED_LIMIT)
// match instore.ErrRateLimited, although it is not trusted as final.
func (e *UnverifiedResultError) Is(target error) bool {
	return target == instore.ErrRateLimited &&
		(e.StatusCode == http.StatusTooManyRequests || e.Result.ResultCode == CodeRequestTrafficExceedLimit)
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

// Unwrap returns ErrInvalidRequest, which matches instore.ErrInvalidRequest
// and instore.ErrInvalidParams.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }

// RefusedError is a signed F result by which the gateway refused a pay
// request itself, for a reason on the merchant's side: the request, the
// contract or the keys (PARAM_ILLEGAL, ACCESS_DENIED, KEY_NOT_FOUND, ...),
// not the customer's wallet. No payment was made. Acquirer.Pay and Present
// return it rather than a failed payment, so that a configuration error is
// never mistaken for a decline. It matches instore.ErrAuthentication for
// the key and client codes, instore.ErrInvalidRequest for the others.
type RefusedError struct {
	Op     string
	Result Result
}

// Error names the call and the result code.
func (e *RefusedError) Error() string {
	return "alipayplus: " + e.Op + ": refused by the gateway: " + printableCode(e.Result.ResultCode)
}

// Is matches instore.ErrAuthentication or instore.ErrInvalidRequest, as the
// result code says.
func (e *RefusedError) Is(target error) bool {
	switch target {
	case instore.ErrAuthentication:
		return authCode(e.Result.ResultCode)
	case instore.ErrInvalidRequest:
		return !authCode(e.Result.ResultCode)
	}
	return false
}

// authCode reports the result codes about the caller's keys and identity.
func authCode(c ResultCode) bool {
	switch c {
	case CodeAccessDenied, CodeKeyNotFound, CodeSignatureInvalid, CodeInvalidSignature, CodeClientInvalid:
		return true
	}
	return false
}

// refusedCode reports the F result codes that refuse a pay request for a
// reason on the merchant's side rather than the customer's. Codes about
// the customer, the wallet or the payment code (USER_*, INVALID_CODE,
// RISK_REJECT, ...) are declines; PROCESS_FAIL says nothing of whose side
// it is, and stays a decline.
func refusedCode(c ResultCode) bool {
	switch c {
	case CodeParamIllegal, CodeInvalidContract, CodeMerchantNotRegistered, CodeMerchantKYBNotQualified,
		CodeAPIInvalid, CodeMethodNotSupported, CodeMediaTypeNotAcceptable:
		return true
	}
	return authCode(c)
}
