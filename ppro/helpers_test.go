package ppro_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

const (
	testPassword = "s3cr3t-Pa55w0rd"
	// testCode is an Alipay payment code (18 digits starting 28).
	testCode = "281234567890123456"
)

var testCreds = ppro.Credentials{Login: "johndoe", Password: testPassword, ContractID: "JOHNDOECONTRACT", Channel: "testchannel"}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// reply is one answer of a fake gateway.
type reply struct {
	Status int    // 200 when zero
	Body   string // urlencodeext body
	Hangup bool   // close the connection after reading the request
	Header http.Header
}

// gateway is an httptest server standing in for PPRO: it records each
// request's form and answers from a script (the last reply repeats).
type gateway struct {
	srv     *httptest.Server
	mu      sync.Mutex
	replies []reply
	reqs    []recorded
}

type recorded struct {
	Method, Path, ContentType string
	Form                      url.Values
	Raw                       string
}

func newGateway(t *testing.T, replies ...reply) *gateway {
	t.Helper()
	g := &gateway{replies: replies}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	g.mu.Lock()
	g.reqs = append(g.reqs, recorded{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Form: form, Raw: string(b)})
	rp := reply{Body: "STATUS=FAILED&TXID=0"}
	if len(g.replies) > 0 {
		rp = g.replies[0]
		if len(g.replies) > 1 {
			g.replies = g.replies[1:]
		}
	}
	g.mu.Unlock()
	if rp.Hangup {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range rp.Header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if rp.Status != 0 {
		w.WriteHeader(rp.Status)
	}
	_, _ = io.WriteString(w, rp.Body)
}

func (g *gateway) requests() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]recorded(nil), g.reqs...)
}

func (g *gateway) client(t *testing.T, opts ...ppro.Option) *ppro.Client {
	t.Helper()
	c, err := ppro.NewClient(testCreds, append([]ppro.Option{ppro.WithBaseURL(g.srv.URL + "/api")}, opts...)...)
	require.NoError(t, err)
	return c
}

func transactionRequest() *ppro.TransactionRequest {
	return &ppro.TransactionRequest{
		MerchantTxID:      "sale-1042",
		Amount:            instore.Money{Amount: 1250, Currency: instore.CHF},
		BuyerIdentityCode: testCode,
		StoreID:           "ZRH-01",
		StoreName:         "Zürich HB",
		NotificationURL:   "https://pos.example.ch/ppro/notify",
	}
}

func response(r *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// logBuffer is a slog handler target that tests can read while handlers
// write from other goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func captureLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// errorChainText is the text of err and of everything it wraps.
func errorChainText(err error) string {
	var b strings.Builder
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		b.WriteString(e.Error())
		b.WriteString("\n")
		switch u := e.(type) { //nolint:errorlint // walking the chain by hand on purpose
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return b.String()
}

// newSim starts a PPRO simulator whose notifications go to a receiver in
// process that acknowledges them, never to the network: the sales in these
// tests name a notificationurl on a host that does not exist.
func newSim(t testing.TB, opts ...instoretest.Option) *instoretest.PPRO {
	t.Helper()
	ack := instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") }))
	return instoretest.NewPPROT(t, append([]instoretest.Option{instoretest.WithNotifyClient(ack)}, opts...)...)
}
