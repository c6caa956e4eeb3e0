package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestSimClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	c := &simClock{base: simulatedDay, start: start}
	assert.Equal(t, simulatedDay, c.sim(start))
	assert.Equal(t, simulatedDay.Add(time.Millisecond), c.sim(start.Add(time.Second)), "a real second is a simulated millisecond")
	assert.Equal(t, simulatedDay.Add(-2*time.Minute), c.sim(start.Add(-2*time.Minute*slowdown)))
	assert.Equal(t, start.Add(time.Second), c.real(simulatedDay.Add(time.Millisecond)))
	assert.True(t, c.sim(time.Time{}).IsZero())
	assert.True(t, c.real(time.Time{}).IsZero())

	c.Set(simulatedMorning)
	now := c.Now()
	assert.False(t, now.Before(simulatedMorning))
	assert.Less(t, now.Sub(simulatedMorning), time.Second, "the clock stands almost still")
}

// TestClockedJournal: a Checkout's times go into the journal on the
// simulated clock and come back on the real one; a lease it wrote still
// holds when it reads it back, and Stale sees the same.
func TestClockedJournal(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	cj := d.w.journal
	now := time.Now()
	s := &instore.Sale{
		RequestID: "clock-1", Kind: instore.SaleCollect, Acquirer: "ppro", Method: instore.MethodPPROAlipay,
		Wallet: instore.WalletAlipay, Amount: instore.Money{Amount: 100, Currency: instore.CHF}, State: instore.SalePending,
		CreatedAt: now, UpdatedAt: now, AcquirerTime: now, Owner: "till", LeaseUntil: now.Add(2 * time.Minute),
	}
	require.NoError(t, cj.Record(t.Context(), s))
	assert.Equal(t, int64(1), s.Version)

	raw, err := d.sim.store.Sale(t.Context(), "clock-1")
	require.NoError(t, err)
	assert.WithinDuration(t, simulatedMorning, raw.CreatedAt, time.Second, "stored on the simulated clock")
	assert.WithinDuration(t, simulatedMorning, raw.AcquirerTime, time.Second, "PPRO's time is our clock's")
	assert.Equal(t, 2*time.Minute/slowdown, raw.LeaseUntil.Sub(raw.CreatedAt).Round(time.Microsecond))

	back, err := cj.Sale(t.Context(), "clock-1")
	require.NoError(t, err)
	assert.WithinDuration(t, now, back.CreatedAt, 10*time.Millisecond, "read back on the real clock")
	assert.WithinDuration(t, now.Add(2*time.Minute), back.LeaseUntil, 10*time.Millisecond)
	require.Len(t, back.History, 1)
	assert.WithinDuration(t, now, back.History[0].At, 10*time.Millisecond)

	// A fixed time within the lease, not time.Now(): the check must not
	// depend on how fast the machine got here.
	stale, err := cj.Stale(t.Context(), now.Add(time.Minute), 100)
	require.NoError(t, err)
	for _, st := range stale {
		assert.NotEqual(t, "clock-1", st.RequestID, "its lease holds")
	}
	stale, err = cj.Stale(t.Context(), now.Add(3*time.Minute), 100)
	require.NoError(t, err)
	var ids []string
	for _, st := range stale {
		ids = append(ids, st.RequestID)
	}
	assert.Contains(t, ids, "clock-1", "and runs out when the real clock says")

	back.State, back.UpdatedAt = instore.SaleSucceeded, time.Now()
	require.NoError(t, cj.Update(t.Context(), back))
	assert.Equal(t, int64(2), back.Version)

	r := &instore.RefundRecord{
		RefundRequestID: "clock-r1", RequestID: "clock-1", Acquirer: "ppro", Amount: instore.Money{Amount: 10, Currency: instore.CHF},
		State: instore.RefundRecorded, CreatedAt: now, UpdatedAt: now, Owner: "till", LeaseUntil: now.Add(time.Minute),
	}
	require.NoError(t, cj.RecordRefund(t.Context(), r))
	r.State = instore.RefundSucceeded
	require.NoError(t, cj.UpdateRefund(t.Context(), r))
	rr, err := cj.Refund(t.Context(), "clock-r1")
	require.NoError(t, err)
	assert.Equal(t, instore.RefundSucceeded, rr.State)
	assert.WithinDuration(t, now, rr.CreatedAt, 10*time.Millisecond)
	rawR, err := d.sim.store.Refund(t.Context(), "clock-r1")
	require.NoError(t, err)
	assert.WithinDuration(t, simulatedMorning, rawR.CreatedAt, time.Second)
}
