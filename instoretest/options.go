package instoretest

import (
	"net/http"
	"time"
)

// Option configures a simulator. Options that concern only one of the
// simulators are ignored by the other.
type Option func(*config)

type config struct {
	seed  uint64
	clock func() time.Time
	http2 bool

	// Omise
	publicKey, secretKey, webhookSecret string
	webhookURL                          string
	webhookClient                       *http.Client

	// Alipay+
	clientID     string
	keys         *AlipayPlusKeys
	notifyURL    string
	notifyClient *http.Client

	// PPRO
	ppro pproConfig

	// deliveries (both)
	retries int
	backoff time.Duration
}

func newConfig(opts []Option) *config {
	cfg := &config{seed: 1, retries: 3, backoff: time.Second}
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	return cfg
}

// WithSeed seeds the random faults (SetRandomFaults). The default seed is 1,
// so runs are reproducible unless a test asks otherwise.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithClock sets the wall clock the simulator reads for timestamps and for
// windows measured on the calendar: the Alipay+ cancel window (00:15 UTC+8
// the next day) and the Omise void window. Durations (delays, payments that
// complete after a while, delivery backoff) always use package time, so
// that they run on virtual time inside a testing/synctest bubble.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithOmiseKeys sets the Omise public and secret keys the simulator accepts
// (defaults: generated pkey_test_… and skey_test_… keys).
func WithOmiseKeys(publicKey, secretKey string) Option {
	return func(c *config) { c.publicKey, c.secretKey = publicKey, secretKey }
}

// WithWebhookSecret sets the Omise webhook secret, base64 as the dashboard
// shows it (default: 32 random bytes).
func WithWebhookSecret(secret string) Option { return func(c *config) { c.webhookSecret = secret } }

// WithWebhookURL makes the Omise simulator deliver every event, signed, to
// url.
func WithWebhookURL(url string) Option { return func(c *config) { c.webhookURL = url } }

// WithWebhookClient sets the client that delivers Omise webhooks (default: a
// client of the simulator's own). HandlerClient gives one that calls a
// handler in process.
func WithWebhookClient(hc *http.Client) Option { return func(c *config) { c.webhookClient = hc } }

// WithClientID sets the Alipay+ client id (default "TEST_5X00000000000000").
// An id starting with SANDBOX_ serves the Antom sandbox paths
// (/ams/sandbox/api/...) instead of /ams/api/....
func WithClientID(id string) Option { return func(c *config) { c.clientID = id } }

// WithAlipayPlusKeys gives the Alipay+ simulator its key pairs, so that a
// test suite generates them once (GenerateAlipayPlusKeys) instead of once
// per simulator.
func WithAlipayPlusKeys(k *AlipayPlusKeys) Option { return func(c *config) { c.keys = k } }

// WithNotifyURL makes the Alipay+ simulator send a signed notifyPayment to
// url whenever a payment reaches a final result (S or F), unless the pay
// request named its own paymentNotifyUrl. The PPRO simulator sends its
// notifications there when a TRANSACTION named no notificationurl.
func WithNotifyURL(url string) Option { return func(c *config) { c.notifyURL = url } }

// WithNotifyClient sets the client that delivers Alipay+ and PPRO
// notifications (default: a client of the simulator's own).
func WithNotifyClient(hc *http.Client) Option { return func(c *config) { c.notifyClient = hc } }

// WithDeliveryRetries sets how many times a webhook or notification the
// receiver did not acknowledge is sent again, and the first wait between
// attempts, doubled each time (defaults: 3 retries, 1 s).
func WithDeliveryRetries(retries int, backoff time.Duration) Option {
	return func(c *config) {
		c.retries = max(retries, 0)
		if backoff > 0 {
			c.backoff = backoff
		}
	}
}

// WithHTTP2 makes the loopback server (URL) speak HTTP/2 cleartext with
// prior knowledge as well as HTTP/1.1, so that FaultStreamReset resets an
// HTTP/2 stream there; an http.Transport whose Protocols hold only
// UnencryptedHTTP2 reaches it that way. The in-process client is not
// affected: it always behaves as an HTTP/2 client would on a reset stream.
func WithHTTP2() Option { return func(c *config) { c.http2 = true } }
