package instoretest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Merchant-presented (MPM) charges: alipayplus_mpm and wechat_pay_mpm. The
// charge's source carries a scannable_code whose image is a document the
// client downloads with the secret key, shaped after the Omise Alipay+ MPM
// guide. Nobody scans it: a test plays the customer with PayPresented and
// DeclinePresented, or scripts the charge with ScriptPresented.

// omiseDocument is the QR code image of a merchant-presented charge.
type omiseDocument struct {
	id, token, chargeID, downloadURI string
	createdAt                        time.Time
}

func (o *Omise) newDocumentLocked(origin, chargeID string, now time.Time) *omiseDocument {
	var b [8]byte
	_, _ = rand.Read(b[:])
	d := &omiseDocument{
		id:        o.newIDLocked("docu_test_"),
		token:     strings.ToUpper(hex.EncodeToString(b[:])),
		chargeID:  chargeID,
		createdAt: now,
	}
	d.downloadURI = origin + d.location() + "/downloads/" + d.token
	return d
}

func (d *omiseDocument) location() string {
	return "/charges/" + d.chargeID + "/documents/" + d.id
}

type omiseDocumentJSON struct {
	Object      string `json:"object"`
	Livemode    bool   `json:"livemode"`
	ID          string `json:"id"`
	Deleted     bool   `json:"deleted"`
	Filename    string `json:"filename"`
	Location    string `json:"location"`
	Kind        string `json:"kind"`
	DownloadURI string `json:"download_uri"`
	CreatedAt   string `json:"created_at"`
}

type omiseScannableJSON struct {
	Object string            `json:"object"`
	Type   string            `json:"type"`
	Image  omiseDocumentJSON `json:"image"`
}

func (d *omiseDocument) scannableJSON() *omiseScannableJSON {
	return &omiseScannableJSON{
		Object: "barcode",
		Type:   "qr",
		Image: omiseDocumentJSON{
			Object:      "document",
			ID:          d.id,
			Filename:    "qrcode.svg",
			Location:    d.location(),
			Kind:        "qr",
			DownloadURI: d.downloadURI,
			CreatedAt:   omiseTimestamp(d.createdAt),
		},
	}
}

// requestOrigin is the scheme and host a request was sent to, so that a
// download_uri points back at the simulator the way the client reached it
// (the loopback server, or InProcessURL in process).
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.URL.Scheme == "https" {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return scheme + "://" + host
}

func (o *Omise) downloadDocument(ex *exchange) reply {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, ok := o.charges[ex.params[0]]
	if !ok || ch.source.document == nil {
		return omiseError(http.StatusNotFound, "not_found", "document was not found")
	}
	d := ch.source.document
	if d.id != ex.params[1] || d.token != ex.params[2] {
		return omiseError(http.StatusNotFound, "not_found", "document was not found")
	}
	rep := reply{status: http.StatusOK, header: make(http.Header), body: qrSVG(d.id + ":" + ch.id)}
	rep.header.Set("Content-Type", "image/svg+xml")
	rep.header.Set("Content-Disposition", `attachment; filename="qrcode.svg"`)
	return rep
}

// qrSVG draws a 25-module picture shaped like a QR code (quiet zone,
// finder patterns, modules drawn from a hash of seed). It is not a
// scannable QR code: the simulator has no wallet to scan it with.
func qrSVG(seed string) []byte {
	const n, quiet = 25, 4
	bits := make([]byte, 0, n*n/8+32)
	for h := sha256.Sum256([]byte(seed)); len(bits) < n*n/8+1; h = sha256.Sum256(h[:]) {
		bits = append(bits, h[:]...)
	}
	finder := func(x, y int) (bool, bool) {
		for _, c := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
			dx, dy := x-c[0], y-c[1]
			if dx >= 0 && dx < 7 && dy >= 0 && dy < 7 {
				ring := min(dx, dy, 6-dx, 6-dy)
				return true, ring != 1
			}
		}
		return false, false
	}
	var b strings.Builder
	size := strconv.Itoa(n + 2*quiet)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + size + ` ` + size + `" width="264" height="264" shape-rendering="crispEdges">`)
	b.WriteString(`<title>instoretest QR code (not scannable)</title><rect width="` + size + `" height="` + size + `" fill="#fff"/><path fill="#000" d="`)
	for y := range n {
		for x := range n {
			in, dark := finder(x, y)
			if !in {
				i := y*n + x
				dark = bits[i/8]>>(i%8)&1 == 1
			}
			if dark {
				b.WriteString("M" + strconv.Itoa(x+quiet) + " " + strconv.Itoa(y+quiet) + "h1v1h-1z")
			}
		}
	}
	b.WriteString(`"/></svg>` + "\n")
	return []byte(b.String())
}

// ScriptPresented makes the merchant-presented charge that will be created
// for requestID (metadata instore_request_id) follow p: it stays pending
// until it has been inquired p.Inquiries times or p.After has passed, then
// ends with p.Result, as a customer who scans and pays (or declines) after
// a while. Without a script the charge waits for PayPresented or
// DeclinePresented, and otherwise stays pending until it expires; a Plan
// with neither Inquiries nor After completes as the charge is created.
func (o *Omise) ScriptPresented(requestID string, p Plan) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.presents[requestID] = p
}

func (o *Omise) presentedPlanLocked(requestID string) Plan {
	if p, ok := o.presents[requestID]; ok && requestID != "" {
		return p
	}
	return Plan{Result: ResultNever}
}

// PayPresented plays the customer who scanned the QR code of a pending
// merchant-presented charge and paid: the charge becomes successful, with
// its charge.complete event. id is the charge id or the request id (the
// latest charge made for it). It fails when there is no such charge or it
// is no longer pending (expired by the merchant, say).
func (o *Omise) PayPresented(id string) error {
	return o.completePresented(id, chargeSuccessful, "")
}

// DeclinePresented plays the customer whose wallet refused the payment:
// the pending merchant-presented charge fails with failureCode
// (payment_rejected when empty). id is as for PayPresented.
func (o *Omise) DeclinePresented(id, failureCode string) error {
	if failureCode == "" {
		failureCode = "payment_rejected"
	}
	return o.completePresented(id, chargeFailed, failureCode)
}

func (o *Omise) completePresented(id, status, failureCode string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ch, ok := o.charges[id]
	if !ok {
		if list := o.ledger.byRequest[id]; len(list) > 0 {
			ch, ok = list[len(list)-1], true
		}
	}
	switch {
	case !ok:
		return errors.New("instoretest: no charge " + id)
	case ch.source.document == nil:
		return errors.New("instoretest: charge " + ch.id + " is not merchant-presented")
	}
	o.settleLocked(ch)
	if ch.status != chargePending {
		return errors.New("instoretest: charge " + ch.id + " is " + ch.status + ", not pending")
	}
	o.completeLocked(ch, status, failureCode)
	return nil
}
