package journaltest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func testRecordRoundTrip(t *testing.T, j instore.Journal) {
	s := newSale("round-trip")
	requireAllFieldsSet(t, s, "Version", "Refunds", "History")
	s.Version = 7 // Record ignores it
	record(t, j, s)
	assert.Equal(t, int64(1), s.Version, "Record sets the version to 1")
	assert.Equal(t, stored(s, nil, eventOf(s)), read(t, j, s.RequestID))
}

func testRecordMinimal(t *testing.T, j instore.Journal) {
	s := &instore.Sale{RequestID: "minimal", State: instore.SaleRecorded, CreatedAt: base, UpdatedAt: base}
	record(t, j, s)
	assert.Equal(t, stored(s, nil, eventOf(s)), read(t, j, s.RequestID))
}

func testZeroTimes(t *testing.T, j instore.Journal) {
	s := newSale("zero-times")
	s.CreatedAt, s.AcquirerTime, s.UpdatedAt, s.LeaseUntil = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	record(t, j, s)
	got := read(t, j, s.RequestID)
	for name, tm := range map[string]time.Time{
		"CreatedAt": got.CreatedAt, "AcquirerTime": got.AcquirerTime, "UpdatedAt": got.UpdatedAt,
		"LeaseUntil": got.LeaseUntil, "History[0].At": got.History[0].At,
	} {
		assert.True(t, tm.IsZero(), "%s: %v", name, tm)
	}
	assert.Equal(t, stored(s, nil, eventOf(s)), got)
}

func testTimesMicrosecondsUTC(t *testing.T, j instore.Journal) {
	bangkok := time.FixedZone("ICT", 7*60*60)
	at := time.Date(2026, 12, 3, 17, 4, 5, 123456789, bangkok) // nanoseconds, not UTC
	s := newSale("precision")
	s.CreatedAt, s.AcquirerTime, s.UpdatedAt, s.LeaseUntil = at, at.Add(time.Nanosecond), at.Add(999), at.Add(-790)
	record(t, j, s)
	got := read(t, j, s.RequestID)

	want := func(tm time.Time) time.Time { return tm.UTC().Truncate(time.Microsecond) }
	for name, pair := range map[string][2]time.Time{
		"CreatedAt":     {s.CreatedAt, got.CreatedAt},
		"AcquirerTime":  {s.AcquirerTime, got.AcquirerTime},
		"UpdatedAt":     {s.UpdatedAt, got.UpdatedAt},
		"LeaseUntil":    {s.LeaseUntil, got.LeaseUntil},
		"History[0].At": {s.UpdatedAt, got.History[0].At},
	} {
		assert.Equal(t, want(pair[0]), pair[1], name)
		assert.Equal(t, time.UTC, pair[1].Location(), name)
	}
	assert.Equal(t, time.Date(2026, 12, 3, 10, 4, 5, 123456000, time.UTC), got.CreatedAt)
	assert.Equal(t, time.Date(2026, 12, 3, 10, 4, 5, 123455000, time.UTC), got.LeaseUntil,
		"truncated toward the past, not rounded")
}

func testRecordExists(t *testing.T, j instore.Journal) {
	first := newSale("exists")
	record(t, j, first)

	again := newSale("exists")
	again.Amount.Amount = 1
	again.Version = 5
	err := j.Record(t.Context(), again)
	require.ErrorIs(t, err, instore.ErrSaleExists)
	assert.Equal(t, int64(5), again.Version, "a failed Record leaves the version alone")
	assert.Equal(t, stored(first, nil, eventOf(first)), read(t, j, "exists"), "the first sale is unchanged")
}

func testUpdateVersions(t *testing.T, j instore.Journal) {
	s := newSale("versions")
	record(t, j, s)
	first := eventOf(s)
	s.State, s.UpdatedAt = instore.SaleCancelling, s.UpdatedAt.Add(time.Second)
	require.NoError(t, j.Update(t.Context(), s))
	assert.Equal(t, int64(2), s.Version)
	second := eventOf(s)
	s.State, s.LeaseUntil, s.UpdatedAt = instore.SaleCancelled, time.Time{}, s.UpdatedAt.Add(time.Second)
	require.NoError(t, j.Update(t.Context(), s))
	assert.Equal(t, int64(3), s.Version)
	assert.Equal(t, stored(s, nil, first, second, eventOf(s)), read(t, j, s.RequestID))
}

func testUpdateConflict(t *testing.T, j instore.Journal) {
	s := newSale("conflict")
	record(t, j, s)
	mine := *s
	theirs := *s
	theirs.Owner = "other-process"
	require.NoError(t, j.Update(t.Context(), &theirs))

	mine.State = instore.SaleSucceeded
	err := j.Update(t.Context(), &mine)
	require.ErrorIs(t, err, instore.ErrJournalConflict)
	assert.Equal(t, int64(1), mine.Version, "a failed Update leaves the version alone")
	assert.Equal(t, stored(&theirs, nil, eventOf(s), eventOf(&theirs)), read(t, j, s.RequestID),
		"the conflicting write changed nothing")

	// Re-read, it can write again.
	again := read(t, j, s.RequestID)
	again.State = instore.SaleSucceeded
	require.NoError(t, j.Update(t.Context(), again))
	assert.Equal(t, int64(3), again.Version)

	// A version from the future conflicts too.
	future := read(t, j, s.RequestID)
	future.Version += 10
	require.ErrorIs(t, j.Update(t.Context(), future), instore.ErrJournalConflict)
}

func testUpdateNotFound(t *testing.T, j instore.Journal) {
	s := newSale("never-recorded")
	s.Version = 1
	err := j.Update(t.Context(), s)
	require.ErrorIs(t, err, instore.ErrSaleNotFound)
	require.NotErrorIs(t, err, instore.ErrJournalConflict)
	assert.Equal(t, int64(1), s.Version)
	_, err = j.Sale(t.Context(), s.RequestID)
	require.ErrorIs(t, err, instore.ErrSaleNotFound, "a failed Update creates nothing")
}

func testSaleNotFound(t *testing.T, j instore.Journal) {
	record(t, j, newSale("known"))
	_, err := j.Sale(t.Context(), "unknown")
	require.ErrorIs(t, err, instore.ErrSaleNotFound)
}

func testHistory(t *testing.T, j instore.Journal) {
	s := newSale("history")
	s.State, s.PaymentID, s.Owner = instore.SaleRecorded, "", "first-owner"
	record(t, j, s)
	want := []instore.SaleEvent{eventOf(s)}

	steps := []func(){
		func() { s.State, s.PaymentID = instore.SalePending, "chrg_test_1" },
		func() { s.Owner = "second-owner" },
		func() { s.State = instore.SaleCancelling },
		func() { s.State, s.LeaseUntil = instore.SaleSucceeded, time.Time{} },
	}
	for i, step := range steps {
		step()
		s.UpdatedAt = base.Add(time.Duration(i+1) * time.Minute)
		require.NoError(t, j.Update(t.Context(), s))
		want = append(want, eventOf(s))
	}
	got := read(t, j, s.RequestID)
	assert.Equal(t, want, got.History)
	assert.Equal(t, stored(s, nil, want...), got)

	// History on the sale written is ignored: the journal keeps its own.
	got.History = []instore.SaleEvent{{State: instore.SaleFailed}}
	got.UpdatedAt = base.Add(time.Hour)
	require.NoError(t, j.Update(t.Context(), got))
	assert.Equal(t, append(want, eventOf(got)), read(t, j, s.RequestID).History)
}

func testCancelledContext(t *testing.T, j instore.Journal) {
	s := newSale("cancelled")
	record(t, j, s)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	fresh := newSale("cancelled-record")
	require.ErrorIs(t, j.Record(ctx, fresh), context.Canceled)
	assert.Zero(t, fresh.Version)
	s.State = instore.SaleSucceeded
	require.ErrorIs(t, j.Update(ctx, s), context.Canceled)
	assert.Equal(t, int64(1), s.Version)

	_, err := j.Sale(t.Context(), fresh.RequestID)
	require.ErrorIs(t, err, instore.ErrSaleNotFound, "a cancelled Record writes nothing")
	assert.Equal(t, instore.SalePending, read(t, j, s.RequestID).State, "a cancelled Update writes nothing")
}
