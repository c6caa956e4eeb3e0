package instoretest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

type cancelAnswer struct {
	Result           apResult `json:"result"`
	PaymentID        string   `json:"paymentId,omitempty"`
	PaymentRequestID string   `json:"paymentRequestId,omitempty"`
	CancelTime       string   `json:"cancelTime,omitempty"`
	AcquirerID       string   `json:"acquirerId,omitempty"`
	PSPID            string   `json:"pspId,omitempty"`
}

// cancel closes a payment whatever its status, until 00:15 UTC+8 on the day
// after it was made: a pending payment is closed, a paid one is refunded in
// full. Cancelling a failed or cancelled payment succeeds and changes
// nothing. A cancel answered S closes the paymentRequestId (reference
// alipayplus.md, last section: "the merchant could safely assume as if the
// transaction never happened"): a cancel by paymentRequestId of an id with
// no payment succeeds too, and a pay arriving later under that id is
// refused with ORDER_IS_CLOSED. Only FaultNotFound gives the old answer to
// an unknown id, ORDER_NOT_EXIST; a paymentId the gateway never issued
// still gets it.
func (a *AlipayPlus) cancel(f flavour, body []byte) any {
	var req idsRequest
	if !strictJSON(body, &req) || (req.PaymentID == "" && req.PaymentRequestID == "") {
		return apFail("PARAM_ILLEGAL")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	p, ok := a.byIDs(req.PaymentID, req.PaymentRequestID)
	switch {
	case !ok && req.PaymentID != "":
		return apFail("ORDER_NOT_EXIST")
	case !ok:
		if _, closed := a.closed[req.PaymentRequestID]; !closed {
			a.closed[req.PaymentRequestID] = now
		}
		return cancelAnswerOf(f, &apPayment{requestID: req.PaymentRequestID}, now)
	case !now.Before(cancelDeadline(p.createdAt)):
		return apFail("CANCEL_WINDOW_EXCEED")
	}
	a.settleLocked(p)
	switch p.state {
	case apPending:
		p.state = apCancelled
	case apSucceeded:
		p.state = apCancelled
		p.refunded = p.amount
	}
	return cancelAnswerOf(f, p, now)
}

// cancelAnswerOf is a successful cancel's answer about p.
func cancelAnswerOf(f flavour, p *apPayment, now time.Time) cancelAnswer {
	ans := cancelAnswer{Result: apResultOf("S", "SUCCESS")}
	if f == flavourAPS {
		ans.AcquirerID, ans.PSPID = apAcquirerID, apPSPID
	} else {
		ans.PaymentID, ans.PaymentRequestID, ans.CancelTime = p.paymentID, p.requestID, apTime(now)
	}
	return ans
}

type refundRequest struct {
	PaymentRequestID string    `json:"paymentRequestId"`
	PaymentID        string    `json:"paymentId"`
	RefundRequestID  string    `json:"refundRequestId"`
	RefundAmount     *apAmount `json:"refundAmount"`
	RefundReason     string    `json:"refundReason"`
}

type refundAnswer struct {
	Result          apResult  `json:"result"`
	RefundID        string    `json:"refundId,omitempty"`
	RefundRequestID string    `json:"refundRequestId,omitempty"`
	PaymentID       string    `json:"paymentId,omitempty"`
	RefundAmount    *apAmount `json:"refundAmount,omitempty"`
	RefundTime      string    `json:"refundTime,omitempty"`
	AcquirerID      string    `json:"acquirerId,omitempty"`
	PSPID           string    `json:"pspId,omitempty"`
}

func (a *AlipayPlus) refundAnswer(f flavour, r *apRefund) refundAnswer {
	amt := apAmount{Currency: r.payment.currency, Value: strconv.FormatInt(r.amount, 10)}
	ans := refundAnswer{
		Result:          apResultOf("S", "SUCCESS"),
		RefundID:        r.refundID,
		RefundRequestID: r.requestID,
		PaymentID:       r.payment.paymentID,
		RefundAmount:    &amt,
		RefundTime:      apTime(r.at),
	}
	if f == flavourAPS {
		ans.AcquirerID, ans.PSPID = apAcquirerID, apPSPID
	}
	return ans
}

// refund refunds part or all of a successful payment, idempotently by
// refundRequestId.
func (a *AlipayPlus) refund(f flavour, body []byte) any {
	var req refundRequest
	// Antom's refund names the payment by paymentId only; Alipay+ also
	// takes paymentRequestId (reference alipayplus.md, 3.2 and 3.4).
	if !strictJSON(body, &req) || req.RefundRequestID == "" || len(req.RefundRequestID) > apMaxRequestIDLen ||
		(req.PaymentID == "" && (f == flavourAMS || req.PaymentRequestID == "")) {
		return apFail("PARAM_ILLEGAL")
	}
	amount, ok := req.RefundAmount.parse()
	if !ok {
		return apFail("PARAM_ILLEGAL")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.byIDs(req.PaymentID, req.PaymentRequestID)
	if !ok {
		return apFail("ORDER_NOT_EXIST")
	}
	if r, ok := a.refunds[req.RefundRequestID]; ok {
		if r.payment != p || r.amount != amount || req.RefundAmount.Currency != p.currency {
			return apFail("REPEAT_REQ_INCONSISTENT")
		}
		return a.refundAnswer(f, r)
	}
	a.settleLocked(p)
	switch {
	case p.state != apSucceeded:
		return apFail("ORDER_STATUS_INVALID")
	case req.RefundAmount.Currency != p.currency:
		return apFail("PARAM_ILLEGAL")
	case amount > p.amount-p.refunded:
		return apFail(apRefundExceedCode)
	}
	r := &apRefund{requestID: req.RefundRequestID, refundID: a.newRefundIDLocked(), payment: p, amount: amount, at: a.now()}
	a.refunds[r.requestID] = r
	a.refundL = append(a.refundL, r)
	p.refunded += amount
	p.refunds++
	return a.refundAnswer(f, r)
}

// newRefundIDLocked is a new refundId.
func (a *AlipayPlus) newRefundIDLocked() string {
	a.seq++
	return "2" + pad(a.seq, 20)
}

// strictJSON decodes body into v, refusing what the gateway refuses: a
// body that is not one JSON object, numbers and booleans (every field but
// arrays and objects is a string: "true", "100"), and empty strings, which
// must be left out instead ("optional fields must be omitted or null, not
// an empty string").
func strictJSON(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil || dec.More() {
		return false
	}
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return false
	}
	return !badValue(raw)
}

func badValue(v any) bool {
	switch t := v.(type) {
	case string:
		return t == ""
	case bool, float64:
		return true
	case map[string]any:
		for _, e := range t {
			if badValue(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if badValue(e) {
				return true
			}
		}
	}
	return false
}
