// Package instoreotel turns a Checkout's sales into OpenTelemetry traces and
// metrics, so that an engineer on call sees from a dashboard how many sales
// end unresolved, how long customers wait, which acquirer is slow or
// failing, and the path of one slow sale through its pay, inquiries and
// cancel.
//
// The rules it keeps:
//
//   - No secret reaches telemetry. Attributes come from what a Checkout
//     tells its [instore.Observer] (the merchant's request ids, the acquirer,
//     wallet, method, amount and statuses), never from a request or an
//     answer: no payment code, key, signature or customer identifier can be
//     in a span or a metric point. Span status descriptions are the
//     operations' error strings, which the SDK keeps free of them too.
//   - Telemetry switched off costs nothing: when the tracer provider does
//     not record the operation's span and the meter provider has no reader
//     (both no-ops, or the global providers never set), the Checkout is told
//     to watch nothing more of the sale, and no attribute is ever built.
//   - The root package stays free of OpenTelemetry; only this package, and
//     the programs that import it, depend on it.
//
// One option instruments a Checkout, with the providers given or the global
// ones (otel.GetTracerProvider, otel.GetMeterProvider):
//
//	checkout, err := instore.NewCheckout(
//		instore.WithRoute(instore.WalletAlipay, acquirer, instore.MethodAlipayPlusUPM),
//		instoreotel.Instrument(
//			instoreotel.WithTracerProvider(tp),
//			instoreotel.WithMeterProvider(mp),
//		),
//	)
//
// The instrumentation scope is named by this package's import path,
// [ScopeName], with the module's version.
//
// # Traces
//
// Each operation on a sale is a span of kind internal: instore.collect,
// instore.present, instore.wait, instore.refund, instore.lookup, and
// instore.recover for each sale Recover takes over. Its children are the
// calls to the acquirer, one span each: instore.acquirer.pay, .present,
// .inquiry, .cancel, .refund and .find_refund. HTTP client spans, with
// [NewTransport], are children of those. Input a Checkout refuses before it
// routes a sale (a code it cannot read, an amount outside the limits, a
// malformed request id) makes no span: nothing was sold and nothing sent.
//
// An operation span carries instore.operation, instore.request_id,
// instore.acquirer, instore.wallet, instore.payment_method,
// instore.currency and instore.amount (and instore.refund.request_id for a
// refund); instore.outcome, instore.inquiries and instore.cancels (the
// calls made); instore.payment.id (instore.refund.id for a refund) and
// instore.failure_code when the acquirer gave them; instore.abandoned when
// the caller's context ended first (the cashier gave up); and error.type,
// with an error status whose description is the error's text, when the
// operation returned an error. Its events are the steps a dashboard cannot
// read from the call spans: instore.pending, instore.notified (a
// notification brought an inquiry forward), instore.cancelling,
// instore.presented, and instore.anomaly for an answer ignored because it
// cannot be about this sale (the call and the reason, never the answer).
// A call span carries instore.acquirer, instore.call,
// instore.call.attempt, instore.call.result and, for an answer,
// instore.payment.status; an error sets error.type and the status. Every
// attribute is set when the span ends, in one write: a sampler sees the
// span's name only.
//
// The amount is an int attribute in minor units beside the currency: it is
// not personal data, and the exact figure is what ties a slow sale on a
// dashboard to the till's receipt, which a bucket would not. It is never a
// metric attribute: every amount would be a series of its own.
//
// Outcomes (instore.outcome): succeeded, failed and cancelled (the final
// status), unresolved (neither confirmed nor cancelled: the error matches
// instore.ErrPaymentUnresolved, or Lookup found the sale so), pending (a
// Present whose code is shown, a Lookup or a refund not final yet), and
// error (the operation ended with an error and no payment: a journal
// failure, a request id in progress or reused). Call results
// (instore.call.result): answered (whatever the status), not_found, unknown
// (no trustworthy answer: may have been processed), timeout, canceled, and
// refused (any other error: the request was refused or never sent).
// error.type is one of payment_unresolved, not_presented, outcome_unknown,
// payment_not_found, refund_not_found, sale_not_found, request_in_progress,
// request_id_reused, invalid_request, no_route, rate_limited,
// authentication, timeout, canceled, api_error (another answer of Omise's
// API), or _OTHER.
//
// # Metrics
//
//	name                               instrument        unit     attributes
//	instore.sales                      counter           {sale}   operation, acquirer, wallet, payment_method, currency, outcome
//	instore.sale.duration              histogram         s        the same
//	instore.sales.unresolved           counter           {sale}   operation, acquirer, wallet, payment_method, currency
//	instore.refunds                    counter           {refund} acquirer, wallet, payment_method, currency, outcome
//	instore.acquirer.calls             counter           {call}   acquirer, call, result
//	instore.acquirer.call.duration     histogram         s        the same
//	instore.sales.pending_recovery     gauge (observed)  {sale}   none
//
// (attribute names without their instore. prefix). A sale is counted once,
// when the operation that ends it ends: a Collect, a Wait, a Recover of the
// sale, or a Present that did not leave its code to a Wait (refused,
// cancelled, unresolved, or paid before it was shown). An operation that
// answered from the journal without a call (a Collect or a Refund retried
// under a settled id) counts nothing again; one that failed before any step
// with no payment counts as outcome error. instore.sale.duration is the
// duration of the operation that ended the sale: for a QR sale, the Wait.
// Its buckets run from 0.1 s to 5 min (the default schedule's worst case is
// 71 s); a call's from 5 ms to 10 s.
//
// instore.sales.pending_recovery counts, at each collection, the sales the
// Checkout's journal holds as not final with no live owner (what
// Checkout.Recover would take over), with Journal.Stale. It reads at most
// [PendingRecoveryCap] sales: a value of that size means at least that
// many. Several Checkouts that share an Observer and a journal count it
// once; give Checkouts with different journals one Observer
// (instore.WithObserver(o)) rather than one Instrument each, as two
// Observers on one meter provider would each report the gauge.
//
// # HTTP client spans
//
// [NewTransport] wraps an http.RoundTripper with otelhttp, for the SDK's
// clients (instore.WithHTTPClient, alipayplus.WithHTTPClient,
// ppro.WithHTTPClient):
//
//	hc := &http.Client{Transport: instoreotel.NewTransport(http.DefaultTransport)}
//	client, err := instore.NewClient(key, instore.WithHTTPClient(hc))
//
// The clients learn from net/http's httptrace hooks whether a failed request
// was ever written, which decides whether it may be sent again; otelhttp
// passes those hooks through, so a POST that failed before it was written
// is still retried, and one that may have arrived is still an unknown
// outcome, looked up rather than sent again. NewTransport adds two defaults
// to otelhttp's: it makes no span for an Omise document download, whose
// URL path carries a download token that otelhttp would record in url.full,
// and it sends no trace context to the acquirers (they are third parties).
// Options given after those override them. Wrapping with otelhttp.NewTransport
// directly works too, with those two caveats.
package instoreotel
