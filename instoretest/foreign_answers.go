package instoretest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// What each simulator's answers say about a payment, for FaultForeign:
// falsify edits an answer the simulator gave; ghost makes up the answer an
// endpoint would give about a successful payment (or refund) of another
// sale, for a request that is not processed.

// Omise.

// foreignOmise serves a FaultForeign on an authorised request.
func (o *Omise) foreignOmise(ex *exchange, rt *omiseRoute) reply {
	if !ex.fault.Processed {
		if rep, ok := o.ghost(ex, rt); ok {
			if ex.fault.Foreign.aboutMoney() {
				rep = o.falsify(rep, ex.fault.Foreign)
			}
			return rep
		}
	}
	return o.falsify(rt.serve(o, ex), ex.fault.Foreign)
}

// falsify edits a charge or a refund in a successful answer.
func (o *Omise) falsify(rep reply, field ForeignField) reply {
	if rep.status/100 != 2 {
		return rep
	}
	m, ok := jsonObject(rep.body)
	if !ok {
		return rep
	}
	e := foreignEdits{
		amount: func(negate bool) bool {
			return jsonInt(m, "amount", func(v int64) int64 { return otherAmount(v, negate) })
		},
		currency: func() bool { return jsonString(m, "currency", otherCurrency) },
	}
	switch m["object"] {
	case "charge":
		e.id = func() bool {
			id := o.newID("chrg_test_")
			m["id"], m["location"] = id, "/charges/"+id
			return true
		}
		e.requestID = func() bool { return otherMetadata(m, OmiseRequestIDKey) }
	case "refund":
		e.id = func() bool { return jsonString(m, "charge", func(string) string { return o.newID("chrg_test_") }) }
		e.requestID = func() bool { return otherMetadata(m, OmiseRefundRequestIDKey) }
	default:
		return rep
	}
	e.apply(field)
	b, err := json.Marshal(m)
	if err != nil {
		return rep
	}
	rep.body = b
	return rep
}

// otherMetadata gives m's metadata[key] another sale's request id.
func otherMetadata(m map[string]any, key string) bool {
	md, ok := jsonObjectField(m, "metadata")
	if !ok {
		md = map[string]any{}
		m["metadata"] = md
	}
	old, _ := md[key].(string)
	md[key] = otherRequestID(old, 0)
	return true
}

func (o *Omise) newID(prefix string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.newIDLocked(prefix)
}

// ghost is the answer about a made-up successful charge (an expired one
// for expire) or refund of another sale, on the endpoints that answer
// with one.
func (o *Omise) ghost(ex *exchange, rt *omiseRoute) (reply, bool) {
	f, _ := form(ex)
	amount, currency := int64(10000), "THB"
	if v, err := strconv.ParseInt(f.Get("amount"), 10, 64); err == nil && v > 0 {
		amount = v
	}
	if c := f.Get("currency"); c != "" {
		currency = strings.ToUpper(c)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	src := &omiseSource{id: o.newIDLocked("src_test_"), typ: "alipayplus_upm", amount: amount, currency: currency, createdAt: now}
	requestID := otherRequestID(ex.key, 0)
	ch := &omiseCharge{
		id: o.newIDLocked("chrg_test_"), requestID: requestID, amount: amount, currency: currency,
		metadata: map[string]string{OmiseRequestIDKey: requestID}, source: src, status: chargeSuccessful,
		createdAt: now, paidAt: now, paid: true, transaction: o.newIDLocked("trxn_test_"),
	}
	src.charge = ch
	switch rt.endpoint {
	case OmiseCreateCharge, OmiseGetCharge, OmiseMarkAsPaid, OmiseMarkAsFailed:
		return omiseOK(ch.json(now)), true
	case OmiseExpireCharge:
		ch.status, ch.paid, ch.paidAt, ch.transaction, ch.expiredAt = chargeExpired, false, time.Time{}, "", now
		return omiseOK(ch.json(now)), true
	case OmiseCreateRefund, OmiseGetRefund:
		r := &omiseRefund{
			id: o.newIDLocked("rfnd_test_"), chargeID: ch.id, currency: currency, transaction: o.newIDLocked("trxn_test_"),
			amount: amount, createdAt: now,
			metadata: map[string]string{
				OmiseRequestIDKey:       requestID,
				OmiseRefundRequestIDKey: otherRequestID(f.Get("metadata["+OmiseRefundRequestIDKey+"]"), 0),
			},
		}
		return omiseOK(r.json()), true
	}
	return reply{}, false
}

// Alipay+.

// falsify edits the payment or refund an encoded answer describes.
func (a *AlipayPlus) falsify(body []byte, field ForeignField) []byte {
	m, ok := jsonObject(body)
	if !ok {
		return body
	}
	requestIDKey := "paymentRequestId"
	amt, refund := jsonObjectField(m, "refundAmount")
	if refund {
		requestIDKey = "refundRequestId"
	} else {
		amt, _ = jsonObjectField(m, "paymentAmount")
	}
	e := foreignEdits{
		id: func() bool {
			return jsonString(m, "paymentId", func(string) string {
				a.mu.Lock()
				defer a.mu.Unlock()
				return a.newPaymentIDLocked(a.now())
			})
		},
		requestID: func() bool {
			return jsonString(m, requestIDKey, func(s string) string { return otherRequestID(s, apMaxRequestIDLen) })
		},
	}
	if amt != nil {
		e.amount = func(negate bool) bool {
			return jsonString(amt, "value", func(v string) string {
				n, _ := strconv.ParseInt(v, 10, 64)
				return strconv.FormatInt(otherAmount(n, negate), 10)
			})
		}
		e.currency = func() bool { return jsonString(amt, "currency", otherCurrency) }
	}
	e.apply(field)
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// ghost is the answer about a made-up successful payment or refund of
// another sale. The /aps cancel answer names no payment, so it has none.
func (a *AlipayPlus) ghost(f flavour, ep Endpoint, ex *exchange) (any, bool) {
	if ep == AlipayPlusCancel && f == flavourAPS {
		return nil, false
	}
	var req struct {
		RefundRequestID string    `json:"refundRequestId"`
		PaymentAmount   *apAmount `json:"paymentAmount"`
		RefundAmount    *apAmount `json:"refundAmount"`
	}
	_ = json.Unmarshal(ex.body, &req)
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	p := &apPayment{
		requestID: otherRequestID(ex.key, apMaxRequestIDLen), paymentID: a.newPaymentIDLocked(now), flavour: f,
		amount: 100, currency: "USD", methodType: apMethodType, state: apSucceeded, paid: true, createdAt: now, paidAt: now,
	}
	if v, ok := req.PaymentAmount.parse(); ok {
		p.amount, p.currency = v, req.PaymentAmount.Currency
	}
	switch ep {
	case AlipayPlusPay:
		return a.payAnswer(f, p), true
	case AlipayPlusInquiryPayment:
		return inquiryAnswerOf(f, p), true
	case AlipayPlusCancel:
		p.state = apCancelled
		return cancelAnswerOf(f, p, now), true
	}
	r := &apRefund{requestID: otherRequestID(req.RefundRequestID, apMaxRequestIDLen), refundID: a.newRefundIDLocked(), payment: p, amount: p.amount, at: now}
	if v, ok := req.RefundAmount.parse(); ok {
		r.amount, p.currency = v, req.RefundAmount.Currency
	}
	return a.refundAnswer(f, r), true
}

// PPRO.

// foreignLocked serves a FaultForeign on an authorised call. p.mu is held.
func (p *PPRO) foreignLocked(ep Endpoint, form url.Values, ex *exchange) reply {
	if !ex.fault.Processed {
		// PPRO answers carry no amount: the made-up answer is foreign
		// enough.
		return p.ghostLocked(ep, form, ex.key)
	}
	return p.falsifyLocked(p.dispatchLocked(ep, form, ex), ex.fault.Foreign)
}

// falsifyLocked edits the transaction or refund an answer describes. PPRO
// answers carry no amount or currency. p.mu is held.
func (p *PPRO) falsifyLocked(rep reply, field ForeignField) reply {
	if rep.status != http.StatusOK {
		return rep
	}
	a := parseFormAnswer(rep.body)
	idKey, requestIDKey := "TXID", "MERCHANTTXID"
	if _, ok := a.get("REFUNDID"); ok {
		idKey, requestIDKey = "REFUNDID", "MERCHANTREFUNDID"
	}
	if id, ok := a.get(idKey); !ok || id == "0" {
		return rep // it describes nothing: refused, or not found
	}
	e := foreignEdits{
		id: func() bool {
			a.set(idKey, p.newIDLocked(idKey == "REFUNDID"))
			return true
		},
		requestID: func() bool {
			v, ok := a.get(requestIDKey)
			if ok {
				a.set(requestIDKey, otherRequestID(v, 40))
			}
			return ok
		},
	}
	e.apply(field)
	rep.body = a.bytes()
	return rep
}

// newIDLocked is a new TXID, or REFUNDID.
func (p *PPRO) newIDLocked(refund bool) string {
	p.seq++
	if refund {
		return strconv.FormatUint(300_000_000+p.seq, 10)
	}
	return strconv.FormatUint(700_000_000+p.seq, 10)
}

// ghostLocked is the answer about a made-up transaction of another sale,
// succeeded (cancelled, for CANCELTX), or about a refund of it. p.mu is
// held.
func (p *PPRO) ghostLocked(ep Endpoint, form url.Values, key string) reply {
	now := p.now()
	tx := &pproTx{
		txID: p.newIDLocked(false), merchantTxID: otherRequestID(key, 40), amount: 100, currency: "CHF", country: "CH",
		storeID: "STORE-1", storeName: "Store", channel: p.cred.Channel, redirectSecret: randomBase36(32),
		state: pproSucceeded, paid: true, createdAt: now, finalAt: now,
	}
	if v, ok := pproAmount(form.Get("amount")); ok {
		tx.amount = v
	}
	switch ep {
	case PPROTransaction:
		return p.answerLocked(p.txFields(tx, true))
	case PPROStatus, PPROStatusByMerchantTxID:
		return p.answerLocked(p.statusAnswer(tx, true, ""))
	case PPROCancel:
		tx.state, tx.failReason, tx.paid = pproFailed, pproCanceled, false
		return p.answerLocked(p.statusAnswer(tx, true, ""))
	}
	r := &pproRefund{
		refundID: p.newIDLocked(true), merchantRefundID: otherRequestID(form.Get("merchantrefundid"), 40),
		tx: tx, amount: tx.amount, currency: tx.currency, createdAt: now,
	}
	if ep == PPRORefund {
		return p.answerLocked(r.fields())
	}
	return p.answerLocked(append(r.fields(), pproField{"REQUESTSTATUS", pproSucceeded}))
}
