// Command instore is the operator's tool over an instore sales journal
// (the journal package, DESIGN section 6): it lists and shows sales,
// settles the ones a till left unresolved, refunds, and reconciles the
// journal with the acquirers' own records, with no code to write.
//
//	instore sales     [--from DATE] [--to DATE] [--state S,...] [--acquirer A] [--store ID] [--limit N]
//	instore show      REQUEST_ID
//	instore recover
//	instore refund    [--refund-id ID] REQUEST_ID AMOUNT
//	instore reconcile [--from DATE] [--to DATE]
//	instore help      [command | environment]
//
// Every command reads the journal named by --journal sqlite:PATH or
// --journal postgres://... (or the INSTORE_JOURNAL environment variable).
// Acquirer credentials come from the environment only (OMISE_SECRET_KEY,
// ALIPAYPLUS_CLIENT_ID and its key files, PPRO_LOGIN and the rest; see
// `instore help environment`), never from flags, which land in shell
// history. A PostgreSQL DSN is never printed.
//
// With --simulate a command runs against the in-process simulators of
// package instoretest and a journal in a temporary directory, seeded with
// a simulated day of 200 sales (2 March 2026, UTC) that holds one of each
// kind of discrepancy reconcile finds, so a new user sees every output with
// no account:
//
//	go run ./cmd/instore reconcile --simulate
//
// The simulators live in the process, so the simulated day is sold anew on
// every run; its sales, codes, amounts and times follow from their place
// in the day, so every run shows the same day.
//
// Output is a table for people; --json prints one JSON object per line and
// --csv CSV with a header, for machines. Times are UTC, RFC 3339; amounts
// are "1,500.00 THB" in tables and minor units with the currency for
// machines. Errors go to standard error. The exit status is 0 when all is
// well, 3 when the command ran and found something that needs attention
// (discrepancies, unresolved sales, a refund not final), 2 for bad usage
// or configuration, and 1 when the command failed.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the tool with args, the command line without the program name,
// and returns its exit status. Tests call it in process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return newApp(stdout, stderr).run(ctx, args)
}
