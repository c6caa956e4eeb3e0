package instore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// The benchmarks compare the client with what a careful programmer writes by
// hand with net/http and encoding/json: the same form body and headers, to
// the same loopback server answering a realistic charge, decoded into the
// same struct. The server's own work is in both.

// benchServer answers every request with the pending charge fixture and
// keeps the first request of each kind, so the benchmarks can check that
// both sides sent the same bytes.
type benchServer struct {
	*httptest.Server
	mu    sync.Mutex
	first map[string]seen
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	body := fixture(b, "charge_pending")
	s := &benchServer{first: map[string]seen{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(r.Body)
		tag := r.Header.Get("X-Bench")
		if tag != "" {
			s.mu.Lock()
			h := r.Header.Clone()
			h.Del("X-Bench")
			s.first[tag] = seen{Method: r.Method, Path: r.URL.Path, Header: h, Body: reqBody}
			s.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Request-Id", "4f9b2c1e-6d0a-4c8e-9b7f-3a2d1e0c9b8a")
		_, _ = w.Write(body)
	}))
	b.Cleanup(s.Close)
	return s
}

// sameRequests fails the benchmark unless the client and the baseline sent
// the same method, path, headers and body for the call named op.
func (s *benchServer) sameRequests(b *testing.B, op string) {
	b.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	client, base := s.first["client "+op], s.first["baseline "+op]
	require.NotEmpty(b, client.Method)
	require.Equal(b, base.Method, client.Method)
	require.Equal(b, base.Path, client.Path)
	require.Equal(b, string(base.Body), string(client.Body))
	for _, h := range []http.Header{client.Header, base.Header} {
		h.Del("Accept-Encoding") // added by net/http to both
	}
	require.Equal(b, base.Header, client.Header)
}

var benchParams = &instore.ChargeParams{
	Amount:   400000,
	Currency: instore.THB,
	Source: &instore.SourceParams{
		Type:       instore.SourceBarcodeAlipay,
		Barcode:    "2811223344556677",
		StoreID:    "BKK_SUK_001",
		StoreName:  "Sukhumvit Flagship",
		TerminalID: "POS-07",
	},
	Metadata: map[string]string{"request_id": "9f1c2b7a44e04f3c8d0a6b5e2f1d3c4b"},
}

const benchKey = "skey_test_61abcdefghijklmnopq"

const benchChargeID = "chrg_test_61xq8k2hv0a7mf3nb2d"

// benchClient is the SDK client under test. Before returning it, it makes
// one create and one get through a copy of it that tags its requests, and
// the baseline makes the same two calls, for sameRequests.
func benchClient(b *testing.B, s *benchServer) *instore.Client {
	b.Helper()
	c, err := instore.NewClient(benchKey, instore.WithBaseURL(s.URL))
	require.NoError(b, err)
	tag := "client create"
	tagged, err := instore.NewClient(benchKey, instore.WithBaseURL(s.URL), instore.WithHTTPClient(&http.Client{
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r.Header.Set("X-Bench", tag)
			return http.DefaultTransport.RoundTrip(r)
		}),
	}))
	require.NoError(b, err)
	_, err = tagged.Charges.Create(b.Context(), benchParams)
	require.NoError(b, err)
	tag = "client get"
	_, err = tagged.Charges.Get(b.Context(), benchChargeID)
	require.NoError(b, err)

	base := newBaseline(s)
	_, err = base.createCharge(b.Context(), benchParams, "baseline create")
	require.NoError(b, err)
	_, err = base.getCharge(b.Context(), benchChargeID, "baseline get")
	require.NoError(b, err)
	s.sameRequests(b, "create")
	s.sameRequests(b, "get")
	return c
}

// baseline is the hand-written client.
type baseline struct {
	http    *http.Client
	baseURL string
	ua      string
}

func newBaseline(s *benchServer) *baseline {
	return &baseline{
		http:    &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		baseURL: s.URL,
		ua:      "instore-go/" + instore.Version + " (" + runtime.Version() + ")",
	}
}

func (c *baseline) do(ctx context.Context, method, u string, form url.Values, tag string) (*instore.Charge, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(benchKey, "")
	req.Header.Set("Omise-Version", "2019-05-29")
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tag != "" {
		req.Header.Set("X-Bench", tag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &instore.APIError{StatusCode: resp.StatusCode}
	}
	var ch instore.Charge
	if err := json.Unmarshal(b, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

func (c *baseline) createCharge(ctx context.Context, p *instore.ChargeParams, tag string) (*instore.Charge, error) {
	form := url.Values{}
	form.Set("amount", strconv.FormatInt(p.Amount, 10))
	form.Set("currency", string(p.Currency))
	form.Set("source[type]", string(p.Source.Type))
	form.Set("source[barcode]", p.Source.Barcode)
	form.Set("source[store_id]", p.Source.StoreID)
	form.Set("source[store_name]", p.Source.StoreName)
	form.Set("source[terminal_id]", p.Source.TerminalID)
	for k, v := range p.Metadata {
		form.Set("metadata["+k+"]", v)
	}
	return c.do(ctx, http.MethodPost, c.baseURL+"/charges", form, tag)
}

func (c *baseline) getCharge(ctx context.Context, id, tag string) (*instore.Charge, error) {
	return c.do(ctx, http.MethodGet, c.baseURL+"/charges/"+url.PathEscape(id), nil, tag)
}

func BenchmarkChargesCreate(b *testing.B) {
	s := newBenchServer(b)
	c := benchClient(b, s)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ch, err := c.Charges.Create(ctx, benchParams)
		if err != nil || ch.ID == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkChargesCreateBaseline(b *testing.B) {
	s := newBenchServer(b)
	c := newBaseline(s)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ch, err := c.createCharge(ctx, benchParams, "")
		if err != nil || ch.ID == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkChargesGet(b *testing.B) {
	s := newBenchServer(b)
	c := benchClient(b, s)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ch, err := c.Charges.Get(ctx, benchChargeID)
		if err != nil || ch.ID == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkChargesGetBaseline(b *testing.B) {
	s := newBenchServer(b)
	c := newBaseline(s)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ch, err := c.getCharge(ctx, benchChargeID, "")
		if err != nil || ch.ID == "" {
			b.Fatal(err)
		}
	}
}
