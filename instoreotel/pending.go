package instoreotel

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/instorepay/instore"
)

// PendingRecoveryCap is the most sales the pending-recovery gauge reads
// from a journal at each collection: a dead till's backlog is a handful
// of sales, and ten thousand already says "page someone". A gauge at the
// cap means at least that many.
const PendingRecoveryCap = 10_000

// pendingRecoveryTimeout bounds one journal's read at a collection, so that
// a journal that hangs cannot hold up the metrics of everything else.
const pendingRecoveryTimeout = 5 * time.Second

// pendingRecovery is the observable gauge of the sales the Observer's
// journals hold as not final with no live owner.
type pendingRecovery struct {
	gauge metric.Int64ObservableGauge
	reg   metric.Registration

	mu       sync.Mutex
	journals []instore.Journal
}

func newPendingRecovery(m metric.Meter) (*pendingRecovery, error) {
	p := &pendingRecovery{}
	g, err := m.Int64ObservableGauge(MetricSalesPendingRecovery, metric.WithUnit("{sale}"),
		metric.WithDescription("Sales not final whose owner is gone: what Checkout.Recover would take over."))
	if err != nil {
		return nil, err
	}
	p.gauge = g
	if p.reg, err = m.RegisterCallback(p.observe, g); err != nil {
		return nil, err
	}
	return p, nil
}

// add makes the gauge count j's sales too, once however many Checkouts
// share it.
func (p *pendingRecovery) add(j instore.Journal) {
	if j == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, have := range p.journals {
		if same(have, j) {
			return
		}
	}
	p.journals = append(p.journals, j)
}

// same reports whether a and b are one journal. A journal whose dynamic type
// cannot be compared (a struct value holding a map) is never the same as
// another, rather than a panic.
func same(a, b instore.Journal) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// observe is the gauge's callback. It observes nothing until a Checkout
// handed over its journal.
func (p *pendingRecovery) observe(ctx context.Context, o metric.Observer) error {
	p.mu.Lock()
	journals := append([]instore.Journal(nil), p.journals...)
	p.mu.Unlock()
	if len(journals) == 0 {
		return nil
	}
	var total int64
	var errs []error
	for _, j := range journals {
		n, err := countPending(ctx, j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total += n
	}
	if len(errs) == len(journals) {
		// Nothing read: no value is better than a false zero.
		return errors.Join(errs...)
	}
	o.ObserveInt64(p.gauge, min(total, PendingRecoveryCap))
	return errors.Join(errs...)
}

// countPending counts j's sales pending recovery, up to the cap.
func countPending(ctx context.Context, j instore.Journal) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, pendingRecoveryTimeout)
	defer cancel()
	stale, err := j.Stale(ctx, time.Now(), PendingRecoveryCap)
	if err != nil {
		return 0, fmt.Errorf("instoreotel: counting the sales pending recovery: %w", err)
	}
	return int64(len(stale)), nil
}

func (p *pendingRecovery) close() error {
	p.mu.Lock()
	p.journals = nil
	p.mu.Unlock()
	return p.reg.Unregister()
}
