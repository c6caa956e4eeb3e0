// Command tillserver is a small HTTP JSON service that tills call to take
// in-store wallet payments, built on package instore's five calls: the
// integration to copy.
//
//	go run ./examples/tillserver                   # on the Omise simulator, at 127.0.0.1:8080
//	go run ./examples/tillserver -journal sales.db # sales kept in SQLite across restarts
//	OMISE_SECRET_KEY=skey_test_... OMISE_WEBHOOK_SECRET=... go run ./examples/tillserver
//
// The endpoints (bodies and answers are JSON; amounts are instore.Money,
// payments instore.Payment):
//
//	POST   /sales            {"request_id","code","amount":{"decimal":"100.00","currency":"THB"},"store":{...}}
//	                         Collect, to a final answer: 200 {"payment"} (succeeded, or failed for a
//	                         decline, or cancelled). The same request_id again returns the same sale.
//	GET    /sales/{id}       the sale, with its refunds (Checkout.Lookup)
//	DELETE /sales/{id}       the cashier gives up: the running sale is cancelled (202)
//	POST   /qr               {"request_id","wallet":"alipay","amount",...}: 201 {"payment","qr"}
//	GET    /qr/{id}?wait=30s the QR sale, waiting up to 30 s for its end
//	GET    /qr/{id}/image    the QR code's image
//	POST   /refunds          {"request_id","refund_id","amount"}: 200 {"refund"}; retry with the same refund_id
//	POST   /webhooks/omise   Omise's webhooks: wake the sale they are about
//	GET    /healthz          200 {"status":"ok"}
//
// Errors answer {"error":{"code","message"},"payment"?} with the status
// statusOf (errors.go) gives: 202 payment_unresolved (check later), 409
// request_in_progress or request_id_reused, 400 and 422 for a request to
// fix, 503 with Retry-After for what to retry later (a refund's
// outcome_unknown: with the same refund_id).
//
// On the simulator the customer is played by the code's last two digits
// (package instoretest): the server prints a code per outcome when it
// starts. POST /sim/qr/{id}/pay plays the customer who scans a QR code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/journal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tillserver:", err)
		os.Exit(1)
	}
}

// Server timeouts. A POST /sales answers when the sale is final, which
// takes at most the schedule's worst case (71 s with the defaults): the
// write timeout leaves room for it.
const (
	readTimeout     = 10 * time.Second
	writeTimeout    = 90 * time.Second
	shutdownTimeout = 90 * time.Second
)

// run serves until ctx ends. ready, if not nil, is told the address once
// the server listens.
func run(ctx context.Context, args []string, stdout io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("tillserver", flag.ContinueOnError)
	fs.SetOutput(stdout)
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on")
	journalPath := fs.String("journal", "", "SQLite file to keep the sales in (default: in memory)")
	quiet := fs.Bool("quiet", false, "no request log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	if *quiet {
		logger = slog.New(slog.DiscardHandler)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *listen)
	if err != nil {
		return err
	}
	// For the returns before Serve, which closes it itself.
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	acq, err := setup(base + "/webhooks/omise")
	if err != nil {
		return err
	}
	defer acq.close()

	opts := append([]instore.CheckoutOption{instore.WithCheckoutLogger(logger)}, acq.options...)
	if *journalPath != "" {
		store, err := journal.OpenSQLite(ctx, *journalPath)
		if err != nil {
			return err
		}
		defer store.Close()
		opts = append(opts, instore.WithJournal(store))
	}
	checkout, err := instore.NewCheckout(opts...)
	if err != nil {
		return err
	}
	srv := newServer(checkout, acq.webhookSecrets, logger)
	if acq.sim != nil {
		srv.simulatorRoutes(acq.sim)
	}
	if *journalPath != "" {
		// Sales a previous process left in flight are settled in the
		// background; a till asking about one meanwhile gets Lookup's answer.
		srv.wg.Go(func() { recoverSales(srv.ctx, checkout, logger) })
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: readTimeout, ReadTimeout: readTimeout, WriteTimeout: writeTimeout}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "tillserver: serving on %s, selling through %s\n", base, acq.name)
	if acq.sim != nil {
		printCodes(stdout)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case err = <-served:
	case <-ctx.Done():
		// Let the sales in flight end, then cancel what still waits.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		err = hs.Shutdown(sctx)
		cancel()
	}
	srv.close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// setup picks the acquirers: an Omise account when OMISE_SECRET_KEY is
// set, else the simulator, whose webhooks go to webhookURL.
func setup(webhookURL string) (*acquirers, error) {
	if os.Getenv("OMISE_SECRET_KEY") != "" {
		return omiseAccount()
	}
	return simulated(webhookURL, nil)
}

// recoverSales settles the sales a previous process left in flight.
func recoverSales(ctx context.Context, checkout *instore.Checkout, logger *slog.Logger) {
	report, err := checkout.Recover(ctx)
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelError, "tillserver: recover", slog.String("error", err.Error()))
		return
	}
	for _, s := range report.Sales {
		logger.LogAttrs(ctx, slog.LevelInfo, "tillserver: recovered",
			slog.String("request_id", s.RequestID), slog.String("status", string(s.Payment.Status)))
	}
}

// printCodes shows a payment code per outcome the simulator plays.
func printCodes(w io.Writer) {
	fmt.Fprintln(w, "simulated customers, by the code the till scans:")
	for _, c := range []struct {
		what string
		o    instoretest.Outcome
	}{
		{"pays at once", instoretest.Succeed},
		{"confirms in the app after 3 s", instoretest.ConfirmAfter(3 * time.Second)},
		{"declines (insufficient balance)", instoretest.DeclineInsufficientBalance},
		{"never confirms: cancelled", instoretest.NeverCompletes},
	} {
		fmt.Fprintf(w, "  %-34s %s\n", c.what, instoretest.AlipayCode(c.o, uint64(time.Now().Unix()%1_000_000)))
	}
}

// simulatorRoutes adds the simulator's customer to the server: POST
// /sim/qr/{id}/pay pays the QR code on show under that request id. Not
// for a real server.
func (s *server) simulatorRoutes(sim *instoretest.Omise) {
	s.mux.HandleFunc("POST /sim/qr/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		if err := sim.PayPresented(r.PathValue("id")); err != nil {
			writeError(w, fmt.Errorf("%w: %w", instore.ErrNotFound, err), nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
