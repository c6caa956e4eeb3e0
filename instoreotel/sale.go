package instoreotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/instorepay/instore"
)

// attrBuffer holds a span's attributes on their way to SetAttributes,
// which copies them: one buffer per span would be as many allocations as
// the SDK's own, for nothing.
type attrBuffer [16]attribute.KeyValue

// saleObserver watches one operation on one sale. A Checkout calls it on
// the sale's goroutine only, so its counts need no lock.
type saleObserver struct {
	o         *Observer
	op        instore.Operation
	sale      instore.SaleInfo
	span      trace.Span
	recording bool
	metered   bool
	start     time.Time
	// inquiries and cancels count the calls made, for the span's end.
	inquiries, cancels int
	// acted is set by the first step or call: an operation that ends
	// without one answered from the journal (see endsSale).
	acted bool
}

// StartCall starts the span of a call to the acquirer, a child of the
// operation's, and returns what ends it with the call's answer.
func (s *saleObserver) StartCall(ctx context.Context, call instore.CallInfo) (context.Context, func(*instore.Payment, error)) {
	s.acted = true
	switch call.Kind {
	case instore.CallInquiry:
		s.inquiries++
	case instore.CallCancel:
		s.cancels++
	}
	start := time.Now()
	ctx, span := s.o.tracer.Start(ctx, callSpanName(call.Kind)) // of kind internal, the default
	recording := span.IsRecording()
	return ctx, func(p *instore.Payment, err error) {
		result := callResult(err)
		if recording {
			s.endCall(span, call, p, err, result)
		}
		span.End()
		if s.metered {
			s.o.metrics.recordCall(ctx, s.sale.Acquirer, call.Kind, result, time.Since(start))
		}
	}
}

// endCall sets the attributes of a call's span, all at once (see
// StartSale), and its status.
func (s *saleObserver) endCall(span trace.Span, call instore.CallInfo, p *instore.Payment, err error, result string) {
	buf := s.o.buffers.Get().(*attrBuffer)
	defer s.o.buffers.Put(buf)
	attrs := buf[:0]
	attrs = append(attrs,
		AcquirerKey.String(s.sale.Acquirer),
		CallKey.String(string(call.Kind)),
		CallAttemptKey.Int(call.Attempt),
		CallResultKey.String(result),
	)
	if err == nil && p != nil && p.Status != "" {
		attrs = append(attrs, PaymentStatusKey.String(string(p.Status)))
	}
	setEnd(span, attrs, err)
}

// setEnd sets a span's attributes, all at once (see StartSale): attrs,
// from a pooled buffer, and for an error its error.type and the error
// status.
func setEnd(span trace.Span, attrs []attribute.KeyValue, err error) {
	if err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(err)))
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attrs...)
	clear(attrs) // the pool must not keep the strings alive
}

// Step adds an event to the operation's span for the steps its call spans
// do not show: pending, notified, cancelling and presented.
func (s *saleObserver) Step(_ context.Context, p instore.Progress) {
	s.acted = true
	if !s.recording {
		return
	}
	var name string
	switch p.Step {
	case instore.StepPending:
		name = "instore.pending"
	case instore.StepNotified:
		name = "instore.notified"
	case instore.StepCancelling:
		name = "instore.cancelling"
	case instore.StepPresented:
		name = "instore.presented"
	default:
		return
	}
	attrs := make([]attribute.KeyValue, 0, 2)
	if p.Status != "" {
		attrs = append(attrs, PaymentStatusKey.String(string(p.Status)))
	}
	if p.Attempt > 0 {
		attrs = append(attrs, CallAttemptKey.Int(p.Attempt))
	}
	s.span.AddEvent(name, trace.WithAttributes(attrs...))
}

// Anomaly adds an event for an answer the Checkout ignored: the call and
// the reason, never the answer's values.
func (s *saleObserver) Anomaly(_ context.Context, call instore.CallKind, reason string) {
	if !s.recording {
		return
	}
	s.span.AddEvent("instore.anomaly", trace.WithAttributes(
		CallKey.String(string(call)),
		AnomalyReasonKey.String(reason),
	))
}

// End ends the operation's span with its outcome and records the metrics
// of the sale (or the refund) it ended, if it ended one (see endsSale).
func (s *saleObserver) End(ctx context.Context, p *instore.Payment, err error) {
	out := outcome(p, err)
	if s.recording {
		s.endSpan(ctx, p, err, out)
	}
	s.span.End()
	if s.metered && endsSale(s.op, out, s.acted, p != nil) {
		s.o.metrics.recordEnd(ctx, s.op, s.sale, out, time.Since(s.start))
	}
}

// endSpan sets the attributes of the operation's span, what the sale is
// and how the operation ended, all at once (see StartSale), and its
// status.
func (s *saleObserver) endSpan(ctx context.Context, p *instore.Payment, err error, out string) {
	sale := s.sale
	buf := s.o.buffers.Get().(*attrBuffer)
	defer s.o.buffers.Put(buf)
	attrs := buf[:0]
	attrs = append(attrs,
		OperationKey.String(string(s.op)),
		RequestIDKey.String(sale.RequestID),
		AcquirerKey.String(sale.Acquirer),
		WalletKey.String(string(sale.Wallet)),
		PaymentMethodKey.String(string(sale.Method)),
		CurrencyKey.String(string(sale.Amount.Currency)),
		AmountKey.Int64(sale.Amount.Amount),
		OutcomeKey.String(out),
		InquiriesKey.Int(s.inquiries),
		CancelsKey.Int(s.cancels),
	)
	if sale.RefundRequestID != "" {
		attrs = append(attrs, RefundRequestIDKey.String(sale.RefundRequestID))
	}
	if p != nil && p.ID != "" {
		key := PaymentIDKey
		if s.op == instore.OpRefund {
			key = RefundIDKey
		}
		attrs = append(attrs, key.String(p.ID))
	}
	if p != nil && p.FailureCode != "" {
		attrs = append(attrs, FailureCodeKey.String(p.FailureCode))
	}
	if ctx.Err() != nil {
		attrs = append(attrs, AbandonedKey.Bool(true))
	}
	setEnd(s.span, attrs, err)
}
