package alipayplus

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedFixtures adds every JSON fixture to a fuzz corpus.
func seedFixtures(f *testing.F) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "null", "[]", "{}", `{"result":null}`, `{"result":{"resultStatus":"S"}}`,
		`{"result":{"resultStatus":"S"},"paymentAmount":{"currency":"JPY","value":1000}}`,
		`{"result":{"resultStatus":"S"},"paymentAmount":{"value":"-1"}}`,
		`{"result":{"resultStatus":"S"},"paymentStatus":"weird"}`,
		`{"result":{"resultStatus":"S"},"paymentResult":{"resultStatus":"U"}}`,
		`{"result":{"resultStatus":"F"},"paymentResult":{"resultStatus":"?"}}`,
		`{"result":{"resultStatus":"S"},"paymentTime":"yesterday"}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeResponse feeds arbitrary bodies to every response decoder. None
// may panic; a decoded response always has a valid result status; an error
// is always ErrMalformedResponse; a successful inquiry always has a payment
// status.
func FuzzDecodeResponse(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(name string, res *Result, err error) {
			if err != nil {
				if !errors.Is(err, ErrMalformedResponse) {
					t.Fatalf("%s: error %v is not ErrMalformedResponse", name, err)
				}
				return
			}
			if !res.ResultStatus.valid() {
				t.Fatalf("%s: decoded with status %q", name, res.ResultStatus)
			}
		}
		if r, err := decodePayResponse(body); err == nil {
			check("pay", &r.Result, nil)
			if r.PaymentAmount.Amount < 0 {
				t.Fatal("negative amount decoded")
			}
			// An order code is picked from what came; never invented.
			f := r.OrderCodeForm
			if v := f.QRCodeValue(); v != "" && !slices.ContainsFunc(f.CodeDetails, func(d CodeDetail) bool { return d.CodeValue == v }) {
				t.Fatalf("QR code value %q is not one of the details", v)
			}
			if u := f.ImageURL(); u != "" && !strings.HasPrefix(u, "https://") {
				t.Fatalf("image URL %q is not https", u)
			}
		} else {
			check("pay", nil, err)
		}
		if r, err := decodeInquiryResponse(body); err == nil {
			check("inquiry", &r.Result, nil)
			if r.Result.Succeeded() && r.PaymentStatus == "" {
				t.Fatal("successful inquiry without a payment status")
			}
			if !r.Result.Succeeded() && r.PaymentStatus != "" {
				t.Fatal("failed inquiry with a payment status")
			}
		} else {
			check("inquiry", nil, err)
		}
		if r, err := decodeCancelResponse(body); err == nil {
			check("cancel", &r.Result, nil)
		} else {
			check("cancel", nil, err)
		}
		if r, err := decodeRefundResponse(body); err == nil {
			check("refund", &r.Result, nil)
		} else {
			check("refund", nil, err)
		}
		// Whatever came in, an error quotes only a code-shaped result code.
		if r, err := decodePayResponse(body); err == nil {
			if c := printableCode(r.Result.ResultCode); c == string(r.Result.ResultCode) && !codeShaped(c) {
				t.Fatalf("printableCode passed %q through", c)
			}
		}
	})
}

func codeShaped(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}

// FuzzDecodeNotification: no body panics the notification decoder, and a
// decoded notification always names its payment and has a valid result.
func FuzzDecodeNotification(f *testing.F) {
	seedFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := decodeNotification(body)
		if err != nil {
			if !errors.Is(err, ErrNotificationMalformed) {
				t.Fatalf("error %v is not ErrNotificationMalformed", err)
			}
			return
		}
		if n.PaymentRequestID == "" || !n.PaymentResult.ResultStatus.valid() {
			t.Fatalf("accepted an incomplete notification: %+v", n)
		}
	})
}
