package instore_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func bangkok() *time.Location { return time.FixedZone("ICT", 7*3600) }

// The documented shape, byte for byte in meaning: the fixtures are what a
// service returns for these payments, and decode back to them.
func TestPaymentJSONShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		p       *instore.Payment
	}{
		{"payment_refunded.json", &instore.Payment{
			Acquirer: "alipayplus", ID: "20260302114010800100000012", RequestID: "sale-0014",
			Status: instore.StatusSucceeded, Amount: instore.Money{Amount: 400000, Currency: instore.THB},
			Wallet: instore.WalletAlipay, Method: instore.MethodAlipayPlusCPM,
			// An acquirer's own zone (Alipay+: +08:00) is written as UTC.
			CreatedAt: time.Date(2026, 3, 2, 12, 5, 6, 500_000_000, time.FixedZone("UTC+8", 8*3600)),
			Refunds: []*instore.Payment{{
				Acquirer: "alipayplus", ID: "20260302114010800100000013", RequestID: "refund-0014-1",
				Status: instore.StatusSucceeded, Amount: instore.Money{Amount: 2500, Currency: instore.THB},
				Wallet: instore.WalletAlipay, Method: instore.MethodAlipayPlusCPM,
				CreatedAt: time.Date(2026, 3, 2, 12, 0, 0, 0, bangkok()),
			}},
		}},
		{"payment_declined.json", &instore.Payment{
			Acquirer: "omise", ID: "chrg_test_5xuy4w91xqz7d1w9u0t", RequestID: "sale-0015",
			Status: instore.StatusFailed, Amount: instore.Money{Amount: 100, Currency: instore.JPY},
			Wallet: instore.WalletWeChatPay, Method: instore.MethodWeChatPayUPM,
			FailureCode: "insufficient_balance", FailureMessage: "insufficient balance",
			CreatedAt: time.Date(2026, 3, 2, 4, 5, 6, 0, time.UTC),
		}},
	}
	for _, tt := range tests {
		want, err := os.ReadFile(filepath.Join("testdata", "json", tt.fixture))
		require.NoError(t, err)
		got, err := json.Marshal(tt.p)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got), tt.fixture)

		var back instore.Payment
		require.NoError(t, json.Unmarshal(want, &back), tt.fixture)
		assert.True(t, back.CreatedAt.Equal(tt.p.CreatedAt), tt.fixture)
		assert.Equal(t, time.UTC, back.CreatedAt.Location(), "%s: read back in UTC", tt.fixture)
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(again), "%s: round trip", tt.fixture)
	}
}

func TestPaymentJSONLeavesOutWhatIsEmpty(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(instore.Payment{Acquirer: "ppro", RequestID: "sale-1", Status: instore.StatusUnknown, Amount: instore.Money{Amount: 1250, Currency: instore.CHF}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"acquirer":"ppro","request_id":"sale-1","status":"unknown","amount":{"amount":1250,"currency":"CHF","decimal":"12.50"}}`, string(b))
}

func TestPaymentJSONRefusesABadAmount(t *testing.T) {
	t.Parallel()
	p := instore.Payment{RequestID: "kept"}
	err := json.Unmarshal([]byte(`{"acquirer":"omise","request_id":"sale-1","status":"succeeded","amount":{"amount":100,"decimal":"2.00","currency":"THB"}}`), &p)
	require.ErrorIs(t, err, instore.ErrInvalidAmount)
	err = json.Unmarshal([]byte(`{"acquirer":"omise","request_id":7}`), &p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "instore: decoding a payment")
	assert.Equal(t, "kept", p.RequestID, "unchanged on error")
}
