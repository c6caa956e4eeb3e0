package instore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	"github.com/instorepay/instore"
)

// exampleOmise is a tiny stand-in for the Omise API, enough for the
// examples: a charge is pending when created, successful once it has been
// looked up (the customer approved it in their wallet meanwhile), expired
// when expired while pending, and refundable once successful.
func exampleOmise() *httptest.Server {
	type charge struct {
		Object   string         `json:"object"`
		ID       string         `json:"id"`
		Amount   int64          `json:"amount"`
		Currency string         `json:"currency"`
		Status   string         `json:"status"`
		Expired  bool           `json:"expired"`
		Refunded int64          `json:"refunded_amount"`
		Metadata map[string]any `json:"metadata"`
		Source   map[string]any `json:"source"`
	}
	var (
		mu      sync.Mutex
		charges = map[string]*charge{}
		refunds int
	)
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	refuse := func(w http.ResponseWriter, status int, code, msg string) {
		reply(w, status, map[string]string{"object": "error", "code": code, "message": msg})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /charges", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = r.ParseForm()
		amount, _ := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
		ch := &charge{
			Object: "charge", ID: fmt.Sprintf("chrg_test_%04d", len(charges)+1), Amount: amount,
			Currency: r.PostForm.Get("currency"), Status: "pending",
			Metadata: map[string]any{"request_id": r.PostForm.Get("metadata[request_id]")},
			Source:   map[string]any{"object": "source", "id": "src_test_0001", "type": r.PostForm.Get("source[type]")},
		}
		charges[ch.ID] = ch
		reply(w, http.StatusOK, ch)
	})
	mux.HandleFunc("GET /charges/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		ch, ok := charges[r.PathValue("id")]
		if !ok {
			refuse(w, http.StatusNotFound, "not_found", "charge was not found")
			return
		}
		if ch.Status == "pending" {
			ch.Status = "successful"
		}
		reply(w, http.StatusOK, ch)
	})
	mux.HandleFunc("POST /charges/{id}/expire", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		ch, ok := charges[r.PathValue("id")]
		switch {
		case !ok:
			refuse(w, http.StatusNotFound, "not_found", "charge was not found")
		case ch.Status != "pending":
			refuse(w, http.StatusBadRequest, "failed_expire", "expire failed")
		default:
			ch.Status, ch.Expired = "expired", true
			reply(w, http.StatusOK, ch)
		}
	})
	mux.HandleFunc("POST /charges/{id}/refunds", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = r.ParseForm()
		amount, _ := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
		ch, ok := charges[r.PathValue("id")]
		if !ok || ch.Status != "successful" || amount > ch.Amount-ch.Refunded {
			refuse(w, http.StatusBadRequest, "failed_refund", "refund failed")
			return
		}
		ch.Refunded += amount
		refunds++
		reply(w, http.StatusOK, map[string]any{
			"object": "refund", "id": fmt.Sprintf("rfnd_test_%04d", refunds), "charge": ch.ID,
			"amount": amount, "currency": ch.Currency, "status": "closed",
			"metadata": map[string]string{"refund_request_id": r.PostForm.Get("metadata[refund_request_id]")},
		})
	})
	return httptest.NewServer(mux)
}

// Charge a payment code scanned at the till (Alipay+ "B scan C") and follow
// the charge to a final status.
func ExampleChargeService_Create() {
	omise := exampleOmise() // in production: no WithBaseURL, the real API
	defer omise.Close()

	client, err := instore.NewClient("skey_test_example", instore.WithBaseURL(omise.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background() // a POS gives each sale a deadline
	charge, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   400000, // 4,000.00 THB, in satang
		Currency: instore.THB,
		Source: &instore.SourceParams{
			Type:       instore.SourceAlipayPlusUPM,
			Barcode:    "281234567890123456", // from the scanner
			StoreID:    "BKK_SUK_001",
			StoreName:  "Sukhumvit",
			TerminalID: "POS-07",
		},
		Metadata: map[string]string{"request_id": "sale-1042"},
	})
	switch {
	case errors.Is(err, instore.ErrOutcomeUnknown):
		// The charge may exist: find it by request_id, never create it again.
		fmt.Println("outcome unknown: look the sale up")
		return
	case err != nil:
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(charge.ID, charge.Status, charge.Amount, charge.Currency)

	// The customer may have to approve the payment in their wallet. Follow
	// the charge until it is final; a real till waits between lookups
	// (Checkout does all of this on a schedule).
	for !charge.Status.Final() {
		if charge, err = client.Charges.Get(ctx, charge.ID); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(charge.ID, charge.Status)
	// Output:
	// chrg_test_0001 pending 400000 THB
	// chrg_test_0001 successful
}

// Cancel a sale whose customer walked away: expire the pending charge.
func ExampleChargeService_Expire() {
	omise := exampleOmise()
	defer omise.Close()
	client, err := instore.NewClient("skey_test_example", instore.WithBaseURL(omise.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	charge, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   150000,
		Currency: instore.THB,
		Source:   &instore.SourceParams{Type: instore.SourceWeChatPayUPM, Barcode: "134567890123456789"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := charge.ID
	charge, err = client.Charges.Expire(ctx, id)
	var apiErr *instore.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == "failed_expire":
		// Too late: the charge is no longer pending. Look at what it became.
		charge, err = client.Charges.Get(ctx, id)
	case errors.Is(err, instore.ErrOutcomeUnknown):
		// The expiry may or may not have happened: look the charge up.
		fmt.Println("outcome unknown")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(charge.ID, charge.Status, charge.Expired)
	// Output:
	// chrg_test_0001 expired true
}

// Refund part of a successful charge.
func ExampleRefundService_Create() {
	omise := exampleOmise()
	defer omise.Close()
	client, err := instore.NewClient("skey_test_example", instore.WithBaseURL(omise.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	charge, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   400000,
		Currency: instore.THB,
		Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
	})
	if err == nil {
		charge, err = client.Charges.Get(ctx, charge.ID) // now successful
	}
	if err != nil {
		fmt.Println(err)
		return
	}

	refund, err := client.Refunds.Create(ctx, charge.ID, &instore.RefundParams{
		Amount:   100000, // 1,000.00 THB back
		Metadata: map[string]string{"refund_request_id": "sale-1042-r1"},
	})
	if errors.Is(err, instore.ErrOutcomeUnknown) {
		// The refund may exist: list the charge's refunds before trying again.
		fmt.Println("outcome unknown: list the refunds")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	id, _ := refund.Metadata.String("refund_request_id")
	fmt.Println(refund.ID, refund.Status, refund.Amount, refund.Charge, id)
	// Output:
	// rfnd_test_0001 closed 100000 chrg_test_0001 sale-1042-r1
}
