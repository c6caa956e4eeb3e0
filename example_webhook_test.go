package instore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/instorepay/instore"
)

// exampleWebhookSecret stands in for the webhook secret of the Omise
// dashboard (os.Getenv("OMISE_WEBHOOK_SECRET") in a real program).
const exampleWebhookSecret = "ZXhhbXBsZS13ZWJob29rLXNlY3JldC0wMDAwMDAwMQ=="

func ExampleParseWebhook() {
	// body and header are what the webhook request brought: the raw body,
	// unparsed, and its headers. Here they are made with SignWebhook.
	body := []byte(`{"object":"event","id":"evnt_test_0001","key":"charge.complete",` +
		`"data":{"object":"charge","id":"chrg_test_0001","amount":400000,"currency":"THB","status":"successful"}}`)
	header := instore.SignWebhook(body, exampleWebhookSecret, time.Now())

	event, err := instore.ParseWebhook(body, header, exampleWebhookSecret)
	if err != nil {
		fmt.Println(err) // answer 401: not from Omise, or replayed
		return
	}
	charge, err := event.Charge()
	if err != nil {
		fmt.Println(err) // not a charge event
		return
	}
	fmt.Println(event.Key, charge.ID, charge.Status, charge.Amount, charge.Currency)
	// Output: charge.complete chrg_test_0001 successful 400000 THB
}

func ExampleVerifyWebhook() {
	body := []byte(`{"object":"event","id":"evnt_test_0001","key":"charge.complete","data":null}`)
	header := instore.SignWebhook(body, exampleWebhookSecret, time.Now())

	fmt.Println(instore.VerifyWebhook(body, header, exampleWebhookSecret))

	// A body changed on the way, or signed with another secret, fails.
	forged := bytes.Replace(body, []byte("0001"), []byte("0002"), 1)
	err := instore.VerifyWebhook(forged, header, exampleWebhookSecret)
	fmt.Println(errors.Is(err, instore.ErrWebhookSignature))

	// A delivery recorded and sent again later fails too.
	old := instore.SignWebhook(body, exampleWebhookSecret, time.Now().Add(-time.Hour))
	err = instore.VerifyWebhook(body, old, exampleWebhookSecret)
	fmt.Println(errors.Is(err, instore.ErrWebhookTimestamp))
	// Output:
	// <nil>
	// true
	// true
}

func ExampleWebhookHandler() {
	omise := exampleOmise() // in production: no WithBaseURL, the real API
	defer omise.Close()
	client, err := instore.NewClient("skey_test_example", instore.WithBaseURL(omise.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	handler := instore.WebhookHandler([]string{exampleWebhookSecret}, func(ctx context.Context, e *instore.Event) error {
		if e.Key != instore.EventChargeComplete {
			return nil // acknowledged, nothing to do
		}
		delivered, err := e.Charge()
		if err != nil {
			return err
		}
		// The event is a snapshot from when it happened: act on the charge
		// as the API has it now. An error answers 500, and Omise delivers
		// the event again.
		charge, err := client.Charges.Get(ctx, delivered.ID)
		if err != nil {
			return err
		}
		fmt.Println(e.Key, charge.ID, charge.Status)
		return nil
	})
	// In a server: http.Handle("POST /webhooks/omise", handler)

	// A sale is charged; Omise then reports that it completed.
	ctx := context.Background()
	sale, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   400000,
		Currency: instore.THB,
		Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	body := fmt.Appendf(nil, `{"object":"event","id":"evnt_test_0001","key":"charge.complete","data":{"object":"charge","id":%q}}`, sale.ID)
	for range 2 { // the second delivery is a duplicate, dropped
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/webhooks/omise", bytes.NewReader(body))
		for k, v := range instore.SignWebhook(body, exampleWebhookSecret, time.Now()) {
			req.Header[k] = v
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		fmt.Println(w.Code)
	}
	// Output:
	// charge.complete chrg_test_0001 successful
	// 200
	// 200
}
