package alipayplus_test

// This file is the test gateway: an httptest server that checks our request
// signatures with its own code (crypto/rsa directly, never internal/rsasig)
// and signs its answers the way Alipay+ does, so that a shared mistake
// between our signer and our verifier cannot pass unnoticed.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// Test keys, generated once per test binary.
var (
	merchantKey = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
	alipayKey   = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
	forgerKey   = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
)

func genKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

const testClientID = "2188120000000001"

// recorded is one request as the gateway received it.
type recorded struct {
	Path     string
	Header   http.Header
	Body     []byte
	JSON     map[string]any
	Verified bool // our signature checked out with the gateway's own code
}

// reply is a scripted answer.
type reply struct {
	Status int    // default 200
	Body   string // sent as is
	// Unsigned sends no signature headers.
	Unsigned bool
	// SignWith signs with another key (a forger's); nil means the Alipay key.
	SignWith *rsa.PrivateKey
	// SignedBody is signed instead of Body (a body changed in transit).
	SignedBody string
	// ClientID overrides the Client-Id header of the answer.
	ClientID string
	// NoResponseTime drops the Response-Time header.
	NoResponseTime bool
	// ShortBody declares a Content-Length larger than the body and hangs
	// up: the answer is cut off in transit.
	ShortBody bool
	// Hangup closes the connection without answering.
	Hangup bool
}

type gateway struct {
	t        testing.TB
	srv      *httptest.Server
	clientID string
	respond  func(r *recorded, n int) reply

	mu   sync.Mutex
	reqs []*recorded
}

// newGateway starts a gateway answering with respond; n counts the requests
// received so far, from 1.
func newGateway(t testing.TB, respond func(r *recorded, n int) reply) *gateway {
	t.Helper()
	g := &gateway{t: t, clientID: testClientID, respond: respond}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

// fixed answers every request with the same reply.
func fixed(r reply) func(*recorded, int) reply {
	return func(*recorded, int) reply { return r }
}

func (g *gateway) requests() []*recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*recorded(nil), g.reqs...)
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	rec := &recorded{Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &rec.JSON)
	rec.Verified = r.Method == http.MethodPost && gatewayVerify(&merchantKey().PublicKey, rec.Path, r.Header, body)
	g.mu.Lock()
	g.reqs = append(g.reqs, rec)
	n := len(g.reqs)
	g.mu.Unlock()

	if !rec.Verified {
		// What the real gateway does: an unsigned F.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, fixture(g.t, "error_signature_invalid.json"))
		return
	}
	rp := g.respond(rec, n)
	writeReply(w, rp, rec.Path, g.clientID)
}

// writeReply sends rp, signed over path unless it says otherwise.
func writeReply(w http.ResponseWriter, rp reply, path, clientID string) {
	if rp.Hangup {
		hangup(w)
		return
	}
	status := rp.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	if !rp.Unsigned {
		respTime := time.Now().Format(time.RFC3339)
		key := rp.SignWith
		if key == nil {
			key = alipayKey()
		}
		signed := rp.Body
		if rp.SignedBody != "" {
			signed = rp.SignedBody
		}
		cid := clientID
		h.Set("Client-Id", cid)
		if rp.ClientID != "" {
			h.Set("Client-Id", rp.ClientID)
		}
		if !rp.NoResponseTime {
			h.Set("Response-Time", respTime)
		}
		h.Set("Signature", "algorithm=RSA256, keyVersion=1, signature="+url.QueryEscape(gatewaySign(key, path, cid, respTime, []byte(signed))))
	}
	if rp.ShortBody {
		h.Set("Content-Length", itoa(len(rp.Body)+100))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, rp.Body)
		hangup(w)
		return
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, rp.Body)
}

func hangup(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// gatewaySign signs "POST <path>\n<clientID>.<time>.<body>" as the gateway.
func gatewaySign(key *rsa.PrivateKey, path, clientID, ts string, body []byte) string {
	sum := sha256.Sum256([]byte("POST " + path + "\n" + clientID + "." + ts + "." + string(body)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// gatewayVerify checks a request's signature as the gateway would.
func gatewayVerify(pub *rsa.PublicKey, path string, h http.Header, body []byte) bool {
	if h.Get("Content-Type") != "application/json; charset=UTF-8" {
		return false
	}
	var sigValue string
	var algoOK bool
	for _, part := range strings.Split(h.Get("Signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "signature":
			sigValue = v
		case "algorithm":
			algoOK = v == "RSA256"
		}
	}
	if !algoOK || sigValue == "" {
		return false
	}
	unescaped, err := url.QueryUnescape(sigValue)
	if err != nil {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(unescaped)
	if err != nil {
		return false
	}
	msg := "POST " + path + "\n" + h.Get("Client-Id") + "." + h.Get("Request-Time") + "." + string(body)
	sum := sha256.Sum256([]byte(msg))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// fixture reads testdata/<name>.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

// newTestClient returns a client for the gateway, without retries unless
// opts say otherwise, so that real-time tests never wait for a backoff.
func newTestClient(t testing.TB, g *gateway, opts ...alipayplus.Option) *alipayplus.Client {
	t.Helper()
	all := append([]alipayplus.Option{alipayplus.WithBaseURL(g.srv.URL), alipayplus.WithMaxRetries(0)}, opts...)
	c, err := alipayplus.NewClient(g.clientID, merchantKey(), &alipayKey().PublicKey, all...)
	require.NoError(t, err)
	return c
}

const testPaymentRequestID = "PR-20240612-0001"

// testPaymentCode is an Alipay+ style 24-digit code; tests check that it
// never reaches a log or an error.
const testPaymentCode = "281234567890123456789012"

func payRequest() *alipayplus.PayRequest {
	return &alipayplus.PayRequest{
		PaymentRequestID: testPaymentRequestID,
		PaymentCode:      testPaymentCode,
		Amount:           instore.Money{Amount: 1000, Currency: instore.JPY},
		Order: alipayplus.Order{
			ReferenceOrderID: "ORDER-1",
			Description:      "Coffee and cake",
			Merchant: alipayplus.Merchant{
				ReferenceMerchantID: "M-001",
				Name:                "Kissa Tokyo",
				MCC:                 "5814",
				Store: alipayplus.Store{
					ReferenceStoreID: "S-001",
					Name:             "Kissa Shibuya",
					MCC:              "5814",
				},
			},
		},
		TerminalID:          "till-3",
		TerminalRequestTime: time.Date(2024, 6, 12, 19, 40, 10, 123456789, time.FixedZone("", 9*3600)),
	}
}

// errorChainText is every message in err's chain, for redaction checks.
func errorChainText(err error) string {
	var b strings.Builder
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		b.WriteString(e.Error())
		b.WriteByte('\n')
		switch u := e.(type) { //nolint:errorlint // walking the chain by hand on purpose
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return b.String()
}
