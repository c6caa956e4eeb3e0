package instoretest_test

import (
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// counter is a receiver that counts what it is sent and acknowledges it as
// the acquirer expects.
type counter struct {
	mu  sync.Mutex
	n   int
	ack string
}

func (c *counter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	_, _ = w.Write([]byte(c.ack))
}

func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

const apAck = `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`

var storm = instoretest.Fault{Kind: instoretest.FaultStorm, Count: 20, Spread: 200 * time.Millisecond}

// stormOf returns the storm deliveries in ds, and checks they were sent
// evenly over the spread from start.
func stormOf(t *testing.T, ds []instoretest.Delivery, start time.Time) []instoretest.Delivery {
	t.Helper()
	var out []instoretest.Delivery
	for _, d := range ds {
		if d.Storm {
			out = append(out, d)
		}
	}
	for i, d := range out {
		assert.Equal(t, time.Duration(i)*10*time.Millisecond, d.At.Sub(start), "delivery %d", i)
		assert.True(t, d.Done)
		assert.True(t, d.Acknowledged)
		assert.Equal(t, 1, d.Attempt)
	}
	return out
}

func TestStormOmise(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sink := &counter{}
		o := instoretest.NewOmiseT(t, instoretest.WithWebhookURL("https://merchant.example/hook"),
			instoretest.WithWebhookClient(instoretest.HandlerClient(sink)))
		tg := inProcess(o)
		start := time.Now()
		o.InjectFault(instoretest.OmiseCreateCharge, 1, storm)
		omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 10000, "storm-pending"))
		time.Sleep(time.Second)
		synctest.Wait()
		ds := stormOf(t, o.Deliveries(), start)
		require.Len(t, ds, 20)
		for _, d := range ds {
			assert.Equal(t, "charge.create", d.Key, "a pending charge: its charge.create again")
			assert.Equal(t, ds[0].EventID, d.EventID, "the same event, delivered 20 times")
		}
		assert.Equal(t, 21, sink.count(), "the regular delivery and the storm")

		// A successful charge inquired: its charge.complete.
		_, paid := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 2), 10000, "storm-paid"))
		before := len(o.Deliveries())
		start = time.Now()
		o.InjectFault(instoretest.OmiseGetCharge, 1, storm)
		omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+paid["id"].(string), nil)
		time.Sleep(time.Second)
		synctest.Wait()
		ds = stormOf(t, o.Deliveries()[before:], start)
		require.Len(t, ds, 20)
		assert.Equal(t, "charge.complete", ds[0].Key)

		// A refund: its refund.create.
		before = len(o.Deliveries())
		start = time.Now()
		o.InjectFault(instoretest.OmiseCreateRefund, 1, storm)
		omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges/"+paid["id"].(string)+"/refunds", url.Values{"amount": {"100"}})
		time.Sleep(time.Second)
		synctest.Wait()
		ds = stormOf(t, o.Deliveries()[before:], start)
		require.Len(t, ds, 20)
		assert.Equal(t, "refund.create", ds[0].Key)
	})
}

func TestStormAlipayPlus(t *testing.T) {
	t.Parallel()
	keys(t)
	synctest.Test(t, func(t *testing.T) {
		sink := &counter{ack: apAck}
		a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)),
			instoretest.WithNotifyURL("https://merchant.example/notify"), instoretest.WithNotifyClient(instoretest.HandlerClient(sink)))
		tg := inProcess(a)
		fl := flavours()[1]

		// Final at once: the storm goes out at once.
		start := time.Now()
		a.InjectFault(instoretest.AlipayPlusPay, 1, storm)
		apDo(t, tg, a, fl.pay, payBody(fl.name, "paid", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
		time.Sleep(time.Second)
		synctest.Wait()
		ds := stormOf(t, a.Deliveries(), start)
		require.Len(t, ds, 20)
		assert.Equal(t, "paid", ds[0].Key)
		assert.Equal(t, 21, sink.count())

		// Pending: notifyPayment reports only S and F, so the storm waits
		// for the payment to be final (3 s), then goes with it.
		before := len(a.Deliveries())
		a.InjectFault(instoretest.AlipayPlusInquiryPayment, 1, storm)
		apDo(t, tg, a, fl.pay, payBody(fl.name, "later", instoretest.AlipayCode(instoretest.ConfirmAfter(3*time.Second), 2), 100))
		apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "later"})
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Len(t, a.Deliveries(), before, "nothing while pending")
		time.Sleep(time.Second)
		start = time.Now()
		time.Sleep(time.Second)
		synctest.Wait()
		ds = stormOf(t, a.Deliveries()[before:], start)
		require.Len(t, ds, 20)
		assert.Equal(t, "later", ds[0].Key)

		// Cancelled while pending: no notification, no storm.
		before = len(a.Deliveries())
		a.InjectFault(instoretest.AlipayPlusPay, 1, storm)
		apDo(t, tg, a, fl.pay, payBody(fl.name, "cancelled", instoretest.AlipayCode(instoretest.NeverCompletes, 3), 100))
		apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": "cancelled"})
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Len(t, a.Deliveries(), before)
	})
}

func TestStormPPRO(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sink := &counter{}
		p := instoretest.NewPPROT(t, instoretest.WithNotifyClient(instoretest.HandlerClient(sink)))
		tg := inProcess(p)
		// Pending, then cancelled: the cancel's FAILED is notified, and the
		// storm with it.
		p.InjectFault(instoretest.PPROTransaction, 1, storm)
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, "pending", instoretest.AlipayCode(instoretest.NeverCompletes, 1)))
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Empty(t, p.Deliveries(), "nothing while pending")
		start := time.Now()
		_, v, _ = pproCall(t.Context(), t, tg, pproForm(p, "CANCELTX", "txid", v.Get("TXID")))
		require.Equal(t, "SUCCEEDED", v.Get("REQUESTSTATUS"))
		time.Sleep(time.Second)
		synctest.Wait()
		ds := stormOf(t, p.Deliveries(), start)
		require.Len(t, ds, 20)
		assert.Equal(t, "pending", ds[0].Key)
		assert.Equal(t, 21, sink.count())

		// A status call about a final transaction: at once.
		_, v, _ = pproCall(t.Context(), t, tg, pproSale(p, "paid", instoretest.AlipayCode(instoretest.Succeed, 2)))
		time.Sleep(time.Second)
		synctest.Wait()
		before := len(p.Deliveries())
		start = time.Now()
		p.InjectFault(instoretest.PPROStatus, 1, storm)
		pproCall(t.Context(), t, tg, pproForm(p, "GETTXSTATUS", "txid", v.Get("TXID")))
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, stormOf(t, p.Deliveries()[before:], start), 20)
	})
}

func TestStormDefaultsAndClose(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sink := &counter{}
		o := instoretest.NewOmise(instoretest.WithWebhookURL("https://merchant.example/hook"),
			instoretest.WithWebhookClient(instoretest.HandlerClient(sink)))
		o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStorm})
		omiseJSON(t, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "defaults"))
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		o.Close() // half the storm is left: Close stops it
		var n int
		for _, d := range o.Deliveries() {
			if d.Storm {
				n++
			}
		}
		assert.Equal(t, 11, n, "20 over 200 ms by default: 0 to 100 ms sent, the rest stopped")
	})
}

// A receiver that sees a delivery finds it in Deliveries at once, on every
// simulator: the attempt is logged when it is sent, with Done false and no
// status, and completed when the answer comes. A test that checks right
// after its handler ran needs no wait helper.
func TestDeliveryLoggedWhenSent(t *testing.T) {
	t.Parallel()
	type sim interface{ Deliveries() []instoretest.Delivery }
	tests := []struct {
		name string
		// start makes a simulator that delivers to receiver, and sends the
		// payment whose delivery the test watches.
		start func(t *testing.T, receiver http.Handler) sim
	}{
		{"omise", func(t *testing.T, receiver http.Handler) sim {
			o := instoretest.NewOmiseT(t, instoretest.WithWebhookURL("https://merchant.example/hook"),
				instoretest.WithWebhookClient(instoretest.HandlerClient(receiver)))
			omiseJSON(t, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
				chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 10000, "watched"))
			return o
		}},
		{"alipayplus", func(t *testing.T, receiver http.Handler) sim {
			a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)),
				instoretest.WithNotifyURL("https://merchant.example/notify"), instoretest.WithNotifyClient(instoretest.HandlerClient(receiver)))
			fl := flavours()[1]
			apDo(t, inProcess(a), a, fl.pay, payBody(fl.name, "watched", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
			return a
		}},
		{"ppro", func(t *testing.T, receiver http.Handler) sim {
			p := instoretest.NewPPROT(t, instoretest.WithNotifyClient(instoretest.HandlerClient(receiver)))
			pproCall(t.Context(), t, inProcess(p), pproSale(p, "watched", instoretest.AlipayCode(instoretest.Succeed, 1)))
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.name == "alipayplus" {
				keys(t)
			}
			synctest.Test(t, func(t *testing.T) {
				arrived, release := make(chan struct{}), make(chan struct{})
				var once sync.Once
				receiver := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					first := false
					once.Do(func() { first = true })
					if first {
						arrived <- struct{}{}
						<-release
					}
					if tt.name == "alipayplus" {
						_, _ = io.WriteString(w, apAck)
					}
				})
				s := tt.start(t, receiver)
				<-arrived
				ds := s.Deliveries()
				require.NotEmpty(t, ds, "logged before the receiver answered")
				assert.False(t, ds[0].Done)
				assert.Zero(t, ds[0].Status)
				close(release)
				synctest.Wait()
				ds = s.Deliveries()
				require.NotEmpty(t, ds)
				assert.True(t, ds[0].Done)
				assert.Equal(t, http.StatusOK, ds[0].Status)
				assert.True(t, ds[0].Acknowledged)
			})
		})
	}
}
