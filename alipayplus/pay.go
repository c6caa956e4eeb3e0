package alipayplus

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/redact"
)

// Fixed values of the pay request. Source: the Antom pay interface
// (shared/seeds/alipayplus-cpm-pay.txt) and shared/reference/alipayplus.md
// §3.1 and §3.3.
const (
	productCodeInStore  = "IN_STORE_PAYMENT" // Antom productCode
	paymentMethodWallet = "CONNECT_WALLET"   // paymentMethod.paymentMethodType
	isInStorePayment    = "true"             // Alipay+ paymentFactor.isInStorePayment; booleans travel as strings
)

// PayRequest is an in-store payment. By default it is consumer-presented
// (user-presented, "B scans C"): the cashier scanned the code the
// customer's wallet shows. With Scenario ScenarioOrderCode it is
// merchant-presented: it carries no payment code, and the answer carries an
// order code for the customer to scan.
type PayRequest struct {
	// PaymentRequestID is the merchant's id for this payment, at most 64
	// characters. The gateway deduplicates by it: the same id always names
	// the same payment, which is what makes retries safe. Required.
	PaymentRequestID string
	// PaymentCode is the scanned payment code (paymentMethodId). It is a
	// one-time secret: never logged, never quoted in an error. Required,
	// except in the OrderCode scenario, where it must be empty.
	PaymentCode string
	// Scenario is paymentFactor.inStorePaymentScenario: empty or
	// ScenarioPaymentCode for a scanned code, ScenarioOrderCode for an
	// order code the customer scans.
	Scenario Scenario
	// Amount is what the merchant charges, in the order currency, in minor
	// units (paymentAmount and order.orderAmount). Positive; the currency
	// must be one instore knows the exponent of.
	Amount instore.Money
	// Order describes the sale for the wallet's records and risk checks.
	Order Order
	// TerminalID is the till (order.env.storeTerminalId). Required.
	TerminalID string
	// TerminalRequestTime is when the till asked for the payment
	// (order.env.storeTerminalRequestTime), sent to the millisecond. Zero
	// means now. Set it when a Pay may be repeated with the same
	// PaymentRequestID, so that the repeat sends identical bytes.
	TerminalRequestTime time.Time
	// NotifyURL is where the gateway posts the payment result
	// (paymentNotifyUrl). Optional; Antom recommends it.
	NotifyURL string
	// ExpiryTime is when the payment may no longer succeed
	// (paymentExpiryTime); for an order code, when the code stops being
	// payable. Optional; zero leaves it to the gateway.
	ExpiryTime time.Time
	// SettlementCurrency is the settlement currency
	// (settlementStrategy.settlementCurrency), needed when several are
	// contracted. Optional.
	SettlementCurrency instore.Currency
}

// String describes the request with its payment code masked, so that a
// PayRequest printed with %v or %+v does not leak the code.
func (r PayRequest) String() string {
	return "alipayplus.PayRequest{PaymentRequestID: " + r.PaymentRequestID + ", PaymentCode: " + redact.Code(r.PaymentCode) + "}"
}

// GoString is String, for %#v.
func (r PayRequest) GoString() string { return r.String() }

// LogValue is what slog logs for a PayRequest: the ids, never the code.
func (r PayRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("payment_request_id", r.PaymentRequestID),
		slog.String("payment_code", redact.Code(r.PaymentCode)),
	)
}

// Order is the order the payment is for.
type Order struct {
	// ReferenceOrderID is the merchant's order id (order.referenceOrderId),
	// at most 64 characters. Empty means the PaymentRequestID.
	ReferenceOrderID string
	// Description is shown to the customer in the wallet
	// (order.orderDescription). Required, at most 256 characters.
	Description string
	// Merchant is the (secondary) merchant selling. Required.
	Merchant Merchant
}

// Merchant is the merchant selling (order.merchant).
type Merchant struct {
	ReferenceMerchantID string // referenceMerchantId; required
	Name                string // merchantName; required
	MCC                 string // merchantMCC, four digits (ISO 18245); required
	Store               Store
}

// Store is the shop the till is in (order.merchant.store); required for
// in-store payments.
type Store struct {
	ReferenceStoreID string // referenceStoreId; required
	Name             string // storeName; required
	MCC              string // storeMCC, four digits; required
}

// PayResponse is the gateway's answer to Pay. Check Result: S means the money
// was taken, F means it was not (ResultCode says why), U means unknown:
// inquire.
type PayResponse struct {
	Result           Result
	PaymentRequestID string
	PaymentID        string // the gateway's id; needed for cancel and refund
	PaymentAmount    instore.Money
	// ActualPaymentAmount is what the wallet charged in its own currency
	// (Antom), zero when absent.
	ActualPaymentAmount instore.Money
	PaymentCreateTime   time.Time
	PaymentTime         time.Time // when the payment became final; zero if absent or unreadable
	PSPCustomerInfo     PSPCustomerInfo
	// WalletBrandName names the wallet for the receipt (Alipay+, on
	// success). Use it rather than guessing the wallet from the code.
	WalletBrandName string
	CustomerID      string // Alipay+
	PSPID           string // Alipay+
	AcquirerID      string // Alipay+
	// OrderCodeForm is the order code of an OrderCode pay, which comes with
	// a U result (the payment waits for the customer); zero when absent.
	OrderCodeForm OrderCodeForm
}

type payRequestJSON struct {
	ProductCode        string                  `json:"productCode,omitempty"`
	PaymentRequestID   string                  `json:"paymentRequestId"`
	Order              orderJSON               `json:"order"`
	PaymentAmount      amountJSON              `json:"paymentAmount"`
	PaymentMethod      paymentMethodJSON       `json:"paymentMethod"`
	PaymentFactor      paymentFactorJSON       `json:"paymentFactor"`
	PaymentNotifyURL   string                  `json:"paymentNotifyUrl,omitempty"`
	PaymentExpiryTime  string                  `json:"paymentExpiryTime,omitempty"`
	SettlementStrategy *settlementStrategyJSON `json:"settlementStrategy,omitempty"`
}

type orderJSON struct {
	ReferenceOrderID string       `json:"referenceOrderId,omitempty"`
	OrderDescription string       `json:"orderDescription,omitempty"`
	OrderAmount      amountJSON   `json:"orderAmount"`
	Merchant         merchantJSON `json:"merchant"`
	Env              envJSON      `json:"env"`
}

type merchantJSON struct {
	ReferenceMerchantID string    `json:"referenceMerchantId,omitempty"`
	MerchantMCC         string    `json:"merchantMCC,omitempty"`
	MerchantName        string    `json:"merchantName,omitempty"`
	Store               storeJSON `json:"store"`
}

type storeJSON struct {
	ReferenceStoreID string `json:"referenceStoreId,omitempty"`
	StoreName        string `json:"storeName,omitempty"`
	StoreMCC         string `json:"storeMCC,omitempty"`
}

type envJSON struct {
	StoreTerminalID          string `json:"storeTerminalId,omitempty"`
	StoreTerminalRequestTime string `json:"storeTerminalRequestTime,omitempty"`
}

type paymentMethodJSON struct {
	PaymentMethodType string `json:"paymentMethodType"`
	PaymentMethodID   string `json:"paymentMethodId,omitempty"`
}

type paymentFactorJSON struct {
	IsInStorePayment       string `json:"isInStorePayment,omitempty"`
	InStorePaymentScenario string `json:"inStorePaymentScenario"`
}

type settlementStrategyJSON struct {
	SettlementCurrency string `json:"settlementCurrency"`
}

type payResponseJSON struct {
	Result              resultJSON          `json:"result"`
	PaymentRequestID    string              `json:"paymentRequestId"`
	PaymentID           string              `json:"paymentId"`
	PaymentAmount       respAmount          `json:"paymentAmount"`
	ActualPaymentAmount respAmount          `json:"actualPaymentAmount"`
	PaymentCreateTime   string              `json:"paymentCreateTime"`
	PaymentTime         string              `json:"paymentTime"`
	PSPCustomerInfo     pspCustomerInfoJSON `json:"pspCustomerInfo"`
	WalletBrandName     string              `json:"walletBrandName"`
	CustomerID          string              `json:"customerId"`
	PSPID               string              `json:"pspId"`
	AcquirerID          string              `json:"acquirerId"`
	OrderCodeForm       orderCodeFormJSON   `json:"orderCodeForm"`
}

// Pay charges a scanned payment code, or, in the OrderCode scenario,
// creates a payment whose order code the customer scans. The request is
// validated first: a refusal is a *ValidationError and nothing is sent. It
// is then serialised and signed once, and those bytes are sent on every
// attempt.
//
// A business result, success or failure, is a response with a nil error:
// check Result. An error means there is no result that can be trusted; if it
// matches [instore.ErrOutcomeUnknown] the payment may exist, so inquire with
// the same PaymentRequestID (and cancel if it stays unknown), never pay again
// under a new id.
func (c *Client) Pay(ctx context.Context, req *PayRequest) (*PayResponse, error) {
	body, err := c.payBody(req)
	if err != nil {
		return nil, err
	}
	var out *PayResponse
	err = c.call(ctx, &c.ops[opPay], req.PaymentRequestID, req.PaymentRequestID, body, func(b []byte) (*Result, string, error) {
		r, err := decodePayResponse(b)
		if err != nil {
			return nil, "", err
		}
		out = r
		return &r.Result, r.PaymentRequestID, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) payBody(req *PayRequest) ([]byte, error) {
	const op = "pay"
	if req == nil {
		return nil, &ValidationError{Op: op, Field: "PayRequest", Reason: "nil"}
	}
	if err := checkID(op, "PaymentRequestID", req.PaymentRequestID, true); err != nil {
		return nil, err
	}
	scenario := req.Scenario
	switch scenario {
	case "", ScenarioPaymentCode:
		scenario = ScenarioPaymentCode
		if err := checkPaymentCode(op, req.PaymentCode); err != nil {
			return nil, err
		}
	case ScenarioOrderCode:
		if req.PaymentCode != "" {
			return nil, &ValidationError{Op: op, Field: "PaymentCode", Reason: "must be empty in the OrderCode scenario"}
		}
	default:
		return nil, &ValidationError{Op: op, Field: "Scenario", Reason: "not PaymentCode or OrderCode"}
	}
	if err := checkAmount(op, "Amount", req.Amount); err != nil {
		return nil, err
	}
	orderID := req.Order.ReferenceOrderID
	if orderID == "" {
		orderID = req.PaymentRequestID
	}
	if err := checkID(op, "Order.ReferenceOrderID", orderID, true); err != nil {
		return nil, err
	}
	if err := checkText(op, "Order.Description", req.Order.Description, maxDescriptionLen, true); err != nil {
		return nil, err
	}
	m := &req.Order.Merchant
	for _, f := range []struct{ name, v string }{
		{"Order.Merchant.ReferenceMerchantID", m.ReferenceMerchantID},
		{"Order.Merchant.Name", m.Name},
		{"Order.Merchant.Store.ReferenceStoreID", m.Store.ReferenceStoreID},
		{"Order.Merchant.Store.Name", m.Store.Name},
		{"TerminalID", req.TerminalID},
	} {
		if err := checkText(op, f.name, f.v, maxDescriptionLen, true); err != nil {
			return nil, err
		}
	}
	if err := checkMCC(op, "Order.Merchant.MCC", m.MCC); err != nil {
		return nil, err
	}
	if err := checkMCC(op, "Order.Merchant.Store.MCC", m.Store.MCC); err != nil {
		return nil, err
	}
	if req.NotifyURL != "" && !absoluteHTTPURL(req.NotifyURL) {
		return nil, &ValidationError{Op: op, Field: "NotifyURL", Reason: "not an absolute http(s) URL"}
	}
	var settlement *settlementStrategyJSON
	if req.SettlementCurrency != "" {
		if !isCurrencyCode(req.SettlementCurrency) {
			return nil, &ValidationError{Op: op, Field: "SettlementCurrency", Reason: "not a three-letter ISO 4217 code"}
		}
		settlement = &settlementStrategyJSON{SettlementCurrency: string(req.SettlementCurrency)}
	}
	termTime := req.TerminalRequestTime
	if termTime.IsZero() {
		termTime = time.Now()
	}
	amount := toAmount(req.Amount)
	b := payRequestJSON{
		PaymentRequestID: req.PaymentRequestID,
		Order: orderJSON{
			ReferenceOrderID: orderID,
			OrderDescription: req.Order.Description,
			OrderAmount:      amount,
			Merchant: merchantJSON{
				ReferenceMerchantID: m.ReferenceMerchantID,
				MerchantMCC:         m.MCC,
				MerchantName:        m.Name,
				Store: storeJSON{
					ReferenceStoreID: m.Store.ReferenceStoreID,
					StoreName:        m.Store.Name,
					StoreMCC:         m.Store.MCC,
				},
			},
			Env: envJSON{
				StoreTerminalID:          req.TerminalID,
				StoreTerminalRequestTime: termTime.Format(terminalTimeLayout),
			},
		},
		PaymentAmount:      amount,
		PaymentMethod:      paymentMethodJSON{PaymentMethodType: paymentMethodWallet, PaymentMethodID: req.PaymentCode},
		PaymentFactor:      paymentFactorJSON{InStorePaymentScenario: string(scenario)},
		PaymentNotifyURL:   req.NotifyURL,
		SettlementStrategy: settlement,
	}
	if !req.ExpiryTime.IsZero() {
		b.PaymentExpiryTime = req.ExpiryTime.Format(timeLayout)
	}
	switch c.flavor {
	case FlavorACQP:
		b.PaymentFactor.IsInStorePayment = isInStorePayment
	default:
		b.ProductCode = productCodeInStore
	}
	return marshalBody(op, &b)
}

func decodePayResponse(body []byte) (*PayResponse, error) {
	var w payResponseJSON
	if err := unmarshalEnvelope(body, &w); err != nil {
		return nil, err
	}
	res, err := w.Result.result()
	if err != nil {
		return nil, err
	}
	return &PayResponse{
		Result:              res,
		PaymentRequestID:    w.PaymentRequestID,
		PaymentID:           w.PaymentID,
		PaymentAmount:       w.PaymentAmount.money(),
		ActualPaymentAmount: w.ActualPaymentAmount.money(),
		PaymentCreateTime:   parseTime(w.PaymentCreateTime),
		PaymentTime:         parseTime(w.PaymentTime),
		PSPCustomerInfo:     w.PSPCustomerInfo.info(),
		WalletBrandName:     w.WalletBrandName,
		CustomerID:          w.CustomerID,
		PSPID:               w.PSPID,
		AcquirerID:          w.AcquirerID,
		OrderCodeForm:       w.OrderCodeForm.form(),
	}, nil
}

// marshalBody serialises a request body once; these bytes are signed and sent.
func marshalBody(op string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain strings go in; this does not happen.
		return nil, &Error{Op: op, Err: err}
	}
	return b, nil
}

// checkID checks a request id: printable, at most 64 characters.
func checkID(op, field, v string, required bool) error {
	return checkText(op, field, v, maxRequestIDLen, required)
}

// checkText checks a string field: valid UTF-8 without control characters,
// at most max characters, and present if required.
func checkText(op, field, v string, limit int, required bool) error {
	if v == "" {
		if required {
			return &ValidationError{Op: op, Field: field, Reason: "required"}
		}
		return nil
	}
	if !utf8.ValidString(v) {
		return &ValidationError{Op: op, Field: field, Reason: "not valid UTF-8"}
	}
	n := 0
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return &ValidationError{Op: op, Field: field, Reason: "contains control characters"}
		}
		n++
	}
	if n > limit {
		return &ValidationError{Op: op, Field: field, Reason: "longer than " + strconv.Itoa(limit) + " characters"}
	}
	return nil
}

// absoluteHTTPURL reports whether s is an absolute http or https URL with a
// host.
func absoluteHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// checkPaymentCode checks a scanned code: 1 to 64 printable ASCII
// characters without spaces. Alipay+ codes are 16 to 32 digits; the wallet,
// not the SDK, decides what else is valid.
func checkPaymentCode(op, v string) error {
	if v == "" {
		return &ValidationError{Op: op, Field: "PaymentCode", Reason: "required"}
	}
	if len(v) > maxRequestIDLen {
		return &ValidationError{Op: op, Field: "PaymentCode", Reason: "longer than " + strconv.Itoa(maxRequestIDLen) + " characters"}
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return &ValidationError{Op: op, Field: "PaymentCode", Reason: "contains spaces or non-printable characters"}
		}
	}
	return nil
}

// checkMCC checks a merchant category code: four digits (ISO 18245).
func checkMCC(op, field, v string) error {
	if v == "" {
		return &ValidationError{Op: op, Field: field, Reason: "required"}
	}
	if len(v) != 4 || !allDigits(v) {
		return &ValidationError{Op: op, Field: field, Reason: "not a four-digit merchant category code"}
	}
	return nil
}

// checkAmount checks an amount to send: positive, in a currency whose ISO
// 4217 exponent instore knows, so that minor units mean what the caller
// thinks.
func checkAmount(op, field string, m instore.Money) error {
	if _, ok := m.Currency.Exponent(); !ok {
		return &ValidationError{Op: op, Field: field + ".Currency", Reason: "unknown currency"}
	}
	if m.Amount <= 0 {
		return &ValidationError{Op: op, Field: field + ".Amount", Reason: "must be positive"}
	}
	return nil
}

func isCurrencyCode(c instore.Currency) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
