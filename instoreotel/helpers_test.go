package instoreotel_test

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
)

// telemetry is an SDK tracer provider with an in-memory span recorder and
// an SDK meter provider with a manual reader, the instrumented Checkout's
// option, and the time the test began (virtual inside a synctest bubble, so
// offsets and durations are exact).
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
	t0     time.Time
}

func newTelemetry() *telemetry {
	tm := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(), t0: time.Now()}
	tm.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tm.spans))
	tm.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tm.reader))
	return tm
}

func (tm *telemetry) option() instore.CheckoutOption {
	return instoreotel.Instrument(instoreotel.WithTracerProvider(tm.tp), instoreotel.WithMeterProvider(tm.mp))
}

// spanView is what a test compares of a span: its place in the tree, its
// times as offsets from the test's start, its status, attributes and
// events.
type spanView struct {
	Name     string
	At, Took time.Duration
	Status   string // "" (unset), or "Error: description"
	Attrs    map[string]any
	Events   []eventView
	Children []spanView
}

type eventView struct {
	Name  string
	At    time.Duration
	Attrs map[string]any
}

// attrs is an attribute map as spanView holds it.
func attrs(kvs ...attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// join merges attribute maps, later ones winning.
func join(ms ...map[string]any) map[string]any {
	out := make(map[string]any)
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// tree returns the ended spans as trees, roots and children in start
// order, and checks that every span of ours has the instrumentation scope
// and is of kind internal (otelhttp's spans aside).
func (tm *telemetry) tree(t *testing.T) []spanView {
	t.Helper()
	ended := tm.spans.Ended()
	byParent := make(map[string][]sdktrace.ReadOnlySpan)
	ids := make(map[string]bool)
	for _, s := range ended {
		ids[s.SpanContext().SpanID().String()] = true
	}
	for _, s := range ended {
		parent := ""
		if s.Parent().IsValid() && ids[s.Parent().SpanID().String()] {
			parent = s.Parent().SpanID().String()
		}
		byParent[parent] = append(byParent[parent], s)
	}
	var build func(parent string) []spanView
	build = func(parent string) []spanView {
		kids := byParent[parent]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].StartTime().Before(kids[j].StartTime()) })
		var out []spanView
		for _, s := range kids {
			if strings.HasPrefix(s.Name(), "instore.") {
				require.Equal(t, instoreotel.ScopeName, s.InstrumentationScope().Name)
				require.Equal(t, instore.Version, s.InstrumentationScope().Version)
				require.Equal(t, trace.SpanKindInternal, s.SpanKind(), s.Name())
			}
			v := spanView{
				Name:  s.Name(),
				At:    s.StartTime().Sub(tm.t0),
				Took:  s.EndTime().Sub(s.StartTime()),
				Attrs: attrs(s.Attributes()...),
			}
			if s.Status().Code != 0 {
				v.Status = s.Status().Code.String() + ": " + s.Status().Description
			}
			for _, e := range s.Events() {
				v.Events = append(v.Events, eventView{Name: e.Name, At: e.Time.Sub(tm.t0), Attrs: attrs(e.Attributes...)})
			}
			v.Children = build(s.SpanContext().SpanID().String())
			out = append(out, v)
		}
		return out
	}
	return build("")
}

// points returns every metric point collected, one line each, sorted:
// "name{key=value,...} value" for a sum or a gauge, and "name{...}
// count=N sum=S (lo,hi]=n ..." (non-empty buckets only) for a histogram.
func (tm *telemetry) points(t *testing.T) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(t.Context(), &rm))
	var out []string
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, instoreotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s %d", m.Name, setString(p.Attributes), p.Value))
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s %d", m.Name, setString(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out = append(out, m.Name+setString(p.Attributes)+" "+histString(p))
				}
			default:
				t.Fatalf("unexpected metric type %T for %s", m.Data, m.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func setString(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func histString(p metricdata.HistogramDataPoint[float64]) string {
	s := "count=" + strconv.FormatUint(p.Count, 10) + " sum=" + strconv.FormatFloat(p.Sum, 'g', -1, 64)
	for i, n := range p.BucketCounts {
		if n == 0 {
			continue
		}
		lo, hi := "-inf", "+inf"
		if i > 0 {
			lo = strconv.FormatFloat(p.Bounds[i-1], 'g', -1, 64)
		}
		if i < len(p.Bounds) {
			hi = strconv.FormatFloat(p.Bounds[i], 'g', -1, 64)
		}
		s += " (" + lo + "," + hi + "]=" + strconv.FormatUint(n, 10)
	}
	return s
}

func thb(amount int64) instore.Money { return instore.Money{Amount: amount, Currency: instore.THB} }

// omiseCheckout is a Checkout routing both wallets to the Omise simulator,
// with opts (tm.option() to instrument it).
func omiseCheckout(tb testing.TB, sim *instoretest.Omise, opts ...instore.CheckoutOption) *instore.Checkout {
	tb.Helper()
	client, err := sim.Client()
	require.NoError(tb, err)
	return omiseCheckoutOn(tb, client, opts...)
}

// omiseCheckoutOn is omiseCheckout on a client of the test's own: one
// whose HTTP client is traced, say.
func omiseCheckoutOn(tb testing.TB, client *instore.Client, opts ...instore.CheckoutOption) *instore.Checkout {
	tb.Helper()
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	require.NoError(tb, err)
	c, err := instore.NewCheckout(append([]instore.CheckoutOption{
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
		instore.WithRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayUPM),
		instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusMPM),
	}, opts...)...)
	require.NoError(tb, err)
	return c
}
