package ppro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/transport"
)

// Hosts of the Payment Gateway (reference ppro.md §1). Neither the exact
// URL nor any path was confirmed: PPRO's "URLs" page was not in the copies
// the reference was written from. PPRO assigns the test host with the test
// certificate; pass what they give to WithBaseURL.
const (
	// DefaultBaseURL is the live Payment Gateway: PPRO's Security page gives
	// it as the example API endpoint, and Spreedly and PaymentIQ list it as
	// live.
	DefaultBaseURL = "https://api.girogate.de"
	// TestBaseURL is the base URL of the "try it" widget on every Simple
	// API reference page.
	TestBaseURL = "https://simpleapitest.ppro.com"
)

// Defaults.
const (
	// DefaultTimeout bounds each HTTP attempt. PPRO warns that a status
	// call on a locked transaction can be slow; a TRANSACTION answer that
	// has not come by then is looked up, never sent again.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxRetries is the number of retries of a call that may be
	// retried (see Client).
	DefaultMaxRetries = 2

	maxRetriesLimit = 10
	maxCredential   = 256
)

// Credentials are what PPRO issues for a contract. They travel in every
// request body (login, password, contractid; channel on TRANSACTION), so
// they are never logged: String, GoString and LogValue hide the password.
// The client TLS certificate PPRO also requires is set on the HTTP client
// (WithHTTPClient).
type Credentials struct {
	Login      string
	Password   string
	ContractID string
	// Channel is the channel PPRO configured for the contract
	// ("testchannel" in the test system). It selects the payment method
	// with the tag, the country and the currency.
	Channel string
}

// String shows the login, contract and channel, never the password.
func (c Credentials) String() string {
	return "ppro.Credentials{Login:" + c.Login + " ContractID:" + c.ContractID + " Channel:" + c.Channel + " Password:[redacted]}"
}

// GoString is String, so that %#v hides the password too.
func (c Credentials) GoString() string { return c.String() }

// LogValue hides the password from slog.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("login", c.Login),
		slog.String("contract_id", c.ContractID),
		slog.String("channel", c.Channel),
	)
}

func (c Credentials) validate() error {
	for _, f := range [...]struct{ name, v string }{
		{"Login", c.Login}, {"Password", c.Password}, {"ContractID", c.ContractID}, {"Channel", c.Channel},
	} {
		if f.v == "" {
			return fmt.Errorf("ppro: credentials: %s is empty", f.name)
		}
		if len(f.v) > maxCredential || strings.ContainsFunc(f.v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return fmt.Errorf("ppro: credentials: %s is too long or holds control characters", f.name)
		}
	}
	return nil
}

// Client calls PPRO's Payment Gateway ("Simple API") for Alipay in-store
// consumer barcode payments. It is immutable after NewClient and safe for
// concurrent use; one HTTP client with keep-alive connections is reused.
//
// Every call is an HTTPS form POST with returnmode=urlencodeext. Which calls
// are sent again after a failure depends on what a repeat would do, since
// PPRO deduplicates nothing:
//
//   - TRANSACTION and REFUND are sent again only when the request provably
//     never left the machine (or on HTTP 429, which refuses it unread). Any
//     failure after it may have arrived (a network error, a timeout, a 5xx,
//     an unreadable answer, or any failure or refusal after an earlier
//     attempt was answered) is an error matching instore.ErrOutcomeUnknown:
//     look the outcome up by merchant id, never send it again.
//   - GETTXSTATUS, GETTXSTATUSBYMERCHANTTXID and the refund status calls
//     change nothing and are retried on network errors, 429 and 5xx.
//   - CANCELTX is retried like them: a second cancel of a cancelled
//     transaction is refused and changes nothing. Its errors still match
//     instore.ErrOutcomeUnknown when the cancel may have taken effect.
type Client struct {
	cred   Credentials
	url    string
	tr     *transport.Client
	logger *slog.Logger
	header http.Header
}

type settings struct {
	baseURL    string
	httpClient *http.Client
	timeout    time.Duration
	maxRetries int
	logger     *slog.Logger
}

// Option configures a Client in NewClient. Options apply in order; an
// invalid one makes NewClient fail.
type Option func(*settings) error

// WithBaseURL sets the URL every call is posted to (default
// DefaultBaseURL), path included, since PPRO's own is unconfirmed. It must
// be https, except for loopback hosts (tests and simulators), and carry no
// credentials, query or fragment.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := transport.ParseBaseURL(raw)
		if err != nil {
			return errors.New("ppro: " + err.Error())
		}
		s.baseURL = u.String()
		return nil
	}
}

// WithHTTPClient sends requests with a copy of hc. PPRO requires a client
// certificate from its private CA (customer.crt with the key from
// customer.key12) and TLS 1.2 or later; trust PPRO's ca.crt beside the
// system roots, and do not pin the server certificate, which changes
// yearly:
//
//	cert, err := tls.LoadX509KeyPair("customer.crt", "customer.key") // the key exported from customer.key12
//	roots, err := x509.SystemCertPool()
//	roots.AppendCertsFromPEM(caPEM) // PPRO's ca.crt
//	tr := http.DefaultTransport.(*http.Transport).Clone()
//	tr.TLSClientConfig = &tls.Config{
//		Certificates: []tls.Certificate{cert},
//		RootCAs:      roots,
//		MinVersion:   tls.VersionTLS12,
//	}
//	client, err := ppro.NewClient(creds, ppro.WithHTTPClient(&http.Client{Transport: tr}))
//
// The copy never follows redirects (its CheckRedirect is replaced), since a
// redirected TRANSACTION would carry the password and the payment code to
// wherever the Location header points. Keep hc.Timeout unset or longer than
// WithTimeout.
//
// The client alone decides what is sent again, and never sends a
// TRANSACTION or a REFUND again once it may have reached PPRO, which does
// not deduplicate them. So hc's Transport must not retry, replay or hedge
// requests (retry middleware, a proxy client that resends on failure), nor
// read a body to keep a copy for another attempt: it could send a
// TRANSACTION twice. net/http's own replays (over HTTP/2 after a stream
// reset or GOAWAY, over HTTP/1.1 for a request it deems idempotent) are
// ruled out by the client, which gives no request a GetBody; middleware
// must not set one. The client learns that a request never left the
// machine from net/http's httptrace events: use net/http's *http.Transport,
// as above, or a RoundTripper that wraps one and passes the request's
// context through. With one that does not report them, every failed
// TRANSACTION counts as possibly processed.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("ppro: nil HTTP client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP attempt, from sending the request to reading
// the whole answer (default DefaultTimeout). The context passed to a call
// bounds the call as a whole, retries included.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return errors.New("ppro: timeout must be positive")
		}
		s.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a call that may be repeated is sent
// again (default DefaultMaxRetries; 0 disables retries). It never makes a
// TRANSACTION or a REFUND be sent twice.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > maxRetriesLimit {
			return fmt.Errorf("ppro: max retries must be between 0 and %d", maxRetriesLimit)
		}
		s.maxRetries = n
		return nil
	}
}

// WithLogger logs one record per HTTP attempt and per notification (keys
// method, path, status, attempt, duration, request_id, acquirer, step),
// never the password, a body or a payment code. Nil, the default, means no
// logs.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// NewClient returns a client for the contract in cred. All four fields are
// required. Its errors match ErrInvalidConfig.
func NewClient(cred Credentials, opts ...Option) (*Client, error) {
	if err := cred.validate(); err != nil {
		return nil, invalidConfig(err)
	}
	s := settings{baseURL: DefaultBaseURL, timeout: DefaultTimeout, maxRetries: DefaultMaxRetries}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, invalidConfig(err)
		}
	}
	hc := transport.HTTPClientWithoutRedirects(s.httpClient)
	maxRetries := s.maxRetries
	if maxRetries == 0 {
		maxRetries = transport.NoRetries
	}
	tr, err := transport.New(transport.Config{
		HTTPClient:   hc,
		Timeout:      s.timeout,
		MaxRetries:   maxRetries,
		MaxBodyBytes: maxResponseBytes,
		UserAgent:    "instore-go/" + instore.Version + " ppro",
		Logger:       s.logger,
		Service:      AcquirerName,
	})
	if err != nil {
		return nil, invalidConfig(fmt.Errorf("ppro: %w", err))
	}
	return &Client{
		cred:   cred,
		url:    s.baseURL,
		tr:     tr,
		logger: s.logger,
		header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"},
			"Accept":       {"application/x-www-form-urlencoded"},
		},
	}, nil
}

// txtypes (reference ppro.md §2). The refund lookup by merchant refund id
// is named GETREFUNDBYMERCHANTREFUNDID in PPRO's common-parameter table
// but GETREFUNDSTATUSBYMERCHANTREFUNDID in its navigation and response
// page; the latter is used, unconfirmed.
const (
	opTransaction          = "TRANSACTION"
	opStatus               = "GETTXSTATUS"
	opStatusByMerchantTxID = "GETTXSTATUSBYMERCHANTTXID"
	opCancel               = "CANCELTX"
	opRefund               = "REFUND"
	opRefundStatus         = "GETREFUNDSTATUS"
	opRefundByMerchantID   = "GETREFUNDSTATUSBYMERCHANTREFUNDID"
)

// returnMode is the only answer format PPRO accepts (reference ppro.md §1).
const returnMode = "urlencodeext"

// form starts a request body with the fields every call carries.
func (c *Client) form(op string) url.Values {
	return url.Values{
		"txtype":     {op},
		"returnmode": {returnMode},
		"login":      {c.cred.Login},
		"password":   {c.cred.Password},
		"contractid": {c.cred.ContractID},
	}
}

// post sends one call and parses the answer. sendsMoney marks TRANSACTION
// and REFUND, which are sent at most once; changesState marks the calls
// whose errors mean the outcome is unknown. requestID is only logged.
func (c *Client) post(ctx context.Context, op string, form url.Values, requestID string, sendsMoney, changesState bool) (map[string]string, error) {
	resp, err := c.tr.Do(ctx, &transport.Request{
		Method:     http.MethodPost,
		URL:        c.url,
		Header:     c.header,
		Body:       []byte(form.Encode()),
		Idempotent: !sendsMoney,
		RequestID:  requestID,
	})
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) {
			return nil, &Error{Op: op, Attempts: te.Attempts, OutcomeUnknown: changesState && te.OutcomeUnknown, Err: te.Err}
		}
		// Not expected from transport (a context that ended before any
		// attempt was made); nothing was sent.
		return nil, &Error{Op: op, Err: err}
	}
	fail := func(cause error, unknown bool) error {
		c.logUntrusted(ctx, op, requestID, resp.StatusCode, cause)
		return &Error{Op: op, StatusCode: resp.StatusCode, Attempts: resp.Attempts, OutcomeUnknown: changesState && unknown, Err: cause}
	}
	// A refusal speaks only for the attempt it answers: after an earlier
	// attempt that may have reached PPRO (the transport retried past a 429
	// or, for CANCELTX, a 5xx), it leaves the outcome unknown.
	earlier := resp.EarlierAttemptMayHaveArrived
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		// Refused before it was read: this attempt did nothing.
		return nil, fail(ErrRateLimited, earlier)
	case resp.StatusCode >= 500:
		return nil, fail(ErrUnexpectedStatus, true)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// A 3xx or 4xx refused the request (an unfollowed redirect, a
		// proxy's 403, a wrong path): this attempt was not processed.
		return nil, fail(ErrUnexpectedStatus, earlier)
	}
	f, err := parseFields(resp.Body)
	if err != nil {
		return nil, fail(err, true)
	}
	if c.cred.Password != "" {
		for k, v := range f {
			if strings.Contains(v, c.cred.Password) {
				f[k] = scrub(v, c.cred.Password)
			}
		}
	}
	return f, nil
}

func (c *Client) logUntrusted(ctx context.Context, op, requestID string, status int, cause error) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "ppro: untrusted response",
		slog.String("method", http.MethodPost),
		slog.String("step", op),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.String("acquirer", AcquirerName),
		slog.String("error", cause.Error()),
	)
}
