package instoretest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// traced records the httptrace hooks a request fires.
type traced struct {
	getConn, gotConn, wroteHeaders, wroteRequest atomic.Bool
}

func (tr *traced) ctx(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:      func(string) { tr.getConn.Store(true) },
		GotConn:      func(httptrace.GotConnInfo) { tr.gotConn.Store(true) },
		WroteHeaders: func() { tr.wroteHeaders.Store(true) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				tr.wroteRequest.Store(true)
			}
		},
	})
}

func TestFaultsOmise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     instoretest.Fault
		processed bool
		// check inspects the outcome of the faulted request.
		check func(t *testing.T, resp *http.Response, body []byte, err error)
		// written is whether an in-process client sees the request written.
		written bool
	}{
		{
			name: "drop before", fault: instoretest.Fault{Kind: instoretest.FaultDropBefore}, processed: false, written: false,
			check: func(t *testing.T, _ *http.Response, _ []byte, err error) { require.Error(t, err) },
		},
		{
			name: "drop after", fault: instoretest.Fault{Kind: instoretest.FaultDropAfter}, processed: true, written: true,
			check: func(t *testing.T, _ *http.Response, _ []byte, err error) { require.Error(t, err) },
		},
		{
			name: "502", fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502}, processed: false, written: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 502, resp.StatusCode)
				assert.False(t, json.Valid(body))
				assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
			},
		},
		{
			name: "500 after processing", fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500, Processed: true}, processed: true, written: true,
			check: func(t *testing.T, resp *http.Response, _ []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 500, resp.StatusCode)
			},
		},
		{
			name: "503 by default", fault: instoretest.Fault{Kind: instoretest.FaultStatus}, processed: false, written: true,
			check: func(t *testing.T, resp *http.Response, _ []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 503, resp.StatusCode)
			},
		},
		{
			name: "429", fault: instoretest.Fault{Kind: instoretest.FaultRateLimit, RetryAfter: 1500 * time.Millisecond}, processed: false, written: true,
			check: func(t *testing.T, resp *http.Response, _ []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 429, resp.StatusCode)
				assert.Equal(t, "2", resp.Header.Get("Retry-After"))
			},
		},
		{
			name: "truncated", fault: instoretest.Fault{Kind: instoretest.FaultTruncated}, processed: true, written: true,
			check: func(t *testing.T, _ *http.Response, _ []byte, err error) {
				require.Error(t, err)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			},
		},
		{
			name: "non-JSON", fault: instoretest.Fault{Kind: instoretest.FaultNonJSON}, processed: false, written: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 200, resp.StatusCode)
				assert.False(t, json.Valid(body))
			},
		},
		{
			name: "non-JSON after processing", fault: instoretest.Fault{Kind: instoretest.FaultNonJSON, Processed: true}, processed: true, written: true,
			check: func(t *testing.T, _ *http.Response, body []byte, err error) {
				require.NoError(t, err)
				assert.False(t, json.Valid(body))
			},
		},
		{
			name: "short delay", fault: instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 30 * time.Millisecond}, processed: true, written: true,
			check: func(t *testing.T, resp *http.Response, body []byte, err error) {
				require.NoError(t, err)
				assert.Equal(t, 200, resp.StatusCode)
				assert.True(t, json.Valid(body))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := instoretest.NewOmiseT(t)
			for i, tg := range targets(t, o) {
				reqID := tg.name + "-faulted"
				o.InjectFault(instoretest.OmiseCreateCharge, 1, tt.fault)
				var tr traced
				start := time.Now()
				resp, body, err := omiseCall(tr.ctx(t.Context()), tg, o.SecretKey(), http.MethodPost, "/charges",
					chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000, reqID))
				tt.check(t, resp, body, err)
				if tt.fault.Kind == instoretest.FaultDelay {
					assert.GreaterOrEqual(t, time.Since(start), tt.fault.Delay)
				}
				want := 0
				if tt.processed {
					want = 1
				}
				assert.Len(t, o.Payments(reqID), want, "%s: processed", tg.name)
				assert.True(t, tr.getConn.Load(), tg.name)
				assert.True(t, tr.gotConn.Load(), tg.name)
				if tg.name == "inprocess" {
					assert.Equal(t, tt.written, tr.wroteRequest.Load(), "in process: written")
					assert.Equal(t, tt.written, tr.wroteHeaders.Load(), "in process: headers written")
				} else {
					assert.True(t, tr.wroteRequest.Load(), "a socket client always writes the request")
				}
				// The fault was for one request only.
				status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
					chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(10+i)), 10000, tg.name+"-next"))
				assert.Equal(t, 200, status)
			}
			log := o.Requests()
			require.NotEmpty(t, log)
			assert.Equal(t, tt.fault.Kind, log[0].Fault.Kind)
			assert.Equal(t, instoretest.OmiseCreateCharge, log[0].Endpoint)
			assert.Equal(t, "socket-faulted", log[0].Key)
		})
	}
}

func TestFaultsAlipayPlus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     instoretest.Fault
		processed bool
		signed    bool
		status    string
	}{
		{"unsigned", instoretest.Fault{Kind: instoretest.FaultUnsigned}, true, false, "S"},
		{"bad signature", instoretest.Fault{Kind: instoretest.FaultBadSignature}, true, false, "S"},
		{"U before processing", instoretest.Fault{Kind: instoretest.FaultUnknown}, false, true, "U"},
		{"U after processing", instoretest.Fault{Kind: instoretest.FaultUnknown, Processed: true}, true, true, "U"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
			for i, tg := range targets(t, a) {
				fl := flavours()[i%2]
				reqID := tg.name + "-" + tt.name
				a.InjectFault(instoretest.AlipayPlusPay, 1, tt.fault)
				b, err := json.Marshal(payBody(fl.name, reqID, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 100))
				require.NoError(t, err)
				resp, rb, err := apCall(t.Context(), tg, a.ClientID(), a.MerchantPrivateKey(), fl.pay, b)
				require.NoError(t, err)
				var m map[string]any
				require.NoError(t, json.Unmarshal(rb, &m))
				ans := apAnswer{Body: m, Signed: verifyAnswer(a.AlipayPublicKey(), fl.pay, resp.Header, rb)}
				s, _ := ans.result()
				assert.Equal(t, tt.status, s, tg.name)
				assert.Equal(t, tt.signed, ans.Signed, tg.name)
				if tt.fault.Kind == instoretest.FaultBadSignature {
					assert.NotEmpty(t, resp.Header.Get("Signature"), "the header is there, the signature is wrong")
				}
				want := 0
				if tt.processed {
					want = 1
				}
				assert.Len(t, a.Payments(reqID), want, tg.name)
			}
		})
	}
	t.Run("generic faults", func(t *testing.T) {
		t.Parallel()
		a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
		for i, tg := range targets(t, a) {
			reqID := tg.name + "-drop"
			a.InjectFault(instoretest.AlipayPlusPay, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
			b, err := json.Marshal(payBody("aps", reqID, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 100))
			require.NoError(t, err)
			_, _, err = apCall(t.Context(), tg, a.ClientID(), a.MerchantPrivateKey(), "/aps/api/v1/payments/pay", b)
			require.Error(t, err)
			assert.Len(t, a.Payments(reqID), 1, "the payment happened")
			// The same paymentRequestId again: idempotent, the answer arrives.
			ans := apDo(t, tg, a, "/aps/api/v1/payments/pay", payBody("aps", reqID, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 100))
			s, _ := ans.result()
			assert.Equal(t, "S", s)
			assert.Len(t, a.Payments(reqID), 1)
		}
	})
}

func TestFaultsAnyEndpointAndOrder(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tg := inProcess(o)
	o.InjectFault(instoretest.AnyEndpoint, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 500})
	o.InjectFault(instoretest.OmiseListEvents, 2, instoretest.Fault{Kind: instoretest.FaultRateLimit})
	status := func(path string) int {
		resp, _, err := omiseCall(t.Context(), tg, o.SecretKey(), http.MethodGet, path, nil)
		require.NoError(t, err)
		return resp.StatusCode
	}
	assert.Equal(t, 429, status("/events"), "an endpoint's own faults come first")
	assert.Equal(t, 429, status("/events"))
	assert.Equal(t, 500, status("/charges"))
	assert.Equal(t, 200, status("/charges"))
	assert.Equal(t, 200, status("/events"))
	o.InjectFault(instoretest.OmiseListCharges, 5, instoretest.Fault{Kind: instoretest.FaultStatus})
	o.ClearFaults()
	assert.Equal(t, 200, status("/charges"))
}

func TestRandomFaultsAreSeededPerSale(t *testing.T) {
	t.Parallel()
	run := func(seed uint64, interleave bool) map[string][]int {
		o := instoretest.NewOmise(instoretest.WithSeed(seed))
		defer o.Close()
		tg := inProcess(o)
		o.SetRandomFaults(instoretest.OmiseGetCharge,
			instoretest.RandomFault{Rate: 0.3, Fault: instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502}},
			instoretest.RandomFault{Rate: 0.2, Fault: instoretest.Fault{Kind: instoretest.FaultRateLimit}},
		)
		ids := map[string]string{}
		for _, r := range []string{"a", "b"} {
			_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges", chargeForm(instoretest.AlipayCode(instoretest.NeverCompletes, 1), 10000, r))
			ids[r] = ch["id"].(string)
		}
		seen := map[string][]int{}
		get := func(r string) {
			resp, _, err := omiseCall(t.Context(), tg, o.SecretKey(), http.MethodGet, "/charges/"+ids[r], nil)
			require.NoError(t, err)
			seen[r] = append(seen[r], resp.StatusCode)
		}
		for i := range 100 {
			switch {
			case interleave:
				get("a")
				get("b")
			case i < 50:
				get("a")
				get("a")
			default:
				get("b")
				get("b")
			}
		}
		return seen
	}
	first := run(42, false)
	assert.Equal(t, first, run(42, true), "the nth request about a sale meets the same fault whatever runs beside it")
	assert.NotEqual(t, first, run(43, false), "another seed, other faults")
	counts := map[int]int{}
	for _, s := range first["a"] {
		counts[s]++
	}
	assert.InDelta(t, 30, counts[502], 20)
	assert.InDelta(t, 20, counts[429], 15)
	assert.InDelta(t, 50, counts[200], 20)
	o := instoretest.NewOmiseT(t)
	o.SetRandomFaults(instoretest.OmiseGetCharge, instoretest.RandomFault{Rate: 1, Fault: instoretest.Fault{Kind: instoretest.FaultStatus}})
	o.SetRandomFaults(instoretest.OmiseGetCharge)
	resp, _, err := omiseCall(t.Context(), inProcess(o), o.SecretKey(), http.MethodGet, "/charges/chrg_test_x", nil)
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode, "no faults left")
}

func TestInProcessContextAndClose(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmise()
	tg := inProcess(o)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := omiseCall(ctx, tg, o.SecretKey(), http.MethodGet, "/charges", nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, o.Requests(), "a cancelled request never arrives")
	o.Close()
	_, _, err = omiseCall(t.Context(), tg, o.SecretKey(), http.MethodGet, "/charges", nil)
	require.Error(t, err)
	assert.Empty(t, o.URL(), "no server starts after Close")
	o.Close() // twice is fine

	var errNet interface{ Timeout() bool }
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	a.InjectFault(instoretest.AlipayPlusInquiryPayment, 1, instoretest.Fault{Kind: instoretest.FaultDropBefore})
	_, _, err = apCall(t.Context(), inProcess(a), a.ClientID(), a.MerchantPrivateKey(), "/aps/api/v1/payments/inquiryPayment", []byte(`{"paymentRequestId":"x"}`))
	require.Error(t, err)
	assert.ErrorAs(t, err, &errNet, "a dropped connection is a network error")
}
