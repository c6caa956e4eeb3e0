package instore

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Errors returned by [ParseMoney] and the [Money] arithmetic. They are
// wrapped with a short reason; match them with [errors.Is].
var (
	// ErrInvalidAmount reports text that is not a plain non-negative decimal
	// amount in the currency's minor units, or arithmetic that overflows.
	ErrInvalidAmount = errors.New("instore: invalid amount")
	// ErrUnknownCurrency reports a currency whose minor units the SDK does
	// not know, so that an amount in it can be neither parsed nor formatted.
	ErrUnknownCurrency = errors.New("instore: unknown currency")
	// ErrCurrencyMismatch reports arithmetic or a comparison between amounts
	// in different currencies. The SDK never converts currencies.
	ErrCurrencyMismatch = errors.New("instore: currency mismatch")
)

// Currency is an upper-case ISO 4217 currency code such as "THB".
//
// Providers agree with ISO 4217 on the minor units of every currency the SDK
// knows, with these deviations and extra rules worth knowing:
//
//   - Opn Payments (Omise) documents JPY as its only zero-decimal currency
//     ("12300" is ฿123.00 but ¥12,300); its Search API alone takes major
//     units. KRW and VND, zero-decimal in ISO 4217, are not Omise currencies.
//   - Alipay+ and Antom use ISO 4217 throughout and send amounts as decimal
//     strings of minor units. IDR has 2 minor units there (1.00 IDR is
//     "100"), where some other providers treat IDR as zero-decimal.
//   - Antom requires Octopus HKD amounts to be multiples of 10 (0.10 HKD
//     steps) and JKOPay TWD amounts to be multiples of 100 (whole dollars),
//     although both currencies have 2 minor units.
type Currency string

// Currencies the SDK knows the minor units of. Other codes may still be sent
// to an acquirer, but amounts in them cannot be parsed or checked.
const (
	THB Currency = "THB" // Thai baht
	SGD Currency = "SGD" // Singapore dollar
	MYR Currency = "MYR" // Malaysian ringgit
	CNY Currency = "CNY" // Chinese yuan
	HKD Currency = "HKD" // Hong Kong dollar
	MOP Currency = "MOP" // Macanese pataca
	TWD Currency = "TWD" // New Taiwan dollar
	JPY Currency = "JPY" // Japanese yen
	KRW Currency = "KRW" // South Korean won
	VND Currency = "VND" // Vietnamese dong
	IDR Currency = "IDR" // Indonesian rupiah
	PHP Currency = "PHP" // Philippine peso
	BDT Currency = "BDT" // Bangladeshi taka
	PKR Currency = "PKR" // Pakistani rupee
	CHF Currency = "CHF" // Swiss franc
	GBP Currency = "GBP" // Pound sterling
	EUR Currency = "EUR" // Euro
	USD Currency = "USD" // US dollar
)

// UnmarshalText reads a currency code in any case: an older Omise API
// version answers "thb", which is THB.
func (c *Currency) UnmarshalText(b []byte) error {
	*c = Currency(strings.ToUpper(string(b)))
	return nil
}

// Exponent reports the number of minor-unit digits of c as ISO 4217 defines
// them (2 for THB, 0 for JPY), and false for a currency the SDK does not know.
// See [Currency] for the providers' deviations.
func (c Currency) Exponent() (int, bool) {
	switch c {
	case JPY, KRW, VND:
		return 0, true
	case THB, SGD, MYR, CNY, HKD, MOP, TWD, IDR, PHP, BDT, PKR, CHF, GBP, EUR, USD:
		return 2, true
	}
	return 0, false
}

// Money is an amount in the minor units of its currency: 150000 THB is
// 1,500.00 baht. Amounts are never floats. The zero value is zero in no
// currency.
type Money struct {
	Amount   int64
	Currency Currency
}

// pow10 returns 10^e for the exponents [Currency.Exponent] returns, 0 to 2.
func pow10(e int) int64 {
	p := int64(1)
	for ; e > 0; e-- {
		p *= 10
	}
	return p
}

// ParseMoney parses an amount as a cashier or a configuration file writes it
// ("4,000.00", "4000", "20.5", "0.1") into minor units of c: ParseMoney("20.5",
// THB) is 2050 THB. Commas are only thousands separators, in groups of three;
// surrounding spaces and tabs are ignored.
//
// It refuses, with an error matching [ErrInvalidAmount]: negative amounts, a
// sign, exponents, more fraction digits than c has (even zeros: "100.0" is not
// JPY), empty or non-numeric text and amounts beyond int64. An unknown c is
// [ErrUnknownCurrency]. Error messages never repeat the input, which at a
// till may be a payment code scanned into the wrong field.
func ParseMoney(s string, c Currency) (Money, error) {
	exp, ok := c.Exponent()
	if !ok {
		return Money{}, fmt.Errorf("%w %s", ErrUnknownCurrency, quoteShort(string(c)))
	}
	s = trimBlanks(s)
	if s == "" {
		return Money{}, invalidAmount("empty")
	}
	switch s[0] {
	case '-':
		return Money{}, invalidAmount("negative")
	case '+':
		return Money{}, invalidAmount("sign not allowed")
	}

	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" {
		return Money{}, invalidAmount("no digits before the decimal point")
	}
	units, err := parseWhole(whole)
	if err != nil {
		return Money{}, err
	}
	var fracUnits int64
	if hasPoint {
		if frac == "" {
			return Money{}, invalidAmount("no digits after the decimal point")
		}
		for i := 0; i < len(frac); i++ {
			d := frac[i]
			if d < '0' || d > '9' {
				return Money{}, notANumber(d)
			}
			if i == exp {
				return Money{}, tooManyDecimals(c, exp)
			}
			fracUnits = fracUnits*10 + int64(d-'0')
		}
		fracUnits *= pow10(exp - len(frac))
	}

	p := pow10(exp)
	if units > (math.MaxInt64-fracUnits)/p {
		return Money{}, invalidAmount("out of range")
	}
	return Money{Amount: units*p + fracUnits, Currency: c}, nil
}

// parseWhole parses the digits before the decimal point, with optional
// thousands separators, refusing anything beyond math.MaxInt64.
func parseWhole(s string) (int64, error) {
	var n int64
	group := 0 // digits since the start or the last comma
	commas := false
	for i := 0; i < len(s); i++ {
		switch d := s[i]; {
		case '0' <= d && d <= '9':
			if n > (math.MaxInt64-int64(d-'0'))/10 {
				return 0, invalidAmount("out of range")
			}
			n = n*10 + int64(d-'0')
			group++
		case d == ',':
			// The first group holds 1 to 3 digits, every later one exactly 3.
			if group == 0 || group > 3 || (commas && group != 3) {
				return 0, invalidAmount("misplaced thousands separator")
			}
			commas = true
			group = 0
		default:
			return 0, notANumber(d)
		}
	}
	if commas && group != 3 {
		return 0, invalidAmount("misplaced thousands separator")
	}
	return n, nil
}

func notANumber(b byte) error {
	switch b {
	case 'e', 'E':
		return invalidAmount("exponent not allowed")
	case ',':
		return invalidAmount("misplaced thousands separator")
	}
	return invalidAmount("not a decimal number")
}

func tooManyDecimals(c Currency, exp int) error {
	if exp == 0 {
		return invalidAmount(string(c) + " has no decimal places")
	}
	return invalidAmount(fmt.Sprintf("more than %d decimal places for %s", exp, c))
}

func invalidAmount(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidAmount, reason)
}

// String formats m for people and logs: "4,000.00 THB", "100 JPY",
// "0.05 THB", with a minus sign for a negative amount. An amount in an
// unknown currency is shown in minor units: "1234 XYZ minor units".
func (m Money) String() string {
	exp, ok := m.Currency.Exponent()
	if !ok {
		b := strconv.AppendInt(make([]byte, 0, 32), m.Amount, 10)
		if m.Currency != "" {
			b = append(b, ' ')
			b = append(b, m.Currency...)
		}
		return string(append(b, " minor units"...))
	}
	b := appendAmount(make([]byte, 0, 32), m.Amount, exp, true)
	b = append(b, ' ')
	return string(append(b, m.Currency...))
}

// appendAmount appends amount, in minor units with exp fraction digits, in
// the form ParseMoney reads: thousands separated by commas when
// thousands is set.
func appendAmount(b []byte, amount int64, exp int, thousands bool) []byte {
	// Division truncates toward zero, so whole and frac share amount's sign
	// and -frac cannot overflow; whole keeps math.MinInt64 representable.
	p := pow10(exp)
	whole, frac := amount/p, amount%p
	if amount < 0 {
		b = append(b, '-')
		frac = -frac
	}
	var digits [20]byte
	w := strconv.AppendInt(digits[:0], whole, 10)
	if whole < 0 {
		w = w[1:]
	}
	for i, d := range w {
		if thousands && i > 0 && (len(w)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d)
	}
	if exp > 0 {
		b = append(b, '.')
		for p /= 10; p > 0; p /= 10 {
			b = append(b, byte('0'+frac/p%10))
		}
	}
	return b
}

// Add returns m + n. Mixed currencies are [ErrCurrencyMismatch]; a sum
// beyond int64 is [ErrInvalidAmount].
func (m Money) Add(n Money) (Money, error) {
	if err := sameCurrency(m, n); err != nil {
		return Money{}, err
	}
	if (n.Amount > 0 && m.Amount > math.MaxInt64-n.Amount) ||
		(n.Amount < 0 && m.Amount < math.MinInt64-n.Amount) {
		return Money{}, invalidAmount("sum out of range")
	}
	return Money{Amount: m.Amount + n.Amount, Currency: m.Currency}, nil
}

// Sub returns m - n, for example what is left to refund of a payment. Mixed
// currencies are [ErrCurrencyMismatch]; a difference beyond int64 is
// [ErrInvalidAmount].
func (m Money) Sub(n Money) (Money, error) {
	if err := sameCurrency(m, n); err != nil {
		return Money{}, err
	}
	if (n.Amount < 0 && m.Amount > math.MaxInt64+n.Amount) ||
		(n.Amount > 0 && m.Amount < math.MinInt64+n.Amount) {
		return Money{}, invalidAmount("difference out of range")
	}
	return Money{Amount: m.Amount - n.Amount, Currency: m.Currency}, nil
}

// Cmp compares m and n as [cmp.Compare] does: -1 if m is less, 0 if equal,
// +1 if more. Amounts in different currencies do not compare: the error
// matches [ErrCurrencyMismatch], so that a refund in SGD is never checked
// against a payment in THB.
func (m Money) Cmp(n Money) (int, error) {
	if err := sameCurrency(m, n); err != nil {
		return 0, err
	}
	switch {
	case m.Amount < n.Amount:
		return -1, nil
	case m.Amount > n.Amount:
		return +1, nil
	}
	return 0, nil
}

func sameCurrency(m, n Money) error {
	if m.Currency != n.Currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, currencyName(m.Currency), currencyName(n.Currency))
	}
	return nil
}

// currencyName formats c for an error message: as is when it looks like an
// ISO 4217 code (three upper-case letters), else quoted and cut short.
func currencyName(c Currency) string {
	if len(c) == 3 && isUpper(c[0]) && isUpper(c[1]) && isUpper(c[2]) {
		return string(c)
	}
	return quoteShort(string(c))
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }

// quoteShort quotes s for an error message, cut to a few bytes and with
// every ASCII digit shown as '*': a mistaken argument may be a payment code
// scanned into the wrong field, and no digit of one may reach an error.
func quoteShort(s string) string {
	const maxLen = 8
	cut := len(s) > maxLen
	if cut {
		s = s[:maxLen]
	}
	b := []byte(s)
	for i, c := range b {
		if '0' <= c && c <= '9' {
			b[i] = '*'
		}
	}
	if cut {
		return strconv.Quote(string(b)) + "..."
	}
	return strconv.Quote(string(b))
}

// trimBlanks drops leading and trailing ASCII spaces and tabs.
func trimBlanks(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
