package ppro

import (
	"errors"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/acqerr"
)

// One vocabulary: every error of this package that has a counterpart in
// package instore matches it too, so that a caller classifies any error of
// a Checkout with the root package alone, and the sentinels here stay for
// those who want the detail:
//
//   - ErrInvalidRequest (a *ValidationError) matches
//     [instore.ErrInvalidRequest] and [instore.ErrInvalidParams]: refused
//     before anything was sent.
//   - ErrInvalidConfig matches [instore.ErrInvalidConfig].
//   - ErrAuthentication matches [instore.ErrAuthentication], ErrRateLimited
//     [instore.ErrRateLimited], ErrTxNotFound and ErrRefundNotFound
//     [instore.ErrNotFound].
//   - Errors that may have been processed match [instore.ErrOutcomeUnknown].

// Causes of a failed call, matched with errors.Is. ErrMalformedResponse is
// declared beside the parser.
var (
	// ErrInvalidRequest: the request was refused before anything was sent.
	// The error is a *ValidationError naming the field. It matches
	// instore.ErrInvalidRequest and instore.ErrInvalidParams.
	ErrInvalidRequest = acqerr.Sentinel("ppro: invalid request", instore.ErrInvalidRequest, instore.ErrInvalidParams)
	// ErrUnexpectedStatus: PPRO, or something in front of it, answered with
	// a non-2xx HTTP status.
	ErrUnexpectedStatus = errors.New("ppro: unexpected HTTP status")
	// ErrRateLimited: HTTP 429, still refused after the client's retries.
	// The last attempt was refused unread; when the client sent a
	// TRANSACTION, REFUND or CANCELTX more than once, the error also
	// matches instore.ErrOutcomeUnknown, since a 429 it retried past is
	// not taken as proof that the earlier attempt did nothing. It matches
	// instore.ErrRateLimited.
	ErrRateLimited = acqerr.Sentinel("ppro: rate limited", instore.ErrRateLimited)
	// ErrMismatchedResponse: the answer names another transaction or
	// merchant transaction id than the one asked about.
	ErrMismatchedResponse = errors.New("ppro: response names another transaction")
)

// Sentinels a *RequestError matches, decided from REQUESTSTATUS,
// REQUESTFAILREASON and STATUS, never from the ERRMSG text.
var (
	// ErrTxNotFound: no transaction has that txid or merchanttxid
	// (TX_NOT_FOUND). After a TRANSACTION whose answer was lost it means
	// "not arrived yet", not "failed". It matches instore.ErrNotFound.
	ErrTxNotFound = acqerr.Sentinel("ppro: transaction not found", instore.ErrNotFound)
	// ErrTxNotUnique: several transactions share the merchanttxid
	// (TX_NOT_UNIQUE); look each up by txid.
	ErrTxNotUnique = errors.New("ppro: merchant transaction id is not unique")
	// ErrRefundNotFound: no refund has that refundid or merchantrefundid.
	// It matches instore.ErrNotFound.
	ErrRefundNotFound = acqerr.Sentinel("ppro: refund not found", instore.ErrNotFound)
	// ErrRefundNotUnique: several refunds share the merchantrefundid.
	ErrRefundNotUnique = errors.New("ppro: merchant refund id is not unique")
	// ErrAuthentication: the login, password or contract was refused
	// (AUTH_ERROR), or the client certificate does not belong to them. It
	// matches instore.ErrAuthentication.
	ErrAuthentication = acqerr.Sentinel("ppro: authentication failed", instore.ErrAuthentication)
	// ErrCannotCancel: CANCELTX was refused because the transaction has
	// completed: the answer shows it SUCCEEDED, or names the refusal
	// CannotCancel, as PPRO's Alipay in-store guide calls it. A completed
	// Alipay payment is reversed with a refund instead.
	ErrCannotCancel = errors.New("ppro: transaction completed and cannot be cancelled")
)

// ErrInvalidConfig reports credentials, an option or an acquirer
// configuration that NewClient or NewAcquirer refused. It matches
// instore.ErrInvalidConfig.
var ErrInvalidConfig = acqerr.Sentinel("ppro: invalid configuration", instore.ErrInvalidConfig)

// invalidConfig wraps a constructor's refusal so that it keeps its own
// message and matches ErrInvalidConfig (and, through it,
// instore.ErrInvalidConfig); an error that matches it already is
// returned as is.
func invalidConfig(err error) error { return acqerr.Matching(err, ErrInvalidConfig) }

// Error is a call that returned no answer that can be trusted: the network
// failed, PPRO or a proxy answered with a non-2xx status, or the body was
// not PPRO's. Err is the cause: one of the sentinels above, a network error
// or the context's error.
//
// When OutcomeUnknown is true the error also matches
// instore.ErrOutcomeUnknown: a TRANSACTION, REFUND or CANCELTX may have been
// processed. Never send a TRANSACTION or REFUND again after it; look it up
// (StatusByMerchantTxID, RefundStatusByMerchantRefundID), since PPRO does
// not deduplicate merchant ids.
type Error struct {
	// Op is the txtype: "TRANSACTION", "GETTXSTATUS", ...
	Op string
	// StatusCode is the HTTP status of the last answer, 0 if none was read.
	StatusCode int
	// Attempts counts the HTTP attempts made.
	Attempts       int
	OutcomeUnknown bool
	Err            error
}

// Error describes the failure without the password, a body or a payment
// code.
func (e *Error) Error() string {
	return acqerr.CallMessage("ppro", e.Op, e.Err, e.StatusCode, e.OutcomeUnknown)
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

// RequestError is a status, cancel or refund-status call that PPRO answered
// with REQUESTSTATUS=FAILED: the call itself did not do what was asked. It
// matches ErrTxNotFound, ErrTxNotUnique, ErrRefundNotFound,
// ErrRefundNotUnique, ErrAuthentication or ErrCannotCancel as its fields
// say.
type RequestError struct {
	Op     string
	Reason RequestFailReason
	// Message is PPRO's ERRMSG, with long digit runs masked.
	Message string
	// Transaction is the rest of the answer to a transaction call (a
	// refused CANCELTX shows the transaction's STATUS there); nil for a
	// refund call.
	Transaction *StatusResponse
	// Refund is the rest of the answer to a refund status call.
	Refund *RefundStatusResponse
	// cannotCancel is set by Cancel when the fields show the transaction
	// completed.
	cannotCancel bool
}

// Error names the call and the reason, never the message text, which is
// free text from the server.
func (e *RequestError) Error() string {
	msg := "ppro: " + e.Op + ": request failed: " + printableCode(string(e.Reason))
	if e.cannotCancel {
		msg += ": transaction completed and cannot be cancelled"
	}
	return msg
}

// Is matches the sentinel the reason stands for, and through it the root
// package's (instore.ErrNotFound, instore.ErrAuthentication).
func (e *RequestError) Is(target error) bool {
	if target == ErrCannotCancel {
		return e.cannotCancel
	}
	s := e.sentinel()
	return s != nil && (s == target || errors.Is(s, target))
}

// sentinel is the package sentinel e's reason stands for, or nil.
func (e *RequestError) sentinel() error {
	switch e.Reason {
	case RequestFailTxNotFound:
		return ErrTxNotFound
	case RequestFailTxNotUnique:
		return ErrTxNotUnique
	case RequestFailRefundNotFound:
		return ErrRefundNotFound
	case RequestFailRefundNotUnique:
		return ErrRefundNotUnique
	case RequestFailAuth:
		return ErrAuthentication
	}
	return nil
}

// printableCode quotes a reason only when it looks like a documented code:
// letters and underscores, at most 64; digits are left out, since they
// could be a payment code echoed back. An answer is anyone's text.
func printableCode(c string) string {
	if c == "" {
		return "(no reason)"
	}
	if len(c) > 64 {
		return "(invalid reason)"
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; (ch < 'A' || ch > 'Z') && (ch < 'a' || ch > 'z') && ch != '_' {
			return "(invalid reason)"
		}
	}
	return c
}

// ValidationError is a request refused before it was sent. Field names the
// Go field; the value itself is never quoted, since it may be a payment code
// or the password.
type ValidationError struct {
	Op     string
	Field  string
	Reason string
}

// Error names the field and the reason, never the value.
func (e *ValidationError) Error() string {
	return "ppro: " + e.Op + ": invalid request: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidRequest, which matches instore.ErrInvalidRequest
// and instore.ErrInvalidParams.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }
