package inflight

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
)

// TestOneAtATime runs many deliveries of a few keys at once: a key is
// never handled by two at the same time, and the set is empty afterwards.
func TestOneAtATime(t *testing.T) {
	t.Parallel()
	var s Set
	var busy [4]atomic.Int32
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Go(func() {
			k := i % len(busy)
			key := string(rune('a' + k))
			if !s.Acquire(t.Context(), key) {
				t.Error("acquire failed")
				return
			}
			if busy[k].Add(1) != 1 {
				t.Errorf("key %s handled twice at once", key)
			}
			// Hold the key for a moment: with nothing in between, a second
			// holder would hardly ever be caught inside.
			runtime.Gosched()
			busy[k].Add(-1)
			s.Release(key)
		})
	}
	wg.Wait()
	assert.Zero(t, s.Len())
}

// TestAcquireGivesUp checks that a waiting delivery gives up with its
// context, leaving the key to its holder.
func TestAcquireGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var s Set
		assert.True(t, s.Acquire(t.Context(), "k"))
		ctx, cancel := context.WithCancel(t.Context())
		got := make(chan bool)
		go func() { got <- s.Acquire(ctx, "k") }()
		synctest.Wait()
		cancel()
		assert.False(t, <-got)
		assert.Equal(t, 1, s.Len())
		s.Release("k")
		assert.Zero(t, s.Len())
		s.Release("never held") // harmless
	})
}
