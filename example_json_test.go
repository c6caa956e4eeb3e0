package instore_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/instorepay/instore"
)

// Decimal is the form for machines, String the form for people.
func ExampleMoney_Decimal() {
	for _, m := range []instore.Money{
		{Amount: 400000, Currency: instore.THB},
		{Amount: 1500, Currency: instore.JPY},
		{Amount: -2500, Currency: instore.SGD},
	} {
		fmt.Printf("%-10s %s\n", m.Decimal(), m)
	}
	// Output:
	// 4000.00    4,000.00 THB
	// 1500       1,500 JPY
	// -25.00     -25.00 SGD
}

// A payment as a service returns it: the amount in minor units and as a
// decimal, the time in UTC whatever zone the acquirer answered in.
func ExamplePayment_MarshalJSON() {
	p := instore.Payment{
		Acquirer:  "alipayplus",
		ID:        "20260302114010800100000012",
		RequestID: "sale-0014",
		Status:    instore.StatusSucceeded,
		Amount:    instore.Money{Amount: 400000, Currency: instore.THB},
		Wallet:    instore.WalletAlipay,
		Method:    instore.MethodAlipayPlusCPM,
		CreatedAt: time.Date(2026, 3, 2, 12, 5, 6, 0, time.FixedZone("UTC+8", 8*3600)),
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))

	// A till may send an amount as a decimal alone.
	var m instore.Money
	err = json.Unmarshal([]byte(`{"decimal":"20.5","currency":"thb"}`), &m)
	fmt.Println(m.Amount, m, err)
	// Output:
	// {
	//   "acquirer": "alipayplus",
	//   "id": "20260302114010800100000012",
	//   "request_id": "sale-0014",
	//   "status": "succeeded",
	//   "amount": {
	//     "amount": 400000,
	//     "currency": "THB",
	//     "decimal": "4000.00"
	//   },
	//   "wallet": "alipay",
	//   "method": "alipayplus_cpm",
	//   "created_at": "2026-03-02T04:05:06Z"
	// }
	// 2050 20.50 THB <nil>
}

// An Omise webhook names the charge and the request id the Omise acquirer
// wrote in its metadata: Notify wakes the sale known by either, even one
// whose pay answer was lost and that does not know its charge id yet.
func ExampleEvent_PaymentIDs() {
	e := &instore.Event{
		Object: "event",
		ID:     "evnt_test_1",
		Key:    instore.EventChargeComplete,
		Data:   json.RawMessage(`{"object":"charge","id":"chrg_test_1","status":"successful","metadata":{"instore_request_id":"sale-0014"}}`),
	}
	fmt.Println(e.PaymentIDs())
	// In a webhook handler: checkout.Notify(e.PaymentIDs()...)
	// Output:
	// [chrg_test_1 sale-0014]
}
