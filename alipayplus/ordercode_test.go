package alipayplus_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

func orderCodeRequest() *alipayplus.PayRequest {
	r := payRequest()
	r.PaymentCode = ""
	r.Scenario = alipayplus.ScenarioOrderCode
	r.Amount = instore.Money{Amount: 150000, Currency: instore.THB}
	return r
}

func TestPayOrderCodeRequestBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		flavor     alipayplus.Flavor
		wantFactor map[string]any
	}{
		{alipayplus.FlavorAntom, map[string]any{"inStorePaymentScenario": "OrderCode"}},
		{alipayplus.FlavorACQP, map[string]any{"isInStorePayment": "true", "inStorePaymentScenario": "OrderCode"}},
	} {
		t.Run(string(tt.flavor), func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json")}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			req := orderCodeRequest()
			req.ExpiryTime = time.Date(2024, 6, 12, 19, 45, 11, 0, time.FixedZone("", 8*3600))
			_, err := c.Pay(t.Context(), req)
			require.NoError(t, err)
			got := g.requests()[0].JSON
			assert.Equal(t, map[string]any{"paymentMethodType": "CONNECT_WALLET"}, got["paymentMethod"], "no payment code")
			assert.Equal(t, tt.wantFactor, got["paymentFactor"])
			assert.Equal(t, "2024-06-12T19:45:11+08:00", got["paymentExpiryTime"])
			assert.Equal(t, map[string]any{"currency": "THB", "value": "150000"}, got["paymentAmount"])
			env := got["order"].(map[string]any)["env"].(map[string]any)
			assert.Equal(t, "till-3", env["storeTerminalId"], "required for order codes too")
			noEmptyStrings(t, got, "$")
		})
	}
}

func TestPayOrderCodeValidation(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json")}))
	c := newTestClient(t, g)
	for _, tt := range []struct {
		field string
		edit  func(*alipayplus.PayRequest)
	}{
		{"PaymentCode", func(r *alipayplus.PayRequest) { r.PaymentCode = testPaymentCode }},
		{"Scenario", func(r *alipayplus.PayRequest) { r.Scenario = "EntryCode" }},
		{"TerminalID", func(r *alipayplus.PayRequest) { r.TerminalID = "" }},
	} {
		req := orderCodeRequest()
		tt.edit(req)
		_, err := c.Pay(t.Context(), req)
		var ve *alipayplus.ValidationError
		require.ErrorAs(t, err, &ve, tt.field)
		assert.Equal(t, tt.field, ve.Field)
		assert.NotContains(t, err.Error(), testPaymentCode)
	}
	assert.Empty(t, g.requests())
}

func TestPayOrderCodeResponse(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json")}))
	c := newTestClient(t, g)
	resp, err := c.Pay(t.Context(), orderCodeRequest())
	require.NoError(t, err)
	assert.True(t, resp.Result.ShouldInquire(), "U: the payment waits for the customer")
	f := resp.OrderCodeForm
	assert.Equal(t, "CONNECT_WALLET", f.PaymentMethodType)
	assert.True(t, f.ExpireTime.Equal(time.Date(2024, 6, 12, 11, 45, 11, 0, time.UTC)))
	require.Len(t, f.CodeDetails, 3)
	assert.Equal(t, alipayplus.CodeDetail{
		CodeValueType: "QRCODE", CodeValue: "2819990400011nXv0dGHL49kES31Ldzv31hk", DisplayType: "TEXT",
	}, f.CodeDetails[0])
	assert.Equal(t, "2819990400011nXv0dGHL49kES31Ldzv31hk", f.QRCodeValue())
	assert.Equal(t, "https://qr.example.com/show?code=2819990400011nXv0dGHL49kES31Ldzv31hk&size=M", f.ImageURL())

	g2 := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	resp, err = newTestClient(t, g2).Pay(t.Context(), payRequest())
	require.NoError(t, err)
	assert.Equal(t, alipayplus.OrderCodeForm{}, resp.OrderCodeForm, "absent: zero")
}

func TestOrderCodeFormPicks(t *testing.T) {
	t.Parallel()
	d := func(typ, value, display string) alipayplus.CodeDetail {
		return alipayplus.CodeDetail{CodeValueType: typ, CodeValue: value, DisplayType: display}
	}
	tests := []struct {
		name         string
		details      []alipayplus.CodeDetail
		wantQR, want string
	}{
		{"none", nil, "", ""},
		{"text wins over images", []alipayplus.CodeDetail{d("", "https://i.example/s", "SMALLIMAGE"), d("", "code-1", "TEXT")}, "code-1", "https://i.example/s"},
		{"a barcode is not the QR code", []alipayplus.CodeDetail{d("BARCODE", "123", "TEXT"), d("QRCODE", "code-2", "")}, "code-2", ""},
		{"typed QR before an untyped one", []alipayplus.CodeDetail{d("", "bare", ""), d("QRCODE", "typed", "")}, "typed", ""},
		{"bare as a last resort", []alipayplus.CodeDetail{d("", "bare", "")}, "bare", ""},
		{"an image is never the content", []alipayplus.CodeDetail{d("QRCODE", "https://i.example/m", "MIDDLEIMAGE")}, "", "https://i.example/m"},
		{"middle before big", []alipayplus.CodeDetail{d("", "https://i.example/b", "BIGIMAGE"), d("", "https://i.example/m", "MIDDLEIMAGE")}, "", "https://i.example/m"},
		{"image addresses must be https", []alipayplus.CodeDetail{d("", "http://i.example/m", "MIDDLEIMAGE"), d("", "not a url", "BIGIMAGE")}, "", ""},
		{"empty values skipped", []alipayplus.CodeDetail{d("QRCODE", "", "TEXT"), d("QRCODE", "x", "TEXT")}, "x", ""},
	}
	for _, tt := range tests {
		f := alipayplus.OrderCodeForm{CodeDetails: tt.details}
		assert.Equal(t, tt.wantQR, f.QRCodeValue(), tt.name)
		assert.Equal(t, tt.want, f.ImageURL(), tt.name)
	}
}

func newTestAcquirer(t *testing.T, g *gateway, opts ...alipayplus.Option) *alipayplus.Acquirer {
	t.Helper()
	a, err := alipayplus.NewAcquirer(newTestClient(t, g, opts...), alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-001", Name: "Sukhumvit Noodles", MCC: "5814",
			Store: alipayplus.Store{ReferenceStoreID: "S-001", Name: "Asok", MCC: "5814"},
		},
		TerminalID: "till-1",
		NotifyURL:  "https://pos.example.com/alipay/notify",
	})
	require.NoError(t, err)
	return a
}

func TestAcquirerPresent(t *testing.T) {
	t.Parallel()
	sale := &instore.PayRequest{
		RequestID: testPaymentRequestID,
		Amount:    instore.Money{Amount: 150000, Currency: instore.THB},
		Method:    instore.MethodAlipayPlusOrderCode,
		Store:     instore.Store{TerminalID: "till-7"},
		ExpiresAt: time.Date(2024, 6, 12, 11, 45, 0, 0, time.UTC),
	}
	t.Run("an order code to show", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json")}))
		p, qr, err := newTestAcquirer(t, g).Present(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusPending, p.Status)
		assert.Equal(t, "20240612194010800100188820200001235", p.ID)
		assert.Equal(t, testPaymentRequestID, p.RequestID)
		assert.Equal(t, instore.MethodAlipayPlusOrderCode, p.Method)
		assert.Equal(t, alipayplus.AcquirerName, p.Acquirer)
		require.NotNil(t, qr)
		assert.Equal(t, "2819990400011nXv0dGHL49kES31Ldzv31hk", qr.Content)
		assert.Equal(t, "https://qr.example.com/show?code=2819990400011nXv0dGHL49kES31Ldzv31hk&size=M", qr.ImageURI)
		assert.True(t, qr.ExpiresAt.Equal(time.Date(2024, 6, 12, 11, 45, 11, 0, time.UTC)))

		got := g.requests()[0].JSON
		assert.Equal(t, "OrderCode", got["paymentFactor"].(map[string]any)["inStorePaymentScenario"])
		assert.Equal(t, map[string]any{"paymentMethodType": "CONNECT_WALLET"}, got["paymentMethod"])
		assert.Equal(t, "2024-06-12T11:45:00+00:00", got["paymentExpiryTime"])
		assert.Equal(t, "https://pos.example.com/alipay/notify", got["paymentNotifyUrl"])
		assert.Equal(t, "till-7", got["order"].(map[string]any)["env"].(map[string]any)["storeTerminalId"])
	})
	t.Run("refused: failed, no code", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_failure.json")}))
		p, qr, err := newTestAcquirer(t, g).Present(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusFailed, p.Status)
		assert.Equal(t, string(alipayplus.CodeUserBalanceNotEnough), p.FailureCode)
		assert.Nil(t, qr)
	})
	t.Run("U without an order code: pending, nothing to show", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code_no_form.json")}))
		p, qr, err := newTestAcquirer(t, g).Present(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusPending, p.Status)
		assert.Nil(t, qr)
	})
	t.Run("S is not taken for paid", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
		p, qr, err := newTestAcquirer(t, g).Present(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusPending, p.Status, "the inquiry decides")
		assert.Nil(t, qr)
	})
	t.Run("an unsigned answer: outcome unknown", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json"), Unsigned: true}))
		_, _, err := newTestAcquirer(t, g).Present(t.Context(), sale)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	})
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, fixed(reply{Body: fixture(t, "pay_order_code.json")}))
		_, _, err := newTestAcquirer(t, g).Present(t.Context(), nil)
		require.ErrorIs(t, err, alipayplus.ErrInvalidRequest)
		assert.Empty(t, g.requests())
	})
}
