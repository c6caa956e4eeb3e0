package instore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceMAC is HMAC-SHA256 by crypto/hmac over "<ts>.<body>".
func referenceMAC(key []byte, ts string, body []byte) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts + "."))
	m.Write(body)
	var out [sha256.Size]byte
	copy(out[:], m.Sum(nil))
	return out
}

// checkMAC holds webhookMAC.matches equal to crypto/hmac: it matches the
// reference MAC and does not match the MAC with one bit flipped.
func checkMAC(t *testing.T, key []byte, ts string, body []byte) {
	t.Helper()
	want := referenceMAC(key, ts, body)
	m := &webhookMAC{d: sha256.New(), nsig: 1}
	m.sigs[0] = want
	require.True(t, m.matches(key, ts, body), "key of %d bytes, body of %d bytes", len(key), len(body))
	m.sigs[0][len(want)-1] ^= 1
	require.False(t, m.matches(key, ts, body))
	// The same state, reused for another key, as it is for a second secret.
	m.sigs[0] = referenceMAC(append(key, 'x'), ts, body)
	require.True(t, m.matches(append(key, 'x'), ts, body))
}

func TestWebhookMACMatchesHMAC(t *testing.T) {
	t.Parallel()
	body := []byte(strings.Repeat(`{"object":"event"}`, 300))
	for n := 0; n <= 2*sha256.BlockSize+1; n++ {
		key := make([]byte, n)
		for i := range key {
			key[i] = byte(i*7 + n)
		}
		for _, b := range [][]byte{nil, body[:1], body[:55], body[:64], body} {
			checkMAC(t, key, "1700000000", b)
		}
	}
	checkMAC(t, []byte("k"), "", []byte("x"))
	checkMAC(t, []byte("k"), strings.Repeat("9", maxTimestampDigits), []byte("x"))
}

// FuzzWebhookMAC holds the hand-written HMAC equal to crypto/hmac.
func FuzzWebhookMAC(f *testing.F) {
	f.Add([]byte("secret"), uint64(1700000000), []byte(`{"object":"event"}`))
	f.Add([]byte{}, uint64(0), []byte{})
	f.Add(make([]byte, 65), uint64(999999999999), make([]byte, 4096))
	f.Fuzz(func(t *testing.T, key []byte, ts uint64, body []byte) {
		checkMAC(t, key, strconv.FormatUint(ts%1_000_000_000_000, 10), body)
	})
}

// referenceSignatures is parseWebhookSignatures written the obvious way.
func referenceSignatures(values []string) ([][]byte, bool) {
	if len(values) == 0 {
		return nil, false
	}
	var out [][]byte
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			return nil, false
		}
		for _, s := range strings.Split(v, ",") {
			s = strings.Trim(s, " \t")
			b, err := hex.DecodeString(s)
			if err != nil || len(b) != sha256.Size {
				return nil, false
			}
			out = append(out, b)
		}
	}
	if len(out) > maxWebhookSignatures {
		return nil, false
	}
	return out, true
}

// signatureRefusals is every text parseWebhookSignatures may refuse with.
func signatureRefusals() []string {
	var out []string
	for _, reason := range []string{
		"no Omise-Signature header", "empty Omise-Signature header",
		"malformed Omise-Signature header", "too many signatures",
	} {
		out = append(out, webhookSignatureError(reason).Error())
	}
	return out
}

func checkSignatures(t *testing.T, values []string) {
	t.Helper()
	var dst [maxWebhookSignatures][sha256.Size]byte
	n, err := parseWebhookSignatures(values, &dst)
	want, ok := referenceSignatures(values)
	if !ok {
		require.ErrorIs(t, err, ErrWebhookSignature, "%q", values)
		assert.Zero(t, n)
		// Every refusal is one of a few fixed texts, so nothing of the
		// header is ever echoed. (Looking for each value in the text
		// instead would fail on a header that happens to spell "webhook".)
		assert.Contains(t, signatureRefusals(), err.Error(), "%q", values)
		return
	}
	require.NoError(t, err, "%q", values)
	require.Equal(t, len(want), n)
	for i := range n {
		assert.Equal(t, want[i], dst[i][:])
	}
}

func TestParseWebhookSignatures(t *testing.T) {
	t.Parallel()
	sig := strings.Repeat("0123456789abcdef", 4)
	for _, values := range signatureSeeds(sig) {
		checkSignatures(t, values)
	}
}

func signatureSeeds(sig string) [][]string {
	return [][]string{
		nil, {""}, {" "}, {sig}, {strings.ToUpper(sig)}, {sig + "," + sig}, {" " + sig + " ,\t" + sig},
		{sig, sig}, {sig, ""}, {sig + ","}, {"," + sig}, {sig + ",,"}, {sig[:63]}, {sig + "0"},
		{"v1=" + sig}, {strings.Repeat(sig+",", 7) + sig}, {strings.Repeat(sig+",", 8) + sig},
		{strings.Repeat(sig+",", 4) + sig, strings.Repeat(sig+",", 3) + sig},
		{sig[:62] + "g0"}, {"\n" + sig}, {sig + "\r\n"},
	}
}

// FuzzSignatureHeader holds the Omise-Signature parser equal to the obvious
// one, on one and two header lines.
func FuzzSignatureHeader(f *testing.F) {
	sig := strings.Repeat("0123456789abcdef", 4)
	for _, values := range signatureSeeds(sig) {
		switch len(values) {
		case 0:
			f.Add("", "", 0)
		case 1:
			f.Add(values[0], "", 1)
		default:
			f.Add(values[0], values[1], 2)
		}
	}
	f.Fuzz(func(t *testing.T, a, b string, lines int) {
		switch lines {
		case 0:
			checkSignatures(t, nil)
		case 1:
			checkSignatures(t, []string{a})
		default:
			checkSignatures(t, []string{a, b})
		}
	})
}

func TestParseWebhookTimestamp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values []string
		unix   int64
		ok     bool
	}{
		{[]string{"1700000000"}, 1700000000, true},
		{[]string{"0"}, 0, true},
		{[]string{"0001700000000"[:12]}, 170000000, true},
		{[]string{"999999999999"}, 999999999999, true},
		{[]string{"9999999999999"}, 0, false},
		{[]string{""}, 0, false},
		{[]string{"-1"}, 0, false},
		{[]string{"1700000000", "1700000000"}, 0, false},
		{nil, 0, false},
	} {
		ts, unix, err := parseWebhookTimestamp(tc.values)
		if !tc.ok {
			require.ErrorIs(t, err, ErrWebhookTimestamp, "%q", tc.values)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.values[0], ts)
		assert.Equal(t, tc.unix, unix)
	}
}
