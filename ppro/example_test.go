package ppro_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// acknowledge stands in for the merchant's notification endpoint in the
// examples that do not show it.
var acknowledge = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") })

// Pay with a scanned Alipay code, against the simulator: a real client
// differs only in its credentials and its mutual-TLS HTTP client.
func ExampleClient_Transaction() {
	sim := instoretest.NewPPRO(instoretest.WithNotifyClient(instoretest.HandlerClient(acknowledge)))
	defer sim.Close()
	client, err := sim.Client() // ppro.NewClient(creds, ppro.WithHTTPClient(mtls)) in production
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	scanned := instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 42) // from the barcode scanner

	resp, err := client.Transaction(ctx, &ppro.TransactionRequest{
		MerchantTxID:      "till3-20250301-0042",
		Amount:            instore.Money{Amount: 1250, Currency: instore.CHF},
		BuyerIdentityCode: scanned,
		StoreID:           "ZRH-01",
		StoreName:         "Zürich HB",
		NotificationURL:   "https://pos.example.ch/ppro/notify",
	})
	switch {
	case errors.Is(err, instore.ErrOutcomeUnknown):
		// Never send it again: look it up by merchant id.
		st, err := client.StatusByMerchantTxID(ctx, "till3-20250301-0042")
		if err != nil {
			fmt.Println(err) // ErrTxNotFound: not arrived yet; ask again later
			return
		}
		fmt.Println("found:", st.Status)
		return
	case err != nil:
		fmt.Println(err) // nothing was created
		return
	}
	fmt.Println("TRANSACTION:", resp.Status)

	// The customer confirms in the app; poll at least 5 s apart (or wait
	// for the notification).
	st, err := client.Status(ctx, resp.TxID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("GETTXSTATUS:", st.Status, st.FundsStatus)
	// Output:
	// TRANSACTION: PENDING
	// GETTXSTATUS: SUCCEEDED NOT_EXPECTED
}

// Receive PPRO's notifications: the handler verifies the hash, fetches the
// status and hands both to the function, which should be quick (here it
// wakes the checkout waiting for the sale).
func ExampleClient_NotificationHandler() {
	done := make(chan struct{})
	var handler http.Handler
	sim := instoretest.NewPPRO(instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))))
	defer sim.Close()
	client, err := sim.Client()
	if err != nil {
		fmt.Println(err)
		return
	}

	// The current secret and, while PPRO rotates it, the previous one.
	secrets := []string{sim.NotificationSecret(), "previous-secret"}
	handler = client.NotificationHandler(secrets, func(_ context.Context, n *ppro.Notification) error {
		tx := n.Transaction
		fmt.Println("notified:", tx.MerchantTxID, tx.Status)
		// checkout.Notify(n.PaymentIDs()...) wakes a
		// waiting Collect; a SUCCEEDED after a sale was reported failed is a
		// late success to refund or accept.
		close(done)
		return nil
	})
	// http.Handle("/ppro/notify", handler) in a server of your own.

	_, err = client.Transaction(context.Background(), &ppro.TransactionRequest{
		MerchantTxID:      "till3-20250301-0043",
		Amount:            instore.Money{Amount: 990, Currency: instore.GBP},
		BuyerIdentityCode: instoretest.AlipayCode(instoretest.Succeed, 43),
		StoreID:           "LDN-02",
		StoreName:         "London Kings Cross",
		NotificationURL:   "https://pos.example.co.uk/ppro/notify",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	<-done
	// Output:
	// notified: till3-20250301-0043 SUCCEEDED
}

// A whole sale through instore.Checkout: classify, limits, pay, inquire
// every 5 s, cancel at the 3-minute session timeout.
func ExampleNewAcquirer() {
	sim := instoretest.NewPPRO(instoretest.WithNotifyClient(instoretest.HandlerClient(acknowledge)))
	defer sim.Close()
	client, err := sim.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	acquirer, err := ppro.NewAcquirer(client, ppro.AcquirerConfig{
		NotificationURL: "https://pos.example.ch/ppro/notify",
		StoreID:         "ZRH-01",
		StoreName:       "Zürich HB",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	checkout, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acquirer, instore.MethodPPROAlipay))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := checkout.Collect(context.Background(), &instore.CollectRequest{
		Code:      instoretest.AlipayCode(instoretest.Succeed, 44),
		Amount:    instore.Money{Amount: 1250, Currency: instore.CHF},
		RequestID: "till3-20250301-0044",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Acquirer, p.Status, p.Amount)
	// Output:
	// ppro succeeded 12.50 CHF
}
