package transport

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/internal/hostile"
)

// answered: the request left and the server answered with status.
func answered(status int) hostile.Step {
	return hostile.Answered(func(*http.Request) *http.Response {
		return answer(status, nil, "")
	})
}

// Once any attempt may have reached the server, a call that ends without an
// answer matches ErrOutcomeUnknown, whatever the later attempts did: a
// later "never written" speaks only for itself.
func TestDoOutcomeUnknownOnceAnAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		idempotent  bool
		steps       []hostile.Step
		wantUnknown bool
		wantCalls   int
		wantCause   error
	}{
		{"idempotent POST: 500, then never written", http.MethodPost, true,
			[]hostile.Step{answered(500), hostile.NeverWritten}, true, 3, syscall.ECONNREFUSED},
		{"idempotent POST: written then reset, then never written", http.MethodPost, true,
			[]hostile.Step{hostile.WrittenThenReset, hostile.NeverWritten}, true, 3, syscall.ECONNREFUSED},
		{"idempotent POST: timeout after writing, then never written", http.MethodPost, true,
			[]hostile.Step{hostile.TimeoutAfterWrite, hostile.NeverWritten}, true, 3, syscall.ECONNREFUSED},
		{"idempotent POST: never written, 502, never written", http.MethodPost, true,
			[]hostile.Step{hostile.NeverWritten, answered(502), hostile.NeverWritten}, true, 3, syscall.ECONNREFUSED},
		{"POST: 429, then never written", http.MethodPost, false,
			[]hostile.Step{answered(429), hostile.NeverWritten}, true, 3, syscall.ECONNREFUSED},
		{"POST: written then reset is not sent again", http.MethodPost, false,
			[]hostile.Step{hostile.WrittenThenReset, hostile.NeverWritten}, true, 1, syscall.ECONNRESET},
		{"POST: never written, every time", http.MethodPost, false,
			[]hostile.Step{hostile.NeverWritten}, false, 3, syscall.ECONNREFUSED},
		{"idempotent POST: never written, every time", http.MethodPost, true,
			[]hostile.Step{hostile.NeverWritten}, false, 3, syscall.ECONNREFUSED},
		{"GET: 500, then never written changes nothing", http.MethodGet, false,
			[]hostile.Step{answered(500), hostile.NeverWritten}, false, 3, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := hostile.NewScript(tt.steps...)
				cfg := fastConfig()
				cfg.HTTPClient = &http.Client{Transport: rt}
				c := newClient(t, cfg)

				resp, err := c.Do(t.Context(), &Request{Method: tt.method, URL: "https://api.example/pay", Body: []byte(`{"id":"pr-1"}`), Idempotent: tt.idempotent})
				require.Nil(t, resp)
				var te *Error
				require.ErrorAs(t, err, &te)
				require.ErrorIs(t, err, tt.wantCause, "the last attempt's failure is kept")
				assert.Equal(t, tt.wantUnknown, te.OutcomeUnknown)
				if tt.wantUnknown {
					require.ErrorIs(t, err, ErrOutcomeUnknown)
				} else {
					require.NotErrorIs(t, err, ErrOutcomeUnknown)
				}
				assert.Equal(t, tt.wantCalls, te.Attempts)
				assert.Equal(t, tt.wantCalls, rt.Attempts())
			})
		})
	}
}

// A call whose last attempt was answered returns that answer, and says
// whether an earlier attempt may have reached the server: then a refusal of
// the last attempt is not the call's outcome.
func TestDoResponseSaysWhetherAnEarlierAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		idempotent  bool
		maxRetries  int
		steps       []hostile.Step
		wantStatus  int
		wantEarlier bool
		wantCalls   int
	}{
		{"429 after a processed 500", true, 0, []hostile.Step{answered(500), answered(429)}, 429, true, 3},
		{"500 after written then reset", true, 0, []hostile.Step{hostile.WrittenThenReset, answered(500)}, 500, true, 3},
		{"200 after a timeout after writing", true, 0, []hostile.Step{hostile.TimeoutAfterWrite, answered(200)}, 200, true, 2},
		{"POST 429 after 429", false, 0, []hostile.Step{answered(429)}, 429, true, 3},
		{"POST 500 after never written", false, 0, []hostile.Step{hostile.NeverWritten, answered(500)}, 500, false, 2},
		{"POST 200 after never written", false, 0, []hostile.Step{hostile.NeverWritten, hostile.NeverWritten, answered(200)}, 200, false, 3},
		{"a lone 429", false, NoRetries, []hostile.Step{answered(429)}, 429, false, 1},
		{"a lone 503", true, NoRetries, []hostile.Step{answered(503)}, 503, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := hostile.NewScript(tt.steps...)
				cfg := fastConfig()
				cfg.HTTPClient = &http.Client{Transport: rt}
				cfg.MaxRetries = tt.maxRetries
				c := newClient(t, cfg)

				resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "https://api.example/pay", Body: []byte(`{"id":"pr-1"}`), Idempotent: tt.idempotent})
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, resp.StatusCode)
				assert.Equal(t, tt.wantEarlier, resp.EarlierAttemptMayHaveArrived)
				assert.Equal(t, tt.wantCalls, resp.Attempts)
				assert.Equal(t, tt.wantCalls, rt.Attempts())
			})
		})
	}
}

// The context ending while the client waits to retry after an answer
// leaves the outcome unknown too: the answered attempt reached the server.
func TestDoContextEndsAfterAnAnswer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		rt := hostile.NewScript(
			answered(500),
			func(r *http.Request) (*http.Response, error) {
				cancel()
				return hostile.NeverWritten(r)
			},
		)
		cfg := fastConfig()
		cfg.HTTPClient = &http.Client{Transport: rt}
		c := newClient(t, cfg)

		_, err := c.Do(ctx, &Request{Method: http.MethodPost, URL: "https://api.example/pay", Body: []byte("{}"), Idempotent: true})
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, 2, rt.Attempts())
	})
}
