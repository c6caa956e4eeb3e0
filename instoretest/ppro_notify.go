package instoretest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// notifyLocked posts PPRO's notification for a transaction that reached
// SUCCEEDED or FAILED (a later FAILED-to-SUCCEEDED change is notified
// again), when a notification URL is known: the request's notificationurl,
// else WithNotifyURL. p.mu is held.
func (p *PPRO) notifyLocked(tx *pproTx) {
	target := tx.notifyURL
	if target == "" {
		target = p.cfg.notifyURL
	}
	if target == "" || tx.state == pproPending {
		return
	}
	ts := tx.finalAt.UTC().Format(time.RFC3339)
	form := url.Values{
		"txid":           {tx.txID},
		"finaltimestamp": {ts},
		"sha256hash":     {pproNotificationHash(tx.txID, ts, p.secret)},
	}
	body := form.Encode()
	key := tx.merchantTxID
	p.spawnLocked(func() { p.deliverNotification(target, key, body) })
}

// pproNotificationHash is the likely formula of PPRO's notification hash
// (reference ppro.md §4.3, [L]): the shape of PPRO's two documented
// checksums, sha256(sha256(txid "." finaltimestamp) "." secret), digests as
// lower-case hex. Written here apart from the ppro package's, so that a
// mistake in one shows as a failed verification.
func pproNotificationHash(txID, ts, secret string) string {
	h := sha256.New()
	h.Write([]byte(txID))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	inner := h.Sum(nil)
	h.Reset()
	h.Write([]byte(hex.EncodeToString(inner)))
	h.Write([]byte{'.'})
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// deliverNotification posts one notification until the receiver answers
// 200, retrying with doubling waits (PPRO: every 15 minutes for 48 hours;
// WithDeliveryRetries sets the simulator's).
func (p *PPRO) deliverNotification(target, key, body string) {
	wait := p.cfg.backoff
	for attempt := 1; ; attempt++ {
		status, errText := p.postNotification(target, body)
		acked := status == http.StatusOK
		p.record(Delivery{URL: target, Key: key, Attempt: attempt, Status: status, Acknowledged: acked, Err: errText, At: time.Now()})
		if acked || attempt > p.cfg.retries {
			return
		}
		if !p.sleep(context.Background(), wait) {
			return
		}
		wait *= 2
	}
}

func (p *PPRO) postNotification(target, body string) (int, string) {
	ctx, cancel := context.WithTimeout(p.base, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return 0, "invalid notification url"
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.notifyClient.Do(req)
	if err != nil {
		return 0, "no answer from the receiver"
	}
	defer resp.Body.Close()
	return resp.StatusCode, ""
}
