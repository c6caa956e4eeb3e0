package alipayplus_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/internal/flood"
)

// The mix of a flood, 20,000 deliveries. Each genuine notification is
// signed twice (now, and six hours ago for its stale redeliveries), which
// is what costs: RSA signing.
const (
	floodGenuine   = 300
	floodRedeliver = 9700 // fresh and stale
	floodForged    = 8000
	floodOversized = 2000
	floodTotal     = floodGenuine + floodRedeliver + floodForged + floodOversized
	floodPath      = "/alipay/notify"
)

// TestNotifyFlood sends 20,000 notifications to one NotifyHandler at once:
// genuine ones, redeliveries of them (a third signed six hours ago: the
// gateway resends for hours, so age is not a reason to refuse), forgeries
// (a signature that does not verify, or a genuine body changed after
// signing) and oversized bodies (with and without a Content-Length). Every
// genuine notification is handled exactly once, every forgery is refused,
// no delivery gets a 5xx (a panic would), and the dedup store holds one
// entry per genuine notification, within its size.
func TestNotifyFlood(t *testing.T) {
	t.Parallel()
	client, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey)
	require.NoError(t, err)
	store, err := instore.NewMemoryDedupStore(instore.DefaultDedupSize, instore.DefaultDedupTTL)
	require.NoError(t, err)
	var handled flood.Counter
	h := client.NotifyHandler(func(_ context.Context, n *alipayplus.Notification) error {
		handled.Add(n.PaymentRequestID)
		return nil
	}, alipayplus.WithNotifyDeduplication(store))

	notification := func(id string) []byte {
		return fmt.Appendf(nil, `{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":%q,"paymentId":"2024061211%s","paymentAmount":{"currency":"JPY","value":"1000"},"paymentCreateTime":"2024-06-12T19:40:10+09:00","paymentTime":"2024-06-12T19:40:12+09:00"}`, id, id[len(id)-5:])
	}
	post := func(body []byte, ts, sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, floodPath, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=UTF-8")
		r.Header.Set("Client-Id", testClientID)
		r.Header.Set("Request-Time", ts)
		r.Header.Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(sig))
		return r
	}
	now := time.Now()
	fresh, stale := now.Format(time.RFC3339), now.Add(-6*time.Hour).Format(time.RFC3339)
	type signed struct {
		body            []byte
		freshSig, stSig string
	}
	genuine := make([]string, floodGenuine)
	notes := make([]signed, floodGenuine)
	var wg sync.WaitGroup
	for i := range floodGenuine {
		wg.Go(func() {
			genuine[i] = fmt.Sprintf("PR-g%05d", i)
			b := notification(genuine[i])
			notes[i] = signed{b, gatewaySign(alipayKey(), floodPath, testClientID, fresh, b), gatewaySign(alipayKey(), floodPath, testClientID, stale, b)}
		})
	}
	wg.Wait()

	var deliveries []flood.Delivery
	for _, n := range notes {
		deliveries = append(deliveries, flood.Delivery{Kind: "genuine", Request: post(n.body, fresh, n.freshSig), Status: http.StatusOK})
	}
	for i := range floodRedeliver {
		n := notes[i%floodGenuine]
		if i%3 == 0 {
			deliveries = append(deliveries, flood.Delivery{Kind: "stale redelivery", Request: post(n.body, stale, n.stSig), Status: http.StatusOK})
			continue
		}
		deliveries = append(deliveries, flood.Delivery{Kind: "redelivery", Request: post(n.body, fresh, n.freshSig), Status: http.StatusOK})
	}
	garbage := make([]byte, 256)
	_, _ = crand.Read(garbage)
	forgedSig := base64.StdEncoding.EncodeToString(garbage)
	for i := range floodForged {
		if i%2 == 0 {
			body := notification(fmt.Sprintf("PR-f%05d", i))
			deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post(body, fresh, forgedSig), Status: http.StatusUnauthorized})
			continue
		}
		n := notes[i%floodGenuine]
		tampered := bytes.Replace(n.body, []byte(`"value":"1000"`), []byte(`"value":"9000"`), 1)
		deliveries = append(deliveries, flood.Delivery{Kind: "forged", Request: post(tampered, fresh, n.freshSig), Status: http.StatusUnauthorized})
	}
	big := bytes.Repeat([]byte(" "), alipayplus.DefaultNotifyMaxBytes+1)
	deliveries = append(deliveries, flood.Oversized(floodOversized, big, func(b []byte) *http.Request {
		return post(b, fresh, forgedSig)
	})...)
	require.Equal(t, flood.Size, floodTotal)
	flood.Run(t, h, deliveries)

	never, twice, other := handled.Check(genuine)
	assert.Empty(t, never, "genuine notifications never handled")
	assert.Empty(t, twice, "genuine notifications handled more than once")
	assert.Empty(t, other, "notifications handled that are not genuine")
	assert.Equal(t, floodGenuine, store.Len(), "the store holds one entry per genuine notification")
}
