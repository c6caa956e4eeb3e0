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

func TestRefundsCreateWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params *instore.RefundParams
		form   url.Values
	}{
		{
			name:   "amount only",
			params: &instore.RefundParams{Amount: 100000},
			form:   url.Values{"amount": {"100000"}},
		},
		{
			name:   "metadata and void",
			params: &instore.RefundParams{Amount: 400000, Void: true, Metadata: map[string]string{"refund_request_id": "r-1042-1"}},
			form:   url.Values{"amount": {"400000"}, "void": {"true"}, "metadata[refund_request_id]": {"r-1042-1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, http.StatusOK, "refund_closed")
			r, err := f.client(t).Refunds.Create(t.Context(), "chrg_test_61xqa11p0o9i8u7y6t5", tt.params)
			require.NoError(t, err)
			assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", r.ID)
			assertWire(t, f.only(t), http.MethodPost, "/charges/chrg_test_61xqa11p0o9i8u7y6t5/refunds", testSecretKey, tt.form)
		})
	}
}

func TestRefundsGetAndListWire(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "refund_closed")
	r, err := f.client(t).Refunds.Get(t.Context(), "chrg_test_61xqa11p0o9i8u7y6t5", "rfnd_test_61xqc33k2j3h4g5f6d7")
	require.NoError(t, err)
	assert.Equal(t, int64(100000), r.Amount)
	assertWire(t, f.only(t), http.MethodGet, "/charges/chrg_test_61xqa11p0o9i8u7y6t5/refunds/rfnd_test_61xqc33k2j3h4g5f6d7", testSecretKey, nil)

	fl := newFake(t, http.StatusOK, "refund_list")
	l, err := fl.client(t).Refunds.List(t.Context(), "chrg_test_61xqa11p0o9i8u7y6t5", &instore.ListParams{Limit: 100})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", l.Data[0].ID)
	s := fl.only(t)
	assertWire(t, s, http.MethodGet, "/charges/chrg_test_61xqa11p0o9i8u7y6t5/refunds", testSecretKey, nil)
	assert.Equal(t, url.Values{"limit": {"100"}}, s.Query)
}

func TestRefundsRefuseBadParams(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "refund_closed")
	c := f.client(t)
	for _, p := range []*instore.RefundParams{nil, {}, {Amount: -1}, {Amount: 5, Metadata: map[string]string{"[": "x"}}} {
		_, err := c.Refunds.Create(t.Context(), "chrg_1", p)
		require.ErrorIs(t, err, instore.ErrInvalidParams)
	}
	_, err := c.Refunds.Create(t.Context(), "", &instore.RefundParams{Amount: 5})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Refunds.Get(t.Context(), "chrg_1", "")
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Refunds.Get(t.Context(), "..", "rfnd_1")
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Refunds.List(t.Context(), "", nil)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Refunds.List(t.Context(), "chrg_1", &instore.ListParams{Offset: -1})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Empty(t, f.requests())
}

func TestRefundDecodeFixture(t *testing.T) {
	t.Parallel()
	var r instore.Refund
	require.NoError(t, json.Unmarshal(fixture(t, "refund_closed"), &r))
	assert.Equal(t, "refund", r.Object)
	assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", r.ID)
	assert.Equal(t, "/charges/chrg_test_61xqa11p0o9i8u7y6t5/refunds/rfnd_test_61xqc33k2j3h4g5f6d7", r.Location)
	assert.False(t, r.Livemode)
	assert.False(t, r.Voided)
	assert.Equal(t, instore.THB, r.Currency)
	assert.Equal(t, int64(100000), r.Amount)
	assert.Equal(t, int64(100000), r.FundingAmount)
	assert.Equal(t, instore.THB, r.FundingCurrency)
	assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", r.Charge)
	assert.Equal(t, "trxn_test_61xqc33t6y7u8i9o0p1", r.Transaction)
	assert.Equal(t, instore.RefundClosed, r.Status)
	assert.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), r.CreatedAt)
	v, ok := r.Metadata.String("refund_request_id")
	assert.True(t, ok)
	assert.Equal(t, "r-1042-1", v)
}
