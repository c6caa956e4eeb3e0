package instoreotel

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/instorepay/instore"
)

// Metric names, in the style of the OpenTelemetry semantic conventions:
// dotted, the unit in the instrument, not the name.
const (
	// MetricSales counts the sales that ended, by operation, acquirer,
	// wallet, payment method, currency and outcome.
	MetricSales = "instore.sales"
	// MetricSaleDuration is how long the operation that ended a sale took,
	// in seconds, with MetricSales's attributes.
	MetricSaleDuration = "instore.sale.duration"
	// MetricSalesUnresolved counts the sales that ended unresolved, by
	// operation, acquirer, wallet, payment method and currency.
	MetricSalesUnresolved = "instore.sales.unresolved"
	// MetricRefunds counts the refunds sent, by acquirer, wallet, payment
	// method, currency and outcome.
	MetricRefunds = "instore.refunds"
	// MetricAcquirerCalls counts the calls to the acquirers, by acquirer,
	// call and result.
	MetricAcquirerCalls = "instore.acquirer.calls"
	// MetricAcquirerCallDuration is how long each call took, in seconds,
	// with MetricAcquirerCalls's attributes.
	MetricAcquirerCallDuration = "instore.acquirer.call.duration"
	// MetricSalesPendingRecovery is the number of sales the journal holds as
	// not final with no live owner, what Checkout.Recover would take over.
	MetricSalesPendingRecovery = "instore.sales.pending_recovery"
)

// saleDurationBounds suit a sale from a tenth of a second (paid at once) to
// five minutes (a QR code the customer is slow to scan); the default
// schedule's inquiries fall at 2, 5, 8, 13 ... 38 s and its worst case is
// 71 s.
func saleDurationBounds() []float64 {
	return []float64{0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300}
}

// callDurationBounds are the semantic conventions' HTTP client buckets,
// 5 ms to 10 s, which hold the 5 s pay and call timeouts.
func callDurationBounds() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
}

// instruments are the synchronous instruments of an Observer, and the
// measurement options of the attribute sets seen so far.
type instruments struct {
	sales        metric.Int64Counter
	saleDuration metric.Float64Histogram
	unresolved   metric.Int64Counter
	refunds      metric.Int64Counter
	calls        metric.Int64Counter
	callDuration metric.Float64Histogram

	// Building an attribute set (a sort and an allocation) costs more than
	// the measurement it labels, and every label comes from a small set:
	// the Checkout's acquirers, wallets and methods, the currencies its
	// limits allow, and fixed vocabularies. Each set is built once.
	saleSets, refundSets, unresolvedSets, callSets sync.Map // labels -> *measureOptions
}

// measureOptions are the options that label a measurement with one
// attribute set, as the slices Add and Record take. An option passed
// alone to an instrument's variadic method is a slice made at each call
// (the instrument is an interface, so the slice escapes); a slice made
// once and passed whole is not.
type measureOptions struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

// saleLabels label a sale's metric points.
type saleLabels struct {
	op                                 instore.Operation
	acquirer, wallet, method, currency string
	outcome                            string
}

// callLabels label a call's metric points.
type callLabels struct {
	acquirer string
	call     instore.CallKind
	result   string
}

// options returns the measurement options of the attributes that key
// stands for in m, building them the first time.
func options[K comparable](m *sync.Map, key K, attrs func(K) []attribute.KeyValue) *measureOptions {
	if opts, ok := m.Load(key); ok {
		return opts.(*measureOptions)
	}
	opt := metric.WithAttributeSet(attribute.NewSet(attrs(key)...))
	opts, _ := m.LoadOrStore(key, &measureOptions{add: []metric.AddOption{opt}, record: []metric.RecordOption{opt}})
	return opts.(*measureOptions)
}

func (l callLabels) attrs() []attribute.KeyValue {
	return []attribute.KeyValue{
		AcquirerKey.String(l.acquirer),
		CallKey.String(string(l.call)),
		CallResultKey.String(l.result),
	}
}

// attrs are the attributes of instore.sales; the outcome is left out for
// instore.sales.unresolved, and the operation for instore.refunds.
func (l saleLabels) attrs(withOp, withOutcome bool) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, 6)
	if withOp {
		out = append(out, OperationKey.String(string(l.op)))
	}
	out = append(out,
		AcquirerKey.String(l.acquirer),
		WalletKey.String(l.wallet),
		PaymentMethodKey.String(l.method),
		CurrencyKey.String(l.currency),
	)
	if withOutcome {
		out = append(out, OutcomeKey.String(l.outcome))
	}
	return out
}

func newInstruments(m metric.Meter) (*instruments, error) {
	var in instruments
	var err error
	if in.sales, err = m.Int64Counter(MetricSales, metric.WithUnit("{sale}"),
		metric.WithDescription("Sales that ended, by outcome.")); err != nil {
		return nil, err
	}
	if in.saleDuration, err = m.Float64Histogram(MetricSaleDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the operation that ended a sale."),
		metric.WithExplicitBucketBoundaries(saleDurationBounds()...)); err != nil {
		return nil, err
	}
	if in.unresolved, err = m.Int64Counter(MetricSalesUnresolved, metric.WithUnit("{sale}"),
		metric.WithDescription("Sales that ended neither confirmed nor cancelled.")); err != nil {
		return nil, err
	}
	if in.refunds, err = m.Int64Counter(MetricRefunds, metric.WithUnit("{refund}"),
		metric.WithDescription("Refunds sent, by outcome.")); err != nil {
		return nil, err
	}
	if in.calls, err = m.Int64Counter(MetricAcquirerCalls, metric.WithUnit("{call}"),
		metric.WithDescription("Calls to the acquirers, by call and result.")); err != nil {
		return nil, err
	}
	if in.callDuration, err = m.Float64Histogram(MetricAcquirerCallDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the calls to the acquirers."),
		metric.WithExplicitBucketBoundaries(callDurationBounds()...)); err != nil {
		return nil, err
	}
	return &in, nil
}

// enabled reports whether any instrument records: false for a no-op meter
// provider and for the global one before an SDK is set.
func (in *instruments) enabled(ctx context.Context) bool {
	return in.sales.Enabled(ctx) || in.saleDuration.Enabled(ctx) || in.unresolved.Enabled(ctx) ||
		in.refunds.Enabled(ctx) || in.calls.Enabled(ctx) || in.callDuration.Enabled(ctx)
}

// recordCall records one call to the acquirer.
func (in *instruments) recordCall(ctx context.Context, acquirer string, call instore.CallKind, result string, d time.Duration) {
	opts := options(&in.callSets, callLabels{acquirer, call, result}, callLabels.attrs)
	in.calls.Add(ctx, 1, opts.add...)
	in.callDuration.Record(ctx, d.Seconds(), opts.record...)
}

// recordEnd records the end of an operation that ended a sale or a
// refund: see endsSale.
func (in *instruments) recordEnd(ctx context.Context, op instore.Operation, sale instore.SaleInfo, out string, d time.Duration) {
	l := saleLabels{op, sale.Acquirer, string(sale.Wallet), string(sale.Method), string(sale.Amount.Currency), out}
	if op == instore.OpRefund {
		in.refunds.Add(ctx, 1, options(&in.refundSets, l, func(l saleLabels) []attribute.KeyValue { return l.attrs(false, true) }).add...)
		return
	}
	opts := options(&in.saleSets, l, func(l saleLabels) []attribute.KeyValue { return l.attrs(true, true) })
	in.sales.Add(ctx, 1, opts.add...)
	in.saleDuration.Record(ctx, d.Seconds(), opts.record...)
	if out == outcomeUnresolved {
		in.unresolved.Add(ctx, 1, options(&in.unresolvedSets, l, func(l saleLabels) []attribute.KeyValue { return l.attrs(true, false) }).add...)
	}
}

// endsSale reports whether an operation's end is the end of a sale (or of
// a refund) for the metrics, so that each sale is counted once:
//
//   - Collect, Wait and the Recover of a sale end it; so does a Present,
//     unless it showed its code (pending), which its Wait ends.
//   - Lookup reads a sale; it ends none.
//   - An operation that answered from the journal without a step or a call
//     (a Collect or Refund retried under an id already settled, a Wait on a
//     payment Present settled) ended nothing new. One that failed before
//     any step with no payment (the journal failing, the request id in
//     progress or reused) is counted, with the outcome error: that is what
//     the till saw.
func endsSale(op instore.Operation, out string, acted, hasPayment bool) bool {
	switch op {
	case instore.OpLookup:
		return false
	case instore.OpPresent:
		if out == outcomePending {
			return false
		}
	}
	return acted || !hasPayment
}
