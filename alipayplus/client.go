package alipayplus

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/transport"
)

// Flavor selects which of the two Alipay+ APIs the client speaks. They share
// the envelope and the signatures; paths and a few fields differ.
type Flavor string

// Flavours.
const (
	// FlavorAntom is the Antom merchant API (/ams/api/v1/payments/...), for
	// merchants and PSPs contracted with Antom. It is the default.
	FlavorAntom Flavor = "antom"
	// FlavorACQP is the Alipay+ acquirer API (/aps/api/v1/payments/...), for
	// licensed Alipay+ acquiring service providers.
	FlavorACQP Flavor = "acqp"
)

// Default settings.
const (
	// DefaultBaseURL is Antom's Singapore ("SEA") host, from the official
	// SDKs' endpoint constants.
	DefaultBaseURL = "https://open-sea-global.alipay.com"
	// DefaultACQPBaseURL is Alipay+'s common domain for regions outside
	// North America, used when FlavorACQP is chosen without WithBaseURL.
	// Acquirers get theirs from their solution architect; set it.
	DefaultACQPBaseURL = "https://open-sea.alipayplus.com"
	// DefaultTimeout bounds each HTTP attempt. Antom's in-store guidance is
	// to inquire when pay has not answered within 5 seconds.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxRetries is the number of retries after the first attempt.
	DefaultMaxRetries = 2
	// DefaultKeyVersion is the keyVersion sent in the Signature header, as
	// in the official SDKs.
	DefaultKeyVersion = 1

	maxRetriesLimit = 10
	maxClientIDLen  = 128
)

// Paths per flavour and call. Sources: shared/reference/alipayplus.md §1.1
// (Alipay+ ACQP API overview: pay, inquiryPayment, cancelPayment, refund) and
// §1.2 (Antom: note cancel, not cancelPayment).
const (
	antomPayPath     = "/ams/api/v1/payments/pay"
	antomInquiryPath = "/ams/api/v1/payments/inquiryPayment"
	antomCancelPath  = "/ams/api/v1/payments/cancel"
	antomRefundPath  = "/ams/api/v1/payments/refund"
	acqpPayPath      = "/aps/api/v1/payments/pay"
	acqpInquiryPath  = "/aps/api/v1/payments/inquiryPayment"
	acqpCancelPath   = "/aps/api/v1/payments/cancelPayment"
	acqpRefundPath   = "/aps/api/v1/payments/refund"

	// An Antom client id starting SANDBOX_ is a sandbox account: all three
	// official SDKs then send to, and sign, /ams/sandbox/api/... instead of
	// /ams/api/... (AdjustSandboxUrl in global-open-sdk-go). No rewrite is
	// documented for Alipay+ /aps.
	sandboxClientPrefix = "SANDBOX_"
	antomAPIPrefix      = "/ams/api/"
	antomSandboxPrefix  = "/ams/sandbox/api/"
)

type op int

const (
	opPay op = iota
	opInquiry
	opCancel
	opRefund
	numOps
)

// endpoint is one call as this client sends it: the path that is signed is
// exactly the path in the URL.
type endpoint struct {
	name         string // for errors and logs
	path         string
	url          string
	changesState bool
}

// Client calls the Alipay+ or Antom in-store payment API. It is immutable
// after NewClient and safe for concurrent use; its keys are parsed and
// prepared once, and one HTTP client with keep-alive connections is reused
// for every call.
type Client struct {
	clientID   string
	key        *rsa.PrivateKey
	alipayKey  *rsa.PublicKey
	keyVersion int
	flavor     Flavor
	ops        [numOps]endpoint
	tr         *transport.Client
	logger     *slog.Logger
}

type settings struct {
	baseURL    string
	flavor     Flavor
	keyVersion int
	httpClient *http.Client
	timeout    time.Duration
	maxRetries int
	logger     *slog.Logger
}

// Option configures a Client in NewClient. Options apply in order; an
// invalid one makes NewClient fail.
type Option func(*settings) error

// WithBaseURL sets the gateway's scheme and host, such as
// "https://open-na-global.alipay.com". It must be https, except for loopback
// hosts (tests and simulators), and carry no path, query or credentials: the
// API path is signed, so it must be exactly the path sent.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := transport.ParseBaseURL(raw)
		if err != nil {
			return errors.New("alipayplus: " + err.Error())
		}
		if u.Path != "" && u.Path != "/" {
			return errors.New("alipayplus: base URL must be scheme and host only")
		}
		s.baseURL = u.Scheme + "://" + u.Host
		return nil
	}
}

// WithFlavor selects the API: FlavorAntom (the default) or FlavorACQP.
func WithFlavor(f Flavor) Option {
	return func(s *settings) error {
		if f != FlavorAntom && f != FlavorACQP {
			return errors.New("alipayplus: unknown flavor")
		}
		s.flavor = f
		return nil
	}
}

// WithKeyVersion sets the keyVersion sent in the Signature header; the
// default is 1. Use the version the portal shows for the uploaded key.
func WithKeyVersion(v int) Option {
	return func(s *settings) error {
		if v < 0 {
			return errors.New("alipayplus: key version must not be negative")
		}
		s.keyVersion = v
		return nil
	}
}

// WithHTTPClient sends requests with a copy of hc that never follows a
// redirect (hc itself is not modified): its Transport decides proxies, TLS
// and connection pooling. Keep its Timeout unset or longer than
// WithTimeout. Without this option the client uses one of its own, with
// keep-alive connections.
//
// Only with net/http's *http.Transport (or a RoundTripper that wraps one and
// passes the request's context through) can the client tell a request that
// never left the machine (a refused connection) from one that may have
// reached the gateway; with any other RoundTripper every failed Pay, Cancel
// or Refund attempt counts as possibly processed.
//
// The client alone decides what is sent again. hc's Transport must not
// retry, replay or hedge requests, nor read a body to keep a copy for
// another attempt: such a resend hides from the client that an earlier
// attempt may have reached the gateway, so a failure the client then sees
// could be taken for "never sent" while the customer was charged. net/http's
// own replays (over HTTP/2 after a stream reset or GOAWAY, over HTTP/1.1
// for a request it deems idempotent) are ruled out by the client, which
// gives no request a GetBody; middleware must not set one. Redirects are
// never followed, whatever hc's CheckRedirect says.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("alipayplus: nil HTTP client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP attempt, from sending the request to reading
// the whole answer (default 5 s). The context passed to a call bounds the
// call as a whole, retries included.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return errors.New("alipayplus: timeout must be positive")
		}
		s.timeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a call is sent again after a network
// error, a 429 or a 5xx (default 2; 0 disables retries). Every call is
// idempotent by its request id, so a retry sends the same bytes and cannot
// pay twice.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 || n > maxRetriesLimit {
			return fmt.Errorf("alipayplus: max retries must be between 0 and %d", maxRetriesLimit)
		}
		s.maxRetries = n
		return nil
	}
}

// WithLogger logs one record per HTTP attempt and one per untrusted response
// (method, path, status, attempt, duration, request_id, step), never a key, a
// signature, a body or a payment code. Nil, the default, means no logs.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// NewClient returns a client for clientID, signing requests with the
// merchant's private key and verifying answers and notifications with
// Alipay's public key (from the portal; not the merchant's own). The keys
// must be RSA of at least 2048 bits; the client keeps its own prepared copy
// of the private key, so later changes to merchantKey have no effect. Every
// error matches ErrInvalidConfig (and so instore.ErrInvalidConfig); a bad
// key also matches ErrInvalidKey.
func NewClient(clientID string, merchantKey *rsa.PrivateKey, alipayKey *rsa.PublicKey, opts ...Option) (*Client, error) {
	if clientID == "" || len(clientID) > maxClientIDLen || strings.ContainsFunc(clientID, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return nil, invalidConfig(errors.New("alipayplus: client id must be 1 to 128 printable ASCII characters"))
	}
	if merchantKey == nil || merchantKey.N == nil {
		return nil, fmt.Errorf("%w: nil merchant private key", ErrInvalidKey)
	}
	if alipayKey == nil || alipayKey.N == nil {
		return nil, fmt.Errorf("%w: nil Alipay public key", ErrInvalidKey)
	}
	if err := checkBits(merchantKey.N.BitLen()); err != nil {
		return nil, err
	}
	if err := checkBits(alipayKey.N.BitLen()); err != nil {
		return nil, err
	}
	if alipayKey.Equal(&merchantKey.PublicKey) {
		return nil, fmt.Errorf("%w: the Alipay public key is the merchant's own public key; use the key Alipay issued", ErrInvalidKey)
	}
	// A private copy, precomputed once: signing with a key whose CRT values
	// are missing would redo that work on every call.
	key := *merchantKey
	key.Precompute()
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%w: merchant private key fails validation", ErrInvalidKey)
	}
	pub := *alipayKey

	s := settings{flavor: FlavorAntom, keyVersion: DefaultKeyVersion, timeout: DefaultTimeout, maxRetries: DefaultMaxRetries}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, invalidConfig(err)
		}
	}
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
		if s.flavor == FlavorACQP {
			s.baseURL = DefaultACQPBaseURL
		}
	}
	maxRetries := s.maxRetries
	if maxRetries == 0 {
		maxRetries = transport.NoRetries
	}
	// The gateway never redirects: a redirect is returned as an unexpected
	// status instead of sending the signed request on.
	hc := transport.HTTPClientWithoutRedirects(s.httpClient)
	tr, err := transport.New(transport.Config{
		HTTPClient: hc,
		Timeout:    s.timeout,
		MaxRetries: maxRetries,
		UserAgent:  "instore-go/" + instore.Version + " alipayplus",
		Logger:     s.logger,
		Service:    "alipayplus",
	})
	if err != nil {
		return nil, invalidConfig(fmt.Errorf("alipayplus: %w", err))
	}
	c := &Client{
		clientID:   clientID,
		key:        &key,
		alipayKey:  &pub,
		keyVersion: s.keyVersion,
		flavor:     s.flavor,
		tr:         tr,
		logger:     s.logger,
	}
	c.ops = endpoints(s.flavor, clientID, s.baseURL)
	return c, nil
}

// endpoints returns the calls of a flavour, with the sandbox rewrite applied.
func endpoints(f Flavor, clientID, baseURL string) [numOps]endpoint {
	var e [numOps]endpoint
	if f == FlavorACQP {
		e[opPay] = endpoint{name: "pay", path: acqpPayPath, changesState: true}
		e[opInquiry] = endpoint{name: "inquiryPayment", path: acqpInquiryPath}
		e[opCancel] = endpoint{name: "cancelPayment", path: acqpCancelPath, changesState: true}
		e[opRefund] = endpoint{name: "refund", path: acqpRefundPath, changesState: true}
	} else {
		e[opPay] = endpoint{name: "pay", path: antomPayPath, changesState: true}
		e[opInquiry] = endpoint{name: "inquiryPayment", path: antomInquiryPath}
		e[opCancel] = endpoint{name: "cancel", path: antomCancelPath, changesState: true}
		e[opRefund] = endpoint{name: "refund", path: antomRefundPath, changesState: true}
		if strings.HasPrefix(clientID, sandboxClientPrefix) {
			for i := range e {
				e[i].path = antomSandboxPrefix + strings.TrimPrefix(e[i].path, antomAPIPrefix)
			}
		}
	}
	for i := range e {
		e[i].url = baseURL + e[i].path
	}
	return e
}

// Flavor reports which API the client speaks.
func (c *Client) Flavor() Flavor { return c.flavor }

// ClientID reports the client id requests are sent under.
func (c *Client) ClientID() string { return c.clientID }
