package instore_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// documentedLimits is DefaultLimits written out again from the source
// documents, in major units as they print them ("" means none).
var documentedLimits = []struct {
	method                   instore.PaymentMethod
	currency                 instore.Currency
	min, max, perDay, perMon string
}{
	{instore.MethodBarcodeAlipay, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodAlipayPlusMPM, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodAlipayPlusMPM, instore.SGD, "1.00", "20,000.00", "", ""},
	{instore.MethodAlipayPlusMPM, instore.MYR, "1.00", "30,000.00", "", ""},
	{instore.MethodAlipayPlusUPM, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodAlipayPlusUPM, instore.SGD, "1.00", "20,000.00", "", ""},
	{instore.MethodWeChatPayUPM, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodBarcodeWeChat, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodWeChatPayMPM, instore.THB, "20.00", "150,000.00", "", ""},
	{instore.MethodPPROAlipay, instore.CNY, "0.1", "50,000", "50,000", "200,000"},
	{instore.MethodPPROAlipay, instore.CHF, "0.01", "", "", ""},
	{instore.MethodPPROAlipay, instore.GBP, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.THB, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.SGD, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.MYR, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.HKD, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.JPY, "1", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.KRW, "1", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.CNY, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.EUR, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.GBP, "0.01", "", "", ""},
	{instore.MethodAlipayPlusCPM, instore.USD, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.THB, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.SGD, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.MYR, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.HKD, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.JPY, "1", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.KRW, "1", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.CNY, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.EUR, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.GBP, "0.01", "", "", ""},
	{instore.MethodAlipayPlusOrderCode, instore.USD, "0.01", "", "", ""},
}

func minor(t *testing.T, s string, c instore.Currency) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	m, err := instore.ParseMoney(s, c)
	require.NoError(t, err)
	return m.Amount
}

func TestDefaultLimitsRows(t *testing.T) {
	t.Parallel()
	var want []instore.Limit
	for _, d := range documentedLimits {
		want = append(want, instore.Limit{
			Method:   d.method,
			Currency: d.currency,
			Min:      minor(t, d.min, d.currency),
			Max:      minor(t, d.max, d.currency),
			PerDay:   minor(t, d.perDay, d.currency),
			PerMonth: minor(t, d.perMon, d.currency),
		})
	}
	assert.Equal(t, want, instore.DefaultLimits.Rows())

	for _, m := range []instore.PaymentMethod{
		instore.MethodBarcodeAlipay, instore.MethodBarcodeWeChat, instore.MethodAlipayPlusUPM,
		instore.MethodAlipayPlusMPM, instore.MethodWeChatPayUPM, instore.MethodWeChatPayMPM,
		instore.MethodAlipayPlusCPM, instore.MethodPPROAlipay, instore.MethodAlipayPlusOrderCode,
	} {
		found := false
		for _, r := range want {
			found = found || r.Method == m
		}
		assert.True(t, found, "every named method has a row: %s", m)
	}
}

// TestDefaultLimitsBoundaries checks min-1, min, max and max+1 of every
// documented row.
func TestDefaultLimitsBoundaries(t *testing.T) {
	t.Parallel()
	for _, d := range documentedLimits {
		lo := minor(t, d.min, d.currency)
		hi := minor(t, d.max, d.currency)
		money := func(a int64) instore.Money { return instore.Money{Amount: a, Currency: d.currency} }
		type boundary struct {
			amount int64
			want   error
		}
		cases := []boundary{
			{lo - 1, instore.ErrAmountTooSmall},
			{lo, nil},
			{0, instore.ErrAmountTooSmall},
			{-1, instore.ErrAmountTooSmall},
			{math.MinInt64, instore.ErrAmountTooSmall},
		}
		if hi > 0 {
			cases = append(cases, boundary{hi, nil}, boundary{hi + 1, instore.ErrAmountTooLarge},
				boundary{math.MaxInt64, instore.ErrAmountTooLarge})
		} else {
			cases = append(cases, boundary{math.MaxInt64, nil}) // no documented maximum
		}
		for _, c := range cases {
			name := fmt.Sprintf("%s %v", d.method, money(c.amount))
			err := instore.DefaultLimits.Check(d.method, money(c.amount))
			if c.want == nil {
				require.NoError(t, err, name)
				continue
			}
			require.ErrorIs(t, err, c.want, name)
			var le *instore.LimitError
			require.ErrorAs(t, err, &le, name)
			assert.Equal(t, d.method, le.Method, name)
			assert.Equal(t, money(c.amount), le.Amount, name)
			assert.Equal(t, d.currency, le.Limit.Currency, name)
		}
	}
}

func TestLimitsCheckRefusals(t *testing.T) {
	t.Parallel()
	thb := func(a int64) instore.Money { return instore.Money{Amount: a, Currency: instore.THB} }
	tests := []struct {
		name    string
		limits  *instore.Limits
		method  instore.PaymentMethod
		amount  instore.Money
		want    error
		wantMsg string
	}{
		{
			"too small", instore.DefaultLimits, instore.MethodAlipayPlusUPM, thb(1999),
			instore.ErrAmountTooSmall, "instore: 19.99 THB is below the minimum 20.00 THB for alipayplus_upm",
		},
		{
			"zero", instore.DefaultLimits, instore.MethodAlipayPlusCPM, thb(0),
			instore.ErrAmountTooSmall, "instore: 0.00 THB is below the minimum 0.01 THB for alipayplus_cpm",
		},
		{
			"too large", instore.DefaultLimits, instore.MethodBarcodeAlipay, thb(15000001),
			instore.ErrAmountTooLarge, "instore: 150,000.01 THB is above the maximum 150,000.00 THB for barcode_alipay",
		},
		{
			"currency", instore.DefaultLimits, instore.MethodWeChatPayUPM, instore.Money{Amount: 2000, Currency: instore.SGD},
			instore.ErrCurrencyNotSupported, "instore: wechat_pay_upm does not take SGD",
		},
		{
			"unknown currency", instore.DefaultLimits, instore.MethodAlipayPlusCPM, instore.Money{Amount: 2000, Currency: "XYZ"},
			instore.ErrCurrencyNotSupported, "instore: alipayplus_cpm does not take XYZ",
		},
		{
			"lower-case currency", instore.DefaultLimits, instore.MethodAlipayPlusCPM, instore.Money{Amount: 2000, Currency: "thb"},
			instore.ErrCurrencyNotSupported, `instore: alipayplus_cpm does not take "thb"`,
		},
		{
			"unknown method", instore.DefaultLimits, "alipay_upm", thb(2000),
			instore.ErrUnknownPaymentMethod, `instore: no limits for unknown payment method alipay_upm`,
		},
		{
			"empty method", instore.DefaultLimits, "", thb(2000),
			instore.ErrUnknownPaymentMethod, `instore: no limits for unknown payment method ""`,
		},
		{
			"payment code as method", instore.DefaultLimits, "2893612204263667830", thb(2000),
			instore.ErrUnknownPaymentMethod, `instore: no limits for unknown payment method "********"...`,
		},
		{
			"odd method", instore.DefaultLimits, "Alipay UPM", thb(2000),
			instore.ErrUnknownPaymentMethod, `instore: no limits for unknown payment method "Alipay U"...`,
		},
		{
			"nil table", nil, instore.MethodAlipayPlusUPM, thb(2000),
			instore.ErrUnknownPaymentMethod, `instore: no limits for unknown payment method alipayplus_upm`,
		},
	}
	for _, tt := range tests {
		err := tt.limits.Check(tt.method, tt.amount)
		require.ErrorIs(t, err, tt.want, tt.name)
		require.EqualError(t, err, tt.wantMsg, tt.name)
		var le *instore.LimitError
		require.ErrorAs(t, err, &le, tt.name)
		assert.Equal(t, tt.method, le.Method, tt.name)
		assert.Equal(t, tt.amount, le.Amount, tt.name)
		for _, other := range []error{instore.ErrAmountTooSmall, instore.ErrAmountTooLarge,
			instore.ErrCurrencyNotSupported, instore.ErrUnknownPaymentMethod} {
			if !errors.Is(other, tt.want) {
				assert.NotErrorIs(t, err, other, tt.name)
			}
		}
	}
}

func TestLimitsLookup(t *testing.T) {
	t.Parallel()
	got, ok := instore.DefaultLimits.Lookup(instore.MethodAlipayPlusMPM, instore.MYR)
	require.True(t, ok)
	assert.Equal(t, instore.Limit{Method: instore.MethodAlipayPlusMPM, Currency: instore.MYR, Min: 100, Max: 3000000}, got)

	_, ok = instore.DefaultLimits.Lookup(instore.MethodAlipayPlusUPM, instore.MYR)
	assert.False(t, ok)
	_, ok = instore.DefaultLimits.Lookup("nope", instore.THB)
	assert.False(t, ok)
	var none *instore.Limits
	_, ok = none.Lookup(instore.MethodAlipayPlusMPM, instore.MYR)
	assert.False(t, ok)
	assert.Nil(t, none.Rows())
}

func TestNewLimits(t *testing.T) {
	t.Parallel()
	ok := instore.Limit{Method: "m", Currency: instore.THB, Min: 100, Max: 200, PerDay: 300, PerMonth: 300}
	with := func(f func(*instore.Limit)) instore.Limit {
		r := ok
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		rows    []instore.Limit
		wantMsg string
	}{
		{"no method", []instore.Limit{with(func(r *instore.Limit) { r.Method = "" })},
			`instore: invalid limit: row 0 ("" "THB"): no payment method`},
		{"unknown currency", []instore.Limit{with(func(r *instore.Limit) { r.Currency = "thb" })},
			`instore: invalid limit: row 0 ("m" "thb"): unknown currency`},
		{"negative min", []instore.Limit{with(func(r *instore.Limit) { r.Min = -1 })},
			`instore: invalid limit: row 0 ("m" "THB"): negative limit`},
		{"negative max", []instore.Limit{with(func(r *instore.Limit) { r.Max = -1 })},
			`instore: invalid limit: row 0 ("m" "THB"): negative limit`},
		{"negative per day", []instore.Limit{with(func(r *instore.Limit) { r.PerDay = -1 })},
			`instore: invalid limit: row 0 ("m" "THB"): negative limit`},
		{"negative per month", []instore.Limit{with(func(r *instore.Limit) { r.PerMonth = -1 })},
			`instore: invalid limit: row 0 ("m" "THB"): negative limit`},
		{"min above max", []instore.Limit{with(func(r *instore.Limit) { r.Min = 201 })},
			`instore: invalid limit: row 0 ("m" "THB"): min above max`},
		{"day above month", []instore.Limit{with(func(r *instore.Limit) { r.PerDay = 301; r.PerMonth = 300 })},
			`instore: invalid limit: row 0 ("m" "THB"): per-day above per-month`},
		{"duplicate", []instore.Limit{ok, with(func(r *instore.Limit) { r.Currency = instore.SGD }), with(func(r *instore.Limit) { r.Max = 0 })},
			`instore: invalid limit: row 2: second row for m THB`},
	}
	for _, tt := range tests {
		l, err := instore.NewLimits(tt.rows...)
		require.ErrorIs(t, err, instore.ErrInvalidLimit, tt.name)
		require.EqualError(t, err, tt.wantMsg, tt.name)
		assert.Nil(t, l, tt.name)
	}

	// Accepted: min equal to max, no max at all, a per-day cap without a
	// per-month one, and no rows.
	l, err := instore.NewLimits(
		with(func(r *instore.Limit) { r.Min = 200 }),
		with(func(r *instore.Limit) { r.Currency = instore.SGD; r.Max = 0 }),
		with(func(r *instore.Limit) { r.Currency = instore.JPY; r.PerMonth = 0 }),
	)
	require.NoError(t, err)
	require.NoError(t, l.Check("m", instore.Money{Amount: 200, Currency: instore.THB}))
	require.NoError(t, l.Check("m", instore.Money{Amount: math.MaxInt64, Currency: instore.SGD}))
	empty, err := instore.NewLimits()
	require.NoError(t, err)
	require.ErrorIs(t, empty.Check("m", instore.Money{Amount: 200, Currency: instore.THB}), instore.ErrUnknownPaymentMethod)
}

// The table is immutable: neither the rows given to NewLimits nor those
// Rows returns reach it.
func TestLimitsImmutable(t *testing.T) {
	t.Parallel()
	rows := []instore.Limit{{Method: "m", Currency: instore.THB, Min: 100, Max: 200}}
	l, err := instore.NewLimits(rows...)
	require.NoError(t, err)
	rows[0].Max = 1

	got := l.Rows()
	got[0].Max = 2
	got = append(got, instore.Limit{Method: "n", Currency: instore.THB})
	require.Len(t, got, 2)

	require.NoError(t, l.Check("m", instore.Money{Amount: 200, Currency: instore.THB}))
	assert.Equal(t, []instore.Limit{{Method: "m", Currency: instore.THB, Min: 100, Max: 200}}, l.Rows())
	r, ok := l.Lookup("m", instore.THB)
	require.True(t, ok)
	assert.Equal(t, int64(200), r.Max)

	d := instore.DefaultLimits.Rows()
	for i := range d {
		d[i].Max = 1
	}
	require.NoError(t, instore.DefaultLimits.Check(instore.MethodBarcodeAlipay, instore.Money{Amount: 15000000, Currency: instore.THB}))
}

func TestLimitCheckTotals(t *testing.T) {
	t.Parallel()
	row, ok := instore.DefaultLimits.Lookup(instore.MethodPPROAlipay, instore.CNY)
	require.True(t, ok)
	cny := func(s string) instore.Money {
		m, err := instore.ParseMoney(s, instore.CNY)
		require.NoError(t, err)
		return m
	}
	tests := []struct {
		name               string
		amount, today, mon instore.Money
		want               error
		wantMsg            string
		wantSpent          instore.Money
	}{
		{"first of the month", cny("50,000"), cny("0"), cny("0"), nil, "", instore.Money{}},
		{"day at the limit", cny("0.10"), cny("49,999.90"), cny("49,999.90"), nil, "", instore.Money{}},
		{"day limit+0.01", cny("0.11"), cny("49,999.90"), cny("49,999.90"), instore.ErrDailyLimitExceeded,
			"instore: 0.11 CNY after 49,999.90 CNY today exceeds the daily limit 50,000.00 CNY for ppro_alipayconsumerbarcode",
			cny("49,999.90")},
		{"day already over", cny("0.10"), cny("60,000"), cny("60,000"), instore.ErrDailyLimitExceeded, "", cny("60,000")},
		{"month at the limit", cny("100"), cny("0"), cny("199,900"), nil, "", instore.Money{}},
		{"month limit+0.01", cny("100.01"), cny("0"), cny("199,900"), instore.ErrMonthlyLimitExceeded,
			"instore: 100.01 CNY after 199,900.00 CNY this month exceeds the monthly limit 200,000.00 CNY for ppro_alipayconsumerbarcode",
			cny("199,900")},
		{"huge totals", cny("0.10"), instore.Money{Amount: math.MaxInt64, Currency: instore.CNY},
			instore.Money{Amount: math.MaxInt64, Currency: instore.CNY}, instore.ErrDailyLimitExceeded, "",
			instore.Money{Amount: math.MaxInt64, Currency: instore.CNY}},
		{"per payment first: too small", cny("0.09"), cny("0"), cny("0"), instore.ErrAmountTooSmall, "", instore.Money{}},
		{"per payment first: too large", cny("50,000.01"), cny("0"), cny("0"), instore.ErrAmountTooLarge, "", instore.Money{}},
	}
	for _, tt := range tests {
		err := row.CheckTotals(tt.amount, tt.today, tt.mon)
		if tt.want == nil {
			require.NoError(t, err, tt.name)
			continue
		}
		require.ErrorIs(t, err, tt.want, tt.name)
		var le *instore.LimitError
		require.ErrorAs(t, err, &le, tt.name)
		assert.Equal(t, tt.wantSpent, le.Spent, tt.name)
		assert.Equal(t, row, le.Limit, tt.name)
		if tt.wantMsg != "" {
			require.EqualError(t, err, tt.wantMsg, tt.name)
		}
	}

	err := row.CheckTotals(cny("1"), instore.Money{Amount: 100, Currency: instore.CHF}, cny("0"))
	require.ErrorIs(t, err, instore.ErrCurrencyMismatch)
	require.EqualError(t, err, "instore: currency mismatch: running total in CHF, limit in CNY")
	err = row.CheckTotals(cny("1"), cny("0"), instore.Money{Amount: -1, Currency: instore.CNY})
	require.ErrorIs(t, err, instore.ErrInvalidAmount)

	// A row without totals checks the payment only.
	gbp, ok := instore.DefaultLimits.Lookup(instore.MethodPPROAlipay, instore.GBP)
	require.True(t, ok)
	big := instore.Money{Amount: math.MaxInt64, Currency: instore.GBP}
	require.NoError(t, gbp.CheckTotals(instore.Money{Amount: 1, Currency: instore.GBP}, big, big))
}

func TestAlipayPlusWalletMinimums(t *testing.T) {
	t.Parallel()
	want := map[string]string{ // paymentMethodType -> minimum as documented
		"TRUEMONEY": "1 THB",
		"ALIPAY_HK": "0.1 HKD",
		"TNG":       "0.1 MYR",
		"GCASH":     "1 PHP",
		"DANA":      "300 IDR",
		"BKASH":     "0.01 BDT",
		"EASYPAISA": "100 PKR",
		"KAKAOPAY":  "50 KRW",
		"JKOPAY":    "1 TWD",
	}
	got := instore.AlipayPlusWalletMinimums()
	require.Len(t, got, len(want))
	for _, w := range got {
		doc, ok := want[w.PaymentMethodType]
		require.True(t, ok, w.PaymentMethodType)
		var amount string
		var c instore.Currency
		_, err := fmt.Sscan(doc, &amount, &c)
		require.NoError(t, err)
		assert.Equal(t, instore.Money{Amount: minor(t, amount, c), Currency: c}, w.Min, w.PaymentMethodType)
	}
	got[0].Min.Amount = 0
	assert.NotZero(t, instore.AlipayPlusWalletMinimums()[0].Min.Amount, "each call returns a fresh table")
}

func TestLimitsCheckAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of every goroutine.
	amount := instore.Money{Amount: 400000, Currency: instore.THB}
	allocs := testing.AllocsPerRun(100, func() {
		if err := instore.DefaultLimits.Check(instore.MethodAlipayPlusUPM, amount); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}

// limitsBaseline is the check as a plain map from method and currency to
// bounds: what a caller would write by hand, without typed errors.
type limitsKey struct {
	m instore.PaymentMethod
	c instore.Currency
}

type limitsBounds struct{ min, max int64 }

var errBaseline = errors.New("baseline: amount out of range")

func newLimitsBaseline() map[limitsKey]limitsBounds {
	t := make(map[limitsKey]limitsBounds)
	for _, r := range instore.DefaultLimits.Rows() {
		t[limitsKey{r.Method, r.Currency}] = limitsBounds{max(r.Min, 1), r.Max}
	}
	return t
}

func checkBaseline(t map[limitsKey]limitsBounds, m instore.PaymentMethod, a instore.Money) error {
	b, ok := t[limitsKey{m, a.Currency}]
	if !ok || a.Amount < b.min || (b.max > 0 && a.Amount > b.max) {
		return errBaseline
	}
	return nil
}

var benchLimits = []struct {
	method instore.PaymentMethod
	amount instore.Money
}{
	{instore.MethodAlipayPlusUPM, instore.Money{Amount: 400000, Currency: instore.THB}},
	{instore.MethodAlipayPlusCPM, instore.Money{Amount: 1500, Currency: instore.USD}}, // last of ten currencies
	{instore.MethodPPROAlipay, instore.Money{Amount: 1000, Currency: instore.CNY}},
}

func BenchmarkLimitsCheck(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range benchLimits {
			if err := instore.DefaultLimits.Check(c.method, c.amount); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkLimitsCheckBaseline(b *testing.B) {
	t := newLimitsBaseline()
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range benchLimits {
			if err := checkBaseline(t, c.method, c.amount); err != nil {
				b.Fatal(err)
			}
		}
	}
}
