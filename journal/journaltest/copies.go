package journaltest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// clone is a deep copy of s, which no journal can share.
func clone(s *instore.Sale) *instore.Sale {
	c := *s
	c.Refunds = nil
	for _, r := range s.Refunds {
		rc := *r
		c.Refunds = append(c.Refunds, &rc)
	}
	c.History = append([]instore.SaleEvent(nil), s.History...)
	return &c
}

// spoil changes every part of s a careless caller could change.
func spoil(s *instore.Sale) {
	s.State = instore.SaleFailed
	s.Store.Name = "spoiled"
	s.Version = 99
	for _, r := range s.Refunds {
		r.State = instore.RefundFailed
	}
	for i := range s.History {
		s.History[i].State = instore.SaleFailed
	}
	s.Refunds = append(s.Refunds, &instore.RefundRecord{RefundRequestID: "spoiled"})
	s.History = append(s.History, instore.SaleEvent{State: instore.SaleFailed})
}

func testReturnsCopies(t *testing.T, j instore.Journal) {
	s := newSale("sale")
	s.LeaseUntil = staleNow.Add(-1) // stale, to be returned by Stale too
	record(t, j, s)
	require.NoError(t, j.Update(t.Context(), s))
	recordRefund(t, j, newRefund("refund", "sale"))
	want := clone(read(t, j, "sale"))

	spoil(read(t, j, "sale"))
	assert.Equal(t, want, read(t, j, "sale"), "changing what Sale returned changes nothing stored")

	r := readRefund(t, j, "refund")
	r.State, r.Version = instore.RefundFailed, 99
	assert.Equal(t, want.Refunds[0], readRefund(t, j, "refund"), "changing what Refund returned changes nothing stored")

	stale, err := j.Stale(t.Context(), staleNow, 10)
	require.NoError(t, err)
	require.Len(t, stale, 1)
	spoil(stale[0])
	assert.Equal(t, want, read(t, j, "sale"), "changing what Stale returned changes nothing stored")

	if l, ok := j.(instore.SaleLister); ok {
		listed, err := l.Sales(t.Context(), instore.SaleQuery{})
		require.NoError(t, err)
		require.Len(t, listed, 1)
		spoil(listed[0])
		assert.Equal(t, want, read(t, j, "sale"), "changing what Sales returned changes nothing stored")
	}
}

func testKeepsCopies(t *testing.T, j instore.Journal) {
	s := newSale("sale")
	record(t, j, s)
	want := clone(read(t, j, "sale"))
	s.State, s.Store.Name = instore.SaleFailed, "changed after Record"
	assert.Equal(t, want, read(t, j, "sale"), "changing a sale after Record changes nothing stored")

	require.NoError(t, j.Update(t.Context(), s))
	want = clone(read(t, j, "sale"))
	s.State = instore.SaleSucceeded
	assert.Equal(t, want, read(t, j, "sale"), "changing a sale after Update changes nothing stored")

	r := newRefund("refund", "sale")
	recordRefund(t, j, r)
	wantRefund := *readRefund(t, j, "refund")
	r.State = instore.RefundFailed
	assert.Equal(t, &wantRefund, readRefund(t, j, "refund"), "changing a refund after RecordRefund changes nothing stored")
}
