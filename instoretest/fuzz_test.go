package instoretest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/instorepay/instore/instoretest"
)

// FuzzOmiseCreateCharge sends arbitrary form bodies to POST /charges: every
// answer is a JSON object, 200 with a charge or 4xx with an Omise error.
func FuzzOmiseCreateCharge(f *testing.F) {
	for _, s := range []string{
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "r").Encode(),
		"amount=10000&currency=THB&source=src_test_x",
		"amount=-1&currency=thb&source[type]=barcode_alipay&source[barcode]=1",
		"amount=99999999999999999999&currency=THB&source[type]=alipayplus_upm&source[barcode]=2",
		"%zz=1",
		"metadata[a]=1&metadata[=2&expires_at=2024-01-01T00:00:00Z",
		"amount=150000&currency=THB&source[type]=alipayplus_mpm&metadata[instore_request_id]=q1",
		"amount=150000&currency=SGD&source[type]=wechat_pay_mpm",
		"",
	} {
		f.Add(s)
	}
	o := instoretest.NewOmise()
	f.Cleanup(o.Close)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://omise.invalid/charges", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(o.SecretKey(), "")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := o.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		switch {
		case resp.StatusCode == 200 && m["object"] == "charge":
		case resp.StatusCode >= 400 && resp.StatusCode < 500 && m["object"] == "error":
		default:
			t.Fatalf("unexpected answer %d %v", resp.StatusCode, m)
		}
	})
}

// FuzzAlipayPlusPay sends arbitrary, correctly signed bodies to pay: every
// answer is a signed JSON result with status S, F or U.
func FuzzAlipayPlusPay(f *testing.F) {
	good, _ := json.Marshal(payBody("aps", "f1", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
	order, _ := json.Marshal(orderCodeBody("aps", "f2", 100))
	for _, s := range []string{string(good), string(order), `{}`, `{"paymentRequestId":1}`, `not json`, `{"paymentAmount":{"value":"-1"}}`} {
		f.Add(s)
	}
	k, err := instoretest.GenerateAlipayPlusKeys()
	if err != nil {
		f.Fatal(err)
	}
	a := instoretest.NewAlipayPlus(instoretest.WithAlipayPlusKeys(k))
	f.Cleanup(a.Close)
	const path = "/aps/api/v1/payments/pay"
	f.Fuzz(func(t *testing.T, body string) {
		resp, b, err := apCall(context.Background(), inProcess(a), a.ClientID(), a.MerchantPrivateKey(), path, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var ans struct {
			Result struct{ ResultStatus string }
		}
		if err := json.Unmarshal(b, &ans); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if s := ans.Result.ResultStatus; s != "S" && s != "F" && s != "U" {
			t.Fatalf("result status %q", s)
		}
		if !verifyAnswer(a.AlipayPublicKey(), path, resp.Header, b) {
			t.Fatal("a signed request gets a signed answer")
		}
	})
}
