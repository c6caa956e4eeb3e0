package instoreotel_test

import (
	"context"
	"fmt"
	"net/http"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
)

// A Checkout instrumented with one option, its client's HTTP attempts
// traced with NewTransport (whose spans go to the provider of the sale's,
// as none is given). Here the providers keep what they record in memory; a
// POS backend gives providers that export (OTLP to a collector, say).
func ExampleInstrument() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	sim := instoretest.NewOmise()
	defer sim.Close()
	client, _ := sim.Client(instore.WithHTTPClient(&http.Client{
		Transport: instoreotel.NewTransport(sim.HTTPClient().Transport),
	}))
	acquirer, _ := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	checkout, err := instore.NewCheckout(
		instore.WithRoute(instore.WalletAlipay, acquirer, instore.MethodAlipayPlusUPM),
		instoreotel.Instrument(instoreotel.WithTracerProvider(tp), instoreotel.WithMeterProvider(mp)),
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	p, err := checkout.Collect(ctx, &instore.CollectRequest{
		Code:   instoretest.AlipayCode(instoretest.Succeed, 1),
		Amount: instore.Money{Amount: 10000, Currency: instore.THB},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sale:", p.Status)

	for _, s := range spans.Ended() {
		fmt.Println("span:", s.Name())
	}
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == instoreotel.MetricSales {
			point := m.Data.(metricdata.Sum[int64]).DataPoints[0]
			outcome, _ := point.Attributes.Value(instoreotel.OutcomeKey)
			fmt.Println("metric:", m.Name, outcome.AsString(), point.Value)
		}
	}
	// Output:
	// sale: succeeded
	// span: HTTP POST
	// span: instore.acquirer.pay
	// span: instore.collect
	// metric: instore.sales succeeded 1
}
