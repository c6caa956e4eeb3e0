package transport

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/internal/h2fault"
)

// The *http.Request net/http gets carries no GetBody, the one thing it
// would replay a body from, and an exact ContentLength, so the body is not
// sent chunked.
func TestDoGivesNetHTTPNoBodyToReplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
	}{
		{"form body", []byte("amount=400000&currency=THB")},
		{"no body", nil},
		{"empty body", []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen *http.Request
			var got []byte
			rt := rtFunc(func(r *http.Request) (*http.Response, error) {
				seen = r
				if r.Body != nil {
					got, _ = io.ReadAll(r.Body)
				}
				return answer(200, nil, "{}"), nil
			})
			cfg := fastConfig()
			cfg.HTTPClient = &http.Client{Transport: rt}
			c := newClient(t, cfg)

			_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "https://api.example/charges", Body: tt.body})
			require.NoError(t, err)
			require.NotNil(t, seen)
			assert.Nil(t, seen.GetBody, "net/http must have nothing to replay the body from")
			assert.Equal(t, int64(len(tt.body)), seen.ContentLength)
			assert.Len(t, got, len(tt.body))
			if len(tt.body) > 0 {
				assert.Equal(t, tt.body, got)
			}
		})
	}
}

func TestDoSendsAContentLengthNotChunks(t *testing.T) {
	t.Parallel()
	type wire struct {
		length int64
		te     []string
		body   []byte
	}
	got := make(chan wire, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- wire{r.ContentLength, r.TransferEncoding, b}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())
	body := []byte("amount=400000&currency=THB")

	_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL + "/charges", Body: body})
	require.NoError(t, err)
	w := <-got
	assert.Equal(t, int64(len(body)), w.length)
	assert.Empty(t, w.te, "not chunked")
	assert.Equal(t, body, w.body)
}

// hangUpOnPost is an HTTP/1.1 server that answers GETs and the POSTs after
// the first, and drops the connection of the first POST after reading it:
// the request was processed, the answer lost.
type hangUpOnPost struct {
	srv   *httptest.Server
	posts atomic.Int32
}

func newHangUpOnPost(t *testing.T) *hangUpOnPost {
	t.Helper()
	h := &hangUpOnPost{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodPost && h.posts.Add(1) == 1 {
			hangUp(t, w)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// Over HTTP/1.1, net/http replays a request with an Idempotency-Key header
// when its reused connection breaks after the request was written, if it
// can rewind the body. The control shows the server below triggers that
// replay; the client's requests are never replayed.
func TestIdempotencyKeyDoesNotLetNetHTTPReplayOverHTTP1(t *testing.T) {
	t.Parallel()
	header := http.Header{"Idempotency-Key": {"sale-1042"}}
	body := []byte("amount=400000&currency=THB")

	t.Run("control: a plain net/http POST is replayed", func(t *testing.T) {
		t.Parallel()
		s := newHangUpOnPost(t)
		hc := &http.Client{Transport: NewHTTPTransport()}
		t.Cleanup(hc.CloseIdleConnections)
		warm, err := hc.Get(s.srv.URL) // leaves an idle keep-alive connection
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, warm.Body)
		_ = warm.Body.Close()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.srv.URL+"/charges", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = header.Clone()
		resp, err := hc.Do(req)
		require.NoError(t, err, "net/http replayed the POST and got the second answer")
		_ = resp.Body.Close()
		assert.Equal(t, int32(2), s.posts.Load(), "the server received the POST twice")
	})

	t.Run("the client", func(t *testing.T) {
		t.Parallel()
		s := newHangUpOnPost(t)
		c := newClient(t, fastConfig())
		_, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: s.srv.URL})
		require.NoError(t, err)
		_, err = c.Do(t.Context(), &Request{Method: http.MethodPost, URL: s.srv.URL + "/charges", Header: header, Body: body})
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, int32(1), s.posts.Load(), "the server received the POST once")
	})
}

// Over HTTP/2, net/http replays a request with a rewindable body when the
// server resets the stream with PROTOCOL_ERROR or REFUSED_STREAM, or sends
// GOAWAY below its stream, even after the server processed it. The
// control shows that each fault server really makes net/http replay; a
// request sent by the client is never replayed.
func TestDoIsNotReplayedOverHTTP2(t *testing.T) {
	t.Parallel()
	body := []byte("amount=400000&currency=THB")
	for _, fault := range h2fault.Faults() {
		t.Run(fault.String()+"/control: a plain net/http POST is replayed", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{Body: []byte("{}")})
			hc := s.Client(NewHTTPTransport())
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/charges", bytes.NewReader(body))
			require.NoError(t, err)
			resp, err := hc.Do(req)
			require.NoError(t, err, "net/http replayed the POST and got the answer")
			_ = resp.Body.Close()
			assert.Equal(t, 2, resp.ProtoMajor)
			assert.Equal(t, 2, s.Requests(), "the server received the POST twice")
		})
		t.Run(fault.String()+"/the client", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{Body: []byte("{}")})
			cfg := fastConfig()
			cfg.HTTPClient = s.Client(NewHTTPTransport())
			c := newClient(t, cfg)
			_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: s.URL + "/charges", Body: body})
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Equal(t, 1, s.Requests(), "the server received the POST once")
			assert.Equal(t, [][]byte{body}, s.Bodies())
		})
	}
}
