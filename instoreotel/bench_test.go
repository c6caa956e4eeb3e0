package instoreotel_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
)

// The benchmarks sell on the in-process Omise simulator, which has no
// network: a sale paid at once (one pay call) is the cheapest sale there
// is, so the instrumentation's share of it is the largest it can be. The
// instrumented Checkout records into the SDK: spans through a synchronous
// processor to an exporter that drops them (all the SDK's work on the
// sale's goroutine, none hidden in a batcher's), metrics aggregated for a
// manual reader.

// benchCollect sells b.N sales through a Checkout on sim made with opts.
func benchCollect(b *testing.B, sim *instoretest.Omise, opts ...instore.CheckoutOption) {
	benchSales(b, omiseCheckout(b, sim, opts...))
}

// benchSales sells b.N sales through c.
func benchSales(b *testing.B, c *instore.Checkout) {
	b.ReportAllocs()
	i := 0
	cpu := processCPU()
	for b.Loop() {
		i++
		sell(b, c, i)
	}
	if used := processCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// sell makes sale i, paid at once.
func sell(b *testing.B, c *instore.Checkout, i int) {
	p, err := c.Collect(b.Context(), &instore.CollectRequest{
		Code:      instoretest.AlipayCode(instoretest.Succeed, uint64(i)),
		Amount:    thb(12345),
		RequestID: "bench-" + strconv.Itoa(i),
	})
	if err != nil || p.Status != instore.StatusSucceeded {
		b.Fatalf("sale %d: %v %v", i, p, err)
	}
}

func sdkProviders() (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter())),
		sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
}

// BenchmarkCollectBaseline is a sale with no observer.
func BenchmarkCollectBaseline(b *testing.B) {
	benchCollect(b, instoretest.NewOmiseT(b))
}

// BenchmarkCollect is the same sale, instrumented into the SDK.
func BenchmarkCollect(b *testing.B) {
	tp, mp := sdkProviders()
	benchCollect(b, instoretest.NewOmiseT(b), instoreotel.Instrument(instoreotel.WithTracerProvider(tp), instoreotel.WithMeterProvider(mp)))
}

// BenchmarkCollectNoop is the same sale, instrumented with no-op
// providers: telemetry switched off.
func BenchmarkCollectNoop(b *testing.B) {
	benchCollect(b, instoretest.NewOmiseT(b), instoreotel.Instrument(
		instoreotel.WithTracerProvider(tracenoop.NewTracerProvider()),
		instoreotel.WithMeterProvider(metricnoop.NewMeterProvider())))
}

// BenchmarkCollectHTTPSpans adds NewTransport's HTTP client spans and
// metrics to BenchmarkCollect, for comparison.
func BenchmarkCollectHTTPSpans(b *testing.B) {
	tp, mp := sdkProviders()
	sim := instoretest.NewOmiseT(b)
	client, err := sim.Client(instore.WithHTTPClient(&http.Client{Transport: instoreotel.NewTransport(sim.HTTPClient().Transport,
		otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))}))
	if err != nil {
		b.Fatal(err)
	}
	benchSales(b, omiseCheckoutOn(b, client, instoreotel.Instrument(instoreotel.WithTracerProvider(tp), instoreotel.WithMeterProvider(mp))))
}

// BenchmarkCollectOverhead measures the instrumentation's share of a sale
// on a busy machine, where the pair above is at the mercy of the other
// processes: it alternates a sale without and a sale with instrumentation,
// times each, and reports the ratio of the medians (overhead-%), which a
// burst of load spreads over both. The ns/op is that of the pair. With
// both sides plain it reads 0 +- 1 %.
func BenchmarkCollectOverhead(b *testing.B) {
	b.Run("sdk", func(b *testing.B) {
		tp, mp := sdkProviders()
		benchOverhead(b, instoreotel.Instrument(instoreotel.WithTracerProvider(tp), instoreotel.WithMeterProvider(mp)))
	})
	b.Run("noop", func(b *testing.B) {
		benchOverhead(b, instoreotel.Instrument(
			instoreotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			instoreotel.WithMeterProvider(metricnoop.NewMeterProvider())))
	})
}

func benchOverhead(b *testing.B, instrument instore.CheckoutOption) {
	plain := omiseCheckout(b, instoretest.NewOmiseT(b))
	instrumented := omiseCheckout(b, instoretest.NewOmiseT(b), instrument)
	var without, with []time.Duration
	i := 0
	for b.Loop() {
		i++
		t0 := time.Now()
		sell(b, plain, i)
		t1 := time.Now()
		sell(b, instrumented, i)
		without, with = append(without, t1.Sub(t0)), append(with, time.Since(t1))
	}
	slices.Sort(without)
	slices.Sort(with)
	base, instr := without[len(without)/2], with[len(with)/2]
	b.ReportMetric(float64(base.Nanoseconds()), "plain-ns/sale")
	b.ReportMetric(float64(instr.Nanoseconds()), "instrumented-ns/sale")
	b.ReportMetric(100*float64(instr-base)/float64(base), "overhead-%")
}
