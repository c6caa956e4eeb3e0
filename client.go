package instore

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/instorepay/instore/internal/transport"
)

// Wire defaults for the Omise API.
const (
	// DefaultBaseURL is the Omise API. Sources are created there too, with
	// the public key.
	DefaultBaseURL = "https://api.omise.co"
	// DefaultAPIVersion is sent as Omise-Version on every request, so that
	// the account's dashboard setting cannot change what the SDK decodes.
	// It is the latest version Omise documents (docs.omise.co/api-versioning).
	DefaultAPIVersion = "2019-05-29"
)

// Client is a client of the Opn Payments (Omise) REST API. It is immutable
// after NewClient and safe for concurrent use; create one per process (or
// per key set) and share it, so that its connections are reused.
//
// A call succeeds only on a 2xx answer decoded in full. Any other answer is
// an *APIError, an unreadable 2xx a *DecodeError, and a failed exchange an
// error naming the method and path. Whenever a call that may have changed
// state (every POST) got no answer that can be trusted, the error matches
// ErrOutcomeUnknown. GETs are retried on network errors, 429 and 5xx; a POST
// is retried only on 429, or when it provably never left the machine.
type Client struct {
	Sources *SourceService // payment sources
	Charges *ChargeService // charges: create, follow, expire
	Refunds *RefundService // refunds of a charge
	Events  *EventService  // the account's events
	// Documents downloads files Omise serves, such as QR code images.
	Documents *DocumentService

	common    service // shared by the services, so they cost no allocation
	transport *transport.Client
	baseURL   string

	// Headers for calls with the client's own keys, built once and never
	// modified: no body (GET, expire), form body, form body with the
	// public key (Sources.Create).
	hdrPlain, hdrForm, hdrFormPublic http.Header
	apiVersion, userAgent            string
	// secrets are the keys and their Basic-auth forms, cut from any text a
	// server sends back before it reaches an error.
	secrets []string
}

// service is what every service holds: the client.
type service struct {
	client *Client
}

// config collects the options of NewClient.
type config struct {
	publicKey  string
	httpClient *http.Client
	baseURL    string
	apiVersion string
	maxRetries int
	timeout    time.Duration
	logger     *slog.Logger
	appName    string
	appVersion string
	retriesSet bool
}

// Option configures a Client. Options are applied in order; a bad one makes
// NewClient fail with an error that matches ErrInvalidConfig.
type Option func(*config) error

// NewClient returns a client that authenticates with secretKey (skey_...).
// The key is validated for shape only; a wrong key shows as ErrAuthentication
// on the first call.
func NewClient(secretKey string, opts ...Option) (*Client, error) {
	if err := checkKey(secretKey, "secret"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(secretKey, "pkey_") {
		return nil, configError("the secret key looks like a public key (pkey_)")
	}
	cfg := config{baseURL: DefaultBaseURL, apiVersion: DefaultAPIVersion}
	for _, opt := range opts {
		if opt == nil {
			return nil, configError("nil option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}

	// Redirects are never followed: net/http would turn a redirected POST
	// into a GET, or replay a charge to another URL, and the Omise API does
	// not redirect. A 3xx is returned as an *APIError instead.
	hc := transport.HTTPClientWithoutRedirects(cfg.httpClient)

	ua := "instore-go/" + Version + " (" + runtime.Version() + ")"
	if cfg.appName != "" {
		ua += " " + cfg.appName
		if cfg.appVersion != "" {
			ua += "/" + cfg.appVersion
		}
	}
	tcfg := transport.Config{
		HTTPClient: hc,
		Timeout:    cfg.timeout,
		UserAgent:  ua,
		Logger:     cfg.logger,
		Service:    "omise",
	}
	if cfg.retriesSet {
		tcfg.MaxRetries = cfg.maxRetries
		if cfg.maxRetries == 0 {
			tcfg.MaxRetries = transport.NoRetries
		}
	}
	t, err := transport.New(tcfg)
	if err != nil {
		return nil, configError("transport settings")
	}

	c := &Client{
		transport:  t,
		baseURL:    cfg.baseURL,
		apiVersion: cfg.apiVersion,
		userAgent:  ua,
	}
	c.common.client = c
	c.Sources = (*SourceService)(&c.common)
	c.Charges = (*ChargeService)(&c.common)
	c.Refunds = (*RefundService)(&c.common)
	c.Events = (*EventService)(&c.common)
	c.Documents = (*DocumentService)(&c.common)

	publicKey := cfg.publicKey
	if publicKey == "" {
		publicKey = secretKey
	}
	c.hdrPlain = c.newHeader(basicAuth(secretKey), false)
	c.hdrForm = c.newHeader(basicAuth(secretKey), true)
	c.hdrFormPublic = c.newHeader(basicAuth(publicKey), true)
	c.secrets = appendSecrets(nil, secretKey, cfg.publicKey)
	return c, nil
}

// newHeader builds the headers of one call.
func (c *Client) newHeader(auth string, form bool) http.Header {
	h := make(http.Header, 6)
	h["Authorization"] = []string{auth}
	h["Omise-Version"] = []string{c.apiVersion}
	h["User-Agent"] = []string{c.userAgent}
	h["Accept"] = []string{"application/json"}
	if form {
		h["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	}
	return h
}

// basicAuth is the Authorization value Omise expects: the key as the user
// name and an empty password.
func basicAuth(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

// appendSecrets adds each key and its Basic-auth token to secrets.
func appendSecrets(secrets []string, keys ...string) []string {
	for _, k := range keys {
		if k != "" {
			secrets = append(secrets, k, strings.TrimPrefix(basicAuth(k), "Basic "))
		}
	}
	return secrets
}

// checkKey validates the shape of an Omise key: visible ASCII, no colon
// (which would end the Basic-auth user name). The key never appears in the
// error.
func checkKey(key, kind string) error {
	if key == "" {
		return configError("empty " + kind + " key")
	}
	if len(key) > 256 {
		return configError(kind + " key too long")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return configError(kind + " key contains a space, a colon or a control character")
		}
	}
	return nil
}

// WithPublicKey sets the public key (pkey_...), used by Sources.Create only.
// Without it Sources.Create uses the secret key, which Omise also accepts.
func WithPublicKey(key string) Option {
	return func(c *config) error {
		if err := checkKey(key, "public"); err != nil {
			return err
		}
		if strings.HasPrefix(key, "skey_") {
			return configError("the public key looks like a secret key (skey_)")
		}
		c.publicKey = key
		return nil
	}
}

// WithHTTPClient sets the *http.Client requests go through, for a proxy, a
// custom TLS setup or instrumentation. The client is copied, never modified,
// except that the copy follows no redirects: its CheckRedirect is replaced,
// so a 3xx comes back as an *APIError instead of sending a charge on to
// wherever the Location header points. Its Timeout, if any, bounds every
// attempt in addition to WithTimeout.
//
// The client alone decides what is sent again, and never sends a charge or
// a refund again once it may have reached Omise; hc must not undo that:
//
//   - its Transport must not retry, replay or hedge requests (retry
//     middleware, a proxy client that resends on failure), nor read a
//     request's body to keep a copy for another attempt: one charge would
//     become two;
//   - net/http's own replays (over HTTP/2 after a stream reset or GOAWAY,
//     over HTTP/1.1 for a request with an Idempotency-Key) are ruled out by
//     the client, which gives no request a GetBody; middleware must not set
//     one;
//   - use net/http's *http.Transport, or a RoundTripper that wraps one and
//     passes the request's context through: the client learns from its
//     httptrace events that a request never left the machine. Without them
//     every failed POST counts as possibly processed, matches
//     ErrOutcomeUnknown and is not retried.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return configError("nil HTTP client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithBaseURL sets the API's base URL, DefaultBaseURL by default, for a
// proxy or a simulator. It must be https, except on a loopback host
// (localhost, 127.0.0.0/8, ::1), where http is allowed for tests. It may have
// a path prefix, but no query, fragment or user information.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		base, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.baseURL = base
		return nil
	}
}

func parseBaseURL(raw string) (string, error) {
	u, err := transport.ParseBaseURL(raw)
	if err != nil {
		return "", configError(err.Error())
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// WithAPIVersion sets the Omise-Version header, DefaultAPIVersion by
// default. The models are written for 2019-05-29; other versions may decode
// with fields missing.
func WithAPIVersion(v string) Option {
	return func(c *config) error {
		if !isToken(v, 32) {
			return configError("API version must be a short token such as 2019-05-29")
		}
		c.apiVersion = v
		return nil
	}
}

// WithMaxRetries sets how many times a call is retried after the first
// attempt (default 2); 0 disables retries. Only calls that are safe to send
// again are retried (see Client).
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return configError("max retries must not be negative")
		}
		c.maxRetries, c.retriesSet = n, true
		return nil
	}
}

// WithTimeout bounds each attempt, from sending the request to reading the
// whole answer (default 30s). The context bounds the call as a whole,
// retries included; a POS should give each sale a context with a deadline.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return configError("timeout must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithLogger sends one record per attempt to l: method, path, status,
// attempt, duration, never a key, a header or a body. Nil, the default,
// means no logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithAppInfo adds "name/version" to the User-Agent, so that Omise (and
// your proxy logs) can tell your application's traffic apart. version may be
// empty.
func WithAppInfo(name, version string) Option {
	return func(c *config) error {
		if !isToken(name, 64) || (version != "" && !isToken(version, 64)) {
			return configError("app name and version must be short tokens without spaces, slashes or parentheses")
		}
		c.appName, c.appVersion = name, version
		return nil
	}
}

// isToken reports whether s is 1 to maxLen visible ASCII characters other than
// the ones that structure a User-Agent.
func isToken(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`/()\";,`, c) >= 0 {
			return false
		}
	}
	return true
}
