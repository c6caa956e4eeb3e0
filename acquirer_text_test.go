package instore_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// hostileText is a decline message as a hostile or broken acquirer might
// write it: the payment code, a bidi override that flips what follows, a
// line break that would start a forged log line, and a secret key.
const hostileText = "declined: code 134567890123456789\u202e\n level=INFO msg=ok " + testSecretKey + " \x00end"

// cleanText is hostileText as every Payment, error and log must show it.
const cleanText = "declined: code 1345**********6789 level=INFO msg=ok [redacted] end"

// hostileCharge is the failed charge fixture with hostileText as its failure
// message and code.
func hostileCharge(t *testing.T) []byte {
	t.Helper()
	var ch map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "charge_failed"), &ch))
	ch["failure_message"] = hostileText + strings.Repeat(" padding", 100)
	ch["failure_code"] = "payment_rejected\u2066134567890123456789"
	b, err := json.Marshal(ch)
	require.NoError(t, err)
	return b
}

// TestOmiseTextSanitisedOnDecode checks that acquirer text is cleaned where
// it is decoded: the charge a call returns, the Payment the Omise acquirer
// builds from it, and a charge read from a webhook event.
func TestOmiseTextSanitisedOnDecode(t *testing.T) {
	t.Parallel()
	body := hostileCharge(t)
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	c := f.client(t)
	checkCharge := func(t *testing.T, ch *instore.Charge) {
		t.Helper()
		assert.True(t, strings.HasPrefix(ch.FailureMessage, cleanText), "failure message %q", ch.FailureMessage)
		assert.LessOrEqual(t, len(ch.FailureMessage), 256+3)
		assert.Equal(t, instore.FailureCode("payment_rejected1345**********6789"), ch.FailureCode)
	}

	t.Run("Charges.Get", func(t *testing.T) {
		t.Parallel()
		ch, err := c.Charges.Get(t.Context(), "chrg_test_1")
		require.NoError(t, err)
		checkCharge(t, ch)
	})
	t.Run("acquirer payment", func(t *testing.T) {
		t.Parallel()
		a, err := instore.NewOmiseAcquirer(c, instore.OmiseAcquirerConfig{})
		require.NoError(t, err)
		p, err := a.Inquire(t.Context(), &instore.Payment{Acquirer: instore.OmiseAcquirerName, ID: "chrg_test_1", RequestID: "r1", CreatedAt: time.Now()})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(p.FailureMessage, cleanText), "failure message %q", p.FailureMessage)
		assert.NotContains(t, p.FailureCode, "134567890123456789")
	})
	t.Run("event data", func(t *testing.T) {
		t.Parallel()
		e := &instore.Event{Object: "event", ID: "evnt_test_1", Key: "charge.complete", Data: body}
		ch, err := e.Charge()
		require.NoError(t, err)
		checkCharge(t, ch)
	})
}
