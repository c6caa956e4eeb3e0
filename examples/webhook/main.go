// Command webhook is an Omise webhook endpoint built with
// instore.WebhookHandler.
//
// By default it runs a demo that needs no account and exits: it serves the
// endpoint on a loopback port, delivers to it a charge.complete event signed
// with instore.SignWebhook, as Omise signs it, then the same delivery again
// and a forged one, and prints what the endpoint answered.
//
// With -listen it serves until interrupted, for deliveries from Omise
// (through a tunnel) or from your own tests; the secret is then read from
// OMISE_WEBHOOK_SECRET:
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
	"time"

	"github.com/instorepay/instore"
)

// demoSecret stands in for the dashboard's webhook secret in the demo.
const demoSecret = "ZGVtby13ZWJob29rLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24="

// demoEvent is a charge.complete event as Omise delivers it, cut down.
const demoEvent = `{"object":"event","id":"evnt_test_demo0001","key":"charge.complete","livemode":false,
"data":{"object":"charge","id":"chrg_test_demo0001","amount":400000,"currency":"THB","status":"successful"}}`

func main() {
	listen := flag.String("listen", "", "serve on this address until interrupted, instead of running the demo")
	flag.Parse()

	secret := demoSecret
	if *listen != "" {
		if secret = os.Getenv("OMISE_WEBHOOK_SECRET"); secret == "" {
			fmt.Fprintln(os.Stderr, "webhook: set OMISE_WEBHOOK_SECRET to the webhook secret of the Omise dashboard")
			os.Exit(2)
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	mux := http.NewServeMux()
	mux.Handle("/webhooks/omise", instore.WebhookHandler([]string{secret}, handle, instore.WithWebhookLogger(logger)))

	var err error
	if *listen != "" {
		err = serve(*listen, mux)
	} else {
		err = demo(mux)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

// handle is what the merchant's server does with an event. It runs once
// per event; an error makes the endpoint answer 500, and Omise delivers the
// event again.
func handle(_ context.Context, e *instore.Event) error {
	if e.Key != instore.EventChargeComplete {
		return nil
	}
	charge, err := e.Charge()
	if err != nil {
		return err
	}
	// A real server would now fetch the charge (client.Charges.Get) and act
	// on its current status, not on this snapshot; with a Checkout it could
	// wake the waiting sale with Checkout.Notify.
	amount := instore.Money{Amount: charge.Amount, Currency: charge.Currency}
	fmt.Printf("handled %s: %s %s %s\n", e.Key, charge.ID, charge.Status, amount)
	return nil
}

// serve runs the endpoint on addr until the process is interrupted.
func serve(addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
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

// demo serves h on a loopback port, sends it three deliveries and checks
// the answers.
func demo(h http.Handler) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/webhooks/omise"

	body := []byte(demoEvent)
	header := instore.SignWebhook(body, demoSecret, time.Now())
	forged := bytes.Replace(body, []byte("400000"), []byte("1"), 1)
	for _, d := range []struct {
		what   string
		body   []byte
		status int
	}{
		{"signed charge.complete", body, http.StatusOK},
		{"the same delivery again", body, http.StatusOK}, // a duplicate: acknowledged, not handled
		{"forged amount", forged, http.StatusUnauthorized},
	} {
		status, err := deliver(url, d.body, header)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d %s\n", d.what, status, http.StatusText(status))
		if status != d.status {
			return fmt.Errorf("%s: got %d, want %d", d.what, status, d.status)
		}
	}
	return nil
}

// deliver posts body with header to url, as Omise does.
func deliver(url string, body []byte, header http.Header) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, resp.Body.Close()
}
