package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/instorepay/instore/instoreotel"
)

// withTelemetry, for -otel, instruments the example's Checkout with
// OpenTelemetry SDK providers whose exporters print to stdout, and returns
// what prints the spans and the metrics once the run is over, after its
// progress lines. Without -otel it does nothing. A POS backend does the
// same with its own exporters (OTLP to a collector, say) and passes its
// providers to instoreotel.Instrument, or sets the global ones.
func withTelemetry(o *options, env *environment, stdout io.Writer) (flush func()) {
	if !o.otel {
		return func() {}
	}
	spans, err := stdouttrace.New(stdouttrace.WithWriter(stdout), stdouttrace.WithPrettyPrint())
	if err != nil {
		fmt.Fprintln(stdout, "(no telemetry:", err, ")")
		return func() {}
	}
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(stdout), stdoutmetric.WithPrettyPrint())
	if err != nil {
		fmt.Fprintln(stdout, "(no telemetry:", err, ")")
		return func() {}
	}
	res := resource.NewSchemaless(attribute.String("service.name", "instore-example-checkout"))
	// The batcher holds the spans until the flush (its timeout is longer
	// than any run of the example), so that they print together rather
	// than between the progress lines.
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res),
		sdktrace.WithBatcher(spans, sdktrace.WithBatchTimeout(time.Hour)))
	// A periodic reader exports once more when it shuts down; the interval
	// is longer than any run of the example.
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(time.Hour))))
	env.options = append(env.options, instoreotel.Instrument(instoreotel.WithTracerProvider(tp), instoreotel.WithMeterProvider(mp)))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fmt.Fprintln(stdout, "\n--- OpenTelemetry spans (stdouttrace) ---")
		if err := tp.Shutdown(ctx); err != nil {
			fmt.Fprintln(stdout, "(spans:", err, ")")
		}
		fmt.Fprintln(stdout, "\n--- OpenTelemetry metrics (stdoutmetric) ---")
		if err := mp.Shutdown(ctx); err != nil {
			fmt.Fprintln(stdout, "(metrics:", err, ")")
		}
	}
}
