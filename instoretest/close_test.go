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
	require.Error(t, <-done, "a delayed answer is cut by Close")
	tr.CloseIdleConnections()
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
