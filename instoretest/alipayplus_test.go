package instoretest_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlipayPlusSignatures(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	other, err := instoretest.GenerateAlipayPlusKeys()
	require.NoError(t, err)
	for _, tg := range targets(t, a) {
		for _, fl := range flavours() {
			body, err := json.Marshal(payBody(fl.name, "sig-"+tg.name+fl.name, instoretest.AlipayCode(instoretest.Succeed, 1), 100))
			require.NoError(t, err)
			wantBad := map[string]string{"ams": "SIGNATURE_INVALID", "aps": "INVALID_SIGNATURE"}[fl.name]
			tests := []struct {
				name     string
				clientID string
				signer   bool
				key      *instoretest.AlipayPlusKeys
				status   string
				code     string
				signed   bool
			}{
				{"unsigned", a.ClientID(), false, nil, "F", wantBad, false},
				{"wrong key", a.ClientID(), true, other, "F", wantBad, false},
				{"wrong client", "OTHER", true, keys(t), "F", "CLIENT_INVALID", false},
				{"good", a.ClientID(), true, keys(t), "S", "SUCCESS", true},
			}
			for _, tt := range tests {
				resp, rb, err := apCallKey(t, tg, tt.clientID, tt.signer, tt.key, fl.pay, body)
				require.NoError(t, err)
				var m map[string]any
				require.NoError(t, json.Unmarshal(rb, &m))
				ans := apAnswer{Body: m, Signed: verifyAnswer(a.AlipayPublicKey(), fl.pay, resp.Header, rb)}
				s, c := ans.result()
				assert.Equal(t, tt.status, s, "%s %s %s", tg.name, fl.name, tt.name)
				assert.Equal(t, tt.code, c, "%s %s %s", tg.name, fl.name, tt.name)
				assert.Equal(t, tt.signed, ans.Signed, "%s %s %s", tg.name, fl.name, tt.name)
				if !tt.signed {
					assert.Empty(t, resp.Header.Get("Signature"), "gateway errors are unsigned")
				} else {
					assert.Equal(t, a.ClientID(), resp.Header.Get("Client-Id"))
					_, err := time.Parse(time.RFC3339, resp.Header.Get("Response-Time"))
					require.NoError(t, err)
				}
			}
		}
	}
	assert.Len(t, a.AllPayments(), 4, "one payment per flavour and way in")
}

func TestAlipayPlusPayOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		outcome  instoretest.Outcome
		pay      string // resultStatus of pay
		payCode  string
		inquiry  []string // paymentResult status (aps) seen by each inquiry
		ams      []string // paymentStatus (ams) seen by each inquiry
		state    instoretest.State
		failCode string
	}{
		{"succeed", instoretest.Succeed, "S", "SUCCESS", []string{"S"}, []string{"SUCCESS"}, instoretest.StateSucceeded, ""},
		{"payer cancelled", instoretest.DeclinePayerCancelled, "F", "ORDER_IS_CANCELED", []string{"F"}, []string{"FAIL"}, instoretest.StateFailed, "ORDER_IS_CANCELED"},
		{"processing", instoretest.DeclineProcessing, "F", "PROCESS_FAIL", nil, nil, instoretest.StateFailed, "PROCESS_FAIL"},
		{"balance", instoretest.DeclineInsufficientBalance, "F", "USER_BALANCE_NOT_ENOUGH", nil, nil, instoretest.StateFailed, "USER_BALANCE_NOT_ENOUGH"},
		{"risk", instoretest.DeclineRejected, "F", "RISK_REJECT", nil, nil, instoretest.StateFailed, "RISK_REJECT"},
		{"expired code", instoretest.DeclineExpired, "F", "EXPIRED_CODE", nil, nil, instoretest.StateFailed, "EXPIRED_CODE"},
		{"closed", instoretest.DeclineTimeout, "F", "ORDER_IS_CLOSED", nil, nil, instoretest.StateFailed, "ORDER_IS_CLOSED"},
		{"limit", instoretest.DeclineOverLimit, "F", "USER_AMOUNT_EXCEED_LIMIT", nil, nil, instoretest.StateFailed, "USER_AMOUNT_EXCEED_LIMIT"},
		{"invalid", instoretest.DeclineFraud, "F", "INVALID_CODE", nil, nil, instoretest.StateFailed, "INVALID_CODE"},
		{"abnormal", instoretest.DeclineAccount, "F", "USER_STATUS_ABNORMAL", nil, nil, instoretest.StateFailed, "USER_STATUS_ABNORMAL"},
		{"confirm on 2nd inquiry", instoretest.ConfirmOnInquiry(2), "U", "PAYMENT_IN_PROCESS", []string{"U", "S", "S"}, []string{"PROCESSING", "SUCCESS", "SUCCESS"}, instoretest.StateSucceeded, ""},
		{"decline on inquiry", instoretest.DeclineOnInquiry(instoretest.DeclineInsufficientBalance), "U", "PAYMENT_IN_PROCESS", []string{"F"}, []string{"FAIL"}, instoretest.StateFailed, "USER_BALANCE_NOT_ENOUGH"},
		{"never", instoretest.NeverCompletes, "U", "PAYMENT_IN_PROCESS", []string{"U", "U", "U", "U", "U", "U", "U", "U", "U", "U"}, []string{"PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING"}, instoretest.StatePending, ""},
	}
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	for mi, tg := range targets(t, a) {
		for fi, fl := range flavours() {
			for i, tt := range tests {
				serial := uint64(mi*1000 + fi*100 + i)
				code := instoretest.AlipayCode(tt.outcome, serial)
				reqID := fmt.Sprintf("%s-%s-%d", tg.name, fl.name, i)
				name := tg.name + " " + fl.name + " " + tt.name
				ans := apDo(t, tg, a, fl.pay, payBody(fl.name, reqID, code, 1250))
				require.True(t, ans.Signed, name)
				s, c := ans.result()
				assert.Equal(t, tt.pay, s, name)
				assert.Equal(t, tt.payCode, c, name)
				if s == "S" {
					assert.Equal(t, reqID, ans.str("paymentRequestId"), name)
					assert.Equal(t, "1250", ans.str("paymentAmount", "value"), name)
					assert.NotEmpty(t, ans.str("paymentTime"), name)
				}
				for n := range tt.inquiry {
					inq := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": reqID})
					require.True(t, inq.Signed, name)
					s, c := inq.result()
					require.Equal(t, "S", s, "%s: inquiry %d: %s", name, n+1, c)
					if fl.name == "aps" {
						assert.Equal(t, tt.inquiry[n], inq.str("paymentResult", "resultStatus"), "%s: inquiry %d", name, n+1)
					} else {
						assert.Equal(t, tt.ams[n], inq.str("paymentStatus"), "%s: inquiry %d", name, n+1)
					}
				}
				es := a.Payments(reqID)
				require.Len(t, es, 1, name)
				assert.Equal(t, tt.state, es[0].State, name)
				assert.Equal(t, tt.failCode, es[0].FailureCode, name)
				assert.Equal(t, code, es[0].Code, name)
				assert.Equal(t, len(tt.inquiry), es[0].Inquiries, name)
				assert.Equal(t, tt.state == instoretest.StateSucceeded, es[0].Captured, name)
			}
		}
	}
}

func TestAlipayPlusIdempotency(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for _, fl := range flavours() {
		code := instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 9)
		id := "idem-" + fl.name
		first := apDo(t, tg, a, fl.pay, payBody(fl.name, id, code, 500))
		s, _ := first.result()
		assert.Equal(t, "U", s)
		again := apDo(t, tg, a, fl.pay, payBody(fl.name, id, code, 500))
		assert.Equal(t, first.Body, again.Body, "a repeat gets the same answer")
		apDo(t, tg, a, fl.inquiry, map[string]any{"paymentId": first.str("paymentId")})
		done := apDo(t, tg, a, fl.pay, payBody(fl.name, id, code, 500))
		s, _ = done.result()
		assert.Equal(t, "S", s, "a repeat after completion gets the final result")

		for name, body := range map[string]map[string]any{
			"amount": payBody(fl.name, id, code, 501),
			"code":   payBody(fl.name, id, instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 10), 500),
		} {
			ans := apDo(t, tg, a, fl.pay, body)
			s, c := ans.result()
			assert.Equal(t, "F", s, name)
			assert.Equal(t, "REPEAT_REQ_INCONSISTENT", c, name)
		}
		assert.Len(t, a.Payments(id), 1)
		assert.Equal(t, int64(500), a.Payments(id)[0].Amount)
	}
}

func TestAlipayPlusValidation(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	code := instoretest.AlipayCode(instoretest.Succeed, 3)
	mutate := func(f string, fn func(b map[string]any)) map[string]any {
		b := payBody(f, "v-"+f, code, 100)
		fn(b)
		return b
	}
	tests := []struct {
		name, flavour string
		body          map[string]any
		code          string
	}{
		{"number amount", "aps", mutate("aps", func(b map[string]any) { b["paymentAmount"] = map[string]any{"currency": "SGD", "value": 100} }), "PARAM_ILLEGAL"},
		{"boolean field", "aps", mutate("aps", func(b map[string]any) { b["paymentFactor"].(map[string]any)["isInStorePayment"] = true }), "PARAM_ILLEGAL"},
		{"empty optional field", "aps", mutate("aps", func(b map[string]any) { b["paymentNotifyUrl"] = "" }), "PARAM_ILLEGAL"},
		{"no product code", "ams", mutate("ams", func(b map[string]any) { delete(b, "productCode") }), "PARAM_ILLEGAL"},
		{"no store", "ams", mutate("ams", func(b map[string]any) { delete(b["order"].(map[string]any)["merchant"].(map[string]any), "store") }), "PARAM_ILLEGAL"},
		{"no terminal", "aps", mutate("aps", func(b map[string]any) { delete(b["order"].(map[string]any), "env") }), "PARAM_ILLEGAL"},
		{"wrong method type", "aps", mutate("aps", func(b map[string]any) { b["paymentMethod"].(map[string]any)["paymentMethodType"] = "ALIPAY_CN" }), "PARAM_ILLEGAL"},
		{"order code scenario", "aps", mutate("aps", func(b map[string]any) { b["paymentFactor"].(map[string]any)["inStorePaymentScenario"] = "OrderCode" }), "PARAM_ILLEGAL"},
		{"lower-case currency", "aps", mutate("aps", func(b map[string]any) { b["paymentAmount"] = map[string]any{"currency": "sgd", "value": "100"} }), "PARAM_ILLEGAL"},
		{"zero amount", "aps", mutate("aps", func(b map[string]any) { b["paymentAmount"] = map[string]any{"currency": "SGD", "value": "0"} }), "PARAM_ILLEGAL"},
		{"long request id", "aps", mutate("aps", func(b map[string]any) { b["paymentRequestId"] = fmt.Sprintf("%065d", 1) }), "PARAM_ILLEGAL"},
		{"wechat code", "aps", mutate("aps", func(b map[string]any) {
			b["paymentMethod"].(map[string]any)["paymentMethodId"] = instoretest.WeChatCode(instoretest.Succeed, 1)
		}), "INVALID_CODE"},
	}
	paths := map[string]string{"ams": flavours()[0].pay, "aps": flavours()[1].pay}
	for _, tt := range tests {
		ans := apDo(t, tg, a, paths[tt.flavour], tt.body)
		s, c := ans.result()
		assert.Equal(t, "F", s, tt.name)
		assert.Equal(t, tt.code, c, tt.name)
		assert.True(t, ans.Signed, tt.name)
	}
	assert.Empty(t, a.AllPayments(), "refused requests create no payment")

	resp, b, err := apCall(t.Context(), tg, a.ClientID(), a.MerchantPrivateKey(), "/aps/api/v1/payments/cancel", []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode, "cancel is cancelPayment on /aps: %s", b)
}

func TestAlipayPlusUnknownPayment(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for _, fl := range flavours() {
		ans := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "nobody"})
		s, c := ans.result()
		assert.Equal(t, "F", s)
		assert.Equal(t, "ORDER_NOT_EXIST", c)
		// A paymentId the gateway never issued: nothing to close.
		ans = apDo(t, tg, a, fl.cancel, map[string]any{"paymentId": "20240101114010800100000000000099"})
		s, c = ans.result()
		assert.Equal(t, "F", s)
		assert.Equal(t, "ORDER_NOT_EXIST", c)
		ans = apDo(t, tg, a, fl.refund, map[string]any{
			"paymentId": "nobody", "refundRequestId": "r", "refundAmount": map[string]any{"currency": "SGD", "value": "1"},
		})
		_, c = ans.result()
		assert.Equal(t, "ORDER_NOT_EXIST", c)
	}
}

func TestAlipayPlusRefund(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for i, fl := range flavours() {
		paid := "rf-paid-" + fl.name
		apDo(t, tg, a, fl.pay, payBody(fl.name, paid, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 1000))
		pending := "rf-pending-" + fl.name
		apDo(t, tg, a, fl.pay, payBody(fl.name, pending, instoretest.AlipayCode(instoretest.NeverCompletes, uint64(10+i)), 1000))
		refund := func(reqID, refundID string, amount string) apAnswer {
			return apDo(t, tg, a, fl.refund, map[string]any{
				"paymentId": a.Payments(reqID)[0].ID, "refundRequestId": refundID,
				"refundAmount": map[string]any{"currency": "SGD", "value": amount},
			})
		}
		byRequestID := apDo(t, tg, a, fl.refund, map[string]any{
			"paymentRequestId": paid, "refundRequestId": fl.name + "-r0",
			"refundAmount": map[string]any{"currency": "SGD", "value": "1"},
		})
		_, c := byRequestID.result()
		if fl.name == "ams" {
			assert.Equal(t, "PARAM_ILLEGAL", c, "Antom refunds name the payment by paymentId")
		} else {
			assert.Equal(t, "SUCCESS", c, "Alipay+ refunds may name it by paymentRequestId")
		}
		refunded := int64(0)
		if fl.name == "aps" {
			refunded = 1
		}
		r1 := refund(paid, fl.name+"-r1", "600")
		s, _ := r1.result()
		require.Equal(t, "S", s)
		assert.Equal(t, "600", r1.str("refundAmount", "value"))
		assert.NotEmpty(t, r1.str("refundId"))
		again := refund(paid, fl.name+"-r1", "600")
		assert.Equal(t, r1.str("refundId"), again.str("refundId"), "a repeat gets the same refund")
		_, c = refund(paid, fl.name+"-r1", "601").result()
		assert.Equal(t, "REPEAT_REQ_INCONSISTENT", c)
		_, c = refund(paid, fl.name+"-r2", itoa(int(401-refunded))).result()
		assert.Equal(t, "REFUND_AMOUNT_EXCEED", c)
		s, _ = refund(paid, fl.name+"-r3", itoa(int(400-refunded))).result()
		assert.Equal(t, "S", s)
		_, c = refund(pending, fl.name+"-r4", "1").result()
		assert.Equal(t, "ORDER_STATUS_INVALID", c)
		e := a.Payments(paid)[0]
		assert.Equal(t, int64(1000), e.Refunded)
		assert.Equal(t, 2+int(refunded), e.Refunds)
		assert.True(t, e.Captured)
	}
}

func TestAlipayPlusCancel(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 5, 1, 15, 0, 0, 0, time.UTC) // 23:00 UTC+8
	clock := &fakeClock{t: start}
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)), instoretest.WithClock(clock.Now))
	tg := inProcess(a)
	for i, fl := range flavours() {
		clock.Set(start)
		pending, paid, failed, late := "c-pend-"+fl.name, "c-paid-"+fl.name, "c-fail-"+fl.name, "c-late-"+fl.name
		apDo(t, tg, a, fl.pay, payBody(fl.name, pending, instoretest.AlipayCode(instoretest.NeverCompletes, uint64(i)), 700))
		apDo(t, tg, a, fl.pay, payBody(fl.name, paid, instoretest.AlipayCode(instoretest.Succeed, uint64(10+i)), 700))
		apDo(t, tg, a, fl.pay, payBody(fl.name, failed, instoretest.AlipayCode(instoretest.DeclineRejected, uint64(20+i)), 700))
		apDo(t, tg, a, fl.pay, payBody(fl.name, late, instoretest.AlipayCode(instoretest.Succeed, uint64(30+i)), 700))

		clock.Set(start.Add(75*time.Minute - time.Second)) // 00:14:59 UTC+8 the next day
		for _, id := range []string{pending, paid, failed} {
			ans := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": id})
			s, c := ans.result()
			assert.Equal(t, "S", s, "%s %s: %s", fl.name, id, c)
			again := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": id})
			s, _ = again.result()
			assert.Equal(t, "S", s, "cancel is idempotent")
		}
		assert.Equal(t, instoretest.StateCancelled, a.Payments(pending)[0].State)
		p := a.Payments(paid)[0]
		assert.Equal(t, instoretest.StateCancelled, p.State)
		assert.True(t, p.Paid)
		assert.False(t, p.Captured, "a cancel of a paid payment refunds it")
		assert.Equal(t, int64(700), p.Refunded)
		assert.Equal(t, instoretest.StateFailed, a.Payments(failed)[0].State, "cancelling a failed payment changes nothing")

		inq := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": paid})
		if fl.name == "aps" {
			assert.Equal(t, "ORDER_IS_CLOSED", inq.str("paymentResult", "resultCode"))
		} else {
			assert.Equal(t, "CANCELLED", inq.str("paymentStatus"))
		}
		repeat := apDo(t, tg, a, fl.pay, payBody(fl.name, pending, instoretest.AlipayCode(instoretest.NeverCompletes, uint64(i)), 700))
		_, c := repeat.result()
		assert.Equal(t, "ORDER_IS_CLOSED", c)

		clock.Set(start.Add(75 * time.Minute)) // 00:15 UTC+8: the window is closed
		ans := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": late})
		s, c := ans.result()
		assert.Equal(t, "F", s)
		assert.Equal(t, "CANCEL_WINDOW_EXCEED", c)
		assert.True(t, a.Payments(late)[0].Captured)
	}
}

func TestAlipayPlusSandboxPaths(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)), instoretest.WithClientID("SANDBOX_5Y00000000000001"))
	tg := inProcess(a)
	ans := apDo(t, tg, a, "/ams/sandbox/api/v1/payments/pay", payBody("ams", "sb-1", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
	s, _ := ans.result()
	assert.Equal(t, "S", s)
	assert.True(t, ans.Signed)
	body, err := json.Marshal(payBody("ams", "sb-2", instoretest.AlipayCode(instoretest.Succeed, 2), 100))
	require.NoError(t, err)
	resp, _, err := apCall(t.Context(), tg, a.ClientID(), a.MerchantPrivateKey(), "/ams/api/v1/payments/pay", body)
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode, "a sandbox client uses the sandbox path")
}

func TestAlipayPlusKeysPEM(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	assert.Contains(t, string(a.MerchantPrivateKeyPEM()), "-----BEGIN PRIVATE KEY-----")
	assert.Contains(t, string(a.AlipayPublicKeyPEM()), "-----BEGIN PUBLIC KEY-----")
	assert.Same(t, keys(t), a.Keys())
	assert.Equal(t, instoretest.DefaultAlipayPlusClientID, a.ClientID())
}
