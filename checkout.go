package instore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strconv"
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
	// ErrRequestIDReused: the request id (or refund request id) belongs to
	// another sale (or refund): another amount, currency or wallet, at the
	// acquirer or in the journal. The new request is refused, and nothing
	// is inquired, cancelled or refunded on its behalf.
	ErrRequestIDReused = errors.New("instore: request id already used for another payment")
	// ErrPaymentNotFound: the acquirer has no payment under the request id.
	// Unless the acquirer promises otherwise, that proves nothing while a
	// pay sent earlier may still land; see WithArrivalHorizon.
	ErrPaymentNotFound = errors.New("instore: the acquirer has no such payment")
)

// PaymentNotFoundError is the error an Acquirer's Cancel returns when the
// acquirer has no payment to cancel under the request id. It matches
// ErrPaymentNotFound.
type PaymentNotFoundError struct {
	// Code and Message are the acquirer's own words (Omise
	// charge_not_found, Alipay+ ORDER_NOT_EXIST, PPRO TX_NOT_FOUND).
	Code, Message string
}

func (e *PaymentNotFoundError) Error() string {
	return "instore: the acquirer has no such payment (" + e.Code + ")"
}

// Is makes errors.Is(err, ErrPaymentNotFound) true.
func (e *PaymentNotFoundError) Is(target error) bool { return target == ErrPaymentNotFound }

// Causes of an unresolved sale that no acquirer reported.
var (
	errUntrustedAnswer = errors.New("instore: the acquirer's answer was about another payment")
	errReusedNoCancel  = errors.New("instore: the acquirer holds another payment under this request id; no cancel was sent")
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
	// MinInterval is the shortest time between an inquiry and one that a
	// notification (Checkout.Notify) brings forward; zero means
	// DefaultMinInterval. Notifications never shorten the inquiry window.
	MinInterval time.Duration
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

// WorstCase is the longest a Collect on schedule s can take, however the
// acquirer answers or fails to: the pay timeout, then the inquiry window
// (its waits and one call timeout, since every inquiry ends within it),
// then the cancel budget (its waits and one call timeout). With the
// defaults it is 5 + 38 + 5 + 18 + 5 = 71 s. A Wait takes the same less
// the pay timeout.
func (s Schedule) WorstCase(payTimeout, callTimeout time.Duration) time.Duration {
	d := payTimeout + 2*callTimeout
	for _, w := range s.Inquiry {
		d += w
	}
	for _, w := range s.Cancel {
		d += w
	}
	return d
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
	// DefaultArrivalHorizon is how long after a pay (or a refund) was sent
	// the Checkout assumes it can still land at the acquirer: a request held
	// in a proxy's queue, or retransmitted by a kernel, arrives within
	// minutes or never. Only after it has passed is "no such payment" from
	// an acquirer that does not close request ids (Omise, PPRO) taken as
	// proof that none was made.
	DefaultArrivalHorizon = 10 * time.Minute
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
	horizon         time.Duration
	progress        func(Progress)
	logger          *slog.Logger
	// journal records every sale ahead of each step (journal.go); owner
	// names this process in it, and lease is how long a sale it works on
	// stays its own without a write.
	journal Journal
	owner   string
	lease   time.Duration
	// observer, when set, is told of every sale (observer.go).
	observer Observer

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
		if w == "" || isNil(a) || m == "" {
			return errors.New("instore: a route needs a wallet, an acquirer and a method")
		}
		if err := c.addAcquirer(a); err != nil {
			return err
		}
		c.routes[w] = route{acquirer: a, method: m}
		return nil
	}
}

// WithAcquirer makes a known to the Checkout by its name, without routing
// any wallet to it: a Checkout that only recovers, looks up and refunds
// sales (the instore command's) needs the acquirers its journal's sales
// went to, not routes.
func WithAcquirer(a Acquirer) CheckoutOption {
	return func(c *Checkout) error {
		if isNil(a) {
			return errors.New("instore: nil acquirer")
		}
		return c.addAcquirer(a)
	}
}

// addAcquirer makes a known by its name, for Refund, Lookup and Recover.
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

// WithArrivalHorizon sets how long after a pay or a refund was sent it may
// still land at the acquirer (default DefaultArrivalHorizon). Until then,
// an acquirer's "no such payment" or "no such refund" proves nothing, and
// a sale that cannot be found is left unresolved rather than reported
// cancelled; set it to what your network and acquirer can promise.
func WithArrivalHorizon(d time.Duration) CheckoutOption {
	return func(c *Checkout) error {
		if d <= 0 {
			return errors.New("instore: arrival horizon must be positive")
		}
		c.horizon = d
		return nil
	}
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

// DefaultLease is how long a sale stays owned by the process working on
// it without a write: past it, a Collect retried elsewhere or a Recover
// presumes the process dead and takes the sale over. A running sale renews
// it at every step and whenever half of it is left.
const DefaultLease = 2 * time.Minute

// WithJournal makes the Checkout record every sale and refund in j before
// each step, so that a sale outlives the process that took it: Collect with
// a request id j holds returns or resumes that sale instead of paying
// again, and Recover resolves the sales a dead process left. Without it a
// Checkout keeps a MemoryJournal (NewMemoryJournal's default bounds), which
// gives the same guarantees for the life of the process only. If j has
// Owner() string and Lease() time.Duration methods (package journal's
// Store has), they name this process and set its leases; otherwise the
// owner is the host name and process id, and the lease DefaultLease.
func WithJournal(j Journal) CheckoutOption {
	return func(c *Checkout) error {
		if isNil(j) {
			return errors.New("instore: nil journal")
		}
		c.journal = j
		return nil
	}
}

// NewCheckout returns a Checkout with the given routes and settings. At
// least one acquirer is required: routed (WithRoute, WithPresentRoute) for
// a Checkout that takes sales, or only named (WithAcquirer) for one that
// looks up, refunds and recovers them. Its errors match ErrInvalidConfig.
func NewCheckout(opts ...CheckoutOption) (*Checkout, error) {
	c := &Checkout{
		routes:        make(map[Wallet]route),
		acquirers:     make(map[string]Acquirer),
		limits:        DefaultLimits,
		payTimeout:    DefaultPayTimeout,
		callTimeout:   DefaultCallTimeout,
		horizon:       DefaultArrivalHorizon,
		waiting:       make(map[string]*waiter),
		presentRoutes: make(map[Wallet]route),
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, asConfigError(err)
		}
	}
	if len(c.acquirers) == 0 {
		return nil, configError("a checkout needs at least one acquirer")
	}
	c.setJournal()
	return c, nil
}

// setJournal fills in the journal, the owner and the lease.
func (c *Checkout) setJournal() {
	if c.journal == nil {
		c.journal = NewMemoryJournal(0, 0)
	}
	c.owner, c.lease = defaultOwner(), DefaultLease
	if o, ok := c.journal.(interface{ Owner() string }); ok && o.Owner() != "" {
		c.owner = o.Owner()
	}
	if l, ok := c.journal.(interface{ Lease() time.Duration }); ok && l.Lease() > 0 {
		c.lease = l.Lease()
	}
	if o, ok := c.observer.(JournalObserver); ok {
		o.ObserveJournal(c.journal)
	}
}

// defaultOwner names this process in a journal: host name, process id and
// a random suffix, so that a restarted process with a recycled pid is
// another owner.
func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + NewRequestID()[:8]
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
	// Progress, when set, is called at each step of this sale, after the
	// Checkout's WithProgress function and on the same goroutine: a till
	// server reports each sale's steps to the till that asked for it. It
	// must return quickly.
	Progress func(Progress) `json:"-"`
}

// Collect takes one payment and follows it to a final state:
//
//  1. It checks the RequestID (or fills it in), classifies the code, picks
//     the route for its wallet and checks the amount against the limits, in
//     that order, so that a request gets the first of its faults. Input it
//     refuses never reaches an acquirer.
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
// The returned payment is final when the error is nil: a decline is a
// failed payment with a nil error. When the error is not
// ErrPaymentUnresolved, no money was taken: the request was refused before
// sending, by the Checkout or by the acquirer's adapter (the payment is
// then nil), or by the acquirer (the payment is returned as failed beside
// the error, FailureCode FailureRefused). The README's decision table
// lists every outcome and what a till should do.
//
// ctx is the cashier: if it ends after the pay was sent, Collect cancels
// the payment with a context of its own, bounded by the cancel schedule,
// and reports what the acquirer said.
func (c *Checkout) Collect(ctx context.Context, req *CollectRequest) (*Payment, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: nil collect request", ErrInvalidRequest)
	}
	// The request id first: a POS that sends a bad one learns that, rather
	// than whatever else is wrong with the sale.
	requestID := req.RequestID
	if requestID == "" {
		requestID = NewRequestID()
	} else if err := validRequestID(requestID); err != nil {
		return nil, err
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, err := c.register(requestID)
	if err != nil {
		return nil, err
	}
	defer c.unregister(w)

	now := time.Now()
	sale := &Sale{
		RequestID:  requestID,
		Kind:       SaleCollect,
		Acquirer:   rt.acquirer.Name(),
		Method:     rt.method,
		Wallet:     code.Wallet,
		Amount:     req.Amount,
		Store:      req.Store,
		MaskedCode: code.String(),
		State:      SaleRecorded,
		CreatedAt:  now,
		UpdatedAt:  now,
		Owner:      c.owner,
		LeaseUntil: now.Add(c.lease),
	}
	ctx, obs := c.observe(ctx, OpCollect, sale.info())
	run, how, err := c.startCollect(ctx, rt, w, sale)
	if run != nil {
		run.progress = req.Progress
	}
	var p *Payment
	switch {
	case err != nil:
	case how == reopenDone:
		p = run.payment
	case how == reopenResume:
		run.obs = obs
		p, err = run.resume(ctx)
	default:
		run.obs = obs
		run.step(ctx, StepClassified, 0)
		p, err = run.do(ctx, req.payRequest(requestID, code, rt.method))
	}
	return endObserved(ctx, obs, p, err)
}

// startCollect records the sale ahead of its pay and returns its run, to
// pay (reopenPay). For a request id the journal holds it returns the run of
// the stored sale and what to do with it (see reopen).
func (c *Checkout) startCollect(ctx context.Context, rt route, w *waiter, sale *Sale) (*collect, reopening, error) {
	how := reopenPay
	// Write-ahead: the sale is on record before its pay can leave.
	switch err := c.journal.Record(ctx, sale); {
	case errors.Is(err, ErrSaleExists):
		s, h, err := c.reopen(ctx, sale)
		if err != nil {
			return nil, 0, err
		}
		sale, how = s, h
	case err != nil:
		return nil, 0, fmt.Errorf("instore: journal: recording the sale: %w", err)
	}
	return c.newRun(rt.acquirer, c.scheduleFor(rt.acquirer), w, sale), how, nil
}

// payRequest is what Collect asks the acquirer to charge.
func (req *CollectRequest) payRequest(requestID string, code PaymentCode, m PaymentMethod) *PayRequest {
	return &PayRequest{
		RequestID:   requestID,
		Code:        code,
		Amount:      req.Amount,
		Method:      m,
		Description: req.Description,
		Store:       req.Store,
		Metadata:    req.Metadata,
	}
}

// newRun is the run of one sale, recorded as s.
func (c *Checkout) newRun(a Acquirer, schedule Schedule, w *waiter, s *Sale) *collect {
	return &collect{
		c:        c,
		acq:      a,
		schedule: schedule,
		w:        w,
		start:    time.Now(),
		payment:  s.Payment(),
		sentAt:   s.CreatedAt,
		sale:     s,
	}
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

// Notify tells a running Collect (or Wait) that a webhook or notification
// arrived for its payment: ids are the ids the notification names, the
// RequestID or the acquirer's payment id, empty ones ignored. The sale
// known by any of them then inquires at once instead of waiting for its
// next turn (at most one inquiry per Schedule.MinInterval comes from
// notifications). Notify reports whether a running sale was woken. What
// the notification says of the payment's status is never taken as the
// outcome, which comes from the acquirer's own answer, so Notify takes
// none; after a cancel was sent, notifications change nothing.
//
// Event.PaymentIDs, alipayplus.Notification.PaymentIDs and
// ppro.Notification.PaymentIDs give the ids of each acquirer's
// notification, so that a handler is one call:
//
//	checkout.Notify(e.PaymentIDs()...)
func (c *Checkout) Notify(ids ...string) bool {
	woken := false
	for _, id := range ids {
		if id == "" {
			continue
		}
		c.mu.Lock()
		w := c.waiting[id]
		c.mu.Unlock()
		if w == nil {
			continue
		}
		woken = true
		select {
		case w.wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	return woken
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

// NewRequestID returns a new random request id: 32 hex characters, what
// Collect and Present use when a request leaves RequestID empty. A POS can
// call it to book a sale under its id before collecting it.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// isNil reports whether a is nil, or a nil pointer in an interface (an
// acquirer left by an unchecked constructor error), which would otherwise
// pass a nil check and panic at the first sale.
func isNil(a any) bool {
	if a == nil {
		return true
	}
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return v.IsNil()
	}
	return false
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
