package instore

// Currency is an upper-case ISO 4217 currency code such as "THB".
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

// Exponent reports the number of minor-unit digits of c as ISO 4217 defines
// them (2 for THB, 0 for JPY), and false for a currency the SDK does not know.
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
// 1,500.00 baht. Amounts are never floats.
type Money struct {
	Amount   int64
	Currency Currency
}
