package instore

import (
	"fmt"
	"time"
)

// Payment is the sale as a Payment, with its refunds: final when the sale
// is, StatusPending while the acquirer was last known to hold it pending,
// StatusUnknown otherwise (recorded, cancelling, unresolved).
func (s *Sale) Payment() *Payment {
	p := &Payment{
		Acquirer:       s.Acquirer,
		ID:             s.PaymentID,
		RequestID:      s.RequestID,
		Status:         StatusUnknown,
		Amount:         s.Amount,
		Wallet:         s.Wallet,
		Method:         s.Method,
		FailureCode:    s.FailureCode,
		FailureMessage: s.FailureMessage,
		CreatedAt:      s.CreatedAt.UTC(),
	}
	if !s.AcquirerTime.IsZero() {
		p.CreatedAt = s.AcquirerTime.UTC()
	}
	switch s.State {
	case SaleSucceeded:
		p.Status = StatusSucceeded
	case SaleFailed:
		p.Status = StatusFailed
	case SaleCancelled:
		p.Status = StatusCancelled
	case SalePending:
		p.Status = StatusPending
	}
	for _, r := range s.Refunds {
		p.Refunds = append(p.Refunds, r.Payment(s))
	}
	return p
}

// Payment is the refund as Checkout.Refund returns it.
func (r *RefundRecord) Payment(sale *Sale) *Payment {
	p := &Payment{
		Acquirer:       r.Acquirer,
		ID:             r.RefundID,
		RequestID:      r.RefundRequestID,
		Status:         StatusUnknown,
		Amount:         r.Amount,
		FailureCode:    r.FailureCode,
		FailureMessage: r.FailureMessage,
		CreatedAt:      r.CreatedAt.UTC(),
	}
	if sale != nil {
		p.Wallet, p.Method = sale.Wallet, sale.Method
	}
	switch r.State {
	case RefundSucceeded:
		p.Status = StatusSucceeded
	case RefundFailed:
		p.Status = StatusFailed
	case RefundPending:
		p.Status = StatusPending
	}
	return p
}

// conflict says why s, held under a request id, is not the sale want asks
// for under the same id; "" when it is.
func (s *Sale) conflict(want *Sale) string {
	switch {
	case s.Kind != want.Kind:
		return fmt.Sprintf("is a %s sale, not a %s one", s.Kind, want.Kind)
	case s.Amount != want.Amount:
		return "is for " + s.Amount.String() + ", not " + want.Amount.String()
	case s.Wallet != want.Wallet:
		return fmt.Sprintf("is a %s payment, not a %s one", s.Wallet, want.Wallet)
	case s.Acquirer != want.Acquirer:
		return fmt.Sprintf("went to %s, not %s", s.Acquirer, want.Acquirer)
	}
	return ""
}

// owned reports whether a live process is working on s: a lease that has
// not run out on a sale that is neither final nor unresolved.
func (s *Sale) owned(now time.Time) bool {
	return !s.State.Final() && s.State != SaleUnresolved && s.LeaseUntil.After(now)
}
