package instore_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// TestMemoryDedupStoreBound checks the memory bound MemoryDedupStore
// states: marking twice its size in ids far longer than MaxDedupIDLen
// leaves it holding its size in ids, in at most 300 bytes each.
//
// It measures the live heap, so it does not run in parallel with other
// tests.
func TestMemoryDedupStoreBound(t *testing.T) {
	const size = instore.DefaultDedupSize
	long := strings.Repeat("x", 4096)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	s, err := instore.NewMemoryDedupStore(size, time.Hour)
	require.NoError(t, err)
	for i := range 2 * size {
		require.NoError(t, s.Mark(t.Context(), long+strconv.Itoa(i)))
	}
	held := heap() - before
	assert.Equal(t, size, s.Len())
	seen, err := s.Seen(t.Context(), long+strconv.Itoa(2*size-1))
	require.NoError(t, err)
	assert.True(t, seen, "a long id is remembered by its digest")
	seen, err = s.Seen(t.Context(), long+strconv.Itoa(0))
	require.NoError(t, err)
	assert.False(t, seen, "the least recently used ids were forgotten")
	per := held / size
	t.Logf("%d ids held in %d KiB: %d bytes each", s.Len(), held>>10, per)
	assert.LessOrEqual(t, per, uint64(300), "bytes per id")
	runtime.KeepAlive(s)
}
