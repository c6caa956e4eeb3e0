package instoreotel_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
)

const s = time.Second

// collectAttrs are the attributes an Omise Collect's span starts with.
func collectAttrs(requestID string, amount int64) map[string]any {
	return attrs(
		instoreotel.OperationKey.String("collect"),
		instoreotel.RequestIDKey.String(requestID),
		instoreotel.AcquirerKey.String("omise"),
		instoreotel.WalletKey.String("alipay"),
		instoreotel.PaymentMethodKey.String("alipayplus_upm"),
		instoreotel.CurrencyKey.String("THB"),
		instoreotel.AmountKey.Int64(amount),
	)
}

// ended are the attributes an operation's span ends with.
func ended(outcome string, inquiries, cancels int, more ...attribute.KeyValue) map[string]any {
	return join(attrs(
		instoreotel.OutcomeKey.String(outcome),
		instoreotel.InquiriesKey.Int(inquiries),
		instoreotel.CancelsKey.Int(cancels),
	), attrs(more...))
}

// call is the span of a call to the Omise acquirer.
func call(kind string, attempt int, at time.Duration, status string, end ...attribute.KeyValue) spanView {
	return spanView{
		Name: "instore.acquirer." + kind, At: at, Status: status,
		Attrs: join(attrs(instoreotel.AcquirerKey.String("omise"), instoreotel.CallKey.String(kind), instoreotel.CallAttemptKey.Int(attempt)), attrs(end...)),
	}
}

// answered is how a call that got an answer with status st ends.
func answered(st instore.PaymentStatus) []attribute.KeyValue {
	return []attribute.KeyValue{instoreotel.CallResultKey.String("answered"), instoreotel.PaymentStatusKey.String(string(st))}
}

func event(name string, at time.Duration, kvs ...attribute.KeyValue) eventView {
	return eventView{Name: name, At: at, Attrs: attrs(kvs...)}
}

const (
	// omiseSale labels the metric points of an Omise Collect, outcome
	// aside.
	omiseSale = "instore.acquirer=omise,instore.currency=THB,instore.operation=collect,"
	omiseUPM  = "instore.payment_method=alipayplus_upm,instore.wallet=alipay}"
)

func salePoints(outcome, duration string) []string {
	labels := "{" + omiseSale + "instore.outcome=" + outcome + "," + omiseUPM
	return []string{
		"instore.sale.duration" + labels + " " + duration,
		"instore.sales" + labels + " 1",
	}
}

func callPoints(kind, result string, n int) []string {
	labels := "{instore.acquirer=omise,instore.call=" + kind + ",instore.call.result=" + result + "}"
	// The in-process simulator answers in no virtual time.
	return []string{
		"instore.acquirer.call.duration" + labels + " count=" + strconv.Itoa(n) + " sum=0 (-inf,0.005]=" + strconv.Itoa(n),
		"instore.acquirer.calls" + labels + " " + strconv.Itoa(n),
	}
}

// outcomeCase is one sale through the Omise simulator and the telemetry it
// must leave, exactly.
type outcomeCase struct {
	name    string
	outcome instoretest.Outcome
	opts    []instore.CheckoutOption
	// arrange runs before the sale, in the bubble: faults, a notification,
	// the cashier giving up (cancel ends the sale's context).
	arrange func(sim *instoretest.Omise, c *instore.Checkout, cancel context.CancelFunc)
	// want is the span tree and the metric points, given what Collect
	// returned.
	want func(p *instore.Payment, err error) ([]spanView, []string)
}

var shortSchedule = instore.Schedule{Inquiry: []time.Duration{s}, Cancel: []time.Duration{s}}

var outcomeCases = []outcomeCase{
	{
		name:    "succeeded on the second inquiry",
		outcome: instoretest.ConfirmOnInquiry(2),
		want: func(p *instore.Payment, _ error) ([]spanView, []string) {
			return []spanView{{
					Name: "instore.collect", Took: 5 * s,
					Attrs: join(collectAttrs("sale-1", 12345), ended("succeeded", 2, 0, instoreotel.PaymentIDKey.String(p.ID))),
					Events: []eventView{
						event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
					},
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusPending)...),
						call("inquiry", 1, 2*s, "", answered(instore.StatusPending)...),
						call("inquiry", 2, 5*s, "", answered(instore.StatusSucceeded)...),
					},
				}}, concat(
					callPoints("inquiry", "answered", 2),
					callPoints("pay", "answered", 1),
					salePoints("succeeded", "count=1 sum=5 (3,5]=1"),
					[]string{"instore.sales.pending_recovery{} 0"},
				)
		},
	},
	{
		name:    "failed: declined at once",
		outcome: instoretest.DeclineInsufficientBalance,
		want: func(p *instore.Payment, _ error) ([]spanView, []string) {
			return []spanView{{
					Name: "instore.collect",
					Attrs: join(collectAttrs("sale-1", 12345), ended("failed", 0, 0,
						instoreotel.PaymentIDKey.String(p.ID), instoreotel.FailureCodeKey.String("insufficient_balance"))),
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusFailed)...),
					},
				}}, concat(
					callPoints("pay", "answered", 1),
					salePoints("failed", "count=1 sum=0 (-inf,0.1]=1"),
					[]string{"instore.sales.pending_recovery{} 0"},
				)
		},
	},
	{
		name:    "cancelled: never confirmed within the schedule",
		outcome: instoretest.NeverCompletes,
		opts:    []instore.CheckoutOption{instore.WithSchedule(shortSchedule)},
		want: func(p *instore.Payment, _ error) ([]spanView, []string) {
			return []spanView{{
					Name: "instore.collect", Took: s,
					Attrs: join(collectAttrs("sale-1", 12345), ended("cancelled", 1, 1,
						instoreotel.PaymentIDKey.String(p.ID))),
					Events: []eventView{
						event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
						event("instore.cancelling", s, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(1)),
					},
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusPending)...),
						call("inquiry", 1, s, "", answered(instore.StatusPending)...),
						call("cancel", 1, s, "", answered(instore.StatusCancelled)...),
					},
				}}, concat(
					callPoints("cancel", "answered", 1),
					callPoints("inquiry", "answered", 1),
					callPoints("pay", "answered", 1),
					salePoints("cancelled", "count=1 sum=1 (0.5,1]=1"),
					[]string{"instore.sales.pending_recovery{} 0"},
				)
		},
	},
	{
		name:    "unresolved: every cancel answered 503",
		outcome: instoretest.NeverCompletes,
		opts:    []instore.CheckoutOption{instore.WithSchedule(shortSchedule)},
		arrange: func(sim *instoretest.Omise, _ *instore.Checkout, _ context.CancelFunc) {
			sim.InjectFault(instoretest.OmiseExpireCharge, 10, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
		},
		want: func(p *instore.Payment, err error) ([]spanView, []string) {
			var unresolved *instore.UnresolvedError
			if !errors.As(err, &unresolved) || unresolved.Err == nil {
				return nil, nil // the assertions on err fail first
			}
			cancelFailed := "Error: " + unresolved.Err.Error()
			cancelEnd := []attribute.KeyValue{instoreotel.CallResultKey.String("unknown"), attribute.String("error.type", "outcome_unknown")}
			return []spanView{{
					Name: "instore.collect", Took: 2 * s, Status: "Error: " + err.Error(),
					Attrs: join(collectAttrs("sale-1", 12345), ended("unresolved", 1, 2,
						instoreotel.PaymentIDKey.String(p.ID), attribute.String("error.type", "payment_unresolved"))),
					Events: []eventView{
						event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
						event("instore.cancelling", s, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(1)),
						event("instore.cancelling", 2*s, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(2)),
					},
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusPending)...),
						call("inquiry", 1, s, "", answered(instore.StatusPending)...),
						call("cancel", 1, s, cancelFailed, cancelEnd...),
						call("cancel", 2, 2*s, cancelFailed, cancelEnd...),
					},
				}}, concat(
					callPoints("cancel", "unknown", 2),
					callPoints("inquiry", "answered", 1),
					callPoints("pay", "answered", 1),
					salePoints("unresolved", "count=1 sum=2 (1,2]=1"),
					[]string{
						// The unresolved sale waits for Recover in the Checkout's
						// memory journal.
						"instore.sales.pending_recovery{} 1",
						"instore.sales.unresolved{" + omiseSale + omiseUPM + " 1",
					},
				)
		},
	},
	{
		name:    "cashier abort: the sale's context ends after the first inquiry",
		outcome: instoretest.NeverCompletes,
		arrange: func(_ *instoretest.Omise, _ *instore.Checkout, cancel context.CancelFunc) {
			time.AfterFunc(3*s, cancel)
		},
		want: func(p *instore.Payment, _ error) ([]spanView, []string) {
			return []spanView{{
					Name: "instore.collect", Took: 3 * s,
					Attrs: join(collectAttrs("sale-1", 12345), ended("cancelled", 1, 1,
						instoreotel.PaymentIDKey.String(p.ID), instoreotel.AbandonedKey.Bool(true))),
					Events: []eventView{
						event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
						event("instore.cancelling", 3*s, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(1)),
					},
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusPending)...),
						call("inquiry", 1, 2*s, "", answered(instore.StatusPending)...),
						call("cancel", 1, 3*s, "", answered(instore.StatusCancelled)...),
					},
				}}, concat(
					callPoints("cancel", "answered", 1),
					callPoints("inquiry", "answered", 1),
					callPoints("pay", "answered", 1),
					salePoints("cancelled", "count=1 sum=3 (2,3]=1"),
					[]string{"instore.sales.pending_recovery{} 0"},
				)
		},
	},
	{
		name:    "notified early: the customer confirms at 3 s, a webhook at 3.5 s brings the second inquiry forward",
		outcome: instoretest.ConfirmAfter(3 * s),
		arrange: func(_ *instoretest.Omise, c *instore.Checkout, _ context.CancelFunc) {
			time.AfterFunc(3500*time.Millisecond, func() { c.Notify("sale-1") })
		},
		want: func(p *instore.Payment, _ error) ([]spanView, []string) {
			return []spanView{{
					Name: "instore.collect", Took: 3500 * time.Millisecond,
					Attrs: join(collectAttrs("sale-1", 12345), ended("succeeded", 2, 0, instoreotel.PaymentIDKey.String(p.ID))),
					Events: []eventView{
						event("instore.pending", 0, instoreotel.PaymentStatusKey.String("pending")),
						event("instore.notified", 3500*time.Millisecond, instoreotel.PaymentStatusKey.String("pending"), instoreotel.CallAttemptKey.Int(2)),
					},
					Children: []spanView{
						call("pay", 1, 0, "", answered(instore.StatusPending)...),
						call("inquiry", 1, 2*s, "", answered(instore.StatusPending)...),
						call("inquiry", 2, 3500*time.Millisecond, "", answered(instore.StatusSucceeded)...),
					},
				}}, concat(
					callPoints("inquiry", "answered", 2),
					callPoints("pay", "answered", 1),
					salePoints("succeeded", "count=1 sum=3.5 (3,5]=1"),
					[]string{"instore.sales.pending_recovery{} 0"},
				)
		},
	},
}

// TestCollectOutcomes runs one sale per outcome and checks its span tree
// (names, parents, times, statuses, attributes, events) and every metric
// point, exactly.
func TestCollectOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range outcomeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				tm := newTelemetry()
				sim := instoretest.NewOmiseT(t)
				c := omiseCheckout(t, sim, append([]instore.CheckoutOption{tm.option()}, tc.opts...)...)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tc.arrange != nil {
					tc.arrange(sim, c, cancel)
				}

				p, err := c.Collect(ctx, &instore.CollectRequest{
					Code: instoretest.AlipayCode(tc.outcome, 7), Amount: thb(12345), RequestID: "sale-1",
				})
				require.NotNil(t, p)
				if errors.Is(err, instore.ErrPaymentUnresolved) {
					require.Equal(t, instore.StatusUnknown, p.Status)
				} else {
					require.NoError(t, err)
				}

				wantSpans, wantPoints := tc.want(p, err)
				assert.Equal(t, wantSpans, tm.tree(t))
				assert.Equal(t, slices.Sorted(slices.Values(wantPoints)), tm.points(t))
			})
		})
	}
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
