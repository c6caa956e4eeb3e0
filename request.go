package instore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/instorepay/instore/internal/transport"
)

// RequestOption changes one call. A bad option makes the call fail before
// anything is sent, with an error that matches ErrInvalidParams.
type RequestOption func(*callOptions) error

// callOptions collects the RequestOptions of one call.
type callOptions struct {
	idempotencyKey       string
	secretKey, publicKey string
}

// WithIdempotencyKey sends key in an Idempotency-Key header, for a server
// that deduplicates requests by it.
//
// Read this before using it. Omise's support for the header is unconfirmed:
// its documentation does not mention it, and no official Omise SDK sends it,
// so do not count on Omise deduplicating anything. The header also changes
// how Go's net/http treats the request: net/http considers a request with an
// Idempotency-Key replayable, and left alone it transparently sends it again,
// on a fresh connection, when a reused keep-alive connection fails before any
// answer arrives, even if the request had been written. If Omise ignores the
// key, such a replay of a charge would create a second one. The client rules
// that out for every request with a body (charges, refunds, sources): it
// gives net/http nothing to replay a body from. A request without a body
// (Charges.Expire, MarkAsPaid, MarkAsFailed) that carries the header may
// still be replayed that way; repeating those changes nothing.
//
// The option does not make the SDK retry a POST it has written: a failure
// after the request left the machine is still returned as an error that
// matches ErrOutcomeUnknown, and the charge must be looked up, not sent
// again. Keys are 1 to 255 visible ASCII characters.
func WithIdempotencyKey(key string) RequestOption {
	return func(o *callOptions) error {
		if !isVisibleASCII(key, 255) {
			return invalidParams("idempotency key must be 1 to 255 visible ASCII characters")
		}
		o.idempotencyKey = key
		return nil
	}
}

// WithKeys authenticates one call with other keys than the client's, so that
// a platform serving many merchants can share one Client (and its
// connections). secretKey is required; publicKey may be empty, and then
// Sources.Create uses secretKey. The keys never appear in errors or logs.
func WithKeys(secretKey, publicKey string) RequestOption {
	return func(o *callOptions) error {
		if !isVisibleASCII(secretKey, 256) || containsColon(secretKey) {
			return invalidParams("the secret key of WithKeys is empty or malformed")
		}
		if publicKey != "" && (!isVisibleASCII(publicKey, 256) || containsColon(publicKey)) {
			return invalidParams("the public key of WithKeys is malformed")
		}
		o.secretKey, o.publicKey = secretKey, publicKey
		return nil
	}
}

func isVisibleASCII(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}

// call is one request to the Omise API.
type call struct {
	method string
	// path is joined as is after the base URL; ids in it are escaped.
	path  [4]string
	query string // without the '?'
	// body is the form body of a POST; nil means none.
	body []byte
	// public selects the public key (Sources.Create).
	public bool
	// code is a payment code sent in the body, cut from any error text.
	code string
}

// checker is a decoded object that can tell whether it is whole.
type checker interface {
	check() error
}

// send makes the call and decodes a 2xx answer into a new T. Anything else
// is an error, and no half-decoded T is ever returned.
func send[T any, PT interface {
	*T
	checker
}](ctx context.Context, c *Client, cl *call, opts []RequestOption) (*T, error) {
	co, err := collectOptions(opts)
	if err != nil {
		return nil, err
	}
	var u string
	if cl.query != "" {
		u = c.baseURL + cl.path[0] + cl.path[1] + cl.path[2] + cl.path[3] + "?" + cl.query
	} else {
		u = c.baseURL + cl.path[0] + cl.path[1] + cl.path[2] + cl.path[3]
	}
	resp, err := c.transport.Do(ctx, &transport.Request{
		Method:    cl.method,
		URL:       u,
		Header:    c.header(cl, co),
		Body:      cl.body,
		RequestID: co.requestID(),
	})
	if err != nil {
		return nil, err
	}
	// Every call but a GET may change state, so an answer that cannot be
	// trusted leaves its outcome unknown: a 5xx may come after the work was
	// done, and any refusal (a 429 above all) speaks only for the last
	// attempt when an earlier one may have reached Omise.
	mutating := cl.method != http.MethodGet
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := decodeAPIError(resp.StatusCode, resp.Header, resp.Body, c.secretsFor(cl, co))
		e.OutcomeUnknown = mutating && (resp.StatusCode >= 500 || resp.EarlierAttemptMayHaveArrived)
		return nil, e
	}
	v := PT(new(T))
	err = json.Unmarshal(resp.Body, v)
	if err == nil {
		err = v.check()
	}
	if tc, ok := any(v).(textCleaner); ok && err == nil {
		tc.cleanText(c.secrets)
	}
	if err != nil {
		secrets := c.secretsFor(cl, co)
		// A decoding error may quote the body (a time that failed to
		// parse); it is replaced when it holds anything secret.
		if msg := err.Error(); sanitize(msg, len(msg), secrets) != msg {
			err = errors.New(sanitize(msg, maxMessageLen, secrets))
		}
		return nil, &DecodeError{
			StatusCode:     resp.StatusCode,
			RequestID:      sanitize(resp.Header.Get(requestIDHeader), 128, secrets),
			OutcomeUnknown: mutating,
			Err:            err,
		}
	}
	return v, nil
}

// collectOptions applies opts. They are collected only when there are
// some, so that a plain call does not allocate for them: nil means none.
func collectOptions(opts []RequestOption) (*callOptions, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	co := new(callOptions)
	for _, opt := range opts {
		if opt == nil {
			return nil, invalidParams("nil request option")
		}
		if err := opt(co); err != nil {
			return nil, err
		}
	}
	return co, nil
}

// requestID is what the transport logs to tie a call's attempts together:
// the caller's idempotency key, if any.
func (co *callOptions) requestID() string {
	if co == nil {
		return ""
	}
	return co.idempotencyKey
}

// header returns the headers of cl: a shared, read-only set when the call
// has no options, else a set of its own.
func (c *Client) header(cl *call, co *callOptions) http.Header {
	form := cl.body != nil
	if co == nil || co.secretKey == "" && co.idempotencyKey == "" {
		switch {
		case !form:
			return c.hdrPlain
		case cl.public:
			return c.hdrFormPublic
		default:
			return c.hdrForm
		}
	}
	var h http.Header
	if co.secretKey != "" {
		key := co.secretKey
		if cl.public && co.publicKey != "" {
			key = co.publicKey
		}
		h = c.newHeader(basicAuth(key), form)
	} else {
		switch {
		case !form:
			h = c.hdrPlain.Clone()
		case cl.public:
			h = c.hdrFormPublic.Clone()
		default:
			h = c.hdrForm.Clone()
		}
	}
	if co.idempotencyKey != "" {
		h["Idempotency-Key"] = []string{co.idempotencyKey}
	}
	return h
}

// secretsFor lists what must not appear in an error about cl: the client's
// keys, the call's keys and the payment code it carried.
func (c *Client) secretsFor(cl *call, co *callOptions) []string {
	s := make([]string, 0, len(c.secrets)+5)
	s = append(s, c.secrets...)
	if co != nil {
		s = appendSecrets(s, co.secretKey, co.publicKey)
	}
	if cl.code != "" {
		s = append(s, cl.code)
	}
	return s
}
