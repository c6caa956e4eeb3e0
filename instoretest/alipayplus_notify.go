package instoretest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"
)

// notifyBody is a notifyPayment body. The Antom flavour carries
// notifyType and result; the Alipay+ flavour carries paymentResult and the
// acquirer and wallet ids (reference alipayplus.md, 3.4).
type notifyBody struct {
	NotifyType        string    `json:"notifyType,omitempty"`
	Result            *apResult `json:"result,omitempty"`
	PaymentResult     *apResult `json:"paymentResult,omitempty"`
	PaymentRequestID  string    `json:"paymentRequestId"`
	PaymentID         string    `json:"paymentId"`
	PaymentAmount     apAmount  `json:"paymentAmount"`
	PaymentCreateTime string    `json:"paymentCreateTime,omitempty"`
	PaymentTime       string    `json:"paymentTime,omitempty"`
	AcquirerID        string    `json:"acquirerId,omitempty"`
	PSPID             string    `json:"pspId,omitempty"`
	CustomerID        string    `json:"customerId,omitempty"`
	WalletBrandName   string    `json:"walletBrandName,omitempty"`
}

// notifyLocked sends notifyPayment for a payment that reached S or F, when
// a notification URL is known, and the storms the payment met while it was
// pending.
func (a *AlipayPlus) notifyLocked(p *apPayment) {
	target, body, ok := a.notificationLocked(p)
	if !ok {
		return
	}
	requestID := p.requestID
	a.spawnLocked(func() {
		a.deliverWithRetries(a.cfg.retries, a.cfg.backoff, func(attempt int) bool {
			return a.deliverNotifyOnce(target, requestID, body, attempt, false)
		})
	})
	for _, f := range p.storms {
		a.stormNotifyLocked(p, f)
	}
	p.storms = nil
}

// notificationLocked is the notifyPayment about p and where it goes: none
// unless p is final and a notification URL is known.
func (a *AlipayPlus) notificationLocked(p *apPayment) (target string, body []byte, ok bool) {
	target = p.notifyURL
	if target == "" {
		target = a.cfg.notifyURL
	}
	if target == "" || (p.state != apSucceeded && p.state != apFailed) {
		return "", nil, false
	}
	res := p.result()
	nb := notifyBody{
		PaymentRequestID:  p.requestID,
		PaymentID:         p.paymentID,
		PaymentAmount:     p.amountJSON(),
		PaymentCreateTime: apTime(p.createdAt),
	}
	if p.paid {
		nb.PaymentTime = apTime(p.paidAt)
	}
	if p.flavour == flavourAPS {
		nb.PaymentResult = &res
		nb.AcquirerID, nb.PSPID = apAcquirerID, apPSPID
		if p.paid {
			nb.CustomerID, nb.WalletBrandName = apCustomerID, apWalletBrand
		}
	} else {
		nb.NotifyType, nb.Result = "PAYMENT_RESULT", &res
	}
	body, err := json.Marshal(nb)
	if err != nil {
		return "", nil, false
	}
	return target, body, true
}

// deliverNotifyOnce posts the notification once, logs the attempt and
// reports whether the receiver acknowledged it (with result S).
func (a *AlipayPlus) deliverNotifyOnce(target, requestID string, body []byte, attempt int, storm bool) bool {
	i := a.recordSent(Delivery{URL: target, Key: requestID, Attempt: attempt, At: time.Now(), Storm: storm})
	status, acked, errText := a.postNotify(target, body)
	a.recordAnswer(i, status, acked, errText)
	return acked
}

func (a *AlipayPlus) postNotify(target string, body []byte) (int, bool, string) {
	u, err := url.Parse(target)
	if err != nil {
		return 0, false, "invalid notification url"
	}
	keys, err := a.keys()
	if err != nil {
		return 0, false, "no keys"
	}
	at := apTime(a.now())
	sig, err := apSign(keys.Alipay, apSignedContent(http.MethodPost, u.RequestURI(), a.clientID, at, body))
	if err != nil {
		return 0, false, "could not sign"
	}
	ctx, cancel := context.WithTimeout(a.base, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, false, "invalid notification url"
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set(apClientIDHeader, a.clientID)
	req.Header.Set(apRequestTimeHeader, at)
	req.Header.Set(apSignatureHeader, sig)
	resp, err := a.notifyClient.Do(req)
	if err != nil {
		return 0, false, "no answer from the receiver"
	}
	defer resp.Body.Close()
	var ack struct {
		Result apResult `json:"result"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	acked := resp.StatusCode == http.StatusOK && json.Unmarshal(b, &ack) == nil && ack.Result.ResultStatus == "S"
	return resp.StatusCode, acked, ""
}
