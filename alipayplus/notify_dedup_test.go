package alipayplus_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// failingStore is a dedup store whose Seen or Mark fails.
type failingStore struct{ seen, mark error }

func (s failingStore) Seen(context.Context, string) (bool, error) { return false, s.seen }
func (s failingStore) Mark(context.Context, string) error         { return s.mark }

// TestNotifyHandlerDeduplicates sends the same notification twice, one
// after the other: with the default store fn runs once and both are
// acknowledged; without a store it runs twice; a store that cannot answer
// Seen makes the gateway send it again, one that cannot Mark does not.
func TestNotifyHandlerDeduplicates(t *testing.T) {
	t.Parallel()
	storeErr := errors.New("store down")
	tests := []struct {
		name   string
		opts   []alipayplus.NotifyOption
		calls  int32
		status int
	}{
		{"default store", nil, 1, http.StatusOK},
		{"own store", []alipayplus.NotifyOption{alipayplus.WithNotifyDeduplication(mustStore(t))}, 1, http.StatusOK},
		{"no store", []alipayplus.NotifyOption{alipayplus.WithNotifyDeduplication(nil)}, 2, http.StatusOK},
		{"Seen fails", []alipayplus.NotifyOption{alipayplus.WithNotifyDeduplication(failingStore{seen: storeErr})}, 0, http.StatusInternalServerError},
		{"Mark fails", []alipayplus.NotifyOption{alipayplus.WithNotifyDeduplication(failingStore{mark: storeErr})}, 2, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := newNotifyServer(t, nil, tt.opts...)
			body := fixture(t, "notify_antom.json")
			const path = "/hooks/alipay/notify"
			first, _ := send(t, signedNotification(t, ns.srv.URL+path, path, body, alipaySigned))
			second, _ := send(t, signedNotification(t, ns.srv.URL+path, path, body, alipaySigned))
			assert.Equal(t, tt.status, first)
			assert.Equal(t, tt.status, second)
			assert.Equal(t, tt.calls, ns.calls.Load(), "calls of fn")
		})
	}
}

func mustStore(t *testing.T) *instore.MemoryDedupStore {
	t.Helper()
	s, err := instore.NewMemoryDedupStore(10, instore.DefaultDedupTTL)
	require.NoError(t, err)
	return s
}
