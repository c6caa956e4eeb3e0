package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/instorepay/instore"
)

// maxQRWait caps GET /qr/{id}?wait=: a till polls again rather than hold a
// request open longer.
const maxQRWait = 60 * time.Second

// server is the till server: the HTTP endpoints over one Checkout.
//
// Sales run under the server's context, not the till's request: a till
// whose connection drops does not cancel a payment the customer may be
// confirming in the app. It sends the same request again (the same
// request_id) or asks GET /sales/{id}. A cashier who gives up says so with
// DELETE /sales/{id}.
type server struct {
	checkout *instore.Checkout
	mux      *http.ServeMux
	logger   *slog.Logger

	// ctx is the sales' context: stop ends it when the server stops, which
	// cancels the payments still waiting for a customer.
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu sync.Mutex
	// running are the sales in Collect, by request id, to cancel.
	running map[string]context.CancelFunc
	// qrs are the QR codes on show, by request id, until their Wait ends.
	qrs map[string]*qrSale
}

// qrSale is a QR code on show and the payment it waits for.
type qrSale struct {
	pm   *instore.Presentment
	done chan struct{} // closed when Wait returned p and err
	p    *instore.Payment
	err  error
}

// newServer returns the server for checkout; webhookSecrets verify Omise's
// deliveries (none: no webhook endpoint). A nil logger logs nothing.
func newServer(checkout *instore.Checkout, webhookSecrets []string, logger *slog.Logger) *server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &server{
		checkout: checkout,
		mux:      http.NewServeMux(),
		logger:   logger,
		running:  make(map[string]context.CancelFunc),
		qrs:      make(map[string]*qrSale),
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.mux.HandleFunc("POST /sales", s.postSale)
	s.mux.HandleFunc("GET /sales/{id}", s.getSale)
	s.mux.HandleFunc("DELETE /sales/{id}", s.deleteSale)
	s.mux.HandleFunc("POST /qr", s.postQR)
	s.mux.HandleFunc("GET /qr/{id}", s.getQR)
	s.mux.HandleFunc("GET /qr/{id}/image", s.getQRImage)
	s.mux.HandleFunc("POST /refunds", s.postRefund)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	if len(webhookSecrets) > 0 {
		s.mux.Handle("POST /webhooks/omise", instore.WebhookHandler(webhookSecrets, s.omiseEvent, instore.WithWebhookLogger(logger)))
	}
	return s
}

// ServeHTTP serves the endpoints and logs each request: method, path (ids
// only), status and duration; never a body, which holds payment codes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "tillserver",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", sw.status),
		slog.Duration("duration", time.Since(start)),
	)
}

// close cancels what is still running (payments waiting for a customer are
// cancelled at the acquirer) and waits for it to end.
func (s *server) close() {
	s.stop()
	s.wg.Wait()
}

// postSale takes a sale with a scanned code: Collect, to a final answer.
func (s *server) postSale(w http.ResponseWriter, r *http.Request) {
	var req saleRequest
	if err := decode(w, r, &req, &req.Amount); err != nil {
		writeError(w, err, nil)
		return
	}
	if req.RequestID == "" {
		req.RequestID = instore.NewRequestID()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	if s.track(req.RequestID, cancel) {
		defer s.untrack(req.RequestID)
	}
	p, err := s.checkout.Collect(ctx, &instore.CollectRequest{
		Code:        req.Code,
		Amount:      req.Amount,
		RequestID:   req.RequestID,
		Description: req.Description,
		Store:       req.Store.store(),
		Metadata:    req.Metadata,
	})
	if err != nil {
		writeError(w, err, p)
		return
	}
	writeJSON(w, http.StatusOK, paymentResponse{Payment: p})
}

// track records a running sale's cancel, unless one with its id runs
// already (whose Collect then answers ErrRequestInProgress).
func (s *server) track(id string, cancel context.CancelFunc) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.running[id]; ok {
		return false
	}
	s.running[id] = cancel
	return true
}

func (s *server) untrack(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
}

// getSale is a sale as the journal holds it, refreshed by one inquiry if
// it is not final: for a till that lost an answer, or a sale left "check
// later".
func (s *server) getSale(w http.ResponseWriter, r *http.Request) {
	p, err := s.checkout.Lookup(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, paymentResponse{Payment: p})
}

// deleteSale is the cashier giving up on a running sale: its Collect
// cancels the payment and answers the POST that started it (cancelled, or
// succeeded if the customer paid first). It answers 202 at once; for a
// sale that is not running here, it answers where the sale stands.
func (s *server) deleteSale(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	cancel, ok := s.running[id]
	s.mu.Unlock()
	if ok {
		cancel()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	s.getSale(w, r)
}

// postQR starts a sale with a QR code the customer scans: Present, then a
// Wait that runs on its own until the payment is final.
func (s *server) postQR(w http.ResponseWriter, r *http.Request) {
	var req qrRequest
	if err := decode(w, r, &req, &req.Amount); err != nil {
		writeError(w, err, nil)
		return
	}
	preq := &instore.PresentRequest{
		Wallet:      instore.Wallet(req.Wallet),
		Amount:      req.Amount,
		RequestID:   req.RequestID,
		Description: req.Description,
		Store:       req.Store.store(),
	}
	if req.ExpiresIn > 0 {
		preq.ExpiresAt = time.Now().Add(time.Duration(req.ExpiresIn) * time.Second)
	}
	pm, err := s.checkout.Present(s.ctx, preq)
	if err != nil {
		writeError(w, err, nil)
		return
	}
	// Present made a request id if the till sent none; the payment holds it.
	id := pm.Payment.RequestID
	q := s.follow(id, pm)
	writeJSON(w, http.StatusCreated, paymentResponse{Payment: pm.Payment, QR: q.qr(id)})
}

// follow runs the presentment's Wait under the server's context until the
// payment is final, and keeps it in s.qrs meanwhile.
func (s *server) follow(id string, pm *instore.Presentment) *qrSale {
	q := &qrSale{pm: pm, done: make(chan struct{})}
	s.mu.Lock()
	s.qrs[id] = q
	s.mu.Unlock()
	s.wg.Go(func() {
		q.p, q.err = pm.Wait(s.ctx)
		close(q.done)
		s.mu.Lock()
		delete(s.qrs, id)
		s.mu.Unlock()
	})
	return q
}

// qr is what the till shows.
func (q *qrSale) qr(id string) *qrJSON {
	out := &qrJSON{Content: q.pm.QR.Content, ImageType: q.pm.QR.ImageType, ExpiresAt: q.pm.QR.ExpiresAt}
	if q.pm.QR.ImageURI != "" {
		out.Image = "/qr/" + id + "/image"
	}
	return out
}

// getQR is where a QR sale stands. With ?wait=30s it waits up to that long
// (at most maxQRWait) for the payment to be final, so that a till can poll
// slowly; the till hanging up cancels nothing.
func (s *server) getQR(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	q := s.qrs[id]
	s.mu.Unlock()
	if q == nil {
		s.getSale(w, r) // final already, or shown by an earlier process
		return
	}
	wait, err := waitParam(r)
	if err != nil {
		writeError(w, err, nil)
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-q.done:
		if q.err != nil {
			writeError(w, q.err, q.p)
			return
		}
		writeJSON(w, http.StatusOK, paymentResponse{Payment: q.p})
	case <-t.C:
		writeJSON(w, http.StatusOK, paymentResponse{Payment: q.pm.Payment, QR: q.qr(id)})
	case <-r.Context().Done():
	}
}

// waitParam reads ?wait=, a Go duration or a number of seconds.
func waitParam(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil || n < 0 {
			return 0, fmt.Errorf("%w: wait must be a duration such as 30s", instore.ErrInvalidRequest)
		}
		d = time.Duration(n) * time.Second
	}
	return min(max(d, 0), maxQRWait), nil
}

// getQRImage serves the QR code's image, fetched from the acquirer with the
// server's credentials.
func (s *server) getQRImage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	q := s.qrs[id]
	s.mu.Unlock()
	if q == nil {
		writeError(w, fmt.Errorf("%w: no QR code on show under %s", instore.ErrNoQRImage, id), nil)
		return
	}
	img, err := q.pm.Image(r.Context())
	if err != nil {
		writeError(w, err, nil)
		return
	}
	typ := q.pm.QR.ImageType
	if typ == "" {
		typ = "application/octet-stream"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(img)
}

// postRefund refunds all or part of a sale. The refund id makes it safe
// to retry: the same id returns the refund made, never a second one; an
// answer 503 outcome_unknown means "retry later with the same id".
func (s *server) postRefund(w http.ResponseWriter, r *http.Request) {
	var req refundRequest
	if err := decode(w, r, &req, &req.Amount); err != nil {
		writeError(w, err, nil)
		return
	}
	if req.RefundID == "" {
		writeError(w, fmt.Errorf("%w: refund_id is required, so that a retried refund is made once", instore.ErrInvalidRequest), nil)
		return
	}
	p, err := s.checkout.Lookup(r.Context(), req.RequestID)
	if err != nil {
		writeError(w, err, nil)
		return
	}
	refund, err := s.checkout.Refund(r.Context(), p, req.Amount, instore.WithRefundRequestID(req.RefundID))
	if err != nil {
		writeError(w, err, refund)
		return
	}
	writeJSON(w, http.StatusOK, refundResponse{Refund: refund})
}

// omiseEvent wakes the sale an Omise event is about; the sale then asks
// the acquirer, which alone says how it ended.
func (s *server) omiseEvent(_ context.Context, e *instore.Event) error {
	s.checkout.Notify(e.PaymentIDs()...)
	return nil
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": instore.Version})
}

// statusWriter remembers the status written, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
