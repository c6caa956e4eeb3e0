package instore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
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

// The chaos tests run thousands of sales through Checkout against the
// simulators while they draw faults from their whole model
// (instoretest.ChaosFaults): answers lost, late, cut, garbled, forged or
// about another payment; requests that land late, or land and are replayed
// by an HTTP/2 stream reset; "not found" from a lagging replica; storms of
// notifications. A share of the cashiers give up at random moments, and a
// share of the paid sales are refunded, some refunds retried under the same
// id. The seed makes the customers, the cashiers and the faults the same in
// every run.
//
// The invariant, checked once every late request has landed: for every
// request id at most one payment and one capture, and the status Collect
// returned equals the acquirer's final state, or the error matches
// ErrPaymentUnresolved; refunds at the acquirer never exceed what was
// asked, and there is at most one per refund request id. Then, past the
// arrival horizon, Recover settles the unresolved sales, and each must end
// as the ledger says.
const chaosSeed = 20261203

// chaosSales is the number of sales a chaos test runs: def, or CHAOS_SALES
// for a longer campaign (CHAOS_SALES=20000 go test -run Chaos).
func chaosSales(t *testing.T, def int) int {
	t.Helper()
	if v := os.Getenv("CHAOS_SALES"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "CHAOS_SALES")
		return n
	}
	return def
}

// chaosOutcomes are what the simulated customers do.
var chaosOutcomes = func() []instoretest.Outcome {
	out := []instoretest.Outcome{instoretest.Succeed, instoretest.Succeed, instoretest.Succeed, instoretest.NeverCompletes}
	for n := 1; n <= 6; n++ {
		out = append(out, instoretest.ConfirmOnInquiry(n))
	}
	for s := 1; s <= 9; s += 2 {
		out = append(out, instoretest.ConfirmAfter(time.Duration(s)*time.Second))
	}
	for _, d := range []instoretest.Outcome{instoretest.DeclinePayerCancelled, instoretest.DeclineInsufficientBalance, instoretest.DeclineRejected, instoretest.DeclineExpired} {
		out = append(out, d, instoretest.DeclineOnInquiry(d))
	}
	return out
}()

// chaosRig is one acquirer's simulator behind a Checkout.
type chaosRig struct {
	checkout *instore.Checkout
	payments func(requestID string) []instoretest.LedgerEntry
	refunds  func(requestID string) []instoretest.RefundEntry
	// amount draws a sale's amount within the method's limits.
	amount func(r *rand.Rand) instore.Money
}

// chaosSale is what the till saw of one sale, and asked of it.
type chaosSale struct {
	id      string
	outcome instoretest.Outcome
	abandon time.Duration // when the cashier gave up; 0 if they waited
	p       *instore.Payment
	err     error
	// refunds asked, by refund request id.
	refunds map[string]int64
}

// chaosCounts tallies what Collect answered.
type chaosCounts struct {
	succeeded, failed, cancelled, unresolved, refused, abandoned int
	refundsAsked, refundsRetried                                 int
}

func (c *chaosCounts) String() string {
	return fmt.Sprintf("succeeded %d, failed %d, cancelled %d, unresolved %d, refused %d (cashier gave up on %d); refunds asked %d, retried %d",
		c.succeeded, c.failed, c.cancelled, c.unresolved, c.refused, c.abandoned, c.refundsAsked, c.refundsRetried)
}

// runChaos runs n sales through rig, 8 at a time, then checks them all
// once the late requests have landed, then recovers and checks again.
func runChaos(t *testing.T, rig *chaosRig, prefix string, n int, code func(instoretest.Outcome, uint64) string) *chaosCounts {
	t.Helper()
	sales := make([]*chaosSale, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				sales[i] = chaosOne(t, rig, prefix, i, code)
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()

	// Every late request and late answer lands within the mix's delays.
	time.Sleep(time.Minute)
	synctest.Wait()
	counts := &chaosCounts{}
	for _, s := range sales {
		checkChaosSale(t, rig, s, counts)
	}

	// Past the arrival horizon, Recover settles what Collect could not.
	time.Sleep(instore.DefaultArrivalHorizon)
	for range 3 {
		_, err := rig.checkout.Recover(t.Context())
		require.NoError(t, err)
	}
	time.Sleep(time.Minute)
	synctest.Wait()
	left := 0
	for _, s := range sales {
		if errors.Is(s.err, instore.ErrPaymentUnresolved) && !checkRecovered(t, rig, s) {
			left++
		}
	}
	t.Logf("%s: %d sales: %s; still unresolved after Recover: %d", prefix, n, counts, left)
	return counts
}

// chaosOne is one sale: a customer, a cashier who may give up, and, for a
// paid sale, maybe a refund, maybe retried.
func chaosOne(t *testing.T, rig *chaosRig, prefix string, i int, code func(instoretest.Outcome, uint64) string) *chaosSale {
	r := rand.New(rand.NewPCG(chaosSeed, uint64(i)))
	s := &chaosSale{
		id:      fmt.Sprintf("%s-%05d", prefix, i),
		outcome: chaosOutcomes[r.IntN(len(chaosOutcomes))],
		refunds: map[string]int64{},
	}
	ctx := t.Context()
	if r.IntN(100) < 15 {
		s.abandon = time.Duration(r.Int64N(int64(12 * time.Second)))
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.abandon)
		defer cancel()
	}
	s.p, s.err = rig.checkout.Collect(ctx, &instore.CollectRequest{
		Code:      code(s.outcome, uint64(i)),
		Amount:    rig.amount(r),
		RequestID: s.id,
		Store:     instore.Store{ID: "S-01", Name: "Chaos Store", TerminalID: "T-01"},
	})
	if s.err != nil || s.p.Status != instore.StatusSucceeded || r.IntN(100) >= 30 {
		return s
	}
	// A refund of part of the sale; retried under the same id when its
	// outcome is unknown, and sometimes once more for good measure.
	refundID := s.id + "-r1"
	part := instore.Money{Amount: 1 + r.Int64N(s.p.Amount.Amount), Currency: s.p.Amount.Currency}
	s.refunds[refundID] = part.Amount
	for try := 0; try < 3; try++ {
		_, err := rig.checkout.Refund(t.Context(), s.p, part, instore.WithRefundRequestID(refundID))
		if err == nil && r.IntN(100) >= 20 {
			break
		}
		time.Sleep(time.Duration(1+r.IntN(20)) * time.Second)
	}
	return s
}

// checkChaosSale holds what Collect answered against the ledger's truth.
func checkChaosSale(t *testing.T, rig *chaosRig, s *chaosSale, counts *chaosCounts) {
	t.Helper()
	entries := rig.payments(s.id)
	captures := instoretest.Captures(entries)
	where := fmt.Sprintf("%s (outcome %s, cashier gave up at %s, err %v, ledger %+v)", s.id, s.outcome, s.abandon, s.err, entries)
	assert.LessOrEqual(t, len(entries), 1, "one payment per sale at most: %s", where)
	assert.LessOrEqual(t, captures, 1, "money taken twice: %s", where)
	if s.abandon > 0 {
		counts.abandoned++
	}
	switch {
	case errors.Is(s.err, instore.ErrPaymentUnresolved):
		counts.unresolved++
	case s.err != nil:
		counts.refused++
		assert.Zero(t, captures, "Collect said no money moved: %s", where)
	case s.p.Status == instore.StatusSucceeded:
		counts.succeeded++
		assert.Equal(t, 1, captures, "reported paid, not captured: %s", where)
	case s.p.Status == instore.StatusFailed:
		counts.failed++
		assert.Zero(t, captures, "reported failed, but captured: %s", where)
	case s.p.Status == instore.StatusCancelled:
		counts.cancelled++
		assert.Zero(t, captures, "reported cancelled, but captured: %s", where)
	default:
		t.Errorf("Collect returned a status that is not final with no error: %s", where)
	}

	refunds := rig.refunds(s.id)
	perID := map[string]int{}
	var total int64
	for i := range refunds {
		rf := &refunds[i]
		perID[rf.RefundRequestID]++
		total += rf.Amount
		asked, ok := s.refunds[rf.RefundRequestID]
		assert.True(t, ok, "a refund nobody asked for: %s %+v", where, rf)
		assert.Equal(t, asked, rf.Amount, "refunded another amount than asked: %s", where)
	}
	for id, n := range perID {
		assert.LessOrEqual(t, n, 1, "refund %s made %d times: %s", id, n, where)
	}
	var asked int64
	for _, a := range s.refunds {
		asked += a
	}
	assert.LessOrEqual(t, total, asked, "refunded more than asked: %s", where)
	counts.refundsAsked += len(s.refunds)
	if len(refunds) > 0 && len(s.refunds) > 0 {
		counts.refundsRetried++
	}
}

// checkRecovered holds a sale Collect left unresolved, as Recover left it,
// against the ledger: final as the ledger says, or still unresolved. It
// reports whether the sale is settled.
func checkRecovered(t *testing.T, rig *chaosRig, s *chaosSale) bool {
	t.Helper()
	p, err := rig.checkout.Lookup(t.Context(), s.id)
	require.NoError(t, err)
	captures := instoretest.Captures(rig.payments(s.id))
	where := fmt.Sprintf("%s after Recover (outcome %s, ledger %+v)", s.id, s.outcome, rig.payments(s.id))
	switch p.Status {
	case instore.StatusSucceeded:
		assert.Equal(t, 1, captures, "recovered as paid, not captured: %s", where)
	case instore.StatusFailed, instore.StatusCancelled:
		assert.Zero(t, captures, "recovered as %s, but captured: %s", p.Status, where)
	default:
		return false
	}
	return true
}

func TestChaosOmise(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t, instoretest.WithSeed(chaosSeed))
		sim.SetRandomFaults(instoretest.AnyEndpoint, instoretest.ChaosFaults(instoretest.ChaosMix{})...)
		client, err := sim.Client()
		require.NoError(t, err)
		// Virtual time packs the sales close together; a lookup window
		// shorter than the default (which allows for real clocks that
		// disagree) keeps each lookup's list short. The late arrivals land
		// well inside it.
		acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{LookupWindow: 30 * time.Second})
		require.NoError(t, err)
		c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM))
		require.NoError(t, err)
		rig := &chaosRig{
			checkout: c, payments: sim.Payments, refunds: sim.Refunds,
			amount: func(r *rand.Rand) instore.Money { return thb(2_000 + r.Int64N(1_000_000)) },
		}
		counts := runChaos(t, rig, "omise", chaosSales(t, 1_800), instoretest.AlipayCode)
		require.Positive(t, counts.succeeded)
		require.Positive(t, counts.failed+counts.cancelled)
	})
}

func TestChaosAlipayPlus(t *testing.T) {
	t.Parallel()
	for _, flavor := range []alipayplus.Flavor{alipayplus.FlavorAntom, alipayplus.FlavorACQP} {
		t.Run(string(flavor), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				sim := instoretest.NewAlipayPlusT(t, alipayKeys(t), instoretest.WithSeed(chaosSeed))
				sim.SetRandomFaults(instoretest.AnyEndpoint, instoretest.ChaosFaults(instoretest.ChaosMix{})...)
				client, err := sim.Client(alipayplus.WithFlavor(flavor))
				require.NoError(t, err)
				acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
				require.NoError(t, err)
				c, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM))
				require.NoError(t, err)
				rig := &chaosRig{
					checkout: c, payments: sim.Payments, refunds: sim.Refunds,
					amount: func(r *rand.Rand) instore.Money { return thb(2_000 + r.Int64N(1_000_000)) },
				}
				counts := runChaos(t, rig, "alipayplus-"+string(flavor), chaosSales(t, 900), instoretest.AlipayCode)
				require.Positive(t, counts.succeeded)
				require.Positive(t, counts.failed+counts.cancelled)
			})
		})
	}
}

func TestChaosPPRO(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newPPROSim(t, instoretest.WithSeed(chaosSeed))
		sim.SetRandomFaults(instoretest.AnyEndpoint, instoretest.ChaosFaults(instoretest.ChaosMix{})...)
		rig := &chaosRig{
			checkout: pproCheckout(t, sim), payments: sim.Payments, refunds: sim.Refunds,
			amount: func(r *rand.Rand) instore.Money { return chf(100 + r.Int64N(200_000)) },
		}
		counts := runChaos(t, rig, "ppro", chaosSales(t, 2_000), instoretest.AlipayCode)
		require.Positive(t, counts.succeeded)
		require.Positive(t, counts.failed+counts.cancelled)
	})
}
