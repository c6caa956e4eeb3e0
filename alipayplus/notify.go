package alipayplus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/inflight"
	"github.com/instorepay/instore/internal/rsasig"
)

// DefaultNotifyMaxBytes caps the body NotifyHandler reads. A notification is
// one or two KiB.
const DefaultNotifyMaxBytes = 256 << 10

// Acknowledgements. The success body is the one Alipay+ and Antom document;
// anything else (any status other than S) makes the gateway send the
// notification again. Source: shared/reference/alipayplus.md §2.6.
const (
	ackSuccess        = `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`
	ackBadSignature   = `{"result":{"resultCode":"SIGNATURE_INVALID","resultStatus":"F","resultMessage":"signature verification failed"}}`
	ackBadRequest     = `{"result":{"resultCode":"PARAM_ILLEGAL","resultStatus":"F","resultMessage":"notification not readable"}}`
	ackTooLarge       = `{"result":{"resultCode":"PARAM_ILLEGAL","resultStatus":"F","resultMessage":"notification too large"}}`
	ackMethod         = `{"result":{"resultCode":"METHOD_NOT_SUPPORTED","resultStatus":"F","resultMessage":"POST only"}}`
	ackProcessFailure = `{"result":{"resultCode":"PROCESS_FAIL","resultStatus":"F","resultMessage":"notification not processed"}}`
)

// ErrNotificationMalformed reports a verified notification whose body is not
// a payment result.
var ErrNotificationMalformed = errors.New("alipayplus: malformed notification")

// Notification is a payment result the gateway posts to the merchant's
// notify URL (notifyPayment). Before acting on a success, check that
// PaymentRequestID and PaymentAmount match your own record; better still,
// confirm it with InquiryPayment. A notification that arrives after a
// Cancel was sent does not undo the cancel.
type Notification struct {
	// NotifyType is Antom's notifyType (PAYMENT_RESULT); empty for Alipay+.
	NotifyType       string
	PaymentRequestID string
	PaymentID        string
	// PaymentResult is the payment's result, S or F: Alipay+'s
	// paymentResult, Antom's result.
	PaymentResult     Result
	PaymentAmount     instore.Money
	PaymentCreateTime time.Time
	PaymentTime       time.Time
	PSPCustomerInfo   PSPCustomerInfo // Antom
	WalletBrandName   string          // Alipay+
	CustomerID        string          // Alipay+
	PSPID             string          // Alipay+
	AcquirerID        string          // Alipay+
}

// PaymentIDs returns the ids a Checkout knows the notified payment by, for
// instore.Checkout.Notify: the paymentRequestId (the sale's RequestID) and
// the gateway's paymentId. A NotifyHandler function that wakes a waiting
// sale is then one line:
//
//	checkout.Notify(n.PaymentIDs()...)
func (n *Notification) PaymentIDs() []string {
	var ids []string
	for _, id := range [...]string{n.PaymentRequestID, n.PaymentID} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

type notificationJSON struct {
	NotifyType        string              `json:"notifyType"`
	Result            *resultJSON         `json:"result"`        // Antom
	PaymentResult     *resultJSON         `json:"paymentResult"` // Alipay+
	PaymentRequestID  string              `json:"paymentRequestId"`
	PaymentID         string              `json:"paymentId"`
	PaymentAmount     respAmount          `json:"paymentAmount"`
	PaymentCreateTime string              `json:"paymentCreateTime"`
	PaymentTime       string              `json:"paymentTime"`
	PSPCustomerInfo   pspCustomerInfoJSON `json:"pspCustomerInfo"`
	WalletBrandName   string              `json:"walletBrandName"`
	CustomerID        string              `json:"customerId"`
	PSPID             string              `json:"pspId"`
	AcquirerID        string              `json:"acquirerId"`
}

// VerifyNotification checks that a notification was signed by Alipay: the
// RSA signature in its Signature header over
// "POST <request URI>\n<Client-Id>.<Request-Time>.<body>", with the Alipay
// public key, for this client's id. body is the raw request body, read by
// the caller. The request URI is the one the server received
// (r.RequestURI), which a path-stripping middleware does not change. It
// fails closed: a missing header is an error matching ErrInvalidSignature.
//
// Request-Time is not checked for age: the gateway resends a notification
// until it is acknowledged, possibly for hours, so handling the same one
// twice must be harmless anyway (key it by PaymentRequestID).
func (c *Client) VerifyNotification(r *http.Request, body []byte) error {
	return c.verifyNotification(r, body, "")
}

// ParseNotification verifies a notification like VerifyNotification and
// decodes it.
func (c *Client) ParseNotification(r *http.Request, body []byte) (*Notification, error) {
	if err := c.verifyNotification(r, body, ""); err != nil {
		return nil, err
	}
	return decodeNotification(body)
}

func (c *Client) verifyNotification(r *http.Request, body []byte, path string) error {
	if r == nil {
		return fmt.Errorf("%w: nil request", ErrInvalidSignature)
	}
	if r.Method != http.MethodPost {
		return fmt.Errorf("%w: method is not POST", ErrInvalidSignature)
	}
	clientID := r.Header.Get(rsasig.HeaderClientID)
	reqTime := r.Header.Get(rsasig.HeaderRequestTime)
	sigHeader := r.Header.Get(rsasig.HeaderSignature)
	switch {
	case sigHeader == "":
		return fmt.Errorf("%w: no Signature header", ErrInvalidSignature)
	case clientID != c.clientID:
		return fmt.Errorf("%w: Client-Id is not this client's", ErrInvalidSignature)
	case reqTime == "":
		return fmt.Errorf("%w: no Request-Time header", ErrInvalidSignature)
	}
	h, err := rsasig.ParseHeader(sigHeader)
	if err != nil {
		return fmt.Errorf("%w: malformed Signature header", ErrInvalidSignature)
	}
	if path == "" {
		path = requestURI(r)
	}
	m := rsasig.Message{Method: http.MethodPost, Path: path, ClientID: clientID, Time: reqTime}
	if rsasig.Verify(c.alipayKey, &m, body, h.Signature) != nil {
		return ErrInvalidSignature
	}
	return nil
}

// requestURI is the request target as the sender addressed it.
func requestURI(r *http.Request) string {
	switch {
	case r.RequestURI == "":
		// A request built in a program rather than received.
		if r.URL == nil {
			return "/"
		}
		return r.URL.RequestURI()
	case r.RequestURI[0] == '/':
		return r.RequestURI
	default:
		// Absolute form, as sent to a proxy.
		if u, err := url.Parse(r.RequestURI); err == nil {
			return u.RequestURI()
		}
		return r.RequestURI
	}
}

func decodeNotification(body []byte) (*Notification, error) {
	var w notificationJSON
	if err := unmarshalEnvelope(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotificationMalformed, err)
	}
	rj := w.PaymentResult
	if rj == nil {
		rj = w.Result
	}
	if rj == nil {
		return nil, fmt.Errorf("%w: no payment result", ErrNotificationMalformed)
	}
	res, err := rj.result()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotificationMalformed, err)
	}
	if w.PaymentRequestID == "" {
		return nil, fmt.Errorf("%w: no paymentRequestId", ErrNotificationMalformed)
	}
	return &Notification{
		NotifyType:        w.NotifyType,
		PaymentRequestID:  w.PaymentRequestID,
		PaymentID:         w.PaymentID,
		PaymentResult:     res,
		PaymentAmount:     w.PaymentAmount.money(),
		PaymentCreateTime: parseTime(w.PaymentCreateTime),
		PaymentTime:       parseTime(w.PaymentTime),
		PSPCustomerInfo:   w.PSPCustomerInfo.info(),
		WalletBrandName:   w.WalletBrandName,
		CustomerID:        w.CustomerID,
		PSPID:             w.PSPID,
		AcquirerID:        w.AcquirerID,
	}, nil
}

type notifyConfig struct {
	path     string
	maxBytes int64
	store    instore.DedupStore
}

// NotifyOption configures NotifyHandler.
type NotifyOption func(*notifyConfig)

// WithNotifyPath sets the path (and query, if any) the gateway signed: the
// path of the notify URL it was given. Use it when a reverse proxy rewrites
// the path before the request reaches the handler. An empty path is
// ignored.
func WithNotifyPath(path string) NotifyOption {
	return func(c *notifyConfig) {
		if path != "" {
			c.path = path
		}
	}
}

// WithNotifyMaxBytes caps the body the handler reads (default 256 KiB). A
// value below 1 is ignored.
func WithNotifyMaxBytes(n int64) NotifyOption {
	return func(c *notifyConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithNotifyDeduplication sets the store that remembers the notifications
// already handled (default: an instore.MemoryDedupStore of
// instore.DefaultDedupSize entries for instore.DefaultDedupTTL, one per
// handler, whose memory is bounded as its documentation states). Share a
// store between the instances of a service so that a redelivery to another
// instance is recognised too. Nil turns deduplication off: fn then runs for
// every verified delivery.
func WithNotifyDeduplication(store instore.DedupStore) NotifyOption {
	return func(c *notifyConfig) { c.store = store }
}

// NotifyHandler returns an http.Handler for the notify URL. It accepts only
// POST, reads at most the capped body, verifies the signature, decodes the
// notification and calls fn with the request's context. Only when fn returns
// nil does it acknowledge with the documented S result; otherwise (bad
// signature, unreadable body, fn failing or panicking, nil fn) it answers
// with an F result and a non-2xx status, so the gateway sends the
// notification again. Logs, if the client has a logger, never carry the
// body or the signature.
//
// The gateway sends a notification again until it is acknowledged, so one
// may arrive several times, even at once. The handler runs fn at most once
// at a time for one notification (the same payment request, payment and
// result), and not at all for one it has handled (it acknowledges it
// again): a notification counts as handled once fn returned nil, and is
// remembered in the dedup store (WithNotifyDeduplication). A redelivery
// that arrives while the first is being handled waits for it.
func (c *Client) NotifyHandler(fn func(context.Context, *Notification) error, opts ...NotifyOption) http.Handler {
	cfg := notifyConfig{maxBytes: DefaultNotifyMaxBytes}
	// The constants are valid, so the store is never nil here.
	cfg.store, _ = instore.NewMemoryDedupStore(instore.DefaultDedupSize, instore.DefaultDedupTTL)
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &notifyHandler{c: c, fn: fn, cfg: cfg}
}

type notifyHandler struct {
	c   *Client
	fn  func(context.Context, *Notification) error
	cfg notifyConfig
	// running holds the notifications being handled.
	running inflight.Set
}

// dedupKey names one notification: the same payment request, payment and
// result. A later, different result for the same payment is another
// notification.
func (n *Notification) dedupKey() string {
	return n.NotifyType + "|" + n.PaymentRequestID + "|" + n.PaymentID + "|" +
		string(n.PaymentResult.ResultStatus) + "|" + string(n.PaymentResult.ResultCode)
}

func (h *notifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := ""
	answered := false
	answer := func(status int, body, outcome string) {
		answered = true
		w.Header().Set(rsasig.HeaderContentType, "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		h.log(r, status, requestID, outcome, time.Since(start))
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared as net/http does
				panic(p)
			}
			// The panic value is not logged: it may hold anything.
			if !answered {
				answer(http.StatusInternalServerError, ackProcessFailure, "panic")
			}
		}
	}()

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(http.StatusMethodNotAllowed, ackMethod, "method")
		return
	}
	if r.ContentLength > h.cfg.maxBytes {
		// Refused unread: a flood of large bodies costs no memory.
		answer(http.StatusRequestEntityTooLarge, ackTooLarge, "too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			answer(http.StatusRequestEntityTooLarge, ackTooLarge, "too large")
			return
		}
		answer(http.StatusBadRequest, ackBadRequest, "read")
		return
	}
	if err := h.c.verifyNotification(r, body, h.cfg.path); err != nil {
		answer(http.StatusUnauthorized, ackBadSignature, "signature")
		return
	}
	n, err := decodeNotification(body)
	if err != nil {
		answer(http.StatusBadRequest, ackBadRequest, "malformed")
		return
	}
	requestID = n.PaymentRequestID
	if h.fn == nil {
		answer(http.StatusInternalServerError, ackProcessFailure, "no handler")
		return
	}
	ctx, key := r.Context(), n.dedupKey()
	if !h.running.Acquire(ctx, key) {
		answer(http.StatusServiceUnavailable, ackProcessFailure, "gave up waiting for a concurrent delivery")
		return
	}
	defer h.running.Release(key)
	if store := h.cfg.store; store != nil {
		seen, err := store.Seen(ctx, key)
		if err != nil {
			answer(http.StatusInternalServerError, ackProcessFailure, "dedup store failed")
			return
		}
		if seen {
			answer(http.StatusOK, ackSuccess, "duplicate")
			return
		}
	}
	if err := h.fn(ctx, n); err != nil {
		answer(http.StatusInternalServerError, ackProcessFailure, "handler error")
		return
	}
	if store := h.cfg.store; store != nil {
		if err := store.Mark(ctx, key); err != nil {
			// fn has acted: asking for a redelivery would run it again.
			answer(http.StatusOK, ackSuccess, "handled, not marked")
			return
		}
	}
	answer(http.StatusOK, ackSuccess, "acknowledged")
}

func (h *notifyHandler) log(r *http.Request, status int, requestID, outcome string, d time.Duration) {
	l := h.c.logger
	if l == nil {
		return
	}
	level := slog.LevelInfo
	if status != http.StatusOK {
		level = slog.LevelWarn
	}
	path := "/"
	if r.URL != nil {
		path = r.URL.Path
	}
	l.LogAttrs(r.Context(), level, "alipayplus: notification",
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.String("request_id", requestID),
		slog.String("acquirer", "alipayplus"),
		slog.String("step", "notify"),
		slog.String("outcome", outcome),
	)
}
