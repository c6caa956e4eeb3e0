package instore_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestMoneyDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    instore.Money
		want string
	}{
		{instore.Money{Amount: 400000, Currency: instore.THB}, "4000.00"},
		{instore.Money{Amount: 5, Currency: instore.THB}, "0.05"},
		{instore.Money{Amount: 0, Currency: instore.THB}, "0.00"},
		{instore.Money{Amount: -2500, Currency: instore.THB}, "-25.00"},
		{instore.Money{Amount: 123456789, Currency: instore.SGD}, "1234567.89"},
		{instore.Money{Amount: 100, Currency: instore.JPY}, "100"},
		{instore.Money{Amount: 1234567, Currency: instore.KRW}, "1234567"},
		{instore.Money{Amount: math.MaxInt64, Currency: instore.USD}, "92233720368547758.07"},
		{instore.Money{Amount: math.MinInt64, Currency: instore.USD}, "-92233720368547758.08"},
		{instore.Money{Amount: 1234, Currency: "XYZ"}, ""},
		{instore.Money{}, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Decimal(), "%d %s", tt.m.Amount, tt.m.Currency)
	}
	m := instore.Money{Amount: 400000, Currency: instore.THB}
	assert.Equal(t, "4,000.00 THB", m.String(), "String stays the form for people")
}

func TestMoneyJSON(t *testing.T) {
	t.Parallel()
	marshal := []struct {
		m    instore.Money
		want string
	}{
		{instore.Money{Amount: 400000, Currency: instore.THB}, `{"amount":400000,"currency":"THB","decimal":"4000.00"}`},
		{instore.Money{Amount: 100, Currency: instore.JPY}, `{"amount":100,"currency":"JPY","decimal":"100"}`},
		{instore.Money{Amount: -2500, Currency: instore.THB}, `{"amount":-2500,"currency":"THB","decimal":"-25.00"}`},
		{instore.Money{Amount: 0, Currency: instore.THB}, `{"amount":0,"currency":"THB","decimal":"0.00"}`},
		{instore.Money{Amount: 1234, Currency: "XYZ"}, `{"amount":1234,"currency":"XYZ"}`},
		{instore.Money{}, `{"amount":0,"currency":""}`},
	}
	for _, tt := range marshal {
		b, err := json.Marshal(tt.m)
		require.NoError(t, err)
		assert.JSONEq(t, tt.want, string(b))
		var back instore.Money
		require.NoError(t, json.Unmarshal(b, &back), tt.want)
		assert.Equal(t, tt.m, back, "round trip of %s", tt.want)
	}

	unmarshal := []struct {
		name, in string
		want     instore.Money
		wantErr  error
	}{
		{"amount alone", `{"amount":2050,"currency":"THB"}`, instore.Money{Amount: 2050, Currency: instore.THB}, nil},
		{"decimal alone, as a till sends it", `{"decimal":"20.5","currency":"THB"}`, instore.Money{Amount: 2050, Currency: instore.THB}, nil},
		{"decimal with separators", `{"decimal":"4,000.00","currency":"THB"}`, instore.Money{Amount: 400000, Currency: instore.THB}, nil},
		{"negative decimal", `{"decimal":"-25.00","currency":"THB"}`, instore.Money{Amount: -2500, Currency: instore.THB}, nil},
		{"both, agreeing", `{"amount":2050,"decimal":"20.50","currency":"THB"}`, instore.Money{Amount: 2050, Currency: instore.THB}, nil},
		{"lower-case currency", `{"amount":100,"currency":"jpy"}`, instore.Money{Amount: 100, Currency: instore.JPY}, nil},
		{"both, disagreeing", `{"amount":2050,"decimal":"2050","currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"no amount", `{"currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"null", `null`, instore.Money{}, instore.ErrInvalidAmount},
		{"a number", `2050`, instore.Money{}, instore.ErrInvalidAmount},
		{"amount as a string", `{"amount":"2050","currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"fractional amount", `{"amount":20.5,"currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"too many decimals", `{"decimal":"20.505","currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"double minus", `{"decimal":"--1","currency":"THB"}`, instore.Money{}, instore.ErrInvalidAmount},
		{"decimal in an unknown currency", `{"decimal":"1.00","currency":"XYZ"}`, instore.Money{}, instore.ErrUnknownCurrency},
	}
	for _, tt := range unmarshal {
		m := instore.Money{Amount: 7, Currency: instore.USD}
		err := json.Unmarshal([]byte(tt.in), &m)
		if tt.wantErr != nil {
			require.ErrorIs(t, err, tt.wantErr, tt.name)
			assert.Equal(t, instore.Money{Amount: 7, Currency: instore.USD}, m, "%s: unchanged on error", tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, m, tt.name)
	}
}

// FuzzMoneyJSON checks that decoding never panics, that what it accepts
// encodes and decodes back to itself, and that its errors never repeat
// digits of the input.
func FuzzMoneyJSON(f *testing.F) {
	for _, s := range []string{
		`{"amount":400000,"currency":"THB","decimal":"4000.00"}`, `{"decimal":"20.5","currency":"thb"}`,
		`{"amount":-1,"currency":"JPY"}`, `{"amount":1,"decimal":"9","currency":"KRW"}`, `null`, `{}`, `[]`,
		`{"amount":9223372036854775807,"currency":"USD"}`, `{"decimal":"-92233720368547758.08","currency":"USD"}`,
		`{"decimal":"281234567890123456","currency":"THB"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m instore.Money
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			require.NotRegexp(t, `\d{6}`, err.Error(), "an error never repeats the input's digits")
			return
		}
		b, err := json.Marshal(m)
		require.NoError(t, err)
		// The encoding carries the amount twice; decoding it checks that
		// the decimal states the amount exactly.
		var back instore.Money
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		require.Equal(t, m, back)
	})
}
