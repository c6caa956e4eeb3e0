// Package transport is the request pipeline shared by the Omise, Alipay+ and
// PPRO clients: one reused *http.Client, a per-attempt timeout, a cap on
// response bodies, retries with capped exponential backoff and full jitter,
// and structured logs that never carry a key, a body or a payment code.
//
// The rules that keep money safe:
//
//   - A request that may change state is sent again only when it provably
//     never left the machine (httptrace reports that it was not written) or
//     when the caller marked it idempotent (Alipay+ calls are, by
//     paymentRequestId). Otherwise a failure after the request was written
//     wraps [ErrOutcomeUnknown], and the caller must look the payment up.
//   - Once any attempt may have reached the server (it was answered, with
//     any status, or it failed after it may have been written), the call's
//     outcome can no longer be "never sent", whatever later attempts do: a
//     final *Error then matches [ErrOutcomeUnknown], and a final Response
//     says so in EarlierAttemptMayHaveArrived, so that its caller does not
//     take a refusal of the last attempt (a 429, a 5xx, an unreadable body)
//     for the outcome of the call.
//   - Only this package resends a request, under the first rule: net/http
//     never does it by itself. Left alone, net/http replays a request when
//     a reused HTTP/1.1 connection breaks after writing it (if it deems the
//     request idempotent, as it does any with an Idempotency-Key header),
//     or when an HTTP/2 server resets the stream (RST_STREAM PROTOCOL_ERROR
//     or REFUSED_STREAM) or sends GOAWAY below it, even if the server had
//     processed it. To replay a body it needs the request's GetBody, so a
//     request with a body is given none: http.NewRequest derives it from
//     the in-memory body, and this package clears it. A request without a body (the
//     Omise expire and mark-as actions) may still be replayed that way;
//     repeating those changes nothing. net/http also resends a request it
//     never began to write (an HTTP/2 connection found unusable before the
//     stream opened), which still sends it once.
//
// A caller's own *http.Client (each client's WithHTTPClient) must keep to
// the last rule, which this package cannot enforce beyond net/http:
//
//   - its RoundTripper must not retry, replay or duplicate requests (retry
//     middleware, hedging, a proxy client that resends on failure), nor read
//     the body to keep a copy for another attempt;
//   - it must not follow redirects: every SDK client replaces CheckRedirect
//     on its copy of the caller's client with one that refuses them, so
//     that a 307 or 308 is returned, never followed with the signed body;
//   - it should be net/http's *http.Transport, or wrap one and pass its
//     httptrace hooks through: without httptrace's evidence that a request
//     was never written, every failed state-changing request counts as
//     possibly delivered and is never retried.
package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// Defaults used when a Config field is zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRetries   = 2
	DefaultMaxBodyBytes = 1 << 20
	// DefaultBackoffBase and DefaultBackoffCap bound the wait before retry n
	// to a random duration in [0, min(cap, base*2^n)): full jitter, so that
	// many terminals retrying after the same outage do not arrive together.
	DefaultBackoffBase = 250 * time.Millisecond
	DefaultBackoffCap  = 4 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After the client waits for.
	// A server asking for more gets its answer returned instead: a cashier
	// should not stare at a spinner for a minute.
	DefaultMaxRetryAfter = 30 * time.Second
)

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// HTTPClient sends the requests. It is used as given and never modified.
	// Nil means a client of our own with keep-alive connections.
	HTTPClient *http.Client
	// Timeout bounds each attempt, from sending the request to reading the
	// whole body. The caller's context bounds the call as a whole.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt. Use
	// NoRetries to disable them; zero means DefaultMaxRetries.
	MaxRetries int
	// MaxBodyBytes caps a response body. A larger body is an error.
	MaxBodyBytes int64
	// BackoffBase, BackoffCap and MaxRetryAfter shape the waits between
	// attempts.
	BackoffBase, BackoffCap, MaxRetryAfter time.Duration
	// UserAgent is sent on every request when the request sets none.
	UserAgent string
	// Logger receives one record per attempt. Nil means no logs.
	Logger *slog.Logger
	// Service names the remote service, logged under the key "acquirer"
	// ("omise", "alipayplus", "ppro").
	Service string
}

// NoRetries is the Config.MaxRetries value that disables retries.
const NoRetries = -1

// Client sends requests with retries. It is immutable and safe for
// concurrent use.
type Client struct {
	http          *http.Client
	timeout       time.Duration
	maxRetries    int
	maxBody       int64
	backoffBase   time.Duration
	backoffCap    time.Duration
	maxRetryAfter time.Duration
	userAgent     string
	logger        *slog.Logger
	service       string
}

// New returns a Client for cfg. It fails on negative durations or sizes.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout < 0 || cfg.MaxBodyBytes < 0 || cfg.BackoffBase < 0 || cfg.BackoffCap < 0 || cfg.MaxRetryAfter < 0 {
		return nil, errors.New("instore: transport durations and sizes must not be negative")
	}
	if cfg.MaxRetries < NoRetries {
		return nil, errors.New("instore: max retries must not be negative")
	}
	c := &Client{
		http:          cfg.HTTPClient,
		timeout:       orDefault(cfg.Timeout, DefaultTimeout),
		maxRetries:    cfg.MaxRetries,
		maxBody:       orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		backoffBase:   orDefault(cfg.BackoffBase, DefaultBackoffBase),
		backoffCap:    orDefault(cfg.BackoffCap, DefaultBackoffCap),
		maxRetryAfter: orDefault(cfg.MaxRetryAfter, DefaultMaxRetryAfter),
		userAgent:     cfg.UserAgent,
		logger:        cfg.Logger,
		service:       cfg.Service,
	}
	switch cfg.MaxRetries {
	case 0:
		c.maxRetries = DefaultMaxRetries
	case NoRetries:
		c.maxRetries = 0
	}
	if c.backoffCap < c.backoffBase {
		c.backoffCap = c.backoffBase
	}
	if c.http == nil {
		c.http = &http.Client{Transport: NewHTTPTransport(), CheckRedirect: noRedirects}
	}
	return c, nil
}

func orDefault[T ~int64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Settings of the *http.Transport NewHTTPTransport returns, where the
// standard library's defaults are too trusting for a payment client.
const (
	// MaxResponseHeaderBytes caps a response's header block. An acquirer
	// answers with well under 2 KiB of headers; net/http's default of
	// 10 MiB would let a broken or hostile server make every call hold
	// that much before the body cap is ever reached.
	MaxResponseHeaderBytes = 64 << 10
	// DisableCompression stops the transport from asking for gzip. Answers
	// are a few KiB, so compression saves nothing, and a transport that
	// inflates transparently invites a decompression bomb. (With a
	// caller's *http.Client that does inflate, the body cap still applies
	// to the inflated bytes.)
	DisableCompression = true
	// TLSHandshakeTimeout bounds a TLS handshake, as net/http's default
	// transport does; the attempt's timeout and the caller's context bound
	// it as well.
	TLSHandshakeTimeout = 10 * time.Second
)

// NewHTTPTransport returns the *http.Transport a Client uses when it is given
// no HTTP client: the standard library's defaults, with more idle connections
// per host, since one POS backend talks to one acquirer host from many
// goroutines and a small pool would open a new TLS connection per sale, and
// with the limits above.
func NewHTTPTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	t.DisableCompression = DisableCompression
	t.TLSHandshakeTimeout = TLSHandshakeTimeout
	return t
}

// noRedirects stops the default client from following redirects: a 307 or
// 308 would make net/http send a signed payment request, code and all, again
// to wherever the Location header points. No API here redirects.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// HTTPClient returns the *http.Client the Client sends with.
func (c *Client) HTTPClient() *http.Client { return c.http }

// Timeout returns the per-attempt timeout.
func (c *Client) Timeout() time.Duration { return c.timeout }

// Request is one logical call. Its fields are read, never modified, so a
// Request may be sent again.
type Request struct {
	Method string
	// URL is absolute. Its path, without the query, is what logs show.
	URL    string
	Header http.Header
	// Body is sent as is on every attempt; nil means no body.
	Body []byte
	// Idempotent marks a state-changing request that the server deduplicates
	// (Alipay+ by paymentRequestId), so it may be retried after it was
	// written. GET and HEAD requests are always treated so.
	Idempotent bool
	// RequestID is logged with every attempt, to tie records to a payment.
	RequestID string
	// LogPath, when set, stands for the URL's path in logs and errors: for
	// a URL whose path carries a token, such as a document download.
	LogPath string
}

// path is what logs and errors show of the request's URL.
func (r *Request) path() string {
	if r.LogPath != "" {
		return r.LogPath
	}
	return logPath(r.URL)
}

// Response is the answer to the last attempt of a call.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the whole response body, read within the attempt's timeout.
	Body []byte
	// Attempts counts the attempts made, the last one included.
	Attempts int
	// EarlierAttemptMayHaveArrived reports that an attempt before this one
	// may have reached the server: it was answered (a 429 or a 5xx that
	// was retried; an answer retried past is not taken as proof that
	// nothing happened), or it failed after it may have been written. This
	// answer then speaks only for the last attempt. A caller of a request
	// that may change state must not take a refusal here (any non-2xx, or
	// a body it cannot read) as the call's outcome: it is unknown. Only an
	// answer that speaks for the whole request, such as a signed result of
	// a server that deduplicates by request id, may still be trusted.
	EarlierAttemptMayHaveArrived bool
}

// Do sends r, retrying it under the rules in the package documentation, and
// returns the last attempt's response whatever its status: mapping statuses
// to errors is the caller's business. An error means no response could be
// read; it is an *Error, or the context's error when the context ended before
// any attempt was made.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	safe := r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead
	// arrived: some attempt so far may have reached the server. It never
	// goes back to false: a later attempt that provably sent nothing says
	// nothing about the earlier ones.
	var arrived bool
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, r.failure(attempt-1, arrived, err)
		}
		start := time.Now()
		resp, written, err := c.attempt(ctx, r)
		c.log(ctx, r, attempt, resp, err, time.Since(start))
		if err != nil {
			arrived = arrived || written
			retryable := !written || safe
			final := errors.Is(err, ErrBodyTooLarge) || errors.Is(err, errInvalidRequest)
			if final || ctx.Err() != nil || !retryable || attempt > c.maxRetries || !c.wait(ctx, attempt, 0) {
				return nil, r.failure(attempt, arrived, err)
			}
			continue
		}
		resp.Attempts = attempt
		resp.EarlierAttemptMayHaveArrived = arrived
		// An answer of any status means this attempt reached the server.
		arrived = true
		// 429 is the server refusing the request before acting on it, so it
		// is retried whatever the method (it still counts as arrived: a
		// retried answer proves nothing); a 5xx may come after the work was
		// done, so only a safe request is sent again.
		retryStatus := resp.StatusCode == http.StatusTooManyRequests || (safe && resp.StatusCode >= 500)
		if !retryStatus || attempt > c.maxRetries {
			return resp, nil
		}
		after, ok := retryAfter(resp.Header, time.Now())
		if ok && after > c.maxRetryAfter {
			return resp, nil
		}
		if !c.wait(ctx, attempt, after) {
			return resp, nil
		}
	}
}

// failure is the *Error of a call that ended without a response to read,
// after attempts attempts. Its outcome is unknown when the request may
// change state and any attempt may have reached the server.
func (r *Request) failure(attempts int, arrived bool, err error) *Error {
	return &Error{Method: r.Method, Path: r.path(), Attempts: attempts, OutcomeUnknown: arrived && !isSafeMethod(r.Method), Err: err}
}

func isSafeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// attempt sends r once. written reports whether the request may have reached
// the server: it is false only when httptrace shows it was never written.
func (c *Client) attempt(ctx context.Context, r *Request) (*Response, bool, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	tr := &writeTrace{}
	tr.trace.GetConn = tr.getConn
	tr.trace.WroteRequest = tr.wroteRequest
	actx = httptrace.WithClientTrace(actx, &tr.trace)
	req, err := newRequest(actx, r)
	if err != nil {
		return nil, false, err
	}
	if c.userAgent != "" && req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	hresp, err := c.http.Do(req)
	if err != nil {
		return nil, tr.mayHaveArrived(), unwrapURLError(err)
	}
	defer hresp.Body.Close()
	b, err := readBody(hresp.Body, hresp.ContentLength, c.maxBody)
	if err != nil {
		// The server answered, so the request arrived; what it said is lost.
		return nil, true, err
	}
	return &Response{StatusCode: hresp.StatusCode, Header: hresp.Header, Body: b}, true, nil
}

// writeTrace learns from httptrace whether an attempt was written. The
// request counts as not written only on evidence: net/http's transport began
// looking for a connection (GetConn) and never reported a complete write. A
// RoundTripper that fires no hooks at all gives no evidence, so its failures
// are treated as possibly delivered. The hooks may run on the transport's
// goroutines, hence the atomics.
type writeTrace struct {
	trace  httptrace.ClientTrace
	traced atomic.Bool
	wrote  atomic.Bool
}

func (t *writeTrace) getConn(string) { t.traced.Store(true) }

func (t *writeTrace) wroteRequest(info httptrace.WroteRequestInfo) {
	// A write that failed part-way left an incomplete request, which no
	// server acts on; the transport may also report a failed write before
	// replaying the request on a fresh connection.
	if info.Err == nil {
		t.wrote.Store(true)
	}
}

func (t *writeTrace) mayHaveArrived() bool { return t.wrote.Load() || !t.traced.Load() }

// newRequest builds the *http.Request of one attempt. http.NewRequest
// derives GetBody from the *bytes.Reader body, and with GetBody net/http
// replays the body on its own (see the package documentation); it is
// cleared, so that every attempt is one this package decided to make. The
// body stays a *bytes.Reader so that NewRequest sets ContentLength and the
// body is sent with the headers, not chunked.
func newRequest(ctx context.Context, r *Request) (*http.Request, error) {
	var body io.Reader
	if len(r.Body) > 0 {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, errInvalidRequest
	}
	req.GetBody = nil
	for k, v := range r.Header {
		req.Header[k] = v
	}
	return req, nil
}

// wait sleeps before the retry that follows attempt n, for at least floor,
// and reports false when the context ends first or would end before the
// retry could be sent.
func (c *Client) wait(ctx context.Context, n int, floor time.Duration) bool {
	d := max(backoff(c.backoffBase, c.backoffCap, n), floor)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Client) log(ctx context.Context, r *Request, attempt int, resp *Response, err error, d time.Duration) {
	if c.logger == nil {
		return
	}
	path := r.path()
	level := slog.LevelInfo
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if c.service != "" {
		attrs = append(attrs, slog.String("acquirer", c.service))
	}
	if r.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", r.RequestID))
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			level = slog.LevelWarn
		}
	}
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", errorClass(err)))
	}
	c.logger.LogAttrs(ctx, level, "instore: http request", attrs...)
}

// errorClass names the kind of a network error without its text, which may
// quote a URL or an address.
func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, ErrBodyTooLarge):
		return "body too large"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	default:
		return "network"
	}
}
