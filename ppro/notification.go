package ppro

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/inflight"
)

// The notification hash. PPRO posts txid, finaltimestamp and sha256hash; the
// code block with the hash's formula was lost from the copies the reference
// was written from (reference ppro.md §4.3). The formula below is the likely
// one, by analogy with PPRO's two documented checksums, which have exactly
// this shape: the Boarding Platform's notification hash
// sha256(sha256(reference "." timestamp) "." notificationsecret) and the
// redirect checksum sha256(sha256(txid "." REDIRECTSECRET) "." sharedsecret).
// The inner digest is taken as lower-case hex, as PHP's hash() returns it;
// the received hash is compared without regard to case. Confirm on the test
// host before going live; this function and these constants are the only
// place to change.
const (
	notificationHashSeparator = "."
	notificationKeyTxID       = "TXID"
	notificationKeyTimestamp  = "FINALTIMESTAMP"
	notificationKeyHash       = "SHA256HASH"
)

// NotificationHash returns the sha256hash PPRO is believed to send with a
// notification for txID and finalTimestamp, as lower-case hex:
// hex(sha256(hex(sha256(txid "." finaltimestamp)) "." secret)). It is the
// likely formula, not a confirmed one (see the package documentation); it is
// exported for tests of your own.
func NotificationHash(txID, finalTimestamp, secret string) string {
	inner := sha256.Sum256([]byte(txID + notificationHashSeparator + finalTimestamp))
	outer := sha256.Sum256([]byte(hex.EncodeToString(inner[:]) + notificationHashSeparator + secret))
	return hex.EncodeToString(outer[:])
}

// Notification errors, matched with errors.Is.
var (
	// ErrNotificationSignature: the sha256hash is missing, is not hex, or
	// matches none of the secrets, or no secret was given.
	ErrNotificationSignature = errors.New("ppro: notification hash does not verify")
	// ErrNotificationMalformed: the body is not a notification (no txid or
	// finaltimestamp).
	ErrNotificationMalformed = errors.New("ppro: malformed notification")
)

// Notification is what PPRO posts when a transaction becomes SUCCEEDED or
// FAILED, including a later change from FAILED to SUCCEEDED. It carries no
// status: NotificationHandler fetches it (GETTXSTATUS) into Transaction.
type Notification struct {
	TxID string
	// FinalTimestamp is the time the transaction reached its status, as
	// PPRO sent it (ISO 8601): the text the hash covers.
	FinalTimestamp string
	// Transaction is the transaction as GETTXSTATUS returned it after the
	// notification was verified. ParseNotification leaves it nil.
	Transaction *StatusResponse
}

// PaymentIDs returns the ids a Checkout knows the notified payment by, for
// instore.Checkout.Notify: the merchanttxid (the sale's RequestID) once
// NotificationHandler has fetched the transaction, and the txid. A
// NotificationHandler function that wakes a waiting sale is then one line:
//
//	checkout.Notify(n.PaymentIDs()...)
func (n *Notification) PaymentIDs() []string {
	var ids []string
	if n.Transaction != nil && n.Transaction.MerchantTxID != "" {
		ids = append(ids, n.Transaction.MerchantTxID)
	}
	if n.TxID != "" {
		ids = append(ids, n.TxID)
	}
	return ids
}

// ParseNotification verifies a notification body (url-encoded txid,
// finaltimestamp and sha256hash) against each of secrets, so that two can
// be accepted while the notification secret is rotated, and returns its
// fields. It fails closed: no secret, or only empty ones, verifies nothing.
// The hash is compared in constant time. The timestamp's age is not
// checked, since PPRO redelivers for 48 hours; a replayed notification only
// causes one more status lookup.
func ParseNotification(body []byte, secrets ...string) (*Notification, error) {
	f, err := parseFields(body)
	if err != nil {
		return nil, fmt.Errorf("%w: not url-encoded", ErrNotificationMalformed)
	}
	r := reader{f}
	n := &Notification{TxID: r.take(notificationKeyTxID), FinalTimestamp: r.take(notificationKeyTimestamp)}
	got := r.take(notificationKeyHash)
	if n.TxID == "" || n.TxID == "0" || len(n.TxID) > maxIDLen || !allChars(n.TxID, ".,-_") || n.FinalTimestamp == "" {
		return nil, fmt.Errorf("%w: no txid or finaltimestamp", ErrNotificationMalformed)
	}
	sum, err := hex.DecodeString(got)
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("%w: sha256hash missing or not hex", ErrNotificationSignature)
	}
	ok := 0
	for _, s := range secrets {
		if s == "" {
			continue
		}
		want, _ := hex.DecodeString(NotificationHash(n.TxID, n.FinalTimestamp, s))
		ok |= subtle.ConstantTimeCompare(sum, want)
	}
	if ok != 1 {
		return nil, ErrNotificationSignature
	}
	return n, nil
}

// Notification handler defaults.
const (
	// DefaultNotificationMaxBytes caps the body the handler reads; a
	// notification is about 150 bytes.
	DefaultNotificationMaxBytes = 16 << 10
	// DefaultNotificationTimeout bounds the status lookup and fn together.
	// PPRO's twin specification for its Boarding Platform wants an answer
	// within 30 seconds; the rest is margin.
	DefaultNotificationTimeout = 20 * time.Second
	// DefaultNotificationAck is the acknowledgement body. PPRO expects a
	// phrase in the first 4096 bytes of the answer that the reference could
	// not recover; ask PPRO for it and set it with WithNotificationAck.
	DefaultNotificationAck = "OK"
)

type notificationConfig struct {
	maxBytes int64
	timeout  time.Duration
	ack      string
	store    instore.DedupStore
}

// NotificationOption configures NotificationHandler.
type NotificationOption func(*notificationConfig)

// WithNotificationMaxBytes caps the body the handler reads (default
// DefaultNotificationMaxBytes). A value below 1 is ignored.
func WithNotificationMaxBytes(n int64) NotificationOption {
	return func(c *notificationConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithNotificationTimeout bounds the status lookup and fn together (default
// DefaultNotificationTimeout). A value below 1 is ignored.
func WithNotificationTimeout(d time.Duration) NotificationOption {
	return func(c *notificationConfig) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithNotificationAck sets the body of the 200 answer (default
// DefaultNotificationAck).
func WithNotificationAck(body string) NotificationOption {
	return func(c *notificationConfig) { c.ack = body }
}

// WithNotificationDeduplication sets the store that remembers the
// notifications already handled (default: an instore.MemoryDedupStore of
// instore.DefaultDedupSize entries for instore.DefaultDedupTTL, one per
// handler, whose memory is bounded as its documentation states). Share a
// store between the instances of a service so that a redelivery to another
// instance is recognised too. Nil turns deduplication off: every verified
// notification then costs a status lookup and a call of fn.
func WithNotificationDeduplication(store instore.DedupStore) NotificationOption {
	return func(c *notificationConfig) { c.store = store }
}

// NotificationHandler returns an http.Handler for the notificationurl. For
// each POST it reads the capped body, verifies the hash with secrets (the
// current and, while rotating, the previous notification secret), fetches
// the transaction's status with Status, and calls fn with both. It answers
// 200 with the acknowledgement only after fn returned nil.
//
// Answering quickly and fetching the status are at odds: an answer given
// before the lookup would lose the notification whenever the lookup then
// failed, since PPRO sends it only until it is acknowledged. So the handler
// answers after the lookup and fn, bounded together by the notification
// timeout (20 s by default, inside the 30 s PPRO's Boarding twin allows).
// If the lookup or fn fails, panics or runs out of time, the answer is a
// 5xx and PPRO delivers the notification again 15 minutes later, for up to
// 48 hours. fn should therefore be quick and idempotent: record the status,
// wake a waiting checkout (checkout.Notify(n.PaymentIDs()...)), and queue
// anything slow.
//
// A notification may report a FAILED transaction that turned SUCCEEDED: if
// the sale was reported failed, that is a late success to refund or accept.
//
// PPRO redelivers until it gets the acknowledgement, so a notification may
// arrive several times, even at once. The handler runs fn at most once at a
// time for one notification (one txid and finaltimestamp), and not at all,
// nor the status lookup, for one it has handled (it acknowledges it again):
// a notification counts as handled once fn returned nil, and is remembered
// in the dedup store (WithNotificationDeduplication). A later change of the
// same transaction comes with another finaltimestamp and is handled.
//
// It fails closed: with no secret (or only empty ones) it refuses every
// notification with a 500. A wrong hash is a 401 and an unreadable body a
// 400; logs carry neither the hash nor the body.
func (c *Client) NotificationHandler(secrets []string, fn func(context.Context, *Notification) error, opts ...NotificationOption) http.Handler {
	cfg := notificationConfig{maxBytes: DefaultNotificationMaxBytes, timeout: DefaultNotificationTimeout, ack: DefaultNotificationAck}
	// The constants are valid, so the store is never nil here.
	cfg.store, _ = instore.NewMemoryDedupStore(instore.DefaultDedupSize, instore.DefaultDedupTTL)
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	return &notificationHandler{c: c, secrets: keep, fn: fn, cfg: cfg}
}

type notificationHandler struct {
	c       *Client
	secrets []string
	fn      func(context.Context, *Notification) error
	cfg     notificationConfig
	// running holds the notifications being handled.
	running inflight.Set
}

func (h *notificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := ""
	answered := false
	answer := func(status int, body, outcome string) {
		answered = true
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
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
				answer(http.StatusInternalServerError, "not processed", "panic")
			}
		}
	}()

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(http.StatusMethodNotAllowed, "POST only", "method")
		return
	}
	if len(h.secrets) == 0 {
		answer(http.StatusInternalServerError, "not configured", "no secret")
		return
	}
	if r.ContentLength > h.cfg.maxBytes {
		// Refused unread: a flood of large bodies costs no memory.
		answer(http.StatusRequestEntityTooLarge, "too large", "too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			answer(http.StatusRequestEntityTooLarge, "too large", "too large")
			return
		}
		answer(http.StatusBadRequest, "unreadable", "read")
		return
	}
	n, err := ParseNotification(body, h.secrets...)
	switch {
	case errors.Is(err, ErrNotificationSignature):
		answer(http.StatusUnauthorized, "hash does not verify", "signature")
		return
	case err != nil:
		answer(http.StatusBadRequest, "malformed", "malformed")
		return
	case h.fn == nil:
		answer(http.StatusInternalServerError, "not processed", "no handler")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.timeout)
	defer cancel()
	// One notification is one txid at one final timestamp; a txid is
	// digits and a few punctuation marks, so the separator cannot occur in
	// it.
	key := n.TxID + "|" + n.FinalTimestamp
	if !h.running.Acquire(ctx, key) {
		answer(http.StatusServiceUnavailable, "busy", "gave up waiting for a concurrent delivery")
		return
	}
	defer h.running.Release(key)
	if store := h.cfg.store; store != nil {
		seen, err := store.Seen(ctx, key)
		if err != nil {
			answer(http.StatusInternalServerError, "not processed", "dedup store failed")
			return
		}
		if seen {
			answer(http.StatusOK, h.cfg.ack, "duplicate")
			return
		}
	}
	st, err := h.c.Status(ctx, n.TxID)
	if err != nil {
		answer(http.StatusServiceUnavailable, "status lookup failed", "status lookup")
		return
	}
	n.Transaction = st
	requestID = st.MerchantTxID
	if err := h.fn(ctx, n); err != nil {
		answer(http.StatusInternalServerError, "not processed", "handler error")
		return
	}
	if store := h.cfg.store; store != nil {
		if err := store.Mark(ctx, key); err != nil {
			// fn has acted: asking for a redelivery would run it again.
			answer(http.StatusOK, h.cfg.ack, "handled, not marked")
			return
		}
	}
	answer(http.StatusOK, h.cfg.ack, "acknowledged")
}

func (h *notificationHandler) log(r *http.Request, status int, requestID, outcome string, d time.Duration) {
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
	l.LogAttrs(r.Context(), level, "ppro: notification",
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.String("request_id", requestID),
		slog.String("acquirer", AcquirerName),
		slog.String("step", "notify"),
		slog.String("outcome", outcome),
	)
}
