package instoretest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"
)

// Merchant-presented payments through Alipay+: the pay request's OrderCode
// scenario, with no payment code, answered U PAYMENT_IN_PROCESS with an
// orderCodeForm (field names from the Antom pay reference and the official
// SDKs' OrderCodeForm and CodeDetail). A test plays the customer with
// PayPresented and DeclinePresented, or scripts the payment with
// ScriptPresented.

const (
	apScenarioOrderCode = "OrderCode"
	// apOrderCodeTTL is how long an order code stays payable when the pay
	// request gives no paymentExpiryTime. The gateway's default is not in
	// our sources; this one outlasts the SDK's default wait.
	apOrderCodeTTL = 5 * time.Minute
)

type apCodeDetail struct {
	CodeValueType string `json:"codeValueType"`
	CodeValue     string `json:"codeValue"`
	DisplayType   string `json:"displayType"`
}

type apOrderCodeForm struct {
	PaymentMethodType string         `json:"paymentMethodType"`
	ExpireTime        string         `json:"expireTime"`
	CodeDetails       []apCodeDetail `json:"codeDetails"`
}

func (p *apPayment) orderCodeForm() *apOrderCodeForm {
	return &apOrderCodeForm{
		PaymentMethodType: apMethodType,
		ExpireTime:        apTime(p.expiresAt),
		CodeDetails:       []apCodeDetail{{CodeValueType: "QRCODE", CodeValue: p.orderCode, DisplayType: "TEXT"}},
	}
}

// newOrderCodeLocked gives p its order code and expiry. The code follows
// the documented layout of an Alipay+ order code: 12 digits "281" + a
// 3-digit issuer (999 here) + "04" (order code) + 4 digits, then letters
// and digits (reference payment-codes.md, row 6).
func (a *AlipayPlus) newOrderCodeLocked(p *apPayment, expiry string) {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [24]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	p.orderCode = fmt.Sprintf("28199904%04d", a.seq%10000) + string(b[:])
	p.expiresAt = p.createdAt.Add(apOrderCodeTTL)
	if t, err := time.Parse(time.RFC3339, expiry); err == nil && expiry != "" {
		p.expiresAt = t
	}
}

// expireOrderLocked closes a pending order whose code has expired, as the
// gateway does (ORDER_IS_CLOSED), and reports whether it did.
func (a *AlipayPlus) expireOrderLocked(p *apPayment) bool {
	if p.orderCode == "" || p.state != apPending || a.now().Before(p.expiresAt) {
		return false
	}
	p.state, p.resultCode = apFailed, "ORDER_IS_CLOSED"
	a.notifyLocked(p)
	return true
}

// ScriptPresented makes the order-code payment that will be made for
// requestID (paymentRequestId) follow p: it stays pending until it has
// been inquired p.Inquiries times or p.After has passed, then ends with
// p.Result. Without a script the payment waits for PayPresented or
// DeclinePresented, and otherwise stays pending until the order code
// expires (paymentExpiryTime, else 5 minutes) and the order closes; a Plan
// with neither Inquiries nor After completes as the order is made.
func (a *AlipayPlus) ScriptPresented(requestID string, p Plan) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.presents[requestID] = p
}

func (a *AlipayPlus) presentedPlanLocked(requestID string) Plan {
	if p, ok := a.presents[requestID]; ok {
		return p
	}
	return Plan{Result: ResultNever}
}

// PayPresented plays the customer who scanned a pending order code and
// paid: the payment succeeds and its notification is sent. id is the
// paymentRequestId or the paymentId. It fails when there is no such
// order-code payment or it is no longer pending.
func (a *AlipayPlus) PayPresented(id string) error {
	return a.completePresented(id, apSucceeded, "")
}

// DeclinePresented plays the customer whose wallet refused the payment: the
// pending order-code payment fails with resultCode (RISK_REJECT when
// empty). id is as for PayPresented.
func (a *AlipayPlus) DeclinePresented(id, resultCode string) error {
	if resultCode == "" {
		resultCode = "RISK_REJECT"
	}
	return a.completePresented(id, apFailed, resultCode)
}

func (a *AlipayPlus) completePresented(id, state, resultCode string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.payments[id]
	if !ok {
		p, ok = a.byID[id]
	}
	switch {
	case !ok:
		return errors.New("instoretest: no payment " + id)
	case p.orderCode == "":
		return errors.New("instoretest: payment " + p.requestID + " is not an order-code payment")
	}
	a.settleLocked(p)
	if p.state != apPending {
		return errors.New("instoretest: payment " + p.requestID + " is " + p.state + ", not pending")
	}
	if state == apSucceeded {
		p.state, p.paid, p.paidAt = apSucceeded, true, a.now()
	} else {
		p.state, p.resultCode = apFailed, resultCode
	}
	a.notifyLocked(p)
	return nil
}
