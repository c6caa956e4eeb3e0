package alipayplus_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// The package's errors match the root package's sentinels, so that a
// caller classifies a Checkout's error with package instore alone.
func TestErrorsMatchTheRootVocabulary(t *testing.T) {
	t.Parallel()
	roots := []error{
		instore.ErrInvalidRequest, instore.ErrInvalidParams, instore.ErrInvalidConfig,
		instore.ErrAuthentication, instore.ErrRateLimited, instore.ErrOutcomeUnknown, instore.ErrNotFound,
	}
	tests := []struct {
		name string
		err  error
		want []error
	}{
		{"validation", &alipayplus.ValidationError{Op: "pay", Field: "TerminalID", Reason: "required"},
			[]error{instore.ErrInvalidRequest, instore.ErrInvalidParams}},
		{"invalid key", alipayplus.ErrInvalidKey, []error{instore.ErrInvalidConfig}},
		{"invalid config", alipayplus.ErrInvalidConfig, []error{instore.ErrInvalidConfig}},
		{"429 after the retries", &alipayplus.Error{Op: "inquiryPayment", StatusCode: http.StatusTooManyRequests, Err: alipayplus.ErrUnexpectedStatus},
			[]error{instore.ErrRateLimited}},
		{"429 on a pay", &alipayplus.Error{Op: "pay", StatusCode: http.StatusTooManyRequests, OutcomeUnknown: true, Err: alipayplus.ErrUnexpectedStatus},
			[]error{instore.ErrRateLimited, instore.ErrOutcomeUnknown}},
		{"502", &alipayplus.Error{Op: "pay", StatusCode: http.StatusBadGateway, OutcomeUnknown: true, Err: alipayplus.ErrUnexpectedStatus},
			[]error{instore.ErrOutcomeUnknown}},
		{"unsigned traffic limit", &alipayplus.UnverifiedResultError{Op: "pay", Result: alipayplus.Result{ResultStatus: alipayplus.ResultUnknown, ResultCode: alipayplus.CodeRequestTrafficExceedLimit}, OutcomeUnknown: true},
			[]error{instore.ErrRateLimited, instore.ErrOutcomeUnknown}},
		{"unsigned signature error", &alipayplus.UnverifiedResultError{Op: "inquiryPayment", Result: alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeSignatureInvalid}},
			nil},
		{"refused: bad parameter", &alipayplus.RefusedError{Op: "pay", Result: alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeParamIllegal}},
			[]error{instore.ErrInvalidRequest}},
		{"refused: unknown key", &alipayplus.RefusedError{Op: "pay", Result: alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeKeyNotFound}},
			[]error{instore.ErrAuthentication}},
	}
	for _, tt := range tests {
		for _, root := range roots {
			assert.Equal(t, slices.Contains(tt.want, root), errors.Is(tt.err, root), "%s: errors.Is(%v)", tt.name, root)
		}
	}
	assert.ErrorIs(t, &alipayplus.ValidationError{}, alipayplus.ErrInvalidRequest, "the package's own sentinel still matches")
}

func validConfig() alipayplus.AcquirerConfig {
	return alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-001", Name: "Sukhumvit Noodles", MCC: "5814",
			Store: alipayplus.Store{ReferenceStoreID: "S-001", Name: "Asok", MCC: "5814"},
		},
		TerminalID: "till-1",
		NotifyURL:  "https://pos.example.com/alipay/notify",
	}
}

// NewAcquirer refuses what would make every pay fail, as a configuration
// error, and accepts a configuration that leaves the store and the
// terminal to the sales.
func TestNewAcquirerRefusesWhatFailsEveryPay(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	client := newTestClient(t, g)
	tests := []struct {
		name   string
		change func(*alipayplus.AcquirerConfig)
	}{
		{"no merchant id", func(c *alipayplus.AcquirerConfig) { c.Merchant.ReferenceMerchantID = "" }},
		{"no merchant name", func(c *alipayplus.AcquirerConfig) { c.Merchant.Name = "" }},
		{"no merchant MCC", func(c *alipayplus.AcquirerConfig) { c.Merchant.MCC = "" }},
		{"merchant MCC not four digits", func(c *alipayplus.AcquirerConfig) { c.Merchant.MCC = "58141" }},
		{"store MCC not digits", func(c *alipayplus.AcquirerConfig) { c.Merchant.Store.MCC = "food" }},
		{"control character in the store name", func(c *alipayplus.AcquirerConfig) { c.Merchant.Store.Name = "Asok\n" }},
		{"terminal too long", func(c *alipayplus.AcquirerConfig) { c.TerminalID = string(make([]byte, 300)) }},
		{"relative notify URL", func(c *alipayplus.AcquirerConfig) { c.NotifyURL = "/alipay/notify" }},
		{"settlement currency in lower case", func(c *alipayplus.AcquirerConfig) { c.SettlementCurrency = "usd" }},
	}
	for _, tt := range tests {
		cfg := validConfig()
		tt.change(&cfg)
		a, err := alipayplus.NewAcquirer(client, cfg)
		require.Error(t, err, tt.name)
		assert.Nil(t, a, tt.name)
		require.ErrorIs(t, err, instore.ErrInvalidConfig, tt.name)
		require.NotErrorIs(t, err, instore.ErrInvalidRequest, "%s: a configuration error, not a request", tt.name)
	}
	_, err := alipayplus.NewAcquirer(nil, validConfig())
	require.ErrorIs(t, err, instore.ErrInvalidConfig, "nil client")

	cfg := validConfig()
	cfg.TerminalID, cfg.Merchant.Store = "", alipayplus.Store{}
	_, err = alipayplus.NewAcquirer(client, cfg)
	require.NoError(t, err, "the store and the terminal may come from the sales")
	assert.Empty(t, g.requests())
}

// A sale without the store or terminal that the configuration leaves to
// it is refused before sending: an invalid request, never a failed payment.
func TestAcquirerRefusesASaleWithoutStoreOrTerminal(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	cfg := validConfig()
	cfg.TerminalID, cfg.Merchant.Store = "", alipayplus.Store{}
	a, err := alipayplus.NewAcquirer(newTestClient(t, g), cfg)
	require.NoError(t, err)
	sale := &instore.PayRequest{
		RequestID: testPaymentRequestID,
		Code:      instore.PaymentCode{Digits: testPaymentCode, Wallet: instore.WalletAlipay},
		Amount:    instore.Money{Amount: 1000, Currency: instore.JPY},
		Store:     instore.Store{ID: "S-9", Name: "Ginza", MCC: "5814"},
	}
	p, err := a.Pay(t.Context(), sale)
	assert.Nil(t, p)
	require.ErrorIs(t, err, instore.ErrInvalidRequest)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Contains(t, err.Error(), "TerminalID: required: set the sale's Store.TerminalID or AcquirerConfig.TerminalID")

	present := *sale
	present.Code = instore.PaymentCode{}
	pm, qr, err := a.Present(t.Context(), &present)
	assert.Nil(t, pm)
	assert.Nil(t, qr)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Empty(t, g.requests(), "nothing was sent")

	sale.Store.TerminalID = "till-9"
	p, err = a.Pay(t.Context(), sale)
	require.NoError(t, err, "the sale names its terminal")
	assert.Equal(t, instore.StatusSucceeded, p.Status)
	reqs := g.requests()
	require.Len(t, reqs, 1)
	env := reqs[0].JSON["order"].(map[string]any)["env"].(map[string]any)
	assert.Equal(t, "till-9", env["storeTerminalId"])
}

// A signed F result that refuses the request for a reason on the
// merchant's side is an error, never a failed payment; a decline is a
// failed payment. Pay and Present read the result alike.
func TestAcquirerPayRefusedByTheGateway(t *testing.T) {
	t.Parallel()
	result := func(code string) string {
		return `{"result":{"resultCode":"` + code + `","resultStatus":"F","resultMessage":"refused"},"paymentRequestId":"` + testPaymentRequestID + `"}`
	}
	tests := []struct {
		code     string
		wantErr  error
		declined bool
	}{
		{"PARAM_ILLEGAL", instore.ErrInvalidRequest, false},
		{"MERCHANT_NOT_REGISTERED", instore.ErrInvalidRequest, false},
		{"KEY_NOT_FOUND", instore.ErrAuthentication, false},
		{"ACCESS_DENIED", instore.ErrAuthentication, false},
		{"USER_BALANCE_NOT_ENOUGH", nil, true},
		{"RISK_REJECT", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: result(tt.code)}))
			a := newTestAcquirer(t, g)
			sale := &instore.PayRequest{
				RequestID: testPaymentRequestID,
				Code:      instore.PaymentCode{Digits: testPaymentCode, Wallet: instore.WalletAlipay},
				Amount:    instore.Money{Amount: 1000, Currency: instore.JPY},
			}
			order := *sale
			order.Code = instore.PaymentCode{}
			calls := map[string]func() (*instore.Payment, error){
				"Pay": func() (*instore.Payment, error) { return a.Pay(t.Context(), sale) },
				"Present": func() (*instore.Payment, error) {
					p, qr, err := a.Present(t.Context(), &order)
					assert.Nil(t, qr, "Present: no code to show")
					return p, err
				},
			}
			for name, call := range calls {
				p, err := call()
				if tt.declined {
					require.NoError(t, err, name)
					assert.Equal(t, instore.StatusFailed, p.Status, name)
					assert.Equal(t, tt.code, p.FailureCode, name)
					continue
				}
				assert.Nil(t, p, name)
				require.ErrorIs(t, err, tt.wantErr, name)
				var re *alipayplus.RefusedError
				require.ErrorAs(t, err, &re, name)
				assert.Equal(t, alipayplus.ResultCode(tt.code), re.Result.ResultCode, name)
				assert.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "%s: a signed F is definite", name)
			}
		})
	}
}
