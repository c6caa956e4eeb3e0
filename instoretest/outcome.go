package instoretest

import (
	"fmt"
	"strconv"
	"time"
)

// Outcome is the last two digits of a test payment code: they choose what
// the simulators do with a payment made with that code. The table is in the
// package documentation; AlipayCode and WeChatCode build codes that end in
// an Outcome.
type Outcome string

// Outcomes with a fixed meaning. The failure each decline maps to, per
// simulator, is in the package documentation.
const (
	// Succeed completes the payment at once: the charge is created
	// successful, the Alipay+ pay answers S.
	Succeed Outcome = "00"
	// DeclinePayerCancelled fails at once: payment_cancelled (Omise),
	// ORDER_IS_CANCELED (Alipay+).
	DeclinePayerCancelled Outcome = "31"
	// DeclineProcessing fails at once: failed_processing, PROCESS_FAIL.
	DeclineProcessing Outcome = "32"
	// DeclineInsufficientBalance fails at once: insufficient_balance,
	// USER_BALANCE_NOT_ENOUGH.
	DeclineInsufficientBalance Outcome = "33"
	// DeclineRejected fails at once: payment_rejected, RISK_REJECT.
	DeclineRejected Outcome = "34"
	// DeclineExpired fails at once: payment_expired, EXPIRED_CODE.
	DeclineExpired Outcome = "35"
	// DeclineTimeout fails at once: timeout, ORDER_IS_CLOSED.
	DeclineTimeout Outcome = "36"
	// DeclineOverLimit fails at once: insufficient_fund,
	// USER_AMOUNT_EXCEED_LIMIT.
	DeclineOverLimit Outcome = "37"
	// DeclineFraud fails at once: failed_fraud_check, INVALID_CODE.
	DeclineFraud Outcome = "38"
	// DeclineAccount fails at once: invalid_account_number,
	// USER_STATUS_ABNORMAL.
	DeclineAccount Outcome = "39"
	// NeverCompletes stays pending for ever: the client must cancel it.
	NeverCompletes Outcome = "99"
)

// ConfirmOnInquiry is the outcome of a payment that stays pending until it
// is inquired for the nth time, and succeeds then: inquiries 1 to n-1 see it
// pending (the payer confirming in the app). n is kept within 1 to 9.
func ConfirmOnInquiry(n int) Outcome { return Outcome("1" + strconv.Itoa(min(max(n, 1), 9))) }

// ConfirmAfter is the outcome of a payment that stays pending and succeeds
// once d has passed since it was created (rounded up to whole seconds, kept
// within 1 to 9 s): the customer confirming after a few seconds. It
// completes on its own, with a webhook or notification, whether or not it
// is inquired.
func ConfirmAfter(d time.Duration) Outcome {
	s := int((d + time.Second - 1) / time.Second)
	return Outcome("2" + strconv.Itoa(min(max(s, 1), 9)))
}

// DeclineOnInquiry turns a Decline outcome into one that first stays
// pending and fails when the payment is inquired for the first time. Other
// outcomes are returned unchanged.
func DeclineOnInquiry(decline Outcome) Outcome {
	if len(decline) == 2 && decline[0] == '3' {
		return "4" + decline[1:]
	}
	return decline
}

// AlipayCode returns a valid 18-digit Alipay payment code ("28…", the
// layout every Alipay-family classifier accepts) that ends in o and carries
// serial in its middle digits, so that parallel sales get different codes.
func AlipayCode(o Outcome, serial uint64) string { return buildCode("28", o, serial) }

// WeChatCode returns a valid 18-digit WeChat Pay payment code ("13…") that
// ends in o and carries serial.
func WeChatCode(o Outcome, serial uint64) string { return buildCode("13", o, serial) }

func buildCode(prefix string, o Outcome, serial uint64) string {
	if len(o) != 2 || o[0] < '0' || o[0] > '9' || o[1] < '0' || o[1] > '9' {
		o = Succeed
	}
	return fmt.Sprintf("%s%014d%s", prefix, serial%100_000_000_000_000, o)
}

// Result is how a payment ends.
type Result int

// Results.
const (
	// ResultSucceed ends the payment successfully.
	ResultSucceed Result = iota
	// ResultFail ends it failed with Plan.FailureCode.
	ResultFail
	// ResultNever leaves it pending for ever.
	ResultNever
)

// Plan is the path of one payment, for Script: it stays pending until it
// has been inquired Inquiries times or After has passed since it was
// created (whichever comes first; neither set means at once), then ends
// with Result.
type Plan struct {
	Result Result
	// FailureCode is the acquirer's code for ResultFail (an Omise
	// failure_code, an Alipay+ resultCode). Empty means failed_processing or
	// PROCESS_FAIL.
	FailureCode string
	Inquiries   int
	After       time.Duration
	// SucceedAfter (PPRO only) turns a ResultFail payment SUCCEEDED this
	// long after it failed, as PPRO allows (FAILED, then SUCCEEDED); zero
	// never does. The other simulators ignore it.
	SucceedAfter time.Duration
}

// failureTable names the failure for decline digit 1 to 9, per acquirer.
type failureTable func(digit byte) string

func omiseFailure(d byte) string {
	switch d {
	case '1':
		return "payment_cancelled"
	case '3':
		return "insufficient_balance"
	case '4':
		return "payment_rejected"
	case '5':
		return "payment_expired"
	case '6':
		return "timeout"
	case '7':
		return "insufficient_fund"
	case '8':
		return "failed_fraud_check"
	case '9':
		return "invalid_account_number"
	}
	return "failed_processing"
}

func alipayFailure(d byte) string {
	switch d {
	case '1':
		return "ORDER_IS_CANCELED"
	case '3':
		return "USER_BALANCE_NOT_ENOUGH"
	case '4':
		return "RISK_REJECT"
	case '5':
		return "EXPIRED_CODE"
	case '6':
		return "ORDER_IS_CLOSED"
	case '7':
		return "USER_AMOUNT_EXCEED_LIMIT"
	case '8':
		return "INVALID_CODE"
	case '9':
		return "USER_STATUS_ABNORMAL"
	}
	return "PROCESS_FAIL"
}

// planFor decodes the outcome digits at the end of code.
func planFor(code string, failure failureTable) Plan {
	if len(code) < 2 {
		return Plan{}
	}
	a, b := code[len(code)-2], code[len(code)-1]
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return Plan{}
	}
	n := int(b - '0')
	switch a {
	case '1':
		if n == 0 {
			n = 10
		}
		return Plan{Inquiries: n}
	case '2':
		if n == 0 {
			n = 10
		}
		return Plan{After: time.Duration(n) * time.Second}
	case '3':
		return Plan{Result: ResultFail, FailureCode: failure(b)}
	case '4':
		return Plan{Result: ResultFail, FailureCode: failure(b), Inquiries: 1}
	case '9':
		if b == '9' {
			return Plan{Result: ResultNever}
		}
	}
	return Plan{}
}

// progress is where one payment is on its Plan.
type progress struct {
	plan      Plan
	inquiries int
	readyAt   time.Time // time.Now based, so virtual in a bubble
}

func newProgress(p Plan) progress {
	pr := progress{plan: p}
	if p.After > 0 {
		pr.readyAt = time.Now().Add(p.After)
	}
	return pr
}

// due reports whether the plan's pending phase is over.
func (p *progress) due() bool {
	switch {
	case p.plan.Result == ResultNever:
		return false
	case p.plan.Inquiries <= 0 && p.plan.After <= 0:
		return true
	case p.plan.Inquiries > 0 && p.inquiries >= p.plan.Inquiries:
		return true
	case p.plan.After > 0 && !time.Now().Before(p.readyAt):
		return true
	}
	return false
}
