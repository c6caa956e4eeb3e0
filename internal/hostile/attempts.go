package hostile

import (
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sync"
	"syscall"
)

// Step plays one attempt of a request in process, reporting it through the
// request's httptrace hooks the way net/http's transport does, so that a
// client can tell an attempt that was never written from one that may have
// reached the server.
type Step func(*http.Request) (*http.Response, error)

// NeverWritten fails as a refused dial does: net/http looked for a
// connection and never wrote the request.
func NeverWritten(r *http.Request) (*http.Response, error) {
	if tr := httptrace.ContextClientTrace(r.Context()); tr != nil && tr.GetConn != nil {
		tr.GetConn(r.URL.Host)
	}
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// Written reads the request's body and reports the request written.
func Written(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	if tr := httptrace.ContextClientTrace(r.Context()); tr != nil && tr.GetConn != nil && tr.WroteRequest != nil {
		tr.GetConn(r.URL.Host)
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
}

// WrittenThenReset plays a request that left, on a connection reset before
// an answer came.
func WrittenThenReset(r *http.Request) (*http.Response, error) {
	Written(r)
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

// TimeoutAfterWrite plays a request that left and got no answer before the
// attempt's context ended.
func TimeoutAfterWrite(r *http.Request) (*http.Response, error) {
	Written(r)
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// Answered returns a Step in which the request left and the server
// answered with what respond returns.
func Answered(respond func(*http.Request) *http.Response) Step {
	return func(r *http.Request) (*http.Response, error) {
		Written(r)
		return respond(r), nil
	}
}

// Script is an http.RoundTripper that plays its steps in order, one per
// attempt, the last one repeating, and counts the attempts.
type Script struct {
	mu    sync.Mutex
	steps []Step
	calls int
}

// NewScript returns a Script of steps; there must be at least one.
func NewScript(steps ...Step) *Script {
	if len(steps) == 0 {
		panic("hostile: a script needs a step")
	}
	return &Script{steps: steps}
}

// RoundTrip plays the next step.
func (s *Script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	step := s.steps[min(s.calls, len(s.steps)-1)]
	s.calls++
	s.mu.Unlock()
	return step(r)
}

// Attempts counts the steps played.
func (s *Script) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}
