package instore_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/hostile"
)

// TestOmiseHostileServers creates a charge against servers that misbehave
// over real sockets (hostile.Run). Each call returns a typed error within
// its deadline, allocates a bounded amount, and leaves no goroutine behind
// once the server is gone; a charge the server received has an unknown
// outcome, never a result.
//
// The cases run one after another, and not in parallel with other tests,
// so that the allocation and goroutine counts are the call's own. They use
// real time: sockets cannot run inside a synctest bubble; hostile.Deadline
// keeps the table to a few seconds.
func TestOmiseHostileServers(t *testing.T) {
	// unknown checks the error of a charge that may have reached the
	// server, and the causes it must also match.
	unknown := func(causes ...error) func(*testing.T, error, bool) {
		return func(t *testing.T, err error, received bool) {
			t.Helper()
			if received {
				require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "a charge the server received has an unknown outcome")
			}
			for _, c := range causes {
				require.ErrorIs(t, err, c)
			}
		}
	}
	cases := []struct {
		b    hostile.Behaviour
		hc   *http.Client // nil: the client's own transport
		want func(*testing.T, error, bool)
	}{
		{b: hostile.Trickle, want: unknown(context.DeadlineExceeded)},
		{b: hostile.Endless, want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.HugeHeader, want: unknown()},
		{b: hostile.BadText, want: func(t *testing.T, err error, received bool) {
			var de *instore.DecodeError
			require.ErrorAs(t, err, &de)
			unknown()(t, err, received)
		}},
		{b: hostile.GzipBomb, want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.GzipBomb, hc: hostile.NewDecompressingClient(), want: unknown(instore.ErrBodyTooLarge)},
		{b: hostile.StallTLS, want: func(t *testing.T, err error, _ bool) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "no request was written before the handshake")
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
				opts := []instore.Option{instore.WithBaseURL(url)}
				if c.hc != nil {
					opts = append(opts, instore.WithHTTPClient(c.hc))
					defer c.hc.CloseIdleConnections()
				}
				client, err := instore.NewClient(testSecretKey, opts...)
				require.NoError(t, err)
				_, err = client.Charges.Create(ctx, &instore.ChargeParams{
					Amount: 10000, Currency: instore.THB,
					Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
				})
				return err
			})
		})
	}
}
