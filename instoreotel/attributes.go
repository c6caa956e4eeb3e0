package instoreotel

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"

	"github.com/instorepay/instore"
)

// Attribute keys, in a namespace of our own beside the semantic-convention
// error.type. None ever holds a payment code, a key, a signature or a
// customer identifier: request ids are the merchant's own, payment and
// refund ids the acquirer's, failure codes the acquirer's reason codes.
const (
	// OperationKey is what the Checkout did: collect, present, wait,
	// refund, lookup, recover.
	OperationKey = attribute.Key("instore.operation")
	// RequestIDKey is the merchant's id for the sale.
	RequestIDKey = attribute.Key("instore.request_id")
	// RefundRequestIDKey is the merchant's id for a refund.
	RefundRequestIDKey = attribute.Key("instore.refund.request_id")
	// AcquirerKey is the acquirer's name: omise, alipayplus, ppro.
	AcquirerKey = attribute.Key("instore.acquirer")
	// WalletKey is the wallet family: alipay, wechat_pay, unionpay.
	WalletKey = attribute.Key("instore.wallet")
	// PaymentMethodKey is the route's payment method (alipayplus_upm, ...).
	PaymentMethodKey = attribute.Key("instore.payment_method")
	// CurrencyKey is the ISO 4217 currency of the amount.
	CurrencyKey = attribute.Key("instore.currency")
	// AmountKey is the amount in minor units of the currency (spans only).
	AmountKey = attribute.Key("instore.amount")
	// OutcomeKey is how the operation ended; see the package documentation.
	OutcomeKey = attribute.Key("instore.outcome")
	// PaymentIDKey is the acquirer's id for the payment.
	PaymentIDKey = attribute.Key("instore.payment.id")
	// RefundIDKey is the acquirer's id for a refund.
	RefundIDKey = attribute.Key("instore.refund.id")
	// PaymentStatusKey is the status an acquirer's answer gave.
	PaymentStatusKey = attribute.Key("instore.payment.status")
	// FailureCodeKey is the acquirer's reason code for a failed or
	// cancelled payment.
	FailureCodeKey = attribute.Key("instore.failure_code")
	// InquiriesKey and CancelsKey count the inquiries and cancels an
	// operation sent.
	InquiriesKey = attribute.Key("instore.inquiries")
	CancelsKey   = attribute.Key("instore.cancels")
	// AbandonedKey is true when the caller's context ended before the
	// operation did: the cashier gave up.
	AbandonedKey = attribute.Key("instore.abandoned")
	// CallKey names a call to the acquirer: pay, present, inquiry, cancel,
	// refund, find_refund.
	CallKey = attribute.Key("instore.call")
	// CallAttemptKey counts the calls of one kind in an operation, from 1.
	CallAttemptKey = attribute.Key("instore.call.attempt")
	// CallResultKey is how a call ended; see the package documentation.
	CallResultKey = attribute.Key("instore.call.result")
	// AnomalyReasonKey says why an answer was ignored, never with its
	// values.
	AnomalyReasonKey = attribute.Key("instore.anomaly.reason")
)

// Outcomes of an operation (OutcomeKey) beside the final statuses.
const (
	outcomeUnresolved = "unresolved"
	outcomePending    = "pending"
	outcomeError      = "error"
)

// Results of a call to the acquirer (CallResultKey).
const (
	resultAnswered = "answered"
	resultNotFound = "not_found"
	resultUnknown  = "unknown"
	resultTimeout  = "timeout"
	resultCanceled = "canceled"
	resultRefused  = "refused"
)

// operationSpanName names the span of an operation: instore.<operation>,
// spelled out for the known ones so that naming a span costs nothing.
func operationSpanName(op instore.Operation) string {
	switch op {
	case instore.OpCollect:
		return "instore.collect"
	case instore.OpPresent:
		return "instore.present"
	case instore.OpWait:
		return "instore.wait"
	case instore.OpRefund:
		return "instore.refund"
	case instore.OpLookup:
		return "instore.lookup"
	case instore.OpRecover:
		return "instore.recover"
	}
	return "instore." + string(op)
}

// callSpanName names the span of a call: instore.acquirer.<call>.
func callSpanName(call instore.CallKind) string {
	switch call {
	case instore.CallPay:
		return "instore.acquirer.pay"
	case instore.CallPresent:
		return "instore.acquirer.present"
	case instore.CallInquiry:
		return "instore.acquirer.inquiry"
	case instore.CallCancel:
		return "instore.acquirer.cancel"
	case instore.CallRefund:
		return "instore.acquirer.refund"
	case instore.CallFindRefund:
		return "instore.acquirer.find_refund"
	}
	return "instore.acquirer." + string(call)
}

// outcome names how an operation ended, given the payment and error End
// was told of (for a Present refused, the *PresentError's payment).
func outcome(p *instore.Payment, err error) string {
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		return outcomeUnresolved
	case p == nil:
		return outcomeError
	case p.Status.Final():
		return string(p.Status)
	case p.Status == instore.StatusUnknown:
		// A sale the journal holds unresolved, as Lookup returns it.
		return outcomeUnresolved
	}
	return outcomePending
}

// callResult names how a call to the acquirer ended.
func callResult(err error) string {
	switch {
	case err == nil:
		return resultAnswered
	case errors.Is(err, instore.ErrPaymentNotFound), errors.Is(err, instore.ErrRefundNotFound):
		return resultNotFound
	case errors.Is(err, instore.ErrOutcomeUnknown):
		return resultUnknown
	case errors.Is(err, context.DeadlineExceeded):
		return resultTimeout
	case errors.Is(err, context.Canceled):
		return resultCanceled
	}
	return resultRefused
}

// errorType is the error.type of an error: a short, stable name, never
// the message; api_error for another answer of the acquirer's API, and the
// semantic conventions' _OTHER for anything else. The first match wins:
// an unresolved sale whose last cancel timed out is payment_unresolved.
func errorType(err error) string {
	var apiErr *instore.APIError
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		return "payment_unresolved"
	case errors.Is(err, instore.ErrNotPresented):
		return "not_presented"
	case errors.Is(err, instore.ErrOutcomeUnknown):
		return "outcome_unknown"
	case errors.Is(err, instore.ErrPaymentNotFound):
		return "payment_not_found"
	case errors.Is(err, instore.ErrRefundNotFound):
		return "refund_not_found"
	case errors.Is(err, instore.ErrSaleNotFound):
		return "sale_not_found"
	case errors.Is(err, instore.ErrRequestInProgress):
		return "request_in_progress"
	case errors.Is(err, instore.ErrRequestIDReused):
		return "request_id_reused"
	case errors.Is(err, instore.ErrInvalidRequest):
		return "invalid_request"
	case errors.Is(err, instore.ErrNoRoute):
		return "no_route"
	case errors.Is(err, instore.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, instore.ErrAuthentication):
		return "authentication"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &apiErr):
		return "api_error"
	}
	return "_OTHER"
}
