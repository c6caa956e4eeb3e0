// Command checkout runs one in-store sale from the scan to a final answer,
// then a partial refund, printing each step on one line.
//
// With no flags and no keys it starts the simulators in process and sells
// through them: nothing to set up, no network.
//
//	go run ./examples/checkout                          # Omise, the customer confirms after 3 s
//	go run ./examples/checkout -outcome decline         # the customer's wallet declines
//	go run ./examples/checkout -outcome timeout         # no answer: inquired, then cancelled
//	go run ./examples/checkout -acquirer alipayplus     # Alipay+ / Antom direct
//	go run ./examples/checkout -acquirer ppro -currency CHF  # PPRO, Alipay in-store in Switzerland
//	go run ./examples/checkout -mode qr                 # the till shows a QR code; the customer pays after 4 s
//	go run ./examples/checkout -mode qr -outcome abandon  # nobody scans: the code expires
//	go run ./examples/checkout -crash-after pay         # the till dies with the pay out; another process recovers the sale
//	go run ./examples/checkout -otel                    # and print the sale's OpenTelemetry spans and metrics
//
// Every sale is recorded in a sales journal (SQLite) before its pay
// leaves: a new one in a temporary directory, whose path is printed, or the
// file -journal names. -recover recovers the sales a journal holds in
// flight, as a till does when it starts again.
//
// With OMISE_SECRET_KEY (and OMISE_PUBLIC_KEY) set it sells through Omise
// test mode instead; with a test key (skey_test_…) it plays the customer by
// marking the charge paid or failed.
//
// The exit status is 0 when the sale reached a final answer, 1 when it is
// unresolved (check later), and 2 for bad flags or setup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/instorepay/instore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command line.
type options struct {
	mode, qrFile            string
	acquirer, outcome, code string
	amount, refund          string
	currency                instore.Currency
	storeID, storeName      string
	terminalID              string
	journal, crashAfter     string
	recover                 bool
	otel                    bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("checkout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mode, "mode", "scan", "scan: the cashier scans the customer's code | qr: the customer scans the till's QR code")
	fs.StringVar(&o.acquirer, "acquirer", "omise", "acquirer: omise | alipayplus | ppro (scan only)")
	fs.StringVar(&o.outcome, "outcome", "success", "what the simulated customer does: success | decline | timeout (scan) or abandon (qr)")
	fs.StringVar(&o.qrFile, "qr-file", "", "with -mode qr, where to write the QR image (default: a file in the temporary directory)")
	fs.StringVar(&o.code, "code", "", "the scanned payment code (default: a simulator code for -outcome)")
	fs.StringVar(&o.amount, "amount", "100.00", "the amount to charge, as a cashier types it")
	cur := fs.String("currency", "THB", "ISO 4217 currency")
	fs.StringVar(&o.refund, "refund", "25.00", "refund this much after a successful sale; empty for none")
	fs.StringVar(&o.storeID, "store", "BKK-01", "store id")
	fs.StringVar(&o.storeName, "store-name", "Sukhumvit", "store name")
	fs.StringVar(&o.terminalID, "terminal", "T-01", "terminal id")
	fs.StringVar(&o.journal, "journal", "", "the SQLite sales journal (default: a new one in a temporary directory)")
	fs.StringVar(&o.crashAfter, "crash-after", "", "pay | pending: kill the till's process at that step, then recover the sale in another")
	fs.BoolVar(&o.recover, "recover", false, "recover the sales the journal holds in flight, then exit")
	fs.BoolVar(&o.otel, "otel", false, "print the sale's OpenTelemetry spans and metrics to stdout at the end (otel.go)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.mode != "scan" && o.mode != "qr" {
		err := fmt.Errorf("unknown mode %q (scan | qr)", o.mode)
		fmt.Fprintln(stderr, "checkout:", err)
		return nil, err
	}
	o.currency = instore.Currency(strings.ToUpper(*cur))
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	amount, err := instore.ParseMoney(o.amount, o.currency)
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	if o.crashAfter != "" {
		return crashDemo(ctx, o, stdout, stderr)
	}
	env, err := setup(o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	defer env.close()
	store, err := openJournal(ctx, o.journal, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	defer store.Close()
	env.options = append(env.options, instore.WithJournal(store))
	defer withTelemetry(o, env, stdout)()

	start := time.Now()
	say := func(step, detail string) {
		fmt.Fprintf(stdout, "%6.2fs  %-12s %s\n", time.Since(start).Seconds(), step, detail)
	}
	checkout, err := instore.NewCheckout(append(env.options,
		instore.WithProgress(func(p instore.Progress) { report(say, env, p) }))...)
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	if env.bind != nil {
		env.bind(checkout)
	}
	if o.recover {
		return recoverJournal(ctx, checkout, say)
	}
	if o.mode == "qr" {
		return runQR(ctx, o, env, checkout, amount, say, stderr)
	}
	scanned, err := instore.ClassifyPaymentCode(env.code)
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	say("scanned", fmt.Sprintf("%s code %s, %s through %s", scanned.Wallet, scanned, amount, env.name))

	p, err := checkout.Collect(ctx, &instore.CollectRequest{
		Code:        env.code,
		Amount:      amount,
		Description: "instore example sale",
		Store:       instore.Store{ID: o.storeID, Name: o.storeName, TerminalID: o.terminalID},
	})
	var unresolved *instore.UnresolvedError
	switch {
	case errors.As(err, &unresolved):
		say("unresolved", "check later: request "+unresolved.Payment.RequestID+" "+unresolved.Payment.ID)
		return 1
	case err != nil && p == nil:
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	case err != nil:
		say("refused", err.Error())
		return 0
	}
	line := string(p.Status) + " " + p.Amount.String() + " " + p.ID
	if p.FailureCode != "" {
		line += " (" + p.FailureCode + ")"
	}
	say("answer", line)

	if p.Status == instore.StatusSucceeded && o.refund != "" {
		refund, err := instore.ParseMoney(o.refund, o.currency)
		if err != nil {
			fmt.Fprintln(stderr, "checkout: refund:", err)
			return 2
		}
		r, err := checkout.Refund(ctx, p, refund)
		if err != nil {
			say("refund", "failed: "+err.Error())
			return 0
		}
		say("refund", string(r.Status)+" "+r.Amount.String()+" "+r.ID)
	}
	return 0
}

// report prints one progress step, and lets the simulated customer act
// once the payment is waiting for them.
func report(say func(step, detail string), env *environment, p instore.Progress) {
	switch p.Step {
	case instore.StepClassified:
		return // printed as "scanned"
	case instore.StepPaying:
		say("paying", "request "+p.RequestID)
	case instore.StepPending:
		say("pending", "waiting for the customer to confirm in the wallet app")
		if env.customer != nil && p.PaymentID != "" {
			env.customer(p.PaymentID)
		}
	case instore.StepInquiring:
		say(fmt.Sprintf("inquiry %d", p.Attempt), "asking "+p.Acquirer+"; last seen "+string(p.Status))
	case instore.StepCancelling:
		say(fmt.Sprintf("cancel %d", p.Attempt), "no final answer in time: cancelling")
	case instore.StepFinal:
		say("final", string(p.Status))
	case instore.StepUnresolved:
		say("final", "unresolved")
	}
}
