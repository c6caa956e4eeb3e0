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
	StepNotified   Step = "notified"   // a notification brought the next inquiry forward
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

// collect is the state of one sale: a Collect, or a Present and its Wait.
type collect struct {
	c        *Checkout
	acq      Acquirer
	schedule Schedule
	w        *waiter
	start    time.Time
	payment  *Payment
	// sentAt is when the pay (or the create of a presented payment) left
	// the machine, or may have: a payment the acquirer cannot find proves
	// nothing until the arrival horizon has passed since then.
	sentAt time.Time
	// reused is set when the acquirer showed another payment under this
	// sale's request id: a cancel by request id would then hit that
	// payment, so none is sent until the sale's own payment id is known.
	reused bool
	// sale is the sale's record in the journal, written ahead of every step.
	sale *Sale
	// lost is set when another process took the sale over (its lease ran
	// out): from then on this run neither acts nor writes.
	lost error
	// inquiries and cancels count the calls made, for Recover's report.
	inquiries, cancels int
	// obs watches the operation under way, if the Checkout has an Observer.
	obs SaleObserver
	// otherID is a payment id that the last answer named instead of the
	// one held (see confirmsOtherID).
	otherID string
	// progress is the request's own progress callback, called after the
	// Checkout's (CollectRequest.Progress, PresentRequest.Progress).
	progress func(Progress)
}

// do is steps 2 to 5 of Collect for a sale that passed step 1 and is
// recorded in the journal.
func (r *collect) do(ctx context.Context, req *PayRequest) (*Payment, error) {
	if err := r.pay(ctx, req); err != nil {
		_ = r.record(ctx, SaleFailed)
		if errors.Is(err, ErrInvalidParams) {
			return nil, err // refused before sending: no payment, as in step 1
		}
		return r.payment, err
	}
	if r.payment.Status.Final() {
		return r.final(ctx)
	}
	_ = r.record(ctx, SalePending)
	r.step(ctx, StepPending, 0)
	return r.follow(ctx, time.Now())
}

// pay is step 2: pay once, within the pay timeout. It returns an error
// only for a sale that ends here with no money taken; a payment that may
// exist is left not final, for the inquiries.
func (r *collect) pay(ctx context.Context, req *PayRequest) error {
	r.step(ctx, StepPaying, 0)
	payCtx, cancel := context.WithTimeout(ctx, r.c.payTimeout)
	r.sentAt = time.Now()
	payCtx, done := r.startCall(payCtx, CallPay, 1)
	res, err := r.acq.Pay(payCtx, req)
	done(res, err)
	cancel()
	switch {
	case err == nil:
		r.accept(ctx, res, "pay")
		return nil
	case errors.Is(err, ErrOutcomeUnknown):
		return nil // the payment may exist: find out, never pay again
	default:
		// Refused by the acquirer (a request id it holds for another sale
		// included), or never sent: no money moved, and the request id may
		// be paid again (see FailureRefused).
		r.payment.Status = StatusFailed
		r.payment.FailureCode, r.payment.FailureMessage = FailureRefused, refusalMessage(err)
		r.step(ctx, StepFinal, 0)
		return err
	}
}

// follow is steps 3 to 5 for a payment that exists, or may: inquire on the
// schedule, which starts at origin, until the payment is final, then
// cancel. The inquiry window is a length of time, not a number of answers:
// Notify brings an inquiry forward (at most one per Schedule.MinInterval)
// but never shortens the window. The cashier giving up (ctx ending) goes
// straight to the cancel. Present's Wait runs it too, with the presented
// schedule, and a resumed sale with the origin of its first run.
func (r *collect) follow(ctx context.Context, origin time.Time) (*Payment, error) {
	w := newWindowFrom(origin, time.Now(), r.schedule, r.c.callTimeout)
	for n := 1; ; n++ {
		if !w.wait(ctx, r.w.wake) {
			break // the schedule ran out, or the cashier gave up
		}
		if r.renew(ctx) != nil {
			return r.unresolved(ctx, r.lost)
		}
		if w.woken {
			r.step(ctx, StepNotified, n)
		}
		r.step(ctx, StepInquiring, n)
		r.inquiries++
		known := r.payment.ID
		callCtx, cancel := w.callContext(ctx)
		callCtx, done := r.startCall(callCtx, CallInquiry, n)
		res, err := r.acq.Inquire(callCtx, r.snapshot())
		done(res, err)
		cancel()
		if err != nil || !r.accept(ctx, res, "inquiry") {
			continue // no answer, or one we cannot trust, is not an answer: ask again
		}
		if r.payment.Status.Final() {
			return r.final(ctx)
		}
		if r.payment.ID != known {
			_ = r.record(ctx, SalePending) // the payment id, for a recovery
		}
	}
	return r.cancel(ctx)
}

// cancel is step 4, under a context of its own: a cashier who gave up
// must not stop the cancel that protects the customer's money. The cancel
// is retried on the schedule, all within the cancel budget. A payment the
// acquirer cannot find is not cancelled by that answer: the pay may still
// land, so the cancel is sent again, and the sale is unresolved when the
// budget runs out, unless the arrival horizon has passed since the pay and
// the acquirer said so several times in a row (see absenceAnswers).
func (r *collect) cancel(ctx context.Context) (*Payment, error) {
	w := newWindow(time.Now(), Schedule{Inquiry: append([]time.Duration{0}, r.schedule.Cancel...)}, r.c.callTimeout)
	cctx, stop := context.WithDeadline(context.WithoutCancel(ctx), w.end)
	defer stop()

	if (r.reused || r.payment.FailureCode == FailureRequestIDReused) && r.payment.ID == "" {
		// Recorded so, for a recovery of this sale will not see the other
		// payment before it cancels.
		r.payment.FailureCode, r.payment.FailureMessage = FailureRequestIDReused, errReusedNoCancel.Error()
		return r.unresolved(cctx, errReusedNoCancel)
	}
	// Write-ahead: a recovery must know a cancel may be out there, after
	// which an inquiry's "paid" is no longer the last word.
	if err := r.record(cctx, SaleCancelling); err != nil {
		return r.unresolved(cctx, err)
	}
	var lastErr error
	var absent absence
	for n := 1; w.wait(cctx, nil); n++ {
		if r.renew(cctx) != nil {
			return r.unresolved(cctx, r.lost)
		}
		r.step(cctx, StepCancelling, n)
		r.cancels++
		callCtx, cancel := w.callContext(cctx)
		callCtx, done := r.startCall(callCtx, CallCancel, n)
		res, err := r.acq.Cancel(callCtx, r.snapshot())
		done(res, err)
		cancel()
		var nf *PaymentNotFoundError
		switch {
		case errors.As(err, &nf):
			lastErr = err
			if absent.seen(time.Now()) && time.Since(r.sentAt) >= r.c.horizon {
				// Not there, again and again, long after any pay could have
				// landed.
				r.payment.Status = StatusCancelled
				r.payment.FailureCode, r.payment.FailureMessage = nf.Code, nf.Message
				return r.final(cctx)
			}
		case err != nil:
			lastErr = err
		case !r.accept(cctx, res, "cancel"):
			lastErr = errUntrustedAnswer
		default:
			absent = absence{} // the acquirer has the payment after all
			if !r.payment.Status.Final() {
				continue
			}
			// Cancelled; failed before the cancel; or, on the acquirer's own
			// word, completed and beyond cancelling.
			return r.final(cctx)
		}
	}
	return r.unresolved(cctx, lastErr)
}

// Proof of absence: how many answers in a row must say "no such payment",
// over how long, before a payment is taken never to have been made (and
// then only past the arrival horizon). One answer may come from a replica
// that lags behind; several, spread over seconds, from the acquirer's own
// record.
const (
	absenceAnswers = 3
	absenceSpread  = 5 * time.Second
)

// absence counts answers in a row that said "no such payment".
type absence struct {
	n     int
	first time.Time
}

// seen counts one more such answer, at now, and reports whether they now
// prove the payment absent.
func (a *absence) seen(now time.Time) bool {
	if a.n == 0 {
		a.first = now
	}
	a.n++
	return a.n >= absenceAnswers && now.Sub(a.first) >= absenceSpread
}

// final records the payment's final status, then reports it. A journal
// that cannot be written does not change the answer: the record stays not
// final, and a recovery settles it from the acquirer.
func (r *collect) final(ctx context.Context) (*Payment, error) {
	_ = r.record(ctx, saleState(r.payment.Status))
	r.step(ctx, StepFinal, 0)
	return r.payment, nil
}

// unresolved is step 5: the payment could be neither confirmed nor
// cancelled. It is recorded so, with no lease, for Recover.
func (r *collect) unresolved(ctx context.Context, cause error) (*Payment, error) {
	r.payment.Status = StatusUnknown
	_ = r.record(ctx, SaleUnresolved)
	r.step(ctx, StepUnresolved, 0)
	return r.payment, &UnresolvedError{Payment: r.snapshot(), Err: cause}
}

// accept takes the acquirer's answer about the payment when it can be
// trusted to be about this sale, and reports whether it did. An answer
// naming another request id, another payment id, another amount or
// currency, or a negative amount is logged as an anomaly and ignored: it
// may describe someone else's money.
func (r *collect) accept(ctx context.Context, res *Payment, call string) bool {
	if why := r.mismatch(res); why != "" {
		r.anomaly(ctx, call, why)
		return false
	}
	p := r.payment
	if res.ID != "" && res.ID != p.ID {
		p.ID = res.ID
		r.c.alias(r.w, res.ID)
	}
	if res.ID == p.ID {
		r.otherID = ""
	}
	if res.Status != "" {
		p.Status = res.Status
	}
	if res.FailureCode != "" || res.FailureMessage != "" {
		p.FailureCode, p.FailureMessage = res.FailureCode, res.FailureMessage
	}
	if !res.CreatedAt.IsZero() {
		// UTC, whatever zone the acquirer answered in (Alipay+: +08:00).
		p.CreatedAt = res.CreatedAt.UTC()
		r.sale.AcquirerTime = p.CreatedAt
	}
	return true
}

// mismatch says why res cannot be about this sale, or "" when it can.
// Acquirers leave fields they were not told empty, so only what an answer
// states is compared.
func (r *collect) mismatch(res *Payment) string {
	p := r.payment
	switch {
	case res == nil:
		return "empty answer"
	case res.RequestID != "" && res.RequestID != p.RequestID:
		return "answer names another request id"
	case res.ID != "" && p.ID != "" && res.ID != p.ID && !r.confirmsOtherID(res):
		return "answer names another payment id"
	case res.Amount.Amount < 0:
		return "answer has a negative amount"
	case res.Amount != (Money{}) && res.Amount != p.Amount:
		if res.RequestID == p.RequestID {
			// The acquirer holds another payment under our request id.
			r.reused = true
		}
		return "answer has another amount or currency"
	case !res.Status.known():
		return "answer has a status that is not a payment status"
	}
	return ""
}

// confirmsOtherID reports whether res, which names another payment id
// than the one held, should replace it. The id held came from an answer
// too, and that answer may have been the one about another payment; so a
// new id is taken when two answers in a row name it, each with the sale's
// request id and amount. Answers about other payments name ids of their
// own, which do not agree.
func (r *collect) confirmsOtherID(res *Payment) bool {
	p := r.payment
	if res.RequestID != p.RequestID || res.Amount != (Money{}) && res.Amount != p.Amount {
		r.otherID = ""
		return false
	}
	if res.ID == r.otherID {
		r.otherID = ""
		return true
	}
	r.otherID = res.ID
	return false
}

// anomaly logs an answer that cannot be about this sale. It names the
// mismatch, never the values, which may be another customer's.
func (r *collect) anomaly(ctx context.Context, call, why string) {
	if r.obs != nil {
		r.obs.Anomaly(ctx, CallKind(call), why)
	}
	if r.c.logger == nil {
		return
	}
	r.c.logger.LogAttrs(ctx, slog.LevelWarn, "instore: untrustworthy answer ignored",
		slog.String("step", "anomaly"),
		slog.String("call", call),
		slog.String("reason", why),
		slog.String("request_id", r.payment.RequestID),
		slog.String("acquirer", r.payment.Acquirer),
	)
}

// snapshot is a copy for the acquirer, which must not hold on to ours.
func (r *collect) snapshot() *Payment {
	p := *r.payment
	return &p
}

func (r *collect) step(ctx context.Context, s Step, attempt int) {
	c := r.c
	if c.progress == nil && r.progress == nil && c.logger == nil && r.obs == nil {
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
	if r.progress != nil {
		r.progress(pr)
	}
	if r.obs != nil {
		r.obs.Step(ctx, pr)
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
