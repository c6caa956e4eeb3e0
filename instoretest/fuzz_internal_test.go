package instoretest

import (
	"testing"
)

func FuzzAlipayPlusSignatureHeader(f *testing.F) {
	for _, s := range []string{
		"algorithm=RSA256,keyVersion=1,signature=abc%2B%2F%3D",
		"algorithm=RSA256, keyVersion=0, signature=****",
		"signature=",
		"algorithm=RSA512,signature=AAAA",
		"",
		",,,==,",
		"signature=%zz",
		"signature=%0A", // base64 of a line break is empty
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		sig, ok := apParseSignature(h)
		if ok && len(sig) == 0 {
			t.Fatal("an accepted signature is never empty")
		}
	})
}

func FuzzAlipayPlusStrictJSON(f *testing.F) {
	for _, s := range []string{
		`{"paymentRequestId":"a","paymentAmount":{"currency":"SGD","value":"100"}}`,
		`{"paymentRequestId":""}`,
		`{"isInStorePayment":true}`,
		`{"a":[{"b":1}]}`,
		`{} {}`,
		`[]`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req payRequest
		if !strictJSON(b, &req) {
			return
		}
		for _, f := range []flavour{flavourAMS, flavourAPS} {
			if !validPay(f, &req) {
				continue
			}
			if n := len(req.PaymentRequestID); n == 0 || n > apMaxRequestIDLen {
				t.Fatalf("valid pay with a request id of %d bytes", n)
			}
			if v, ok := req.PaymentAmount.parse(); !ok || v <= 0 {
				t.Fatal("valid pay with a bad amount")
			}
		}
	})
}

func FuzzOutcomePlan(f *testing.F) {
	for _, s := range []string{"280000000000000000", "12", "x9", "", "99", "1", "40"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		p := planFor(code, omiseFailure)
		if p.Inquiries < 0 || p.Inquiries > 10 || p.After < 0 {
			t.Fatalf("plan out of range: %+v", p)
		}
		if p.Result == ResultFail && p.FailureCode == "" {
			t.Fatal("a failure has a code")
		}
	})
}
