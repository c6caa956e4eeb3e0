package alipayplus_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/internal/transport"
)

// benchServer is a loopback gateway that does what the real one does per
// call: verify the request signature and sign the answer. Both benchmarks
// below talk to it, so their difference is the client's own cost.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	answer := []byte(fixture(b, "pay_success.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || !gatewayVerify(&merchantKey().PublicKey, r.URL.Path, r.Header, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ts := time.Now().Format(time.RFC3339)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Client-Id", testClientID)
		h.Set("Response-Time", ts)
		h.Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(gatewaySign(alipayKey(), r.URL.Path, testClientID, ts, answer)))
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkPay(b *testing.B) {
	srv := benchServer(b)
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	req := payRequest()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Pay(ctx, req)
		if err != nil || !resp.Result.Succeeded() {
			b.Fatalf("pay: %v", err)
		}
	}
}

// The baseline hand-writes the same call: the same body bytes, one RSA
// sign, one http.Client.Do on a reused connection, one RSA verify, and JSON
// decoding of the same answer.
type baselineAmount struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

type baselinePayBody struct {
	ProductCode      string `json:"productCode"`
	PaymentRequestID string `json:"paymentRequestId"`
	Order            struct {
		ReferenceOrderID string         `json:"referenceOrderId"`
		OrderDescription string         `json:"orderDescription"`
		OrderAmount      baselineAmount `json:"orderAmount"`
		Merchant         struct {
			ReferenceMerchantID string `json:"referenceMerchantId"`
			MerchantMCC         string `json:"merchantMCC"`
			MerchantName        string `json:"merchantName"`
			Store               struct {
				ReferenceStoreID string `json:"referenceStoreId"`
				StoreName        string `json:"storeName"`
				StoreMCC         string `json:"storeMCC"`
			} `json:"store"`
		} `json:"merchant"`
		Env struct {
			StoreTerminalID          string `json:"storeTerminalId"`
			StoreTerminalRequestTime string `json:"storeTerminalRequestTime"`
		} `json:"env"`
	} `json:"order"`
	PaymentAmount baselineAmount `json:"paymentAmount"`
	PaymentMethod struct {
		PaymentMethodType string `json:"paymentMethodType"`
		PaymentMethodID   string `json:"paymentMethodId"`
	} `json:"paymentMethod"`
	PaymentFactor struct {
		InStorePaymentScenario string `json:"inStorePaymentScenario"`
	} `json:"paymentFactor"`
}

type baselinePayResponse struct {
	Result struct {
		ResultCode    string `json:"resultCode"`
		ResultStatus  string `json:"resultStatus"`
		ResultMessage string `json:"resultMessage"`
	} `json:"result"`
	PaymentRequestID    string         `json:"paymentRequestId"`
	PaymentID           string         `json:"paymentId"`
	PaymentAmount       baselineAmount `json:"paymentAmount"`
	ActualPaymentAmount baselineAmount `json:"actualPaymentAmount"`
	PaymentCreateTime   string         `json:"paymentCreateTime"`
	PaymentTime         string         `json:"paymentTime"`
	PSPCustomerInfo     struct {
		PSPName           string `json:"pspName"`
		PSPCustomerID     string `json:"pspCustomerId"`
		DisplayCustomerID string `json:"displayCustomerId"`
	} `json:"pspCustomerInfo"`
}

func baselineBody() *baselinePayBody {
	r := payRequest()
	var p baselinePayBody
	amount := baselineAmount{Currency: string(r.Amount.Currency), Value: strconv.FormatInt(r.Amount.Amount, 10)}
	p.ProductCode = "IN_STORE_PAYMENT"
	p.PaymentRequestID = r.PaymentRequestID
	p.Order.ReferenceOrderID = r.Order.ReferenceOrderID
	p.Order.OrderDescription = r.Order.Description
	p.Order.OrderAmount = amount
	p.Order.Merchant.ReferenceMerchantID = r.Order.Merchant.ReferenceMerchantID
	p.Order.Merchant.MerchantMCC = r.Order.Merchant.MCC
	p.Order.Merchant.MerchantName = r.Order.Merchant.Name
	p.Order.Merchant.Store.ReferenceStoreID = r.Order.Merchant.Store.ReferenceStoreID
	p.Order.Merchant.Store.StoreName = r.Order.Merchant.Store.Name
	p.Order.Merchant.Store.StoreMCC = r.Order.Merchant.Store.MCC
	p.Order.Env.StoreTerminalID = r.TerminalID
	p.Order.Env.StoreTerminalRequestTime = r.TerminalRequestTime.Format("2006-01-02T15:04:05.000-07:00")
	p.PaymentAmount = amount
	p.PaymentMethod.PaymentMethodType = "CONNECT_WALLET"
	p.PaymentMethod.PaymentMethodID = r.PaymentCode
	p.PaymentFactor.InStorePaymentScenario = "PaymentCode"
	return &p
}

func baselinePay(ctx context.Context, hc *http.Client, endpoint string, body *baselinePayBody) (*baselinePayResponse, error) {
	const path = "/ams/api/v1/payments/pay"
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	reqTime := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sum := sha256.Sum256([]byte("POST " + path + "\n" + testClientID + "." + reqTime + "." + string(raw)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, merchantKey(), crypto.SHA256, sum[:])
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", testClientID)
	req.Header.Set("Request-Time", reqTime)
	req.Header.Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(base64.StdEncoding.EncodeToString(sig)))
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	_, v, _ := strings.Cut(resp.Header.Get("Signature"), "signature=")
	v, err = url.QueryUnescape(v)
	if err != nil {
		return nil, err
	}
	rsig, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, err
	}
	rsum := sha256.Sum256([]byte("POST " + path + "\n" + resp.Header.Get("Client-Id") + "." + resp.Header.Get("Response-Time") + "." + string(respBody)))
	if err := rsa.VerifyPKCS1v15(&alipayKey().PublicKey, crypto.SHA256, rsum[:], rsig); err != nil {
		return nil, err
	}
	var out baselinePayResponse
	if err := json.Unmarshal(respBody, &out); err != nil {
		return nil, err
	}
	if out.Result.ResultStatus != "S" {
		return nil, errors.New("not S")
	}
	return &out, nil
}

func BenchmarkPayBaseline(b *testing.B) {
	srv := benchServer(b)
	hc := &http.Client{Transport: transport.NewHTTPTransport()}
	body := baselineBody()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := baselinePay(ctx, hc, srv.URL, body); err != nil {
			b.Fatalf("baseline: %v", err)
		}
	}
}

// TestBaselineSendsTheSameBytes keeps the benchmark pair honest: the
// baseline's body is byte for byte the client's.
func TestBaselineSendsTheSameBytes(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g)
	_, err := c.Pay(t.Context(), payRequest())
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(baselineBody())
	if err != nil {
		t.Fatal(err)
	}
	if got := g.requests()[0].Body; !bytes.Equal(got, want) {
		t.Fatalf("client sent\n%s\nbaseline sends\n%s", got, want)
	}
	if _, err := baselinePay(t.Context(), http.DefaultClient, g.srv.URL, baselineBody()); err != nil {
		t.Fatalf("baseline against the test gateway: %v", err)
	}
}
