package instoretest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

func foreign(field instoretest.ForeignField, processed bool) instoretest.Fault {
	return instoretest.Fault{Kind: instoretest.FaultForeign, Foreign: field, Processed: processed}
}

func TestForeignOmise(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	// check inspects a charge answer about the sale (10000 THB).
	tests := []struct {
		field instoretest.ForeignField
		check func(t *testing.T, sale string, ch map[string]any)
	}{
		{instoretest.ForeignAmount, func(t *testing.T, _ string, ch map[string]any) { assert.InDelta(t, 10100, ch["amount"], 0) }},
		{instoretest.ForeignNegativeAmount, func(t *testing.T, _ string, ch map[string]any) { assert.InDelta(t, -10000, ch["amount"], 0) }},
		{instoretest.ForeignCurrency, func(t *testing.T, _ string, ch map[string]any) { assert.Equal(t, "USD", ch["currency"]) }},
		{instoretest.ForeignID, func(t *testing.T, sale string, ch map[string]any) {
			assert.NotEqual(t, o.Payments(sale)[0].ID, ch["id"])
			assert.Equal(t, "/charges/"+ch["id"].(string), ch["location"])
		}},
		{instoretest.ForeignRequestID, func(t *testing.T, sale string, ch map[string]any) {
			assert.Equal(t, "other-"+sale, ch["metadata"].(map[string]any)["instore_request_id"])
		}},
	}
	for i, tt := range tests {
		sale := "f-" + tt.field.String()
		o.InjectFault(instoretest.OmiseCreateCharge, 1, foreign(tt.field, true))
		status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, uint64(i)), 10000, sale))
		require.Equal(t, http.StatusOK, status)
		require.Len(t, o.Payments(sale), 1, "processed")
		tt.check(t, sale, ch)
		assert.Equal(t, tt.field, o.Requests()[len(o.Requests())-1].Fault.Foreign)

		// The same falsifying on the inquiry.
		o.InjectFault(instoretest.OmiseGetCharge, 1, foreign(tt.field, true))
		_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+o.Payments(sale)[0].ID, nil)
		tt.check(t, sale, got)
		assert.Equal(t, 1, o.Payments(sale)[0].Inquiries)
	}

	// Not processed: a made-up successful charge of another sale.
	o.InjectFault(instoretest.OmiseCreateCharge, 1, foreign(instoretest.ForeignAmount, false))
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 50), 10000, "ghost"))
	assert.Empty(t, o.Payments("ghost"), "not processed")
	assert.Equal(t, "successful", ch["status"])
	assert.Equal(t, "other-ghost", ch["metadata"].(map[string]any)["instore_request_id"])
	assert.InDelta(t, 10100, ch["amount"], 0)
	status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+ch["id"].(string), nil)
	assert.Equal(t, http.StatusNotFound, status, "the charge described does not exist")

	// An expire not processed: the charge stays pending, the answer is
	// about another charge, expired.
	pending := o.Payments("f-amount")[0].ID
	o.InjectFault(instoretest.OmiseExpireCharge, 1, foreign(instoretest.ForeignID, false))
	_, ex := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+pending+"/expire", nil)
	assert.Equal(t, "expired", ex["status"])
	assert.NotEqual(t, pending, ex["id"])
	assert.Equal(t, instoretest.StatePending, o.Payments("f-amount")[0].State)

	// Refunds: processed, the refund's charge and refund request id lie.
	_, paid := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 60), 10000, "paid"))
	refund := url.Values{"amount": {"4000"}, "metadata[instore_refund_request_id]": {"r-1"}}
	o.InjectFault(instoretest.OmiseCreateRefund, 1, foreign(instoretest.ForeignID, true))
	_, r := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+paid["id"].(string)+"/refunds", refund)
	assert.NotEqual(t, paid["id"], r["charge"])
	o.InjectFault(instoretest.OmiseCreateRefund, 1, foreign(instoretest.ForeignRequestID, true))
	refund.Set("metadata[instore_refund_request_id]", "r-2")
	_, r = omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+paid["id"].(string)+"/refunds", refund)
	assert.Equal(t, "other-r-2", r["metadata"].(map[string]any)["instore_refund_request_id"])
	assert.Len(t, o.Refunds("paid"), 2, "both processed")

	// Answers about no payment pass unchanged.
	o.InjectFault(instoretest.OmiseGetCharge, 1, foreign(instoretest.ForeignID, true))
	status, e := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/chrg_test_missing", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "not_found", e["code"])
}

func TestForeignAlipayPlus(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for _, fl := range flavours() {
		tests := []struct {
			field instoretest.ForeignField
			check func(t *testing.T, sale string, ans apAnswer)
		}{
			{instoretest.ForeignAmount, func(t *testing.T, _ string, ans apAnswer) { assert.Equal(t, "600", ans.str("paymentAmount", "value")) }},
			{instoretest.ForeignNegativeAmount, func(t *testing.T, _ string, ans apAnswer) { assert.Equal(t, "-500", ans.str("paymentAmount", "value")) }},
			{instoretest.ForeignCurrency, func(t *testing.T, _ string, ans apAnswer) {
				assert.Equal(t, "USD", ans.str("paymentAmount", "currency"))
			}},
			{instoretest.ForeignID, func(t *testing.T, sale string, ans apAnswer) {
				assert.NotEqual(t, a.Payments(sale)[0].ID, ans.str("paymentId"))
				assert.NotEmpty(t, ans.str("paymentId"))
			}},
			{instoretest.ForeignRequestID, func(t *testing.T, sale string, ans apAnswer) {
				assert.Equal(t, "other-"+sale, ans.str("paymentRequestId"))
			}},
		}
		for i, tt := range tests {
			sale := fl.name + "-" + tt.field.String()
			a.InjectFault(instoretest.AlipayPlusPay, 1, foreign(tt.field, true))
			ans := apDo(t, tg, a, fl.pay, payBody(fl.name, sale, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 500))
			s, _ := ans.result()
			assert.Equal(t, "S", s)
			assert.True(t, ans.Signed, "a foreign answer is signed: %s", sale)
			require.Len(t, a.Payments(sale), 1)
			tt.check(t, sale, ans)

			a.InjectFault(instoretest.AlipayPlusInquiryPayment, 1, foreign(tt.field, true))
			inq := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": sale})
			assert.True(t, inq.Signed)
			tt.check(t, sale, inq)
		}

		// Not processed: a made-up successful payment of another sale.
		ghost := fl.name + "-ghost"
		a.InjectFault(instoretest.AlipayPlusPay, 1, foreign(instoretest.ForeignCurrency, false))
		ans := apDo(t, tg, a, fl.pay, payBody(fl.name, ghost, instoretest.AlipayCode(instoretest.Succeed, 9), 500))
		s, _ := ans.result()
		assert.Equal(t, "S", s)
		assert.True(t, ans.Signed)
		assert.Equal(t, "other-"+ghost, ans.str("paymentRequestId"))
		assert.Equal(t, "USD", ans.str("paymentAmount", "currency"))
		assert.Empty(t, a.Payments(ghost), "not processed")

		// Refund answers: the refund request id and amount lie.
		paid := fl.name + "-amount"
		a.InjectFault(instoretest.AlipayPlusRefund, 1, foreign(instoretest.ForeignRequestID, true))
		r := apDo(t, tg, a, fl.refund, map[string]any{
			"paymentId": a.Payments(paid)[0].ID, "refundRequestId": fl.name + "-r1",
			"refundAmount": map[string]any{"currency": "SGD", "value": "100"},
		})
		assert.Equal(t, "other-"+fl.name+"-r1", r.str("refundRequestId"))
		a.InjectFault(instoretest.AlipayPlusRefund, 1, foreign(instoretest.ForeignAmount, true))
		r = apDo(t, tg, a, fl.refund, map[string]any{
			"paymentId": a.Payments(paid)[0].ID, "refundRequestId": fl.name + "-r2",
			"refundAmount": map[string]any{"currency": "SGD", "value": "100"},
		})
		assert.Equal(t, "200", r.str("refundAmount", "value"))
		assert.True(t, r.Signed)
		assert.Len(t, a.Refunds(paid), 2, "both processed, 100 each")

		// A failed answer describes no payment: unchanged.
		a.InjectFault(instoretest.AlipayPlusInquiryPayment, 1, foreign(instoretest.ForeignID, true))
		_, c := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "nobody"}).result()
		assert.Equal(t, "ORDER_NOT_EXIST", c)
	}

	// The /aps cancel answer names no payment: an unprocessed foreign
	// cancel has nothing to lie about, and is served.
	sale := "aps-id"
	a.InjectFault(instoretest.AlipayPlusCancel, 1, foreign(instoretest.ForeignID, false))
	s, _ := apDo(t, tg, a, flavours()[1].cancel, map[string]any{"paymentRequestId": sale}).result()
	assert.Equal(t, "S", s)
	assert.Equal(t, instoretest.StateCancelled, a.Payments(sale)[0].State)
	// The /ams one names it: the lie is about another payment.
	sale = "ams-id"
	a.InjectFault(instoretest.AlipayPlusCancel, 1, foreign(instoretest.ForeignID, false))
	ans := apDo(t, tg, a, flavours()[0].cancel, map[string]any{"paymentRequestId": sale})
	assert.Equal(t, "other-"+sale, ans.str("paymentRequestId"))
	assert.Equal(t, instoretest.StateSucceeded, a.Payments(sale)[0].State, "not cancelled")
}

func TestForeignPPRO(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	tests := []struct {
		field  instoretest.ForeignField
		sameID bool // TXID unchanged, MERCHANTTXID changed
	}{
		// PPRO answers carry no amount or currency: those fall back to
		// the id.
		{instoretest.ForeignAmount, false},
		{instoretest.ForeignCurrency, false},
		{instoretest.ForeignNegativeAmount, false},
		{instoretest.ForeignID, false},
		{instoretest.ForeignRequestID, true},
	}
	for i, tt := range tests {
		sale := "pf-" + tt.field.String()
		p.InjectFault(instoretest.PPROTransaction, 1, foreign(tt.field, true))
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, sale, instoretest.AlipayCode(instoretest.Succeed, uint64(i))))
		require.Len(t, p.Payments(sale), 1, "processed")
		made := p.Payments(sale)[0].ID
		if tt.sameID {
			assert.Equal(t, made, v.Get("TXID"))
			assert.Equal(t, "other-"+sale, v.Get("MERCHANTTXID"))
		} else {
			assert.NotEqual(t, made, v.Get("TXID"))
			assert.Equal(t, sale, v.Get("MERCHANTTXID"))
		}
		assert.Equal(t, "SUCCEEDED", v.Get("STATUS"))
	}

	// Not processed: a made-up transaction of another sale; a cancel about
	// another transaction, cancelled.
	_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "pending", instoretest.AlipayCode(instoretest.NeverCompletes, 20)))
	txid := v.Get("TXID")
	p.InjectFault(instoretest.PPROCancel, 1, foreign(instoretest.ForeignAny, false))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", txid))
	assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "CANCELED", v.Get("FAILREASON"))
	assert.NotEqual(t, txid, v.Get("TXID"))
	assert.Equal(t, instoretest.StatePending, p.Payments("pending")[0].State, "not cancelled")
	p.InjectFault(instoretest.PPROTransaction, 1, foreign(instoretest.ForeignRequestID, false))
	_, v, _ = pproCall(t.Context(), t, tg, pproSale(p, "ghost", instoretest.AlipayCode(instoretest.Succeed, 21)))
	assert.Equal(t, "other-ghost", v.Get("MERCHANTTXID"))
	assert.Empty(t, p.Payments("ghost"))

	// Refunds: REFUNDID and MERCHANTREFUNDID.
	paid := p.Payments("pf-id")[0].ID
	p.InjectFault(instoretest.PPRORefund, 1, foreign(instoretest.ForeignRequestID, true))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "REFUND", "txid", paid, "currency", "CHF", "amount", "100", "merchantrefundid", "mr-1"))
	assert.Equal(t, "other-mr-1", v.Get("MERCHANTREFUNDID"))
	require.Len(t, p.Refunds("pf-id"), 1)
	assert.Equal(t, p.Refunds("pf-id")[0].ID, v.Get("REFUNDID"))
	p.InjectFault(instoretest.PPRORefundStatusByMerchantRefundID, 1, foreign(instoretest.ForeignID, true))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDBYMERCHANTREFUNDID", "merchantrefundid", "mr-1"))
	assert.NotEqual(t, p.Refunds("pf-id")[0].ID, v.Get("REFUNDID"))
	assert.Equal(t, "mr-1", v.Get("MERCHANTREFUNDID"))
}

func TestForeignAnyIsDrawnPerRequest(t *testing.T) {
	t.Parallel()
	fields := func(seed uint64) []instoretest.ForeignField {
		o := instoretest.NewOmiseT(t, instoretest.WithSeed(seed))
		o.SetRandomFaults(instoretest.OmiseCreateCharge, instoretest.RandomFault{Rate: 1, Fault: foreign(instoretest.ForeignAny, true)})
		o.InjectFault(instoretest.OmiseCreateCharge, 1, foreign(instoretest.ForeignAny, true))
		var out []instoretest.ForeignField
		for i := range 12 {
			_, b, err := omiseCall(t.Context(), inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
				chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000, "any-"+itoa(i)))
			require.NoError(t, err)
			require.True(t, json.Valid(b))
		}
		for _, r := range o.Requests() {
			out = append(out, r.Fault.Foreign)
		}
		return out
	}
	first := fields(3)
	seen := map[instoretest.ForeignField]bool{}
	for _, f := range first {
		assert.NotEqual(t, instoretest.ForeignAny, f, "the log shows the field drawn")
		seen[f] = true
	}
	assert.Greater(t, len(seen), 2, "several fields drawn")
	assert.Equal(t, first, fields(3))
}
