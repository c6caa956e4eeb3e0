package ppro_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/hostile"
	"github.com/instorepay/instore/ppro"
)

// TestHostileServers sends a TRANSACTION to servers that misbehave over
// real sockets. Each call returns a *ppro.Error within its deadline,
// allocates a bounded amount and leaves no goroutine behind; a TRANSACTION
// that may have reached PPRO has an unknown outcome (look it up by merchant
// id), never a result.
//
// The cases run one after another, and not in parallel with other tests,
// so that the allocation and goroutine counts are the call's own; they use
// real time, since sockets cannot run inside a synctest bubble, bounded by
// hostile.Deadline.
func TestHostileServers(t *testing.T) {
	typed := func(t *testing.T, err error) {
		t.Helper()
		var e *ppro.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "TRANSACTION", e.Op)
	}
	// unknown checks the error of a call that may have reached the
	// server, and the causes it must also match.
	unknown := func(more ...error) func(*testing.T, error, bool) {
		return func(t *testing.T, err error, received bool) {
			t.Helper()
			typed(t, err)
			if received {
				require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "a call the server received has an unknown outcome")
			}
			for _, m := range more {
				require.ErrorIs(t, err, m)
			}
		}
	}
	cases := []struct {
		b    hostile.Behaviour
		hc   *http.Client
		want func(*testing.T, error, bool)
	}{
		{b: hostile.Trickle, want: unknown(context.DeadlineExceeded)},
		{b: hostile.Endless, want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.HugeHeader, want: unknown()},
		{b: hostile.BadText, want: unknown(ppro.ErrMalformedResponse)},
		{b: hostile.GzipBomb, want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.GzipBomb, hc: hostile.NewDecompressingClient(), want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.StallTLS, want: func(t *testing.T, err error, _ bool) {
			typed(t, err)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "nothing was written before the handshake")
		}},
		{b: hostile.Silent, want: unknown(context.DeadlineExceeded)},
	}
	for _, c := range cases {
		name := string(c.b)
		if c.hc != nil {
			name += ", transport that inflates"
		}
		t.Run(name, func(t *testing.T) {
			hostile.Run(t, c.b, c.want, func(ctx context.Context, url string) error {
				opts := []ppro.Option{ppro.WithBaseURL(url + "/api")}
				if c.hc != nil {
					opts = append(opts, ppro.WithHTTPClient(c.hc))
					defer c.hc.CloseIdleConnections()
				}
				client, err := ppro.NewClient(testCreds, opts...)
				require.NoError(t, err)
				_, err = client.Transaction(ctx, transactionRequest())
				return err
			})
		})
	}
}
