package alipayplus

import (
	"context"
	"time"

	"github.com/instorepay/instore"
)

// InquiryRequest names the payment to look up: by PaymentID or by
// PaymentRequestID (at least one; the gateway prefers PaymentID when both
// are given).
type InquiryRequest struct {
	PaymentRequestID string
	PaymentID        string
}

// InquiryResponse is the state of a payment.
//
// Result is about the inquiry: S means the payment was found and
// PaymentStatus says where it stands; F with ORDER_NOT_EXIST means the
// gateway does not know the payment (yet: inquire again a few times before
// concluding it never arrived); U means ask again.
type InquiryResponse struct {
	Result Result
	// PaymentStatus is the payment's state, normalised for both flavours
	// (see PaymentStatus). It is empty unless Result is S.
	PaymentStatus PaymentStatus
	// PaymentResult is the payment's own result: Alipay+'s paymentResult,
	// or for Antom paymentResultCode and paymentResultMessage with the
	// status derived from paymentStatus (SUCCESS S, FAIL and CANCELLED F,
	// others U). Its ResultCode says why a payment failed.
	PaymentResult       Result
	PaymentRequestID    string
	PaymentID           string
	PaymentAmount       instore.Money
	ActualPaymentAmount instore.Money // Antom
	PaymentTime         time.Time
	PSPCustomerInfo     PSPCustomerInfo // Antom
	WalletBrandName     string          // Alipay+
	CustomerID          string          // Alipay+
	PSPID               string          // Alipay+
	AcquirerID          string          // Alipay+
}

type idRequestJSON struct {
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	PaymentID        string `json:"paymentId,omitempty"`
}

type inquiryResponseJSON struct {
	Result               resultJSON          `json:"result"`
	PaymentStatus        string              `json:"paymentStatus"`        // Antom
	PaymentResultCode    string              `json:"paymentResultCode"`    // Antom
	PaymentResultMessage string              `json:"paymentResultMessage"` // Antom
	PaymentResult        *resultJSON         `json:"paymentResult"`        // Alipay+
	PaymentRequestID     string              `json:"paymentRequestId"`
	PaymentID            string              `json:"paymentId"`
	PaymentAmount        respAmount          `json:"paymentAmount"`
	ActualPaymentAmount  respAmount          `json:"actualPaymentAmount"`
	PaymentTime          string              `json:"paymentTime"`
	PSPCustomerInfo      pspCustomerInfoJSON `json:"pspCustomerInfo"`
	WalletBrandName      string              `json:"walletBrandName"`
	CustomerID           string              `json:"customerId"`
	PSPID                string              `json:"pspId"`
	AcquirerID           string              `json:"acquirerId"`
}

// InquiryPayment looks a payment up. It changes nothing, so it is safe to
// call any number of times, and its errors never match
// [instore.ErrOutcomeUnknown]: any error, an unsigned answer included
// (*UnverifiedResultError), just means there is no answer yet; ask again.
func (c *Client) InquiryPayment(ctx context.Context, req *InquiryRequest) (*InquiryResponse, error) {
	const op = "inquiryPayment"
	if err := checkPaymentRef(op, req); err != nil {
		return nil, err
	}
	body, err := marshalBody(op, &idRequestJSON{PaymentRequestID: req.PaymentRequestID, PaymentID: req.PaymentID})
	if err != nil {
		return nil, err
	}
	var out *InquiryResponse
	err = c.call(ctx, &c.ops[opInquiry], logID(req.PaymentRequestID, req.PaymentID), req.PaymentRequestID, body, func(b []byte) (*Result, string, error) {
		r, err := decodeInquiryResponse(b)
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

func checkPaymentRef(op string, req *InquiryRequest) error {
	if req == nil {
		return &ValidationError{Op: op, Field: "request", Reason: "nil"}
	}
	if req.PaymentRequestID == "" && req.PaymentID == "" {
		return &ValidationError{Op: op, Field: "PaymentRequestID", Reason: "PaymentRequestID or PaymentID required"}
	}
	if err := checkID(op, "PaymentRequestID", req.PaymentRequestID, false); err != nil {
		return err
	}
	return checkID(op, "PaymentID", req.PaymentID, false)
}

// logID is the id logged with a call: the merchant's request id if known.
func logID(requestID, paymentID string) string {
	if requestID != "" {
		return requestID
	}
	return paymentID
}

func decodeInquiryResponse(body []byte) (*InquiryResponse, error) {
	var w inquiryResponseJSON
	if err := unmarshalEnvelope(body, &w); err != nil {
		return nil, err
	}
	res, err := w.Result.result()
	if err != nil {
		return nil, err
	}
	out := &InquiryResponse{
		Result:              res,
		PaymentRequestID:    w.PaymentRequestID,
		PaymentID:           w.PaymentID,
		PaymentAmount:       w.PaymentAmount.money(),
		ActualPaymentAmount: w.ActualPaymentAmount.money(),
		PaymentTime:         parseTime(w.PaymentTime),
		PSPCustomerInfo:     w.PSPCustomerInfo.info(),
		WalletBrandName:     w.WalletBrandName,
		CustomerID:          w.CustomerID,
		PSPID:               w.PSPID,
		AcquirerID:          w.AcquirerID,
	}
	switch {
	case w.PaymentStatus != "":
		out.PaymentStatus = normalisePaymentStatus(w.PaymentStatus)
		out.PaymentResult = Result{
			ResultCode:    ResultCode(w.PaymentResultCode),
			ResultStatus:  resultStatusOf(out.PaymentStatus),
			ResultMessage: w.PaymentResultMessage,
		}
	case w.PaymentResult != nil:
		pr, err := w.PaymentResult.result()
		if err != nil {
			if res.Succeeded() {
				return nil, malformed("missing or unknown payment result status")
			}
			break
		}
		out.PaymentResult = pr
		out.PaymentStatus = paymentStatusFromResult(pr)
	}
	if !res.Succeeded() {
		// The inquiry itself failed or is unknown: whatever else the body
		// says is not a payment state.
		out.PaymentStatus = ""
	} else if out.PaymentStatus == "" {
		return nil, malformed("successful inquiry without a payment status")
	}
	return out, nil
}

// resultStatusOf gives the result status matching a payment status.
func resultStatusOf(s PaymentStatus) ResultStatus {
	switch s {
	case PaymentSuccess:
		return ResultSuccess
	case PaymentFail, PaymentCancelled:
		return ResultFailure
	default:
		return ResultUnknown
	}
}
