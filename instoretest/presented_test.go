package instoretest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// image digs charge.source.scannable_code.image out of a charge.
func image(t *testing.T, charge map[string]any) map[string]any {
	t.Helper()
	src, _ := charge["source"].(map[string]any)
	require.NotNil(t, src, "source")
	sc, _ := src["scannable_code"].(map[string]any)
	require.NotNil(t, sc, "scannable_code")
	assert.Equal(t, "barcode", sc["object"])
	assert.Equal(t, "qr", sc["type"])
	img, _ := sc["image"].(map[string]any)
	require.NotNil(t, img, "image")
	return img
}

// download gets a document the way the client does: the absolute URI, with
// key, through the target's client.
func download(t *testing.T, tg target, key, uri string) (*http.Response, []byte) {
	t.Helper()
	u, err := url.Parse(uri)
	require.NoError(t, err)
	resp, b, err := omiseCall(t.Context(), tg, key, http.MethodGet, u.Path, nil)
	require.NoError(t, err)
	return resp, b
}

func TestOmiseMerchantPresented(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	for _, tg := range targets(t, o) {
		t.Run(tg.name, func(t *testing.T) {
			// The source, created with the public key, has no QR code yet.
			status, src := omiseJSON(t, tg, o.PublicKey(), http.MethodPost, "/sources", url.Values{
				"type": {"alipayplus_mpm"}, "amount": {"150000"}, "currency": {"THB"},
			})
			require.Equal(t, http.StatusOK, status, "%v", src)
			assert.Nil(t, src["scannable_code"])
			assert.Equal(t, "offline", src["flow"])
			assert.Equal(t, "unknown", src["charge_status"])

			requestID := "mpm-" + tg.name
			status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", url.Values{
				"amount": {"150000"}, "currency": {"THB"}, "source": {src["id"].(string)},
				"metadata[instore_request_id]": {requestID},
			})
			require.Equal(t, http.StatusOK, status, "%v", ch)
			assert.Equal(t, "pending", ch["status"])
			assert.NotNil(t, ch["expires_at"])
			img := image(t, ch)
			assert.Equal(t, "document", img["object"])
			assert.Equal(t, "qrcode.svg", img["filename"])
			assert.Equal(t, "qr", img["kind"])
			chargeID := ch["id"].(string)
			uri := img["download_uri"].(string)
			assert.True(t, strings.HasPrefix(img["id"].(string), "docu_test_"))
			assert.Contains(t, uri, "/charges/"+chargeID+"/documents/"+img["id"].(string)+"/downloads/")
			if tg.name == "socket" {
				assert.True(t, strings.HasPrefix(uri, o.URL()+"/"), "the URI points back at the server: %s", uri)
			} else {
				assert.True(t, strings.HasPrefix(uri, tg.base+"/"), "the URI points back at the host the client used: %s", uri)
			}

			resp, svg := download(t, tg, o.SecretKey(), uri)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "image/svg+xml", resp.Header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(string(svg), "<?xml"), "%s", svg)
			assert.Contains(t, string(svg), "<svg")
			_, again := download(t, tg, o.SecretKey(), uri)
			assert.Equal(t, svg, again, "the same picture each time")

			resp, _ = download(t, tg, o.PublicKey(), uri)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "documents need the secret key")
			resp, _ = download(t, tg, o.SecretKey(), uri[:len(uri)-1]+"X")
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the token must match")

			// Nobody scans it: it stays pending, with the QR code on the
			// charge as it is read again.
			status, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+chargeID, nil)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "pending", got["status"])
			assert.Equal(t, uri, image(t, got)["download_uri"])

			// The customer pays.
			require.NoError(t, o.PayPresented(requestID))
			_, got = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+chargeID, nil)
			assert.Equal(t, "successful", got["status"])
			require.Error(t, o.PayPresented(chargeID), "paid already")
			entries := o.Payments(requestID)
			require.Len(t, entries, 1)
			assert.True(t, entries[0].Captured)
			assert.Empty(t, entries[0].Code, "no payment code")
		})
	}
}

func TestOmiseMerchantPresentedOutcomes(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	create := func(typ, currency, requestID string) (int, map[string]any) {
		// Source and charge in one request, as the guide allows.
		return omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", url.Values{
			"amount": {"150000"}, "currency": {currency}, "source[type]": {typ},
			"metadata[instore_request_id]": {requestID},
		})
	}

	status, ch := create("wechat_pay_mpm", "THB", "wx-1")
	require.Equal(t, http.StatusOK, status, "%v", ch)
	image(t, ch)
	require.NoError(t, o.DeclinePresented(ch["id"].(string), "insufficient_fund"))
	_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+ch["id"].(string), nil)
	assert.Equal(t, "failed", got["status"])
	assert.Equal(t, "insufficient_fund", got["failure_code"])

	// Expired by the merchant: too late to pay.
	_, ch = create("alipayplus_mpm", "SGD", "ap-2")
	status, got = omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+ch["id"].(string)+"/expire", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "expired", got["status"])
	require.ErrorContains(t, o.PayPresented("ap-2"), "not pending")
	assert.Equal(t, instoretest.StateCancelled, o.Payments("ap-2")[0].State)

	status, bad := create("wechat_pay_mpm", "SGD", "wx-3")
	assert.Equal(t, http.StatusBadRequest, status, "WeChat Pay MPM is THB only: %v", bad)
	_, ch = create("alipayplus_mpm", "MYR", "ap-4")
	image(t, ch)

	// A barcode charge is not the customer's to pay by scanning.
	_, bc := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 150000, "bc-5"))
	assert.Nil(t, bc["source"].(map[string]any)["scannable_code"])
	require.ErrorContains(t, o.PayPresented("bc-5"), "not merchant-presented")
	require.ErrorContains(t, o.PayPresented("nobody"), "no charge")
}

func TestOmiseMerchantPresentedScript(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmise()
		defer o.Close()
		tg := inProcess(o)
		o.ScriptPresented("late", instoretest.Plan{After: 30 * time.Second})
		o.ScriptPresented("asked", instoretest.Plan{Result: instoretest.ResultFail, FailureCode: "payment_rejected", Inquiries: 2})
		ids := map[string]string{}
		for _, r := range []string{"late", "asked", "never"} {
			status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", url.Values{
				"amount": {"5000"}, "currency": {"THB"}, "source[type]": {"alipayplus_mpm"},
				"metadata[instore_request_id]": {r},
			})
			require.Equal(t, http.StatusOK, status)
			ids[r] = ch["id"].(string)
		}
		state := func(r string) string {
			_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+ids[r], nil)
			return ch["status"].(string)
		}
		assert.Equal(t, "pending", state("asked"))
		assert.Equal(t, "failed", state("asked"), "declined when inquired the second time")
		time.Sleep(29 * time.Second)
		assert.Equal(t, instoretest.StatePending, o.Payments("late")[0].State)
		time.Sleep(time.Second)
		assert.Equal(t, instoretest.StateSucceeded, o.Payments("late")[0].State, "paid after 30 s, on its own")
		time.Sleep(24 * time.Hour)
		assert.Equal(t, "failed", state("never"), "never scanned: failed with timeout at expires_at")
		assert.Equal(t, "timeout", o.Payments("never")[0].FailureCode)
	})
}

func orderCodeBody(f, requestID string, amount int) map[string]any {
	b := payBody(f, requestID, "", amount)
	b["paymentMethod"] = map[string]any{"paymentMethodType": "CONNECT_WALLET"}
	b["paymentFactor"].(map[string]any)["inStorePaymentScenario"] = "OrderCode"
	return b
}

func TestAlipayPlusOrderCode(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for _, fl := range flavours() {
		t.Run(fl.name, func(t *testing.T) {
			id := "oc-" + fl.name
			ans := apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, id, 1500))
			require.True(t, ans.Signed)
			status, code := ans.result()
			assert.Equal(t, "U", status)
			assert.Equal(t, "PAYMENT_IN_PROCESS", code)
			form, _ := ans.Body["orderCodeForm"].(map[string]any)
			require.NotNil(t, form, "%v", ans.Body)
			assert.Equal(t, "CONNECT_WALLET", form["paymentMethodType"])
			expires, err := time.Parse(time.RFC3339, form["expireTime"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(5*time.Minute), expires, 2*time.Second)
			details := form["codeDetails"].([]any)
			require.Len(t, details, 1)
			d := details[0].(map[string]any)
			assert.Equal(t, "QRCODE", d["codeValueType"])
			assert.Equal(t, "TEXT", d["displayType"])
			value := d["codeValue"].(string)
			assert.Regexp(t, `^281999040\d{3}[0-9A-Za-z]{24}$`, value, "the documented order-code layout")

			again := apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, id, 1500))
			againForm := again.Body["orderCodeForm"].(map[string]any)
			assert.Equal(t, value, againForm["codeDetails"].([]any)[0].(map[string]any)["codeValue"], "idempotent")
			assert.Equal(t, ans.str("paymentId"), again.str("paymentId"))

			inq := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": id})
			s, _ := inq.result()
			assert.Equal(t, "S", s)
			if fl.name == "ams" {
				assert.Equal(t, "PROCESSING", inq.str("paymentStatus"))
			} else {
				assert.Equal(t, "U", inq.str("paymentResult", "resultStatus"))
			}

			require.NoError(t, a.PayPresented(id))
			paid := apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, id, 1500))
			s, _ = paid.result()
			assert.Equal(t, "S", s, "a repeated pay tells the final result")
			assert.Nil(t, paid.Body["orderCodeForm"], "no code once paid")
			assert.True(t, a.Payments(id)[0].Captured)
			assert.Empty(t, a.Payments(id)[0].Code)
		})
	}
}

func TestAlipayPlusOrderCodeRules(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := instoretest.NewAlipayPlus(instoretest.WithAlipayPlusKeys(keys(t)))
		defer a.Close()
		tg := inProcess(a)
		fl := flavours()[0]

		withCode := orderCodeBody(fl.name, "bad-1", 1500)
		withCode["paymentMethod"] = map[string]any{"paymentMethodType": "CONNECT_WALLET", "paymentMethodId": instoretest.AlipayCode(instoretest.Succeed, 1)}
		_, code := apDo(t, tg, a, fl.pay, withCode).result()
		assert.Equal(t, "PARAM_ILLEGAL", code, "an order code payment carries no payment code")
		entry := payBody(fl.name, "bad-2", "", 1500)
		entry["paymentFactor"].(map[string]any)["inStorePaymentScenario"] = "EntryCode"
		_, code = apDo(t, tg, a, fl.pay, entry).result()
		assert.Equal(t, "PARAM_ILLEGAL", code)

		// Declined by the customer's wallet.
		apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, "dec", 1500))
		require.NoError(t, a.DeclinePresented("dec", "USER_BALANCE_NOT_ENOUGH"))
		inq := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "dec"})
		assert.Equal(t, "FAIL", inq.str("paymentStatus"))
		assert.Equal(t, "USER_BALANCE_NOT_ENOUGH", inq.str("paymentResultCode"))
		require.Error(t, a.PayPresented("dec"))

		// Cancelled by the merchant: too late to pay.
		apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, "cxl", 1500))
		s, _ := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": "cxl"}).result()
		assert.Equal(t, "S", s)
		require.ErrorContains(t, a.PayPresented("cxl"), "not pending")
		assert.Equal(t, instoretest.StateCancelled, a.Payments("cxl")[0].State)

		// Scripted: the customer pays after 20 s.
		a.ScriptPresented("late", instoretest.Plan{After: 20 * time.Second})
		apDo(t, tg, a, fl.pay, orderCodeBody(fl.name, "late", 1500))
		time.Sleep(20 * time.Second)
		assert.Equal(t, instoretest.StateSucceeded, a.Payments("late")[0].State)

		// Never scanned, with an expiry time: the order closes then.
		body := orderCodeBody(fl.name, "exp", 1500)
		body["paymentExpiryTime"] = time.Now().Add(time.Minute).Format(time.RFC3339)
		apDo(t, tg, a, fl.pay, body)
		time.Sleep(time.Minute)
		inq = apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "exp"})
		assert.Equal(t, "FAIL", inq.str("paymentStatus"))
		assert.Equal(t, "ORDER_IS_CLOSED", inq.str("paymentResultCode"))

		// A scanned code is not the customer's to pay by scanning.
		apDo(t, tg, a, fl.pay, payBody(fl.name, "cpm", instoretest.AlipayCode(instoretest.NeverCompletes, 2), 1500))
		require.ErrorContains(t, a.PayPresented("cpm"), "not an order-code payment")
		require.ErrorContains(t, a.PayPresented("nobody"), "no payment")
	})
}
