package alipayplus

import (
	"net/url"
	"time"
)

// Scenario is the in-store payment scenario of a pay request
// (paymentFactor.inStorePaymentScenario). Source: the Antom pay interface
// (shared/seeds/alipayplus-cpm-pay.txt), which lists PaymentCode, OrderCode
// and EntryCode.
type Scenario string

// Scenarios the client sends.
const (
	// ScenarioPaymentCode: the cashier scanned the code the customer's
	// wallet shows ("B scans C"); the request carries it. The default.
	ScenarioPaymentCode Scenario = "PaymentCode"
	// ScenarioOrderCode: the merchant shows an order code for the customer
	// to scan ("C scans B"); the request carries no payment code, and the
	// answer carries the order code in PayResponse.OrderCodeForm.
	ScenarioOrderCode Scenario = "OrderCode"
)

// OrderCodeForm is the order code an OrderCode pay returns (orderCodeForm):
// what the till shows for the customer to scan. Field names follow the
// Antom pay reference and the official SDKs' OrderCodeForm and CodeDetail
// models. Which details the gateway sends is not in our sources: a caller
// checks that a code is there (QRCodeValue).
type OrderCodeForm struct {
	// PaymentMethodType is the wallet the code is for, such as
	// CONNECT_WALLET or TRUEMONEY.
	PaymentMethodType string
	// ExpireTime is when the code stops being payable (expireTime); zero
	// when absent or unreadable.
	ExpireTime time.Time
	// CodeDetails are the forms of the code: its value and how to show it.
	CodeDetails []CodeDetail
	// ExtendInfo is extra information, kept as sent.
	ExtendInfo string
}

// CodeDetail is one form of an order code (orderCodeForm.codeDetails[]).
type CodeDetail struct {
	// CodeValueType is QRCODE or BARCODE (codeValueType).
	CodeValueType string
	// CodeValue is the text to encode (codeValue).
	CodeValue string
	// DisplayType is how to show it (displayType): TEXT, SMALLIMAGE,
	// MIDDLEIMAGE or BIGIMAGE.
	DisplayType string
}

// Code value types and display types of a CodeDetail (seed: the Antom pay
// interface, "Details about the code").
const (
	CodeValueTypeQRCode  = "QRCODE"
	CodeValueTypeBarcode = "BARCODE"

	// DisplayTypeText: show the value as text, or encode it in a code.
	DisplayTypeText = "TEXT"
	// The image display types: the value is a picture of the code, in
	// three sizes.
	DisplayTypeSmallImage  = "SMALLIMAGE"
	DisplayTypeMiddleImage = "MIDDLEIMAGE"
	DisplayTypeBigImage    = "BIGIMAGE"
)

// QRCodeValue returns the text the order's QR code encodes, for a till that
// draws the code: the first detail shown as TEXT that is not a barcode,
// else the first QRCODE detail with no display type, else the first detail
// with neither type; "" when there is none. Image details carry a picture
// of the code, not its content (see ImageURL).
func (f OrderCodeForm) QRCodeValue() string {
	var qr, bare string
	for _, d := range f.CodeDetails {
		switch {
		case d.CodeValue == "" || d.CodeValueType == CodeValueTypeBarcode:
		case d.DisplayType == DisplayTypeText:
			return d.CodeValue
		case d.DisplayType == "" && d.CodeValueType == CodeValueTypeQRCode && qr == "":
			qr = d.CodeValue
		case d.DisplayType == "" && d.CodeValueType == "" && bare == "":
			bare = d.CodeValue
		}
	}
	if qr != "" {
		return qr
	}
	return bare
}

// ImageURL returns the address of a picture of the order's QR code, for a
// till that shows pictures: the MIDDLEIMAGE detail, else BIGIMAGE, else
// SMALLIMAGE, if its value is an absolute https URL; "" otherwise.
func (f OrderCodeForm) ImageURL() string {
	for _, want := range [...]string{DisplayTypeMiddleImage, DisplayTypeBigImage, DisplayTypeSmallImage} {
		for _, d := range f.CodeDetails {
			if d.DisplayType != want || d.CodeValueType == CodeValueTypeBarcode {
				continue
			}
			if u, err := url.Parse(d.CodeValue); err == nil && u.Scheme == "https" && u.Host != "" {
				return d.CodeValue
			}
		}
	}
	return ""
}

type orderCodeFormJSON struct {
	PaymentMethodType string           `json:"paymentMethodType"`
	ExpireTime        string           `json:"expireTime"`
	CodeDetails       []codeDetailJSON `json:"codeDetails"`
	ExtendInfo        string           `json:"extendInfo"`
}

type codeDetailJSON struct {
	CodeValueType string `json:"codeValueType"`
	CodeValue     string `json:"codeValue"`
	DisplayType   string `json:"displayType"`
}

func (f *orderCodeFormJSON) form() OrderCodeForm {
	out := OrderCodeForm{
		PaymentMethodType: f.PaymentMethodType,
		ExpireTime:        parseTime(f.ExpireTime),
		ExtendInfo:        f.ExtendInfo,
	}
	if len(f.CodeDetails) > 0 {
		out.CodeDetails = make([]CodeDetail, len(f.CodeDetails))
		for i, d := range f.CodeDetails {
			out.CodeDetails[i] = CodeDetail(d)
		}
	}
	return out
}
