package instoreotel

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/instorepay/instore"
)

// ScopeName is the instrumentation scope of the tracer and the meter: this
// package's import path, as the official instrumentation libraries name
// theirs.
const ScopeName = "github.com/instorepay/instore/instoreotel"

// Option configures an Observer.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets the provider of the spans. Without it, or with
// nil, the global provider is used (otel.GetTracerProvider), including one
// set after the Observer was made.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider sets the provider of the metrics. Without it, or with
// nil, the global provider is used (otel.GetMeterProvider), including one
// set after the Observer was made.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// Instrument returns the option that gives a Checkout traces and metrics:
// a new Observer made with opts, installed with instore.WithObserver. The
// option fails if the meter refuses an instrument.
func Instrument(opts ...Option) instore.CheckoutOption {
	return func(c *instore.Checkout) error {
		o, err := NewObserver(opts...)
		if err != nil {
			return err
		}
		return instore.WithObserver(o)(c)
	}
}

// Observer is the instore.Observer that turns sales into spans and metric
// points. It is safe for concurrent use, and one Observer may watch several
// Checkouts (instore.WithObserver(o) on each).
type Observer struct {
	tracer  trace.Tracer
	metrics *instruments
	pending *pendingRecovery
	// buffers are *attrBuffer, for the attributes of ending spans.
	buffers sync.Pool
}

var (
	_ instore.Observer        = (*Observer)(nil)
	_ instore.JournalObserver = (*Observer)(nil)
)

// NewObserver returns an Observer for the providers opts name, or the
// global ones. Close it to stop its gauge reading the journals when its
// Checkouts are done with; Instrument's Observer lives as long as the meter
// provider.
func NewObserver(opts ...Option) (*Observer, error) {
	cfg := config{}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	meter := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(instore.Version))
	m, err := newInstruments(meter)
	if err != nil {
		return nil, err
	}
	pending, err := newPendingRecovery(meter)
	if err != nil {
		return nil, err
	}
	return &Observer{
		tracer:  cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(instore.Version)),
		metrics: m,
		pending: pending,
		buffers: sync.Pool{New: func() any { return new(attrBuffer) }},
	}, nil
}

// Close stops the pending-recovery gauge reading the journals. The spans
// and the other metrics need no closing.
func (o *Observer) Close() error {
	return o.pending.close()
}

// ObserveJournal is called by instore.NewCheckout with the Checkout's
// journal, which the pending-recovery gauge reads.
func (o *Observer) ObserveJournal(j instore.Journal) {
	o.pending.add(j)
}

// StartSale starts the span of an operation on a sale. When the span does
// not record and no metric is enabled, it returns a nil SaleObserver, and
// the Checkout does no more work for the telemetry of the operation.
//
// The span's attributes are all set when it ends, in one call: a sampler
// sees none of them, and a span costs one write of its attributes, not
// two.
func (o *Observer) StartSale(ctx context.Context, op instore.Operation, sale instore.SaleInfo) (context.Context, instore.SaleObserver) {
	ctx, span := o.tracer.Start(ctx, operationSpanName(op)) // of kind internal, the default
	recording := span.IsRecording()
	metered := o.metrics.enabled(ctx)
	if !recording && !metered {
		return ctx, nil
	}
	return ctx, &saleObserver{
		o: o, op: op, sale: sale, span: span,
		recording: recording, metered: metered, start: time.Now(),
	}
}
