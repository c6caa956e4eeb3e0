package instoretest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Omise charge statuses.
const (
	chargePending    = "pending"
	chargeSuccessful = "successful"
	chargeFailed     = "failed"
	chargeExpired    = "expired"
)

// omiseSourceKind is what the simulator knows about one source type. A new
// payment method (alipayplus_mpm, wechat_pay_mpm) is a new row.
type omiseSourceKind struct {
	// barcode: the merchant scans the payer's code, which the source must
	// carry.
	barcode    bool
	currencies []string
	// presented: the customer scans a QR code the charge carries.
	presented bool
}

func omiseSourceKindOf(typ string) (omiseSourceKind, bool) {
	switch typ {
	case "barcode_alipay", "barcode_wechat", "wechat_pay_upm":
		// Thailand only (Omise barcode and UPM pages).
		return omiseSourceKind{barcode: true, currencies: []string{"THB"}}, true
	case "alipayplus_upm":
		// Thailand, Singapore, Malaysia (Omise Alipay+ UPM page).
		return omiseSourceKind{barcode: true, currencies: []string{"THB", "SGD", "MYR"}}, true
	case "alipayplus_mpm":
		// Thailand, Singapore, Malaysia (Omise Alipay+ MPM page).
		return omiseSourceKind{presented: true, currencies: []string{"THB", "SGD", "MYR"}}, true
	case "wechat_pay_mpm":
		// Thailand (Omise WeChat Pay MPM page).
		return omiseSourceKind{presented: true, currencies: []string{"THB"}}, true
	}
	return omiseSourceKind{}, false
}

// omiseAmountLimits are the charge limits per currency, by the account's
// country (Omise "currency and amount" page).
func omiseAmountLimits(currency string) (lo, hi int64, ok bool) {
	switch currency {
	case "THB":
		return 2000, 15_000_000, true
	case "SGD":
		return 100, 2_000_000, true
	case "MYR":
		return 100, 10_000_000, true
	case "JPY":
		return 100, 6_000_000, true
	}
	return 0, 0, false
}

// omiseCharge is a charge as the simulator keeps it.
type omiseCharge struct {
	id, requestID                string
	amount                       int64
	currency                     string
	description, returnURI       string
	metadata                     map[string]string
	source                       *omiseSource
	status                       string
	failureCode, failureMessage  string
	createdAt, paidAt, expiresAt time.Time
	expiredAt                    time.Time
	refunds                      []*omiseRefund
	refunded                     int64
	voided, paid                 bool
	progress                     progress
	transaction                  string
	// lastEvent is the latest charge.* event about the charge, which a
	// FaultStorm delivers again.
	lastEvent *omiseEvent
}

func (ch *omiseCharge) json(now time.Time) *omiseChargeJSON {
	fee := ch.amount * 165 / 10000
	vat := fee * 7 / 100
	refunds := emptyList("/charges/"+ch.id+"/refunds", now)
	refunds.Total = len(ch.refunds)
	for _, r := range ch.refunds {
		refunds.Data = append(refunds.Data, r.json())
	}
	md := ch.metadata
	if md == nil {
		md = map[string]string{}
	}
	refundable := ch.status == chargeSuccessful && ch.refunded < ch.amount && len(ch.refunds) < 15
	j := &omiseChargeJSON{
		Object:              "charge",
		ID:                  ch.id,
		Location:            "/charges/" + ch.id,
		Amount:              ch.amount,
		Net:                 ch.amount - fee - vat,
		Fee:                 fee,
		FeeVAT:              vat,
		FundingAmount:       ch.amount,
		RefundedAmount:      ch.refunded,
		TransactionFees:     map[string]string{"fee_flat": "0.0", "fee_rate": "1.65", "vat_rate": "7.0"},
		Currency:            ch.currency,
		FundingCurrency:     ch.currency,
		Refunds:             refunds,
		Description:         strPtr(ch.description),
		Metadata:            md,
		Source:              ch.source.json(),
		Transaction:         strPtr(ch.transaction),
		FailureCode:         strPtr(ch.failureCode),
		FailureMessage:      strPtr(ch.failureMessage),
		Status:              ch.status,
		ReturnURI:           strPtr(ch.returnURI),
		CreatedAt:           omiseTimestamp(ch.createdAt),
		PaidAt:              omiseTimePtr(ch.paidAt),
		ExpiresAt:           omiseTimePtr(ch.expiresAt),
		ExpiredAt:           omiseTimePtr(ch.expiredAt),
		Capture:             true,
		Authorized:          ch.paid,
		Refundable:          refundable,
		PartiallyRefundable: refundable,
		Voided:              ch.voided,
		Paid:                ch.paid,
		Expired:             ch.status == chargeExpired,
	}
	return j
}

func (ch *omiseCharge) entry() LedgerEntry {
	e := LedgerEntry{
		RequestID:   ch.requestID,
		ID:          ch.id,
		Code:        ch.source.barcode,
		Amount:      ch.amount,
		Currency:    ch.currency,
		FailureCode: ch.failureCode,
		Paid:        ch.paid,
		Captured:    ch.status == chargeSuccessful,
		Refunded:    ch.refunded,
		Refunds:     len(ch.refunds),
		Inquiries:   ch.progress.inquiries,
		CreatedAt:   ch.createdAt,
	}
	switch ch.status {
	case chargePending:
		e.State = StatePending
	case chargeSuccessful:
		e.State = StateSucceeded
	case chargeFailed:
		e.State = StateFailed
	default:
		e.State = StateCancelled
	}
	return e
}

// settleLocked moves a pending charge on along its plan, and expires it
// when its expires_at has passed.
func (o *Omise) settleLocked(ch *omiseCharge) {
	if ch.status != chargePending {
		return
	}
	if ch.progress.due() {
		if ch.progress.plan.Result == ResultFail {
			code := ch.progress.plan.FailureCode
			if code == "" {
				code = "failed_processing"
			}
			o.completeLocked(ch, chargeFailed, code)
		} else {
			o.completeLocked(ch, chargeSuccessful, "")
		}
		return
	}
	if now := o.now(); !ch.expiresAt.IsZero() && !now.Before(ch.expiresAt) {
		o.completeLocked(ch, chargeFailed, "timeout")
	}
}

func (o *Omise) completeLocked(ch *omiseCharge, status, failureCode string) {
	ch.status = status
	if status == chargeSuccessful {
		ch.paid = true
		ch.paidAt = o.now()
		ch.transaction = o.newIDLocked("trxn_test_")
	} else {
		ch.failureCode = failureCode
		ch.failureMessage = omiseFailureMessage(failureCode)
	}
	ch.lastEvent = o.emitLocked("charge.complete", ch.json(o.now()))
}

func omiseFailureMessage(code string) string {
	switch code {
	case "payment_cancelled":
		return "payment cancelled by payer"
	case "insufficient_balance", "insufficient_fund":
		return "insufficient funds in the account or the payment method has reached its limit"
	case "payment_rejected":
		return "payment rejected by issuer"
	case "payment_expired":
		return "payment expired"
	case "timeout":
		return "payer did not take action before charge expiration"
	case "failed_fraud_check":
		return "payment was flagged by the fraud check"
	case "invalid_account_number":
		return "invalid account"
	}
	return "general payment processing failure"
}

// form parses a POST body, already checked to be form encoded.
func form(ex *exchange) (url.Values, bool) {
	v, err := url.ParseQuery(string(ex.body))
	return v, err == nil
}

// sourceFields reads a source's fields from the form, under prefix ("" for
// POST /sources, "source" for an inline source).
func sourceFields(f url.Values, prefix string) (typ, barcode, storeID, storeName, termID string) {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "[" + k + "]"
	}
	return f.Get(key("type")), f.Get(key("barcode")), f.Get(key("store_id")), f.Get(key("store_name")), f.Get(key("terminal_id"))
}

// checkAmount validates an amount and currency; code is the error code
// ("bad_request" for sources, "invalid_charge" for charges).
func checkAmount(amountS, currency string, kind omiseSourceKind, code string) (int64, string, *reply) {
	if amountS == "" {
		r := omiseError(http.StatusBadRequest, code, "amount is required")
		return 0, "", &r
	}
	amount, err := strconv.ParseInt(amountS, 10, 64)
	if err != nil || amount <= 0 {
		r := omiseError(http.StatusBadRequest, code, "amount is invalid")
		return 0, "", &r
	}
	if currency == "" {
		r := omiseError(http.StatusBadRequest, code, "currency is required")
		return 0, "", &r
	}
	currency = strings.ToUpper(currency)
	lo, hi, ok := omiseAmountLimits(currency)
	if !ok || !slices.Contains(kind.currencies, currency) {
		r := omiseError(http.StatusBadRequest, code, "currency is currently not supported")
		return 0, "", &r
	}
	if amount < lo {
		r := omiseError(http.StatusBadRequest, code, "amount must be at least "+strconv.FormatInt(lo, 10))
		return 0, "", &r
	}
	if amount > hi {
		r := omiseError(http.StatusBadRequest, code, "amount must be at most "+strconv.FormatInt(hi, 10))
		return 0, "", &r
	}
	return amount, currency, nil
}

func (o *Omise) createSource(ex *exchange) reply {
	f, ok := form(ex)
	if !ok {
		return omiseError(http.StatusBadRequest, "bad_request", "request body is not a valid form")
	}
	typ, barcode, storeID, storeName, termID := sourceFields(f, "")
	kind, ok := omiseSourceKindOf(typ)
	if !ok {
		return omiseError(http.StatusBadRequest, "bad_request", "type is currently not supported")
	}
	if kind.barcode && barcode == "" {
		return omiseError(http.StatusBadRequest, "bad_request", "barcode is required")
	}
	amount, currency, bad := checkAmount(f.Get("amount"), f.Get("currency"), kind, "bad_request")
	if bad != nil {
		return *bad
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	src := &omiseSource{
		id: o.newIDLocked("src_test_"), typ: typ, amount: amount, currency: currency,
		barcode: barcode, storeID: storeID, storeName: storeName, termID: termID, createdAt: o.now(),
	}
	o.sources[src.id] = src
	return omiseOK(src.json())
}

func (o *Omise) getSource(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	src, ok := o.sources[ex.params[0]]
	if !ok {
		return omiseError(http.StatusNotFound, "not_found", "source was not found")
	}
	if src.charge != nil {
		o.settleLocked(src.charge)
	}
	return omiseOK(src.json())
}

func (o *Omise) createCharge(ex *exchange) reply {
	f, ok := form(ex)
	if !ok {
		return omiseError(http.StatusBadRequest, "bad_request", "request body is not a valid form")
	}
	sourceID := f.Get("source")
	typ, barcode, storeID, storeName, termID := sourceFields(f, "source")
	switch {
	case sourceID != "" && typ != "":
		return omiseError(http.StatusBadRequest, "invalid_charge", "source must be either an id or an object")
	case sourceID == "" && typ == "":
		return omiseError(http.StatusBadRequest, "invalid_charge", "source is required")
	}
	if c := f.Get("capture"); c != "" && c != "true" {
		return omiseError(http.StatusBadRequest, "invalid_charge", "capture is not supported for this payment method")
	}
	metadata := map[string]string{}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 {
			metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	var expiresAt time.Time
	if s := f.Get("expires_at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return omiseError(http.StatusBadRequest, "invalid_charge", "expires_at is invalid")
		}
		expiresAt = t
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	var src *omiseSource
	if sourceID != "" {
		src, ok = o.sources[sourceID]
		if !ok {
			return omiseError(http.StatusNotFound, "not_found", "source was not found")
		}
		if src.charge != nil {
			return omiseError(http.StatusBadRequest, "invalid_charge", "source has already been used")
		}
		kind, _ := omiseSourceKindOf(src.typ)
		amount, currency, bad := checkAmount(f.Get("amount"), f.Get("currency"), kind, "invalid_charge")
		if bad != nil {
			return *bad
		}
		if amount != src.amount || currency != src.currency {
			return omiseError(http.StatusBadRequest, "invalid_charge", "amount and currency must match the source")
		}
	} else {
		kind, ok := omiseSourceKindOf(typ)
		if !ok {
			return omiseError(http.StatusBadRequest, "invalid_charge", "source type is currently not supported")
		}
		if kind.barcode && barcode == "" {
			return omiseError(http.StatusBadRequest, "invalid_charge", "source barcode is required")
		}
		amount, currency, bad := checkAmount(f.Get("amount"), f.Get("currency"), kind, "invalid_charge")
		if bad != nil {
			return *bad
		}
		src = &omiseSource{
			id: o.newIDLocked("src_test_"), typ: typ, amount: amount, currency: currency,
			barcode: barcode, storeID: storeID, storeName: storeName, termID: termID, createdAt: o.now(),
		}
		o.sources[src.id] = src
	}
	now := o.now()
	if expiresAt.IsZero() {
		expiresAt = now.Add(24 * time.Hour)
	}
	kind, _ := omiseSourceKindOf(src.typ)
	plan, scripted := o.scripts[src.barcode]
	switch {
	case kind.presented:
		plan = o.presentedPlanLocked(metadata[OmiseRequestIDKey])
	case !scripted:
		plan = planFor(src.barcode, omiseFailure)
	}
	ch := &omiseCharge{
		id:          o.newIDLocked("chrg_test_"),
		requestID:   metadata[OmiseRequestIDKey],
		amount:      src.amount,
		currency:    src.currency,
		description: f.Get("description"),
		returnURI:   f.Get("return_uri"),
		metadata:    metadata,
		source:      src,
		status:      chargePending,
		createdAt:   now,
		expiresAt:   expiresAt,
		progress:    newProgress(plan),
	}
	src.charge = ch
	if kind.presented {
		src.document = o.newDocumentLocked(requestOrigin(ex.r), ch.id, now)
	}
	o.charges[ch.id] = ch
	o.chargeL = append(o.chargeL, ch)
	o.ledger.add(ch.requestID, src.barcode, ch)
	ch.lastEvent = o.emitLocked("charge.create", ch.json(now))
	ex.subject = ch
	o.settleLocked(ch)
	if ch.status == chargePending && plan.After > 0 {
		o.afterLocked(plan.After, func() {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.settleLocked(ch)
		})
	}
	return omiseOK(ch.json(now))
}

func (o *Omise) chargeLocked(id string) (*omiseCharge, *reply) {
	ch, ok := o.charges[id]
	if !ok {
		r := omiseError(http.StatusNotFound, "not_found", "charge was not found")
		return nil, &r
	}
	o.settleLocked(ch)
	return ch, nil
}

func (o *Omise) getCharge(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, ok := o.charges[ex.params[0]]
	if !ok {
		return omiseError(http.StatusNotFound, "not_found", "charge was not found")
	}
	ch.progress.inquiries++
	o.settleLocked(ch)
	return omiseOK(ch.json(o.now()))
}

func (o *Omise) listCharges(ex *exchange) reply {
	lp, bad := parseListParams(ex.r.URL.Query(), o.now())
	if bad != nil {
		return *bad
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	page, total := lp.apply(len(o.chargeL), func(i int) time.Time { return o.chargeL[i].createdAt })
	data := make([]any, 0, len(page))
	for _, i := range page {
		ch := o.chargeL[i]
		o.settleLocked(ch)
		data = append(data, ch.json(o.now()))
	}
	return omiseOK(lp.list("/charges", data, total))
}

func (o *Omise) expireCharge(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, bad := o.chargeLocked(ex.params[0])
	if bad != nil {
		return *bad
	}
	if ch.status != chargePending {
		return omiseError(http.StatusBadRequest, "failed_expire", "charge cannot be expired")
	}
	ch.status = chargeExpired
	ch.expiredAt = o.now()
	ch.lastEvent = o.emitLocked("charge.expire", ch.json(o.now()))
	return omiseOK(ch.json(o.now()))
}

func (o *Omise) markAsPaid(ex *exchange) reply   { return o.mark(ex, chargeSuccessful) }
func (o *Omise) markAsFailed(ex *exchange) reply { return o.mark(ex, chargeFailed) }

// mark is the test-mode "mark as paid/failed" of the dashboard.
func (o *Omise) mark(ex *exchange, status string) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, bad := o.chargeLocked(ex.params[0])
	if bad != nil {
		return *bad
	}
	if ch.status != chargePending {
		return omiseError(http.StatusBadRequest, "bad_request", "charge is not pending")
	}
	o.completeLocked(ch, status, "payment_rejected")
	return omiseOK(ch.json(o.now()))
}
