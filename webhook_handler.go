package instore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/instorepay/instore/internal/inflight"
)

// WebhookOption configures WebhookHandler. Options are applied in order; a
// bad one leaves the handler misconfigured (see WebhookHandler).
type WebhookOption func(*webhookConfig) error

type webhookConfig struct {
	tolerance time.Duration
	store     DedupStore
	client    *Client
	logger    *slog.Logger
}

// WithTolerance sets how far a delivery's timestamp may be from now, in
// either direction (default DefaultWebhookTolerance). It must be positive.
func WithTolerance(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if d <= 0 {
			return configError("webhook tolerance must be positive")
		}
		c.tolerance = d
		return nil
	}
}

// WithDeduplication sets the store that remembers the events already
// handled (default: a MemoryDedupStore of DefaultDedupSize ids for
// DefaultDedupTTL, one per handler). Share a store, such as one backed by
// your database, between the instances of a service, so that a redelivery
// to another instance is recognised too. Nil turns deduplication off: fn is
// then called for every authentic delivery.
func WithDeduplication(store DedupStore) WebhookOption {
	return func(c *webhookConfig) error {
		c.store = store
		return nil
	}
}

// WithFetchVerification makes the handler fetch each event by id through
// client (Events.Get) and hand fn the fetched copy, not the delivered one:
// what fn sees then comes from the Omise API, whatever the delivery said. A
// failed fetch is answered with a 502, so Omise delivers the event again.
//
// With it, the handler also works without a webhook secret (secrets nil):
// a forged delivery can then only name a real event of the account, which
// dedup drops if it was handled. Even so, prefer a secret as well: without
// one, anyone can make the handler call the API.
func WithFetchVerification(client *Client) WebhookOption {
	return func(c *webhookConfig) error {
		if client == nil {
			return configError("nil client for webhook fetch verification")
		}
		c.client = client
		return nil
	}
}

// WithWebhookLogger sends one record per delivery to l, at level Info for a
// 2xx answer, Warn for a 4xx and Error for a 5xx: method, status, duration,
// acquirer, step, event_id, event_key and outcome, plus the reason of a
// misconfiguration or a failed fetch and the type of a panic. Never the
// body, a header, a secret, a panic's value or the error fn returned (it may
// quote anything: log it yourself). The path is left out too, as a webhook
// URL may carry a token. Nil, the default, means no logs.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) error {
		c.logger = l
		return nil
	}
}

// WebhookHandler returns the http.Handler of an Omise webhook endpoint. For
// each delivery it:
//
//   - accepts only POST (405 otherwise) and reads at most WebhookMaxBytes
//     (413 past that);
//   - verifies the signature against secrets, as VerifyWebhook does, before
//     anything else reads the body (401 when it fails), then decodes the
//     event (400 when the body is not one); fn is not called in those cases;
//   - drops an event it has already handled (200, fn not called), and with
//     WithFetchVerification replaces the event with the copy fetched from
//     the API (502 when that fails);
//   - calls fn once, with the request's context, and answers 200 only when
//     fn returned nil. An error, or a panic (recovered, and logged without
//     its value, which may hold anything), is answered with a 500, and the
//     event is not marked as handled, so Omise delivers it again and fn runs
//     again.
//
// Deliveries are retried, so an event may arrive more than once. The handler
// guarantees that fn never runs twice at the same time for one event id:
// a delivery of an event that is being handled waits for the first to end,
// then is dropped if the first succeeded (503 if its own request ends
// first). An event is marked as handled in the DedupStore only after fn
// succeeded; across instances sharing a store, two deliveries racing past
// Seen can both run fn. Write fn to be idempotent.
//
// The handler fails closed. Without a secret and without
// WithFetchVerification, with an empty or non-base64 secret, a nil fn or a
// bad option, it answers every request with a 500 and logs the reason at
// level Error: the deliveries are retried, not lost, until the
// configuration is fixed.
//
// Do not trust the event for money. An event is a snapshot from when it
// happened, and it may arrive late or out of order: before acting on a
// charge, fetch it (client.Charges.Get(ctx, charge.ID)) and act on its
// current status. A [Checkout] waiting on the sale can be woken early from
// fn with checkout.Notify(e.PaymentIDs()...) ([Checkout.Notify],
// [Event.PaymentIDs]): it then inquires at once.
func WebhookHandler(secrets []string, fn func(context.Context, *Event) error, opts ...WebhookOption) http.Handler {
	h := &webhookHandler{fn: fn}
	h.err = h.configure(secrets, opts)
	return h
}

type webhookHandler struct {
	webhookConfig
	keys [][]byte
	// secrets are cut from the event id and key before they are logged.
	secrets []string
	fn      func(context.Context, *Event) error
	err     error // a configuration error, answered with a 500

	// running holds the event ids being handled, so that fn never runs
	// twice at once for one event.
	running inflight.Set
}

func (h *webhookHandler) configure(secrets []string, opts []WebhookOption) error {
	h.tolerance = DefaultWebhookTolerance
	h.store = newMemoryDedupStore(DefaultDedupSize, DefaultDedupTTL)
	for _, opt := range opts {
		if opt == nil {
			return configError("nil webhook option")
		}
		if err := opt(&h.webhookConfig); err != nil {
			return err
		}
	}
	for _, s := range secrets {
		key, err := decodeWebhookSecret(nil, s)
		if err != nil {
			return err
		}
		h.keys = append(h.keys, key)
	}
	h.secrets = redactableSecrets(secrets)
	switch {
	case len(h.keys) == 0 && h.client == nil:
		return configError("no webhook secret and no fetch verification")
	case h.fn == nil:
		return configError("nil webhook function")
	}
	return nil
}

// delivery is what the handler knows of one request, for its log record.
type delivery struct {
	start    time.Time
	id, key  string
	answered bool
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := &delivery{start: time.Now()}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler { //nolint:errorlint // compared as net/http does
				panic(p)
			}
			if !d.answered {
				// Only the panic's type is logged: its value may hold a
				// secret or a payment code.
				h.answer(w, r, d, http.StatusInternalServerError, "panic", slog.String("panic", fmt.Sprintf("%T", p)))
			}
		}
	}()
	if h.err != nil {
		h.answer(w, r, d, http.StatusInternalServerError, "misconfigured", slog.String("error", h.err.Error()))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.answer(w, r, d, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.ContentLength > WebhookMaxBytes {
		h.answer(w, r, d, http.StatusRequestEntityTooLarge, "too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, WebhookMaxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.answer(w, r, d, http.StatusRequestEntityTooLarge, "too large")
		} else {
			h.answer(w, r, d, http.StatusBadRequest, "unreadable body")
		}
		return
	}
	if len(h.keys) > 0 {
		if err := verifyWebhook(body, r.Header, nil, h.keys, h.tolerance, time.Now()); err != nil {
			outcome := "bad signature"
			if errors.Is(err, ErrWebhookTimestamp) {
				outcome = "bad timestamp"
			}
			h.answer(w, r, d, http.StatusUnauthorized, outcome)
			return
		}
	}
	e, err := decodeWebhookEvent(body, h.secrets)
	if err != nil {
		h.answer(w, r, d, http.StatusBadRequest, "not an event")
		return
	}
	d.id, d.key = sanitize(e.ID, 64, h.secrets), sanitize(e.Key, 64, h.secrets)
	h.deliver(w, r, d, e)
}

// deliver runs fn for an authentic event, at most once at a time per id.
func (h *webhookHandler) deliver(w http.ResponseWriter, r *http.Request, d *delivery, e *Event) {
	ctx := r.Context()
	if !h.acquire(ctx, e.ID) {
		h.answer(w, r, d, http.StatusServiceUnavailable, "gave up waiting for a concurrent delivery")
		return
	}
	defer h.release(e.ID)
	if h.store != nil {
		seen, err := h.store.Seen(ctx, e.ID)
		if err != nil {
			h.answer(w, r, d, http.StatusInternalServerError, "dedup store failed")
			return
		}
		if seen {
			h.answer(w, r, d, http.StatusOK, "duplicate")
			return
		}
	}
	if h.client != nil {
		fetched, err := h.client.Events.Get(ctx, e.ID)
		if err == nil && fetched.ID != e.ID {
			err = errors.New("instore: webhook: the API returned another event")
		}
		if err != nil {
			// The client's errors hold no key and no payment code; the
			// webhook secrets are cut too, for good measure.
			h.answer(w, r, d, http.StatusBadGateway, "fetch failed", slog.String("error", sanitize(err.Error(), maxMessageLen, h.secrets)))
			return
		}
		e = fetched
		d.key = sanitize(e.Key, 64, h.secrets)
	}
	if err := h.fn(ctx, e); err != nil {
		h.answer(w, r, d, http.StatusInternalServerError, "handler failed")
		return
	}
	if h.store != nil {
		if err := h.store.Mark(ctx, e.ID); err != nil {
			// fn has acted: asking for a redelivery would run it again.
			h.answer(w, r, d, http.StatusOK, "handled, not marked")
			return
		}
	}
	h.answer(w, r, d, http.StatusOK, "handled")
}

// acquire waits until no other delivery of the event id is running, then
// claims it. It reports false when ctx ended first.
func (h *webhookHandler) acquire(ctx context.Context, id string) bool {
	return h.running.Acquire(ctx, id)
}

func (h *webhookHandler) release(id string) { h.running.Release(id) }

// answer writes the status with its text as the body, and logs the
// delivery.
func (h *webhookHandler) answer(w http.ResponseWriter, r *http.Request, d *delivery, status int, outcome string, attrs ...slog.Attr) {
	d.answered = true
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status)+"\n")
	if h.logger == nil {
		return
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	h.logger.LogAttrs(r.Context(), level, "instore: webhook", append([]slog.Attr{
		slog.String("method", sanitize(r.Method, 16, nil)),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(d.start)),
		slog.String("acquirer", "omise"),
		slog.String("step", "webhook"),
		slog.String("event_id", d.id),
		slog.String("event_key", d.key),
		slog.String("outcome", outcome),
	}, attrs...)...)
}
