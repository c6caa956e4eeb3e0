package instore

import (
	"context"
	"errors"
)

// An Observer watches a Checkout's sales, for telemetry: package
// instoreotel turns what it sees into OpenTelemetry spans and metrics. It
// sees what the Checkout does and what the acquirers answered, never a
// payment code, a key or a customer identifier. Its methods are called on
// the sale's goroutine and must return quickly; a Checkout without one
// does no work for it.
type Observer interface {
	// StartSale is called when a Checkout starts an operation on a sale.
	// The context it returns is the one the operation runs under: the
	// acquirer calls, and the SaleObserver's own methods, get it or one
	// derived from it, so that a span started here is their parent. A nil
	// SaleObserver watches nothing more of the operation: the Checkout then
	// makes no further calls for it (telemetry switched off costs nothing).
	StartSale(ctx context.Context, op Operation, sale SaleInfo) (context.Context, SaleObserver)
}

// A SaleObserver watches one operation on one sale, from StartSale to End.
type SaleObserver interface {
	// StartCall is called before each call to the acquirer. The context it
	// returns is the call's; end is called once with the call's answer or
	// error, as the acquirer returned them.
	StartCall(ctx context.Context, call CallInfo) (callCtx context.Context, end func(*Payment, error))
	// Step is called at each step of the sale, as WithProgress reports
	// them.
	Step(ctx context.Context, p Progress)
	// Anomaly is called when an acquirer's answer was ignored because it
	// cannot be about this sale; reason names the mismatch, not the values.
	Anomaly(ctx context.Context, call CallKind, reason string)
	// End is called once, with what the operation returned: the payment
	// (for Present, the Presentment's, or the *PresentError's when Present
	// returned one) and the error.
	End(ctx context.Context, p *Payment, err error)
}

// JournalObserver is implemented by an Observer that watches the journal
// too (instoreotel counts the sales waiting for a recovery): NewCheckout
// hands it the Checkout's journal.
type JournalObserver interface {
	ObserveJournal(j Journal)
}

// Operation names what a Checkout is doing, for an Observer.
type Operation string

// Operations.
const (
	OpCollect Operation = "collect"
	OpPresent Operation = "present"
	OpWait    Operation = "wait"
	OpRefund  Operation = "refund"
	OpLookup  Operation = "lookup"
	// OpRecover is one sale taken over by Recover.
	OpRecover Operation = "recover"
)

// SaleInfo describes a sale to an Observer. It holds nothing secret: the
// request ids are the merchant's own.
type SaleInfo struct {
	RequestID string
	Acquirer  string
	Wallet    Wallet
	Method    PaymentMethod
	Amount    Money
	// RefundRequestID is the refund's id, for OpRefund.
	RefundRequestID string
}

// CallKind names a call to an acquirer.
type CallKind string

// Calls to an acquirer.
const (
	CallPay        CallKind = "pay"
	CallPresent    CallKind = "present"
	CallInquiry    CallKind = "inquiry"
	CallCancel     CallKind = "cancel"
	CallRefund     CallKind = "refund"
	CallFindRefund CallKind = "find_refund"
)

// CallInfo is one call to an acquirer.
type CallInfo struct {
	Kind CallKind
	// Attempt counts the calls of this kind in the operation, from 1.
	Attempt int
}

// WithObserver makes the Checkout report every sale to o. A later
// WithObserver replaces an earlier one.
func WithObserver(o Observer) CheckoutOption {
	return func(c *Checkout) error {
		if isNil(o) {
			return errors.New("instore: nil observer")
		}
		c.observer = o
		return nil
	}
}

// observe starts the observation of an operation, if the Checkout has an
// observer; the sale observer is nil otherwise.
func (c *Checkout) observe(ctx context.Context, op Operation, sale SaleInfo) (context.Context, SaleObserver) {
	if c.observer == nil {
		return ctx, nil
	}
	return c.observer.StartSale(ctx, op, sale)
}

// info describes s to an observer.
func (s *Sale) info() SaleInfo {
	return SaleInfo{RequestID: s.RequestID, Acquirer: s.Acquirer, Wallet: s.Wallet, Method: s.Method, Amount: s.Amount}
}

func noCallEnd(*Payment, error) {}

// startCall tells obs, if there is one, of a call about to be made.
func startCall(ctx context.Context, obs SaleObserver, kind CallKind, attempt int) (context.Context, func(*Payment, error)) {
	if obs == nil {
		return ctx, noCallEnd
	}
	return obs.StartCall(ctx, CallInfo{Kind: kind, Attempt: attempt})
}

// endObserved tells obs, if there is one, how its operation ended, and
// returns that outcome.
func endObserved(ctx context.Context, obs SaleObserver, p *Payment, err error) (*Payment, error) {
	if obs != nil {
		obs.End(ctx, p, err)
	}
	return p, err
}

// startCall tells the run's observer of a call about to be made.
func (r *collect) startCall(ctx context.Context, kind CallKind, attempt int) (context.Context, func(*Payment, error)) {
	return startCall(ctx, r.obs, kind, attempt)
}
