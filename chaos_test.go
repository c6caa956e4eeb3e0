package instore_test

import (
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
	"github.com/instorepay/instore/instoretest"
)

// The chaos test runs thousands of sales through Checkout against the
// simulators while they inject faults at random: dropped answers after the
// payment was made, connections dropped before, 5xx with and without
// processing, rate limits, late, truncated and non-JSON answers, and for
// Alipay+ unsigned, forged and U answers. The seed makes every run the same.
// For every sale it checks the invariant the SDK exists for: at most one
// capture per request id, and the status Collect returned equals the
// acquirer's truth; an unresolved sale has nothing captured that was not
// reported.
const chaosSeed = 20261122

var wireFaults = []instoretest.RandomFault{
	{Rate: 0.04, Fault: instoretest.Fault{Kind: instoretest.FaultDropAfter}},
	{Rate: 0.04, Fault: instoretest.Fault{Kind: instoretest.FaultDropBefore}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultRateLimit, RetryAfter: time.Second}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultTruncated}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultNonJSON, Processed: true}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 7 * time.Second}},
}

var signatureFaults = []instoretest.RandomFault{
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultUnsigned}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultBadSignature}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultUnknown, Processed: true}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultUnknown}},
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

type chaosCounts struct {
	mu                                                sync.Mutex
	succeeded, failed, cancelled, unresolved, refused int
}

func (c *chaosCounts) add(p *instore.Payment, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		c.unresolved++
	case err != nil:
		c.refused++
	case p.Status == instore.StatusSucceeded:
		c.succeeded++
	case p.Status == instore.StatusFailed:
		c.failed++
	case p.Status == instore.StatusCancelled:
		c.cancelled++
	}
}

func (c *chaosCounts) String() string {
	return fmt.Sprintf("succeeded %d, failed %d, cancelled %d, unresolved %d, refused by the acquirer %d",
		c.succeeded, c.failed, c.cancelled, c.unresolved, c.refused)
}

// ledger is what the chaos test asks of a simulator.
type ledger interface {
	Payments(requestID string) []instoretest.LedgerEntry
}

// runChaos runs n sales through c, 4 at a time, and checks each against
// the ledger.
func runChaos(t *testing.T, c *instore.Checkout, sim ledger, n int) *chaosCounts {
	t.Helper()
	counts := &chaosCounts{}
	sales := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range sales {
				rng := rand.New(rand.NewPCG(chaosSeed, uint64(i)))
				outcome := chaosOutcomes[rng.IntN(len(chaosOutcomes))]
				req := &instore.CollectRequest{
					Code:      instoretest.AlipayCode(outcome, uint64(i)),
					Amount:    thb(2_000 + rng.Int64N(1_000_000)),
					RequestID: fmt.Sprintf("chaos-%05d", i),
					Store:     instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T-01"},
				}
				p, err := c.Collect(t.Context(), req)
				counts.add(p, err)
				checkAgainstLedger(t, req.RequestID, outcome, p, err, sim.Payments(req.RequestID))
			}
		})
	}
	for i := range n {
		sales <- i
	}
	close(sales)
	wg.Wait()
	return counts
}

func checkAgainstLedger(t *testing.T, requestID string, outcome instoretest.Outcome, p *instore.Payment, err error, entries []instoretest.LedgerEntry) {
	t.Helper()
	captures := instoretest.Captures(entries)
	where := fmt.Sprintf("%s (outcome %s, err %v, ledger %+v)", requestID, outcome, err, entries)
	assert.LessOrEqual(t, len(entries), 1, "one payment per sale at most: %s", where)
	assert.LessOrEqual(t, captures, 1, "money taken twice: %s", where)
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		assert.Zero(t, captures, "an unresolved sale has a capture nobody was told of: %s", where)
	case err != nil:
		assert.Zero(t, captures, "Collect said no money moved: %s", where)
	case p.Status == instore.StatusSucceeded:
		assert.Equal(t, 1, captures, "reported paid, not captured: %s", where)
	case p.Status == instore.StatusFailed || p.Status == instore.StatusCancelled:
		assert.Zero(t, captures, "reported %s, but captured: %s", p.Status, where)
	default:
		t.Errorf("Collect returned a status that is not final with no error: %s", where)
	}
}

func TestChaosOmise(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t, instoretest.WithSeed(chaosSeed))
		sim.SetRandomFaults(instoretest.AnyEndpoint, wireFaults...)
		c := omiseCheckout(t, sim)

		counts := runChaos(t, c, sim, 1_200)
		t.Logf("omise, 1200 sales: %s", counts)
		require.Positive(t, counts.succeeded)
		require.Positive(t, counts.failed+counts.cancelled)
	})
}

func TestChaosAlipayPlus(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t), instoretest.WithSeed(chaosSeed))
		sim.SetRandomFaults(instoretest.AnyEndpoint, append(append([]instoretest.RandomFault(nil), wireFaults...), signatureFaults...)...)
		c := alipayCheckout(t, sim)

		counts := runChaos(t, c, sim, 800)
		t.Logf("alipayplus, 800 sales: %s", counts)
		require.Positive(t, counts.succeeded)
		require.Positive(t, counts.failed+counts.cancelled)
	})
}
