package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/journal/journaltest"
)

// frozenAcquirer is a POS process that froze (a stuck GC, a VM paused,
// a process stopped): its pays go out, then every other call hangs, deaf
// to its context, until thaw.
type frozenAcquirer struct {
	instore.Acquirer
	stuck chan<- string
	thaw  <-chan struct{}
}

func (f frozenAcquirer) freeze(p *instore.Payment) error {
	f.stuck <- p.RequestID
	<-f.thaw
	return errors.New("frozen process woke up")
}

func (f frozenAcquirer) Inquire(_ context.Context, p *instore.Payment) (*instore.Payment, error) {
	return nil, f.freeze(p)
}

func (f frozenAcquirer) Cancel(_ context.Context, p *instore.Payment) (*instore.Payment, error) {
	return nil, f.freeze(p)
}

// TestPostgresFleetTakesOverAFrozenMember: three POS backends share one
// journal on PostgreSQL. One freezes in the middle of its sales; once its
// leases ran out, the other two recover its sales, at once, and each sale
// is resolved exactly once, to the acquirer's truth. When the frozen one
// wakes up, it finds its sales taken over and writes nothing over them.
//
// This test runs on real time (a database cannot join a synctest bubble):
// it waits for leases of a second. A survivor renews its lease only when
// half of it is left, so a step of its recovery (an inquiry, a journal
// commit) that stalls past that half lets the other survivor take the sale
// from under it: the lease is long enough that a slow, loaded machine does
// not stall that long, and short enough to keep the test quick.
func TestPostgresFleetTakesOverAFrozenMember(t *testing.T) {
	t.Parallel()
	const sales, lease = 24, time.Second
	dsn := journaltest.PostgresDSN(t)
	schema := journaltest.SchemaName(t)
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	sim := instoretest.NewOmiseT(t)
	client, err := sim.Client()
	require.NoError(t, err)
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	ms := time.Millisecond
	checkout := func(owner string, a instore.Acquirer) *instore.Checkout {
		store := openPostgresSchema(t, dsn, schema, WithOwner(owner), WithLease(lease))
		c, err := instore.NewCheckout(
			instore.WithRoute(instore.WalletAlipay, a, instore.MethodAlipayPlusUPM),
			instore.WithJournal(store),
			instore.WithSchedule(instore.Schedule{Inquiry: []time.Duration{20 * ms, 20 * ms}, Cancel: []time.Duration{20 * ms, 20 * ms}}),
		)
		require.NoError(t, err)
		return c
	}
	stuck, thaw := make(chan string, sales), make(chan struct{})
	frozen := checkout("pos-a", frozenAcquirer{Acquirer: acq, stuck: stuck, thaw: thaw})
	b, c := checkout("pos-b", acq), checkout("pos-c", acq)

	// pos-a takes its sales and freezes in each, right after the pay.
	outcomes := []instoretest.Outcome{instoretest.Succeed, instoretest.NeverCompletes, instoretest.ConfirmOnInquiry(1), instoretest.DeclineInsufficientBalance}
	type result struct {
		p   *instore.Payment
		err error
	}
	frozenResults := make([]result, sales)
	var frozenWG, paidWG sync.WaitGroup
	frozenSales := map[string]bool{} // the ones not final after the pay, which reach an inquiry
	for i := range sales {
		o := outcomes[i%len(outcomes)]
		id := fmt.Sprintf("fleet-%02d", i)
		collect := func() {
			p, err := frozen.Collect(t.Context(), &instore.CollectRequest{
				Code: instoretest.AlipayCode(o, uint64(i)), Amount: instore.Money{Amount: 10_000, Currency: instore.THB},
				RequestID: id,
			})
			frozenResults[i] = result{p, err}
		}
		if o == instoretest.Succeed || o == instoretest.DeclineInsufficientBalance {
			paidWG.Go(collect)
			continue
		}
		frozenSales[id] = true
		frozenWG.Go(collect)
	}
	// The sales that end at the pay must have ended before the survivors
	// look, however slow the machine: one still in flight past its lease
	// would be taken over too.
	paid := make(chan struct{})
	go func() { paidWG.Wait(); close(paid) }()
	for froze := 0; paid != nil || froze < len(frozenSales); {
		select {
		case <-paid:
			paid = nil
		case id := <-stuck:
			require.True(t, frozenSales[id], "%s froze, though its pay was final", id)
			froze++
		}
	}

	// Once the leases ran out, pos-b and pos-c recover at once, until the
	// journal holds nothing in flight.
	time.Sleep(lease)
	reports := make([][]instore.RecoveredSale, 2)
	var wg sync.WaitGroup
	for i, member := range []*instore.Checkout{b, c} {
		wg.Go(func() {
			for range 20 {
				r, err := member.Recover(t.Context())
				if err != nil {
					t.Errorf("recover: %v", err)
					return
				}
				reports[i] = append(reports[i], r.Sales...)
				if len(r.Sales) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()

	resolved := map[string]int{}
	for _, report := range reports {
		for _, s := range report {
			assert.True(t, s.Resolved(), "%s: %v", s.RequestID, s.Err)
			resolved[s.RequestID]++
		}
	}
	for id := range frozenSales {
		assert.Equal(t, 1, resolved[id], "%s resolved once, by one member", id)
	}
	assert.Len(t, resolved, len(frozenSales), "only the frozen member's sales in flight were taken over")
	assert.NotEmpty(t, reports[0], "pos-b took some")
	assert.NotEmpty(t, reports[1], "pos-c took some")

	// pos-a wakes up: each of its sales in flight was taken over, so it
	// stops, and writes nothing over the survivors' record.
	close(thaw)
	frozenWG.Wait()
	for i, r := range frozenResults {
		id := fmt.Sprintf("fleet-%02d", i)
		if frozenSales[id] {
			require.ErrorIs(t, r.err, instore.ErrPaymentUnresolved, id)
			require.ErrorIs(t, r.err, instore.ErrJournalConflict, "%s: it learned it lost the sale", id)
		}
	}
	store := openPostgresSchema(t, dsn, schema, WithOwner("auditor"))
	for i := range sales {
		id := fmt.Sprintf("fleet-%02d", i)
		s, err := store.Sale(t.Context(), id)
		require.NoError(t, err)
		require.True(t, s.State.Final(), "%s: %s", id, s.State)
		entries := sim.Payments(id)
		require.Len(t, entries, 1, "%s paid once", id)
		assert.Equal(t, entries[0].Captured, s.State == instore.SaleSucceeded, "%s: journal %s, ledger %+v", id, s.State, entries[0])
		if frozenSales[id] {
			assert.NotEqual(t, "pos-a", s.History[len(s.History)-1].Owner, "%s: the last word is a survivor's", id)
		}
	}
}
