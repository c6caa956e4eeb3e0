package instore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors of a merchant-presented payment, matched with errors.Is.
var (
	// ErrNotPresented: Present asked the acquirer for a payment but has no
	// code to show, and no money was taken. The error is a *PresentError
	// carrying the payment as it ended (failed or cancelled).
	ErrNotPresented = errors.New("instore: payment not presented")
	// ErrNoQRImage: the presentment has no QR image to fetch (the acquirer
	// gave the code's content instead), or its acquirer cannot fetch one.
	ErrNoQRImage = errors.New("instore: no QR image to fetch")
)

// StepPresented is the step of a Present whose code is ready to show: the
// till displays it, the customer opens the wallet app and scans it.
const StepPresented Step = "presented"

// PresentRequest is one merchant-presented sale ("C scans B"): the till
// shows a QR code for the amount and the customer scans it with a wallet
// app.
type PresentRequest struct {
	// Wallet is the wallet family the customer pays with, which picks the
	// route: WalletAlipay for Alipay and the Alipay+ partner wallets,
	// WalletWeChatPay for WeChat Pay. Required.
	Wallet Wallet
	Amount Money
	// RequestID identifies the sale, as in CollectRequest; Present generates
	// one when it is empty.
	RequestID   string
	Description string
	Store       Store
	Metadata    map[string]string
	// ExpiresAt asks the acquirer to stop accepting the code at this time;
	// zero leaves the acquirer's default (Omise: a day). Wait cancels the
	// payment at the end of its schedule whatever this says: set it to bound
	// how long the code stays payable should the till never call Wait.
	ExpiresAt time.Time
	// Progress, when set, is called at each step of this sale, in Present
	// and in the Presentment's Wait, after the Checkout's WithProgress
	// function and on the same goroutine. It must return quickly.
	Progress func(Progress) `json:"-"`
}

// QRCode is what a till shows for a merchant-presented payment. An acquirer
// gives the code's content, an image of it, or both.
type QRCode struct {
	// Content is the text the QR code encodes (Alipay+ codeValue), for a till
	// that draws the code itself. Empty when the acquirer serves only an
	// image (Omise).
	Content string
	// ImageURI is where the acquirer serves an image of the code (Omise:
	// the charge's scannable_code.image.download_uri). Fetch it with
	// Presentment.Image, which authenticates as the acquirer requires; the
	// URI alone is not enough.
	ImageURI string
	// ImageType is the image's media type as far as the acquirer tells it
	// ("image/svg+xml", "image/png"), else empty.
	ImageType string
	// ExpiresAt is when the acquirer stops accepting the code; zero when it
	// did not say.
	ExpiresAt time.Time
}

func (q *QRCode) empty() bool { return q == nil || q.Content == "" && q.ImageURI == "" }

// Presenter is an Acquirer that takes merchant-presented payments. Route a
// wallet to one with WithPresentRoute.
type Presenter interface {
	Acquirer
	// Present creates a payment for req, whose Code is zero, and returns it
	// with the code for the customer to scan. The payment is pending until
	// the customer pays; Inquire, Cancel and Refund follow it as they follow
	// a paid code. Errors follow Pay's contract: an error matching
	// ErrOutcomeUnknown means the payment may exist; any other means no
	// money can move. A payment refused by the acquirer comes back failed,
	// with a nil error.
	Present(ctx context.Context, req *PayRequest) (*Payment, *QRCode, error)
}

// QRImageFetcher is implemented by a Presenter whose QR codes are images it
// serves (Omise), to download one with the acquirer's credentials.
type QRImageFetcher interface {
	FetchQRImage(ctx context.Context, uri string) ([]byte, error)
}

// WithPresentRoute makes Present take payments for wallet w through
// presenter a as payment method m (MethodAlipayPlusMPM, MethodWeChatPayMPM,
// MethodAlipayPlusOrderCode), which selects the limits row and, for Omise,
// the source type. The merchant-presented routes are apart from the
// scanned-code ones of WithRoute; a later route for the same wallet
// replaces an earlier one.
func WithPresentRoute(w Wallet, a Presenter, m PaymentMethod) CheckoutOption {
	return func(c *Checkout) error {
		if w == "" || isNil(a) || m == "" {
			return errors.New("instore: a present route needs a wallet, a presenter and a method")
		}
		if err := c.addAcquirer(a); err != nil {
			return err
		}
		c.presentRoutes[w] = route{acquirer: a, method: m}
		return nil
	}
}

// WithPresentSchedule replaces DefaultPresentSchedule, the schedule Wait
// follows. Waits must not be negative.
func WithPresentSchedule(s Schedule) CheckoutOption {
	return func(c *Checkout) error {
		cp, err := copySchedule(s)
		if err != nil {
			return err
		}
		c.presentSchedule = cp
		return nil
	}
}

// presentScheduleOrDefault is the schedule Wait follows.
func (c *Checkout) presentScheduleOrDefault() Schedule {
	if c.presentSchedule != nil {
		return *c.presentSchedule
	}
	return DefaultPresentSchedule()
}

// DefaultPresentSchedule is how long Wait gives a customer to open the app,
// scan and confirm: an inquiry every 3 s for 2 minutes (40 inquiries; a
// webhook passed to Notify ends a wait early), then a cancel retried after
// 2, 3, 3, 5 and 5 s, as for a scanned code.
func DefaultPresentSchedule() Schedule {
	const every, window = 3 * time.Second, 2 * time.Minute
	inquiry := make([]time.Duration, window/every)
	for i := range inquiry {
		inquiry[i] = every
	}
	return Schedule{Inquiry: inquiry, Cancel: DefaultSchedule().Cancel}
}

// PresentError is the error Present returns when it asked the acquirer for
// a payment but has no code to show: the acquirer refused the payment, or
// gave no trustworthy answer (or no code) and the payment was then
// cancelled. No money was taken. It matches ErrNotPresented.
type PresentError struct {
	// Payment is the payment as it ended: failed or cancelled.
	Payment *Payment
	// Err is the acquirer's refusal, or what went wrong before the cancel;
	// nil for a plain decline.
	Err error
}

func (e *PresentError) Error() string {
	msg := "instore: payment " + e.Payment.RequestID + " not presented: " + string(e.Payment.Status)
	if e.Payment.FailureCode != "" {
		msg += " (" + e.Payment.FailureCode + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrNotPresented) true.
func (e *PresentError) Is(target error) bool { return target == ErrNotPresented }

// Unwrap returns Err.
func (e *PresentError) Unwrap() error { return e.Err }

// Presentment is a merchant-presented payment waiting for the customer: the
// code to show and the payment it pays. Call Wait for every Presentment:
// until Wait returns, the Checkout holds its RequestID (another Present or
// Collect with it gets ErrRequestInProgress) and the payment stays payable
// at the acquirer.
type Presentment struct {
	// Payment is the payment as created: its RequestID, the acquirer's ID,
	// pending. It is a copy; Wait returns the final one.
	Payment *Payment
	// QR is what to show.
	QR QRCode

	run   *collect
	fetch QRImageFetcher // nil when the acquirer serves no images

	mu     sync.Mutex
	waited bool
	done   chan struct{}
	result *Payment
	err    error
}

// Image downloads the QR code's image (QR.ImageURI) with the acquirer's
// credentials, for a till that shows the acquirer's picture rather than
// drawing QR.Content. Without an image it returns ErrNoQRImage.
func (p *Presentment) Image(ctx context.Context) ([]byte, error) {
	if p == nil || p.QR.ImageURI == "" {
		return nil, fmt.Errorf("%w: the acquirer gave no image", ErrNoQRImage)
	}
	if p.fetch == nil {
		return nil, fmt.Errorf("%w: the acquirer cannot fetch images", ErrNoQRImage)
	}
	return p.fetch.FetchQRImage(ctx, p.QR.ImageURI)
}

// Wait follows the payment to a final state while the customer scans and
// pays, by the rules of Collect: it inquires on the present schedule
// (DefaultPresentSchedule unless WithPresentSchedule), and Notify wakes it
// early. When the schedule ends, or when ctx ends (the cashier gave up),
// the payment is cancelled (Omise: expired) with a context of Wait's own,
// and Wait reports what the acquirer said: cancelled, or succeeded if the
// customer paid first and the acquirer says the payment can no longer be
// cancelled. A cancel never confirmed ends in an *UnresolvedError matching
// ErrPaymentUnresolved, with the payment.
//
// The returned payment is final when the error is nil. Wait follows the
// payment once: a second call, concurrent or later, waits for the first to
// finish (or for its own ctx to end) and returns the same answer, a copy of
// the payment, without asking the acquirer again. Only the first call's
// ctx stands for the cashier: its ending cancels the payment. A later
// call's ctx ending only ends that call's wait, with ctx's error and no
// payment, and changes nothing at the acquirer; so a server may follow the
// payment in a goroutine of its own and let each request from the till
// wait on the same Presentment with the request's context.
func (p *Presentment) Wait(ctx context.Context) (*Payment, error) {
	if p == nil || p.run == nil {
		return nil, fmt.Errorf("%w: the presentment was not made by Checkout.Present", ErrInvalidRequest)
	}
	p.mu.Lock()
	if p.waited {
		p.mu.Unlock()
		select {
		case <-p.done:
			out := *p.result
			return &out, p.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	p.waited = true
	p.mu.Unlock()

	r := p.run
	ctx, r.obs = r.c.observe(ctx, OpWait, r.sale.info())
	res, err := r.payment, error(nil)
	if !res.Status.Final() {
		res, err = r.follow(ctx, time.Now())
	}
	res, err = r.ended(ctx, res, err)
	r.c.unregister(r.w)
	// Later callers get copies of a copy, never the first caller's payment.
	kept := *res
	p.result, p.err = &kept, err
	close(p.done)
	return res, err
}

// Present starts a merchant-presented payment and returns the code for the
// till to show:
//
//  1. It checks the RequestID (or fills it in), picks the route for
//     req.Wallet (WithPresentRoute) and checks the amount against the
//     limits, in that order, so that a request gets the first of its
//     faults. Input it refuses never reaches an acquirer.
//  2. It creates the payment, waiting at most the pay timeout, and returns
//     a Presentment with its QR code; show it, then call Wait.
//
// A request that the acquirer's adapter refuses before sending (a sale
// without the store or terminal the acquirer needs) is an error matching
// ErrInvalidRequest and ErrInvalidParams, with no payment, as in step 1.
// When the acquirer refuses the payment, Present returns a *PresentError
// (ErrNotPresented) with the failed payment. When it gives no trustworthy
// answer, or no code to show, the payment may exist but nobody can have
// seen its code: Present cancels it as Wait would, with a context of its
// own, and returns a *PresentError with the cancelled payment, or an
// *UnresolvedError if the cancel was never confirmed.
func (c *Checkout) Present(ctx context.Context, req *PresentRequest) (*Presentment, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: nil present request", ErrInvalidRequest)
	}
	// The request id first, as in Collect.
	requestID := req.RequestID
	if requestID == "" {
		requestID = NewRequestID()
	} else if err := validRequestID(requestID); err != nil {
		return nil, err
	}
	rt, ok := c.presentRoutes[req.Wallet]
	if !ok {
		return nil, fmt.Errorf("%w: no merchant-presented route for wallet %q", ErrNoRoute, req.Wallet)
	}
	if err := c.limits.Check(rt.method, req.Amount); err != nil {
		return nil, err
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(time.Now()) {
		return nil, fmt.Errorf("%w: expiry time is not in the future", ErrInvalidRequest)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, err := c.register(requestID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	sale := &Sale{
		RequestID:  requestID,
		Kind:       SalePresent,
		Acquirer:   rt.acquirer.Name(),
		Method:     rt.method,
		Wallet:     req.Wallet,
		Amount:     req.Amount,
		Store:      req.Store,
		State:      SaleRecorded,
		CreatedAt:  now,
		UpdatedAt:  now,
		Owner:      c.owner,
		LeaseUntil: now.Add(c.lease),
	}
	ctx, obs := c.observe(ctx, OpPresent, sale.info())
	p, err := c.present(ctx, rt, w, sale, saleWatch{obs, req.Progress}, &PayRequest{
		RequestID:   requestID,
		Amount:      req.Amount,
		Method:      rt.method,
		Description: req.Description,
		Store:       req.Store,
		Metadata:    req.Metadata,
		ExpiresAt:   req.ExpiresAt,
	})
	if p == nil || p.Payment.Status.Final() {
		// Nothing left for Wait to follow: let the request id go.
		c.unregister(w)
	}
	if obs != nil {
		// The observer is told of the payment whichever way Present hands
		// it over: in the Presentment, or in a *PresentError.
		var pay *Payment
		var pe *PresentError
		switch {
		case p != nil:
			pay = p.Payment
		case errors.As(err, &pe):
			pay = pe.Payment
		}
		obs.End(ctx, pay, err)
	}
	return p, err
}

// present records the sale ahead of its create and makes it, or answers
// from the journal for a request id it holds already.
func (c *Checkout) present(ctx context.Context, rt route, w *waiter, sale *Sale, watch saleWatch, req *PayRequest) (*Presentment, error) {
	schedule := c.presentScheduleOrDefault()
	newRun := func(s *Sale) *collect {
		r := c.newRun(rt.acquirer, schedule, w, s)
		r.obs, r.progress = watch.obs, watch.progress
		return r
	}
	switch err := c.journal.Record(ctx, sale); {
	case errors.Is(err, ErrSaleExists):
		s, how, err := c.reopen(ctx, sale)
		if err != nil {
			return nil, err
		}
		r := newRun(s)
		switch how {
		case reopenDone:
			return r.presentedOutcome(r.payment, nil)
		case reopenResume:
			// The code went with the process that showed it; the customer
			// may have paid meanwhile. Follow what is left, then cancel.
			return r.presentedOutcome(r.resume(ctx))
		}
		return r.present(ctx, rt.acquirer.(Presenter), req)
	case err != nil:
		return nil, fmt.Errorf("instore: journal: recording the sale: %w", err)
	}
	return newRun(sale).present(ctx, rt.acquirer.(Presenter), req)
}

// saleWatch is who watches a sale's steps besides the Checkout's own
// WithProgress: its observer and the request's Progress.
type saleWatch struct {
	obs      SaleObserver
	progress func(Progress)
}

// presentedOutcome is what Present returns for a sale it did not show a
// code for: the payment the customer completed, as a Presentment whose
// Wait returns it; a *PresentError for one that ended otherwise.
func (r *collect) presentedOutcome(p *Payment, err error) (*Presentment, error) {
	switch {
	case err != nil:
		return nil, err
	case p.Status == StatusSucceeded:
		return r.presentment(nil), nil
	}
	return nil, &PresentError{Payment: r.snapshot()}
}

// present is Present's step 2 and what follows from its answer.
func (r *collect) present(ctx context.Context, a Presenter, req *PayRequest) (*Presentment, error) {
	r.step(ctx, StepPaying, 0)
	payCtx, cancel := context.WithTimeout(ctx, r.c.payTimeout)
	r.sentAt = time.Now()
	payCtx, done := r.startCall(payCtx, CallPresent, 1)
	res, qr, err := a.Present(payCtx, req)
	done(res, err)
	cancel()
	var cause error
	switch {
	case err == nil && !r.accept(ctx, res, "present"):
		cause = errUntrustedAnswer
	case err == nil:
		switch st := r.payment.Status; {
		case st == StatusSucceeded:
			// Paid before anyone saw the code: not expected, but money
			// taken is reported, never cancelled behind the cashier's back.
			_, _ = r.final(ctx)
			return r.presentment(qr), nil
		case st.Final():
			_, _ = r.final(ctx)
			return nil, &PresentError{Payment: r.snapshot()}
		case !qr.empty():
			_ = r.record(ctx, SalePending)
			r.step(ctx, StepPresented, 0)
			return r.presentment(qr), nil
		}
		cause = errors.New("instore: the acquirer gave no code to show")
	case errors.Is(err, ErrOutcomeUnknown):
		// The payment may exist. The error's chain is cut, so that it does
		// not match ErrOutcomeUnknown once the cancel has settled that.
		cause = errors.New("instore: no trustworthy answer to the create: " + err.Error())
	default:
		// Refused (a request id held for another sale included): nothing
		// to cancel, and nothing may be cancelled on this sale's behalf.
		r.payment.Status = StatusFailed
		r.payment.FailureCode, r.payment.FailureMessage = FailureRefused, refusalMessage(err)
		_ = r.record(ctx, SaleFailed)
		r.step(ctx, StepFinal, 0)
		if errors.Is(err, ErrInvalidParams) {
			// Refused before sending: the request is at fault, as in
			// step 1; no payment was asked for.
			return nil, err
		}
		return nil, &PresentError{Payment: r.snapshot(), Err: err}
	}
	p, err := r.cancel(ctx)
	switch {
	case err != nil:
		return nil, err
	case p.Status == StatusSucceeded:
		return r.presentment(qr), nil
	}
	return nil, &PresentError{Payment: r.snapshot(), Err: cause}
}

func (r *collect) presentment(qr *QRCode) *Presentment {
	p := &Presentment{Payment: r.snapshot(), run: r, done: make(chan struct{})}
	if qr != nil {
		p.QR = *qr
	}
	p.fetch, _ = r.acq.(QRImageFetcher)
	return p
}
