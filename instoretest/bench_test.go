package instoretest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/instorepay/instore/instoretest"
)

// benchmarkGetCharge measures one GET /charges/:id through tg.
func benchmarkGetCharge(b *testing.B, o *instoretest.Omise, tg target) {
	b.Helper()
	resp, body, err := omiseCall(context.Background(), tg, o.SecretKey(), http.MethodPost, "/charges",
		chargeForm(instoretest.AlipayCode(instoretest.Succeed, 1), 10000, "bench"))
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("create: %v %s", err, body)
	}
	id := o.Payments("bench")[0].ID
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, _, err := omiseCall(context.Background(), tg, o.SecretKey(), http.MethodGet, "/charges/"+id, nil)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
	}
}

// BenchmarkInProcessGetCharge serves GET /charges/:id through HTTPClient.
func BenchmarkInProcessGetCharge(b *testing.B) {
	o := instoretest.NewOmise()
	defer o.Close()
	benchmarkGetCharge(b, o, target{"inprocess", o.HTTPClient(), "http://omise.invalid"})
}

// BenchmarkInProcessGetChargeBaseline serves the same request over the
// loopback socket server, with a keep-alive connection.
func BenchmarkInProcessGetChargeBaseline(b *testing.B) {
	o := instoretest.NewOmise()
	defer o.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	benchmarkGetCharge(b, o, target{"socket", &http.Client{Transport: tr}, o.URL()})
}
