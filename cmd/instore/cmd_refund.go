package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/instorepay/instore"
)

func refundCommand() *command {
	return &command{
		name:  "refund",
		usage: "[--journal J | --simulate] [--refund-id ID] [--json | --csv] REQUEST_ID AMOUNT",
		short: "refund a sale, fully or in part",
		long: `
Refund returns AMOUNT of the sale REQUEST_ID to the customer, through the
acquirer that took it (Checkout.Refund). AMOUNT is in the sale's currency,
as a cashier types it ("50", "1,500.00"); it may be followed by the
currency ("50.00 THB"). The refunds the journal holds for the sale count
against its amount. The refund is recorded in the journal before it is
sent.

A refund is identified by its refund request id: retried with the same
--refund-id (after a timeout, a crash, a second press of the button) it
never refunds twice, and answers with the refund made. Without --refund-id
a new id is made, and printed on standard error before the refund is sent:
give it to --refund-id to retry that refund safely.

The exit status is 0 when the refund succeeded, 3 when it is not final yet
(retry later with the same --refund-id to learn its outcome), 1 when the
acquirer refused it.`,
		example: `
instore refund --journal sqlite:/var/lib/pos/journal.db 0e43062b8b382613d7ad68fe0e7ee607 25.00
instore refund --simulate sale-0008 50.00 --refund-id refund-sale-0008-2`,
		csv: true,
		flags: func(fs *flag.FlagSet, inv *invocation) {
			fs.StringVar(&inv.refundID, "refund-id", "", "the refund request `ID`: the same id never refunds twice (default: a new one, printed)")
		},
		run: runRefund,
	}
}

func runRefund(ctx context.Context, a *app, inv *invocation) int {
	if err := inv.wantArgs(2); err != nil {
		return a.usageError(inv.cmd, err)
	}
	id, rawAmount := inv.args[0], inv.args[1]
	w, err := a.world(ctx, inv, true)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	defer w.close()
	sale, err := w.reader.Sale(ctx, id)
	if err != nil {
		return a.fail(inv.cmd, saleError(id, err))
	}
	if _, err := w.acquirer(sale.Acquirer); err != nil {
		return a.fail(inv.cmd, configErrorf("sale %s: %v", id, err))
	}
	amount, err := parseAmount(rawAmount, sale.Amount.Currency)
	if err != nil {
		return a.usageError(inv.cmd, err)
	}
	c, err := w.checkout()
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	p, err := c.Lookup(ctx, id)
	if err != nil {
		return a.fail(inv.cmd, fmt.Errorf("looking the sale up: %w", err))
	}
	// Refused here before an id is made and printed; Refund checks the
	// same, and the total of the sale's refunds.
	switch {
	case p.Status != instore.StatusSucceeded:
		return a.fail(inv.cmd, fmt.Errorf("sale %s is %s: only a succeeded sale can be refunded", id, p.Status))
	case amount.Amount <= 0 || amount.Amount > p.Amount.Amount:
		return a.usageError(inv.cmd, fmt.Errorf("AMOUNT must be more than zero and at most the sale's %s", p.Amount))
	}
	refundID := inv.refundID
	if refundID == "" {
		refundID = a.newID()
		fmt.Fprintf(a.stderr, "instore refund: refund request id %s (to retry this refund, give --refund-id %s)\n", refundID, refundID)
	}
	res, err := c.Refund(ctx, p, amount, instore.WithRefundRequestID(refundID))
	if err != nil {
		return a.refundFailed(inv.cmd, refundID, err)
	}
	if res.RequestID == "" {
		res.RequestID = refundID
	}
	if res.Amount == (instore.Money{}) {
		res.Amount = amount
	}
	if err := printRefund(a, inv.format(), id, res); err != nil {
		return a.fail(inv.cmd, err)
	}
	switch res.Status {
	case instore.StatusSucceeded:
		return exitOK
	case instore.StatusFailed:
		return exitError
	}
	fmt.Fprintf(a.stderr, "instore refund: the refund is %s; run the same command with --refund-id %s later to learn its outcome\n", res.Status, refundID)
	return exitAttention
}

// refundFailed reports a refund that returned an error, with what to do.
func (a *app) refundFailed(c *command, refundID string, err error) int {
	var apiErr *instore.APIError
	switch {
	case errors.Is(err, instore.ErrInvalidRequest) && !errors.As(err, &apiErr):
		// Refused by the Checkout before sending: bad usage.
		return a.fail(c, configErrorf("%v", err))
	case errors.Is(err, instore.ErrOutcomeUnknown), errors.Is(err, instore.ErrRequestInProgress):
		a.fail(c, err)
		fmt.Fprintf(a.stderr, "instore refund: the refund may be under way; retry with --refund-id %s, never with a new id\n", refundID)
		return exitAttention
	}
	return a.fail(c, err)
}

// parseAmount reads AMOUNT in currency c: "50.00", or "50.00 THB".
func parseAmount(s string, c instore.Currency) (instore.Money, error) {
	fields := strings.Fields(s)
	switch {
	case len(fields) == 2 && strings.EqualFold(fields[1], string(c)):
		s = fields[0]
	case len(fields) == 2:
		return instore.Money{}, fmt.Errorf("the sale is in %s", c)
	}
	m, err := instore.ParseMoney(s, c)
	if err != nil {
		return instore.Money{}, fmt.Errorf("AMOUNT: %w", err)
	}
	return m, nil
}

// refundResultJSON is a refund as Checkout.Refund returned it, for
// machines.
type refundResultJSON struct {
	RefundRequestID string `json:"refund_request_id"`
	RequestID       string `json:"request_id"`
	Acquirer        string `json:"acquirer"`
	RefundID        string `json:"refund_id"`
	Status          string `json:"status"`
	Amount          int64  `json:"amount"`
	Currency        string `json:"currency"`
	FailureCode     string `json:"failure_code"`
	FailureMessage  string `json:"failure_message"`
}

func printRefund(a *app, f format, saleID string, r *instore.Payment) error {
	j := refundResultJSON{
		RefundRequestID: r.RequestID, RequestID: saleID, Acquirer: r.Acquirer, RefundID: r.ID,
		Status: string(r.Status), Amount: r.Amount.Amount, Currency: string(r.Amount.Currency),
		FailureCode: r.FailureCode, FailureMessage: r.FailureMessage,
	}
	switch f {
	case formatJSON:
		return newJSONLines(a.stdout).write(j)
	case formatCSV:
		out := newCSV(a.stdout, "refund_request_id", "request_id", "acquirer", "refund_id", "status", "amount", "currency", "failure_code", "failure_message")
		out.row(j.RefundRequestID, j.RequestID, j.Acquirer, j.RefundID, j.Status, strconv.FormatInt(j.Amount, 10), j.Currency, j.FailureCode, j.FailureMessage)
		return out.flush()
	}
	t := newTable(a.stdout, "refund request id", j.RefundRequestID)
	t.row("sale", saleID)
	t.row("acquirer", j.Acquirer)
	t.row("refund id", j.RefundID)
	t.row("status", j.Status)
	t.row("amount", money(r.Amount))
	if j.FailureCode != "" || j.FailureMessage != "" {
		t.row("failure", j.FailureCode+": "+j.FailureMessage)
	}
	return t.flush()
}
