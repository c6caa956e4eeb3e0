package instore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Recover tuning.
const (
	// recoverBatch is how many stale sales Recover reads from the journal
	// at a time.
	recoverBatch = 100
	// recoverWorkers is how many sales Recover resolves at once: enough to
	// get through a dead till's backlog in the time of a few sales, few
	// enough not to flood an acquirer that just came back.
	recoverWorkers = 8
)

// RecoveryReport is what Recover did.
type RecoveryReport struct {
	// Sales are the sales Recover took over, in the order it finished them.
	Sales []RecoveredSale
}

// RecoveredSale is one sale Recover took over.
type RecoveredSale struct {
	RequestID string
	Acquirer  string
	// From is the state the sale was left in.
	From SaleState
	// Payment is the sale as it ended: final, or StatusUnknown when it is
	// still unresolved.
	Payment *Payment
	// Inquiries and Cancels count the calls Recover made for it.
	Inquiries, Cancels int
	// Err is why the sale is still unresolved (an *UnresolvedError), or
	// what stopped Recover from working on it; nil when it is final.
	Err error
}

// Resolved reports whether the sale is final now.
func (s *RecoveredSale) Resolved() bool {
	return s.Err == nil && s.Payment != nil && s.Payment.Status.Final()
}

// Unresolved counts the sales Recover could not settle.
func (r *RecoveryReport) Unresolved() int {
	n := 0
	for i := range r.Sales {
		if !r.Sales[i].Resolved() {
			n++
		}
	}
	return n
}

// Recover takes over every sale the journal holds as not final whose
// owner is gone (its lease ran out, or it ended unresolved), resolves each
// as Collect would have (what is left of the inquiry window, then the
// cancel on its schedule; a sale whose cancel may be out there is
// cancelled) and records the outcome. It never pays. It is safe to call at
// start-up, periodically, and from several processes sharing a journal at
// once: each sale is taken over by one of them, by a write at the version
// read. Refunds are not recovered here: a refund retried with the same
// refund request id settles itself (see WithRefundRequestID).
//
// A sale whose acquirer the Checkout does not know is reported with an
// error matching ErrNoRoute and left alone. The error is about the journal
// only; each sale's outcome is in the report.
func (c *Checkout) Recover(ctx context.Context) (*RecoveryReport, error) {
	report := &RecoveryReport{}
	var mu sync.Mutex
	seen := make(map[string]bool)
	for {
		// Oldest first: the sales already tried (still unresolved, or taken
		// by another process) come back first, so ask past them.
		stale, err := c.journal.Stale(ctx, time.Now(), len(seen)+recoverBatch)
		if err != nil {
			return report, fmt.Errorf("instore: journal: listing stale sales: %w", err)
		}
		var todo []*Sale
		for _, s := range stale {
			if !seen[s.RequestID] {
				seen[s.RequestID] = true
				todo = append(todo, s)
			}
		}
		if len(todo) == 0 {
			return report, nil
		}
		sem := make(chan struct{}, recoverWorkers)
		var wg sync.WaitGroup
		for _, s := range todo {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if out, ok := c.recoverSale(ctx, s); ok {
					mu.Lock()
					report.Sales = append(report.Sales, out)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return report, err
		}
	}
}

// recoverSale takes s over and resolves it. It reports false when another
// process took it first.
func (c *Checkout) recoverSale(ctx context.Context, s *Sale) (RecoveredSale, bool) {
	out := RecoveredSale{RequestID: s.RequestID, Acquirer: s.Acquirer, From: s.State}
	acq, ok := c.acquirers[s.Acquirer]
	if !ok {
		out.Payment = s.Payment()
		out.Err = fmt.Errorf("%w: acquirer %q", ErrNoRoute, s.Acquirer)
		return out, true
	}
	w, err := c.register(s.RequestID)
	if err != nil {
		return out, false // a Collect of this process is on it
	}
	defer c.unregister(w)
	switch err := c.claim(ctx, s); {
	case errors.Is(err, ErrRequestInProgress):
		return out, false
	case err != nil:
		out.Payment, out.Err = s.Payment(), err
		return out, true
	}
	schedule := c.scheduleFor(acq)
	if s.Kind == SalePresent {
		schedule = c.presentScheduleOrDefault()
	}
	r := c.newRun(acq, schedule, w, s)
	ctx, r.obs = c.observe(ctx, OpRecover, s.info())
	p, err := r.resume(ctx)
	out.Payment, out.Err = r.ended(ctx, p, err)
	out.Inquiries, out.Cancels = r.inquiries, r.cancels
	return out, true
}
