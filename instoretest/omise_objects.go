package instoretest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// The JSON shapes below follow the objects in the Omise documentation
// (the barcode_alipay and alipayplus_mpm seed pages): every key present,
// null where the service sends null.

const omiseTime = "2006-01-02T15:04:05Z"

func omiseTimestamp(t time.Time) string { return t.UTC().Format(omiseTime) }

func omiseTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := omiseTimestamp(t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type omiseErrorJSON struct {
	Object   string `json:"object"`
	Location string `json:"location"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// omiseError is an error in the Omise format.
func omiseError(status int, code, message string) reply {
	b, _ := json.Marshal(omiseErrorJSON{
		Object:   "error",
		Location: "https://www.omise.co/api-errors#" + strings.ReplaceAll(code, "_", "-"),
		Code:     code,
		Message:  message,
	})
	return jsonReply(status, b)
}

func omiseOK(v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return omiseError(http.StatusInternalServerError, "internal_error", "could not encode the answer")
	}
	return jsonReply(http.StatusOK, b)
}

type omiseListJSON struct {
	Object   string `json:"object"`
	Data     []any  `json:"data"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
	Total    int    `json:"total"`
	Location string `json:"location"`
	Order    string `json:"order"`
	From     string `json:"from"`
	To       string `json:"to"`
}

type nullObject struct {
	Fixed      *int64 `json:"fixed"`
	Amount     *int64 `json:"amount"`
	Percentage *int64 `json:"percentage"`
}

type omiseReferencesJSON struct {
	ExpiresAt            string  `json:"expires_at"`
	DeviceID             *string `json:"device_id"`
	CustomerAmount       *int64  `json:"customer_amount"`
	CustomerCurrency     *string `json:"customer_currency"`
	CustomerExchangeRate *string `json:"customer_exchange_rate"`
	OmiseTaxID           *string `json:"omise_tax_id"`
	ReferenceNumber1     *string `json:"reference_number_1"`
	ReferenceNumber2     *string `json:"reference_number_2"`
	Barcode              *string `json:"barcode"`
	PaymentCode          *string `json:"payment_code"`
	VACode               *string `json:"va_code"`
}

type omiseSourceJSON struct {
	Object                   string               `json:"object"`
	ID                       string               `json:"id"`
	Livemode                 bool                 `json:"livemode"`
	Location                 string               `json:"location"`
	Amount                   int64                `json:"amount"`
	Barcode                  *string              `json:"barcode"`
	Bank                     *string              `json:"bank"`
	CreatedAt                string               `json:"created_at"`
	Currency                 string               `json:"currency"`
	Email                    *string              `json:"email"`
	Flow                     string               `json:"flow"`
	InstallmentTerm          *int                 `json:"installment_term"`
	IP                       *string              `json:"ip"`
	Name                     *string              `json:"name"`
	MobileNumber             *string              `json:"mobile_number"`
	PhoneNumber              *string              `json:"phone_number"`
	PlatformType             *string              `json:"platform_type"`
	ScannableCode            any                  `json:"scannable_code"`
	Billing                  any                  `json:"billing"`
	Shipping                 any                  `json:"shipping"`
	Items                    []any                `json:"items"`
	References               *omiseReferencesJSON `json:"references"`
	ProviderReferences       any                  `json:"provider_references"`
	StoreID                  *string              `json:"store_id"`
	StoreName                *string              `json:"store_name"`
	TerminalID               *string              `json:"terminal_id"`
	Type                     string               `json:"type"`
	ZeroInterestInstallments *bool                `json:"zero_interest_installments"`
	ChargeStatus             string               `json:"charge_status"`
	ReceiptAmount            *int64               `json:"receipt_amount"`
	Discounts                []any                `json:"discounts"`
}

type omiseChargeJSON struct {
	Object                   string            `json:"object"`
	ID                       string            `json:"id"`
	Location                 string            `json:"location"`
	Amount                   int64             `json:"amount"`
	Net                      int64             `json:"net"`
	Fee                      int64             `json:"fee"`
	FeeVAT                   int64             `json:"fee_vat"`
	Interest                 int64             `json:"interest"`
	InterestVAT              int64             `json:"interest_vat"`
	FundingAmount            int64             `json:"funding_amount"`
	RefundedAmount           int64             `json:"refunded_amount"`
	TransactionFees          map[string]string `json:"transaction_fees"`
	PlatformFee              nullObject        `json:"platform_fee"`
	Currency                 string            `json:"currency"`
	FundingCurrency          string            `json:"funding_currency"`
	IP                       *string           `json:"ip"`
	Refunds                  omiseListJSON     `json:"refunds"`
	Link                     *string           `json:"link"`
	Description              *string           `json:"description"`
	Metadata                 map[string]string `json:"metadata"`
	Card                     any               `json:"card"`
	Source                   *omiseSourceJSON  `json:"source"`
	Schedule                 *string           `json:"schedule"`
	Customer                 *string           `json:"customer"`
	Dispute                  any               `json:"dispute"`
	Transaction              *string           `json:"transaction"`
	FailureCode              *string           `json:"failure_code"`
	FailureMessage           *string           `json:"failure_message"`
	Status                   string            `json:"status"`
	AuthorizeURI             *string           `json:"authorize_uri"`
	ReturnURI                *string           `json:"return_uri"`
	CreatedAt                string            `json:"created_at"`
	PaidAt                   *string           `json:"paid_at"`
	ExpiresAt                *string           `json:"expires_at"`
	ExpiredAt                *string           `json:"expired_at"`
	ReversedAt               *string           `json:"reversed_at"`
	ZeroInterestInstallments bool              `json:"zero_interest_installments"`
	Branch                   any               `json:"branch"`
	Terminal                 any               `json:"terminal"`
	Device                   any               `json:"device"`
	Authorized               bool              `json:"authorized"`
	Capturable               bool              `json:"capturable"`
	Capture                  bool              `json:"capture"`
	Disputable               bool              `json:"disputable"`
	Livemode                 bool              `json:"livemode"`
	Refundable               bool              `json:"refundable"`
	PartiallyRefundable      bool              `json:"partially_refundable"`
	Reversed                 bool              `json:"reversed"`
	Reversible               bool              `json:"reversible"`
	Voided                   bool              `json:"voided"`
	Paid                     bool              `json:"paid"`
	Expired                  bool              `json:"expired"`
}

type omiseRefundJSON struct {
	Object          string            `json:"object"`
	ID              string            `json:"id"`
	Location        string            `json:"location"`
	Livemode        bool              `json:"livemode"`
	Voided          bool              `json:"voided"`
	Currency        string            `json:"currency"`
	Amount          int64             `json:"amount"`
	Metadata        map[string]string `json:"metadata"`
	Charge          string            `json:"charge"`
	Transaction     string            `json:"transaction"`
	Status          string            `json:"status"`
	FundingAmount   int64             `json:"funding_amount"`
	FundingCurrency string            `json:"funding_currency"`
	CreatedAt       string            `json:"created_at"`
}

type omiseDeliveryJSON struct {
	Object string  `json:"object"`
	ID     string  `json:"id"`
	URI    string  `json:"uri"`
	Status int     `json:"status"`
	Key    string  `json:"key"`
	Error  *string `json:"error"`
}

type omiseEventJSON struct {
	Object            string              `json:"object"`
	ID                string              `json:"id"`
	Livemode          bool                `json:"livemode"`
	Location          string              `json:"location"`
	Key               string              `json:"key"`
	CreatedAt         string              `json:"created_at"`
	Data              json.RawMessage     `json:"data"`
	TeamUID           *string             `json:"team_uid"`
	ActorUID          *string             `json:"actor_uid"`
	UserUID           *string             `json:"user_uid"`
	WebhookDeliveries []omiseDeliveryJSON `json:"webhook_deliveries"`
}

// omiseSource is a source as the simulator keeps it.
type omiseSource struct {
	id, typ                             string
	amount                              int64
	currency                            string
	barcode, storeID, storeName, termID string
	createdAt                           time.Time
	charge                              *omiseCharge
	// document is the QR code of a merchant-presented source, made with
	// its charge.
	document *omiseDocument
}

func (s *omiseSource) json() *omiseSourceJSON {
	status := "unknown"
	var refs *omiseReferencesJSON
	if s.charge != nil {
		status = s.charge.status
		refs = &omiseReferencesJSON{ExpiresAt: omiseTimestamp(s.charge.expiresAt)}
	}
	var scannable any
	if s.document != nil {
		scannable = s.document.scannableJSON()
	}
	return &omiseSourceJSON{
		Object:        "source",
		ID:            s.id,
		Location:      "/sources/" + s.id,
		Amount:        s.amount,
		Barcode:       strPtr(s.barcode),
		CreatedAt:     omiseTimestamp(s.createdAt),
		Currency:      s.currency,
		Flow:          "offline",
		ScannableCode: scannable,
		Items:         []any{},
		References:    refs,
		StoreID:       strPtr(s.storeID),
		StoreName:     strPtr(s.storeName),
		TerminalID:    strPtr(s.termID),
		Type:          s.typ,
		ChargeStatus:  status,
		Discounts:     []any{},
	}
}

func emptyList(location string, now time.Time) omiseListJSON {
	return omiseListJSON{
		Object: "list", Data: []any{}, Limit: 20, Location: location,
		Order: "chronological", From: "1970-01-01T00:00:00Z", To: omiseTimestamp(now),
	}
}
