package ppro_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

// TestFreeTextSanitised checks that PPRO's text is cleaned where the answer
// is parsed: ERRMSG and FAILREASON reach the TransactionResponse and the
// Payment without the payment code, control or bidi characters, and within
// the caps.
func TestFreeTextSanitised(t *testing.T) {
	t.Parallel()
	errMsg := "declined: code " + testCode + "\u202e\r\nlevel=INFO msg=ok \x00end" + strings.Repeat(" x", 200)
	body := "STATUS=FAILED&TXID=643772309&MERCHANTTXID=sale-1042&FAILREASON=" + url.QueryEscape("REMOTE_\u2066DECLINE\r\n") +
		"&ERRMSG=" + url.QueryEscape(errMsg)
	const clean = "declined: code 2812**********3456 level=INFO msg=ok end"

	resp, err := newGateway(t, reply{Body: body}).client(t).Transaction(t.Context(), transactionRequest())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(resp.ErrMsg, clean), "ERRMSG %q", resp.ErrMsg)
	assert.LessOrEqual(t, len(resp.ErrMsg), 256+3)
	assert.Equal(t, ppro.FailRemoteDecline, resp.FailReason, "a documented reason behind a bidi control is still recognised")

	a, err := ppro.NewAcquirer(newGateway(t, reply{Body: body}).client(t), ppro.AcquirerConfig{NotificationURL: notifyURL, StoreID: "ZRH-01", StoreName: "Zürich HB"})
	require.NoError(t, err)
	code, err := instore.ClassifyPaymentCode(testCode)
	require.NoError(t, err)
	p, err := a.Pay(t.Context(), &instore.PayRequest{
		RequestID: "sale-1042", Code: code, Amount: instore.Money{Amount: 1250, Currency: instore.CHF}, ExpiresAt: time.Now().Add(time.Minute),
	})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.FailureMessage, clean), "failure message %q", p.FailureMessage)
	assert.Equal(t, instore.StatusFailed, p.Status)
	assert.Equal(t, string(ppro.FailRemoteDecline), p.FailureCode)
}
