package instoretest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Omise endpoints, for faults and the request log.
const (
	OmiseCreateSource Endpoint = "POST /sources"
	OmiseGetSource    Endpoint = "GET /sources/{id}"
	OmiseCreateCharge Endpoint = "POST /charges"
	OmiseListCharges  Endpoint = "GET /charges"
	OmiseGetCharge    Endpoint = "GET /charges/{id}"
	OmiseExpireCharge Endpoint = "POST /charges/{id}/expire"
	OmiseMarkAsPaid   Endpoint = "POST /charges/{id}/mark_as_paid"
	OmiseMarkAsFailed Endpoint = "POST /charges/{id}/mark_as_failed"
	OmiseCreateRefund Endpoint = "POST /charges/{id}/refunds"
	OmiseListRefunds  Endpoint = "GET /charges/{id}/refunds"
	OmiseGetRefund    Endpoint = "GET /charges/{id}/refunds/{id}"
	OmiseListEvents   Endpoint = "GET /events"
	OmiseGetEvent     Endpoint = "GET /events/{id}"
	// OmiseDownloadDocument is the download_uri of a QR code image.
	OmiseDownloadDocument Endpoint = "GET /charges/{id}/documents/{id}/downloads/{token}"
)

// OmiseRequestIDKey is the charge metadata key the simulator files a charge
// under in its ledger: a checkout sends metadata[instore_request_id]=<id>.
const OmiseRequestIDKey = "instore_request_id"

// OmiseRefundRequestIDKey is the refund metadata key the simulator files a
// refund under (RefundEntry.RefundRequestID): a checkout sends
// metadata[instore_refund_request_id]=<id> with each refund.
const OmiseRefundRequestIDKey = "instore_refund_request_id"

// Omise simulates the Opn Payments (Omise) REST API for in-store wallet
// charges. Create it with NewOmise or NewOmiseT; it is safe for concurrent
// use.
type Omise struct {
	*core
	cfg *config

	publicKey, secretKey, webhookSecret string
	webhookClient                       *http.Client
	routes                              []omiseRoute

	// Guarded by core.mu.
	seq      uint64
	salt     string
	sources  map[string]*omiseSource
	charges  map[string]*omiseCharge
	chargeL  []*omiseCharge
	events   map[string]*omiseEvent
	eventL   []*omiseEvent
	scripts  map[string]Plan
	presents map[string]Plan // by request id, for merchant-presented charges
	ledger   ledgerIndex[*omiseCharge]
	versions map[string]int
}

// NewOmise returns a running Omise simulator. Its loopback server starts on
// the first call to URL; HTTPClient reaches it in process. Close it when
// done (NewOmiseT does that for a test).
func NewOmise(opts ...Option) *Omise {
	cfg := newConfig(opts)
	o := &Omise{
		cfg:           cfg,
		publicKey:     cfg.publicKey,
		secretKey:     cfg.secretKey,
		webhookSecret: cfg.webhookSecret,
		webhookClient: cfg.webhookClient,
		salt:          randomBase36(6),
		sources:       make(map[string]*omiseSource),
		charges:       make(map[string]*omiseCharge),
		events:        make(map[string]*omiseEvent),
		scripts:       make(map[string]Plan),
		presents:      make(map[string]Plan),
		ledger:        newLedgerIndex[*omiseCharge](),
		versions:      make(map[string]int),
	}
	if o.publicKey == "" {
		o.publicKey = "pkey_test_" + randomBase36(19)
	}
	if o.secretKey == "" {
		o.secretKey = "skey_test_" + randomBase36(19)
	}
	if o.webhookSecret == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		o.webhookSecret = base64.StdEncoding.EncodeToString(b)
	}
	o.core = newCore(cfg)
	o.core.handle = o.handle
	o.core.route = o.route
	o.storm = o.startStorm
	o.routes = omiseRoutes()
	if o.webhookClient == nil && cfg.webhookURL != "" {
		var closeIdle func()
		o.webhookClient, closeIdle = newDeliveryClient()
		o.closers = append(o.closers, closeIdle)
	}
	return o
}

// NewOmiseT is NewOmise for a test: the simulator is closed when the test
// ends.
func NewOmiseT(t testing.TB, opts ...Option) *Omise {
	t.Helper()
	o := NewOmise(opts...)
	t.Cleanup(o.Close)
	return o
}

// PublicKey returns the public key (pkey_test_…) the simulator accepts on
// POST /sources.
func (o *Omise) PublicKey() string { return o.publicKey }

// SecretKey returns the secret key (skey_test_…) the simulator accepts on
// every endpoint.
func (o *Omise) SecretKey() string { return o.secretKey }

// WebhookSecret returns the webhook secret, base64 as the dashboard shows
// it, that signs webhook deliveries.
func (o *Omise) WebhookSecret() string { return o.webhookSecret }

// Script makes every charge made with code follow p instead of the outcome
// its last digits choose.
func (o *Omise) Script(code string, p Plan) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.scripts[code] = p
}

// Payments returns the ledger entries of the charges made for requestID
// (metadata instore_request_id), oldest first.
func (o *Omise) Payments(requestID string) []LedgerEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.entriesLocked(o.ledger.byRequest[requestID])
}

// PaymentsByCode returns the ledger entries of the charges made with the
// payment code, oldest first.
func (o *Omise) PaymentsByCode(code string) []LedgerEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.entriesLocked(o.ledger.byCode[code])
}

// AllPayments returns the ledger entries of every charge, oldest first.
func (o *Omise) AllPayments() []LedgerEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.entriesLocked(o.chargeL)
}

// RequestIDs returns every request id seen in a created charge, in order.
func (o *Omise) RequestIDs() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ledger.requestIDs()
}

// APIVersions counts the requests seen per Omise-Version header value (""
// for requests without one).
func (o *Omise) APIVersions() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := make(map[string]int, len(o.versions))
	for k, v := range o.versions {
		m[k] = v
	}
	return m
}

func (o *Omise) entriesLocked(list []*omiseCharge) []LedgerEntry {
	out := make([]LedgerEntry, 0, len(list))
	for _, ch := range list {
		o.settleLocked(ch)
		out = append(out, ch.entry())
	}
	return out
}

func (o *Omise) newIDLocked(prefix string) string {
	o.seq++
	s := strconv.FormatUint(o.seq, 36)
	return prefix + o.salt + strings.Repeat("0", max(13-len(s), 0)) + s
}

// keyKind is which keys an endpoint accepts.
type keyKind int

const (
	secretOnly keyKind = iota
	publicOrSecret
)

type omiseRoute struct {
	method   string
	segments []string // "*" matches one path segment
	endpoint Endpoint
	keys     keyKind
	serve    func(o *Omise, ex *exchange) reply
}

// omiseRoutes is the routing table. Issue-level additions (documents for
// QR sources) are new rows.
func omiseRoutes() []omiseRoute {
	return []omiseRoute{
		{http.MethodPost, []string{"sources"}, OmiseCreateSource, publicOrSecret, (*Omise).createSource},
		{http.MethodGet, []string{"sources", "*"}, OmiseGetSource, secretOnly, (*Omise).getSource},
		{http.MethodPost, []string{"charges"}, OmiseCreateCharge, secretOnly, (*Omise).createCharge},
		{http.MethodGet, []string{"charges"}, OmiseListCharges, secretOnly, (*Omise).listCharges},
		{http.MethodGet, []string{"charges", "*"}, OmiseGetCharge, secretOnly, (*Omise).getCharge},
		{http.MethodPost, []string{"charges", "*", "expire"}, OmiseExpireCharge, secretOnly, (*Omise).expireCharge},
		{http.MethodPost, []string{"charges", "*", "mark_as_paid"}, OmiseMarkAsPaid, secretOnly, (*Omise).markAsPaid},
		{http.MethodPost, []string{"charges", "*", "mark_as_failed"}, OmiseMarkAsFailed, secretOnly, (*Omise).markAsFailed},
		{http.MethodPost, []string{"charges", "*", "refunds"}, OmiseCreateRefund, secretOnly, (*Omise).createRefund},
		{http.MethodGet, []string{"charges", "*", "refunds"}, OmiseListRefunds, secretOnly, (*Omise).listRefunds},
		{http.MethodGet, []string{"charges", "*", "refunds", "*"}, OmiseGetRefund, secretOnly, (*Omise).getRefund},
		{http.MethodGet, []string{"events"}, OmiseListEvents, secretOnly, (*Omise).listEvents},
		{http.MethodGet, []string{"events", "*"}, OmiseGetEvent, secretOnly, (*Omise).getEvent},
		{http.MethodGet, []string{"charges", "*", "documents", "*", "downloads", "*"}, OmiseDownloadDocument, secretOnly, (*Omise).downloadDocument},
	}
}

func (o *Omise) match(method, path string) (*omiseRoute, []string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range o.routes {
		rt := &o.routes[i]
		if rt.method != method || len(rt.segments) != len(segs) {
			continue
		}
		var params []string
		ok := true
		for j, s := range rt.segments {
			switch {
			case s == "*" && segs[j] != "":
				params = append(params, segs[j])
			case s != segs[j]:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			return rt, params
		}
	}
	return nil, nil
}

// route names the endpoint and the sale a request is about, for faults.
func (o *Omise) route(ex *exchange) {
	rt, params := o.match(ex.r.Method, ex.r.URL.Path)
	if rt == nil {
		return
	}
	ex.endpoint, ex.params = rt.endpoint, params
	switch {
	case rt.endpoint == OmiseCreateCharge:
		if form, err := url.ParseQuery(string(ex.body)); err == nil {
			ex.key = form.Get("metadata[" + OmiseRequestIDKey + "]")
		}
	case len(params) > 0 && len(rt.segments) > 1 && rt.segments[0] == "charges":
		ex.key = params[0]
		o.mu.Lock()
		if ch, ok := o.charges[params[0]]; ok && ch.requestID != "" {
			ex.key = ch.requestID
		}
		o.mu.Unlock()
	case len(params) > 0:
		ex.key = params[0]
	}
}

// supportedVersions are the Omise-Version values the API documents.
func supportedVersion(v string) bool {
	switch v {
	case "", "2019-05-29", "2017-11-02", "2015-11-17", "2014-07-27":
		return true
	}
	return false
}

func (o *Omise) handle(ex *exchange) reply {
	if ex.readErr {
		return omiseError(http.StatusBadRequest, "bad_request", "request body is too large or unreadable")
	}
	rt, _ := o.match(ex.r.Method, ex.r.URL.Path)
	if rt == nil {
		return omiseError(http.StatusNotFound, "not_found", "the requested resource was not found")
	}
	version := ex.r.Header.Get("Omise-Version")
	o.mu.Lock()
	o.versions[version]++
	o.mu.Unlock()
	user, pass, ok := ex.r.BasicAuth()
	authorised := ok && pass == "" && (user == o.secretKey || (rt.keys == publicOrSecret && user == o.publicKey))
	if !authorised {
		return omiseError(http.StatusUnauthorized, "authentication_failure", "authentication failed")
	}
	if !supportedVersion(version) {
		return omiseError(http.StatusBadRequest, "bad_request", "api version is not supported")
	}
	if rt.endpoint == OmiseCreateSource && version != "" && version < "2017-11-02" {
		return omiseError(http.StatusBadRequest, "bad_request", "sources require api version 2017-11-02 or later")
	}
	if ex.r.Method == http.MethodPost && len(ex.body) > 0 {
		ct := ex.r.Header.Get("Content-Type")
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		if !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
			return omiseError(http.StatusBadRequest, "bad_request", "request body must be form encoded")
		}
	}
	switch ex.fault.Kind {
	case FaultNotFound:
		if rep, ok := omiseNotFound(rt); ok {
			return rep
		}
	case FaultForeign:
		return o.foreignOmise(ex, rt)
	}
	return rt.serve(o, ex)
}

func randomBase36(n int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return string(b)
}
