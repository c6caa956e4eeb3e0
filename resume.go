package instore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// reopening is what a request id the journal holds means for a new
// request under it.
type reopening int

const (
	// reopenDone: the stored sale is final; it is the answer.
	reopenDone reopening = iota
	// reopenPay: the stored sale was refused before it could take money;
	// it is claimed, recorded ahead of a new pay, and paid afresh.
	reopenPay
	// reopenResume: the stored sale's owner is gone; it is claimed and
	// resumed where that owner left it, never paid again.
	reopenResume
)

// reopen answers a Collect or Present whose request id the journal holds
// already, as want records it: the stored sale when it is final, a refusal
// (ErrRequestIDReused) when it is another sale, ErrRequestInProgress when a
// live process works on it, and otherwise the sale taken over by this
// process, to pay afresh or to resume.
func (c *Checkout) reopen(ctx context.Context, want *Sale) (*Sale, reopening, error) {
	s, err := c.journal.Sale(ctx, want.RequestID)
	if err != nil {
		return nil, 0, fmt.Errorf("instore: journal: reading sale %s: %w", want.RequestID, err)
	}
	if why := s.conflict(want); why != "" {
		return nil, 0, fmt.Errorf("%w: sale %s %s", ErrRequestIDReused, s.RequestID, why)
	}
	how := reopenResume
	switch {
	case s.State == SaleFailed && s.FailureCode == FailureRefused:
		// Nothing was paid under this id: record the new pay ahead of it.
		how = reopenPay
		s.State, s.FailureCode, s.FailureMessage, s.PaymentID = SaleRecorded, "", "", ""
		s.CreatedAt, s.MaskedCode, s.Store = time.Now(), want.MaskedCode, want.Store
	case s.State.Final():
		return s, reopenDone, nil
	case s.owned(time.Now()):
		return nil, 0, ErrRequestInProgress
	}
	if err := c.claim(ctx, s); err != nil {
		return nil, 0, err
	}
	return s, how, nil
}

// claim takes s over for this process: a write at the version read, which
// fails if anyone else wrote it since.
func (c *Checkout) claim(ctx context.Context, s *Sale) error {
	now := time.Now()
	s.Owner, s.LeaseUntil, s.UpdatedAt = c.owner, now.Add(c.lease), now
	err := c.journal.Update(ctx, s)
	if errors.Is(err, ErrJournalConflict) {
		return ErrRequestInProgress
	}
	if err != nil {
		return fmt.Errorf("instore: journal: claiming sale %s: %w", s.RequestID, err)
	}
	return nil
}

// resume follows a sale taken over from another run from where that run
// left it: a sale whose pay may be out there is inquired about for what is
// left of its inquiry window (once at least), then cancelled; a sale whose
// cancel may be out there is cancelled, since from then on only the
// acquirer's answer to a cancel decides it.
func (r *collect) resume(ctx context.Context) (*Payment, error) {
	r.step(ctx, StepPending, 0)
	switch r.sale.State {
	case SaleCancelling, SaleUnresolved:
		return r.cancel(ctx)
	default:
		return r.follow(ctx, r.sale.CreatedAt.Add(r.c.payTimeout))
	}
}

// Lookup returns the sale with that request id as the journal holds it,
// with its refunds: what a till that reconnects, or an operator with an
// unresolved sale, asks. A sale that is not final is refreshed with one
// inquiry, and recorded final when the acquirer's answer settles it and no
// live process is working on it; a sale whose cancel may still be out
// there is settled only by a cancel (see Recover). An id the journal does
// not hold is an error matching ErrSaleNotFound. Lookup never pays and
// never cancels.
func (c *Checkout) Lookup(ctx context.Context, requestID string) (*Payment, error) {
	if err := validRequestID(requestID); err != nil {
		return nil, err
	}
	s, err := c.journal.Sale(ctx, requestID)
	if errors.Is(err, ErrSaleNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrSaleNotFound, requestID)
	}
	if err != nil {
		return nil, fmt.Errorf("instore: journal: reading sale %s: %w", requestID, err)
	}
	acq, ok := c.acquirers[s.Acquirer]
	if s.State.Final() || !ok {
		return s.Payment(), nil
	}
	r := c.newRun(acq, Schedule{}, &waiter{requestID: requestID}, s)
	ctx, r.obs = c.observe(ctx, OpLookup, s.info())
	callCtx, cancel := context.WithTimeout(ctx, c.callTimeout)
	callCtx, done := r.startCall(callCtx, CallInquiry, 1)
	res, err := acq.Inquire(callCtx, r.snapshot())
	done(res, err)
	cancel()
	if err == nil && r.accept(ctx, res, "lookup") && r.settledBy(r.payment.Status) {
		if !s.owned(time.Now()) {
			// Settled: record it, at the version read; a conflict means
			// someone else is writing it, whose record wins.
			_ = r.record(ctx, saleState(r.payment.Status))
		}
		out := r.snapshot()
		out.Refunds = s.Payment().Refunds
		return r.ended(ctx, out, nil)
	}
	// No answer that settles it: the sale as the journal holds it.
	return r.ended(ctx, s.Payment(), nil)
}

// ended tells the run's observer how the operation ended.
func (r *collect) ended(ctx context.Context, p *Payment, err error) (*Payment, error) {
	return endObserved(ctx, r.obs, p, err)
}

// settledBy reports whether an inquiry's answer st settles the sale: any
// final status before a cancel was sent; after it, only failed or
// cancelled, since a cancel still in flight may yet refund a payment the
// inquiry saw paid.
func (r *collect) settledBy(st PaymentStatus) bool {
	switch r.sale.State {
	case SaleCancelling, SaleUnresolved:
		return st == StatusFailed || st == StatusCancelled
	}
	return st.Final()
}
