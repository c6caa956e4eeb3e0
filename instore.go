// Package instore takes in-store wallet payments: the cashier scans the
// payment code a customer's wallet app shows (Alipay, Alipay+ partner
// wallets, WeChat Pay), and instore charges it through the merchant's
// acquirer, follows the payment to a final state within a bounded time and
// refunds it later.
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
//		// "check later": reconcile by p.RequestID
//	case err != nil:
//		// refused before or by the acquirer: no money moved
//	default:
//		// p.Status is succeeded, failed or cancelled
//	}
//
// Collect classifies the code ([ClassifyPaymentCode]), checks the amount
// against the method's [Limits] before anything is sent, pays with a 5 s
// deadline, inquires about an outcome that is not final on Antom's schedule
// (2, 3, 3, 5, 5, 5, 5, 5, 5 s), then cancels, retrying the cancel on 2, 3,
// 3, 5, 5 s. A payment that can be neither confirmed nor cancelled ends in an
// [*UnresolvedError]. Once a cancel was sent only the acquirer's answer to
// it can report the payment succeeded; a late notification cannot.
//
// When the till shows a QR code instead, [Checkout.Present] creates the
// payment and returns what to show (a [QRCode]), and [Presentment.Wait]
// follows it to a final state with the same inquire-then-cancel rules, on a
// schedule suited to a customer still opening the app.
//
// # The rules that keep money safe
//
//   - A request that may move money is sent again only when it provably
//     never left the machine (net/http's trace shows it was not written) or
//     when the acquirer deduplicates it (Alipay+ by paymentRequestId). Any
//     other failure after sending matches [ErrOutcomeUnknown]: the payment is
//     looked up, never sent again. The Omise acquirer finds a charge whose
//     creation was lost by the request id it writes in the charge's metadata
//     ([RequestIDMetadataKey]).
//   - Amounts are int64 minor units ([Money]); parsing and printing use
//     integer arithmetic.
//   - Payment codes are one-time secrets: a [PaymentCode] prints masked
//     everywhere, and no error or log line carries a code, a key or a
//     signature.
//   - Every call takes a [context.Context] first; clients are immutable after
//     construction and safe for concurrent use; there is no package-level
//     mutable state.
//
// # The pieces
//
// The root package holds the classifier, [Money] and [Limits]; the typed
// Omise client ([Client] with its Sources, Charges, Refunds, Events and
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
