package alipayplus_test

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/alipayplus"
)

// TestNothingSecretLeaks runs calls through every kind of outcome with a
// capturing logger and checks that no key, no signature and no payment code
// reaches a log record or an error string.
func TestNothingSecretLeaks(t *testing.T) {
	t.Parallel()
	replies := []reply{
		{Body: fixture(t, "pay_success.json")},
		{Body: fixture(t, "pay_failure.json")},
		{Body: fixture(t, "pay_unknown.json")},
		{Body: fixture(t, "pay_success.json"), Unsigned: true},
		{Status: 401, Body: fixture(t, "error_signature_invalid.json"), Unsigned: true},
		{Body: fixture(t, "pay_success.json"), SignWith: forgerKey()},
		{Status: 502, Body: "<html>" + testPaymentCode + "</html>", Unsigned: true},
		{Body: `{"result":{"resultCode":"` + testPaymentCode + `","resultStatus":"F"}}`, Unsigned: true},
		{Body: `{"result":{"resultCode":"X","resultStatus":"` + testPaymentCode + `"}}`},
		{Body: fixture(t, "pay_success.json"), ShortBody: true},
		{Hangup: true},
	}
	logger, logs := captureLogger()
	var errs []string
	var sent []string
	for _, rp := range replies {
		g := newGateway(t, fixed(rp))
		c := newTestClient(t, g, alipayplus.WithLogger(logger))
		_, err := c.Pay(t.Context(), payRequest())
		if err != nil {
			errs = append(errs, errorChainText(err))
		}
		_, err = c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
		if err != nil {
			errs = append(errs, errorChainText(err))
		}
		for _, r := range g.requests() {
			sent = append(sent, r.Header.Get("Signature"))
		}
	}
	// A refused request quotes no value either.
	bad := payRequest()
	bad.PaymentCode = testPaymentCode + " "
	_, err := newTestClient(t, newGateway(t, fixed(reply{})), alipayplus.WithLogger(logger)).Pay(t.Context(), bad)
	require.Error(t, err)
	errs = append(errs, errorChainText(err))

	out := logs.String() + strings.Join(errs, "\n")
	require.NotEmpty(t, logs.String(), "the logger was used")
	assert.Contains(t, logs.String(), `"request_id":"`+testPaymentRequestID+`"`)
	assert.NotContains(t, out, testPaymentCode)
	assert.NotContains(t, out, testPaymentCode[4:20], "no part of the code either")
	assert.NotContains(t, out, "signature=")
	for _, s := range sent {
		_, v, ok := strings.Cut(s, "signature=")
		require.True(t, ok)
		raw, err := url.QueryUnescape(v)
		require.NoError(t, err)
		assert.NotContains(t, out, v[:24])
		assert.NotContains(t, out, raw[:24])
	}
	der, err := x509.MarshalPKCS8PrivateKey(merchantKey())
	require.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString(der)
	for i := 64; i+24 < len(b64); i += 200 {
		assert.NotContains(t, out, b64[i:i+24])
	}
	assert.NotContains(t, out, merchantKey().D.String()[:20])
}
