package instoretest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines runs on real sockets, so it cannot use a
// synctest bubble: it compares goroutine counts instead, and does not run in
// parallel with other tests.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // so deliveries back off and retry
	}))
	defer receiver.Close()
	before := runtime.NumGoroutine()

	o := instoretest.NewOmise(instoretest.WithWebhookURL(receiver.URL), instoretest.WithDeliveryRetries(5, time.Hour))
	a := instoretest.NewAlipayPlus(instoretest.WithAlipayPlusKeys(keys(t)), instoretest.WithNotifyURL(receiver.URL+"/notify"))
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	for _, tg := range []target{{"socket", hc, o.URL()}, inProcess(o)} {
		omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.ConfirmAfter(9*time.Second), 1), 10000, ""))
	}
	apDo(t, target{"socket", hc, a.URL()}, a, "/aps/api/v1/payments/pay", payBody("aps", "g1", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
	// HTTP/2: a reset stream (replayed on a new connection), a request
	// left queued (FaultLate) and a storm still blowing at Close.
	h2 := instoretest.NewOmise(instoretest.WithHTTP2(), instoretest.WithWebhookURL(receiver.URL), instoretest.WithDeliveryRetries(0, time.Hour))
	h2tr := &http.Transport{Protocols: new(http.Protocols)}
	h2tr.Protocols.SetUnencryptedHTTP2(true)
	h2c := target{"h2c", &http.Client{Transport: h2tr}, h2.URL()}
	h2.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
	h2.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStorm, Count: 5, Spread: time.Hour})
	omiseJSON(t, h2c, h2.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.Succeed, 2), 10000, "h2"))
	require.Len(t, h2.Payments("h2"), 2)
	h2.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultLate, Delay: time.Hour})
	lateCtx, lateCancel := context.WithCancel(context.Background())
	lateErr := make(chan error, 1)
	go func() {
		_, _, err := omiseCall(lateCtx, h2c, h2.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.Succeed, 3), 10000, "h2-late"))
		lateErr <- err
	}()
	// The client gives up once the request is queued (after the reset one
	// and its replay), not after a fixed time: on a loaded machine that
	// could come before the request arrived, and Close would meet nothing.
	assert.Eventually(t, func() bool { return len(h2.Requests()) == 3 }, 10*time.Second, 5*time.Millisecond)
	lateCancel()
	require.Error(t, <-lateErr)

	o.InjectFault(instoretest.OmiseListCharges, 1, instoretest.Fault{Kind: instoretest.FaultDelay, Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, _, err := omiseCall(context.Background(), target{"socket", hc, o.URL()}, o.SecretKey(), http.MethodGet, "/charges", nil)
		done <- err
	}()
	assert.Eventually(t, func() bool { return len(o.Requests()) == 3 }, 10*time.Second, 5*time.Millisecond)
	assert.Eventually(t, func() bool { return len(o.Deliveries()) > 0 && len(a.Deliveries()) > 0 }, 10*time.Second, 5*time.Millisecond)

	o.Close()
	a.Close()
	h2.Close()
	require.Error(t, <-done, "a delayed answer is cut by Close")
	assert.Empty(t, h2.Payments("h2-late"), "a request still queued at Close is never processed")
	tr.CloseIdleConnections()
	h2tr.CloseIdleConnections()
	// Goroutines of closed connections end a moment after the close: poll
	// (assert.Eventually would add a goroutine of its own to the count).
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); n > before && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if !assert.LessOrEqual(t, n, before, "goroutines left running") {
		buf := make([]byte, 1<<20)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
}
