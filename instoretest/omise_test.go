package instoretest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOmiseAuthAndHeaders(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	for _, tg := range targets(t, o) {
		t.Run(tg.name, func(t *testing.T) {
			form := chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "")
			tests := []struct {
				name       string
				key, path  string
				method     string
				form       url.Values
				wantStatus int
				wantCode   string
			}{
				{"secret key creates a charge", o.SecretKey(), "/charges", http.MethodPost, form, 200, ""},
				{"public key may not charge", o.PublicKey(), "/charges", http.MethodPost, form, 401, "authentication_failure"},
				{"unknown key", "skey_test_nope", "/charges", http.MethodPost, form, 401, "authentication_failure"},
				{"public key creates a source", o.PublicKey(), "/sources", http.MethodPost, url.Values{
					"type": {"barcode_alipay"}, "amount": {"400000"}, "currency": {"thb"}, "barcode": {"1234567890"},
				}, 200, ""},
				{"public key may not list", o.PublicKey(), "/charges", http.MethodGet, nil, 401, "authentication_failure"},
				{"unknown path", o.SecretKey(), "/customers", http.MethodGet, nil, 404, "not_found"},
			}
			for _, tt := range tests {
				status, m := omiseJSON(t, tg, tt.key, tt.method, tt.path, tt.form)
				assert.Equal(t, tt.wantStatus, status, tt.name)
				if tt.wantCode != "" {
					assert.Equal(t, "error", m["object"], tt.name)
					assert.Equal(t, tt.wantCode, m["code"], tt.name)
					assert.Contains(t, m["location"], "api-errors", tt.name)
				}
			}
		})
	}
}

func TestOmiseRequestFormat(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	send := func(ct, version, body string) (int, map[string]any) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tg.base+"/charges", strings.NewReader(body))
		require.NoError(t, err)
		req.SetBasicAuth(o.SecretKey(), "")
		req.Header.Set("Content-Type", ct)
		if version != "" {
			req.Header.Set("Omise-Version", version)
		}
		resp, err := tg.hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, jsonDecode(resp.Body, &m))
		return resp.StatusCode, m
	}
	good := chargeForm(instoretest.AlipayCode(instoretest.Succeed, 2), 10000, "").Encode()
	status, m := send("application/json", "2019-05-29", `{"amount":10000,"currency":"THB"}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "bad_request", m["code"])
	status, m = send("application/x-www-form-urlencoded", "2099-01-01", good)
	assert.Equal(t, 400, status)
	assert.Equal(t, "bad_request", m["code"])
	status, _ = send("application/x-www-form-urlencoded; charset=utf-8", "", good)
	assert.Equal(t, 200, status)
	status, _ = send("application/x-www-form-urlencoded", "2019-05-29", good)
	assert.Equal(t, 200, status)
	assert.Equal(t, map[string]int{"": 1, "2019-05-29": 2, "2099-01-01": 1}, o.APIVersions())
}

func TestOmiseChargeValidation(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	code := instoretest.AlipayCode(instoretest.Succeed, 3)
	_, src := omiseJSON(t, tg, o.PublicKey(), http.MethodPost, "/sources", url.Values{
		"type": {"alipayplus_upm"}, "amount": {"5000"}, "currency": {"THB"}, "barcode": {code},
	})
	srcID, _ := src["id"].(string)
	require.True(t, strings.HasPrefix(srcID, "src_test_"), srcID)
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for kk, vv := range f {
			g[kk] = vv
		}
		if v == "" {
			g.Del(k)
		} else {
			g.Set(k, v)
		}
		return g
	}
	base := chargeForm(code, 10000, "")
	tests := []struct {
		name     string
		form     url.Values
		status   int
		wantCode string
	}{
		{"no amount", with(base, "amount", ""), 400, "invalid_charge"},
		{"amount not a number", with(base, "amount", "12.5"), 400, "invalid_charge"},
		{"no currency", with(base, "currency", ""), 400, "invalid_charge"},
		{"currency not supported", with(base, "currency", "USD"), 400, "invalid_charge"},
		{"currency not for the source", with(with(base, "currency", "SGD"), "source[type]", "barcode_alipay"), 400, "invalid_charge"},
		{"below the minimum", with(base, "amount", "1999"), 400, "invalid_charge"},
		{"above the maximum", with(base, "amount", "15000001"), 400, "invalid_charge"},
		{"no barcode", with(base, "source[barcode]", ""), 400, "invalid_charge"},
		{"unknown source type", with(base, "source[type]", "paypal"), 400, "invalid_charge"},
		{"no source", with(with(base, "source[type]", ""), "source[barcode]", ""), 400, "invalid_charge"},
		{"source id and object", with(base, "source", srcID), 400, "invalid_charge"},
		{"unknown source id", url.Values{"amount": {"5000"}, "currency": {"THB"}, "source": {"src_test_none"}}, 404, "not_found"},
		{"source amount differs", url.Values{"amount": {"6000"}, "currency": {"THB"}, "source": {srcID}}, 400, "invalid_charge"},
		{"no capture", with(base, "capture", "false"), 400, "invalid_charge"},
		{"bad expires_at", with(base, "expires_at", "tomorrow"), 400, "invalid_charge"},
		{"source id", url.Values{"amount": {"5000"}, "currency": {"thb"}, "source": {srcID}}, 200, ""},
		{"source used twice", url.Values{"amount": {"5000"}, "currency": {"THB"}, "source": {srcID}}, 400, "invalid_charge"},
	}
	for _, tt := range tests {
		status, m := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", tt.form)
		assert.Equal(t, tt.status, status, tt.name)
		if tt.wantCode != "" {
			assert.Equal(t, tt.wantCode, m["code"], tt.name)
		} else {
			assert.Equal(t, "charge", m["object"], tt.name)
			assert.Equal(t, "THB", m["currency"], tt.name)
		}
	}
	assert.Len(t, o.AllPayments(), 1, "only the valid charge exists")
	_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/sources/"+srcID, nil)
	assert.Equal(t, "successful", got["charge_status"])
}

func TestOmiseOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		outcome   instoretest.Outcome
		atCreate  string
		afterGets []string // status seen by each GET /charges/:id
		failure   string
		state     instoretest.State
	}{
		{"succeed", instoretest.Succeed, "successful", []string{"successful"}, "", instoretest.StateSucceeded},
		{"payer cancelled", instoretest.DeclinePayerCancelled, "failed", nil, "payment_cancelled", instoretest.StateFailed},
		{"processing", instoretest.DeclineProcessing, "failed", nil, "failed_processing", instoretest.StateFailed},
		{"insufficient balance", instoretest.DeclineInsufficientBalance, "failed", nil, "insufficient_balance", instoretest.StateFailed},
		{"rejected", instoretest.DeclineRejected, "failed", nil, "payment_rejected", instoretest.StateFailed},
		{"expired", instoretest.DeclineExpired, "failed", nil, "payment_expired", instoretest.StateFailed},
		{"timeout", instoretest.DeclineTimeout, "failed", nil, "timeout", instoretest.StateFailed},
		{"over limit", instoretest.DeclineOverLimit, "failed", nil, "insufficient_fund", instoretest.StateFailed},
		{"fraud", instoretest.DeclineFraud, "failed", nil, "failed_fraud_check", instoretest.StateFailed},
		{"account", instoretest.DeclineAccount, "failed", nil, "invalid_account_number", instoretest.StateFailed},
		{"confirm on 3rd inquiry", instoretest.ConfirmOnInquiry(3), "pending", []string{"pending", "pending", "successful", "successful"}, "", instoretest.StateSucceeded},
		{"decline on inquiry", instoretest.DeclineOnInquiry(instoretest.DeclineRejected), "pending", []string{"failed"}, "payment_rejected", instoretest.StateFailed},
		{"never", instoretest.NeverCompletes, "pending", []string{"pending", "pending", "pending", "pending", "pending", "pending", "pending", "pending", "pending", "pending"}, "", instoretest.StatePending},
	}
	o := instoretest.NewOmiseT(t)
	for mi, tg := range targets(t, o) {
		for i, tt := range tests {
			code := instoretest.AlipayCode(tt.outcome, uint64(mi*100+i))
			if i%2 == 1 {
				code = instoretest.WeChatCode(tt.outcome, uint64(mi*100+i))
			}
			reqID := fmt.Sprintf("%s-%d", tg.name, i)
			form := chargeForm(code, 12345, reqID)
			if strings.HasPrefix(code, "13") {
				form.Set("source[type]", "wechat_pay_upm")
			}
			status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", form)
			require.Equal(t, 200, status, "%s %s: %v", tg.name, tt.name, ch)
			assert.Equal(t, tt.atCreate, ch["status"], tt.name)
			id, _ := ch["id"].(string)
			for n, want := range tt.afterGets {
				_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
				assert.Equal(t, want, got["status"], "%s %s: GET #%d", tg.name, tt.name, n+1)
			}
			_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
			if tt.failure != "" {
				assert.Equal(t, tt.failure, got["failure_code"], tt.name)
				assert.NotEmpty(t, got["failure_message"], tt.name)
			} else {
				assert.Nil(t, got["failure_code"], tt.name)
			}
			entries := o.Payments(reqID)
			require.Len(t, entries, 1, tt.name)
			e := entries[0]
			assert.Equal(t, tt.state, e.State, tt.name)
			assert.Equal(t, tt.failure, e.FailureCode, tt.name)
			assert.Equal(t, code, e.Code, tt.name)
			assert.Equal(t, id, e.ID, tt.name)
			assert.Equal(t, int64(12345), e.Amount, tt.name)
			assert.Equal(t, tt.state == instoretest.StateSucceeded, e.Captured, tt.name)
			assert.Equal(t, e, o.PaymentsByCode(code)[0], tt.name)
		}
	}
	assert.Len(t, o.RequestIDs(), 2*len(tests))
}

func TestOmiseScript(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	code := instoretest.AlipayCode(instoretest.Succeed, 7)
	o.Script(code, instoretest.Plan{Result: instoretest.ResultFail, FailureCode: "payment_rejected", Inquiries: 2})
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(code, 10000, "r1"))
	assert.Equal(t, "pending", ch["status"])
	id, _ := ch["id"].(string)
	_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
	assert.Equal(t, "pending", ch["status"])
	_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
	assert.Equal(t, "failed", ch["status"])
	assert.Equal(t, "payment_rejected", ch["failure_code"])
	assert.Equal(t, 2, o.Payments("r1")[0].Inquiries)
}

func TestOmiseExpire(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	for _, tg := range targets(t, o) {
		_, pending := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 10000, tg.name+"-p"))
		_, paid := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 2), 10000, tg.name+"-s"))

		status, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+pending["id"].(string)+"/expire", nil)
		assert.Equal(t, 200, status)
		assert.Equal(t, "expired", ch["status"])
		assert.Equal(t, true, ch["expired"])
		assert.NotNil(t, ch["expired_at"])
		assert.Equal(t, instoretest.StateCancelled, o.Payments(tg.name + "-p")[0].State)

		status, e := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+pending["id"].(string)+"/expire", nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "failed_expire", e["code"])

		status, e = omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+paid["id"].(string)+"/expire", nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "failed_expire", e["code"])
		_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+paid["id"].(string), nil)
		assert.Equal(t, "successful", ch["status"], "a refused expire leaves the charge unchanged")
		assert.True(t, o.Payments(tg.name + "-s")[0].Captured)

		status, e = omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/chrg_test_none/expire", nil)
		assert.Equal(t, 404, status)
		assert.Equal(t, "not_found", e["code"])
	}
}

func TestOmiseMarkAsPaidAndFailed(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	create := func(n uint64) string {
		_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, n), 10000, ""))
		return ch["id"].(string)
	}
	a, b := create(1), create(2)
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+a+"/mark_as_paid", nil)
	assert.Equal(t, "successful", ch["status"])
	assert.Equal(t, true, ch["paid"])
	_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+b+"/mark_as_failed", nil)
	assert.Equal(t, "failed", ch["status"])
	assert.NotEmpty(t, ch["failure_code"])
	status, e := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+a+"/mark_as_failed", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "bad_request", e["code"])
}

func TestOmiseRefunds(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: now}
	o := instoretest.NewOmiseT(t, instoretest.WithClock(clock.Now))
	tg := inProcess(o)
	newCharge := func(out instoretest.Outcome, n uint64, amount int) string {
		_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(out, n), amount, ""))
		return ch["id"].(string)
	}
	refund := func(id string, amount int) (int, map[string]any) {
		return omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+id+"/refunds", url.Values{"amount": {itoa(amount)}})
	}

	pending := newCharge(instoretest.NeverCompletes, 1, 10000)
	status, e := refund(pending, 100)
	assert.Equal(t, 400, status)
	assert.Equal(t, "failed_refund", e["code"])

	full := newCharge(instoretest.Succeed, 2, 10000)
	status, r := refund(full, 10000)
	assert.Equal(t, 200, status)
	assert.Equal(t, "refund", r["object"])
	assert.Equal(t, true, r["voided"], "a full refund before settlement is a void")
	assert.Equal(t, "closed", r["status"])
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+full, nil)
	assert.Equal(t, true, ch["voided"])
	assert.InDelta(t, 10000, ch["refunded_amount"], 0)
	status, e = refund(full, 1)
	assert.Equal(t, 400, status, "nothing left to refund")
	assert.Equal(t, "failed_refund", e["code"])

	partial := newCharge(instoretest.Succeed, 3, 100000)
	for i := range 15 {
		status, r = refund(partial, 100)
		require.Equal(t, 200, status, "refund %d", i+1)
		assert.Equal(t, false, r["voided"])
	}
	status, e = refund(partial, 100)
	assert.Equal(t, 400, status, "at most 15 refunds")
	assert.Equal(t, "failed_refund", e["code"])

	big := newCharge(instoretest.Succeed, 4, 10000)
	status, _ = refund(big, 6000)
	assert.Equal(t, 200, status)
	status, e = refund(big, 4001)
	assert.Equal(t, 400, status, "more than the unrefunded amount")
	assert.Equal(t, "failed_refund", e["code"])
	status, e = refund(big, 0)
	assert.Equal(t, 400, status)
	assert.Equal(t, "bad_request", e["code"])

	late := newCharge(instoretest.Succeed, 5, 10000)
	clock.Set(now.Add(7 * time.Hour)) // 01:00 UTC+8 the next day: settled
	status, r = refund(late, 10000)
	assert.Equal(t, 200, status)
	assert.Equal(t, false, r["voided"], "a full refund after settlement is a refund")

	_, list := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+partial+"/refunds", url.Values{"limit": {"10"}, "offset": {"10"}})
	assert.InDelta(t, 15, list["total"], 0)
	assert.Len(t, list["data"], 5)
	first := list["data"].([]any)[0].(map[string]any)
	_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+partial+"/refunds/"+first["id"].(string), nil)
	assert.Equal(t, first["id"], got["id"])
	status, _ = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+partial+"/refunds/rfnd_test_none", nil)
	assert.Equal(t, 404, status)

	es := o.PaymentsByCode(instoretest.AlipayCode(instoretest.Succeed, 3))
	require.Len(t, es, 1)
	assert.Equal(t, 15, es[0].Refunds)
	assert.Equal(t, int64(1500), es[0].Refunded)
	assert.True(t, es[0].Captured)
}

func TestOmiseListCharges(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	for i := range 25 {
		omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000+i, fmt.Sprintf("req-%02d", i)))
	}
	_, page := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", nil)
	assert.Equal(t, "list", page["object"])
	assert.InDelta(t, 25, page["total"], 0)
	assert.InDelta(t, 20, page["limit"], 0)
	assert.Len(t, page["data"], 20)
	assert.Equal(t, "chronological", page["order"])

	_, page = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", url.Values{"order": {"reverse_chronological"}, "limit": {"3"}, "offset": {"1"}})
	data := page["data"].([]any)
	require.Len(t, data, 3)
	md := data[0].(map[string]any)["metadata"].(map[string]any)
	assert.Equal(t, "req-23", md["instore_request_id"], "newest first, after the offset")

	// How an adapter finds a charge whose create answer was lost: list the
	// recent charges and match the metadata.
	found := ""
	for off := 0; found == "" && off < 25; off += 10 {
		_, page = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", url.Values{"order": {"reverse_chronological"}, "limit": {"10"}, "offset": {itoa(off)}})
		for _, d := range page["data"].([]any) {
			ch := d.(map[string]any)
			if ch["metadata"].(map[string]any)["instore_request_id"] == "req-04" {
				found = ch["id"].(string)
			}
		}
	}
	assert.Equal(t, o.Payments("req-04")[0].ID, found)

	for _, bad := range []url.Values{{"order": {"sideways"}}, {"limit": {"-1"}}, {"offset": {"x"}}, {"from": {"yesterday"}}} {
		status, e := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", bad)
		assert.Equal(t, 400, status, bad)
		assert.Equal(t, "bad_request", e["code"], bad)
	}
	_, page = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", url.Values{"limit": {"500"}})
	assert.InDelta(t, 100, page["limit"], 0, "limit is capped at 100")
	_, page = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", url.Values{"to": {"2000-01-01T00:00:00Z"}})
	assert.InDelta(t, 0, page["total"], 0)
}

func TestOmiseEvents(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 1), 10000, ""))
	id := ch["id"].(string)
	omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
	omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+id+"/refunds", url.Values{"amount": {"100"}})

	_, list := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/events", nil)
	var keys []string
	for _, d := range list["data"].([]any) {
		keys = append(keys, d.(map[string]any)["key"].(string))
	}
	assert.Equal(t, []string{"charge.create", "charge.complete", "refund.create"}, keys)
	ev := list["data"].([]any)[1].(map[string]any)
	_, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/events/"+ev["id"].(string), nil)
	assert.Equal(t, "event", got["object"])
	data := got["data"].(map[string]any)
	assert.Equal(t, id, data["id"])
	assert.Equal(t, "successful", data["status"])
	status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/events/evnt_test_none", nil)
	assert.Equal(t, 404, status)
}

// fakeClock is a settable wall clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
