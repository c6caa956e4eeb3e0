package instore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Decimal formats m for machines: the amount in major units as a plain
// decimal, with exactly the currency's minor-unit digits, no thousands
// separators and no currency: "4000.00" for 400000 THB, "100" for 100 JPY,
// "-25.00" for -2500 THB. String is the form for people ("4,000.00 THB").
// An amount in a currency whose minor units the SDK does not know has no
// decimal form: Decimal returns "".
func (m Money) Decimal() string {
	exp, ok := m.Currency.Exponent()
	if !ok {
		return ""
	}
	return string(appendAmount(make([]byte, 0, 24), m.Amount, exp, false))
}

// moneyJSON is Money's JSON form. Amount is a pointer so that an absent
// amount is told from a zero one.
type moneyJSON struct {
	Amount   *int64   `json:"amount,omitempty"`
	Currency Currency `json:"currency"`
	Decimal  string   `json:"decimal,omitempty"`
}

// MarshalJSON encodes m as an object with its amount twice, in minor units
// and as Decimal does, and its currency code:
//
//	{"amount":400000,"currency":"THB","decimal":"4000.00"}
//
// The amount in minor units is the value; the decimal is for people and for
// JavaScript, whose numbers lose precision beyond 2^53. "decimal" is left
// out for a currency the SDK does not know. The shape is stable: fields may
// be added, never renamed or changed in meaning.
func (m Money) MarshalJSON() ([]byte, error) {
	amount := m.Amount
	return json.Marshal(moneyJSON{Amount: &amount, Currency: m.Currency, Decimal: m.Decimal()})
}

// UnmarshalJSON reads what MarshalJSON writes. The currency is read in any
// case (Currency.UnmarshalText). "amount" (minor units) is the value; a
// "decimal" beside it must state the same amount. A "decimal" alone, as a
// till may send it, is read by ParseMoney's rules in the currency, a
// leading minus sign aside. Anything else, and null, is an error matching
// ErrInvalidAmount (or ErrUnknownCurrency for a decimal in a currency the
// SDK does not know); m is changed only on success.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return invalidAmount("null")
	}
	var v moneyJSON
	if err := json.Unmarshal(b, &v); err != nil {
		// Not the input: a decoding error may quote it.
		return invalidAmount("not a money object")
	}
	switch {
	case v.Amount == nil && v.Decimal == "":
		return invalidAmount("no amount")
	case v.Decimal == "":
		*m = Money{Amount: *v.Amount, Currency: v.Currency}
		return nil
	}
	d, err := parseDecimal(v.Decimal, v.Currency)
	if err != nil {
		return err
	}
	if v.Amount != nil && *v.Amount != d.Amount {
		return invalidAmount("amount and decimal disagree")
	}
	*m = d
	return nil
}

// parseDecimal reads a decimal amount of c as ParseMoney does, with an
// optional leading minus sign.
func parseDecimal(s string, c Currency) (Money, error) {
	neg := len(s) > 1 && s[0] == '-' && s[1] != '-' && s[1] != '+'
	if neg {
		s = s[1:]
	}
	d, err := ParseMoney(s, c)
	if err != nil {
		if errors.Is(err, ErrUnknownCurrency) {
			return Money{}, err
		}
		return Money{}, fmt.Errorf("%w (decimal)", err)
	}
	if neg {
		d.Amount = -d.Amount
	}
	return d, nil
}
