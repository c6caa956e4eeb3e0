package instore_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestWebhookHandlerDuplicates(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok)
		body := fixture(t, "event_charge_complete")
		other := fixture(t, "event_refund_create")
		for range 3 {
			assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		}
		assert.Equal(t, http.StatusOK, post(t, h, other, signedNow(t, testWebhookSecret, other)).Code)
		require.Equal(t, 2, c.len())
		assert.Equal(t, testEventID, c.events[0].ID)
		assert.Equal(t, instore.EventRefundCreate, c.events[1].Key)

		// Another handler has its own store.
		var c2 calls
		h2 := instore.WebhookHandler([]string{testWebhookSecret}, c2.ok)
		assert.Equal(t, http.StatusOK, post(t, h2, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, 1, c2.len())

		// With deduplication off every delivery runs the function.
		var c3 calls
		h3 := instore.WebhookHandler([]string{testWebhookSecret}, c3.ok, instore.WithDeduplication(nil))
		for range 2 {
			assert.Equal(t, http.StatusOK, post(t, h3, body, signedNow(t, testWebhookSecret, body)).Code)
		}
		assert.Equal(t, 2, c3.len())
	})
}

// Two deliveries of one event at the same time: the second waits for the
// first, then is dropped when the first succeeded, or runs the function
// when it failed. The function never runs twice at once.
func TestWebhookHandlerConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	for _, firstFails := range []bool{false, true} {
		name := "first succeeds"
		if firstFails {
			name = "first fails"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				release := make(chan struct{})
				var running, maxRunning, total atomic.Int32
				h := instore.WebhookHandler([]string{testWebhookSecret}, func(context.Context, *instore.Event) error {
					n := running.Add(1)
					defer running.Add(-1)
					if n > maxRunning.Load() {
						maxRunning.Store(n)
					}
					first := total.Add(1) == 1
					<-release
					if first && firstFails {
						return errors.New("first delivery fails")
					}
					return nil
				})
				body := fixture(t, "event_charge_complete")
				hdr := signedNow(t, testWebhookSecret, body)
				codes := make([]int, 2)
				var wg sync.WaitGroup
				for i := range codes {
					wg.Go(func() { codes[i] = post(t, h, body, hdr).Code })
				}
				synctest.Wait()
				assert.Equal(t, int32(1), total.Load(), "one delivery runs, the other waits")
				close(release)
				wg.Wait()
				assert.Equal(t, int32(1), maxRunning.Load())
				if firstFails {
					assert.ElementsMatch(t, []int{http.StatusInternalServerError, http.StatusOK}, codes)
					assert.Equal(t, int32(2), total.Load())
				} else {
					assert.Equal(t, []int{http.StatusOK, http.StatusOK}, codes)
					assert.Equal(t, int32(1), total.Load())
				}
			})
		})
	}
}

// A delivery waiting for a concurrent one gives up with its request.
func TestWebhookHandlerWaitCancelled(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		release := make(chan struct{})
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, func(ctx context.Context, e *instore.Event) error {
			<-release
			return c.ok(ctx, e)
		})
		body := fixture(t, "event_charge_complete")
		hdr := signedNow(t, testWebhookSecret, body)
		first := make(chan int, 1)
		go func() { first <- post(t, h, body, hdr).Code }()
		synctest.Wait()

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		w := postCtx(ctx, h, body, hdr)
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		close(release)
		assert.Equal(t, http.StatusOK, <-first)
		assert.Equal(t, 1, c.len())
	})
}

// failingStore is a DedupStore whose calls fail as told.
type failingStore struct {
	seenErr, markErr error
	marks            atomic.Int32
}

func (s *failingStore) Seen(context.Context, string) (bool, error) { return false, s.seenErr }

func (s *failingStore) Mark(context.Context, string) error {
	s.marks.Add(1)
	return s.markErr
}

func TestWebhookHandlerStoreErrors(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		body := fixture(t, "event_charge_complete")

		// Seen failing: 500, the function is not called, Omise retries.
		var c calls
		s := &failingStore{seenErr: errors.New("store down")}
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithDeduplication(s))
		assert.Equal(t, http.StatusInternalServerError, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Zero(t, c.len())
		assert.Zero(t, s.marks.Load())

		// Mark failing: the function has acted, so 200; a redelivery
		// runs it again.
		var c2 calls
		s2 := &failingStore{markErr: errors.New("store full")}
		h2 := instore.WebhookHandler([]string{testWebhookSecret}, c2.ok, instore.WithDeduplication(s2))
		for range 2 {
			assert.Equal(t, http.StatusOK, post(t, h2, body, signedNow(t, testWebhookSecret, body)).Code)
		}
		assert.Equal(t, 2, c2.len())
		assert.Equal(t, int32(2), s2.marks.Load())
	})
}

func TestMemoryDedupStore(t *testing.T) {
	t.Parallel()
	for _, bad := range []struct {
		size int
		ttl  time.Duration
	}{{0, time.Hour}, {-1, time.Hour}, {10, 0}, {10, -time.Second}} {
		s, err := instore.NewMemoryDedupStore(bad.size, bad.ttl)
		require.ErrorIs(t, err, instore.ErrInvalidConfig)
		assert.Nil(t, s)
	}

	inBubble(t, func(t *testing.T) {
		ctx := t.Context()
		s, err := instore.NewMemoryDedupStore(2, time.Hour)
		require.NoError(t, err)
		seen := func(id string) bool {
			t.Helper()
			ok, err := s.Seen(ctx, id)
			require.NoError(t, err)
			return ok
		}
		assert.False(t, seen("a"))
		require.NoError(t, s.Mark(ctx, "a"))
		require.NoError(t, s.Mark(ctx, "b"))
		assert.True(t, seen("a")) // a is now the most recently used
		require.NoError(t, s.Mark(ctx, "c"))
		assert.Equal(t, 2, s.Len())
		assert.False(t, seen("b"), "b was the least recently used")
		assert.True(t, seen("a"))
		assert.True(t, seen("c"))

		// TTL: remembered until an hour after marking, not at the hour.
		time.Sleep(time.Hour - time.Nanosecond)
		assert.True(t, seen("a"))
		require.NoError(t, s.Mark(ctx, "c")) // marking again restarts c's hour
		time.Sleep(time.Nanosecond)
		assert.False(t, seen("a"))
		assert.True(t, seen("c"))
		assert.Equal(t, 1, s.Len())

		// Expired ids are dropped when another is marked.
		time.Sleep(time.Hour)
		require.NoError(t, s.Mark(ctx, "d"))
		assert.Equal(t, 1, s.Len())
		assert.False(t, seen("c"))
	})
}

// The default store forgets an event after DefaultDedupTTL; the handler
// then runs the function again.
func TestWebhookHandlerDedupTTL(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok)
		body := fixture(t, "event_charge_complete")
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		time.Sleep(instore.DefaultDedupTTL - time.Second)
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, 1, c.len())
		time.Sleep(time.Second)
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, 2, c.len())
	})
}
