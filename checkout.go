package instore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Errors from a Checkout. Each is matched with errors.Is.
var (
	// ErrPaymentUnresolved: Collect (or Present and Presentment.Wait) could
	// neither confirm nor cancel the payment. The error is an *UnresolvedError carrying the payment; the
	// POS should show "check later" and reconcile it by its RequestID.
	ErrPaymentUnresolved = errors.New("instore: payment unresolved: neither confirmed nor cancelled")
	// ErrNoRoute: no acquirer is configured for the code's wallet, or for
	// the acquirer a payment names.
	ErrNoRoute = errors.New("instore: no route for this payment")
	// ErrRequestInProgress: a Collect with the same RequestID is already
	// running in this Checkout, or a Present whose Wait has not returned.
	ErrRequestInProgress = errors.New("instore: a payment with this request id is in progress")
)

// UnresolvedError is the error Collect returns when a payment could neither
// be confirmed nor cancelled. It matches ErrPaymentUnresolved.
type UnresolvedError struct {
	// Payment is the payment as last known, with its RequestID (and ID, when
	// the acquirer ever gave one) for reconciliation.
	Payment *Payment
	// Err is the last error seen while cancelling, if any.
	Err error
}

func (e *UnresolvedError) Error() string {
	msg := "instore: payment " + e.Payment.RequestID + " unresolved: neither confirmed nor cancelled"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrPaymentUnresolved) true.
func (e *UnresolvedError) Is(target error) bool { return target == ErrPaymentUnresolved }

// Unwrap returns the last cancel error.
func (e *UnresolvedError) Unwrap() error { return e.Err }

// Schedule is when Collect inquires about a payment whose outcome is not
// final, and how it retries the cancel that follows.
type Schedule struct {
	// Inquiry is the wait before each inquiry; its length is the number of
	// inquiries.
	Inquiry []time.Duration
	// Cancel is the wait before each retry of the cancel; the first cancel
	// is sent as soon as the inquiries are exhausted.
	Cancel []time.Duration
}

// DefaultSchedule is Antom's reference schedule for in-store payments: nine
// inquiries after 2, 3, 3, 5, 5, 5, 5, 5 and 5 s (about 38 s), then a cancel
// retried after 2, 3, 3, 5 and 5 s.
func DefaultSchedule() Schedule {
	s := time.Second
	return Schedule{
		Inquiry: []time.Duration{2 * s, 3 * s, 3 * s, 5 * s, 5 * s, 5 * s, 5 * s, 5 * s, 5 * s},
		Cancel:  []time.Duration{2 * s, 3 * s, 3 * s, 5 * s, 5 * s},
	}
}

// Scheduler is implemented by an acquirer that needs its own schedule (PPRO
// polls at least 5 s apart). A schedule given with WithSchedule wins.
type Scheduler interface {
	Schedule() Schedule
}

// Timeouts used when no option sets them.
const (
	// DefaultPayTimeout bounds the pay call, retries included. A pay that
	// has not answered by then is inquired about, not failed.
	DefaultPayTimeout = 5 * time.Second
	// DefaultCallTimeout bounds each inquiry and each cancel.
	DefaultCallTimeout = 5 * time.Second
)

type route struct {
	acquirer Acquirer
	method   PaymentMethod
}

// Checkout turns a scanned payment code and an amount into a final answer:
// it classifies the code, routes it to an acquirer, checks the limits, pays,
// inquires and cancels as the acquirer's rules require. Present does the same
// for a QR code the customer scans. It is safe for
// concurrent use; its configuration is fixed by NewCheckout.
type Checkout struct {
	routes    map[Wallet]route
	acquirers map[string]Acquirer
	limits    *Limits
	schedule  *Schedule
	// presentRoutes and presentSchedule serve Present (present.go).
	presentRoutes   map[Wallet]route
	presentSchedule *Schedule
	payTimeout      time.Duration
	callTimeout     time.Duration
	progress        func(Progress)
	logger          *slog.Logger

	mu      sync.Mutex
	waiting map[string]*waiter // by RequestID and by acquirer payment id
}

// waiter is a running Collect that a notification can wake.
type waiter struct {
	requestID string
	wake      chan struct{}
}

// CheckoutOption configures a Checkout.
type CheckoutOption func(*Checkout) error

// WithRoute sends codes of wallet w to acquirer a as payment method m. The
// method selects the limits row and, for Omise, the source type. A later
// route for the same wallet replaces an earlier one.
func WithRoute(w Wallet, a Acquirer, m PaymentMethod) CheckoutOption {
	return func(c *Checkout) error {
		if w == "" || a == nil || m == "" {
			return errors.New("instore: a route needs a wallet, an acquirer and a method")
		}
		if err := c.addAcquirer(a); err != nil {
			return err
		}
		c.routes[w] = route{acquirer: a, method: m}
		return nil
	}
}

// addAcquirer makes a known by its name, for Refund.
func (c *Checkout) addAcquirer(a Acquirer) error {
	name := a.Name()
	if name == "" {
		return errors.New("instore: an acquirer must have a name")
	}
	if other, ok := c.acquirers[name]; ok && other != a {
		return fmt.Errorf("instore: two different acquirers are named %q", name)
	}
	c.acquirers[name] = a
	return nil
}

// WithLimits replaces DefaultLimits as the table amounts are checked against.
func WithLimits(l *Limits) CheckoutOption {
	return func(c *Checkout) error {
		if l == nil {
			return errors.New("instore: nil limits")
		}
		c.limits = l
		return nil
	}
}

// WithSchedule replaces the inquiry and cancel schedule for every route.
// Waits must not be negative; an empty Inquiry means cancelling at once
// when the pay's outcome is not final.
func WithSchedule(s Schedule) CheckoutOption {
	return func(c *Checkout) error {
		cp, err := copySchedule(s)
		if err != nil {
			return err
		}
		c.schedule = cp
		return nil
	}
}

// copySchedule checks s and returns a copy the caller cannot change.
func copySchedule(s Schedule) (*Schedule, error) {
	for _, d := range append(append([]time.Duration(nil), s.Inquiry...), s.Cancel...) {
		if d < 0 {
			return nil, errors.New("instore: schedule waits must not be negative")
		}
	}
	s.Inquiry = append([]time.Duration(nil), s.Inquiry...)
	s.Cancel = append([]time.Duration(nil), s.Cancel...)
	return &s, nil
}

// WithPayTimeout sets how long Collect waits for the pay call before it
// starts inquiring (default DefaultPayTimeout).
func WithPayTimeout(d time.Duration) CheckoutOption {
	return func(c *Checkout) error {
		if d <= 0 {
			return errors.New("instore: pay timeout must be positive")
		}
		c.payTimeout = d
		return nil
	}
}

// WithCallTimeout bounds each inquiry and each cancel (default
// DefaultCallTimeout).
func WithCallTimeout(d time.Duration) CheckoutOption {
	return func(c *Checkout) error {
		if d <= 0 {
			return errors.New("instore: call timeout must be positive")
		}
		c.callTimeout = d
		return nil
	}
}

// WithProgress calls fn at each step of a Collect, on the Collect's
// goroutine, so a POS can show "waiting for the customer to confirm". fn
// must return quickly.
func WithProgress(fn func(Progress)) CheckoutOption {
	return func(c *Checkout) error {
		c.progress = fn
		return nil
	}
}

// WithCheckoutLogger logs each step of a Collect (keys step, request_id,
// acquirer, attempt, status). Payment codes are never logged.
func WithCheckoutLogger(l *slog.Logger) CheckoutOption {
	return func(c *Checkout) error {
		c.logger = l
		return nil
	}
}

// NewCheckout returns a Checkout with the given routes and settings. At
// least one route (WithRoute or WithPresentRoute) is required.
func NewCheckout(opts ...CheckoutOption) (*Checkout, error) {
	c := &Checkout{
		routes:        make(map[Wallet]route),
		acquirers:     make(map[string]Acquirer),
		limits:        DefaultLimits,
		payTimeout:    DefaultPayTimeout,
		callTimeout:   DefaultCallTimeout,
		waiting:       make(map[string]*waiter),
		presentRoutes: make(map[Wallet]route),
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if len(c.routes) == 0 && len(c.presentRoutes) == 0 {
		return nil, errors.New("instore: a checkout needs at least one route")
	}
	return c, nil
}

// CollectRequest is one sale: the scanned code and the amount.
type CollectRequest struct {
	// Code is the payment code as scanned; spaces, dashes and line breaks
	// are ignored.
	Code   string
	Amount Money
	// RequestID identifies the sale; it must be unique per sale, at most 64
	// characters from [A-Za-z0-9._-]. Collect generates one (32 hex
	// characters) when it is empty.
	RequestID   string
	Description string
	Store       Store
	Metadata    map[string]string
}

// Collect takes one payment and follows it to a final state:
//
//  1. It classifies the code, picks the route for its wallet, checks the
//     amount against the limits and fills in the RequestID. Input it refuses
//     never reaches an acquirer.
//  2. It pays, waiting at most the pay timeout. A success or a decline is
//     the answer.
//  3. An outcome that is not final (pending, unknown, a timeout, an
//     untrustworthy answer) is inquired about on the schedule; a payment the
//     acquirer does not know yet is inquired about again. Notify wakes the
//     wait early.
//  4. Still not final: the payment is cancelled, the cancel retried on the
//     schedule. From then on only the acquirer's answer to the cancel can
//     make the payment succeeded.
//  5. Cancel never confirmed: the payment is returned with an
//     *UnresolvedError matching ErrPaymentUnresolved.
//
// The returned payment is final when the error is nil. When the error is
// not ErrPaymentUnresolved, no money was taken: the request was refused
// before sending (the payment is then nil) or by the acquirer (the payment
// is returned as failed beside the error).
//
// ctx is the cashier: if it ends after the pay was sent, Collect cancels
// the payment with a context of its own, bounded by the cancel schedule,
// and reports what the acquirer said.
func (c *Checkout) Collect(ctx context.Context, req *CollectRequest) (*Payment, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: nil collect request", ErrInvalidRequest)
	}
	code, err := ClassifyPaymentCode(req.Code)
	if err != nil {
		return nil, err
	}
	rt, ok := c.routes[code.Wallet]
	if !ok {
		return nil, fmt.Errorf("%w: wallet %s", ErrNoRoute, code.Wallet)
	}
	if err := c.limits.Check(rt.method, req.Amount); err != nil {
		return nil, err
	}
	requestID := req.RequestID
	if requestID == "" {
		requestID = newRequestID()
	} else if err := validRequestID(requestID); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, err := c.register(requestID)
	if err != nil {
		return nil, err
	}
	defer c.unregister(w)

	run := &collect{
		c:        c,
		acq:      rt.acquirer,
		schedule: c.scheduleFor(rt.acquirer),
		w:        w,
		start:    time.Now(),
		payment: &Payment{
			Acquirer:  rt.acquirer.Name(),
			RequestID: requestID,
			Status:    StatusUnknown,
			Amount:    req.Amount,
			Wallet:    code.Wallet,
			Method:    rt.method,
			// The acquirer's own time replaces this once it answers; until
			// then it bounds the search for a payment whose pay was lost.
			CreatedAt: time.Now(),
		},
	}
	run.step(ctx, StepClassified, 0)
	return run.do(ctx, &PayRequest{
		RequestID:   requestID,
		Code:        code,
		Amount:      req.Amount,
		Method:      rt.method,
		Description: req.Description,
		Store:       req.Store,
		Metadata:    req.Metadata,
	})
}

func (c *Checkout) scheduleFor(a Acquirer) Schedule {
	if c.schedule != nil {
		return *c.schedule
	}
	if s, ok := a.(Scheduler); ok {
		return s.Schedule()
	}
	return DefaultSchedule()
}

// Notify tells a running Collect that a webhook or notification arrived
// for its payment: id is the RequestID or the acquirer's payment id. The
// Collect then inquires at once instead of waiting for its next turn; it
// never takes status as the outcome, which comes from the acquirer's own
// answer. Notify reports whether a running Collect was woken. After a
// cancel was sent, notifications change nothing.
func (c *Checkout) Notify(id string, status PaymentStatus) bool {
	_ = status // the hint is not trusted; the inquiry it triggers is
	c.mu.Lock()
	w := c.waiting[id]
	c.mu.Unlock()
	if w == nil {
		return false
	}
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	return true
}

func (c *Checkout) register(requestID string) (*waiter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, busy := c.waiting[requestID]; busy {
		return nil, ErrRequestInProgress
	}
	w := &waiter{requestID: requestID, wake: make(chan struct{}, 1)}
	c.waiting[requestID] = w
	return w, nil
}

// alias makes a notification by the acquirer's payment id find w too.
func (c *Checkout) alias(w *waiter, id string) {
	if id == "" || id == w.requestID {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.waiting[id]; !taken {
		c.waiting[id] = w
	}
}

func (c *Checkout) unregister(w *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, v := range c.waiting {
		if v == w {
			delete(c.waiting, id)
		}
	}
}

// Refund returns amount of a succeeded payment to the customer through the
// acquirer that took it, with a newly generated refund request id. A
// partial refund is an amount below the payment's. The answer is the
// refund as a Payment (its ID, request id, amount and status).
func (c *Checkout) Refund(ctx context.Context, p *Payment, amount Money) (*Payment, error) {
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
	return acq.Refund(ctx, p, amount, newRequestID())
}

// newRequestID returns 32 random hex characters.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// validRequestID accepts what every acquirer can carry as a request id.
func validRequestID(id string) error {
	if len(id) > 64 {
		return fmt.Errorf("%w: request id longer than 64 characters", ErrInvalidRequest)
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-'
		if !ok {
			return fmt.Errorf("%w: request id may hold only letters, digits, '.', '_' and '-'", ErrInvalidRequest)
		}
	}
	return nil
}
