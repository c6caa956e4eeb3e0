// Package transport is the request pipeline shared by the Omise, Alipay+ and
// PPRO clients: one reused *http.Client, a per-attempt timeout, a cap on
// response bodies, retries with capped exponential backoff and full jitter,
// and structured logs that never carry a key, a body or a payment code.
//
// The rule that keeps money safe: a request that may change state is sent
// again only when it provably never left the machine (httptrace reports that
// it was not written) or when the caller marked it idempotent (Alipay+ calls
// are, by paymentRequestId). Otherwise a failure after the request was written
// wraps [ErrOutcomeUnknown], and the caller must look the payment up.
package transport

import (
	"bytes"
	"context"
	"errors"
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

// NewHTTPTransport returns the *http.Transport a Client uses when it is given
// no HTTP client: the standard library's defaults, with more idle connections
// per host, since one POS backend talks to one acquirer host from many
// goroutines and a small pool would open a new TLS connection per sale.
func NewHTTPTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
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
}

// Do sends r, retrying it under the rules in the package documentation, and
// returns the last attempt's response whatever its status: mapping statuses
// to errors is the caller's business. An error means no response could be
// read; it is an *Error, or the context's error when the context ended before
// any attempt was made.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	safe := r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead
	var mayHaveArrived bool
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Method: r.Method, Path: r.path(), Attempts: attempt - 1, OutcomeUnknown: mayHaveArrived && !isSafeMethod(r.Method), Err: err}
		}
		start := time.Now()
		resp, written, err := c.attempt(ctx, r)
		c.log(ctx, r, attempt, resp, err, time.Since(start))
		if err != nil {
			mayHaveArrived = mayHaveArrived || written
			retryable := !written || safe
			final := errors.Is(err, ErrBodyTooLarge) || errors.Is(err, errInvalidRequest)
			if final || ctx.Err() != nil || !retryable || attempt > c.maxRetries {
				return nil, &Error{Method: r.Method, Path: r.path(), Attempts: attempt, OutcomeUnknown: mayHaveArrived && !isSafeMethod(r.Method), Err: err}
			}
			if !c.wait(ctx, attempt, 0) {
				return nil, &Error{Method: r.Method, Path: r.path(), Attempts: attempt, OutcomeUnknown: mayHaveArrived && !isSafeMethod(r.Method), Err: err}
			}
			continue
		}
		resp.Attempts = attempt
		// 429 is the server refusing the request before acting on it, so it
		// is retried whatever the method; a 5xx may come after the work was
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
	var body *bytes.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := newRequest(actx, r, body)
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

func newRequest(ctx context.Context, r *Request, body *bytes.Reader) (*http.Request, error) {
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	}
	if err != nil {
		return nil, errInvalidRequest
	}
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
