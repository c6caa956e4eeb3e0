package instoretest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

var notFound = instoretest.Fault{Kind: instoretest.FaultNotFound}

func TestNotFoundOmise(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	for i, tg := range targets(t, o) {
		sale := tg.name + "-nf"
		o.InjectFault(instoretest.OmiseCreateCharge, 1, notFound)
		status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, uint64(i)), 10000, sale))
		require.Equal(t, http.StatusOK, status, "POST /charges names no object: served")
		id := ch["id"].(string)
		tests := []struct {
			endpoint     instoretest.Endpoint
			method, path string
			form         url.Values
			message      string
		}{
			{instoretest.OmiseGetCharge, http.MethodGet, "/charges/" + id, nil, "charge was not found"},
			{instoretest.OmiseExpireCharge, http.MethodPost, "/charges/" + id + "/expire", nil, "charge was not found"},
			{instoretest.OmiseListRefunds, http.MethodGet, "/charges/" + id + "/refunds", nil, "charge was not found"},
			{instoretest.OmiseCreateRefund, http.MethodPost, "/charges/" + id + "/refunds", url.Values{"amount": {"100"}}, "charge was not found"},
		}
		for _, tt := range tests {
			o.InjectFault(tt.endpoint, 1, notFound)
			status, e := omiseJSON(t, tg, o.SecretKey(), tt.method, tt.path, tt.form)
			assert.Equal(t, http.StatusNotFound, status, tt.path)
			assert.Equal(t, "not_found", e["code"], tt.path)
			assert.Equal(t, tt.message, e["message"], tt.path)
		}
		e := o.Payments(sale)[0]
		assert.Equal(t, instoretest.StatePending, e.State, "the expire was not processed")
		assert.Zero(t, e.Inquiries, "nor the inquiry")
		o.InjectFault(instoretest.OmiseListCharges, 1, notFound)
		status, _ = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", nil)
		assert.Equal(t, http.StatusOK, status, "a list names no object: served")
	}
}

func TestNotFoundAlipayPlus(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for i, fl := range flavours() {
		sale := fl.name + "-nf"
		code := instoretest.AlipayCode(instoretest.Succeed, uint64(i))
		apDo(t, tg, a, fl.pay, payBody(fl.name, sale, code, 300))
		for _, c := range []struct {
			endpoint instoretest.Endpoint
			path     string
			body     map[string]any
		}{
			{instoretest.AlipayPlusPay, fl.pay, payBody(fl.name, sale, code, 300)},
			{instoretest.AlipayPlusInquiryPayment, fl.inquiry, map[string]any{"paymentRequestId": sale}},
			{instoretest.AlipayPlusCancel, fl.cancel, map[string]any{"paymentRequestId": sale}},
			{instoretest.AlipayPlusRefund, fl.refund, map[string]any{
				"paymentId": a.Payments(sale)[0].ID, "refundRequestId": sale + "-r",
				"refundAmount": map[string]any{"currency": "SGD", "value": "100"},
			}},
		} {
			a.InjectFault(c.endpoint, 1, notFound)
			ans := apDo(t, tg, a, c.path, c.body)
			s, code := ans.result()
			assert.Equal(t, "F", s, c.path)
			assert.Equal(t, "ORDER_NOT_EXIST", code, c.path)
			assert.True(t, ans.Signed, "%s: the lie is signed", c.path)
		}
		e := a.Payments(sale)[0]
		assert.Equal(t, instoretest.StateSucceeded, e.State, "the payment exists, paid, not cancelled")
		assert.Zero(t, e.Refunded)
		assert.Zero(t, e.Inquiries)
	}
}

func TestNotFoundPPRO(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	p.InjectFault(instoretest.PPROTransaction, 1, notFound)
	_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "nf", instoretest.AlipayCode(instoretest.Succeed, 1)))
	require.Equal(t, "SUCCEEDED", v.Get("STATUS"), "a TRANSACTION cannot be not found: served")
	txid := v.Get("TXID")
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "REFUND", "txid", txid, "currency", "CHF", "amount", "50", "merchantrefundid", "nf-r"))
	require.Equal(t, "SUCCEEDED", v.Get("STATUS"))
	refundID := v.Get("REFUNDID")
	tests := []struct {
		endpoint instoretest.Endpoint
		form     url.Values
		check    func(t *testing.T, v url.Values)
	}{
		{instoretest.PPROStatus, pproForm(p, "GETTXSTATUS", "txid", txid), txNotFound},
		{instoretest.PPROStatusByMerchantTxID, pproForm(p, "GETTXSTATUSBYMERCHANTTXID", "merchanttxid", "nf"), txNotFound},
		{instoretest.PPROCancel, pproForm(p, "CANCELTX", "txid", txid), txNotFound},
		{instoretest.PPRORefundStatus, pproForm(p, "GETREFUNDSTATUS", "refundid", refundID), refundNotFound},
		{instoretest.PPRORefundStatusByMerchantRefundID, pproForm(p, "GETREFUNDSTATUSBYMERCHANTREFUNDID", "merchantrefundid", "nf-r"), refundNotFound},
		{instoretest.PPRORefund, pproForm(p, "REFUND", "txid", txid, "currency", "CHF", "amount", "50", "merchantrefundid", "nf-r2"), func(t *testing.T, v url.Values) {
			assert.Equal(t, "FAILED", v.Get("STATUS"))
			assert.Equal(t, "0", v.Get("REFUNDID"))
			assert.Equal(t, "Transaction not found", v.Get("ERRMSG"))
			assert.Equal(t, "nf-r2", v.Get("MERCHANTREFUNDID"))
		}},
	}
	for _, tt := range tests {
		p.InjectFault(tt.endpoint, 1, notFound)
		_, v, _ := pproCall(t.Context(), t, tg, tt.form)
		tt.check(t, v)
	}
	assert.Len(t, p.Refunds("nf"), 1, "the second refund was not processed")
	assert.Equal(t, 0, p.Payments("nf")[0].Inquiries)
}

func txNotFound(t *testing.T, v url.Values) {
	t.Helper()
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "TX_NOT_FOUND", v.Get("REQUESTFAILREASON"))
	assert.Equal(t, "0", v.Get("TXID"))
}

func refundNotFound(t *testing.T, v url.Values) {
	t.Helper()
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "REFUND_NOT_FOUND", v.Get("REQUESTFAILREASON"))
	assert.Equal(t, "0", v.Get("REFUNDID"))
}
