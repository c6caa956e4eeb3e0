package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/instorepay/instore"
)

func showCommand() *command {
	return &command{
		name:  "show",
		usage: "[--journal J | --simulate] [--json] REQUEST_ID",
		short: "one sale with its refunds and its history",
		long: `
Show prints one sale as the journal holds it, its refunds, and its history
of states (every write, with its time and owner). A sale that is not final
is then looked up at its acquirer (Checkout.Lookup): one inquiry, recorded
in the journal when it settles the sale and no live process works on it.
Show never pays, cancels or refunds.

--json prints one object: the sale, its refunds, its history and the
lookup.`,
		example: `
instore show --journal sqlite:/var/lib/pos/journal.db 0e43062b8b382613d7ad68fe0e7ee607
instore show --simulate sale-0008`,
		run: runShow,
	}
}

// lookup is what the Lookup refresh of show found.
type lookup struct {
	// asked says whether the acquirer was asked (the sale was not final
	// and its acquirer is configured); note says why not.
	asked  bool
	note   string
	status instore.PaymentStatus
}

func runShow(ctx context.Context, a *app, inv *invocation) int {
	if err := inv.wantArgs(1); err != nil {
		return a.usageError(inv.cmd, err)
	}
	id := inv.args[0]
	w, err := a.world(ctx, inv, true)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	defer w.close()
	lk, err := refresh(ctx, w, id)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	// Read after the lookup, so the history holds what it recorded.
	s, err := w.reader.Sale(ctx, id)
	if err != nil {
		return a.fail(inv.cmd, saleError(id, err))
	}
	if inv.json {
		err = newJSONLines(a.stdout).write(showJSON(s, lk))
	} else {
		err = printShow(a.stdout, s, lk)
	}
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	return exitOK
}

// saleError words a failure to read sale id.
func saleError(id string, err error) error {
	if errors.Is(err, instore.ErrSaleNotFound) {
		return fmt.Errorf("the journal holds no sale %s", id)
	}
	return fmt.Errorf("reading the journal: %w", err)
}

// refresh looks the sale up through a Checkout, as a till that reconnects
// would: a final sale is not asked about again.
func refresh(ctx context.Context, w *world, id string) (lookup, error) {
	s, err := w.reader.Sale(ctx, id)
	if err != nil {
		return lookup{}, saleError(id, err)
	}
	if s.State.Final() {
		return lookup{status: s.Payment().Status, note: "final in the journal; not asked again"}, nil
	}
	// Not a failure of show: the sale is shown as the journal holds it.
	if _, err := w.acquirer(s.Acquirer); errors.Is(err, errNotConfigured) {
		return lookup{status: s.Payment().Status, note: err.Error()}, nil
	}
	c, err := w.checkout()
	if err != nil {
		return lookup{}, err
	}
	p, err := c.Lookup(ctx, id)
	if err != nil {
		return lookup{}, fmt.Errorf("looking the sale up: %w", err)
	}
	lk := lookup{asked: true, status: p.Status}
	if !p.Status.Final() {
		lk.note = "not final; instore recover settles it"
	}
	return lk, nil
}

func printShow(w io.Writer, s *instore.Sale, lk lookup) error {
	t := newTable(w, "sale", s.RequestID)
	t.row("state", string(s.State))
	t.row("amount", money(s.Amount))
	t.row("acquirer", s.Acquirer)
	t.row("payment id", s.PaymentID)
	t.row("wallet", string(s.Wallet)+" ("+string(s.Method)+")")
	t.row("code", s.MaskedCode)
	t.row("store", s.Store.ID+" "+s.Store.Name+", terminal "+orDash(s.Store.TerminalID))
	t.row("recorded", stamp(s.CreatedAt))
	t.row("at acquirer", stamp(s.AcquirerTime))
	t.row("updated", stamp(s.UpdatedAt))
	if s.FailureCode != "" || s.FailureMessage != "" {
		t.row("failure", s.FailureCode+": "+s.FailureMessage)
	}
	how := "asked " + s.Acquirer + " just now"
	if !lk.asked {
		how = lk.note
	} else if lk.note != "" {
		how += "; " + lk.note
	}
	t.row("lookup", string(lk.status)+" ("+how+")")
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nrefunds (%d)\n", len(s.Refunds))
	if len(s.Refunds) > 0 {
		t = newTable(w, "  REFUND REQUEST ID", "STATE", "AMOUNT", "REFUND ID", "RECORDED", "FAILURE")
		for _, r := range s.Refunds {
			t.row("  "+r.RefundRequestID, string(r.State), money(r.Amount), r.RefundID, stamp(r.CreatedAt), r.FailureCode)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nhistory (%d)\n", len(s.History))
	t = newTable(w, "  AT", "STATE", "PAYMENT ID", "OWNER")
	for _, e := range s.History {
		t.row("  "+stamp(e.At), string(e.State), e.PaymentID, e.Owner)
	}
	return t.flush()
}

// refundJSON is a refund for machines.
type refundJSON struct {
	RefundRequestID string `json:"refund_request_id"`
	RequestID       string `json:"request_id"`
	Acquirer        string `json:"acquirer"`
	RefundID        string `json:"refund_id"`
	State           string `json:"state"`
	Amount          int64  `json:"amount"`
	Currency        string `json:"currency"`
	FailureCode     string `json:"failure_code"`
	FailureMessage  string `json:"failure_message"`
	CreatedAt       string `json:"created_at"`
	UpdatedAt       string `json:"updated_at"`
}

type eventJSON struct {
	At        string `json:"at"`
	State     string `json:"state"`
	PaymentID string `json:"payment_id"`
	Owner     string `json:"owner"`
}

type lookupJSON struct {
	Asked  bool   `json:"asked"`
	Status string `json:"status"`
	Note   string `json:"note"`
}

type showOutput struct {
	Sale    saleJSON     `json:"sale"`
	Refunds []refundJSON `json:"refunds"`
	History []eventJSON  `json:"history"`
	Lookup  lookupJSON   `json:"lookup"`
}

func showJSON(s *instore.Sale, lk lookup) showOutput {
	out := showOutput{
		Sale: toSaleJSON(s), Refunds: []refundJSON{}, History: []eventJSON{},
		Lookup: lookupJSON{Asked: lk.asked, Status: string(lk.status), Note: lk.note},
	}
	for _, r := range s.Refunds {
		out.Refunds = append(out.Refunds, refundJSON{
			RefundRequestID: r.RefundRequestID, RequestID: r.RequestID, Acquirer: r.Acquirer, RefundID: r.RefundID,
			State: string(r.State), Amount: r.Amount.Amount, Currency: string(r.Amount.Currency),
			FailureCode: r.FailureCode, FailureMessage: r.FailureMessage,
			CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt),
		})
	}
	for _, e := range s.History {
		out.History = append(out.History, eventJSON{At: stamp(e.At), State: string(e.State), PaymentID: e.PaymentID, Owner: e.Owner})
	}
	return out
}
