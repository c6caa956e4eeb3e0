package instoretest_test

import (
	"context"
	"fmt"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// A sale through the SDK's Omise client, in process: the customer confirms
// in the app by the first inquiry.
func ExampleOmise_Client() {
	ctx := context.Background()
	o := instoretest.NewOmise()
	defer o.Close()
	client, err := o.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	ch, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   25000,
		Currency: instore.THB,
		Source: &instore.SourceParams{
			Type:    instore.SourceAlipayPlusUPM,
			Barcode: instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 1),
		},
		Metadata: map[string]string{instoretest.OmiseRequestIDKey: "sale-7"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", ch.Status)
	ch, err = client.Charges.Get(ctx, ch.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inquired:", ch.Status)
	fmt.Println("captures:", instoretest.Captures(o.Payments("sale-7")))
	// Output:
	// created: pending
	// inquired: successful
	// captures: 1
}

// A payment through the SDK's Alipay+ client, in the Alipay+ (ACQP)
// flavour, that the wallet declines.
func ExampleAlipayPlus_Client() {
	ctx := context.Background()
	a := instoretest.NewAlipayPlus()
	defer a.Close()
	client, err := a.Client(alipayplus.WithFlavor(alipayplus.FlavorACQP))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Pay(ctx, &alipayplus.PayRequest{
		PaymentRequestID: "sale-8",
		PaymentCode:      instoretest.AlipayCode(instoretest.DeclineInsufficientBalance, 8),
		Amount:           instore.Money{Amount: 1250, Currency: instore.SGD},
		Order: alipayplus.Order{
			Description: "coffee",
			Merchant: alipayplus.Merchant{
				ReferenceMerchantID: "M1", Name: "Cafe", MCC: "5812",
				Store: alipayplus.Store{ReferenceStoreID: "S1", Name: "Cafe Orchard", MCC: "5812"},
			},
		},
		TerminalID: "T1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Result.ResultStatus, resp.Result.ResultCode)
	fmt.Println(a.Payments("sale-8")[0].State)
	// Output:
	// F USER_BALANCE_NOT_ENOUGH
	// failed
}
