package instore

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Step names a stage of a Collect, for progress reports and logs.
type Step string

// Steps of a Collect, in the order they can happen.
const (
	StepClassified Step = "classified" // the code was read and routed; nothing sent yet
	StepPaying     Step = "paying"     // the pay request is on its way
	StepPending    Step = "pending"    // the customer may be confirming in the wallet app
	StepInquiring  Step = "inquiring"  // asking the acquirer where the payment stands
	StepCancelling Step = "cancelling" // no final answer in time: cancelling
	StepFinal      Step = "final"      // the payment reached a final status
	StepUnresolved Step = "unresolved" // neither confirmed nor cancelled
)

// Progress is one step of a Collect as WithProgress reports it.
type Progress struct {
	Step      Step
	RequestID string
	Acquirer  string
	// PaymentID is the acquirer's id for the payment, once it gave one.
	PaymentID string
	// Attempt counts inquiries in StepInquiring and cancels in
	// StepCancelling; it is 0 elsewhere.
	Attempt int
	// Status is the payment's status as last known.
	Status  PaymentStatus
	Elapsed time.Duration
}

// collect is the state of one Collect call.
type collect struct {
	c        *Checkout
	acq      Acquirer
	schedule Schedule
	w        *waiter
	start    time.Time
	payment  *Payment
}

func (r *collect) do(ctx context.Context, req *PayRequest) (*Payment, error) {
	r.step(ctx, StepPaying, 0)
	payCtx, cancel := context.WithTimeout(ctx, r.c.payTimeout)
	res, err := r.acq.Pay(payCtx, req)
	cancel()
	switch {
	case err == nil:
		r.update(res)
		if r.payment.Status.Final() {
			return r.final(ctx)
		}
	case errors.Is(err, ErrOutcomeUnknown):
		// The payment may exist: find out, never pay again.
	default:
		// The acquirer refused the request, or it never left the machine.
		r.payment.Status = StatusFailed
		r.step(ctx, StepFinal, 0)
		return r.payment, err
	}
	r.step(ctx, StepPending, 0)
	return r.follow(ctx)
}

// follow is steps 3 to 5 for a payment that exists, or may: inquire on the
// schedule until the payment is final (Notify wakes the wait early), then
// cancel. Present's Wait runs it too, with the presented schedule.
func (r *collect) follow(ctx context.Context) (*Payment, error) {
	for i, wait := range r.schedule.Inquiry {
		if !r.sleep(ctx, wait, r.w.wake) {
			break // the cashier gave up: cancel
		}
		r.step(ctx, StepInquiring, i+1)
		callCtx, cancel := context.WithTimeout(ctx, r.c.callTimeout)
		res, err := r.acq.Inquire(callCtx, r.snapshot())
		cancel()
		if err != nil {
			continue // no answer is not an answer: ask again
		}
		r.update(res)
		if r.payment.Status.Final() {
			return r.final(ctx)
		}
	}
	return r.cancel(ctx)
}

// cancel runs step 4 under a context of its own: a cashier who gave up must
// not stop the cancel that protects the customer's money.
func (r *collect) cancel(ctx context.Context) (*Payment, error) {
	budget := r.c.callTimeout * time.Duration(len(r.schedule.Cancel)+1)
	for _, d := range r.schedule.Cancel {
		budget += d
	}
	cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer stop()

	var lastErr error
	for i := 0; i <= len(r.schedule.Cancel); i++ {
		if i > 0 && !r.sleep(cctx, r.schedule.Cancel[i-1], nil) {
			break
		}
		r.step(cctx, StepCancelling, i+1)
		callCtx, cancel := context.WithTimeout(cctx, r.c.callTimeout)
		res, err := r.acq.Cancel(callCtx, r.snapshot())
		cancel()
		if err != nil {
			lastErr = err
			continue
		}
		if res.ID != "" && r.payment.ID == "" {
			r.payment.ID = res.ID
		}
		if res.Status.Final() {
			// Cancelled; failed before the cancel; or, on the acquirer's own
			// word, completed and beyond cancelling.
			r.update(res)
			return r.final(cctx)
		}
	}
	r.payment.Status = StatusUnknown
	r.step(cctx, StepUnresolved, 0)
	return r.payment, &UnresolvedError{Payment: r.snapshot(), Err: lastErr}
}

func (r *collect) final(ctx context.Context) (*Payment, error) {
	r.step(ctx, StepFinal, 0)
	return r.payment, nil
}

// update takes the acquirer's view of the payment, keeping what the sale
// itself fixed.
func (r *collect) update(res *Payment) {
	if res == nil {
		return
	}
	p := r.payment
	if res.ID != "" && res.ID != p.ID {
		p.ID = res.ID
		r.c.alias(r.w, res.ID)
	}
	if res.Status != "" {
		p.Status = res.Status
	}
	if res.FailureCode != "" || res.FailureMessage != "" {
		p.FailureCode, p.FailureMessage = res.FailureCode, res.FailureMessage
	}
	if !res.CreatedAt.IsZero() {
		p.CreatedAt = res.CreatedAt
	}
}

// snapshot is a copy for the acquirer, which must not hold on to ours.
func (r *collect) snapshot() *Payment {
	p := *r.payment
	return &p
}

// sleep waits d, or less when wake fires. It reports false when ctx ended.
func (r *collect) sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-wake:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *collect) step(ctx context.Context, s Step, attempt int) {
	c := r.c
	if c.progress == nil && c.logger == nil {
		return
	}
	pr := Progress{
		Step:      s,
		RequestID: r.payment.RequestID,
		Acquirer:  r.payment.Acquirer,
		PaymentID: r.payment.ID,
		Attempt:   attempt,
		Status:    r.payment.Status,
		Elapsed:   time.Since(r.start),
	}
	if c.progress != nil {
		c.progress(pr)
	}
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "instore: checkout",
			slog.String("step", string(s)),
			slog.String("request_id", pr.RequestID),
			slog.String("acquirer", pr.Acquirer),
			slog.Int("attempt", attempt),
			slog.String("status", string(pr.Status)),
			slog.Duration("elapsed", pr.Elapsed),
		)
	}
}
