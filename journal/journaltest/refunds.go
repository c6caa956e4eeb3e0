package journaltest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// recordRefund records r, failing the test on an error.
func recordRefund(t *testing.T, j instore.Journal, r *instore.RefundRecord) {
	t.Helper()
	require.NoError(t, j.RecordRefund(t.Context(), r))
}

// readRefund reads the refund id, failing the test on an error.
func readRefund(t *testing.T, j instore.Journal, id string) *instore.RefundRecord {
	t.Helper()
	r, err := j.Refund(t.Context(), id)
	require.NoError(t, err)
	return r
}

func testRefundRoundTrip(t *testing.T, j instore.Journal) {
	record(t, j, newSale("sale"))
	r := newRefund("refund", "sale")
	requireAllFieldsSet(t, r, "Version")
	r.Version = 9 // RecordRefund ignores it
	recordRefund(t, j, r)
	assert.Equal(t, int64(1), r.Version, "RecordRefund sets the version to 1")
	assert.Equal(t, r, readRefund(t, j, "refund"))

	// Zero times and a refund with nothing known yet round-trip too.
	bare := &instore.RefundRecord{RefundRequestID: "bare", RequestID: "sale", State: instore.RefundRecorded}
	recordRefund(t, j, bare)
	assert.Equal(t, bare, readRefund(t, j, "bare"))
}

func testRefundExists(t *testing.T, j instore.Journal) {
	record(t, j, newSale("sale"))
	first := newRefund("refund", "sale")
	recordRefund(t, j, first)
	again := newRefund("refund", "sale")
	again.Amount.Amount = 1
	err := j.RecordRefund(t.Context(), again)
	require.ErrorIs(t, err, instore.ErrRefundExists)
	assert.Zero(t, again.Version)
	assert.Equal(t, first, readRefund(t, j, "refund"))
}

// A refund of a sale the journal does not hold (taken before the journal
// was) is kept and deduplicated all the same.
func testRefundOfUnknownSale(t *testing.T, j instore.Journal) {
	r := newRefund("refund", "no-such-sale")
	recordRefund(t, j, r)
	require.ErrorIs(t, j.RecordRefund(t.Context(), newRefund("refund", "no-such-sale")), instore.ErrRefundExists)
	got, err := j.Refund(t.Context(), "refund")
	require.NoError(t, err)
	assert.Equal(t, "no-such-sale", got.RequestID)
	r.State = instore.RefundSucceeded
	require.NoError(t, j.UpdateRefund(t.Context(), r))
	_, err = j.Sale(t.Context(), "no-such-sale")
	require.ErrorIs(t, err, instore.ErrSaleNotFound, "no sale is made up for it")
}

func testRefundUpdate(t *testing.T, j instore.Journal) {
	record(t, j, newSale("sale"))
	record(t, j, newSale("other-sale"))
	r := newRefund("refund", "sale")
	recordRefund(t, j, r)

	mine := *r
	r.State, r.RefundID, r.UpdatedAt = instore.RefundSucceeded, "rfnd_test_2", r.UpdatedAt.Add(time.Second)
	r.FailureCode, r.FailureMessage, r.LeaseUntil = "", "", time.Time{}
	require.NoError(t, j.UpdateRefund(t.Context(), r))
	assert.Equal(t, int64(2), r.Version)
	assert.Equal(t, r, readRefund(t, j, "refund"))

	mine.State = instore.RefundFailed
	require.ErrorIs(t, j.UpdateRefund(t.Context(), &mine), instore.ErrJournalConflict)
	assert.Equal(t, int64(1), mine.Version)
	assert.Equal(t, r, readRefund(t, j, "refund"), "the conflicting write changed nothing")

	// A refund stays with the sale it was recorded for.
	moved := readRefund(t, j, "refund")
	moved.RequestID = "other-sale"
	require.NoError(t, j.UpdateRefund(t.Context(), moved))
	assert.Equal(t, "sale", readRefund(t, j, "refund").RequestID)
	assert.Len(t, read(t, j, "sale").Refunds, 1)
	assert.Empty(t, read(t, j, "other-sale").Refunds)
}

func testRefundNotFound(t *testing.T, j instore.Journal) {
	record(t, j, newSale("sale"))
	_, err := j.Refund(t.Context(), "unknown")
	require.ErrorIs(t, err, instore.ErrRefundNotFound)

	r := newRefund("unknown", "sale")
	r.Version = 1
	err = j.UpdateRefund(t.Context(), r)
	require.ErrorIs(t, err, instore.ErrRefundNotFound)
	require.NotErrorIs(t, err, instore.ErrJournalConflict)
	assert.Equal(t, int64(1), r.Version)
}

func testRefundsWithSale(t *testing.T, j instore.Journal) {
	s := newSale("sale")
	record(t, j, s)
	record(t, j, newSale("other-sale"))
	recordRefund(t, j, newRefund("other-refund", "other-sale"))

	// Recorded in the opposite order of their creation times: a sale
	// lists its refunds oldest first.
	later := newRefund("later", "sale")
	later.CreatedAt = base.Add(2 * time.Hour)
	earlier := newRefund("earlier", "sale")
	recordRefund(t, j, later)
	recordRefund(t, j, earlier)
	earlier.State = instore.RefundSucceeded
	require.NoError(t, j.UpdateRefund(t.Context(), earlier))

	assert.Equal(t, stored(s, []*instore.RefundRecord{earlier, later}, eventOf(s)), read(t, j, "sale"),
		"the sale's refunds, as last written, oldest first; writing a refund adds no sale history")
}
