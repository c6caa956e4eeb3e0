package instore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RefundOption configures one Checkout.Refund.
type RefundOption func(*refundSettings) error

type refundSettings struct {
	requestID string
}

// WithRefundRequestID sets the merchant's id for the refund, which makes
// retrying it safe: a refund retried with the same id (after a timeout, a
// crash, a second press of the button) never refunds twice. The id follows
// the rules of CollectRequest.RequestID. Without it Refund generates one,
// and a retry is a new refund.
func WithRefundRequestID(id string) RefundOption {
	return func(s *refundSettings) error {
		if err := validRequestID(id); err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("%w: empty refund request id", ErrInvalidRequest)
		}
		s.requestID = id
		return nil
	}
}

// refundKey is the key a refund in progress holds in the Checkout's table
// of running requests: apart from request ids, which cannot hold '/'.
func refundKey(id string) string { return "refund/" + id }

// Refund returns amount of a succeeded payment to the customer through the
// acquirer that took it. A partial refund is an amount below the payment's;
// refunds the journal holds for the payment count against it.
//
// The refund is journaled ahead of sending, as sales are. Give
// WithRefundRequestID to make the call safe to retry: the same id returns
// the refund made, never makes a second one, even after a crash. An error
// matching ErrOutcomeUnknown then means "retry later with the same id",
// never "refund again under a new one": an acquirer that does not
// deduplicate refunds (Omise, PPRO) is asked for the first refund before
// another is sent, and one it cannot find yet is not sent again until the
// arrival horizon has passed since the first was sent. The same id with
// another payment or amount is refused with ErrRequestIDReused.
//
// The answer is the refund as a Payment: its ID, its refund request id as
// RequestID, the amount and status.
func (c *Checkout) Refund(ctx context.Context, p *Payment, amount Money, opts ...RefundOption) (*Payment, error) {
	var set refundSettings
	for _, opt := range opts {
		if err := opt(&set); err != nil {
			return nil, err
		}
	}
	switch {
	case p == nil:
		return nil, fmt.Errorf("%w: nil payment", ErrInvalidRequest)
	case p.Status != StatusSucceeded:
		return nil, fmt.Errorf("%w: only a succeeded payment can be refunded, this one is %s", ErrInvalidRequest, p.Status)
	case amount.Currency != p.Amount.Currency:
		return nil, fmt.Errorf("%w: refund in %s of a payment in %s", ErrInvalidRequest, amount.Currency, p.Amount.Currency)
	case amount.Amount <= 0 || amount.Amount > p.Amount.Amount:
		return nil, fmt.Errorf("%w: refund amount must be positive and at most the payment's", ErrInvalidRequest)
	}
	acq, ok := c.acquirers[p.Acquirer]
	if !ok {
		return nil, fmt.Errorf("%w: acquirer %q", ErrNoRoute, p.Acquirer)
	}
	if set.requestID == "" {
		set.requestID = NewRequestID()
	}
	w, err := c.register(refundKey(set.requestID))
	if err != nil {
		return nil, err
	}
	defer c.unregister(w)
	ctx, obs := c.observe(ctx, OpRefund, SaleInfo{
		RequestID: p.RequestID, Acquirer: p.Acquirer, Wallet: p.Wallet, Method: p.Method, Amount: amount, RefundRequestID: set.requestID,
	})
	run := &refundRun{c: c, acq: acq, p: p, amount: amount, obs: obs}
	err = run.start(ctx, set.requestID)
	res := run.done
	if err == nil && res == nil {
		res, err = run.send(ctx)
	}
	return endObserved(ctx, obs, res, err)
}

// refundRun is one Checkout.Refund.
type refundRun struct {
	c      *Checkout
	acq    Acquirer
	p      *Payment
	amount Money
	rec    *RefundRecord
	// done is the answer when start settled the refund without sending.
	done *Payment
	obs  SaleObserver
}

// start records the refund ahead of sending it, or takes over the record
// of an earlier attempt under the same id and settles what it can of it.
func (r *refundRun) start(ctx context.Context, id string) error {
	c := r.c
	if err := r.checkTotal(ctx, id); err != nil {
		return err
	}
	now := time.Now()
	r.rec = &RefundRecord{
		RefundRequestID: id, RequestID: r.p.RequestID, Acquirer: r.p.Acquirer, Amount: r.amount,
		State: RefundRecorded, CreatedAt: now, UpdatedAt: now, Owner: c.owner, LeaseUntil: now.Add(c.lease),
	}
	err := c.journal.RecordRefund(ctx, r.rec)
	if !errors.Is(err, ErrRefundExists) {
		if err != nil {
			return fmt.Errorf("instore: journal: recording the refund: %w", err)
		}
		return nil
	}
	return r.resume(ctx, id)
}

// resume handles a refund request id the journal holds already.
func (r *refundRun) resume(ctx context.Context, id string) error {
	c := r.c
	rec, err := c.journal.Refund(ctx, id)
	if err != nil {
		return fmt.Errorf("instore: journal: reading refund %s: %w", id, err)
	}
	if rec.RequestID != r.p.RequestID || rec.Amount != r.amount {
		return fmt.Errorf("%w: refund %s is of %s from sale %s", ErrRequestIDReused, id, rec.Amount, rec.RequestID)
	}
	refused := rec.State == RefundFailed && rec.FailureCode == FailureRefused
	now := time.Now()
	switch {
	case rec.State.Final() && !refused:
		r.done = rec.Payment(r.saleOf())
		return nil
	case !rec.State.Final() && rec.LeaseUntil.After(now):
		return ErrRequestInProgress
	}
	lastSent := rec.UpdatedAt
	rec.State, rec.Owner, rec.LeaseUntil, rec.UpdatedAt = RefundRecorded, c.owner, now.Add(c.lease), now
	if err := c.journal.UpdateRefund(ctx, rec); err != nil {
		if errors.Is(err, ErrJournalConflict) {
			return ErrRequestInProgress
		}
		return fmt.Errorf("instore: journal: claiming refund %s: %w", id, err)
	}
	r.rec = rec
	finder, ok := r.acq.(RefundFinder)
	if refused || !ok {
		return nil // never sent, or the acquirer deduplicates: send
	}
	fctx, done := startCall(ctx, r.obs, CallFindRefund, 1)
	found, err := finder.FindRefund(fctx, r.p, r.amount, id)
	done(found, err)
	switch {
	case err == nil:
		r.done = found
		r.settle(ctx, found, nil)
		return nil
	case errors.Is(err, ErrRefundNotFound) && time.Since(lastSent) >= c.horizon:
		return nil // long enough after the last send: it never landed
	case errors.Is(err, ErrRefundNotFound):
		err = fmt.Errorf("instore: refund %s was sent and is not at the acquirer yet; retry later with the same id: %w", id, ErrOutcomeUnknown)
	}
	r.rec.State = RefundPending
	r.write(ctx)
	return err
}

// checkTotal refuses a refund that would take the journal's refunds of the
// payment past its amount.
func (r *refundRun) checkTotal(ctx context.Context, id string) error {
	s, err := r.c.journal.Sale(ctx, r.p.RequestID)
	switch {
	case errors.Is(err, ErrSaleNotFound):
		return nil // a sale from elsewhere: the acquirer enforces its own total
	case err != nil:
		return fmt.Errorf("instore: journal: reading sale %s: %w", r.p.RequestID, err)
	}
	total := r.amount.Amount
	for _, rf := range s.Refunds {
		if rf.RefundRequestID != id && rf.State != RefundFailed {
			total += rf.Amount.Amount
		}
	}
	if total > s.Amount.Amount {
		return fmt.Errorf("%w: refunds of sale %s would exceed its amount", ErrInvalidRequest, s.RequestID)
	}
	return nil
}

// send sends the refund, recorded ahead, and records its outcome.
func (r *refundRun) send(ctx context.Context) (*Payment, error) {
	cctx, done := startCall(ctx, r.obs, CallRefund, 1)
	res, err := r.acq.Refund(cctx, r.p, r.amount, r.rec.RefundRequestID)
	done(res, err)
	if err == nil && res != nil && (res.Amount != (Money{}) && res.Amount != r.amount || res.RequestID != "" && res.RequestID != r.rec.RefundRequestID) {
		err = fmt.Errorf("%w: the acquirer's answer is about another refund", ErrOutcomeUnknown)
		res = nil
	}
	r.settle(ctx, res, err)
	return res, err
}

// settle records a refund's outcome: the acquirer's answer, pending when
// the outcome is unknown, failed (and retryable, see FailureRefused) when
// it was refused before it could move money.
func (r *refundRun) settle(ctx context.Context, res *Payment, err error) {
	rec := r.rec
	switch {
	case err == nil && res != nil:
		res.CreatedAt = res.CreatedAt.UTC() // as every Payment a Checkout returns
		rec.RefundID = res.ID
		rec.FailureCode, rec.FailureMessage = res.FailureCode, res.FailureMessage
		switch res.Status {
		case StatusSucceeded:
			rec.State = RefundSucceeded
		case StatusFailed:
			rec.State = RefundFailed
		default:
			rec.State = RefundPending
		}
	case errors.Is(err, ErrOutcomeUnknown):
		rec.State = RefundPending
	case errors.Is(err, ErrRequestIDReused):
		rec.State, rec.FailureCode, rec.FailureMessage = RefundFailed, "request_id_reused", refusalMessage(err)
	default:
		rec.State, rec.FailureCode, rec.FailureMessage = RefundFailed, FailureRefused, refusalMessage(err)
	}
	r.write(ctx)
}

// write records the refund and gives up its lease; a failure is logged.
func (r *refundRun) write(ctx context.Context) {
	rec := r.rec
	rec.UpdatedAt, rec.LeaseUntil = time.Now(), time.Time{}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	if err := r.c.journal.UpdateRefund(wctx, rec); err != nil {
		r.c.logJournal(ctx, rec.RequestID, SaleState("refund "+string(rec.State)), err)
	}
}

// saleOf is what a refund's Payment takes from the sale.
func (r *refundRun) saleOf() *Sale { return &Sale{Wallet: r.p.Wallet, Method: r.p.Method} }
