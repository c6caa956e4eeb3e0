package instore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// The money rules of issue 12, end to end on the simulators: each test is
// a fault a real network, cashier or POS produces, and the rule that must
// hold under it. The rules a scripted acquirer can show are in
// money_rules_internal_test.go.

// testPPROStore is the PPRO acquirer's configuration in these tests.
var testPPROStore = ppro.AcquirerConfig{NotificationURL: "https://pos.example/ppro", StoreID: "ZRH-01", StoreName: "Zurich HB"}

// pproAcquirer is a PPRO acquirer on the simulator.
func pproAcquirer(t testing.TB, sim *instoretest.PPRO) *ppro.Acquirer {
	t.Helper()
	client, err := sim.Client()
	require.NoError(t, err)
	acq, err := ppro.NewAcquirer(client, testPPROStore)
	require.NoError(t, err)
	return acq
}

// pproCheckout routes Alipay codes to the PPRO simulator.
func pproCheckout(t testing.TB, sim *instoretest.PPRO, opts ...instore.CheckoutOption) *instore.Checkout {
	t.Helper()
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{instore.WithRoute(instore.WalletAlipay, pproAcquirer(t, sim), instore.MethodPPROAlipay)}, opts...)...)
	require.NoError(t, err)
	return c
}

// newPPROSim is a PPRO simulator whose notifications are acknowledged and
// dropped.
func newPPROSim(t testing.TB, opts ...instoretest.Option) *instoretest.PPRO {
	t.Helper()
	ack := instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") }))
	return instoretest.NewPPROT(t, append([]instoretest.Option{instoretest.WithNotifyClient(ack)}, opts...)...)
}

func chf(amount int64) instore.Money { return instore.Money{Amount: amount, Currency: instore.CHF} }

// rig is one acquirer on a simulator of its own, behind a Checkout that
// routes Alipay codes to it, for the rules that hold on every acquirer.
type rig struct {
	acquirer instore.Acquirer
	checkout *instore.Checkout
	sim      interface {
		simulator
		Refunds(requestID string) []instoretest.RefundEntry
	}
	amount instore.Money // a sale it takes: THB, CHF on PPRO
	// payAt and refundAt are its simulator's pay and refund endpoints.
	payAt, refundAt instoretest.Endpoint
	// refundAttempts is how often one refund call is sent: the transport
	// retries Alipay+ refunds, idempotent by their id.
	refundAttempts int
}

// rigNames are the acquirers startRig knows.
var rigNames = []string{"omise", "ppro", "alipayplus"}

// startRig starts the named acquirer on its simulator, inside the
// caller's synctest bubble.
func startRig(t *testing.T, name string) *rig {
	t.Helper()
	r := &rig{amount: thb(10_000), refundAttempts: 1}
	var method instore.PaymentMethod
	switch name {
	case "omise":
		sim := instoretest.NewOmiseT(t)
		r.sim, r.acquirer, method = sim, omiseAcquirer(t, sim), instore.MethodAlipayPlusUPM
		r.payAt, r.refundAt = instoretest.OmiseCreateCharge, instoretest.OmiseCreateRefund
	case "ppro":
		sim := newPPROSim(t)
		r.sim, r.acquirer, method = sim, pproAcquirer(t, sim), instore.MethodPPROAlipay
		r.payAt, r.refundAt = instoretest.PPROTransaction, instoretest.PPRORefund
		r.amount = chf(5_000)
	case "alipayplus":
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
		r.sim, r.acquirer, method = sim, alipayAcquirer(t, sim), instore.MethodAlipayPlusCPM
		r.payAt, r.refundAt = instoretest.AlipayPlusPay, instoretest.AlipayPlusRefund
		r.refundAttempts = 3
	default:
		t.Fatalf("no rig %q", name)
	}
	c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, r.acquirer, method))
	require.NoError(t, err)
	r.checkout = c
	return r
}

// paid collects a sale of r.amount under requestID that the customer pays
// at once.
func (r *rig) paid(t *testing.T, requestID string, serial uint64) *instore.Payment {
	t.Helper()
	p, err := r.checkout.Collect(t.Context(), &instore.CollectRequest{
		Code: instoretest.AlipayCode(instoretest.Succeed, serial), Amount: r.amount, RequestID: requestID,
	})
	require.NoError(t, err)
	require.Equal(t, instore.StatusSucceeded, p.Status)
	return p
}

// half is half of r.amount, a refund that leaves some of the sale.
func (r *rig) half() instore.Money {
	return instore.Money{Amount: r.amount.Amount / 2, Currency: r.amount.Currency}
}

// Rule 1: an Alipay+ pay answered 500 after the gateway took the money,
// retried by the transport (pay is idempotent by paymentRequestId), the
// retry failing before it is written. The call's outcome is unknown, not
// "never sent": the sale is inquired about and found paid.
func TestRuleOutcomeUnknownOnceAnAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
		sim.InjectFault(instoretest.AlipayPlusPay, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true})
		sim.InjectFault(instoretest.AlipayPlusPay, 2, instoretest.Fault{Kind: instoretest.FaultDropBefore})
		c := alipayCheckout(t, sim)

		p, err := c.Collect(t.Context(), &instore.CollectRequest{
			Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(10_000), RequestID: "rule-1",
		})
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status, "the money was taken")
		assert.Equal(t, 1, instoretest.Captures(sim.Payments("rule-1")))
	})
	t.Run("refund", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
			c := alipayCheckout(t, sim)
			p, err := c.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(instoretest.Succeed, 2), Amount: thb(10_000), RequestID: "rule-1r",
			})
			require.NoError(t, err)
			sim.InjectFault(instoretest.AlipayPlusRefund, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true})
			sim.InjectFault(instoretest.AlipayPlusRefund, 2, instoretest.Fault{Kind: instoretest.FaultDropBefore})

			_, err = c.Refund(t.Context(), p, thb(2_500), instore.WithRefundRequestID("rule-1r-refund"))
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the refund was made; the error must not say it was not")
			assert.Equal(t, int64(2_500), sim.Payments("rule-1r")[0].Refunded)

			// The same id again is answered by the gateway's own record.
			r, err := c.Refund(t.Context(), p, thb(2_500), instore.WithRefundRequestID("rule-1r-refund"))
			require.NoError(t, err)
			assert.Equal(t, instore.StatusSucceeded, r.Status)
			assert.Equal(t, int64(2_500), sim.Payments("rule-1r")[0].Refunded, "refunded once")
		})
	})
}

// Rule 4: a refund retried with the same refund request id after an
// unknown outcome never refunds twice, on every acquirer.
func TestRuleRefundRetriedWithTheSameIDRefundsOnce(t *testing.T) {
	t.Parallel()
	for _, name := range rigNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rg := startRig(t, name)
				c := rg.checkout
				p := rg.paid(t, "rule-4", 4)

				// The refund is made, the answer to every attempt lost.
				rg.sim.InjectFault(rg.refundAt, rg.refundAttempts, instoretest.Fault{Kind: instoretest.FaultDropAfter})
				half := rg.half()
				first, err1 := c.Refund(t.Context(), p, half, instore.WithRefundRequestID("rule-4-r1"))
				// The cashier presses "refund" again, same refund id.
				second, err2 := c.Refund(t.Context(), p, half, instore.WithRefundRequestID("rule-4-r1"))

				e := rg.sim.Payments("rule-4")[0]
				assert.Equal(t, half.Amount, e.Refunded, "refunded once, whatever the answers")
				assert.Equal(t, 1, e.Refunds)
				require.NoError(t, err2)
				assert.Equal(t, instore.StatusSucceeded, second.Status)
				if err1 == nil {
					assert.Equal(t, second.ID, first.ID, "the same refund both times")
				} else {
					require.ErrorIs(t, err1, instore.ErrOutcomeUnknown)
				}

				// A new refund id is a new refund.
				_, err := c.Refund(t.Context(), p, half, instore.WithRefundRequestID("rule-4-r2"))
				require.NoError(t, err)
				assert.Equal(t, rg.amount.Amount, rg.sim.Payments("rule-4")[0].Refunded)
			})
		})
	}
}

// Rule 4 while the first refund is still on its way: it waits in a proxy
// queue and lands two minutes after the cashier gave up on it. A retry
// with the same refund id in the meantime finds no refund at the acquirer,
// which proves nothing yet: it must not send a second one (that would
// refund twice once the first lands), and says the outcome is unknown until
// the refund is found or the arrival horizon has passed. Alipay+ refunds a
// refund request id once whatever arrives, so there the retry may be sent;
// on every acquirer the sale is refunded once.
func TestRuleRefundRetriedWhileTheFirstIsInFlightIsNotSentAgain(t *testing.T) {
	t.Parallel()
	late := instoretest.Fault{Kind: instoretest.FaultLate, Delay: 2 * time.Minute}
	for _, name := range rigNames {
		// dedups: the acquirer refunds a refund request id once whatever
		// arrives, so the retry may be sent (Alipay+).
		dedups := name == "alipayplus"
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rg := startRig(t, name)
				c := rg.checkout
				p := rg.paid(t, "rule-4-late", 5)
				half := rg.half()

				rg.sim.InjectFault(rg.refundAt, 1, late)
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				_, err := c.Refund(ctx, p, half, instore.WithRefundRequestID("rule-4-late-r"))
				cancel()
				require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the refund was written and may land")

				// The cashier presses "refund" again while the first waits.
				_, err = c.Refund(t.Context(), p, half, instore.WithRefundRequestID("rule-4-late-r"))
				if !dedups || err != nil {
					// Where the retry may be sent, it is answered or its
					// outcome is unknown; never refused.
					require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "not found yet is no reason to send again")
				}

				time.Sleep(3 * time.Minute) // the first lands
				r, err := c.Refund(t.Context(), p, half, instore.WithRefundRequestID("rule-4-late-r"))
				require.NoError(t, err)
				assert.Equal(t, instore.StatusSucceeded, r.Status)
				assert.Len(t, rg.sim.Refunds("rule-4-late"), 1, "refunded once")
			})
		})
	}
}

// Rule 8: a request id reused for another sale (a POS keyed by order
// number) is a definite refusal: the earlier sale is neither taken for the
// new one nor cancelled or refunded on its behalf.
func TestRuleRequestIDReusedForAnotherSale(t *testing.T) {
	t.Parallel()
	t.Run("alipayplus scanned code", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
			first := alipayCheckout(t, sim)
			p, err := first.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(instoretest.Succeed, 8), Amount: thb(55_000), RequestID: "order-8",
			})
			require.NoError(t, err)
			require.Equal(t, instore.StatusSucceeded, p.Status)

			// Another till (another Checkout), same order number, another sale.
			again := alipayCheckout(t, sim)
			p, err = again.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(instoretest.Succeed, 9), Amount: thb(12_500), RequestID: "order-8",
			})
			require.ErrorIs(t, err, instore.ErrRequestIDReused)
			require.NotErrorIs(t, err, instore.ErrPaymentUnresolved)
			if p != nil {
				assert.NotEqual(t, instore.StatusSucceeded, p.Status, "not reported paid with the other sale's money")
			}
			e := sim.Payments("order-8")
			require.Len(t, e, 1)
			assert.Equal(t, instoretest.StateSucceeded, e[0].State, "the earlier sale is untouched")
			assert.Zero(t, e[0].Refunded)
			assert.Zero(t, endpointCount(sim.Requests(), instoretest.AlipayPlusInquiryPayment), "nothing inquired on its behalf")
			assert.Zero(t, endpointCount(sim.Requests(), instoretest.AlipayPlusCancel), "nothing cancelled on its behalf")
		})
	})
	t.Run("alipayplus order code", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			keys, err := qrKeys()
			require.NoError(t, err)
			rig := newQRAlipay(t, keys, alipayplus.FlavorAntom, nil)
			pm, err := rig.checkout.Present(t.Context(), rig.sale("order-8q"))
			require.NoError(t, err)
			require.NoError(t, rig.pay("order-8q"))
			p, err := pm.Wait(t.Context())
			require.NoError(t, err)
			require.Equal(t, instore.StatusSucceeded, p.Status)

			req := rig.sale("order-8q")
			req.Amount = thb(77_700)
			_, err = rig.checkout.Present(t.Context(), req)
			require.ErrorIs(t, err, instore.ErrRequestIDReused)
			truth := rig.qrTruth(t, "order-8q")
			assert.Equal(t, instoretest.StateSucceeded, truth.State, "the completed sale was not cancelled")
			assert.Zero(t, truth.Refunded, "nor refunded")
		})
	})
	t.Run("omise lookup takes no charge of another amount", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewOmiseT(t)
			c := omiseCheckout(t, sim)
			_, err := c.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(instoretest.Succeed, 10), Amount: thb(55_000), RequestID: "order-8o",
			})
			require.NoError(t, err)
			// The same order number again, its create never written.
			sim.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502})
			other := omiseCheckout(t, sim)
			p, err := other.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(instoretest.Succeed, 11), Amount: thb(12_500), RequestID: "order-8o",
			})
			require.ErrorIs(t, err, instore.ErrPaymentUnresolved, "no charge of its own found: unresolved, never the other sale's")
			assert.NotEqual(t, instore.StatusSucceeded, p.Status)
			e := sim.Payments("order-8o")
			require.Len(t, e, 1)
			assert.Equal(t, instoretest.StateSucceeded, e[0].State, "the earlier charge is untouched")
			assert.Zero(t, endpointCount(sim.Requests(), instoretest.OmiseExpireCharge))
		})
	})
}

func endpointCount(reqs []instoretest.Request, e instoretest.Endpoint) int {
	n := 0
	for i := range reqs {
		if reqs[i].Endpoint == e {
			n++
		}
	}
	return n
}

// hangingTransport never answers: every request waits for its context.
type hangingTransport struct{}

func (hangingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// Rule 7: with every request hanging, Collect returns on a documented
// formula: the pay timeout, the inquiry window (its waits and one call
// timeout), the cancel budget (its waits and one call timeout).
func TestRuleWorstCaseIsTheDocumentedFormula(t *testing.T) {
	t.Parallel()
	hanging := &http.Client{Transport: hangingTransport{}}
	tests := []struct {
		name     string
		checkout func(t *testing.T) *instore.Checkout
		amount   instore.Money
		want     time.Duration
	}{
		{"omise", func(t *testing.T) *instore.Checkout {
			client, err := instore.NewClient("skey_test_hanging", instore.WithBaseURL(instoretest.InProcessURL), instore.WithHTTPClient(hanging))
			require.NoError(t, err)
			acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
			require.NoError(t, err)
			c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM))
			require.NoError(t, err)
			return c
		}, thb(10_000), instore.DefaultSchedule().WorstCase(instore.DefaultPayTimeout, instore.DefaultCallTimeout)},
		{"alipayplus", func(t *testing.T) *instore.Checkout {
			keys, err := testKeys()
			require.NoError(t, err)
			client, err := alipayplus.NewClient("2188120000000000", keys.Merchant, &keys.Alipay.PublicKey,
				alipayplus.WithBaseURL(instoretest.InProcessURL), alipayplus.WithHTTPClient(hanging))
			require.NoError(t, err)
			acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
			require.NoError(t, err)
			c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM))
			require.NoError(t, err)
			return c
		}, thb(10_000), instore.DefaultSchedule().WorstCase(instore.DefaultPayTimeout, instore.DefaultCallTimeout)},
		{"ppro", func(t *testing.T) *instore.Checkout {
			client, err := ppro.NewClient(ppro.Credentials{Login: "l", Password: "p", ContractID: "c", Channel: "ch"},
				ppro.WithBaseURL(instoretest.InProcessURL), ppro.WithHTTPClient(hanging))
			require.NoError(t, err)
			acq, err := ppro.NewAcquirer(client, testPPROStore)
			require.NoError(t, err)
			c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodPPROAlipay))
			require.NoError(t, err)
			return c
		}, chf(5_000), 5*time.Second + 3*time.Minute + 5*time.Second + 35*time.Second + 5*time.Second},
	}
	assert.Equal(t, 71*time.Second, tests[0].want, "Omise and Alipay+: 5 + 38 + 5 + 18 + 5 s")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := tt.checkout(t)
				start := time.Now()
				p, err := c.Collect(t.Context(), &instore.CollectRequest{
					Code: instoretest.AlipayCode(instoretest.Succeed, 7), Amount: tt.amount, RequestID: "rule-7",
				})
				require.ErrorIs(t, err, instore.ErrPaymentUnresolved)
				assert.Equal(t, instore.StatusUnknown, p.Status)
				assert.Equal(t, tt.want, time.Since(start))
			})
		})
	}
}

// An older Omise API version answers currencies in lower case; the charge
// is still THB, and its refund goes through.
func TestCurrencyDecodedInAnyCase(t *testing.T) {
	t.Parallel()
	var ch instore.Charge
	require.NoError(t, json.Unmarshal([]byte(`{"object":"charge","id":"chrg_1","amount":100,"currency":"thb"}`), &ch))
	assert.Equal(t, instore.THB, ch.Currency)
	p := &instore.Payment{Acquirer: instore.OmiseAcquirerName, ID: ch.ID, RequestID: "r", Status: instore.StatusSucceeded,
		Amount: instore.Money{Amount: ch.Amount, Currency: ch.Currency}}
	c := omiseCheckout(t, instoretest.NewOmiseT(t))
	_, err := c.Refund(t.Context(), p, instore.Money{Amount: 100, Currency: instore.THB})
	assert.NotErrorIs(t, err, instore.ErrInvalidRequest, "the currencies match")
}

// Rule 2: the cashier gives up while the pay is still in flight: it reaches
// the acquirer 500 ms later, after the cashier's context ended at 200 ms.
// "Not found" in answer to the first cancel proves nothing: the payment
// that lands is found and cancelled, or reported paid (a charge that
// succeeds at once cannot be cancelled); an acquirer that closes the
// request id (Alipay+) refuses the late pay, so there it is cancelled
// whatever the customer did. Never "check later": every case has a final
// answer that matches the acquirer's ledger.
func TestRuleCashierGivesUpWithThePayInFlight(t *testing.T) {
	t.Parallel()
	late := instoretest.Fault{Kind: instoretest.FaultLate, Delay: 500 * time.Millisecond}
	for _, name := range rigNames {
		// closesRequestID: the acquirer refuses a pay that arrives after a
		// cancel of its request id (Alipay+).
		closesRequestID := name == "alipayplus"
		for _, outcome := range []instoretest.Outcome{instoretest.Succeed, instoretest.NeverCompletes} {
			want := instore.StatusCancelled
			if outcome == instoretest.Succeed && !closesRequestID {
				// The late charge succeeded at once and cannot be
				// cancelled: the answer must say so.
				want = instore.StatusSucceeded
			}
			t.Run(name+"/"+string(outcome), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					rg := startRig(t, name)
					rg.sim.InjectFault(rg.payAt, 1, late)
					if name == "alipayplus" {
						// The first cancel is answered "not found" (F), which
						// closes nothing; the next is S, which does.
						rg.sim.InjectFault(instoretest.AlipayPlusCancel, 1, instoretest.Fault{Kind: instoretest.FaultNotFound})
					}
					ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
					defer cancel()
					p, err := rg.checkout.Collect(ctx, &instore.CollectRequest{
						Code: instoretest.AlipayCode(outcome, 2), Amount: rg.amount, RequestID: "rule-2",
					})
					time.Sleep(time.Minute) // whatever is late has landed
					entries := rg.sim.Payments("rule-2")
					require.NoError(t, err, "ledger %+v", entries)
					assert.Equal(t, want, p.Status, "ledger %+v", entries)
					assert.Equal(t, want == instore.StatusSucceeded, instoretest.Captures(entries) > 0,
						"reported %s; the money taken must match: %+v", p.Status, entries)
					assert.NotEqual(t, "charge_not_found", p.FailureCode, "a late charge is not 'not found'")
				})
			})
		}
	}
}

// Rule 4 at the acquirer, for a caller without the Checkout's journal: an
// Omise or PPRO refund retried under the same refund request id looks the
// first one up before sending another.
func TestRuleAcquirerRefundLooksTheFirstUp(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"omise", "ppro"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rg := startRig(t, name)
				acq := rg.acquirer
				paid, err := acq.Pay(t.Context(), &instore.PayRequest{
					RequestID: "rule-4a", Code: mustCode(t, instoretest.AlipayCode(instoretest.Succeed, 41)), Amount: rg.amount,
				})
				require.NoError(t, err)
				require.Equal(t, instore.StatusSucceeded, paid.Status)
				paid.RequestID, paid.Amount = "rule-4a", rg.amount
				half := rg.half()

				rg.sim.InjectFault(rg.refundAt, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
				first, err1 := acq.Refund(t.Context(), paid, half, "rule-4a-r")
				r, err := acq.Refund(t.Context(), paid, half, "rule-4a-r")
				require.NoError(t, err)
				assert.Equal(t, instore.StatusSucceeded, r.Status)
				assert.Len(t, rg.sim.Refunds("rule-4a"), 1, "refunded once")
				if err1 == nil {
					assert.Equal(t, r.ID, first.ID, "the same refund both times")
				} else {
					require.ErrorIs(t, err1, instore.ErrOutcomeUnknown, "the first answer was lost")
				}
			})
		})
	}
}

func mustCode(t *testing.T, raw string) instore.PaymentCode {
	t.Helper()
	c, err := instore.ClassifyPaymentCode(raw)
	require.NoError(t, err)
	return c
}
