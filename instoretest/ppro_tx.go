package instoretest

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PPRO transaction states (reference ppro.md §4.1): there is no cancelled
// state, a cancelled transaction is FAILED with FAILREASON=CANCELED.
const (
	pproPending   = "PENDING"
	pproSucceeded = "SUCCEEDED"
	pproFailed    = "FAILED"
	pproCanceled  = "CANCELED"
	pproTag       = "alipayconsumerbarcode"
	// pproMaxSpecIn: "You can specify up to 29 specin parameters"
	// (reference ppro.md §3.1).
	pproMaxSpecIn = 29
	// Values the simulator reports as boarded with Alipay.
	pproAlipayMerchantID = "2088000000000001"
	pproBuyerUserID      = "2088102000000001"
)

// FailThenSucceed is the outcome of a PPRO transaction that fails at once
// with REMOTE_ERROR and turns SUCCEEDED d later (rounded up to whole
// seconds, kept within 1 to 9 s), with a notification each time: PPRO's
// FAILED-then-SUCCEEDED. It ends in 5n; the Omise and Alipay+ simulators
// treat such a code as succeeding at once. Script a Plan with SucceedAfter
// for longer delays, or call PPRO.LateSuccess.
func FailThenSucceed(d time.Duration) Outcome {
	s := int((d + time.Second - 1) / time.Second)
	return Outcome("5" + strconv.Itoa(min(max(s, 1), 9)))
}

// pproFailure names the FAILREASON for decline digit 1 to 9 (package
// documentation, PPRO section).
func pproFailure(d byte) string {
	switch d {
	case '1':
		return "USER_ABORT"
	case '4':
		return "LOCAL_DECLINE"
	case '6':
		return "TIMEOUT"
	case '3', '5', '7', '8', '9':
		return "REMOTE_DECLINE"
	}
	return "REMOTE_ERROR"
}

// pproPlanFor decodes the outcome digits of code, with PPRO's own 5n.
func pproPlanFor(code string) Plan {
	if n := len(code); n >= 2 && code[n-2] == '5' && code[n-1] >= '0' && code[n-1] <= '9' {
		s := int(code[n-1] - '0')
		if s == 0 {
			s = 10
		}
		return Plan{Result: ResultFail, FailureCode: "REMOTE_ERROR", SucceedAfter: time.Duration(s) * time.Second}
	}
	return planFor(code, pproFailure)
}

// pproTx is a transaction as the simulator keeps it.
type pproTx struct {
	txID, merchantTxID string
	amount             int64
	currency, country  string
	code               string
	storeID, storeName string
	channel, notifyURL string
	redirectSecret     string
	state, failReason  string
	paid               bool
	createdAt, finalAt time.Time
	refunded           int64
	refunds            int
	progress           progress
	flipScheduled      bool
	// storms are FaultStorms met while the transaction was pending, to be
	// sent with its first notification.
	storms []Fault
}

func (tx *pproTx) entry() LedgerEntry {
	e := LedgerEntry{
		RequestID: tx.merchantTxID,
		ID:        tx.txID,
		Code:      tx.code,
		Amount:    tx.amount,
		Currency:  tx.currency,
		Paid:      tx.paid,
		Captured:  tx.state == pproSucceeded,
		Refunded:  tx.refunded,
		Refunds:   tx.refunds,
		Inquiries: tx.progress.inquiries,
		CreatedAt: tx.createdAt,
	}
	switch {
	case tx.state == pproPending:
		e.State = StatePending
	case tx.state == pproSucceeded:
		e.State = StateSucceeded
	case tx.failReason == pproCanceled:
		e.State, e.FailureCode = StateCancelled, tx.failReason
	default:
		e.State, e.FailureCode = StateFailed, tx.failReason
	}
	return e
}

// settleLocked moves a pending transaction on along its plan.
func (p *PPRO) settleLocked(tx *pproTx) {
	if tx.state != pproPending || !tx.progress.due() {
		return
	}
	if tx.progress.plan.Result == ResultFail {
		reason := tx.progress.plan.FailureCode
		if reason == "" {
			reason = "REMOTE_ERROR"
		}
		p.failLocked(tx, reason)
		return
	}
	tx.state, tx.paid, tx.finalAt = pproSucceeded, true, p.now()
	p.notifyLocked(tx)
}

func (p *PPRO) failLocked(tx *pproTx, reason string) {
	tx.state, tx.failReason, tx.finalAt = pproFailed, reason, p.now()
	p.notifyLocked(tx)
	if after := tx.progress.plan.SucceedAfter; after > 0 && reason != pproCanceled && !tx.flipScheduled {
		tx.flipScheduled = true
		p.afterLocked(after, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.flipLocked(tx)
		})
	}
}

// flipLocked turns a FAILED transaction SUCCEEDED, unless it was cancelled.
func (p *PPRO) flipLocked(tx *pproTx) bool {
	if tx.state != pproFailed || tx.failReason == pproCanceled {
		return false
	}
	tx.state, tx.failReason, tx.paid, tx.finalAt = pproSucceeded, "", true, p.now()
	p.notifyLocked(tx)
	return true
}

// txFields are the transaction's output parameters (reference ppro.md
// §3.2, seed document's example answer).
func (p *PPRO) txFields(tx *pproTx, transient bool) pproAnswer {
	a := pproAnswer{
		{"STATUS", tx.state},
		{"TXID", tx.txID},
		{"MERCHANTTXID", tx.merchantTxID},
		{"FUNDSSTATUS", "NOT_EXPECTED"},
		{"FLAGS", ""},
		{"CHANNEL", tx.channel},
		{"TAG", pproTag},
		{"SPECOUT.ALIPAYMERCHANTID", pproAlipayMerchantID},
		{"SPECOUT.ALIPAYSTOREID", tx.storeID},
		{"SPECOUT.ALIPAYSTORENAME", tx.storeName},
	}
	if tx.state == pproFailed {
		a = append(a, pproField{"FAILREASON", tx.failReason}, pproField{"ERRMSG", pproFailMessage(tx.failReason)})
	} else {
		a = append(a, pproField{"ERRMSG", ""})
	}
	if tx.paid {
		a = append(a, pproField{"SPECOUT.ALIPAYBUYERUSERID", pproBuyerUserID})
	}
	if transient {
		a = append(a, pproField{"REDIRECTSECRET", tx.redirectSecret})
	}
	return a
}

func pproFailMessage(reason string) string {
	switch reason {
	case "USER_ABORT":
		return "The payer cancelled the payment"
	case "REMOTE_DECLINE":
		return "Declined by the scheme"
	case "LOCAL_DECLINE":
		return "Declined by risk checks"
	case "TIMEOUT":
		return "Timeout while waiting for the transaction result"
	case pproCanceled:
		return "Transaction cancelled"
	}
	return "Processing error"
}

// transactionLocked creates a transaction, whatever merchanttxid says: PPRO
// does not deduplicate it.
func (p *PPRO) transactionLocked(form url.Values) reply {
	refuse := func(msg string) reply {
		a := failure(string(PPROTransaction), "INPUT_DATA", "", msg)
		if id := form.Get("merchanttxid"); id != "" {
			a = append(a, pproField{"MERCHANTTXID", id})
		}
		return p.answerLocked(a)
	}
	country, currency := form.Get("countrycode"), form.Get("currency")
	amount, amountOK := pproAmount(form.Get("amount"))
	merchantTxID := form.Get("merchanttxid")
	code := form.Get("specin.buyeridentitycode")
	storeID, storeName := form.Get("specin.storeid"), form.Get("specin.storename")
	notifyURL := form.Get("notificationurl")
	specIn := 0
	for k := range form {
		if strings.HasPrefix(k, "specin.") {
			specIn++
		}
	}
	switch {
	case form.Get("channel") != p.cred.Channel:
		return refuse("Unknown channel")
	case form.Get("tag") != pproTag:
		return refuse("Unknown tag")
	case pproCurrencyOf(country) == "" || pproCurrencyOf(country) != currency:
		return refuse("No payment method for this country and currency")
	case !amountOK:
		return refuse("Invalid amount")
	case merchantTxID != "" && !pproMerchantID(merchantTxID):
		return refuse("Invalid merchanttxid")
	case code == "" || len(code) > 64:
		return refuse("Missing specin.buyeridentitycode")
	case storeID == "" || len(storeID) > 32 || !pproChars(storeID, "-_"):
		return refuse("Invalid specin.storeid")
	case storeName == "" || !utf8.ValidString(storeName):
		return refuse("Missing specin.storename")
	case specIn > pproMaxSpecIn:
		return refuse("Too many specin parameters")
	case notifyURL != "" && !absoluteHTTPURL(notifyURL):
		return refuse("Invalid notificationurl")
	}
	plan, scripted := p.scripts[code]
	if !scripted {
		plan = pproPlanFor(code)
	}
	tx := &pproTx{
		txID:           p.newIDLocked(false),
		merchantTxID:   merchantTxID,
		amount:         amount,
		currency:       currency,
		country:        country,
		code:           code,
		storeID:        storeID,
		storeName:      storeName,
		channel:        p.cred.Channel,
		notifyURL:      notifyURL,
		redirectSecret: randomBase36(32),
		state:          pproPending,
		createdAt:      p.now(),
		progress:       newProgress(plan),
	}
	p.txs[tx.txID] = tx
	p.list = append(p.list, tx)
	if merchantTxID != "" {
		lower := strings.ToLower(merchantTxID)
		p.byMerchantID[lower] = append(p.byMerchantID[lower], tx)
	}
	p.ledger.add(merchantTxID, code, tx)
	if !alipayFamilyCode(code) {
		p.failLocked(tx, "REMOTE_DECLINE")
	} else {
		p.settleLocked(tx)
	}
	if tx.state == pproPending && plan.After > 0 {
		p.afterLocked(plan.After, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.settleLocked(tx)
		})
	}
	return p.answerLocked(p.txFields(tx, true))
}

func absoluteHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// statusAnswer is a status or cancel answer about tx.
func (p *PPRO) statusAnswer(tx *pproTx, ok bool, msg string) pproAnswer {
	a := p.txFields(tx, false)
	if ok {
		return append(a, pproField{"REQUESTSTATUS", "SUCCEEDED"})
	}
	for i := range a {
		if a[i].key == "ERRMSG" {
			a[i].value = msg
		}
	}
	return append(a, pproField{"REQUESTSTATUS", "FAILED"}, pproField{"REQUESTFAILREASON", "UNKNOWN"})
}

// inquireLocked counts an inquiry and moves the transaction on.
func (p *PPRO) inquireLocked(tx *pproTx) reply {
	tx.progress.inquiries++
	p.settleLocked(tx)
	return p.answerLocked(p.statusAnswer(tx, true, ""))
}

func (p *PPRO) statusLocked(txID string) reply {
	tx, ok := p.txs[txID]
	if !ok {
		return p.answerLocked(failure(string(PPROStatus), "", "TX_NOT_FOUND", "Transaction not found"))
	}
	return p.inquireLocked(tx)
}

// statusByMerchantTxIDLocked finds a transaction by merchanttxid, compared
// without regard to case; several under one id are TX_NOT_UNIQUE.
func (p *PPRO) statusByMerchantTxIDLocked(id string) reply {
	if !pproMerchantID(id) {
		return p.answerLocked(failure(string(PPROStatusByMerchantTxID), "", "UNKNOWN", "Invalid merchanttxid"))
	}
	switch list := p.byMerchantID[strings.ToLower(id)]; len(list) {
	case 0:
		return p.answerLocked(failure(string(PPROStatusByMerchantTxID), "", "TX_NOT_FOUND", "Transaction not found"))
	case 1:
		return p.inquireLocked(list[0])
	}
	return p.answerLocked(failure(string(PPROStatusByMerchantTxID), "", "TX_NOT_UNIQUE", "Ambiguous MerchantTxId"))
}

// cancelLocked cancels a PENDING transaction: FAILED with CANCELED. Any
// other is refused with REQUESTSTATUS=FAILED and left unchanged.
func (p *PPRO) cancelLocked(txID string) reply {
	tx, ok := p.txs[txID]
	if !ok {
		return p.answerLocked(failure(string(PPROCancel), "", "TX_NOT_FOUND", "Transaction not found"))
	}
	p.settleLocked(tx)
	if tx.state != pproPending {
		return p.answerLocked(p.statusAnswer(tx, false, "Cancel not possible in the transaction's state"))
	}
	p.failLocked(tx, pproCanceled)
	return p.answerLocked(p.statusAnswer(tx, true, ""))
}
