// Package instore takes in-store wallet payments: the cashier scans the
// payment code a customer's wallet app shows (Alipay, Alipay+ partner
// wallets, WeChat Pay), and instore charges it through the merchant's
// acquirer, follows the payment to a final state within a bounded time and
// refunds it later.
//
// The root package holds the pieces every payment passes through:
//
//   - the payment-code classifier ([ClassifyPaymentCode]), money in integer
//     minor units ([Money]) and the per-method limits table ([Limits]);
//   - a typed client for the Opn Payments (Omise) REST API ([Client]) with
//     its sources, charges, refunds and events;
//   - Omise webhook verification.
//
// The Alipay+ / Antom client lives in package alipayplus, the PPRO client in
// package ppro, and in-process simulators of all of them in package
// instoretest, so that a sale can be tried with no account and no network.
//
// A barcode charge through Omise looks like this:
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
//		Metadata: map[string]string{"request_id": requestID},
//	})
//	switch {
//	case errors.Is(err, instore.ErrOutcomeUnknown):
//		// The charge may exist: look it up by request_id, never create it again.
//	case err != nil:
//		return err
//	}
//
// Every call takes a [context.Context] first; clients are immutable after
// construction and safe for concurrent use. Secrets and payment codes never
// appear in errors or logs.
package instore

// Version is the version of this module, sent in the User-Agent header.
const Version = "0.1.0"
