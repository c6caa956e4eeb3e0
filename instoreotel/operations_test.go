package instoreotel_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
)

// TestPresentAndWait: a QR sale is two spans, Present's and Wait's, and
// one sale in the metrics, counted when Wait ends it.
func TestPresentAndWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim, tm.option())

		pr, err := c.Present(t.Context(), &instore.PresentRequest{Wallet: instore.WalletAlipay, Amount: thb(5000), RequestID: "qr-1"})
		require.NoError(t, err)
		time.AfterFunc(4*s, func() { assert.NoError(t, sim.PayPresented("qr-1")) })
		p, err := pr.Wait(t.Context())
		require.NoError(t, err)
		require.Equal(t, instore.StatusSucceeded, p.Status)

		qr := func(op string) map[string]any {
			return attrs(instoreotel.OperationKey.String(op), instoreotel.RequestIDKey.String("qr-1"), instoreotel.AcquirerKey.String("omise"),
				instoreotel.WalletKey.String("alipay"), instoreotel.PaymentMethodKey.String("alipayplus_mpm"), instoreotel.CurrencyKey.String("THB"), instoreotel.AmountKey.Int64(5000))
		}
		mpm := func(kind string, attempt int, at time.Duration, st instore.PaymentStatus) spanView {
			return call(kind, attempt, at, "", answered(st)...)
		}
		assert.Equal(t, []spanView{
			{
				Name:   "instore.present",
				Attrs:  join(qr("present"), ended("pending", 0, 0, instoreotel.PaymentIDKey.String(p.ID))),
				Events: []eventView{event("instore.presented", 0, instoreotel.PaymentStatusKey.String("pending"))},
				Children: []spanView{
					mpm("present", 1, 0, instore.StatusPending),
				},
			},
			{
				Name: "instore.wait", Took: 6 * s,
				Attrs: join(qr("wait"), ended("succeeded", 2, 0, instoreotel.PaymentIDKey.String(p.ID))),
				Children: []spanView{
					mpm("inquiry", 1, 3*s, instore.StatusPending),
					mpm("inquiry", 2, 6*s, instore.StatusSucceeded),
				},
			},
		}, tm.tree(t))

		labels := "{instore.acquirer=omise,instore.currency=THB,instore.operation=wait,instore.outcome=succeeded,instore.payment_method=alipayplus_mpm,instore.wallet=alipay}"
		assert.Equal(t, slices.Sorted(slices.Values(concat(
			callPoints("present", "answered", 1),
			callPoints("inquiry", "answered", 2),
			[]string{
				"instore.sale.duration" + labels + " count=1 sum=6 (5,7.5]=1",
				"instore.sales" + labels + " 1",
				"instore.sales.pending_recovery{} 0",
			},
		))), tm.points(t))
	})
}

// TestRefundAndRetries: a refund is a span with its call; a Collect and a
// Refund retried under ids already settled are spans with no call, and
// are not counted again.
func TestRefundAndRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim, tm.option())
		req := &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 3), Amount: thb(12345), RequestID: "sale-1"}

		p, err := c.Collect(t.Context(), req)
		require.NoError(t, err)
		r, err := c.Refund(t.Context(), p, thb(2345), instore.WithRefundRequestID("rf-1"))
		require.NoError(t, err)
		again, err := c.Collect(t.Context(), req)
		require.NoError(t, err)
		require.Equal(t, p.ID, again.ID)
		r2, err := c.Refund(t.Context(), p, thb(2345), instore.WithRefundRequestID("rf-1"))
		require.NoError(t, err)
		require.Equal(t, r.ID, r2.ID)

		refundAttrs := join(collectAttrs("sale-1", 2345), attrs(instoreotel.OperationKey.String("refund"), instoreotel.RefundRequestIDKey.String("rf-1")))
		assert.Equal(t, []spanView{
			{
				Name:     "instore.collect",
				Attrs:    join(collectAttrs("sale-1", 12345), ended("succeeded", 0, 0, instoreotel.PaymentIDKey.String(p.ID))),
				Children: []spanView{call("pay", 1, 0, "", answered(instore.StatusSucceeded)...)},
			},
			{
				Name:     "instore.refund",
				Attrs:    join(refundAttrs, ended("succeeded", 0, 0, instoreotel.RefundIDKey.String(r.ID))),
				Children: []spanView{call("refund", 1, 0, "", answered(instore.StatusSucceeded)...)},
			},
			{
				Name:  "instore.collect",
				Attrs: join(collectAttrs("sale-1", 12345), ended("succeeded", 0, 0, instoreotel.PaymentIDKey.String(p.ID))),
			},
			{
				Name:  "instore.refund",
				Attrs: join(refundAttrs, ended("succeeded", 0, 0, instoreotel.RefundIDKey.String(r.ID))),
			},
		}, tm.tree(t))

		assert.Equal(t, slices.Sorted(slices.Values(concat(
			callPoints("pay", "answered", 1),
			callPoints("refund", "answered", 1),
			salePoints("succeeded", "count=1 sum=0 (-inf,0.1]=1"),
			[]string{
				"instore.refunds{instore.acquirer=omise,instore.currency=THB,instore.outcome=succeeded," + omiseUPM + " 1",
				"instore.sales.pending_recovery{} 0",
			},
		))), tm.points(t))
	})
}

// TestLookupAndRecover: an unresolved sale is pending recovery; Lookup
// inquires about it (a span, no sale counted); Recover resolves it (a
// span, a sale counted under recover) and the gauge drops to zero.
func TestLookupAndRecover(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim, tm.option(), instore.WithSchedule(shortSchedule))
		sim.InjectFault(instoretest.OmiseExpireCharge, 2, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})

		p, err := c.Collect(t.Context(), &instore.CollectRequest{
			Code: instoretest.AlipayCode(instoretest.NeverCompletes, 5), Amount: thb(12345), RequestID: "sale-1",
		})
		require.ErrorIs(t, err, instore.ErrPaymentUnresolved)
		assert.Contains(t, tm.points(t), "instore.sales.pending_recovery{} 1")
		tm.spans.Reset()

		looked, err := c.Lookup(t.Context(), "sale-1")
		require.NoError(t, err)
		require.Equal(t, instore.StatusUnknown, looked.Status)
		report, err := c.Recover(t.Context())
		require.NoError(t, err)
		require.Len(t, report.Sales, 1)
		require.Equal(t, instore.StatusCancelled, report.Sales[0].Payment.Status)

		at := 2 * s // the unresolved Collect took 2 s
		assert.Equal(t, []spanView{
			{
				Name: "instore.lookup", At: at,
				Attrs:    join(collectAttrs("sale-1", 12345), attrs(instoreotel.OperationKey.String("lookup")), ended("unresolved", 1, 0, instoreotel.PaymentIDKey.String(p.ID))),
				Children: []spanView{call("inquiry", 1, at, "", answered(instore.StatusPending)...)},
			},
			{
				Name: "instore.recover", At: at,
				Attrs: join(collectAttrs("sale-1", 12345), attrs(instoreotel.OperationKey.String("recover")), ended("cancelled", 0, 1, instoreotel.PaymentIDKey.String(p.ID))),
				Events: []eventView{
					event("instore.pending", at, instoreotel.PaymentStatusKey.String("unknown")),
					event("instore.cancelling", at, instoreotel.PaymentStatusKey.String("unknown"), instoreotel.CallAttemptKey.Int(1)),
				},
				Children: []spanView{call("cancel", 1, at, "", answered(instore.StatusCancelled)...)},
			},
		}, tm.tree(t))

		points := tm.points(t)
		assert.Contains(t, points, "instore.sales.pending_recovery{} 0")
		recovered := "{instore.acquirer=omise,instore.currency=THB,instore.operation=recover,instore.outcome=cancelled," + omiseUPM
		assert.Contains(t, points, "instore.sales"+recovered+" 1")
		assert.Contains(t, points, "instore.sale.duration"+recovered+" count=1 sum=0 (-inf,0.1]=1")
	})
}

// anomalous is an acquirer whose inquiries answer about another sale.
type anomalous struct{}

func (anomalous) Name() string { return "scripted" }

func (anomalous) Pay(_ context.Context, req *instore.PayRequest) (*instore.Payment, error) {
	return &instore.Payment{ID: "pay-1", RequestID: req.RequestID, Status: instore.StatusPending}, nil
}

func (anomalous) Inquire(context.Context, *instore.Payment) (*instore.Payment, error) {
	return &instore.Payment{ID: "pay-1", RequestID: "someone-else", Status: instore.StatusSucceeded}, nil
}

func (anomalous) Cancel(_ context.Context, p *instore.Payment) (*instore.Payment, error) {
	return &instore.Payment{ID: p.ID, Status: instore.StatusCancelled}, nil
}

func (anomalous) Refund(context.Context, *instore.Payment, instore.Money, string) (*instore.Payment, error) {
	return nil, instore.ErrInvalidRequest
}

// TestAnomalyEvent: an answer the Checkout ignores is an event naming the
// call and the reason, never the answer's values.
func TestAnomalyEvent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		c, err := instore.NewCheckout(
			instore.WithRoute(instore.WalletAlipay, anomalous{}, instore.MethodAlipayPlusUPM),
			instore.WithSchedule(shortSchedule), tm.option())
		require.NoError(t, err)
		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(10000), RequestID: "sale-1"})
		require.NoError(t, err)
		require.Equal(t, instore.StatusCancelled, p.Status)

		tree := tm.tree(t)
		require.Len(t, tree, 1)
		assert.Equal(t, []eventView{
			event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
			event("instore.anomaly", s, instoreotel.CallKey.String("inquiry"), instoreotel.AnomalyReasonKey.String("answer names another request id")),
			event("instore.cancelling", s, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(1)),
		}, tree[0].Events)
		for _, v := range append(tree[0].Children, tree[0]) {
			for k, val := range v.Attrs {
				assert.NotEqual(t, "someone-else", val, "%s on %s", k, v.Name)
			}
		}
		inquiry := tree[0].Children[1]
		assert.Equal(t, "instore.acquirer.inquiry", inquiry.Name)
		// The call span reports what the acquirer answered; the sale's span
		// shows it was not believed.
		assert.Equal(t, "succeeded", inquiry.Attrs[string(instoreotel.PaymentStatusKey)])
		assert.Equal(t, "cancelled", tree[0].Attrs[string(instoreotel.OutcomeKey)])
	})
}

// TestPresentNotPresented: a QR code Present could not show ends the
// present span with the payment its *PresentError carries, so the span
// tells the outcome the till was given, not an error with no payment.
func TestPresentNotPresented(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim, tm.option())
		// The charge is made, its answer lost: no code to show, so Present
		// cancels it.
		sim.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})

		_, err := c.Present(t.Context(), &instore.PresentRequest{Wallet: instore.WalletAlipay, Amount: thb(5000), RequestID: "qr-lost"})
		var pe *instore.PresentError
		require.ErrorAs(t, err, &pe)
		require.NotNil(t, pe.Payment)
		require.Equal(t, instore.StatusCancelled, pe.Payment.Status)

		spans := tm.tree(t)
		require.Len(t, spans, 1)
		assert.Equal(t, "instore.present", spans[0].Name)
		assert.Equal(t, "cancelled", spans[0].Attrs[string(instoreotel.OutcomeKey)])
		assert.Equal(t, pe.Payment.ID, spans[0].Attrs[string(instoreotel.PaymentIDKey)])
	})
}
