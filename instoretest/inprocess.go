package instoretest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// inProcessTransport is an http.RoundTripper that serves requests by calling
// a service directly. It fires the httptrace hooks a client relies on the
// way net/http does (GetConn, GotConn, WroteHeaders, WroteRequest,
// GotFirstResponseByte), so that a client can tell a request that was never
// written from one whose answer was lost, and it honours the request's
// context. It starts no goroutine.
type inProcessTransport struct {
	svc  service
	used atomic.Bool
}

// droppedError is what an in-process client sees when a fault drops the
// connection: a network error, like a reset from a real peer.
type droppedError struct{ written bool }

func (e droppedError) Error() string {
	if e.written {
		return "instoretest: connection reset by peer after the request was sent"
	}
	return "instoretest: connection reset by peer before the request was sent"
}
func (droppedError) Timeout() bool   { return false }
func (droppedError) Temporary() bool { return false }

var _ net.Error = droppedError{}

func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
		reused := t.used.Swap(true)
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
		return nil, droppedError{}
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
	if rep.cut == cutDrop {
		return nil, droppedError{written: true}
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
