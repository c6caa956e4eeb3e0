package instore

import (
	"context"
	"time"
)

// PaymentStatus is where a payment stands, the same for every acquirer.
type PaymentStatus string

// Payment statuses. Succeeded, failed and cancelled are final; pending and
// unknown are not.
const (
	// StatusPending: the acquirer has the payment and is waiting, usually
	// for the customer to confirm it in the wallet app.
	StatusPending PaymentStatus = "pending"
	// StatusSucceeded: the money was taken.
	StatusSucceeded PaymentStatus = "succeeded"
	// StatusFailed: the payment was declined or refused; no money was taken.
	StatusFailed PaymentStatus = "failed"
	// StatusCancelled: the payment was cancelled (Omise: expired) before it
	// completed, or reversed by the cancel; no money was kept.
	StatusCancelled PaymentStatus = "cancelled"
	// StatusUnknown: no trustworthy answer yet. The payment may or may not
	// exist.
	StatusUnknown PaymentStatus = "unknown"
)

// Final reports whether s can no longer change by itself.
func (s PaymentStatus) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCancelled
}

// known reports whether s is one of the statuses above, or empty.
func (s PaymentStatus) known() bool {
	switch s {
	case "", StatusPending, StatusSucceeded, StatusFailed, StatusCancelled, StatusUnknown:
		return true
	}
	return false
}

// Payment is one sale (or, as returned by a refund, one refund) at an
// acquirer. It is a plain value: a POS can store it and hand it back later
// to Checkout.Refund.
type Payment struct {
	// Acquirer names the acquirer that holds the payment ("omise",
	// "alipayplus", "ppro"), as its Name method returns it.
	Acquirer string
	// ID is the acquirer's id for the payment (an Omise charge id, an
	// Alipay+ paymentId, a PPRO txid); empty until the acquirer answered.
	ID string
	// RequestID is the merchant's id for the sale, unique per sale. It is
	// what ties retries, inquiries and cancels to one payment.
	RequestID string
	Status    PaymentStatus
	Amount    Money
	Wallet    Wallet
	Method    PaymentMethod
	// FailureCode and FailureMessage are the acquirer's own reason for a
	// failed or cancelled payment (Omise failure_code, Alipay+ resultCode,
	// PPRO FAILREASON), kept as the acquirer sent them.
	FailureCode    string
	FailureMessage string
	// CreatedAt is when the acquirer created the payment, as it said, or
	// when the Checkout recorded the sale, before the acquirer answered.
	// Every Payment a Checkout returns has it in UTC, whatever zone the
	// acquirer answered in (Alipay+ answers in +08:00); an Acquirer's own
	// Payment keeps the acquirer's zone.
	CreatedAt time.Time
	// Refunds are the payment's refunds as the journal holds them, each as
	// Checkout.Refund returns one; only Checkout.Lookup fills it.
	Refunds []*Payment
}

// Store names the shop and the till a payment is taken at.
type Store struct {
	ID, Name, MCC, TerminalID string
}

// PayRequest is what a Checkout asks an [Acquirer] to charge.
type PayRequest struct {
	// RequestID is unique per sale; acquirers that deduplicate use it as
	// their idempotency key, and the others record it with the payment so
	// an unknown outcome can be looked up.
	RequestID string
	// Code is the scanned payment code; it is zero for a merchant-presented
	// payment (Presenter.Present).
	Code   PaymentCode
	Amount Money
	// Method is the payment method of the route that chose this acquirer
	// (for Omise, the source type).
	Method      PaymentMethod
	Description string
	Store       Store
	Metadata    map[string]string
	// ExpiresAt, for a merchant-presented payment, asks the acquirer to stop
	// accepting it at this time; zero leaves the acquirer's default. Pay
	// ignores it.
	ExpiresAt time.Time
}

// RefundFinder is implemented by an Acquirer whose acquirer does not
// deduplicate refunds by the merchant's refund request id (Omise, PPRO). It
// looks the refund made under refundRequestID up without sending one, and
// returns an error matching ErrRefundNotFound when there is none yet.
// Checkout.Refund uses it to tell a refund still in flight from one never
// made before it sends a refund again.
type RefundFinder interface {
	FindRefund(ctx context.Context, p *Payment, amount Money, refundRequestID string) (*Payment, error)
}

// Acquirer is a payment service a Checkout routes payments to. The
// adapters in this module are NewOmiseAcquirer, alipayplus.NewAcquirer and
// ppro.NewAcquirer.
//
// The contract that keeps money safe:
//
//   - Every method returns the payment as the acquirer now reports it, with
//     a nil error, whenever the acquirer gave a trustworthy answer, even a
//     decline.
//   - Pay returns an error matching [ErrOutcomeUnknown] when the payment may
//     have been made without an answer to show for it. Any other error
//     from Pay means no money can have moved.
//   - Inquire reports a payment the acquirer does not know yet as pending,
//     never as failed.
//   - Every answer describes the payment as the acquirer stated it: its
//     RequestID, ID and Amount come from the acquirer's answer, or are left
//     empty where the answer does not give them, never copied from the
//     request. The Checkout compares them with the sale and ignores an
//     answer about another payment.
//   - Cancel returns a cancelled payment when the cancel took effect (or,
//     where the acquirer documents it, closed the request id so that a late
//     pay is refused), and a succeeded payment only when the acquirer's own
//     answer shows the payment completed and can no longer be cancelled. It
//     never reports a payment as succeeded from anything else. A payment
//     the acquirer cannot find is a *PaymentNotFoundError, never a
//     cancelled payment: a pay still in flight may land after it.
//   - A request id the acquirer holds for another payment (another amount,
//     currency or code) is an error matching ErrRequestIDReused, from Pay,
//     Present and Refund alike, and nothing is done about that payment.
//   - Refund returns the refund as a Payment: its own ID and request id, the
//     refunded amount and the refund's status. A refund retried under the
//     same refund request id never refunds twice: an acquirer that does not
//     deduplicate looks the first refund up before sending another, and
//     returns an error matching ErrOutcomeUnknown when it cannot tell.
type Acquirer interface {
	// Name identifies the acquirer in Payment.Acquirer ("omise").
	Name() string
	Pay(ctx context.Context, req *PayRequest) (*Payment, error)
	Inquire(ctx context.Context, p *Payment) (*Payment, error)
	Cancel(ctx context.Context, p *Payment) (*Payment, error)
	Refund(ctx context.Context, p *Payment, amount Money, refundRequestID string) (*Payment, error)
}
