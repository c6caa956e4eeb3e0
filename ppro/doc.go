// Package ppro takes Alipay in-store payments through PPRO's Payment Gateway
// ("Simple API"), for merchants whose tills are in Switzerland or the United
// Kingdom: the cashier scans the customer's Alipay code, and the client sends
// a TRANSACTION with tag alipayconsumerbarcode, follows it with GETTXSTATUS,
// cancels it with CANCELTX, refunds it with REFUND, and verifies the
// notifications PPRO posts when a transaction reaches SUCCEEDED or FAILED.
//
// A sale looks like this:
//
//	client, err := ppro.NewClient(ppro.Credentials{
//		Login: login, Password: password, ContractID: contract, Channel: channel,
//	}, ppro.WithHTTPClient(mtlsClient)) // PPRO requires a client certificate
//	// ...
//	resp, err := client.Transaction(ctx, &ppro.TransactionRequest{
//		MerchantTxID:      saleID, // unique; keep it with the sale
//		Amount:            instore.Money{Amount: 1250, Currency: instore.CHF},
//		BuyerIdentityCode: scanned,
//		StoreID:           "ZRH-01",
//		StoreName:         "Zurich Bahnhofstrasse",
//		NotificationURL:   "https://pos.example.ch/ppro/notify",
//	})
//	switch {
//	case errors.Is(err, instore.ErrOutcomeUnknown):
//		// It may exist: find it with StatusByMerchantTxID(saleID). Never
//		// send it again; PPRO would take the money twice.
//	case err != nil:
//		// Nothing was created.
//	case resp.Status == ppro.StatusPending:
//		// The customer confirms in the app: poll Status(resp.TxID) at
//		// least 5 s apart, or wait for the notification; cancel after 3 min.
//	}
//
// For a whole checkout (classify, limits, pay, inquire, cancel) use
// NewAcquirer with instore.Checkout and instore.WithRoute(instore.WalletAlipay,
// acquirer, instore.MethodPPROAlipay).
//
// # Money safety
//
// PPRO deduplicates neither merchanttxid nor merchantrefundid. A TRANSACTION
// or REFUND is therefore sent at most once: it is sent again only when the
// request provably never left the machine, and every failure after which it
// may have arrived (a network error, a timeout, a 5xx, a body that is not
// PPRO's) is an error matching instore.ErrOutcomeUnknown. The outcome is then
// looked up by the merchant id. Status calls change nothing; they are retried
// freely and their errors never match instore.ErrOutcomeUnknown. CANCELTX is
// retried too, since cancelling twice is refused and harmless.
//
// # How long a sale takes
//
// The Acquirer's schedule (Acquirer.Schedule) polls every 5 s for the
// 3-minute session, then cancels, retrying after 5, 10, 10 and 10 s; a
// notification brings a poll forward no sooner than 5 s after the last.
// Through instore.Checkout, every call ends within its phase, so with every
// request hanging a Collect returns after at most the pay timeout (5 s),
// the session and one call timeout (180 + 5 s), and the cancel's waits and
// one call timeout (35 + 5 s): 3 min 50 s (instore.Schedule.WorstCase).
// CANCELTX needs the txid; a transaction that cannot be found by the
// merchanttxid is not cancelled by that answer, since a TRANSACTION still
// in flight may land after it: the sale is then unresolved, for
// Checkout.Recover to settle once the arrival horizon has passed.
//
// # FAILED is not always final
//
// PPRO warns that a FAILED transaction can turn SUCCEEDED later, depending
// on the scheme (never the reverse). The Acquirer, and so instore.Checkout,
// decides as follows:
//
//   - FAILED with a reason that says "no" (USER_ABORT, LOCAL_DECLINE,
//     REMOTE_DECLINE, INPUT_DATA, CANCELED; see FailReason.Definitive), or
//     with no transaction created (TXID=0), is final at once.
//   - FAILED with a reason that says "something went wrong" (UNKNOWN,
//     TIMEOUT, LOCAL_ERROR, REMOTE_ERROR, none, or one PPRO adds later) is
//     reported pending until the 3-minute session is over, so the checkout
//     keeps inquiring and catches a quick change to SUCCEEDED; after the
//     session, or at the cancel that closes it, it is failed, with
//     FAILREASON in Payment.FailureCode.
//   - A change to SUCCEEDED after that is a late success. PPRO notifies it
//     like any other change: NotificationHandler fetches the status and hands
//     it to your function, and Acquirer.Inquire on the failed payment then
//     reports it succeeded. The POS must reconcile it: refund the payment or
//     accept the sale. ppro.FailReason(p.FailureCode).Definitive() tells
//     which failed payments can still change.
//
// # Uncertain wire facts
//
// Nothing here was tried against a PPRO host. These facts come from partial
// copies of PPRO's documentation and are kept as named constants, each
// citing its source; confirm them during onboarding:
//
//   - the Payment Gateway URL and path (DefaultBaseURL, TestBaseURL);
//   - the notification hash formula (NotificationHash, the likely one by
//     analogy with PPRO's other checksums) and the phrase PPRO expects in
//     the acknowledgement (DefaultNotificationAck);
//   - merchanttxid's format (MaxMerchantTxIDLen: kept within
//     merchantrefundid's 40 characters of letters, digits, '.', ',', '-',
//     '_');
//   - TRANSACTION amounts as int32 minor units, as REFUND documents them;
//   - the countrycode/currency pairs CH/CHF and GB/GBP;
//   - whether alipayconsumerbarcode supports CANCELTX, and how a refused
//     cancel of a completed payment looks: the client reads REQUESTSTATUS and
//     STATUS (and a REQUESTFAILREASON of CannotCancel, the seed document's
//     word), never ERRMSG;
//   - the txtype GETREFUNDSTATUSBYMERCHANTREFUNDID (PPRO's common-parameter
//     table says GETREFUNDBYMERCHANTREFUNDID);
//   - the HTTP status of error answers (expected 200 with a FAILED body;
//     any 5xx is treated as an unknown outcome, any other non-2xx as a
//     refusal of the attempt it answers, which leaves the outcome unknown
//     when an earlier attempt may have arrived);
//   - the meaning of the RAND<digits> key, which is kept opaque in Other.
//
// The password, the notification secrets and payment codes never appear in
// logs or error strings; Credentials hides the password when printed.
package ppro
