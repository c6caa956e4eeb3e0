package instore_test

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestCurrencyExponent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c      instore.Currency
		want   int
		wantOK bool
	}{
		{instore.THB, 2, true},
		{instore.SGD, 2, true},
		{instore.MYR, 2, true},
		{instore.CNY, 2, true},
		{instore.HKD, 2, true},
		{instore.MOP, 2, true},
		{instore.TWD, 2, true},
		{instore.JPY, 0, true},
		{instore.KRW, 0, true},
		{instore.VND, 0, true},
		{instore.IDR, 2, true}, // ISO 4217 and Alipay+: 2, whatever other PSPs do
		{instore.PHP, 2, true},
		{instore.BDT, 2, true},
		{instore.PKR, 2, true},
		{instore.CHF, 2, true},
		{instore.GBP, 2, true},
		{instore.EUR, 2, true},
		{instore.USD, 2, true},
		{"thb", 0, false},
		{"", 0, false},
		{"XYZ", 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.c.Exponent()
		assert.Equal(t, tt.wantOK, ok, "%q", tt.c)
		assert.Equal(t, tt.want, got, "%q", tt.c)
	}
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		c    instore.Currency
		want int64
	}{
		{"4,000.00", instore.THB, 400000},
		{"4000", instore.THB, 400000},
		{"4000.00", instore.THB, 400000},
		{"20.5", instore.THB, 2050},
		{"0.1", instore.THB, 10},
		{"0.05", instore.THB, 5},
		{"0", instore.THB, 0},
		{"0.00", instore.THB, 0},
		{"007", instore.THB, 700},
		{"1,500", instore.THB, 150000},
		{"1,234,567.89", instore.SGD, 123456789},
		{"150,000.00", instore.THB, 15000000},
		{" 20.00\t", instore.THB, 2000},
		{"100", instore.JPY, 100},
		{"6,000,000", instore.JPY, 6000000},
		{"50", instore.KRW, 50},
		{"300", instore.IDR, 30000},
		{"92,233,720,368,547,758.07", instore.THB, math.MaxInt64},
		{"92233720368547758.07", instore.USD, math.MaxInt64},
		{"9223372036854775807", instore.JPY, math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := instore.ParseMoney(tt.in, tt.c)
		require.NoError(t, err, "%q %s", tt.in, tt.c)
		assert.Equal(t, instore.Money{Amount: tt.want, Currency: tt.c}, got, "%q %s", tt.in, tt.c)
	}
}

func TestParseMoneyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		c       instore.Currency
		want    error
		wantMsg string
	}{
		{"", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: empty"},
		{" \t ", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: empty"},
		{"-1", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: negative"},
		{"-0", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: negative"},
		{"+1", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: sign not allowed"},
		{"1e3", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: exponent not allowed"},
		{"1.5E2", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: exponent not allowed"},
		{"20.505", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: more than 2 decimal places for THB"},
		{"20.500", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: more than 2 decimal places for THB"},
		{"100.0", instore.JPY, instore.ErrInvalidAmount, "instore: invalid amount: JPY has no decimal places"},
		{".5", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: no digits before the decimal point"},
		{"5.", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: no digits after the decimal point"},
		{"1.2.3", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"abc", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"NaN", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"Inf", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"1 000", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"1_000", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"฿20", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"２０", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"0x10", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: not a decimal number"},
		{"4,00.00", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"4000,000", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{",400", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"400,", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"1,,000", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"1.000,00", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: more than 2 decimal places for THB"},
		{"1.00,0", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"20,5", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: misplaced thousands separator"},
		{"92233720368547758.08", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: out of range"},
		{"92233720368547759", instore.THB, instore.ErrInvalidAmount, "instore: invalid amount: out of range"},
		{"9223372036854775808", instore.JPY, instore.ErrInvalidAmount, "instore: invalid amount: out of range"},
		{"99999999999999999999999", instore.JPY, instore.ErrInvalidAmount, "instore: invalid amount: out of range"},
		{"20.00", "XYZ", instore.ErrUnknownCurrency, `instore: unknown currency "XYZ"`},
		{"20.00", "thb", instore.ErrUnknownCurrency, `instore: unknown currency "thb"`},
		{"20.00", "", instore.ErrUnknownCurrency, `instore: unknown currency ""`},
		{"20.00", "THB-and-more-text", instore.ErrUnknownCurrency, `instore: unknown currency "THB-and-"...`},
		{"20.00", "000000000", instore.ErrUnknownCurrency, `instore: unknown currency "********"...`},
		{"20.00", "T1B", instore.ErrUnknownCurrency, `instore: unknown currency "T*B"`},
	}
	for _, tt := range tests {
		got, err := instore.ParseMoney(tt.in, tt.c)
		require.ErrorIs(t, err, tt.want, "%q %q", tt.in, tt.c)
		require.EqualError(t, err, tt.wantMsg, "%q %q", tt.in, tt.c)
		assert.Zero(t, got, "%q %q", tt.in, tt.c)
	}
}

// A payment code scanned into the amount field must not end up in a log
// line through the error.
func TestParseMoneyErrorsDoNotEchoInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"134567890123456789",       // an 18-digit code: out of range in THB
		"2893612204263667830",      // 19 digits
		"2893612204263667830\r\n",  // with the scanner's CR/LF
		"2893-6122-0426-3667-830",  // dashed
		"281010897274821897274821", // 24 digits
		"28101089.7274821897274821",
		"1,2893612204263667830",
	} {
		_, err := instore.ParseMoney(in, instore.THB)
		require.ErrorIs(t, err, instore.ErrInvalidAmount, "%q", in)
		assert.NotRegexp(t, `\d\d`, err.Error(), "%q", in)
	}
}

func TestMoneyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    instore.Money
		want string
	}{
		{instore.Money{Amount: 400000, Currency: instore.THB}, "4,000.00 THB"},
		{instore.Money{Amount: 100, Currency: instore.JPY}, "100 JPY"},
		{instore.Money{Amount: 5, Currency: instore.THB}, "0.05 THB"},
		{instore.Money{Amount: 0, Currency: instore.THB}, "0.00 THB"},
		{instore.Money{Amount: 10, Currency: instore.CNY}, "0.10 CNY"},
		{instore.Money{Amount: 99999, Currency: instore.SGD}, "999.99 SGD"},
		{instore.Money{Amount: 100000, Currency: instore.SGD}, "1,000.00 SGD"},
		{instore.Money{Amount: 15000000, Currency: instore.THB}, "150,000.00 THB"},
		{instore.Money{Amount: 6000000, Currency: instore.JPY}, "6,000,000 JPY"},
		{instore.Money{Amount: 999, Currency: instore.KRW}, "999 KRW"},
		{instore.Money{Amount: 1000, Currency: instore.KRW}, "1,000 KRW"},
		{instore.Money{Amount: 30000, Currency: instore.IDR}, "300.00 IDR"},
		{instore.Money{Amount: -150, Currency: instore.THB}, "-1.50 THB"},
		{instore.Money{Amount: -123456, Currency: instore.JPY}, "-123,456 JPY"},
		{instore.Money{Amount: math.MaxInt64, Currency: instore.THB}, "92,233,720,368,547,758.07 THB"},
		{instore.Money{Amount: math.MinInt64, Currency: instore.THB}, "-92,233,720,368,547,758.08 THB"},
		{instore.Money{Amount: math.MinInt64, Currency: instore.JPY}, "-9,223,372,036,854,775,808 JPY"},
		{instore.Money{Amount: 1234, Currency: "XYZ"}, "1234 XYZ minor units"},
		{instore.Money{}, "0 minor units"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.String(), "%d %q", tt.m.Amount, tt.m.Currency)
	}
}

func TestMoneyArithmetic(t *testing.T) {
	t.Parallel()
	thb := func(a int64) instore.Money { return instore.Money{Amount: a, Currency: instore.THB} }
	sgd := instore.Money{Amount: 100, Currency: instore.SGD}

	sum, err := thb(400000).Add(thb(150))
	require.NoError(t, err)
	assert.Equal(t, thb(400150), sum)
	diff, err := thb(400000).Sub(thb(150000))
	require.NoError(t, err)
	assert.Equal(t, thb(250000), diff)
	diff, err = thb(100).Sub(thb(150))
	require.NoError(t, err)
	assert.Equal(t, thb(-50), diff)

	for _, tt := range []struct {
		a, b instore.Money
		want int
	}{
		{thb(100), thb(200), -1},
		{thb(200), thb(200), 0},
		{thb(201), thb(200), +1},
		{thb(math.MinInt64), thb(math.MaxInt64), -1},
	} {
		got, err := tt.a.Cmp(tt.b)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%v cmp %v", tt.a, tt.b)
	}

	_, err = thb(100).Add(sgd)
	require.ErrorIs(t, err, instore.ErrCurrencyMismatch)
	require.EqualError(t, err, "instore: currency mismatch: THB and SGD")
	_, err = thb(100).Sub(sgd)
	require.ErrorIs(t, err, instore.ErrCurrencyMismatch)
	_, err = thb(100).Cmp(sgd)
	require.ErrorIs(t, err, instore.ErrCurrencyMismatch)

	for _, tt := range []struct {
		name string
		op   func() (instore.Money, error)
	}{
		{"max+1", func() (instore.Money, error) { return thb(math.MaxInt64).Add(thb(1)) }},
		{"min+(-1)", func() (instore.Money, error) { return thb(math.MinInt64).Add(thb(-1)) }},
		{"min-1", func() (instore.Money, error) { return thb(math.MinInt64).Sub(thb(1)) }},
		{"0-min", func() (instore.Money, error) { return thb(0).Sub(thb(math.MinInt64)) }},
		{"max-(-1)", func() (instore.Money, error) { return thb(math.MaxInt64).Sub(thb(-1)) }},
	} {
		got, err := tt.op()
		require.ErrorIs(t, err, instore.ErrInvalidAmount, tt.name)
		assert.Zero(t, got, tt.name)
	}
	got, err := thb(math.MaxInt64).Add(thb(math.MinInt64))
	require.NoError(t, err)
	assert.Equal(t, thb(-1), got)
	got, err = thb(-1).Sub(thb(math.MaxInt64))
	require.NoError(t, err)
	assert.Equal(t, thb(math.MinInt64), got)
}

// fuzzCurrencies are the currencies FuzzParseMoney picks from, one unknown.
var fuzzCurrencies = []instore.Currency{
	instore.THB, instore.SGD, instore.MYR, instore.CNY, instore.HKD, instore.MOP,
	instore.TWD, instore.JPY, instore.KRW, instore.VND, instore.IDR, instore.PHP,
	instore.BDT, instore.PKR, instore.CHF, instore.GBP, instore.EUR, instore.USD,
	"XYZ",
}

// FuzzParseMoney checks that ParseMoney never panics, that what it accepts
// is the exact decimal value of the text (checked with math/big), that the
// formatted amount parses back to itself, and that errors are typed and
// never repeat digits of the input.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"4,000.00", "4000", "20.5", "0.1", "0", "1,234,567.89", "-1", "1e3", "20.505",
		"100.0", ".5", "5.", "4,00.00", "92233720368547758.07", "92233720368547758.08",
		"9223372036854775807", "abc", " 20.00\t", "",
	} {
		for i := range fuzzCurrencies {
			f.Add(s, uint8(i), int64(len(s)))
		}
	}
	f.Add("1", uint8(0), int64(math.MaxInt64))
	f.Add("1", uint8(7), int64(math.MinInt64))

	f.Fuzz(func(t *testing.T, s string, ci uint8, n int64) {
		c := fuzzCurrencies[int(ci)%len(fuzzCurrencies)]
		exp, known := c.Exponent()

		m, err := instore.ParseMoney(s, c)
		switch {
		case !known:
			require.ErrorIs(t, err, instore.ErrUnknownCurrency)
		case err != nil:
			require.ErrorIs(t, err, instore.ErrInvalidAmount)
			require.NotRegexp(t, `\d\d`, err.Error())
			require.Zero(t, m)
		default:
			require.Equal(t, c, m.Currency)
			require.GreaterOrEqual(t, m.Amount, int64(0))
			// The exact value of the text, by another road.
			clean := strings.ReplaceAll(strings.Trim(s, " \t"), ",", "")
			r, ok := new(big.Rat).SetString(clean)
			require.True(t, ok, "%q", clean)
			r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
			require.True(t, r.IsInt(), "%q", s)
			require.Equal(t, strconv.FormatInt(m.Amount, 10), r.Num().String())
			// Commas are only separators.
			noCommas, err := instore.ParseMoney(clean, c)
			require.NoError(t, err)
			require.Equal(t, m, noCommas)
			roundTrip(t, m)
		}

		if known {
			mn := instore.Money{Amount: n, Currency: c}
			if n >= 0 {
				roundTrip(t, mn)
			} else {
				_, err := instore.ParseMoney(strings.TrimSuffix(mn.String(), " "+string(c)), c)
				require.ErrorIs(t, err, instore.ErrInvalidAmount)
			}
		}
	})
}

// roundTrip checks that the number String prints parses back to m.
func roundTrip(t *testing.T, m instore.Money) {
	t.Helper()
	s := m.String()
	num, ok := strings.CutSuffix(s, " "+string(m.Currency))
	require.True(t, ok, "%q", s)
	back, err := instore.ParseMoney(num, m.Currency)
	require.NoError(t, err, "%q", s)
	require.Equal(t, m, back, "%q", s)
}

func TestParseMoneyErrorsAreTyped(t *testing.T) {
	t.Parallel()
	_, err := instore.ParseMoney("1e3", instore.THB)
	require.NotErrorIs(t, err, instore.ErrUnknownCurrency)
	_, err = instore.ParseMoney("1", "XYZ")
	assert.NotErrorIs(t, err, instore.ErrInvalidAmount)
}
