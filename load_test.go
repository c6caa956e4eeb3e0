package instore_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// countingClient is an HTTP client that counts the connections it dials,
// with an idle pool sized for idle connections per host, as a deployment
// expecting that many sales at once would size it.
func countingClient(dials *atomic.Int32, idle int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = idle
	tr.MaxIdleConnsPerHost = idle
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// loadOptions keep a real-time load test short and independent of the
// machine's speed: the payments confirm on the second inquiry, a few
// milliseconds apart, and no deadline can expire on a slow machine (an
// expired attempt closes its connection, which is not what is measured
// here).
var loadOptions = []instore.CheckoutOption{
	instore.WithSchedule(instore.Schedule{
		Inquiry: []time.Duration{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		Cancel:  []time.Duration{5 * time.Millisecond},
	}),
	instore.WithPayTimeout(time.Hour),
	instore.WithCallTimeout(time.Hour),
}

// TestLoad runs 500 concurrent sales over real loopback sockets against each
// simulator: they all finish, each is captured once, connections are reused,
// and nothing is left running afterwards.
func TestLoad(t *testing.T) {
	const sales = 500
	before := runtime.NumGoroutine()
	for _, acquirer := range []string{"omise", "alipayplus"} {
		t.Run(acquirer, func(t *testing.T) {
			var dials atomic.Int32
			hc := countingClient(&dials, sales)
			var c *instore.Checkout
			var ledger func(string) []instoretest.LedgerEntry
			var requests func() int
			var closeSim func()
			switch acquirer {
			case "omise":
				sim := instoretest.NewOmise()
				closeSim = sim.Close
				client, err := sim.Client(instore.WithBaseURL(sim.URL()), instore.WithHTTPClient(hc), instore.WithTimeout(time.Hour))
				require.NoError(t, err)
				acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
				require.NoError(t, err)
				c, err = instore.NewCheckout(append([]instore.CheckoutOption{instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM)}, loadOptions...)...)
				require.NoError(t, err)
				ledger, requests = sim.Payments, func() int { return len(sim.Requests()) }
			default:
				sim := instoretest.NewAlipayPlus(alipayKeys(t))
				closeSim = sim.Close
				client, err := sim.Client(alipayplus.WithBaseURL(sim.URL()), alipayplus.WithHTTPClient(hc), alipayplus.WithTimeout(time.Hour))
				require.NoError(t, err)
				acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: testMerchant, TerminalID: "T-01"})
				require.NoError(t, err)
				c, err = instore.NewCheckout(append([]instore.CheckoutOption{instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM)}, loadOptions...)...)
				require.NoError(t, err)
				ledger, requests = sim.Payments, func() int { return len(sim.Requests()) }
			}

			var wg sync.WaitGroup
			for i := range sales {
				wg.Go(func() {
					id := fmt.Sprintf("load-%03d", i)
					p, err := c.Collect(t.Context(), &instore.CollectRequest{
						Code:      instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), uint64(i)),
						Amount:    thb(10_000),
						RequestID: id,
					})
					if assert.NoError(t, err, id) {
						assert.Equal(t, instore.StatusSucceeded, p.Status, id)
					}
					assert.Equal(t, 1, instoretest.Captures(ledger(id)), id)
				})
			}
			wg.Wait()

			n := requests()
			t.Logf("%s: %d sales, %d requests over %d connections", acquirer, sales, n, dials.Load())
			assert.Equal(t, 3*sales, n, "a pay and two inquiries per sale, nothing resent")
			// About one connection per sale in flight; without keep-alive
			// every request would dial.
			assert.Less(t, int(dials.Load()), n*4/5, "connections are reused across requests")
			hc.CloseIdleConnections()
			closeSim()
		})
	}
	// Everything the sales started has stopped: transports, simulators,
	// timers. Goroutines wind down asynchronously after Close, so the count
	// is given a moment to settle; it is not a timing assertion.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left behind")
}
