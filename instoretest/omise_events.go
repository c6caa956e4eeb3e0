package instoretest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Omise webhook signature headers (Omise webhooks page, "signature
// verification"): a hex HMAC-SHA256 over "<timestamp>.<raw body>", keyed
// with the base64-decoded webhook secret; the timestamp in Unix seconds.
const (
	omiseSignatureHeader = "Omise-Signature"
	omiseTimestampHeader = "Omise-Signature-Timestamp"
)

// omiseEvent is an event as the simulator keeps it.
type omiseEvent struct {
	id, key    string
	createdAt  time.Time
	data       json.RawMessage
	deliveries []omiseDeliveryJSON
}

func (e *omiseEvent) json() *omiseEventJSON {
	d := e.deliveries
	if d == nil {
		d = []omiseDeliveryJSON{}
	}
	return &omiseEventJSON{
		Object:            "event",
		ID:                e.id,
		Location:          "/events/" + e.id,
		Key:               e.key,
		CreatedAt:         omiseTimestamp(e.createdAt),
		Data:              e.data,
		WebhookDeliveries: d,
	}
}

// emitLocked appends an event for a state change and, when a webhook URL is
// set, delivers it. It returns the event, so that a storm can send it
// again.
func (o *Omise) emitLocked(key string, data any) *omiseEvent {
	b, err := json.Marshal(data)
	if err != nil {
		return nil
	}
	ev := &omiseEvent{id: o.newIDLocked("evnt_test_"), key: key, createdAt: o.now(), data: b}
	o.events[ev.id] = ev
	o.eventL = append(o.eventL, ev)
	if o.cfg.webhookURL == "" {
		return ev
	}
	payload, err := json.Marshal(ev.json())
	if err != nil {
		return ev
	}
	o.spawnLocked(func() {
		o.deliverWithRetries(o.cfg.retries, o.cfg.backoff, func(attempt int) bool {
			return o.deliverOnce(ev, payload, attempt, false)
		})
	})
	return ev
}

// SignOmiseWebhook returns the Omise-Signature and Omise-Signature-Timestamp
// headers for payload, signed with secret (base64, as the dashboard shows
// it) at t. It is the simulator's own implementation of the scheme, for
// tests that need a signed webhook without a client.
func SignOmiseWebhook(payload []byte, secret string, t time.Time) (http.Header, error) {
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	h := make(http.Header)
	h.Set(omiseSignatureHeader, hex.EncodeToString(mac.Sum(nil)))
	h.Set(omiseTimestampHeader, ts)
	return h, nil
}

// deliverOnce posts the event once to the webhook URL, logs the attempt and
// reports whether the receiver acknowledged it (answered 2xx).
func (o *Omise) deliverOnce(ev *omiseEvent, payload []byte, attempt int, storm bool) bool {
	i := o.recordSent(Delivery{URL: o.cfg.webhookURL, Key: ev.key, EventID: ev.id, Attempt: attempt, At: time.Now(), Storm: storm})
	status, errText := o.post(payload)
	ok := status >= 200 && status < 300
	o.recordAnswer(i, status, ok, errText)
	o.mu.Lock()
	ev.deliveries = append(ev.deliveries, omiseDeliveryJSON{
		Object: "webhook_delivery", ID: o.newIDLocked("whdl_test_"), URI: o.cfg.webhookURL,
		Status: status, Key: ev.key, Error: strPtr(errText),
	})
	o.mu.Unlock()
	return ok
}

func (o *Omise) post(payload []byte) (int, string) {
	h, err := SignOmiseWebhook(payload, o.webhookSecret, o.now())
	if err != nil {
		return 0, "webhook secret is not base64"
	}
	ctx, cancel := context.WithTimeout(o.base, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.webhookURL, bytes.NewReader(payload))
	if err != nil {
		return 0, "invalid webhook url"
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "instoretest-omise-webhook")
	resp, err := o.webhookClient.Do(req) //nolint:gosec // G704: webhooks go to the URL the test configured (WithWebhookURL), by design
	if err != nil {
		return 0, "no answer from the receiver"
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, ""
}

func (o *Omise) listEvents(ex *exchange) reply {
	lp, bad := parseListParams(ex.r.URL.Query(), o.now())
	if bad != nil {
		return *bad
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	page, total := lp.apply(len(o.eventL), func(i int) time.Time { return o.eventL[i].createdAt })
	data := make([]any, 0, len(page))
	for _, i := range page {
		data = append(data, o.eventL[i].json())
	}
	return omiseOK(lp.list("/events", data, total))
}

func (o *Omise) getEvent(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ev, ok := o.events[ex.params[0]]
	if !ok {
		return omiseError(http.StatusNotFound, "not_found", "event was not found")
	}
	return omiseOK(ev.json())
}
