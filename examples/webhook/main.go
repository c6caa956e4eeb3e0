// Command webhook is an Omise webhook endpoint built with
// instore.WebhookHandler, waking the sales a Checkout is following.
//
// The handler is three lines: an event names its charge and the sale's
// request id (Event.PaymentIDs), and Checkout.Notify wakes the sale known
// by either, which then asks the acquirer how it ended:
//
//	instore.WebhookHandler(secrets, func(_ context.Context, e *instore.Event) error {
//		checkout.Notify(e.PaymentIDs()...)
//		return nil
//	})
//
// By default it needs no account and exits on its own: it serves the
// endpoint on a loopback port, starts the Omise simulator (package
// instoretest) with that endpoint as its webhook URL, and collects a sale
// the customer confirms after a second; the charge.complete webhook ends
// the sale's wait at once, before its first inquiry at 2 s. Then it sends
// the endpoint a forged delivery, which is refused.
//
// With -listen it serves until interrupted, for deliveries from Omise
// (through a tunnel) or from your own tests; the secret is then read from
// OMISE_WEBHOOK_SECRET, and with OMISE_SECRET_KEY set completed charges are
// fetched from the API:
//
//	go run ./examples/webhook
//	OMISE_WEBHOOK_SECRET=... go run ./examples/webhook -listen :8080
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

func main() {
	listen := flag.String("listen", "", "serve on this address until interrupted, instead of running the demo")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	var err error
	if *listen != "" {
		err = serve(*listen, logger)
	} else {
		err = demo(logger)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

// handler returns the endpoint. Each event wakes the sale checkout (if
// not nil) follows for it, and is printed; a completed charge is fetched
// through client, if not nil. An error answers 500, and Omise delivers the
// event again.
func handler(secret string, checkout *instore.Checkout, client *instore.Client, logger *slog.Logger) http.Handler {
	fn := func(ctx context.Context, e *instore.Event) error {
		woken := checkout != nil && checkout.Notify(e.PaymentIDs()...)
		fmt.Printf("webhook: %s %v, woke a sale: %t\n", e.Key, e.PaymentIDs(), woken)
		if e.Key != instore.EventChargeComplete || client == nil {
			return nil
		}
		// The event is a snapshot: what to do about money is decided on the
		// charge as the API has it now.
		ids := e.PaymentIDs() // the charge's id first; none if not a charge
		if len(ids) == 0 {
			return nil // acknowledged, nothing to do
		}
		charge, err := client.Charges.Get(ctx, ids[0])
		if err != nil {
			return err
		}
		amount := instore.Money{Amount: charge.Amount, Currency: charge.Currency}
		fmt.Printf("fetched: %s %s %s\n", charge.ID, charge.Status, amount)
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/omise", instore.WebhookHandler([]string{secret}, fn, instore.WithWebhookLogger(logger)))
	return mux
}

// demo runs the endpoint against the Omise simulator, with a Checkout
// collecting a sale through it.
func demo(logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/webhooks/omise"

	omise := instoretest.NewOmise(instoretest.WithWebhookURL(url))
	defer omise.Close()
	client, err := omise.Client()
	if err != nil {
		return err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		return err
	}
	checkout, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler(omise.WebhookSecret(), checkout, client, logger), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	// The customer approves the payment in the wallet a second later.
	start := time.Now()
	p, err := checkout.Collect(ctx, &instore.CollectRequest{
		Code:      instoretest.AlipayCode(instoretest.ConfirmAfter(time.Second), 1),
		Amount:    instore.Money{Amount: 400000, Currency: instore.THB},
		RequestID: "webhook-demo-1",
	})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Printf("sale: %s %s after %.1fs\n", p.Status, p.Amount, elapsed.Seconds())
	if p.Status != instore.StatusSucceeded || elapsed >= 2*time.Second {
		return fmt.Errorf("the webhook did not end the sale's wait (%s after %s)", p.Status, elapsed)
	}

	// Anyone can post to the endpoint; only Omise can sign.
	forged := []byte(`{"object":"event","id":"evnt_forged","key":"charge.complete","data":{"object":"charge","id":"chrg_forged","status":"successful"}}`)
	status, err := post(ctx, url, forged)
	if err != nil {
		return err
	}
	fmt.Printf("forged delivery: %d %s\n", status, http.StatusText(status))
	if status != http.StatusUnauthorized {
		return fmt.Errorf("forged delivery answered %d", status)
	}
	return nil
}

// post sends body to url unsigned.
func post(ctx context.Context, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Omise-Signature", "00000000000000000000000000000000000000000000000000000000000000ff")
	req.Header.Set("Omise-Signature-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, resp.Body.Close()
}

// serve runs the endpoint on addr until the process is interrupted.
func serve(addr string, logger *slog.Logger) error {
	secret := os.Getenv("OMISE_WEBHOOK_SECRET")
	if secret == "" {
		return errors.New("set OMISE_WEBHOOK_SECRET to the webhook secret of the Omise dashboard")
	}
	var client *instore.Client
	if key := os.Getenv("OMISE_SECRET_KEY"); key != "" {
		var err error
		if client, err = instore.NewClient(key); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: handler(secret, nil, client, logger), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("listening on %s, POST /webhooks/omise\n", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
