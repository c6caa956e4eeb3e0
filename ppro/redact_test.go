package ppro_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

// TestNothingSecretLeaks runs every call through every kind of failure with
// a capturing logger, and checks that neither the password, the
// notification secret nor the payment code reaches a log record, an error
// string or a text field of an answer.
func TestNothingSecretLeaks(t *testing.T) {
	t.Parallel()
	const secret = "n0tification-s3cret"
	echo := url.QueryEscape("bad login " + testPassword + " for code " + testCode)
	replies := []reply{
		{Body: fixture(t, "transaction_pending.txt")},
		{Body: "STATUS=FAILED&TXID=0&FAILREASON=UNKNOWN&ERRMSG=" + echo},
		{Body: "REQUESTSTATUS=FAILED&REQUESTFAILREASON=" + testPassword + "&STATUS=FAILED&TXID=0&ERRMSG=" + echo},
		{Body: "REQUESTSTATUS=FAILED&REQUESTFAILREASON=" + testCode + "&STATUS=FAILED&TXID=0"},
		{Status: 502, Body: "<html>" + testPassword + " " + testCode + "</html>"},
		{Status: 401, Body: testPassword},
		{Body: "<html>" + testPassword + testCode + "</html>"},
		{Body: "STATUS=PENDING&TXID=0&ERRMSG=" + echo},
		{Hangup: true},
	}
	logger, logs := captureLogger()
	var out []string
	collect := func(err error) {
		if err != nil {
			out = append(out, errorChainText(err))
			var re *ppro.RequestError
			if errors.As(err, &re) {
				out = append(out, re.Message)
				if re.Transaction != nil {
					out = append(out, re.Transaction.ErrMsg)
				}
			}
		}
	}
	for _, rp := range replies {
		g := newGateway(t, rp)
		c := g.client(t, ppro.WithLogger(logger), ppro.WithMaxRetries(1))
		resp, err := c.Transaction(t.Context(), transactionRequest())
		collect(err)
		if err == nil {
			out = append(out, resp.ErrMsg)
		}
		st, err := c.Status(t.Context(), "643772308")
		collect(err)
		if err == nil {
			out = append(out, st.ErrMsg)
		}
		_, err = c.Cancel(t.Context(), "643772308")
		collect(err)
		_, err = c.Refund(t.Context(), &ppro.RefundRequest{TxID: "1", Amount: instore.Money{Amount: 1, Currency: instore.CHF}, MerchantRefundID: "r1"})
		collect(err)

		h := c.NotificationHandler([]string{secret}, func(context.Context, *ppro.Notification) error {
			return errors.New("handler failed " + testPassword)
		})
		for _, body := range []string{
			"txid=643772308&finaltimestamp=2025-01-01T00:00:00Z&sha256hash=" + ppro.NotificationHash("643772308", "2025-01-01T00:00:00Z", secret),
			"txid=643772308&finaltimestamp=x&sha256hash=" + ppro.NotificationHash("643772308", "x", "wrong"),
			"garbage " + testCode,
		} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/ppro/notify", strings.NewReader(body))
			h.ServeHTTP(rec, req)
			out = append(out, rec.Body.String())
		}
	}
	// Refused before sending: the value is never quoted.
	bad := transactionRequest()
	bad.BuyerIdentityCode = testCode + "x"
	_, err := newGateway(t).client(t, ppro.WithLogger(logger)).Transaction(t.Context(), bad)
	collect(err)
	_, err = ppro.NewClient(ppro.Credentials{Login: "l", Password: testPassword + "\n", ContractID: "c", Channel: "ch"})
	collect(err)
	_, err = ppro.ParseNotification([]byte("txid=1&finaltimestamp=2&sha256hash="+ppro.NotificationHash("1", "2", "other")), secret)
	collect(err)

	text := logs.String() + strings.Join(out, "\n")
	require.NotEmpty(t, logs.String(), "the logger was used")
	assert.Contains(t, logs.String(), `"request_id":"sale-1042"`)
	assert.Contains(t, logs.String(), `"acquirer":"ppro"`)
	assert.NotContains(t, text, testPassword)
	assert.NotContains(t, text, testCode)
	assert.NotContains(t, text, testCode[2:14], "no part of the code either")
	assert.NotContains(t, text, secret)
	assert.NotContains(t, text, ppro.NotificationHash("643772308", "2025-01-01T00:00:00Z", secret))
}
