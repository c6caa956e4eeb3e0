package instore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tracingJournal is a journal that logs every write, and can fail writes
// of chosen states, for the write-ahead tests.
type tracingJournal struct {
	Journal
	mu     sync.Mutex
	log    *[]string
	failOn map[SaleState]error
	writes int
}

func (j *tracingJournal) note(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	*j.log = append(*j.log, s)
}

func (j *tracingJournal) Record(ctx context.Context, s *Sale) error {
	j.mu.Lock()
	j.writes++
	j.mu.Unlock()
	j.note("journal " + string(s.State))
	return j.Journal.Record(ctx, s)
}

// Update fails under a context that has ended, as a database's would: the
// write-ahead record must not depend on the cashier's patience.
func (j *tracingJournal) Update(ctx context.Context, s *Sale) error {
	j.mu.Lock()
	j.writes++
	err := j.failOn[s.State]
	j.mu.Unlock()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		j.note("journal " + string(s.State) + " FAILED")
		return err
	}
	j.note("journal " + string(s.State))
	return j.Journal.Update(ctx, s)
}

// loggedAcquirer logs every call of the fake acquirer into the same log.
type loggedAcquirer struct {
	*fakeAcquirer
	log func(string)
}

func (a loggedAcquirer) Pay(ctx context.Context, req *PayRequest) (*Payment, error) {
	a.log("pay")
	return a.fakeAcquirer.Pay(ctx, req)
}

func (a loggedAcquirer) Inquire(ctx context.Context, p *Payment) (*Payment, error) {
	a.log("inquire")
	return a.fakeAcquirer.Inquire(ctx, p)
}

func (a loggedAcquirer) Cancel(ctx context.Context, p *Payment) (*Payment, error) {
	a.log("cancel")
	return a.fakeAcquirer.Cancel(ctx, p)
}

func journaled(t *testing.T, f *fakeAcquirer, opts ...CheckoutOption) (*Checkout, *tracingJournal) {
	t.Helper()
	var log []string
	j := &tracingJournal{Journal: NewMemoryJournal(0, 0), log: &log, failOn: map[SaleState]error{}}
	a := loggedAcquirer{fakeAcquirer: f, log: j.note}
	c, err := NewCheckout(append([]CheckoutOption{WithRoute(WalletAlipay, a, MethodAlipayPlusUPM), WithJournal(j)}, opts...)...)
	require.NoError(t, err)
	return c, j
}

// The write-ahead order: every state is on record before the Checkout acts
// on it or returns it.
func TestJournalWriteAheadOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		pay, inquire, cancel []fakeCall
		// giveUp, when set, is when the cashier's context ends.
		giveUp time.Duration
		want   []string
	}{
		{
			name: "paid at once: two writes",
			pay:  []fakeCall{answer(StatusSucceeded, "pay_1")},
			want: []string{"journal recorded", "pay", "journal succeeded"},
		},
		{
			name:    "pending, then paid: three writes",
			pay:     []fakeCall{answer(StatusPending, "pay_1")},
			inquire: []fakeCall{answer(StatusSucceeded, "pay_1")},
			want:    []string{"journal recorded", "pay", "journal pending", "inquire", "journal succeeded"},
		},
		{
			name:    "unknown, the id learned on inquiry, cancelled",
			pay:     []fakeCall{unknown},
			inquire: []fakeCall{answer(StatusPending, "pay_1")},
			cancel:  []fakeCall{answer(StatusCancelled, "pay_1")},
			want: []string{"journal recorded", "pay", "journal pending", "inquire", "journal pending",
				"inquire", "inquire", "inquire", "inquire", "inquire", "inquire", "inquire", "inquire",
				"journal cancelling", "cancel", "journal cancelled"},
		},
		{
			name:    "cancel never confirmed: unresolved on record",
			pay:     []fakeCall{answer(StatusPending, "pay_1")},
			inquire: []fakeCall{answer(StatusPending, "pay_1")},
			cancel:  []fakeCall{unknown},
			want: []string{"journal recorded", "pay", "journal pending",
				"inquire", "inquire", "inquire", "inquire", "inquire", "inquire", "inquire", "inquire", "inquire",
				"journal cancelling", "cancel", "cancel", "cancel", "cancel", "cancel", "cancel", "journal unresolved"},
		},
		{
			name:    "the cashier gives up: the cancel and its outcome are still on record",
			pay:     []fakeCall{answer(StatusPending, "pay_1")},
			inquire: []fakeCall{answer(StatusPending, "pay_1")},
			cancel:  []fakeCall{answer(StatusCancelled, "pay_1")},
			giveUp:  3 * time.Second,
			want: []string{"journal recorded", "pay", "journal pending", "inquire",
				"journal cancelling", "cancel", "journal cancelled"},
		},
		{
			// The answer comes back just as the cashier's context ends.
			name: "paid as the cashier gives up: on record all the same",
			pay: []fakeCall{func(ctx context.Context) (*Payment, error) {
				<-ctx.Done()
				return answer(StatusSucceeded, "pay_1")(context.WithoutCancel(ctx))
			}},
			giveUp: time.Second,
			want:   []string{"journal recorded", "pay", "journal succeeded"},
		},
		{
			name: "refused: failed on record",
			pay:  []fakeCall{fails(errDeclinedByAPI)},
			want: []string{"journal recorded", "pay", "journal failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFake(time.Now())
				f.pay, f.inquire, f.cancel = tt.pay, tt.inquire, tt.cancel
				c, j := journaled(t, f)
				ctx := t.Context()
				if tt.giveUp > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.giveUp)
					defer cancel()
				}
				_, _ = c.Collect(ctx, sale())
				assert.Equal(t, tt.want, *j.log)
			})
		})
	}
}

// A journal that cannot record the sale stops it before anything is sent;
// one that cannot record the cancel stops the cancel (a recovery must know
// a cancel may be out there before one is).
func TestJournalFailures(t *testing.T) {
	t.Parallel()
	errDisk := errors.New("disk full")
	t.Run("record fails: nothing sent", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
		var log []string
		c, err := NewCheckout(WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithJournal(failingJournal{&tracingJournal{Journal: NewMemoryJournal(0, 0), log: &log}, errDisk}))
		require.NoError(t, err)
		p, err := c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, errDisk)
		assert.Nil(t, p)
		pays, _, _ := f.calls()
		assert.Zero(t, pays)
	})
	t.Run("cancelling cannot be recorded: no cancel, unresolved", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			neverConfirms(f)
			c, j := journaled(t, f)
			j.failOn[SaleCancelling] = errDisk
			p, err := c.Collect(t.Context(), sale())
			require.ErrorIs(t, err, ErrPaymentUnresolved)
			require.ErrorIs(t, err, errDisk)
			assert.Equal(t, StatusUnknown, p.Status)
			assert.NotContains(t, *j.log, "cancel")
		})
	})
	t.Run("taken over by another process: this run stops asking and cancelling", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			neverConfirms(f)
			c, j := journaled(t, f)
			// Another process wrote the sale since this one did: its lease
			// ran out while this one was away, and the sale is the other's.
			j.failOn[SalePending] = ErrJournalConflict
			p, err := c.Collect(t.Context(), sale())
			require.ErrorIs(t, err, ErrPaymentUnresolved)
			require.ErrorIs(t, err, ErrJournalConflict)
			assert.Equal(t, StatusUnknown, p.Status)
			assert.Equal(t, []string{"journal recorded", "pay", "journal pending FAILED"}, *j.log, "nothing asked, cancelled or written once the sale is another's")
		})
	})
	t.Run("final cannot be recorded: the answer stands, the record waits for a recovery", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
		c, j := journaled(t, f)
		j.failOn[SaleSucceeded] = errDisk
		p, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p.Status)
		s, err := j.Sale(t.Context(), "sale-1")
		require.NoError(t, err)
		assert.Equal(t, SaleRecorded, s.State)
	})
}

type failingJournal struct {
	*tracingJournal
	err error
}

func (j failingJournal) Record(context.Context, *Sale) error { return j.err }

// Collect is idempotent by request id, with the default in-memory journal
// as with any other: a sale that succeeded is not paid again.
func TestCollectIsIdempotentByRequestID(t *testing.T) {
	t.Parallel()
	t.Run("final: returned as stored, nothing sent", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
		c := newTestCheckout(t, f)
		first, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		again, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, StatusSucceeded, again.Status)
		pays, inquiries, cancels := f.calls()
		assert.Equal(t, []int{1, 0, 0}, []int{pays, inquiries, cancels}, "the customer was charged once")
	})
	t.Run("declined: returned as stored", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{declined("USER_BALANCE_NOT_ENOUGH")}
		c := newTestCheckout(t, f)
		_, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		p, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, StatusFailed, p.Status)
		assert.Equal(t, "USER_BALANCE_NOT_ENOUGH", p.FailureCode)
		pays, _, _ := f.calls()
		assert.Equal(t, 1, pays)
	})
	t.Run("refused before it could take money: paid afresh", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{fails(errDeclinedByAPI), answer(StatusSucceeded, "pay_2")}
		c := newTestCheckout(t, f)
		_, err := c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, errDeclinedByAPI)
		p, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p.Status)
		pays, _, _ := f.calls()
		assert.Equal(t, 2, pays)
	})
	t.Run("another amount or wallet: refused", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
		c := newTestCheckout(t, f)
		_, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		other := sale()
		other.Amount = Money{12500, THB}
		_, err = c.Collect(t.Context(), other)
		require.ErrorIs(t, err, ErrRequestIDReused)
		assert.NotContains(t, err.Error(), testAlipayCode)
		wechat := sale()
		wechat.Code = testWeChatCode
		_, err = c.Collect(t.Context(), wechat)
		require.ErrorIs(t, err, ErrRequestIDReused)
		pays, _, _ := f.calls()
		assert.Equal(t, 1, pays)
	})
}

// A sale left not final by a process that died is resumed by a Collect
// retried elsewhere once the lease ran out, at the inquiry step: never
// paid again. Before the lease runs out it is in progress.
func TestCollectResumesASaleWhoseOwnerIsGone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		left        SaleState
		inquire     []fakeCall
		cancel      []fakeCall
		wantStatus  PaymentStatus
		wantInquire int
		wantCancel  int
	}{
		{"pay may be out there: inquired, found paid", SaleRecorded, []fakeCall{answer(StatusSucceeded, "pay_1")}, nil, StatusSucceeded, 1, 0},
		{"pending: inquired, found declined", SalePending, []fakeCall{declined("ORDER_IS_CLOSED")}, nil, StatusFailed, 1, 0},
		{"cancelling: cancelled again, not inquired", SaleCancelling, nil, []fakeCall{answer(StatusCancelled, "pay_1")}, StatusCancelled, 0, 1},
		{"unresolved: cancelled again", SaleUnresolved, nil, []fakeCall{answer(StatusSucceeded, "pay_1")}, StatusSucceeded, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				j := NewMemoryJournal(0, 0)
				dead := time.Now().Add(-10 * time.Minute)
				lease := dead.Add(DefaultLease)
				if tt.left == SaleUnresolved {
					lease = time.Time{}
				}
				require.NoError(t, j.Record(t.Context(), &Sale{
					RequestID: "sale-1", Kind: SaleCollect, Acquirer: "fake", Method: MethodAlipayPlusUPM, Wallet: WalletAlipay,
					Amount: Money{10000, THB}, State: tt.left, CreatedAt: dead, UpdatedAt: dead, Owner: "dead/1", LeaseUntil: lease,
				}))
				f := newFake(time.Now())
				f.inquire, f.cancel = tt.inquire, tt.cancel
				c := newTestCheckout(t, f, WithJournal(j))

				p, err := c.Collect(t.Context(), sale())
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, p.Status)
				pays, inquiries, cancels := f.calls()
				assert.Zero(t, pays, "never paid again")
				assert.Equal(t, tt.wantInquire, inquiries)
				assert.Equal(t, tt.wantCancel, cancels)
				s, err := j.Sale(t.Context(), "sale-1")
				require.NoError(t, err)
				assert.Equal(t, saleState(tt.wantStatus), s.State)
			})
		})
	}
	t.Run("the owner's lease still runs: in progress", func(t *testing.T) {
		t.Parallel()
		j := NewMemoryJournal(0, 0)
		now := time.Now()
		require.NoError(t, j.Record(t.Context(), &Sale{
			RequestID: "sale-1", Kind: SaleCollect, Acquirer: "fake", Method: MethodAlipayPlusUPM, Wallet: WalletAlipay,
			Amount: Money{10000, THB}, State: SalePending, CreatedAt: now, UpdatedAt: now, Owner: "alive/1", LeaseUntil: now.Add(time.Minute),
		}))
		f := newFake(now)
		c := newTestCheckout(t, f, WithJournal(j))
		_, err := c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, ErrRequestInProgress)
		pays, inquiries, _ := f.calls()
		assert.Zero(t, pays+inquiries)
	})
}

// Lookup: the journal's sale, refreshed from the acquirer when not final.
func TestLookup(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "pay_1")}
		f.inquire = []fakeCall{answer(StatusPending, "pay_1")}
		f.cancel = []fakeCall{unknown}
		f.refund = []fakeCall{func(context.Context) (*Payment, error) {
			return &Payment{ID: "rf_1", Status: StatusSucceeded}, nil
		}}
		c := newTestCheckout(t, f)

		_, err := c.Lookup(t.Context(), "nobody")
		require.ErrorIs(t, err, ErrSaleNotFound)
		_, err = c.Lookup(t.Context(), "bad id")
		require.ErrorIs(t, err, ErrInvalidRequest)

		_, err = c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, ErrPaymentUnresolved)

		// The cancel may still be out there: an inquiry's "paid" does not
		// settle it, a "cancelled" does.
		f.inquire = []fakeCall{answer(StatusSucceeded, "pay_1")}
		p, err := c.Lookup(t.Context(), "sale-1")
		require.NoError(t, err)
		assert.Equal(t, StatusUnknown, p.Status)
		f.inquire = []fakeCall{answer(StatusCancelled, "pay_1")}
		p, err = c.Lookup(t.Context(), "sale-1")
		require.NoError(t, err)
		assert.Equal(t, StatusCancelled, p.Status)
		s, err := c.journal.Sale(t.Context(), "sale-1")
		require.NoError(t, err)
		assert.Equal(t, SaleCancelled, s.State, "settled, and recorded so")

		// A final sale is not asked about again, and carries its refunds.
		f.pay = []fakeCall{answer(StatusSucceeded, "pay_2")}
		req := sale()
		req.RequestID = "sale-2"
		paid, err := c.Collect(t.Context(), req)
		require.NoError(t, err)
		_, err = c.Refund(t.Context(), paid, Money{2500, THB}, WithRefundRequestID("sale-2-r1"))
		require.NoError(t, err)
		_, _, before := f.calls()
		p, err = c.Lookup(t.Context(), "sale-2")
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p.Status)
		require.Len(t, p.Refunds, 1)
		assert.Equal(t, "sale-2-r1", p.Refunds[0].RequestID)
		assert.Equal(t, StatusSucceeded, p.Refunds[0].Status)
		_, _, after := f.calls()
		assert.Equal(t, before, after)
	})
}

// Recover takes over the sales a dead process left and resolves each once,
// even with several Checkouts recovering one journal at once.
func TestRecover(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		j := NewMemoryJournal(0, 0)
		dead := time.Now().Add(-time.Hour)
		states := []SaleState{SaleRecorded, SalePending, SaleCancelling, SaleUnresolved, SaleSucceeded}
		for i, st := range states {
			require.NoError(t, j.Record(t.Context(), &Sale{
				RequestID: fmt.Sprintf("dead-%d", i), Kind: SaleCollect, Acquirer: "fake", Method: MethodAlipayPlusUPM, Wallet: WalletAlipay,
				Amount: Money{10000, THB}, State: st, CreatedAt: dead, UpdatedAt: dead, Owner: "dead/1", LeaseUntil: dead.Add(DefaultLease),
			}))
		}
		alive := time.Now()
		require.NoError(t, j.Record(t.Context(), &Sale{
			RequestID: "alive", Kind: SaleCollect, Acquirer: "fake", Method: MethodAlipayPlusUPM, Wallet: WalletAlipay,
			Amount: Money{10000, THB}, State: SalePending, CreatedAt: alive, UpdatedAt: alive, Owner: "alive/1", LeaseUntil: alive.Add(DefaultLease),
		}))
		f := newFake(time.Now())
		f.inquire = []fakeCall{answer(StatusPending, "")}
		f.cancel = []fakeCall{answer(StatusCancelled, "")}
		var checkouts []*Checkout
		for range 3 {
			checkouts = append(checkouts, newTestCheckout(t, f, WithJournal(j)))
		}
		reports := make([]*RecoveryReport, len(checkouts))
		var wg sync.WaitGroup
		for i, c := range checkouts {
			wg.Go(func() {
				r, err := c.Recover(t.Context())
				assert.NoError(t, err)
				reports[i] = r
			})
		}
		wg.Wait()

		seen := map[string]int{}
		for _, r := range reports {
			for _, s := range r.Sales {
				seen[s.RequestID]++
				assert.True(t, s.Resolved(), s.RequestID)
				assert.Equal(t, StatusCancelled, s.Payment.Status, s.RequestID)
			}
			assert.Zero(t, r.Unresolved())
		}
		assert.Equal(t, map[string]int{"dead-0": 1, "dead-1": 1, "dead-2": 1, "dead-3": 1}, seen,
			"each stale sale resolved once; the final one and the live one left alone")
		pays, _, cancels := f.calls()
		assert.Zero(t, pays, "Recover never pays")
		assert.Equal(t, 4, cancels, "one cancel per sale")
		live, err := j.Sale(t.Context(), "alive")
		require.NoError(t, err)
		assert.Equal(t, SalePending, live.State)
	})
}

// With a journal, a refund retried under the same id is answered from it.
func TestRefundIsJournaled(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
	f.refund = []fakeCall{fails(fmt.Errorf("fake: reset: %w", ErrOutcomeUnknown)), answer(StatusSucceeded, "rf_1")}
	c := newTestCheckout(t, f)
	paid, err := c.Collect(t.Context(), sale())
	require.NoError(t, err)

	_, err = c.Refund(t.Context(), paid, Money{4000, THB}, WithRefundRequestID("r-1"))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	// The fake acquirer deduplicates (no RefundFinder): the retry resends
	// under the same id, and the acquirer answers for the first.
	r, err := c.Refund(t.Context(), paid, Money{4000, THB}, WithRefundRequestID("r-1"))
	require.NoError(t, err)
	assert.Equal(t, "rf_1", r.ID)
	again, err := c.Refund(t.Context(), paid, Money{4000, THB}, WithRefundRequestID("r-1"))
	require.NoError(t, err)
	assert.Equal(t, "rf_1", again.ID)
	assert.Equal(t, []string{"r-1", "r-1"}, f.refundIDs, "the stored refund answers the third call")

	_, err = c.Refund(t.Context(), paid, Money{5000, THB}, WithRefundRequestID("r-1"))
	require.ErrorIs(t, err, ErrRequestIDReused, "another amount under the same refund id")
	_, err = c.Refund(t.Context(), paid, Money{6001, THB}, WithRefundRequestID("r-2"))
	require.ErrorIs(t, err, ErrInvalidRequest, "more than is left of the payment")
}

// A Checkout that only looks up, refunds and recovers names its acquirers
// without routing a wallet to them.
func TestCheckoutWithAcquirersOnly(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
	f.refund = []fakeCall{answer(StatusSucceeded, "rf_1")}
	j := NewMemoryJournal(0, 0)
	till := newTestCheckout(t, f, WithJournal(j))
	_, err := till.Collect(t.Context(), sale())
	require.NoError(t, err)

	ops, err := NewCheckout(WithAcquirer(f), WithJournal(j))
	require.NoError(t, err)
	p, err := ops.Lookup(t.Context(), "sale-1")
	require.NoError(t, err)
	r, err := ops.Refund(t.Context(), p, Money{1000, THB}, WithRefundRequestID("sale-1-r"))
	require.NoError(t, err)
	assert.Equal(t, StatusSucceeded, r.Status)
	_, err = ops.Collect(t.Context(), sale())
	require.ErrorIs(t, err, ErrNoRoute, "it takes no sales")

	_, err = NewCheckout(WithJournal(j))
	require.ErrorIs(t, err, ErrInvalidConfig, "no acquirer at all")
	var none *fakeAcquirer
	_, err = NewCheckout(WithAcquirer(none))
	require.ErrorIs(t, err, ErrInvalidConfig, "a typed nil acquirer")
}

// shortLeaseJournal is a MemoryJournal whose lease runs out after a second,
// as a journal configured with a short lease would.
type shortLeaseJournal struct{ *MemoryJournal }

func (shortLeaseJournal) Lease() time.Duration { return time.Second }

// A second Collect with the same request id, in the process that is still
// working on the sale, is refused even once the journal's lease has run out:
// the journal alone would take the sale for a dead owner's and run it a
// second time beside the first.
func TestCollectRefusesADuplicateInFlightPastTheLease(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "pay_1")}
		f.inquire = []fakeCall{answer(StatusPending, "pay_1"), answer(StatusSucceeded, "pay_1")}
		c, err := NewCheckout(WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithJournal(shortLeaseJournal{NewMemoryJournal(0, 0)}))
		require.NoError(t, err)
		done := make(chan *Payment)
		go func() {
			p, err := c.Collect(t.Context(), sale())
			assert.NoError(t, err)
			done <- p
		}()
		synctest.Wait()
		time.Sleep(1500 * time.Millisecond) // past the lease, before the first inquiry
		s, err := c.journal.Sale(t.Context(), sale().RequestID)
		require.NoError(t, err)
		require.False(t, s.owned(time.Now()), "the journal's lease has run out")

		_, err = c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, ErrRequestInProgress)
		p := <-done
		assert.Equal(t, StatusSucceeded, p.Status)
		pays, inquiries, cancels := f.calls()
		assert.Equal(t, []int{1, 2, 0}, []int{pays, inquiries, cancels}, "one run of the sale")
	})
}
