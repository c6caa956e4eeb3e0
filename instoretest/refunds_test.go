package instoretest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

func TestRefundLedgerOmise(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "sale-1"))
	id := ch["id"].(string)
	for _, r := range []struct{ amount, refundID string }{{"3000", "sale-1-r1"}, {"2000", "sale-1-r2"}, {"1000", ""}} {
		form := url.Values{"amount": {r.amount}}
		if r.refundID != "" {
			form.Set("metadata[instore_refund_request_id]", r.refundID)
		}
		status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+id+"/refunds", form)
		require.Equal(t, http.StatusOK, status)
	}
	status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+id+"/refunds", url.Values{"amount": {"4001"}})
	require.Equal(t, http.StatusBadRequest, status, "more than is left: refused, no entry")

	got := o.Refunds("sale-1")
	require.Len(t, got, 3)
	assert.Equal(t, []string{"sale-1-r1", "sale-1-r2", ""}, []string{got[0].RefundRequestID, got[1].RefundRequestID, got[2].RefundRequestID})
	for i, amount := range []int64{3000, 2000, 1000} {
		assert.Equal(t, amount, got[i].Amount)
		assert.Equal(t, "sale-1", got[i].RequestID)
		assert.Equal(t, id, got[i].PaymentID)
		assert.Equal(t, "THB", got[i].Currency)
		assert.Equal(t, instoretest.StateSucceeded, got[i].State)
		assert.Contains(t, got[i].ID, "rfnd_test_")
	}
	assert.Equal(t, got, o.AllRefunds())
	assert.Empty(t, o.Refunds("other"))

	// The list answers with each refund's metadata, so a client can look
	// before it refunds again.
	_, list := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id+"/refunds", nil)
	data := list["data"].([]any)
	require.Len(t, data, 3)
	first := data[0].(map[string]any)
	assert.Equal(t, got[0].ID, first["id"])
	assert.Equal(t, "sale-1-r1", first["metadata"].(map[string]any)["instore_refund_request_id"])
}

func TestRefundLedgerAlipayPlus(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	fl := flavours()[1]
	apDo(t, tg, a, fl.pay, payBody(fl.name, "sale-2", instoretest.AlipayCode(instoretest.Succeed, 2), 1000))
	refund := func(id, amount string) {
		ans := apDo(t, tg, a, fl.refund, map[string]any{
			"paymentRequestId": "sale-2", "refundRequestId": id, "refundAmount": map[string]any{"currency": "SGD", "value": amount},
		})
		s, _ := ans.result()
		require.Equal(t, "S", s)
	}
	refund("sale-2-r1", "400")
	refund("sale-2-r1", "400") // idempotent: one refund
	refund("sale-2-r2", "100")
	got := a.Refunds("sale-2")
	require.Len(t, got, 2)
	assert.Equal(t, "sale-2-r1", got[0].RefundRequestID)
	assert.Equal(t, int64(400), got[0].Amount)
	assert.Equal(t, "SGD", got[0].Currency)
	assert.Equal(t, a.Payments("sale-2")[0].ID, got[0].PaymentID)
	assert.Equal(t, "sale-2-r2", got[1].RefundRequestID)
	assert.Equal(t, got, a.AllRefunds())
}

func TestRefundLedgerPPRO(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "sale-3", instoretest.AlipayCode(instoretest.Succeed, 3)))
	txid := v.Get("TXID")
	refund := func(id, amount string) string {
		_, v, _ := pproCall(t.Context(), t, tg, pproForm(p, "REFUND", "txid", txid, "currency", "CHF", "amount", amount, "merchantrefundid", id))
		require.Equal(t, "SUCCEEDED", v.Get("STATUS"))
		return v.Get("REFUNDID")
	}
	first := refund("sale-3-r1", "250")

	// A client looks the refund up by its own id before sending another.
	for _, txtype := range []string{"GETREFUNDBYMERCHANTREFUNDID", "GETREFUNDSTATUSBYMERCHANTREFUNDID"} {
		_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, txtype, "merchantrefundid", "SALE-3-R1"))
		assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"), txtype)
		assert.Equal(t, first, v.Get("REFUNDID"), txtype)
		assert.Equal(t, "sale-3-r1", v.Get("MERCHANTREFUNDID"), txtype)
	}
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDBYMERCHANTREFUNDID", "merchantrefundid", "sale-3-r9"))
	assert.Equal(t, "REFUND_NOT_FOUND", v.Get("REQUESTFAILREASON"))

	// PPRO does not deduplicate merchantrefundid: a second REFUND moves
	// money again, and the ledger shows both.
	refund("sale-3-r1", "250")
	got := p.Refunds("sale-3")
	require.Len(t, got, 2)
	for _, r := range got {
		assert.Equal(t, "sale-3-r1", r.RefundRequestID)
		assert.Equal(t, int64(250), r.Amount)
		assert.Equal(t, "CHF", r.Currency)
		assert.Equal(t, txid, r.PaymentID)
		assert.Equal(t, "sale-3", r.RequestID)
	}
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDBYMERCHANTREFUNDID", "merchantrefundid", "sale-3-r1"))
	assert.Equal(t, "REFUND_NOT_UNIQUE", v.Get("REQUESTFAILREASON"))
	assert.Equal(t, got, p.AllRefunds())
}
