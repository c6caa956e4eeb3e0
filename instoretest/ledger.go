package instoretest

import (
	"slices"
	"time"
)

// State is the true state of a payment in a simulator's ledger.
type State string

// States.
const (
	StatePending   State = "pending"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	// StateCancelled is an Omise charge that was expired, or an Alipay+
	// payment that was cancelled (a cancel of a paid payment refunds it).
	StateCancelled State = "cancelled"
)

// LedgerEntry is the truth about one payment (an Omise charge, an Alipay+
// payment) as the simulated acquirer knows it.
type LedgerEntry struct {
	// RequestID is the sale's request id: the charge metadata
	// instore_request_id (Omise) or the paymentRequestId (Alipay+). Empty
	// for an Omise charge created without it.
	RequestID string
	// ID is the acquirer's id: chrg_… or the Alipay+ paymentId.
	ID string
	// Code is the payment code (barcode) the payment was made with.
	Code        string
	Amount      int64
	Currency    string
	State       State
	FailureCode string
	// Captured reports that the money was taken and is still with the
	// merchant's acquirer: the payment succeeded and was not cancelled.
	// Refunds do not clear it; see Refunded.
	Captured bool
	// Paid reports that the payment succeeded at some point, even if a
	// cancel gave the money back later.
	Paid bool
	// Refunded is the amount refunded (a cancel of a paid Alipay+ payment
	// refunds it all), and Refunds the number of refunds.
	Refunded int64
	Refunds  int
	// Inquiries counts the inquiries (GET /charges/:id, inquiryPayment).
	Inquiries int
	CreatedAt time.Time
}

// Captures counts the entries that are captured.
func Captures(entries []LedgerEntry) int {
	n := 0
	for i := range entries {
		if entries[i].Captured {
			n++
		}
	}
	return n
}

// ledgerIndex finds a simulator's payments by request id and by code.
type ledgerIndex[T any] struct {
	byRequest map[string][]T
	byCode    map[string][]T
	requests  []string
}

func newLedgerIndex[T any]() ledgerIndex[T] {
	return ledgerIndex[T]{byRequest: make(map[string][]T), byCode: make(map[string][]T)}
}

func (l *ledgerIndex[T]) add(requestID, code string, v T) {
	if requestID != "" {
		if _, ok := l.byRequest[requestID]; !ok {
			l.requests = append(l.requests, requestID)
		}
		l.byRequest[requestID] = append(l.byRequest[requestID], v)
	}
	if code != "" {
		l.byCode[code] = append(l.byCode[code], v)
	}
}

func (l *ledgerIndex[T]) requestIDs() []string { return slices.Clone(l.requests) }
