package ppro_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/flood"
	"github.com/instorepay/instore/ppro"
)

// The mix of a flood, 20,000 deliveries.
const (
	floodFresh     = 4000
	floodRedeliver = 8000
	floodForged    = 4000
	floodStale     = 1000 // notifications from two days ago, each sent twice
	floodOversized = 2000
	floodTotal     = floodFresh + floodRedeliver + floodForged + 2*floodStale + floodOversized
	floodSecret    = "n0tification-s3cret"
)

// statusPPRO answers every GETTXSTATUS with a SUCCEEDED transaction, in
// process, and counts the lookups per txid.
type statusPPRO struct {
	mu      sync.Mutex
	lookups map[string]int
}

func (s *statusPPRO) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	txid := form.Get("txid")
	s.mu.Lock()
	s.lookups[txid]++
	s.mu.Unlock()
	return response(r, http.StatusOK, "REQUESTSTATUS=SUCCEEDED&STATUS=SUCCEEDED&TXID="+txid+"&MERCHANTTXID=sale-"+txid), nil
}

// TestNotificationFlood sends 20,000 notifications to one
// NotificationHandler at once: genuine ones, redeliveries of them,
// forgeries (a hash with another secret, or a genuine hash over a changed
// timestamp), stale ones (two days old, as PPRO redelivers for 48 hours:
// age is no reason to refuse) and oversized bodies (with and without a
// Content-Length). Every genuine notification is handled exactly once and
// looked up exactly once, every forgery is refused, no delivery gets a 5xx
// (a panic would), and the dedup store holds one entry per genuine
// notification, within its size.
func TestNotificationFlood(t *testing.T) {
	t.Parallel()
	fake := &statusPPRO{lookups: map[string]int{}}
	client, err := ppro.NewClient(testCreds, ppro.WithHTTPClient(&http.Client{Transport: fake}))
	require.NoError(t, err)
	store, err := instore.NewMemoryDedupStore(instore.DefaultDedupSize, instore.DefaultDedupTTL)
	require.NoError(t, err)
	var handled flood.Counter
	var calls atomic.Int64
	h := client.NotificationHandler([]string{floodSecret}, func(_ context.Context, n *ppro.Notification) error {
		calls.Add(1)
		handled.Add(n.TxID + " " + n.FinalTimestamp)
		return nil
	}, ppro.WithNotificationDeduplication(store))

	post := func(txid, ts, hash string) *http.Request {
		body := url.Values{"txid": {txid}, "finaltimestamp": {ts}, "sha256hash": {hash}}.Encode()
		r := httptest.NewRequest(http.MethodPost, "/ppro/notify", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	genuine := func(txid, ts string) *http.Request {
		return post(txid, ts, ppro.NotificationHash(txid, ts, floodSecret))
	}
	fresh := time.Now().UTC().Format(time.RFC3339)
	old := time.Now().Add(-47 * time.Hour).UTC().Format(time.RFC3339)

	var deliveries []flood.Delivery
	var want []string
	for i := range floodFresh {
		txid := fmt.Sprintf("6437%05d", i)
		want = append(want, txid+" "+fresh)
		deliveries = append(deliveries, flood.Delivery{Kind: "genuine", Request: genuine(txid, fresh), Status: http.StatusOK})
	}
	for i := range floodRedeliver {
		deliveries = append(deliveries, flood.Delivery{Kind: "redelivery", Request: genuine(fmt.Sprintf("6437%05d", i%floodFresh), fresh), Status: http.StatusOK})
	}
	for i := range floodStale {
		txid := fmt.Sprintf("5437%05d", i)
		want = append(want, txid+" "+old)
		deliveries = append(deliveries,
			flood.Delivery{Kind: "stale", Request: genuine(txid, old), Status: http.StatusOK},
			flood.Delivery{Kind: "stale", Request: genuine(txid, old), Status: http.StatusOK})
	}
	for i := range floodForged {
		txid := fmt.Sprintf("6437%05d", i%floodFresh)
		if i%2 == 0 {
			deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post("7437"+txid[4:], fresh, ppro.NotificationHash("7437"+txid[4:], fresh, "not-the-secret")), Status: http.StatusUnauthorized})
			continue
		}
		later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post(txid, later, ppro.NotificationHash(txid, fresh, floodSecret)), Status: http.StatusUnauthorized})
	}
	big := bytes.Repeat([]byte("a"), ppro.DefaultNotificationMaxBytes+1)
	deliveries = append(deliveries, flood.Oversized(floodOversized, big, func(b []byte) *http.Request {
		return httptest.NewRequest(http.MethodPost, "/ppro/notify", bytes.NewReader(b))
	})...)
	require.Equal(t, flood.Size, floodTotal)
	flood.Run(t, h, deliveries)

	never, twice, other := handled.Check(want)
	assert.Empty(t, never, "genuine notifications never handled")
	assert.Empty(t, twice, "genuine notifications handled more than once")
	assert.Empty(t, other, "notifications handled that are not genuine")
	assert.Equal(t, int64(len(want)), calls.Load())
	fake.mu.Lock()
	assert.Len(t, fake.lookups, len(want), "one status lookup per genuine notification")
	for txid, n := range fake.lookups {
		assert.Equal(t, 1, n, "lookups of %s", txid)
	}
	fake.mu.Unlock()
	assert.Equal(t, len(want), store.Len(), "the store holds one entry per genuine notification")
}
