package instoretest

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// Resetting an HTTP/2 stream after the request was processed, with the
// standard library only (FaultStreamReset over the socket, WithHTTP2).
// net/http's server offers no way to send RST_STREAM PROTOCOL_ERROR from a
// handler, so the loopback server's listener wraps each connection: once
// the client's HTTP/2 preface has been read, it parses the bytes the server
// writes into frames, holds each stream's response HEADERS (and
// CONTINUATION) frames until the stream's first DATA frame or its end, and
// when that DATA frame starts with a private marker that the handler wrote
// for this fault, drops the stream's frames, then and later, and writes an
// RST_STREAM frame with PROTOCOL_ERROR in their place. HTTP/1.1 connections
// pass through untouched.

// HTTP/2 wire facts (RFC 9113): the client connection preface (3.4), the
// 9-byte frame header of a 24-bit length, a type, flags and a 31-bit stream
// id (4.1), the frame types and flags used here (6.1, 6.2, 6.4, 6.10), and
// the PROTOCOL_ERROR code (7).
const (
	h2Preface           = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	h2FrameHeaderLen    = 9
	h2FrameData         = 0x0
	h2FrameHeaders      = 0x1
	h2FrameRSTStream    = 0x3
	h2FrameContinuation = 0x9
	h2FlagEndStream     = 0x1
	h2FlagEndHeaders    = 0x4
	h2FlagPadded        = 0x8
	h2ErrCodeProtocol   = 0x1
)

// resetListener wraps the loopback server's connections in resetConns.
type resetListener struct {
	net.Listener
	marker []byte
}

func (l *resetListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newResetConn(c, l.marker), nil
}

// Protocols a resetConn has seen the client speak.
const (
	protoUnknown int32 = iota
	protoHTTP1
	protoHTTP2
)

// resetConn is one server connection whose outgoing HTTP/2 frames it may
// rewrite.
type resetConn struct {
	net.Conn
	marker []byte
	proto  atomic.Int32

	rmu     sync.Mutex
	matched int // bytes of the preface read so far

	wmu     sync.Mutex
	pending []byte                 // written bytes not yet a whole frame
	held    map[uint32]*heldStream // response headers held back, by stream
	dropped map[uint32]bool        // streams reset, whose frames are dropped
}

// heldStream is a stream's response so far, not yet sent.
type heldStream struct {
	frames               []byte
	headersDone, lastOne bool
}

func newResetConn(c net.Conn, marker []byte) *resetConn {
	return &resetConn{Conn: c, marker: marker, held: make(map[uint32]*heldStream), dropped: make(map[uint32]bool)}
}

// SetLinger lets hangUp end an HTTP/1.1 connection with a TCP RST.
func (c *resetConn) SetLinger(sec int) error {
	if l, ok := c.Conn.(lingerer); ok {
		return l.SetLinger(sec)
	}
	return nil
}

// Read passes what the client sends through, watching its first bytes for
// the HTTP/2 preface.
func (c *resetConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.proto.Load() == protoUnknown {
		c.sniff(p[:n])
	}
	return n, err
}

func (c *resetConn) sniff(b []byte) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	rest := h2Preface[c.matched:]
	k := min(len(b), len(rest))
	switch {
	case string(b[:k]) != rest[:k]:
		c.proto.Store(protoHTTP1)
	case k == len(rest):
		c.proto.Store(protoHTTP2)
	default:
		c.matched += k
	}
}

// Write sends what the server writes, rewritten frame by frame on an
// HTTP/2 connection.
func (c *resetConn) Write(b []byte) (int, error) {
	if c.proto.Load() != protoHTTP2 {
		return c.Conn.Write(b)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.pending = append(c.pending, b...)
	var out []byte
	for len(c.pending) >= h2FrameHeaderLen {
		size := h2FrameHeaderLen + (int(c.pending[0])<<16 | int(c.pending[1])<<8 | int(c.pending[2]))
		if len(c.pending) < size {
			break
		}
		out = c.frame(out, c.pending[:size])
		c.pending = c.pending[size:]
	}
	// Keep the unparsed tail in a buffer of its own, so that the next
	// append does not grow the one out may share.
	c.pending = append([]byte(nil), c.pending...)
	if len(out) > 0 {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// frame decides what becomes of one whole frame the server wrote, and
// appends what is to be sent to out.
func (c *resetConn) frame(out, f []byte) []byte {
	typ, flags := f[3], f[4]
	id := binary.BigEndian.Uint32(f[5:9]) & 0x7fffffff
	h := c.held[id]
	switch {
	case id == 0:
		return append(out, f...)
	case c.dropped[id]:
		if flags&h2FlagEndStream != 0 || typ == h2FrameRSTStream {
			delete(c.dropped, id)
		}
		return out
	case typ == h2FrameHeaders:
		// The response's headers (a 1xx answer's first, or trailers
		// after the body): the stream's body, if any, is still to come.
		if h == nil {
			h = &heldStream{}
			c.held[id] = h
		}
		h.headersDone, h.lastOne = false, flags&h2FlagEndStream != 0
		return c.hold(out, id, h, f, flags)
	case typ == h2FrameContinuation && h != nil:
		return c.hold(out, id, h, f, flags)
	case typ == h2FrameData && h != nil:
		delete(c.held, id)
		if bytes.HasPrefix(dataPayload(f, flags), c.marker) {
			if flags&h2FlagEndStream == 0 {
				c.dropped[id] = true
			}
			return append(out, rstStream(id, h2ErrCodeProtocol)...)
		}
		out = append(out, h.frames...)
		return append(out, f...)
	case h != nil:
		h.frames = append(h.frames, f...)
		return out
	}
	return append(out, f...)
}

// hold keeps a stream's header frame back, until its headers are complete
// and the stream ended with them (no body to look at: send them).
func (c *resetConn) hold(out []byte, id uint32, h *heldStream, f []byte, flags byte) []byte {
	h.frames = append(h.frames, f...)
	if flags&h2FlagEndHeaders != 0 {
		h.headersDone = true
	}
	if h.headersDone && h.lastOne {
		delete(c.held, id)
		return append(out, h.frames...)
	}
	return out
}

// dataPayload is a DATA frame's data, without its padding.
func dataPayload(f []byte, flags byte) []byte {
	p := f[h2FrameHeaderLen:]
	if flags&h2FlagPadded != 0 {
		if len(p) == 0 || int(p[0]) > len(p)-1 {
			return nil
		}
		p = p[1 : len(p)-int(p[0])]
	}
	return p
}

// rstStream is an RST_STREAM frame for stream id with code.
func rstStream(id, code uint32) []byte {
	f := make([]byte, h2FrameHeaderLen+4)
	f[2] = 4
	f[3] = h2FrameRSTStream
	binary.BigEndian.PutUint32(f[5:9], id)
	binary.BigEndian.PutUint32(f[9:], code)
	return f
}

// resetStream answers a FaultStreamReset on the socket: over HTTP/2 the
// marker, which the connection turns into RST_STREAM PROTOCOL_ERROR; over
// HTTP/1.1, which has no streams, a dropped connection.
func (c *core) resetStream(w http.ResponseWriter, r *http.Request, rst bool) {
	if r.ProtoMajor != 2 || !c.http2 {
		hangUp(w, rst)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.h2Marker)
}
