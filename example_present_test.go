package instore_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// A QR sale through Omise: the till shows the charge's QR code, the
// customer scans it with an Alipay+ wallet and pays, and the webhook
// handler's Notify ends the wait at once. The Omise simulator stands in for
// Opn Payments.
func ExampleCheckout_Present() {
	sim := instoretest.NewOmise()
	defer sim.Close()
	client, err := sim.Client() // instore.NewClient(secretKey, instore.WithPublicKey(publicKey)) in production
	if err != nil {
		fmt.Println(err)
		return
	}
	omise, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	checkout, err := instore.NewCheckout(
		instore.WithPresentRoute(instore.WalletAlipay, omise, instore.MethodAlipayPlusMPM),
		instore.WithPresentRoute(instore.WalletWeChatPay, omise, instore.MethodWeChatPayMPM),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	pm, err := checkout.Present(ctx, &instore.PresentRequest{
		Wallet:    instore.WalletAlipay,
		Amount:    instore.Money{Amount: 150000, Currency: instore.THB},
		RequestID: "table-7",
	})
	if err != nil {
		fmt.Println(err) // nothing to show; no money was taken unless it is ErrPaymentUnresolved
		return
	}
	svg, err := pm.Image(ctx) // Omise serves the QR code as an image
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("show:", pm.QR.ImageType, strings.Contains(string(svg), "<svg"))

	// The customer scans and pays; Omise sends charge.complete, and the
	// webhook handler tells the checkout.
	if err := sim.PayPresented("table-7"); err != nil {
		fmt.Println(err)
		return
	}
	checkout.Notify("table-7")

	p, err := pm.Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Amount, p.Method)
	// Output:
	// show: image/svg+xml true
	// succeeded 1,500.00 THB alipayplus_mpm
}

// The cashier gives up before the customer scanned: Wait cancels the
// payment (Omise expires the charge) and says so.
func ExamplePresentment_Wait() {
	sim := instoretest.NewOmise()
	defer sim.Close()
	client, _ := sim.Client()
	omise, _ := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	checkout, _ := instore.NewCheckout(instore.WithPresentRoute(instore.WalletWeChatPay, omise, instore.MethodWeChatPayMPM))

	// The context is the cashier: cancelling it is the "abort" button.
	ctx, abort := context.WithCancel(context.Background())
	defer abort()
	pm, err := checkout.Present(ctx, &instore.PresentRequest{
		Wallet:    instore.WalletWeChatPay,
		Amount:    instore.Money{Amount: 4000, Currency: instore.THB},
		RequestID: "table-8",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	abort() // the customer walked away

	p, err := pm.Wait(ctx)
	if err != nil {
		fmt.Println(err) // ErrPaymentUnresolved: check later by p.RequestID
		return
	}
	fmt.Println(p.Status, "at the till;", sim.Payments("table-8")[0].State, "at Omise")
	// Output: cancelled at the till; cancelled at Omise
}

// An order code through Alipay+ directly: the till draws the QR code from
// its content.
func ExampleCheckout_Present_orderCode() {
	sim := instoretest.NewAlipayPlus()
	defer sim.Close()
	client, _ := sim.Client()
	acq, _ := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-001", Name: "Orchard Kopi", MCC: "5814",
			Store: alipayplus.Store{ReferenceStoreID: "S-001", Name: "Orchard", MCC: "5814"},
		},
		TerminalID: "till-1",
	})
	checkout, _ := instore.NewCheckout(instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusOrderCode))
	ctx := context.Background()

	pm, err := checkout.Present(ctx, &instore.PresentRequest{
		Wallet:    instore.WalletAlipay,
		Amount:    instore.Money{Amount: 1250, Currency: instore.SGD},
		RequestID: "kopi-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("encode in a QR code:", pm.QR.Content[:8]+"…")

	_ = sim.PayPresented("kopi-1") // the customer pays; the notification arrives
	checkout.Notify("kopi-1")
	p, err := pm.Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Amount)
	// Output:
	// encode in a QR code: 28199904…
	// succeeded 12.50 SGD
}
