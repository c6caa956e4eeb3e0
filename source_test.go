package instore_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestSourcesCreateWire(t *testing.T) {
	t.Parallel()
	barcode := &instore.SourceParams{
		Type: instore.SourceBarcodeAlipay, Amount: 400000, Currency: instore.THB,
		Barcode: "2811223344556677", StoreID: "BKK_SUK_001", StoreName: "Sukhumvit Flagship", TerminalID: "POS-07",
	}
	barcodeForm := url.Values{
		"type": {"barcode_alipay"}, "amount": {"400000"}, "currency": {"THB"}, "barcode": {"2811223344556677"},
		"store_id": {"BKK_SUK_001"}, "store_name": {"Sukhumvit Flagship"}, "terminal_id": {"POS-07"},
	}
	tests := []struct {
		name    string
		params  *instore.SourceParams
		opts    []instore.Option
		reqOpts []instore.RequestOption
		user    string
		form    url.Values
	}{
		{
			name:   "barcode source with the public key",
			params: barcode,
			user:   testPublicKey,
			form:   barcodeForm,
		},
		{
			name:   "mpm source, zero fields not sent",
			params: &instore.SourceParams{Type: instore.SourceAlipayPlusMPM, Amount: 150000, Currency: instore.THB},
			user:   testPublicKey,
			form:   url.Values{"type": {"alipayplus_mpm"}, "amount": {"150000"}, "currency": {"THB"}},
		},
		{
			name:    "per-call keys pick the per-call public key",
			params:  barcode,
			reqOpts: []instore.RequestOption{instore.WithKeys("skey_test_merchant2secret", "pkey_test_merchant2public")},
			user:    "pkey_test_merchant2public",
			form:    barcodeForm,
		},
		{
			name:    "per-call keys without a public key use the per-call secret key",
			params:  barcode,
			reqOpts: []instore.RequestOption{instore.WithKeys("skey_test_merchant2secret", "")},
			user:    "skey_test_merchant2secret",
			form:    barcodeForm,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, http.StatusOK, "source_barcode_alipay")
			src, err := f.client(t, tt.opts...).Sources.Create(t.Context(), tt.params, tt.reqOpts...)
			require.NoError(t, err)
			assert.Equal(t, "src_test_61xqd44a1b2c3d4e5f6", src.ID)
			assertWire(t, f.only(t), http.MethodPost, "/sources", tt.user, tt.form)
		})
	}
}

func TestSourcesCreateWithoutPublicKeyUsesSecretKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "source_alipayplus_mpm")
	c, err := instore.NewClient(testSecretKey, instore.WithBaseURL(f.srv.URL))
	require.NoError(t, err)
	_, err = c.Sources.Create(t.Context(), &instore.SourceParams{Type: instore.SourceAlipayPlusMPM, Amount: 150000, Currency: instore.THB})
	require.NoError(t, err)
	assertWire(t, f.only(t), http.MethodPost, "/sources", testSecretKey,
		url.Values{"type": {"alipayplus_mpm"}, "amount": {"150000"}, "currency": {"THB"}})
}

func TestSourcesGetWire(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "source_alipayplus_mpm")
	src, err := f.client(t).Sources.Get(t.Context(), "src_test_61xqd55g7h8j9k0l1m2")
	require.NoError(t, err)
	assert.Equal(t, instore.SourceAlipayPlusMPM, src.Type)
	assertWire(t, f.only(t), http.MethodGet, "/sources/src_test_61xqd55g7h8j9k0l1m2", testSecretKey, nil)
}

func TestSourcesCreateRefusesBadParams(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "source_alipayplus_mpm")
	c := f.client(t)
	for _, p := range []*instore.SourceParams{
		nil,
		{Amount: 100, Currency: instore.THB},
		{Type: instore.SourceAlipayPlusMPM, Currency: instore.THB},
		{Type: instore.SourceAlipayPlusMPM, Amount: -5, Currency: instore.THB},
		{Type: instore.SourceAlipayPlusMPM, Amount: 100},
	} {
		_, err := c.Sources.Create(t.Context(), p)
		require.ErrorIs(t, err, instore.ErrInvalidParams)
	}
	_, err := c.Sources.Get(t.Context(), "")
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Empty(t, f.requests())
}

func TestSourceDecodeFixtures(t *testing.T) {
	t.Parallel()
	var s instore.Source
	require.NoError(t, json.Unmarshal(fixture(t, "source_barcode_alipay"), &s))
	assert.Equal(t, "source", s.Object)
	assert.Equal(t, "src_test_61xqd44a1b2c3d4e5f6", s.ID)
	assert.Equal(t, "/sources/src_test_61xqd44a1b2c3d4e5f6", s.Location)
	assert.Equal(t, time.Date(2026, 3, 1, 3, 15, 40, 0, time.UTC), s.CreatedAt)
	assert.Equal(t, instore.SourceBarcodeAlipay, s.Type)
	assert.Equal(t, instore.SourceFlowOffline, s.Flow)
	assert.Equal(t, int64(400000), s.Amount)
	assert.Equal(t, instore.THB, s.Currency)
	assert.Equal(t, "2811223344556677", s.Barcode)
	assert.Equal(t, "BKK_SUK_001", s.StoreID)
	assert.Equal(t, "Sukhumvit Flagship", s.StoreName)
	assert.Equal(t, "POS-07", s.TerminalID)
	assert.Equal(t, instore.ChargeUnknown, s.ChargeStatus)
	assert.Nil(t, s.References)
	assert.Nil(t, s.ScannableCode)
	assert.Empty(t, s.Items)
	assert.Empty(t, s.Discounts)
	assert.Zero(t, s.InstallmentTerm)
	assert.False(t, s.ZeroInterestInstallments)

	var m instore.Source
	require.NoError(t, json.Unmarshal(fixture(t, "source_alipayplus_mpm"), &m))
	assert.Equal(t, instore.SourceAlipayPlusMPM, m.Type)
	assert.Equal(t, int64(150000), m.Amount)
	assert.Empty(t, m.Barcode)
	assert.Empty(t, m.StoreID)
}

func TestSourceTypeKeepsUnknownValues(t *testing.T) {
	t.Parallel()
	var s instore.Source
	require.NoError(t, json.Unmarshal([]byte(`{"id":"src_1","type":"promptpay_2030","flow":"teleport","charge_status":"thinking"}`), &s))
	assert.Equal(t, instore.SourceType("promptpay_2030"), s.Type)
	assert.Equal(t, instore.SourceFlow("teleport"), s.Flow)
	assert.Equal(t, instore.ChargeStatus("thinking"), s.ChargeStatus)
	assert.False(t, s.ChargeStatus.Final())
}
