package alipayplus_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// TestResultTextSanitised checks that the gateway's result text is cleaned
// where it is decoded: the code and the message of a signed F result reach
// the PayResponse and the Payment without the payment code, control or bidi
// characters, and within the caps.
func TestResultTextSanitised(t *testing.T) {
	t.Parallel()
	const message = `declined: code ` + testPaymentCode + `\u202e\r\nlevel=INFO msg=ok \u0000end`
	body := `{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH` + testPaymentCode + `","resultStatus":"F","resultMessage":"` +
		message + strings.Repeat(" x", 200) + `"},"paymentRequestId":"` + testPaymentRequestID + `"}`
	g := newGateway(t, fixed(reply{Body: body}))

	resp, err := newTestClient(t, g).Pay(t.Context(), payRequest())
	require.NoError(t, err)
	const clean = "declined: code 2812****************9012 level=INFO msg=ok end"
	assert.True(t, strings.HasPrefix(resp.Result.ResultMessage, clean), "message %q", resp.Result.ResultMessage)
	assert.LessOrEqual(t, len(resp.Result.ResultMessage), 256+3)
	assert.Equal(t, "USER_BALANCE_NOT_ENOUGH2812****************9012", string(resp.Result.ResultCode))

	p, err := newTestAcquirer(t, g).Pay(t.Context(), &instore.PayRequest{
		RequestID: testPaymentRequestID,
		Code:      instore.PaymentCode{Digits: testPaymentCode, Wallet: instore.WalletAlipay},
		Amount:    instore.Money{Amount: 1000, Currency: instore.JPY},
	})
	require.NoError(t, err)
	assert.Equal(t, instore.StatusFailed, p.Status)
	assert.True(t, strings.HasPrefix(p.FailureMessage, clean), "failure message %q", p.FailureMessage)
	assert.NotContains(t, p.FailureCode, testPaymentCode[4:20])
}
