package instoretest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// lateSim is one simulator as the late-arrival tests drive it: a create
// request about a sale, sent raw, and the ledger.
type lateSim struct {
	name     string
	endpoint instoretest.Endpoint
	// create sends the sale's create request and returns the status it
	// got, or the error.
	create func(ctx context.Context, t *testing.T, sale string) (int, error)
	ledger func(sale string) []instoretest.LedgerEntry
	inject func(e instoretest.Endpoint, n int, f instoretest.Fault)
	log    func() []instoretest.Request
}

func lateSims(t *testing.T) []lateSim {
	o := instoretest.NewOmiseT(t)
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	p := instoretest.NewPPROT(t)
	return []lateSim{
		{
			name: "omise", endpoint: instoretest.OmiseCreateCharge, ledger: o.Payments, inject: o.InjectFault, log: o.Requests,
			create: func(ctx context.Context, t *testing.T, sale string) (int, error) {
				resp, _, err := omiseCall(ctx, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
					chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, sale))
				if err != nil {
					return 0, err
				}
				return resp.StatusCode, nil
			},
		},
		{
			name: "alipayplus", endpoint: instoretest.AlipayPlusPay, ledger: a.Payments, inject: a.InjectFault, log: a.Requests,
			create: func(ctx context.Context, t *testing.T, sale string) (int, error) {
				b, err := json.Marshal(payBody("aps", sale, instoretest.AlipayCode(instoretest.Succeed, 2), 100))
				require.NoError(t, err)
				resp, _, err := apCall(ctx, inProcess(a), a.ClientID(), a.MerchantPrivateKey(), "/aps/api/v1/payments/pay", b)
				if err != nil {
					return 0, err
				}
				return resp.StatusCode, nil
			},
		},
		{
			name: "ppro", endpoint: instoretest.PPROTransaction, ledger: p.Payments, inject: p.InjectFault, log: p.Requests,
			create: func(ctx context.Context, t *testing.T, sale string) (int, error) {
				resp, err := pproDo(ctx, inProcess(p), pproSale(p, sale, instoretest.AlipayCode(instoretest.Succeed, 3)))
				if err != nil {
					return 0, err
				}
				return resp.StatusCode, nil
			},
		},
	}
}

func TestLateArrivalInProcess(t *testing.T) {
	t.Parallel()
	keys(t) // generated outside the bubble, once
	synctest.Test(t, func(t *testing.T) {
		for _, s := range lateSims(t) {
			// The cashier gives up after 5 s; the request lands at 10 s.
			s.inject(s.endpoint, 2, instoretest.Fault{Kind: instoretest.FaultLate, Delay: 10 * time.Second})
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			var tr traced
			start := time.Now()
			_, err := s.create(tr.ctx(ctx), t, s.name+"-gave-up")
			cancel()
			require.ErrorIs(t, err, context.DeadlineExceeded, s.name)
			assert.Equal(t, 5*time.Second, time.Since(start), s.name)
			assert.True(t, tr.wroteRequest.Load(), "%s: the request counts as written", s.name)
			assert.Empty(t, s.ledger(s.name+"-gave-up"), "%s: not processed yet", s.name)
			time.Sleep(5 * time.Second)
			synctest.Wait()
			require.Len(t, s.ledger(s.name+"-gave-up"), 1, "%s: processed at 10 s, no one waiting", s.name)
			assert.Equal(t, start.Add(10*time.Second), s.ledger(s.name + "-gave-up")[0].CreatedAt, s.name)

			// A client that waits gets the answer when it is processed.
			start = time.Now()
			status, err := s.create(t.Context(), t, s.name+"-waited")
			require.NoError(t, err, s.name)
			assert.Equal(t, http.StatusOK, status, s.name)
			assert.Equal(t, 10*time.Second, time.Since(start), s.name)
			assert.Len(t, s.ledger(s.name+"-waited"), 1, s.name)
		}
	})
}

func TestLateArrivalStoppedByClose(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmise()
		o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultLate, Delay: time.Hour})
		done := make(chan error, 1)
		go func() {
			_, _, err := omiseCall(context.Background(), inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
				chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "closed"))
			done <- err
		}()
		time.Sleep(time.Minute)
		synctest.Wait()
		o.Close()
		require.Error(t, <-done, "the waiting client learns the simulator closed")
		assert.Empty(t, o.Payments("closed"), "a request still queued at Close is never processed")
	})
}

func TestLateArrivalJitterIsSeeded(t *testing.T) {
	t.Parallel()
	delays := func(seed uint64) []time.Duration {
		var out []time.Duration
		synctest.Test(t, func(t *testing.T) {
			o := instoretest.NewOmiseT(t, instoretest.WithSeed(seed))
			o.SetRandomFaults(instoretest.OmiseCreateCharge, instoretest.RandomFault{Rate: 1,
				Fault: instoretest.Fault{Kind: instoretest.FaultLate, Delay: time.Second, Jitter: 4 * time.Second}})
			for i := range 5 {
				omiseJSON(t, inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
					chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000, "j-"+itoa(i)))
			}
			for _, r := range o.Requests() {
				out = append(out, r.Fault.Delay)
			}
		})
		return out
	}
	first := delays(7)
	require.Len(t, first, 5)
	for _, d := range first {
		assert.GreaterOrEqual(t, d, time.Second)
		assert.Less(t, d, 5*time.Second)
	}
	assert.Equal(t, first, delays(7), "the same seed draws the same delays")
	assert.NotEqual(t, first, delays(8))
}

func TestLateArrivalOverTheSocket(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := targets(t, o)[0]
	// Real time, on a socket: the client gives up after a second, long
	// enough for the request to arrive on a loaded machine, and the request
	// is processed two seconds after that, long enough for the check in
	// between.
	o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultLate, Delay: 3 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, _, err := omiseCall(ctx, tg, o.SecretKey(), http.MethodPost, "/charges",
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "socket-late"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, o.Payments("socket-late"), "not processed when the client gave up")
	assert.Eventually(t, func() bool { return len(o.Payments("socket-late")) == 1 }, 10*time.Second, 10*time.Millisecond,
		"processed once its delay is over, with no one waiting")
}
