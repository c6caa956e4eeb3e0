package instoreotel_test

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// Secrets the sentinel run plants: every key, password and webhook secret
// the simulators and clients share carries the word sentinel, every
// payment code carries sentinelDigits where its masked form shows stars.
const (
	sentinelWord = "sentinel"
	// sentinelDigits are digits 5 to 12 of every code the run scans, never
	// shown by a masked code (first and last four digits only).
	sentinelDigits  = "41592653"
	sentinelSerial  = 3141592653_0000 // AlipayCode's serial: "28" + this + the outcome
	omiseSecretKey  = "skey_test_sentinel0secret0key"
	omisePublicKey  = "pkey_test_sentinel0public0key"
	pproPassword    = "sentinel-ppro-password"
	pproNotifySalt  = "sentinel-ppro-notification-secret"
	sentinelSales   = 600
	sentinelWorkers = 4
	sentinelSeed    = 20261203
)

// customerIDs are the customer identifiers the simulators put in their
// answers (Alipay+ customerId and pspCustomerInfo, PPRO's Alipay buyer id):
// the Alipay 2088... user ids.
const customerIDPrefix = "20881020000000"

var chaosFaults = []instoretest.RandomFault{
	{Rate: 0.04, Fault: instoretest.Fault{Kind: instoretest.FaultDropAfter}},
	{Rate: 0.04, Fault: instoretest.Fault{Kind: instoretest.FaultDropBefore}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true}},
	{Rate: 0.03, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultRateLimit, RetryAfter: time.Second}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultTruncated}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultNonJSON, Processed: true}},
	{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 7 * time.Second}},
}

var alipayFaults = append(append([]instoretest.RandomFault(nil), chaosFaults...),
	instoretest.RandomFault{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultUnsigned}},
	instoretest.RandomFault{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultBadSignature}},
	instoretest.RandomFault{Rate: 0.02, Fault: instoretest.Fault{Kind: instoretest.FaultUnknown, Processed: true}},
)

var sentinelOutcomes = []instoretest.Outcome{
	instoretest.Succeed, instoretest.Succeed, instoretest.NeverCompletes,
	instoretest.ConfirmOnInquiry(1), instoretest.ConfirmOnInquiry(3),
	instoretest.ConfirmAfter(3 * time.Second), instoretest.ConfirmAfter(7 * time.Second),
	instoretest.DeclineInsufficientBalance, instoretest.DeclineRejected,
	instoretest.DeclineOnInquiry(instoretest.DeclinePayerCancelled),
}

var sentinelKeys = sync.OnceValues(instoretest.GenerateAlipayPlusKeys)

// sentinelSecrets are the strings, lower case, that no telemetry of the
// run may hold, the Alipay+ keys aside: the sentinels, the customer ids,
// signatures and Basic credentials (their header forms), and the Omise
// keys as Basic auth encodes them.
func sentinelSecrets() []string {
	out := []string{sentinelWord, sentinelDigits, customerIDPrefix, "signature=", "basic "}
	for _, k := range []string{omiseSecretKey, omisePublicKey} {
		out = append(out, strings.ToLower(base64.StdEncoding.EncodeToString([]byte(k+":"))))
	}
	return out
}

// sentinelRun is the three simulators and an instrumented Checkout per
// acquirer, every client on a NewTransport.
type sentinelRun struct {
	omise, alipay, ppro *instore.Checkout
	omiseSim            *instoretest.Omise
	// secrets are strings no telemetry may hold, lower case.
	secrets []string
}

func newSentinelRun(t *testing.T, tm *telemetry) *sentinelRun {
	t.Helper()
	keys, err := sentinelKeys()
	require.NoError(t, err)
	run := &sentinelRun{secrets: sentinelSecrets()}
	for _, k := range []any{keys.Merchant, keys.Alipay} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		b64 := strings.ToLower(base64.StdEncoding.EncodeToString(der))
		// A stretch from the middle of the key: its header is the same for
		// every RSA key.
		run.secrets = append(run.secrets, b64[400:440])
	}
	webhookSecret := base64.StdEncoding.EncodeToString([]byte("sentinel webhook secret, 32 byte"))

	// Omise: scanned codes and QR codes.
	osim := instoretest.NewOmiseT(t, instoretest.WithSeed(sentinelSeed),
		instoretest.WithOmiseKeys(omisePublicKey, omiseSecretKey), instoretest.WithWebhookSecret(webhookSecret))
	osim.SetRandomFaults(instoretest.AnyEndpoint, chaosFaults...)
	oc, err := osim.Client(instore.WithHTTPClient(tm.tracedClient(osim.HTTPClient().Transport)))
	require.NoError(t, err)
	run.omiseSim = osim
	run.omise = omiseCheckoutOn(t, oc, tm.option())

	// Alipay+ direct.
	asim := instoretest.NewAlipayPlusT(t, instoretest.WithSeed(sentinelSeed), instoretest.WithAlipayPlusKeys(keys))
	asim.SetRandomFaults(instoretest.AnyEndpoint, alipayFaults...)
	ac, err := asim.Client(alipayplus.WithHTTPClient(tm.tracedClient(asim.HTTPClient().Transport)))
	require.NoError(t, err)
	aacq, err := alipayplus.NewAcquirer(ac, alipayplus.AcquirerConfig{Merchant: alipayplus.Merchant{
		ReferenceMerchantID: "M-0001", Name: "Sukhumvit Coffee", MCC: "5812",
		Store: alipayplus.Store{ReferenceStoreID: "BKK-01", Name: "Sukhumvit", MCC: "5812"},
	}, TerminalID: "T-01"})
	require.NoError(t, err)
	run.alipay, err = instore.NewCheckout(tm.option(), instore.WithRoute(instore.WalletAlipay, aacq, instore.MethodAlipayPlusCPM))
	require.NoError(t, err)

	// PPRO.
	psim := instoretest.NewPPROT(t, instoretest.WithSeed(sentinelSeed), pproNotifications(),
		instoretest.WithPPROCredentials(ppro.Credentials{Password: pproPassword}), instoretest.WithPPRONotificationSecret(pproNotifySalt))
	psim.SetRandomFaults(instoretest.AnyEndpoint, chaosFaults...)
	pc, err := psim.Client(ppro.WithHTTPClient(tm.tracedClient(psim.HTTPClient().Transport)))
	require.NoError(t, err)
	pacq, err := ppro.NewAcquirer(pc, ppro.AcquirerConfig{NotificationURL: "https://pos.example.ch/ppro/notify", StoreID: "ZRH-01", StoreName: "Zurich HB"})
	require.NoError(t, err)
	run.ppro, err = instore.NewCheckout(tm.option(), instore.WithRoute(instore.WalletAlipay, pacq, instore.MethodPPROAlipay))
	require.NoError(t, err)
	return run
}

// sale runs sale i: a scanned code through one of the three acquirers, or
// (one in ten on Omise) a QR code, then a partial refund of a paid sale,
// one in three. It returns the sale's request id and outcome.
func (run *sentinelRun) sale(t *testing.T, i int) (string, string) {
	rng := rand.New(rand.NewPCG(sentinelSeed, uint64(i)))
	id := fmt.Sprintf("sentinel-%04d", i)
	id = strings.Replace(id, sentinelWord, "sale", 1) // the request id is no secret
	c, amount := run.omise, thb(2_000+rng.Int64N(1_000_000))
	switch i % 3 {
	case 1:
		c = run.alipay
	case 2:
		c, amount = run.ppro, instore.Money{Amount: 100 + rng.Int64N(100_000), Currency: instore.CHF}
	}
	var p *instore.Payment
	var err error
	if c == run.omise && i%10 == 0 {
		p, err = run.qrSale(t, id, amount, rng)
	} else {
		outcome := sentinelOutcomes[rng.IntN(len(sentinelOutcomes))]
		p, err = c.Collect(t.Context(), &instore.CollectRequest{
			Code:      instoretest.AlipayCode(outcome, sentinelSerial+uint64(i)),
			Amount:    amount,
			RequestID: id,
			Store:     instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T-01"},
		})
	}
	if err == nil && p.Status == instore.StatusSucceeded && i%3 == 0 {
		_, _ = c.Refund(t.Context(), p, instore.Money{Amount: 1, Currency: amount.Currency}, instore.WithRefundRequestID("rf-"+id))
	}
	return id, expectedOutcome(p, err)
}

// qrSale shows a QR code the customer pays after a while, or never scans.
func (run *sentinelRun) qrSale(t *testing.T, id string, amount instore.Money, rng *rand.Rand) (*instore.Payment, error) {
	pr, err := run.omise.Present(t.Context(), &instore.PresentRequest{Wallet: instore.WalletAlipay, Amount: amount, RequestID: id})
	if err != nil {
		var pe *instore.PresentError
		if errors.As(err, &pe) {
			return pe.Payment, err
		}
		return nil, err
	}
	if rng.IntN(2) == 0 {
		time.AfterFunc(time.Duration(1+rng.IntN(20))*time.Second, func() { _ = run.omiseSim.PayPresented(id) })
	}
	return pr.Wait(t.Context())
}

// expectedOutcome is the outcome the telemetry must report for what the
// sale returned, by the package's documented rules.
func expectedOutcome(p *instore.Payment, err error) string {
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		return "unresolved"
	case p == nil:
		return "error"
	}
	return string(p.Status)
}

// TestSentinelChaos runs 600 sales (scanned codes on all three acquirers,
// QR codes, refunds) through the simulators under random faults, with keys,
// passwords, webhook secrets and payment codes that carry sentinels, every
// client on NewTransport. No span name, attribute, event, status or
// metric attribute may hold a sentinel, a customer id or a piece of a
// key; and the telemetry must tell the truth: one sale span per sale with
// the outcome the caller got, and every sale counted once.
func TestSentinelChaos(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tm := newTelemetry()
		run := newSentinelRun(t, tm)

		var mu sync.Mutex
		want := make(map[string]string, sentinelSales)
		sales := make(chan int)
		var wg sync.WaitGroup
		for range sentinelWorkers {
			wg.Go(func() {
				for i := range sales {
					id, out := run.sale(t, i)
					mu.Lock()
					want[id] = out
					mu.Unlock()
				}
			})
		}
		for i := range sentinelSales {
			sales <- i
		}
		close(sales)
		wg.Wait()

		spans := tm.spans.Ended()
		require.Greater(t, len(spans), 3*sentinelSales, "spans for sales, calls and HTTP attempts")
		// Every span is looked at: none was left open, its attributes unset.
		require.Len(t, spans, len(tm.spans.Started()), "every span started ended")
		checked := 0
		got := make(map[string]string)
		for _, s := range spans {
			where := s.Name()
			checked += checkClean(t, run.secrets, where, s.Name(), s.Status().Description)
			checked += checkAttrs(t, run.secrets, where, s.Attributes())
			for _, e := range s.Events() {
				checked += checkClean(t, run.secrets, where+" event", e.Name)
				checked += checkAttrs(t, run.secrets, where+" event "+e.Name, e.Attributes)
			}
			for _, l := range s.Links() {
				checked += checkAttrs(t, run.secrets, where+" link", l.Attributes)
			}
			if s.Name() == "instore.collect" || s.Name() == "instore.wait" || s.Name() == "instore.present" {
				for _, kv := range s.Attributes() {
					if kv.Key == instoreotel.OutcomeKey {
						id := attrValue(s.Attributes(), instoreotel.RequestIDKey)
						if s.Name() != "instore.present" || kv.Value.AsString() != "pending" {
							got[id] = kv.Value.AsString()
						}
					}
				}
			}
		}
		assert.Equal(t, want, got, "each sale's span tells the outcome the till got")

		var rm metricdata.ResourceMetrics
		require.NoError(t, tm.reader.Collect(t.Context(), &rm))
		var counted int64
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				for _, kvs := range metricAttrs(m.Data) {
					checked += checkAttrs(t, run.secrets, "metric "+m.Name, kvs)
				}
				if m.Name == instoreotel.MetricSales {
					for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
						counted += p.Value
					}
				}
			}
		}
		assert.Equal(t, int64(sentinelSales), counted, "every sale counted once")
		t.Logf("%d sales, %d spans, %d strings checked", sentinelSales, len(spans), checked)
	})
}

func attrValue(kvs []attribute.KeyValue, k attribute.Key) string {
	for _, kv := range kvs {
		if kv.Key == k {
			return kv.Value.String()
		}
	}
	return ""
}

// metricAttrs are every attribute in a metric's data, found by walking
// it: the attribute sets of its points, and the filtered attributes of
// their exemplars, whatever the kind of aggregation, so that no kind of
// point, present or to come, goes unchecked.
func metricAttrs(data metricdata.Aggregation) [][]attribute.KeyValue {
	var out [][]attribute.KeyValue
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Type() {
		case reflect.TypeFor[attribute.Set]():
			set := v.Interface().(attribute.Set)
			out = append(out, set.ToSlice())
			return
		case reflect.TypeFor[[]attribute.KeyValue]():
			out = append(out, v.Interface().([]attribute.KeyValue))
			return
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		default:
		}
	}
	walk(reflect.ValueOf(&data).Elem())
	return out
}

func checkAttrs(t *testing.T, secrets []string, where string, kvs []attribute.KeyValue) int {
	t.Helper()
	n := 0
	for _, kv := range kvs {
		n += checkClean(t, secrets, where+" "+string(kv.Key), string(kv.Key), kv.Value.String())
	}
	return n
}

// checkClean fails when any of ss leaks (see leak).
func checkClean(t *testing.T, secrets []string, where string, ss ...string) int {
	t.Helper()
	for _, s := range ss {
		if why := leak(secrets, s); why != "" {
			t.Errorf("%s %s: %q", where, why, s)
		}
	}
	return len(ss)
}

// leak says why s may not be in telemetry: it holds one of secrets (lower
// case), or a run of digits shaped like a payment code; "" when clean.
func leak(secrets []string, s string) string {
	low := strings.ToLower(s)
	for _, secret := range secrets {
		if strings.Contains(low, secret) {
			return fmt.Sprintf("holds a secret (%q)", secret)
		}
	}
	if codeLike(s) {
		return "holds a run of digits shaped like a payment code"
	}
	return ""
}

// TestSentinelCheck: the checks of TestSentinelChaos catch what they look
// for, and pass what telemetry may hold.
func TestSentinelCheck(t *testing.T) {
	t.Parallel()
	secrets := sentinelSecrets()
	code := instoretest.AlipayCode(instoretest.Succeed, sentinelSerial+7)
	masked, err := instore.ClassifyPaymentCode(code)
	require.NoError(t, err)
	for _, bad := range []string{
		code, "pay " + code + " now", instoretest.WeChatCode(instoretest.Succeed, 12), "2812345678901234",
		omiseSecretKey, omisePublicKey, "Basic " + base64.StdEncoding.EncodeToString([]byte(omiseSecretKey+":")),
		pproPassword, "2088102000000000001", "algorithm=RSA256,keyVersion=1,signature=abc",
	} {
		assert.NotEmpty(t, leak(secrets, bad), "%q passed", bad)
	}
	for _, good := range []string{
		masked.String(), "sale-0001", "chrg_test_hjlbx20000000000002", "12345", "THB",
		"200001011140108001000000000000000001", // an Alipay+ payment id: 36 digits
		"instore: payment sale-1 unresolved: neither confirmed nor cancelled",
	} {
		assert.Empty(t, leak(secrets, good), "%q refused", good)
	}

	// metricAttrs finds the attributes of every kind of point, and of its
	// exemplars.
	point := attribute.NewSet(attribute.String("point", "p"))
	filtered := []attribute.KeyValue{attribute.String("filtered", "f")}
	want := [][]attribute.KeyValue{point.ToSlice(), filtered}
	for _, data := range []metricdata.Aggregation{
		metricdata.Sum[int64]{DataPoints: []metricdata.DataPoint[int64]{{Attributes: point, Exemplars: []metricdata.Exemplar[int64]{{FilteredAttributes: filtered}}}}},
		metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{{Attributes: point, Exemplars: []metricdata.Exemplar[float64]{{FilteredAttributes: filtered}}}}},
		metricdata.Histogram[float64]{DataPoints: []metricdata.HistogramDataPoint[float64]{{Attributes: point, Bounds: []float64{1}, BucketCounts: []uint64{1, 0},
			Exemplars: []metricdata.Exemplar[float64]{{FilteredAttributes: filtered}}}}},
		metricdata.ExponentialHistogram[int64]{DataPoints: []metricdata.ExponentialHistogramDataPoint[int64]{{Attributes: point,
			Exemplars: []metricdata.Exemplar[int64]{{FilteredAttributes: filtered}}}}},
		metricdata.Summary{DataPoints: []metricdata.SummaryDataPoint{{Attributes: point}}},
	} {
		got := metricAttrs(data)
		if _, summary := data.(metricdata.Summary); summary {
			assert.Equal(t, want[:1], got, "%T", data)
			continue
		}
		assert.Equal(t, want, got, "%T", data)
	}
}

// codeLike reports whether s holds a payment code: 16 to 24 digits
// starting 25 to 30 (Alipay), or 18 starting 10 to 15 (WeChat Pay), alone
// in a run of digits. The Alipay+ simulator's payment ids are 35 digits.
func codeLike(s string) bool {
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run >= 16 && run <= 24 {
			d := s[i-run : i]
			if d[:2] >= "25" && d[:2] <= "30" || run == 18 && d[:2] >= "10" && d[:2] <= "15" {
				return true
			}
		}
		run = 0
	}
	return false
}
