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
// again), when a notification URL is known, and the storms the transaction
// met while it was pending. p.mu is held.
func (p *PPRO) notifyLocked(tx *pproTx) {
	target, body, ok := p.notificationLocked(tx)
	if !ok {
		return
	}
	key := tx.merchantTxID
	p.spawnLocked(func() {
		p.deliverWithRetries(p.cfg.retries, p.cfg.backoff, func(attempt int) bool {
			return p.deliverNotificationOnce(target, key, body, attempt, false)
		})
	})
	for _, f := range tx.storms {
		p.stormNotifyLocked(tx, f)
	}
	tx.storms = nil
}

// notificationLocked is the notification about tx and where it goes: none
// while tx is pending or when no notification URL is known.
func (p *PPRO) notificationLocked(tx *pproTx) (target, body string, ok bool) {
	target = tx.notifyURL
	if target == "" {
		target = p.cfg.notifyURL
	}
	if target == "" || tx.state == pproPending {
		return "", "", false
	}
	ts := tx.finalAt.UTC().Format(time.RFC3339)
	form := url.Values{
		"txid":           {tx.txID},
		"finaltimestamp": {ts},
		"sha256hash":     {pproNotificationHash(tx.txID, ts, p.secret)},
	}
	return target, form.Encode(), true
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

// deliverNotificationOnce posts the notification once, logs the attempt
// and reports whether the receiver acknowledged it (answered 200). PPRO
// retries every 15 minutes for 48 hours; WithDeliveryRetries sets the
// simulator's retries.
func (p *PPRO) deliverNotificationOnce(target, key, body string, attempt int, storm bool) bool {
	i := p.recordSent(Delivery{URL: target, Key: key, Attempt: attempt, At: time.Now(), Storm: storm})
	status, errText := p.postNotification(target, body)
	acked := status == http.StatusOK
	p.recordAnswer(i, status, acked, errText)
	return acked
}

func (p *PPRO) postNotification(target, body string) (int, string) {
	ctx, cancel := context.WithTimeout(p.base, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body)) //nolint:gosec // G704: PPRO notifies the notificationurl its client gave, by design
	if err != nil {
		return 0, "invalid notification url"
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.notifyClient.Do(req) //nolint:gosec // G704: as above, the notificationurl the client gave
	if err != nil {
		return 0, "no answer from the receiver"
	}
	defer resp.Body.Close()
	return resp.StatusCode, ""
}
