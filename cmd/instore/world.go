package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/instorepay/instore"
)

// journalReader is what the commands read from a journal themselves: one
// sale with its refunds and history, and lists of sales.
type journalReader interface {
	instore.SaleLister
	Sale(ctx context.Context, requestID string) (*instore.Sale, error)
}

// world is what a command runs against: a journal and the acquirers
// configured, real (from the environment) or simulated (--simulate).
type world struct {
	// journal is what a Checkout writes to; reader is what the commands
	// read. They are one journal, seen through the simulated clock by the
	// Checkout when the day is simulated.
	journal instore.Journal
	reader  journalReader
	// acquirers are the configured acquirers by name; omise is the Omise
	// client when Omise is configured (reconcile lists its charges).
	acquirers map[string]instore.Acquirer
	omise     *instore.Client
	// checkoutOptions tune the Checkout that recover, refund and show use.
	checkoutOptions []instore.CheckoutOption
	// now is the wall clock: the simulated one for a simulated day.
	now func() time.Time
	// unconfigured says how to configure an acquirer that is not.
	unconfigured string
	close        func()
}

// errNotConfigured is why a sale of an acquirer the environment does not
// configure is not checked, recovered or refunded.
var errNotConfigured = errors.New("acquirer not configured")

// acquirer returns the configured acquirer of that name.
func (w *world) acquirer(name string) (instore.Acquirer, error) {
	if a, ok := w.acquirers[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: %s", errNotConfigured, name)
}

// names lists the configured acquirers, sorted.
func (w *world) names() []string {
	var out []string
	for n := range w.acquirers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// needAcquirers is a configuration error (bad usage) when no acquirer is
// configured, saying how to configure one.
func (w *world) needAcquirers() error {
	if len(w.acquirers) == 0 {
		return configErrorf("no acquirer is configured; %s", w.unconfigured)
	}
	return nil
}

// checkout returns a Checkout over the journal that knows every configured
// acquirer, for Lookup, Recover and Refund. It never collects, so it routes
// no wallet. Its errors are configuration errors: a Checkout cannot be
// built from what was configured.
func (w *world) checkout() (*instore.Checkout, error) {
	if err := w.needAcquirers(); err != nil {
		return nil, err
	}
	opts := []instore.CheckoutOption{instore.WithJournal(w.journal)}
	for _, name := range w.names() {
		opts = append(opts, instore.WithAcquirer(w.acquirers[name]))
	}
	c, err := instore.NewCheckout(append(opts, w.checkoutOptions...)...)
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	return c, nil
}
