// Package instoretest runs in-process simulators of the acquirers instore
// talks to, so that a sale, a refund and a webhook can be tried with no
// account and no network, the way net/http/httptest serves HTTP tests.
//
// [Omise] simulates the Opn Payments (Omise) REST API for in-store wallet
// charges; [AlipayPlus] simulates the Alipay+ consumer-presented mode APIs,
// in both flavours (Antom /ams/api/v1/payments/... and Alipay+ ACQP
// /aps/api/v1/payments/...). They are an independent implementation of the
// wire protocols, written from the published documentation: they parse
// requests with net/url and encoding/json and check Basic auth, form bodies
// and RSA signatures with their own code, never with the clients' encoders or
// signers, so that a bug in a client fails a test instead of passing it.
//
// # Two ways in
//
// Every simulator can be reached two ways:
//
//   - URL returns the base URL of a loopback httptest server (started on
//     first use). Requests travel over real sockets; a dropped connection is
//     a real hijacked and closed connection.
//   - HTTPClient returns an *http.Client whose transport calls the simulator
//     directly, whatever the host in the request URL: no socket, no
//     goroutine. It fires the net/http/httptrace hooks a client relies on
//     (GetConn, GotConn, WroteHeaders, WroteRequest, GotFirstResponseByte),
//     honours the request's context, and is what a test inside a
//     testing/synctest bubble must use: a goroutine blocked on a socket
//     stops virtual time.
//
// Omise.Client and AlipayPlus.Client return the SDK's own clients already
// pointed at a simulator through HTTPClient (base URL InProcessURL), with its
// keys; pass the clients' WithBaseURL(URL()) and WithHTTPClient options to
// go over the socket instead.
//
// Everything that takes time (delayed answers, payments the customer
// confirms after a while, delivery retries) uses package time, so it runs on
// virtual time inside a bubble; create the simulator inside the bubble that
// uses it, and deliver webhooks there with HandlerClient. Close stops the server, the timers and the
// deliveries in flight, and returns when nothing is left running; NewOmiseT
// and NewAlipayPlusT close the simulator when the test ends.
//
//	o := instoretest.NewOmiseT(t)
//	form := url.Values{
//		"amount":          {"10000"},
//		"currency":        {"THB"},
//		"source[type]":    {"alipayplus_upm"},
//		"source[barcode]": {instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), 1)},
//		"metadata[instore_request_id]": {"sale-1"},
//	}
//	req, _ := http.NewRequestWithContext(ctx, "POST", "http://omise.invalid/charges", strings.NewReader(form.Encode()))
//	req.SetBasicAuth(o.SecretKey(), "")
//	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
//	resp, err := o.HTTPClient().Do(req) // pending; the second GET /charges/:id sees it successful
//	...
//	entries := o.Payments("sale-1") // the truth, for the test's assertions
//
// # Outcomes
//
// What happens to a payment is chosen by the last two digits of its payment
// code (AlipayCode and WeChatCode build valid codes ending in an [Outcome]),
// unless Script gives that code a [Plan] of its own. A payment that stays
// pending answers pending (Omise charge status "pending"; Alipay+ pay U
// PAYMENT_IN_PROCESS, inquiry U or PROCESSING) until it completes.
//
//	digits  outcome                                        Omise failure_code       Alipay+ resultCode
//	00      succeeds at once                               -                        -
//	1n      succeeds when inquired for the nth time        -                        -
//	        (10: the 10th)
//	2n      succeeds n seconds after it was made           -                        -
//	        (20: 10 s), on its own, with a webhook
//	31      fails at once: payer cancelled                 payment_cancelled        ORDER_IS_CANCELED
//	32      fails at once: processing failure              failed_processing        PROCESS_FAIL
//	33      fails at once: insufficient balance            insufficient_balance     USER_BALANCE_NOT_ENOUGH
//	34      fails at once: rejected                        payment_rejected         RISK_REJECT
//	35      fails at once: code or payment expired         payment_expired          EXPIRED_CODE
//	36      fails at once: payer took no action            timeout                  ORDER_IS_CLOSED
//	37      fails at once: over a limit                    insufficient_fund        USER_AMOUNT_EXCEED_LIMIT
//	38      fails at once: fraud / invalid code            failed_fraud_check       INVALID_CODE
//	39      fails at once: account problem                 invalid_account_number   USER_STATUS_ABNORMAL
//	4n      pending, then fails as 3n when first inquired  (as 3n)                  (as 3n)
//	99      never completes: the client must cancel        -                        -
//	other   succeeds at once                               -                        -
//
// An inquiry is GET /charges/:id (Omise) or inquiryPayment (Alipay+). The
// Alipay+ simulator accepts only Alipay-family codes (16 to 24 digits
// starting 25 to 30) and answers INVALID_CODE to others, WeChat Pay codes
// included; route those through Omise (wechat_pay_upm, barcode_wechat).
//
// # Merchant-presented payments
//
// A QR sale has no payment code, so the digits above do not apply. The
// Omise simulator serves alipayplus_mpm (THB, SGD, MYR) and wechat_pay_mpm
// (THB) sources: POST /sources (public or secret key), then POST /charges
// with source=src_… (or an inline source[type]) gives a pending charge whose
// source.scannable_code.image.download_uri points back at the simulator;
// GET it with the secret key for an SVG picture of a QR code (not
// scannable). The Alipay+ simulator answers a pay with
// paymentFactor.inStorePaymentScenario OrderCode and no paymentMethodId
// with U PAYMENT_IN_PROCESS and an orderCodeForm whose TEXT code detail is
// the order code; the order closes (ORDER_IS_CLOSED) at paymentExpiryTime,
// 5 minutes by default. Both wait for the customer:
//
//   - PayPresented(id) and DeclinePresented(id, code) play the customer
//     who scanned and paid, or whose wallet refused, by request id or by
//     the acquirer's id; they fail once the payment is no longer pending
//     (cancelled first, say).
//   - ScriptPresented(requestID, plan), set before the payment is made,
//     gives it a Plan as Script does for a code: paid or declined after
//     Plan.After, or when inquired for the Plan.Inquiries-th time.
//   - Without either the customer never scans: the payment stays pending
//     until the merchant cancels it or it expires (Omise: failed with
//     timeout at expires_at, 24 hours by default).
//
// # Faults
//
// InjectFault scripts the next n requests to an [Endpoint]; SetRandomFaults
// makes a share of them fail, drawn from a source seeded with WithSeed and
// keyed by the sale a request is about, so that the nth request about one
// sale meets the same fault however many sales run beside it (what a fault
// leaves to chance, a Jitter or a ForeignAny, is drawn the same way).
// ChaosFaults returns a documented mix of every kind, for chaos tests. Each
// request's fault is in the request log (Requests). The kinds
// ([FaultKind]), by what the client can tell:
//
//   - Late answers: FaultDelay processes the request at once and holds the
//     answer; FaultLate holds the request itself and processes it later on
//     a timer of the simulator's, whether or not the client still waits
//     (a request stuck in a proxy queue that lands after the cashier gave
//     up).
//   - No answer: FaultDropBefore drops the connection before processing
//     (in process: never written); FaultDropAfter after processing (the
//     payment happened, the answer is lost); FaultTruncated sends half the
//     answer. With Fault.Reset the socket server closes with a TCP RST
//     (ECONNRESET) instead of a FIN.
//   - FaultStreamReset processes the request and resets its HTTP/2 stream
//     with PROTOCOL_ERROR, which Go's HTTP/2 client retries by itself when
//     it can rewind the body: in process always (the transport replays as
//     net/http would), over the socket with WithHTTP2 and a client that
//     speaks HTTP/2 cleartext. The payment is made twice unless the
//     protocol deduplicates it.
//   - Answers that are not the acquirer's: 500, 502 or 503 with an HTML
//     page (FaultStatus), 429 with Retry-After (FaultRateLimit), 200 with
//     HTML (FaultNonJSON); for Alipay+ an unsigned answer, a broken
//     signature, or a U result.
//   - Answers that lie: FaultForeign answers about another payment (another
//     amount, currency, id or sale's request id, or a negative amount; see
//     [ForeignField]), processed or not; FaultNotFound answers the
//     endpoint's "not found" for a payment that exists, as a lagging
//     replica would.
//   - FaultStorm serves the request, then delivers 20 (Fault.Count)
//     webhooks or notifications about its payment within 200 ms
//     (Fault.Spread).
//
// Faults apply to every endpoint, refunds included. Deliveries are logged
// (Deliveries) as they are sent, and completed when their answer comes.
//
// # The ledger
//
// Payments, PaymentsByCode, AllPayments and RequestIDs tell the truth about
// what the simulated acquirer did, as [LedgerEntry] values: per request id
// (the Omise charge metadata instore_request_id, the Alipay+
// paymentRequestId) how many payments were made, whether each is captured
// (succeeded and not cancelled), refunded, pending, failed or cancelled. A
// checkout test asserts with it that every request id was captured at most
// once and that the answer the SDK gave equals the truth. Refunds and
// AllRefunds list the refunds as [RefundEntry] values, with the refund
// request id the merchant sent (Omise metadata instore_refund_request_id,
// Alipay+ refundRequestId, PPRO merchantrefundid), so that a test checks
// that a sale's refunds never exceed what was asked and that no refund
// request id was refunded twice.
//
// # Rules the simulators enforce
//
// Omise: Basic auth with the secret key (the public key too on POST
// /sources), else 401 authentication_failure; a known Omise-Version; form
// bodies only; amount and currency present, within the country limits and
// supported by the source type, and equal to an existing source's; a barcode
// for barcode sources; expire only a pending charge (failed_expire
// otherwise, the charge unchanged); refunds only on a successful charge,
// within the unrefunded amount, at most 15; a full refund before 00:15 UTC+8
// on the next day is a void; refunds keep their metadata, which GET
// /charges/:id/refunds lists; an event per state change, delivered signed
// (Omise-Signature, a hex HMAC-SHA256 over "<timestamp>.<body>" keyed with
// the base64-decoded webhook secret) to WithWebhookURL, retried while the
// receiver fails. Charges that stay pending fail with timeout once their
// expires_at (24 hours by default) has passed.
//
// Alipay+: a Client-Id equal to ClientID and a valid signature on every
// request, else an unsigned F (INVALID_SIGNATURE on /aps, SIGNATURE_INVALID
// on /ams, CLIENT_INVALID); every other answer signed, with Response-Time;
// string-only JSON fields, no empty strings; pay idempotent by
// paymentRequestId (REPEAT_REQ_INCONSISTENT when amount, method, code,
// scenario or settlement currency differ, the payment untouched);
// ORDER_NOT_EXIST for unknown payments; cancel until 00:15 UTC+8 on the next
// day (CANCEL_WINDOW_EXCEED after; a cancel of a paid payment refunds it).
// A cancel answered S closes the paymentRequestId, as Antom documents: a
// cancel by paymentRequestId succeeds even when no payment exists yet under
// it, and a pay arriving after it is refused with F ORDER_IS_CLOSED and
// charges nothing (it makes no ledger entry; Closed reports the id); only
// FaultNotFound still answers ORDER_NOT_EXIST to such a cancel. Refunds
// are idempotent by refundRequestId and within the paid amount
// (REFUND_AMOUNT_EXCEED). A signed notifyPayment goes to the request's
// paymentNotifyUrl or WithNotifyURL when a payment reaches S or F, retried
// until acknowledged with result S. The wall clock for these windows is
// settable (WithClock).
//
// # PPRO
//
// [PPRO] simulates PPRO's Payment Gateway ("Simple API") for Alipay in-store
// consumer barcode payments: every call is a form POST (any path) whose
// txtype names the [Endpoint]; PPRO.Client returns the SDK's ppro client
// pointed at it. It parses requests with net/url and checks: a form
// Content-Type, no key given twice, returnmode=urlencodeext, the login,
// password and contract id (else TXID=0, and AUTH_ERROR on the calls that
// answer REQUESTSTATUS); for TRANSACTION the channel, tag
// alipayconsumerbarcode, countrycode and currency CH/CHF or GB/GBP, a
// positive int32 amount, merchanttxid (optional) and merchantrefundid within
// 40 of [a-zA-Z0-9.,-_], specin.buyeridentitycode, specin.storeid (at most
// 32 of [0-9a-zA-Z-_]), specin.storename, at most 29 specin keys. A refused
// TRANSACTION creates nothing (FAILED, INPUT_DATA, TXID=0); a code that is
// not Alipay's creates a transaction that fails with REMOTE_DECLINE.
//
// Answers are urlencodeext: key=value pairs in an order that changes from
// answer to answer, with an opaque RAND<digits> key among them. The rules:
// no deduplication of merchanttxid, so a TRANSACTION sent twice makes two
// transactions (Payments shows both: that is what a checkout test must never
// see); GETTXSTATUSBYMERCHANTTXID compares ids without regard to case and
// answers TX_NOT_FOUND or TX_NOT_UNIQUE; CANCELTX cancels only a PENDING
// transaction (FAILED with CANCELED) and answers any other with
// REQUESTSTATUS=FAILED and the transaction unchanged; REFUND only on a
// SUCCEEDED transaction, in its currency, within what is left, with no
// deduplication of merchantrefundid either (GETREFUNDSTATUSBYMERCHANTREFUNDID,
// also called GETREFUNDBYMERCHANTREFUNDID, finds a refund by it, so that a
// client can look before it refunds again). When a transaction becomes
// SUCCEEDED or FAILED the simulator posts txid, finaltimestamp and
// sha256hash to its notificationurl (or WithNotifyURL), signed with
// NotificationSecret by the likely formula sha256(hex(sha256(txid "."
// finaltimestamp)) "." secret), retried until a 200 answer.
//
// Outcomes follow the table above, with PPRO's FAILREASON for each decline:
// 31 USER_ABORT, 32 REMOTE_ERROR, 34 LOCAL_DECLINE, 36 TIMEOUT, the others
// REMOTE_DECLINE; a pending payment answers STATUS=PENDING. One more row is
// PPRO's alone: 5n ([FailThenSucceed]) fails at once with REMOTE_ERROR and
// turns SUCCEEDED n seconds later (50: 10 s), notified each time, as PPRO
// warns a FAILED transaction may. A Plan with SucceedAfter does the same for
// any code, and PPRO.LateSuccess does it on demand. In the ledger a
// cancelled transaction is StateCancelled and a FAILED one that turned
// SUCCEEDED is captured.
package instoretest
