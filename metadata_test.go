package instore_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestMetadataNeverFailsToDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json string
		want map[string]string // nil: empty metadata
	}{
		{`{}`, map[string]string{}},
		{`null`, nil},
		{`[]`, nil},
		{`"text"`, nil},
		{`42`, nil},
		{`{"a":"x","b":1.50,"c":true,"d":null,"e":{"f":[1, 2]},"g":"\u00e9\n"}`,
			map[string]string{"a": "x", "b": "1.50", "c": "true", "d": "", "e": `{"f":[1,2]}`, "g": "é\n"}},
	}
	for _, tt := range tests {
		var ch instore.Charge
		require.NoError(t, json.Unmarshal([]byte(`{"id":"chrg_1","metadata":`+tt.json+`}`), &ch), tt.json)
		assert.Len(t, ch.Metadata, len(tt.want), tt.json)
		for k, want := range tt.want {
			got, ok := ch.Metadata.String(k)
			assert.True(t, ok, k)
			assert.Equal(t, want, got, k)
		}
	}
}

func TestDecimalAcceptsStringsAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json string
		want instore.Decimal
	}{
		{`"1.65"`, "1.65"},
		{`1.65`, "1.65"},
		{`0.20308`, "0.20308"},
		{`12345678901234567890.123456789`, "12345678901234567890.123456789"},
		{`null`, ""},
		{`""`, ""},
		{`true`, "true"},
		{`{"x":1}`, `{"x":1}`},
	}
	for _, tt := range tests {
		var fees instore.TransactionFees
		require.NoError(t, json.Unmarshal([]byte(`{"fee_rate":`+tt.json+`}`), &fees), tt.json)
		assert.Equal(t, tt.want, fees.FeeRate, tt.json)
	}
	b, err := json.Marshal(instore.TransactionFees{FeeRate: "1.65"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"fee_flat":null,"fee_rate":"1.65","vat_rate":null}`, string(b))
}

// FuzzDecodeCharge decodes anything as a charge and as a list of charges,
// through the model's own decoders (Metadata, Decimal): no input panics.
func FuzzDecodeCharge(f *testing.F) {
	for _, name := range []string{"charge_successful", "refund_list"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"id":"chrg_1","metadata":[],"transaction_fees":{"fee_rate":{}},"source":{"references":{"customer_exchange_rate":"x"}}}`))
	f.Add([]byte(`{"object":"list","data":[{"id":"chrg_1","metadata":{"a":1,"b":"x"}}],"total":1}`))
	f.Add([]byte(`{"id":"evnt_1","data":null,"webhook_deliveries":[{"status":200,"error":{}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ch instore.Charge
		if json.Unmarshal(b, &ch) == nil {
			for k := range ch.Metadata {
				if _, ok := ch.Metadata.String(k); !ok {
					t.Fatalf("key %q listed but not found", k)
				}
			}
			_ = ch.Status.Final()
		}
		var l instore.List[instore.Charge]
		_ = json.Unmarshal(b, &l)
		var e instore.Event
		_ = json.Unmarshal(b, &e)
	})
}
