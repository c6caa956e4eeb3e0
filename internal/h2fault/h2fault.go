// Package h2fault is an HTTP/2 server for tests that misbehaves after it has
// processed a request: it reads the whole request, counts it, and then,
// instead of answering, resets the stream or sends GOAWAY. Those are the
// answers on which net/http's HTTP/2 client sends a request again by itself
// when it can rewind the body, so a test can count what arrived and prove
// that a payment request is never sent twice that way.
//
// Only tests import it. It speaks raw frames through golang.org/x/net/http2's
// Framer and hpack, since net/http's own server cannot be made to misbehave
// like this.
package h2fault

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Fault is what the server does after it has read and counted the first
// request, in place of an answer.
type Fault int

// Faults. Each is one that net/http's HTTP/2 client retries on, replaying
// the request on the same or a new connection when it has a GetBody.
const (
	// ResetProtocolError resets the stream with RST_STREAM PROTOCOL_ERROR,
	// which net/http retries (golang/go#47635).
	ResetProtocolError Fault = iota + 1
	// GoAway sends GOAWAY (NO_ERROR) with last stream id 0: the server
	// claims it processed nothing, so net/http retries on a new connection.
	GoAway
	// RefusedStream resets the stream with RST_STREAM REFUSED_STREAM: the
	// server claims it did not process the stream.
	RefusedStream
)

// String names the fault for test names.
func (f Fault) String() string {
	switch f {
	case ResetProtocolError:
		return "RST_STREAM PROTOCOL_ERROR"
	case GoAway:
		return "GOAWAY last stream 0"
	case RefusedStream:
		return "RST_STREAM REFUSED_STREAM"
	}
	return "fault " + strconv.Itoa(int(f))
}

// Faults lists every fault, for table tests.
func Faults() []Fault { return []Fault{ResetProtocolError, GoAway, RefusedStream} }

// Answer is what the server sends, with status 200, to every request after
// the first.
type Answer struct {
	ContentType string
	Body        []byte
}

// Server is a TLS listener on 127.0.0.1 that speaks HTTP/2 only. Its
// certificate is self-signed; trust RootCAs.
type Server struct {
	// URL is https://127.0.0.1:port.
	URL string

	tb     testing.TB
	ctx    context.Context
	fault  Fault
	answer Answer
	ln     net.Listener
	roots  *x509.CertPool
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	bodies [][]byte
	closed bool
}

// frameTimeout bounds how long a connection waits for a frame, so that a
// broken client cannot hang a test.
const frameTimeout = 10 * time.Second

// Start starts a server that applies fault to the first request it reads
// and answers every later one with answer. It is closed when the test ends.
func Start(tb testing.TB, fault Fault, answer Answer) *Server {
	tb.Helper()
	cert, roots, err := selfSigned()
	if err != nil {
		tb.Fatalf("h2fault: certificate: %v", err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{http2.NextProtoTLS},
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		tb.Fatalf("h2fault: listen: %v", err)
	}
	s := &Server{
		URL:    "https://" + ln.Addr().String(),
		tb:     tb,
		ctx:    tb.Context(),
		fault:  fault,
		answer: answer,
		ln:     ln,
		roots:  roots,
		conns:  map[net.Conn]struct{}{},
	}
	s.wg.Go(s.accept)
	tb.Cleanup(s.Close)
	return s
}

// RootCAs is a pool holding the server's certificate, for the client's
// tls.Config.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Client returns a client that sends over tr, made to trust the server,
// and closes tr's idle connections when the test ends. Tests pass the
// SDK's own transport, to show what it does against the server.
func (s *Server) Client(tr *http.Transport) *http.Client {
	tr.TLSClientConfig = &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
	s.tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// Requests counts the requests the server read in full: the ones it
// processed.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// Bodies returns the bodies of the requests read, in order.
func (s *Server) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// Close stops the listener, closes every connection and waits for their
// goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	_ = s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			s.serve(c.(*tls.Conn))
		})
	}
}

// serve speaks HTTP/2 on one connection until the client goes away.
func (s *Server) serve(c *tls.Conn) {
	_ = c.SetDeadline(time.Now().Add(frameTimeout))
	if err := c.HandshakeContext(s.ctx); err != nil {
		return
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != http2.NextProtoTLS {
		s.tb.Errorf("h2fault: the client negotiated %q, not HTTP/2", p)
		return
	}
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	bodies := map[uint32][]byte{} // the requests being read, by stream
	for {
		_ = c.SetDeadline(time.Now().Add(frameTimeout))
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var done uint32 // the stream whose request is complete, if any
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return
			}
		case *http2.PingFrame:
			if !f.IsAck() && fr.WritePing(true, f.Data) != nil {
				return
			}
		case *http2.MetaHeadersFrame:
			bodies[f.StreamID] = nil
			if f.StreamEnded() {
				done = f.StreamID
			}
		case *http2.DataFrame:
			body, ok := bodies[f.StreamID]
			if !ok {
				continue
			}
			bodies[f.StreamID] = append(body, f.Data()...)
			if f.StreamEnded() {
				done = f.StreamID
			}
		case *http2.GoAwayFrame:
			return
		}
		if done == 0 {
			continue
		}
		if err := s.respond(fr, done, bodies[done]); err != nil {
			return
		}
		delete(bodies, done)
	}
}

// respond counts a complete request, then misbehaves if it is the first
// one and answers otherwise.
func (s *Server) respond(fr *http2.Framer, id uint32, body []byte) error {
	s.mu.Lock()
	s.bodies = append(s.bodies, body)
	first := len(s.bodies) == 1
	s.mu.Unlock()
	if first {
		switch s.fault {
		case ResetProtocolError:
			return fr.WriteRSTStream(id, http2.ErrCodeProtocol)
		case GoAway:
			return fr.WriteGoAway(0, http2.ErrCodeNo, nil)
		case RefusedStream:
			return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream)
		}
		return errors.New("h2fault: unknown fault")
	}
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	fields := []hpack.HeaderField{
		{Name: ":status", Value: "200"},
		{Name: "content-length", Value: strconv.Itoa(len(s.answer.Body))},
	}
	if s.answer.ContentType != "" {
		fields = append(fields, hpack.HeaderField{Name: "content-type", Value: s.answer.ContentType})
	}
	for _, hf := range fields {
		if err := enc.WriteField(hf); err != nil {
			return err
		}
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndHeaders: true, EndStream: len(s.answer.Body) == 0}); err != nil {
		return err
	}
	if len(s.answer.Body) == 0 {
		return nil
	}
	return fr.WriteData(id, true, s.answer.Body)
}

// selfSigned makes a short-lived certificate for 127.0.0.1 and localhost,
// and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "h2fault"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}
