package instoreotel_test

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoreotel"
)

// TestStartSaleWhenDisabled: with nothing to record, StartSale hands the
// Checkout a nil SaleObserver, so a sale does no more work for telemetry;
// as soon as either signal records, it watches the sale.
func TestStartSaleWhenDisabled(t *testing.T) {
	t.Parallel()
	sampledOut := trace.NewTracerProvider(trace.WithSampler(trace.NeverSample()), trace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	recording := trace.NewTracerProvider(trace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	metered := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tests := []struct {
		name    string
		opts    []instoreotel.Option
		watched bool
	}{
		{"no-op providers", []instoreotel.Option{
			instoreotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			instoreotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		}, false},
		{"global providers never set", nil, false},
		{"spans sampled out, no meter", []instoreotel.Option{
			instoreotel.WithTracerProvider(sampledOut),
			instoreotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		}, false},
		{"spans recorded, no meter", []instoreotel.Option{
			instoreotel.WithTracerProvider(recording),
			instoreotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		}, true},
		{"no spans, a meter with a reader", []instoreotel.Option{
			instoreotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			instoreotel.WithMeterProvider(metered),
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := instoreotel.NewObserver(tt.opts...)
			require.NoError(t, err)
			defer func() { assert.NoError(t, o.Close()) }()
			_, so := o.StartSale(t.Context(), instore.OpCollect, instore.SaleInfo{RequestID: "sale-1", Acquirer: "omise"})
			assert.Equal(t, tt.watched, so != nil)
		})
	}
}

// staleJournal is a journal that knows only how to list its stale sales.
type staleJournal struct {
	instore.Journal // nil: the gauge calls Stale only
	stale           int
	err             error
	// limits are the limits of the gauge's reads, one per read.
	limits []int
}

func (j *staleJournal) Stale(_ context.Context, _ time.Time, limit int) ([]*instore.Sale, error) {
	j.limits = append(j.limits, limit)
	if j.err != nil {
		return nil, j.err
	}
	return make([]*instore.Sale, min(j.stale, limit)), nil
}

// TestPendingRecoveryGauge: the gauge sums its journals, counts a journal
// shared by several Checkouts once, reads at most PendingRecoveryCap sales
// from each, and reports no value when no journal could be read.
func TestPendingRecoveryGauge(t *testing.T) {
	t.Parallel()
	errLocked := errors.New("database is locked")
	// failing is a new journal for each case: the cases run in parallel,
	// and a journal records the gauge's reads.
	failing := func() *staleJournal { return &staleJournal{err: errLocked} }
	tests := []struct {
		name     string
		journals []instore.Journal
		want     []string
		wantErr  bool
	}{
		{"no journal yet", nil, nil, false},
		{"one journal", []instore.Journal{&staleJournal{stale: 3}}, []string{"instore.sales.pending_recovery{} 3"}, false},
		{"two journals are summed", []instore.Journal{&staleJournal{stale: 3}, &staleJournal{stale: 4}}, []string{"instore.sales.pending_recovery{} 7"}, false},
		{"a journal shared by two Checkouts counts once", func() []instore.Journal {
			j := &staleJournal{stale: 5}
			return []instore.Journal{j, j}
		}(), []string{"instore.sales.pending_recovery{} 5"}, false},
		{"capped", []instore.Journal{&staleJournal{stale: 20_000}}, []string{"instore.sales.pending_recovery{} 10000"}, false},
		{"capped over two journals", []instore.Journal{&staleJournal{stale: 8_000}, &staleJournal{stale: 8_000}}, []string{"instore.sales.pending_recovery{} 10000"}, false},
		{"one journal failing: the others still count", []instore.Journal{failing(), &staleJournal{stale: 2}}, []string{"instore.sales.pending_recovery{} 2"}, true},
		{"every journal failing: no value, not a false zero", []instore.Journal{failing()}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tm := newTelemetry()
			o, err := instoreotel.NewObserver(instoreotel.WithMeterProvider(tm.mp), instoreotel.WithTracerProvider(tm.tp))
			require.NoError(t, err)
			for _, j := range tt.journals {
				o.ObserveJournal(j)
			}
			var rm metricdata.ResourceMetrics
			err = tm.reader.Collect(t.Context(), &rm)
			if tt.wantErr {
				require.ErrorIs(t, err, errLocked, "the error is the journal's")
			} else {
				require.NoError(t, err)
			}
			var got []string
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					if m.Name != instoreotel.MetricSalesPendingRecovery {
						continue
					}
					for _, p := range m.Data.(metricdata.Gauge[int64]).DataPoints {
						got = append(got, m.Name+setString(p.Attributes)+" "+strconv.FormatInt(p.Value, 10))
					}
				}
			}
			assert.Equal(t, tt.want, got)
			for _, j := range tt.journals {
				assert.Equal(t, []int{instoreotel.PendingRecoveryCap}, j.(*staleJournal).limits, "one read per journal, of at most the cap")
			}

			require.NoError(t, o.Close())
			assert.Empty(t, tm.points(t), "closed: the gauge reads no journal")
		})
	}
}

// TestRootPackagesCompileNoOptionalDependency: importing instore, or the
// acquirer packages and the simulators, compiles no OpenTelemetry, no
// journal driver and nothing outside the standard library but
// go-querystring.
func TestRootPackagesCompileNoOptionalDependency(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	pkgs := []string{
		"github.com/instorepay/instore",
		"github.com/instorepay/instore/alipayplus",
		"github.com/instorepay/instore/ppro",
		"github.com/instorepay/instore/instoretest",
	}
	out, err := exec.CommandContext(t.Context(), goTool, append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/instorepay/instore", "go list listed the packages asked")
	for _, d := range deps {
		assert.NotContains(t, d, "opentelemetry", "%s is a dependency of the root package or the acquirers", d)
	}

	// More broadly: the standard library and go-querystring only, so that
	// a user who imports instore compiles no journal driver, no
	// OpenTelemetry and nothing of the command-line tool.
	out, err = exec.CommandContext(t.Context(), goTool, append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, d := range strings.Fields(string(out)) {
		if d == "github.com/google/go-querystring/query" || d == "github.com/instorepay/instore" || strings.HasPrefix(d, "github.com/instorepay/instore/") {
			assert.NotContains(t, []string{"journal", "instoreotel", "cmd"}, strings.Split(strings.TrimPrefix(d, "github.com/instorepay/instore/"), "/")[0], "%s is a dependency of the root package or the acquirers", d)
			continue
		}
		t.Errorf("%s is a dependency of the root package or the acquirers", d)
	}

	// The check can fail: this package does import OpenTelemetry.
	out, err = exec.CommandContext(t.Context(), goTool, "list", "-deps", "github.com/instorepay/instore/instoreotel").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "go.opentelemetry.io/otel/trace")
}
