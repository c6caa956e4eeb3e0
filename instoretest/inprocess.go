package instoretest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// inProcessTransport is an http.RoundTripper that serves requests by calling
// a service directly. It fires the httptrace hooks a client relies on the
// way net/http does (GetConn, GotConn, WroteHeaders, WroteRequest,
// GotFirstResponseByte), so that a client can tell a request that was never
// written from one whose answer was lost, and it honours the request's
// context. It starts no goroutine. A reset HTTP/2 stream (FaultStreamReset)
// it handles as Go's HTTP/2 client does: see RoundTrip.
type inProcessTransport struct {
	svc  service
	used atomic.Bool
	// streams numbers the HTTP/2 streams a reset names, as a client
	// numbers its streams: 1, 3, 5...
	streams atomic.Uint32
}

// droppedError is what an in-process client sees when a fault drops the
// connection: a network error, like a reset from a real peer. With reset
// it matches syscall.ECONNRESET, as a real TCP RST does.
type droppedError struct{ written, reset bool }

func (e droppedError) Error() string {
	if e.written {
		return "instoretest: connection reset by peer after the request was sent"
	}
	return "instoretest: connection reset by peer before the request was sent"
}
func (droppedError) Timeout() bool   { return false }
func (droppedError) Temporary() bool { return false }

func (e droppedError) Unwrap() error {
	if e.reset {
		return syscall.ECONNRESET
	}
	return nil
}

var _ net.Error = droppedError{}

// RoundTrip serves req. When the service resets its stream, it does what
// net/http's Transport does with an RST_STREAM PROTOCOL_ERROR received from
// the peer over HTTP/2 (http2shouldRetryRequest, http2canRetryError): when
// it can rewind the body (no body, or Request.GetBody), it sends the
// request again at once, on a new connection (the reset one is not reused),
// as a new arrival for the service; otherwise it fails with net/http's
// "cannot retry" error. net/http's Transport sets no bound (each new
// connection starts its HTTP/2 retry count again, so a server that keeps
// resetting gets the request for ever); this transport stops after
// maxStreamReplays and returns the stream error, as golang.org/x/net/http2's
// own Transport does (which also waits 1, 2, 4... s between its later
// retries; this does not).
func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	orig := req
	for replay := 0; ; replay++ {
		resp, err := t.roundTrip(req, replay > 0)
		var se streamError
		if !errors.As(err, &se) {
			if resp != nil {
				resp.Request = orig
			}
			return resp, err
		}
		if replay == maxStreamReplays {
			return nil, se
		}
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			return nil, cannotRetryError{se}
		}
		next, err := rewind(req)
		if err != nil {
			return nil, err
		}
		req = next
	}
}

// maxStreamReplays bounds the replays of one request after reset streams:
// x/net/http2's Transport retries while retry <= 6.
const maxStreamReplays = 7

// rewind returns the request to send again, as net/http's
// http2shouldRetryRequest does: the same one when it has no body, else a
// copy with the body GetBody gives.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	next := req.Clone(req.Context())
	next.Body = body
	return next, nil
}

// roundTrip serves one attempt of req, on a new connection when fresh.
func (t *inProcessTransport) roundTrip(req *http.Request, fresh bool) (*http.Response, error) {
	if req.Body != nil {
		// A RoundTripper must close the body, even on errors.
		defer req.Body.Close()
	}
	ctx := req.Context()
	trace := httptrace.ContextClientTrace(ctx)
	host := req.URL.Host
	if trace != nil && trace.GetConn != nil {
		trace.GetConn(host)
	}
	if err := alive(ctx, t.svc); err != nil {
		return nil, err
	}
	if trace != nil && trace.GotConn != nil {
		reused := t.used.Swap(true) && !fresh
		trace.GotConn(httptrace.GotConnInfo{Conn: fakeConn{}, Reused: reused, WasIdle: reused})
	}
	ex := t.svc.begin(req)
	if ex.readErr {
		// The body could not be read: net/http reports the failed write.
		if trace != nil && trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{Err: droppedError{}})
		}
		return nil, droppedError{}
	}
	if ex.fault.Kind == FaultDropBefore {
		return nil, droppedError{reset: ex.fault.Reset}
	}
	if trace != nil && trace.WroteHeaders != nil {
		trace.WroteHeaders()
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	rep, err := t.svc.finish(ctx, ex)
	if err != nil {
		return nil, err
	}
	switch rep.cut {
	case cutDrop:
		return nil, droppedError{written: true, reset: rep.rst}
	case cutStreamReset:
		return nil, streamError{id: 2*t.streams.Add(1) - 1}
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	header := rep.header.Clone()
	if header == nil {
		header = make(http.Header)
	}
	header.Set("Content-Length", strconv.Itoa(len(rep.body)))
	return &http.Response{
		Status:        strconv.Itoa(rep.status) + " " + http.StatusText(rep.status),
		StatusCode:    rep.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          replyBody(rep),
		ContentLength: int64(len(rep.body)),
		Request:       req,
	}, nil
}

// streamError is the RST_STREAM PROTOCOL_ERROR a Go HTTP/2 client receives
// from the peer, worded as net/http's http2StreamError.
type streamError struct{ id uint32 }

func (e streamError) Error() string {
	return "stream error: stream ID " + strconv.FormatUint(uint64(e.id), 10) + "; PROTOCOL_ERROR; received from peer"
}

// cannotRetryError is net/http's answer to a reset stream whose request
// body it cannot send again. Like net/http's, it does not wrap the stream
// error.
type cannotRetryError struct{ se streamError }

func (e cannotRetryError) Error() string {
	return "http2: Transport: cannot retry err [" + e.se.Error() + "] after Request.Body was written; define Request.GetBody to avoid this error"
}

func alive(ctx context.Context, svc service) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-svc.closed():
		return errClosed
	default:
		return nil
	}
}

// fakeConn stands in for the connection in httptrace.GotConnInfo.
type fakeConn struct{}

func (fakeConn) Read([]byte) (int, error)         { return 0, errClosed }
func (fakeConn) Write(b []byte) (int, error)      { return len(b), nil }
func (fakeConn) Close() error                     { return nil }
func (fakeConn) LocalAddr() net.Addr              { return inProcessAddr{} }
func (fakeConn) RemoteAddr() net.Addr             { return inProcessAddr{} }
func (fakeConn) SetDeadline(time.Time) error      { return nil }
func (fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (fakeConn) SetWriteDeadline(time.Time) error { return nil }

type inProcessAddr struct{}

func (inProcessAddr) Network() string { return "inprocess" }
func (inProcessAddr) String() string  { return "instoretest" }

// HandlerClient returns an *http.Client that serves every request by
// calling h in process, whatever the request's host, with no socket and no
// goroutine. Give it to a simulator (WithWebhookClient, WithNotifyClient) to
// deliver webhooks to a handler inside a testing/synctest bubble.
func HandlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: &inProcessTransport{svc: &handlerService{h: h, done: make(chan struct{})}}}
}

// handlerService adapts a plain http.Handler to the in-process transport.
type handlerService struct {
	h    http.Handler
	done chan struct{}
}

func (s *handlerService) begin(r *http.Request) *exchange {
	return readExchange(r)
}

func (s *handlerService) finish(ctx context.Context, ex *exchange) (reply, error) {
	r := ex.r.Clone(ctx)
	r.Body = http.NoBody
	if len(ex.body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(ex.body))
	}
	r.ContentLength = int64(len(ex.body))
	r.RequestURI = r.URL.RequestURI()
	r.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	res := rec.Result()
	return reply{status: res.StatusCode, header: res.Header, body: rec.Body.Bytes()}, nil
}

func (s *handlerService) closed() <-chan struct{} { return s.done }
