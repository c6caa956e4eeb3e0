package ppro_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

func pproCheckout(t *testing.T, sim *instoretest.PPRO, opts ...instore.CheckoutOption) *instore.Checkout {
	t.Helper()
	a := newAcquirer(t, sim, ppro.AcquirerConfig{})
	co, err := instore.NewCheckout(append([]instore.CheckoutOption{instore.WithRoute(instore.WalletAlipay, a, instore.MethodPPROAlipay)}, opts...)...)
	require.NoError(t, err)
	return co
}

func countRequests(sim *instoretest.PPRO, e instoretest.Endpoint) int {
	n := 0
	reqs := sim.Requests()
	for i := range reqs {
		if reqs[i].Endpoint == e {
			n++
		}
	}
	return n
}

// End to end through instore.Checkout on the simulator, in virtual time.
func TestCheckoutWithPPRO(t *testing.T) {
	t.Parallel()
	chf := instore.Money{Amount: 1250, Currency: instore.CHF}
	cases := []struct {
		name     string
		outcome  instoretest.Outcome
		fault    *instoretest.Fault // on the first TRANSACTION
		status   instore.PaymentStatus
		code     string
		ledger   []instoretest.State
		minTime  time.Duration
		maxTime  time.Duration
		byMerch  bool // the outcome was looked up by merchanttxid
		noCancel bool
		horizon  time.Duration // WithArrivalHorizon, when set
		wantErr  error
	}{
		{name: "succeeds", outcome: instoretest.Succeed, status: instore.StatusSucceeded,
			ledger: []instoretest.State{instoretest.StateSucceeded}, maxTime: time.Second, noCancel: true},
		{name: "declined", outcome: instoretest.DeclineInsufficientBalance, status: instore.StatusFailed, code: "REMOTE_DECLINE",
			ledger: []instoretest.State{instoretest.StateFailed}, maxTime: time.Second, noCancel: true},
		{name: "pending then succeeds", outcome: instoretest.ConfirmOnInquiry(3), status: instore.StatusSucceeded,
			ledger: []instoretest.State{instoretest.StateSucceeded}, minTime: 15 * time.Second, maxTime: 16 * time.Second, noCancel: true},
		{name: "never completes and is cancelled", outcome: instoretest.NeverCompletes, status: instore.StatusCancelled, code: "CANCELED",
			ledger: []instoretest.State{instoretest.StateCancelled}, minTime: 3 * time.Minute, maxTime: 3*time.Minute + time.Second},
		{name: "answer dropped after processing", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultDropAfter},
			status: instore.StatusSucceeded, ledger: []instoretest.State{instoretest.StateSucceeded}, minTime: 5 * time.Second, maxTime: 6 * time.Second, byMerch: true, noCancel: true},
		{name: "answer held past the pay timeout", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultDelay, Delay: time.Minute},
			status: instore.StatusSucceeded, ledger: []instoretest.State{instoretest.StateSucceeded}, minTime: 10 * time.Second, maxTime: 11 * time.Second, byMerch: true, noCancel: true},
		// A 502 may come from a proxy that forwarded the TRANSACTION or not;
		// PPRO cannot close a merchanttxid, so "not found" proves nothing
		// until the arrival horizon has passed.
		{name: "502 before processing: not found, unresolved", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502},
			status: instore.StatusUnknown, wantErr: instore.ErrPaymentUnresolved, ledger: nil, minTime: 3*time.Minute + 35*time.Second, maxTime: 3*time.Minute + 36*time.Second, byMerch: true,
			noCancel: true}, // nothing to send CANCELTX for
		{name: "502 before processing: not found past the horizon, never made", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502},
			horizon: time.Minute, status: instore.StatusCancelled, code: "TX_NOT_FOUND", ledger: nil, minTime: 3*time.Minute + 15*time.Second, maxTime: 3*time.Minute + 16*time.Second, byMerch: true,
			noCancel: true},
		{name: "failed, then succeeded inside the session", outcome: instoretest.FailThenSucceed(9 * time.Second), status: instore.StatusSucceeded,
			ledger: []instoretest.State{instoretest.StateSucceeded}, minTime: 10 * time.Second, maxTime: 11 * time.Second, noCancel: true},
		{name: "failed with an uncertain reason", outcome: instoretest.DeclineTimeout, status: instore.StatusFailed, code: "TIMEOUT",
			ledger: []instoretest.State{instoretest.StateFailed}, minTime: 3 * time.Minute, maxTime: 3*time.Minute + time.Second, noCancel: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				sim := newSim(t)
				var opts []instore.CheckoutOption
				if tc.horizon > 0 {
					opts = append(opts, instore.WithArrivalHorizon(tc.horizon))
				}
				co := pproCheckout(t, sim, opts...)
				if tc.fault != nil {
					sim.InjectFault(instoretest.PPROTransaction, 1, *tc.fault)
				}
				id := "sale-" + string(rune('a'+i))
				start := time.Now()
				p, err := co.Collect(t.Context(), &instore.CollectRequest{
					Code:      instoretest.AlipayCode(tc.outcome, uint64(i)),
					Amount:    chf,
					RequestID: id,
				})
				elapsed := time.Since(start)
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, tc.status, p.Status)
				assert.Equal(t, tc.code, p.FailureCode)
				assert.Equal(t, "ppro", p.Acquirer)
				assert.GreaterOrEqual(t, elapsed, tc.minTime)
				assert.LessOrEqual(t, elapsed, tc.maxTime)

				entries := sim.Payments(id)
				require.Len(t, entries, len(tc.ledger), "at most one transaction per sale")
				for j, want := range tc.ledger {
					assert.Equal(t, want, entries[j].State)
					assert.Equal(t, entries[j].ID, p.ID)
				}
				assert.Equal(t, tc.byMerch, countRequests(sim, instoretest.PPROStatusByMerchantTxID) > 0)
				assert.Equal(t, tc.noCancel, countRequests(sim, instoretest.PPROCancel) == 0)
				if tc.fault != nil && tc.fault.Kind != instoretest.FaultStatus {
					assert.Equal(t, 1, countRequests(sim, instoretest.PPROTransaction), "never sent again")
				}

				// Inquiries were at least 5 s apart (the cancel step at the
				// session timeout may look the payment up once more).
				var last time.Time
				reqs := sim.Requests()
				for i := range reqs {
					r := &reqs[i]
					if r.Endpoint != instoretest.PPROStatus && r.Endpoint != instoretest.PPROStatusByMerchantTxID || r.At.Sub(start) >= 3*time.Minute {
						continue
					}
					if !last.IsZero() {
						assert.GreaterOrEqual(t, r.At.Sub(last), 5*time.Second)
					}
					last = r.At
				}
			})
		})
	}
}

// A notification wakes the waiting Collect: the sale ends when the
// customer confirms, not at the next poll.
func TestCheckoutWokenByANotification(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var co *instore.Checkout
		var handler http.Handler
		sim := newSim(t, instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handler.ServeHTTP(w, r)
		}))))
		c, err := sim.Client()
		require.NoError(t, err)
		var woken atomic.Int32
		handler = c.NotificationHandler([]string{sim.NotificationSecret()}, func(_ context.Context, n *ppro.Notification) error {
			if co.Notify(n.PaymentIDs()...) {
				woken.Add(1)
			}
			return nil
		})
		co = pproCheckout(t, sim)
		start := time.Now()
		p, err := co.Collect(t.Context(), &instore.CollectRequest{
			Code:      instoretest.AlipayCode(instoretest.ConfirmAfter(2*time.Second), 1),
			Amount:    instore.Money{Amount: 990, Currency: instore.GBP},
			RequestID: "woken-1",
		})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		assert.Equal(t, 2*time.Second, time.Since(start), "ended by the notification, not the 5 s poll")
		synctest.Wait() // the handler answers after waking the Collect
		assert.Equal(t, int32(1), woken.Load())
		assert.Contains(t, string(sim.Requests()[0].Body), "countrycode=GB")

		r, err := co.Refund(t.Context(), p, instore.Money{Amount: 490, Currency: instore.GBP})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, r.Status)
		assert.Equal(t, int64(490), sim.Payments("woken-1")[0].Refunded)
	})
}

// The cashier gives up: Collect cancels with a context of its own.
func TestCheckoutCashierAbort(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t)
		co := pproCheckout(t, sim)
		ctx, cancel := context.WithTimeout(t.Context(), 12*time.Second)
		defer cancel()
		p, err := co.Collect(ctx, &instore.CollectRequest{
			Code:      instoretest.AlipayCode(instoretest.NeverCompletes, 1),
			Amount:    instore.Money{Amount: 1250, Currency: instore.CHF},
			RequestID: "abort-1",
		})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusCancelled, p.Status)
		assert.Equal(t, instoretest.StateCancelled, sim.Payments("abort-1")[0].State)
	})
}
