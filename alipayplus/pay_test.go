package alipayplus_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// noEmptyStrings fails if any string in a decoded JSON document is "":
// optional fields must be omitted, never sent empty.
func noEmptyStrings(t *testing.T, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case string:
		assert.NotEmpty(t, x, "empty string at %s", path)
	case map[string]any:
		for k, e := range x {
			noEmptyStrings(t, e, path+"."+k)
		}
	case []any:
		for _, e := range x {
			noEmptyStrings(t, e, path+"[]")
		}
	}
}

func TestPayRequestBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		flavor alipayplus.Flavor
		edit   func(*alipayplus.PayRequest)
		want   map[string]any
	}{
		{
			name:   "antom minimal",
			flavor: alipayplus.FlavorAntom,
			want: map[string]any{
				"productCode":      "IN_STORE_PAYMENT",
				"paymentRequestId": testPaymentRequestID,
				"paymentAmount":    map[string]any{"currency": "JPY", "value": "1000"},
				"paymentMethod":    map[string]any{"paymentMethodType": "CONNECT_WALLET", "paymentMethodId": testPaymentCode},
				"paymentFactor":    map[string]any{"inStorePaymentScenario": "PaymentCode"},
				"order": map[string]any{
					"referenceOrderId": "ORDER-1",
					"orderDescription": "Coffee and cake",
					"orderAmount":      map[string]any{"currency": "JPY", "value": "1000"},
					"merchant": map[string]any{
						"referenceMerchantId": "M-001", "merchantName": "Kissa Tokyo", "merchantMCC": "5814",
						"store": map[string]any{"referenceStoreId": "S-001", "storeName": "Kissa Shibuya", "storeMCC": "5814"},
					},
					"env": map[string]any{"storeTerminalId": "till-3", "storeTerminalRequestTime": "2024-06-12T19:40:10.123+09:00"},
				},
			},
		},
		{
			name:   "acqp with every optional field",
			flavor: alipayplus.FlavorACQP,
			edit: func(r *alipayplus.PayRequest) {
				r.Amount = instore.Money{Amount: 150000, Currency: instore.IDR}
				r.NotifyURL = "https://pos.example.com/alipay/notify"
				r.ExpiryTime = time.Date(2024, 6, 12, 19, 41, 10, 0, time.UTC)
				r.SettlementCurrency = instore.USD
				r.Order.ReferenceOrderID = ""
			},
			want: map[string]any{
				"paymentRequestId":   testPaymentRequestID,
				"paymentAmount":      map[string]any{"currency": "IDR", "value": "150000"},
				"paymentMethod":      map[string]any{"paymentMethodType": "CONNECT_WALLET", "paymentMethodId": testPaymentCode},
				"paymentFactor":      map[string]any{"isInStorePayment": "true", "inStorePaymentScenario": "PaymentCode"},
				"paymentNotifyUrl":   "https://pos.example.com/alipay/notify",
				"paymentExpiryTime":  "2024-06-12T19:41:10+00:00",
				"settlementStrategy": map[string]any{"settlementCurrency": "USD"},
				"order": map[string]any{
					"referenceOrderId": testPaymentRequestID, // defaults to the request id
					"orderDescription": "Coffee and cake",
					"orderAmount":      map[string]any{"currency": "IDR", "value": "150000"},
					"merchant": map[string]any{
						"referenceMerchantId": "M-001", "merchantName": "Kissa Tokyo", "merchantMCC": "5814",
						"store": map[string]any{"referenceStoreId": "S-001", "storeName": "Kissa Shibuya", "storeMCC": "5814"},
					},
					"env": map[string]any{"storeTerminalId": "till-3", "storeTerminalRequestTime": "2024-06-12T19:40:10.123+09:00"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			req := payRequest()
			if tt.edit != nil {
				tt.edit(req)
			}
			_, err := c.Pay(t.Context(), req)
			require.NoError(t, err)
			reqs := g.requests()
			require.Len(t, reqs, 1)
			assert.True(t, reqs[0].Verified)
			assert.Equal(t, tt.want, reqs[0].JSON)
			noEmptyStrings(t, reqs[0].JSON, "$")
		})
	}
}

func TestPayDefaultTerminalTimeHasMilliseconds(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g)
	req := payRequest()
	req.TerminalRequestTime = time.Time{}
	before := time.Now().Add(-time.Second)
	_, err := c.Pay(t.Context(), req)
	require.NoError(t, err)
	env := g.requests()[0].JSON["order"].(map[string]any)["env"].(map[string]any)
	s := env["storeTerminalRequestTime"].(string)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$`, s)
	ts, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	assert.True(t, ts.After(before), "default terminal time %s is not now", s)
}

func TestPayValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		field string
		edit  func(*alipayplus.PayRequest)
	}{
		{"PaymentRequestID", func(r *alipayplus.PayRequest) { r.PaymentRequestID = "" }},
		{"PaymentRequestID", func(r *alipayplus.PayRequest) { r.PaymentRequestID = long(65) }},
		{"PaymentRequestID", func(r *alipayplus.PayRequest) { r.PaymentRequestID = "a\nb" }},
		{"PaymentCode", func(r *alipayplus.PayRequest) { r.PaymentCode = "" }},
		{"PaymentCode", func(r *alipayplus.PayRequest) { r.PaymentCode = "2812 3456 7890" }},
		{"PaymentCode", func(r *alipayplus.PayRequest) { r.PaymentCode = strings.Repeat("1", 65) }},
		{"Amount.Amount", func(r *alipayplus.PayRequest) { r.Amount.Amount = 0 }},
		{"Amount.Amount", func(r *alipayplus.PayRequest) { r.Amount.Amount = -100 }},
		{"Amount.Currency", func(r *alipayplus.PayRequest) { r.Amount.Currency = "XXX" }},
		{"Amount.Currency", func(r *alipayplus.PayRequest) { r.Amount.Currency = "" }},
		{"Order.ReferenceOrderID", func(r *alipayplus.PayRequest) { r.Order.ReferenceOrderID = long(65) }},
		{"Order.Description", func(r *alipayplus.PayRequest) { r.Order.Description = "" }},
		{"Order.Description", func(r *alipayplus.PayRequest) { r.Order.Description = strings.Repeat("é", 257) }},
		{"Order.Description", func(r *alipayplus.PayRequest) { r.Order.Description = "bad \xff utf-8" }},
		{"Order.Merchant.ReferenceMerchantID", func(r *alipayplus.PayRequest) { r.Order.Merchant.ReferenceMerchantID = "" }},
		{"Order.Merchant.Name", func(r *alipayplus.PayRequest) { r.Order.Merchant.Name = "" }},
		{"Order.Merchant.MCC", func(r *alipayplus.PayRequest) { r.Order.Merchant.MCC = "" }},
		{"Order.Merchant.MCC", func(r *alipayplus.PayRequest) { r.Order.Merchant.MCC = "58a4" }},
		{"Order.Merchant.Store.ReferenceStoreID", func(r *alipayplus.PayRequest) { r.Order.Merchant.Store.ReferenceStoreID = "" }},
		{"Order.Merchant.Store.Name", func(r *alipayplus.PayRequest) { r.Order.Merchant.Store.Name = "" }},
		{"Order.Merchant.Store.MCC", func(r *alipayplus.PayRequest) { r.Order.Merchant.Store.MCC = "58141" }},
		{"TerminalID", func(r *alipayplus.PayRequest) { r.TerminalID = "" }},
		{"NotifyURL", func(r *alipayplus.PayRequest) { r.NotifyURL = "/notify" }},
		{"NotifyURL", func(r *alipayplus.PayRequest) { r.NotifyURL = "ftp://x.example.com/n" }},
		{"SettlementCurrency", func(r *alipayplus.PayRequest) { r.SettlementCurrency = "usd" }},
	}
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g)
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			req := payRequest()
			tt.edit(req)
			resp, err := c.Pay(t.Context(), req)
			assert.Nil(t, resp)
			require.ErrorIs(t, err, alipayplus.ErrInvalidRequest)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
			var ve *alipayplus.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.NotContains(t, err.Error(), testPaymentCode)
		})
	}
	resp, err := c.Pay(t.Context(), nil)
	assert.Nil(t, resp)
	require.ErrorIs(t, err, alipayplus.ErrInvalidRequest)
	assert.Empty(t, g.requests(), "a refused request must not be sent")
}

// TestPayResults covers every signed result status: each is a response with
// a nil error.
func TestPayResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		flavor      alipayplus.Flavor
		fixture     string
		status      int
		wantStatus  alipayplus.ResultStatus
		wantCode    alipayplus.ResultCode
		succeeded   bool
		inquire     bool
		finalFailed bool
	}{
		{"antom S", alipayplus.FlavorAntom, "pay_success.json", 200, alipayplus.ResultSuccess, alipayplus.CodeSuccess, true, false, false},
		{"acqp S", alipayplus.FlavorACQP, "pay_success_acqp.json", 200, alipayplus.ResultSuccess, alipayplus.CodeSuccess, true, false, false},
		{"F", alipayplus.FlavorAntom, "pay_failure.json", 200, alipayplus.ResultFailure, alipayplus.CodeUserBalanceNotEnough, false, false, true},
		{"U", alipayplus.FlavorAntom, "pay_unknown.json", 200, alipayplus.ResultUnknown, alipayplus.CodePaymentInProcess, false, true, false},
		{"signed F under HTTP 400", alipayplus.FlavorACQP, "pay_failure.json", 400, alipayplus.ResultFailure, alipayplus.CodeUserBalanceNotEnough, false, false, true},
		{"signed U under HTTP 500", alipayplus.FlavorAntom, "error_unknown_exception.json", 500, alipayplus.ResultUnknown, alipayplus.CodeUnknownException, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Status: tt.status, Body: fixture(t, tt.fixture)}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			resp, err := c.Pay(t.Context(), payRequest())
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.Result.ResultStatus)
			assert.Equal(t, tt.wantCode, resp.Result.ResultCode)
			assert.Equal(t, tt.succeeded, resp.Result.Succeeded())
			assert.Equal(t, tt.inquire, resp.Result.ShouldInquire())
			assert.Equal(t, tt.finalFailed, resp.Result.FinalFailure())
			if tt.fixture != "error_unknown_exception.json" {
				assert.Equal(t, testPaymentRequestID, resp.PaymentRequestID)
			}
		})
	}
}

func TestPayResponseFields(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g)
	resp, err := c.Pay(t.Context(), payRequest())
	require.NoError(t, err)
	assert.Equal(t, "20240612194010800100188820200001234", resp.PaymentID)
	assert.Equal(t, instore.Money{Amount: 1000, Currency: instore.JPY}, resp.PaymentAmount)
	assert.Equal(t, instore.Money{Amount: 48, Currency: instore.CNY}, resp.ActualPaymentAmount)
	assert.True(t, resp.PaymentTime.Equal(time.Date(2024, 6, 12, 11, 40, 12, 0, time.UTC)))
	assert.True(t, resp.PaymentCreateTime.Equal(time.Date(2024, 6, 12, 11, 40, 10, 0, time.UTC)))
	assert.Equal(t, alipayplus.PSPCustomerInfo{PSPName: "ALIPAY_CN", PSPCustomerID: "2088000000000001", DisplayCustomerID: "138****0000"}, resp.PSPCustomerInfo)

	g2 := newGateway(t, fixed(reply{Body: fixture(t, "pay_success_acqp.json")}))
	c2 := newTestClient(t, g2, alipayplus.WithFlavor(alipayplus.FlavorACQP))
	resp, err = c2.Pay(t.Context(), payRequest())
	require.NoError(t, err)
	assert.Equal(t, "KAKAOPAY", resp.WalletBrandName)
	assert.Equal(t, "kakao-user-1", resp.CustomerID)
	assert.Equal(t, "1022172000000000001", resp.PSPID)
	assert.Equal(t, "1022188000000000001", resp.AcquirerID)
}

// TestPayUntrusted covers every answer that must not be believed. Pay
// changes state, so each error also matches instore.ErrOutcomeUnknown.
func TestPayUntrusted(t *testing.T) {
	t.Parallel()
	success := fixture(t, "pay_success.json")
	tests := []struct {
		name       string
		reply      reply
		wantErr    error
		unverified alipayplus.ResultCode // set when an *UnverifiedResultError is expected
	}{
		{"unsigned S", reply{Body: success, Unsigned: true}, alipayplus.ErrUnsignedResponse, ""},
		{"unsigned F", reply{Status: 401, Body: fixture(t, "error_signature_invalid.json"), Unsigned: true}, alipayplus.ErrUnsignedResponse, alipayplus.CodeSignatureInvalid},
		{"unsigned F under 200", reply{Body: fixture(t, "pay_failure.json"), Unsigned: true}, alipayplus.ErrUnsignedResponse, alipayplus.CodeUserBalanceNotEnough},
		{"unsigned U", reply{Status: 500, Body: fixture(t, "error_unknown_exception.json"), Unsigned: true}, alipayplus.ErrUnsignedResponse, alipayplus.CodeUnknownException},
		{"forged signature", reply{Body: success, SignWith: forgerKey()}, alipayplus.ErrInvalidSignature, ""},
		{"forged F", reply{Body: fixture(t, "pay_failure.json"), SignWith: forgerKey()}, alipayplus.ErrInvalidSignature, ""},
		{"body changed after signing", reply{Body: strings.Replace(success, `"1000"`, `"10"`, 1), SignedBody: success}, alipayplus.ErrInvalidSignature, ""},
		{"signed for another client", reply{Body: success, ClientID: "someone-else"}, alipayplus.ErrInvalidSignature, ""},
		{"no Response-Time", reply{Body: success, NoResponseTime: true}, alipayplus.ErrInvalidSignature, ""},
		{"signed truncated JSON", reply{Body: success[:len(success)/2]}, alipayplus.ErrMalformedResponse, ""},
		{"signed empty body", reply{Body: ""}, alipayplus.ErrMalformedResponse, ""},
		{"signed unknown status", reply{Body: `{"result":{"resultCode":"SUCCESS","resultStatus":"X"}}`}, alipayplus.ErrMalformedResponse, ""},
		{"signed result missing", reply{Body: `{"paymentId":"1"}`}, alipayplus.ErrMalformedResponse, ""},
		{"signed bad amount", reply{Body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentAmount":{"currency":"JPY","value":"1e3"}}`}, alipayplus.ErrMalformedResponse, ""},
		{"signed S under HTTP 500", reply{Status: 500, Body: success}, alipayplus.ErrUnexpectedStatus, ""},
		{"other request's answer", reply{Body: strings.Replace(success, testPaymentRequestID, "PR-OTHER", 1)}, alipayplus.ErrMismatchedResponse, ""},
		{"unsigned HTML 502", reply{Status: 502, Body: "<html>Bad Gateway</html>", Unsigned: true}, alipayplus.ErrUnexpectedStatus, ""},
		{"unsigned garbage 200", reply{Body: "OK", Unsigned: true}, alipayplus.ErrMalformedResponse, ""},
		{"cut off in transit", reply{Body: success, ShortBody: true}, nil, ""},
		{"hang-up after the request", reply{Hangup: true}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(tt.reply))
			c := newTestClient(t, g)
			resp, err := c.Pay(t.Context(), payRequest())
			assert.Nil(t, resp)
			require.Error(t, err)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			var ue *alipayplus.UnverifiedResultError
			if tt.unverified != "" {
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, tt.unverified, ue.Result.ResultCode)
				assert.Equal(t, "pay", ue.Op)
				assert.True(t, ue.OutcomeUnknown)
			} else {
				require.NotErrorAs(t, err, &ue, "unexpected *UnverifiedResultError")
				var ae *alipayplus.Error
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "pay", ae.Op)
				assert.True(t, ae.OutcomeUnknown)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "alipayplus: pay: "), err.Error())
			assert.NotContains(t, errorChainText(err), testPaymentCode)
		})
	}
}

// TestPayNeverSent: a request that provably never left the machine is not
// an unknown outcome.
func TestPayNeverSent(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	url := g.srv.URL
	g.srv.Close()
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithBaseURL(url), alipayplus.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Pay(t.Context(), payRequest())
	require.Error(t, err)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
	var ae *alipayplus.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1, ae.Attempts)
}

func TestPayContextCanceled(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Pay(ctx, payRequest())
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Empty(t, g.requests())
}

func TestPayRequestStringMasksCode(t *testing.T) {
	t.Parallel()
	req := payRequest()
	for _, s := range []string{req.String(), fmt.Sprintf("%v", *req), fmt.Sprintf("%+v", *req), fmt.Sprintf("%#v", *req), fmt.Sprintf("%v", req), fmt.Sprint(req)} {
		assert.NotContains(t, s, testPaymentCode)
		assert.Contains(t, s, testPaymentRequestID)
	}
	// As instore.PaymentCode prints: a star for each hidden character.
	assert.Contains(t, req.String(), "PaymentCode: 2812****************9012}")
	short := alipayplus.PayRequest{PaymentRequestID: testPaymentRequestID, PaymentCode: "281234567890"}
	assert.Contains(t, short.String(), "PaymentCode: ************}", "a code under 16 characters is all stars")
}

// TestRedirectIsNotFollowed: a redirect would carry the signed request and
// the payment code to another address.
func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.srv.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithBaseURL(redirector.URL), alipayplus.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Pay(t.Context(), payRequest())
	require.ErrorIs(t, err, alipayplus.ErrUnexpectedStatus)
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Empty(t, elsewhere.requests())
}

func TestOversizedAnswerIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: `{"result":{"resultStatus":"S"},"pad":"` + strings.Repeat("x", 1<<20) + `"}`}))
	c := newTestClient(t, g)
	_, err := c.Pay(t.Context(), payRequest())
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "too large")
	assert.NotContains(t, err.Error(), "instore: ")
}
