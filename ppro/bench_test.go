package ppro

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
)

func benchBody(b *testing.B) []byte {
	b.Helper()
	body, err := os.ReadFile("testdata/transaction_succeeded_seed.txt")
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkParseResponse reads an answer the way the client does.
func BenchmarkParseResponse(b *testing.B) {
	body := benchBody(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := parseFields(body)
		if err != nil {
			b.Fatal(err)
		}
		_ = decodeTransaction(reader{f})
	}
}

// BenchmarkParseResponseBaseline is url.ParseQuery on the same answer,
// with its line breaks removed (ParseQuery keeps them in keys).
func BenchmarkParseResponseBaseline(b *testing.B) {
	body := strings.ReplaceAll(string(benchBody(b)), "\n", "")
	b.ReportAllocs()
	for b.Loop() {
		v, err := url.ParseQuery(body)
		if err != nil {
			b.Fatal(err)
		}
		_ = v.Get("STATUS")
	}
}

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	answer, err := os.ReadFile("testdata/status_succeeded.txt")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkStatus is a GETTXSTATUS through the client against a loopback
// server.
func BenchmarkStatus(b *testing.B) {
	srv := benchServer(b)
	c, err := NewClient(Credentials{Login: "l", Password: "p", ContractID: "c", Channel: "ch"}, WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Status(ctx, "643772308"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusBaseline sends the same form with net/http and reads the
// answer with url.ParseQuery.
func BenchmarkStatusBaseline(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		form := url.Values{"txtype": {"GETTXSTATUS"}, "returnmode": {"urlencodeext"}, "login": {"l"}, "password": {"p"}, "contractid": {"c"}, "txid": {"643772308"}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		v, err := url.ParseQuery(string(body))
		if err != nil || v.Get("REQUESTSTATUS") != "SUCCEEDED" {
			b.Fatal("bad answer")
		}
	}
}
