package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/journal"
	"github.com/instorepay/instore/ppro"
)

// The simulated day (--simulate): the same sales on every run, so that a
// new user, a test and the make smoke test all see the same report.
const (
	// defaultSimulatedSales is how many sales the simulated day holds: a
	// busy shop's day, short enough to read as a table.
	defaultSimulatedSales = 200
	// simulatedOwner names the simulated till in the journal, so that the
	// history of a sale reads the same on every run.
	simulatedOwner = "simulated-till"
)

// simulatedDay is the day --simulate sells on: in the past, as the day an
// operator reconciles the morning after is.
var simulatedDay = time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)

// simulatedMorning is when the operator works on the simulated day: the
// next morning, after every sale of the day and before any payment left
// pending in it expires at its acquirer (Omise: 24 hours).
var simulatedMorning = simulatedDay.Add(25 * time.Hour)

// simSchedule is the Checkout's schedule in the simulated day: the
// simulators answer at once, so waiting Antom's 38 s would only be slow.
var simSchedule = instore.Schedule{
	Inquiry: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond},
	Cancel:  []time.Duration{time.Millisecond, time.Millisecond},
}

// simJournal is the journal a simulated day is kept in.
type simJournal interface {
	storeJournal
	journalReader
	Close() error
}

// simulation is a simulated day: the simulators, the journal and what was
// seeded in it.
type simulation struct {
	clock      *simClock
	omise      *instoretest.Omise
	alipayPlus *instoretest.AlipayPlus
	ppro       *instoretest.PPRO
	store      simJournal
	// seeded lists the discrepancies the day was seeded with.
	seeded []seededDiscrepancy
	// sales is the number of sales in the journal.
	sales int
}

// simConfig chooses the size of the day and its journal.
type simConfig struct {
	sales int
	// open opens the journal; nil means a new SQLite file in a temporary
	// directory, removed at close.
	open func(ctx context.Context, opts ...journal.Option) (simJournal, func(), error)
}

// openTempSQLite opens a new SQLite journal in a temporary directory.
func openTempSQLite(ctx context.Context, opts ...journal.Option) (simJournal, func(), error) {
	dir, err := os.MkdirTemp("", "instore-simulate-")
	if err != nil {
		return nil, nil, err
	}
	s, err := journal.OpenSQLite(ctx, filepath.Join(dir, "journal.db"), opts...)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	return s, func() { _ = os.RemoveAll(dir) }, nil
}

// simulate starts the simulators, opens the journal and sells the
// simulated day through them. The day is made anew in every process: the
// simulators live in it.
func simulate(ctx context.Context, cfg simConfig) (w *world, sim *simulation, err error) {
	if cfg.sales == 0 {
		cfg.sales = defaultSimulatedSales
	}
	if cfg.open == nil {
		cfg.open = openTempSQLite
	}
	sim = &simulation{clock: newSimClock(simulatedDay)}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	opts := []instoretest.Option{instoretest.WithClock(sim.clock.Now)}
	sim.omise = instoretest.NewOmise(opts...)
	closers = append(closers, sim.omise.Close)
	sim.alipayPlus = instoretest.NewAlipayPlus(opts...)
	closers = append(closers, sim.alipayPlus.Close)
	ack := instoretest.HandlerClient(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	sim.ppro = instoretest.NewPPRO(append(opts, instoretest.WithNotifyClient(ack))...)
	closers = append(closers, sim.ppro.Close)

	store, cleanup, err := cfg.open(ctx, journal.WithOwner(simulatedOwner))
	if err != nil {
		return nil, nil, fmt.Errorf("opening the simulated journal: %w", err)
	}
	closers = append(closers, cleanup, func() { _ = store.Close() })
	sim.store = store

	w = &world{
		journal:         &clockedJournal{j: store, clock: sim.clock},
		reader:          store,
		acquirers:       make(map[string]instore.Acquirer),
		checkoutOptions: []instore.CheckoutOption{instore.WithSchedule(simSchedule)},
		now:             sim.clock.Now,
		unconfigured:    "the simulated day configures every acquirer",
		close:           closeAll,
	}
	if err := sim.acquirers(w); err != nil {
		return nil, nil, err
	}
	if err := sim.seed(ctx, w, cfg.sales); err != nil {
		return nil, nil, fmt.Errorf("seeding the simulated day: %w", err)
	}
	sim.clock.Set(simulatedMorning)
	return w, sim, nil
}

// acquirers configures the three acquirers against the simulators.
func (sim *simulation) acquirers(w *world) error {
	oc, err := sim.omise.Client()
	if err != nil {
		return err
	}
	omise, err := instore.NewOmiseAcquirer(oc, instore.OmiseAcquirerConfig{})
	if err != nil {
		return err
	}
	ac, err := sim.alipayPlus.Client()
	if err != nil {
		return err
	}
	alipay, err := alipayplus.NewAcquirer(ac, alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-SIM-0001", Name: "instore simulated shop", MCC: "5812",
			Store: alipayplus.Store{ReferenceStoreID: "SIN-01", Name: "Orchard", MCC: "5812"},
		},
	})
	if err != nil {
		return err
	}
	pc, err := sim.ppro.Client()
	if err != nil {
		return err
	}
	pp, err := ppro.NewAcquirer(pc, ppro.AcquirerConfig{NotificationURL: "https://pos.example.ch/ppro/notify"})
	if err != nil {
		return err
	}
	w.omise = oc
	w.acquirers[omise.Name()] = omise
	w.acquirers[alipay.Name()] = alipay
	w.acquirers[pp.Name()] = pp
	return nil
}
