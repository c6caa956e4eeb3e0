package ppro_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

// failingStore is a dedup store whose Seen or Mark fails.
type failingStore struct{ seen, mark error }

func (s failingStore) Seen(context.Context, string) (bool, error) { return false, s.seen }
func (s failingStore) Mark(context.Context, string) error         { return s.mark }

// TestNotificationHandlerDeduplicates sends the same notification twice,
// then one with a later final timestamp: with a store fn and the status
// lookup run once for the first two, and again for the third; without a
// store they run every time; a store that cannot answer Seen makes PPRO
// send it again, one that cannot Mark does not.
func TestNotificationHandlerDeduplicates(t *testing.T) {
	t.Parallel()
	storeErr := errors.New("store down")
	memory, err := instore.NewMemoryDedupStore(10, instore.DefaultDedupTTL)
	require.NoError(t, err)
	tests := []struct {
		name    string
		opts    []ppro.NotificationOption
		calls   int
		lookups int
		status  int
	}{
		{"default store", nil, 2, 2, http.StatusOK},
		{"own store", []ppro.NotificationOption{ppro.WithNotificationDeduplication(memory)}, 2, 2, http.StatusOK},
		{"no store", []ppro.NotificationOption{ppro.WithNotificationDeduplication(nil)}, 3, 3, http.StatusOK},
		{"Seen fails", []ppro.NotificationOption{ppro.WithNotificationDeduplication(failingStore{seen: storeErr})}, 0, 0, http.StatusInternalServerError},
		{"Mark fails", []ppro.NotificationOption{ppro.WithNotificationDeduplication(failingStore{mark: storeErr})}, 3, 3, http.StatusOK},
	}
	const txid, ts, later = "643772308", "2025-03-01T10:00:00Z", "2025-03-01T10:05:00Z"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, reply{Body: fixture(t, "status_succeeded.txt")})
			calls := 0
			h := g.client(t).NotificationHandler([]string{"current"}, func(context.Context, *ppro.Notification) error {
				calls++
				return nil
			}, tt.opts...)
			for _, at := range []string{ts, ts, later} {
				rec := httptest.NewRecorder()
				body := notificationBody(txid, at, independentHash(txid, at, "current"))
				h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/ppro/notify", strings.NewReader(body)))
				assert.Equal(t, tt.status, rec.Code)
			}
			assert.Equal(t, tt.calls, calls, "calls of fn")
			assert.Len(t, g.requests(), tt.lookups, "status lookups")
		})
	}
}
