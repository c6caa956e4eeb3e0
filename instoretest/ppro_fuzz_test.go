package instoretest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/instorepay/instore/instoretest"
)

// FuzzPPROCall sends arbitrary bodies, after valid credentials, to the PPRO
// simulator: every answer is a 200 urlencodeext body that net/url parses,
// with exactly one RAND key and a STATUS, and a TXID other than 0 only for
// a transaction the ledger holds.
func FuzzPPROCall(f *testing.F) {
	p := instoretest.NewPPRO()
	f.Cleanup(p.Close)
	for _, s := range []string{
		pproSale(p, "f1", instoretest.AlipayCode(instoretest.Succeed, 1)).Encode(),
		"txtype=GETTXSTATUS&txid=700000001",
		"txtype=GETTXSTATUSBYMERCHANTTXID&merchanttxid=F1",
		"txtype=CANCELTX&txid=1",
		"txtype=REFUND&txid=700000001&amount=1&currency=CHF&merchantrefundid=r",
		"txtype=GETREFUNDSTATUS&refundid=x",
		"txtype=TRANSACTION&amount=-1&countrycode=CH&currency=CHF",
		"txtype=%zz",
		"returnmode=json",
		"",
	} {
		f.Add(s)
	}
	credForm := pproForm(p, "")
	credForm.Del("txtype")
	cred := credForm.Encode()
	f.Fuzz(func(t *testing.T, body string) {
		full := body
		if !strings.Contains(body, "login=") {
			full = cred + "&" + body
		}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://ppro.invalid/", strings.NewReader(full))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := p.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			t.Fatalf("answer does not parse: %v", err)
		}
		rands := 0
		for k := range v {
			if randKey.MatchString(k) {
				rands++
			}
		}
		if rands != 1 || v.Get("STATUS") == "" {
			t.Fatalf("answer %q", b)
		}
		if id := v.Get("TXID"); id != "" && id != "0" {
			found := false
			all := p.AllPayments()
			for i := range all {
				found = found || all[i].ID == id
			}
			if !found {
				t.Fatalf("TXID %s not in the ledger", id)
			}
		}
	})
}
