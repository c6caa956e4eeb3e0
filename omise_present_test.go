package instore_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestOmiseAcquirerPresentWire(t *testing.T) {
	t.Parallel()
	f := newFakeFunc(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/sources":
			_, _ = w.Write(fixture(t, "source_alipayplus_mpm"))
		case "/charges":
			_, _ = w.Write(fixture(t, "charge_mpm_pending"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	a, err := instore.NewOmiseAcquirer(f.client(t), instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	expires := time.Date(2026, 3, 1, 4, 25, 0, 0, time.UTC)

	p, qr, err := a.Present(t.Context(), &instore.PayRequest{
		RequestID:   "qr-1",
		Amount:      instore.Money{Amount: 150000, Currency: instore.THB},
		Method:      instore.MethodAlipayPlusMPM,
		Description: "Lunch set",
		Metadata:    map[string]string{"till": "3"},
		ExpiresAt:   expires,
	})
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 2)
	assertWire(t, reqs[0], http.MethodPost, "/sources", testPublicKey, url.Values{
		"type": {"alipayplus_mpm"}, "amount": {"150000"}, "currency": {"THB"},
	})
	assertWire(t, reqs[1], http.MethodPost, "/charges", testSecretKey, url.Values{
		"amount":                       {"150000"},
		"currency":                     {"THB"},
		"source":                       {"src_test_61xqd55g7h8j9k0l1m2"},
		"description":                  {"Lunch set"},
		"metadata[till]":               {"3"},
		"metadata[instore_request_id]": {"qr-1"},
		"expires_at":                   {"2026-03-01T04:25:00Z"},
	})

	assert.Equal(t, "chrg_test_61xq9a0c1b2d3e4f5g6", p.ID)
	assert.Equal(t, "qr-1", p.RequestID)
	assert.Equal(t, instore.StatusPending, p.Status)
	assert.Equal(t, instore.MethodAlipayPlusMPM, p.Method)
	require.NotNil(t, qr)
	assert.Empty(t, qr.Content, "Omise serves an image, not the content")
	assert.Equal(t, "https://api.omise.co/charges/chrg_test_61xq9a0c1b2d3e4f5g6/documents/docu_test_61xq9a0e2l4k7m8n9p1/downloads/5A1B2C3D4E5F6A7B", qr.ImageURI)
	assert.Equal(t, "image/svg+xml", qr.ImageType)
	assert.Equal(t, time.Date(2026, 3, 2, 4, 20, 10, 0, time.UTC), qr.ExpiresAt)
}

func TestOmiseAcquirerPresentRefuses(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "charge_mpm_pending")
	a, err := instore.NewOmiseAcquirer(f.client(t), instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	for _, m := range []instore.PaymentMethod{instore.MethodAlipayPlusUPM, instore.MethodBarcodeAlipay, "alipay"} {
		_, _, err := a.Present(t.Context(), &instore.PayRequest{RequestID: "qr-1", Method: m, Amount: instore.Money{Amount: 150000, Currency: instore.THB}})
		require.ErrorIs(t, err, instore.ErrInvalidParams, "%s", m)
	}
	_, _, err = a.Present(t.Context(), nil)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	// And Pay refuses the presented methods: there is no code to send.
	_, err = a.Pay(t.Context(), &instore.PayRequest{RequestID: "qr-1", Method: instore.MethodWeChatPayMPM, Amount: instore.Money{Amount: 150000, Currency: instore.THB}})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Empty(t, f.requests())
}

func TestOmiseAcquirerPresentSourceFails(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusUnauthorized, "error_authentication_failure")
	a, err := instore.NewOmiseAcquirer(f.client(t), instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	_, _, err = a.Present(t.Context(), &instore.PayRequest{RequestID: "qr-1", Method: instore.MethodWeChatPayMPM, Amount: instore.Money{Amount: 150000, Currency: instore.THB}})
	require.ErrorIs(t, err, instore.ErrAuthentication)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Len(t, f.requests(), 1, "no charge without a source")
}
