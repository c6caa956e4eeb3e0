package instore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// TestPresentChaos runs hundreds of seeded QR sales through both
// simulators at once, while they draw faults from their whole model
// (instoretest.ChaosFaults): answers lost, late, cut, forged or about
// another payment, requests landing late or replayed, lying "not found"s,
// notification storms. Customers pay after a while, pay on an inquiry, pay
// and send a webhook, decline, or never scan; some cashiers give up. Once
// every late request has landed, for every request id at most one payment
// is captured, and the answer equals the simulator's ledger, or is
// ErrPaymentUnresolved. The run is seeded (customers, cashiers, faults);
// the clients' retry jitter is not, so the counts may differ by a sale or
// two between runs, and the invariants hold in every run.
func TestPresentChaos(t *testing.T) {
	t.Parallel()
	keys, err := qrKeys()
	require.NoError(t, err)
	const seed = 20261203
	omiseSales, alipaySales := chaosSales(t, 220), chaosSales(t, 220)
	synctest.Test(t, func(t *testing.T) {
		// A shorter window than the default keeps the run in seconds; the
		// customers' timings straddle it.
		every3s := make([]time.Duration, 8)
		for i := range every3s {
			every3s[i] = 3 * time.Second
		}
		schedule := instore.WithPresentSchedule(instore.Schedule{Inquiry: every3s, Cancel: instore.DefaultSchedule().Cancel})
		omise := newQROmise(t, []instoretest.Option{instoretest.WithSeed(seed)}, schedule)
		alipay := newQRAlipay(t, keys, alipayplus.FlavorAntom, []instoretest.Option{instoretest.WithSeed(seed)}, schedule)
		faults := instoretest.ChaosFaults(instoretest.ChaosMix{Rate: 0.1})
		omise.omise.SetRandomFaults(instoretest.AnyEndpoint, faults...)
		alipay.alipay.SetRandomFaults(instoretest.AnyEndpoint, faults...)

		rng := rand.New(rand.NewPCG(seed, 1))
		var sales []*qrChaosSale
		for i := range omiseSales + alipaySales {
			r := omise
			if i >= omiseSales {
				r = alipay
			}
			// Sales start apart, so that the order of requests that name no
			// sale (POST /sources), and with it their fault draws, does not
			// hang on the order of goroutines woken at the same instant.
			start := time.Duration(i*200+rng.IntN(150)) * time.Millisecond
			s := &qrChaosSale{rig: r, id: fmt.Sprintf("chaos-%s-%03d", r.name, i), start: start}
			s.plan(rng)
			sales = append(sales, s)
		}

		var wg sync.WaitGroup
		for _, s := range sales {
			wg.Add(1)
			time.AfterFunc(s.start, func() {
				defer wg.Done()
				s.run(t)
			})
		}
		wg.Wait()
		// Every late request and late answer lands within the mix's delays.
		time.Sleep(time.Minute)
		synctest.Wait()

		counts := map[string]int{}
		for _, s := range sales {
			counts[s.rig.name+" "+s.check(t)]++
		}
		// Every payment the simulators made belongs to a sale.
		known := map[string]bool{}
		for _, s := range sales {
			known[s.id] = true
		}
		for _, e := range append(omise.omise.AllPayments(), alipay.alipay.AllPayments()...) {
			assert.True(t, known[e.RequestID], "a payment no sale made: %+v", e)
		}
		t.Logf("QR chaos, seed %d, %d Omise and %d Alipay+ sales: %v", seed, omiseSales, alipaySales, counts)
		for _, r := range []*qrRig{omise, alipay} {
			for _, want := range []string{"succeeded", "failed", "cancelled"} {
				assert.Positive(t, counts[r.name+" "+want], "%s: no %s sale: the mix is too narrow", r.name, want)
			}
		}
	})
}

// qrChaosSale is one QR sale of the chaos test: what its customer and
// cashier do, and what the checkout answered.
type qrChaosSale struct {
	rig   *qrRig
	id    string
	start time.Duration
	// The customer: a scripted plan, or a hook at payAt (with a webhook).
	script  *instoretest.Plan
	payAt   time.Duration
	abortAt time.Duration // the cashier gives up; 0 never

	presented bool
	payment   *instore.Payment
	err       error
}

func (s *qrChaosSale) plan(rng *rand.Rand) {
	// Customers act half-way between whole seconds, never at the instant
	// of an inquiry.
	secs := func(lo, hi int) time.Duration {
		return time.Duration(lo+rng.IntN(hi-lo))*time.Second + 500*time.Millisecond
	}
	switch n := rng.IntN(100); {
	case n < 30:
		s.script = &instoretest.Plan{After: secs(1, 32)}
	case n < 40:
		s.script = &instoretest.Plan{Inquiries: 1 + rng.IntN(10)}
	case n < 55:
		code := "payment_rejected"
		if s.rig.alipay != nil {
			code = "USER_BALANCE_NOT_ENOUGH"
		}
		s.script = &instoretest.Plan{Result: instoretest.ResultFail, FailureCode: code, After: secs(1, 26)}
	case n < 70:
		s.payAt = secs(1, 32)
	}
	// Otherwise the customer never scans.
	if rng.IntN(100) < 12 {
		s.abortAt = secs(1, 24)
	}
}

func (s *qrChaosSale) run(t *testing.T) {
	r := s.rig
	if s.script != nil {
		r.script(s.id, *s.script)
	}
	ctx, abort := context.WithCancel(t.Context())
	defer abort()
	if s.abortAt > 0 {
		time.AfterFunc(s.abortAt, abort)
	}
	pm, err := r.checkout.Present(ctx, r.sale(s.id))
	if err != nil {
		s.err = err
		var pe *instore.PresentError
		var ue *instore.UnresolvedError
		switch {
		case errors.As(err, &pe):
			s.payment = pe.Payment
		case errors.As(err, &ue):
			s.payment = ue.Payment
		}
		return
	}
	s.presented = true
	if s.payAt > 0 {
		time.AfterFunc(s.payAt, func() {
			if r.pay(s.id) == nil {
				r.checkout.Notify(s.id)
			}
		})
	}
	s.payment, s.err = pm.Wait(ctx)
}

// check holds the sale's answer against the ledger and names its outcome.
func (s *qrChaosSale) check(t *testing.T) string {
	entries := s.rig.ledger(s.id)
	require.LessOrEqual(t, len(entries), 1, "%s: one payment per request id", s.id)
	require.LessOrEqual(t, instoretest.Captures(entries), 1, "%s: at most one capture", s.id)
	var truth *instoretest.LedgerEntry
	if len(entries) == 1 {
		truth = &entries[0]
	}
	if errors.Is(s.err, instore.ErrPaymentUnresolved) {
		if truth != nil && truth.Captured {
			return "unresolved (captured)"
		}
		return "unresolved"
	}
	require.NotNil(t, s.payment, "%s: an answer without a payment: %v", s.id, s.err)
	p := s.payment
	if s.err != nil {
		require.ErrorIs(t, s.err, instore.ErrNotPresented, "%s", s.id)
		require.False(t, s.presented)
	} else {
		require.True(t, p.Status.Final(), "%s: %s", s.id, p.Status)
	}
	switch p.Status {
	case instore.StatusSucceeded:
		require.NotNil(t, truth, "%s: succeeded without a payment", s.id)
		assert.True(t, truth.Captured, "%s: reported succeeded, ledger %+v", s.id, truth)
	case instore.StatusFailed:
		if truth != nil {
			assert.Equal(t, instoretest.StateFailed, truth.State, "%s: reported failed", s.id)
			assert.Equal(t, truth.FailureCode, p.FailureCode, "%s", s.id)
		}
	case instore.StatusCancelled:
		if truth != nil {
			// A cancel answered S for a payment the customer's wallet had
			// declined meanwhile is the gateway's word too: cancelled or
			// failed, no money was kept.
			assert.Contains(t, []instoretest.State{instoretest.StateCancelled, instoretest.StateFailed}, truth.State, "%s: reported cancelled", s.id)
			assert.False(t, truth.Captured, "%s", s.id)
		}
	default:
		t.Errorf("%s: answer %s", s.id, p.Status)
	}
	if truth != nil {
		assert.Equal(t, truth.ID, p.ID, "%s: the acquirer's id", s.id)
	}
	if !s.presented {
		return "not presented, " + string(p.Status)
	}
	return string(p.Status)
}
