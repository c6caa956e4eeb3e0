package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal"
)

// exampleLease is the example's lease on the sales it works on: far
// shorter than journal.DefaultLease, so that the crash demo's second
// process can take over the dead one's sale within seconds. A POS keeps the
// default, or sets what its restart time allows.
const exampleLease = 2 * time.Second

// openJournal opens the sales journal at path, or, with no path, a new one
// in a temporary directory, and says where it is: the sale is on record
// there before its pay leaves, and stays there after the example ends.
func openJournal(ctx context.Context, path string, stdout io.Writer) (*journal.Store, error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "instore-checkout-")
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, "sales.db")
	}
	store, err := journal.OpenSQLite(ctx, path, journal.WithLease(exampleLease))
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stdout, "(journal:", path+")")
	return store, nil
}

// recoverJournal is what a till's process does when it starts again after
// a crash: it recovers the sales its journal holds in flight, and reports
// each. It returns the exit status: 0 when every sale is settled.
func recoverJournal(ctx context.Context, checkout *instore.Checkout, say func(step, detail string)) int {
	// A process that died holds its sales until its lease runs out: only
	// then can another be sure it is gone.
	say("waiting", fmt.Sprintf("%s for a dead process's lease to run out", exampleLease))
	select {
	case <-time.After(exampleLease):
	case <-ctx.Done():
		return 1
	}
	report, err := checkout.Recover(ctx)
	if err != nil {
		say("recover", "failed: "+err.Error())
		return 2
	}
	if len(report.Sales) == 0 {
		say("recover", "nothing in flight")
	}
	for _, s := range report.Sales {
		detail := fmt.Sprintf("request %s, left %s: ", s.RequestID, s.From)
		if s.Resolved() {
			detail += fmt.Sprintf("%s %s %s", s.Payment.Status, s.Payment.Amount, s.Payment.ID)
		} else {
			detail += "still unresolved: " + s.Err.Error()
		}
		say("recovered", fmt.Sprintf("%s (%d inquiries, %d cancels)", detail, s.Inquiries, s.Cancels))
	}
	if report.Unresolved() > 0 {
		return 1
	}
	return 0
}
