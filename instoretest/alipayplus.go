package instoretest

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Alipay+ endpoints, for faults and the request log. Each covers both
// flavours: AlipayPlusCancel is /ams/.../cancel and /aps/.../cancelPayment.
const (
	AlipayPlusPay            Endpoint = "pay"
	AlipayPlusInquiryPayment Endpoint = "inquiryPayment"
	AlipayPlusCancel         Endpoint = "cancel"
	AlipayPlusRefund         Endpoint = "refund"
)

// DefaultAlipayPlusClientID is the client id of a simulator given none (the
// sample id of the Alipay+ signing documentation).
const DefaultAlipayPlusClientID = "TEST_5X00000000000000"

// flavour is which of the two APIs a request came through.
type flavour int

const (
	flavourAMS flavour = iota // Antom merchant API, /ams/api/v1/payments/...
	flavourAPS                // Alipay+ ACQP API, /aps/api/v1/payments/...
)

// Path prefixes of the two flavours (reference alipayplus.md, section 1).
// The Antom SDKs rewrite /ams/api to /ams/sandbox/api for SANDBOX_ client
// ids, before signing.
const (
	amsPrefix        = "/ams/api/v1/payments/"
	amsSandboxPrefix = "/ams/sandbox/api/v1/payments/"
	apsPrefix        = "/aps/api/v1/payments/"
	sandboxIDPrefix  = "SANDBOX_"
)

// signatureInvalidCode is the code of the unsigned answer to a request
// whose signature does not verify. The Antom pay page (seed) lists
// SIGNATURE_INVALID; the Alipay+ gateway and its copies answer
// INVALID_SIGNATURE (reference alipayplus.md, 3.5).
func signatureInvalidCode(f flavour) string {
	if f == flavourAMS {
		return "SIGNATURE_INVALID"
	}
	return "INVALID_SIGNATURE"
}

// AlipayPlus simulates the Alipay+ consumer-presented (user-presented) mode
// APIs, both the Antom flavour (/ams/...) and the Alipay+ ACQP flavour
// (/aps/...). Create it with NewAlipayPlus or NewAlipayPlusT; it is safe for
// concurrent use.
type AlipayPlus struct {
	*core
	cfg          *config
	clientID     string
	keys         func() (*AlipayPlusKeys, error)
	notifyClient *http.Client

	// Guarded by core.mu.
	seq      uint64
	payments map[string]*apPayment // by paymentRequestId
	byID     map[string]*apPayment // by paymentId
	list     []*apPayment
	refunds  map[string]*apRefund // by refundRequestId
	refundL  []*apRefund
	// closed holds the paymentRequestIds a cancel closed before any
	// payment was made under them, with the time of the cancel.
	closed   map[string]time.Time
	scripts  map[string]Plan
	presents map[string]Plan // by paymentRequestId, for order codes
	ledger   ledgerIndex[*apPayment]
}

// NewAlipayPlus returns a running Alipay+ simulator. Its key pairs are
// generated on first use unless WithAlipayPlusKeys gives them. Its loopback
// server starts on the first call to URL; HTTPClient reaches it in process.
func NewAlipayPlus(opts ...Option) *AlipayPlus {
	cfg := newConfig(opts)
	a := &AlipayPlus{
		cfg:          cfg,
		clientID:     cfg.clientID,
		notifyClient: cfg.notifyClient,
		payments:     make(map[string]*apPayment),
		byID:         make(map[string]*apPayment),
		refunds:      make(map[string]*apRefund),
		closed:       make(map[string]time.Time),
		scripts:      make(map[string]Plan),
		presents:     make(map[string]Plan),
		ledger:       newLedgerIndex[*apPayment](),
	}
	if a.clientID == "" {
		a.clientID = DefaultAlipayPlusClientID
	}
	if cfg.keys != nil {
		k := cfg.keys
		a.keys = func() (*AlipayPlusKeys, error) { return k, nil }
	} else {
		a.keys = sync.OnceValues(GenerateAlipayPlusKeys)
	}
	a.core = newCore(cfg)
	a.core.handle = a.handle
	a.core.route = a.route
	a.storm = a.startStorm
	if a.notifyClient == nil {
		var closeIdle func()
		a.notifyClient, closeIdle = newDeliveryClient()
		a.closers = append(a.closers, closeIdle)
	}
	return a
}

// NewAlipayPlusT is NewAlipayPlus for a test: the simulator is closed when
// the test ends.
func NewAlipayPlusT(t testing.TB, opts ...Option) *AlipayPlus {
	t.Helper()
	a := NewAlipayPlus(opts...)
	t.Cleanup(a.Close)
	return a
}

// ClientID returns the client id requests must carry in Client-Id.
func (a *AlipayPlus) ClientID() string { return a.clientID }

// Keys returns the simulator's key pairs, generating them on first use, so
// that they can be handed to the next simulator (WithAlipayPlusKeys). It
// panics only if the system's random source fails.
func (a *AlipayPlus) Keys() *AlipayPlusKeys {
	k, err := a.keys()
	if err != nil {
		panic("instoretest: generate alipay+ keys: " + err.Error())
	}
	return k
}

// MerchantPrivateKey returns the merchant's private key, which a client
// signs its requests with.
func (a *AlipayPlus) MerchantPrivateKey() *rsa.PrivateKey { return a.Keys().Merchant }

// AlipayPublicKey returns the public key a client verifies answers and
// notifications with.
func (a *AlipayPlus) AlipayPublicKey() *rsa.PublicKey { return &a.Keys().Alipay.PublicKey }

// MerchantPrivateKeyPEM returns MerchantPrivateKey as PKCS #8 PEM.
func (a *AlipayPlus) MerchantPrivateKeyPEM() []byte { return PrivateKeyPEM(a.MerchantPrivateKey()) }

// AlipayPublicKeyPEM returns AlipayPublicKey as PEM SubjectPublicKeyInfo.
func (a *AlipayPlus) AlipayPublicKeyPEM() []byte { return PublicKeyPEM(a.AlipayPublicKey()) }

// Script makes every payment made with code follow p instead of the
// outcome its last digits choose.
func (a *AlipayPlus) Script(code string, p Plan) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.scripts[code] = p
}

// Payments returns the ledger entries of the payments made for requestID
// (paymentRequestId): at most one, since pay is idempotent.
func (a *AlipayPlus) Payments(requestID string) []LedgerEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.entriesLocked(a.ledger.byRequest[requestID])
}

// PaymentsByCode returns the ledger entries of the payments made with the
// payment code, oldest first.
func (a *AlipayPlus) PaymentsByCode(code string) []LedgerEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.entriesLocked(a.ledger.byCode[code])
}

// AllPayments returns the ledger entries of every payment, oldest first.
func (a *AlipayPlus) AllPayments() []LedgerEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.entriesLocked(a.list)
}

// RequestIDs returns every paymentRequestId that created a payment, in
// order.
func (a *AlipayPlus) RequestIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ledger.requestIDs()
}

func (a *AlipayPlus) entriesLocked(list []*apPayment) []LedgerEntry {
	out := make([]LedgerEntry, 0, len(list))
	for _, p := range list {
		a.settleLocked(p)
		out = append(out, p.entry())
	}
	return out
}

// parsePath splits an Alipay+ path into its flavour and endpoint.
func (a *AlipayPlus) parsePath(path string) (flavour, Endpoint, bool) {
	sandbox := strings.HasPrefix(a.clientID, sandboxIDPrefix)
	var f flavour
	var op string
	switch {
	case strings.HasPrefix(path, amsPrefix) && !sandbox:
		f, op = flavourAMS, path[len(amsPrefix):]
	case strings.HasPrefix(path, amsSandboxPrefix) && sandbox:
		f, op = flavourAMS, path[len(amsSandboxPrefix):]
	case strings.HasPrefix(path, apsPrefix):
		f, op = flavourAPS, path[len(apsPrefix):]
	default:
		return 0, "", false
	}
	switch {
	case op == "pay":
		return f, AlipayPlusPay, true
	case op == "inquiryPayment":
		return f, AlipayPlusInquiryPayment, true
	case op == "cancel" && f == flavourAMS, op == "cancelPayment" && f == flavourAPS:
		return f, AlipayPlusCancel, true
	case op == "refund":
		return f, AlipayPlusRefund, true
	}
	return 0, "", false
}

// route names the endpoint and the sale (paymentRequestId, else paymentId).
func (a *AlipayPlus) route(ex *exchange) {
	_, ep, ok := a.parsePath(ex.r.URL.Path)
	if !ok || ex.r.Method != http.MethodPost {
		return
	}
	ex.endpoint = ep
	var ids struct {
		PaymentRequestID string `json:"paymentRequestId"`
		PaymentID        string `json:"paymentId"`
	}
	if json.Unmarshal(ex.body, &ids) == nil {
		ex.key = ids.PaymentRequestID
		if ex.key == "" {
			ex.key = ids.PaymentID
			a.mu.Lock()
			if p, ok := a.byID[ids.PaymentID]; ok {
				ex.key = p.requestID
			}
			a.mu.Unlock()
		}
	}
}

// apResult is the result envelope of every answer.
type apResult struct {
	ResultCode    string `json:"resultCode"`
	ResultStatus  string `json:"resultStatus"`
	ResultMessage string `json:"resultMessage"`
}

func apResultOf(status, code string) apResult {
	return apResult{ResultCode: code, ResultStatus: status, ResultMessage: apMessage(code)}
}

func apMessage(code string) string {
	switch code {
	case "SUCCESS":
		return "success"
	case "PAYMENT_IN_PROCESS":
		return "The payment is being processed."
	case "UNKNOWN_EXCEPTION":
		return "An API calling is failed, which is caused by unknown reasons."
	case "ORDER_NOT_EXIST":
		return "The order does not exist."
	case "ORDER_IS_CLOSED":
		return "The order is closed."
	case "ORDER_IS_CANCELED":
		return "The order is canceled."
	case "REPEAT_REQ_INCONSISTENT":
		return "Repeated requests are inconsistent."
	case "CANCEL_WINDOW_EXCEED":
		return "The cancellation window has passed."
	case "PARAM_ILLEGAL":
		return "Illegal parameters exist."
	case "USER_BALANCE_NOT_ENOUGH":
		return "The user balance is not enough for the payment."
	case "RISK_REJECT":
		return "The request is rejected because of the risk control."
	case "EXPIRED_CODE":
		return "The code is expired."
	case "INVALID_CODE":
		return "The code is invalid."
	case "PROCESS_FAIL":
		return "A general business failure occurred. Do not retry."
	}
	return strings.ToLower(strings.ReplaceAll(code, "_", " "))
}

// apUnsigned is an answer the gateway sends without a signature.
func apUnsigned(status int, code string) reply {
	b, _ := json.Marshal(struct {
		Result apResult `json:"result"`
	}{apResultOf("F", code)})
	return jsonReply(status, b)
}

func (a *AlipayPlus) handle(ex *exchange) reply {
	f, ep, ok := a.parsePath(ex.r.URL.Path)
	switch {
	case !ok:
		return apUnsigned(http.StatusNotFound, "API_INVALID")
	case ex.r.Method != http.MethodPost:
		return apUnsigned(http.StatusMethodNotAllowed, "METHOD_NOT_SUPPORTED")
	case ex.readErr:
		return apUnsigned(http.StatusOK, "PARAM_ILLEGAL")
	case ex.r.Header.Get(apClientIDHeader) != a.clientID:
		return apUnsigned(http.StatusOK, "CLIENT_INVALID")
	}
	keys, err := a.keys()
	if err != nil {
		return apUnsigned(http.StatusInternalServerError, "UNKNOWN_EXCEPTION")
	}
	path := ex.r.URL.RequestURI()
	if !apVerify(&keys.Merchant.PublicKey, ex.r.Header, http.MethodPost, path, ex.r.Header.Get(apRequestTimeHeader), ex.body) {
		return apUnsigned(http.StatusOK, signatureInvalidCode(f))
	}
	answer := a.answer(f, ep, ex)
	body, err := json.Marshal(answer)
	if err != nil {
		return apUnsigned(http.StatusInternalServerError, "UNKNOWN_EXCEPTION")
	}
	if ex.fault.Kind == FaultForeign && (ex.fault.Processed || ex.fault.Foreign.aboutMoney()) {
		body = a.falsify(body, ex.fault.Foreign)
	}
	rep := jsonReply(http.StatusOK, body)
	at := apTime(a.now())
	rep.header.Set(apClientIDHeader, a.clientID)
	rep.header.Set(apResponseTimeHeader, at)
	if ex.fault.Kind == FaultUnsigned {
		return rep
	}
	sig, err := apSign(keys.Alipay, apSignedContent(http.MethodPost, path, a.clientID, at, body))
	if err != nil {
		return apUnsigned(http.StatusInternalServerError, "UNKNOWN_EXCEPTION")
	}
	if ex.fault.Kind == FaultBadSignature {
		sig = corruptSignature(sig)
	}
	rep.header.Set(apSignatureHeader, sig)
	return rep
}

// answer is what the gateway answers a verified request, under its fault.
func (a *AlipayPlus) answer(f flavour, ep Endpoint, ex *exchange) any {
	unknown := struct {
		Result apResult `json:"result"`
	}{apResultOf("U", "UNKNOWN_EXCEPTION")}
	switch ex.fault.Kind {
	case FaultNotFound:
		return apFail("ORDER_NOT_EXIST")
	case FaultUnknown:
		if ex.fault.Processed {
			a.dispatch(f, ep, ex.body)
		}
		return unknown
	case FaultForeign:
		if !ex.fault.Processed {
			if ghost, ok := a.ghost(f, ep, ex); ok {
				return ghost
			}
		}
	}
	return a.dispatch(f, ep, ex.body)
}

// corruptSignature changes one character of the base64 signature, keeping
// the header well formed.
func corruptSignature(h string) string {
	i := strings.LastIndex(h, "signature=") + len("signature=") + 4
	if i >= len(h) {
		return h + "A"
	}
	c := byte('A')
	if h[i] == 'A' {
		c = 'B'
	}
	return h[:i] + string(c) + h[i+1:]
}

func (a *AlipayPlus) dispatch(f flavour, ep Endpoint, body []byte) any {
	switch ep {
	case AlipayPlusPay:
		return a.pay(f, body)
	case AlipayPlusInquiryPayment:
		return a.inquire(f, body)
	case AlipayPlusCancel:
		return a.cancel(f, body)
	default:
		return a.refund(f, body)
	}
}

// Closed reports whether a cancel answered S closed requestID
// (paymentRequestId) before any payment was made under it, so that a pay
// arriving later is refused with ORDER_IS_CLOSED and charges nothing. A
// cancelled payment is in the ledger instead (StateCancelled).
func (a *AlipayPlus) Closed(requestID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.closed[requestID]
	return ok
}
