package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// POST /sales answers every final outcome with 200 and the payment, a
// decline included; GET /sales/{id} then gives the same sale.
func TestSales(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		outcome  instoretest.Outcome
		want     instore.PaymentStatus
		wantCode string
		wantAt   time.Duration
	}{
		{"paid at once", instoretest.Succeed, instore.StatusSucceeded, "", 0},
		{"declined", instoretest.DeclineInsufficientBalance, instore.StatusFailed, "insufficient_balance", 0},
		// The webhook wakes the sale at 1 s, before its first inquiry at 2 s.
		{"confirmed in the app", instoretest.ConfirmAfter(time.Second), instore.StatusSucceeded, "", time.Second},
		{"never confirmed", instoretest.NeverCompletes, instore.StatusCancelled, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				start := time.Now()
				rec := h.do(http.MethodPost, "/sales", sale("sale-1", instoretest.AlipayCode(tt.outcome, 1), "125.00"))
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				p := decoded(t, rec).Payment
				require.NotNil(t, p)
				assert.Equal(t, tt.want, p.Status)
				assert.Equal(t, tt.wantCode, p.FailureCode)
				assert.Equal(t, instore.Money{Amount: 12500, Currency: instore.THB}, p.Amount)
				if tt.wantAt > 0 {
					assert.Equal(t, tt.wantAt, time.Since(start))
				}
				entries := h.sim.Payments("sale-1")
				require.Len(t, entries, 1)
				assert.Equal(t, tt.want == instore.StatusSucceeded, entries[0].Captured)

				rec = h.do(http.MethodGet, "/sales/sale-1", nil)
				require.Equal(t, http.StatusOK, rec.Code)
				assert.Equal(t, p, decoded(t, rec).Payment)
			})
		})
	}
}

// The same request again is the same sale: a till that lost an answer
// sends it again and is never charged twice; while the sale runs it hears
// 409 and may look the sale up.
func TestSaleReplay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		body := sale("sale-1", instoretest.AlipayCode(instoretest.ConfirmAfter(5*time.Second), 1), "100")
		first := make(chan *httptest.ResponseRecorder)
		go func() { first <- h.do(http.MethodPost, "/sales", body) }()
		synctest.Wait() // waiting for its first inquiry

		rec := h.do(http.MethodPost, "/sales", body)
		assert.Equal(t, http.StatusConflict, rec.Code)
		assert.Equal(t, "request_in_progress", decoded(t, rec).Error.Code)
		rec = h.do(http.MethodGet, "/sales/sale-1", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, instore.StatusPending, decoded(t, rec).Payment.Status)

		firstRec := <-first
		require.Equal(t, http.StatusOK, firstRec.Code)
		p := decoded(t, firstRec).Payment
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		rec = h.do(http.MethodPost, "/sales", body)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, p, decoded(t, rec).Payment, "answered from the journal")
		assert.Len(t, h.sim.Payments("sale-1"), 1, "charged once")

		other := sale("sale-1", instoretest.AlipayCode(instoretest.Succeed, 2), "200")
		rec = h.do(http.MethodPost, "/sales", other)
		assert.Equal(t, http.StatusConflict, rec.Code)
		assert.Equal(t, "request_id_reused", decoded(t, rec).Error.Code)
		assert.Len(t, h.sim.Payments("sale-1"), 1)
	})
}

// Requests refused before anything is sent, each with its status and code.
func TestSaleRefused(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		code := instoretest.AlipayCode(instoretest.Succeed, 1)
		with := func(change func(b map[string]any)) map[string]any {
			b := sale("sale-1", code, "100.00")
			change(b)
			return b
		}
		tests := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"not JSON", `{"request_id":`, http.StatusBadRequest, "invalid_request"},
			{"two values", `{} {}`, http.StatusBadRequest, "invalid_request"},
			{"an unknown field", with(func(b map[string]any) { b["tip"] = 5 }), http.StatusBadRequest, "invalid_request"},
			{"a request id with a space", with(func(b map[string]any) { b["request_id"] = "sale 1" }), http.StatusBadRequest, "invalid_request"},
			{"a code that is no code", with(func(b map[string]any) { b["code"] = "28x234567890123456" }), http.StatusUnprocessableEntity, "invalid_payment_code"},
			{"a wallet nobody knows", with(func(b map[string]any) { b["code"] = "991234567890123456" }), http.StatusUnprocessableEntity, "unknown_wallet"},
			{"a UnionPay code", with(func(b map[string]any) { b["code"] = "621234567890123456" + "7" }), http.StatusUnprocessableEntity, "no_route"},
			{"over the limit", with(func(b map[string]any) { b["amount"] = thb("1000000000") }), http.StatusUnprocessableEntity, "amount_out_of_range"},
			{"yen", with(func(b map[string]any) { b["amount"] = map[string]string{"decimal": "100", "currency": "JPY"} }), http.StatusUnprocessableEntity, "currency_not_supported"},
			{"a third decimal", with(func(b map[string]any) { b["amount"] = thb("1.234") }), http.StatusBadRequest, "invalid_amount"},
			{"no amount", with(func(b map[string]any) { delete(b, "amount") }), http.StatusBadRequest, "invalid_request"},
		}
		for _, tt := range tests {
			rec := h.do(http.MethodPost, "/sales", tt.body)
			assert.Equal(t, tt.status, rec.Code, "%s: %s", tt.name, rec.Body.String())
			a := decoded(t, rec)
			require.NotNil(t, a.Error, tt.name)
			assert.Equal(t, tt.code, a.Error.Code, tt.name)
			assert.Nil(t, a.Payment, "%s: nothing was sent", tt.name)
			assert.NotContains(t, rec.Body.String(), code[2:], "%s: the code is never echoed", tt.name)
		}
		assert.Empty(t, h.sim.Requests(), "nothing reached the acquirer")

		rec := h.do(http.MethodGet, "/sales/nobody", nil)
		assert.Equal(t, http.StatusNotFound, rec.Code)
		assert.Equal(t, "not_found", decoded(t, rec).Error.Code)
	})
}

// DELETE /sales/{id} is the cashier giving up: the running sale is
// cancelled at the acquirer and its POST answers cancelled.
func TestCashierCancels(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		done := make(chan *httptest.ResponseRecorder)
		go func() {
			done <- h.do(http.MethodPost, "/sales", sale("sale-1", instoretest.AlipayCode(instoretest.NeverCompletes, 1), "100"))
		}()
		time.Sleep(time.Second) // the customer hesitates; the cashier gives up
		rec := h.do(http.MethodDelete, "/sales/sale-1", nil)
		assert.Equal(t, http.StatusAccepted, rec.Code)
		posted := <-done
		require.Equal(t, http.StatusOK, posted.Code)
		assert.Equal(t, instore.StatusCancelled, decoded(t, posted).Payment.Status)
		entries := h.sim.Payments("sale-1")
		require.Len(t, entries, 1)
		assert.Equal(t, instoretest.StateCancelled, entries[0].State)

		rec = h.do(http.MethodDelete, "/sales/sale-1", nil)
		require.Equal(t, http.StatusOK, rec.Code, "not running: where it stands")
		assert.Equal(t, instore.StatusCancelled, decoded(t, rec).Payment.Status)
	})
}

// A QR sale: the code to show, its image, a poll that waits for the
// customer, and the sale as it ended once the code is gone.
func TestQR(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		start := time.Now()
		body := map[string]any{"request_id": "qr-1", "wallet": "alipay", "amount": thb("30.00")}
		rec := h.do(http.MethodPost, "/qr", body)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		a := decoded(t, rec)
		assert.Equal(t, instore.StatusPending, a.Payment.Status)
		require.NotNil(t, a.QR)
		assert.Equal(t, "/qr/qr-1/image", a.QR.Image)
		assert.Equal(t, "image/svg+xml", a.QR.ImageType)

		rec = h.do(http.MethodGet, a.QR.Image, nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "image/svg+xml", rec.Header().Get("Content-Type"))
		assert.Contains(t, rec.Body.String(), "<svg")

		rec = h.do(http.MethodGet, "/qr/qr-1", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, instore.StatusPending, decoded(t, rec).Payment.Status, "no wait: where it stands")

		time.AfterFunc(4*time.Second, func() {
			rec := h.do(http.MethodPost, "/sim/qr/qr-1/pay", nil)
			assert.Equal(t, http.StatusNoContent, rec.Code)
		})
		rec = h.do(http.MethodGet, "/qr/qr-1?wait=2s", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		a = decoded(t, rec)
		assert.Equal(t, instore.StatusPending, a.Payment.Status, "not paid within the wait")
		assert.NotNil(t, a.QR, "still on show")
		rec = h.do(http.MethodGet, "/qr/qr-1?wait=30s", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, instore.StatusSucceeded, decoded(t, rec).Payment.Status)
		assert.Equal(t, 4*time.Second, time.Since(start), "answered when the customer paid: the webhook woke the Wait")

		synctest.Wait() // the Wait's goroutine lets the code go
		rec = h.do(http.MethodGet, "/qr/qr-1", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, instore.StatusSucceeded, decoded(t, rec).Payment.Status, "from the journal")
		rec = h.do(http.MethodGet, "/qr/qr-1/image", nil)
		assert.Equal(t, http.StatusNotFound, rec.Code)
		assert.Equal(t, "no_qr_image", decoded(t, rec).Error.Code)
		assert.Equal(t, 1, instoretest.Captures(h.sim.Payments("qr-1")))

		rec = h.do(http.MethodGet, "/qr/qr-1?wait=soon", nil)
		assert.Equal(t, http.StatusOK, rec.Code, "the wait is read only for a code on show")
	})
}

// A QR sale the till sent no request id for goes by the one Present made:
// the answer names it, and the code on show is found under it.
func TestQRWithoutRequestID(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		rec := h.do(http.MethodPost, "/qr", map[string]any{"wallet": "alipay", "amount": thb("30.00")})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		a := decoded(t, rec)
		id := a.Payment.RequestID
		require.NotEmpty(t, id)
		require.NotNil(t, a.QR)
		assert.Equal(t, "/qr/"+id+"/image", a.QR.Image)

		rec = h.do(http.MethodGet, "/qr/"+id, nil)
		require.Equal(t, http.StatusOK, rec.Code)
		a = decoded(t, rec)
		assert.Equal(t, instore.StatusPending, a.Payment.Status)
		assert.NotNil(t, a.QR, "on show under the id Present made")
		rec = h.do(http.MethodGet, "/qr/"+id+"/image", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Contains(t, rec.Body.String(), "<svg")
	})
}

func TestQRNobodyScans(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		rec := h.do(http.MethodPost, "/qr", map[string]any{"request_id": "qr-1", "wallet": "wechat_pay", "amount": thb("30.00"), "expires_in": 300})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		rec = h.do(http.MethodGet, "/qr/qr-1?wait=bad", nil)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		for range 3 {
			rec = h.do(http.MethodGet, "/qr/qr-1?wait=60", nil)
			require.Equal(t, http.StatusOK, rec.Code)
		}
		assert.Equal(t, instore.StatusCancelled, decoded(t, rec).Payment.Status, "cancelled when the present schedule ran out")
		entries := h.sim.Payments("qr-1")
		require.Len(t, entries, 1)
		assert.False(t, entries[0].Captured)

		rec = h.do(http.MethodPost, "/qr", map[string]any{"request_id": "qr-2", "wallet": "unionpay", "amount": thb("30.00")})
		assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
		assert.Equal(t, "no_route", decoded(t, rec).Error.Code)
	})
}

// Refunds are made once per refund id, however often the till retries.
func TestRefunds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		rec := h.do(http.MethodPost, "/sales", sale("sale-1", instoretest.AlipayCode(instoretest.Succeed, 1), "100.00"))
		require.Equal(t, http.StatusOK, rec.Code)

		refund := func(refundID, decimal string) map[string]any {
			return map[string]any{"request_id": "sale-1", "refund_id": refundID, "amount": thb(decimal)}
		}
		rec = h.do(http.MethodPost, "/refunds", refund("", "25.00"))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, decoded(t, rec).Error.Message, "refund_id is required")

		rec = h.do(http.MethodPost, "/refunds", refund("rf-1", "25.00"))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		first := decoded(t, rec).Refund
		assert.Equal(t, instore.StatusSucceeded, first.Status)
		assert.Equal(t, "rf-1", first.RequestID)
		for range 3 {
			rec = h.do(http.MethodPost, "/refunds", refund("rf-1", "25.00"))
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, first.ID, decoded(t, rec).Refund.ID, "the same refund")
		}
		assert.Len(t, h.sim.Refunds("sale-1"), 1, "refunded once")

		tests := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"the id with another amount", refund("rf-1", "30.00"), http.StatusConflict, "request_id_reused"},
			{"more than is left", refund("rf-2", "80.00"), http.StatusBadRequest, "invalid_request"},
			{"another currency", map[string]any{"request_id": "sale-1", "refund_id": "rf-3", "amount": map[string]string{"decimal": "1", "currency": "SGD"}}, http.StatusBadRequest, "invalid_request"},
			{"a sale nobody made", map[string]any{"request_id": "nobody", "refund_id": "rf-4", "amount": thb("1")}, http.StatusNotFound, "not_found"},
		}
		for _, tt := range tests {
			rec = h.do(http.MethodPost, "/refunds", tt.body)
			assert.Equal(t, tt.status, rec.Code, "%s: %s", tt.name, rec.Body.String())
			assert.Equal(t, tt.code, decoded(t, rec).Error.Code, tt.name)
		}
		rec = h.do(http.MethodGet, "/sales/sale-1", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		p := decoded(t, rec).Payment
		require.Len(t, p.Refunds, 1)
		assert.Equal(t, first.ID, p.Refunds[0].ID)
	})
}

func TestWebhookEndpoint(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		event := `{"object":"event","id":"evnt_1","key":"charge.complete","data":{"object":"charge","id":"chrg_1","status":"successful"}}`
		rec := h.do(http.MethodPost, "/webhooks/omise", event)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "unsigned: refused")

		req := h.request(http.MethodPost, "/webhooks/omise", event)
		for k, v := range instore.SignWebhook([]byte(event), h.sim.WebhookSecret(), time.Now()) {
			req.Header[k] = v
		}
		rec = h.serve(req)
		assert.Equal(t, http.StatusOK, rec.Code, "signed: acknowledged, though no sale waits for it")
	})
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		rec := h.do(http.MethodGet, "/healthz", nil)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.JSONEq(t, `{"status":"ok","version":"`+instore.Version+`"}`, strings.TrimSpace(rec.Body.String()))
	})
}
