package instore_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestChargesCreateWire(t *testing.T) {
	t.Parallel()
	expires := time.Date(2026, 3, 1, 10, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	capture := false
	tests := []struct {
		name   string
		params *instore.ChargeParams
		form   url.Values
	}{
		{
			name: "inline barcode source, the seed flow",
			params: &instore.ChargeParams{
				Amount:   400000,
				Currency: instore.THB,
				Source: &instore.SourceParams{
					Type:       instore.SourceBarcodeAlipay,
					Barcode:    "2811223344556677",
					StoreID:    "BKK_SUK_001",
					StoreName:  "Sukhumvit Flagship",
					TerminalID: "POS-07",
				},
			},
			form: url.Values{
				"amount":              {"400000"},
				"currency":            {"THB"},
				"source[type]":        {"barcode_alipay"},
				"source[barcode]":     {"2811223344556677"},
				"source[store_id]":    {"BKK_SUK_001"},
				"source[store_name]":  {"Sukhumvit Flagship"},
				"source[terminal_id]": {"POS-07"},
			},
		},
		{
			name: "inline source with its own amount and currency, metadata, description",
			params: &instore.ChargeParams{
				Amount:      150000,
				Currency:    instore.THB,
				Source:      &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Amount: 150000, Currency: instore.THB, Barcode: "281234567890123456"},
				Description: "Sale 1042 & co",
				Metadata:    map[string]string{"request_id": "9f1c2b7a", "note": "a=b&c d"},
			},
			form: url.Values{
				"amount":               {"150000"},
				"currency":             {"THB"},
				"source[type]":         {"alipayplus_upm"},
				"source[amount]":       {"150000"},
				"source[currency]":     {"THB"},
				"source[barcode]":      {"281234567890123456"},
				"description":          {"Sale 1042 & co"},
				"metadata[request_id]": {"9f1c2b7a"},
				"metadata[note]":       {"a=b&c d"},
			},
		},
		{
			name: "source id, expiry in UTC, capture false, return uri",
			params: &instore.ChargeParams{
				Amount:    150000,
				Currency:  instore.SGD,
				SourceID:  "src_test_61xqd55g7h8j9k0l1m2",
				ExpiresAt: &expires,
				Capture:   &capture,
				ReturnURI: "https://pos.example.com/done",
			},
			form: url.Values{
				"amount":     {"150000"},
				"currency":   {"SGD"},
				"source":     {"src_test_61xqd55g7h8j9k0l1m2"},
				"expires_at": {"2026-03-01T03:30:00Z"},
				"capture":    {"false"},
				"return_uri": {"https://pos.example.com/done"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, http.StatusOK, "charge_pending")
			ch, err := f.client(t).Charges.Create(t.Context(), tt.params)
			require.NoError(t, err)
			assert.Equal(t, "chrg_test_61xq8k2hv0a7mf3nb2d", ch.ID)
			assertWire(t, f.only(t), http.MethodPost, "/charges", testSecretKey, tt.form)
		})
	}
}

func TestChargesCallsWire(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 3, 1, 7, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	tests := []struct {
		name    string
		fixture string
		call    func(context.Context, *instore.Client) (any, error)
		method  string
		path    string
		query   url.Values
	}{
		{
			name: "get", fixture: "charge_successful", method: http.MethodGet, path: "/charges/chrg_test_61xqa11p0o9i8u7y6t5",
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.Get(ctx, "chrg_test_61xqa11p0o9i8u7y6t5")
			},
		},
		{
			name: "get escapes the id", fixture: "charge_successful", method: http.MethodGet, path: "/charges/chrg%2F..%2Fx%3F",
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.Get(ctx, "chrg/../x?")
			},
		},
		{
			name: "expire", fixture: "charge_expired", method: http.MethodPost, path: "/charges/chrg_test_61xq8k2hv0a7mf3nb2d/expire",
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.Expire(ctx, "chrg_test_61xq8k2hv0a7mf3nb2d")
			},
		},
		{
			name: "mark as paid", fixture: "charge_successful", method: http.MethodPost, path: "/charges/chrg_test_61xqa11p0o9i8u7y6t5/mark_as_paid",
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.MarkAsPaid(ctx, "chrg_test_61xqa11p0o9i8u7y6t5")
			},
		},
		{
			name: "mark as failed", fixture: "charge_failed", method: http.MethodPost, path: "/charges/chrg_test_61xqb22q1w2e3r4t5y6/mark_as_failed",
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.MarkAsFailed(ctx, "chrg_test_61xqb22q1w2e3r4t5y6")
			},
		},
		{
			name: "list without params", fixture: "charge_list", method: http.MethodGet, path: "/charges", query: url.Values{},
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.List(ctx, nil)
			},
		},
		{
			name: "list with params in the query string", fixture: "charge_list", method: http.MethodGet, path: "/charges",
			query: url.Values{"limit": {"50"}, "offset": {"100"}, "from": {"2026-03-01T00:00:00Z"}, "order": {"reverse_chronological"}},
			call: func(ctx context.Context, c *instore.Client) (any, error) {
				return c.Charges.List(ctx, &instore.ListParams{Limit: 50, Offset: 100, From: from, Order: instore.OrderReverseChronological})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, http.StatusOK, tt.fixture)
			got, err := tt.call(t.Context(), f.client(t))
			require.NoError(t, err)
			require.NotNil(t, got)
			s := f.only(t)
			assertWire(t, s, tt.method, tt.path, testSecretKey, nil)
			if tt.query != nil {
				assert.Equal(t, tt.query, s.Query)
			}
		})
	}
}

func TestChargesCreateRefusesBadParams(t *testing.T) {
	t.Parallel()
	src := &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"}
	var zero time.Time
	tests := []struct {
		name string
		p    *instore.ChargeParams
	}{
		{"nil", nil},
		{"no amount", &instore.ChargeParams{Currency: instore.THB, Source: src}},
		{"negative amount", &instore.ChargeParams{Amount: -1, Currency: instore.THB, Source: src}},
		{"no currency", &instore.ChargeParams{Amount: 100, Source: src}},
		{"no source", &instore.ChargeParams{Amount: 100, Currency: instore.THB}},
		{"both sources", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: src, SourceID: "src_1"}},
		{"source without type", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: &instore.SourceParams{Barcode: "1"}}},
		{"source amount differs", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Amount: 99}}},
		{"source currency differs", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Currency: instore.SGD}}},
		{"zero expiry", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: src, ExpiresAt: &zero}},
		{"metadata key with brackets", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: src, Metadata: map[string]string{"a]b": "c"}}},
		{"empty metadata key", &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: src, Metadata: map[string]string{"": "c"}}},
	}
	f := newFake(t, http.StatusOK, "charge_pending")
	c := f.client(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := c.Charges.Create(t.Context(), tt.p)
			require.Error(t, err)
			assert.Nil(t, ch)
			require.ErrorIs(t, err, instore.ErrInvalidParams)
			require.ErrorIs(t, err, instore.ErrInvalidRequest)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
			assert.NotContains(t, err.Error(), "281234567890123456")
		})
	}
	t.Cleanup(func() { assert.Empty(t, f.requests(), "nothing is sent for bad params") })
}

func TestChargesRefuseBadIDs(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "charge_pending")
	c := f.client(t)
	for _, id := range []string{"", ".", ".."} {
		_, err := c.Charges.Get(t.Context(), id)
		require.ErrorIs(t, err, instore.ErrInvalidParams, "id %q", id)
		_, err = c.Charges.Expire(t.Context(), id)
		require.ErrorIs(t, err, instore.ErrInvalidParams, "id %q", id)
	}
	_, err := c.Charges.List(t.Context(), &instore.ListParams{Limit: -1})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Charges.List(t.Context(), &instore.ListParams{Order: "newest"})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	_, err = c.Charges.List(t.Context(), &instore.ListParams{From: time.Unix(200, 0), To: time.Unix(100, 0)})
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Empty(t, f.requests())
}

func TestChargeStatusFinal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status instore.ChargeStatus
		final  bool
	}{
		{instore.ChargePending, false},
		{instore.ChargeUnknown, false},
		{instore.ChargeSuccessful, true},
		{instore.ChargeFailed, true},
		{instore.ChargeExpired, true},
		{instore.ChargeReversed, true},
		{"", false},
		{"some_future_status", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.final, tt.status.Final(), "status %q", tt.status)
	}
}

func TestChargeDecodeFixtures(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return ts
	}
	decode := func(t *testing.T, name string) *instore.Charge {
		var ch instore.Charge
		require.NoError(t, json.Unmarshal(fixture(t, name), &ch))
		return &ch
	}

	t.Run("pending barcode", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_pending")
		assert.Equal(t, "charge", ch.Object)
		assert.Equal(t, "chrg_test_61xq8k2hv0a7mf3nb2d", ch.ID)
		assert.Equal(t, "/charges/chrg_test_61xq8k2hv0a7mf3nb2d", ch.Location)
		assert.False(t, ch.Livemode)
		assert.Equal(t, at("2026-03-01T03:15:42Z"), ch.CreatedAt)
		assert.Equal(t, int64(400000), ch.Amount)
		assert.Equal(t, instore.THB, ch.Currency)
		assert.Equal(t, int64(400000), ch.FundingAmount)
		assert.Equal(t, instore.THB, ch.FundingCurrency)
		assert.Equal(t, int64(392938), ch.Net)
		assert.Equal(t, int64(6600), ch.Fee)
		assert.Equal(t, int64(462), ch.FeeVAT)
		assert.Zero(t, ch.Interest)
		assert.Zero(t, ch.InterestVAT)
		assert.Zero(t, ch.RefundedAmount)
		assert.Equal(t, "Sale 1042", ch.Description)
		assert.Equal(t, instore.ChargePending, ch.Status)
		assert.False(t, ch.Status.Final())
		assert.True(t, ch.Capture)
		assert.False(t, ch.Authorized)
		assert.False(t, ch.Paid)
		assert.Nil(t, ch.PaidAt)
		assert.Nil(t, ch.ReversedAt)
		assert.Nil(t, ch.ExpiredAt)
		require.NotNil(t, ch.ExpiresAt)
		assert.Equal(t, at("2026-03-02T03:15:42Z"), *ch.ExpiresAt)
		assert.Empty(t, ch.Transaction)
		assert.Empty(t, ch.FailureCode)
		assert.Empty(t, ch.FailureMessage)
		assert.False(t, ch.Refundable)
		assert.False(t, ch.Reversible)
		assert.False(t, ch.Capturable)
		assert.False(t, ch.Disputable)
		assert.Empty(t, ch.ReturnURI)
		assert.Empty(t, ch.AuthorizeURI)
		assert.JSONEq(t, "null", string(ch.Card))
		require.NotNil(t, ch.TransactionFees)
		assert.Equal(t, instore.Decimal("1.65"), ch.TransactionFees.FeeRate)
		assert.Equal(t, instore.Decimal("7.0"), ch.TransactionFees.VATRate)
		require.NotNil(t, ch.PlatformFee)
		assert.Empty(t, ch.PlatformFee.Percentage)
		v, ok := ch.Metadata.String("request_id")
		assert.True(t, ok)
		assert.Equal(t, "9f1c2b7a44e04f3c8d0a6b5e2f1d3c4b", v)

		require.NotNil(t, ch.Refunds)
		assert.Equal(t, "list", ch.Refunds.Object)
		assert.Zero(t, ch.Refunds.Total)
		assert.Equal(t, 20, ch.Refunds.Limit)
		assert.Equal(t, instore.OrderChronological, ch.Refunds.Order)
		assert.Equal(t, time.Unix(0, 0).UTC(), ch.Refunds.From)
		assert.Empty(t, ch.Refunds.Data)

		src := ch.Source
		require.NotNil(t, src)
		assert.Equal(t, "src_test_61xq8k2gy5r4x7c9w1p", src.ID)
		assert.Equal(t, instore.SourceBarcodeAlipay, src.Type)
		assert.Equal(t, instore.SourceFlowOffline, src.Flow)
		assert.Equal(t, "2811223344556677", src.Barcode)
		assert.Equal(t, "BKK_SUK_001", src.StoreID)
		assert.Equal(t, "Sukhumvit Flagship", src.StoreName)
		assert.Equal(t, "POS-07", src.TerminalID)
		assert.Equal(t, instore.ChargePending, src.ChargeStatus)
		assert.Nil(t, src.ScannableCode)
		require.NotNil(t, src.References)
		require.NotNil(t, src.References.ExpiresAt)
		assert.Equal(t, at("2026-03-02T03:15:42Z"), *src.References.ExpiresAt)
		assert.Empty(t, src.References.CustomerCurrency)
	})

	t.Run("mpm with a QR code", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_mpm_pending")
		assert.Equal(t, int64(150000), ch.Amount)
		require.NotNil(t, ch.Source)
		assert.Equal(t, instore.SourceAlipayPlusMPM, ch.Source.Type)
		assert.Nil(t, ch.Source.References)
		qr := ch.Source.ScannableCode
		require.NotNil(t, qr)
		assert.Equal(t, "qr", qr.Type)
		require.NotNil(t, qr.Image)
		assert.Equal(t, "docu_test_61xq9a0e2l4k7m8n9p1", qr.Image.ID)
		assert.Equal(t, "qrcode.svg", qr.Image.Filename)
		assert.Equal(t, "qr", qr.Image.Kind)
		assert.False(t, qr.Image.Deleted)
		assert.Equal(t, "https://api.omise.co/charges/chrg_test_61xq9a0c1b2d3e4f5g6/documents/docu_test_61xq9a0e2l4k7m8n9p1/downloads/5A1B2C3D4E5F6A7B", qr.Image.DownloadURI)
		assert.Equal(t, at("2026-03-01T04:20:10Z"), qr.Image.CreatedAt)
	})

	t.Run("successful, cross-border, mixed metadata", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_successful")
		assert.Equal(t, instore.ChargeSuccessful, ch.Status)
		assert.True(t, ch.Status.Final())
		assert.True(t, ch.Paid)
		assert.True(t, ch.Authorized)
		require.NotNil(t, ch.PaidAt)
		assert.Equal(t, at("2026-03-01T05:01:03Z"), *ch.PaidAt)
		assert.Equal(t, "trxn_test_61xqa12a1s2d3f4g5h6", ch.Transaction)
		assert.True(t, ch.Refundable)
		refs := ch.Source.References
		require.NotNil(t, refs)
		assert.Nil(t, refs.ExpiresAt)
		assert.Equal(t, int64(8123), refs.CustomerAmount)
		assert.Equal(t, instore.CNY, refs.CustomerCurrency)
		assert.Equal(t, instore.Decimal("0.20308"), refs.CustomerExchangeRate)
		assert.Equal(t, "20260301115511800110170123456789", refs.Reference1)
		for key, want := range map[string]string{"lane": "3", "loyalty": `{"tier":"gold"}`, "gift": "true", "note": ""} {
			got, ok := ch.Metadata.String(key)
			assert.True(t, ok, key)
			assert.Equal(t, want, got, key)
		}
		_, ok := ch.Metadata.String("absent")
		assert.False(t, ok)
	})

	t.Run("failed", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_failed")
		assert.Equal(t, instore.ChargeFailed, ch.Status)
		assert.Equal(t, instore.FailurePaymentRejected, ch.FailureCode)
		assert.Equal(t, "payment rejected by issuer", ch.FailureMessage)
		assert.Equal(t, instore.SourceWeChatPayUPM, ch.Source.Type)
		assert.Equal(t, instore.ChargeFailed, ch.Source.ChargeStatus)
	})

	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_expired")
		assert.Equal(t, instore.ChargeExpired, ch.Status)
		assert.True(t, ch.Expired)
		require.NotNil(t, ch.ExpiredAt)
		assert.Equal(t, at("2026-03-01T03:16:30Z"), *ch.ExpiredAt)
	})

	t.Run("refunded", func(t *testing.T) {
		t.Parallel()
		ch := decode(t, "charge_refunded")
		assert.Equal(t, int64(100000), ch.RefundedAmount)
		require.NotNil(t, ch.Refunds)
		assert.Equal(t, 1, ch.Refunds.Total)
		require.Len(t, ch.Refunds.Data, 1)
		assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", ch.Refunds.Data[0].ID)
		assert.Equal(t, instore.RefundClosed, ch.Refunds.Data[0].Status)
	})

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		var l instore.List[instore.Charge]
		require.NoError(t, json.Unmarshal(fixture(t, "charge_list"), &l))
		assert.Equal(t, 2, l.Total)
		assert.Equal(t, "/charges", l.Location)
		assert.Equal(t, at("2026-03-02T10:00:00Z"), l.To)
		require.Len(t, l.Data, 2)
		assert.Equal(t, "chrg_test_61xq8k2hv0a7mf3nb2d", l.Data[0].ID)
		assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", l.Data[1].ID)
	})
}
