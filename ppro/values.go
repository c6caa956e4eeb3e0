package ppro

import (
	"strings"

	"github.com/instorepay/instore/internal/redact"
)

// Status is the STATUS of a transaction or a refund, and the REQUESTSTATUS
// of a status or cancel call. Values PPRO may add later are kept as sent.
type Status string

// Statuses. A transaction is PENDING, SUCCEEDED or FAILED; a refund and a
// request only SUCCEEDED or FAILED (reference ppro.md §0.1). There is no
// cancelled state: a cancelled transaction is FAILED with FailCanceled.
const (
	StatusPending   Status = "PENDING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
)

// statusSuccessfulAlias is the STATUS the seed document's example answer
// shows. PPRO's reference pages say SUCCEEDED; the parser reads both as
// StatusSucceeded.
const statusSuccessfulAlias = "SUCCESSFUL"

func parseStatus(v string) Status {
	switch u := strings.ToUpper(v); u {
	case string(StatusPending), string(StatusSucceeded), string(StatusFailed):
		return Status(u)
	case statusSuccessfulAlias:
		return StatusSucceeded
	}
	return Status(v)
}

// Known reports whether s is one of the documented statuses.
func (s Status) Known() bool {
	return s == StatusPending || s == StatusSucceeded || s == StatusFailed
}

// FailReason is the FAILREASON of a failed transaction or refund. Values
// PPRO may add later are kept as sent.
type FailReason string

// Fail reasons (reference ppro.md §3.2; QUOTA from the refund page §2.5).
const (
	FailUnknown       FailReason = "UNKNOWN"
	FailInputData     FailReason = "INPUT_DATA"
	FailUserAbort     FailReason = "USER_ABORT"
	FailTimeout       FailReason = "TIMEOUT"
	FailLocalError    FailReason = "LOCAL_ERROR"
	FailRemoteError   FailReason = "REMOTE_ERROR"
	FailLocalDecline  FailReason = "LOCAL_DECLINE"
	FailRemoteDecline FailReason = "REMOTE_DECLINE"
	// FailCanceled is a transaction cancelled with CANCELTX.
	FailCanceled FailReason = "CANCELED"
	// FailQuota is a refund refused by money-holding, AML or banking rules.
	FailQuota FailReason = "QUOTA"
)

// Definitive reports whether a FAILED transaction with this reason is
// settled: the payer or the scheme declined it, it was cancelled, or its
// data was refused. PPRO warns that, depending on the scheme, a FAILED
// transaction can turn SUCCEEDED later (never the reverse); the reasons that
// say "something went wrong" rather than "no" (UNKNOWN, TIMEOUT,
// LOCAL_ERROR, REMOTE_ERROR, an empty or undocumented reason) are the ones
// that can, and Definitive is false for them.
func (r FailReason) Definitive() bool {
	switch r {
	case FailInputData, FailUserAbort, FailLocalDecline, FailRemoteDecline, FailCanceled, FailQuota:
		return true
	}
	return false
}

// RequestFailReason is the REQUESTFAILREASON of a status or cancel call that
// failed (REQUESTSTATUS=FAILED). Values PPRO may add later are kept as sent.
type RequestFailReason string

// Request fail reasons (reference ppro.md §5).
const (
	RequestFailUnknown         RequestFailReason = "UNKNOWN"
	RequestFailAuth            RequestFailReason = "AUTH_ERROR"
	RequestFailSystem          RequestFailReason = "SYSTEM_ERROR"
	RequestFailTxNotFound      RequestFailReason = "TX_NOT_FOUND"
	RequestFailTxNotUnique     RequestFailReason = "TX_NOT_UNIQUE"
	RequestFailRefundNotFound  RequestFailReason = "REFUND_NOT_FOUND"
	RequestFailRefundNotUnique RequestFailReason = "REFUND_NOT_UNIQUE"
)

// FundsStatus is the FUNDSSTATUS of a transaction: where the money stands,
// apart from the transaction's own status. Values PPRO may add later are
// kept as sent.
type FundsStatus string

// Funds statuses (reference ppro.md §3.2). A refund needs the funds
// received, except for methods that expect none (NOT_EXPECTED), which the
// seed document's Alipay example shows.
const (
	FundsNotExpected FundsStatus = "NOT_EXPECTED"
	FundsWaiting     FundsStatus = "WAITING"
	FundsReceived    FundsStatus = "RECEIVED"
	FundsMissing     FundsStatus = "MISSING"
)

// upperKnown returns v upper-cased when that is one of known, else v as
// sent, so that a documented value compares equal whatever its case and an
// undocumented one is kept intact.
func upperKnown[T ~string](v string, known ...T) T {
	u := strings.ToUpper(v)
	for _, k := range known {
		if string(k) == u {
			return k
		}
	}
	return T(v)
}

// parseFailReason and parseRequestFailReason read a reason, which reaches
// Payment.FailureCode and errors: it is the acquirer's text, sanitised as
// it is parsed (redact.Text), so that an undocumented one cannot carry a
// payment code or a bidi control. A documented reason is left as it is.
func parseFailReason(v string) FailReason {
	v = redact.Text(v, redact.MaxCode)
	return upperKnown(v, FailUnknown, FailInputData, FailUserAbort, FailTimeout, FailLocalError,
		FailRemoteError, FailLocalDecline, FailRemoteDecline, FailCanceled, FailQuota)
}

func parseRequestFailReason(v string) RequestFailReason {
	v = redact.Text(v, redact.MaxCode)
	return upperKnown(v, RequestFailUnknown, RequestFailAuth, RequestFailSystem, RequestFailTxNotFound,
		RequestFailTxNotUnique, RequestFailRefundNotFound, RequestFailRefundNotUnique)
}

func parseFundsStatus(v string) FundsStatus {
	return upperKnown(v, FundsNotExpected, FundsWaiting, FundsReceived, FundsMissing)
}
