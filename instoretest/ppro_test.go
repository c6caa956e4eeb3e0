package instoretest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// pproCall posts form to the simulator as PPRO's Simple API expects and
// parses the urlencodeext answer with net/url.
func pproCall(ctx context.Context, t *testing.T, tg target, form url.Values) (int, url.Values, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.base+"/", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := tg.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	v, err := url.ParseQuery(string(b))
	require.NoError(t, err, "answer %q", b)
	return resp.StatusCode, v, string(b)
}

// pproForm is a call with the simulator's credentials.
func pproForm(p *instoretest.PPRO, txtype string, kv ...string) url.Values {
	c := p.Credentials()
	f := url.Values{
		"txtype": {txtype}, "returnmode": {"urlencodeext"},
		"login": {c.Login}, "password": {c.Password}, "contractid": {c.ContractID},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// pproSale is a valid TRANSACTION.
func pproSale(p *instoretest.PPRO, merchantTxID, code string, kv ...string) url.Values {
	f := pproForm(p, "TRANSACTION",
		"channel", p.Credentials().Channel, "tag", "alipayconsumerbarcode",
		"countrycode", "CH", "currency", "CHF", "amount", "1250",
		"merchanttxid", merchantTxID, "notificationurl", "https://pos.example/ppro",
		"specin.buyeridentitycode", code, "specin.storeid", "ZRH-01", "specin.storename", "Zürich HB")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
		} else {
			f.Set(kv[i], kv[i+1])
		}
	}
	return f
}

func TestPPROTransactionInputRules(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	code := instoretest.AlipayCode(instoretest.Succeed, 1)
	cases := []struct {
		name string
		form url.Values
	}{
		{"wrong channel", pproSale(p, "s1", code, "channel", "livechannel")},
		{"wrong tag", pproSale(p, "s1", code, "tag", "alipaymerchantqrc")},
		{"seed's DE/CNY", pproSale(p, "s1", code, "countrycode", "DE", "currency", "CNY")},
		{"CH with GBP", pproSale(p, "s1", code, "currency", "GBP")},
		{"zero amount", pproSale(p, "s1", code, "amount", "0")},
		{"decimal amount", pproSale(p, "s1", code, "amount", "12.50")},
		{"over int32", pproSale(p, "s1", code, "amount", "2147483648")},
		{"merchanttxid over 40", pproSale(p, strings.Repeat("a", 41), code)},
		{"merchanttxid with a slash", pproSale(p, "a/b", code)},
		{"no code", pproSale(p, "s1", "", "specin.buyeridentitycode", "")},
		{"store id with a dot", pproSale(p, "s1", code, "specin.storeid", "ZRH.01")},
		{"store id over 32", pproSale(p, "s1", code, "specin.storeid", strings.Repeat("Z", 33))},
		{"no store name", pproSale(p, "s1", code, "specin.storename", "")},
		{"relative notificationurl", pproSale(p, "s1", code, "notificationurl", "/ppro")},
	}
	for _, tg := range targets(t, p) {
		for _, tc := range cases {
			status, v, _ := pproCall(t.Context(), t, tg, tc.form)
			assert.Equal(t, http.StatusOK, status, tc.name)
			assert.Equal(t, "FAILED", v.Get("STATUS"), tc.name)
			assert.Equal(t, "0", v.Get("TXID"), tc.name)
			assert.Equal(t, "INPUT_DATA", v.Get("FAILREASON"), tc.name)
			assert.NotEmpty(t, v.Get("ERRMSG"), tc.name)
		}
	}
	assert.Empty(t, p.AllPayments(), "nothing was created")

	// Common rules, on every txtype.
	_, v, _ := pproCall(t.Context(), t, inProcess(p), pproSale(p, "s1", code, "returnmode", ""))
	assert.Equal(t, "Invalid returnmode, must be urlencodeext", v.Get("ERRMSG"))
	bad := pproSale(p, "s1", code, "password", "wrong")
	_, v, _ = pproCall(t.Context(), t, inProcess(p), bad)
	assert.Equal(t, "FAILED", v.Get("STATUS"))
	assert.Equal(t, "0", v.Get("TXID"))
	bad = pproForm(p, "GETTXSTATUS", "txid", "1", "contractid", "OTHER")
	_, v, _ = pproCall(t.Context(), t, inProcess(p), bad)
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "AUTH_ERROR", v.Get("REQUESTFAILREASON"))
	twice := pproSale(p, "s1", code)
	twice.Add("amount", "1")
	_, v, _ = pproCall(t.Context(), t, inProcess(p), twice)
	assert.Equal(t, "INPUT_DATA", v.Get("FAILREASON"))

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://ppro.invalid/", strings.NewReader(pproSale(p, "s1", code).Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.HTTPClient().Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), "FAILREASON=INPUT_DATA")
	assert.Empty(t, p.AllPayments(), "still nothing was created")
}

var randKey = regexp.MustCompile(`^RAND[0-9]+$`)

func TestPPROAnswersAreUrlencodeextWithAMovingRandKey(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	positions := map[int]bool{}
	for i := range 20 {
		_, _, raw := pproCall(t.Context(), t, inProcess(p), pproSale(p, "shape", instoretest.AlipayCode(instoretest.Succeed, uint64(i))))
		pairs := strings.Split(raw, "&")
		found := 0
		for pos, pair := range pairs {
			k, v, ok := strings.Cut(pair, "=")
			require.True(t, ok, pair)
			if randKey.MatchString(k) {
				found++
				positions[pos] = true
				assert.Regexp(t, `^[0-9a-f]{40}$`, v)
			}
		}
		assert.Equal(t, 1, found, "one RAND key per answer")
		assert.NotContains(t, raw, "+", "spaces are %20")
	}
	assert.Greater(t, len(positions), 3, "the RAND key moves")
}

func TestPPRODoesNotDeduplicateMerchantTxID(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	code := instoretest.AlipayCode(instoretest.Succeed, 7)
	_, first, _ := pproCall(t.Context(), t, tg, pproSale(p, "Sale-7", code))
	_, second, _ := pproCall(t.Context(), t, tg, pproSale(p, "Sale-7", code))
	assert.NotEqual(t, first.Get("TXID"), second.Get("TXID"))
	entries := p.Payments("Sale-7")
	require.Len(t, entries, 2, "a resent TRANSACTION is a second payment")
	assert.Equal(t, 2, instoretest.Captures(entries))

	_, v, _ := pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUSBYMERCHANTTXID", "merchanttxid", "sale-7"))
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "TX_NOT_UNIQUE", v.Get("REQUESTFAILREASON"))
	assert.Equal(t, "0", v.Get("TXID"))

	_, _, _ = pproCall(t.Context(), t, tg, pproSale(p, "ONE", code))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUSBYMERCHANTTXID", "merchanttxid", "one"))
	assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"), "compared without regard to case")
	assert.Equal(t, "ONE", v.Get("MERCHANTTXID"))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUSBYMERCHANTTXID", "merchanttxid", "none"))
	assert.Equal(t, "TX_NOT_FOUND", v.Get("REQUESTFAILREASON"))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUS", "txid", "999"))
	assert.Equal(t, "TX_NOT_FOUND", v.Get("REQUESTFAILREASON"))
}

func TestPPROOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		outcome   instoretest.Outcome
		first     string // STATUS of the TRANSACTION answer
		inquiries []string
		reason    string
		state     instoretest.State
	}{
		{instoretest.Succeed, "SUCCEEDED", nil, "", instoretest.StateSucceeded},
		{instoretest.ConfirmOnInquiry(2), "PENDING", []string{"PENDING", "SUCCEEDED"}, "", instoretest.StateSucceeded},
		{instoretest.DeclinePayerCancelled, "FAILED", nil, "USER_ABORT", instoretest.StateFailed},
		{instoretest.DeclineProcessing, "FAILED", nil, "REMOTE_ERROR", instoretest.StateFailed},
		{instoretest.DeclineInsufficientBalance, "FAILED", nil, "REMOTE_DECLINE", instoretest.StateFailed},
		{instoretest.DeclineRejected, "FAILED", nil, "LOCAL_DECLINE", instoretest.StateFailed},
		{instoretest.DeclineTimeout, "FAILED", nil, "TIMEOUT", instoretest.StateFailed},
		{instoretest.DeclineOnInquiry(instoretest.DeclineFraud), "PENDING", []string{"FAILED"}, "REMOTE_DECLINE", instoretest.StateFailed},
		{instoretest.NeverCompletes, "PENDING", []string{"PENDING", "PENDING", "PENDING"}, "", instoretest.StatePending},
	}
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	for i, tc := range cases {
		id := "out-" + string(tc.outcome)
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, id, instoretest.AlipayCode(tc.outcome, uint64(i))))
		assert.Equal(t, tc.first, v.Get("STATUS"), id)
		txid := v.Get("TXID")
		for _, want := range tc.inquiries {
			_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUS", "txid", txid))
			assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"), id)
			assert.Equal(t, want, v.Get("STATUS"), id)
		}
		assert.Equal(t, tc.reason, v.Get("FAILREASON"), id)
		entries := p.Payments(id)
		require.Len(t, entries, 1, id)
		assert.Equal(t, tc.state, entries[0].State, id)
		assert.Equal(t, tc.reason, entries[0].FailureCode, id)
	}
	// A code that is not Alipay's makes a transaction the scheme declines.
	_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "wechat", instoretest.WeChatCode(instoretest.Succeed, 1)))
	assert.Equal(t, "FAILED", v.Get("STATUS"))
	assert.NotEqual(t, "0", v.Get("TXID"))
	assert.Equal(t, "REMOTE_DECLINE", v.Get("FAILREASON"))
}

func TestPPROCancelOnlyWhilePending(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	sale := func(id string, o instoretest.Outcome) string {
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, id, instoretest.AlipayCode(o, 3)))
		return v.Get("TXID")
	}
	pending := sale("c-pending", instoretest.NeverCompletes)
	_, v, _ := pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", pending))
	assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "FAILED", v.Get("STATUS"))
	assert.Equal(t, "CANCELED", v.Get("FAILREASON"))
	assert.Equal(t, instoretest.StateCancelled, p.Payments("c-pending")[0].State)
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", pending))
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"), "a second cancel is refused")
	assert.Equal(t, "CANCELED", v.Get("FAILREASON"))

	paid := sale("c-paid", instoretest.Succeed)
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", paid))
	assert.Equal(t, "FAILED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "SUCCEEDED", v.Get("STATUS"), "the transaction is unchanged")
	assert.True(t, p.Payments("c-paid")[0].Captured)

	// A payment due at the first inquiry completes before the cancel.
	due := sale("c-due", instoretest.ConfirmOnInquiry(1))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUS", "txid", due))
	assert.Equal(t, "SUCCEEDED", v.Get("STATUS"))

	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", "424242"))
	assert.Equal(t, "TX_NOT_FOUND", v.Get("REQUESTFAILREASON"))
}

func TestPPRORefunds(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	tg := inProcess(p)
	_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "r-paid", instoretest.AlipayCode(instoretest.Succeed, 4)))
	paid := v.Get("TXID")
	_, v, _ = pproCall(t.Context(), t, tg, pproSale(p, "r-pending", instoretest.AlipayCode(instoretest.NeverCompletes, 4)))
	pending := v.Get("TXID")
	refund := func(txid, currency, amount, id string) url.Values {
		_, v, _ := pproCall(t.Context(), t, tg, pproForm(p, "REFUND", "txid", txid, "currency", currency, "amount", amount, "merchantrefundid", id))
		return v
	}
	v = refund(pending, "CHF", "100", "rf-0")
	assert.Equal(t, "FAILED", v.Get("STATUS"), "only a succeeded transaction is refunded")
	assert.Equal(t, "0", v.Get("REFUNDID"))
	assert.Equal(t, "FAILED", refund(paid, "GBP", "100", "rf-0").Get("STATUS"), "in the transaction's currency")
	assert.Equal(t, "FAILED", refund(paid, "CHF", "1251", "rf-0").Get("STATUS"), "within the amount")
	assert.Equal(t, "FAILED", refund("777", "CHF", "1", "rf-0").Get("STATUS"))

	first := refund(paid, "CHF", "1000", "rf-1")
	assert.Equal(t, "SUCCEEDED", first.Get("STATUS"))
	assert.Equal(t, "rf-1", first.Get("MERCHANTREFUNDID"))
	assert.Equal(t, "FAILED", refund(paid, "CHF", "251", "rf-2").Get("STATUS"), "250 left")
	again := refund(paid, "CHF", "250", "rf-1")
	assert.Equal(t, "SUCCEEDED", again.Get("STATUS"), "merchantrefundid is not deduplicated")
	e := p.Payments("r-paid")[0]
	assert.Equal(t, int64(1250), e.Refunded)
	assert.Equal(t, 2, e.Refunds)

	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDSTATUS", "refundid", first.Get("REFUNDID")))
	assert.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"))
	assert.Equal(t, "SUCCEEDED", v.Get("STATUS"))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDSTATUSBYMERCHANTREFUNDID", "merchantrefundid", "RF-1"))
	assert.Equal(t, "REFUND_NOT_UNIQUE", v.Get("REQUESTFAILREASON"))
	_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETREFUNDBYMERCHANTREFUNDID", "merchantrefundid", "rf-9"))
	assert.Equal(t, "REFUND_NOT_FOUND", v.Get("REQUESTFAILREASON"), "the other name PPRO gives the call")
}

// notificationSink verifies notifications with its own computation of the
// likely formula and records them.
type notificationSink struct {
	secret string
	mu     sync.Mutex
	fail   int
	got    []url.Values
	bad    int
}

func (s *notificationSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(b))
	inner := sha256.Sum256([]byte(v.Get("txid") + "." + v.Get("finaltimestamp")))
	outer := sha256.Sum256([]byte(hex.EncodeToString(inner[:]) + "." + s.secret))
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.Get("sha256hash") != hex.EncodeToString(outer[:]) {
		s.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if s.fail > 0 {
		s.fail--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	s.got = append(s.got, v)
}

func (s *notificationSink) txids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, v := range s.got {
		ids = append(ids, v.Get("txid"))
	}
	return ids
}

func TestPPROFailedThenSucceededWithNotifications(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sink := &notificationSink{secret: "n0t1f1cat10n", fail: 1}
		p := instoretest.NewPPROT(t,
			instoretest.WithPPRONotificationSecret(sink.secret),
			instoretest.WithNotifyClient(instoretest.HandlerClient(sink)))
		tg := inProcess(p)
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "flip", instoretest.AlipayCode(instoretest.FailThenSucceed(4*time.Second), 5)))
		assert.Equal(t, "FAILED", v.Get("STATUS"))
		assert.Equal(t, "REMOTE_ERROR", v.Get("FAILREASON"))
		txid := v.Get("TXID")
		assert.Equal(t, instoretest.StateFailed, p.Payments("flip")[0].State)

		time.Sleep(4 * time.Second)
		synctest.Wait()
		_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUS", "txid", txid))
		assert.Equal(t, "SUCCEEDED", v.Get("STATUS"))
		assert.Empty(t, v.Get("FAILREASON"))
		e := p.Payments("flip")[0]
		assert.True(t, e.Captured, "the ledger shows the late capture")

		// On demand, with a scripted failure that never turns by itself.
		code := instoretest.AlipayCode(instoretest.Succeed, 6)
		p.Script(code, instoretest.Plan{Result: instoretest.ResultFail, FailureCode: "TIMEOUT"})
		_, v, _ = pproCall(t.Context(), t, tg, pproSale(p, "late", code))
		late := v.Get("TXID")
		assert.Equal(t, "TIMEOUT", v.Get("FAILREASON"))
		assert.True(t, p.LateSuccess(late))
		assert.False(t, p.LateSuccess(late), "only a FAILED one turns")
		assert.True(t, p.Payments("late")[0].Captured)

		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, []string{txid, txid, late, late}, sink.txids(), "failed, then succeeded: notified each time")
		assert.Zero(t, sink.bad, "every notification verifies with the independent formula")
		ds := p.Deliveries()
		require.NotEmpty(t, ds)
		assert.False(t, ds[0].Acknowledged, "the first delivery met a 503")
		assert.True(t, ds[1].Acknowledged)
		assert.Equal(t, "flip", ds[0].Key)
	})
}

func TestPPROFaultsAtTheTransaction(t *testing.T) {
	t.Parallel()
	p := instoretest.NewPPROT(t)
	hc := p.HTTPClient()
	post := func(id string) error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://ppro.invalid/",
			strings.NewReader(pproSale(p, id, instoretest.AlipayCode(instoretest.Succeed, 8)).Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	p.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropBefore})
	require.Error(t, post("f-before"))
	assert.Empty(t, p.Payments("f-before"), "dropped before processing")
	p.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
	require.Error(t, post("f-after"))
	assert.Len(t, p.Payments("f-after"), 1, "processed, answer lost")
	reqs := p.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, instoretest.PPROTransaction, reqs[1].Endpoint)
	assert.Equal(t, "f-after", reqs[1].Key)
	assert.Equal(t, instoretest.FaultDropAfter, reqs[1].Fault.Kind)
}
