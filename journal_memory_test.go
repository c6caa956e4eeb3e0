package instore_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal/journaltest"
)

func TestMemoryJournal(t *testing.T) {
	t.Parallel()
	journaltest.Run(t, func(*testing.T) instore.Journal { return instore.NewMemoryJournal(0, 0) })
}

// memSale is a sale in state at, last written at updated.
func memSale(id string, state instore.SaleState, updated time.Time) *instore.Sale {
	return &instore.Sale{RequestID: id, State: state, CreatedAt: updated, UpdatedAt: updated}
}

// held reports which of ids j still holds.
func held(t *testing.T, j *instore.MemoryJournal, ids ...string) map[string]bool {
	t.Helper()
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		_, err := j.Sale(t.Context(), id)
		if err != nil {
			require.ErrorIs(t, err, instore.ErrSaleNotFound)
		}
		out[id] = err == nil
	}
	return out
}

func TestMemoryJournalDropsByAge(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := instore.NewMemoryJournal(0, time.Hour)
		ctx := t.Context()
		start := time.Now()
		for _, s := range []*instore.Sale{
			memSale("succeeded", instore.SaleSucceeded, start),
			memSale("failed", instore.SaleFailed, start),
			memSale("pending", instore.SalePending, start),
			memSale("unresolved", instore.SaleUnresolved, start),
			memSale("refunding", instore.SaleSucceeded, start),
			memSale("refunded", instore.SaleSucceeded, start),
		} {
			require.NoError(t, j.Record(ctx, s))
		}
		require.NoError(t, j.RecordRefund(ctx, &instore.RefundRecord{
			RefundRequestID: "open-refund", RequestID: "refunding", State: instore.RefundPending, UpdatedAt: start,
		}))
		require.NoError(t, j.RecordRefund(ctx, &instore.RefundRecord{
			RefundRequestID: "done-refund", RequestID: "refunded", State: instore.RefundSucceeded, UpdatedAt: start,
		}))
		// A sale written again later is dated by its last write.
		late, err := j.Sale(ctx, "failed")
		require.NoError(t, err)
		time.Sleep(30 * time.Minute)
		late.UpdatedAt = time.Now()
		require.NoError(t, j.Update(ctx, late))

		time.Sleep(31 * time.Minute) // "succeeded" and "refunded" are now past the hour
		require.NoError(t, j.Record(ctx, memSale("trigger", instore.SaleSucceeded, time.Now())))
		assert.Equal(t, map[string]bool{
			"succeeded": false, "refunded": false, // final and old: dropped
			"failed":  true,                     // written 31 minutes ago
			"pending": true, "unresolved": true, // in flight: never dropped
			"refunding": true, // its refund is in flight
			"trigger":   true,
		}, held(t, j, "succeeded", "refunded", "failed", "pending", "unresolved", "refunding", "trigger"))
		_, err = j.Refund(ctx, "done-refund")
		require.ErrorIs(t, err, instore.ErrRefundNotFound, "a refund goes with its sale")

		// The refund in flight ends now: its sale is dated by it, and goes
		// an hour later.
		r, err := j.Refund(ctx, "open-refund")
		require.NoError(t, err)
		r.State, r.UpdatedAt = instore.RefundSucceeded, time.Now()
		require.NoError(t, j.UpdateRefund(ctx, r))
		assert.True(t, held(t, j, "refunding")["refunding"])
		time.Sleep(61 * time.Minute)
		require.NoError(t, j.Record(ctx, memSale("trigger-2", instore.SaleSucceeded, time.Now())))
		assert.False(t, held(t, j, "refunding")["refunding"])
		_, err = j.Refund(ctx, "open-refund")
		require.ErrorIs(t, err, instore.ErrRefundNotFound)
		assert.True(t, held(t, j, "pending")["pending"], "a sale in flight outlives any age")
	})
}

func TestMemoryJournalDropsOldestBeyondMaxSales(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Now()
	j := instore.NewMemoryJournal(3, 0)
	// Recorded out of age order: the oldest writes go first, not the
	// first recorded.
	for _, s := range []*instore.Sale{
		memSale("final-2", instore.SaleSucceeded, now.Add(-2*time.Minute)),
		memSale("pending-1", instore.SalePending, now.Add(-10*time.Minute)),
		memSale("final-3", instore.SaleCancelled, now.Add(-1*time.Minute)),
		memSale("final-1", instore.SaleFailed, now.Add(-3*time.Minute)),
		memSale("pending-2", instore.SaleRecorded, now.Add(-10*time.Minute)),
	} {
		require.NoError(t, j.Record(ctx, s))
	}
	assert.Equal(t, map[string]bool{
		"pending-1": true, "pending-2": true, "final-3": true,
		"final-1": false, "final-2": false,
	}, held(t, j, "pending-1", "pending-2", "final-1", "final-2", "final-3"))

	// Beyond the bound, sales in flight are still kept, all of them.
	for i := range 4 {
		require.NoError(t, j.Record(ctx, memSale(fmt.Sprint("more-", i), instore.SalePending, now)))
	}
	h := held(t, j, "pending-1", "pending-2", "final-3", "more-0", "more-1", "more-2", "more-3")
	assert.Equal(t, map[string]bool{
		"pending-1": true, "pending-2": true, "final-3": false,
		"more-0": true, "more-1": true, "more-2": true, "more-3": true,
	}, h)

	// A sale in flight that ends becomes droppable, and the bound holds
	// again as they end.
	for _, id := range []string{"pending-1", "pending-2", "more-0", "more-1", "more-2", "more-3"} {
		s, err := j.Sale(ctx, id)
		require.NoError(t, err)
		s.State = instore.SaleSucceeded
		require.NoError(t, j.Update(ctx, s))
	}
	all, err := j.Sales(ctx, instore.SaleQuery{})
	require.NoError(t, err)
	assert.Len(t, all, 3)
}

// TestMemoryJournalDropsOrphanRefunds: refunds of sales the journal does
// not hold are bounded as sales are, by number and by age, whether or not
// the journal also holds sales it could drop.
func TestMemoryJournalDropsOrphanRefunds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		j := instore.NewMemoryJournal(2, time.Hour)
		// A final sale, young enough to stay: it must not shield the
		// orphans from their own bounds.
		require.NoError(t, j.Record(ctx, memSale("kept", instore.SaleSucceeded, time.Now())))
		orphan := func(id string) *instore.RefundRecord {
			return &instore.RefundRecord{
				RefundRequestID: id, RequestID: "not-held-" + id, State: instore.RefundSucceeded, UpdatedAt: time.Now(),
			}
		}
		for _, id := range []string{"orphan-0", "orphan-1", "orphan-2", "orphan-3"} {
			require.NoError(t, j.RecordRefund(ctx, orphan(id)))
		}
		refunds := func(ids ...string) map[string]bool {
			out := make(map[string]bool, len(ids))
			for _, id := range ids {
				_, err := j.Refund(ctx, id)
				if err != nil {
					require.ErrorIs(t, err, instore.ErrRefundNotFound)
				}
				out[id] = err == nil
			}
			return out
		}
		assert.Equal(t, map[string]bool{"orphan-0": false, "orphan-1": false, "orphan-2": true, "orphan-3": true},
			refunds("orphan-0", "orphan-1", "orphan-2", "orphan-3"), "beyond maxSales, the oldest go")

		time.Sleep(30 * time.Minute)
		require.NoError(t, j.Record(ctx, memSale("young", instore.SaleSucceeded, time.Now())))
		time.Sleep(31 * time.Minute) // the orphans, not "young", are past the hour
		require.NoError(t, j.Update(ctx, read(t, j, "young")))
		assert.Equal(t, map[string]bool{"orphan-2": false, "orphan-3": false}, refunds("orphan-2", "orphan-3"),
			"past maxAge, they go")
		assert.True(t, held(t, j, "young")["young"])
	})
}

// TestMemoryJournalOrphanRefundOfASaleRecordedLater: a refund recorded
// while the journal did not hold its sale stays an orphan when the sale
// is recorded after it, and its writes do not count against the refunds
// of that sale: a refund of the sale still in flight keeps it.
func TestMemoryJournalOrphanRefundOfASaleRecordedLater(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Now()
	j := instore.NewMemoryJournal(1, 0)
	early := &instore.RefundRecord{RefundRequestID: "early", RequestID: "sale", State: instore.RefundPending, UpdatedAt: now}
	require.NoError(t, j.RecordRefund(ctx, early))
	require.NoError(t, j.Record(ctx, memSale("sale", instore.SaleSucceeded, now)))
	early.State = instore.RefundSucceeded
	require.NoError(t, j.UpdateRefund(ctx, early))
	require.NoError(t, j.RecordRefund(ctx, &instore.RefundRecord{
		RefundRequestID: "in-flight", RequestID: "sale", State: instore.RefundPending, UpdatedAt: now,
	}))

	// Over the bound: the oldest final sale goes, unless it is pinned.
	require.NoError(t, j.Record(ctx, memSale("newer", instore.SaleSucceeded, now.Add(time.Minute))))
	assert.True(t, held(t, j, "sale")["sale"], "a sale with a refund in flight is never dropped")
	_, err := j.Refund(ctx, "in-flight")
	require.NoError(t, err, "a refund in flight is never dropped")
}

// read reads the sale id from j, failing the test on an error.
func read(t *testing.T, j *instore.MemoryJournal, id string) *instore.Sale {
	t.Helper()
	s, err := j.Sale(t.Context(), id)
	require.NoError(t, err)
	return s
}

func TestNewMemoryJournalDefaults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	j := instore.NewMemoryJournal(-1, -time.Hour) // below zero means the defaults too
	day := time.Now().Add(-23 * time.Hour)
	require.NoError(t, j.Record(ctx, memSale("a-day-old", instore.SaleSucceeded, day)))
	require.NoError(t, j.Record(ctx, memSale("two-days-old", instore.SaleSucceeded, day.Add(-24*time.Hour))))
	assert.Equal(t, map[string]bool{"a-day-old": true, "two-days-old": false},
		held(t, j, "a-day-old", "two-days-old"), "kept for 24 hours")
}

// BenchmarkMemoryJournalRecord records final sales into a journal that is
// full, so that every Record drops one: the cost must not grow with the
// number of sales held.
func BenchmarkMemoryJournalRecord(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint("full-", size), func(b *testing.B) {
			ctx := b.Context()
			j := instore.NewMemoryJournal(size, 0)
			now := time.Now()
			for i := range size {
				_ = j.Record(ctx, memSale(fmt.Sprint("fill-", i), instore.SaleSucceeded, now))
			}
			ids := make([]string, b.N)
			for i := range ids {
				ids[i] = fmt.Sprint("sale-", i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := j.Record(ctx, memSale(ids[i], instore.SaleSucceeded, now)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
