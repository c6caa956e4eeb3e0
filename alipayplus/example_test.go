package alipayplus_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// exampleGateway stands in for Alipay+ in the examples (there is no
// simulator yet): it answers each path with a fixed body, signed with its
// own key, as the real gateway does.
type exampleGateway struct {
	*httptest.Server
	MerchantKey *rsa.PrivateKey // the merchant's key pair, as from the portal
	AlipayKey   *rsa.PublicKey  // the gateway's public key, as from the portal
}

func newExampleGateway(answers map[string]string) *exampleGateway {
	merchant, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	gatewayKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	sign := func(path, clientID, ts, body string) string {
		sum := sha256.Sum256([]byte("POST " + path + "\n" + clientID + "." + ts + "." + body))
		sig, err := rsa.SignPKCS1v15(rand.Reader, gatewayKey, crypto.SHA256, sum[:])
		if err != nil {
			log.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// Check the merchant's signature with the merchant's public key.
		_, got, _ := strings.Cut(r.Header.Get("Signature"), "signature=")
		sum := sha256.Sum256([]byte("POST " + r.URL.Path + "\n" + r.Header.Get("Client-Id") + "." + r.Header.Get("Request-Time") + "." + string(body)))
		raw, _ := url.QueryUnescape(got)
		sig, _ := base64.StdEncoding.DecodeString(raw)
		if rsa.VerifyPKCS1v15(&merchant.PublicKey, crypto.SHA256, sum[:], sig) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"result":{"resultCode":"SIGNATURE_INVALID","resultStatus":"F"}}`)
			return
		}
		answer := answers[r.URL.Path]
		ts := time.Now().Format(time.RFC3339)
		w.Header().Set("Client-Id", r.Header.Get("Client-Id"))
		w.Header().Set("Response-Time", ts)
		w.Header().Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(sign(r.URL.Path, r.Header.Get("Client-Id"), ts, answer)))
		_, _ = io.WriteString(w, answer)
	}))
	return &exampleGateway{Server: srv, MerchantKey: merchant, AlipayKey: &gatewayKey.PublicKey}
}

// saleRequest is the pay request of the examples' sale.
func saleRequest(saleID, scanned string) *alipayplus.PayRequest {
	return &alipayplus.PayRequest{
		PaymentRequestID: saleID, // keep it with the sale: it is how the payment is found again
		PaymentCode:      scanned,
		Amount:           instore.Money{Amount: 1000, Currency: instore.JPY},
		Order: alipayplus.Order{
			Description: "Coffee and cake",
			Merchant: alipayplus.Merchant{
				ReferenceMerchantID: "M-001", Name: "Kissa Tokyo", MCC: "5814",
				Store: alipayplus.Store{ReferenceStoreID: "S-001", Name: "Kissa Shibuya", MCC: "5814"},
			},
		},
		TerminalID: "till-3",
	}
}

// Pay a scanned payment code: a signed S is a sale, F is a refusal, U and
// an unknown outcome mean "look it up".
func ExampleClient_Pay() {
	gw := newExampleGateway(map[string]string{
		"/ams/api/v1/payments/pay": `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},` +
			`"paymentRequestId":"sale-0001","paymentId":"202406121940108001","paymentAmount":{"currency":"JPY","value":"1000"},` +
			`"paymentTime":"2024-06-12T19:40:12+08:00","pspCustomerInfo":{"pspName":"ALIPAY_CN"}}`,
	})
	defer gw.Close()

	client, err := alipayplus.NewClient("2188120000000001", gw.MerchantKey, gw.AlipayKey,
		alipayplus.WithBaseURL(gw.URL)) // omit in production: the Antom SEA host is the default
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Pay(context.Background(), saleRequest("sale-0001", "281234567890123456789012"))
	switch {
	case errors.Is(err, instore.ErrOutcomeUnknown):
		fmt.Println("no answer: inquire with sale-0001, then cancel")
	case err != nil:
		fmt.Println("not sent:", err)
	case resp.Result.Succeeded():
		fmt.Printf("paid %d %s via %s, payment %s\n", resp.PaymentAmount.Amount, resp.PaymentAmount.Currency, resp.PSPCustomerInfo.PSPName, resp.PaymentID)
		fmt.Println("cancel possible until", alipayplus.CancelDeadline(resp.PaymentTime).Format(time.RFC3339))
	case resp.Result.ShouldInquire():
		fmt.Println("in process: inquire")
	default:
		fmt.Println("refused:", resp.Result.ResultCode)
	}
	// Output:
	// paid 1000 JPY via ALIPAY_CN, payment 202406121940108001
	// cancel possible until 2024-06-13T00:15:00+08:00
}

// When a payment stays unknown, inquire; if it is still processing when the
// till gives up, cancel it with the same request id.
func ExampleClient_InquiryPayment() {
	gw := newExampleGateway(map[string]string{
		"/ams/api/v1/payments/pay": `{"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U","resultMessage":"in process"},` +
			`"paymentRequestId":"sale-0002"}`,
		"/ams/api/v1/payments/inquiryPayment": `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},` +
			`"paymentStatus":"PROCESSING","paymentRequestId":"sale-0002","paymentId":"202406121941108001"}`,
		"/ams/api/v1/payments/cancel": `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},` +
			`"paymentRequestId":"sale-0002","paymentId":"202406121941108001","cancelTime":"2024-06-12T19:42:00+08:00"}`,
	})
	defer gw.Close()
	client, err := alipayplus.NewClient("2188120000000001", gw.MerchantKey, gw.AlipayKey, alipayplus.WithBaseURL(gw.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	pay, err := client.Pay(ctx, saleRequest("sale-0002", "281234567890123456789013"))
	if err == nil && pay.Result.ShouldInquire() {
		fmt.Println("pay:", pay.Result.ResultCode)
	}
	// In a real till this runs on a schedule (2, 3, 3, 5, ... seconds).
	inq, err := client.InquiryPayment(ctx, &alipayplus.InquiryRequest{PaymentRequestID: "sale-0002"})
	if err != nil {
		fmt.Println("no answer yet: inquire again")
		return
	}
	fmt.Println("inquiry:", inq.PaymentStatus, "final:", inq.PaymentStatus.Final())
	if !inq.PaymentStatus.Final() {
		c, err := client.Cancel(ctx, &alipayplus.CancelRequest{PaymentRequestID: "sale-0002"})
		switch {
		case err != nil:
			fmt.Println("cancel unknown: send it again")
		case c.Result.Succeeded():
			fmt.Println("cancelled", c.PaymentID)
		case c.Result.CancelWindowExceeded():
			fmt.Println("too late to cancel: refund")
		}
	}
	// Output:
	// pay: PAYMENT_IN_PROCESS
	// inquiry: PROCESSING final: false
	// cancelled 202406121941108001
}

// The cancel window closes at 00:15 UTC+8 the day after the payment, not
// 24 hours later.
func ExampleCancelDeadline() {
	paid := time.Date(2024, 6, 12, 23, 55, 0, 0, time.FixedZone("UTC+8", 8*3600))
	deadline := alipayplus.CancelDeadline(paid)
	fmt.Println(deadline.Format(time.RFC3339), deadline.Sub(paid))
	// Output:
	// 2024-06-13T00:15:00+08:00 20m0s
}
