package instoreotel_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// tracedClient is an *http.Client whose transport is base wrapped by
// NewTransport, reporting to tm.
func (tm *telemetry) tracedClient(base http.RoundTripper) *http.Client {
	return &http.Client{Transport: instoreotel.NewTransport(base,
		otelhttp.WithTracerProvider(tm.tp), otelhttp.WithMeterProvider(tm.mp))}
}

// pproNotifications acknowledges the PPRO simulator's notifications in
// process: the sales name a notification URL on a host that does not exist.
func pproNotifications() instoretest.Option {
	return instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "OK")
	})))
}

// tracedAcquirer is an acquirer on a simulator, its HTTP client wrapped
// with NewTransport, and what the test needs of the simulator.
type tracedAcquirer struct {
	acq      instore.Acquirer
	pay      instoretest.Endpoint
	payments func(requestID string) []instoretest.LedgerEntry
	requests func() []instoretest.Request
	inject   func(e instoretest.Endpoint, n int, f instoretest.Fault)
	amount   instore.Money
	method   instore.PaymentMethod
}

func tracedOmise(t *testing.T, tm *telemetry) tracedAcquirer {
	sim := instoretest.NewOmiseT(t)
	client, err := sim.Client(instore.WithHTTPClient(tm.tracedClient(sim.HTTPClient().Transport)))
	require.NoError(t, err)
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	return tracedAcquirer{
		acq: acq, pay: instoretest.OmiseCreateCharge, payments: sim.Payments, requests: sim.Requests, inject: sim.InjectFault,
		amount: thb(12345), method: instore.MethodAlipayPlusUPM,
	}
}

func tracedPPRO(t *testing.T, tm *telemetry) tracedAcquirer {
	sim := instoretest.NewPPROT(t, pproNotifications())
	client, err := sim.Client(ppro.WithHTTPClient(tm.tracedClient(sim.HTTPClient().Transport)))
	require.NoError(t, err)
	acq, err := ppro.NewAcquirer(client, ppro.AcquirerConfig{
		NotificationURL: "https://pos.example.ch/ppro/notify", StoreID: "ZRH-01", StoreName: "Zurich HB",
	})
	require.NoError(t, err)
	return tracedAcquirer{
		acq: acq, pay: instoretest.PPROTransaction, payments: sim.Payments, requests: sim.Requests, inject: sim.InjectFault,
		amount: instore.Money{Amount: 1250, Currency: instore.CHF}, method: instore.MethodPPROAlipay,
	}
}

// TestTransportKeepsWriteEvidence: through NewTransport (otelhttp), a pay
// (a POST neither acquirer deduplicates) that failed before it was written
// is retried once and made once; one that was processed and whose answer
// was lost is an unknown outcome, sent once, never again.
func TestTransportKeepsWriteEvidence(t *testing.T) {
	t.Parallel()
	acquirers := map[string]func(*testing.T, *telemetry) tracedAcquirer{"omise": tracedOmise, "ppro": tracedPPRO}
	tests := []struct {
		name         string
		fault        instoretest.FaultKind
		wantUnknown  bool
		wantRequests int
		// wantHTTP are the statuses of the HTTP client spans, in order.
		wantHTTP []string
	}{
		{"dropped before it was written: retried once", instoretest.FaultDropBefore, false, 2, []string{"Error", "Unset"}},
		{"dropped after it was processed: outcome unknown, not sent again", instoretest.FaultDropAfter, true, 1, []string{"Error"}},
	}
	for name, newAcquirer := range acquirers {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					tm := newTelemetry()
					a := newAcquirer(t, tm)
					a.inject(a.pay, 1, instoretest.Fault{Kind: tt.fault})
					code, err := instore.ClassifyPaymentCode(instoretest.AlipayCode(instoretest.Succeed, 11))
					require.NoError(t, err)

					p, err := a.acq.Pay(t.Context(), &instore.PayRequest{RequestID: "sale-1", Code: code, Amount: a.amount, Method: a.method})
					if tt.wantUnknown {
						require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
					} else {
						require.NoError(t, err)
						assert.Equal(t, instore.StatusSucceeded, p.Status)
					}

					sent := 0
					for _, r := range a.requests() {
						if r.Endpoint == a.pay {
							sent++
						}
					}
					assert.Equal(t, tt.wantRequests, sent, "pay requests that reached the simulator")
					entries := a.payments("sale-1")
					require.Len(t, entries, 1, "one payment made")
					assert.Equal(t, 1, instoretest.Captures(entries))

					var statuses []string
					for _, v := range tm.tree(t) {
						require.Equal(t, "HTTP POST", v.Name)
						statuses = append(statuses, strings.SplitN(v.Status+":", ":", 2)[0])
					}
					for i := range statuses {
						if statuses[i] == "" {
							statuses[i] = "Unset"
						}
					}
					assert.Equal(t, tt.wantHTTP, statuses)
				})
			})
		}
	}
}

// TestTransportSpansNestUnderCalls: an instrumented Checkout on a traced
// client shows each HTTP attempt under the acquirer call that made it; a
// QR image download, whose URL carries a token, makes no span.
func TestTransportSpansNestUnderCalls(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		sim := instoretest.NewOmiseT(t)
		client, err := sim.Client(instore.WithHTTPClient(tm.tracedClient(sim.HTTPClient().Transport)))
		require.NoError(t, err)
		c := omiseCheckoutOn(t, client, tm.option())

		_, err = c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), 1), Amount: thb(12345), RequestID: "sale-1"})
		require.NoError(t, err)
		pr, err := c.Present(t.Context(), &instore.PresentRequest{Wallet: instore.WalletAlipay, Amount: thb(5000), RequestID: "qr-1"})
		require.NoError(t, err)
		img, err := pr.Image(t.Context())
		require.NoError(t, err)
		require.NotEmpty(t, img)

		// names is the tree as span names, children indented.
		var names []string
		var walk func(vs []spanView, indent string)
		walk = func(vs []spanView, indent string) {
			for _, v := range vs {
				names = append(names, indent+v.Name)
				if v.Name == "HTTP GET" || v.Name == "HTTP POST" {
					assert.NotContains(t, v.Attrs["url.full"], "/downloads/")
				}
				walk(v.Children, indent+"  ")
			}
		}
		walk(tm.tree(t), "")
		assert.Equal(t, []string{
			"instore.collect",
			"  instore.acquirer.pay",
			"    HTTP POST",
			"  instore.acquirer.inquiry",
			"    HTTP GET",
			"instore.present",
			"  instore.acquirer.present",
			"    HTTP POST", // the source
			"    HTTP POST", // the charge
		}, names)
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTransportSendsNoTraceContext: NewTransport sends the acquirers, third
// parties, no trace context, even with a global propagator that would;
// otelhttp.WithPropagators sends it anyway.
//
// Not parallel: it sets the global propagator, as a program would, which
// otelhttp reads when none is given; the parallel tests run after it.
func TestTransportSendsNoTraceContext(t *testing.T) {
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })

	tm := newTelemetry()
	ctx, span := tm.tp.Tracer("test").Start(t.Context(), "sale")
	defer span.End()
	for _, tt := range []struct {
		name string
		opts []otelhttp.Option
		sent bool
	}{
		{"by default", nil, false},
		{"with otelhttp.WithPropagators", []otelhttp.Option{otelhttp.WithPropagators(propagation.TraceContext{})}, true},
	} {
		var header http.Header
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			header = r.Header.Clone()
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
		})
		opts := append([]otelhttp.Option{otelhttp.WithTracerProvider(tm.tp), otelhttp.WithMeterProvider(tm.mp)}, tt.opts...)
		client := &http.Client{Transport: instoreotel.NewTransport(base, opts...)}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.omise.example/charges", nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err, tt.name)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, tt.sent, header.Get("Traceparent") != "", "%s: traceparent %q", tt.name, header.Get("Traceparent"))
	}
}
