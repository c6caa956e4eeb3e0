package instore

import (
	"errors"
	"fmt"
	"slices"
)

// Errors of the limits table. A refused amount is a [*LimitError] that
// matches one of these with [errors.Is].
var (
	// ErrAmountTooSmall reports an amount below the method's minimum. Zero
	// and negative amounts are always too small.
	ErrAmountTooSmall = errors.New("instore: amount below the minimum")
	// ErrAmountTooLarge reports an amount above the method's per-payment
	// maximum.
	ErrAmountTooLarge = errors.New("instore: amount above the maximum")
	// ErrCurrencyNotSupported reports a currency the method does not take.
	ErrCurrencyNotSupported = errors.New("instore: currency not supported by the payment method")
	// ErrUnknownPaymentMethod reports a method the limits table has no row
	// for. Nothing is allowed for it, so that a misspelt method never skips
	// the check.
	ErrUnknownPaymentMethod = errors.New("instore: unknown payment method")
	// ErrDailyLimitExceeded reports a payment that would take the day's total
	// above [Limit.PerDay].
	ErrDailyLimitExceeded = errors.New("instore: daily limit exceeded")
	// ErrMonthlyLimitExceeded reports a payment that would take the month's
	// total above [Limit.PerMonth].
	ErrMonthlyLimitExceeded = errors.New("instore: monthly limit exceeded")
	// ErrInvalidLimit reports a row [NewLimits] refuses.
	ErrInvalidLimit = errors.New("instore: invalid limit")
)

// PaymentMethod is the way a payment is taken: an Omise source type, or a
// method of the Alipay+ or PPRO acquirers. Limits are kept per method and
// currency.
type PaymentMethod string

// Payment methods with documented limits. The Omise ones are the source
// types, same strings.
const (
	// MethodBarcodeAlipay is Omise's legacy Alipay in-store (barcode) source,
	// discontinued by Omise on 2024-10-01.
	MethodBarcodeAlipay PaymentMethod = "barcode_alipay"
	// MethodBarcodeWeChat is Omise's legacy WeChat Pay barcode source.
	MethodBarcodeWeChat PaymentMethod = "barcode_wechat"
	// MethodAlipayPlusUPM is Omise's Alipay+ user-presented mode: the
	// merchant scans the customer's code.
	MethodAlipayPlusUPM PaymentMethod = "alipayplus_upm"
	// MethodAlipayPlusMPM is Omise's Alipay+ merchant-presented mode: the
	// customer scans a QR code.
	MethodAlipayPlusMPM PaymentMethod = "alipayplus_mpm"
	// MethodWeChatPayUPM is Omise's WeChat Pay user-presented mode.
	MethodWeChatPayUPM PaymentMethod = "wechat_pay_upm"
	// MethodWeChatPayMPM is Omise's WeChat Pay merchant-presented mode.
	MethodWeChatPayMPM PaymentMethod = "wechat_pay_mpm"
	// MethodAlipayPlusCPM is a consumer-presented code paid directly through
	// Alipay+ or Antom (package alipayplus).
	MethodAlipayPlusCPM PaymentMethod = "alipayplus_cpm"
	// MethodAlipayPlusOrderCode is a merchant-presented payment made
	// directly through Alipay+ or Antom (package alipayplus): the pay
	// request's OrderCode scenario, whose order code the customer scans.
	MethodAlipayPlusOrderCode PaymentMethod = "alipayplus_order_code"
	// MethodPPROAlipay is PPRO's Alipay in-store consumer barcode, channel
	// tag alipayconsumerbarcode (package ppro).
	MethodPPROAlipay PaymentMethod = "ppro_alipayconsumerbarcode"
)

// Limit is what one payment method accepts in one currency. Amounts are in
// the minor units of Currency; a zero Max, PerDay or PerMonth means the
// limit is not documented and not checked.
type Limit struct {
	Method   PaymentMethod
	Currency Currency
	// Min is the smallest payment; an amount must also be positive
	// whatever Min says.
	Min int64
	// Max is the largest single payment.
	Max int64
	// PerDay and PerMonth cap a customer's running totals. Only callers
	// who keep those totals can check them, with [Limit.CheckTotals].
	PerDay, PerMonth int64
}

// Check reports whether one payment of amount is within l: the currency, Min
// (at least 1) and Max. It returns nil or a [*LimitError] and allocates
// nothing on success.
func (l Limit) Check(amount Money) error {
	return l.check(amount)
}

// check is Check by pointer, so that Limits.Check does not copy the row.
func (l *Limit) check(amount Money) error {
	switch {
	case amount.Currency != l.Currency:
		return &LimitError{Method: l.Method, Amount: amount, Limit: *l, Err: ErrCurrencyNotSupported}
	case amount.Amount < max(l.Min, 1):
		return &LimitError{Method: l.Method, Amount: amount, Limit: *l, Err: ErrAmountTooSmall}
	case l.Max > 0 && amount.Amount > l.Max:
		return &LimitError{Method: l.Method, Amount: amount, Limit: *l, Err: ErrAmountTooLarge}
	}
	return nil
}

// CheckTotals is [Limit.Check] for callers who keep a customer's running
// totals, as PPRO's Alipay in-store requires: after the per-payment check it
// refuses a payment that would take spentToday or spentThisMonth (what the
// customer already paid by this method, excluding amount) above PerDay or
// PerMonth, with [ErrDailyLimitExceeded] or [ErrMonthlyLimitExceeded].
// Totals in another currency than l are [ErrCurrencyMismatch]; negative
// totals are [ErrInvalidAmount].
func (l Limit) CheckTotals(amount, spentToday, spentThisMonth Money) error {
	if err := l.Check(amount); err != nil {
		return err
	}
	for _, spent := range [...]Money{spentToday, spentThisMonth} {
		if spent.Currency != l.Currency {
			return fmt.Errorf("%w: running total in %s, limit in %s", ErrCurrencyMismatch,
				currencyName(spent.Currency), currencyName(l.Currency))
		}
		if spent.Amount < 0 {
			return invalidAmount("negative running total")
		}
	}
	// Both sides are non-negative, so the subtraction cannot overflow.
	if l.PerDay > 0 && amount.Amount > l.PerDay-spentToday.Amount {
		return &LimitError{Method: l.Method, Amount: amount, Limit: l, Spent: spentToday, Err: ErrDailyLimitExceeded}
	}
	if l.PerMonth > 0 && amount.Amount > l.PerMonth-spentThisMonth.Amount {
		return &LimitError{Method: l.Method, Amount: amount, Limit: l, Spent: spentThisMonth, Err: ErrMonthlyLimitExceeded}
	}
	return nil
}

// LimitError is an amount a limits table refused. It matches its Err with
// [errors.Is]: [ErrAmountTooSmall], [ErrAmountTooLarge],
// [ErrCurrencyNotSupported], [ErrUnknownPaymentMethod],
// [ErrDailyLimitExceeded] or [ErrMonthlyLimitExceeded].
type LimitError struct {
	Method PaymentMethod
	Amount Money
	// Limit is the row that refused Amount; the zero Limit when the table
	// has no row for Method and Amount's currency.
	Limit Limit
	// Spent is the running total that a daily or monthly limit was checked
	// against, else the zero Money.
	Spent Money
	Err   error
}

// Error says what was refused and why, with the amounts formatted by
// [Money.String].
func (e *LimitError) Error() string {
	method := methodName(e.Method)
	switch {
	case errors.Is(e.Err, ErrAmountTooSmall):
		return fmt.Sprintf("instore: %v is below the minimum %v for %s",
			e.Amount, Money{Amount: max(e.Limit.Min, 1), Currency: e.Limit.Currency}, method)
	case errors.Is(e.Err, ErrAmountTooLarge):
		return fmt.Sprintf("instore: %v is above the maximum %v for %s",
			e.Amount, Money{Amount: e.Limit.Max, Currency: e.Limit.Currency}, method)
	case errors.Is(e.Err, ErrDailyLimitExceeded):
		return fmt.Sprintf("instore: %v after %v today exceeds the daily limit %v for %s",
			e.Amount, e.Spent, Money{Amount: e.Limit.PerDay, Currency: e.Limit.Currency}, method)
	case errors.Is(e.Err, ErrMonthlyLimitExceeded):
		return fmt.Sprintf("instore: %v after %v this month exceeds the monthly limit %v for %s",
			e.Amount, e.Spent, Money{Amount: e.Limit.PerMonth, Currency: e.Limit.Currency}, method)
	case errors.Is(e.Err, ErrCurrencyNotSupported):
		return fmt.Sprintf("instore: %s does not take %s", method, currencyName(e.Amount.Currency))
	case errors.Is(e.Err, ErrUnknownPaymentMethod):
		return "instore: no limits for unknown payment method " + method
	case e.Err != nil:
		return e.Err.Error() + " (" + method + ")"
	}
	return "instore: amount refused for " + method
}

// methodName formats m for an error message: as is when it looks like a
// method name (a lower-case identifier, as all the constants are), else
// quoted and cut short, since it may be anything a caller passed by mistake.
func methodName(m PaymentMethod) string {
	ok := len(m) > 0 && len(m) <= 32 && (m[0] == '_' || ('a' <= m[0] && m[0] <= 'z'))
	for i := 0; ok && i < len(m); i++ {
		c := m[i]
		ok = c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
	}
	if ok {
		return string(m)
	}
	return quoteShort(string(m))
}

// Unwrap returns Err.
func (e *LimitError) Unwrap() error { return e.Err }

// Limits is an immutable table of [Limit] rows, at most one per method and
// currency. Build one with [NewLimits]; it is safe for concurrent use.
type Limits struct {
	rows    []Limit                    // in the order given
	index   map[limitKey]int           // row of each method and currency
	methods map[PaymentMethod]struct{} // methods with at least one row
}

type limitKey struct {
	method   PaymentMethod
	currency Currency
}

// NewLimits builds a table from rows. It refuses, with an error matching
// [ErrInvalidLimit], a row with no method, a currency [Currency.Exponent]
// does not know, a negative limit, Min above a non-zero Max, PerDay above a
// non-zero PerMonth, or a second row for the same method and currency.
// To change a few rows of [DefaultLimits], edit a copy of its Rows.
func NewLimits(rows ...Limit) (*Limits, error) {
	l := &Limits{
		rows:    slices.Clone(rows),
		index:   make(map[limitKey]int, len(rows)),
		methods: make(map[PaymentMethod]struct{}),
	}
	for i, r := range rows {
		if reason := invalidLimit(r); reason != "" {
			return nil, fmt.Errorf("%w: row %d (%s %s): %s", ErrInvalidLimit, i,
				quoteShort(string(r.Method)), quoteShort(string(r.Currency)), reason)
		}
		key := limitKey{r.Method, r.Currency}
		if _, dup := l.index[key]; dup {
			return nil, fmt.Errorf("%w: row %d: second row for %s %s", ErrInvalidLimit, i,
				methodName(r.Method), r.Currency)
		}
		l.index[key] = i
		l.methods[r.Method] = struct{}{}
	}
	return l, nil
}

// invalidLimit says what is wrong with r, or "" if nothing is.
func invalidLimit(r Limit) string {
	if _, ok := r.Currency.Exponent(); !ok {
		return "unknown currency"
	}
	switch {
	case r.Method == "":
		return "no payment method"
	case r.Min < 0 || r.Max < 0 || r.PerDay < 0 || r.PerMonth < 0:
		return "negative limit"
	case r.Max > 0 && r.Min > r.Max:
		return "min above max"
	case r.PerMonth > 0 && r.PerDay > r.PerMonth:
		return "per-day above per-month"
	}
	return ""
}

// Lookup returns the row for m and c.
func (l *Limits) Lookup(m PaymentMethod, c Currency) (Limit, bool) {
	if l == nil {
		return Limit{}, false
	}
	i, ok := l.index[limitKey{m, c}]
	if !ok {
		return Limit{}, false
	}
	return l.rows[i], true
}

// Rows returns a copy of the table's rows in the order given to [NewLimits].
func (l *Limits) Rows() []Limit {
	if l == nil {
		return nil
	}
	return slices.Clone(l.rows)
}

// Check reports whether one payment of amount by method m is within the
// table, with [Limit.Check] on the row for m and amount's currency. It
// returns nil or a [*LimitError]: [ErrUnknownPaymentMethod] when the table
// has no row for m at all (a nil table has none), [ErrCurrencyNotSupported]
// when it has none for the currency. Check allocates nothing on success.
func (l *Limits) Check(m PaymentMethod, amount Money) error {
	if l != nil {
		if i, ok := l.index[limitKey{m, amount.Currency}]; ok {
			return l.rows[i].check(amount)
		}
		if _, ok := l.methods[m]; ok {
			return &LimitError{Method: m, Amount: amount, Err: ErrCurrencyNotSupported}
		}
	}
	return &LimitError{Method: m, Amount: amount, Err: ErrUnknownPaymentMethod}
}

// DefaultLimits holds the documented limits of every [PaymentMethod] this
// package names, one row per method and currency, each citing its source.
// Providers change their limits and accounts may have their own: check the
// rows against your contract, and build your own table with [NewLimits]
// (starting from DefaultLimits.Rows if you like) where they differ.
//
// The table cannot be modified through its methods; Rows returns a copy.
// Like any exported variable, DefaultLimits itself could be reassigned: pass
// your own table where the SDK takes one instead of doing that.
var DefaultLimits = mustNewLimits(defaultLimitRows()...)

func mustNewLimits(rows ...Limit) *Limits {
	l, err := NewLimits(rows...)
	if err != nil {
		panic(err) // the rows below are constants; a test builds them
	}
	return l
}

// defaultLimitRows returns the rows of DefaultLimits, fresh on each call.
func defaultLimitRows() []Limit {
	// Omise's per-country charge limits (docs.omise.co/currency-and-amount):
	// TH 2000-15000000, SG 100-2000000, MY 100-10000000, JP 100-6000000.
	// Method pages may be stricter.
	const (
		thbMin, thbMax = 20_00, 150_000_00
		sgdMin, sgdMax = 1_00, 20_000_00
	)
	return []Limit{
		// Omise "Alipay (Barcode)" page, Limits: 2000 (THB20.00) to 15000000
		// (THB150,000.00) (docs.omise.co/alipay-barcode). An older page of the
		// same guide, "Alipay (In-Store)", says 100000000 (THB1,000,000.00); the
		// newer Barcode page wins. Omise discontinued the method on 2024-10-01.
		{Method: MethodBarcodeAlipay, Currency: THB, Min: thbMin, Max: thbMax},

		// Omise "Alipay+ MPM" page, Limits for Thailand, Singapore and
		// Malaysia (docs.omise.co/alipayplus-mpm).
		{Method: MethodAlipayPlusMPM, Currency: THB, Min: thbMin, Max: thbMax},
		{Method: MethodAlipayPlusMPM, Currency: SGD, Min: sgdMin, Max: sgdMax},
		{Method: MethodAlipayPlusMPM, Currency: MYR, Min: 1_00, Max: 30_000_00},

		// Not confirmed: the Limits section of Omise's "Alipay+ UPM" page was
		// not readable. An unofficial mirror of it gives these values, which
		// equal Omise's TH and SG account-level limits. Some Opn pages also
		// list Malaysia; no MYR limit was found, so MYR has no row.
		{Method: MethodAlipayPlusUPM, Currency: THB, Min: thbMin, Max: thbMax},
		{Method: MethodAlipayPlusUPM, Currency: SGD, Min: sgdMin, Max: sgdMax},

		// Not confirmed: Omise's WeChat Pay pages (wechat-pay-upm,
		// wechat-pay-barcode: "See Limits"; wechat-pay-mpm) were not readable
		// on limits. These are Omise's TH account-level limits, the most a
		// Thai account can charge by any method; all three are THB only.
		{Method: MethodWeChatPayUPM, Currency: THB, Min: thbMin, Max: thbMax},
		{Method: MethodBarcodeWeChat, Currency: THB, Min: thbMin, Max: thbMax},
		{Method: MethodWeChatPayMPM, Currency: THB, Min: thbMin, Max: thbMax},

		// PPRO "Alipay In-store: Consumer Barcode" payment-method properties
		// (developerhub.ppro.com, simple API): minimum CNY 0.1, single
		// transaction CNY 50,000, per day CNY 50,000, per month CNY 200,000.
		// These apply to the consumer's CNY amount. The merchant (domiciled in
		// CH or GB) presents and settles in CHF or GBP, and the page gives no
		// limits in those: their rows only require a positive amount. Convert
		// to CNY yourself to apply the CNY row to a CHF or GBP sale.
		{Method: MethodPPROAlipay, Currency: CNY, Min: 10, Max: 50_000_00, PerDay: 50_000_00, PerMonth: 200_000_00},
		{Method: MethodPPROAlipay, Currency: CHF, Min: 1},
		{Method: MethodPPROAlipay, Currency: GBP, Min: 1},

		// Alipay+ / Antom pay (consumer-presented mode, IN_STORE_PAYMENT):
		// the merchant charges in its own transaction currency and Alipay+
		// converts to the wallet's. No per-transaction limit is documented;
		// the currencies are those of the markets this SDK targets. Wallets
		// have their own minimums (AlipayPlusWalletMinimums), but the code
		// does not tell the wallet, so they cannot be rows here.
		{Method: MethodAlipayPlusCPM, Currency: THB, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: SGD, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: MYR, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: HKD, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: JPY, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: KRW, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: CNY, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: EUR, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: GBP, Min: 1},
		{Method: MethodAlipayPlusCPM, Currency: USD, Min: 1},

		// Alipay+ / Antom pay, order-code scenario (merchant-presented): the
		// same pay interface and contract as the consumer-presented rows
		// above, with no per-transaction limit documented either, so the
		// same currencies.
		{Method: MethodAlipayPlusOrderCode, Currency: THB, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: SGD, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: MYR, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: HKD, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: JPY, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: KRW, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: CNY, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: EUR, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: GBP, Min: 1},
		{Method: MethodAlipayPlusOrderCode, Currency: USD, Min: 1},
	}
}

// WalletMinimum is the smallest payment an Alipay+ partner wallet accepts
// through Alipay+ / Antom; the same minimum applies to its refunds.
type WalletMinimum struct {
	// PaymentMethodType is the wallet as Alipay+ and Antom name it in
	// paymentMethodType, such as "TRUEMONEY".
	PaymentMethodType string
	Min               Money
}

// AlipayPlusWalletMinimums returns the documented per-wallet minimums for
// [MethodAlipayPlusCPM], fresh on each call. A scanned code does not tell
// the wallet, so [Limits.Check] cannot apply them: consult this table when
// the wallet is known (from the acquirer's answer) or to set a floor for a
// till that serves one market. A wallet missing here has no documented
// minimum beyond a positive amount.
func AlipayPlusWalletMinimums() []WalletMinimum {
	// Source, unless a comment says otherwise: the Antom API reference page
	// "Payment (Consumer-presented Mode Payment)", the notes on
	// paymentMethod.paymentMethodType.
	return []WalletMinimum{
		{PaymentMethodType: "TRUEMONEY", Min: Money{Amount: 1_00, Currency: THB}},
		// 0.01 HKD for auto debit, 0.1 HKD for cashier payments; the Antom
		// Amount rules (docs.antom.com/ac/ref/cc) say 0.01 HKD. The larger
		// one refuses nothing the wallet would take.
		{PaymentMethodType: "ALIPAY_HK", Min: Money{Amount: 10, Currency: HKD}},
		// The Antom Amount rules and online cashier table say 0.05 MYR; the
		// pay API reference, closer to in-store, says 0.1 MYR.
		{PaymentMethodType: "TNG", Min: Money{Amount: 10, Currency: MYR}},
		{PaymentMethodType: "GCASH", Min: Money{Amount: 1_00, Currency: PHP}},
		{PaymentMethodType: "DANA", Min: Money{Amount: 300_00, Currency: IDR}},
		{PaymentMethodType: "BKASH", Min: Money{Amount: 1, Currency: BDT}},
		{PaymentMethodType: "EASYPAISA", Min: Money{Amount: 100_00, Currency: PKR}},
		{PaymentMethodType: "KAKAOPAY", Min: Money{Amount: 50, Currency: KRW}},
		// Antom Amount rules only (docs.antom.com/ac/ref/cc).
		{PaymentMethodType: "JKOPAY", Min: Money{Amount: 1_00, Currency: TWD}},
	}
}
