package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/instorepay/instore"
)

func salesCommand() *command {
	return &command{
		name:  "sales",
		usage: "[--journal J | --simulate] [--from DATE] [--to DATE] [--state S,...] [--acquirer A] [--store ID] [--limit N] [--json | --csv]",
		short: "list the journal's sales, newest first",
		long: `
Sales lists the sales the journal holds, newest first, one line each: when
it was recorded, its request id, state, amount, acquirer, the acquirer's
payment id, the store and the wallet. The payment code is never stored, only
its masked form (--json).

--from and --to bound when a sale was recorded: from <= recorded < to. A
DATE is a UTC day (2026-03-02, its midnight) or an RFC 3339 time.
--state keeps sales in any of the states given: recorded, pending,
cancelling, unresolved, succeeded, failed, cancelled.

Amounts are "1,500.00 THB" in the table; --json and --csv give them in
minor units with the currency (150000, "THB"). Times are UTC, RFC 3339.`,
		example: `
instore sales --journal sqlite:/var/lib/pos/journal.db --from 2026-03-02 --to 2026-03-03
instore sales --state unresolved,pending --json
instore sales --simulate --acquirer omise --limit 10`,
		csv: true,
		flags: func(fs *flag.FlagSet, inv *invocation) {
			fs.StringVar(&inv.from, "from", "", "list sales recorded at or after `DATE`")
			fs.StringVar(&inv.to, "to", "", "list sales recorded before `DATE`")
			fs.StringVar(&inv.state, "state", "", "keep sales in these `STATES` (comma-separated)")
			fs.StringVar(&inv.acquirer, "acquirer", "", "keep the sales of this `ACQUIRER` (omise, alipayplus, ppro)")
			fs.StringVar(&inv.store, "store", "", "keep the sales of this store `ID`")
			fs.IntVar(&inv.limit, "limit", 0, "list at most `N` sales (0: all)")
		},
		run: runSales,
	}
}

// saleStates are the states a sale can be in, for --state.
var saleStates = []instore.SaleState{
	instore.SaleRecorded, instore.SalePending, instore.SaleCancelling, instore.SaleUnresolved,
	instore.SaleSucceeded, instore.SaleFailed, instore.SaleCancelled,
}

// query turns the flags into a SaleQuery.
func (inv *invocation) query() (instore.SaleQuery, error) {
	q := instore.SaleQuery{Acquirer: inv.acquirer, StoreID: inv.store, Limit: inv.limit}
	var err error
	if q.From, err = parseTime("--from", inv.from); err != nil {
		return q, err
	}
	if q.To, err = parseTime("--to", inv.to); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, errors.New("--from must be before --to")
	}
	if inv.limit < 0 {
		return q, errors.New("--limit must not be negative")
	}
	if inv.state != "" {
		for st := range strings.SplitSeq(inv.state, ",") {
			st := instore.SaleState(strings.TrimSpace(st))
			if !slices.Contains(saleStates, st) {
				return q, fmt.Errorf("--state: unknown state %q", st)
			}
			q.States = append(q.States, st)
		}
	}
	return q, nil
}

// parseTime reads a DATE flag: a UTC day or an RFC 3339 time; empty is
// zero.
func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s: want a day (2026-03-02) or an RFC 3339 time (2026-03-02T08:00:00Z)", name)
}

func runSales(ctx context.Context, a *app, inv *invocation) int {
	if err := inv.wantArgs(0); err != nil {
		return a.usageError(inv.cmd, err)
	}
	q, err := inv.query()
	if err != nil {
		return a.usageError(inv.cmd, err)
	}
	w, err := a.world(ctx, inv, false)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	defer w.close()
	sales, err := w.reader.Sales(ctx, q)
	if err != nil {
		return a.fail(inv.cmd, fmt.Errorf("reading the journal: %w", err))
	}
	if err := printSales(a, inv.format(), sales); err != nil {
		return a.fail(inv.cmd, err)
	}
	return exitOK
}

// saleJSON is a sale for machines. Every field is always present, so a
// script can rely on the shape.
type saleJSON struct {
	RequestID      string `json:"request_id"`
	Kind           string `json:"kind"`
	State          string `json:"state"`
	Acquirer       string `json:"acquirer"`
	PaymentID      string `json:"payment_id"`
	Method         string `json:"method"`
	Wallet         string `json:"wallet"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	StoreID        string `json:"store_id"`
	StoreName      string `json:"store_name"`
	TerminalID     string `json:"terminal_id"`
	MaskedCode     string `json:"masked_code"`
	FailureCode    string `json:"failure_code"`
	FailureMessage string `json:"failure_message"`
	CreatedAt      string `json:"created_at"`
	AcquirerTime   string `json:"acquirer_time"`
	UpdatedAt      string `json:"updated_at"`
}

func toSaleJSON(s *instore.Sale) saleJSON {
	return saleJSON{
		RequestID: s.RequestID, Kind: string(s.Kind), State: string(s.State), Acquirer: s.Acquirer,
		PaymentID: s.PaymentID, Method: string(s.Method), Wallet: string(s.Wallet),
		Amount: s.Amount.Amount, Currency: string(s.Amount.Currency),
		StoreID: s.Store.ID, StoreName: s.Store.Name, TerminalID: s.Store.TerminalID, MaskedCode: s.MaskedCode,
		FailureCode: s.FailureCode, FailureMessage: s.FailureMessage,
		CreatedAt: stamp(s.CreatedAt), AcquirerTime: stamp(s.AcquirerTime), UpdatedAt: stamp(s.UpdatedAt),
	}
}

// saleCSVHeader and saleCSV are a sale as a CSV row.
var saleCSVHeader = []string{
	"request_id", "kind", "state", "acquirer", "payment_id", "method", "wallet", "amount", "currency",
	"store_id", "store_name", "terminal_id", "masked_code", "failure_code", "failure_message",
	"created_at", "acquirer_time", "updated_at",
}

func saleCSV(s *instore.Sale) []string {
	j := toSaleJSON(s)
	return []string{
		j.RequestID, j.Kind, j.State, j.Acquirer, j.PaymentID, j.Method, j.Wallet, fmt.Sprint(j.Amount), j.Currency,
		j.StoreID, j.StoreName, j.TerminalID, j.MaskedCode, j.FailureCode, j.FailureMessage,
		j.CreatedAt, j.AcquirerTime, j.UpdatedAt,
	}
}

func printSales(a *app, f format, sales []*instore.Sale) error {
	switch f {
	case formatJSON:
		out := newJSONLines(a.stdout)
		for _, s := range sales {
			if err := out.write(toSaleJSON(s)); err != nil {
				return err
			}
		}
		return nil
	case formatCSV:
		out := newCSV(a.stdout, saleCSVHeader...)
		for _, s := range sales {
			out.row(saleCSV(s)...)
		}
		return out.flush()
	}
	t := newTable(a.stdout, "RECORDED", "REQUEST ID", "STATE", "AMOUNT", "ACQUIRER", "PAYMENT ID", "STORE", "WALLET")
	for _, s := range sales {
		t.row(stamp(s.CreatedAt), s.RequestID, string(s.State), money(s.Amount), s.Acquirer, s.PaymentID,
			s.Store.ID, string(s.Wallet))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, plural(len(sales), "sale", "sales"))
	return nil
}
