package instoretest

import (
	"encoding/json"
	"strconv"
	"time"
)

// Alipay+ payment states.
const (
	apPending   = "pending"
	apSucceeded = "succeeded"
	apFailed    = "failed"
	apCancelled = "cancelled"
)

// Fixed values of the consumer-presented mode (seed alipayplus-cpm-pay.txt;
// reference alipayplus.md, 3.1 and 3.3).
const (
	apProductCode      = "IN_STORE_PAYMENT"
	apMethodType       = "CONNECT_WALLET"
	apScenarioCode     = "PaymentCode"
	apMaxRequestIDLen  = 64
	apWalletBrand      = "ALIPAY_CN"
	apPSPID            = "1022088000000000001"
	apAcquirerID       = "1022188000000000001"
	apCustomerID       = "2088102000000000001"
	apRefundExceedCode = "REFUND_AMOUNT_EXCEED"
)

type apAmount struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

// parse checks an amount: a three-letter upper-case currency and a positive
// integer of minor units, as a string.
func (m *apAmount) parse() (int64, bool) {
	if m == nil || len(m.Currency) != 3 || m.Value == "" || len(m.Value) > 18 {
		return 0, false
	}
	for _, c := range m.Currency {
		if c < 'A' || c > 'Z' {
			return 0, false
		}
	}
	for _, c := range m.Value {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(m.Value, 10, 64)
	return v, err == nil && v > 0
}

// apPayment is a payment as the simulator keeps it.
type apPayment struct {
	requestID, paymentID string
	flavour              flavour
	amount               int64
	currency             string
	methodType, code     string
	scenario, settlement string
	notifyURL            string
	state, resultCode    string
	createdAt, paidAt    time.Time
	refunded             int64
	refunds              int
	paid                 bool
	progress             progress
	// orderCode is the code of an OrderCode payment, payable until
	// expiresAt.
	orderCode string
	expiresAt time.Time
	// storms are FaultStorms met while the payment was pending, to be sent
	// with its notification when it becomes final.
	storms []Fault
}

func (p *apPayment) entry() LedgerEntry {
	e := LedgerEntry{
		RequestID: p.requestID,
		ID:        p.paymentID,
		Code:      p.code,
		Amount:    p.amount,
		Currency:  p.currency,
		Paid:      p.paid,
		Captured:  p.state == apSucceeded,
		Refunded:  p.refunded,
		Refunds:   p.refunds,
		Inquiries: p.progress.inquiries,
		CreatedAt: p.createdAt,
	}
	switch p.state {
	case apPending:
		e.State = StatePending
	case apSucceeded:
		e.State = StateSucceeded
	case apFailed:
		e.State, e.FailureCode = StateFailed, p.resultCode
	default:
		e.State = StateCancelled
	}
	return e
}

func (p *apPayment) amountJSON() apAmount {
	return apAmount{Currency: p.currency, Value: strconv.FormatInt(p.amount, 10)}
}

// result is the payment's own result (S, F or U) and code.
func (p *apPayment) result() apResult {
	switch p.state {
	case apSucceeded:
		return apResultOf("S", "SUCCESS")
	case apFailed:
		return apResultOf("F", p.resultCode)
	case apCancelled:
		return apResultOf("F", "ORDER_IS_CLOSED")
	}
	return apResultOf("U", "PAYMENT_IN_PROCESS")
}

type apRefund struct {
	requestID, refundID string
	payment             *apPayment
	amount              int64
	at                  time.Time
}

// settleLocked moves a pending payment on along its plan.
func (a *AlipayPlus) settleLocked(p *apPayment) {
	if a.expireOrderLocked(p) || p.state != apPending || !p.progress.due() {
		return
	}
	if p.progress.plan.Result == ResultFail {
		p.state, p.resultCode = apFailed, p.progress.plan.FailureCode
		if p.resultCode == "" {
			p.resultCode = "PROCESS_FAIL"
		}
	} else {
		p.state, p.paid, p.paidAt = apSucceeded, true, a.now()
	}
	a.notifyLocked(p)
}

type payRequest struct {
	ProductCode      string `json:"productCode"`
	PaymentRequestID string `json:"paymentRequestId"`
	Order            *struct {
		Merchant *struct {
			Store *json.RawMessage `json:"store"`
		} `json:"merchant"`
		Env *struct {
			StoreTerminalID          string `json:"storeTerminalId"`
			StoreTerminalRequestTime string `json:"storeTerminalRequestTime"`
		} `json:"env"`
	} `json:"order"`
	PaymentAmount *apAmount `json:"paymentAmount"`
	PaymentMethod *struct {
		PaymentMethodType string `json:"paymentMethodType"`
		PaymentMethodID   string `json:"paymentMethodId"`
	} `json:"paymentMethod"`
	PaymentFactor *struct {
		InStorePaymentScenario string `json:"inStorePaymentScenario"`
	} `json:"paymentFactor"`
	PaymentNotifyURL   string `json:"paymentNotifyUrl"`
	PaymentExpiryTime  string `json:"paymentExpiryTime"`
	SettlementStrategy *struct {
		SettlementCurrency string `json:"settlementCurrency"`
	} `json:"settlementStrategy"`
}

// validPay reports whether a pay request carries what the consumer-
// presented mode requires.
func validPay(f flavour, r *payRequest) bool {
	switch {
	case r.PaymentRequestID == "" || len(r.PaymentRequestID) > apMaxRequestIDLen:
		return false
	case f == flavourAMS && r.ProductCode != apProductCode:
		return false
	case r.Order == nil || r.Order.Merchant == nil || r.Order.Merchant.Store == nil:
		return false
	case r.Order.Env == nil || r.Order.Env.StoreTerminalID == "" || r.Order.Env.StoreTerminalRequestTime == "":
		return false
	case r.PaymentMethod == nil || r.PaymentMethod.PaymentMethodType != apMethodType || r.PaymentFactor == nil:
		return false
	}
	switch r.PaymentFactor.InStorePaymentScenario {
	case apScenarioCode:
		if r.PaymentMethod.PaymentMethodID == "" {
			return false
		}
	case apScenarioOrderCode:
		// The customer scans the merchant's code: there is none to send.
		if r.PaymentMethod.PaymentMethodID != "" {
			return false
		}
	default:
		return false
	}
	_, ok := r.PaymentAmount.parse()
	return ok
}

// alipayFamilyCode reports whether code is a payment code Alipay+ routes:
// 16 to 24 digits starting 25 to 30 (seed: "An Alipay payment code is a
// number of 16 to 24 digits and starts with a number ranging from 25 to
// 30").
func alipayFamilyCode(code string) bool {
	if len(code) < 16 || len(code) > 24 {
		return false
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	p := int(code[0]-'0')*10 + int(code[1]-'0')
	return p >= 25 && p <= 30
}

func (a *AlipayPlus) pay(f flavour, body []byte) any {
	var req payRequest
	if !strictJSON(body, &req) || !validPay(f, &req) {
		return apFail("PARAM_ILLEGAL")
	}
	amount, _ := req.PaymentAmount.parse()
	settlement := ""
	if req.SettlementStrategy != nil {
		settlement = req.SettlementStrategy.SettlementCurrency
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.payments[req.PaymentRequestID]; ok {
		if p.amount != amount || p.currency != req.PaymentAmount.Currency || p.methodType != req.PaymentMethod.PaymentMethodType ||
			p.code != req.PaymentMethod.PaymentMethodID || p.scenario != req.PaymentFactor.InStorePaymentScenario || p.settlement != settlement {
			return apFail("REPEAT_REQ_INCONSISTENT")
		}
		a.settleLocked(p)
		return a.payAnswer(f, p)
	}
	if _, ok := a.closed[req.PaymentRequestID]; ok {
		// A cancel answered S closed this id before any payment was made
		// under it: the payment may never happen.
		return apFail("ORDER_IS_CLOSED")
	}
	orderCode := req.PaymentFactor.InStorePaymentScenario == apScenarioOrderCode
	var plan Plan
	switch {
	case orderCode:
		plan = a.presentedPlanLocked(req.PaymentRequestID)
	case !alipayFamilyCode(req.PaymentMethod.PaymentMethodID):
		return apFail("INVALID_CODE")
	default:
		var scripted bool
		if plan, scripted = a.scripts[req.PaymentMethod.PaymentMethodID]; !scripted {
			plan = planFor(req.PaymentMethod.PaymentMethodID, alipayFailure)
		}
	}
	now := a.now()
	p := &apPayment{
		requestID:  req.PaymentRequestID,
		paymentID:  a.newPaymentIDLocked(now),
		flavour:    f,
		amount:     amount,
		currency:   req.PaymentAmount.Currency,
		methodType: req.PaymentMethod.PaymentMethodType,
		code:       req.PaymentMethod.PaymentMethodID,
		scenario:   req.PaymentFactor.InStorePaymentScenario,
		settlement: settlement,
		notifyURL:  req.PaymentNotifyURL,
		state:      apPending,
		createdAt:  now,
		progress:   newProgress(plan),
	}
	if orderCode {
		a.newOrderCodeLocked(p, req.PaymentExpiryTime)
	}
	a.payments[p.requestID] = p
	a.byID[p.paymentID] = p
	a.list = append(a.list, p)
	a.ledger.add(p.requestID, p.code, p)
	a.settleLocked(p)
	if p.state == apPending && plan.After > 0 {
		a.afterLocked(plan.After, func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.settleLocked(p)
		})
	}
	return a.payAnswer(f, p)
}

// newPaymentIDLocked is a new paymentId, in the gateway's layout: the
// UTC+8 date, a fixed middle and a sequence number.
func (a *AlipayPlus) newPaymentIDLocked(now time.Time) string {
	a.seq++
	return now.In(time.FixedZone("UTC+8", 8*60*60)).Format("20060102") + "11401080010" + pad(a.seq, 16)
}

func pad(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

type payAnswer struct {
	Result            apResult  `json:"result"`
	PaymentRequestID  string    `json:"paymentRequestId,omitempty"`
	PaymentID         string    `json:"paymentId,omitempty"`
	PaymentAmount     *apAmount `json:"paymentAmount,omitempty"`
	PaymentCreateTime string    `json:"paymentCreateTime,omitempty"`
	PaymentTime       string    `json:"paymentTime,omitempty"`
	AcquirerID        string    `json:"acquirerId,omitempty"`
	PSPID             string    `json:"pspId,omitempty"`
	CustomerID        string    `json:"customerId,omitempty"`
	WalletBrandName   string    `json:"walletBrandName,omitempty"`
	PSPCustomerInfo   *struct {
		PSPName string `json:"pspName"`
	} `json:"pspCustomerInfo,omitempty"`
	OrderCodeForm *apOrderCodeForm `json:"orderCodeForm,omitempty"`
}

func (a *AlipayPlus) payAnswer(f flavour, p *apPayment) payAnswer {
	res := p.result()
	ans := payAnswer{Result: res}
	if res.ResultStatus == "F" {
		return ans
	}
	amt := p.amountJSON()
	ans.PaymentRequestID, ans.PaymentID, ans.PaymentAmount = p.requestID, p.paymentID, &amt
	ans.PaymentCreateTime = apTime(p.createdAt)
	if p.orderCode != "" && p.state == apPending {
		ans.OrderCodeForm = p.orderCodeForm()
	}
	if p.state == apSucceeded {
		ans.PaymentTime = apTime(p.paidAt)
		if f == flavourAPS {
			ans.AcquirerID, ans.PSPID, ans.CustomerID, ans.WalletBrandName = apAcquirerID, apPSPID, apCustomerID, apWalletBrand
		} else {
			ans.PSPCustomerInfo = &struct {
				PSPName string `json:"pspName"`
			}{apWalletBrand}
		}
	}
	return ans
}

// apFail is an answer with a failed result and nothing else.
func apFail(code string) any {
	return struct {
		Result apResult `json:"result"`
	}{apResultOf("F", code)}
}

// byIDs finds a payment, paymentId winning over paymentRequestId.
func (a *AlipayPlus) byIDs(paymentID, requestID string) (*apPayment, bool) {
	if paymentID != "" {
		p, ok := a.byID[paymentID]
		return p, ok
	}
	p, ok := a.payments[requestID]
	return p, ok
}

type idsRequest struct {
	PaymentRequestID string `json:"paymentRequestId"`
	PaymentID        string `json:"paymentId"`
}

type inquiryAnswer struct {
	Result apResult `json:"result"`
	// Antom
	PaymentStatus        string `json:"paymentStatus,omitempty"`
	PaymentResultCode    string `json:"paymentResultCode,omitempty"`
	PaymentResultMessage string `json:"paymentResultMessage,omitempty"`
	// Alipay+
	PaymentResult *apResult `json:"paymentResult,omitempty"`

	PaymentRequestID  string   `json:"paymentRequestId"`
	PaymentID         string   `json:"paymentId"`
	PaymentAmount     apAmount `json:"paymentAmount"`
	PaymentCreateTime string   `json:"paymentCreateTime,omitempty"`
	PaymentTime       string   `json:"paymentTime,omitempty"`
	AcquirerID        string   `json:"acquirerId,omitempty"`
	PSPID             string   `json:"pspId,omitempty"`
	WalletBrandName   string   `json:"walletBrandName,omitempty"`
}

func (a *AlipayPlus) inquire(f flavour, body []byte) any {
	var req idsRequest
	if !strictJSON(body, &req) || (req.PaymentID == "" && req.PaymentRequestID == "") {
		return apFail("PARAM_ILLEGAL")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.byIDs(req.PaymentID, req.PaymentRequestID)
	if !ok {
		return apFail("ORDER_NOT_EXIST")
	}
	p.progress.inquiries++
	a.settleLocked(p)
	return inquiryAnswerOf(f, p)
}

// inquiryAnswerOf is the answer to an inquiry about p.
func inquiryAnswerOf(f flavour, p *apPayment) inquiryAnswer {
	res := p.result()
	ans := inquiryAnswer{
		Result:            apResultOf("S", "SUCCESS"),
		PaymentRequestID:  p.requestID,
		PaymentID:         p.paymentID,
		PaymentAmount:     p.amountJSON(),
		PaymentCreateTime: apTime(p.createdAt),
	}
	if p.paid {
		ans.PaymentTime = apTime(p.paidAt)
	}
	if f == flavourAPS {
		ans.PaymentResult = &res
		ans.AcquirerID, ans.PSPID = apAcquirerID, apPSPID
		if p.state == apSucceeded {
			ans.WalletBrandName = apWalletBrand
		}
		return ans
	}
	switch p.state {
	case apSucceeded:
		ans.PaymentStatus = "SUCCESS"
	case apFailed:
		ans.PaymentStatus = "FAIL"
	case apCancelled:
		ans.PaymentStatus = "CANCELLED"
	default:
		ans.PaymentStatus = "PROCESSING"
	}
	ans.PaymentResultCode, ans.PaymentResultMessage = res.ResultCode, res.ResultMessage
	return ans
}
