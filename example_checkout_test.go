package instore_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// newExampleCheckout routes Alipay-family codes to an Omise simulator; in
// production the client would be instore.NewClient(secretKey).
func newExampleCheckout() (*instore.Checkout, func()) {
	sim := instoretest.NewOmise()
	client, err := sim.Client()
	if err != nil {
		log.Fatal(err)
	}
	acquirer, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	checkout, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acquirer, instore.MethodAlipayPlusUPM))
	if err != nil {
		log.Fatal(err)
	}
	return checkout, sim.Close
}

func ExampleCheckout_Collect() {
	checkout, done := newExampleCheckout()
	defer done()

	p, err := checkout.Collect(context.Background(), &instore.CollectRequest{
		Code:      instoretest.AlipayCode(instoretest.Succeed, 1), // what the scanner read
		Amount:    instore.Money{Amount: 12_500, Currency: instore.THB},
		RequestID: "sale-0001",
		Store:     instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T-01"},
	})
	var unresolved *instore.UnresolvedError
	switch {
	case errors.As(err, &unresolved):
		fmt.Println("check later:", unresolved.Payment.RequestID)
	case err != nil:
		fmt.Println("not paid:", err)
	default:
		fmt.Println(p.Status, p.Amount, "through", p.Acquirer)
	}
	// Output: succeeded 125.00 THB through omise
}

func ExampleCheckout_Collect_declined() {
	checkout, done := newExampleCheckout()
	defer done()

	p, err := checkout.Collect(context.Background(), &instore.CollectRequest{
		Code:   instoretest.AlipayCode(instoretest.DeclineInsufficientBalance, 2),
		Amount: instore.Money{Amount: 12_500, Currency: instore.THB},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.FailureCode)
	// Output: failed insufficient_balance
}

func ExampleCheckout_Refund() {
	checkout, done := newExampleCheckout()
	defer done()
	ctx := context.Background()

	p, err := checkout.Collect(ctx, &instore.CollectRequest{
		Code:   instoretest.AlipayCode(instoretest.Succeed, 3),
		Amount: instore.Money{Amount: 40_000, Currency: instore.THB},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	refund, err := checkout.Refund(ctx, p, instore.Money{Amount: 10_000, Currency: instore.THB})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refunded", refund.Amount, refund.Status)
	// Output: refunded 100.00 THB succeeded
}
