package journaltest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// racers is how many goroutines race for one sale.
const racers = 8

// race runs f in n goroutines that start together, and returns their
// errors, by goroutine.
func race(n int, prepare func(i int), f func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			prepare(i)
			ready.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// oneWinner checks that exactly one of errs is nil and the others match
// loser, and returns the winner.
func oneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			assert.Equal(t, -1, winner, "a second winner, goroutine %d", i)
			winner = i
		case !errors.Is(err, loser):
			assert.Failf(t, "unexpected error", "goroutine %d: %v", i, err)
		}
	}
	require.NotEqual(t, -1, winner, "nobody won")
	return winner
}

func testConcurrentClaimers(t *testing.T, j instore.Journal) {
	s := newSale("left-behind")
	s.Owner, s.LeaseUntil = "dead-process", staleNow.Add(-time.Minute)
	record(t, j, s)

	// Each claimer reads the stale sale, and all write it at the version
	// they read, at once: one takes it over, the others must stop.
	claims := make([]*instore.Sale, racers)
	errs := race(racers, func(i int) {
		stale, err := j.Stale(t.Context(), staleNow, 10)
		if assert.NoError(t, err) && assert.Len(t, stale, 1) {
			claims[i] = stale[0]
			claims[i].Owner = fmt.Sprintf("claimer-%d", i)
			claims[i].LeaseUntil = staleNow.Add(2 * time.Minute)
		}
	}, func(i int) error {
		if claims[i] == nil {
			return errors.New("no claim")
		}
		return j.Update(t.Context(), claims[i])
	})
	winner := oneWinner(t, errs, instore.ErrJournalConflict)

	got := read(t, j, s.RequestID)
	assert.Equal(t, fmt.Sprintf("claimer-%d", winner), got.Owner)
	assert.Equal(t, int64(2), got.Version)
	assert.Len(t, got.History, 2, "one write by the winner, none by the others")
	for i, c := range claims {
		if i != winner && c != nil {
			assert.Equal(t, int64(1), c.Version, "a loser's version is left as read")
		}
	}
	stale, err := j.Stale(t.Context(), staleNow, 10)
	require.NoError(t, err)
	assert.Empty(t, stale, "the winner's lease holds")
}

func testConcurrentRecords(t *testing.T, j instore.Journal) {
	sales := make([]*instore.Sale, racers)
	errs := race(racers, func(i int) {
		sales[i] = newSale("one-id")
		sales[i].Owner = fmt.Sprintf("recorder-%d", i)
	}, func(i int) error {
		return j.Record(t.Context(), sales[i])
	})
	winner := oneWinner(t, errs, instore.ErrSaleExists)
	assert.Equal(t, stored(sales[winner], nil, eventOf(sales[winner])), read(t, j, "one-id"))
}

func testConcurrentRefundRecords(t *testing.T, j instore.Journal) {
	record(t, j, newSale("sale"))
	refunds := make([]*instore.RefundRecord, racers)
	errs := race(racers, func(i int) {
		refunds[i] = newRefund("one-refund", "sale")
		refunds[i].Owner = fmt.Sprintf("refunder-%d", i)
	}, func(i int) error {
		return j.RecordRefund(t.Context(), refunds[i])
	})
	winner := oneWinner(t, errs, instore.ErrRefundExists)
	assert.Equal(t, refunds[winner], readRefund(t, j, "one-refund"))
	assert.Len(t, read(t, j, "sale").Refunds, 1)
}

// testManyWriters writes many sales at once, each as a successful sale
// is written (a Record and two Updates). On SQLite this is where writers
// wait for each other rather than fail.
func testManyWriters(t *testing.T, j instore.Journal) {
	const writers, perWriter = 10, 8
	errs := race(writers, func(int) {}, func(w int) error {
		for n := range perWriter {
			s := newSale(saleID(fmt.Sprintf("writer-%d", w), n))
			s.State = instore.SaleRecorded
			if err := j.Record(t.Context(), s); err != nil {
				return err
			}
			s.State = instore.SalePending
			if err := j.Update(t.Context(), s); err != nil {
				return err
			}
			s.State, s.LeaseUntil = instore.SaleSucceeded, time.Time{}
			if err := j.Update(t.Context(), s); err != nil {
				return err
			}
		}
		return nil
	})
	for w, err := range errs {
		require.NoError(t, err, "writer %d", w)
	}
	for w := range writers {
		for n := range perWriter {
			got := read(t, j, saleID(fmt.Sprintf("writer-%d", w), n))
			assert.Equal(t, instore.SaleSucceeded, got.State)
			assert.Equal(t, int64(3), got.Version)
			assert.Len(t, got.History, 3)
		}
	}
	if l, ok := j.(instore.SaleLister); ok {
		all, err := l.Sales(t.Context(), instore.SaleQuery{})
		require.NoError(t, err)
		assert.Len(t, all, writers*perWriter)
	}
}
