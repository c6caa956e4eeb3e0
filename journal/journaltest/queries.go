package journaltest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// staleNow is the time the Stale tests ask at.
var staleNow = base.Add(time.Hour)

func testStale(t *testing.T, j instore.Journal) {
	expired, alive := staleNow.Add(-time.Microsecond), staleNow.Add(time.Minute)
	for _, c := range []struct {
		id      string
		state   instore.SaleState
		created time.Duration // after base
		lease   time.Time
	}{
		{"recorded-expired", instore.SaleRecorded, 3, expired},
		{"pending-alive", instore.SalePending, 0, alive},
		{"cancelling-expired", instore.SaleCancelling, 1, expired},
		{"unresolved-no-lease", instore.SaleUnresolved, 5, time.Time{}},
		{"recorded-no-lease", instore.SaleRecorded, 4, time.Time{}},
		{"pending-ends-now", instore.SalePending, 0, staleNow}, // ended before now: no
		{"a-pending-expired", instore.SalePending, 3, expired}, // same creation as recorded-expired
		{"B-upper-case", instore.SaleCancelling, 3, expired},   // ids compare as bytes: "B" < "a"
		{"succeeded", instore.SaleSucceeded, 0, expired},
		{"failed", instore.SaleFailed, 0, time.Time{}},
		{"cancelled", instore.SaleCancelled, 0, expired},
	} {
		s := newSale(c.id)
		s.State, s.CreatedAt, s.LeaseUntil = c.state, base.Add(c.created*time.Minute), c.lease
		record(t, j, s)
	}
	// A sale taken over since is read at its new version.
	s := read(t, j, "recorded-no-lease")
	s.Owner = "new-owner"
	require.NoError(t, j.Update(t.Context(), s))

	got, err := j.Stale(t.Context(), staleNow, 100)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"cancelling-expired", "B-upper-case", "a-pending-expired", "recorded-expired", "recorded-no-lease", "unresolved-no-lease",
	}, ids(got), "in flight with no lease or one ended before now, oldest first, then by request id (bytes)")
	for _, s := range got {
		want := read(t, j, s.RequestID)
		want.Refunds, want.History = nil, nil
		assert.Equal(t, want, s, "a stale sale is the sale as stored, at its version")
	}
}

func testStaleLimit(t *testing.T, j instore.Journal) {
	for i := range 5 {
		s := newSale(saleID("stale", i))
		s.CreatedAt, s.LeaseUntil = base.Add(time.Duration(-i)*time.Minute), time.Time{}
		record(t, j, s)
	}
	got, err := j.Stale(t.Context(), staleNow, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"stale-004", "stale-003"}, ids(got))

	got, err = j.Stale(t.Context(), staleNow, 0)
	require.NoError(t, err)
	assert.Empty(t, got, "a limit of zero returns nothing")

	got, err = j.Stale(t.Context(), base.Add(-time.Hour), 10)
	require.NoError(t, err)
	assert.Len(t, got, 5, "a sale without a lease is stale at any time")
}

// lister is j as a SaleLister, or skips the test.
func lister(t *testing.T, j instore.Journal) instore.SaleLister {
	t.Helper()
	l, ok := j.(instore.SaleLister)
	if !ok {
		t.Skipf("%T is not an instore.SaleLister", j)
	}
	return l
}

func testSales(t *testing.T, j instore.Journal) {
	l := lister(t, j)
	// Sale i is created i hours after base.
	fixtures := []struct {
		state    instore.SaleState
		acquirer string
		store    string
	}{
		{instore.SaleSucceeded, "omise", "store-1"},
		{instore.SaleFailed, "ppro", "store-1"},
		{instore.SalePending, "omise", "store-2"},
		{instore.SaleSucceeded, "alipayplus", "store-2"},
		{instore.SaleCancelled, "ppro", "store-2"},
		{instore.SaleUnresolved, "omise", "store-1"},
	}
	for i, f := range fixtures {
		s := newSale(saleID("sale", i))
		s.State, s.Acquirer, s.Store.ID = f.state, f.acquirer, f.store
		s.CreatedAt = base.Add(time.Duration(i) * time.Hour)
		record(t, j, s)
	}
	// Two sales created at one instant are listed by request id, descending.
	twin := newSale("sale-003-twin")
	twin.CreatedAt = base.Add(3 * time.Hour)
	record(t, j, twin)

	cases := []struct {
		name string
		q    instore.SaleQuery
		want []string
	}{
		{"all, newest first", instore.SaleQuery{},
			[]string{"sale-005", "sale-004", "sale-003-twin", "sale-003", "sale-002", "sale-001", "sale-000"}},
		{"from inclusive, to exclusive", instore.SaleQuery{From: base.Add(time.Hour), To: base.Add(3 * time.Hour)},
			[]string{"sale-002", "sale-001"}},
		{"from only", instore.SaleQuery{From: base.Add(4 * time.Hour)}, []string{"sale-005", "sale-004"}},
		{"to only", instore.SaleQuery{To: base.Add(time.Hour)}, []string{"sale-000"}},
		{"states", instore.SaleQuery{States: []instore.SaleState{instore.SaleFailed, instore.SaleCancelled}},
			[]string{"sale-004", "sale-001"}},
		{"acquirer", instore.SaleQuery{Acquirer: "ppro"}, []string{"sale-004", "sale-001"}},
		{"store", instore.SaleQuery{StoreID: "store-2"}, []string{"sale-004", "sale-003", "sale-002"}},
		{"limit", instore.SaleQuery{Limit: 2}, []string{"sale-005", "sale-004"}},
		{"everything at once", instore.SaleQuery{
			From: base.Add(time.Hour), To: base.Add(5 * time.Hour), StoreID: "store-2", Acquirer: "omise",
			States: []instore.SaleState{instore.SalePending, instore.SaleSucceeded}, Limit: 5,
		}, []string{"sale-002"}},
		{"nothing matches", instore.SaleQuery{Acquirer: "nobody"}, []string{}},
	}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			got, err := l.Sales(t.Context(), c.q)
			require.NoError(t, err)
			assert.Equal(t, c.want, ids(got))
		})
	}
	got, err := l.Sales(t.Context(), instore.SaleQuery{Limit: 1})
	require.NoError(t, err)
	require.Len(t, got, 1)
	want := read(t, j, "sale-005")
	want.Refunds, want.History = nil, nil
	assert.Equal(t, want, got[0], "a listed sale is the sale as stored")
}

func testSalesWithoutRefundsOrHistory(t *testing.T, j instore.Journal) {
	l := lister(t, j)
	s := newSale("sale")
	record(t, j, s)
	require.NoError(t, j.Update(t.Context(), s))
	recordRefund(t, j, newRefund("refund", "sale"))
	got, err := l.Sales(t.Context(), instore.SaleQuery{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Empty(t, got[0].Refunds)
	assert.Empty(t, got[0].History)
	assert.Equal(t, int64(2), got[0].Version)
}
