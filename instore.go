// Package instore takes in-store wallet payments: the cashier scans the
// payment code a customer's wallet app shows (Alipay, Alipay+ partner
// wallets, WeChat Pay), and instore charges it through the merchant's
// acquirer, follows the payment to a final state within a bounded time and
// refunds it later.
//
// # Start here
//
// A till server needs five calls; the rest of the package is underneath
// them:
//
//   - [NewCheckout], once: a route per wallet to an [Acquirer] ([WithRoute],
//     [WithPresentRoute]) and a [Journal] ([WithJournal]).
//   - [Checkout.Collect]: a sale with a scanned code, to a final answer.
//   - [Checkout.Present], then [Presentment.Wait]: a sale with a QR code the
//     customer scans.
//   - [Checkout.Refund]: all or part of a payment back, safe to retry with
//     [WithRefundRequestID].
//   - [Checkout.Lookup]: a sale by its request id, for a till that
//     reconnects or a sale left "check later".
//
// Webhooks and notifications only speed a sale up: [Checkout.Notify] with
// [Event.PaymentIDs] (Omise), or the PaymentIDs of an alipayplus or ppro
// Notification, wakes the sale they are about. [Payment] and [Money]
// encode as JSON in a stable shape a service can return. Errors from every
// acquirer package match this package's sentinels, so that errors.Is with
// package instore alone classifies them. The module's examples/tillserver
// is a till server built on these calls: the integration to copy.
//
// # One call per sale
//
// A [Checkout] routes each wallet to an [Acquirer] ([NewOmiseAcquirer] here,
// alipayplus.NewAcquirer for Alipay+ / Antom direct, ppro.NewAcquirer for
// PPRO) and turns a scanned code
// and an amount into a final answer:
//
//	checkout, err := instore.NewCheckout(
//		instore.WithRoute(instore.WalletAlipay, omiseAcquirer, instore.MethodAlipayPlusUPM),
//	)
//	...
//	p, err := checkout.Collect(ctx, &instore.CollectRequest{Code: scanned, Amount: amount})
//	switch {
//	case errors.Is(err, instore.ErrPaymentUnresolved):
//		// "check later": look it up by p.RequestID
//	case err != nil:
//		// refused before or by the acquirer, never a decline: no money moved
//	case p.Status == instore.StatusSucceeded:
//		// paid
//	default:
//		// declined (failed, p.FailureCode says why) or cancelled
//	}
//
// The rule: a nil error means the payment is final and its Status says
// what happened, a decline included; beside any error but
// ErrPaymentUnresolved no money moved, and the payment is nil when nothing
// was sent. The README's decision table lists every outcome.
//
// Collect classifies the code ([ClassifyPaymentCode]), checks the amount
// against the method's [Limits] before anything is sent, pays with a 5 s
// deadline, inquires about an outcome that is not final on Antom's schedule
// (2, 3, 3, 5, 5, 5, 5, 5, 5 s), then cancels, retrying the cancel on 2, 3,
// 3, 5, 5 s. A payment that can be neither confirmed nor cancelled ends in an
// [*UnresolvedError]. Once a cancel was sent only the acquirer's answer to
// it can report the payment succeeded; a late notification cannot. Every
// call ends within its window, so a Collect never takes longer than
// [Schedule.WorstCase]: 71 s with the defaults, 3 min 50 s on PPRO's.
//
// When the till shows a QR code instead, [Checkout.Present] creates the
// payment and returns what to show (a [QRCode]), and [Presentment.Wait]
// follows it to a final state with the same inquire-then-cancel rules, on a
// schedule suited to a customer still opening the app.
//
// # A sale outlives the process that took it
//
// A Checkout records every sale in a [Journal] before its pay leaves the
// machine, and every change of state before acting on it. Collect is
// idempotent by request id: a sale on record as final is returned as
// stored, with no request sent; one left unfinished by a process that died
// is resumed at the inquiry step, never paid again; the same id with
// another amount is refused ([ErrRequestIDReused]). [Checkout.Lookup]
// answers a till that reconnects; [Checkout.Recover] resolves what a dead
// process left, safely from several processes at once. Refunds are
// journaled too, and one retried under the same refund request id
// ([WithRefundRequestID]) never refunds twice.
//
// Without [WithJournal] the journal is a [MemoryJournal]: the guarantees
// hold for the life of the process, and a restart forgets them. Package
// journal keeps them on disk (SQLite, one till) or in PostgreSQL (a fleet).
//
// # The rules that keep money safe
//
//   - A request that may move money is sent again only when it provably
//     never left the machine (net/http's trace shows it was not written) or
//     when the acquirer deduplicates it (Alipay+ by paymentRequestId). Once
//     any attempt may have reached the acquirer, the call's error matches
//     [ErrOutcomeUnknown], whatever later attempts did: the payment is
//     looked up, never sent again. net/http itself never replays a request
//     with a body (the SDK gives it nothing to replay with). The Omise
//     acquirer finds a charge whose creation was lost by the request id it
//     writes in the charge's metadata ([RequestIDMetadataKey]), and its
//     amount.
//   - An acquirer's answer is compared with the sale (request id, payment
//     id, amount, currency); one about another payment is ignored and
//     logged, never taken as the sale's result.
//   - "No such payment" in answer to a cancel proves nothing where the
//     acquirer cannot close a request id (Omise, PPRO): a pay still in flight
//     may land after it. Such a sale is unresolved until the payment shows
//     up or the arrival horizon ([WithArrivalHorizon]) has passed. An
//     Alipay+ cancel answered S closes the request id, so it is a cancel.
//   - Amounts are int64 minor units ([Money]); parsing and printing use
//     integer arithmetic.
//   - Payment codes are one-time secrets: a [PaymentCode] prints masked
//     everywhere, and no error or log line carries a code, a key or a
//     signature.
//   - Every call takes a [context.Context] first; clients are immutable after
//     construction and safe for concurrent use; there is no package-level
//     mutable state.
//
// # The pieces underneath
//
// The root package holds the classifier, [Money] and [Limits]; the typed
// Omise REST client, which the Omise acquirer is built on and which a
// program may use alone ([Client] with its Sources, Charges, Refunds, Events and
// Documents services); Omise webhook verification and an endpoint ([WebhookHandler]);
// the [Acquirer] contract and [Checkout]. Package alipayplus is
// the Alipay+ / Antom consumer-presented client, package ppro the PPRO
// Simple API client for Alipay in-store, and package instoretest runs
// in-process simulators of the acquirers, with fault injection and a ledger
// of what really happened, for tests and examples.
//
// A barcode charge through the Omise client alone looks like this:
//
//	client, err := instore.NewClient(os.Getenv("OMISE_SECRET_KEY"))
//	if err != nil {
//		return err
//	}
//	charge, err := client.Charges.Create(ctx, &instore.ChargeParams{
//		Amount:   400000, // 4,000.00 THB in satang
//		Currency: instore.THB,
//		Source: &instore.SourceParams{
//			Type:      instore.SourceAlipayPlusUPM,
//			Barcode:   scanned,
//			StoreID:   "BKK-01",
//			StoreName: "Sukhumvit",
//		},
//		Metadata: map[string]string{instore.RequestIDMetadataKey: requestID},
//	})
//	switch {
//	case errors.Is(err, instore.ErrOutcomeUnknown):
//		// The charge may exist: look it up by its metadata, never create it again.
//	case err != nil:
//		return err
//	}
package instore

// Version is the version of this module, sent in the User-Agent header.
const Version = "0.1.0"
