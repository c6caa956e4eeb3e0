package instore

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Bounds of a MemoryJournal when NewMemoryJournal is given zero.
const (
	// defaultMemorySales holds a busy shop's day many times over (a till
	// takes a few hundred sales a day) in some tens of megabytes.
	defaultMemorySales = 100_000
	// defaultMemoryAge covers the window in which a POS retries a sale or a
	// cashier refunds one at the counter.
	defaultMemoryAge = 24 * time.Hour
)

// MemoryJournal is a [Journal] and [SaleLister] that keeps its sales in the
// memory of one process. It is what a [Checkout] uses when no journal is
// given: it makes Collect idempotent by request id for the life of the
// process, and it does not survive a restart (package journal does).
//
// It is bounded. A final sale whose last write (the latest UpdatedAt of the
// sale and its refunds) is older than maxAge is dropped, and when the journal
// holds more than maxSales sales the final ones written longest ago are
// dropped first. A sale that is not final, or has a refund that is not
// final, is never dropped, whatever the bounds say: it is money in flight.
// A sale's refunds and history go with it. Dropping happens on writes and
// costs O(log n) per sale dropped, so a write is amortised O(log n).
//
// Times are kept in UTC at microsecond precision, as package journal stores
// them, and every value returned is a copy the caller may change freely.
type MemoryJournal struct {
	maxSales int
	maxAge   time.Duration

	mu      sync.Mutex
	sales   map[string]*memSale
	refunds map[string]*RefundRecord
	// pinned holds the sales that may not be dropped: not final, or with a
	// refund that is not final. Stale reads it instead of every sale.
	pinned map[string]*memSale
	// droppable holds the other sales, the least recently written on top.
	droppable memHeap
	// orphans are the refunds of sales the journal does not hold, in the
	// order they were recorded; they are dropped as sales are, once final.
	orphans []*RefundRecord
}

// memSale is a sale as a MemoryJournal holds it.
type memSale struct {
	sale    Sale // Refunds and History are nil here
	history []SaleEvent
	refunds []*RefundRecord
	// openRefunds counts the refunds that are not final.
	openRefunds int
	// touched is the latest UpdatedAt of the sale and its refunds: the
	// age by which a droppable sale is dropped.
	touched time.Time
	// index is the sale's place in droppable, or -1.
	index int
}

var (
	_ Journal    = (*MemoryJournal)(nil)
	_ SaleLister = (*MemoryJournal)(nil)
)

// NewMemoryJournal returns an empty MemoryJournal that holds at most
// maxSales sales (beyond the ones in flight) for at most maxAge after their
// last write. Zero (or less) means the defaults: 100,000 sales and 24 hours.
func NewMemoryJournal(maxSales int, maxAge time.Duration) *MemoryJournal {
	if maxSales <= 0 {
		maxSales = defaultMemorySales
	}
	if maxAge <= 0 {
		maxAge = defaultMemoryAge
	}
	return &MemoryJournal{
		maxSales: maxSales,
		maxAge:   maxAge,
		sales:    make(map[string]*memSale),
		refunds:  make(map[string]*RefundRecord),
		pinned:   make(map[string]*memSale),
	}
}

// Record implements [Journal].
func (j *MemoryJournal) Record(ctx context.Context, s *Sale) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("instore: record sale: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.sales[s.RequestID]; ok {
		return fmt.Errorf("instore: record sale: %w", ErrSaleExists)
	}
	ms := &memSale{sale: storedSale(s, 1), index: -1}
	ms.history = append(ms.history, eventOf(&ms.sale))
	j.sales[s.RequestID] = ms
	j.place(ms)
	j.drop()
	s.Version = 1
	return nil
}

// Update implements [Journal].
func (j *MemoryJournal) Update(ctx context.Context, s *Sale) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("instore: update sale: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	ms, ok := j.sales[s.RequestID]
	if !ok {
		return fmt.Errorf("instore: update sale: %w", ErrSaleNotFound)
	}
	if ms.sale.Version != s.Version {
		return fmt.Errorf("instore: update sale: %w", ErrJournalConflict)
	}
	ms.sale = storedSale(s, s.Version+1)
	ms.history = append(ms.history, eventOf(&ms.sale))
	j.place(ms)
	j.drop()
	s.Version++
	return nil
}

// Sale implements [Journal].
func (j *MemoryJournal) Sale(ctx context.Context, requestID string) (*Sale, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("instore: read sale: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	ms, ok := j.sales[requestID]
	if !ok {
		return nil, fmt.Errorf("instore: read sale: %w", ErrSaleNotFound)
	}
	s := ms.sale
	s.History = slices.Clone(ms.history)
	for _, r := range ms.refunds {
		c := *r
		s.Refunds = append(s.Refunds, &c)
	}
	slices.SortStableFunc(s.Refunds, compareRefunds)
	return &s, nil
}

// Stale implements [Journal].
func (j *MemoryJournal) Stale(ctx context.Context, now time.Time, limit int) ([]*Sale, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("instore: stale sales: %w", err)
	}
	if limit <= 0 {
		return nil, nil
	}
	j.mu.Lock()
	var out []*Sale
	for _, ms := range j.pinned {
		if !ms.sale.State.Final() && ms.sale.LeaseUntil.Before(now) {
			s := ms.sale
			out = append(out, &s)
		}
	}
	j.mu.Unlock()
	slices.SortFunc(out, compareOldest)
	if len(out) > limit {
		out = out[:limit:limit]
	}
	return out, nil
}

// Sales implements [SaleLister]. It reads every sale held, which is fine for
// an operator's query and no part of taking a sale.
func (j *MemoryJournal) Sales(ctx context.Context, q SaleQuery) ([]*Sale, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("instore: list sales: %w", err)
	}
	j.mu.Lock()
	var out []*Sale
	for _, ms := range j.sales {
		if q.matches(&ms.sale) {
			s := ms.sale
			out = append(out, &s)
		}
	}
	j.mu.Unlock()
	slices.SortFunc(out, func(a, b *Sale) int { return compareOldest(b, a) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit:q.Limit]
	}
	return out, nil
}

// RecordRefund implements [Journal]. A refund of a sale the journal does
// not hold (dropped, or taken by another process) is kept as an orphan,
// under the same bounds as sales.
func (j *MemoryJournal) RecordRefund(ctx context.Context, r *RefundRecord) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("instore: record refund: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.refunds[r.RefundRequestID]; ok {
		return fmt.Errorf("instore: record refund: %w", ErrRefundExists)
	}
	stored := storedRefund(r, r.RequestID, 1)
	j.refunds[r.RefundRequestID] = stored
	r.Version = 1
	ms, ok := j.sales[r.RequestID]
	if !ok {
		j.orphans = append(j.orphans, stored)
		j.drop()
		return nil
	}
	ms.refunds = append(ms.refunds, stored)
	if !stored.State.Final() {
		ms.openRefunds++
	}
	j.place(ms)
	j.drop()
	return nil
}

// UpdateRefund implements [Journal]. A refund stays with the sale it was
// recorded for: r.RequestID is not written.
func (j *MemoryJournal) UpdateRefund(ctx context.Context, r *RefundRecord) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("instore: update refund: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	stored, ok := j.refunds[r.RefundRequestID]
	if !ok {
		return fmt.Errorf("instore: update refund: %w", ErrRefundNotFound)
	}
	if stored.Version != r.Version {
		return fmt.Errorf("instore: update refund: %w", ErrJournalConflict)
	}
	ms := j.sales[stored.RequestID]
	if ms != nil && !slices.Contains(ms.refunds, stored) {
		// An orphan whose sale was recorded after it: the sale's count of
		// open refunds never included it, and must not move for it.
		ms = nil
	}
	wasOpen := !stored.State.Final()
	// The record is replaced in place: the sale's list points at it.
	*stored = *storedRefund(r, stored.RequestID, r.Version+1)
	r.Version++
	if ms == nil {
		j.drop()
		return nil
	}
	switch isOpen := !stored.State.Final(); {
	case wasOpen && !isOpen:
		ms.openRefunds--
	case !wasOpen && isOpen:
		ms.openRefunds++
	}
	j.place(ms)
	j.drop()
	return nil
}

// Refund implements [Journal].
func (j *MemoryJournal) Refund(ctx context.Context, refundRequestID string) (*RefundRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("instore: read refund: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	stored, ok := j.refunds[refundRequestID]
	if !ok {
		return nil, fmt.Errorf("instore: read refund: %w", ErrRefundNotFound)
	}
	r := *stored
	return &r, nil
}

// place files ms as pinned or droppable after a write, and refreshes the
// age it is dropped by.
func (j *MemoryJournal) place(ms *memSale) {
	ms.touched = ms.sale.UpdatedAt
	for _, r := range ms.refunds {
		if r.UpdatedAt.After(ms.touched) {
			ms.touched = r.UpdatedAt
		}
	}
	if !ms.sale.State.Final() || ms.openRefunds > 0 {
		j.pinned[ms.sale.RequestID] = ms
		if ms.index >= 0 {
			heap.Remove(&j.droppable, ms.index)
		}
		return
	}
	delete(j.pinned, ms.sale.RequestID)
	if ms.index >= 0 {
		heap.Fix(&j.droppable, ms.index)
	} else {
		heap.Push(&j.droppable, ms)
	}
}

// drop removes the droppable sales that are past maxAge, and then the
// oldest ones while more than maxSales are held. Each sale is dropped once,
// so the cost is amortised over the writes that added them.
func (j *MemoryJournal) drop() {
	cutoff := time.Now().Add(-j.maxAge)
	for j.droppable.Len() > 0 {
		oldest := j.droppable[0]
		if !oldest.touched.Before(cutoff) && len(j.sales) <= j.maxSales {
			break // the orphans have bounds of their own, checked below
		}
		heap.Pop(&j.droppable)
		delete(j.sales, oldest.sale.RequestID)
		for _, r := range oldest.refunds {
			delete(j.refunds, r.RefundRequestID)
		}
	}
	j.dropOrphans(cutoff)
}

// dropOrphans removes the oldest final orphan refunds past maxAge, or
// while more than maxSales are held. One still in flight stops it: the
// refunds behind it wait, as it is money in flight.
func (j *MemoryJournal) dropOrphans(cutoff time.Time) {
	n := 0
	for _, r := range j.orphans {
		if !r.State.Final() || !r.UpdatedAt.Before(cutoff) && len(j.orphans)-n <= j.maxSales {
			break
		}
		delete(j.refunds, r.RefundRequestID)
		n++
	}
	j.orphans = j.orphans[n:]
}

// memHeap orders droppable sales by their last write, oldest on top.
type memHeap []*memSale

func (h memHeap) Len() int { return len(h) }

func (h memHeap) Less(a, b int) bool {
	if c := h[a].touched.Compare(h[b].touched); c != 0 {
		return c < 0
	}
	return h[a].sale.RequestID < h[b].sale.RequestID
}

func (h memHeap) Swap(a, b int) {
	h[a], h[b] = h[b], h[a]
	h[a].index = a
	h[b].index = b
}

func (h *memHeap) Push(x any) {
	ms := x.(*memSale)
	ms.index = len(*h)
	*h = append(*h, ms)
}

func (h *memHeap) Pop() any {
	old := *h
	ms := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	ms.index = -1
	return ms
}

// matches reports whether q selects s.
func (q *SaleQuery) matches(s *Sale) bool {
	switch {
	case !q.From.IsZero() && s.CreatedAt.Before(q.From),
		!q.To.IsZero() && !s.CreatedAt.Before(q.To),
		len(q.States) > 0 && !slices.Contains(q.States, s.State),
		q.Acquirer != "" && s.Acquirer != q.Acquirer,
		q.StoreID != "" && s.Store.ID != q.StoreID:
		return false
	}
	return true
}

// compareOldest orders sales by creation, then request id, as package
// journal's queries do.
func compareOldest(a, b *Sale) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.RequestID, b.RequestID)
}

// compareRefunds orders refunds by creation, then refund request id.
func compareRefunds(a, b *RefundRecord) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.RefundRequestID, b.RefundRequestID)
}

// storedSale is the copy of s a journal keeps at version v: times in UTC
// at microsecond precision, without refunds or history.
func storedSale(s *Sale, v int64) Sale {
	c := *s
	c.Refunds, c.History = nil, nil
	c.CreatedAt = journalTime(c.CreatedAt)
	c.AcquirerTime = journalTime(c.AcquirerTime)
	c.UpdatedAt = journalTime(c.UpdatedAt)
	c.LeaseUntil = journalTime(c.LeaseUntil)
	c.Version = v
	return c
}

// storedRefund is the copy of r a journal keeps at version v, for the sale
// requestID.
func storedRefund(r *RefundRecord, requestID string, v int64) *RefundRecord {
	c := *r
	c.RequestID = requestID
	c.CreatedAt = journalTime(c.CreatedAt)
	c.UpdatedAt = journalTime(c.UpdatedAt)
	c.LeaseUntil = journalTime(c.LeaseUntil)
	c.Version = v
	return &c
}

// eventOf is the history entry of a write that left the sale as s.
func eventOf(s *Sale) SaleEvent {
	return SaleEvent{At: s.UpdatedAt, State: s.State, PaymentID: s.PaymentID, Owner: s.Owner}
}

// journalTime is t as a journal returns it: UTC, truncated to the
// microsecond that SQLite and PostgreSQL keep, without a monotonic reading.
func journalTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
