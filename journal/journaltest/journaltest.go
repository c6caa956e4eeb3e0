// Package journaltest is the test suite every [instore.Journal] must pass:
// the in-memory journal, SQLite and PostgreSQL run the same tests, so that
// a Checkout behaves the same on each.
//
//	func TestJournal(t *testing.T) {
//		journaltest.Run(t, func(t *testing.T) instore.Journal {
//			return instore.NewMemoryJournal(0, 0)
//		})
//	}
//
// It also holds what other packages' tests need to reach the test
// PostgreSQL: [PostgresDSN] and [SchemaName].
package journaltest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// Run runs the suite against the journals open makes, one subtest each.
// open must return a new, empty journal, and release it at the end of the
// test (t.Cleanup); it is called from parallel subtests. A journal that is
// not an [instore.SaleLister] skips the listing tests.
func Run(t *testing.T, open func(t *testing.T) instore.Journal) {
	t.Helper()
	tests := []struct {
		name string
		test func(t *testing.T, j instore.Journal)
	}{
		{"RecordRoundTrip", testRecordRoundTrip},
		{"RecordMinimal", testRecordMinimal},
		{"ZeroTimes", testZeroTimes},
		{"TimesMicrosecondsUTC", testTimesMicrosecondsUTC},
		{"RecordExists", testRecordExists},
		{"UpdateVersions", testUpdateVersions},
		{"UpdateConflict", testUpdateConflict},
		{"UpdateNotFound", testUpdateNotFound},
		{"SaleNotFound", testSaleNotFound},
		{"History", testHistory},
		{"CancelledContext", testCancelledContext},
		{"RefundRoundTrip", testRefundRoundTrip},
		{"RefundExists", testRefundExists},
		{"RefundOfUnknownSale", testRefundOfUnknownSale},
		{"RefundUpdate", testRefundUpdate},
		{"RefundNotFound", testRefundNotFound},
		{"RefundsWithSale", testRefundsWithSale},
		{"Stale", testStale},
		{"StaleLimit", testStaleLimit},
		{"Sales", testSales},
		{"SalesWithoutRefundsOrHistory", testSalesWithoutRefundsOrHistory},
		{"ReturnsCopies", testReturnsCopies},
		{"KeepsCopies", testKeepsCopies},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"ConcurrentRecords", testConcurrentRecords},
		{"ConcurrentRefundRecords", testConcurrentRefundRecords},
		{"ManyWriters", testManyWriters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// base is the time the suite's sales are made at: microsecond precision,
// UTC, as a journal returns times.
var base = time.Date(2026, 12, 3, 10, 4, 5, 123456000, time.UTC)

// newSale is a sale with every field set, as a Checkout records it before
// paying: request id id, version 0, no refunds or history.
func newSale(id string) *instore.Sale {
	return &instore.Sale{
		RequestID:  id,
		Kind:       instore.SaleCollect,
		Acquirer:   "omise",
		PaymentID:  "chrg_test_5xuy4w91xqz7d1w9u0t",
		Method:     instore.MethodAlipayPlusUPM,
		Wallet:     instore.WalletAlipay,
		Amount:     instore.Money{Amount: 150000, Currency: instore.THB},
		Store:      instore.Store{ID: "store-1", Name: "Siam Paragon 2F", MCC: "5812", TerminalID: "till-07"},
		MaskedCode: "2860••••••••5678",
		State:      instore.SalePending,
		// Failure fields are set although a pending sale has none, so that
		// the round trip covers them.
		FailureCode:    "payment_in_process",
		FailureMessage: "the payment is being processed",
		CreatedAt:      base,
		AcquirerTime:   base.Add(1500 * time.Millisecond),
		UpdatedAt:      base.Add(2 * time.Second),
		Owner:          "till-07/4242/a1b2c3d4",
		LeaseUntil:     base.Add(2 * time.Minute),
	}
}

// newRefund is a refund of the sale requestID with every field set.
func newRefund(id, requestID string) *instore.RefundRecord {
	return &instore.RefundRecord{
		RefundRequestID: id,
		RequestID:       requestID,
		Acquirer:        "omise",
		RefundID:        "rfnd_test_5xuy5bq9l2ee7tkqs1d",
		Amount:          instore.Money{Amount: 50000, Currency: instore.THB},
		State:           instore.RefundPending,
		FailureCode:     "insufficient_balance",
		FailureMessage:  "the account balance is too low",
		CreatedAt:       base.Add(time.Hour),
		UpdatedAt:       base.Add(time.Hour + time.Second),
		Owner:           "till-07/4242/a1b2c3d4",
		LeaseUntil:      base.Add(time.Hour + 2*time.Minute),
	}
}

// record records s, failing the test on an error.
func record(t *testing.T, j instore.Journal, s *instore.Sale) {
	t.Helper()
	require.NoError(t, j.Record(t.Context(), s))
}

// read reads the sale id, failing the test on an error. No refunds read
// as nil, whether the journal gave nil or an empty list.
func read(t *testing.T, j instore.Journal, id string) *instore.Sale {
	t.Helper()
	s, err := j.Sale(t.Context(), id)
	require.NoError(t, err)
	if len(s.Refunds) == 0 {
		s.Refunds = nil
	}
	return s
}

// stored is s as a journal returns it after the writes in history: its
// version is the number of writes, and its refunds are refunds.
func stored(s *instore.Sale, refunds []*instore.RefundRecord, history ...instore.SaleEvent) *instore.Sale {
	c := *s
	c.Version = int64(len(history))
	c.Refunds = refunds
	c.History = history
	return &c
}

// eventOf is the history row a write that left s as it is makes.
func eventOf(s *instore.Sale) instore.SaleEvent {
	return instore.SaleEvent{At: s.UpdatedAt, State: s.State, PaymentID: s.PaymentID, Owner: s.Owner}
}

// requireAllFieldsSet fails when a field of the struct v points to is
// zero, except those named: a field added to a record must be added to
// the suite's round trip too.
func requireAllFieldsSet(t *testing.T, v any, except ...string) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	skip := make(map[string]bool, len(except))
	for _, name := range except {
		skip[name] = true
	}
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if skip[f.Name] {
			continue
		}
		require.False(t, rv.Field(i).IsZero(), "%s.%s is zero in the suite's fixture", rv.Type().Name(), f.Name)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() {
			requireAllFieldsSet(t, rv.Field(i).Addr().Interface())
		}
	}
}

// ids are the request ids of sales, in order.
func ids(sales []*instore.Sale) []string {
	out := make([]string, len(sales))
	for i, s := range sales {
		out[i] = s.RequestID
	}
	return out
}

// saleID is the id of the n-th sale a test makes.
func saleID(prefix string, n int) string { return fmt.Sprintf("%s-%03d", prefix, n) }
