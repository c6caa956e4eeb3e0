package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// harness is a till server on the Omise simulator, all in process: the
// tests call the server's handler directly, and the simulator delivers its
// webhooks to the same handler, so that it runs in a synctest bubble.
type harness struct {
	t        testing.TB
	srv      *server
	sim      *instoretest.Omise
	checkout *instore.Checkout
}

func newHarness(t testing.TB, opts ...instore.CheckoutOption) *harness {
	t.Helper()
	var handler atomic.Pointer[server]
	webhooks := instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.Load().ServeHTTP(w, r)
	}))
	acq, err := simulated("https://till.example/webhooks/omise", webhooks)
	require.NoError(t, err)
	t.Cleanup(acq.close)
	checkout, err := instore.NewCheckout(append(acq.options, opts...)...)
	require.NoError(t, err)
	srv := newServer(checkout, acq.webhookSecrets, nil)
	srv.simulatorRoutes(acq.sim)
	t.Cleanup(srv.close) // before the simulator closes
	handler.Store(srv)
	return &harness{t: t, srv: srv, sim: acq.sim, checkout: checkout}
}

// do sends a request to the server; body, if not a string, is encoded as
// JSON.
func (h *harness) do(method, path string, body any) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.serve(h.request(method, path, body))
}

// request is a request to the server, for a test that sets more on it
// than do does; body as in do.
func (h *harness) request(method, path string, body any) *http.Request {
	h.t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(h.t, err)
	}
	return httptest.NewRequestWithContext(h.t.Context(), method, path, bytes.NewReader(b))
}

// serve sends req to the server.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

// answer is any answer of the server, decoded.
type answer struct {
	Payment *instore.Payment `json:"payment"`
	Refund  *instore.Payment `json:"refund"`
	QR      *qrJSON          `json:"qr"`
	Error   *errorJSON       `json:"error"`
}

func decoded(t testing.TB, rec *httptest.ResponseRecorder) answer {
	t.Helper()
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"), rec.Body.String())
	var a answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
	return a
}

func thb(decimal string) map[string]string {
	return map[string]string{"decimal": decimal, "currency": "THB"}
}

// sale is a POST /sales body.
func sale(id, code, decimal string) map[string]any {
	return map[string]any{
		"request_id": id,
		"code":       code,
		"amount":     thb(decimal),
		"store":      map[string]string{"id": "BKK-01", "name": "Sukhumvit", "terminal_id": "T-01"},
	}
}
