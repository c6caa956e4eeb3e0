package instore_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/flood"
)

// The mix of a flood of flood.Size deliveries: every genuine event is
// delivered once, then again as redeliveries; forgeries, stale deliveries
// and oversized bodies come between them.
const (
	floodGenuine   = 4000
	floodRedeliver = 8000
	floodForged    = 4000
	floodStale     = 2000
	floodOversized = 2000
)

// TestWebhookFlood sends 20,000 deliveries to one WebhookHandler at once:
// genuine events, redeliveries of them (signed again, as Omise does),
// forgeries (another secret, or a genuine body changed after signing),
// stale deliveries (signed ten minutes ago) and oversized bodies (with and
// without a Content-Length). Every genuine event is handled exactly once,
// every forgery and stale delivery is refused, no delivery gets a 5xx (a
// panic would), and the dedup store holds one id per genuine event, within
// its size.
func TestWebhookFlood(t *testing.T) {
	t.Parallel()
	secret := base64.StdEncoding.EncodeToString([]byte(crand.Text()))
	forger := base64.StdEncoding.EncodeToString([]byte(crand.Text()))
	store, err := instore.NewMemoryDedupStore(instore.DefaultDedupSize, instore.DefaultDedupTTL)
	require.NoError(t, err)
	var handled flood.Counter
	h := instore.WebhookHandler([]string{secret}, func(_ context.Context, e *instore.Event) error {
		handled.Add(e.ID)
		return nil
	}, instore.WithDeduplication(store))

	now := time.Now()
	event := func(id string) []byte {
		return fmt.Appendf(nil, `{"object":"event","id":%q,"livemode":false,"key":"charge.complete","created_at":"2024-06-12T10:30:00Z","data":{"object":"charge","id":"chrg_test_%s"}}`, id, id[len(id)-5:])
	}
	post := func(body []byte, h http.Header) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/omise", bytes.NewReader(body))
		for k, v := range h {
			r.Header[k] = v
		}
		return r
	}
	var deliveries []flood.Delivery
	var genuine []string
	for i := range floodGenuine {
		id := fmt.Sprintf("evnt_test_g%05d", i)
		genuine = append(genuine, id)
		body := event(id)
		deliveries = append(deliveries, flood.Delivery{Kind: "genuine", Request: post(body, instore.SignWebhook(body, secret, now)), Status: http.StatusOK})
	}
	for i := range floodRedeliver {
		body := event(genuine[i%floodGenuine])
		at := now.Add(time.Duration(i%120) * time.Second)
		deliveries = append(deliveries, flood.Delivery{Kind: "redelivery", Request: post(body, instore.SignWebhook(body, secret, at)), Status: http.StatusOK})
	}
	for i := range floodForged {
		if i%2 == 0 {
			body := event(fmt.Sprintf("evnt_test_f%05d", i))
			deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post(body, instore.SignWebhook(body, forger, now)), Status: http.StatusUnauthorized})
			continue
		}
		body := event(genuine[i%floodGenuine])
		sig := instore.SignWebhook(body, secret, now)
		tampered := bytes.Replace(body, []byte("charge.complete"), []byte("charge.reversed"), 1)
		deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post(tampered, sig), Status: http.StatusUnauthorized})
	}
	for i := range floodStale {
		body := event(fmt.Sprintf("evnt_test_s%05d", i))
		deliveries = append(deliveries, flood.Delivery{Kind: "stale", Request: post(body, instore.SignWebhook(body, secret, now.Add(-10*time.Minute))), Status: http.StatusUnauthorized})
	}
	big := bytes.Repeat([]byte(" "), instore.WebhookMaxBytes+1)
	deliveries = append(deliveries, flood.Oversized(floodOversized, big, func(b []byte) *http.Request {
		return post(b, instore.SignWebhook(b, secret, now))
	})...)
	flood.Run(t, h, deliveries)
	never, twice, other := handled.Check(genuine)
	assert.Empty(t, never, "genuine events never handled")
	assert.Empty(t, twice, "genuine events handled more than once")
	assert.Empty(t, other, "events handled that are not genuine")
	assert.Equal(t, floodGenuine, store.Len(), "the store holds one id per genuine event")
	assert.LessOrEqual(t, store.Len(), instore.DefaultDedupSize)
}
