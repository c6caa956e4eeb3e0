package ppro_test

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

const (
	chaosSeed  = 20250301
	chaosSales = 300
)

// chaosFaults hit about a quarter of all requests, of every kind: refused
// before processing, processed with the answer lost, cut or garbled, or
// answered too late.
var chaosFaults = []instoretest.RandomFault{
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultDropBefore}},
	{Rate: 0.05, Fault: instoretest.Fault{Kind: instoretest.FaultDropAfter}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultRateLimit, RetryAfter: time.Second}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultTruncated}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultNonJSON, Processed: true}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultNonJSON}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 8 * time.Second}},
}

// chaosOutcome draws what the customer and the scheme do with one sale.
func chaosOutcome(r *rand.Rand) instoretest.Outcome {
	n := 1 + r.IntN(9)
	switch r.IntN(11) {
	case 0, 1:
		return instoretest.Succeed
	case 2:
		return instoretest.ConfirmOnInquiry(n)
	case 3:
		return instoretest.ConfirmAfter(time.Duration(n) * time.Second)
	case 4:
		return instoretest.Outcome(fmt.Sprintf("3%d", n)) // declines, some uncertain
	case 5:
		return instoretest.DeclineOnInquiry(instoretest.Outcome(fmt.Sprintf("3%d", n)))
	case 6:
		return instoretest.NeverCompletes
	case 7:
		return instoretest.FailThenSucceed(time.Duration(n) * time.Second)
	case 8:
		return instoretest.DeclineTimeout
	case 9:
		return instoretest.ConfirmOnInquiry(9)
	}
	return instoretest.DeclineProcessing
}

// TestChaos runs a few hundred seeded sales through instore.Checkout on the
// PPRO simulator with random faults on every call, in virtual time. For
// every request id the ledger must show at most one transaction (a
// TRANSACTION is never sent twice) and at most one capture, and Collect's
// answer must equal the ledger's truth when Collect returned: succeeded
// exactly when captured, failed and cancelled as the ledger says (cancelled
// also when no transaction was ever made), unresolved only without a
// capture, and any other error only when nothing was made.
func TestChaos(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t, instoretest.WithSeed(chaosSeed))
		sim.SetRandomFaults(instoretest.AnyEndpoint, chaosFaults...)
		co := pproCheckout(t, sim)
		r := rand.New(rand.NewPCG(chaosSeed, 1))

		type result struct {
			id      string
			outcome instoretest.Outcome
			p       *instore.Payment
			err     error
			ledger  []instoretest.LedgerEntry
		}
		results := make([]result, chaosSales)
		var wg sync.WaitGroup
		for i := range chaosSales {
			res := &results[i]
			res.id = fmt.Sprintf("chaos-%04d", i)
			res.outcome = chaosOutcome(r)
			code := instoretest.AlipayCode(res.outcome, uint64(i))
			amount := instore.Money{Amount: int64(100 + r.IntN(50_000)), Currency: instore.CHF}
			if r.IntN(3) == 0 {
				amount.Currency = instore.GBP
			}
			wg.Go(func() {
				res.p, res.err = co.Collect(t.Context(), &instore.CollectRequest{Code: code, Amount: amount, RequestID: res.id})
				// The truth at the moment Collect answered.
				res.ledger = sim.Payments(res.id)
			})
		}
		wg.Wait()

		counts := map[string]int{}
		for _, res := range results {
			name := res.id + " (" + string(res.outcome) + ")"
			require.LessOrEqual(t, len(res.ledger), 1, "%s: a TRANSACTION was sent twice", name)
			require.LessOrEqual(t, instoretest.Captures(res.ledger), 1, name)
			captured := instoretest.Captures(res.ledger) == 1
			switch {
			case errors.Is(res.err, instore.ErrPaymentUnresolved):
				counts["unresolved"]++
				assert.False(t, captured, "%s: unresolved with a capture", name)
			case res.err != nil:
				counts["refused"]++
				assert.Empty(t, res.ledger, "%s: an error other than unresolved, yet a transaction exists: %v", name, res.err)
			default:
				counts[string(res.p.Status)]++
				assert.Equal(t, captured, res.p.Status == instore.StatusSucceeded, "%s: reported %s, captured %v", name, res.p.Status, captured)
				switch res.p.Status {
				case instore.StatusFailed:
					require.Len(t, res.ledger, 1, name)
					assert.Equal(t, instoretest.StateFailed, res.ledger[0].State, name)
					assert.Equal(t, res.ledger[0].FailureCode, res.p.FailureCode, name)
				case instore.StatusCancelled:
					if len(res.ledger) == 1 {
						assert.Equal(t, instoretest.StateCancelled, res.ledger[0].State, name)
					} else {
						counts["cancelled, never made"]++
					}
				case instore.StatusSucceeded:
					assert.Equal(t, res.ledger[0].ID, res.p.ID, name)
				default:
					t.Errorf("%s: Collect returned %s with no error", name, res.p.Status)
				}
			}
		}
		faults := map[string]int{}
		for _, rq := range sim.Requests() {
			if rq.Fault.Kind != instoretest.FaultNone {
				faults[rq.Fault.Kind.String()]++
			}
		}
		t.Logf("%d sales, seed %d: succeeded %d, failed %d, cancelled %d (never made %d), unresolved %d, refused %d",
			chaosSales, chaosSeed, counts["succeeded"], counts["failed"], counts["cancelled"], counts["cancelled, never made"],
			counts["unresolved"], counts["refused"])
		t.Logf("requests %d (TRANSACTION %d, GETTXSTATUS %d, GETTXSTATUSBYMERCHANTTXID %d, CANCELTX %d); faults %v",
			len(sim.Requests()), countRequests(sim, instoretest.PPROTransaction), countRequests(sim, instoretest.PPROStatus),
			countRequests(sim, instoretest.PPROStatusByMerchantTxID), countRequests(sim, instoretest.PPROCancel), faults)
		assert.Equal(t, chaosSales, counts["succeeded"]+counts["failed"]+counts["cancelled"]+counts["unresolved"]+counts["refused"])
		assert.Positive(t, counts["succeeded"])
		assert.Positive(t, counts["failed"])
		assert.Positive(t, counts["cancelled"])
	})
}
