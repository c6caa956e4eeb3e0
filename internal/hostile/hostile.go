// Package hostile runs servers that misbehave on purpose, over real
// sockets, for the tests that hold each client to its promise: whatever a
// server does, a call returns a typed error within its deadline, holds a
// bounded amount of memory, and leaves no goroutine behind. It is used by
// tests only.
//
// These servers are the one place where tests use real time: sockets, TLS
// handshakes and a kernel's buffers cannot run inside a testing/synctest
// bubble. Every behaviour is therefore bounded by the caller's deadline,
// kept short (a few hundred milliseconds), and the servers never sleep
// longer than the test needs.
//
// It also scripts failed attempts in process (Script), with no socket and
// so inside a bubble, for the tests that hold each client to what it
// concludes from where an attempt failed: before the request was written,
// or after.
package hostile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Behaviour is what a Server does with each connection.
type Behaviour string

// The behaviours.
const (
	// Trickle answers 200 with a 64-byte body sent one byte a second.
	Trickle Behaviour = "body trickled one byte a second"
	// Endless answers 200 with a chunked body that never ends.
	Endless Behaviour = "body that never ends"
	// HugeHeader answers 200 with a 10 MiB header block.
	HugeHeader Behaviour = "10 MiB header block"
	// BadText answers 200 with invalid UTF-8 under Content-Type text/html.
	BadText Behaviour = "invalid UTF-8 and wrong Content-Type"
	// GzipBomb answers 200 with Content-Encoding gzip and a body that
	// inflates to 8 GiB (sent until the client hangs up).
	GzipBomb Behaviour = "gzip body that inflates to gigabytes"
	// StallTLS accepts the connection and never answers the TLS
	// ClientHello.
	StallTLS Behaviour = "TLS handshake that stalls"
	// Silent accepts the connection, reads the request and never answers.
	Silent Behaviour = "accepts and never answers"
)

// answered reports whether a call against b ends with an answer the client
// refuses (a body over its cap, a body it cannot decode), an error that the
// caller's checks name: the deadline must not race the client's reading.
// Calls against the other behaviours end at the deadline: the server never
// finishes (Trickle would after a minute), or the client may retry a
// broken connection (HugeHeader) until then.
func (b Behaviour) answered() bool {
	return b == Endless || b == GzipBomb || b == BadText
}

// Server is a loopback server with one Behaviour.
type Server struct {
	b      Behaviour
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// bomb is one gzip member of the GzipBomb body, built before the call
	// it would otherwise slow.
	bomb []byte

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	requests int
}

// Requests counts the requests the server has read in full. A request the
// server read may have been acted on: the client must then report an
// unknown outcome for a call that changes state.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Start starts a server with behaviour b on a loopback port and closes it
// when the test ends.
func Start(t testing.TB, b Behaviour) *Server {
	t.Helper()
	var bomb []byte
	if b == GzipBomb {
		bomb = bombMember()
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("hostile: listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{b: b, ln: ln, ctx: ctx, cancel: cancel, bomb: bomb, conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// URL is the server's base URL: https for StallTLS, where the client must
// try a handshake, else http (allowed on loopback).
func (s *Server) URL() string {
	scheme := "http"
	if s.b == StallTLS {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

// Close stops the server, closes every connection and waits for the
// server's goroutines, so that they do not count as the client's.
func (s *Server) Close() {
	s.cancel()
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				_ = c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			s.serve(c)
		}()
	}
}

func (s *Server) serve(c net.Conn) {
	if s.b == StallTLS {
		// Read the ClientHello, answer nothing.
		_, _ = io.Copy(io.Discard, c)
		return
	}
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	w := bufio.NewWriter(c)
	switch s.b {
	case Trickle:
		const n = 64
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n")
		for range n {
			_ = w.WriteByte(' ')
			if w.Flush() != nil || !s.wait(time.Second) {
				return
			}
		}
	case Endless:
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := "8000\r\n" + strings.Repeat("[", 0x8000) + "\r\n"
		for s.ctx.Err() == nil {
			if _, err := w.WriteString(chunk); err != nil {
				return
			}
		}
	case HugeHeader:
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
		line := "X-Filler: " + strings.Repeat("a", 1000) + "\r\n"
		for written := 0; written < 10<<20; written += len(line) {
			if _, err := w.WriteString(line); err != nil {
				return
			}
		}
		_, _ = w.WriteString("Content-Length: 2\r\n\r\n{}")
	case BadText:
		body := "<html>\xff\xfe\xfd \xc3\x28 not json \xe2\x82</html>"
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=latin1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	case GzipBomb:
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
		member := s.bomb
		chunk := strconv.FormatInt(int64(len(member)), 16) + "\r\n" + string(member) + "\r\n"
		// 8 MiB inflated per member: 1024 members are 8 GiB.
		for range 1024 {
			if s.ctx.Err() != nil {
				return
			}
			if _, err := w.WriteString(chunk); err != nil {
				return
			}
		}
		_, _ = w.WriteString("0\r\n\r\n")
	case Silent:
		<-s.ctx.Done()
		return
	}
	_ = w.Flush()
	// Keep the connection until the client or Close ends it.
	_, _ = io.Copy(io.Discard, c)
}

// wait waits d or until the server closes; false means closed.
func (s *Server) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// BombInflatedPerMember is what one gzip member of the bomb inflates to.
const BombInflatedPerMember = 8 << 20

// bombMember returns one gzip member inflating to 8 MiB of zeros: about
// 8 KiB. Gzip members concatenate, and a reader inflates them one after
// another.
func bombMember() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range BombInflatedPerMember >> 20 {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	return b.Bytes()
}

// NewDecompressingClient returns an *http.Client whose transport asks for
// gzip and inflates answers transparently, as net/http's default does, for
// a case that checks that a body cap applies to the inflated bytes.
func NewDecompressingClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = false
	return &http.Client{Transport: t}
}

// Bounds Run holds every call to. The deadline is short so that a table of
// cases runs in a few seconds; the margin absorbs a loaded machine (the
// race detector, packages tested in parallel), not a client that ignores
// its context.
const (
	Deadline = 300 * time.Millisecond
	Margin   = 1500 * time.Millisecond
	// MaxAlloc bounds what a call may allocate, whatever the server sends:
	// the clients' 1 MiB body cap (read through a growing buffer), the
	// 64 KiB header cap, and the client's own work. A 10 MiB header block
	// or an inflated bomb would be far over it.
	MaxAlloc = 6 << 20
)

// Run starts a server with behaviour b, makes call against its URL under a
// context with Deadline (Deadline+Margin for an answered behaviour, whose
// error want checks: on a loaded machine reading a megabyte may take longer
// than Deadline, and the call would end in the deadline's error instead),
// checks the error with want, which is told whether
// the server read the whole request (then a call that changes state must
// report an unknown outcome; before that, on a loaded machine, the
// deadline may come first), and checks the bounds:
// the call returned within Deadline (plus Margin), allocated at most
// MaxAlloc, and once the server is closed the process has no more
// goroutines than before. Run cases one after another, and not in parallel
// with other tests, so that the counts are the call's own.
func Run(t *testing.T, b Behaviour, want func(t *testing.T, err error, received bool), call func(ctx context.Context, url string) error) {
	t.Helper()
	before := runtime.NumGoroutine()
	srv := Start(t, b)
	deadline := Deadline
	if b.answered() {
		deadline += Margin
	}
	var callErr error
	var elapsed time.Duration
	alloc := Allocated(func() {
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		start := time.Now()
		callErr = call(ctx, srv.URL())
		elapsed = time.Since(start)
	})
	if callErr == nil {
		t.Fatalf("%s: the call succeeded", b)
	}
	want(t, callErr, srv.Requests() > 0)
	if errors.Is(callErr, context.Canceled) {
		t.Errorf("%s: the test's own context was cancelled", b)
	}
	if elapsed > Deadline+Margin {
		t.Errorf("%s: returned after %v, deadline %v, bound %v", b, elapsed, deadline, Deadline+Margin)
	}
	if alloc > MaxAlloc {
		t.Errorf("%s: allocated %d bytes, more than %d", b, alloc, MaxAlloc)
	}
	srv.Close()
	if _, err := Settle(before, 3*time.Second); err != nil {
		t.Errorf("%s: goroutines left behind: %v", b, err)
	}
	t.Logf("%s: %v in %v, %d KiB allocated, %d requests received", b, callErr, elapsed.Round(time.Millisecond), alloc>>10, srv.Requests())
}

// Allocated returns the bytes allocated by the whole process while fn ran:
// an upper bound on what fn allocated, exact when nothing else runs.
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Settle waits until the process has at most want goroutines, polling
// until deadline, and reports the count it saw last. Goroutines of a
// closed connection end asynchronously, so a check right after a call
// would see them still running.
func Settle(want int, deadline time.Duration) (int, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	stop := time.NewTimer(deadline)
	defer stop.Stop()
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return n, nil
		}
		select {
		case <-tick.C:
		case <-stop.C:
			return n, errors.New("hostile: goroutines did not settle: " + strconv.Itoa(n) + " > " + strconv.Itoa(want) + "\n" + stacks())
		}
	}
}

func stacks() string {
	buf := make([]byte, 1<<16)
	return string(buf[:runtime.Stack(buf, true)])
}
