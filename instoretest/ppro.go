package instoretest

import (
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/instorepay/instore/ppro"
)

// PPRO endpoints, for faults and the request log: the txtype of the call.
// Every call is a POST to the same URL; the simulator answers on any path.
const (
	PPROTransaction          Endpoint = "TRANSACTION"
	PPROStatus               Endpoint = "GETTXSTATUS"
	PPROStatusByMerchantTxID Endpoint = "GETTXSTATUSBYMERCHANTTXID"
	PPROCancel               Endpoint = "CANCELTX"
	PPRORefund               Endpoint = "REFUND"
	PPRORefundStatus         Endpoint = "GETREFUNDSTATUS"
	// PPRORefundStatusByMerchantRefundID also answers to
	// GETREFUNDBYMERCHANTREFUNDID, the other name PPRO's pages give it.
	PPRORefundStatusByMerchantRefundID Endpoint = "GETREFUNDSTATUSBYMERCHANTREFUNDID"
)

// Defaults of a PPRO simulator given no credentials.
const (
	DefaultPPROLogin      = "instoretest"
	DefaultPPROContractID = "INSTORETESTCONTRACT"
	DefaultPPROChannel    = "testchannel"
)

// pproConfig is the PPRO part of a simulator's configuration.
type pproConfig struct {
	cred   ppro.Credentials
	secret string
}

// WithPPROCredentials sets the login, password, contract id and channel the
// PPRO simulator accepts (defaults: DefaultPPROLogin, a random password,
// DefaultPPROContractID, DefaultPPROChannel). Empty fields keep the
// default.
func WithPPROCredentials(c ppro.Credentials) Option {
	return func(cfg *config) { cfg.ppro.cred = c }
}

// WithPPRONotificationSecret sets the secret the PPRO simulator signs its
// notifications with (default: random).
func WithPPRONotificationSecret(secret string) Option {
	return func(cfg *config) { cfg.ppro.secret = secret }
}

// PPRO simulates PPRO's Payment Gateway ("Simple API") for Alipay in-store
// consumer barcode payments (tag alipayconsumerbarcode). Create it with
// NewPPRO or NewPPROT; it is safe for concurrent use.
type PPRO struct {
	*core
	cfg          *config
	cred         ppro.Credentials
	secret       string
	notifyClient *http.Client

	// Guarded by core.mu.
	seq           uint64
	rng           *rand.Rand
	txs           map[string]*pproTx   // by txid
	byMerchantID  map[string][]*pproTx // by lower-cased merchanttxid
	list          []*pproTx
	refunds       map[string]*pproRefund // by refundid
	refundL       []*pproRefund
	refundsByMine map[string][]*pproRefund // by lower-cased merchantrefundid
	scripts       map[string]Plan
	ledger        ledgerIndex[*pproTx]
}

// NewPPRO returns a running PPRO simulator. Its loopback server starts on
// the first call to URL; HTTPClient reaches it in process. Notifications go
// to each TRANSACTION's notificationurl over the network unless
// WithNotifyClient says otherwise: inside a testing/synctest bubble, give
// it HandlerClient.
func NewPPRO(opts ...Option) *PPRO {
	cfg := newConfig(opts)
	p := &PPRO{
		cfg:           cfg,
		cred:          cfg.ppro.cred,
		secret:        cfg.ppro.secret,
		notifyClient:  cfg.notifyClient,
		rng:           rand.New(rand.NewPCG(cfg.seed, 0x5050524f)), //nolint:gosec // answer shapes must be reproducible, not secret
		txs:           make(map[string]*pproTx),
		byMerchantID:  make(map[string][]*pproTx),
		refunds:       make(map[string]*pproRefund),
		refundsByMine: make(map[string][]*pproRefund),
		scripts:       make(map[string]Plan),
		ledger:        newLedgerIndex[*pproTx](),
	}
	if p.cred.Login == "" {
		p.cred.Login = DefaultPPROLogin
	}
	if p.cred.Password == "" {
		p.cred.Password = "pw_" + randomBase36(20)
	}
	if p.cred.ContractID == "" {
		p.cred.ContractID = DefaultPPROContractID
	}
	if p.cred.Channel == "" {
		p.cred.Channel = DefaultPPROChannel
	}
	if p.secret == "" {
		p.secret = randomBase36(32)
	}
	p.core = newCore(cfg)
	p.core.handle = p.handle
	p.core.route = p.route
	p.storm = p.startStorm
	if p.notifyClient == nil {
		var closeIdle func()
		p.notifyClient, closeIdle = newDeliveryClient()
		p.closers = append(p.closers, closeIdle)
	}
	return p
}

// NewPPROT is NewPPRO for a test: the simulator is closed when the test
// ends.
func NewPPROT(t testing.TB, opts ...Option) *PPRO {
	t.Helper()
	p := NewPPRO(opts...)
	t.Cleanup(p.Close)
	return p
}

// Credentials returns the login, password, contract id and channel the
// simulator accepts.
func (p *PPRO) Credentials() ppro.Credentials { return p.cred }

// NotificationSecret returns the secret notifications are signed with.
func (p *PPRO) NotificationSecret() string { return p.secret }

// Script makes every transaction made with code follow plan instead of the
// outcome its last digits choose.
func (p *PPRO) Script(code string, plan Plan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.scripts[code] = plan
}

// Payments returns the ledger entries of the transactions sent with
// merchanttxid requestID (exactly as sent), oldest first. PPRO does not
// deduplicate merchanttxid, so a TRANSACTION sent twice shows here twice.
func (p *PPRO) Payments(requestID string) []LedgerEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.entriesLocked(p.ledger.byRequest[requestID])
}

// PaymentsByCode returns the ledger entries of the transactions made with
// the payment code, oldest first.
func (p *PPRO) PaymentsByCode(code string) []LedgerEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.entriesLocked(p.ledger.byCode[code])
}

// AllPayments returns the ledger entries of every transaction, oldest first.
func (p *PPRO) AllPayments() []LedgerEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.entriesLocked(p.list)
}

// RequestIDs returns every merchanttxid that created a transaction, in
// order.
func (p *PPRO) RequestIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ledger.requestIDs()
}

// LateSuccess turns a FAILED transaction (not a cancelled one) SUCCEEDED
// now, as PPRO allows when the scheme reports the payment after all, and
// notifies it. It reports whether the transaction was changed.
func (p *PPRO) LateSuccess(txID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, ok := p.txs[txID]
	if !ok {
		return false
	}
	p.settleLocked(tx)
	return p.flipLocked(tx)
}

func (p *PPRO) entriesLocked(list []*pproTx) []LedgerEntry {
	out := make([]LedgerEntry, 0, len(list))
	for _, tx := range list {
		p.settleLocked(tx)
		out = append(out, tx.entry())
	}
	return out
}

// URL returns the base URL of the simulator's loopback server, starting the
// server on first use. Code running inside a testing/synctest bubble must not
// call it: use HTTPClient instead.
func (p *PPRO) URL() string { return p.serverURL() }

// HTTPClient returns an *http.Client that serves every request in process
// by calling the simulator directly, whatever the request's host: no socket,
// no goroutine, so it works inside testing/synctest bubbles.
func (p *PPRO) HTTPClient() *http.Client { return p.inProcessClient() }

// InjectFault makes the next n requests to e meet fault f, after any faults
// injected earlier for e. Injected faults come before random ones. The
// Alipay+-only kinds are served as FaultNone.
func (p *PPRO) InjectFault(e Endpoint, n int, f Fault) { p.injectFault(e, n, f) }

// SetRandomFaults makes requests to e meet the given faults at their rates,
// replacing any set before for e. Draws are seeded (WithSeed) and keyed by
// the sale (merchanttxid) a request is about, so a run is reproducible.
func (p *PPRO) SetRandomFaults(e Endpoint, faults ...RandomFault) { p.setRandomFaults(e, faults...) }

// ClearFaults removes every injected and random fault.
func (p *PPRO) ClearFaults() { p.clearFaults() }

// Requests returns a copy of the request log, in arrival order.
func (p *PPRO) Requests() []Request { return p.requestLog() }

// Deliveries returns a copy of the notification delivery attempts made so
// far, in order; Key is the merchanttxid. An attempt is logged as it is
// sent, so a test that saw its receiver run finds it at once; its Done
// turns true when the answer came.
func (p *PPRO) Deliveries() []Delivery { return p.deliveries() }

// Close stops the simulator: the loopback server if it was started, pending
// timers, notifications in flight and delayed answers. It returns when
// nothing of the simulator is left running. It is safe to call more than
// once.
func (p *PPRO) Close() { p.close() }

// endpointOf names the call a txtype asks for.
func endpointOf(txtype string) (Endpoint, bool) {
	switch txtype {
	case string(PPROTransaction), string(PPROStatus), string(PPROStatusByMerchantTxID), string(PPROCancel),
		string(PPRORefund), string(PPRORefundStatus), string(PPRORefundStatusByMerchantRefundID):
		return Endpoint(txtype), true
	case "GETREFUNDBYMERCHANTREFUNDID":
		return PPRORefundStatusByMerchantRefundID, true
	}
	return "", false
}

// route names the endpoint and the sale: the merchanttxid, found through
// the transaction or the refund when the call names those.
func (p *PPRO) route(ex *exchange) {
	if ex.r.Method != http.MethodPost || ex.readErr {
		return
	}
	form, err := url.ParseQuery(string(ex.body))
	if err != nil {
		return
	}
	ep, ok := endpointOf(form.Get("txtype"))
	if !ok {
		return
	}
	ex.endpoint = ep
	switch {
	case form.Get("merchanttxid") != "":
		ex.key = form.Get("merchanttxid")
	case form.Get("txid") != "":
		ex.key = form.Get("txid")
		p.mu.Lock()
		if tx, ok := p.txs[ex.key]; ok {
			ex.key = tx.merchantTxID
		}
		p.mu.Unlock()
	case form.Get("refundid") != "":
		ex.key = form.Get("refundid")
		p.mu.Lock()
		if r, ok := p.refunds[ex.key]; ok {
			ex.key = r.tx.merchantTxID
		}
		p.mu.Unlock()
	default:
		ex.key = form.Get("merchantrefundid")
	}
}

// handle checks what every call must carry, then dispatches on txtype.
func (p *PPRO) handle(ex *exchange) reply {
	if ex.r.Method != http.MethodPost {
		rep := textReply(http.StatusMethodNotAllowed, "POST only")
		rep.header.Set("Allow", http.MethodPost)
		return rep
	}
	if ex.readErr {
		return textReply(http.StatusRequestEntityTooLarge, "request too large")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if mt, _, err := mime.ParseMediaType(ex.r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return p.answerLocked(failure("", "INPUT_DATA", "UNKNOWN", "Content-Type must be application/x-www-form-urlencoded"))
	}
	form, err := url.ParseQuery(string(ex.body))
	if err != nil {
		return p.answerLocked(failure("", "INPUT_DATA", "UNKNOWN", "Request is not url-encoded"))
	}
	txtype := form.Get("txtype")
	for k, v := range form {
		if len(v) > 1 {
			return p.answerLocked(failure(txtype, "INPUT_DATA", "UNKNOWN", "Parameter "+k+" given twice"))
		}
	}
	if form.Get("returnmode") != "urlencodeext" {
		// The message connectors report (reference ppro.md §1).
		return p.answerLocked(failure(txtype, "INPUT_DATA", "UNKNOWN", "Invalid returnmode, must be urlencodeext"))
	}
	if form.Get("login") != p.cred.Login || form.Get("password") != p.cred.Password || form.Get("contractid") != p.cred.ContractID {
		// TXID=0 on failed authentication (reference ppro.md §3.2).
		return p.answerLocked(failure(txtype, "UNKNOWN", "AUTH_ERROR", "Authentication failed"))
	}
	ep, ok := endpointOf(txtype)
	if !ok {
		return p.answerLocked(failure(txtype, "INPUT_DATA", "UNKNOWN", "Unknown txtype"))
	}
	switch ex.fault.Kind {
	case FaultNotFound:
		if rep, ok := p.notFoundLocked(ep, form); ok {
			return rep
		}
	case FaultForeign:
		return p.foreignLocked(ep, form, ex)
	}
	return p.dispatchLocked(ep, form, ex)
}

// dispatchLocked serves an authorised call, and names on ex the
// transaction it was about. p.mu is held.
func (p *PPRO) dispatchLocked(ep Endpoint, form url.Values, ex *exchange) reply {
	switch ep {
	case PPROTransaction:
		n := len(p.list)
		rep := p.transactionLocked(form)
		if len(p.list) > n {
			ex.subject = p.list[n]
		}
		return rep
	case PPROStatus:
		ex.subject = p.txs[form.Get("txid")]
		return p.statusLocked(form.Get("txid"))
	case PPROStatusByMerchantTxID:
		if list := p.byMerchantID[strings.ToLower(form.Get("merchanttxid"))]; len(list) == 1 {
			ex.subject = list[0]
		}
		return p.statusByMerchantTxIDLocked(form.Get("merchanttxid"))
	case PPROCancel:
		ex.subject = p.txs[form.Get("txid")]
		return p.cancelLocked(form.Get("txid"))
	case PPRORefund:
		return p.refundLocked(form)
	case PPRORefundStatus:
		return p.refundStatusLocked(form.Get("refundid"))
	default:
		return p.refundByMerchantIDLocked(form.Get("merchantrefundid"))
	}
}

// failure is the answer to a call that created or found nothing: TXID=0
// (REFUNDID=0 for refund calls), and on the calls that carry it
// REQUESTSTATUS=FAILED with requestReason.
func failure(txtype, reason, requestReason, msg string) pproAnswer {
	id := "TXID"
	if strings.Contains(txtype, "REFUND") {
		id = "REFUNDID"
	}
	if strings.HasPrefix(txtype, "GET") || txtype == string(PPROCancel) {
		return pproAnswer{{"REQUESTSTATUS", "FAILED"}, {"REQUESTFAILREASON", requestReason}, {"STATUS", "FAILED"}, {id, "0"}, {"ERRMSG", msg}}
	}
	return pproAnswer{{"STATUS", "FAILED"}, {id, "0"}, {"FAILREASON", reason}, {"ERRMSG", msg}}
}

func textReply(status int, msg string) reply {
	h := make(http.Header)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return reply{status: status, header: h, body: []byte(msg + "\n")}
}
