package instoretest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// opaqueReader is a body net/http cannot rewind: it does not know the
// type, so NewRequest sets no GetBody.
type opaqueReader struct{ r io.Reader }

func (o *opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// h2cTargets are the ways in that meet a reset stream: the in-process
// client, and an HTTP/2 cleartext client on a WithHTTP2 simulator.
func h2cTargets(t *testing.T, s urler) []target {
	t.Helper()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return []target{
		{name: "h2c", hc: &http.Client{Transport: tr}, base: s.URL()},
		inProcess(s),
	}
}

// postCharge posts a charge form of n bytes read from body.
func postCharge(ctx context.Context, tg target, o *instoretest.Omise, body io.Reader, n int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.base+"/charges", body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(n)
	req.SetBasicAuth(o.SecretKey(), "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tg.hc.Do(req)
}

func TestStreamResetReplaysRewindableRequests(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t, instoretest.WithHTTP2())
	tests := []struct {
		name    string
		body    func(s string) io.Reader
		charges int
	}{
		// net/http sets GetBody for these: its HTTP/2 client replays
		// the POST by itself, and Omise makes the charge twice.
		{"bytes.Reader", func(s string) io.Reader { return bytes.NewReader([]byte(s)) }, 2},
		{"strings.Reader", func(s string) io.Reader { return strings.NewReader(s) }, 2},
		// No GetBody: no replay, an error, one charge.
		{"opaque reader", func(s string) io.Reader { return &opaqueReader{strings.NewReader(s)} }, 1},
	}
	for i, tg := range h2cTargets(t, o) {
		for j, tt := range tests {
			sale := tg.name + "-" + tt.name
			form := chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(10*i+j)), 10000, sale).Encode()
			o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
			var tr traced
			resp, err := postCharge(tr.ctx(t.Context()), tg, o, tt.body(form), len(form))
			if tt.charges == 2 {
				require.NoError(t, err, sale)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode, sale)
			} else {
				require.Error(t, err, sale)
				assert.Regexp(t, `http2: Transport: cannot retry err \[stream error: stream ID \d+; PROTOCOL_ERROR; received from peer\] after Request.Body was written; define Request.GetBody to avoid this error`, err.Error(), sale)
				assert.True(t, tr.wroteRequest.Load(), "%s: written and processed", sale)
			}
			assert.Len(t, o.Payments(sale), tt.charges, sale)
		}
	}
	// The replay was a new arrival, logged, meeting no fault of its own.
	var kinds []instoretest.FaultKind
	for _, r := range o.Requests() {
		if r.Key == "h2c-bytes.Reader" {
			kinds = append(kinds, r.Fault.Kind)
		}
	}
	assert.Equal(t, []instoretest.FaultKind{instoretest.FaultStreamReset, instoretest.FaultNone}, kinds)
}

func TestStreamResetReplaysAGetAndMeetsNewFaults(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t, instoretest.WithHTTP2())
	for i, tg := range h2cTargets(t, o) {
		sale := tg.name + "-get"
		_, ch := omiseJSON(t, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.ConfirmOnInquiry(3), uint64(i)), 10000, sale))
		id := ch["id"].(string)
		o.InjectFault(instoretest.OmiseGetCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		status, got := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, "pending", got["status"])
		assert.Equal(t, 2, o.Payments(sale)[0].Inquiries, "%s: a GET with no body is replayed too", tg.name)

		// The replay draws its own fault: here it is dropped after
		// processing, and the client sees that error.
		o.InjectFault(instoretest.OmiseGetCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		o.InjectFault(instoretest.OmiseGetCharge, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 502})
		resp, _, err := omiseCall(t.Context(), tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadGateway, resp.StatusCode, tg.name)
		assert.Equal(t, 3, o.Payments(sale)[0].Inquiries, tg.name)
	}
}

func TestStreamResetOverHTTP1DropsTheConnection(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]instoretest.Option{nil, {instoretest.WithHTTP2()}} {
		o := instoretest.NewOmiseT(t, opts...)
		tg := targets(t, o)[0] // an HTTP/1.1 client
		o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		_, _, err := omiseCall(t.Context(), tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "h1"))
		require.Error(t, err, "HTTP/1.1 has no stream to reset: the connection drops")
		assert.Len(t, o.Payments("h1"), 1, "processed, as FaultDropAfter")
		status, _ := omiseJSON(t, tg, o.SecretKey(), http.MethodGet, "/charges", nil)
		assert.Equal(t, http.StatusOK, status, "HTTP/1.1 still works beside HTTP/2")
	}
}

func TestStreamResetReplaysAtOnceOnANewConnection(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t, instoretest.WithHTTP2())
	for i, tg := range h2cTargets(t, o) {
		// net/http replays each reset at once, on a new connection.
		sale := tg.name + "-resets"
		o.InjectFault(instoretest.OmiseCreateCharge, 3, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		var fresh atomic.Int32
		ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) {
			if !c.Reused {
				fresh.Add(1)
			}
		}})
		resp, _, err := omiseCall(ctx, tg, o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000, sale))
		require.NoError(t, err, tg.name)
		assert.Equal(t, http.StatusOK, resp.StatusCode, tg.name)
		assert.Len(t, o.Payments(sale), 4, "%s: the request and 3 replays, each made a charge", tg.name)
		assert.GreaterOrEqual(t, fresh.Load(), int32(4), "%s: each attempt on a new connection", tg.name)
	}
}

func TestStreamResetReplaysAtMostSevenTimesInProcess(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmiseT(t)
		o.InjectFault(instoretest.OmiseCreateCharge, 20, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		start := time.Now()
		_, _, err := omiseCall(t.Context(), inProcess(o), o.SecretKey(), http.MethodPost, "/charges",
			chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "many resets"))
		require.Error(t, err)
		assert.Regexp(t, `^Post "[^"]+": stream error: stream ID \d+; PROTOCOL_ERROR; received from peer$`, err.Error(),
			"after the last replay the stream error itself")
		assert.Len(t, o.Payments("many resets"), 8, "the request and 7 replays, each made a charge")
		assert.Zero(t, time.Since(start), "no waits between replays")
	})
}

func TestStreamResetAcrossSimulators(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)), instoretest.WithHTTP2())
	p := instoretest.NewPPROT(t, instoretest.WithHTTP2())
	for i, tg := range h2cTargets(t, a) {
		sale := tg.name + "-ap"
		a.InjectFault(instoretest.AlipayPlusPay, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		ans := apDo(t, tg, a, "/aps/api/v1/payments/pay", payBody("aps", sale, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 100))
		s, _ := ans.result()
		assert.Equal(t, "S", s, tg.name)
		assert.Len(t, a.Payments(sale), 1, "%s: Alipay+ deduplicates the replay by paymentRequestId", tg.name)
		assert.Len(t, a.Requests(), 2*(i+1))
	}
	for i, tg := range h2cTargets(t, p) {
		sale := tg.name + "-ppro"
		p.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
		_, v, _ := pproCall(t.Context(), t, tg, pproSale(p, sale, instoretest.AlipayCode(instoretest.Succeed, uint64(i))))
		assert.Equal(t, "SUCCEEDED", v.Get("STATUS"))
		assert.Len(t, p.Payments(sale), 2, "%s: PPRO does not deduplicate merchanttxid: two transactions", tg.name)
	}
}
