package instoretest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webhookSink is a webhook receiver that fails its first n deliveries and
// verifies the Omise signature itself.
type webhookSink struct {
	secret string
	mu     sync.Mutex
	fail   int
	events []map[string]any
	bad    int
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key, _ := base64.StdEncoding.DecodeString(s.secret)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(r.Header.Get("Omise-Signature-Timestamp") + "." + string(body)))
	good := hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("Omise-Signature")))
	s.mu.Lock()
	defer s.mu.Unlock()
	if !good {
		s.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if s.fail > 0 {
		s.fail--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	s.events = append(s.events, ev)
}

func (s *webhookSink) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var k []string
	for _, e := range s.events {
		k = append(k, e["key"].(string))
	}
	return k
}

func TestOmiseConfirmAfterAndWebhooks(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		secret := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
		sink := &webhookSink{secret: secret, fail: 2}
		o := instoretest.NewOmiseT(t,
			instoretest.WithWebhookSecret(secret),
			instoretest.WithWebhookURL("https://merchant.example/webhooks/omise"),
			instoretest.WithWebhookClient(instoretest.HandlerClient(sink)))
		tg := inProcess(o)
		start := time.Now()
		_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.ConfirmAfter(3*time.Second), 1), 10000, "sale-1"))
		assert.Equal(t, "pending", ch["status"])
		id := ch["id"].(string)

		time.Sleep(2900 * time.Millisecond)
		_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
		assert.Equal(t, "pending", ch["status"])
		time.Sleep(100 * time.Millisecond)
		_, ch = omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
		assert.Equal(t, "successful", ch["status"], "the customer confirmed 3 s after the charge")

		// Deliveries: charge.create at 0 fails twice (retried at 1 s and 3 s);
		// charge.complete at 3 s goes through.
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.ElementsMatch(t, []string{"charge.create", "charge.complete"}, sink.keys())
		assert.Zero(t, sink.bad, "every delivery verifies")
		var create []time.Duration
		for _, d := range o.Deliveries() {
			if d.Key == "charge.create" {
				create = append(create, d.At.Sub(start))
				assert.Equal(t, len(create), d.Attempt)
				assert.Equal(t, len(create) == 3, d.Acknowledged)
			}
		}
		assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second}, create)
		_, ev := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/events", nil)
		first := ev["data"].([]any)[0].(map[string]any)
		assert.Len(t, first["webhook_deliveries"], 3)
	})
}

func TestOmiseWebhookGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmiseT(t,
			instoretest.WithWebhookURL("https://merchant.example/hook"),
			instoretest.WithDeliveryRetries(2, 10*time.Second),
			instoretest.WithWebhookClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			}))))
		omiseJSON(t, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 10000, ""))
		time.Sleep(time.Hour)
		synctest.Wait()
		ds := o.Deliveries()
		require.Len(t, ds, 3, "one attempt and two retries")
		for _, d := range ds {
			assert.Equal(t, http.StatusBadGateway, d.Status)
			assert.False(t, d.Acknowledged)
		}
	})
}

func TestOmiseSignWebhookHelper(t *testing.T) {
	t.Parallel()
	secret := base64.StdEncoding.EncodeToString([]byte("k"))
	h, err := instoretest.SignOmiseWebhook([]byte(`{"object":"event"}`), secret, time.Unix(1700000000, 0))
	require.NoError(t, err)
	assert.Equal(t, "1700000000", h.Get("Omise-Signature-Timestamp"))
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte(`1700000000.{"object":"event"}`))
	assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), h.Get("Omise-Signature"))
	_, err = instoretest.SignOmiseWebhook(nil, "not base64!", time.Now())
	assert.Error(t, err)
}

func TestDelayedAnswerOnVirtualTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmiseT(t)
		tg := inProcess(o)
		o.InjectFault(instoretest.OmiseCreateCharge, 2, instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 10 * time.Second})

		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, _, err := omiseCall(ctx, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "slow-1"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 5*time.Second, time.Since(start))
		require.Len(t, o.Payments("slow-1"), 1, "the charge was made; only its answer was late")
		assert.True(t, o.Payments("slow-1")[0].Captured)

		start = time.Now()
		status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 2), 10000, "slow-2"))
		assert.Equal(t, 200, status)
		assert.Equal(t, 10*time.Second, time.Since(start))
	})
}

// notifySink receives Alipay+ notifications, verifies them by hand and
// refuses the first n.
type notifySink struct {
	a      *instoretest.AlipayPlus
	path   string
	mu     sync.Mutex
	refuse int
	got    []map[string]any
	bad    int
}

func (s *notifySink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h := r.Header.Clone()
	h.Set("Response-Time", r.Header.Get("Request-Time")) // verifyAnswer reads Response-Time
	ok := verifyAnswer(s.a.AlipayPublicKey(), s.path, h, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		s.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if s.refuse > 0 {
		s.refuse--
		_, _ = w.Write([]byte(`{"result":{"resultCode":"PROCESS_FAIL","resultStatus":"F","resultMessage":"later"}}`))
		return
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	s.got = append(s.got, m)
	_, _ = w.Write([]byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`))
}

func TestAlipayPlusNotifyOnVirtualTime(t *testing.T) {
	t.Parallel()
	k := keys(t)
	synctest.Test(t, func(t *testing.T) {
		sink := &notifySink{path: "/alipay/notify?shop=1", refuse: 1}
		a := instoretest.NewAlipayPlusT(t,
			instoretest.WithAlipayPlusKeys(k),
			instoretest.WithNotifyURL("https://merchant.example/alipay/notify?shop=1"),
			instoretest.WithNotifyClient(instoretest.HandlerClient(sink)))
		sink.a = a
		tg := inProcess(a)
		for _, fl := range flavours() {
			id := "n-" + fl.name
			start := time.Now()
			ans := apDo(t, tg, a, fl.pay, payBody(fl.name, id, instoretest.AlipayCode(instoretest.ConfirmAfter(2*time.Second), 1), 900))
			s, _ := ans.result()
			assert.Equal(t, "U", s)
			time.Sleep(2 * time.Second)
			synctest.Wait()
			assert.Equal(t, instoretest.StateSucceeded, a.Payments(id)[0].State)
			assert.Equal(t, 2*time.Second, time.Since(start))
			time.Sleep(time.Minute)
			synctest.Wait()
		}
		sink.mu.Lock()
		defer sink.mu.Unlock()
		assert.Zero(t, sink.bad)
		require.Len(t, sink.got, 2)
		assert.Equal(t, "PAYMENT_RESULT", sink.got[0]["notifyType"])
		assert.Equal(t, "S", sink.got[0]["result"].(map[string]any)["resultStatus"])
		assert.Equal(t, "S", sink.got[1]["paymentResult"].(map[string]any)["resultStatus"])
		assert.Equal(t, "n-aps", sink.got[1]["paymentRequestId"])
		ds := a.Deliveries()
		require.Len(t, ds, 3, "the refused notification was sent again")
		assert.False(t, ds[0].Acknowledged)
		assert.True(t, ds[1].Acknowledged)
		assert.Equal(t, time.Second, ds[1].At.Sub(ds[0].At))
	})
}

func TestAlipayPlusCancelWindowOnVirtualTime(t *testing.T) {
	t.Parallel()
	k := keys(t)
	synctest.Test(t, func(t *testing.T) {
		// The bubble starts at 2000-01-01 00:00 UTC, 08:00 UTC+8: the
		// window closes at 00:15 UTC+8 on 2 January, 16:15 later.
		a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(k))
		tg := inProcess(a)
		fl := flavours()[1]
		apDo(t, tg, a, fl.pay, payBody(fl.name, "w1", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
		apDo(t, tg, a, fl.pay, payBody(fl.name, "w2", instoretest.AlipayCode(instoretest.Succeed, 2), 100))
		time.Sleep(16*time.Hour + 14*time.Minute)
		_, c := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": "w1"}).result()
		assert.Equal(t, "SUCCESS", c)
		time.Sleep(time.Minute)
		_, c = apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": "w2"}).result()
		assert.Equal(t, "CANCEL_WINDOW_EXCEED", c)
	})
}

func TestCloseStopsEverythingInABubble(t *testing.T) {
	t.Parallel()
	k := keys(t)
	synctest.Test(t, func(t *testing.T) {
		// A bubble fails if any goroutine it started outlives it: pending
		// timers, deliveries backing off and delayed answers must all end
		// with Close.
		block := instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}))
		o := instoretest.NewOmise(instoretest.WithWebhookURL("https://merchant.example/hook"), instoretest.WithWebhookClient(block))
		a := instoretest.NewAlipayPlus(instoretest.WithAlipayPlusKeys(k), instoretest.WithNotifyURL("https://merchant.example/n"), instoretest.WithNotifyClient(block))
		omiseJSON(t, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.ConfirmAfter(9*time.Second), 1), 10000, ""))
		apDo(t, inProcess(a), a, "/aps/api/v1/payments/pay", payBody("aps", "c1", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
		o.InjectFault(instoretest.OmiseListCharges, 1, instoretest.Fault{Kind: instoretest.FaultDelay, Delay: time.Hour})
		done := make(chan error)
		go func() {
			_, _, err := omiseCall(context.Background(), inProcess(o), o.SecretKey(), http.MethodGet, "/charges", nil)
			done <- err
		}()
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		o.Close()
		a.Close()
		require.Error(t, <-done, "a delayed answer ends with Close")
		assert.NotEmpty(t, o.Deliveries())
		assert.NotEmpty(t, a.Deliveries())
	})
}
