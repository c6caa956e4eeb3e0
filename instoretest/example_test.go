package instoretest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/instorepay/instore/instoretest"
)

// charge sends one raw Omise request through the simulator's in-process
// client and returns the charge status or the error code.
func charge(ctx context.Context, o *instoretest.Omise, method, path string, form url.Values) string {
	req, err := http.NewRequestWithContext(ctx, method, "http://omise.invalid"+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err.Error()
	}
	req.SetBasicAuth(o.SecretKey(), "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := o.HTTPClient().Do(req)
	if err != nil {
		return "no answer"
	}
	defer resp.Body.Close()
	var v struct{ ID, Status, Code string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return "not JSON"
	}
	if v.Code != "" {
		return v.Code
	}
	return v.ID + " " + v.Status
}

// A customer who confirms in the app: the charge stays pending until it is
// inquired for the second time.
func ExampleNewOmise() {
	ctx := context.Background()
	o := instoretest.NewOmise()
	defer o.Close()

	code := instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), 1)
	created := charge(ctx, o, http.MethodPost, "/charges", url.Values{
		"amount":                       {"10000"},
		"currency":                     {"THB"},
		"source[type]":                 {"alipayplus_upm"},
		"source[barcode]":              {code},
		"metadata[instore_request_id]": {"sale-1"},
	})
	id, status, _ := strings.Cut(created, " ")
	fmt.Println("created:", status)
	for range 2 {
		_, status, _ = strings.Cut(charge(ctx, o, http.MethodGet, "/charges/"+id, nil), " ")
		fmt.Println("inquiry:", status)
	}
	e := o.Payments("sale-1")[0]
	fmt.Println("ledger:", e.State, "captured:", e.Captured)
	// Output:
	// created: pending
	// inquiry: pending
	// inquiry: successful
	// ledger: succeeded captured: true
}

// A charge whose answer is lost: the client sees a network error, the
// ledger sees the charge.
func ExampleOmise_InjectFault() {
	ctx := context.Background()
	o := instoretest.NewOmise()
	defer o.Close()

	o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
	fmt.Println(charge(ctx, o, http.MethodPost, "/charges", url.Values{
		"amount":                       {"10000"},
		"currency":                     {"THB"},
		"source[type]":                 {"alipayplus_upm"},
		"source[barcode]":              {instoretest.AlipayCode(instoretest.Succeed, 2)},
		"metadata[instore_request_id]": {"sale-2"},
	}))
	fmt.Println("captured:", instoretest.Captures(o.Payments("sale-2")))
	// Output:
	// no answer
	// captured: 1
}

func ExampleAlipayCode() {
	fmt.Println(instoretest.AlipayCode(instoretest.Succeed, 42))
	fmt.Println(instoretest.AlipayCode(instoretest.DeclineInsufficientBalance, 42))
	fmt.Println(instoretest.WeChatCode(instoretest.NeverCompletes, 7))
	// Output:
	// 280000000000004200
	// 280000000000004233
	// 130000000000000799
}

// A chaos test draws from every fault kind; this one shows the mix a
// simulator serves and what a lost answer leaves in the ledger.
func ExampleChaosFaults() {
	ctx := context.Background()
	o := instoretest.NewOmise(instoretest.WithSeed(42))
	defer o.Close()
	mix := instoretest.ChaosFaults(instoretest.ChaosMix{Rate: 0.25})
	o.SetRandomFaults(instoretest.AnyEndpoint, mix...)
	total := 0.0
	for _, f := range mix {
		total += f.Rate
	}
	fmt.Printf("%d faults, %.2f of the requests\n", len(mix), total)

	// A scripted fault comes first: the charge is made, then the stream
	// is reset, and the in-process client replays the POST as net/http
	// would. Omise does not deduplicate it.
	o.ClearFaults()
	o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultStreamReset})
	charge(ctx, o, http.MethodPost, "/charges", url.Values{
		"amount":                       {"10000"},
		"currency":                     {"THB"},
		"source[type]":                 {"alipayplus_upm"},
		"source[barcode]":              {instoretest.AlipayCode(instoretest.Succeed, 1)},
		"metadata[instore_request_id]": {"sale-1"},
	})
	fmt.Println("charges made:", len(o.Payments("sale-1")))
	// Output:
	// 22 faults, 0.25 of the requests
	// charges made: 2
}
