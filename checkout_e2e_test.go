package instore_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// testKeys are the Alipay+ simulator's key pairs, generated once per test
// binary: RSA key generation costs far more than the tests that use them.
var testKeys = sync.OnceValues(instoretest.GenerateAlipayPlusKeys)

func alipayKeys(t testing.TB) instoretest.Option {
	t.Helper()
	k, err := testKeys()
	require.NoError(t, err)
	return instoretest.WithAlipayPlusKeys(k)
}

var testMerchant = alipayplus.Merchant{
	ReferenceMerchantID: "M-0001",
	Name:                "Sukhumvit Coffee",
	MCC:                 "5812",
	Store:               alipayplus.Store{ReferenceStoreID: "BKK-01", Name: "Sukhumvit", MCC: "5812"},
}

// omiseCheckout is a Checkout routing both wallets to the Omise simulator.
func omiseCheckout(t testing.TB, sim *instoretest.Omise, opts ...instore.CheckoutOption) *instore.Checkout {
	t.Helper()
	acq := omiseAcquirer(t, sim)
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
		instore.WithRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayUPM),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// alipayAcquirer is an Alipay+ acquirer on the simulator, for testMerchant's
// terminal T-01.
func alipayAcquirer(t testing.TB, sim *instoretest.AlipayPlus) *alipayplus.Acquirer {
	t.Helper()
	client, err := sim.Client()
	require.NoError(t, err)
	acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
	require.NoError(t, err)
	return acq
}

// alipayCheckout is a Checkout routing Alipay-family codes to the Alipay+
// simulator.
func alipayCheckout(t testing.TB, sim *instoretest.AlipayPlus, opts ...instore.CheckoutOption) *instore.Checkout {
	t.Helper()
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{
		instore.WithRoute(instore.WalletAlipay, alipayAcquirer(t, sim), instore.MethodAlipayPlusCPM),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

func thb(amount int64) instore.Money { return instore.Money{Amount: amount, Currency: instore.THB} }

// simulator is what the end-to-end tests need of either simulator.
type simulator interface {
	Payments(requestID string) []instoretest.LedgerEntry
	InjectFault(e instoretest.Endpoint, n int, f instoretest.Fault)
}

type e2eCase struct {
	name        string
	outcome     instoretest.Outcome
	fault       *instoretest.Fault // on the pay endpoint, once
	wantStatus  instore.PaymentStatus
	wantCodes   map[string]string // acquirer name -> failure code
	wantState   instoretest.State
	wantCapture bool
}

var e2eCases = []e2eCase{
	{name: "paid at once", outcome: instoretest.Succeed, wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true},
	{name: "confirmed in the app on the second inquiry", outcome: instoretest.ConfirmOnInquiry(2), wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true},
	{name: "confirmed in the app after 4 s", outcome: instoretest.ConfirmAfter(4 * time.Second), wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true},
	{
		name: "declined", outcome: instoretest.DeclineInsufficientBalance, wantStatus: instore.StatusFailed, wantState: instoretest.StateFailed,
		wantCodes: map[string]string{"omise": "insufficient_balance", "alipayplus": "USER_BALANCE_NOT_ENOUGH"},
	},
	{
		name: "declined in the app", outcome: instoretest.DeclineOnInquiry(instoretest.DeclineRejected), wantStatus: instore.StatusFailed, wantState: instoretest.StateFailed,
		wantCodes: map[string]string{"omise": "payment_rejected", "alipayplus": "RISK_REJECT"},
	},
	{name: "never confirmed: cancelled", outcome: instoretest.NeverCompletes, wantStatus: instore.StatusCancelled, wantState: instoretest.StateCancelled},
	{
		name: "answer to the pay lost after it was made", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultDropAfter},
		wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true,
	},
	{
		name: "pay answered after the 5 s deadline", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 8 * time.Second},
		wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true,
	},
	{
		name: "pay dropped before it was written: sent again", outcome: instoretest.Succeed, fault: &instoretest.Fault{Kind: instoretest.FaultDropBefore},
		wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantCapture: true,
	},
}

// checkE2E runs one case through c and checks Collect's answer against the
// simulator's ledger.
func checkE2E(t *testing.T, c *instore.Checkout, sim simulator, payEndpoint instoretest.Endpoint, tc e2eCase, code string) {
	t.Helper()
	if tc.fault != nil {
		sim.InjectFault(payEndpoint, 1, *tc.fault)
	}
	p, err := c.Collect(t.Context(), &instore.CollectRequest{
		Code:      code,
		Amount:    thb(12_500),
		RequestID: "sale-1",
		Store:     instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T-01"},
	})
	require.NoError(t, err)
	assert.Equal(t, tc.wantStatus, p.Status)
	assert.Equal(t, tc.wantCodes[p.Acquirer], p.FailureCode)
	entries := sim.Payments("sale-1")
	require.Len(t, entries, 1, "exactly one payment for the sale, whatever went wrong on the wire")
	assert.Equal(t, tc.wantState, entries[0].State)
	assert.Equal(t, tc.wantCapture, entries[0].Captured)
	if p.ID != "" || p.Status == instore.StatusSucceeded {
		assert.Equal(t, entries[0].ID, p.ID) // a declined pay may come back without an id
	}
}

func TestCollectEndToEndOmise(t *testing.T) {
	t.Parallel()
	for _, tc := range e2eCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				sim := instoretest.NewOmiseT(t)
				c := omiseCheckout(t, sim)
				checkE2E(t, c, sim, instoretest.OmiseCreateCharge, tc, instoretest.AlipayCode(tc.outcome, 1))
			})
		})
	}
}

func TestCollectEndToEndAlipayPlus(t *testing.T) {
	t.Parallel()
	for _, flavor := range []alipayplus.Flavor{alipayplus.FlavorAntom, alipayplus.FlavorACQP} {
		for _, tc := range e2eCases {
			t.Run(string(flavor)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
					client, err := sim.Client(alipayplus.WithFlavor(flavor))
					require.NoError(t, err)
					acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
					require.NoError(t, err)
					c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM))
					require.NoError(t, err)
					checkE2E(t, c, sim, instoretest.AlipayPlusPay, tc, instoretest.AlipayCode(tc.outcome, 1))
				})
			})
		}
	}
}

func TestCollectEndToEndWeChatPayThroughOmise(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim)
		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.WeChatCode(instoretest.ConfirmOnInquiry(1), 7), Amount: thb(5_000)})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		assert.Equal(t, instore.WalletWeChatPay, p.Wallet)
		assert.Equal(t, instore.MethodWeChatPayUPM, p.Method)
		require.Len(t, sim.Payments(p.RequestID), 1)
	})
}

func TestCollectThenRefundEndToEnd(t *testing.T) {
	t.Parallel()
	t.Run("omise", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewOmiseT(t)
			c := omiseCheckout(t, sim)
			refundHalf(t, c, sim)
		})
	})
	t.Run("alipayplus", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
			c := alipayCheckout(t, sim)
			refundHalf(t, c, sim)
		})
	})
}

func refundHalf(t *testing.T, c *instore.Checkout, sim simulator) {
	t.Helper()
	p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 3), Amount: thb(40_000), RequestID: "sale-1"})
	require.NoError(t, err)
	require.Equal(t, instore.StatusSucceeded, p.Status)

	r, err := c.Refund(t.Context(), p, thb(10_000))
	require.NoError(t, err)
	assert.Equal(t, instore.StatusSucceeded, r.Status)
	assert.Equal(t, thb(10_000), r.Amount)
	assert.NotEmpty(t, r.ID)
	assert.NotEqual(t, p.RequestID, r.RequestID)

	_, err = c.Refund(t.Context(), p, thb(30_000))
	require.NoError(t, err)
	entries := sim.Payments("sale-1")
	require.Len(t, entries, 1)
	assert.Equal(t, int64(40_000), entries[0].Refunded)
	assert.Equal(t, 2, entries[0].Refunds)
}

func TestCollectWokenByAlipayPlusNotification(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The simulator posts notifyPayment in process to the SDK's notify
		// handler, which wakes the waiting Collect. The handler needs the
		// client, and the client the simulator, so the simulator is given a
		// forwarder first.
		var notify http.Handler
		var checkout *instore.Checkout
		woken := make(chan bool, 1)
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t),
			instoretest.WithNotifyURL("https://pos.example/alipayplus/notify"),
			instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				notify.ServeHTTP(w, r)
			}))))
		client, err := sim.Client()
		require.NoError(t, err)
		notify = client.NotifyHandler(func(_ context.Context, n *alipayplus.Notification) error {
			woken <- checkout.Notify(n.PaymentIDs()...)
			return nil
		})
		acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
		require.NoError(t, err)
		checkout, err = instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM))
		require.NoError(t, err)
		start := time.Now()

		p, err := checkout.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.ConfirmAfter(time.Second), 1), Amount: thb(12_500), RequestID: "sale-1"})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		assert.True(t, <-woken, "the notification found the waiting Collect")
		assert.Equal(t, time.Second, time.Since(start), "answered when the notification came, not at the 2 s inquiry")
	})
}

func TestCollectUnresolvedWhenTheAcquirerBecomesUnreachable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim)
		// The charge is created, pending; from then on Omise answers 503 to
		// every inquiry and every expire.
		down := instoretest.Fault{Kind: instoretest.FaultStatus, Status: http.StatusServiceUnavailable}
		sim.InjectFault(instoretest.OmiseGetCharge, 1_000, down)
		sim.InjectFault(instoretest.OmiseExpireCharge, 1_000, down)

		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.NeverCompletes, 1), Amount: thb(12_500), RequestID: "sale-1"})
		require.ErrorIs(t, err, instore.ErrPaymentUnresolved)
		var ue *instore.UnresolvedError
		require.ErrorAs(t, err, &ue)
		entries := sim.Payments("sale-1")
		require.Len(t, entries, 1)
		assert.Equal(t, instoretest.StatePending, entries[0].State, "nothing was captured")
		assert.Equal(t, entries[0].ID, p.ID, "the error carries what is needed to reconcile")
		assert.Equal(t, entries[0].ID, ue.Payment.ID)
		assert.Equal(t, instore.StatusUnknown, p.Status)
	})
}

func TestCollectOmiseExpireRefusedBecauseThePaymentCompleted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim)
		// Every inquiry fails (three attempts each), so the charge is still
		// unconfirmed when the customer pays at 9 s; the expire at 38 s is
		// refused, and the charge itself is the answer.
		sim.InjectFault(instoretest.OmiseGetCharge, 27, instoretest.Fault{Kind: instoretest.FaultStatus, Status: http.StatusBadGateway})

		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.ConfirmAfter(9*time.Second), 1), Amount: thb(12_500), RequestID: "sale-1"})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status, "Omise refused the expire because the charge was paid")
		entries := sim.Payments("sale-1")
		require.Len(t, entries, 1)
		assert.True(t, entries[0].Captured)
	})
}

func TestCollectAlipayPlusCancelWindowClosedRefundsInFull(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The simulator's clock jumps a day ahead while the sale waits, so
		// the cancel finds its window closed (00:15 UTC+8 on the next day).
		var shift atomic.Int64
		clock := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t), instoretest.WithClock(clock))
		c := alipayCheckout(t, sim)
		// The pay's answer is lost and every inquiry fails: the sale does
		// not know the customer paid until the cancel.
		sim.InjectFault(instoretest.AlipayPlusPay, 3, instoretest.Fault{Kind: instoretest.FaultDropAfter}) // and its two retries
		sim.InjectFault(instoretest.AlipayPlusInquiryPayment, 27, instoretest.Fault{Kind: instoretest.FaultStatus, Status: http.StatusBadGateway})
		time.AfterFunc(30*time.Second, func() { shift.Store(int64(24 * time.Hour)) })

		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(12_500), RequestID: "sale-1"})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusCancelled, p.Status)
		assert.Equal(t, string(alipayplus.CodeCancelWindowExceed), p.FailureCode)
		entries := sim.Payments("sale-1")
		require.Len(t, entries, 1)
		assert.Equal(t, int64(12_500), entries[0].Refunded, "the money went back by a refund")
		assert.Equal(t, 1, entries[0].Refunds)
	})
}
