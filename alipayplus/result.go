package alipayplus

import (
	"strings"
	"time"
)

// Result is the result envelope every Alipay+ / Antom response carries. It
// says whether the call succeeded (S), failed for good (F) or has an unknown
// outcome (U); for InquiryPayment it is about the inquiry, and the payment's
// own state is in [InquiryResponse.PaymentStatus].
type Result struct {
	ResultCode    ResultCode
	ResultStatus  ResultStatus
	ResultMessage string
}

// Succeeded reports a final success: status S.
func (r Result) Succeeded() bool { return r.ResultStatus == ResultSuccess }

// ShouldInquire reports an unknown outcome: status U, or one of the codes
// MeansInquire lists, whatever status came with them. The payment must be
// looked up with InquiryPayment, never paid again under a new id.
func (r Result) ShouldInquire() bool {
	return r.ResultStatus == ResultUnknown || r.ResultCode.MeansInquire()
}

// FinalFailure reports a failure that will not change: status F with a code
// that does not mean "inquire". For Pay the money was not taken. For
// InquiryPayment it is about the inquiry; check OrderNotExist first, which
// early on means the payment has not landed yet.
func (r Result) FinalFailure() bool {
	return r.ResultStatus == ResultFailure && !r.ResultCode.MeansInquire()
}

// OrderNotExist reports ORDER_NOT_EXIST. From InquiryPayment shortly after a
// Pay whose answer was lost, it means the payment has not reached the
// gateway yet: inquire again, then cancel.
func (r Result) OrderNotExist() bool { return r.ResultCode == CodeOrderNotExist }

// RequestIDReused reports REPEAT_REQ_INCONSISTENT: the request id was
// used before for a request with other content (another amount, code or
// merchant). This request is refused; the earlier one is another sale's.
func (r Result) RequestIDReused() bool { return r.ResultCode == CodeRepeatReqInconsistent }

// CancelWindowExceeded reports CANCEL_WINDOW_EXCEED from Cancel: the window
// closed (see [CancelDeadline]) and the payment must be refunded instead.
func (r Result) CancelWindowExceeded() bool { return r.ResultCode == CodeCancelWindowExceed }

// ResultStatus is the resultStatus of a Result.
type ResultStatus string

// Result statuses.
const (
	ResultSuccess ResultStatus = "S"
	ResultFailure ResultStatus = "F"
	ResultUnknown ResultStatus = "U"
)

func (s ResultStatus) valid() bool {
	return s == ResultSuccess || s == ResultFailure || s == ResultUnknown
}

// ResultCode is the resultCode of a Result. Codes the SDK does not list are
// kept as sent.
type ResultCode string

// Result codes. Sources: the Antom "Payment (Consumer-presented Mode
// Payment)" result table (shared/seeds/alipayplus-cpm-pay.txt) and the codes
// collected in shared/reference/alipayplus.md §3.5. The status each comes
// with is in the comment.
const (
	CodeSuccess                       ResultCode = "SUCCESS"                          // S
	CodePaymentInProcess              ResultCode = "PAYMENT_IN_PROCESS"               // U: inquire
	CodeUnknownException              ResultCode = "UNKNOWN_EXCEPTION"                // U: inquire
	CodeRequestTrafficExceedLimit     ResultCode = "REQUEST_TRAFFIC_EXCEED_LIMIT"     // U: rate limited; inquire
	CodeOrderNotExist                 ResultCode = "ORDER_NOT_EXIST"                  // F: from inquiry early on, inquire again
	CodeOrderIsClosed                 ResultCode = "ORDER_IS_CLOSED"                  // F: closed, e.g. expired
	CodeOrderIsCanceled               ResultCode = "ORDER_IS_CANCELED"                // F
	CodeOrderStatusInvalid            ResultCode = "ORDER_STATUS_INVALID"             // F: cancel or refund in the wrong state
	CodeCancelWindowExceed            ResultCode = "CANCEL_WINDOW_EXCEED"             // F: refund instead
	CodeRepeatReqInconsistent         ResultCode = "REPEAT_REQ_INCONSISTENT"          // F: same request id, different request; inquire
	CodeInvalidContract               ResultCode = "INVALID_CONTRACT"                 // F
	CodeInvalidCode                   ResultCode = "INVALID_CODE"                     // F: the payment code
	CodeInvalidPaymentCode            ResultCode = "INVALID_PAYMENT_CODE"             // F
	CodeExpiredCode                   ResultCode = "EXPIRED_CODE"                     // F
	CodeInvalidAccessToken            ResultCode = "INVALID_ACCESS_TOKEN"             // F
	CodeUserNotExist                  ResultCode = "USER_NOT_EXIST"                   // F
	CodeUserStatusAbnormal            ResultCode = "USER_STATUS_ABNORMAL"             // F
	CodeUserBalanceNotEnough          ResultCode = "USER_BALANCE_NOT_ENOUGH"          // F
	CodeUserAmountExceedLimit         ResultCode = "USER_AMOUNT_EXCEED_LIMIT"         // F
	CodeUserPaymentVerificationFailed ResultCode = "USER_PAYMENT_VERIFICATION_FAILED" // F
	CodeUserKYCNotQualified           ResultCode = "USER_KYC_NOT_QUALIFIED"           // F
	CodeCurrencyNotSupport            ResultCode = "CURRENCY_NOT_SUPPORT"             // F
	CodeNoPayOption                   ResultCode = "NO_PAY_OPTION"                    // F
	CodeUnavailablePaymentMethod      ResultCode = "UNAVAILABLE_PAYMENT_METHOD"       // F
	CodePaymentAmountExceedLimit      ResultCode = "PAYMENT_AMOUNT_EXCEED_LIMIT"      // F
	CodePaymentCountExceedLimit       ResultCode = "PAYMENT_COUNT_EXCEED_LIMIT"       // F
	CodePaymentNotQualified           ResultCode = "PAYMENT_NOT_QUALIFIED"            // F
	CodeMerchantNotRegistered         ResultCode = "MERCHANT_NOT_REGISTERED"          // F
	CodeMerchantKYBNotQualified       ResultCode = "MERCHANT_KYB_NOT_QUALIFIED"       // F
	CodeRiskReject                    ResultCode = "RISK_REJECT"                      // F
	CodeParamIllegal                  ResultCode = "PARAM_ILLEGAL"                    // F
	CodeProcessFail                   ResultCode = "PROCESS_FAIL"                     // F: do not retry
	CodeAccessDenied                  ResultCode = "ACCESS_DENIED"                    // F
	CodeKeyNotFound                   ResultCode = "KEY_NOT_FOUND"                    // F: gateway level, often unsigned
	CodeSignatureInvalid              ResultCode = "SIGNATURE_INVALID"                // F: gateway level, often unsigned (seed table spelling)
	CodeInvalidSignature              ResultCode = "INVALID_SIGNATURE"                // F: gateway level, often unsigned (spelling seen elsewhere)
	CodeClientInvalid                 ResultCode = "CLIENT_INVALID"                   // F: gateway level
	CodeAPIInvalid                    ResultCode = "API_INVALID"                      // F: gateway level
	CodeMethodNotSupported            ResultCode = "METHOD_NOT_SUPPORTED"             // F: gateway level
	CodeMediaTypeNotAcceptable        ResultCode = "MEDIA_TYPE_NOT_ACCEPTABLE"        // F: gateway level
)

// MeansInquire reports the codes that leave the payment's outcome unknown:
// PAYMENT_IN_PROCESS, UNKNOWN_EXCEPTION and REQUEST_TRAFFIC_EXCEED_LIMIT.
// REPEAT_REQ_INCONSISTENT is not one of them: it is a definite refusal of
// this request, whose id the gateway holds for another one (see
// Result.RequestIDReused), and an inquiry by that id would describe the
// other payment.
func (c ResultCode) MeansInquire() bool {
	switch c {
	case CodePaymentInProcess, CodeUnknownException, CodeRequestTrafficExceedLimit:
		return true
	}
	return false
}

// PaymentStatus is the state of a payment as InquiryPayment reports it,
// normalised across flavours: Antom's paymentStatus (compared
// case-insensitively, since one Antom example writes "Success") and
// Alipay+'s paymentResult.resultStatus (S, F, U) map to the same values.
// Values the SDK does not know are kept, upper-cased.
type PaymentStatus string

// Payment statuses.
const (
	PaymentSuccess    PaymentStatus = "SUCCESS"    // Antom SUCCESS; Alipay+ S
	PaymentFail       PaymentStatus = "FAIL"       // Antom FAIL; Alipay+ F
	PaymentCancelled  PaymentStatus = "CANCELLED"  // Antom CANCELLED; Alipay+ F with ORDER_IS_CANCELED
	PaymentProcessing PaymentStatus = "PROCESSING" // Antom PROCESSING; Alipay+ U
	PaymentPending    PaymentStatus = "PENDING"    // Antom's enum lists it; not final
)

// Final reports whether the status will not change: SUCCESS, FAIL or
// CANCELLED. Anything else means inquire again.
func (s PaymentStatus) Final() bool {
	return s == PaymentSuccess || s == PaymentFail || s == PaymentCancelled
}

// normalisePaymentStatus maps Antom's paymentStatus to a PaymentStatus.
func normalisePaymentStatus(s string) PaymentStatus {
	return PaymentStatus(strings.ToUpper(strings.TrimSpace(s)))
}

// paymentStatusFromResult maps Alipay+'s paymentResult to a PaymentStatus.
func paymentStatusFromResult(r Result) PaymentStatus {
	switch r.ResultStatus {
	case ResultSuccess:
		return PaymentSuccess
	case ResultFailure:
		if r.ResultCode == CodeOrderIsCanceled {
			return PaymentCancelled
		}
		return PaymentFail
	default:
		return PaymentProcessing
	}
}

// cancelZoneOffset is UTC+8, the zone both Alipay+ and Antom state the
// cancel window in: "a payment can be canceled before 00:15 UTC+8 of the T+1
// day" (Alipay+ cancelPayment; Antom "Cancel" for scan-to-pay).
const (
	cancelZoneOffset = 8 * 60 * 60
	cancelHour       = 0
	cancelMinute     = 15
)

// CancelDeadline returns the moment the cancel window of a payment made at
// paymentTime closes: 00:15 UTC+8 on the day after the payment's day in
// UTC+8. It is not 24 hours: a payment at 23:55 UTC+8 can be cancelled for
// only 20 minutes. After it, Cancel answers CANCEL_WINDOW_EXCEED and the
// payment must be refunded. The result is in UTC+8; a zero paymentTime gives
// a zero time.
func CancelDeadline(paymentTime time.Time) time.Time {
	if paymentTime.IsZero() {
		return time.Time{}
	}
	loc := time.FixedZone("UTC+8", cancelZoneOffset)
	y, m, d := paymentTime.In(loc).Date()
	return time.Date(y, m, d+1, cancelHour, cancelMinute, 0, 0, loc)
}
