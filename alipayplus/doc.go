// Package alipayplus takes in-store payments through Alipay+ and Antom in
// consumer-presented mode: the cashier scans the payment code the customer's
// wallet shows (Alipay, AlipayHK, Kakao Pay, GCash, TrueMoney and the other
// Alipay+ wallets) and the client charges it, looks it up, cancels it or
// refunds it, and verifies the result notifications the gateway posts.
//
// A sale looks like this:
//
//	key, err := alipayplus.ParsePrivateKey(os.Getenv("ALIPAY_MERCHANT_KEY"))
//	// ...
//	alipayKey, err := alipayplus.ParsePublicKey(os.Getenv("ALIPAY_PUBLIC_KEY"))
//	// ...
//	client, err := alipayplus.NewClient(clientID, key, alipayKey)
//	// ...
//	resp, err := client.Pay(ctx, &alipayplus.PayRequest{
//		PaymentRequestID: saleID, // the idempotency key: keep it with the sale
//		PaymentCode:      scanned,
//		Amount:           instore.Money{Amount: 1000, Currency: instore.JPY},
//		Order: alipayplus.Order{
//			Description: "Coffee",
//			Merchant: alipayplus.Merchant{
//				ReferenceMerchantID: "M1", Name: "Kissa", MCC: "5814",
//				Store: alipayplus.Store{ReferenceStoreID: "S1", Name: "Shibuya", MCC: "5814"},
//			},
//		},
//		TerminalID: "till-3",
//	})
//	switch {
//	case err != nil:
//		// No trustworthy answer. If errors.Is(err, instore.ErrOutcomeUnknown),
//		// the payment may exist: inquire with saleID, then cancel.
//	case resp.Result.Succeeded():
//		// Paid. resp.PaymentID is needed to cancel or refund.
//	case resp.Result.ShouldInquire():
//		// U: inquire with saleID every few seconds, then cancel.
//	default:
//		// F: not paid; resp.Result.ResultCode says why.
//	}
//
// # Order codes
//
// The same pay call takes merchant-presented payments ("C scans B"): with
// Scenario [ScenarioOrderCode] and no PaymentCode, the gateway answers U
// (the payment waits for the customer) with an order code,
// PayResponse.OrderCodeForm; show [OrderCodeForm.QRCodeValue] as a QR code,
// then inquire and cancel as for a U answer. [Acquirer.Present] does this
// for instore.Checkout.Present.
//
// # Flavours
//
// Two APIs share one envelope and one signature scheme. [FlavorAntom], the
// default, is the Antom merchant API: /ams/api/v1/payments/pay,
// inquiryPayment, cancel and refund, with productCode IN_STORE_PAYMENT; a
// client id starting "SANDBOX_" is sent to /ams/sandbox/api/... instead.
// [FlavorACQP] is the Alipay+ API for licensed acquirers:
// /aps/api/v1/payments/pay, inquiryPayment, cancelPayment and refund, with
// paymentFactor.isInStorePayment. InquiryResponse.PaymentStatus reads the
// same for both.
//
// # How long a sale takes, and what a cancel proves
//
// Through instore.Checkout a sale follows Antom's schedule: inquiries
// after 2, 3, 3, 5, 5, 5, 5, 5 and 5 s, then a cancel retried after 2, 3, 3,
// 5 and 5 s. Every call ends within its phase, so with every request
// hanging a Collect returns after at most 5 + 38 + 5 + 18 + 5 = 71 s
// (instore.Schedule.WorstCase). Inquiries and cancels name the payment by
// its paymentRequestId alone. A cancel answered S closes that id: Antom
// refuses or refunds a pay that arrives after it, so the sale is cancelled.
// A cancel answered F ORDER_NOT_EXIST closes nothing, and is not taken as a
// cancel. REPEAT_REQ_INCONSISTENT is a refusal of the new request
// (instore.ErrRequestIDReused): the id belongs to another payment, which is
// neither inquired about, cancelled nor refunded on the new sale's behalf.
//
// # Trusting results
//
// Every request is signed with the merchant key (SHA256withRSA over
// "POST <path>\n<Client-Id>.<Request-Time>.<body>"), and every response is
// verified with the Alipay key before it is believed. The rules:
//
//   - A signed result, S, F or U, is returned as a response with a nil
//     error. S is final; an F is final too (the money was not taken) unless
//     its code says otherwise, which [Result.FinalFailure] and
//     [Result.ShouldInquire] tell; U is unknown.
//   - An error means there is no result to trust: no answer, a non-2xx
//     status without a signed result, a body that is not the envelope, a
//     signature that does not verify ([ErrInvalidSignature]), or no
//     signature at all ([ErrUnsignedResponse]). Gateways send some F and U
//     errors unsigned; those come as an [*UnverifiedResultError] that keeps
//     the result code for diagnostics, but are never taken as final.
//   - For Pay, Cancel and Refund, an error where the request may have been
//     processed matches [instore.ErrOutcomeUnknown]: look the payment up,
//     or repeat the call with the same request id, never send it under a
//     new one. InquiryPayment changes nothing, so its errors never match it.
//   - Bad input is refused before anything is sent ([*ValidationError]).
//
// Calls are idempotent by their request ids, so network errors, 429 and 5xx
// are retried (twice by default) with the same bytes. Each attempt is
// bounded by WithTimeout (5 s by default); the context bounds the whole
// call.
//
// After a lost or U answer, Antom's guidance is to inquire every few seconds
// for up to about a minute, then cancel. A cancel is allowed until 00:15
// UTC+8 on the day after the payment ([CancelDeadline]); after it, Cancel
// answers CANCEL_WINDOW_EXCEED and the payment must be refunded.
//
// Keys, signatures and payment codes never appear in errors or logs.
package alipayplus
