package instore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// FuzzParseWebhook feeds ParseWebhook and WebhookHandler any body, once
// with any headers and once correctly signed. Nothing panics; errors match
// the documented sentinels and quote no secret; a signed body is either an
// event, whose accessors refuse rather than panic, or ErrWebhookPayload.
func FuzzParseWebhook(f *testing.F) {
	for _, name := range []string{"event_charge_complete", "event_refund_create", "event_data_null"} {
		f.Add(fixture(f, name), "", "")
	}
	sig := strings.Repeat("ab", 32)
	for _, s := range []string{
		"", "{}", "null", "[]", `"x"`, "{", `{"object":"event","id":"evnt_1"}`,
		`{"object":"event","id":"evnt_1","data":null}`, `{"object":"event","id":"evnt_1","data":[]}`,
		`{"object":"event","id":"evnt_1","data":{"object":"charge"}}`,
		`{"object":"event","id":"evnt_1","data":{"object":"refund","id":"rfnd_1","amount":"x"}}`,
		`{"object":"event","id":"evnt_1","data":{"object":"source","id":"src_1","created_at":"281234567890123456"}}`,
		`{"object":"charge","id":"chrg_1"}`,
	} {
		f.Add([]byte(s), sig, "946684800")
	}
	for _, h := range malformedSignatureHeaders(sig) {
		f.Add([]byte("{}"), h, "946684800")
	}

	f.Fuzz(func(t *testing.T, body []byte, sigHeader, tsHeader string) {
		synctest.Test(t, func(t *testing.T) {
			// Any headers: almost surely refused, never a panic.
			h := http.Header{"Omise-Signature": {sigHeader}, "Omise-Signature-Timestamp": {tsHeader}}
			if e, err := instore.ParseWebhook(body, h, testWebhookSecret); err != nil {
				assertWebhookError(t, err)
			} else {
				checkEvent(t, e)
			}

			// Correctly signed: an event, or ErrWebhookPayload.
			h = signedNow(t, testWebhookSecret, body)
			e, err := instore.ParseWebhook(body, h, testWebhookSecret)
			if err != nil {
				require.ErrorIs(t, err, instore.ErrWebhookPayload)
				assertWebhookError(t, err)
			} else {
				checkEvent(t, e)
			}

			// The handler answers 200 exactly when ParseWebhook gave an
			// event (the function succeeds), 400 or 413 otherwise.
			var got *instore.Event
			handler := instore.WebhookHandler([]string{testWebhookSecret}, func(_ context.Context, ev *instore.Event) error {
				got = ev
				checkEvent(t, ev)
				return nil
			})
			code := post(t, handler, body, h).Code
			switch {
			case len(body) > instore.WebhookMaxBytes:
				assert.Equal(t, http.StatusRequestEntityTooLarge, code)
			case err == nil:
				assert.Equal(t, http.StatusOK, code)
				require.NotNil(t, got)
				assert.Equal(t, e.ID, got.ID)
			default:
				assert.Equal(t, http.StatusBadRequest, code)
				assert.Nil(t, got)
			}
		})
	})
}

// assertWebhookError checks that err is one of the documented kinds and
// quotes no secret.
func assertWebhookError(t *testing.T, err error) {
	t.Helper()
	assert.True(t, errors.Is(err, instore.ErrWebhookSignature) || errors.Is(err, instore.ErrWebhookTimestamp) ||
		errors.Is(err, instore.ErrWebhookPayload), "unexpected error kind: %v", err)
	assertNoWebhookSecrets(t, err.Error(), nil)
	assert.NotContains(t, err.Error(), testCode)
}

// checkEvent calls every accessor of a parsed event: each returns its
// object or an ErrEventData, never a panic.
func checkEvent(t *testing.T, e *instore.Event) {
	t.Helper()
	require.NotNil(t, e)
	assert.NotEmpty(t, e.ID)
	if c, err := e.Charge(); err != nil {
		require.ErrorIs(t, err, instore.ErrEventData)
		assert.NotContains(t, err.Error(), testCode)
	} else {
		assert.NotEmpty(t, c.ID)
	}
	if r, err := e.Refund(); err != nil {
		require.ErrorIs(t, err, instore.ErrEventData)
	} else {
		assert.NotEmpty(t, r.ID)
	}
	if s, err := e.Source(); err != nil {
		require.ErrorIs(t, err, instore.ErrEventData)
	} else {
		assert.NotEmpty(t, s.ID)
	}
}
