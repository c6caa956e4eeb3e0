package instore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// journalTimeout bounds one journal write. Writes run under a context of
// their own: a cashier who gave up must not stop the record of money in
// flight.
const journalTimeout = 5 * time.Second

// FailureRefused is the FailureCode of a sale refused before it could take
// any money: by the acquirer (a request it would not accept) or on the way
// (provably never sent). Such a sale is final, but its request id may be
// collected again: nothing was paid under it.
const FailureRefused = "instore_refused"

// FailureRequestIDReused is the FailureCode of an unresolved sale whose
// request id the acquirer holds for another payment, and whose own payment
// (if any) it never showed: a cancel by the request id would hit the other
// payment, so none is sent, by Collect or by a recovery. A person settles
// it, with the acquirer.
const FailureRequestIDReused = "instore_request_id_reused"

// maxRefusalMessage caps the text kept of a refusal's error.
const maxRefusalMessage = 200

// record writes the sale's state, with what the run knows of the payment,
// to the journal, and renews or ends the lease. The callers decide what a
// failed write means for their step; every failure is logged. Once another
// process has taken the sale over, nothing is written again.
func (r *collect) record(ctx context.Context, st SaleState) error {
	if r.lost != nil {
		return r.lost
	}
	s := r.sale
	prev := *s
	now := time.Now()
	s.State = st
	s.PaymentID = r.payment.ID
	s.FailureCode, s.FailureMessage = r.payment.FailureCode, r.payment.FailureMessage
	s.UpdatedAt = now
	s.Owner = r.c.owner
	s.LeaseUntil = time.Time{}
	if !st.Final() && st != SaleUnresolved {
		s.LeaseUntil = now.Add(r.c.lease)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journalTimeout)
	defer cancel()
	err := r.c.journal.Update(wctx, s)
	if err == nil {
		return nil
	}
	*s = prev
	if errors.Is(err, ErrJournalConflict) {
		r.lost = fmt.Errorf("instore: sale %s was taken over by another process: %w", s.RequestID, err)
		err = r.lost
	}
	r.c.logJournal(ctx, s.RequestID, st, err)
	return err
}

// renew extends the lease when less than half of it is left, so that no
// other process takes over a sale this one is still following. It fails
// only when the sale was taken over; a journal that cannot be written is
// no reason to stop following the payment.
func (r *collect) renew(ctx context.Context) error {
	if r.lost == nil && time.Until(r.sale.LeaseUntil) < r.c.lease/2 {
		_ = r.record(ctx, r.sale.State)
	}
	return r.lost
}

func (c *Checkout) logJournal(ctx context.Context, requestID string, st SaleState, err error) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelError, "instore: journal write failed",
		slog.String("step", "journal"),
		slog.String("request_id", requestID),
		slog.String("state", string(st)),
		slog.String("error", err.Error()),
	)
}

// saleState is the journal state of a final payment status.
func saleState(s PaymentStatus) SaleState {
	switch s {
	case StatusSucceeded:
		return SaleSucceeded
	case StatusFailed:
		return SaleFailed
	case StatusCancelled:
		return SaleCancelled
	case StatusPending:
		return SalePending
	}
	return SaleUnresolved
}

// refusalMessage is what the journal keeps of a refusal: the error's text,
// which the SDK keeps free of keys and codes, capped.
func refusalMessage(err error) string {
	msg := err.Error()
	if len(msg) > maxRefusalMessage {
		msg = msg[:maxRefusalMessage]
	}
	return msg
}
