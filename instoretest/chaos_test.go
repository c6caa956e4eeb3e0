package instoretest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// allKinds are the fault kinds there are, FaultNone aside: every kind up to
// the first that String does not name, so that a kind added after
// FaultStorm is counted too.
func allKinds() []instoretest.FaultKind {
	var out []instoretest.FaultKind
	for k := instoretest.FaultDelay; !strings.HasPrefix(k.String(), "fault("); k++ {
		out = append(out, k)
	}
	return out
}

func TestChaosFaultsMix(t *testing.T) {
	t.Parallel()
	sum := func(rf []instoretest.RandomFault) float64 {
		s := 0.0
		for _, r := range rf {
			s += r.Rate
		}
		return s
	}
	mix := instoretest.ChaosFaults(instoretest.ChaosMix{})
	assert.InDelta(t, instoretest.DefaultChaosRate, sum(mix), 1e-9)
	kinds := map[instoretest.FaultKind]bool{}
	for _, r := range mix {
		kinds[r.Fault.Kind] = true
		assert.NotEqual(t, "fault(", r.Fault.Kind.String()[:min(6, len(r.Fault.Kind.String()))], "every kind has a name")
		if r.Fault.Kind == instoretest.FaultDelay || r.Fault.Kind == instoretest.FaultLate {
			assert.Equal(t, time.Second, r.Fault.Delay)
			assert.Equal(t, 7*time.Second, r.Fault.Jitter)
		}
	}
	for _, k := range allKinds() {
		assert.True(t, kinds[k], "the mix has %s", k)
	}

	some := instoretest.ChaosFaults(instoretest.ChaosMix{
		Rate: 0.5, MinDelay: 2 * time.Second, MaxDelay: 3 * time.Second,
		Kinds: []instoretest.FaultKind{instoretest.FaultLate, instoretest.FaultStreamReset},
	})
	assert.InDelta(t, 0.5, sum(some), 1e-9)
	require.Len(t, some, 2)
	assert.Equal(t, instoretest.Fault{Kind: instoretest.FaultLate, Delay: 2 * time.Second, Jitter: time.Second}, some[0].Fault)
	assert.Equal(t, instoretest.FaultStreamReset, some[1].Fault.Kind)
	assert.InDelta(t, 1, sum(instoretest.ChaosFaults(instoretest.ChaosMix{Rate: 3})), 1e-9, "at most every request")
	assert.Empty(t, instoretest.ChaosFaults(instoretest.ChaosMix{Kinds: []instoretest.FaultKind{instoretest.FaultNone}}))
}

// chaosRun sells n sales through a PPRO simulator under the chaos mix,
// each as a careful till would by hand: a TRANSACTION, then status lookups
// by merchanttxid every 2 s until one it can trust says the sale is final.
// It returns, per sale, the faults its requests met, and how many sales
// completed.
func chaosRun(t *testing.T, seed uint64, n int, concurrent bool) (map[string][]string, int) {
	t.Helper()
	faults := map[string][]string{}
	completed := 0
	synctest.Test(t, func(t *testing.T) {
		sink := instoretest.HandlerClient(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		p := instoretest.NewPPROT(t, instoretest.WithSeed(seed), instoretest.WithNotifyClient(sink))
		p.SetRandomFaults(instoretest.AnyEndpoint, instoretest.ChaosFaults(instoretest.ChaosMix{})...)
		tg := inProcess(p)
		call := func(form url.Values) url.Values {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.base+"/", strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := tg.hc.Do(req)
			if err != nil {
				return nil
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				return nil
			}
			v, err := url.ParseQuery(string(b))
			if err != nil {
				return nil
			}
			return v
		}
		var mu sync.Mutex
		sale := func(i int) {
			id := "chaos-" + itoa(i)
			outcome := instoretest.Outcome("00")
			if i%3 == 1 {
				outcome = instoretest.ConfirmOnInquiry(2)
			}
			call(pproSale(p, id, instoretest.AlipayCode(outcome, uint64(i))))
			for range 8 {
				v := call(pproForm(p, "GETTXSTATUSBYMERCHANTTXID", "merchanttxid", id))
				if v.Get("REQUESTSTATUS") == "SUCCEEDED" && v.Get("MERCHANTTXID") == id &&
					(v.Get("STATUS") == "SUCCEEDED" || v.Get("STATUS") == "FAILED") {
					mu.Lock()
					completed++
					mu.Unlock()
					return
				}
				time.Sleep(2 * time.Second)
			}
		}
		if concurrent {
			var wg sync.WaitGroup
			for i := n - 1; i >= 0; i-- {
				wg.Go(func() { sale(i) })
			}
			wg.Wait()
		} else {
			for i := range n {
				sale(i)
			}
		}
		time.Sleep(time.Minute) // late requests land, storms end
		synctest.Wait()
		log := p.Requests()
		for i := range log {
			r := &log[i]
			faults[r.Key] = append(faults[r.Key], string(r.Endpoint)+" "+r.Fault.Kind.String()+" "+r.Fault.Delay.String()+" "+r.Fault.Foreign.String())
		}
	})
	return faults, completed
}

func TestChaosRunIsSeededPerSaleAndMostSalesComplete(t *testing.T) {
	t.Parallel()
	const n = 150
	first, completed := chaosRun(t, 11, n, false)
	kinds := map[string]bool{}
	for _, fs := range first {
		for _, f := range fs {
			kinds[strings.Fields(f)[1]] = true
		}
	}
	for _, k := range allKinds() {
		switch k {
		case instoretest.FaultUnsigned, instoretest.FaultBadSignature, instoretest.FaultUnknown:
			continue // Alipay+ only: PPRO serves them as none
		}
		assert.True(t, kinds[k.String()], "a run of %d sales meets %s", n, k)
	}
	assert.GreaterOrEqual(t, completed, n*8/10, "most sales still complete")
	t.Logf("%d of %d sales completed", completed, n)

	again, completedAgain := chaosRun(t, 11, n, true)
	assert.Equal(t, first, again, "the same seed: each sale meets the same faults, run one by one or all at once")
	assert.Equal(t, completed, completedAgain)
	other, _ := chaosRun(t, 12, n, false)
	assert.NotEqual(t, first, other)
}
