package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// 200 tills sell at once, every kind of customer among them, and one in
// ten sends its sale twice at the same time, as a till that timed out and
// retried would. Every sale gets a final answer equal to what the
// simulated acquirer did, and no request id is charged twice.
func TestConcurrentSales(t *testing.T) {
	t.Parallel()
	const n = 200
	outcomes := []instoretest.Outcome{
		instoretest.Succeed,
		instoretest.ConfirmAfter(2 * time.Second),
		instoretest.ConfirmOnInquiry(2),
		instoretest.DeclineInsufficientBalance,
		instoretest.DeclineOnInquiry(instoretest.DeclineRejected),
		instoretest.NeverCompletes,
	}
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		recs := make([][]*httptest.ResponseRecorder, n)
		var wg sync.WaitGroup
		for i := range n {
			id := fmt.Sprintf("till-%03d", i)
			body := sale(id, instoretest.AlipayCode(outcomes[i%len(outcomes)], uint64(i)), "125.00")
			tries := 1
			if i%10 == 0 {
				tries = 2
			}
			recs[i] = make([]*httptest.ResponseRecorder, tries)
			for k := range tries {
				wg.Go(func() { recs[i][k] = h.do(http.MethodPost, "/sales", body) })
			}
		}
		wg.Wait()

		statuses := make(map[instore.PaymentStatus]int)
		for i := range n {
			id := fmt.Sprintf("till-%03d", i)
			entries := h.sim.Payments(id)
			require.Len(t, entries, 1, "%s: one payment, however often the till sent it", id)
			finals := 0
			for _, rec := range recs[i] {
				a := decoded(t, rec)
				if rec.Code == http.StatusConflict {
					assert.Equal(t, "request_in_progress", a.Error.Code, id)
					continue
				}
				require.Equal(t, http.StatusOK, rec.Code, "%s: %s", id, rec.Body.String())
				finals++
				assert.Equal(t, id, a.Payment.RequestID)
				assert.Equal(t, entries[0].Captured, a.Payment.Status == instore.StatusSucceeded, "%s: the answer is what the acquirer did", id)
				assert.True(t, a.Payment.Status.Final(), id)
				statuses[a.Payment.Status]++
			}
			assert.GreaterOrEqual(t, finals, 1, "%s: a final answer", id)
		}
		assert.Positive(t, statuses[instore.StatusSucceeded])
		assert.Positive(t, statuses[instore.StatusFailed])
		assert.Positive(t, statuses[instore.StatusCancelled])
	})
}
