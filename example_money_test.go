package instore_test

import (
	"errors"
	"fmt"

	"github.com/instorepay/instore"
)

// Amounts typed at the till or written in a configuration file become
// integer minor units; String formats them back for a receipt or a log.
func ExampleParseMoney() {
	for _, s := range []string{"4,000.00", "4000", "20.5", "0.1"} {
		m, err := instore.ParseMoney(s, instore.THB)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-8s -> %6d satang, %s\n", s, m.Amount, m)
	}

	yen, _ := instore.ParseMoney("1,500", instore.JPY)
	fmt.Println(yen.Amount, yen)

	_, err := instore.ParseMoney("20.505", instore.THB)
	fmt.Println(errors.Is(err, instore.ErrInvalidAmount), err)
	// Output:
	// 4,000.00 -> 400000 satang, 4,000.00 THB
	// 4000     -> 400000 satang, 4,000.00 THB
	// 20.5     ->   2050 satang, 20.50 THB
	// 0.1      ->     10 satang, 0.10 THB
	// 1500 1,500 JPY
	// true instore: invalid amount: more than 2 decimal places for THB
}

// A refund is compared with what is left of the payment; amounts in
// different currencies never compare.
func ExampleMoney_Cmp() {
	paid := instore.Money{Amount: 400000, Currency: instore.THB}
	refunded := instore.Money{Amount: 150000, Currency: instore.THB}
	refund := instore.Money{Amount: 300000, Currency: instore.THB}

	left, err := paid.Sub(refunded)
	if err != nil {
		fmt.Println(err)
		return
	}
	if c, err := refund.Cmp(left); err == nil && c > 0 {
		fmt.Printf("refund of %v refused: only %v left\n", refund, left)
	}

	_, err = refund.Cmp(instore.Money{Amount: 300000, Currency: instore.SGD})
	fmt.Println(err)
	// Output:
	// refund of 3,000.00 THB refused: only 2,500.00 THB left
	// instore: currency mismatch: THB and SGD
}
