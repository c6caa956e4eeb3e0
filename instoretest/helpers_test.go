package instoretest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/require"
)

// testKeys are generated once for the whole test binary: RSA key
// generation is slow, and the simulators take keys to share.
var testKeys = sync.OnceValues(instoretest.GenerateAlipayPlusKeys)

func keys(t testing.TB) *instoretest.AlipayPlusKeys {
	t.Helper()
	k, err := testKeys()
	require.NoError(t, err)
	return k
}

// target is one way to reach a simulator.
type target struct {
	name string
	hc   *http.Client
	base string
}

type urler interface {
	URL() string
	HTTPClient() *http.Client
}

// targets returns both ways in: the loopback server and the in-process
// client (whose requests may name any host).
func targets(t *testing.T, s urler) []target {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return []target{
		{name: "socket", hc: &http.Client{Transport: tr}, base: s.URL()},
		{name: "inprocess", hc: s.HTTPClient(), base: "http://simulator.invalid"},
	}
}

func inProcess(s urler) target {
	return target{name: "inprocess", hc: s.HTTPClient(), base: "http://simulator.invalid"}
}

// omiseCall sends a raw Omise request: Basic auth with key, a form body for
// POST, list parameters in the query for GET.
func omiseCall(ctx context.Context, tg target, key, method, path string, form url.Values) (*http.Response, []byte, error) {
	var body io.Reader
	u := tg.base + path
	if method == http.MethodPost && form != nil {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, nil, err
	}
	req.SetBasicAuth(key, "")
	req.Header.Set("Omise-Version", "2019-05-29")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := tg.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// omiseJSON sends a request that must get a JSON answer and decodes it.
func omiseJSON(t *testing.T, tg target, key, method, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, b, err := omiseCall(t.Context(), tg, key, method, path, form)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "body: %s", b)
	return resp.StatusCode, m
}

// chargeForm is a barcode charge with an inline source.
func chargeForm(code string, amount int, requestID string) url.Values {
	f := url.Values{
		"amount":              {itoa(amount)},
		"currency":            {"THB"},
		"source[type]":        {"alipayplus_upm"},
		"source[barcode]":     {code},
		"source[store_id]":    {"BKK-01"},
		"source[store_name]":  {"Sukhumvit"},
		"source[terminal_id]": {"POS-1"},
	}
	if requestID != "" {
		f.Set("metadata[instore_request_id]", requestID)
	}
	return f
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// apCall sends a raw Alipay+ request, signed here with crypto/rsa (or not,
// when signer is nil), and returns the answer.
func apCall(ctx context.Context, tg target, clientID string, signer *rsa.PrivateKey, path string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	at := time.Now().Format(time.RFC3339)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", clientID)
	req.Header.Set("Request-Time", at)
	if signer != nil {
		content := "POST " + path + "\n" + clientID + "." + at + "." + string(body)
		sum := sha256.Sum256([]byte(content))
		sig, err := rsa.SignPKCS1v15(rand.Reader, signer, crypto.SHA256, sum[:])
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Signature", "algorithm=RSA256, keyVersion=1, signature="+url.QueryEscape(base64.StdEncoding.EncodeToString(sig)))
	}
	resp, err := tg.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// verifyAnswer checks an Alipay+ answer's signature with pub, by hand.
func verifyAnswer(pub *rsa.PublicKey, path string, h http.Header, body []byte) bool {
	sigHeader := h.Get("Signature")
	i := strings.Index(sigHeader, "signature=")
	if i < 0 {
		return false
	}
	raw, err := url.QueryUnescape(sigHeader[i+len("signature="):])
	if err != nil {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return false
	}
	content := "POST " + path + "\n" + h.Get("Client-Id") + "." + h.Get("Response-Time") + "." + string(body)
	sum := sha256.Sum256([]byte(content))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// apResult is an Alipay+ answer, decoded loosely.
type apAnswer struct {
	Signed bool
	Status int
	Body   map[string]any
}

func (a apAnswer) result() (status, code string) {
	r, _ := a.Body["result"].(map[string]any)
	s, _ := r["resultStatus"].(string)
	c, _ := r["resultCode"].(string)
	return s, c
}

func (a apAnswer) str(keys ...string) string {
	var v any = a.Body
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// apDo signs and sends body to path on sim and decodes the answer.
func apDo(t *testing.T, tg target, sim *instoretest.AlipayPlus, path string, body any) apAnswer {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	resp, rb, err := apCall(t.Context(), tg, sim.ClientID(), sim.MerchantPrivateKey(), path, b)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(rb, &m), "body: %s", rb)
	return apAnswer{Signed: verifyAnswer(sim.AlipayPublicKey(), path, resp.Header, rb), Status: resp.StatusCode, Body: m}
}

// payBody is a consumer-presented mode pay request.
func payBody(f string, requestID, code string, amount int) map[string]any {
	b := map[string]any{
		"paymentRequestId": requestID,
		"order": map[string]any{
			"referenceOrderId": "order-" + requestID,
			"orderDescription": "coffee",
			"orderAmount":      map[string]any{"currency": "SGD", "value": itoa(amount)},
			"merchant": map[string]any{
				"referenceMerchantId": "M1", "merchantMCC": "5812", "merchantName": "Cafe",
				"store": map[string]any{"referenceStoreId": "S1", "storeName": "Cafe Orchard", "storeMCC": "5812"},
			},
			"env": map[string]any{"storeTerminalId": "T1", "storeTerminalRequestTime": "2024-01-02T10:00:00+08:00"},
		},
		"paymentAmount": map[string]any{"currency": "SGD", "value": itoa(amount)},
		"paymentMethod": map[string]any{"paymentMethodType": "CONNECT_WALLET", "paymentMethodId": code},
		"paymentFactor": map[string]any{"inStorePaymentScenario": "PaymentCode"},
	}
	if f == "ams" {
		b["productCode"] = "IN_STORE_PAYMENT"
	} else {
		b["paymentFactor"].(map[string]any)["isInStorePayment"] = "true"
	}
	return b
}

// flavourPaths are the paths of each flavour.
type flavourPaths struct {
	name                         string
	pay, inquiry, cancel, refund string
}

func flavours() []flavourPaths {
	return []flavourPaths{
		{"ams", "/ams/api/v1/payments/pay", "/ams/api/v1/payments/inquiryPayment", "/ams/api/v1/payments/cancel", "/ams/api/v1/payments/refund"},
		{"aps", "/aps/api/v1/payments/pay", "/aps/api/v1/payments/inquiryPayment", "/aps/api/v1/payments/cancelPayment", "/aps/api/v1/payments/refund"},
	}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// apCallKey is apCall signing with k's merchant key, or unsigned.
func apCallKey(t *testing.T, tg target, clientID string, sign bool, k *instoretest.AlipayPlusKeys, path string, body []byte) (*http.Response, []byte, error) {
	t.Helper()
	var signer *rsa.PrivateKey
	if sign {
		signer = k.Merchant
	}
	return apCall(t.Context(), tg, clientID, signer, path, body)
}

// pproDo posts form to the simulator and returns the answer, or the error.
func pproDo(ctx context.Context, tg target, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.base+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := tg.hc.Do(req)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, err
}
