package instore_test

import (
	"errors"
	"fmt"

	"github.com/instorepay/instore"
)

// Before anything is sent to an acquirer, the amount is checked against the
// documented limits of the payment method.
func ExampleLimits_Check() {
	for _, amount := range []instore.Money{
		{Amount: 400000, Currency: instore.THB},   // 4,000.00 THB
		{Amount: 1500, Currency: instore.THB},     // 15.00 THB
		{Amount: 20000000, Currency: instore.THB}, // 200,000.00 THB
		{Amount: 500, Currency: instore.JPY},
	} {
		err := instore.DefaultLimits.Check(instore.MethodAlipayPlusUPM, amount)
		switch {
		case err == nil:
			fmt.Println("ok:", amount)
		case errors.Is(err, instore.ErrAmountTooSmall), errors.Is(err, instore.ErrAmountTooLarge):
			fmt.Println("ask for another amount:", err)
		default:
			fmt.Println("use another method:", err)
		}
	}
	// Output:
	// ok: 4,000.00 THB
	// ask for another amount: instore: 15.00 THB is below the minimum 20.00 THB for alipayplus_upm
	// ask for another amount: instore: 200,000.00 THB is above the maximum 150,000.00 THB for alipayplus_upm
	// use another method: instore: alipayplus_upm does not take JPY
}

// A merchant's own table: a higher floor for Alipay+ UPM in Thailand, the
// documented rows for everything else.
func ExampleNewLimits() {
	rows := instore.DefaultLimits.Rows()
	for i, r := range rows {
		if r.Method == instore.MethodAlipayPlusUPM && r.Currency == instore.THB {
			rows[i].Min = 100_00
		}
	}
	limits, err := instore.NewLimits(rows...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(limits.Check(instore.MethodAlipayPlusUPM, instore.Money{Amount: 50_00, Currency: instore.THB}))
	fmt.Println(limits.Check(instore.MethodAlipayPlusUPM, instore.Money{Amount: 50_00, Currency: instore.SGD}))
	// Output:
	// instore: 50.00 THB is below the minimum 100.00 THB for alipayplus_upm
	// <nil>
}

// PPRO's Alipay in-store caps what one customer pays per day and per month;
// a caller who keeps those totals checks them with CheckTotals.
func ExampleLimit_CheckTotals() {
	limit, _ := instore.DefaultLimits.Lookup(instore.MethodPPROAlipay, instore.CNY)
	amount := instore.Money{Amount: 2_000_00, Currency: instore.CNY}
	today := instore.Money{Amount: 49_000_00, Currency: instore.CNY}
	month := instore.Money{Amount: 120_000_00, Currency: instore.CNY}

	err := limit.CheckTotals(amount, today, month)
	fmt.Println(errors.Is(err, instore.ErrDailyLimitExceeded))
	fmt.Println(err)
	// Output:
	// true
	// instore: 2,000.00 CNY after 49,000.00 CNY today exceeds the daily limit 50,000.00 CNY for ppro_alipayconsumerbarcode
}

// The wallet minimums of Alipay+ partner wallets are a separate table: a
// scanned code does not tell the wallet, so Check cannot apply them.
func ExampleAlipayPlusWalletMinimums() {
	for _, w := range instore.AlipayPlusWalletMinimums()[:3] {
		fmt.Println(w.PaymentMethodType, w.Min)
	}
	// Output:
	// TRUEMONEY 1.00 THB
	// ALIPAY_HK 0.10 HKD
	// TNG 0.10 MYR
}
