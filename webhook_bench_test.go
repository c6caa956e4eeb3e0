package instore_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/instorepay/instore"
)

// benchDelivery is a 4 KiB event body and its headers, signed now.
func benchDelivery(b *testing.B) ([]byte, http.Header) {
	b.Helper()
	body := fixture(b, "event_charge_complete")
	pad := 4096 - len(body)
	if pad < 0 {
		b.Fatalf("fixture is %d bytes, over 4 KiB", len(body))
	}
	body = append([]byte(strings.Repeat(" ", pad)), body...)
	return body, signedNow(b, testWebhookSecret, body)
}

// BenchmarkVerifyWebhook verifies a correctly signed 4 KiB delivery.
// Budget: at most 2 allocs/op.
func BenchmarkVerifyWebhook(b *testing.B) {
	body, h := benchDelivery(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := instore.VerifyWebhook(body, h, testWebhookSecret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyWebhookBaseline is the same check written the obvious way
// with crypto/hmac: decode the secret, check the timestamp, HMAC
// "<ts>.<body>", compare with each hex signature.
func BenchmarkVerifyWebhookBaseline(b *testing.B) {
	body, h := benchDelivery(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := baselineVerify(body, h, testWebhookSecret); err != nil {
			b.Fatal(err)
		}
	}
}

func baselineVerify(body []byte, h http.Header, secret string) error {
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return err
	}
	ts := h.Get("Omise-Signature-Timestamp")
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := time.Since(time.Unix(unix, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("stale")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	want := m.Sum(nil)
	for _, s := range strings.Split(h.Get("Omise-Signature"), ",") {
		got, err := hex.DecodeString(strings.TrimSpace(s))
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no match")
}

// VerifyWebhook stays within its budget of two allocations, checked on
// every test run, not only when benchmarks are.
func TestVerifyWebhookAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of every goroutine.
	inBubble(t, func(t *testing.T) {
		body := fixture(t, "event_charge_complete")
		h := signedNow(t, testWebhookSecret, body)
		allocs := testing.AllocsPerRun(100, func() {
			if err := instore.VerifyWebhook(body, h, testWebhookSecretOld, testWebhookSecret); err != nil {
				t.Fatal(err)
			}
		})
		assert.LessOrEqual(t, allocs, 2.0, "VerifyWebhook allocations, two secrets")
	})
}
