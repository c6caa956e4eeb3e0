package instore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// SourceType is an Omise payment source type. Types the SDK has no constant
// for are kept as they come.
type SourceType string

// The in-store source types. Merchant-scanned types (UPM, "B scan C") take
// the customer's payment code in SourceParams.Barcode; customer-scanned types
// (MPM, "C scan B") return a QR code in Source.ScannableCode.
const (
	// SourceBarcodeAlipay is legacy Alipay in-store (Thailand), discontinued
	// by Omise on 2024-10-01 according to its docs; kept for old accounts.
	SourceBarcodeAlipay SourceType = "barcode_alipay"
	// SourceAlipayPlusUPM is Alipay+ merchant-scanned (Alipay CN/HK and
	// partner wallets).
	SourceAlipayPlusUPM SourceType = "alipayplus_upm"
	// SourceAlipayPlusMPM is Alipay+ customer-scanned: the charge returns a
	// QR code.
	SourceAlipayPlusMPM SourceType = "alipayplus_mpm"
	// SourceWeChatPayUPM is WeChat Pay merchant-scanned.
	SourceWeChatPayUPM SourceType = "wechat_pay_upm"
	// SourceWeChatPayMPM is WeChat Pay customer-scanned.
	SourceWeChatPayMPM SourceType = "wechat_pay_mpm"
	// SourceBarcodeWeChat is WeChat Pay merchant-scanned, older API.
	SourceBarcodeWeChat SourceType = "barcode_wechat"
)

// SourceFlow is how a source is completed. Unknown values are kept.
type SourceFlow string

// Flows seen in Omise's answers. In-store sources are offline.
const (
	SourceFlowOffline     SourceFlow = "offline"
	SourceFlowRedirect    SourceFlow = "redirect"
	SourceFlowAppRedirect SourceFlow = "app_redirect"
)

// Source is an Omise payment source: what is charged (a scanned payment code,
// a QR code to show). Fields Omise sends as null are zero, except timestamps,
// which are nil.
type Source struct {
	Object        string         `json:"object"`
	ID            string         `json:"id"`
	Livemode      bool           `json:"livemode"`
	Location      string         `json:"location"`
	CreatedAt     time.Time      `json:"created_at"`
	Type          SourceType     `json:"type"`
	Flow          SourceFlow     `json:"flow"`
	Amount        int64          `json:"amount"`
	Currency      Currency       `json:"currency"`
	Barcode       string         `json:"barcode"`
	StoreID       string         `json:"store_id"`
	StoreName     string         `json:"store_name"`
	TerminalID    string         `json:"terminal_id"`
	References    *References    `json:"references"`
	ScannableCode *ScannableCode `json:"scannable_code"`
	// ChargeStatus is the status of the source's charge; ChargeUnknown
	// before a charge exists.
	ChargeStatus             ChargeStatus `json:"charge_status"`
	Bank                     string       `json:"bank"`
	Email                    string       `json:"email"`
	Name                     string       `json:"name"`
	MobileNumber             string       `json:"mobile_number"`
	PhoneNumber              string       `json:"phone_number"`
	IP                       string       `json:"ip"`
	PlatformType             string       `json:"platform_type"`
	AbsorptionType           string       `json:"absorption_type"`
	InstallmentTerm          int          `json:"installment_term"`
	ZeroInterestInstallments bool         `json:"zero_interest_installments"`
	ReceiptAmount            int64        `json:"receipt_amount"`
	// Billing, Shipping, Items, Discounts and ProviderReferences are kept as
	// raw JSON: the in-store flows do not use them and our sources document
	// no shape for them.
	Billing            json.RawMessage   `json:"billing"`
	Shipping           json.RawMessage   `json:"shipping"`
	Items              []json.RawMessage `json:"items"`
	Discounts          []json.RawMessage `json:"discounts"`
	ProviderReferences json.RawMessage   `json:"provider_references"`
}

func (s *Source) check() error {
	if s.ID == "" {
		return errors.New("instore: response has no source id")
	}
	return nil
}

// References are the payment references of an offline source.
type References struct {
	// ExpiresAt is when the payment code or QR code stops being payable.
	ExpiresAt   *time.Time `json:"expires_at"`
	DeviceID    string     `json:"device_id"`
	Barcode     string     `json:"barcode"`
	PaymentCode string     `json:"payment_code"`
	VACode      string     `json:"va_code"`
	OmiseTaxID  string     `json:"omise_tax_id"`
	Reference1  string     `json:"reference_number_1"`
	Reference2  string     `json:"reference_number_2"`
	// CustomerAmount and CustomerCurrency are what the customer's wallet is
	// charged, for cross-border wallets.
	CustomerAmount       int64    `json:"customer_amount"`
	CustomerCurrency     Currency `json:"customer_currency"`
	CustomerExchangeRate Decimal  `json:"customer_exchange_rate"`
}

// ScannableCode is a code for the customer to scan, such as the QR code of an
// Alipay+ MPM charge.
type ScannableCode struct {
	Object string `json:"object"`
	// Type is the code's kind, "qr" for a QR code.
	Type  string    `json:"type"`
	Image *Document `json:"image"`
}

// Document is a file Omise serves, such as a QR code image. DownloadURI needs
// the secret key to fetch.
type Document struct {
	Object      string    `json:"object"`
	ID          string    `json:"id"`
	Livemode    bool      `json:"livemode"`
	Location    string    `json:"location"`
	Deleted     bool      `json:"deleted"`
	Filename    string    `json:"filename"`
	Kind        string    `json:"kind"`
	DownloadURI string    `json:"download_uri"`
	CreatedAt   time.Time `json:"created_at"`
}

// SourceParams creates a source (SourceService.Create), or describes one
// inline in a charge (ChargeParams.Source, sent as source[type],
// source[barcode], ...). Zero fields are not sent.
type SourceParams struct {
	Type SourceType `url:"type,omitempty"`
	// Amount and Currency are required to create a source; inline in a
	// charge they may be left zero and are then the charge's.
	Amount   int64    `url:"amount,omitempty"`
	Currency Currency `url:"currency,omitempty"`
	// Barcode is the payment code scanned from the customer's wallet. It
	// is a one-time secret: the SDK never logs it or puts it in an error.
	Barcode    string `url:"barcode,omitempty"`
	StoreID    string `url:"store_id,omitempty"`
	StoreName  string `url:"store_name,omitempty"`
	TerminalID string `url:"terminal_id,omitempty"`
}

func (p *SourceParams) validate(inline bool) error {
	switch {
	case p.Type == "":
		return invalidParams("source type is required")
	case p.Amount < 0:
		return invalidParams("source amount must not be negative")
	case !inline && p.Amount == 0:
		return invalidParams("source amount is required")
	case !inline && p.Currency == "":
		return invalidParams("source currency is required")
	}
	return nil
}

// SourceService creates and retrieves payment sources.
type SourceService service

// Create creates a source. It authenticates with the public key when the
// client has one (WithPublicKey, or WithKeys for the call), else with the
// secret key. Most in-store flows need no separate source: pass it inline
// in ChargeParams.Source instead.
func (s *SourceService) Create(ctx context.Context, p *SourceParams, opts ...RequestOption) (*Source, error) {
	if p == nil {
		return nil, invalidParams("nil source params")
	}
	if err := p.validate(false); err != nil {
		return nil, err
	}
	body, err := encodeForm(p)
	if err != nil {
		return nil, err
	}
	return send[Source](ctx, s.client, &call{method: http.MethodPost, path: [4]string{"/sources"}, body: body, public: true, code: p.Barcode}, opts)
}

// Get retrieves a source by id.
func (s *SourceService) Get(ctx context.Context, id string, opts ...RequestOption) (*Source, error) {
	id, err := escapeID(id)
	if err != nil {
		return nil, err
	}
	return send[Source](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/sources/", id}}, opts)
}
