package instoretest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxOmiseRefunds is the most refunds one charge takes (Omise refunds API:
// "fewer than 15 partial refunds").
const maxOmiseRefunds = 15

// omiseRefund is a refund as the simulator keeps it.
type omiseRefund struct {
	id, chargeID, currency, transaction string
	amount                              int64
	voided                              bool
	metadata                            map[string]string
	createdAt                           time.Time
	event                               *omiseEvent // refund.create
}

func (r *omiseRefund) json() *omiseRefundJSON {
	md := r.metadata
	if md == nil {
		md = map[string]string{}
	}
	return &omiseRefundJSON{
		Object:          "refund",
		ID:              r.id,
		Location:        "/charges/" + r.chargeID + "/refunds/" + r.id,
		Voided:          r.voided,
		Currency:        r.currency,
		Amount:          r.amount,
		Metadata:        md,
		Charge:          r.chargeID,
		Transaction:     r.transaction,
		Status:          "closed",
		FundingAmount:   r.amount,
		FundingCurrency: r.currency,
		CreatedAt:       omiseTimestamp(r.createdAt),
	}
}

// cancelDeadline is when a payment made at t can no longer be cancelled or
// voided: 00:15 UTC+8 on the next day (Alipay+ cancelPayment; Omise's
// "voided until 16:15 UTC of the transaction date" for Alipay+ charges is
// the same instant).
func cancelDeadline(t time.Time) time.Time {
	loc := time.FixedZone("UTC+8", 8*60*60)
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 15, 0, 0, loc)
}

func (o *Omise) createRefund(ex *exchange) reply {
	f, ok := form(ex)
	if !ok {
		return omiseError(http.StatusBadRequest, "bad_request", "request body is not a valid form")
	}
	amountS := f.Get("amount")
	if amountS == "" {
		return omiseError(http.StatusBadRequest, "bad_request", "amount is required")
	}
	amount, err := strconv.ParseInt(amountS, 10, 64)
	if err != nil || amount <= 0 {
		return omiseError(http.StatusBadRequest, "bad_request", "amount is invalid")
	}
	metadata := map[string]string{}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 {
			metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, bad := o.chargeLocked(ex.params[0])
	if bad != nil {
		return *bad
	}
	switch {
	case ch.status != chargeSuccessful:
		return omiseError(http.StatusBadRequest, "failed_refund", "charge is not refundable")
	case len(ch.refunds) >= maxOmiseRefunds:
		return omiseError(http.StatusBadRequest, "failed_refund", "charge has reached the maximum number of refunds")
	case amount > ch.amount-ch.refunded:
		return omiseError(http.StatusBadRequest, "failed_refund", "amount exceeds the refundable amount")
	}
	now := o.now()
	// A full refund before settlement is processed as a void.
	void := amount == ch.amount && ch.refunded == 0 && now.Before(cancelDeadline(ch.createdAt))
	r := &omiseRefund{
		id:          o.newIDLocked("rfnd_test_"),
		chargeID:    ch.id,
		currency:    ch.currency,
		transaction: o.newIDLocked("trxn_test_"),
		amount:      amount,
		voided:      void,
		metadata:    metadata,
		createdAt:   now,
	}
	ch.refunds = append(ch.refunds, r)
	ch.refunded += amount
	ch.voided = ch.voided || void
	r.event = o.emitLocked("refund.create", r.json())
	ex.subject = r
	return omiseOK(r.json())
}

func (o *Omise) listRefunds(ex *exchange) reply {
	lp, bad := parseListParams(ex.r.URL.Query(), o.now())
	if bad != nil {
		return *bad
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, bad := o.chargeLocked(ex.params[0])
	if bad != nil {
		return *bad
	}
	page, total := lp.apply(len(ch.refunds), func(i int) time.Time { return ch.refunds[i].createdAt })
	data := make([]any, 0, len(page))
	for _, i := range page {
		data = append(data, ch.refunds[i].json())
	}
	return omiseOK(lp.list("/charges/"+ch.id+"/refunds", data, total))
}

func (o *Omise) getRefund(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, bad := o.chargeLocked(ex.params[0])
	if bad != nil {
		return *bad
	}
	for _, r := range ch.refunds {
		if r.id == ex.params[1] {
			return omiseOK(r.json())
		}
	}
	return omiseError(http.StatusNotFound, "not_found", "refund was not found")
}
