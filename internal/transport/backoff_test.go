package transport

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rtFunc is an in-process RoundTripper: no sockets, so it runs on the
// virtual clock of a synctest bubble.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}

// script answers the i-th request with responses[i] and records when each
// request arrived on the bubble's clock.
type script struct {
	mu        sync.Mutex
	responses []func() *http.Response
	at        []time.Duration
	start     time.Time
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.at)
	s.at = append(s.at, time.Since(s.start))
	if i >= len(s.responses) {
		i = len(s.responses) - 1
	}
	return s.responses[i](), nil
}

func status(code int, header ...string) func() *http.Response {
	return func() *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return answer(code, h, "")
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	base, limit := 250*time.Millisecond, 4*time.Second
	for n := 1; n <= 10; n++ {
		ceiling := min(base<<(n-1), limit)
		for range 200 {
			d := backoff(base, limit, n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceiling, "retry %d", n)
		}
	}
	assert.Zero(t, backoff(0, 0, 1))
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		assert.Equal(t, tt.wantOK, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}

func TestDoHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{start: time.Now(), responses: []func() *http.Response{status(429, "Retry-After", "3"), status(200)}}
		c := newClient(t, Config{HTTPClient: &http.Client{Transport: s}})

		resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "https://api.example/charges", Body: []byte("a=1")})
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		require.Len(t, s.at, 2)
		assert.GreaterOrEqual(t, s.at[1]-s.at[0], 3*time.Second)
		assert.Less(t, s.at[1]-s.at[0], 3*time.Second+DefaultBackoffCap)
	})
}

func TestDoRefusesLongRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{start: time.Now(), responses: []func() *http.Response{status(429, "Retry-After", "120")}}
		c := newClient(t, Config{HTTPClient: &http.Client{Transport: s}})

		resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "https://api.example/charges"})
		require.NoError(t, err)
		assert.Equal(t, 429, resp.StatusCode)
		assert.Len(t, s.at, 1)
		assert.Zero(t, time.Since(s.start), "no waiting for an answer we will not wait for")
	})
}

func TestDoBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{start: time.Now(), responses: []func() *http.Response{status(503)}}
		cfg := Config{HTTPClient: &http.Client{Transport: s}, MaxRetries: 6, BackoffBase: time.Second, BackoffCap: 2 * time.Second}
		c := newClient(t, cfg)

		resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "https://api.example/x"})
		require.NoError(t, err)
		assert.Equal(t, 7, resp.Attempts)
		require.Len(t, s.at, 7)
		for i := 1; i < len(s.at); i++ {
			assert.Less(t, s.at[i]-s.at[i-1], 2*time.Second, "wait %d", i)
		}
	})
}

func TestDoCancelDuringBackoffReturnsPromptly(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{start: time.Now(), responses: []func() *http.Response{status(429, "Retry-After", "20")}}
		c := newClient(t, Config{HTTPClient: &http.Client{Transport: s}})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)

		resp, err := c.Do(ctx, &Request{Method: http.MethodGet, URL: "https://api.example/x"})
		require.NoError(t, err, "the last answer is returned when the wait is cut short")
		assert.Equal(t, 429, resp.StatusCode)
		assert.Equal(t, time.Second, time.Since(s.start))
	})
}

func TestDoDoesNotWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{start: time.Now(), responses: []func() *http.Response{status(429, "Retry-After", "10")}}
		c := newClient(t, Config{HTTPClient: &http.Client{Transport: s}})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()

		resp, err := c.Do(ctx, &Request{Method: http.MethodGet, URL: "https://api.example/x"})
		require.NoError(t, err)
		assert.Equal(t, 429, resp.StatusCode)
		assert.Zero(t, time.Since(s.start))
	})
}

func TestDoAttemptTimeoutOnVirtualClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls int
		hang := rtFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			<-r.Context().Done()
			return nil, r.Context().Err()
		})
		c := newClient(t, Config{HTTPClient: &http.Client{Transport: hang}, Timeout: 5 * time.Second, MaxRetries: NoRetries})
		start := time.Now()

		_, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "https://api.example/x"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 5*time.Second, time.Since(start))
		assert.Equal(t, 1, calls)
	})
}
