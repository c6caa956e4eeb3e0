package instore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// QR sales end to end: Checkout.Present and Presentment.Wait through the
// real acquirers and clients, against the simulators, in process, on
// virtual time.

// qrKeys are the Alipay+ simulator's keys, generated once for the test
// binary: RSA key generation is slow.
var qrKeys = sync.OnceValues(instoretest.GenerateAlipayPlusKeys)

// qrRig is one acquirer's simulator behind a Checkout with a present route.
type qrRig struct {
	name     string
	checkout *instore.Checkout
	wallet   instore.Wallet
	amount   instore.Money
	// The simulated customer and the ledger.
	pay     func(id string) error
	decline func(id string) error
	script  func(id string, p instoretest.Plan)
	ledger  func(id string) []instoretest.LedgerEntry
	// failCancel makes the next cancel call (Omise expire, Alipay+ cancel)
	// fail unprocessed with a 503.
	failCancel func()
	omise      *instoretest.Omise
	alipay     *instoretest.AlipayPlus
}

func qrMerchant() alipayplus.AcquirerConfig {
	return alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-001", Name: "Sukhumvit Noodles", MCC: "5814",
			Store: alipayplus.Store{ReferenceStoreID: "S-001", Name: "Asok", MCC: "5814"},
		},
		TerminalID: "till-1",
	}
}

// newQROmise returns an Omise rig: Alipay+ MPM and WeChat Pay MPM.
func newQROmise(t *testing.T, simOpts []instoretest.Option, opts ...instore.CheckoutOption) *qrRig {
	t.Helper()
	o := instoretest.NewOmiseT(t, simOpts...)
	client, err := o.Client()
	require.NoError(t, err)
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{
		instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusMPM),
		instore.WithPresentRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayMPM),
	}, opts...)...)
	require.NoError(t, err)
	return &qrRig{
		name: "omise", checkout: c, wallet: instore.WalletAlipay, amount: instore.Money{Amount: 150000, Currency: instore.THB},
		pay:     o.PayPresented,
		decline: func(id string) error { return o.DeclinePresented(id, "insufficient_fund") },
		script:  o.ScriptPresented,
		ledger:  o.Payments,
		failCancel: func() {
			o.InjectFault(instoretest.OmiseExpireCharge, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: http.StatusServiceUnavailable})
		},
		omise: o,
	}
}

// newQRAlipay returns an Alipay+ rig: order codes.
func newQRAlipay(t *testing.T, keys *instoretest.AlipayPlusKeys, flavor alipayplus.Flavor, simOpts []instoretest.Option, opts ...instore.CheckoutOption) *qrRig {
	t.Helper()
	a := instoretest.NewAlipayPlusT(t, append([]instoretest.Option{instoretest.WithAlipayPlusKeys(keys)}, simOpts...)...)
	client, err := a.Client(alipayplus.WithFlavor(flavor))
	require.NoError(t, err)
	acq, err := alipayplus.NewAcquirer(client, qrMerchant())
	require.NoError(t, err)
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{
		instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusOrderCode),
	}, opts...)...)
	require.NoError(t, err)
	return &qrRig{
		name: "alipayplus-" + string(flavor), checkout: c, wallet: instore.WalletAlipay, amount: instore.Money{Amount: 1250, Currency: instore.SGD},
		pay:     a.PayPresented,
		decline: func(id string) error { return a.DeclinePresented(id, "USER_BALANCE_NOT_ENOUGH") },
		script:  a.ScriptPresented,
		ledger:  a.Payments,
		failCancel: func() {
			// The client retries an idempotent cancel twice within the call.
			a.InjectFault(instoretest.AlipayPlusCancel, 3, instoretest.Fault{Kind: instoretest.FaultStatus, Status: http.StatusServiceUnavailable})
		},
		alipay: a,
	}
}

// qrRigs builds one rig per acquirer (and Alipay+ flavour), inside the
// calling bubble.
func qrRigs(t *testing.T, keys *instoretest.AlipayPlusKeys, opts ...instore.CheckoutOption) []*qrRig {
	t.Helper()
	return []*qrRig{
		newQROmise(t, nil, opts...),
		newQRAlipay(t, keys, alipayplus.FlavorAntom, nil, opts...),
		newQRAlipay(t, keys, alipayplus.FlavorACQP, nil, opts...),
	}
}

func (r *qrRig) sale(id string) *instore.PresentRequest {
	return &instore.PresentRequest{Wallet: r.wallet, Amount: r.amount, RequestID: id, Description: "Pad thai", Store: instore.Store{TerminalID: "till-2"}}
}

// qrTruth is the one ledger entry of id.
func (r *qrRig) qrTruth(t *testing.T, id string) instoretest.LedgerEntry {
	t.Helper()
	e := r.ledger(id)
	require.Len(t, e, 1, "%s: one payment for %s", r.name, id)
	return e[0]
}

func TestPresentEndToEnd(t *testing.T) {
	t.Parallel()
	keys, err := qrKeys()
	require.NoError(t, err)
	tests := []struct {
		name string
		// plan scripts the customer before the sale; customer acts on it,
		// given the rig and the cashier's cancel, right after Present.
		plan       *instoretest.Plan
		customer   func(r *qrRig, id string, abort context.CancelFunc)
		wantStatus instore.PaymentStatus
		wantState  instoretest.State
		wantAt     time.Duration // when Wait returns
	}{
		{
			name:       "the customer pays after 5 s",
			plan:       &instoretest.Plan{After: 5 * time.Second},
			customer:   func(*qrRig, string, context.CancelFunc) {},
			wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantAt: 6 * time.Second,
		},
		{
			name: "the customer pays; the webhook wakes the wait",
			customer: func(r *qrRig, id string, _ context.CancelFunc) {
				time.AfterFunc(4*time.Second, func() {
					if r.pay(id) == nil {
						r.checkout.Notify(id)
					}
				})
			},
			wantStatus: instore.StatusSucceeded, wantState: instoretest.StateSucceeded, wantAt: 4 * time.Second,
		},
		{
			name: "the wallet declines",
			customer: func(r *qrRig, id string, _ context.CancelFunc) {
				time.AfterFunc(7*time.Second, func() { _ = r.decline(id) })
			},
			wantStatus: instore.StatusFailed, wantState: instoretest.StateFailed, wantAt: 9 * time.Second,
		},
		{
			name:       "never scanned: expired after two minutes",
			customer:   func(*qrRig, string, context.CancelFunc) {},
			wantStatus: instore.StatusCancelled, wantState: instoretest.StateCancelled, wantAt: 2 * time.Minute,
		},
		{
			name: "the cashier gives up",
			customer: func(_ *qrRig, _ string, abort context.CancelFunc) {
				time.AfterFunc(10*time.Second, abort)
			},
			wantStatus: instore.StatusCancelled, wantState: instoretest.StateCancelled, wantAt: 10 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				for _, r := range qrRigs(t, keys) {
					start := time.Now()
					id := "qr-" + r.name
					if tt.plan != nil {
						r.script(id, *tt.plan)
					}
					ctx, abort := context.WithCancel(t.Context())
					pm, err := r.checkout.Present(ctx, r.sale(id))
					require.NoError(t, err, r.name)
					assert.Equal(t, instore.StatusPending, pm.Payment.Status)
					assert.NotEmpty(t, pm.Payment.ID, r.name)
					assert.False(t, pm.QR.ExpiresAt.IsZero(), r.name)
					tt.customer(r, id, abort)

					p, err := pm.Wait(ctx)
					abort()
					require.NoError(t, err, r.name)
					assert.Equal(t, tt.wantStatus, p.Status, r.name)
					assert.Equal(t, tt.wantAt, time.Since(start), r.name)
					truth := r.qrTruth(t, id)
					assert.Equal(t, tt.wantState, truth.State, r.name)
					assert.Equal(t, p.ID, truth.ID, r.name)
					assert.Equal(t, p.Status == instore.StatusSucceeded, truth.Captured, r.name)
					if p.Status == instore.StatusFailed {
						assert.Equal(t, truth.FailureCode, p.FailureCode, r.name)
					}
				}
			})
		})
	}
}

func TestPresentEndToEndPaidAfterTheCancelWasSent(t *testing.T) {
	t.Parallel()
	keys, err := qrKeys()
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		schedule := instore.WithPresentSchedule(instore.Schedule{Inquiry: []time.Duration{10 * time.Second}, Cancel: []time.Duration{2 * time.Second}})
		for _, r := range qrRigs(t, keys, schedule) {
			id := "late-" + r.name
			// The first cancel, at 10 s, gets a 503; the customer pays at
			// 11 s; the cancel is sent again at 12 s.
			r.failCancel()
			r.script(id, instoretest.Plan{After: 11 * time.Second})
			pm, err := r.checkout.Present(t.Context(), r.sale(id))
			require.NoError(t, err)

			p, err := pm.Wait(t.Context())
			require.NoError(t, err, r.name)
			truth := r.qrTruth(t, id)
			assert.True(t, truth.Paid, r.name)
			switch r.omise {
			case nil:
				// Alipay+ cancels a paid payment by refunding it.
				assert.Equal(t, instore.StatusCancelled, p.Status, r.name)
				assert.Equal(t, instoretest.StateCancelled, truth.State, r.name)
				assert.Equal(t, truth.Amount, truth.Refunded, r.name)
			default:
				// Omise refuses to expire a successful charge.
				assert.Equal(t, instore.StatusSucceeded, p.Status, r.name)
				assert.True(t, truth.Captured, r.name)
			}
		}
	})
}

func TestPresentEndToEndQRCode(t *testing.T) {
	t.Parallel()
	keys, err := qrKeys()
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		o := newQROmise(t, nil)
		a := newQRAlipay(t, keys, alipayplus.FlavorAntom, nil)

		// Omise: an image, downloaded with the secret key.
		pm, err := o.checkout.Present(t.Context(), o.sale("img-1"))
		require.NoError(t, err)
		assert.Empty(t, pm.QR.Content)
		assert.Equal(t, "image/svg+xml", pm.QR.ImageType)
		assert.True(t, strings.HasPrefix(pm.QR.ImageURI, instoretest.InProcessURL+"/charges/"+pm.Payment.ID+"/documents/"), pm.QR.ImageURI)
		svg, err := pm.Image(t.Context())
		require.NoError(t, err)
		assert.Contains(t, string(svg), "<svg")
		assert.WithinDuration(t, time.Now().Add(24*time.Hour), pm.QR.ExpiresAt, time.Second)
		var sources, charges int
		for _, req := range o.omise.Requests() {
			user, _, _ := (&http.Request{Header: req.Header}).BasicAuth()
			switch req.Endpoint {
			case instoretest.OmiseCreateSource:
				sources++
				assert.Equal(t, "pkey_", user[:5], "the source is created with the public key")
			case instoretest.OmiseCreateCharge:
				charges++
				assert.Equal(t, "skey_", user[:5])
			}
		}
		assert.Equal(t, 1, sources)
		assert.Equal(t, 1, charges)
		require.NoError(t, o.pay("img-1"))
		p, err := pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		assert.Equal(t, instore.MethodAlipayPlusMPM, p.Method)

		// WeChat Pay MPM through the same acquirer.
		wx := o.sale("img-2")
		wx.Wallet = instore.WalletWeChatPay
		pm, err = o.checkout.Present(t.Context(), wx)
		require.NoError(t, err)
		require.NoError(t, o.decline("img-2"))
		p, err = pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, instore.StatusFailed, p.Status)
		assert.Equal(t, "insufficient_fund", p.FailureCode)
		assert.Equal(t, instore.MethodWeChatPayMPM, p.Method)

		// Alipay+: the order code's content, no image to fetch.
		pm, err = a.checkout.Present(t.Context(), a.sale("img-3"))
		require.NoError(t, err)
		assert.Regexp(t, `^28199904\d{4}[0-9A-Za-z]{24}$`, pm.QR.Content)
		assert.Empty(t, pm.QR.ImageURI)
		assert.WithinDuration(t, time.Now().Add(5*time.Minute), pm.QR.ExpiresAt, time.Second)
		_, err = pm.Image(t.Context())
		require.ErrorIs(t, err, instore.ErrNoQRImage)
		require.NoError(t, a.pay("img-3"))
		p, err = pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		assert.Equal(t, instore.MethodAlipayPlusOrderCode, p.Method)

		// Refunds go through the payment's acquirer.
		r, err := a.checkout.Refund(t.Context(), p, instore.Money{Amount: 250, Currency: instore.SGD})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, r.Status)
		assert.Equal(t, int64(250), a.qrTruth(t, "img-3").Refunded)
	})
}

func TestPresentEndToEndRefusals(t *testing.T) {
	t.Parallel()
	keys, err := qrKeys()
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		for _, r := range qrRigs(t, keys) {
			// The acquirer's answer to the create is lost: the payment is
			// cancelled before anyone could see its code.
			switch {
			case r.omise != nil:
				r.omise.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
			default:
				// Idempotent retries meet the same fault: every pay attempt
				// is answered unsigned.
				r.alipay.InjectFault(instoretest.AlipayPlusPay, 3, instoretest.Fault{Kind: instoretest.FaultUnsigned})
			}
			pm, err := r.checkout.Present(t.Context(), r.sale("lost-"+r.name))
			require.ErrorIs(t, err, instore.ErrNotPresented, r.name)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, r.name)
			assert.Nil(t, pm)
			var pe *instore.PresentError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, instore.StatusCancelled, pe.Payment.Status, r.name)
			truth := r.qrTruth(t, "lost-"+r.name)
			assert.Equal(t, instoretest.StateCancelled, truth.State, r.name)
			assert.False(t, truth.Captured)

			// Limits are checked before anything is sent.
			before := len(r.ledger("small-" + r.name))
			small := r.sale("small-" + r.name)
			small.Amount.Amount = 1
			if r.omise == nil {
				small.Amount.Currency = instore.PHP
			}
			_, err = r.checkout.Present(t.Context(), small)
			require.True(t, errors.Is(err, instore.ErrAmountTooSmall) || errors.Is(err, instore.ErrCurrencyNotSupported), "%s: %v", r.name, err)
			assert.Len(t, r.ledger("small-"+r.name), before)
		}
	})
}
