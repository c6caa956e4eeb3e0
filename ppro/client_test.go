package ppro_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

func TestTransactionSendsTheDocumentedForm(t *testing.T) {
	t.Parallel()
	g := newGateway(t, reply{Body: fixture(t, "transaction_pending.txt")})
	req := transactionRequest()
	req.DynamicDescriptor = "Coffee & cake"
	resp, err := g.client(t).Transaction(t.Context(), req)
	require.NoError(t, err)

	reqs := g.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/api", r.Path, "posted to the base URL as given")
	assert.Contains(t, r.ContentType, "application/x-www-form-urlencoded")
	want := map[string]string{
		"txtype": "TRANSACTION", "returnmode": "urlencodeext",
		"login": "johndoe", "password": testPassword, "contractid": "JOHNDOECONTRACT", "channel": "testchannel",
		"tag": "alipayconsumerbarcode", "countrycode": "CH", "currency": "CHF", "amount": "1250",
		"merchanttxid": "sale-1042", "notificationurl": "https://pos.example.ch/ppro/notify",
		"specin.buyeridentitycode": testCode, "specin.storeid": "ZRH-01", "specin.storename": "Zürich HB",
		"specin.dynamicdescriptor": "Coffee & cake",
	}
	assert.Len(t, r.Form, len(want), "no other key is sent")
	for k, v := range want {
		assert.Equal(t, []string{v}, r.Form[k], k)
	}

	assert.Equal(t, ppro.StatusPending, resp.Status)
	assert.Equal(t, "643772308", resp.TxID)
	assert.True(t, resp.Created())
	assert.Equal(t, "sale-1042", resp.MerchantTxID)
	assert.Equal(t, ppro.FundsNotExpected, resp.FundsStatus)
	assert.Equal(t, "alipayconsumerbarcode", resp.Tag)
	assert.Equal(t, map[string]string{"ALIPAYMERCHANTID": "Merchant380", "ALIPAYSTOREID": "ZRH-01", "ALIPAYSTORENAME": "Zürich HB"}, resp.SpecOut)
	assert.Equal(t, map[string]string{"RAND2112459470": "f97243f8b9da2aa40c461652ff9cdc64312d1f9f", "FLAGS": ""}, resp.Other)
}

func TestTransactionAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture string
		status  ppro.Status
		txID    string
		reason  ppro.FailReason
		errMsg  string
	}{
		{"transaction_succeeded_seed.txt", ppro.StatusSucceeded, "643772308", "", ""},
		{"transaction_failed_declined.txt", ppro.StatusFailed, "643772309", ppro.FailRemoteDecline, "Declined by the scheme"},
		{"transaction_failed_auth.txt", ppro.StatusFailed, "", ppro.FailUnknown, "Authentication failed"},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, reply{Body: fixture(t, tc.fixture)})
			resp, err := g.client(t).Transaction(t.Context(), transactionRequest())
			require.NoError(t, err, "a decline is an answer, not an error")
			assert.Equal(t, tc.status, resp.Status)
			assert.Equal(t, tc.txID, resp.TxID)
			assert.Equal(t, tc.txID != "", resp.Created())
			assert.Equal(t, tc.reason, resp.FailReason)
			assert.Equal(t, tc.errMsg, resp.ErrMsg)
		})
	}
	g := newGateway(t, reply{Body: fixture(t, "transaction_succeeded_seed.txt")})
	resp, err := g.client(t).Transaction(t.Context(), transactionRequest())
	require.NoError(t, err)
	assert.Equal(t, "1055", resp.SpecOut["CNYAMOUNT"], "every SPECOUT key is kept")
	assert.Equal(t, "CNY", resp.SpecOut["SRCCURRENCY"])
	assert.Len(t, resp.SpecOut, 8)
}

// Every failure after which a TRANSACTION may have been processed matches
// instore.ErrOutcomeUnknown, and it was sent exactly once.
func TestTransactionOutcomeUnknown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		reply reply
		cause error
	}{
		{"503 page", reply{Status: 503, Body: "<html>busy</html>"}, ppro.ErrUnexpectedStatus},
		{"500 with a PPRO body", reply{Status: 500, Body: "STATUS=FAILED&TXID=0"}, ppro.ErrUnexpectedStatus},
		{"html 200", reply{Body: "<html><body>gateway</body></html>"}, ppro.ErrMalformedResponse},
		{"no STATUS", reply{Body: "TXID=5&RAND1=aa"}, ppro.ErrMalformedResponse},
		{"pending without TXID", reply{Body: "STATUS=PENDING&TXID=0"}, ppro.ErrMalformedResponse},
		{"conflicting keys", reply{Body: "STATUS=SUCCEEDED&STATUS=FAILED&TXID=5"}, ppro.ErrMalformedResponse},
		{"another merchanttxid", reply{Body: "STATUS=SUCCEEDED&TXID=5&MERCHANTTXID=sale-1"}, ppro.ErrMismatchedResponse},
		{"connection dropped", reply{Hangup: true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, tc.reply)
			_, err := g.client(t).Transaction(t.Context(), transactionRequest())
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			if tc.cause != nil {
				require.ErrorIs(t, err, tc.cause)
			}
			var pe *ppro.Error
			require.ErrorAs(t, err, &pe)
			assert.True(t, pe.OutcomeUnknown)
			assert.Equal(t, "TRANSACTION", pe.Op)
			assert.Len(t, g.requests(), 1, "never sent twice")
		})
	}
}

func TestTransactionRefusedWithoutProcessing(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusTemporaryRedirect} {
		var hits atomic.Int32
		elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
		t.Cleanup(elsewhere.Close)
		g := newGateway(t, reply{Status: status, Header: http.Header{"Location": {elsewhere.URL}}, Body: "refused"})
		_, err := g.client(t).Transaction(t.Context(), transactionRequest())
		require.ErrorIs(t, err, ppro.ErrUnexpectedStatus, status)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, status)
		assert.Contains(t, err.Error(), fmt.Sprint(status))
		assert.Zero(t, hits.Load(), "a redirect is never followed")
	}
}

// The client's copy of a caller's HTTP client refuses redirects even when
// the caller's follows them.
func TestWithHTTPClientRefusesRedirects(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("STATUS=SUCCEEDED&TXID=1"))
	}))
	t.Cleanup(elsewhere.Close)
	g := newGateway(t, reply{Status: http.StatusPermanentRedirect, Header: http.Header{"Location": {elsewhere.URL}}})
	followed := 0
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { followed++; return nil }}
	_, err := g.client(t, ppro.WithHTTPClient(hc)).Status(t.Context(), "643772308")
	require.ErrorIs(t, err, ppro.ErrUnexpectedStatus)
	assert.Zero(t, hits.Load())
	assert.Zero(t, followed)
	assert.NotNil(t, hc.CheckRedirect, "the caller's client is not modified")
}

func TestStatusCalls(t *testing.T) {
	t.Parallel()
	g := newGateway(t,
		reply{Body: fixture(t, "status_succeeded.txt")},
		reply{Body: fixture(t, "status_succeeded.txt")},
		reply{Body: fixture(t, "status_not_unique.txt")},
		reply{Body: fixture(t, "status_not_found.txt")},
	)
	c := g.client(t)
	st, err := c.Status(t.Context(), "643772308")
	require.NoError(t, err)
	assert.Equal(t, ppro.StatusSucceeded, st.RequestStatus)
	assert.Equal(t, ppro.StatusSucceeded, st.Status)
	assert.Equal(t, "2088102122524333", st.SpecOut["ALIPAYBUYERUSERID"])

	st, err = c.StatusByMerchantTxID(t.Context(), "SALE-1042")
	require.NoError(t, err, "merchant ids compare without regard to case")
	assert.Equal(t, "643772308", st.TxID)

	_, err = c.StatusByMerchantTxID(t.Context(), "sale-1042")
	require.ErrorIs(t, err, ppro.ErrTxNotUnique)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
	var re *ppro.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, ppro.RequestFailTxNotUnique, re.Reason)
	assert.Equal(t, "Ambiguous MerchantTxId", re.Message)

	_, err = c.Status(t.Context(), "643772308")
	require.ErrorIs(t, err, ppro.ErrTxNotFound)
	require.ErrorIs(t, err, instore.ErrNotFound, "classified with the root package alone")
	assert.Equal(t, "ppro: GETTXSTATUS: request failed: TX_NOT_FOUND", err.Error())

	reqs := g.requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "GETTXSTATUS", reqs[0].Form.Get("txtype"))
	assert.Equal(t, "643772308", reqs[0].Form.Get("txid"))
	assert.Equal(t, "GETTXSTATUSBYMERCHANTTXID", reqs[1].Form.Get("txtype"))
	assert.Equal(t, "SALE-1042", reqs[1].Form.Get("merchanttxid"))
	for _, r := range reqs {
		assert.Equal(t, "urlencodeext", r.Form.Get("returnmode"))
		assert.Equal(t, testPassword, r.Form.Get("password"))
		assert.Empty(t, r.Form.Get("channel"), "channel goes with TRANSACTION only")
	}
}

func TestStatusAnswersThatAreNotTrusted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body string
		want error
	}{
		{"no REQUESTSTATUS", "STATUS=SUCCEEDED&TXID=643772308", ppro.ErrMalformedResponse},
		{"succeeded request without a transaction", "REQUESTSTATUS=SUCCEEDED&TXID=0", ppro.ErrMalformedResponse},
		{"another transaction", "REQUESTSTATUS=SUCCEEDED&STATUS=SUCCEEDED&TXID=1", ppro.ErrMismatchedResponse},
		{"auth error", "REQUESTSTATUS=FAILED&REQUESTFAILREASON=AUTH_ERROR&STATUS=FAILED&TXID=0", ppro.ErrAuthentication},
	}
	for _, tc := range cases {
		g := newGateway(t, reply{Body: tc.body})
		_, err := g.client(t).Status(t.Context(), "643772308")
		require.ErrorIs(t, err, tc.want, tc.name)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, tc.name)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		body         string
		status       ppro.Status
		reason       ppro.FailReason
		cannotCancel bool
		requestErr   bool
	}{
		{"cancelled", fixture(t, "cancel_succeeded.txt"), ppro.StatusFailed, ppro.FailCanceled, false, false},
		{"refused, still succeeded", fixture(t, "cancel_refused_succeeded.txt"), ppro.StatusSucceeded, "", true, true},
		{"refused, seed's CannotCancel", "REQUESTSTATUS=FAILED&REQUESTFAILREASON=CannotCancel&STATUS=FAILED&TXID=0&ERRMSG=", ppro.StatusFailed, "", true, true},
		{"refused, already failed", "REQUESTSTATUS=FAILED&REQUESTFAILREASON=UNKNOWN&STATUS=FAILED&FAILREASON=TIMEOUT&TXID=643772308&ERRMSG=CannotCancel", ppro.StatusFailed, ppro.FailTimeout, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, reply{Body: tc.body})
			resp, err := g.client(t).Cancel(t.Context(), "643772308")
			assert.Equal(t, tc.cannotCancel, errors.Is(err, ppro.ErrCannotCancel), "decided from the fields, not ERRMSG")
			if !tc.requestErr {
				require.NoError(t, err)
				assert.Equal(t, tc.status, resp.Status)
				assert.Equal(t, tc.reason, resp.FailReason)
				return
			}
			var re *ppro.RequestError
			require.ErrorAs(t, err, &re)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "PPRO answered: the cancel did not happen")
			assert.Equal(t, tc.status, re.Transaction.Status)
			assert.Equal(t, tc.reason, re.Transaction.FailReason)
			assert.Equal(t, "CANCELTX", g.requests()[0].Form.Get("txtype"))
		})
	}
	g := newGateway(t, reply{Status: 502, Body: "<html></html>"})
	_, err := g.client(t, ppro.WithMaxRetries(0)).Cancel(t.Context(), "643772308")
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "a cancel may have taken effect")
}

func TestRefundCalls(t *testing.T) {
	t.Parallel()
	g := newGateway(t,
		reply{Body: fixture(t, "refund_succeeded.txt")},
		reply{Body: fixture(t, "refund_failed.txt")},
		reply{Body: fixture(t, "refundstatus_succeeded.txt")},
		reply{Body: "REQUESTSTATUS=FAILED&REQUESTFAILREASON=REFUND_NOT_FOUND&STATUS=FAILED&REFUNDID=0"},
		reply{Body: "REQUESTSTATUS=FAILED&REQUESTFAILREASON=REFUND_NOT_UNIQUE&STATUS=FAILED&REFUNDID=0"},
		reply{Status: 503},
	)
	c := g.client(t, ppro.WithMaxRetries(0))
	req := &ppro.RefundRequest{TxID: "643772308", Amount: instore.Money{Amount: 500, Currency: instore.CHF}, MerchantRefundID: "MS123R"}
	resp, err := c.Refund(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, ppro.StatusSucceeded, resp.Status)
	assert.Equal(t, "223887123", resp.RefundID)
	assert.Equal(t, "7.91234567", resp.SpecOut["FXRATE"])

	resp, err = c.Refund(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, ppro.StatusFailed, resp.Status)
	assert.Empty(t, resp.RefundID, "REFUNDID=0: nothing created")
	assert.Equal(t, ppro.FailInputData, resp.FailReason)

	rs, err := c.RefundStatus(t.Context(), "223887123")
	require.NoError(t, err)
	assert.Equal(t, ppro.StatusSucceeded, rs.Status)
	_, err = c.RefundStatusByMerchantRefundID(t.Context(), "MS123R")
	require.ErrorIs(t, err, ppro.ErrRefundNotFound)
	_, err = c.RefundStatusByMerchantRefundID(t.Context(), "MS123R")
	require.ErrorIs(t, err, ppro.ErrRefundNotUnique)
	_, err = c.Refund(t.Context(), req)
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "REFUND is not deduplicated: treated like TRANSACTION")

	reqs := g.requests()
	require.Len(t, reqs, 6)
	want := map[string]string{"txtype": "REFUND", "txid": "643772308", "currency": "CHF", "amount": "500", "merchantrefundid": "MS123R"}
	for k, v := range want {
		assert.Equal(t, v, reqs[0].Form.Get(k), k)
	}
	assert.Equal(t, "GETREFUNDSTATUS", reqs[2].Form.Get("txtype"))
	assert.Equal(t, "223887123", reqs[2].Form.Get("refundid"))
	assert.Equal(t, "GETREFUNDSTATUSBYMERCHANTREFUNDID", reqs[3].Form.Get("txtype"))
}

func TestValidationRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	c := g.client(t)
	mod := func(f func(r *ppro.TransactionRequest)) *ppro.TransactionRequest {
		r := transactionRequest()
		f(r)
		return r
	}
	cases := []struct {
		name  string
		req   *ppro.TransactionRequest
		field string
	}{
		{"nil", nil, "request"},
		{"no merchanttxid", mod(func(r *ppro.TransactionRequest) { r.MerchantTxID = "" }), "MerchantTxID"},
		{"merchanttxid over 40", mod(func(r *ppro.TransactionRequest) { r.MerchantTxID = strings.Repeat("a", 41) }), "MerchantTxID"},
		{"merchanttxid with '/'", mod(func(r *ppro.TransactionRequest) { r.MerchantTxID = "a/b" }), "MerchantTxID"},
		{"merchanttxid with ':'", mod(func(r *ppro.TransactionRequest) { r.MerchantTxID = "a:b" }), "MerchantTxID"},
		{"DE", mod(func(r *ppro.TransactionRequest) { r.CountryCode = "DE" }), "CountryCode"},
		{"CNY", mod(func(r *ppro.TransactionRequest) { r.Amount.Currency = instore.CNY }), "CountryCode"},
		{"CH with GBP", mod(func(r *ppro.TransactionRequest) { r.CountryCode, r.Amount.Currency = "CH", instore.GBP }), "Amount.Currency"},
		{"GB with CHF", mod(func(r *ppro.TransactionRequest) { r.CountryCode = "GB" }), "Amount.Currency"},
		{"zero amount", mod(func(r *ppro.TransactionRequest) { r.Amount.Amount = 0 }), "Amount.Amount"},
		{"negative amount", mod(func(r *ppro.TransactionRequest) { r.Amount.Amount = -5 }), "Amount.Amount"},
		{"amount over int32", mod(func(r *ppro.TransactionRequest) { r.Amount.Amount = 1 << 31 }), "Amount.Amount"},
		{"no code", mod(func(r *ppro.TransactionRequest) { r.BuyerIdentityCode = "" }), "BuyerIdentityCode"},
		{"code with a space", mod(func(r *ppro.TransactionRequest) { r.BuyerIdentityCode = testCode + " " }), "BuyerIdentityCode"},
		{"short code", mod(func(r *ppro.TransactionRequest) { r.BuyerIdentityCode = testCode[:15] }), "BuyerIdentityCode"},
		{"no store id", mod(func(r *ppro.TransactionRequest) { r.StoreID = "" }), "StoreID"},
		{"store id with '.'", mod(func(r *ppro.TransactionRequest) { r.StoreID = "ZRH.01" }), "StoreID"},
		{"store id over 32", mod(func(r *ppro.TransactionRequest) { r.StoreID = strings.Repeat("Z", 33) }), "StoreID"},
		{"no store name", mod(func(r *ppro.TransactionRequest) { r.StoreName = "" }), "StoreName"},
		{"store name with a newline", mod(func(r *ppro.TransactionRequest) { r.StoreName = "a\nb" }), "StoreName"},
		{"store name not UTF-8", mod(func(r *ppro.TransactionRequest) { r.StoreName = "\xff" }), "StoreName"},
		{"descriptor too long", mod(func(r *ppro.TransactionRequest) { r.DynamicDescriptor = strings.Repeat("é", 256) }), "DynamicDescriptor"},
		{"no notification URL", mod(func(r *ppro.TransactionRequest) { r.NotificationURL = "" }), "NotificationURL"},
		{"relative notification URL", mod(func(r *ppro.TransactionRequest) { r.NotificationURL = "/notify" }), "NotificationURL"},
		{"notification URL with a password", mod(func(r *ppro.TransactionRequest) { r.NotificationURL = "https://u:p@x.example/" }), "NotificationURL"},
	}
	for _, tc := range cases {
		_, err := c.Transaction(t.Context(), tc.req)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, tc.name)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, tc.name)
		var ve *ppro.ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
		assert.NotContains(t, err.Error(), testCode, tc.name)
	}
	// The country follows the currency when it is not given.
	gb := transactionRequest()
	gb.Amount.Currency = instore.GBP
	g2 := newGateway(t, reply{Body: fixture(t, "transaction_pending.txt")})
	_, err := g2.client(t).Transaction(t.Context(), gb)
	require.NoError(t, err)
	assert.Equal(t, "GB", g2.requests()[0].Form.Get("countrycode"))

	refunds := []*ppro.RefundRequest{
		nil,
		{TxID: "", Amount: instore.Money{Amount: 1, Currency: instore.CHF}, MerchantRefundID: "r"},
		{TxID: "0", Amount: instore.Money{Amount: 1, Currency: instore.CHF}, MerchantRefundID: "r"},
		{TxID: "1", Amount: instore.Money{Amount: 0, Currency: instore.CHF}, MerchantRefundID: "r"},
		{TxID: "1", Amount: instore.Money{Amount: 1, Currency: instore.CNY}, MerchantRefundID: "r"},
		{TxID: "1", Amount: instore.Money{Amount: 1, Currency: instore.CHF}, MerchantRefundID: ""},
		{TxID: "1", Amount: instore.Money{Amount: 1, Currency: instore.CHF}, MerchantRefundID: strings.Repeat("r", 41)},
	}
	for i, r := range refunds {
		_, err := c.Refund(t.Context(), r)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, i)
	}
	for _, id := range []string{"", "0", "a b", strings.Repeat("1", 21)} {
		_, err := c.Status(t.Context(), id)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, id)
		_, err = c.Cancel(t.Context(), id)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, id)
		_, err = c.RefundStatus(t.Context(), id)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, id)
	}
	_, err = c.StatusByMerchantTxID(t.Context(), "a/b")
	require.ErrorIs(t, err, ppro.ErrInvalidRequest)
	_, err = c.RefundStatusByMerchantRefundID(t.Context(), "")
	require.ErrorIs(t, err, ppro.ErrInvalidRequest)
	assert.Empty(t, g.requests(), "nothing was sent")
}

func TestNewClientRefusesBadSettings(t *testing.T) {
	t.Parallel()
	good := testCreds
	cases := []struct {
		name string
		cred ppro.Credentials
		opts []ppro.Option
	}{
		{"no login", ppro.Credentials{Password: "p", ContractID: "c", Channel: "ch"}, nil},
		{"no password", ppro.Credentials{Login: "l", ContractID: "c", Channel: "ch"}, nil},
		{"no contract", ppro.Credentials{Login: "l", Password: "p", Channel: "ch"}, nil},
		{"no channel", ppro.Credentials{Login: "l", Password: "p", ContractID: "c"}, nil},
		{"control character", ppro.Credentials{Login: "l\n", Password: "p", ContractID: "c", Channel: "ch"}, nil},
		{"http base URL", good, []ppro.Option{ppro.WithBaseURL("http://api.girogate.de")}},
		{"relative base URL", good, []ppro.Option{ppro.WithBaseURL("/api")}},
		{"base URL with a query", good, []ppro.Option{ppro.WithBaseURL("https://api.girogate.de/?x=1")}},
		{"base URL with credentials", good, []ppro.Option{ppro.WithBaseURL("https://u:p@api.girogate.de")}},
		{"ftp", good, []ppro.Option{ppro.WithBaseURL("ftp://api.girogate.de")}},
		{"nil HTTP client", good, []ppro.Option{ppro.WithHTTPClient(nil)}},
		{"zero timeout", good, []ppro.Option{ppro.WithTimeout(0)}},
		{"negative retries", good, []ppro.Option{ppro.WithMaxRetries(-1)}},
		{"too many retries", good, []ppro.Option{ppro.WithMaxRetries(11)}},
	}
	for _, tc := range cases {
		_, err := ppro.NewClient(tc.cred, tc.opts...)
		require.Error(t, err, tc.name)
		require.ErrorIs(t, err, instore.ErrInvalidConfig, tc.name)
		assert.NotContains(t, err.Error(), testPassword, tc.name)
		assert.True(t, strings.HasPrefix(err.Error(), "ppro: "), tc.name)
	}
	for _, u := range []string{"http://127.0.0.1:8080/ppro", "http://localhost", "http://[::1]:1", ppro.TestBaseURL, ppro.DefaultBaseURL} {
		_, err := ppro.NewClient(good, ppro.WithBaseURL(u))
		require.NoError(t, err, u)
	}
	_, err := ppro.NewClient(good, nil, ppro.WithLogger(nil))
	require.NoError(t, err, "a nil option is skipped")
}

func TestCredentialsHideThePassword(t *testing.T) {
	t.Parallel()
	logger, logs := captureLogger()
	logger.Info("creds", slog.Any("c", testCreds))
	for _, s := range []string{fmt.Sprint(testCreds), fmt.Sprintf("%+v", testCreds), fmt.Sprintf("%#v", testCreds), fmt.Sprint(&testCreds), logs.String()} {
		assert.NotContains(t, s, testPassword)
		assert.Contains(t, s, "johndoe")
	}
}
