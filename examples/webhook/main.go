// Command webhook is an Omise webhook endpoint built with
// instore.WebhookHandler.
//
// By default it needs no account and exits on its own: it serves the
// endpoint on a loopback port, starts the Omise simulator (package
// instoretest) with that endpoint as its webhook URL, charges a scanned
// code, and prints the signed events the simulator delivers, until the
// charge completes. Then it sends the endpoint a forged delivery, which is
// refused.
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

// handler returns the endpoint. Each event runs fn once; an error from fn
// is answered with a 500, and the event is delivered again.
// A completed charge is fetched through client, if not nil, and reported on
// completed, if not nil.
func handler(secret string, client *instore.Client, logger *slog.Logger, completed chan<- struct{}) http.Handler {
	fn := func(ctx context.Context, e *instore.Event) error {
		delivered, err := e.Charge()
		if err != nil {
			fmt.Printf("webhook: %s (%v)\n", e.Key, err)
			return nil // not a charge event: acknowledged, nothing to do
		}
		fmt.Printf("webhook: %s %s %s\n", e.Key, delivered.ID, delivered.Status)
		if e.Key != instore.EventChargeComplete || client == nil {
			return nil
		}
		// The event is a snapshot: act on the charge as the API has it now.
		// (A Checkout waiting on the sale could be woken here with
		// Checkout.Notify.)
		charge, err := client.Charges.Get(ctx, delivered.ID)
		if err != nil {
			return err
		}
		amount := instore.Money{Amount: charge.Amount, Currency: charge.Currency}
		fmt.Printf("fetched: %s %s %s\n", charge.ID, charge.Status, amount)
		select {
		case completed <- struct{}{}:
		default:
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/omise", instore.WebhookHandler([]string{secret}, fn, instore.WithWebhookLogger(logger)))
	return mux
}

// demo runs the endpoint against the Omise simulator.
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
	completed := make(chan struct{}, 1)
	srv := &http.Server{Handler: handler(omise.WebhookSecret(), client, logger, completed), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	// The customer approves the payment in their wallet a second later.
	charge, err := client.Charges.Create(ctx, &instore.ChargeParams{
		Amount:   400000, // 4,000.00 THB
		Currency: instore.THB,
		Source: &instore.SourceParams{
			Type:    instore.SourceAlipayPlusUPM,
			Barcode: instoretest.AlipayCode(instoretest.ConfirmAfter(time.Second), 1),
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("charged: %s %s\n", charge.ID, charge.Status)
	select {
	case <-completed:
	case <-ctx.Done():
		return errors.New("no charge.complete webhook arrived")
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
	srv := &http.Server{Addr: addr, Handler: handler(secret, client, logger, nil), ReadHeaderTimeout: 10 * time.Second}
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
