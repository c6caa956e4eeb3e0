package instore_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// stepLog collects the steps a progress callback is given.
type stepLog struct {
	mu    sync.Mutex
	steps map[string][]instore.Step // by request id
}

func (l *stepLog) add(p instore.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.steps == nil {
		l.steps = make(map[string][]instore.Step)
	}
	l.steps[p.RequestID] = append(l.steps[p.RequestID], p.Step)
}

func (l *stepLog) of(id string) []instore.Step {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.steps[id]
}

// A request's own Progress sees its own sale's steps, the same the
// Checkout's WithProgress sees of it, and nothing of the sales beside it.
func TestProgressPerRequest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var all stepLog
		sim := instoretest.NewOmiseT(t)
		c := omiseCheckout(t, sim, instore.WithProgress(all.add))
		mine := map[string]*stepLog{"sale-1": {}, "sale-2": {}}
		var wg sync.WaitGroup
		for i, id := range []string{"sale-1", "sale-2"} {
			wg.Go(func() {
				_, err := c.Collect(t.Context(), &instore.CollectRequest{
					Code:      instoretest.AlipayCode(instoretest.ConfirmOnInquiry(i+1), uint64(i)),
					Amount:    thb(12_500),
					RequestID: id,
					Progress:  mine[id].add,
				})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		for id, l := range mine {
			require.NotEmpty(t, l.of(id), id)
			assert.Equal(t, all.of(id), l.of(id), "%s: the same steps as WithProgress", id)
			assert.Len(t, l.steps, 1, "%s: only its own sale", id)
		}
		assert.Equal(t, []instore.Step{instore.StepClassified, instore.StepPaying, instore.StepPending,
			instore.StepInquiring, instore.StepFinal}, mine["sale-1"].of("sale-1"))
	})
}

// A PresentRequest's Progress follows the sale into its Wait.
func TestProgressPerPresentRequest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
		c := bareAlipayCheckout(t, sim)
		var mine stepLog
		pm, err := c.Present(t.Context(), &instore.PresentRequest{
			Wallet: instore.WalletAlipay, Amount: thb(12_500), RequestID: "qr-1",
			Store:    instore.Store{ID: "BKK-01", Name: "Sukhumvit", MCC: "5812", TerminalID: "T-01"},
			Progress: mine.add,
		})
		require.NoError(t, err)
		require.Equal(t, []instore.Step{instore.StepPaying, instore.StepPresented}, mine.of("qr-1"))
		time.AfterFunc(4*time.Second, func() { assert.NoError(t, sim.PayPresented("qr-1")) })
		p, err := pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, p.Status)
		steps := mine.of("qr-1")
		assert.Contains(t, steps, instore.StepInquiring, "Wait's steps too")
		assert.Equal(t, instore.StepFinal, steps[len(steps)-1])
	})
}
