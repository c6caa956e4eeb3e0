package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/instorepay/instore"
)

func recoverCommand() *command {
	return &command{
		name:  "recover",
		usage: "[--journal J | --simulate] [--json | --csv]",
		short: "settle the sales a till left unresolved",
		long: `
Recover takes over every sale the journal holds as not final whose till is
gone (its lease ran out, or it ended unresolved), and settles it as the till
would have: it inquires for what is left of the sale's inquiry window, then
cancels (Checkout.Recover). It never pays. It is safe to run at any time and
from several machines at once: each sale is taken over by one of them.

It prints one line per sale it took over (the state it was left in, the
payment's status now, the calls it made), then how many are settled and how
many remain unresolved, and how many sales are not final but in progress
elsewhere (a live till, or another recover). The exit status is 3 while any sale it took over is unresolved.

A sale whose acquirer is not configured is reported and left alone.`,
		example: `
instore recover --journal sqlite:/var/lib/pos/journal.db
instore recover --simulate --json`,
		csv: true,
		run: runRecover,
	}
}

func runRecover(ctx context.Context, a *app, inv *invocation) int {
	if err := inv.wantArgs(0); err != nil {
		return a.usageError(inv.cmd, err)
	}
	w, err := a.world(ctx, inv, true)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	defer w.close()
	c, err := w.checkout()
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	rep, err := c.Recover(ctx)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	sales := slices.Clone(rep.Sales)
	slices.SortFunc(sales, func(x, y instore.RecoveredSale) int { return cmp.Compare(x.RequestID, y.RequestID) })
	// Every sale not final: those Recover did not take over are in
	// progress elsewhere.
	notFinal := slices.DeleteFunc(slices.Clone(saleStates), instore.SaleState.Final)
	open, err := w.reader.Sales(ctx, instore.SaleQuery{States: notFinal})
	if err != nil {
		return a.fail(inv.cmd, fmt.Errorf("reading the journal: %w", err))
	}
	unresolved := rep.Unresolved()
	inProgress := 0
	for _, s := range open {
		if !slices.ContainsFunc(sales, func(r instore.RecoveredSale) bool { return r.RequestID == s.RequestID }) {
			inProgress++
		}
	}
	if err := printRecovery(a, inv.format(), sales); err != nil {
		return a.fail(inv.cmd, err)
	}
	if inv.format() == formatText {
		fmt.Fprintf(a.stdout, "took over %s: %d settled, %d unresolved; %s in progress elsewhere\n",
			plural(len(sales), "sale", "sales"), len(sales)-unresolved, unresolved, plural(inProgress, "sale", "sales"))
	}
	if unresolved > 0 {
		return exitAttention
	}
	return exitOK
}

// recoveredJSON is one sale Recover took over, for machines.
type recoveredJSON struct {
	RequestID string `json:"request_id"`
	Acquirer  string `json:"acquirer"`
	From      string `json:"from"`
	Status    string `json:"status"`
	PaymentID string `json:"payment_id"`
	Resolved  bool   `json:"resolved"`
	Inquiries int    `json:"inquiries"`
	Cancels   int    `json:"cancels"`
	Error     string `json:"error"`
}

func toRecoveredJSON(r *instore.RecoveredSale) recoveredJSON {
	out := recoveredJSON{
		RequestID: r.RequestID, Acquirer: r.Acquirer, From: string(r.From), Status: string(instore.StatusUnknown),
		Resolved: r.Resolved(), Inquiries: r.Inquiries, Cancels: r.Cancels,
	}
	if r.Payment != nil {
		out.Status, out.PaymentID = string(r.Payment.Status), r.Payment.ID
	}
	switch {
	case errors.Is(r.Err, instore.ErrNoRoute):
		out.Error = errNotConfigured.Error()
	case r.Err != nil:
		out.Error = r.Err.Error()
	}
	return out
}

func printRecovery(a *app, f format, sales []instore.RecoveredSale) error {
	switch f {
	case formatJSON:
		out := newJSONLines(a.stdout)
		for i := range sales {
			if err := out.write(toRecoveredJSON(&sales[i])); err != nil {
				return err
			}
		}
		return nil
	case formatCSV:
		out := newCSV(a.stdout, "request_id", "acquirer", "from", "status", "payment_id", "resolved", "inquiries", "cancels", "error")
		for i := range sales {
			j := toRecoveredJSON(&sales[i])
			out.row(j.RequestID, j.Acquirer, j.From, j.Status, j.PaymentID, strconv.FormatBool(j.Resolved),
				strconv.Itoa(j.Inquiries), strconv.Itoa(j.Cancels), j.Error)
		}
		return out.flush()
	}
	if len(sales) == 0 {
		return nil
	}
	t := newTable(a.stdout, "REQUEST ID", "ACQUIRER", "WAS", "NOW", "PAYMENT ID", "INQUIRIES", "CANCELS", "DETAIL")
	for i := range sales {
		j := toRecoveredJSON(&sales[i])
		t.row(j.RequestID, j.Acquirer, j.From, j.Status, j.PaymentID, strconv.Itoa(j.Inquiries), strconv.Itoa(j.Cancels), j.Error)
	}
	return t.flush()
}
