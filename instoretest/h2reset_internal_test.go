package instoretest

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sink is a net.Conn that keeps what is written to it and reads from in.
type sink struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (s *sink) Read(p []byte) (int, error)        { return s.in.Read(p) }
func (s *sink) Write(p []byte) (int, error)       { return s.out.Write(p) }
func (*sink) Close() error                        { return nil }
func (*sink) LocalAddr() net.Addr                 { return inProcessAddr{} }
func (*sink) RemoteAddr() net.Addr                { return inProcessAddr{} }
func (*sink) SetDeadline(time.Time) error         { return nil }
func (*sink) SetReadDeadline(time.Time) error     { return nil }
func (*sink) SetWriteDeadline(time.Time) error    { return nil }
func (s *sink) frames(t testing.TB) []h2TestFrame { return splitFrames(t, s.out.Bytes()) }
func (s *sink) readAll(c net.Conn) (int64, error) { return bytes.NewBuffer(nil).ReadFrom(c) }
func frame(typ, flags byte, id uint32, p []byte) []byte {
	f := make([]byte, h2FrameHeaderLen, h2FrameHeaderLen+len(p))
	f[0], f[1], f[2] = byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
	f[3], f[4] = typ, flags
	binary.BigEndian.PutUint32(f[5:9], id)
	return append(f, p...)
}

type h2TestFrame struct {
	typ, flags byte
	id         uint32
	payload    []byte
}

func splitFrames(t testing.TB, b []byte) []h2TestFrame {
	var out []h2TestFrame
	for len(b) > 0 {
		require.GreaterOrEqual(t, len(b), h2FrameHeaderLen, "a whole frame header")
		n := h2FrameHeaderLen + (int(b[0])<<16 | int(b[1])<<8 | int(b[2]))
		require.GreaterOrEqual(t, len(b), n, "a whole frame")
		out = append(out, h2TestFrame{b[3], b[4], binary.BigEndian.Uint32(b[5:9]) & 0x7fffffff, b[h2FrameHeaderLen:n]})
		b = b[n:]
	}
	return out
}

// h2Conn is a resetConn that has read the client's preface.
func h2Conn(t testing.TB, marker []byte, client string) (*resetConn, *sink) {
	s := &sink{in: bytes.NewReader([]byte(client))}
	c := newResetConn(s, marker)
	_, err := s.readAll(c)
	require.NoError(t, err)
	return c, s
}

func TestResetConnRewritesFrames(t *testing.T) {
	t.Parallel()
	marker := []byte("\x00mark\x00")
	settings := frame(0x4, 0, 0, nil)
	headers := frame(h2FrameHeaders, h2FlagEndHeaders, 1, []byte("hpack"))
	headersOnly := frame(h2FrameHeaders, h2FlagEndHeaders|h2FlagEndStream, 3, []byte("hpack"))
	body := frame(h2FrameData, h2FlagEndStream, 1, []byte(`{"ok":true}`))
	marked := frame(h2FrameData, h2FlagEndStream, 1, append(append([]byte(nil), marker...), "rest"...))
	markedOpen := frame(h2FrameData, 0, 1, marker)
	later := frame(h2FrameData, h2FlagEndStream, 1, []byte("more"))
	padded := frame(h2FrameData, h2FlagEndStream|h2FlagPadded, 1, append(append([]byte{3}, marker...), 0, 0, 0))
	split := frame(h2FrameHeaders, 0, 1, []byte("hp"))
	cont := frame(h2FrameContinuation, h2FlagEndHeaders, 1, []byte("ack"))
	other := frame(h2FrameData, h2FlagEndStream, 5, []byte("x"))
	rst := rstStream(1, h2ErrCodeProtocol)
	cat := func(fs ...[]byte) []byte { return bytes.Join(fs, nil) }

	tests := []struct {
		name    string
		client  string
		written []byte
		want    []byte
	}{
		{"an answer passes", h2Preface, cat(settings, headers, body), cat(settings, headers, body)},
		{"headers with no body pass", h2Preface, cat(headersOnly), cat(headersOnly)},
		{"the marker resets the stream", h2Preface, cat(settings, headers, marked), cat(settings, rst)},
		{"padding is not data", h2Preface, cat(headers, padded), cat(rst)},
		{"later frames of a reset stream are dropped", h2Preface, cat(headers, markedOpen, later, other), cat(rst, other)},
		{"continuations are held with their headers", h2Preface, cat(split, cont, marked), cat(rst)},
		{"continued headers pass with their body", h2Preface, cat(split, cont, body), cat(split, cont, body)},
		{"other streams are not held", h2Preface, cat(headers, other, body), cat(other, headers, body)},
		{"HTTP/1.1 passes untouched", "POST / HTTP/1.1\r\n\r\n", cat(headers, marked), cat(headers, marked)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Whole, then one byte at a time: frames split across writes
			// come out the same.
			for _, step := range []int{len(tt.written), 1, 7} {
				c, s := h2Conn(t, marker, tt.client)
				for b := tt.written; len(b) > 0; {
					n := min(step, len(b))
					w, err := c.Write(b[:n])
					require.NoError(t, err)
					require.Equal(t, n, w)
					b = b[n:]
				}
				assert.Equal(t, tt.want, s.out.Bytes(), "written %d bytes at a time", step)
			}
		})
	}
}

func TestResetConnSniffsThePrefaceInPieces(t *testing.T) {
	t.Parallel()
	c := newResetConn(&sink{in: bytes.NewReader(nil)}, []byte("m"))
	for i := range len(h2Preface) {
		c.sniff([]byte{h2Preface[i]})
	}
	assert.Equal(t, protoHTTP2, c.proto.Load())
	c = newResetConn(&sink{in: bytes.NewReader(nil)}, []byte("m"))
	c.sniff([]byte("PRI * HTTP/1.1"))
	assert.Equal(t, protoHTTP1, c.proto.Load())
}

// FuzzResetConnFrames writes fuzzed frames through a resetConn, in fuzzed
// pieces: nothing panics, the output is whole frames, each stream's frames
// come out in the order they went in (some held back or dropped), and a
// stream is reset only where the marker was.
func FuzzResetConnFrames(f *testing.F) {
	marker := []byte("\x00mark\x00")
	f.Add([]byte{1, 4, 1, 0, 1, 1, 1, 0}, []byte{3, 5})
	f.Add([]byte{1, 0, 1, 9, 4, 1, 0, 1, 1, 2}, []byte{1})
	f.Add([]byte{0, 8, 3, 2, 1, 5, 1, 1, 1}, []byte{2, 9, 1})
	f.Fuzz(func(t *testing.T, spec, cuts []byte) {
		// spec: per frame, type, flags, stream (0-3, as 2n+1 or 0), and
		// a payload selector (1: the marker).
		var written []byte
		in := map[uint32][][]byte{}
		marked := map[uint32]bool{}
		for i := 0; i+3 < len(spec) && i < 4*64; i += 4 {
			typ, flags := spec[i]%10, spec[i+1]&^h2FlagPadded
			id := uint32(spec[i+2] % 4)
			if id > 0 {
				id = 2*id - 1
			}
			payload := []byte{spec[i+3]}
			if spec[i+3]%2 == 1 {
				payload = marker
			}
			if typ == h2FrameData && spec[i+3]%2 == 1 && id != 0 {
				marked[id] = true
			}
			fr := frame(typ, flags, id, payload)
			written = append(written, fr...)
			in[id] = append(in[id], fr)
		}
		c, s := h2Conn(t, marker, h2Preface)
		for b, k := written, 0; len(b) > 0; k++ {
			n := len(b)
			if k < len(cuts) {
				n = min(int(cuts[k])+1, len(b))
			}
			_, err := c.Write(b[:n])
			require.NoError(t, err)
			b = b[n:]
		}
		out := map[uint32][][]byte{}
		for _, fr := range s.frames(t) {
			raw := frame(fr.typ, fr.flags, fr.id, fr.payload)
			if fr.typ == h2FrameRSTStream && !bytes.Contains(written, raw) {
				require.True(t, marked[fr.id], "stream %d reset without the marker", fr.id)
				continue
			}
			out[fr.id] = append(out[fr.id], raw)
		}
		for id, frames := range out {
			next := 0
			for i, fr := range frames {
				for next < len(in[id]) && !bytes.Equal(in[id][next], fr) {
					next++
				}
				require.Less(t, next, len(in[id]), "stream %d frame %d went in, in that order", id, i)
				next++
			}
		}
	})
}
