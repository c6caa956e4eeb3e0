package main

import (
	"context"
	"sync"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

// slowdown is how much slower than real time the simulated clock runs.
// Every sale of the simulated day is stamped at its place in the day, and
// the milliseconds it takes for real become microseconds, so that its
// timestamps, shown to the second, are the same on every run.
const slowdown = 1000

// simClock is the wall clock of the simulated day. It stands at the time
// set last, and moves on from there at 1/slowdown of real time. The
// simulators read it for the timestamps they give (WithClock), and
// clockedJournal maps the times a Checkout writes (on the real clock) onto
// it, so the journal, the acquirers and the reports all tell the
// simulated day's time.
type simClock struct {
	mu   sync.Mutex
	base time.Time // simulated time at start
	// start is the real time when base was set.
	start time.Time
}

// newSimClock returns a clock standing at t.
func newSimClock(t time.Time) *simClock {
	c := &simClock{}
	c.Set(t)
	return c
}

// Set puts the clock at t.
func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.start = t.UTC(), time.Now()
}

// Now is the simulated time now.
func (c *simClock) Now() time.Time { return c.sim(time.Now()) }

// sim maps a real time onto the simulated clock; zero stays zero.
func (c *simClock) sim(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(t.Sub(c.start) / slowdown)
}

// real maps a simulated time back onto the real clock; zero stays zero.
func (c *simClock) real(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(t.Sub(c.base) * slowdown)
}

// clockedJournal is the journal as a Checkout of the simulated day sees
// it. A Checkout reads the real clock (time.Now) for the times it writes
// and compares them with what it reads back (leases, the arrival
// horizon); the journal underneath holds simulated times. So the times a
// Checkout writes are mapped onto the simulated clock, and those it reads
// back are mapped home again, and both views stay consistent. The times
// the simulated acquirers give (Sale.AcquirerTime) are on the simulated
// clock already and are left alone, except PPRO's: PPRO answers with no
// time of its own, and its adapter stamps a payment with our clock.
type clockedJournal struct {
	j     storeJournal
	clock *simClock
}

// storeJournal is what the simulated day's journal underneath offers: a
// journal that names its owner and lease (package journal's Store).
type storeJournal interface {
	instore.Journal
	Owner() string
	Lease() time.Duration
}

var _ instore.Journal = (*clockedJournal)(nil)

// Owner names the owner the Checkout writes: the store's.
func (c *clockedJournal) Owner() string { return c.j.Owner() }

// Lease is the store's lease.
func (c *clockedJournal) Lease() time.Duration { return c.j.Lease() }

func (c *clockedJournal) toSim(s *instore.Sale) *instore.Sale {
	cp := *s
	cp.CreatedAt, cp.UpdatedAt, cp.LeaseUntil = c.clock.sim(s.CreatedAt), c.clock.sim(s.UpdatedAt), c.clock.sim(s.LeaseUntil)
	if s.Acquirer == ppro.AcquirerName {
		cp.AcquirerTime = c.clock.sim(s.AcquirerTime)
	}
	return &cp
}

func (c *clockedJournal) toReal(s *instore.Sale) *instore.Sale {
	s.CreatedAt, s.UpdatedAt, s.LeaseUntil = c.clock.real(s.CreatedAt), c.clock.real(s.UpdatedAt), c.clock.real(s.LeaseUntil)
	if s.Acquirer == ppro.AcquirerName {
		s.AcquirerTime = c.clock.real(s.AcquirerTime)
	}
	for i := range s.History {
		s.History[i].At = c.clock.real(s.History[i].At)
	}
	for _, r := range s.Refunds {
		c.refundToReal(r)
	}
	return s
}

func (c *clockedJournal) refundToSim(r *instore.RefundRecord) *instore.RefundRecord {
	cp := *r
	cp.CreatedAt, cp.UpdatedAt, cp.LeaseUntil = c.clock.sim(r.CreatedAt), c.clock.sim(r.UpdatedAt), c.clock.sim(r.LeaseUntil)
	return &cp
}

func (c *clockedJournal) refundToReal(r *instore.RefundRecord) {
	r.CreatedAt, r.UpdatedAt, r.LeaseUntil = c.clock.real(r.CreatedAt), c.clock.real(r.UpdatedAt), c.clock.real(r.LeaseUntil)
}

// Record implements instore.Journal.
func (c *clockedJournal) Record(ctx context.Context, s *instore.Sale) error {
	cp := c.toSim(s)
	err := c.j.Record(ctx, cp)
	s.Version = cp.Version
	return err
}

// Update implements instore.Journal.
func (c *clockedJournal) Update(ctx context.Context, s *instore.Sale) error {
	cp := c.toSim(s)
	err := c.j.Update(ctx, cp)
	s.Version = cp.Version
	return err
}

// Sale implements instore.Journal.
func (c *clockedJournal) Sale(ctx context.Context, requestID string) (*instore.Sale, error) {
	s, err := c.j.Sale(ctx, requestID)
	if err != nil {
		return nil, err
	}
	return c.toReal(s), nil
}

// Stale implements instore.Journal.
func (c *clockedJournal) Stale(ctx context.Context, now time.Time, limit int) ([]*instore.Sale, error) {
	sales, err := c.j.Stale(ctx, c.clock.sim(now), limit)
	for _, s := range sales {
		c.toReal(s)
	}
	return sales, err
}

// RecordRefund implements instore.Journal.
func (c *clockedJournal) RecordRefund(ctx context.Context, r *instore.RefundRecord) error {
	cp := c.refundToSim(r)
	err := c.j.RecordRefund(ctx, cp)
	r.Version = cp.Version
	return err
}

// UpdateRefund implements instore.Journal.
func (c *clockedJournal) UpdateRefund(ctx context.Context, r *instore.RefundRecord) error {
	cp := c.refundToSim(r)
	err := c.j.UpdateRefund(ctx, cp)
	r.Version = cp.Version
	return err
}

// Refund implements instore.Journal.
func (c *clockedJournal) Refund(ctx context.Context, refundRequestID string) (*instore.RefundRecord, error) {
	r, err := c.j.Refund(ctx, refundRequestID)
	if err != nil {
		return nil, err
	}
	c.refundToReal(r)
	return r, nil
}
