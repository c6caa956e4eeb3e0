package instore_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// Webhook secrets of the tests, as the dashboard would show them: standard
// base64 of random bytes. The second is the one rotated out.
const (
	testWebhookSecret    = "ZHVtbXktd2ViaG9vay1zZWNyZXQtZm9yLXRlc3RzLTAx" // "dummy-webhook-secret-for-tests-01"
	testWebhookSecretOld = "b2xkLXdlYmhvb2stc2VjcmV0LWJlZm9yZS1yb3RhdGlvbg=="
)

// sign is the tests' own signer, written from the scheme as documented
// (HMAC-SHA256 keyed with the base64-decoded secret over
// "<timestamp>.<body>", hex) with crypto/hmac, independently of the SDK.
func sign(t testing.TB, secret, ts string, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(secret)
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// signedAt returns the headers of a delivery of body signed with secret at
// unix, in the header names Omise uses, spelled out here rather than taken
// from the SDK's constants.
func signedAt(t testing.TB, secret string, unix int64, body []byte) http.Header {
	t.Helper()
	ts := strconv.FormatInt(unix, 10)
	h := http.Header{}
	h.Set("Omise-Signature", sign(t, secret, ts, body))
	h.Set("Omise-Signature-Timestamp", ts)
	return h
}

// signedNow signs body at the current time (synctest's clock in a bubble).
func signedNow(t testing.TB, secret string, body []byte) http.Header {
	t.Helper()
	return signedAt(t, secret, time.Now().Unix(), body)
}

// bubbleStart is the time at which every synctest bubble starts.
var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// inBubble runs f in a synctest bubble, checking first that its clock
// starts at bubbleStart, which the tables are built for. (t.Run cannot be
// called inside a bubble, so each case has its own.)
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		require.True(t, time.Now().Equal(bubbleStart), "synctest clock starts at %v", time.Now())
		f(t)
	})
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	body := fixture(t, "event_charge_complete")
	now := bubbleStart.Unix()
	ts := strconv.FormatInt(now, 10)
	good := sign(t, testWebhookSecret, ts, body)
	old := sign(t, testWebhookSecretOld, ts, body)
	other := sign(t, testWebhookSecret, ts, []byte("{}"))
	hdr := func(sig, ts string) http.Header {
		return http.Header{"Omise-Signature": {sig}, "Omise-Signature-Timestamp": {ts}}
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)/2] ^= 1
	unpadded := strings.TrimRight(testWebhookSecretOld, "=")
	require.NotEqual(t, testWebhookSecretOld, unpadded)

	tests := []struct {
		name    string
		body    []byte
		h       http.Header
		secrets []string
		want    error // nil for a pass
	}{
		{"valid", body, hdr(good, ts), []string{testWebhookSecret}, nil},
		{"upper-case hex", body, hdr(strings.ToUpper(good), ts), []string{testWebhookSecret}, nil},
		{"spaces around", body, hdr("  "+good+"\t", ts), []string{testWebhookSecret}, nil},
		{"secret with white space", body, hdr(good, ts), []string{" " + testWebhookSecret + "\n"}, nil},
		{"unpadded secret", body, hdr(old, ts), []string{unpadded}, nil},
		{"tampered body", tampered, hdr(good, ts), []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"empty body", nil, hdr(good, ts), []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"wrong secret", body, hdr(good, ts), []string{testWebhookSecretOld}, instore.ErrWebhookSignature},
		{"signature of another body", body, hdr(other, ts), []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"signed over the body only", body, hdr(signBodyOnly(t, body), ts), []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"timestamp changed", body, hdr(good, strconv.FormatInt(now+1, 10)), []string{testWebhookSecret}, instore.ErrWebhookSignature},

		{"stale at the tolerance", body, signedAt(t, testWebhookSecret, now-300, body), []string{testWebhookSecret}, nil},
		{"stale past the tolerance", body, signedAt(t, testWebhookSecret, now-301, body), []string{testWebhookSecret}, instore.ErrWebhookTimestamp},
		{"future at the tolerance", body, signedAt(t, testWebhookSecret, now+300, body), []string{testWebhookSecret}, nil},
		{"future past the tolerance", body, signedAt(t, testWebhookSecret, now+301, body), []string{testWebhookSecret}, instore.ErrWebhookTimestamp},
		{"epoch", body, signedAt(t, testWebhookSecret, 0, body), []string{testWebhookSecret}, instore.ErrWebhookTimestamp},
		{"stale and wrong secret", body, signedAt(t, testWebhookSecretOld, now-3600, body), []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"leading zeros signed as sent", body, hdr(sign(t, testWebhookSecret, "0"+ts, body), "0"+ts), []string{testWebhookSecret}, nil},

		{"no headers", body, http.Header{}, []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"nil header", body, nil, []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"no signature header", body, http.Header{"Omise-Signature-Timestamp": {ts}}, []string{testWebhookSecret}, instore.ErrWebhookSignature},
		{"no timestamp header", body, http.Header{"Omise-Signature": {good}}, []string{testWebhookSecret}, instore.ErrWebhookTimestamp},
		{"two timestamp headers", body, http.Header{"Omise-Signature": {good}, "Omise-Signature-Timestamp": {ts, ts}}, []string{testWebhookSecret}, instore.ErrWebhookTimestamp},

		{"several signatures, match last", body, hdr(other+","+good, ts), []string{testWebhookSecret}, nil},
		{"several signatures, match first", body, hdr(good+", "+other, ts), []string{testWebhookSecret}, nil},
		{"several header lines", body, http.Header{"Omise-Signature": {other, good}, "Omise-Signature-Timestamp": {ts}}, []string{testWebhookSecret}, nil},
		{"eight signatures", body, hdr(strings.Repeat(other+",", 7)+good, ts), []string{testWebhookSecret}, nil},
		{"nine signatures", body, hdr(strings.Repeat(other+",", 8)+good, ts), []string{testWebhookSecret}, instore.ErrWebhookSignature},

		{"rotation: signed with the old secret", body, hdr(old, ts), []string{testWebhookSecret, testWebhookSecretOld}, nil},
		{"rotation: signed with both, new secret only", body, hdr(old+","+good, ts), []string{testWebhookSecret}, nil},
		{"rotation: signed with both, old secret only", body, hdr(good+","+old, ts), []string{testWebhookSecretOld}, nil},
		{"rotation: neither", body, hdr(other, ts), []string{testWebhookSecret, testWebhookSecretOld}, instore.ErrWebhookSignature},

		{"no secret", body, hdr(good, ts), nil, instore.ErrInvalidConfig},
		{"empty secret", body, hdr(good, ts), []string{""}, instore.ErrInvalidConfig},
		{"blank secret", body, hdr(good, ts), []string{" \n"}, instore.ErrInvalidConfig},
		{"padding only", body, hdr(good, ts), []string{"=="}, instore.ErrInvalidConfig},
		{"empty secret beside a good one", body, hdr(good, ts), []string{testWebhookSecret, ""}, instore.ErrInvalidConfig},
		{"non-base64 secret", body, hdr(good, ts), []string{"not base64!"}, instore.ErrInvalidConfig},
		{"URL-safe base64 secret", body, hdr(good, ts), []string{"-_-_"}, instore.ErrInvalidConfig},
		{"bad secret and no header", body, nil, []string{"%%%"}, instore.ErrInvalidConfig},
	}
	for _, tc := range malformedSignatureHeaders(good) {
		tests = append(tests, struct {
			name    string
			body    []byte
			h       http.Header
			secrets []string
			want    error
		}{"malformed signature " + strconv.Quote(tc), body, hdr(tc, ts), []string{testWebhookSecret}, instore.ErrWebhookSignature})
	}
	for _, tc := range []string{"", " ", "abc", "-1", "+" + ts, ts + ".0", "1e9", " " + ts, ts + " ", "0x1", strings.Repeat("9", 13), "١٢٣"} {
		tests = append(tests, struct {
			name    string
			body    []byte
			h       http.Header
			secrets []string
			want    error
		}{"malformed timestamp " + strconv.Quote(tc), body, hdr(sign(t, testWebhookSecret, tc, body), tc), []string{testWebhookSecret}, instore.ErrWebhookTimestamp})
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				err := instore.VerifyWebhook(tc.body, tc.h, tc.secrets...)
				if tc.want == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tc.want)
					assertNoWebhookSecrets(t, err.Error(), tc.h)
					assert.True(t, strings.HasPrefix(err.Error(), "instore: "), err.Error())
				}
				// ParseWebhook verifies the same way.
				e, perr := instore.ParseWebhook(tc.body, tc.h, tc.secrets...)
				if tc.want == nil {
					require.NoError(t, perr)
					assert.Equal(t, "evnt_test_61xqe66n3m4b5v6c7x8", e.ID)
				} else {
					require.ErrorIs(t, perr, tc.want)
					assert.Nil(t, e)
				}
			})
		})
	}
}

// malformedSignatureHeaders are Omise-Signature values that must be refused
// whatever else the header holds: good is a valid signature.
func malformedSignatureHeaders(good string) []string {
	return []string{
		"", " ", ",", good + ",", "," + good, good + ",," + good, good + ", ,",
		good[:63], good + "0", good[:62] + "zz", "v1=" + good, "sha256=" + good, "t=1," + good,
		good[:32] + " " + good[32:], good + ";" + good, "\x00" + good,
		base64.StdEncoding.EncodeToString([]byte(good))[:64],
	}
}

// signBodyOnly signs the body without the timestamp, as a wrong reading of
// the scheme would.
func signBodyOnly(t testing.TB, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(testWebhookSecret)
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// assertNoWebhookSecrets checks that text holds none of the test secrets,
// their decoded keys, or a signature from h.
func assertNoWebhookSecrets(t testing.TB, text string, h http.Header) {
	t.Helper()
	for _, s := range []string{testWebhookSecret, testWebhookSecretOld} {
		assert.NotContains(t, text, strings.TrimRight(s, "="))
		key, err := base64.StdEncoding.DecodeString(s)
		require.NoError(t, err)
		assert.NotContains(t, text, string(key))
	}
	for _, v := range h.Values("Omise-Signature") {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); len(s) >= 16 {
				assert.NotContains(t, strings.ToLower(text), strings.ToLower(s[:16]))
			}
		}
	}
}

func TestSignWebhook(t *testing.T) {
	t.Parallel()
	body := fixture(t, "event_charge_complete")
	at := time.Date(2026, 3, 1, 5, 1, 4, 999_000_000, time.UTC)
	ts := strconv.FormatInt(at.Unix(), 10)

	h := instore.SignWebhook(body, testWebhookSecret, at)
	assert.Equal(t, http.Header{
		"Omise-Signature":           {sign(t, testWebhookSecret, ts, body)},
		"Omise-Signature-Timestamp": {ts},
	}, h)
	assert.Equal(t, "Omise-Signature", instore.WebhookSignatureHeader)
	assert.Equal(t, "Omise-Signature-Timestamp", instore.WebhookTimestampHeader)

	// The same key with and without padding signs the same.
	assert.Equal(t, sign(t, testWebhookSecretOld, ts, body),
		instore.SignWebhook(body, strings.TrimRight(testWebhookSecretOld, "="), at).Get("Omise-Signature"))

	// A secret that is not base64 gives no signature at all.
	for _, bad := range []string{"", "not base64!", "=="} {
		h := instore.SignWebhook(body, bad, at)
		assert.Empty(t, h.Values("Omise-Signature"), bad)
		assert.Equal(t, ts, h.Get("Omise-Signature-Timestamp"))
	}
}

// A delivery signed by SignWebhook verifies, at the time it was signed and
// up to the tolerance either side.
func TestSignWebhookVerifies(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		body := []byte(`{"object":"event","id":"evnt_test_1","key":"charge.create","data":null}`)
		h := instore.SignWebhook(body, testWebhookSecret, time.Now())
		require.NoError(t, instore.VerifyWebhook(body, h, testWebhookSecret))
		time.Sleep(instore.DefaultWebhookTolerance)
		require.NoError(t, instore.VerifyWebhook(body, h, testWebhookSecret))
		time.Sleep(time.Second)
		require.ErrorIs(t, instore.VerifyWebhook(body, h, testWebhookSecret), instore.ErrWebhookTimestamp)
	})
}

func TestParseWebhookPayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"not JSON", "charge.complete"},
		{"array", `[{"object":"event","id":"evnt_1"}]`},
		{"null", "null"},
		{"truncated", `{"object":"event","id":"evnt_1"`},
		{"no id", `{"object":"event","key":"charge.complete"}`},
		{"another object", `{"object":"charge","id":"chrg_1"}`},
		{"wrong types", `{"object":"event","id":"evnt_1","livemode":"yes"}`},
		{"bad time with a code", `{"object":"event","id":"evnt_1","created_at":"281234567890123456"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				body := []byte(tc.body)
				e, err := instore.ParseWebhook(body, signedNow(t, testWebhookSecret, body), testWebhookSecret)
				require.ErrorIs(t, err, instore.ErrWebhookPayload)
				assert.Nil(t, e)
				assert.NotContains(t, err.Error(), "281234567890123456")
			})
		})
	}

	// An event with null data parses; its accessors refuse it.
	inBubble(t, func(t *testing.T) {
		body := fixture(t, "event_data_null")
		e, err := instore.ParseWebhook(body, signedNow(t, testWebhookSecret, body), testWebhookSecret)
		require.NoError(t, err)
		assert.Equal(t, instore.EventChargeUpdate, e.Key)
		_, err = e.Charge()
		require.ErrorIs(t, err, instore.ErrEventData)
	})
}
