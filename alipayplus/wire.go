package alipayplus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/redact"
)

// Wire formats. Source: shared/reference/alipayplus.md §2.3, §3 and §3.6.
const (
	// terminalTimeLayout is ISO 8601 with milliseconds, which the pay
	// interface requires for env.storeTerminalRequestTime, and a numeric
	// offset as in every documented example ("+08:00", never "Z").
	terminalTimeLayout = "2006-01-02T15:04:05.000-07:00"
	// timeLayout is ISO 8601 to the second, for paymentExpiryTime.
	timeLayout = "2006-01-02T15:04:05-07:00"
	// maxRequestIDLen bounds paymentRequestId, refundRequestId,
	// referenceOrderId and paymentId.
	maxRequestIDLen = 64
	// maxDescriptionLen bounds order.orderDescription.
	maxDescriptionLen = 256
)

// amountJSON is an amount on the wire: {"currency":"JPY","value":"1000"},
// value a decimal string of minor units.
type amountJSON struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

func toAmount(m instore.Money) amountJSON {
	return amountJSON{Currency: string(m.Currency), Value: strconv.FormatInt(m.Amount, 10)}
}

// respAmount is an amount in a response.
type respAmount struct {
	Currency string      `json:"currency"`
	Value    amountValue `json:"value"`
}

// amountValue is an amount's value: a string of minor units or, leniently,
// a JSON integer. Anything else makes the response malformed, since an
// amount is not a field to guess. It parses the raw token itself rather
// than running a nested decoder.
type amountValue int64

func (v *amountValue) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	if len(b) == 0 || string(b) == "null" {
		*v = 0
		return nil
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' || n > (math.MaxInt64-9)/10 {
			return errors.New("amount value is not a non-negative integer")
		}
		n = n*10 + int64(c-'0')
	}
	*v = amountValue(n)
	return nil
}

func (a *respAmount) money() instore.Money {
	return instore.Money{Amount: int64(a.Value), Currency: instore.Currency(a.Currency)}
}

// parseTime reads an ISO 8601 time from a response. An unreadable time is
// zero rather than an error: it must not turn a payment result into an
// unknown outcome.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

type resultJSON struct {
	ResultCode    string `json:"resultCode"`
	ResultStatus  string `json:"resultStatus"`
	ResultMessage string `json:"resultMessage"`
}

// result converts and checks a result: its status must be S, F or U. The
// code and the message are the gateway's text, and reach Payment, errors and
// logs: they are sanitised here, where they are decoded (a message may echo
// the payment code, or carry bidi controls). A documented code is left as it
// is.
func (r *resultJSON) result() (Result, error) {
	res := Result{
		ResultCode:    ResultCode(redact.Text(r.ResultCode, redact.MaxCode)),
		ResultStatus:  ResultStatus(r.ResultStatus),
		ResultMessage: redact.Text(r.ResultMessage, redact.MaxMessage),
	}
	if !res.ResultStatus.valid() {
		return Result{}, malformed("missing or unknown result status")
	}
	return res, nil
}

type pspCustomerInfoJSON struct {
	PSPName           string `json:"pspName"`
	PSPCustomerID     string `json:"pspCustomerId"`
	DisplayCustomerID string `json:"displayCustomerId"`
}

// PSPCustomerInfo identifies the payer at their wallet (Antom).
type PSPCustomerInfo struct {
	PSPName           string // e.g. ALIPAY_CN
	PSPCustomerID     string
	DisplayCustomerID string
}

func (p *pspCustomerInfoJSON) info() PSPCustomerInfo {
	return PSPCustomerInfo(*p)
}

// malformed returns an ErrMalformedResponse with a detail that never quotes
// the body.
func malformed(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformedResponse, detail)
}

// unmarshalEnvelope decodes a response body into v, describing a failure
// without quoting the body.
func unmarshalEnvelope(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			return malformed("empty body")
		case errors.As(err, &se):
			return malformed("invalid JSON at offset " + strconv.FormatInt(se.Offset, 10))
		case errors.As(err, &te):
			return malformed("unexpected JSON type for " + te.Field)
		default:
			return malformed("undecodable JSON")
		}
	}
	return nil
}
