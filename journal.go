package instore

import (
	"context"
	"errors"
	"time"
)

// A Journal is where a Checkout records its sales and refunds, so that the
// record of money in flight outlives the process that sent it.
//
// The rule that keeps money safe is write-ahead: a sale is recorded before
// its pay leaves the machine, and every change of its state (the
// acquirer's payment id learned, pending, cancelling, final, unresolved) is
// recorded before the Checkout acts on it or returns it. A process killed at
// any moment therefore leaves a sale that says, at worst, "a pay may be out
// there": Recover, or a Collect retried with the same request id, resumes
// it by inquiring, and never pays again.
//
// Ownership is optimistic. Every write names the version it read and fails
// with ErrJournalConflict when someone else wrote the sale since; a sale is
// worked on by whoever holds its lease (Sale.Owner until Sale.LeaseUntil), and
// a process takes over a sale whose lease ran out by writing it at the
// version it read. So two processes never resolve one sale at once, on one
// till (SQLite) or on a fleet sharing one database (PostgreSQL).
//
// The package journal implements Journal on SQLite and PostgreSQL;
// NewMemoryJournal keeps one in memory, which is what a Checkout uses when
// WithJournal is not given. Package journal/journaltest holds the suite
// every implementation must pass. A Journal must be safe for concurrent
// use. It is a record of truth for reconciliation: it never holds a status
// the acquirer did not give.
type Journal interface {
	// Record writes a new sale at version 1 (s.Version is set to 1). If a
	// sale with its request id exists it fails with an error matching
	// ErrSaleExists and writes nothing: read that sale with Sale.
	Record(ctx context.Context, s *Sale) error
	// Update replaces the sale with s's request id, provided the stored
	// version is s.Version, and increments s.Version. Otherwise it fails
	// with an error matching ErrJournalConflict (or ErrSaleNotFound) and
	// writes nothing. Every successful Update appends one SaleEvent to the
	// sale's history.
	Update(ctx context.Context, s *Sale) error
	// Sale returns the sale with that request id, with its refunds and
	// history, or an error matching ErrSaleNotFound.
	Sale(ctx context.Context, requestID string) (*Sale, error)
	// Stale returns at most limit sales that are not final and whose lease
	// ended before now (an unresolved sale has no lease), oldest first.
	// They are candidates: a caller takes one over by Update at the
	// version it read, and skips it on ErrJournalConflict.
	Stale(ctx context.Context, now time.Time, limit int) ([]*Sale, error)

	// RecordRefund writes a new refund at version 1. If a refund with its
	// refund request id exists it fails with an error matching
	// ErrRefundExists: read it with Refund. The sale refunded need not be
	// held (a sale taken before the journal was, or dropped from a
	// MemoryJournal): the refund is kept all the same, and Sale lists it
	// with its sale when that is held.
	RecordRefund(ctx context.Context, r *RefundRecord) error
	// UpdateRefund replaces the refund with r's refund request id at
	// r.Version, as Update does for sales.
	UpdateRefund(ctx context.Context, r *RefundRecord) error
	// Refund returns the refund with that refund request id, or an error
	// matching ErrRefundNotFound.
	Refund(ctx context.Context, refundRequestID string) (*RefundRecord, error)
}

// SaleLister is implemented by a Journal that can list its sales for
// operators (the instore command's sales and reconcile).
type SaleLister interface {
	// Sales returns the sales that match q, newest first, without their
	// refunds and history.
	Sales(ctx context.Context, q SaleQuery) ([]*Sale, error)
}

// SaleQuery selects sales for SaleLister. Zero fields select everything.
type SaleQuery struct {
	// From and To bound Sale.CreatedAt: From <= CreatedAt < To.
	From, To time.Time
	// States keeps sales in any of these states.
	States   []SaleState
	Acquirer string
	StoreID  string
	// Limit caps the number of sales returned; zero means no cap.
	Limit int
}

// Errors of a Journal, matched with errors.Is.
var (
	// ErrSaleNotFound: no sale has this request id. Checkout.Lookup returns
	// it for an id it does not know.
	ErrSaleNotFound = errors.New("instore: sale not found")
	// ErrSaleExists: Record was given a request id the journal holds.
	ErrSaleExists = errors.New("instore: a sale with this request id exists")
	// ErrRefundNotFound: no refund has this refund request id.
	ErrRefundNotFound = errors.New("instore: refund not found")
	// ErrRefundExists: RecordRefund was given a refund request id the
	// journal holds.
	ErrRefundExists = errors.New("instore: a refund with this refund request id exists")
	// ErrJournalConflict: the sale or refund was written by someone else
	// since it was read (another process took it over when its lease ran
	// out). The writer no longer owns it and must stop acting on it.
	ErrJournalConflict = errors.New("instore: journal record changed since it was read")
)

// SaleKind says how a sale was taken.
type SaleKind string

// Sale kinds.
const (
	// SaleCollect is a scanned code (Checkout.Collect).
	SaleCollect SaleKind = "collect"
	// SalePresent is a merchant-presented QR code (Checkout.Present).
	SalePresent SaleKind = "present"
)

// SaleState is where a sale stands in a Journal. Succeeded, failed and
// cancelled are final, as for a Payment; the others say how far the sale
// got, which is where a recovery resumes it.
type SaleState string

// Sale states, in the order a sale can pass through them.
const (
	// SaleRecorded: written before the pay was sent. The pay may or may not
	// have left the machine; a recovery inquires, it never pays.
	SaleRecorded SaleState = "recorded"
	// SalePending: the pay was sent and its outcome is not final (pending
	// at the acquirer, or unknown).
	SalePending SaleState = "pending"
	// SaleCancelling: a cancel is about to be sent, or was. From here only
	// the acquirer's answer to a cancel decides the sale.
	SaleCancelling SaleState = "cancelling"
	// SaleUnresolved: the Checkout gave up for now; neither confirmed nor
	// cancelled. Recover and Lookup take it up again.
	SaleUnresolved SaleState = "unresolved"
	// SaleSucceeded, SaleFailed and SaleCancelled are final.
	SaleSucceeded SaleState = "succeeded"
	SaleFailed    SaleState = "failed"
	SaleCancelled SaleState = "cancelled"
)

// Final reports whether the sale can no longer change.
func (s SaleState) Final() bool {
	return s == SaleSucceeded || s == SaleFailed || s == SaleCancelled
}

// Sale is a sale as a Journal holds it. The payment code is never stored:
// MaskedCode is its printable form (first and last four digits).
type Sale struct {
	RequestID string
	Kind      SaleKind
	// Acquirer is the acquirer's name (Payment.Acquirer); PaymentID its id
	// for the payment, once known.
	Acquirer  string
	PaymentID string
	Method    PaymentMethod
	Wallet    Wallet
	Amount    Money
	Store     Store
	// MaskedCode is the scanned code, masked; empty for a presented sale.
	MaskedCode string
	State      SaleState
	// FailureCode and FailureMessage are the acquirer's reason for a failed
	// or cancelled sale, as Payment carries them.
	FailureCode    string
	FailureMessage string
	// CreatedAt is when the sale was recorded, on the recording machine's
	// clock, just before its pay was sent. AcquirerTime is the payment's
	// creation time as the acquirer gave it (Payment.CreatedAt); zero until
	// it answered.
	CreatedAt    time.Time
	AcquirerTime time.Time
	UpdatedAt    time.Time
	// Owner names the process working on the sale, and LeaseUntil when it
	// stops being presumed alive. A final or unresolved sale has no lease.
	Owner      string
	LeaseUntil time.Time
	// Version is the version read; Record and Update maintain it.
	Version int64

	// Refunds and History are filled by Journal.Sale, oldest first, and
	// ignored by Record and Update.
	Refunds []*RefundRecord
	History []SaleEvent
}

// SaleEvent is one write of a sale: its state after the write, and when.
type SaleEvent struct {
	At        time.Time
	State     SaleState
	PaymentID string
	Owner     string
}

// RefundState is where a refund stands in a Journal.
type RefundState string

// Refund states.
const (
	// RefundRecorded: written before the refund was sent; it may or may not
	// have left the machine.
	RefundRecorded RefundState = "recorded"
	// RefundPending: sent, and the acquirer's answer was pending or never
	// came.
	RefundPending RefundState = "pending"
	// RefundSucceeded and RefundFailed are final.
	RefundSucceeded RefundState = "succeeded"
	RefundFailed    RefundState = "failed"
)

// Final reports whether the refund can no longer change.
func (s RefundState) Final() bool { return s == RefundSucceeded || s == RefundFailed }

// RefundRecord is a refund as a Journal holds it.
type RefundRecord struct {
	// RefundRequestID is the merchant's id for the refund: a retry with the
	// same id never refunds twice.
	RefundRequestID string
	// RequestID is the sale refunded.
	RequestID string
	Acquirer  string
	// RefundID is the acquirer's id for the refund, once known.
	RefundID       string
	Amount         Money
	State          RefundState
	FailureCode    string
	FailureMessage string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Owner          string
	LeaseUntil     time.Time
	Version        int64
}
