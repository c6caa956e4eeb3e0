package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func reconcileCommand() *command {
	return &command{
		name:  "reconcile",
		usage: "[--journal J | --simulate] [--from DATE] [--to DATE] [--json | --csv]",
		short: "compare the journal with the acquirers' own records",
		long: `
Reconcile asks the acquirer about every sale the journal recorded in the
period (from <= recorded < to), one inquiry each, and compares its state
with the journal's. For Omise it also lists the charges created in the
period, and finds those the journal does not account for. Each sale or
charge falls in one class:

	matched                   the acquirer's state is the journal's
	state differs             the acquirer settled it otherwise (or for
	                          another amount), or settled a sale the journal
	                          holds as not final (instore recover records it)
	unresolved                not final in the journal, and the acquirer does
	                          not settle it either
	missing at the acquirer   the journal holds a payment the acquirer does
	                          not have
	orphan at the acquirer    an Omise charge with an instore_request_id the
	                          journal does not hold: money taken with no sale
	                          recorded (or a second charge for a sale)
	taken outside instore     an Omise charge with no instore_request_id (the
	                          dashboard, another integration)
	not checked               the acquirer is not configured, or did not answer

Alipay+ and PPRO offer no list of payments, so orphans are found at Omise
only. Refunds are not reconciled.

The report gives the count per class and one line per discrepancy (every
class but matched). --json prints one object per discrepancy ("kind":
"discrepancy"), then one with the counts ("kind": "summary"); --csv prints
the discrepancies only. A DATE is a UTC day (2026-03-02) or an RFC 3339
time. Without --from and --to the period is yesterday (UTC); with one of
them, the 24 hours from or to it. On a terminal a progress line shows on
standard error.

The exit status is 0 only when everything matched, and 3 when the report
holds any discrepancy.`,
		example: `
instore reconcile --journal sqlite:/var/lib/pos/journal.db --from 2026-03-02 --to 2026-03-03
instore reconcile --simulate`,
		csv: true,
		flags: func(fs *flag.FlagSet, inv *invocation) {
			fs.StringVar(&inv.from, "from", "", "reconcile sales recorded at or after `DATE` (default: yesterday, UTC)")
			fs.StringVar(&inv.to, "to", "", "reconcile sales recorded before `DATE`")
		},
		run: runReconcile,
	}
}

// period reads --from and --to; a bound not given is 24 hours from the
// other, and with neither the period is yesterday by now.
func (inv *invocation) period(now time.Time) (from, to time.Time, err error) {
	if from, err = parseTime("--from", inv.from); err != nil {
		return from, to, err
	}
	if to, err = parseTime("--to", inv.to); err != nil {
		return from, to, err
	}
	switch {
	case from.IsZero() && to.IsZero():
		to = now.UTC().Truncate(24 * time.Hour)
		from = to.Add(-24 * time.Hour)
	case to.IsZero():
		to = from.Add(24 * time.Hour)
	case from.IsZero():
		from = to.Add(-24 * time.Hour)
	}
	if !from.Before(to) {
		return from, to, errors.New("--from must be before --to")
	}
	return from, to, nil
}

func runReconcile(ctx context.Context, a *app, inv *invocation) int {
	if err := inv.wantArgs(0); err != nil {
		return a.usageError(inv.cmd, err)
	}
	if _, _, err := inv.period(time.Now()); err != nil {
		return a.usageError(inv.cmd, err)
	}
	w, err := a.world(ctx, inv, true)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	defer w.close()
	if err := w.needAcquirers(); err != nil {
		return a.fail(inv.cmd, err)
	}
	from, to, _ := inv.period(w.now())
	rc := &reconciler{w: w}
	if a.stderrTTY {
		p := &progressLine{w: a.stderr}
		rc.progress = p.show
		defer p.clear()
	}
	rep, err := rc.run(ctx, from, to)
	if err != nil {
		return a.fail(inv.cmd, err)
	}
	if err := printReport(a, inv.format(), rep, w.names()); err != nil {
		return a.fail(inv.cmd, err)
	}
	if rep.discrepancies() > 0 {
		return exitAttention
	}
	return exitOK
}

// findingJSON is one discrepancy for machines.
type findingJSON struct {
	Kind          string `json:"kind"`
	Class         string `json:"class"`
	RequestID     string `json:"request_id"`
	Acquirer      string `json:"acquirer"`
	PaymentID     string `json:"payment_id"`
	JournalState  string `json:"journal_state"`
	AcquirerState string `json:"acquirer_state"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	CreatedAt     string `json:"created_at"`
	Detail        string `json:"detail"`
}

// summaryJSON is the counts of a reconcile, for machines.
type summaryJSON struct {
	Kind          string         `json:"kind"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	Acquirers     []string       `json:"acquirers"`
	Counts        map[string]int `json:"counts"`
	Discrepancies int            `json:"discrepancies"`
	Notes         []string       `json:"notes"`
}

func toFindingJSON(f *finding) findingJSON {
	return findingJSON{
		Kind: "discrepancy", Class: f.class.key(), RequestID: f.requestID, Acquirer: f.acquirer, PaymentID: f.paymentID,
		JournalState: f.journalState, AcquirerState: f.acquirerState, Amount: f.amount.Amount,
		Currency: string(f.amount.Currency), CreatedAt: stamp(f.createdAt), Detail: f.detail,
	}
}

func printReport(a *app, f format, rep *report, acquirers []string) error {
	switch f {
	case formatJSON:
		out := newJSONLines(a.stdout)
		for i := range rep.findings {
			if err := out.write(toFindingJSON(&rep.findings[i])); err != nil {
				return err
			}
		}
		sum := summaryJSON{
			Kind: "summary", From: stamp(rep.from), To: stamp(rep.to), Acquirers: acquirers,
			Counts: make(map[string]int), Discrepancies: rep.discrepancies(), Notes: append([]string{}, rep.notes...),
		}
		for c := range numClasses {
			sum.Counts[c.key()] = rep.counts[c]
		}
		return out.write(sum)
	case formatCSV:
		out := newCSV(a.stdout, "class", "request_id", "acquirer", "payment_id", "journal_state", "acquirer_state",
			"amount", "currency", "created_at", "detail")
		for i := range rep.findings {
			j := toFindingJSON(&rep.findings[i])
			out.row(j.Class, j.RequestID, j.Acquirer, j.PaymentID, j.JournalState, j.AcquirerState,
				strconv.FormatInt(j.Amount, 10), j.Currency, j.CreatedAt, j.Detail)
		}
		return out.flush()
	}
	return printReportText(a, rep, acquirers)
}

func printReportText(a *app, rep *report, acquirers []string) error {
	w := a.stdout
	fmt.Fprintf(w, "reconcile %s to %s, acquirers %s\n", stamp(rep.from), stamp(rep.to), strings.Join(acquirers, ", "))
	for _, n := range rep.notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
	t := newTable(w, "  CLASS", "COUNT")
	for c := range numClasses {
		t.row("  "+c.String(), strconv.Itoa(rep.counts[c]))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if rep.discrepancies() == 0 {
		fmt.Fprintln(w, "\nno discrepancies: everything matched")
		return nil
	}
	fmt.Fprintln(w)
	t = newTable(w, "CLASS", "REQUEST ID", "ACQUIRER", "PAYMENT ID", "JOURNAL", "AT ACQUIRER", "AMOUNT", "TIME", "DETAIL")
	for i := range rep.findings {
		f := &rep.findings[i]
		t.row(f.class.String(), f.requestID, f.acquirer, f.paymentID, f.journalState, f.acquirerState,
			money(f.amount), stamp(f.createdAt), f.detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s found\n", plural(rep.discrepancies(), "discrepancy", "discrepancies"))
	return nil
}
